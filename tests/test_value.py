"""Value figures that add up: what counts as a deal, an opportunity's outcome across several
profiles, the validate warnings, `report value --since/--until`, the page's quarters and
breakdowns, and the activity log as CSV. Exact figures on a small catalog written here."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from advocate_catalog import exports, render, report
from advocate_catalog.cli import main
from advocate_catalog.validate import validate

from conftest import AS_OF, ROOT, write

# (date, type, opportunity, amount, outcome, notes); amount, outcome and notes may be None.
Entry = tuple[str, str, str, int | None, str | None, str | None]

ANA: list[Entry] = [
    ("2025-12-10", "reference-call", "Globex renewal", 100000, "open", None),  # before the year
    ("2026-02-10", "webinar", "Globex renewal", None, None, "NOTE-CANARY-ana"),  # activity, no deal
    ("2026-05-05", "reference-call", "Initech expansion", 200000, "won", None),
    # After the win, no outcome: another activity about a won deal, which stays as it was won.
    ("2026-10-12", "case-study", "initech  Expansion", 999000, None, None),
]
BEN: list[Entry] = [
    ("2026-03-03", "speaker", "Globex renewal", 150000, None, None),  # the latest word on Globex
    ("2026-06-15", "reference-call", "Vantor Steel expansion", 80000, "won", None),
    ("2026-08-20", "beta", "Data Summit", None, None, None),  # an event: no amount, no outcome
]
CLEO: list[Entry] = [  # not in date order in the file: activity[i] is the file's order
    ("2026-06-20", "webinar", "VANTOR STEEL expansion", 80000, "lost", None),  # won, then lost
    ("2026-04-03", "reference-call", "Meridian migration", 120000, "won", None),
    ("2026-10-13", "reference-call", "Meridian migration", 400000, "open", None),  # reopened
    ("2026-07-07", "reference-call", "Hooli pilot", None, "lost", None),
]
DORA: list[Entry] = [  # not listed: counted nowhere, but validate still checks her log
    ("2026-05-01", "reference-call", "Unlisted deal", 5000000, "won", None),
    ("2026-09-01", "reference-call", "Globex renewal", 999, "won", None),
    ("2026-09-02", "reference-call", "Initech expansion", 999, "lost", None),
]


def _advocate(repo: Path, advocate_id: str, name: str, company: str, region: str, country: str,
              industry: str, products: str, entries: list[Entry], status: str = "active") -> None:
    lines = ["activity:"]
    for day, kind, opportunity, amount, outcome, notes in entries:
        lines += [f"  - date: {day}", f"    type: {kind}", "    requested_by: Sales",
                  f"    opportunity: {opportunity}"]
        lines += [f"    amount: {amount}"] if amount is not None else []
        lines += [f"    outcome: {outcome}"] if outcome else []
        lines += [f"    notes: {notes}"] if notes else []
    write(repo / "advocates", f"{advocate_id}.yaml", f"""id: {advocate_id}
name: {name}
title: Head of Data
persona: director
company:
  name: {company}
  industry: {industry}
  size: mid-market
  region: {region}
  country: {country}
products: {products}
story: A story.
willingness:
  reference-call: yes
owner: amara-okafor
status: {status}
consent:
  given_on: 2025-01-10
  scope: [internal-catalog]
