"""The build cache: unchanged means untouched, one change redoes its part, and an incremental
build writes exactly what a full build writes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from advocate_catalog import search
from advocate_catalog.build import build

from conftest import AS_OF

PROFILE = "advocates/aino-virtanen.yaml"
PAGE = "advocates/aino-virtanen/index.html"
OTHER_PAGE = "advocates/gareth-llewellyn/index.html"


@pytest.fixture
def sharded(monkeypatch) -> None:
    monkeypatch.setattr(search, "SHARD_SIZE", 10)  # the sample's 38 listed profiles in 4 shards


def _files(site: Path) -> dict[str, bytes]:
    """Every file but the search bundles (Pagefind names its chunks differently on each run)."""
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*"))
            if p.is_file() and not str(p.relative_to(site)).startswith("search/")
            and p.name != ".advocate-catalog-site"}  # its build id differs from build to build


def _search(site: Path) -> dict[str, object]:
    """What the search bundles hold: the profiles in each shard, and each sort order as ids."""
    shards = {int(b.name): search.page_ids(b) for b in (site / "search").iterdir() if b.is_dir()}
    advocate_of = {page: advocate for ids in shards.values() for advocate, page in ids.items()}
    order = json.loads((site / "search" / "order.json").read_text())
    return {"shards": {k: sorted(ids) for k, ids in shards.items()}, "listed": order["shards"],
            "name": [advocate_of[page] for page in order["name"]],
            # other sorts are places in the name order
            "verified": [advocate_of[order["name"][place]] for place in
                         json.loads((site / "search" / "sorts.json").read_text())["verified"]]}


def _inode(path: Path) -> int:
    return path.stat().st_ino


def test_unchanged_catalog_is_not_rebuilt(sample_repo: Path, sharded: None) -> None:
    site = sample_repo / "site"
    first = build(sample_repo, site, AS_OF)
    assert not first.up_to_date
    before = _inode(site / PAGE)
    (sample_repo / PROFILE).touch()  # a checkout touches files without changing them
    again = build(sample_repo, site, AS_OF)
    assert again.up_to_date and "up to date" in str(again)
    assert _inode(site / PAGE) == before


def test_one_changed_profile_redoes_its_page_its_lists_and_its_shard(sample_repo: Path,
                                                                       sharded: None) -> None:
    site = sample_repo / "site"
    build(sample_repo, site, AS_OF)
    shard = search.shard_of("aino-virtanen", 4)
    other_shard = next(k for k in range(4) if k != shard)
    untouched = {name: _inode(site / name) for name in
                 (OTHER_PAGE, f"search/{other_shard}/pagefind-entry.json")}
    profile = sample_repo / PROFILE
    profile.write_text(profile.read_text().replace("title: ", "title: Acting ", 1))
    summary = build(sample_repo, site, AS_OF)
    assert not summary.up_to_date
    assert "Acting Director of Network Data" in (site / PAGE).read_text()
    assert "Acting Director of Network Data" in (site / "advocates.json").read_text()
    assert all(_inode(site / name) == inode for name, inode in untouched.items())
    assert (site / f"search/{shard}/pagefind-entry.json").stat().st_ino != untouched[
        f"search/{other_shard}/pagefind-entry.json"]


def test_incremental_build_writes_what_a_full_build_writes(sample_repo: Path, tmp_path: Path,
                                                          sharded: None) -> None:
    site = sample_repo / "site"
    build(sample_repo, site, AS_OF)
    profile = sample_repo / PROFILE
    profile.write_text(profile.read_text().replace("title: ", "title: Acting ", 1))
    (sample_repo / "advocates" / "gareth-llewellyn.yaml").unlink()
    build(sample_repo, site, AS_OF)
    full = tmp_path / "full"
    build(sample_repo, full, AS_OF, reuse=False)
    assert _files(site) == _files(full)
    assert _search(site) == _search(full)
    assert "gareth-llewellyn" not in _search(site)["name"]


@pytest.mark.parametrize("shared", ["templates/base.html", "catalog.yaml"])
def test_a_change_every_page_depends_on_rebuilds_everything(sample_repo: Path, shared: str) -> None:
    site = sample_repo / "site"
    build(sample_repo, site, AS_OF)
    before = _inode(site / OTHER_PAGE)
    path = sample_repo / shared
    path.write_text(path.read_text() + "\n")
    assert not build(sample_repo, site, AS_OF).up_to_date
    assert _inode(site / OTHER_PAGE) != before


def test_a_new_day_rebuilds_and_a_hand_replaced_site_is_rebuilt(sample_repo: Path) -> None:
    site = sample_repo / "site"
    build(sample_repo, site, AS_OF)
    assert build(sample_repo, site, AS_OF).up_to_date
    assert not build(sample_repo, site, AS_OF.replace(day=24)).up_to_date
    os.rename(site, sample_repo / "moved")
    (sample_repo / "moved").rename(site)  # same folder back: still the build's own
    assert build(sample_repo, site, AS_OF.replace(day=24)).up_to_date
    os.rename(site, sample_repo / "elsewhere")
    site.mkdir()
    assert not build(sample_repo, site, AS_OF.replace(day=24)).up_to_date
    assert (site / "index.html").exists()


def test_a_site_restored_by_ci_builds_incrementally(sample_repo: Path, tmp_path: Path,
                                                    sharded: None) -> None:
    """deploy.yml restores last run's site/ and cache on a fresh runner: new inodes, same
    content. The build id in the marker file says it is that build's own site."""
    import shutil

    site = sample_repo / "site"
    full = build(sample_repo, site, AS_OF)
    shutil.copytree(site, tmp_path / "saved", symlinks=True)
    shutil.rmtree(site)
    shutil.copytree(tmp_path / "saved", site, symlinks=True)  # as actions/cache restores it
    untouched = _inode(site / OTHER_PAGE)
    profile = sample_repo / PROFILE
    profile.write_text(profile.read_text().replace("title: ", "title: Acting ", 1))
    summary = build(sample_repo, site, AS_OF)
    assert "Acting Director of Network Data" in (site / PAGE).read_text()
    assert _inode(site / OTHER_PAGE) == untouched  # incremental: other profiles were not rewritten
    assert summary.pages < full.pages / 4


