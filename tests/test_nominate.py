"""Nominations: written by the CLI, promoted with their history, duplicates flagged."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from advocate_catalog.cli import main
from advocate_catalog.errors import CatalogError, InvalidData
from advocate_catalog.load import parse, to_yaml
from advocate_catalog.model import fold
from advocate_catalog.nominate import create, derive_id, fnv1a, promote, slugify
from advocate_catalog.validate import validate

from conftest import AS_OF, write

ANSWERS = ["Ingrid Bø", "Head of BI", "director", "Fjell Foods", "retail", "mid-market", "emea", "no",
           "analytics, pipelines", "elise-fontaine", "Rolled out dashboards to 40 stores in a month.",
           "me@tessellate.example"]


def _nominate(repo: Path, *args: str, answers: list[str] | None = None):
    return CliRunner().invoke(main, ["--root", str(repo), "nominate", "--as-of", "2026-11-20", *args],
                              input="\n".join(answers or []) + "\n")


def test_nominate_prompts_and_writes_a_valid_file(repo: Path) -> None:
    result = _nominate(repo, answers=ANSWERS)
    assert result.exit_code == 0, result.output
    assert "Industry [healthcare, financial-services," in result.output
    path = repo / "nominations" / "ingrid-bo.yaml"
    data = parse(path.read_text(), "x").data
    assert data["company"] == {"name": "Fjell Foods", "industry": "retail", "size": "mid-market",
                               "region": "emea", "country": "NO"}
    assert data["products"] == ["analytics", "pipelines"] and data["nominated_on"] == "2026-11-20"
    assert data["reason"] == "Rolled out dashboards to 40 stores in a month."
    assert data["nominated_by"] == "me@tessellate.example" and "story" not in data
    assert validate(repo, AS_OF).issues == []


def test_nominate_never_overwrites(repo: Path) -> None:
    write(repo / "nominations", "ingrid-bo.yaml", "precious: data\n")
    result = _nominate(repo, answers=ANSWERS)
    assert result.exit_code == 1 and "already exists" in result.stderr
    assert (repo / "nominations" / "ingrid-bo.yaml").read_text() == "precious: data\n"


def test_nominate_with_bad_answers_writes_nothing(repo: Path) -> None:
    answers = ANSWERS.copy()
    answers[4] = "mining"
    result = _nominate(repo, answers=answers)
    assert result.exit_code == 1
    assert "nominations/ingrid-bo.yaml:7:13: error: company.industry 'mining' is not allowed" in result.stderr
    assert not list((repo / "nominations").iterdir())


def test_nominate_from_options_only(repo: Path) -> None:
    result = _nominate(repo, "--name", "Ana Ruiz", "--title", "CFO", "--persona", "c-level",
                       "--company", "Ruiz SA", "--industry", "retail", "--size", "small", "--region",
                       "latin-america", "--country", "MX", "--products", "analytics", "--owner",
                       "carla-mendes", "--nominated-by", "x@tessellate.example", "--reason", "Fan.")
    assert result.exit_code == 0 and (repo / "nominations" / "ana-ruiz.yaml").exists()


def test_a_name_in_another_script_gets_an_id_from_the_company(repo: Path) -> None:
    answers = ["山田 太郎", *ANSWERS[1:]]
    result = _nominate(repo, answers=answers)
    assert result.exit_code == 0, result.output
    expected = f"fjell-foods-{fnv1a('山田 太郎')[:6]}"
    assert f"wrote nominations/{expected}.yaml" in result.output
    data = parse((repo / "nominations" / f"{expected}.yaml").read_text(), "x").data
    assert data["id"] == expected and data["name"] == "山田 太郎"
    assert validate(repo, AS_OF).issues == []


def test_cli_writes_the_story_as_a_block_like_the_site(repo: Path) -> None:
    result = _nominate(repo, "--name", "Ana Ruiz", "--title", "CFO", "--persona", "c-level",
                       "--company", "Ruiz SA", "--industry", "retail", "--size", "small", "--region",
                       "latin-america", "--country", "MX", "--products", "analytics", "--owner",
                       "carla-mendes", "--nominated-by", "x@tessellate.example", "--reason", "Fan.",
                       "--story", "She cut close from 9 days to 4.")
    assert result.exit_code == 0, result.output
    text = (repo / "nominations" / "ana-ruiz.yaml").read_text()
    assert "\nstory: |\n  She cut close from 9 days to 4.\n" in text
    assert parse(text, "x").data["story"] == "She cut close from 9 days to 4.\n"


@pytest.mark.parametrize(("name", "company", "expected"), [
    ("Zoë Bø", "Fjell Foods", "zoe-bo"),
    ("Иван Петров", "", "ivan-petrov"),
    ("Ёлка Щукина", "", "elka-shchukina"),
    ("Σοφία Παπαδοπούλου", "", "sofia-papadopoulou"),
    ("Ðóra Þórsdóttir", "", "dora-thorsdottir"),
    ("山田 太郎", "Sakura Robotics KK", f"sakura-robotics-kk-{fnv1a('山田 太郎')[:6]}"),
    ("山田\u3000 太郎 ", "Sakura Robotics KK", f"sakura-robotics-kk-{fnv1a('山田 太郎')[:6]}"),
    ("山田 太郎", "株式会社さくら", f"advocate-{fnv1a('山田 太郎')[:6]}"),
    ("李 Wei", "Initech", f"initech-{fnv1a('李 Wei')[:6]}"),  # half a name would collide
    ("!!!", "", f"advocate-{fnv1a('!!!')[:6]}"),
    ("A" * 100, "", "a" * 80),
])
def test_derived_ids_are_never_blank(name: str, company: str, expected: str) -> None:
    assert derive_id(name, company) == expected


def test_latin_names_fold_as_before() -> None:
    names = ["Zoë Bø", "Ægir Œdipe-Straße", "STRAẞE", "Łukasz Żółć", "Đorđe Đurić", "Søren Åkesson",
             "İlkay Gündoğan", "ﬁnn Oﬀ", "Nguyễn Thị Thu", "Ana-María (Nena) Ruiz", "Jose\u0301"]
    for name in names:
        assert slugify(name) == re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-"), name
    assert slugify("ÐÓRA ÞÓRSDÓTTIR") == "dora-thorsdottir"  # fold kept capital eth and thorn


def test_slugify_and_yaml_round_trip() -> None:
    assert slugify("Zoë Bø Łukasz  O'Brien-Smith") == "zoe-bo-lukasz-o-brien-smith"
    data = {"country": "NO", "answer": "yes", "date": "2026-01-02", "story": "line one\nline two\n",
            # YAML 1.1 line breaks, found by the property test: written escaped.
            "separator": "a\u2028b", "paragraph": "a\u2029b"}
    text = to_yaml(data)
    assert "story: |" in text and "date: 2026-01-02" in text
    assert parse(text, "x").data == data
    # Control characters are written escaped, and refused when read back, each with its line.
    controls = {"nel": "0\x85", "mixed": "line\nnext\x85", "controls": "\x0c\x9c\x03"}
    doc = parse(to_yaml(controls), "x")
    assert [(i.line, "control or non-character" in i.message) for i in doc.issues] == [
        (1, True), (2, True), (3, True)]


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.com", *args],
                          cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def nominated(repo: Path) -> Path:
    create(repo, {"name": "Ingrid Bø", "title": "Head of BI", "persona": "director",
                  "company": {"name": "Fjell Foods", "industry": "retail", "size": "mid-market",
                              "region": "emea", "country": "NO"},
                  "products": ["analytics"], "owner": "elise-fontaine",
                  "nominated_by": "me@tessellate.example", "reason": "Great results.",
                  "story": "She rolled out dashboards.\n\nStores loved them.\n"},
           dt.date(2026, 11, 1))
    return repo


def test_promote_moves_with_history(nominated: Path) -> None:
    _git(nominated, "init", "-q")
    _git(nominated, "add", "-A")
    _git(nominated, "commit", "-qm", "Nominate Ingrid")
    promotion = promote(nominated, "nominations/ingrid-bo.yaml", AS_OF)
    assert promotion.moved_with_git
    assert not (nominated / "nominations" / "ingrid-bo.yaml").exists()
    data = parse((nominated / "advocates" / "ingrid-bo.yaml").read_text(), "x").data
    assert data["status"] == "nominated" and data["last_verified"] == "2026-11-23"
    assert data["nomination"] == {"nominated_by": "me@tessellate.example",
                                  "nominated_on": "2026-11-01", "reason": "Great results."}
    assert data["story"] == "She rolled out dashboards.\n\nStores loved them.\n"
    assert validate(nominated, AS_OF).issues == []
    _git(nominated, "commit", "-qm", "Promote Ingrid")
    log = _git(nominated, "log", "--follow", "--format=%s", "--", "advocates/ingrid-bo.yaml")
    assert log.splitlines() == ["Promote Ingrid", "Nominate Ingrid"]


def test_promote_without_git_moves_the_file(nominated: Path) -> None:
    promotion = promote(nominated, "nominations/ingrid-bo.yaml", AS_OF)
    assert not promotion.moved_with_git
    assert (nominated / "advocates" / "ingrid-bo.yaml").exists()
    assert not (nominated / "nominations" / "ingrid-bo.yaml").exists()


def test_promote_refuses_an_existing_profile_and_touches_nothing(nominated: Path) -> None:
    write(nominated / "advocates", "ingrid-bo.yaml", "precious: profile\n")
    before = (nominated / "nominations" / "ingrid-bo.yaml").read_text()
    with pytest.raises(CatalogError, match="already exists — nothing was changed"):
        promote(nominated, "nominations/ingrid-bo.yaml", AS_OF)
    assert (nominated / "advocates" / "ingrid-bo.yaml").read_text() == "precious: profile\n"
    assert (nominated / "nominations" / "ingrid-bo.yaml").read_text() == before


def test_promote_refuses_invalid_nominations_and_other_paths(nominated: Path) -> None:
    path = nominated / "nominations" / "ingrid-bo.yaml"
    path.write_text(path.read_text().replace("industry: retail", "industry: mining"))
    with pytest.raises(InvalidData):
        promote(nominated, "nominations/ingrid-bo.yaml", AS_OF)
    assert path.exists() and not (nominated / "advocates" / "ingrid-bo.yaml").exists()
    for bad in ("catalog.yaml", "nominations/../catalog.yaml", "nominations/missing.yaml"):
        result = CliRunner().invoke(main, ["--root", str(nominated), "promote", bad])
        assert result.exit_code == 1 and "Traceback" not in result.output
    assert (nominated / "catalog.yaml").exists()


def test_duplicates_are_warnings_naming_both_files(nominated: Path) -> None:
    profile = (Path(__file__).parent / "cases" / "valid" / "full-profile.yaml").read_text()
    write(nominated / "advocates", "full-profile.yaml", profile)
    write(nominated / "advocates", "zoe-again.yaml", profile.replace("id: full-profile", "id: zoe-again")
          .replace("Zoë Ankerson", "ZOE  ankerson"))
    write(nominated / "advocates", "ingrid-elsewhere.yaml", profile.replace(
        "id: full-profile", "id: ingrid-elsewhere").replace("Zoë Ankerson", "Ingrid Bo"))
    messages = [str(i) for i in validate(nominated, AS_OF).issues]
    assert messages == [
        "advocates/zoe-again.yaml:3:7: warning: 'ZOE  ankerson' looks like the same person as "
        "advocates/full-profile.yaml at the same company — if it is, keep one file and merge what "
        "is new into it; if not, list the other ids under `not_same_as:` in this file",
        "nominations/ingrid-bo.yaml:2:7: warning: 'Ingrid Bø' looks like the same person as "
        "advocates/ingrid-elsewhere.yaml — if it is, keep one file and merge what is new into it; "
        "if not, list the other ids under `not_same_as:` in this file",
    ]
    result = CliRunner().invoke(main, ["--root", str(nominated), "validate", "--strict",
                                       "--as-of", "2026-11-23"])
    assert result.exit_code == 1


@pytest.mark.parametrize("existing", ["advocates", "nominations"])
def test_the_issue_form_reply_never_confirms_a_hidden_person(repo: Path, existing: str) -> None:
    """Nominating someone the catalog already holds, hidden from the site, through the issue
    form: the reply reads as for anyone new (no 'already exists'), the nomination gets an id of
    its own, and `validate` — which the pull request runs — names the duplicate to reviewers."""
    from test_issueform import ANSWERS as FORM
    from test_issueform import body, event

    from advocate_catalog.issueform import nominate_from_event

    fresh = nominate_from_event(repo, event(body({**FORM, "Full name of the customer": "Ola Dahl"})),
                                AS_OF)
    hidden = repo / existing / "ingrid-bo.yaml"
    before = ((repo / fresh.path).read_text(encoding="utf-8").replace("Ola Dahl", "Ingrid Bø")
              .replace("id: ola-dahl", "id: ingrid-bo") if existing == "nominations" else "")
    hidden.write_text(before, encoding="utf-8")
    (repo / fresh.path).unlink()
    outcome = nominate_from_event(repo, event(body(FORM)), AS_OF)
    assert outcome.path == "nominations/ingrid-bo-2.yaml"
    assert outcome.comment == fresh.comment.replace("ola-dahl", "ingrid-bo-2")
    assert "a reviewer will check for duplicates" in outcome.comment
    assert hidden.read_text(encoding="utf-8") == before
    if existing == "nominations":
        warnings = [i.message for i in validate(repo, AS_OF).issues]
        assert any(w.startswith("'Ingrid Bø' looks like the same person as nominations/ingrid-bo")
                   for w in warnings), warnings
