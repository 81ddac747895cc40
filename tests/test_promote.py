"""Promotion never follows a symbolic link: not from the nomination, not onto the profile."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from advocate_catalog.errors import CatalogError
from advocate_catalog.nominate import create, promote

from conftest import AS_OF

ANSWERS = {"title": "Head of BI", "persona": "director",
           "company": {"name": "Fjell Foods", "industry": "retail", "size": "mid-market",
                       "region": "emea", "country": "NO"},
           "products": ["analytics"], "owner": "elise-fontaine",
           "nominated_by": "me@tessellate.example", "reason": "Great results."}


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.com", *args],
                   cwd=repo, check=True, capture_output=True)


@pytest.fixture(params=[False, True], ids=["plain", "git"])
def nominated(repo: Path, request: pytest.FixtureRequest) -> Path:
    """Two nominations, ingrid-bo and ola-dahl; committed to git in the `git` variant."""
    for name in ("Ingrid Bø", "Ola Dahl"):
        create(repo, {"name": name, **ANSWERS}, dt.date(2026, 11, 1))
    if request.param:
        _git(repo, "init", "-q")
        _git(repo, "add", "-A")
        _git(repo, "commit", "-qm", "Nominate")
    return repo


def _state(repo: Path) -> dict[str, str]:
    """Every entry of nominations/ and advocates/: a link by its target, a file by its text."""
    return {str(p.relative_to(repo)): f"-> {p.readlink()}" if p.is_symlink() else p.read_text()
            for folder in ("nominations", "advocates") for p in sorted((repo / folder).iterdir())}


def _refused(repo: Path, nomination_file: str, *words: str) -> None:
    before = _state(repo)
    with pytest.raises(CatalogError) as raised:
        promote(repo, nomination_file, AS_OF)
    message = str(raised.value)
    assert "\n" not in message and " — " in message, message
    assert all(word in message for word in words), message
    assert _state(repo) == before


def test_a_nomination_that_is_a_link_to_another_nomination_is_refused(nominated: Path) -> None:
    (nominated / "nominations" / "alias.yaml").symlink_to("ola-dahl.yaml")
    _refused(nominated, "nominations/alias.yaml", "symbolic link")


def test_a_nomination_that_is_a_link_out_of_the_folder_is_refused(nominated: Path,
                                                                  tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text((nominated / "nominations" / "ola-dahl.yaml").read_text())
    (nominated / "nominations" / "elsewhere.yaml").symlink_to(outside)
    _refused(nominated, "nominations/elsewhere.yaml", "symbolic link")
    assert outside.exists()


def test_an_existing_profile_is_refused(nominated: Path) -> None:
    (nominated / "advocates" / "ingrid-bo.yaml").write_text("precious: profile\n")
    _refused(nominated, "nominations/ingrid-bo.yaml", "advocates/ingrid-bo.yaml", "already exists")


def test_a_profile_that_is_a_dangling_link_is_refused(nominated: Path, tmp_path: Path) -> None:
    (nominated / "advocates" / "ingrid-bo.yaml").symlink_to(tmp_path / "planted.yaml")
    _refused(nominated, "nominations/ingrid-bo.yaml", "advocates/ingrid-bo.yaml", "symbolic link")
    assert not (tmp_path / "planted.yaml").exists()


def test_a_profile_that_is_a_link_to_a_file_is_refused(nominated: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    (nominated / "advocates" / "ingrid-bo.yaml").symlink_to(victim)
    _refused(nominated, "nominations/ingrid-bo.yaml", "advocates/ingrid-bo.yaml", "symbolic link")
    assert victim.read_text() == "keep me\n"


def test_a_plain_nomination_is_still_promoted(nominated: Path) -> None:
    promote(nominated, "nominations/ingrid-bo.yaml", AS_OF)
    assert (nominated / "advocates" / "ingrid-bo.yaml").is_file()
    assert not (nominated / "nominations" / "ingrid-bo.yaml").exists()


def test_not_same_as_goes_with_the_nomination_into_the_profile(nominated: Path) -> None:
    from advocate_catalog.load import read
    from advocate_catalog.nominate import to_advocate
    from advocate_catalog.validate import validate

    path = nominated / "nominations" / "ingrid-bo.yaml"
    with path.open("a", encoding="utf-8") as handle:
        handle.write("not_same_as:  # another Ingrid at another company\n  - ola-dahl\n")
    nomination = read(path, "nominations/ingrid-bo.yaml").data
    assert to_advocate(nomination, AS_OF)["not_same_as"] == ["ola-dahl"]  # the rewrite, when needed
    promote(nominated, "nominations/ingrid-bo.yaml", AS_OF)
    text = (nominated / "advocates" / "ingrid-bo.yaml").read_text(encoding="utf-8")
    assert "not_same_as:  # another Ingrid at another company\n  - ola-dahl\n" in text
    assert read(nominated / "advocates" / "ingrid-bo.yaml", "x").data["not_same_as"] == ["ola-dahl"]
    assert validate(nominated, AS_OF).issues == []
