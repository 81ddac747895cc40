"""Job function beside seniority: "a CFO" is persona c-level and function finance. It is a
vocabulary like the others: schema, catalog.yaml, sample data, filters, browse pages, cards,
exports, coverage targets, the nominate forms, and import."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import yaml
from bs4 import BeautifulSoup

from advocate_catalog import issueform, nominate
from advocate_catalog.coverage import coverage
from advocate_catalog.validate import validate

from conftest import AS_OF, ROOT, write


def test_every_sample_profile_and_nomination_names_a_function(sample_catalog) -> None:
    functions = set(sample_catalog.config.ids("functions"))
    for record in [*sample_catalog.advocates, *sample_catalog.nominations]:
        assert record.data.get("function") in functions, record.path


def test_a_function_outside_the_vocabulary_is_refused_with_its_line(repo: Path) -> None:
    profile = (ROOT / "advocates" / "ingrid-solberg.yaml").read_text(encoding="utf-8")
    write(repo / "advocates", "ingrid-solberg.yaml", profile.replace("function: finance", "function: legal"))
    result = validate(repo, AS_OF)
    line = profile.splitlines().index("function: finance") + 1
    assert [(i.path, i.line, i.message) for i in result.errors] == [
        ("advocates/ingrid-solberg.yaml", line, "function 'legal' is not allowed")]
    assert "finance" in result.errors[0].hint


def test_the_site_filters_browses_and_shows_function(built_site: Path, sample_catalog) -> None:
    listed = sample_catalog.listed(AS_OF)
    counts = Counter(a.data["function"] for a in listed)
    index = BeautifulSoup((built_site / "index.html").read_text(encoding="utf-8"), "html.parser")
    facet = index.select_one('fieldset[data-facet="function"]')
    assert facet is not None and facet.legend.get_text(strip=True).startswith("Function")
    for function, count in counts.items():
        shown = facet.select_one(f'[data-facet-count="function:{function}"]')
        assert shown is not None and shown.get_text() == str(count), function
    finance = BeautifulSoup((built_site / "browse" / "function" / "finance" / "index.html")
                            .read_text(encoding="utf-8"), "html.parser")
    names = sorted(n.get_text(strip=True) for n in finance.select(".card-name"))
    assert names == sorted(a.name for a in listed if a.data["function"] == "finance")
    assert all("Finance" in card.select_one(".card-tags").get_text() for card in finance.select(".card"))
    profile = BeautifulSoup((built_site / "advocates" / "ingrid-solberg" / "index.html")
                            .read_text(encoding="utf-8"), "html.parser")
    facts = {dt.get_text(strip=True): dt.find_next_sibling("dd") for dt in profile.select("dl.facts dt")}
    assert facts["Function"].get_text(strip=True) == "Finance"
    assert facts["Function"].a["href"] == "../../browse/function/finance/"


def test_exports_carry_function(built_site: Path, sample_catalog) -> None:
    rows = list(csv.DictReader(io.StringIO((built_site / "advocates.csv").read_text(encoding="utf-8-sig"))))
    by_id = {row["id"]: row for row in rows}
    assert by_id["ingrid-solberg"]["function"] == "finance"
    assert list(rows[0])[:7] == ["id", "name", "title", "persona", "persona_label", "function",
                                 "function_label"]


def test_a_coverage_target_can_name_a_function(sample_catalog) -> None:
    report = coverage(sample_catalog.advocates, sample_catalog.targets, AS_OF)
    rows = {row.target.where: row for row in report}
    security, finance = rows[(("function", "security"),)], rows[(("function", "finance"),)]
    assert (security.count, security.gap, security.target.label) == (0, 2, "Security")
    counted = [a for a in sample_catalog.advocates if a.status == "active" and a.willing("yes")
               and a.data["function"] == "finance" and a.consents_to("internal-catalog", AS_OF)]
    assert finance.count == len(counted) > 0


def test_the_nominate_forms_ask_for_a_function_optionally(sample_catalog) -> None:
    form = issueform.form(sample_catalog.config)
    field = next(item for item in form["body"] if item.get("id") == "function")
    assert field["type"] == "dropdown" and field["validations"]["required"] is False
    assert "Finance (finance)" in field["attributes"]["options"]
    question = next(q for q in nominate.QUESTIONS if q.key == "function")
    assert question.vocabulary == "functions" and not question.required
    committed = yaml.safe_load((ROOT / ".github" / "ISSUE_TEMPLATE" / "nominate.yml").read_text())
    assert any(item.get("id") == "function" for item in committed["body"])
