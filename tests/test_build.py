"""The build as a whole: all or nothing, never into the wrong folder, friendly from the CLI."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from advocate_catalog import build as build_module
from advocate_catalog.build import build
from advocate_catalog.cli import main
from advocate_catalog.errors import BuildError, InvalidData

from conftest import AS_OF

CASES = Path(__file__).parent / "cases"
BAD_INPUTS = Path(__file__).parent / "bad_inputs"


def test_build_writes_pages_search_index_and_assets(sample_repo: Path) -> None:
    summary = build(sample_repo, sample_repo / "site", AS_OF)
    site = sample_repo / "site"
    assert (site / "index.html").exists() and (site / "static" / "search.js").exists()
    assert (site / "search" / "0" / "pagefind.js").exists()
    assert summary.pages == len(list(site.rglob("*.html")))
    assert summary.advocates == len(list((site / "advocates").glob("*/index.html")))
    assert not list(sample_repo.glob(".site-*"))


def test_failed_build_leaves_previous_site_untouched(sample_repo: Path, monkeypatch) -> None:
    site = sample_repo / "site"
    build(sample_repo, site, AS_OF)
    before = sorted(p.relative_to(site) for p in site.rglob("*"))
    (site / "marker").write_text("previous build")
    page = site / "advocates" / "aino-virtanen" / "index.html"
    old_page = page.read_text()
    profile = sample_repo / "advocates" / "aino-virtanen.yaml"
    profile.write_text(profile.read_text().replace("title: ", "title: Acting ", 1))

    def broken_index(*_args: object, **_kwargs: object) -> None:
        raise BuildError("Pagefind failed")

    monkeypatch.setattr(build_module.search, "_run", broken_index)  # Pagefind fails on a shard
    with pytest.raises(BuildError):
        build(sample_repo, site, AS_OF)
    assert (site / "marker").read_text() == "previous build"
    assert sorted(p.relative_to(site) for p in site.rglob("*") if p.name != "marker") == before
    assert page.read_text() == old_page  # the incremental build's hard links did not leak through
    assert not list(sample_repo.glob(".site-*"))


def test_invalid_data_never_builds(sample_repo: Path) -> None:
    shutil.copy(BAD_INPUTS / "region-not-allowed.yaml", sample_repo / "advocates")
    with pytest.raises(InvalidData) as raised:
        build(sample_repo, sample_repo / "site", AS_OF)
    assert any("company.region 'Mars'" in str(i) for i in raised.value.issues)
    assert not (sample_repo / "site").exists()


@pytest.mark.parametrize("target", [".", "advocates", "schemas", "templates", "..", "advocates/site"])
def test_refuses_to_build_over_the_repository_or_its_data(sample_repo: Path, target: str) -> None:
    with pytest.raises(BuildError, match="refusing to build into"):
        build(sample_repo, sample_repo / target, AS_OF)
    assert (sample_repo / "advocates").is_dir() and (sample_repo / "catalog.yaml").exists()


def test_cli_build_prints_progress_and_summary(sample_repo: Path) -> None:
    result = CliRunner().invoke(main, ["--root", str(sample_repo), "build", "--as-of", "2026-11-23"])
    assert result.exit_code == 0, result.output
    assert "… indexing 1 of 1 search shards with Pagefind" in result.stderr
    assert result.stdout.startswith("built ") and " advocates in " in result.stdout


def test_cli_build_with_bad_data_exits_one_without_traceback(sample_repo: Path) -> None:
    shutil.copy(BAD_INPUTS / "tab-indent.yaml", sample_repo / "advocates")
    result = CliRunner().invoke(main, ["--root", str(sample_repo), "build"])
    assert result.exit_code == 1
    assert "advocates/tab-indent.yaml:7:1: error: YAML syntax" in result.stderr
    assert "Traceback" not in result.output


def test_cli_internal_error_is_one_line_pointing_to_debug(sample_repo: Path, monkeypatch) -> None:
    def crash(*_args: object, **_kwargs: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr("advocate_catalog.cli.build", crash)
    result = CliRunner().invoke(main, ["--root", str(sample_repo), "build"])
    assert result.exit_code == 70
    assert result.stderr.strip().count("\n") == 0 and "--debug" in result.stderr
    debug = CliRunner().invoke(main, ["--root", str(sample_repo), "--debug", "build"])
    assert "Traceback" in debug.stderr


def test_cli_machine_output_is_pure_and_warnings_are_shown(sample_repo: Path) -> None:
    runner = CliRunner()
    clean = runner.invoke(main, ["--root", str(sample_repo), "validate", "--format", "json",
                                 "--as-of", "2026-11-23"])
    issues = json.loads(clean.stdout)  # a document of its own, the summary line on stderr
    assert clean.exit_code == 0 and isinstance(issues, list)
    assert {issue["severity"] for issue in issues} <= {"warning", "notice"}
    profile = (sample_repo / "advocates" / "aino-virtanen.yaml").read_text()
    (sample_repo / "advocates" / "aino-again.yaml").write_text(
        profile.replace("id: aino-virtanen", "id: aino-again"))
    timed = runner.invoke(main, ["--root", str(sample_repo), "build", "--timings", "--as-of", "2026-11-23"])
    assert timed.exit_code == 0, timed.output
    assert set(json.loads(timed.stdout)) >= {"load+validate", "render", "pagefind"}
    assert "looks like the same person" in timed.stderr and "built " in timed.stderr


def test_every_search_shard_has_its_word_list(built_site: Path) -> None:
    """The search page asks a shard only for words its `words.json` lists: a bundle without one
    finds nothing (Pagefind writes each bundle afresh, so the list must be written after it)."""
    bundles = sorted((built_site / "search").glob("*/pagefind-entry.json"))
    assert len(bundles) == 4
    order = json.loads((built_site / "search" / "order.json").read_text())
    for entry in bundles:
        words = json.loads((entry.parent / "words.json").read_text())
        assert words["words"] and words["words"] == sorted(words["words"])
        # Its phrases are bits over its advocates as order.json lists them: as many.
        assert words["profiles"] == order["shard_of"].count(int(entry.parent.name)) > 0
        assert all(len(base64.b64decode(bits)) == (words["profiles"] + 7) // 8
                   for bits in words["phrases"].values())
