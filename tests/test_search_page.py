"""The search page as a sales rep uses it: facet counts that predict a click, active filters as
chips, ways out of zero results, the orders a rep asks for, and one result card."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from pathlib import Path

import pytest

from conftest import AS_OF, ROOT


@pytest.fixture
def page(browser, site_url: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    yield page
    context.close()


def _settled(page) -> None:
    page.wait_for_function(
        "() => document.querySelector('.results')?.getAttribute('aria-busy') === 'false'")


def _open(page, url: str) -> None:
    page.goto(url)
    _settled(page)


def _count(page) -> int:
    return int(page.locator("#result-count").inner_text().split()[0])


def _facet_values(page) -> list[tuple[str, str]]:
    return [(box.get_attribute("name"), box.get_attribute("value"))
            for box in page.locator('.filters input[type="checkbox"]').all()]


def _shown_count(page, key: str, value: str) -> int:
    return int(page.locator(f'[data-facet-count="{key}:{value}"]').inner_text())


def _box(page, key: str, value: str):
    return page.locator(f'.filters input[name="{key}"][value="{value}"]')


@pytest.mark.parametrize("query", ["", "?region=emea", "?industry=healthcare&region=emea&region=apac",
                                   "?q=ai&region=emea", "?q=telemetry+governance&product=observability"])
def test_every_count_is_what_ticking_that_value_gives(page, site_url: str, query: str) -> None:
    _open(page, site_url + query)
    checked = 0
    for key, value in _facet_values(page):
        box = _box(page, key, value)
        if box.is_checked():
            checked += 1
            continue
        promised = _shown_count(page, key, value)
        box.check()
        _settled(page)
        assert _count(page) == promised, f"{key}={value} promised {promised}"
        box.uncheck()
        _settled(page)
    assert checked == query.count("=") - query.count("q=")
    assert page.errors == []


def test_active_filters_show_as_chips_that_remove_one_each(page, site_url: str) -> None:
    _open(page, f"{site_url}?region=emea&industry=healthcare")
    chips = page.locator("#active-filters .chip")
    assert chips.count() == 2
    texts = sorted(" ".join(text.split()) for text in chips.all_inner_texts())
    assert texts == ["Industry: Healthcare & Life Sciences \u00d7", "Region: EMEA \u00d7"]
    page.get_by_role("button", name="Remove filter Region: EMEA").click()
    _settled(page)
    assert not _box(page, "region", "emea").is_checked() and _box(page, "industry", "healthcare").is_checked()
    assert "region=" not in page.url and "industry=healthcare" in page.url
    assert chips.count() == 1


def test_zero_results_name_the_filters_to_drop_and_what_each_gives(page, site_url: str,
                                                                    sample_catalog) -> None:
    listed = sample_catalog.listed(AS_OF)
    industries = Counter(a.data["company"]["industry"] for a in listed)
    regions = Counter(a.data["company"]["region"] for a in listed)
    pairs = {(a.data["company"]["industry"], a.data["company"]["region"]) for a in listed}
    industry, region = next((i, r) for i, r in itertools.product(industries, regions) if (i, r) not in pairs)
    _open(page, f"{site_url}?industry={industry}&region={region}")
    assert _count(page) == 0
    assert page.locator("#results .card").count() == 0
    assert not page.locator("#more").is_visible()
    ways = page.locator("#ways-out li button")
    texts = [" ".join(text.split()) for text in ways.all_inner_texts()]
    industry_label = sample_catalog.config.label("industries", industry)
    region_label = sample_catalog.config.label("regions", region)
    expected = {f"Remove Industry: {industry_label} to see {regions[region]} advocate"
                f"{'' if regions[region] == 1 else 's'} \u00d7",
                f"Remove Region: {region_label} to see {industries[industry]} advocate"
                f"{'' if industries[industry] == 1 else 's'} \u00d7"}
    assert set(texts) == expected
    ways.first.click()
    _settled(page)
    assert _count(page) == max(regions[region], industries[industry])


def test_show_more_appears_only_while_more_results_wait(page, site_url: str, sample_catalog) -> None:
    total = len(sample_catalog.listed(AS_OF))
    _open(page, site_url)
    page.wait_for_function("n => document.querySelectorAll('#results .card').length === n", arg=20)
    assert page.locator("#more").is_visible()
    while page.locator("#more").is_visible():
        before = page.locator("#results .card").count()
        page.click("#more")
        # The button hides while the next page's cards arrive: wait for them, not for a pause.
        page.wait_for_function("n => document.querySelectorAll('#results .card').length > n", arg=before)
        page.wait_for_function("() => !document.querySelector('#more').hidden"
                               " || document.querySelectorAll('#results .card').length === "
                               f"{total}")
    assert page.locator("#results .card").count() == total
    only = sample_catalog.listed(AS_OF)[0]
    _open(page, f"{site_url}?q={only.name.split()[-1]}&region={only.data['company']['region']}")
    assert 1 <= _count(page) <= 20 and not page.locator("#more").is_visible()


def test_without_javascript_no_button_that_cannot_work(browser, site_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url)
    assert not page.locator("#more").is_visible()
    assert page.locator("noscript").count() >= 1
    context.close()


def test_the_result_card_is_the_templates_card(page, site_url: str, built_site: Path) -> None:
    """The card exists once, in _card.html: the search page shows the markup the build rendered."""
    _open(page, f"{site_url}?sort=name")
    first = page.locator("#results .card").first
    link = first.locator(".card-name a").get_attribute("href")
    advocate_id = link.strip("/").split("/")[-1]
    card = json.loads((built_site / "advocates" / advocate_id / "card.json").read_text(encoding="utf-8"))
    shown = page.evaluate("() => document.querySelector('#results .card').outerHTML")
    normalise = lambda html: " ".join(html.split())  # noqa: E731
    assert normalise(shown) == normalise(card["html"])
    script = (ROOT / "templates" / "static" / "search.js").read_text(encoding="utf-8")
    for markup in ("card-name", "card-role", "card-tags", "freshness-", "availability-"):
        assert markup not in script, f"search.js builds card markup itself: {markup}"


def test_a_query_shows_a_story_excerpt_under_the_card(page, site_url: str) -> None:
    _open(page, f"{site_url}?q=snowmobile")
    excerpt = page.locator("#results .card").first.locator(".card-excerpt")
    assert "snowmobile" in excerpt.locator("mark").first.inner_text().lower()
    words = excerpt.inner_text().split()
    for label in ("Company", "Industry", "Size", "Story", "Persona", "Outcomes"):
        assert label not in words  # labels and headings are not part of the index


@pytest.mark.parametrize(("sort", "label"), [("", "Available first"), ("name", "Name"),
                                               ("asked", "Least recently asked"),
                                               ("verified", "Recently verified")])
def test_the_menu_names_the_order_applied(page, site_url: str, sort: str, label: str) -> None:
    _open(page, site_url + (f"?sort={sort}" if sort else ""))
    assert page.locator("#sort option:checked").inner_text() == label


@pytest.mark.parametrize("sort", ["asked", "verified"])
def test_a_sort_picked_from_the_menu_orders_the_cards_as_the_build_did(
        page, site_url: str, built_site: Path, sort: str) -> None:
    """The sorts beyond the first screen's come from search/sorts.json when first picked."""
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    _open(page, site_url)
    assert not [url for url in fetched if url.endswith("/sorts.json")]
    page.select_option("#sort", sort)
    _settled(page)
    order = json.loads((built_site / "search" / "order.json").read_text())
    places = json.loads((built_site / "search" / "sorts.json").read_text())[sort]
    expected = [f"advocates/{order['advocates'][place]}/" for place in places[:20]]
    assert page.locator("#results .card-name a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))") == expected
    assert [url for url in fetched if url.endswith("/sorts.json")] and page.errors == []


