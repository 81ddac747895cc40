"""The built catalog in headless Chromium: search, filters, profiles, history, same-origin only."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest

from advocate_catalog.validate import validate

from conftest import AS_OF


@pytest.fixture
def page(browser, site_url: str):
    """A fresh page that records console errors and every request it makes."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.console_errors = []
    page.requests = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    page.on("request", lambda r: page.requests.append(r.url))
    yield page
    context.close()


def _result_names(page) -> list[str]:
    return page.locator("#results .card-name").all_inner_texts()


def _wait_for_count(page, expected: int) -> None:
    label = "advocate" if expected == 1 else "advocates"
    page.wait_for_function(
        "text => document.getElementById('result-count').textContent === text",
        arg=f"{expected} {label}")


def _unique_story_word(catalog) -> tuple[str, str]:
    """A long word that appears in exactly one listed advocate's story, and that advocate's name."""
    words: dict[str, set[str]] = {}
    for advocate in catalog.listed(AS_OF):
        text = " ".join([advocate.data["story"], advocate.data.get("summary", ""),
                         *advocate.data.get("outcomes", [])])
        for word in set(re.findall(r"[a-z]{9,}", text.lower())):
            words.setdefault(word, set()).add(advocate.name)
    word = min(w for w, names in words.items() if len(names) == 1)
    return word, next(iter(words[word]))


def test_a_word_from_a_story_finds_that_advocate_first(page, site_url: str, sample_catalog) -> None:
    word, name = _unique_story_word(sample_catalog)
    page.goto(site_url)
    page.wait_for_selector("#results .card")
    page.fill("#q", word)
    page.wait_for_function(
        "name => document.querySelector('#results .card-name')?.textContent === name", arg=name)
    assert page.locator("#results .card").first.locator("mark").count() >= 1
    assert f"q={word}" in page.url
    assert page.console_errors == []


def test_no_query_lists_every_listed_advocate_available_first(page, site_url: str, sample_catalog) -> None:
    from advocate_catalog.activity import availability

    listed = sample_catalog.listed(AS_OF)
    states = {a.id: availability(a, AS_OF, sample_catalog.config.limits) for a in listed}
    by_name = sorted(listed, key=lambda a: a.name.casefold())
    order = ("available", "resting", "at-limit", "not-askable")
    expected = [a.name for a in sorted(by_name, key=lambda a: (order.index(states[a.id].state),
                                                                states[a.id].until or dt.date.min))]
    page.goto(site_url)
    _wait_for_count(page, len(listed))
    page.wait_for_function("n => document.querySelectorAll('#results .card').length === n",
                           arg=min(20, len(expected)))
    assert _result_names(page) == expected[:20]
    assert page.locator("#sort").input_value() == "available"  # the menu names the order applied
    page.click("#more")
    page.wait_for_function("n => document.querySelectorAll('#results .card').length === n",
                           arg=min(40, len(expected)))
    page.select_option("#sort", "name")
    page.wait_for_function("name => document.querySelector('#results .card-name')?.textContent === name",
                           arg=by_name[0].name)
    page.wait_for_function("n => document.querySelectorAll('#results .card').length === n",
                           arg=min(20, len(expected)))
    assert _result_names(page) == [a.name for a in by_name[:20]]
    assert "sort=name" in page.url


def test_filters_narrow_results_to_the_counts_in_the_data(page, site_url: str, sample_catalog) -> None:
    listed = sample_catalog.listed(AS_OF)
    region, _ = Counter(a.data["company"]["region"] for a in listed).most_common(1)[0]
    in_region = [a for a in listed if a.data["company"]["region"] == region]
    industry, _ = Counter(a.data["company"]["industry"] for a in in_region).most_common(1)[0]
    both = [a for a in in_region if a.data["company"]["industry"] == industry]
    page.goto(site_url)
    page.wait_for_selector("#results .card")
    page.check(f'input[name="region"][value="{region}"]')
    _wait_for_count(page, len(in_region))
    page.check(f'input[name="industry"][value="{industry}"]')
    _wait_for_count(page, len(both))
    assert sorted(_result_names(page)) == sorted(a.name for a in both)
    assert f"region={region}" in page.url and f"industry={industry}" in page.url
    # The link reproduces the search on its own.
    page.goto(page.url)
    _wait_for_count(page, len(both))
    assert page.locator(f'input[name="industry"][value="{industry}"]').is_checked()


def test_result_opens_profile_and_back_restores_the_search(page, site_url: str, sample_catalog) -> None:
    word, name = _unique_story_word(sample_catalog)
    page.goto(f"{site_url}?q={word}")
    page.wait_for_function(
        "name => document.querySelector('#results .card-name')?.textContent === name", arg=name)
    page.click("#results .card-name a")
    page.wait_for_selector("h1")
    assert page.locator("h1").inner_text() == name
    assert urlsplit(page.url).path.startswith(urlsplit(site_url).path + "advocates/")
    page.go_back()
    page.wait_for_function(
        "name => document.querySelector('#results .card-name')?.textContent === name", arg=name)
    assert page.input_value("#q") == word


