"""Every kind of one-profile edit, built incrementally, gives the site a full build gives.

Pagefind names its chunk files after a hash that differs from run to run, so its bundles are
compared by what they hold: each page's fragment (URL, indexed text, metadata, filters), which
Pagefind keys by a hash of that content, and every other file of the site byte for byte
(`search/order.json` and each shard's `words.json` included)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from advocate_catalog import search
from advocate_catalog.build import build

from conftest import AS_OF

PROFILE = "advocates/aino-virtanen.yaml"

ACTIVITY = """activity:
  - date: 2026-11-18
    type: webinar
    requested_by: Product Marketing
    opportunity: Northwind webinar
"""

# (edit, text in the profile, what it becomes), applied one after another to one profile.
EDITS = [
    ("name", "name: Aino Virtanen", "name: Zoe Aino Virtanen"),
    ("industry", "industry: telecom", "industry: retail"),
    ("region", "region: emea", "region: apac"),
    ("products", "products: [observability, edge-sync]", "products: [observability]"),
    ("story", "counted 38 such silent failures", "counted 41 such silent failures"),
    ("owner", "owner: elise-fontaine", "owner: amara-okafor"),
    ("last_verified", "last_verified: 2026-08-19", "last_verified: 2026-11-20"),
    ("activity", "activity:\n", ACTIVITY),
    ("status", "status: active", "status: resting"),
    ("consent expiry", "expires_on: 2027-09-01", "expires_on: 2026-11-01"),  # no longer listed
]


@pytest.fixture
def sharded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "SHARD_SIZE", 10)  # the sample's listed profiles in 4 shards


def _fragments(bundle: Path) -> dict[str, object]:
    found = {}
    for fragment in (bundle / "fragment").glob("*.pf_fragment"):
        raw = gzip.decompress(fragment.read_bytes())
        found[fragment.stem] = json.loads(raw[raw.index(b"{"):])
    return found


def _site(site: Path) -> tuple[dict[str, bytes], dict[str, object]]:
    """(every file outside Pagefind's bundles, byte for byte; each bundle's fragments)."""
    files, bundles = {}, {}
    for path in sorted(site.rglob("*")):
        relative = path.relative_to(site).as_posix()
        if not path.is_file() or relative == ".advocate-catalog-site":  # a build id of its own
            continue
        parts = relative.split("/")
        if parts[0] == search.FOLDER and len(parts) > 2 and parts[2] != "words.json":
            continue  # Pagefind's files, compared by their fragments below
        files[relative] = path.read_bytes()
    for bundle in (site / search.FOLDER).iterdir():
        if bundle.is_dir():
            bundles[bundle.name] = _fragments(bundle)
    return files, bundles


def test_every_kind_of_edit_builds_incrementally_what_a_full_build_makes(
        sample_repo: Path, tmp_path: Path, sharded: None) -> None:
    site = sample_repo / "site"
    build(sample_repo, site, AS_OF)
    profile = sample_repo / PROFILE
    for kind, before, after in EDITS:
        text = profile.read_text(encoding="utf-8")
        assert before in text, kind
        profile.write_text(text.replace(before, after, 1), encoding="utf-8")
        summary = build(sample_repo, site, AS_OF)
        assert not summary.up_to_date, kind
        full = tmp_path / f"full-{kind.replace(' ', '-')}"
        build(sample_repo, full, AS_OF, reuse=False)
        files, bundles = _site(site)
        full_files, full_bundles = _site(full)
        assert sorted(files) == sorted(full_files), kind
        assert [p for p in files if files[p] != full_files[p]] == [], kind
        assert bundles == full_bundles, kind


PAGE = """<html><head><meta data-pagefind-meta="title[content]" content="{title}"></head>
<body><nav>Menu</nav><article data-pagefind-body><h1>{title}</h1><p>{story}</p><br>
<section data-pagefind-ignore><p id="x">{ignored}</p><img src="a.png" alt="{alt}">
<span data-pagefind-filter="status">{status}</span></section></article></body></html>"""


def _view(**changed: str) -> str:
    values = {"title": "Aino", "story": "Telemetry", "ignored": "Last asked", "alt": "logo",
              "status": "active", **changed}
    return search.indexed_view(PAGE.format(**values))


@pytest.mark.parametrize("field", ["title", "story", "alt", "status"])
def test_what_pagefind_reads_changes_the_indexed_view(field: str) -> None:
    assert _view(**{field: "changed"}) != _view()


def test_text_pagefind_ignores_leaves_the_indexed_view_as_it_was() -> None:
    assert _view(ignored="Last asked 5 days ago") == _view()