def test_with_words_the_default_is_best_match(page, site_url: str) -> None:
    _open(page, f"{site_url}?q=telemetry")
    assert page.locator("#sort option:checked").inner_text() == "Best match"
    assert _count(page) >= 1


def test_download_these_as_csv_gives_the_rows_shown(page, site_url: str, built_site: Path) -> None:
    import csv
    import io

    _open(page, f"{site_url}?region=emea&sort=name")
    names = page.locator("#results .card-name a").evaluate_all(
        "links => links.map(a => a.getAttribute('href').split('/').filter(Boolean).pop())")
    with page.expect_download() as download:
        page.click("#download-csv")
    downloaded = Path(download.value.path()).read_bytes()
    assert downloaded.startswith("\ufeff".encode())  # Excel reads UTF-8 only with the mark
    got = list(csv.reader(io.StringIO(downloaded.decode("utf-8-sig"))))
    published = list(csv.reader(io.StringIO((built_site / "advocates.csv").read_text(encoding="utf-8-sig"))))
    by_id = {row[0]: row for row in published[1:]}
    assert got[0] == published[0]
    assert [row[0] for row in got[1:]] == names[:len(got) - 1] and len(got) - 1 == _count(page)
    assert got[1:] == [by_id[row[0]] for row in got[1:]]


