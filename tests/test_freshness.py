"""Freshness: thresholds to the day, expired consent and approvals, formats, --changed, the site."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from advocate_catalog import freshness
from advocate_catalog.build import build
from advocate_catalog.cli import main
from advocate_catalog.validate import validate

from conftest import AS_OF, ROOT, write

MINIMAL = (Path(__file__).parent / "cases" / "valid" / "full-profile.yaml").read_text()
TODAY = dt.date(2026, 11, 23)


def _profile(repo: Path, advocate_id: str, verified: dt.date, **replace: str) -> None:
    text = MINIMAL.replace("id: full-profile", f"id: {advocate_id}").replace(
        "last_verified: 2026-11-01", f"last_verified: {verified.isoformat()}")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    write(repo / "advocates", f"{advocate_id}.yaml", text)


def _kinds(repo: Path, today: dt.date = TODAY) -> dict[str, list[tuple[str, int]]]:
    result = validate(repo, today)
    assert not result.errors, result.errors
    catalog = result.catalog
    result: dict[str, list[tuple[str, int]]] = {}
    for f in freshness.check(catalog, today):
        result.setdefault(f.advocate_id, []).append((f.kind, f.days))
    return result


def test_staleness_to_the_day(repo: Path) -> None:
    # stale_after_days is 180 and warn_days 30 in catalog.yaml.
    _profile(repo, "one-day-over", TODAY - dt.timedelta(days=181))
    _profile(repo, "exactly-at-limit", TODAY - dt.timedelta(days=180))
    _profile(repo, "one-day-under", TODAY - dt.timedelta(days=179))
    _profile(repo, "warn-edge", TODAY - dt.timedelta(days=150))
    _profile(repo, "just-fresh", TODAY - dt.timedelta(days=149))
    assert _kinds(repo) == {
        "one-day-over": [("stale", 1)],
        "exactly-at-limit": [("due-soon", 0)],
        "one-day-under": [("due-soon", 1)],
        "warn-edge": [("due-soon", 30)],
    }


def test_only_askable_profiles_go_stale(repo: Path) -> None:
    old = TODAY - dt.timedelta(days=400)
    _profile(repo, "resting-one", old, **{"status: active": "status: resting"})
    for status in ("alumni", "nominated", "inactive"):
        _profile(repo, f"{status}-one", old, **{"status: active": f"status: {status}"})
    assert _kinds(repo) == {"resting-one": [("stale", 220)]}


def test_expired_consent_quotes_and_assets_fail(repo: Path) -> None:
    fresh = TODAY - dt.timedelta(days=10)
    _profile(repo, "consent-gone", fresh, **{"expires_on: 2028-01-10": "expires_on: 2026-11-22"})
    _profile(repo, "consent-soon", fresh, **{"expires_on: 2028-01-10": "expires_on: 2026-12-01"})
    _profile(repo, "quote-gone", fresh, **{"expires_on: 2027-03-01": "expires_on: 2026-11-01"})
    _profile(repo, "asset-gone", fresh, **{"published_on: 2026-04-01":
                                          "published_on: 2026-04-01\n    expires_on: 2026-11-20"})
    assert _kinds(repo) == {"consent-gone": [("consent-expired", 1)],
                            "consent-soon": [("consent-expiring", 8)],
                            "quote-gone": [("quote-expired", 22)],
                            "asset-gone": [("asset-expired", 3)]}


def _run(*args: str, root: Path = ROOT) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--root", str(root), "freshness", *args])
    return result.exit_code, result.stdout


def _stalest(sample_catalog):
    askable = [a for a in sample_catalog.advocates if a.status in ("active", "resting")]
    return min(askable, key=lambda a: a.last_verified)


def test_cli_names_file_and_line_of_a_stale_sample_profile(sample_catalog) -> None:
    advocate = _stalest(sample_catalog)
    line, col = advocate.position_of("last_verified")
    past = advocate.last_verified + dt.timedelta(days=181)
    code, out = _run("--as-of", past.isoformat())
    assert code == 1
    assert f"{advocate.path}:{line}:{col}: error: {advocate.name} was last verified too long ago" in out
    owner = sample_catalog.config.owners[advocate.data["owner"]]
    header = f"# {owner.name} ({owner.id}):"
    assert out.index(header) < out.index(advocate.path)


def test_cli_exits_zero_with_only_warnings_and_one_with_strict(sample_catalog) -> None:
    advocate = _stalest(sample_catalog)
    almost = advocate.last_verified + dt.timedelta(days=170)
    code, out = _run("--as-of", almost.isoformat())
    assert code == (1 if "error:" in out else 0)
    assert f"{advocate.path}:" in out and "warning:" in out
    if code == 0:
        assert _run("--as-of", almost.isoformat(), "--strict")[0] == 1


def test_github_markdown_and_json_formats(sample_catalog) -> None:
    advocate = _stalest(sample_catalog)
    line, col = advocate.position_of("last_verified")
    past = (advocate.last_verified + dt.timedelta(days=200)).isoformat()
    _, github = _run("--as-of", past, "--format", "github")
    assert f"::error file={advocate.path},line={line},col={col}::" in github
    _, markdown = _run("--as-of", past, "--format", "markdown")
    owner = sample_catalog.config.owners[advocate.data["owner"]]
    assert f"### {owner.name} (@{owner.github})" in markdown
    assert f"`{advocate.path}` line {line} |" in markdown
    _, text = _run("--as-of", past, "--format", "json")
    data = json.loads(text)
    assert data["as_of"] == past
    assert any(f["path"] == advocate.path and f["kind"] == "stale" for f in data["findings"])


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def _commit_all(repo: Path, message: str) -> None:
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-qm", message)


def test_changed_checks_only_profiles_changed_since_a_ref(repo: Path) -> None:
    _profile(repo, "stale-untouched", TODAY - dt.timedelta(days=300))
    _profile(repo, "touched", TODAY - dt.timedelta(days=10))
    _git(repo, "init", "-q")
    _commit_all(repo, "base")
    assert _run("--as-of", TODAY.isoformat(), root=repo)[0] == 1
    assert _run("--as-of", TODAY.isoformat(), "--changed", "HEAD", root=repo) == (
        0, f"freshness as of {TODAY.isoformat()}: 0 need action, 0 due soon\n")
    # A pull request that touches a profile must leave it fresh.
    _profile(repo, "touched", TODAY - dt.timedelta(days=200))
    code, out = _run("--as-of", TODAY.isoformat(), "--changed", "HEAD", root=repo)
    assert code == 1 and "advocates/touched.yaml" in out and "stale-untouched" not in out


def test_changed_with_unknown_ref_is_one_line(repo: Path) -> None:
    _git(repo, "init", "-q")
    result = CliRunner().invoke(main, ["--root", str(repo), "freshness", "--changed", "nope"])
    assert result.exit_code == 1
    assert result.stderr.strip() == ("error: 'nope' is not a commit in this repository — fetch it "
                                     "first (in CI: actions/checkout with fetch-depth: 0)")


@pytest.fixture
def freshness_site(repo: Path) -> Path:
    _profile(repo, "stale-one", TODAY - dt.timedelta(days=200))
    _profile(repo, "soon-one", TODAY - dt.timedelta(days=170))
    _profile(repo, "fresh-one", TODAY - dt.timedelta(days=5),
             **{"expires_on: 2027-03-01": "expires_on: 2026-11-01"})
    _profile(repo, "consent-gone", TODAY - dt.timedelta(days=5),
             **{"expires_on: 2028-01-10": "expires_on: 2026-11-01"})
    build(repo, repo / "site", TODAY)
    return repo / "site"


def _page(site: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((site / path).read_text(), "html.parser")


def test_site_shows_freshness_badges_and_verification_page(freshness_site: Path) -> None:
    assert _page(freshness_site, "advocates/stale-one/index.html").select_one(".badge.freshness-stale")
    assert _page(freshness_site, "advocates/soon-one/index.html").select_one(".badge.freshness-due-soon")
    assert _page(freshness_site, "advocates/fresh-one/index.html").select_one(".badge.freshness-fresh")
    rows = _page(freshness_site, "verification/index.html").select("tbody tr")
    assert [row.select_one("a")["href"] for row in rows] == ["../advocates/soon-one/",
                                                             "../advocates/stale-one/"]


def test_site_hides_expired_quotes_and_advocates_with_expired_consent(freshness_site: Path) -> None:
    assert not _page(freshness_site, "advocates/fresh-one/index.html").select(".quote")
    assert _page(freshness_site, "advocates/soon-one/index.html").select(".quote")
    assert not (freshness_site / "advocates" / "consent-gone").exists()


def test_sample_as_of_matches_conftest() -> None:
    assert AS_OF == TODAY
