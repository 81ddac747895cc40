"""Rendered pages, checked with CSS selectors: content, search metadata, sanitising, privacy."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from advocate_catalog.activity import availability
from advocate_catalog.render import ASKABLE, FACETS, story_html

from conftest import AS_OF

CASES = Path(__file__).parent / "cases"


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.mark.parametrize("markdown_text", [
    "<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "![img](data:text/html;base64,PHNjcmlwdD4=)",
    '<img src="x" onerror="alert(1)">',
    '<a href="https://ok.example" onclick="alert(1)" style="color:red">x</a>',
    "<iframe src='https://evil.example'></iframe>",
])
def test_story_markdown_is_sanitised(markdown_text: str) -> None:
    html = story_html(markdown_text).lower()
    for needle in ("<script", "javascript:", "onerror", "onclick", "style=", "<iframe", "data:", "<img"):
        assert needle not in html


def test_story_keeps_formatting_and_https_links() -> None:
    html = story_html("**Bold** and [a case study](https://www.tessellate.example/x)\n\n- one\n- two")
    page = BeautifulSoup(html, "html.parser")
    assert page.select_one("strong").text == "Bold"
    assert page.select_one("a")["href"] == "https://www.tessellate.example/x"
    assert "noopener" in page.select_one("a")["rel"]
    assert [li.text for li in page.select("li")] == ["one", "two"]


def test_one_page_per_listed_advocate_and_no_other(built_site: Path, sample_catalog) -> None:
    listed = {a.id for a in sample_catalog.listed(AS_OF)}
    pages = {p.parent.name for p in (built_site / "advocates").glob("*/index.html")}
    assert pages == listed
    assert len(listed) < len(sample_catalog.advocates)  # some statuses and consents are not listed


def test_profile_page_shows_what_a_requester_needs(built_site: Path, sample_catalog) -> None:
    from advocate_catalog.activity import availability

    advocate = next(a for a in sample_catalog.listed(AS_OF) if a.data.get("quotes") and availability(
        a, AS_OF, sample_catalog.config.limits).state == "available")
    page = soup(built_site / "advocates" / advocate.id / "index.html")
    owner = sample_catalog.config.owners[advocate.data["owner"]]
    assert page.select_one("h1").text == advocate.name
    assert advocate.data["company"]["name"] in page.select_one(".profile-role").text
    assert page.select_one("[data-pagefind-body] .story p")
    # The sample's first channel is an e-mail to the owner; the others follow, quieter.
    request = page.select_one(".request a.button")["href"]
    assert request.startswith(f"mailto:{owner.email}?subject=Advocate%20request")
    assert len(page.select(".willingness li")) == len(advocate.data["willingness"])
    assert page.select_one(".quote blockquote").text.strip() == advocate.data["quotes"][0]["text"].strip()
    assert page.select_one(".facts time")["datetime"] == advocate.data["last_verified"]


def test_profile_carries_search_filters_and_metadata(built_site: Path, sample_catalog) -> None:
    advocate = sample_catalog.listed(AS_OF)[0]
    page = soup(built_site / "advocates" / advocate.id / "index.html")
    filters = {}
    for meta in page.select("meta[data-pagefind-filter]"):
        key = meta["data-pagefind-filter"].removesuffix("[content]")
        filters.setdefault(key, set()).add(meta["content"])
    assert set(filters) == {key for key, _, _ in FACETS} | {ASKABLE}
    assert filters[ASKABLE] == {f"{a.state}:{a.activity}" for a in
                                availability(advocate, AS_OF, sample_catalog.config.limits).activities}
    assert filters["industry"] == {advocate.data["company"]["industry"]}
    assert filters["product"] == set(advocate.data["products"])
    assert filters["activity"] == set(advocate.willing("yes"))
    # Sorting uses search/order.json: Pagefind's sort cannot order merged shards.
    assert not page.select("[data-pagefind-sort]")


def test_the_search_page_holds_its_first_screen(built_site: Path) -> None:
    """With nothing asked the search page shows who can be asked now first: the page holds those
    cards, the same the search script places (order.json's `available` order, card.json)."""
    order = json.loads((built_site / "search" / "order.json").read_text())
    first = [order["advocates"][place] for place in order["available"][:20]]
    cards = soup(built_site / "index.html").select("#results > li.card")
    assert [card.select_one("a")["href"] for card in cards] == [f"advocates/{i}/" for i in first]
    card = json.loads((built_site / "advocates" / first[0] / "card.json").read_text())["html"]
    assert BeautifulSoup(card, "html.parser").get_text() == cards[0].get_text()


def test_index_lists_facets_in_taxonomy_order_with_counts(built_site: Path, sample_catalog) -> None:
    page = soup(built_site / "index.html")
    regions = [v["value"] for v in page.select('fieldset[data-facet="region"] input')]
    config_order = sample_catalog.config.ids("regions")
    assert regions == [r for r in config_order if r in regions]
    listed = sample_catalog.listed(AS_OF)
    for box in page.select('fieldset[data-facet="industry"] input'):
        count = page.select_one(f'[data-facet-count="industry:{box["value"]}"]').text
        assert int(count) == sum(a.data["company"]["industry"] == box["value"] for a in listed)


def test_pages_use_relative_links_and_load_nothing_from_elsewhere(built_site: Path) -> None:
    for path in built_site.rglob("*.html"):
        page = soup(path)
        for tag, attribute in (("link", "href"), ("script", "src"), ("img", "src")):
            for element in page.select(f"{tag}[{attribute}]"):
                assert not re.match(r"^(/|[a-z]+:)", element[attribute]), (path, element)
        assert page.select_one('meta[http-equiv="Content-Security-Policy"]')
        assert page.select_one('meta[name="robots"]')["content"] == "noindex, nofollow"


def test_profiles_offer_the_request_only_when_the_advocate_can_be_asked(built_site: Path,
                                                                        sample_catalog) -> None:
    from advocate_catalog.activity import availability

    listed = sample_catalog.listed(AS_OF)
    states = {a.id: availability(a, AS_OF, sample_catalog.config.limits) for a in listed}
    seen = set()
    for advocate in listed:
        state = states[advocate.id]
        request = soup(built_site / "advocates" / advocate.id / "index.html").select_one(".request")
        links = [a.get_text(strip=True) for a in request.select("a")]
        if state.state == "available":
            assert request.select_one("a.button") is not None, advocate.id
        else:
            assert request.select_one("a.button") is None, advocate.id
            assert state.label in request.get_text()
            if state.exception_possible:
                # Behind "Request anyway": the same channels, each asking for an exception.
                assert request.select_one("details.request-anyway summary").text == "Request anyway"
                hrefs = [a["href"] for a in request.select("details.request-anyway a")]
                assert hrefs[0].startswith("mailto:") and "Exception%20request" in hrefs[0]
                assert "This%20is%20an%20exception" in hrefs[0], advocate.id
                assert "Ask again from" in request.get_text()
            else:
                assert links == [], advocate.id
        seen.add((state.state, state.exception_possible))
    assert ("available", False) in seen and len(seen) >= 3  # the sample shows several cases


def test_profiles_and_verification_rows_open_githubs_editor(built_site: Path, sample_catalog) -> None:
    config = sample_catalog.config
    advocate = sample_catalog.listed(AS_OF)[0]
    link = soup(built_site / "advocates" / advocate.id / "index.html").select_one(".edit-link a")
    assert link["href"] == f"{config.repository_url}/edit/{config.branch}/advocates/{advocate.id}.yaml"
    rows = soup(built_site / "verification" / "index.html").select("tbody tr")
    assert rows
    for row in rows:
        profile, edit = row.select("td a")[:2]
        advocate_id = profile["href"].strip("/").split("/")[-1]
        assert edit["href"].endswith(f"/edit/{config.branch}/advocates/{advocate_id}.yaml")
