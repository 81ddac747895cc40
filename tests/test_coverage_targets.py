"""Coverage targets per activity ("3 healthcare advocates willing to take reference calls"), and
each coverage row's link to the search that shows exactly the advocates it counts."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from bs4 import BeautifulSoup

from advocate_catalog.activity import availability
from advocate_catalog.coverage import coverage
from advocate_catalog.model import Advocate, Catalog
from advocate_catalog.render import coverage_context, facet_values, facets
from advocate_catalog.validate import validate

from conftest import AS_OF, ROOT, write

PROFILE = (Path(__file__).parent / "cases" / "valid" / "full-profile.yaml").read_text()
WILLING = "willingness: {reference-call: yes, case-study: yes, press: no}"


def _profile(repo: Path, advocate_id: str, **replace: str) -> None:
    """full-profile (retail, anz, active, willing for reference calls and case studies) as
    `advocate_id`, with text replaced."""
    text = PROFILE.replace("id: full-profile", f"id: {advocate_id}")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    write(repo / "advocates", f"{advocate_id}.yaml", text)


def _where(advocate: Advocate) -> dict[str, list[str]]:
    """What a target field asks of an advocate, written out here rather than taken from
    coverage.py: the test's own reading of targets.yaml."""
    data = advocate.data
    return {"industry": [data["company"]["industry"]], "region": [data["company"]["region"]],
            "product": data["products"], "persona": [data["persona"]],
            "function": [data["function"]] if data.get("function") else [],
            "activity": [a for a, answer in data["willingness"].items() if answer == "yes"]}


def _counted(catalog: Catalog, listed: list[Advocate], where: tuple[tuple[str, str], ...]) -> set[str]:
    """Whom a target counts, from the data: active, consenting, willing (yes) for something,
    and matching every field of the target (for `activity`: willing yes for that one)."""
    return {a.id for a in listed
            if a.status == "active" and a.consents_to("internal-catalog", AS_OF) and _where(a)["activity"]
            and all(value in _where(a)[field] for field, value in where)}


def _search(catalog: Catalog, listed: list[Advocate], href: str) -> set[str]:
    """Whom the search page shows for a link: as search.js reads its URL (a value the page does
    not offer is dropped) and as Pagefind filters (any value of one filter, every filter)."""
    states = {a.id: availability(a, AS_OF, catalog.config.limits) for a in listed}
    offered = {f["key"]: {t["id"] for t in f["terms"]} for f in facets(catalog.config, listed, states)}
    filters: dict[str, set[str]] = defaultdict(set)
    for key, value in parse_qsl(urlsplit(href).query):
        if key in offered and value in offered[key]:
            filters[key].add(value)
    return {a.id for a in listed
            if all(values & set(facet_values(a, states[a.id])[key]) for key, values in filters.items())}


def test_an_activity_target_counts_only_active_advocates_willing_for_that_activity(repo: Path) -> None:
    _profile(repo, "willing-one")
    _profile(repo, "willing-two")
    _profile(repo, "maybe-one", **{WILLING: "willingness: {reference-call: maybe, case-study: yes}"})
    _profile(repo, "unwilling-one", **{WILLING: "willingness: {reference-call: no, case-study: yes}"})
    _profile(repo, "resting-one", **{"status: active": "status: resting"})
    _profile(repo, "no-consent-one", **{"scope: [internal-catalog, name-and-logo]":
                                        "scope: [name-and-logo]"})
    (repo / "targets.yaml").write_text(
        "targets:\n  - {industry: retail, activity: reference-call, min: 3}\n"
        "  - {industry: retail, min: 3}\n  - {activity: case-study, min: 4}\n")
    result = validate(repo, AS_OF)
    assert not result.errors, result.errors
    rows = [(r.target.label, r.count, r.gap, r.target.activity)
            for r in coverage(result.catalog.advocates, result.catalog.targets, AS_OF)]
    assert rows == [("Retail & Consumer Goods \u00d7 Reference call", 2, 1, "reference-call"),
                    ("Case study", 4, 0, "case-study"),
                    ("Retail & Consumer Goods", 4, 0, None)]


def test_an_activity_outside_the_taxonomy_is_an_error_with_a_line(repo: Path) -> None:
    (repo / "targets.yaml").write_text("targets:\n  - {industry: retail, activity: juggling, min: 2}\n")
    (message,) = [str(i) for i in validate(repo, AS_OF).issues]
    assert message.startswith("targets.yaml:2:34: error: targets[0].activity 'juggling' is not in "
                              "taxonomy.activities — use one of: reference-call,")


def test_the_sample_has_an_activity_target_and_the_page_shows_it(built_site: Path) -> None:
    page = BeautifulSoup((built_site / "coverage" / "index.html").read_text("utf-8"), "html.parser")
    labels = [row.th.get_text(strip=True) for row in page.select("tbody tr")]
    assert "Healthcare & Life Sciences \u00d7 Reference call" in labels


def test_every_coverage_row_links_to_the_search_of_exactly_whom_it_counts(
        built_site: Path, sample_catalog: Catalog) -> None:
    listed = sample_catalog.listed(AS_OF)
    by_label = {t.label: t for t in sample_catalog.targets}
    page = BeautifulSoup((built_site / "coverage" / "index.html").read_text("utf-8"), "html.parser")
    rows = page.select("tbody tr")
    assert len(rows) == len(sample_catalog.targets)
    unlinked = []
    for row in rows:
        target = by_label[row.th.get_text(strip=True)]
        counted = _counted(sample_catalog, listed, target.where)
        assert int(row.select("td")[0].get_text()) == len(counted)
        link = row.th.select_one("a[href]")
        if link is None:
            unlinked.append(target.label)
            continue
        assert link["href"].startswith("../?")  # the search page, from coverage/
        assert _search(sample_catalog, listed, link["href"]) == counted, target.label
    # No listed advocate works in security: a search for it would drop that filter and show
    # everyone, so that row has no link rather than a wrong one.
    assert unlinked == ["Security"]


def test_a_search_leaves_out_active_advocates_willing_for_nothing(repo: Path) -> None:
    _profile(repo, "willing-one")
    _profile(repo, "willing-for-nothing", **{WILLING: "willingness: {reference-call: maybe, press: no}"})
    (repo / "targets.yaml").write_text("targets:\n  - {industry: retail, min: 1}\n"
                                       "  - {industry: retail, activity: case-study, min: 1}\n")
    catalog = validate(repo, AS_OF).catalog
    listed = catalog.listed(AS_OF)
    context = coverage_context(catalog, listed, AS_OF)
    for row in context["rows"]:
        href = context["search_hrefs"][row.target]
        assert href is not None
        assert _search(catalog, listed, href) == _counted(catalog, listed, row.target.where) == {
            "willing-one"}
    plain = context["search_hrefs"][next(r.target for r in context["rows"] if r.target.activity is None)]
    assert "activity=reference-call" in plain and "activity=case-study" in plain


def test_the_sample_targets_validate_against_the_schema() -> None:
    result = validate(ROOT, AS_OF)
    assert not [i for i in result.issues if i.path == "targets.yaml"]
    assert any(t.activity == "reference-call" for t in result.catalog.targets)
