"""Mark as verified from the site: the issue form's answers become a one-line change to
`last_verified` that keeps the file as written, for the owner to review; the links that lead there."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from bs4 import BeautifulSoup
from click.testing import CliRunner

from advocate_catalog.cli import main
from advocate_catalog.freshness import check
from advocate_catalog.issueform import verify_form
from advocate_catalog.load import parse
from advocate_catalog.reporters import freshness_markdown

from conftest import AS_OF, ROOT

TODAY = dt.date.today()


def _event(advocate: str, verified_on: str = "", changes: str = "") -> dict:
    answers = [("Advocate id", advocate), ("Verified on", verified_on or "_No response_"),
               ("Anything that changed?", changes or "_No response_")]
    body = "\n\n".join(f"### {label}\n\n{value}" for label, value in answers)
    return {"action": "opened", "issue": {"number": 31, "body": body, "user": {"login": "grace"},
                                          "created_at": f"{TODAY.isoformat()}T09:12:00Z",
                                          "labels": [{"name": "verification"}]}}


def _verify_from_issue(repo: Path, tmp_path: Path, event: dict, monkeypatch) -> tuple[str, str]:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event), encoding="utf-8")
    output = tmp_path / "github-output"
    output.write_text("")
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    result = CliRunner().invoke(main, ["--root", str(repo), "verify-from-issue", "--event", str(path),
                                       "--comment", str(tmp_path / "comment.md")])
    assert result.exit_code == 0, result.output
    return output.read_text(), (tmp_path / "comment.md").read_text()


def test_the_issue_becomes_a_one_line_change_that_keeps_comments(sample_repo: Path, tmp_path: Path,
                                                                 monkeypatch) -> None:
    profile = sample_repo / "advocates" / "emily-tran.yaml"
    before = profile.read_text().replace("last_verified: 2026-03-18", (
        "# Grace checks after the EHR upgrade\nlast_verified: 2026-03-18  # kickoff"))
    profile.write_text(before)
    day = (TODAY - dt.timedelta(days=2)).isoformat()
    outputs, comment = _verify_from_issue(sample_repo, tmp_path, _event("emily-tran", day), monkeypatch)
    assert outputs == "path=advocates/emily-tran.yaml\nowner=gwhitfield\n"
    assert f"`last_verified: {day}`" in comment and "@gwhitfield" in comment
    after = profile.read_text()
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b]
    assert changed == [("last_verified: 2026-03-18  # kickoff", f"last_verified: {day}  # kickoff")]
    assert "# Grace checks after the EHR upgrade" in after


def test_an_empty_date_means_the_day_the_issue_was_opened(sample_repo: Path, tmp_path: Path,
                                                          monkeypatch) -> None:
    outputs, _ = _verify_from_issue(sample_repo, tmp_path, _event("emily-tran"), monkeypatch)
    assert outputs.startswith("path=advocates/emily-tran.yaml")
    data = parse((sample_repo / "advocates" / "emily-tran.yaml").read_text(), "x").data
    assert data["last_verified"] == TODAY.isoformat()


def test_bad_answers_change_nothing_and_say_why(sample_repo: Path, tmp_path: Path, monkeypatch) -> None:
    before = {p.name: p.read_text() for p in (sample_repo / "advocates").glob("*.yaml")}
    future = (TODAY + dt.timedelta(days=3)).isoformat()
    cases = [(_event("emily-tran", future), "a day still to come"),
             (_event("emily-tran", "20/11/2026"), "must be a date written YYYY-MM-DD"),
             (_event("nobody-here"), "no profile has that advocate id"),
             (_event("../catalog"), "no profile has that advocate id"),
             (_event("emily-tran", "2020-01-01"), "already verified on that day or later")]
    for event, words in cases:
        outputs, comment = _verify_from_issue(sample_repo, tmp_path, event, monkeypatch)
        assert outputs.startswith("path=\n"), words
        assert words in comment
    assert before == {p.name: p.read_text() for p in (sample_repo / "advocates").glob("*.yaml")}


def test_verify_cli(sample_repo: Path) -> None:
    run = CliRunner().invoke(main, ["--root", str(sample_repo), "verify", "emily-tran", "--date",
                                    "2026-11-01"])
    assert run.exit_code == 0 and "last_verified set to 2026-11-01" in run.output
    again = CliRunner().invoke(main, ["--root", str(sample_repo), "verify", "emily-tran", "--date",
                                      "2026-10-01"])
    assert again.exit_code == 0 and "nothing changed" in again.output
    bad = CliRunner().invoke(main, ["--root", str(sample_repo), "verify", "no-one"])
    assert bad.exit_code == 1 and bad.stderr.strip().count("\n") == 0
    assert "advocates/no-one.yaml does not exist" in bad.stderr


def test_the_form_asks_for_the_advocate_and_the_day() -> None:
    from advocate_catalog.validate import load_config

    form = verify_form(load_config(ROOT)[0])
    ids = [field.get("id") for field in form["body"]]
    assert ids == [None, "advocate", "verified_on", "changes"]
    assert form["labels"] == ["verification"]
    committed = (ROOT / ".github" / "ISSUE_TEMPLATE" / "verify.yml").read_text()
    assert "id: verified_on" in committed


def test_profiles_rows_and_the_freshness_issue_link_to_the_form(built_site: Path, sample_catalog) -> None:
    config = sample_catalog.config
    form = f"{config.repository_url}/issues/new?template=verify.yml&advocate="
    profile = BeautifulSoup((built_site / "advocates" / "emily-tran" / "index.html").read_text(),
                            "html.parser")
    verify = [a for a in profile.select(".edit-link a") if a.text == "Mark as verified"]
    assert verify and verify[0]["href"].startswith(form + "emily-tran&title=Verified%3A%20Emily%20Tran")
    page = BeautifulSoup((built_site / "verification" / "index.html").read_text(), "html.parser")
    rows = page.select("tbody tr")
    assert rows
    for row in rows:
        link = [a for a in row.select("a") if a.text == "verified"]
        assert link and link[0]["href"].startswith(form), row
    findings = check(sample_catalog, AS_OF)
    body = freshness_markdown(findings, config, AS_OF)
    stale = [f for f in findings if f.kind in ("stale", "due-soon")]
    assert stale and all(f"({form}{f.advocate_id}&" in body for f in stale)


def test_every_comment_ends_with_the_marker_the_workflow_finds_it_by(sample_repo: Path, tmp_path: Path,
                                                                     monkeypatch) -> None:
    """verify.yml rewrites the bot's comment whose last line is this marker, so an edit of the
    issue changes that one comment instead of mentioning the owner in a new one."""
    day = (TODAY - dt.timedelta(days=1)).isoformat()
    for event in (_event("emily-tran", day), _event("nobody-here"), _event("emily-tran", day)):
        _, comment = _verify_from_issue(sample_repo, tmp_path, event, monkeypatch)
        assert comment.rstrip("\n").splitlines()[-1] == "<!-- verify-result -->"
        assert comment.count("<!--") == 1
