"""Releases that exist: the version moves with what users can see, and the CHANGELOG says what moved.

The version lives in pyproject.toml; the CHANGELOG's newest section is that version, dated. Code
a user runs (the package, templates, schemas, the workflows a data repository receives, the
runtime lock) never changes in a commit the CHANGELOG has not caught up with, and a new section
comes with the version that names it."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import tomllib

from advocate_catalog import scaffold

from conftest import ROOT

SECTION = re.compile(r"^## (\d+)\.(\d+)\.(\d+) — (\d{4}-\d{2}-\d{2})$", re.M)
USER_VISIBLE = ["src/advocate_catalog", "templates", "schemas", "requirements/runtime.txt",
                *(f".github/workflows/{name}" for name in scaffold.WORKFLOWS)]


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True,
                          check=True).stdout.strip()


def _version() -> str:
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"])


def test_the_newest_changelog_section_is_the_version_and_sections_only_go_down() -> None:
    sections = SECTION.findall((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"))
    assert sections, "CHANGELOG.md has `## X.Y.Z — YYYY-MM-DD` sections"
    versions = [tuple(map(int, section[:3])) for section in sections]
    dates = [dt.date.fromisoformat(section[3]) for section in sections]
    assert ".".join(sections[0][:3]) == _version()
    assert versions == sorted(versions, reverse=True) and len(set(versions)) == len(versions), versions
    assert dates == sorted(dates, reverse=True) and dates[0] <= dt.date.today(), dates
    assert scaffold.version() == _version(), "the installed metadata is stale: reinstall the package"


def test_no_code_a_user_runs_changed_after_the_changelog_last_did() -> None:
    """The newest commit that changed what users run is the CHANGELOG's newest commit or older."""
    code = _git("log", "-1", "--format=%H", "--", *USER_VISIBLE)
    changelog = _git("log", "-1", "--format=%H", "--", "CHANGELOG.md")
    assert code and changelog
    done = subprocess.run(["git", "-C", str(ROOT), "merge-base", "--is-ancestor", code, changelog],
                          check=False)
    assert done.returncode == 0, (
        f"commit {code[:10]} changed {', '.join(USER_VISIBLE[:3])}… after the CHANGELOG's last change "
        f"({changelog[:10]}): add a bullet to the newest section (a new section and version once released)")


def test_a_new_section_comes_with_the_version_that_names_it() -> None:
    version = _version()
    header = _git("log", "--format=%H", "-S", f"## {version} — ", "--", "CHANGELOG.md").split()
    bump = _git("log", "--format=%H", "-G", rf'^version = "{re.escape(version)}"', "--",
                "pyproject.toml").split()
    assert header and bump, "the version and its CHANGELOG section are committed"
    assert header[-1] == bump[-1], (
        f"version {version} was set in {bump[-1][:10]}, its CHANGELOG section opened in {header[-1][:10]}: "
        "open the section in the commit that moves the version")


def test_generated_files_name_a_commit_that_exists() -> None:
    commit = scaffold.built_from()
    assert commit and re.fullmatch(r"[0-9a-f]{40}", commit)
    assert subprocess.run(["git", "-C", str(ROOT), "cat-file", "-e", f"{commit}^{{commit}}"],
                          check=False).returncode == 0
    for text in ((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"),
                 (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"),
                 (ROOT / "src" / "advocate_catalog" / "starter" / "README.md").read_text(encoding="utf-8")):
        assert not re.search(r"\brev: v\d|tagged `?v", text), "no tag: this repository publishes none"