def test_a_profile_links_to_similar_advocates_available_first(page, site_url: str, sample_catalog) -> None:
    advocate = next(a for a in sample_catalog.listed(AS_OF) if a.id == "ingrid-solberg")
    page.goto(f"{site_url}advocates/{advocate.id}/")
    links = page.locator(".similar a")
    assert links.count() == 3
    links.nth(1).click()
    _settled(page)
    assert "function=finance" in page.url and "sort=available" in page.url
    assert page.locator("#sort").input_value() == "available"
    names = page.locator("#results .card-name").all_inner_texts()
    expected = {a.name for a in sample_catalog.listed(AS_OF) if a.data.get("function") == "finance"
                and a.data["company"]["industry"] == "financial-services"}
    assert set(names) == expected and "Ingrid Solberg" in names


def test_on_a_phone_the_open_filters_lead_back_to_the_results(browser, site_url: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    _open(page, site_url)
    assert not page.locator(".filters").is_visible()  # folded at first
    page.click("#filter-panel summary")
    _box(page, "region", "emea").check()
    _settled(page)
    button = page.locator("#show-results")
    assert button.is_visible() and button.inner_text() == f"Show {_count(page)} advocates"
    button.click()
    assert not page.locator(".filters").is_visible()
    box = page.locator("#result-count").bounding_box()
    assert box is not None and 0 <= box["y"] < 740
    assert page.locator("#active-filters .chip").is_visible()  # what is ticked shows while folded
    context.close()


def test_hostile_text_in_a_profile_stays_text_in_the_placed_card(browser, tmp_path: Path) -> None:
    """The card markup is placed with innerHTML: everything in it was escaped by _card.html."""
    import threading

    from advocate_catalog.build import build
    from advocate_catalog.serve import server

    from conftest import copy_repo

    repo = copy_repo(tmp_path / "repo")
    profile = (repo / "advocates" / "ingrid-solberg.yaml").read_text(encoding="utf-8")
    hostile = '<img src=x onerror="window.pwned=1">'
    profile = (profile.replace("name: Ingrid Solberg", f"name: '{hostile} Solberg'")
               .replace("title: Chief Financial Officer", 'title: "</li><script>window.pwned=2</script>"')
               .replace("  name: Nordvik Sparebank", "  name: '\"><svg onload=window.pwned=3>'"))
    (repo / "advocates" / "ingrid-solberg.yaml").write_text(profile, encoding="utf-8")
    build(repo, repo / "site", AS_OF)
    httpd = server(repo / "site", port=0)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    page = browser.new_page()
    try:
        _open(page, f"http://127.0.0.1:{httpd.server_address[1]}/?q=Sparebank")
        card = page.locator("#results .card").first
        assert hostile in card.locator(".card-name").inner_text()
        assert "<script>" in card.locator(".card-role").inner_text()
        assert page.locator("#results img, #results script, #results svg").count() == 0
        assert page.evaluate("window.pwned") is None
    finally:
        page.close()
        httpd.shutdown()
        httpd.server_close()


def test_typing_fast_shows_the_last_words_results_never_an_earlier_ones(page, site_url: str) -> None:
    """Searches run one at a time and only the newest: keys typed while one runs never leave an
    earlier query's results on screen, whatever order Pagefind answers in."""
    _open(page, f"{site_url}?q=governance")
    expected = page.locator("#results .card-name a").all_inner_texts()
    _open(page, site_url)
    page.click("#q")
    for text in ("pipelines", "data", "story"):
        page.keyboard.type(text, delay=5)
        page.keyboard.press("Control+A")
    page.keyboard.type("governance", delay=5)
    page.wait_for_function("() => document.querySelector('.results').dataset.shownQuery === 'governance'")
    _settled(page)
    assert page.locator("#results .card-name a").all_inner_texts() == expected
    assert "q=governance" in page.url


# --- Folding, countries, synonyms, corrections (issue 23) -------------------------------------

def test_the_word_lists_fold_names_and_keep_the_spelling_pagefind_knows() -> None:
    from advocate_catalog import search

    words = json.loads(search.words({"a": "Bjørn Müller-Straße, Łukasz SEPÚLVEDA", "b": "Bjorn Ærø"}))
    folded = {"bjorn", "muller", "strasse", "mullerstrasse", "lukasz", "sepulveda", "aero"}
    assert folded <= set(words["words"])
    assert words["spell"] == {"aero": ["ærø"], "bjorn": ["bjorn", "bjørn"], "lukasz": ["łukasz"],
                              "mullerstrasse": ["müllerstraße"], "strasse": ["straße"]}
    assert words["df"][words["words"].index("bjorn")] == 2 and words["profiles"] == 2


def test_a_phrase_is_a_bit_set_over_the_shards_advocates_in_the_order_given() -> None:
    import base64

    from advocate_catalog import search

    texts = {f"p{n:02}": "sector public" for n in reversed(range(12))}  # the order given counts
    texts.update({"p03": "Public-Sector work", "p10": "the public sector", "p11": "public, sector"})
    words = json.loads(search.words(texts, table={"public sector": []}))
    bits = base64.b64decode(words["phrases"]["public sector"])
    held = {i for place, i in enumerate(texts) if bits[place >> 3] & (1 << (place & 7))}
    assert held == {"p03", "p10", "p11"} and len(bits) == 2 and "ids" not in words


def test_words_that_name_javascript_object_members_are_only_words(page, site_url: str) -> None:
    """"constructor" or "__proto__" typed, or given as a filter value in the address, is a word
    no profile mentions and a value no facet has: no failure, no chip."""
    _open(page, f"{site_url}?q=constructor&industry=constructor&industry=__proto__&region=toString")
    assert page.locator("#active-filters").is_hidden()
    assert "constructor" in page.locator("#search-note").inner_text() and _count(page) == 0
    page.fill("#q", "hasOwnProperty __proto__")
    page.press("#q", "Enter")
    _settled(page)
    assert _count(page) == 0 and page.errors == []


def test_countries_and_synonyms_come_from_one_table_each(sample_catalog) -> None:
    from advocate_catalog import nominate, search

    countries = search.country_terms()
    assert countries["uk"] == countries["gb"] == countries["gbr"] == "united kingdom"
    assert countries["usa"] == countries["us"] == "united states" and countries["deutschland"] == "germany"
    assert all(nominate.country_lookup()[alias] for alias in ("uk", "usa", "deutschland"))  # the same table
    table = search.synonyms(sample_catalog.config)
    assert table["telco"] == ["telecommunications", "telecom"]
    assert table["iot"] == ["telemetry", "sensors"]  # catalog.yaml's own
    assert table["public sector"] == [] and "latin america" in table  # labels read as phrases
    assert "us" in search.STOP_WORDS


def test_a_sure_correction_is_shown_and_one_click_makes_it_the_query(page, site_url: str) -> None:
    _open(page, f"{site_url}?q=goverance")
    note = page.locator("#search-note")
    assert "profile mentions \u201cgoverance\u201d; showing governance." in note.inner_text()
    found = page.locator("#results .card-name a").all_inner_texts()
    note.get_by_role("button", name="governance").click()
    _settled(page)
    assert "q=governance" in page.url and page.locator("#q").input_value() == "governance"
    assert page.locator("#results .card-name a").all_inner_texts() == found
    assert page.locator("#search-note").is_hidden()
    assert page.errors == []


def test_an_unclear_correction_is_offered_never_searched(page, site_url: str) -> None:
    _open(page, f"{site_url}?q=pred")
    assert _count(page) == 0
    note = page.locator("#search-note")
    assert "did you mean" in note.inner_text()
    options = note.get_by_role("button").all_inner_texts()
    assert len(options) >= 2 and all(option.startswith("pred") for option in options)
    note.get_by_role("button").first.click()
    _settled(page)
    assert _count(page) >= 1 and f"q={options[0]}" in page.url


def test_the_word_being_typed_completes_until_typing_settles(page, site_url: str) -> None:
    """While keys come, the last word matches as the start of longer words; after a pause the
    words are searched as they stand, and the list is what the same words linked show."""
    _open(page, f"{site_url}?q=COO")
    linked = page.locator("#results .card-name a").all_inner_texts()
    _open(page, site_url)
    # Reaching for the box loads the index; typing starts once it is there, as after a first search
    # (on a cold first visit the pause may come before the index, and the settled list shows first).
    page.click("#q")
    page.wait_for_load_state("networkidle")
    page.locator("#q").press_sequentially("COO", delay=30)
    page.wait_for_function("() => document.querySelector('.results').dataset.shownQuery === 'COO'")
    assert page.locator(".results").get_attribute("aria-busy") == "true"  # not settled yet
    typing = page.locator("#results .card-name a").all_inner_texts()
    _settled(page)
    settled = page.locator("#results .card-name a").all_inner_texts()
    assert settled == linked and "Hemi Walker" in typing and "Hemi Walker" not in settled


def test_names_written_with_letters_of_their_own_are_found_typed_plainly(browser, tmp_path: Path) -> None:
    """García, Müller, Strauß, Łukasz, Ærø: found as people without those letters type them."""
    import threading

    from advocate_catalog.build import build
    from advocate_catalog.serve import server

    from conftest import copy_repo

    repo = copy_repo(tmp_path / "repo")
    renames = {"ingrid-solberg": ("Ingrid Solberg", "Inés García Strauß"),
               "aino-virtanen": ("Aino Virtanen", "Jürgen Müller"),
               "emily-tran": ("Emily Tran", "Łukasz Ærø")}
    for advocate_id, (before, after) in renames.items():
        path = repo / "advocates" / f"{advocate_id}.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace(f"name: {before}", f"name: {after}"),
                        encoding="utf-8")
    build(repo, repo / "site", AS_OF)
    httpd = server(repo / "site", port=0)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    page = browser.new_page()
    try:
        for query, advocate_id in [("garcia", "ingrid-solberg"), ("GARCÍA", "ingrid-solberg"),
                                   ("strauss", "ingrid-solberg"), ("Strauß", "ingrid-solberg"),
                                   ("muller", "aino-virtanen"), ("Mueller", "aino-virtanen"),  # corrected
                                   ("lukasz", "emily-tran"), ("aero", "emily-tran"),
                                   ("Łukasz Ærø", "emily-tran")]:
            _open(page, f"http://127.0.0.1:{httpd.server_address[1]}/?q={query}")
            found = [href.strip("/").split("/")[-1] for href in page.locator(
                "#results .card-name a").evaluate_all("links => links.map(a => a.getAttribute('href'))")]
            assert found == [advocate_id], query
    finally:
        page.close()
        httpd.shutdown()
        httpd.server_close()


