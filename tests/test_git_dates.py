"""Dates from git history are data like any other: one that does not parse is ignored, one in
the future is clamped to the build day, so no commit can crash a build or pin a profile on top."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest

from advocate_catalog import git
from advocate_catalog.model import Advocate

TODAY = dt.date(2026, 11, 23)
YEAR_2100 = "@4102444800 +0000"  # git refuses 2100-01-01T00:00:00 written out, not as seconds
YEAR_10000 = "@253402300800 +0000"


def _commit(repo: Path, name: str, when: str | None = None) -> None:
    (repo / "advocates" / name).write_text(f"id: {name.removesuffix('.yaml')}\nnote: changed at {when}\n")
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when} if when else None
    for args in (["add", "-A"], ["commit", "-qm", name]):
        subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.com", *args],
                       cwd=repo, env=env, check=True, capture_output=True)


def _advocate(name: str, verified: str = "2026-06-01") -> Advocate:
    return Advocate(id=name.removesuffix(".yaml"), path=f"advocates/{name}",
                    data={"status": "active", "last_verified": verified})


def news(advocates: list[Advocate], root: Path, today: dt.date) -> list[tuple[dt.date, Advocate]]:
    """What's new as the site makes it (git.latest_changes), as (day, advocate) pairs."""
    by_path = {a.path: a for a in advocates}
    found = git.latest_changes(root, [git.Profile(a.path, a.id, a.last_verified) for a in advocates],
                               today, today - dt.timedelta(days=28), lambda data, day: True)
    return [(item.day, by_path[item.path]) for item in found.items]


@pytest.fixture
def history(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "advocates").mkdir(parents=True)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    _commit(repo, "recent.yaml", "2026-10-01T12:00:00")
    return repo


def test_a_commit_from_the_future_is_clamped_to_the_build_day(history: Path) -> None:
    _commit(history, "future.yaml", YEAR_2100)
    items = news([_advocate("recent.yaml"), _advocate("future.yaml")], history, TODAY)
    assert [(day, a.id) for day, a in items] == [(TODAY, "future"),
                                                 (dt.date(2026, 10, 1), "recent")]


def test_a_commit_in_year_10000_does_not_crash_the_build(history: Path) -> None:
    _commit(history, "far.yaml", YEAR_10000)
    items = news([_advocate("recent.yaml"), _advocate("far.yaml")], history, TODAY)
    assert [(day, a.id) for day, a in items] == [(dt.date(2026, 10, 1), "recent"),
                                                 (dt.date(2026, 6, 1), "far")]


@pytest.mark.parametrize(("header", "expected"), [
    ("2026-11-02", dt.date(2026, 11, 2)),
    ("2100-01-01", TODAY),
    ("10000-01-01", None),
    ("1999-12-31", None),
    ("1970-01-01", None),
    ("not a date", None),
    ("", None),
])
def test_parse_log_reads_each_date_defensively(header: str, expected: dt.date | None) -> None:
    none, one, two, three = "0" * 40, "1" * 40, "2" * 40, "3" * 40
    text = (f"\x00{'a' * 40} {header}\n\n:100644 100644 {two} {one} M\tadvocates/a.yaml\n"
            f"\x00{'b' * 40} 2026-01-05\n\n:000000 100644 {none} {two} A\tadvocates/a.yaml\n"
            f":000000 100644 {none} {three} A\tadvocates/b.yaml\n")
    found, cut = git.parse_log(text, {"advocates/a.yaml", "advocates/b.yaml"}, TODAY)
    # A change with no usable date: when it is the one that dates a file, the file falls back
    # as if git had no date for it (test_a_commit_in_year_10000_does_not_crash_the_build).
    assert found["advocates/a.yaml"][0] == git.Change("a" * 40, expected, two, one)
    assert found["advocates/a.yaml"][1] == git.Change("b" * 40, dt.date(2026, 1, 5), None, two)
    assert found["advocates/b.yaml"] == [git.Change("b" * 40, dt.date(2026, 1, 5), None, three)]
    assert not cut


def test_a_shallow_clone_dates_profiles_by_last_verified(history: Path, tmp_path: Path) -> None:
    """`actions/checkout` clones one commit by default: its date is the checkout's, not when each
    profile changed. Such a clone must fall back to last_verified, never to that date."""
    _commit(history, "older.yaml", "2026-03-01T12:00:00")
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{history}", str(shallow)],
                   check=True, capture_output=True)
    advocates = [_advocate("recent.yaml", "2026-05-05"), _advocate("older.yaml", "2026-04-04")]
    assert dict((a.id, day) for day, a in news(advocates, shallow, TODAY)) == {
        "recent": dt.date(2026, 5, 5), "older": dt.date(2026, 4, 4)}
    assert dict((a.id, day) for day, a in news(advocates, history, TODAY)) == {
        "recent": dt.date(2026, 10, 1), "older": dt.date(2026, 3, 1)}
