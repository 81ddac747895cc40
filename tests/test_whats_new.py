"""What's new dates a profile by its last change in substance, from git: a commit that only
reformats every file, or re-verifies one, moves no one; a story edit does. New: listed for the
first time in the period the page names. Each test reads a small repository whose history is
made with fixed dates."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from advocate_catalog import git
from advocate_catalog.load import parse, to_yaml
from advocate_catalog.render import render_site
from advocate_catalog.validate import validate

from conftest import AS_OF, ROOT, copy_repo

ATOM = "{http://www.w3.org/2005/Atom}"
SINCE = dt.date(2026, 10, 26)  # AS_OF's week and the four finished weeks before it


def run_git(repo: Path, *args: str, when: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when} if when else None
    subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.com",
                    "-c", "init.defaultBranch=main", *args],
                   cwd=repo, env=env, check=True, capture_output=True)


def commit(repo: Path, message: str, when: str, *paths: str) -> None:
    run_git(repo, "add", "--", *(paths or ["."]))
    run_git(repo, "commit", "-qm", message, when=f"{when}T12:00:00 +0000")


def edit(repo: Path, name: str, old: str, new: str) -> None:
    path = repo / "advocates" / f"{name}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def reformat(text: str) -> str:
    """The same data written again: a comment on top, keys in reverse order, the tool's layout."""
    data = parse(text, "x.yaml").data
    return "# Reformatted by a script\n" + to_yaml(dict(reversed(list(data.items()))))


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample catalog with a history:

    1 Sep    every profile but Lucas Moreau's and Zoë Harrington's
    1 Oct    Zoë Harrington added, status nominated (not listed)
    5 Oct    on a branch: an outcome of Beatriz Olmedo's changed (merged 12 Nov)
    10 Nov   Aino Virtanen's story edited
    12 Nov   the branch merged
    16 Nov   Zoë Harrington made active: listed from then on
    18 Nov   Lucas Moreau added
    20 Nov   every file reformatted (comment, key order, quoting: the same data)
    21 Nov   Arjun Mehta re-verified (last_verified only)
    """
    repo = copy_repo(tmp_path_factory.mktemp("whats-new") / "repo")
    run_git(repo, "init", "-q")
    lucas = (repo / "advocates" / "lucas-moreau.yaml").read_text(encoding="utf-8")
    (repo / "advocates" / "lucas-moreau.yaml").unlink()
    zoe = repo / "advocates" / "zoe-harrington.yaml"
    zoe_text = zoe.read_text(encoding="utf-8")
    zoe.unlink()
    commit(repo, "The catalog", "2026-09-01")
    zoe.write_text(zoe_text.replace("\nstatus: active\n", "\nstatus: nominated\n"), encoding="utf-8")
    commit(repo, "Promote Zoë", "2026-10-01")
    run_git(repo, "checkout", "-qb", "outcomes")
    edit(repo, "beatriz-olmedo", "outcomes:\n  - ", "outcomes:\n  - Revised, ")
    commit(repo, "Beatriz: outcome", "2026-10-05")
    run_git(repo, "checkout", "-q", "main")
    edit(repo, "aino-virtanen", "Her team first put", "Her team of nine first put")
    commit(repo, "Aino: story", "2026-11-10")
    run_git(repo, "merge", "-q", "--no-ff", "-m", "Merge outcomes", "outcomes",
            when="2026-11-12T12:00:00 +0000")
    zoe.write_text(zoe_text, encoding="utf-8")
    commit(repo, "Zoë confirmed", "2026-11-16")
    (repo / "advocates" / "lucas-moreau.yaml").write_text(lucas, encoding="utf-8")
    commit(repo, "Lucas", "2026-11-18")
    for path in sorted((repo / "advocates").glob("*.yaml")):
        path.write_text(reformat(path.read_text(encoding="utf-8")), encoding="utf-8")
    commit(repo, "Reformat every profile", "2026-11-20")
    arjun = repo / "advocates" / "arjun-mehta.yaml"
    arjun.write_text(re.sub(r"\nlast_verified: .*", "\nlast_verified: 2026-11-21",
                            arjun.read_text(encoding="utf-8")), encoding="utf-8")
    commit(repo, "Arjun verified", "2026-11-21")
    return repo


def rendered(repo: Path) -> dict[str, str]:
    result = validate(repo, AS_OF)
    assert not result.errors, "\n".join(map(str, result.errors))
    return render_site(result.catalog, repo / "templates", AS_OF, repo)


@pytest.fixture(scope="module")
def pages(history: Path) -> dict[str, str]:
    return rendered(history)


@pytest.fixture(scope="module")
def page(pages: dict[str, str]) -> BeautifulSoup:
    return BeautifulSoup(pages["whats-new/index.html"], "html.parser")


def days(page: BeautifulSoup) -> dict[str, str]:
    """{advocate id: the last day the page shows for it}."""
    return {li["data-id"]: li.select("time")[-1]["datetime"] for li in page.select("li.news-day")}


def test_the_reformat_really_changed_every_file_and_no_data(history: Path) -> None:
    changed = subprocess.run(["git", "show", "--name-only", "--format=", ":/Reformat"], cwd=history,
                             capture_output=True, text=True, check=True).stdout.split()
    assert len(changed) == len(list((history / "advocates").glob("*.yaml")))
    before = subprocess.run(["git", "show", "HEAD~2:advocates/aino-virtanen.yaml"], cwd=history,
                            capture_output=True, text=True, check=True).stdout
    after = (history / "advocates" / "aino-virtanen.yaml").read_text(encoding="utf-8")
    assert before != after and parse(before, "a").data == parse(after, "a").data


def test_a_bulk_reformat_changes_no_one_s_date(page: BeautifulSoup) -> None:
    shown = days(page)
    assert "2026-11-20" not in shown.values()
    assert shown["yui-hasegawa"] == shown["bjorn-haugland"] == "2026-09-01"


def test_re_verifying_is_not_an_update(page: BeautifulSoup) -> None:
    assert days(page)["arjun-mehta"] == "2026-09-01"


def test_a_story_edit_dates_the_profile(page: BeautifulSoup) -> None:
    assert days(page)["aino-virtanen"] == "2026-11-10"
    aino = page.select_one('li.news-day[data-id="aino-virtanen"]').get_text(" ", strip=True)
    assert aino == "Updated 10 Nov 2026"


def test_a_merged_branch_s_change_is_dated_by_its_merge(page: BeautifulSoup) -> None:
    assert days(page)["beatriz-olmedo"] == "2026-11-12"


def test_newest_first_then_by_name(page: BeautifulSoup) -> None:
    order = [li["data-id"] for li in page.select("li.news-day")]
    assert order[:4] == ["lucas-moreau", "zoe-harrington", "beatriz-olmedo", "aino-virtanen"]
    rest = order[4:]
    assert rest == sorted(rest) and set(days(page)[i] for i in rest) == {"2026-09-01"}
    # each day line is followed by its profile's card
    cards = [li.select_one(".card-name a")["href"] for li in page.select("ol.cards > li.card")]
    assert [href.split("/")[-2] for href in cards] == order


def test_a_profile_listed_in_the_period_is_marked_new(page: BeautifulSoup) -> None:
    new = {li["data-id"]: li for li in page.select("li.news-day.news-new")}
    assert set(new) == {"lucas-moreau", "zoe-harrington"}
    assert new["lucas-moreau"].select_one(".badge").get_text() == "New"
    assert new["lucas-moreau"].get_text(" ", strip=True) == "New Joined 18 Nov 2026"
    # Zoë's file is older, but she was not listed (nominated) before 16 November
    assert new["zoe-harrington"].select_one("time")["datetime"] == "2026-11-16"
    period = page.select_one(".news-period time")
    assert period["datetime"] == SINCE.isoformat()
    assert page.select_one(".news-history") is None


def test_the_feed_uses_the_same_dates_and_order(pages: dict[str, str], page: BeautifulSoup) -> None:
    feed = ET.fromstring(pages["feed.xml"])
    profiles = [(entry.findtext(f"{ATOM}id").rstrip("/").rsplit("/", 1)[-1],
                 entry.findtext(f"{ATOM}updated")[:10])
                for entry in feed.findall(f"{ATOM}entry") if "/advocates/" in entry.findtext(f"{ATOM}id")]
    assert profiles == list(days(page).items())


def test_without_git_dates_fall_back_and_the_page_says_so(history: Path, tmp_path: Path) -> None:
    """No history: dated by last_verified, new by the digest's rule (consent given in the
    period): Lucas, who joined in week 47."""
    plain = tmp_path / "plain"
    shutil.copytree(history, plain, ignore=shutil.ignore_patterns(".git"))
    page = BeautifulSoup(rendered(plain)["whats-new/index.html"], "html.parser")
    assert "without its git history" in page.select_one(".news-history").get_text()
    assert {li["data-id"] for li in page.select("li.news-new")} == {"lucas-moreau"}
    assert days(page)["arjun-mehta"] == "2026-11-21"  # last_verified
    arjun = page.select_one('li.news-day[data-id="arjun-mehta"]').get_text(" ", strip=True)
    assert arjun.startswith("Verified")


def test_a_shallow_clone_says_so(history: Path, tmp_path: Path) -> None:
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "2", f"file://{history}", str(shallow)],
                   check=True, capture_output=True)
    page = BeautifulSoup(rendered(shallow)["whats-new/index.html"], "html.parser")
    assert "shallow clone" in page.select_one(".news-history").get_text()
    # Only the last two commits are in the clone: the reformat, at its boundary, says nothing.
    assert days(page)["arjun-mehta"] == "2026-11-21"
    assert days(page)["aino-virtanen"] == "2026-08-19"  # her last_verified
    aino = page.select_one('li.news-day[data-id="aino-virtanen"]').get_text(" ", strip=True)
    assert aino == "Verified 19 Aug 2026"


def test_only_the_versions_that_decide_the_list_are_read(history: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Top 3: the reformat's earlier version of every file is compared (any could have changed
    in it), then only the few changes before it that make the top."""
    asked: list[str] = []
    read = git.Blobs.read

    def counting(self: git.Blobs, ids: list[str]) -> dict[str, str]:
        asked.extend(ids)
        return read(self, ids)

    monkeypatch.setattr(git.Blobs, "read", counting)
    catalog = validate(history, AS_OF).catalog
    listed = catalog.listed(AS_OF)
    news = git.latest_changes(history, [git.Profile(a.path, a.name, a.last_verified, a.data)
                                        for a in listed], AS_OF, SINCE, lambda data, day: True, 3)
    assert [item.path.split("/")[1] for item in news.items] == [
        "lucas-moreau.yaml", "zoe-harrington.yaml", "beatriz-olmedo.yaml"]
    assert len(listed) <= len(set(asked)) <= len(listed) + 10


