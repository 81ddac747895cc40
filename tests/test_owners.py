"""Owners' pages and `report owner`: what each CSM holds and owes, from the sample data."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from advocate_catalog import owners
from advocate_catalog.cli import main
from advocate_catalog.freshness import verification_state

from conftest import AS_OF, ROOT


def test_each_agenda_lists_what_the_data_says(sample_catalog) -> None:
    config = sample_catalog.config
    listed = sample_catalog.listed(AS_OF)
    for owner_id in config.owners:
        found = owners.agenda(sample_catalog, owner_id, AS_OF)
        held = {a.id for a in listed if a.data["owner"] == owner_id}
        assert {a.id for a, _ in found.advocates} == held
        stale = {a.id for a in listed if a.data["owner"] == owner_id
                 and verification_state(a, AS_OF, config).state in ("stale", "due-soon")}
        assert stale <= {f.advocate_id for f, _, _ in found.attention}
        assert all(verify for f, verify, _ in found.attention if f.kind in ("stale", "due-soon"))
        assert {o.advocate.id for o in found.thanks} <= held
    priya = owners.agenda(sample_catalog, "priya-natarajan", AS_OF)
    assert "meera-krishnan" in {f.advocate_id for f, _, _ in priya.attention}
    amara = owners.agenda(sample_catalog, "amara-okafor", AS_OF)
    assert [(o.advocate.id, o.activity["date"]) for o in amara.thanks] == [("bjorn-haugland", "2026-11-08")]
    assert [n.id for n in amara.nominations] == ["wanjiru-kamau"]


def test_an_owner_page_per_owner_and_an_index(built_site: Path, sample_catalog) -> None:
    for owner in sample_catalog.config.owners.values():
        assert (built_site / "owners" / owner.id / "index.html").is_file()
    index = (built_site / "owners" / "index.html").read_text()
    assert index.count('href="../owners/') == len(sample_catalog.config.owners)
    page = (built_site / "owners" / "amara-okafor" / "index.html").read_text()
    thanks = page.split('id="thanks-h"')[1].split("</section>")[0]
    assert "Bjørn Haugland" in thanks and "1 day overdue" in thanks
    assert "/edit/main/advocates/bjorn-haugland.yaml" in thanks  # log it in GitHub's editor
    assert "Wanjiru" not in page and "1 nomination" not in page  # not even counted
    assert "/tree/main/nominations" in page  # where the owner reviews them
    assert "assignee%3Aamara-okafor" in page
    priya = (built_site / "owners" / "priya-natarajan" / "index.html").read_text()
    attention = priya.split('id="attention-h"')[1].split("</section>")[0]
    assert "Meera Krishnan" in attention and "Mark as verified" in attention
    assert "template=verify.yml" in attention
    profile = (built_site / "advocates" / "meera-krishnan" / "index.html").read_text()
    assert 'href="../../owners/priya-natarajan/"' in profile


def test_report_owner_names_the_nominations_and_refuses_an_unknown_owner() -> None:
    args = ["--root", str(ROOT), "report", "owner", "amara-okafor", "--as-of", AS_OF.isoformat()]
    text = CliRunner().invoke(main, args)
    assert text.exit_code == 0, text.output
    assert text.output.startswith("Amara Okafor (amara-okafor): 0 to check, 1 thank-you owed, "
                                  "1 nomination waiting")
    assert "- Wanjiru Kamau (wanjiru-kamau), nominated 2026-09-08" in text.output
    data = json.loads(CliRunner().invoke(main, [*args, "--format", "json"]).output)
    assert [n["id"] for n in data["nominations"]] == ["wanjiru-kamau"]
    assert data["thanks"][0]["days_overdue"] == 1
    wrong = CliRunner().invoke(main, ["--root", str(ROOT), "report", "owner", "nobody"])
    assert wrong.exit_code == 2 and "'nobody' is not an owner in catalog.yaml" in wrong.output


def test_the_freshness_issue_links_each_owner_to_their_page() -> None:
    result = CliRunner().invoke(main, ["--root", str(ROOT), "freshness", "--format", "markdown",
                                       "--as-of", AS_OF.isoformat()])
    assert "[your page](https://advocates.tessellate.example/owners/priya-natarajan/)" in result.output
