"""Coverage, value, charts, feed and exports: numbers on a small fixture, formats that parse,
and the same figures on the pages as in the CLI reports."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

from bs4 import BeautifulSoup
from click.testing import CliRunner

from advocate_catalog import exports, report
from advocate_catalog.activity import availability
from advocate_catalog.charts import Bar, bar_chart
from advocate_catalog.cli import main
from advocate_catalog.coverage import coverage
from advocate_catalog.exports import _cell
from advocate_catalog.model import Advocate
from advocate_catalog.text import FORBIDDEN
from advocate_catalog.validate import validate

from conftest import AS_OF, ROOT, write

PROFILE = (Path(__file__).parent / "cases" / "valid" / "full-profile.yaml").read_text()
ATOM = "{http://www.w3.org/2005/Atom}"


def _profile(repo: Path, advocate_id: str, **replace: str) -> None:
    text = PROFILE.replace("id: full-profile", f"id: {advocate_id}").replace(
        "Zoë Ankerson", advocate_id.replace("-", " ").title())
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    write(repo / "advocates", f"{advocate_id}.yaml", text)


def test_coverage_counts_active_willing_advocates_on_a_small_fixture(repo: Path) -> None:
    # full-profile: retail, anz, analytics + ai-assist, vp, active, willing.
    _profile(repo, "counted-one")
    _profile(repo, "counted-two", **{"region: anz": "region: emea", "country: AU": "country: DE"})
    _profile(repo, "resting-one", **{"status: active": "status: resting"})
    _profile(repo, "unwilling-one", **{"reference-call: yes, case-study: yes, press: no":
                                       "reference-call: maybe, press: no"})
    # Active and willing, but not (or no longer) consenting to the internal catalog: not counted.
    _profile(repo, "no-consent-one", **{"scope: [internal-catalog, name-and-logo]":
                                        "scope: [name-and-logo]"})
    _profile(repo, "expired-one", **{"expires_on: 2028-01-10": "expires_on: 2026-11-01"})
    (repo / "targets.yaml").write_text(
        "targets:\n  - {industry: retail, min: 3}\n  - {industry: retail, region: emea, min: 1}\n"
        "  - {product: ai-assist, persona: vp, min: 2}\n")
    result = validate(repo, AS_OF)
    assert not result.errors
    rows = [(r.target.label, r.count, r.gap) for r in coverage(result.catalog.advocates,
                                                                result.catalog.targets, AS_OF)]
    assert rows == [("Retail & Consumer Goods", 2, 1),
                    ("Retail & Consumer Goods \u00d7 EMEA", 1, 0),
                    ("Tessellate AI Assist \u00d7 Vice president", 2, 0)]
    out = CliRunner().invoke(main, ["--root", str(repo), "report", "coverage", "--fail-on-gap",
                                    "--as-of", AS_OF.isoformat()])
    assert out.exit_code == 1 and "1 of 3 targets have a gap" in out.stdout


def _activity(team: str, opportunity: str, amount: int) -> dict[str, str]:
    """A replacement that logs one won reference call before the private block."""
    return {"private:\n": f"activity:\n  - date: 2026-09-14\n    type: reference-call\n"
                          f"    requested_by: {team}\n    opportunity: {opportunity}\n"
                          f"    amount: {amount}\n    outcome: won\nprivate:\n"}


def test_value_counts_only_the_advocates_the_site_lists(repo: Path) -> None:
    _profile(repo, "listed-one", **_activity("Sales EMEA", "Globex renewal", 100))
    _profile(repo, "listed-two", **{"last_verified: 2026-11-01": "last_verified: 2026-01-01"})
    unlisted = {"inactive-one": {"status: active": "status: inactive"},
                "nominated-one": {"status: active": "status: nominated"},
                "no-consent-one": {"scope: [internal-catalog, name-and-logo]":
                                   "scope: [name-and-logo]"},
                "expired-one": {"expires_on: 2028-01-10": "expires_on: 2026-11-01"}}
    for advocate_id, replace in unlisted.items():
        _profile(repo, advocate_id, **replace, **_activity(f"Team {advocate_id}",
                                                           f"Deal {advocate_id}", 1000))
    result = validate(repo, AS_OF)
    assert not result.errors
    figures = report.value(result.catalog, AS_OF)
    assert figures["activities"] == 1 and figures["per_quarter"][-2:] == [("2026 Q3", 1),
                                                                         ("2026 Q4", 0)]
    assert figures["by_team"] == [("Sales EMEA", 1)]
    assert figures["by_type"] == [("Reference call", 1)]
    assert figures["opportunities"] == 1 and figures["outcomes"] == {"won": 1, "lost": 0, "open": 0}
    assert figures["amount_influenced"] == 100 and figures["amount_won"] == 100
    assert figures["most_active"] == [("Listed One", 1)]
    assert figures["verified_90"] == 50.0  # listed-two is old; the unlisted are not asked about
    cli = json.loads(CliRunner().invoke(main, ["--root", str(repo), "report", "value", "--as-of",
                                               AS_OF.isoformat(), "--format", "json"]).stdout)
    assert cli["by_team"] == [["Sales EMEA", 1]] and cli["activities"] == 1


def test_targets_outside_the_taxonomy_are_errors_with_a_line(repo: Path) -> None:
    (repo / "targets.yaml").write_text("targets:\n  - {region: mars, min: 2}\n")
    (message,) = [str(i) for i in validate(repo, AS_OF).issues]
    assert message.startswith("targets.yaml:2:14: error: targets[0].region 'mars' is not in "
                              "taxonomy.regions — use one of: north-america,")


def test_chart_is_well_formed_svg_with_text_alternatives() -> None:
    svg = bar_chart("c1", "Coverage <&>", "Bars & lines", [Bar("A <b>", 2, 3), Bar("B", 5, 3)])
    ns = "{http://www.w3.org/2000/svg}"
    drawings = list(ET.fromstring(f"<charts>{svg}</charts>"))  # wide, then narrow (CSS shows one)
    assert [d.get("class") for d in drawings] == ["chart chart-wide", "chart chart-narrow"]
    assert len({d.get("id") for d in drawings}) == 2
    for root in drawings:
        assert root.tag == f"{ns}svg" and root.get("role") == "img"
        assert root.find(f"{ns}title").text == "Coverage <&>"
        assert root.find(f"{ns}desc").text == "Bars & lines"
        bars = root.findall(f"{ns}rect")
        assert [b.get("class") for b in bars] == ["chart-bar chart-gap", "chart-bar"]
        assert len(root.findall(f"{ns}line")) == 2
        assert [t.text for t in root.findall(f"{ns}text")][::2] == ["A <b>", "B"]
    assert "style=" not in str(svg)  # the CSP allows no inline styles


def test_pages_and_cli_reports_show_the_same_numbers(built_site: Path) -> None:
    rows = BeautifulSoup((built_site / "coverage" / "index.html").read_text(), "html.parser")
    page = [(r.th.get_text(), int(r.select("td")[0].get_text())) for r in rows.select("tbody tr")]
    cli = json.loads(CliRunner().invoke(main, ["--root", str(ROOT), "report", "coverage",
                                               "--as-of", AS_OF.isoformat(),
                                               "--format", "json"]).stdout)
    assert page == [(r["target"], r["count"]) for r in cli]
    value = BeautifulSoup((built_site / "value" / "index.html").read_text(), "html.parser")
    figures = json.loads(CliRunner().invoke(main, ["--root", str(ROOT), "report", "value",
                                                   "--as-of", AS_OF.isoformat(),
                                                   "--format", "json"]).stdout)
    stats = " ".join(value.select_one(".stats").get_text(" ").split())
    assert f"{figures['activities']} activities logged" in stats
    assert f"{figures['amount_won']:,.0f} USD won" in stats
    assert value.select("svg.chart title")


def test_feed_is_valid_atom(built_site: Path, sample_catalog) -> None:
    feed = ET.parse(built_site / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    for tag in ("title", "id", "updated", "author"):
        assert feed.find(f"{ATOM}{tag}") is not None
    entries = feed.findall(f"{ATOM}entry")
    ids = [entry.find(f"{ATOM}id").text for entry in entries]
    profiles = [i for i in ids if "/advocates/" in i]
    assert 0 < len(profiles) <= 50 and len(profiles) == min(50, len(sample_catalog.listed(AS_OF)))
    assert len([i for i in ids if "/digest/" in i]) == 4  # the last four finished weeks
    for entry in entries:
        assert entry.find(f"{ATOM}id").text.startswith("https://")
        assert entry.find(f"{ATOM}updated").text.endswith("T00:00:00Z")
    dates = [e.find(f"{ATOM}updated").text for e in entries]
    assert dates == sorted(dates, reverse=True)


def test_exports_are_complete_and_carry_no_private_fields(built_site: Path, sample_catalog) -> None:
    listed = {a.id for a in sample_catalog.listed(AS_OF)}
    data = json.loads((built_site / "advocates.json").read_text())
    assert data["format"] == "advocate-catalog/1"
    assert {r["id"] for r in data["advocates"]} == listed
    forbidden = {"private", "activity", "nomination", "consent"}
    assert all(not forbidden & set(r) for r in data["advocates"])
    rows = list(csv.DictReader(io.StringIO((built_site / "advocates.csv").read_text("utf-8-sig"))))
    assert {r["id"] for r in rows} == listed
    assert all(r["owner_email"].endswith("@tessellate.example") for r in rows)


def test_csv_cells_never_become_formulas() -> None:
    assert _cell("=HYPERLINK(\"https://evil.example\")").startswith("'=")
    assert _cell("+1 555") == "'+1 555" and _cell("@SUM(A1)") == "'@SUM(A1)"
    assert _cell(["a", "b"]) == "a; b" and _cell(None) == ""


def test_text_outputs_strip_forbidden_characters(sample_catalog) -> None:
    """Data the loader would refuse, built directly: the feed still parses as XML and no
    forbidden character reaches the feed, the CSV or the JSON (not even JSON-escaped)."""
    config = sample_catalog.config
    original = sample_catalog.listed(AS_OF)[0]
    data = {**original.data, "name": "Zo\x01\u00eb\x1b[2J", "title": "\x7fHead\x85 of\ufffe BI",
            "summary": "Cut\x00 costs\U0010ffff.", "company": {**original.data["company"],
                                                            "name": "\x01=HYPERLINK(1)"},
            "products": ["analytics\x0b"], "use_cases": ["fore\ufdd0casting"]}
    advocate = Advocate(id=original.id, path=original.path, data=data)
    records = [exports.record(config, advocate, availability(advocate, AS_OF, config.limits), AS_OF)]
    feed = exports.atom(config, [(AS_OF, advocate)], AS_OF)
    json_text, csv_text = exports.to_json(records, AS_OF), exports.to_csv(records)
    csv_lines = csv_text.replace("\r\n", "\n")  # CSV ends its rows with CRLF; no cell holds one
    for text in (feed, json_text, csv_lines, json.dumps(json.loads(json_text), ensure_ascii=False)):
        assert not FORBIDDEN.search(text), FORBIDDEN.search(text)
    entry = ET.fromstring(feed.encode()).find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text.startswith("Zo\u00eb[2J, Head of BI at =HYPERLINK(1)")
    assert json.loads(json_text)["advocates"][0]["name"] == "Zo\u00eb[2J"
    row = next(csv.DictReader(io.StringIO(csv_text.removeprefix(exports.BOM))))
    assert row["company"] == "'=HYPERLINK(1)"  # stripping must not uncover a formula
    assert "\\u0001" not in json_text