def test_an_interrupted_update_leads_to_a_full_rebuild(sample_repo: Path) -> None:
    from advocate_catalog import cache

    site = sample_repo / "site"
    build(sample_repo, site, AS_OF)
    journal = cache.journal_file(cache.folder(sample_repo, site))
    journal.write_text("cut off\n")  # as if the machine stopped while files were moved in
    before = _inode(site)
    summary = build(sample_repo, site, AS_OF)
    assert not summary.up_to_date and _inode(site) != before  # a whole new site, swapped in
    assert not journal.exists()
    assert build(sample_repo, site, AS_OF).up_to_date


def test_each_story_renders_once_per_build_and_not_again_when_unchanged(sample_repo: Path,
                                                                        monkeypatch) -> None:
    """Stories render when validated; pages, cards and summaries reuse that HTML, and the next
    build takes it from the cache for every file that did not change."""
    from advocate_catalog import story

    calls: list[str] = []
    real = story.cmarkgfm.markdown_to_html_with_extensions

    def counting(text: str, **options: object) -> str:
        calls.append(text)
        return real(text, **options)

    monkeypatch.setattr(story.cmarkgfm, "markdown_to_html_with_extensions", counting)
    story._render.cache_clear()
    site = sample_repo / "site"
    build(sample_repo, site, AS_OF)
    files = [*(sample_repo / "advocates").glob("*.yaml"), *(sample_repo / "nominations").glob("*.yaml")]
    with_story = [f for f in files if "\nstory:" in f.read_text()]
    assert len(calls) == len(set(calls)) == len(with_story)
    calls.clear()
    story._render.cache_clear()
    profile = sample_repo / PROFILE
    profile.write_text(profile.read_text().replace("title: ", "title: Acting ", 1))
    build(sample_repo, site, AS_OF)
    assert len(calls) == 1
