"""The relevance set (tests/search_cases.yaml) in the built site, as a rep searches: precise words,
stems, several words, titles, company names; precision and recall are printed."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
import yaml

CASES = yaml.safe_load((Path(__file__).parent / "search_cases.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def results(browser, site_url: str) -> dict[str, list[str]]:
    """Every case's result ids, in order, with all pages of results loaded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    found: dict[str, list[str]] = {}
    settled = "() => document.querySelector('.results')?.getAttribute('aria-busy') === 'false'"
    for case in CASES:
        if case.get("typed"):
            page.goto(site_url)
            page.wait_for_function(settled)
            page.locator("#q").press_sequentially(case["query"], delay=60)
            page.wait_for_timeout(150)
        else:
            page.goto(f"{site_url}?q={quote(case['query'])}")
        page.wait_for_function(settled)
        total = int(page.locator("#result-count").inner_text().split()[0])
        while page.locator("#more").is_visible():
            page.click("#more")
            page.wait_for_function("n => document.querySelectorAll('#results .card').length === n",
                                   arg=min(total, page.locator("#results .card").count() + 20))
        assert page.locator("#results .card").count() == total
        found[case["query"]] = [href.strip("/").split("/")[-1] for href in
                                page.locator("#results .card-name a").evaluate_all(
                                    "links => links.map(a => a.getAttribute('href'))")]
    context.close()
    assert errors == []
    return found


def test_the_relevance_set_passes_with_full_precision_and_recall(results: dict[str, list[str]]) -> None:
    must = kept_out = must_total = out_total = 0
    failures = []
    for case in CASES:
        got = results[case["query"]]
        if case.get("none"):
            out_total += 1
            kept_out += not got
            if got:
                failures.append(f"{case['query']!r} should find nothing, found {got}")
            continue
        for advocate in case.get("must", []):
            must_total += 1
            must += advocate in got
            if advocate not in got:
                failures.append(f"{case['query']!r} misses {advocate}")
        for place, advocate in enumerate(case.get("first", [])):
            if advocate not in got[:len(case["first"])]:
                failures.append(f"{case['query']!r} ranks {advocate} below others (place {place})")
        for advocate in case.get("must_not", []):
            out_total += 1
            kept_out += advocate not in got
            if advocate in got:
                failures.append(f"{case['query']!r} wrongly finds {advocate}")
    print(f"\nsearch relevance: {len(CASES)} queries, recall {must}/{must_total} = {must / must_total:.0%}, "
          f"precision (kept out) {kept_out}/{out_total} = {kept_out / out_total:.0%}")
    assert len(CASES) >= 30
    assert failures == [], "\n".join(failures)


def test_several_words_put_those_with_all_of_them_first(results: dict[str, list[str]]) -> None:
    assert results["CFO in financial services"][0] == "ingrid-solberg"
    assert results["Qasr Capital Bank"][0] == "fatima-al-mansoori"