# --- The first visit over a VPN (issue 25) ------------------------------------------------------

VPN = {"offline": False, "latency": 40, "downloadThroughput": 20_000_000 / 8,
       "uploadThroughput": 20_000_000 / 8}


def _over_a_vpn(browser):
    """A fresh context (empty cache, as a first visit) whose page goes through Chromium's own
    network emulation: 20 Mbit/s, 40 ms."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    session = context.new_cdp_session(page)
    session.send("Network.enable")
    session.send("Network.emulateNetworkConditions", VPN)
    return context, page


@pytest.mark.parametrize("address", ["", "?region=emea", "?q=cloud"])
def test_keys_typed_as_the_page_appears_are_never_lost(browser, site_url: str, address: str) -> None:
    """A rep types the moment the box appears, 60 ms a key, on a first visit over a VPN: the box
    ends up holding every key, the address never overwrites it, and the results are those of
    the words typed (with any filter the address gave kept)."""
    context, page = _over_a_vpn(browser)
    try:
        page.goto(f"{site_url}{address}", wait_until="commit")
        page.wait_for_selector("#q", state="visible")
        page.type("#q", "governance", delay=60)
        typed = page.input_value("#q")
        # Every key is there; the address's words only if the page was ready before the first key.
        assert typed in ("governance", "cloudgovernance" if "q=cloud" in address else "governance")
        page.wait_for_function(
            "typed => document.querySelector('.results').dataset.shownQuery === typed"
            " && document.querySelector('.results').getAttribute('aria-busy') === 'false'", arg=typed,
            timeout=20_000)
        assert page.input_value("#q") == typed
        assert f"q={typed}" in page.url
        names = page.locator("#results .card-name a").all_inner_texts()
        assert typed != "governance" or (names and _count(page) >= len(names))
        if "region=emea" in address:
            assert "region=emea" in page.url and _box(page, "region", "emea").is_checked()
        assert page.errors == []
    finally:
        context.close()


def test_a_sort_chosen_as_the_page_appears_is_kept(browser, site_url: str) -> None:
    context, page = _over_a_vpn(browser)
    try:
        page.goto(f"{site_url}?sort=verified", wait_until="commit")
        page.wait_for_selector("#sort", state="visible")
        page.select_option("#sort", "name")
        page.wait_for_function("() => document.documentElement.classList.contains('search-ready')"
                               " && document.querySelector('.results').getAttribute('aria-busy') === 'false'",
                               timeout=20_000)
        assert page.locator("#sort option:checked").inner_text() == "Name"
        names = page.locator("#results .card-name a").all_inner_texts()
        assert len(names) > 1
        assert "sort=name" in page.url
    finally:
        context.close()


def test_the_first_screen_moves_no_search_index_until_someone_reaches_for_search(
        browser, site_url: str, sample_catalog) -> None:
    """Opening the search page shows every listed advocate from the build's own order and counts,
    its first cards from the page itself; Pagefind and the word lists load when the person
    reaches for the box, not before, and one Pagefind (script, worker, WebAssembly) serves the
    four shards."""
    context, page = _over_a_vpn(browser)
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    try:
        page.goto(site_url)
        _settled(page)
        page.wait_for_timeout(300)
        index = [url for url in fetched if "/search/" in url and not url.endswith("/search/order.json")]
        assert index == []
        assert not [url for url in fetched if url.endswith(("/card.json", "/sorts.json"))]
        assert _count(page) == len(sample_catalog.listed(AS_OF))
        assert page.locator("#results > li").count() == 20
        page.click("#q")
        page.keyboard.type("governance", delay=20)
        page.wait_for_function(
            "() => document.querySelector('.results').dataset.shownQuery === 'governance'"
            " && document.querySelector('.results').getAttribute('aria-busy') === 'false'")
        shared = [url.rsplit("/", 1)[-1] for url in fetched
                  if url.rsplit("/", 1)[-1] in ("pagefind.js", "pagefind-worker.js", "wasm.en.pagefind")]
        assert sorted(shared) == ["pagefind-worker.js", "pagefind.js", "wasm.en.pagefind"]
        assert len([url for url in fetched if url.endswith("/words.json")]) == 4
        assert 0 < _count(page) < len(sample_catalog.listed(AS_OF))
        assert page.errors == []
    finally:
        context.close()
