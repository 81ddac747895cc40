"""The weekly digest: its sections and counts against the sample data, its formats, its pages on the
site and in the feed, and that nothing private or unlisted reaches it."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from advocate_catalog import digest, reporters
from advocate_catalog.cli import main
from advocate_catalog.validate import validated_catalog

from conftest import AS_OF, ROOT, write

W47 = digest.parse_week("2026-W47")


@pytest.fixture(scope="module")
def week(sample_catalog) -> dict:
    return digest.digest(sample_catalog, W47)


def _ids(items: list[dict]) -> list[str]:
    return [item["id"] for item in items]


def test_weeks_and_periods() -> None:
    assert (W47.since, W47.until, W47.week) == (dt.date(2026, 11, 16), dt.date(2026, 11, 22), "2026-W47")
    assert W47.title == "Week 47: 16\u201322 November 2026"
    assert digest.period_from(AS_OF, week="last") == W47  # AS_OF is the Monday after
    assert digest.period_from(AS_OF) == W47
    assert digest.parse_week("2027-W01").since == dt.date(2027, 1, 4)
    span = digest.period_from(AS_OF, since=dt.date(2026, 12, 28), until=dt.date(2027, 1, 3))
    assert span.week == "2026-W53" and "28 December 2026" in span.title
    assert digest.period_from(AS_OF, since=dt.date(2026, 11, 1)).until == AS_OF
    for wrong in ({"week": "47"}, {"week": "last", "since": AS_OF}, {"until": AS_OF},
                  {"since": AS_OF, "until": AS_OF - dt.timedelta(days=1)}):
        with pytest.raises(ValueError):
            digest.period_from(AS_OF, **wrong)  # type: ignore[arg-type]


def test_sections_and_counts_match_the_sample_week(week: dict, sample_catalog) -> None:
    listed = sample_catalog.listed(W47.until)
    assert week["listed"] == len(listed)
    assert _ids(week["joined"]) == ["lucas-moreau"]  # consent given 2026-11-18
    acts = week["activities"]
    in_week = [(a.id, e) for a in listed for e in a.data.get("activity", [])
               if W47.since.isoformat() <= e["date"] <= W47.until.isoformat()]
    assert acts["count"] == len(in_week) == 1
    assert acts["by_type"] == [("Reference call", 1)]
    assert acts["by_team"] == [("Enterprise Sales North America", 1)]
    assert [(w["opportunity"], w["amount"], w["advocate"]["id"]) for w in acts["won"]] == [
        ("Initech expansion", 180000, "emily-tran")]
    assert acts["amount_won"] == 180000
    assert [(q["id"], q["text"].split()[:3]) for q in week["quotes"]] == [
        ("arjun-mehta", ["Two", "other", "teams"]), ("lucas-moreau", ["Our", "machines", "always"])]
    assert [(m["id"], m["type"]) for m in week["material"]] == [("rosalie-gagnon", "Case study")]
    assert [(r["id"], r["kind"]) for r in week["recognitions"]] == [("aino-virtanen", "Award")]
    assert [(w["id"], w["since"]) for w in week["available_again"]] == [("rodrigo-pena", "2026-11-18")]
    assert week["gone_stale"] == [{"owner": "Priya Natarajan", "advocates": [
        week["gone_stale"][0]["advocates"][0]]}]
    assert week["gone_stale"][0]["advocates"][0]["id"] == "meera-krishnan"
    assert [m["target"] for m in week["coverage"]["moves"]] == ["EMEA"]
    assert week["thanks_owed"] == 2  # Bjørn's call became overdue on the 22nd; Ingrid's earlier
    assert not digest.is_quiet(week)


def test_a_quiet_week_says_so(sample_catalog) -> None:
    quiet = digest.digest(sample_catalog, digest.parse_week("2021-W10"))
    assert digest.is_quiet(quiet)
    assert "A quiet week" in reporters.digest_markdown(quiet)


def test_markdown_reads_as_the_closing_note_shows(week: dict) -> None:
    text = reporters.digest_markdown(week)
    assert text.startswith("## Customer Advocate Catalog — Week 47: 16\u201322 November 2026\n")
    for heading in ("### New in the catalog (1)", "### Activity: 1 ask, 180,000 USD won",
                    "### New approved quotes (2)", "### Published (1)", "### Thanked (1)",
                    "### Available again (1)", "### Coverage against targets",
                    "### Needs care"):
        assert f"\n{heading}\n" in text, heading
    assert "- Won: Initech expansion (180,000 USD) with [Emily Tran](<https://advocates.tessellate" \
           ".example/advocates/emily-tran/>)" in text
    assert "EMEA: 10 → 11 of 8" in text


def test_every_format_carries_the_same_week(week: dict) -> None:
    assert json.loads(reporters.digest_json(week))["period"]["week"] == "2026-W47"
    slack = json.loads(reporters.digest_slack(week))
    assert slack["blocks"][0]["type"] == "header"
    assert any("<https://advocates.tessellate.example/advocates/lucas-moreau/|Lucas Moreau>"
               in block.get("text", {}).get("text", "") for block in slack["blocks"])
    assert all(len(block["text"]["text"]) <= 3000 for block in slack["blocks"])
    teams = json.loads(reporters.digest_teams(week))
    card = teams["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    texts = [block["text"] for block in card["content"]["body"]]
    assert any("[Lucas Moreau](https://advocates.tessellate.example/advocates/lucas-moreau/)" in t
               for t in texts)
    plain = reporters.digest_text(week)
    assert "Lucas Moreau <https://advocates.tessellate.example/advocates/lucas-moreau/>" in plain


def test_data_cannot_add_markup_mentions_or_links(week: dict) -> None:
    hostile = json.loads(json.dumps(week))
    hostile["joined"][0]["name"] = "<!channel> [x](https://evil.example) *bold* @team"
    hostile["quotes"][0]["text"] = "two\n\n# lines"
    assert "“two # lines”" in reporters.digest_text(hostile)
    slack = reporters.digest_slack(hostile)
    assert "<!channel>" not in slack and "&lt;!channel&gt;" in slack
    markdown = reporters.digest_markdown(hostile)
    assert "[x](https://evil.example)" not in markdown and "@team" not in markdown
    teams = reporters.digest_teams(hostile)
    assert "[x](https://evil.example)" not in teams and "\\\\[x\\\\]" in teams
    # An asset address the schema allows (https, no spaces) cannot close the link it sits in.
    hostile["material"][0]["link"] = "https://x.example/a><!channel>|)![i](https://t.example/p.png)"
    for text in (reporters.digest_slack(hostile), reporters.digest_markdown(hostile),
                 reporters.digest_teams(hostile)):
        assert "<!channel>" not in text and "](https://t.example" not in text
        assert "https://x.example/a%3E%3C%21channel%3E%7C%29" in text or \
            "https://x.example/a%3E%3C!channel%3E%7C%29" in text


def test_cli_formats_and_errors() -> None:
    args = ["--root", str(ROOT), "report", "digest", "--week", "2026-W47", "--as-of", AS_OF.isoformat()]
    for fmt in ("markdown", "html", "text", "json", "slack", "teams"):
        result = CliRunner().invoke(main, [*args, "--format", fmt])
        assert result.exit_code == 0, result.output
        assert "Lucas Moreau" in result.output
    html = CliRunner().invoke(main, [*args, "--format", "html"]).output
    assert html.startswith("<!doctype html>") and '<a href="https://advocates.tessellate.example/' \
        'advocates/lucas-moreau/">Lucas Moreau</a>' in html
    wrong = CliRunner().invoke(main, ["--root", str(ROOT), "report", "digest", "--since", "2026-11-20",
                                      "--until", "2026-11-01"])
    assert wrong.exit_code == 2
    assert "--until 2026-11-01 is before --since 2026-11-20" in wrong.output
    assert "Traceback" not in wrong.output


UNLISTED = """\
id: {id}
name: {name}
title: Head of Data
persona: director
function: data
company: {{name: Canary Corp, industry: retail, size: small, region: emea, country: DK}}
products: [analytics]
story: A story.
willingness: {{reference-call: yes}}
activity:
  - {{date: 2026-11-17, type: reference-call, requested_by: CANARY-TEAM, opportunity: CANARY-DEAL,
     amount: 5, outcome: won}}