def test_many_versions_are_compared_on_every_core_with_the_same_result(
        history: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = validate(history, AS_OF).catalog
    profiles = [git.Profile(a.path, a.name, a.last_verified, a.data) for a in catalog.listed(AS_OF)]

    def latest() -> list[git.Dated]:
        return git.latest_changes(history, profiles, AS_OF, SINCE, lambda data, day: True).items

    alone = latest()
    monkeypatch.setattr(git, "PARALLEL_FROM", 5)  # the reformat's 45 versions go to workers
    assert latest() == alone


@pytest.mark.parametrize("path", sorted([*(ROOT / "advocates").glob("*.yaml"),
                                         *(ROOT / "tests" / "cases" / "valid").glob("*.yaml")]),
                         ids=lambda path: path.name)
def test_an_old_version_is_read_as_the_catalog_reads_a_file(path: Path) -> None:
    """git.plain_data (fast, for comparing versions) and load.parse give the same data."""
    text = path.read_text(encoding="utf-8")
    assert git.plain_data(text) == parse(text, path.name).data


@pytest.mark.parametrize("name", ["billion-laughs", "deep-nesting", "custom-tag", "python-tag",
                                  "alias-reused-value", "binary-nul", "several-documents"])
def test_a_hostile_old_version_is_no_data(name: str) -> None:
    """Anything committed once is read again by every build: refused as load.parse refuses it."""
    text = (ROOT / "tests" / "bad_inputs" / f"{name}.yaml").read_bytes().decode("utf-8", "replace")
    assert git.plain_data(text) is None
