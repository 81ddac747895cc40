"""Nominations through a GitHub issue form: the generated form, and untrusted issue bodies."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from advocate_catalog.cli import main
from advocate_catalog.issueform import answers_from_issue, form, marker, nominate_from_event
from advocate_catalog.load import parse
from advocate_catalog.validate import load_config, validate

from conftest import AS_OF, ROOT

ANSWERS = {
    "Full name of the customer": "Ingrid Bø",
    "Their job title": "Head of BI",
    "Persona": "Director (director)",
    "Company name": "Fjell Foods",
    "Industry": "Retail & Consumer Goods (retail)",
    "Company size": "200\u20131,999 employees (mid-market)",
    "Region": "EMEA (emea)",
    "Country code": "no",
    "Products they use": "Tessellate Analytics (analytics), Tessellate Pipelines (pipelines)",
    "Owner who will hold the relationship": "Élise Fontaine (elise-fontaine)",
    "Why would they make a good advocate?": "Rolled out dashboards to 40 stores.\nLoves to talk.",
    "Their story so far (optional)": "_No response_",
}


def body(answers: dict[str, str]) -> str:
    """An issue body the way GitHub renders a submitted issue form."""
    return "\n\n".join(f"### {label}\n\n{value}" for label, value in answers.items())


def event(text: str | None, login: str = "csm-grace") -> dict:
    return {"action": "opened", "issue": {"number": 7, "body": text, "user": {"login": login}}}


@pytest.fixture
def config():
    return load_config(ROOT)[0]


def test_committed_issue_form_is_generated_from_the_taxonomy() -> None:
    result = CliRunner().invoke(main, ["--root", str(ROOT), "issue-form", "--check"])
    assert result.exit_code == 0, result.output


def test_form_offers_every_taxonomy_value_with_its_id(config) -> None:
    fields = {item.get("id"): item for item in form(config)["body"]}
    industries = fields["industry"]["attributes"]["options"]
    assert industries == [f"{t.label} ({t.id})" for t in config.vocabularies["industries"]]
    assert fields["products"]["attributes"]["multiple"] is True
    assert fields["story"]["validations"]["required"] is False


def test_a_submitted_form_becomes_a_valid_nomination(repo: Path, config) -> None:
    outcome = nominate_from_event(repo, event(body(ANSWERS)), AS_OF)
    assert outcome.path == "nominations/ingrid-bo.yaml"
    data = parse((repo / outcome.path).read_text(), "x").data
    assert data["nominated_by"] == "@csm-grace"
    assert data["company"]["size"] == "mid-market" and data["company"]["country"] == "NO"
    assert data["products"] == ["analytics", "pipelines"]
    assert data["reason"] == "Rolled out dashboards to 40 stores.\nLoves to talk.\n"
    assert validate(repo, AS_OF).issues == []


@pytest.mark.parametrize(("change", "problem"), [
    ({"Region": "Mars (mars)"}, "'Region' must be chosen from the list"),
    ({"Region": "EMEA"}, "'Region' must be chosen from the list"),
    ({"Full name of the customer": "_No response_"}, "'Full name of the customer' is missing"),
    ({"Their job title": "CTO\nprivate:\n  notes: injected"}, "'Their job title' must be one line"),
    ({"Country code": "Norway"}, "company.country 'NORWAY' is not in the expected form"),
])
def test_bad_answers_are_explained_and_nothing_is_written(repo: Path, change, problem) -> None:
    outcome = nominate_from_event(repo, event(body({**ANSWERS, **change})), AS_OF)
    assert outcome.path is None
    assert problem in html.unescape(outcome.comment)
    assert not list((repo / "nominations").iterdir())


def test_hostile_text_stays_text(repo: Path) -> None:
    story = ("!!python/object/apply:os.system ['touch /tmp/pwned']\n&a [*a]\n"
             "$(rm -rf /) `id` <script>alert(1)</script>\n### Full name of the customer\n\nMallory")
    answers = {**ANSWERS, "Their story so far (optional)": story,
               "Full name of the customer": "Ingrid\u202e Bø\u200b"}
    outcome = nominate_from_event(repo, event(body(answers), login="x;rm -rf /"), AS_OF)
    data = parse((repo / outcome.path).read_text(), "x").data
    assert data["name"] == "Ingrid Bø"  # bidi and zero-width controls removed
    assert data["story"] == story.replace("\n### Full name of the customer\n\nMallory", "") + "\n"
    assert data["nominated_by"] == "unknown"
    assert not Path("/tmp/pwned").exists()


def test_empty_huge_or_foreign_bodies(config) -> None:
    assert answers_from_issue(None, "a", config)[1] == [
        "the issue has no body: use the issue form"]
    assert "over 50,000 characters" in answers_from_issue("x" * 50_001, "a", config)[1][0]
    _, problems = answers_from_issue("I'd like to nominate my customer Bob!", "a", config)
    assert "'Full name of the customer' is missing" in problems


def test_cli_writes_comment_and_step_output(repo: Path, tmp_path: Path, monkeypatch) -> None:
    event_file = tmp_path / "event.json"
    event_file.write_text(json.dumps(event(body(ANSWERS))))
    output = tmp_path / "github_output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    result = CliRunner().invoke(main, ["--root", str(repo), "nominate-from-issue", "--event",
                                       str(event_file), "--comment", str(tmp_path / "c.md")])
    assert result.exit_code == 0, result.output
    assert output.read_text() == "path=nominations/ingrid-bo.yaml\n"
    assert (tmp_path / "c.md").read_text().startswith("Thanks! This nomination is valid")


def test_a_comment_marker_holds_only_what_cannot_end_it() -> None:
    """The bot's comments end with `<!-- kind key=value -->`; a value that could close the HTML
    comment, start a new line or reach a shell is refused, not written."""
    assert marker("verify-result") == "<!-- verify-result -->"
    assert marker("request-verdict", ok="true", owner="priya-n") == (
        "<!-- request-verdict ok=true owner=priya-n -->")
    for value in ("-->", "a b", "x\n<!-- request-verdict ok=true -->", "$(id)", "a_b"):
        with pytest.raises(ValueError):
            marker("request-verdict", owner=value)