recognition:
  - {{date: 2026-11-18, kind: thank-you, by: CANARY-BY, notes: CANARY-RECOGNITION}}
quotes:
  - {{text: CANARY-QUOTE, approved_on: 2026-11-18}}
owner: amara-okafor
status: {status}
consent: {{given_on: 2026-11-17, scope: [{scope}]}}
last_verified: 2026-11-17
private:
  notes: CANARY-PRIVATE
  gift_values:
    - {{date: 2026-11-18, amount: 99, notes: CANARY-GIFT}}
"""


def test_no_unlisted_advocate_or_private_field_reaches_any_digest(sample_repo: Path) -> None:
    folder = sample_repo / "advocates"
    write(folder, "canary-inactive.yaml", UNLISTED.format(id="canary-inactive", name="Canaryinactive",
                                                          status="inactive", scope="internal-catalog"))
    write(folder, "canary-noconsent.yaml", UNLISTED.format(id="canary-noconsent", name="Canarynoconsent",
                                                           status="active", scope="name-and-logo"))
    catalog = validated_catalog(sample_repo, AS_OF)
    found = digest.digest(catalog, W47)
    outputs = [formatter(found) for formatter in reporters.DIGEST_FORMATS.values()]
    for text in outputs:
        assert not re.search(r"canary", text, re.I), text
    assert found["activities"]["count"] == 1  # Emily's call only


def test_the_site_has_a_page_per_finished_week_in_whats_new_and_the_feed(built_site: Path) -> None:
    pages = sorted(p.parent.name for p in (built_site / "digest").glob("*/index.html"))
    assert pages == [f"2026-W{n}" for n in range(44, 48)]
    page = (built_site / "digest" / "2026-W47" / "index.html").read_text()
    assert "<h1>Week 47: 16\u201322 November 2026</h1>" in page
    assert '<a href="../../advocates/lucas-moreau/">Lucas Moreau</a>' in page
    assert "Activity: 1 ask, 180,000 USD won" in page
    news = (built_site / "whats-new" / "index.html").read_text()
    assert 'href="../digest/2026-W47/"' in news and 'href="../digest/"' in news
    index = (built_site / "digest" / "index.html").read_text()
    assert index.index("2026-W47") < index.index("2026-W46")
    feed = (built_site / "feed.xml").read_text()
    assert "<id>https://advocates.tessellate.example/digest/2026-W47/</id>" in feed
    assert "Weekly digest — Week 47" in feed


def test_a_past_week_never_names_someone_the_site_no_longer_shows(sample_repo: Path) -> None:
    """Lucas joined in week 47; if his consent ends before the digest is made, he is gone from
    it, as from the site. Likewise a quote whose approval has expired since."""
    path = sample_repo / "advocates" / "lucas-moreau.yaml"
    path.write_text(path.read_text().replace("  given_on: 2026-11-18\n",
                                             "  given_on: 2026-11-18\n  expires_on: 2026-11-24\n"))
    arjun = sample_repo / "advocates" / "arjun-mehta.yaml"
    arjun.write_text(arjun.read_text().replace("approved_on: 2026-11-19",
                                               "approved_on: 2026-11-19\n    expires_on: 2026-11-24"))
    catalog = validated_catalog(sample_repo, AS_OF)
    then = digest.digest(catalog, W47, as_of=AS_OF)
    assert _ids(then["joined"]) == ["lucas-moreau"] and len(then["quotes"]) == 2
    later = digest.digest(catalog, W47, as_of=dt.date(2026, 11, 25))
    assert later["joined"] == [] and later["quotes"] == []
    assert "Lucas" not in reporters.digest_markdown(later)


def test_period_titles_and_a_start_in_the_future() -> None:
    assert digest.Period(dt.date(2026, 12, 30), dt.date(2026, 12, 30)).title == "30 December 2026"
    assert digest.Period(dt.date(2026, 11, 30), dt.date(2026, 12, 2)).title == \
        "30 November \u2013 2 December 2026"
    with pytest.raises(ValueError, match="after today"):
        digest.period_from(AS_OF, since=AS_OF + dt.timedelta(days=3))