def test_every_request_stays_on_the_site(page, site_url: str, sample_catalog) -> None:
    page.goto(site_url)
    page.wait_for_selector("#results .card")
    page.fill("#q", _unique_story_word(sample_catalog)[0])
    page.wait_for_timeout(500)
    page.goto(site_url + "advocates/" + sample_catalog.listed(AS_OF)[0].id + "/")
    page.goto(site_url + "advocates/")
    for path in ("digest/", "digest/2026-W47/", "owners/", "owners/amara-okafor/", "whats-new/"):
        page.goto(site_url + path)
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(site_url))
    assert page.requests and all(url.startswith(origin) for url in page.requests)
    assert page.console_errors == []


def test_nominate_form_produces_a_valid_file_on_github(page, site_url: str, repo) -> None:
    page.goto(site_url + "nominate/")
    page.wait_for_selector("#nominate-form[data-ready]")
    page.fill("#f-name", 'Ingrid "Bø" O\'Neill')
    assert page.inner_text("#nomination-file") == "nominations/ingrid-bo-o-neill.yaml"
    assert page.locator("#f-id").count() == 0  # the id is derived and shown, never asked
    page.fill("#f-title", "Head of BI: data & analytics")
    page.fill("#f-company", "Fjell Foods #1 [NO]")
    page.fill("#f-country", "no")
    page.select_option("#f-industry", "retail")
    page.check('input[name="size"][value="mid-market"]')
    page.check('input[name="products"][value="analytics"]')
    page.check('input[name="products"][value="edge-sync"]')
    page.fill("#f-reason", "Line one: yes\n- not a list\n!!python/object x")
    page.select_option("#f-who", "grace-whitfield")
    page.select_option("#f-owner", "elise-fontaine")
    page.click("button[type=submit]")
    link = page.locator("#open-on-github")
    link.wait_for()
    href = link.get_attribute("href")
    url = urlsplit(href)
    assert f"{url.scheme}://{url.netloc}{url.path}" == (
        "https://github.com/tessellate/advocate-catalog/new/main")
    params = parse_qs(url.query)
    assert params["filename"] == ["nominations/ingrid-bo-o-neill.yaml"]
    (repo / "nominations" / "ingrid-bo-o-neill.yaml").write_text(params["value"][0])
    result = validate(repo, dt.date.today())
    assert result.issues == []
    (nomination,) = result.catalog.nominations
    assert nomination.data["name"] == 'Ingrid "Bø" O\'Neill'
    assert nomination.data["title"] == "Head of BI: data & analytics"
    assert nomination.data["company"]["name"] == "Fjell Foods #1 [NO]"
    assert nomination.data["company"]["country"] == "NO"
    assert (nomination.data["company"]["region"], nomination.data["persona"]) == ("emea", "director")
    assert nomination.data["reason"] == "Line one: yes\n- not a list\n!!python/object x"
    assert (nomination.data["nominated_by"], nomination.data["owner"]) == (
        "grace.whitfield@tessellate.example", "elise-fontaine")
    assert page.locator("#nomination-yaml").inner_text().rstrip() == params["value"][0].rstrip()
    assert page.console_errors == []


def test_nominate_form_needs_a_product(page, site_url: str) -> None:
    page.goto(site_url + "nominate/")
    page.wait_for_selector("#nominate-form[data-ready]")
    page.click("button[type=submit]")
    assert page.locator("#nomination-result").is_hidden()
    assert page.evaluate("document.activeElement.id") == "f-name"  # the first answer missing
    page.fill("#f-name", "Ana Ruiz")
    page.fill("#f-title", "CFO")
    page.fill("#f-company", "Ruiz SA")
    page.fill("#f-country", "Mexico")
    page.select_option("#f-industry", "retail")
    page.check('input[name="size"][value="small"]')
    page.fill("#f-reason", "Fan.")
    page.select_option("#f-who", "carla-mendes")
    # The button says what is missing, the group says why, and nothing is prepared.
    assert page.inner_text("button[type=submit]") == "Still needed: products"
    page.click("button[type=submit]")
    assert page.locator("#nomination-result").is_hidden()
    assert page.inner_text("#f-products-error") == "Choose at least one product."
    assert page.get_attribute("#f-products-group", "aria-invalid") == "true"
    page.check('input[name="products"][value="analytics"]')
    assert page.locator("#f-products-error").is_hidden()
    assert page.inner_text("button[type=submit]") == "Prepare the nomination"
    page.click("button[type=submit]")
    assert page.locator("#nomination-result").is_visible()
