"""The relevance set (tests/search_cases.yaml) in the built site, as a rep searches: precise words,
stems, several words, titles, company names, names without accents, countries, synonyms, typos;
each query as a link and typed key by key, which must agree; precision and recall are printed."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
import yaml

CASES = yaml.safe_load((Path(__file__).parent / "search_cases.yaml").read_text(encoding="utf-8"))
SETTLED = "() => document.querySelector('.results')?.getAttribute('aria-busy') === 'false'"
WAYS = ("link", "typed")


def _shown(page) -> tuple[list[str], str]:
    """The ids of every result (all pages of them loaded) and the note above them."""
    total = int(page.locator("#result-count").inner_text().split()[0])
    while page.locator("#more").is_visible():
        page.click("#more")
        page.wait_for_function("n => document.querySelectorAll('#results .card').length === n",
                               arg=min(total, page.locator("#results .card").count() + 20))
    assert page.locator("#results .card").count() == total
    ids = [href.strip("/").split("/")[-1] for href in page.locator("#results .card-name a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")]
    note = page.locator("#search-note")
    return ids, note.inner_text() if note.is_visible() else ""


@pytest.fixture(scope="module")
def results(browser, site_url: str) -> dict[str, dict[str, tuple[list[str], str]]]:
    """Every case's result ids in order, and its note: as a link (`?q=`) and typed key by key
    into the box, then left alone until the search settles (the last word no longer a prefix)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    found: dict[str, dict[str, tuple[list[str], str]]] = {way: {} for way in WAYS}
    for case in CASES:
        page.goto(f"{site_url}?q={quote(case['query'])}")
        page.wait_for_function(SETTLED)
        found["link"][case["query"]] = _shown(page)
        page.goto(site_url)
        page.wait_for_function(SETTLED)
        page.locator("#q").press_sequentially(case["query"], delay=40)
        page.wait_for_timeout(100)
        page.wait_for_function(SETTLED)
        found["typed"][case["query"]] = _shown(page)
    context.close()
    assert errors == []
    return found


@pytest.mark.parametrize("way", WAYS)
def test_the_relevance_set_passes_with_full_precision_and_recall(results, way: str) -> None:
    must = kept_out = must_total = out_total = 0
    failures = []
    for case in CASES:
        got, shown_note = results[way][case["query"]]
        if case.get("corrected") and f"showing {case['corrected']}" not in shown_note:
            failures.append(f"{case['query']!r} should show {case['corrected']!r}, says {shown_note!r}")
        if case.get("none"):
            out_total += 1
            kept_out += not got
            if got:
                failures.append(f"{case['query']!r} should find nothing, found {got}")
            continue
        for advocate in case.get("must", []) + case.get("first", []):
            must_total += 1
            must += advocate in got
            if advocate not in got:
                failures.append(f"{case['query']!r} misses {advocate}")
        for place, advocate in enumerate(case.get("first", [])):
            if advocate in got and advocate not in got[:len(case["first"])]:
                failures.append(f"{case['query']!r} ranks {advocate} below others (place {place})")
        for advocate in case.get("must_not", []):
            out_total += 1
            kept_out += advocate not in got
            if advocate in got:
                failures.append(f"{case['query']!r} wrongly finds {advocate}")
    print(f"\nsearch relevance ({way}): {len(CASES)} queries, recall {must}/{must_total} = "
          f"{must / must_total:.0%}, precision (kept out) {kept_out}/{out_total} = "
          f"{kept_out / out_total:.0%}")
    assert len(CASES) >= 70
    assert failures == [], "\n".join(failures)


def test_typed_and_linked_give_the_same_results_in_the_same_order(results) -> None:
    differ = {query: (results["link"][query], typed) for query, typed in results["typed"].items()
              if typed != results["link"][query]}
    assert differ == {}


def test_several_words_put_those_with_all_of_them_first(results) -> None:
    assert results["link"]["CFO in financial services"][0][0] == "ingrid-solberg"
    assert results["link"]["Qasr Capital Bank"][0][0] == "fatima-al-mansoori"


def test_a_word_in_no_profile_is_never_corrected_into_another(results) -> None:
    for case in CASES:
        if case.get("none"):
            assert "showing" not in results["link"][case["query"]][1], case["query"]