last_verified: 2026-10-01
""" + "\n".join(lines) + "\n")


@pytest.fixture
def deals_repo(repo: Path) -> Path:
    _advocate(repo, "ana", "Ana Núñez", "Harbourline Retail", "emea", "ES", "retail",
              "[analytics, ai-assist]", ANA)
    _advocate(repo, "ben", "Ben Okoro", "Granite Peak Software", "north-america", "US", "software",
              "[pipelines]", BEN)
    _advocate(repo, "cleo", "Cleo Brandt", "Vantor Steel", "emea", "DE", "manufacturing",
              "[analytics]", CLEO)
    _advocate(repo, "dora", "Dora Lim", "Hidden Co", "apac", "SG", "energy", "[governance]", DORA,
              status="inactive")
    return repo


def _catalog(repo: Path) -> Any:
    result = validate(repo, AS_OF)
    assert not result.errors, "\n".join(map(str, result.errors))
    return result.catalog


def _money(opportunities: int, influenced: float, won: float, *outcomes: int) -> dict[str, Any]:
    return {"opportunities": opportunities, "influenced": influenced, "won": won,
            "outcomes": dict(zip(("won", "lost", "open"), outcomes, strict=True))}


def test_a_deal_needs_an_amount_or_an_outcome_and_counts_once_with_its_latest_word(
        deals_repo: Path) -> None:
    figures = report.value(_catalog(deals_repo), AS_OF)
    assert (figures["since"], figures["until"]) == ("2026-01-01", "2026-11-23")  # four quarters
    # Globex (open, 150,000: Ben's amount, the latest), Initech (won 200,000; the October entry
    # without an outcome changes nothing), Vantor Steel (lost: Cleo's word, the latest),
    # Meridian (reopened: open, 400,000), Hooli (lost, no amount). Not the webinar, not the
    # beta for an event, nothing of Dora's.
    assert figures["total"] == {"activities": 10, **_money(5, 830000.0, 200000.0, 1, 2, 2)}
    assert (figures["opportunities"], figures["amount_influenced"], figures["amount_won"],
            figures["outcomes"]) == (5, 830000.0, 200000.0, {"won": 1, "lost": 2, "open": 2})
    assert [(q["quarter"], q["whole"], q["activities"], q["opportunities"], q["influenced"],
             q["won"], q["outcomes"]) for q in figures["quarters"]] == [
        ("2026 Q1", True, 2, 1, 150000.0, 0.0, {"won": 0, "lost": 0, "open": 1}),
        ("2026 Q2", True, 4, 2, 280000.0, 200000.0, {"won": 1, "lost": 1, "open": 0}),
        ("2026 Q3", True, 2, 1, 0.0, 0.0, {"won": 0, "lost": 1, "open": 0}),
        ("2026 Q4", False, 2, 1, 400000.0, 0.0, {"won": 0, "lost": 0, "open": 1}),
    ]
    assert figures["per_quarter"] == [("2026 Q1", 2), ("2026 Q2", 4), ("2026 Q3", 2), ("2026 Q4", 2)]

    def rows(key: str) -> list[tuple[str, dict[str, Any]]]:
        return [(r["label"], {k: r[k] for k in ("opportunities", "influenced", "won", "outcomes")})
                for r in figures[key]]

    # A deal belongs to the advocate who logged its latest word: Vantor Steel to Cleo.
    assert rows("by_region") == [("EMEA", _money(4, 680000.0, 200000.0, 1, 2, 1)),
                                 ("North America", _money(1, 150000.0, 0.0, 0, 0, 1))]
    assert rows("by_industry") == [("Manufacturing", _money(3, 480000.0, 0.0, 0, 2, 1)),
                                   ("Retail & Consumer Goods", _money(1, 200000.0, 200000.0, 1, 0, 0)),
                                   ("Software & Internet", _money(1, 150000.0, 0.0, 0, 0, 1))]
    assert rows("by_product") == [("Tessellate Analytics", _money(4, 680000.0, 200000.0, 1, 2, 1)),
                                  ("Tessellate AI Assist", _money(1, 200000.0, 200000.0, 1, 0, 0)),
                                  ("Tessellate Pipelines", _money(1, 150000.0, 0.0, 0, 0, 1))]
    assert figures["most_active"] == [("Cleo Brandt", 4), ("Ana Núñez", 3), ("Ben Okoro", 3)]


def test_opportunity_names_match_whatever_their_case_accents_and_spaces() -> None:
    assert report.opportunity_key("Vantor  steel Expansion ") == report.opportunity_key(
        "VANTOR STEEL expansion") == "vantor steel expansion"
    assert report.opportunity_key("Tromsø Rådhus") == report.opportunity_key("tromso radhus")
    assert report.opportunity_key("Acme-Q1") != report.opportunity_key("Acme Q1")  # words count
    assert not report.is_deal({"opportunity": "Globex", "type": "webinar"})
    assert report.is_deal({"opportunity": "Globex", "amount": 0})
    assert report.is_deal({"opportunity": "Globex", "outcome": "open"})


def _entry_line(repo: Path, advocate_id: str, day: str) -> int:
    lines = (repo / "advocates" / f"{advocate_id}.yaml").read_text().splitlines()
    return lines.index(f"  - date: {day}") + 1


def test_validate_warns_where_an_opportunity_is_won_and_lost_or_reopened(deals_repo: Path) -> None:
    result = validate(deals_repo, AS_OF)
    found = [str(i) for i in result.issues if "reopens" in i.message or "was won" in i.message
             or "was lost" in i.message]
    line = _entry_line
    assert found == [
        f"advocates/cleo.yaml:{line(deals_repo, 'cleo', '2026-06-20')}:5: warning: activity[0] says "
        f"'VANTOR STEEL expansion' was lost, but it was won on 2026-06-15 "
        f"(advocates/ben.yaml:{line(deals_repo, 'ben', '2026-06-15')}) — one opportunity is either "
        "won or lost: correct the wrong outcome, or give the other deal an opportunity name of its own",
        f"advocates/cleo.yaml:{line(deals_repo, 'cleo', '2026-10-13')}:5: warning: activity[2] reopens "
        f"'Meridian migration': it was won on 2026-04-03 "
        f"(advocates/cleo.yaml:{line(deals_repo, 'cleo', '2026-04-03')}) — a won or lost deal stays "
        "closed: log new business under an opportunity name of its own, or drop `outcome: open`",
        # Dora is not listed, so her word changes no figure, but her file is wrong all the same.
        f"advocates/dora.yaml:{line(deals_repo, 'dora', '2026-09-02')}:5: warning: activity[2] says "
        f"'Initech expansion' was lost, but it was won on 2026-05-05 "
        f"(advocates/ana.yaml:{line(deals_repo, 'ana', '2026-05-05')}) — one opportunity is either "
        "won or lost: correct the wrong outcome, or give the other deal an opportunity name of its own",
    ]
    strict = CliRunner().invoke(main, ["--root", str(deals_repo), "validate", "--strict",
                                       "--as-of", AS_OF.isoformat()])
    assert strict.exit_code == 1 and "reopens 'Meridian migration'" in strict.output


def test_agreeing_outcomes_and_open_before_a_result_are_not_warned(repo: Path) -> None:
    _advocate(repo, "ana", "Ana Núñez", "Harbourline Retail", "emea", "ES", "retail", "[analytics]",
              [("2026-02-01", "reference-call", "Globex renewal", 50000, "open", None),
               ("2026-03-01", "case-study", "Globex renewal", 60000, "won", None)])
    _advocate(repo, "ben", "Ben Okoro", "Granite Peak Software", "north-america", "US", "software",
              "[pipelines]", [("2026-03-02", "speaker", "globex renewal", None, "won", None)])
    assert [i for i in validate(repo, AS_OF).issues if "Globex" in i.message] == []
    figures = report.value(_catalog(repo), AS_OF)
    assert figures["total"] == {"activities": 3, **_money(1, 60000.0, 60000.0, 1, 0, 0)}


def test_since_and_until_count_a_period_with_outcomes_as_of_its_last_day(deals_repo: Path) -> None:
    def run(*args: str) -> Any:
        return CliRunner().invoke(main, ["--root", str(deals_repo), "report", "value", "--as-of",
                                         AS_OF.isoformat(), *args])

    half = json.loads(run("--since", "2025-10-01", "--until", "2026-06-30", "--format", "json").stdout)
    # Meridian is reopened only in October: on 30 June it is won (120,000). Hooli is after.
    assert (half["since"], half["until"], half["activities"]) == ("2025-10-01", "2026-06-30", 7)
    assert half["total"] == {"activities": 7, **_money(4, 550000.0, 320000.0, 2, 1, 1)}
    assert [(q["quarter"], q["activities"], q["opportunities"], q["influenced"], q["won"])
            for q in half["quarters"]] == [("2025 Q4", 1, 0, 0, 0), ("2026 Q1", 2, 1, 150000, 0),
                                          ("2026 Q2", 4, 3, 400000, 320000)]
    third = json.loads(run("--since", "2026-07-01", "--until", "2026-09-30", "--format", "json").stdout)
    assert third["total"] == {"activities": 2, **_money(1, 0.0, 0.0, 0, 1, 0)}
    text = run("--since", "2026-07-01", "--until", "2026-09-30").stdout
    assert text.startswith("Program value from 2026-07-01 to 2026-09-30\n- 2 activities logged\n"
                           "- 1 opportunities influenced, 0 USD; won 0 USD (0 won, 1 lost, 0 open)")
    assert "- 2026 Q3: 2 activities; 1 opportunities influenced" in text
    default = json.loads(run("--format", "json").stdout)
    assert default["total"] == report.value(_catalog(deals_repo), AS_OF)["total"]
    for args, message in ((("--since", "2026-06-30", "--until", "2026-01-01"), "is before --since"),
                          (("--until", "2026-12-31"), "is after the report day 2026-11-23"),
                          (("--since", "2026-12-01"), "is after the report day 2026-11-23"),
                          (("--since", "2026-02-30"), "is not a date")):
        out = run(*args)
        assert out.exit_code == 2 and message in out.output, out.output


def test_the_page_shows_four_quarters_the_year_and_breakdowns_as_the_charts_do(
        deals_repo: Path) -> None:
    pages = render.render_site(_catalog(deals_repo), deals_repo / "templates", AS_OF, deals_repo)
    page = BeautifulSoup(pages["value/index.html"], "html.parser")
    heads = [th.get_text(" ", strip=True) for th in page.select("table.quarters thead th")[1:]]
    assert heads == ["2026 Q1", "2026 Q2", "2026 Q3", "2026 Q4 (to date)", "Year"]

    def row(key: str) -> list[str]:
        return [td.get_text() for td in page.select(f'table.quarters tr[data-row="{key}"] td')]

    assert row("activities") == ["2", "4", "2", "2", "10"]
    assert row("opportunities") == ["1", "2", "1", "1", "5"]
    assert row("influenced") == ["150,000", "280,000", "0", "400,000", "830,000"]
    assert row("won") == ["0", "200,000", "0", "0", "200,000"]
    assert (row("won_count"), row("lost"), row("open")) == (["0", "1", "0", "0", "1"],
                                                            ["0", "1", "1", "0", "2"],
                                                            ["1", "0", "0", "1", "2"])
    stats = " ".join(page.select_one(".stats").get_text(" ").split())
    assert "5 opportunities influenced" in stats and "200,000 USD won (1 won, 2 lost, 2 open)" in stats
    region = page.select('[data-breakdown="by_region"] tbody tr')
    assert [(r.th.get_text(), [td.get_text() for td in r.select("td")]) for r in region] == [
        ("EMEA", ["4", "680,000", "200,000", "1, 2, 1"]),
        ("North America", ["1", "150,000", "0", "0, 0, 1"])]
    products = page.select('[data-breakdown="by_product"] tbody th')
    assert [p.get_text() for p in products] == ["Tessellate Analytics", "Tessellate AI Assist",
                                                 "Tessellate Pipelines"]
    assert "governance" not in pages["value/index.html"].lower()  # Dora's product, unlisted
    # Each chart draws its table's numbers (amounts in thousands), in the table's order.
    for key in ("by_region", "by_industry", "by_product"):
        section = page.select_one(f'[data-breakdown="{key}"]')
        drawn = [t.get_text() for t in section.select("svg.chart-wide text.chart-value")]
        table = [r.select("td")[1].get_text() for r in section.select("tbody tr")]
        assert drawn == [f"{int(v.replace(',', '')) / 1000:g}" for v in table]
    revenue = [t.get_text() for t in page.select("#revenue-chart text.chart-value")]
    assert revenue == ["150", "0", "280", "200", "0", "0", "400", "0"]
    link = page.select_one("a.download")
    assert link["href"] == "../value/activities.csv" and "value/activities.csv" in pages


def test_the_activity_log_csv_is_for_excel_and_holds_listed_advocates_public_fields(
        deals_repo: Path) -> None:
    pages = render.render_site(_catalog(deals_repo), deals_repo / "templates", AS_OF, deals_repo)
    text = pages["value/activities.csv"]
    assert text.startswith("\ufeff")  # Excel reads it as UTF-8 only with the mark
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert tuple(rows[0]) == exports.ACTIVITY_COLUMNS == (
        "advocate_id", "advocate", "company", "industry", "industry_label", "region", "region_label",
        "date", "type", "type_label", "requested_by", "opportunity", "amount", "currency", "outcome")
    assert [r["advocate_id"] for r in rows] == ["ana", "ana", "ben", "cleo", "ana", "ben", "cleo",
                                                "cleo", "ben", "ana", "cleo"]  # by date
    assert rows[0] == {"advocate_id": "ana", "advocate": "Ana Núñez", "company": "Harbourline Retail",
                       "industry": "retail", "industry_label": "Retail & Consumer Goods",
                       "region": "emea", "region_label": "EMEA", "date": "2025-12-10",
                       "type": "reference-call", "type_label": "Reference call",
                       "requested_by": "Sales", "opportunity": "Globex renewal", "amount": "100000",
                       "currency": "USD", "outcome": "open"}
    assert (rows[1]["amount"], rows[1]["currency"], rows[1]["outcome"]) == ("", "", "")
    # Notes are not on any page, so not here; an unlisted advocate is nowhere.
    assert "NOTE-CANARY" not in text and "Dora" not in text and "Unlisted deal" not in text
    out = CliRunner().invoke(main, ["--root", str(deals_repo), "report", "activities", "--as-of",
                                    AS_OF.isoformat(), "--since", "2026-07-01", "--until",
                                    "2026-09-30"])
    assert out.exit_code == 0 and out.stdout.startswith("\ufeffadvocate_id,advocate,")
    assert [r["date"] for r in csv.DictReader(io.StringIO(out.stdout.removeprefix("\ufeff")))] == [
        "2026-07-07", "2026-08-20"]
    as_json = json.loads(CliRunner().invoke(main, ["--root", str(deals_repo), "report", "activities",
                                                   "--as-of", AS_OF.isoformat(), "--format",
                                                   "json"]).stdout)
    assert len(as_json) == 11 and as_json[0]["amount"] == 100000 and "notes" not in as_json[1]


def test_the_sample_figures_add_up(sample_catalog) -> None:
    figures = report.value(sample_catalog, AS_OF)
    total = figures["total"]
    for key in ("activities", "opportunities", "influenced", "won"):
        assert sum(q[key] for q in figures["quarters"]) == total[key]
    for key in ("opportunities", "influenced", "won"):
        for breakdown in ("by_region", "by_industry"):
            assert sum(row[key] for row in figures[breakdown]) == total[key]
    assert sum(total["outcomes"].values()) == total["opportunities"]
    assert figures["activities"] == sum(n for _, n in figures["by_type"])


def test_the_sample_site_links_its_activity_log(built_site: Path) -> None:
    page = BeautifulSoup((built_site / "value" / "index.html").read_text(), "html.parser")
    target = (built_site / "value" / page.select_one("a.download")["href"]).resolve()
    assert target == (built_site / "value" / "activities.csv").resolve()
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfadvocate_id,")
    cli = CliRunner().invoke(main, ["--root", str(ROOT), "report", "activities", "--as-of",
                                    AS_OF.isoformat()]).stdout
    assert cli.encode("utf-8") == data
