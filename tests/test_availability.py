"""Availability is per activity, and every surface says the same: the search filter, the card,
the profile's request box, the request workflow's check (issue 23, part 1)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from test_requests import _request
from test_search_page import _open, page  # noqa: F401 - the page fixture

from advocate_catalog.activity import availability, usage
from advocate_catalog.issueform import _judge, request_from_issue
from advocate_catalog.render import ASKABLE

from conftest import AS_OF


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_every_surface_agrees_for_every_profile_and_activity(built_site: Path, sample_catalog) -> None:
    """Each listed sample profile and each activity: the rule's answer is the profile's search
    filter, its card's badge for that activity, the CSV export, `report usage`, its request box
    (an ordinary request only when it can be asked) and the request check's verdict without an
    exception."""
    config = sample_catalog.config
    checked = 0
    near = usage(sample_catalog, AS_OF, config.limits).near_limit
    at_limit = {(a.id, text.split(" within ")[0].split()[-1]) for a, text in near
                if text.startswith("at the limit")}
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(
        (built_site / "advocates.csv").read_text(encoding="utf-8-sig")))}
    for advocate in sample_catalog.listed(AS_OF):
        overall = availability(advocate, AS_OF, config.limits)
        profile = _soup(built_site / "advocates" / advocate.id / "index.html")
        askable = {m["content"] for m in profile.select(f'meta[name="search-filter-{ASKABLE}"]')}
        card = BeautifulSoup(json.loads((built_site / "advocates" / advocate.id / "card.json")
                                        .read_text(encoding="utf-8"))["html"], "html.parser")
        for term in config.vocabularies["activities"]:
            state = overall.for_activity(term.id)
            assert state == availability(advocate, AS_OF, config.limits, term.id)
            answer = advocate.data["willingness"].get(term.id)
            if answer == "yes":
                assert f"{state.state}:{term.id}" in askable, (advocate.id, term.id)
                # `report usage` names the per-activity limit that holds it back, and only that.
                held = state.state == "at-limit" and state.base.state == "available"
                assert ((advocate.id, term.id) in at_limit) == held, (advocate.id, term.id)
                listed_for = rows[advocate.id]["available_for"].split("; ")
                assert (term.id in listed_for) == (state.state == "available"), (advocate.id, term.id)
                badge = card.select_one(f'[data-for="{term.id}"]')
                assert badge["data-state"] == state.state, (advocate.id, term.id)
            block = profile.select_one(f'.ask[data-activity="{term.id}"]')
            if answer in ("yes", "maybe"):
                assert bool(block.select(".request-channels > li > a.button")) == (state.state == "available")
                assert bool(block.select(".request-anyway")) == (state.state != "available"
                                                                   and state.exception_possible)
            else:
                assert block is None
            request = _request(advocate.id, f"{term.label} ({term.id})")
            verdict = _judge(sample_catalog, *request_from_issue(request["issue"]["body"], config), AS_OF)
            assert verdict.ok == (state.state == "available"), (advocate.id, term.id, verdict.comment)
            checked += 1
    assert checked > 200


def test_the_issues_example_is_at_his_reference_call_limit(sample_catalog) -> None:
    bjorn = next(a for a in sample_catalog.listed(AS_OF) if a.id == "bjorn-haugland")
    overall = availability(bjorn, AS_OF, sample_catalog.config.limits)
    assert overall.state == "available" and "reference-call" not in overall.ready
    calls = overall.for_activity("reference-call")
    assert calls.state == "at-limit" and calls.until.isoformat() == "2026-12-10"
    assert overall.for_activity("case-study").state == "available"


@pytest.mark.parametrize(("query", "absent"), [
    ("?persona=c-level&activity=reference-call&availability=available", {"Bjørn Haugland"}),
    ("?activity=case-study&availability=available", {"Haruka Satō", "Rosalie Gagnon"}),
])
def test_available_with_an_activity_means_available_for_it(page, site_url: str, sample_catalog,  # noqa: F811
                                                          query: str, absent: set[str]) -> None:
    config = sample_catalog.config
    activity = query.split("activity=")[1].split("&")[0]
    persona = "c-level" if "persona" in query else None
    expected = {a.name for a in sample_catalog.listed(AS_OF)
                if a.data["willingness"].get(activity) == "yes"
                and (persona is None or a.data["persona"] == persona)
                and availability(a, AS_OF, config.limits, activity).state == "available"}
    _open(page, site_url + query)
    shown = set(page.locator("#results .card h2").all_inner_texts())
    assert shown == expected and not shown & absent
    assert page.locator("#results .card .badge[data-for]:not([hidden])").all_inner_texts()
    facet = page.locator('fieldset[data-facet="availability"] input[value="available"]')
    assert facet.count() == 1
    assert page.errors == []


def test_a_card_says_the_ticked_activitys_state_and_opens_its_request(page, site_url: str) -> None:  # noqa: F811
    _open(page, site_url + "?activity=reference-call&persona=c-level")
    card = page.locator("#results .card", has_text="Bjørn Haugland")
    badge = card.locator(".badge[data-for]:not([hidden])")
    assert badge.inner_text() == "Reference call: at limit until 10 Dec 2026"
    card.locator("h2 a").click()
    page.wait_for_load_state("load")
    assert page.locator("#ask-activity").input_value() == "reference-call"
    block = page.locator(".ask:not([hidden])")
    assert "At limit until 10 Dec 2026" in block.inner_text()
    assert block.locator(".request-anyway").count() == 1 and block.locator("a.button").count() == 0
