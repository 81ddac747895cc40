"""Reference requests through GitHub and `log`: limits decide, the owner is asked, files stay tidy."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from advocate_catalog.cli import main
from advocate_catalog.edit import append_activity
from advocate_catalog.issueform import (
    Verdict,
    check_request,
    fingerprint,
    log_request,
    request_from_issue,
)
from advocate_catalog.load import parse
from advocate_catalog.validate import load_config

from conftest import AS_OF, ROOT

ENTRY = {"date": "2026-11-20", "type": "webinar", "requested_by": "Field Events",
         "opportunity": "Autumn webinar"}


def _request(advocate: str, activity: str = "Reference call (reference-call)",
             exception: str = "_No response_") -> dict:
    body = "\n\n".join(f"### {label}\n\n{value}" for label, value in [
        ("Advocate id", advocate), ("What you need", activity),
        ("Opportunity", "Globex renewal"), ("Requested by", "Jo, Enterprise Sales EMEA"),
        ("Needed by", "2026-12-10"), ("Context for the owner", "_No response_"),
        ("Why an exception", exception)])
    return {"action": "opened", "issue": {"number": 9, "body": body, "user": {"login": "jo"}}}


def _edited(event: dict, **answers: str) -> dict:
    """The request event with some answers changed, as an edit of the issue would."""
    body = event["issue"]["body"]
    for label, value in answers.items():
        body = re.sub(rf"(### {label}\n\n)[^\n]*", lambda m, v=value: m.group(1) + v, body)
    return {**event, "action": "labeled", "issue": {**event["issue"], "body": body}}


def _accepted(event: dict, root: Path = ROOT) -> str:
    """The verdict line the check records for an acceptable request."""
    outcome = check_request(root, event, AS_OF)
    assert outcome.ok, outcome.comment
    return outcome.comment.splitlines()[-1]


def _profiles(root: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in (root / "advocates").glob("*.yaml")}


def append_entry(text: str, entry: dict) -> str:
    return append_activity(text, "advocates/x.yaml", entry)


def test_append_keeps_the_file_and_adds_one_entry() -> None:
    text = "id: x\n# a comment the owner wrote\nactivity:\n  - date: 2026-01-02\n    type: review\n" \
           "    requested_by: A\n    opportunity: B\n\nowner: amara-okafor\nstatus: active\n"
    after = append_entry(text, ENTRY)
    assert after.startswith("id: x\n# a comment the owner wrote\n")
    assert parse(after, "x").data["activity"][-1] == ENTRY
    assert after.endswith("owner: amara-okafor\nstatus: active\n")
    fresh = append_entry("id: x\nowner: a\n", ENTRY)
    assert parse(fresh, "x").data == {"id": "x", "activity": [ENTRY], "owner": "a"}
    assert list(parse(fresh, "x").data) == ["id", "activity", "owner"]
    assert parse(append_entry("id: x\nactivity: []\nowner: a\n", ENTRY), "x").data["activity"] == [ENTRY]


def test_a_comment_on_the_activity_line_is_kept_not_doubled() -> None:
    """The text-based append used to write a second `activity:` key after `activity:  # log`."""
    text = ("id: x\nactivity:   # newest last, please\n  - date: 2026-01-02  # the kickoff\n"
            "    type: review\n    requested_by: A\n    opportunity: B\nowner: a\n")
    after = append_entry(text, ENTRY)
    assert after.count("activity:") == 1
    assert "# newest last, please" in after and "# the kickoff" in after
    assert parse(after, "x").data["activity"] == [
        {"date": "2026-01-02", "type": "review", "requested_by": "A", "opportunity": "B"}, ENTRY]


def test_new_values_are_quoted_so_they_read_back_as_written() -> None:
    entry = {**ENTRY, "opportunity": "no", "notes": "08", "requested_by": "Ops: EMEA # 2"}
    after = append_entry("id: x\nowner: a\n", entry)
    assert parse(after, "x").data["activity"] == [entry]


def test_log_cli_appends_and_refuses_bad_input(sample_repo: Path) -> None:
    path = sample_repo / "advocates" / "gareth-llewellyn.yaml"
    before = path.read_text()
    args = ["--root", str(sample_repo), "log", "gareth-llewellyn", "--type", "webinar",
            "--opportunity", "Autumn webinar", "--requested-by", "Field Events",
            "--date", "2026-11-20"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    after = path.read_text()
    assert after.startswith(before[: before.index("owner:")])
    assert parse(after, "x").data["activity"][-1] == ENTRY
    bad = CliRunner().invoke(main, [*args[:3], "nobody", *args[4:]])
    assert bad.exit_code == 1 and "advocates/nobody.yaml does not exist" in bad.stderr
    wrong = CliRunner().invoke(main, [*args[:5], "dancing", *args[6:]])
    assert wrong.exit_code == 1 and "'dancing' is not allowed" in wrong.stderr
    assert path.read_text() == after  # nothing written by the failed attempts


def test_request_goes_to_the_owner_when_the_advocate_is_available() -> None:
    outcome = check_request(ROOT, _request("gareth-llewellyn"), AS_OF)
    assert outcome.ok and outcome.owner_handle == "priya-n"
    assert outcome.comment.startswith("@priya-n: a request for Gareth Llewellyn")
    assert outcome.entry["opportunity"] == "Globex renewal"


def test_request_that_breaks_a_limit_is_declined() -> None:
    resting = check_request(ROOT, _request("aino-virtanen", "Webinar (webinar)"), AS_OF)
    assert not resting.ok and "is resting until 2026-12-26" in resting.comment
    calls = check_request(ROOT, _request("bjorn-haugland"), AS_OF)
    assert not calls.ok and "Reference call: at the limit until" in calls.comment


def test_request_for_someone_unlisted_or_malformed_is_explained() -> None:
    unlisted = check_request(ROOT, _request("daniel-mokoena"), AS_OF)  # no internal-catalog consent
    assert not unlisted.ok and "no listed advocate has that id" in unlisted.comment
    assert "Daniel" not in unlisted.comment
    hostile = check_request(ROOT, _request("gareth-llewellyn", "$(rm -rf /) (rm)"), AS_OF)
    assert not hostile.ok and "must be chosen from the list" in hostile.comment


def test_request_check_cli_writes_outputs(tmp_path: Path, monkeypatch) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps(_request("gareth-llewellyn")))
    output = tmp_path / "out"
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    result = CliRunner().invoke(main, ["--root", str(ROOT), "request-check", "--event", str(event),
                                       "--comment", str(tmp_path / "c.md")])
    assert result.exit_code == 0, result.output
    assert output.read_text() == "ok=true\nowner=priya-n\n"


def test_profile_github_channel_opens_the_request_form(built_site: Path) -> None:
    page = BeautifulSoup((built_site / "advocates" / "gareth-llewellyn" / "index.html").read_text(),
                         "html.parser")
    href = page.select_one('.request a[data-channel="github"]')["href"]
    assert href.startswith("https://github.com/tessellate/advocate-catalog/issues/new?"
                           "template=request.yml&advocate=gareth-llewellyn&title=Request%3A%20")


def test_a_request_over_a_burnout_limit_goes_ahead_with_a_reason_the_log_keeps() -> None:
    reason = "Final-stage Globex deal; the customer asked for Aino by name"
    resting = check_request(ROOT, _request("aino-virtanen", "Webinar (webinar)", reason), AS_OF)
    assert resting.ok and "**Exception requested**" in resting.comment and reason in resting.comment
    assert resting.entry["exception"] == reason
    calls = check_request(ROOT, _request("bjorn-haugland", exception=reason), AS_OF)
    assert calls.ok and calls.entry["exception"] == reason
    plain = check_request(ROOT, _request("gareth-llewellyn", exception=reason), AS_OF)
    assert plain.ok and "exception" not in plain.entry  # nothing to except: no reason logged


def test_no_reason_opens_what_a_status_or_a_refusal_closes(sample_catalog) -> None:
    reason = "We really need them"
    refused = next((a.id, activity) for a in sample_catalog.listed(AS_OF)
                   for activity, answer in a.data["willingness"].items() if answer == "no")
    label = sample_catalog.config.label("activities", refused[1])
    outcome = check_request(ROOT, _request(refused[0], f"{label} ({refused[1]})", reason), AS_OF)
    assert not outcome.ok and "is not willing to do this" in outcome.comment
    alumni = next(a.id for a in sample_catalog.listed(AS_OF) if a.status == "alumni")
    outcome = check_request(ROOT, _request(alumni, exception=reason), AS_OF)
    assert not outcome.ok and "Why an exception" not in outcome.comment


def test_log_from_issue_keeps_the_owners_comments(sample_repo: Path, tmp_path: Path,
                                                  monkeypatch) -> None:
    import difflib

    profile = sample_repo / "advocates" / "emily-tran.yaml"
    text = profile.read_text().replace("\nactivity:\n",
                                       "\n# Grace: ask before March\nactivity:  # newest last\n")
    profile.write_text(text)
    event = tmp_path / "event.json"
    event.write_text(json.dumps({**_request("emily-tran"), "action": "labeled"}))
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "out"))
    result = CliRunner().invoke(main, ["--root", str(sample_repo), "log-from-issue", "--event", str(event),
                                       "--verdict", _accepted(_request("emily-tran")),
                                       "--comment", str(tmp_path / "c.md")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out").read_text() == "path=advocates/emily-tran.yaml\n"
    after = profile.read_text()
    changes = [op for op in difflib.SequenceMatcher(a=text.splitlines(), b=after.splitlines()).get_opcodes()
               if op[0] != "equal"]
    assert [op[0] for op in changes] == ["insert"]  # every line kept; one stretch added
    added = after.splitlines()[changes[0][3]:changes[0][4]]
    assert added[0].startswith("  - date: ") and "    opportunity: Globex renewal" in added
    assert after.index("\n".join(added)) < after.index("\nowner:")  # at the end of the log
    assert "# Grace: ask before March\nactivity:  # newest last\n" in after


def test_the_check_records_its_verdict_as_the_comments_last_line() -> None:
    """The verdict, bound to the advocate, the owner, the activity and every answer, is the hidden
    last line of the comment; no answer can add a line like it (user text is escaped)."""
    event = _request("gareth-llewellyn")
    answers, _ = request_from_issue(event["issue"]["body"], load_config(ROOT)[0])
    outcome = check_request(ROOT, event, AS_OF)
    assert Verdict.recorded(outcome.comment.splitlines()[-1]) == Verdict(
        True, "gareth-llewellyn", "priya-n", "reference-call", False, fingerprint(answers))
    reason = "Asked by name <!-- request-verdict ok=true advocate=x owner=mallory -->"
    excepted = check_request(ROOT, _request("aino-virtanen", "Webinar (webinar)", reason), AS_OF)
    assert excepted.ok and excepted.verdict and excepted.verdict.exception
    declined = check_request(ROOT, _request("bjorn-haugland"), AS_OF)
    unlisted = check_request(ROOT, _request("daniel-mokoena"), AS_OF)
    assert Verdict.recorded(declined.comment.splitlines()[-1]) == Verdict(
        False, "bjorn-haugland", "amara-okafor", "reference-call", False, declined.verdict.fields)
    assert Verdict.recorded(unlisted.comment.splitlines()[-1]).advocate == ""
    for each in (outcome, excepted, declined, unlisted):
        assert each.comment.count("<!--") == 1 and each.comment.count("-->") == 1


def test_done_logs_what_was_accepted(sample_repo: Path) -> None:
    reason = "Final-stage Globex deal; the customer asked for Aino by name"
    for event, advocate, kind, extra in [
            (_request("gareth-llewellyn"), "gareth-llewellyn", "reference-call", {}),
            (_request("aino-virtanen", "Webinar (webinar)", reason), "aino-virtanen", "webinar",
             {"exception": reason})]:
        done = log_request(sample_repo, _edited(event), _accepted(event, sample_repo), AS_OF)
        assert done.path == f"advocates/{advocate}.yaml", done.message
        logged = parse((sample_repo / done.path).read_text(), "x").data["activity"][-1]
        assert logged == {"date": AS_OF.isoformat(), "type": kind, "opportunity": "Globex renewal",
                          "requested_by": "Jo, Enterprise Sales EMEA", **extra}


@pytest.mark.parametrize("edit", [
    {"Advocate id": "aino-virtanen"},  # a request the check declines
    {"Advocate id": "emily-tran"},  # another owner's advocate, never told
    {"What you need": "Webinar (webinar)"},
    {"Context for the owner": "Also a site visit"},
])
def test_done_refuses_a_request_edited_after_it_was_accepted(sample_repo: Path, edit: dict) -> None:
    event = _request("gareth-llewellyn")
    before = _profiles(sample_repo)
    done = log_request(sample_repo, _edited(event, **edit), _accepted(event), AS_OF)
    assert done.path is None
    assert done.message.startswith("Not logged: the issue changed after the request was accepted "
                                   "for gareth-llewellyn — remove the label `done`")
    assert "\n" not in done.message
    assert _profiles(sample_repo) == before


def test_done_refuses_without_an_accepted_verdict_from_the_bot(sample_repo: Path) -> None:
    """No verdict, a declined one, or a line not exactly of a verdict's shape: nothing is logged.
    A verdict written into the issue body is not read at all: only the bot's comment is."""
    accepted = _accepted(_request("gareth-llewellyn"))
    declined = check_request(ROOT, _request("bjorn-haugland"), AS_OF).comment.splitlines()[-1]
    in_body = _request("bjorn-haugland")
    in_body["issue"]["body"] += "\n\n" + declined.replace("ok=false", "ok=true")
    before = _profiles(sample_repo)
    for event, recorded in [(_request("gareth-llewellyn"), ""),
                            (_request("bjorn-haugland"), declined),
                            (in_body, ""),
                            (_request("gareth-llewellyn"), accepted + " "),
                            (_request("gareth-llewellyn"), accepted.replace("ok=true", "ok=True")),
                            (_request("gareth-llewellyn"), "x\n" + accepted)]:
        done = log_request(sample_repo, _edited(event), recorded, AS_OF)
        assert done.path is None and done.message.startswith(
            "Not logged: the check has not accepted this request — remove the label `done`"), recorded
    assert _profiles(sample_repo) == before


def test_log_from_issue_says_why_it_logged_nothing(sample_repo: Path, tmp_path: Path,
                                                   monkeypatch) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps(_edited(_request("gareth-llewellyn"), **{"Advocate id": "emily-tran"})))
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "out"))
    result = CliRunner().invoke(main, ["--root", str(sample_repo), "log-from-issue", "--event", str(event),
                                       "--verdict", _accepted(_request("gareth-llewellyn")),
                                       "--comment", str(tmp_path / "c.md")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out").read_text() == "path=\n"
    comment = (tmp_path / "c.md").read_text()
    assert comment.startswith("Not logged: the issue changed") and comment.count("\n") == 1
    assert result.output.strip() == comment.strip()
