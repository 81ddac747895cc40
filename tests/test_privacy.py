"""Private fields, unlisted advocates and nominations never reach any byte the build writes,
and the build writes nowhere but site/."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from advocate_catalog.build import MARKER, build

from conftest import AS_OF, write

CASES = Path(__file__).parent / "cases"
PROFILE = (CASES / "valid" / "full-profile.yaml").read_text()
NOMINATION = """\
id: {id}
name: {name}
title: Data Lead
company: {{name: {company}, industry: retail, size: small, region: emea, country: DK}}
products: [analytics]
nominated_by: grace.whitfield@tessellate.example
nominated_on: 2026-11-01
owner: elise-fontaine
reason: {reason}
"""


def all_output_bytes(site: Path) -> list[tuple[Path, bytes]]:
    """Every file under `site`, gzip files (Pagefind's index and fragments) decompressed."""
    out = []
    for path in sorted(site.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            out.append((path, data))
    return out


# Activity of unlisted advocates: the value page counts activity, so its text must not ride along.
UNLISTED = ("inactive", "nominated", "noconsent", "expired")
ACTIVITY_FIELDS = ("requested_by", "opportunity", "notes")


def _canary(kind: str, field: str) -> str:
    return f"CANARY-ACTIVITY-{field.upper().replace('_', '-')}-{kind.upper()}"


def _profile(advocate_id: str, name: str, **replace: str) -> str:
    text = PROFILE.replace("id: full-profile", f"id: {advocate_id}").replace("Zoë Ankerson", name)
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    return text


def _with_activity(text: str, kind: str) -> str:
    """`text` with one logged activity whose every free-text field is a canary of `kind`."""
    entry = "".join(f"    {field}: {_canary(kind, field)}\n" for field in ACTIVITY_FIELDS)
    return text.replace("private:\n", "activity:\n  - date: 2026-09-14\n    type: reference-call\n"
                        f"{entry}    amount: 120000\n    outcome: won\nprivate:\n")


@pytest.fixture(scope="module")
def leaky_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample catalog plus one profile of each kind that must leave no trace."""
    from conftest import copy_repo

    repo = copy_repo(tmp_path_factory.mktemp("privacy") / "repo")
    folder = repo / "advocates"
    write(folder, "listed-one.yaml", _profile(
        "listed-one", "Listed Lindqvist", **{"notes: none": "notes: CANARY-PRIVATE-NOTES",
                                            "contact: zoe@harbourline.example":
                                            "contact: canary-contact@private.example\n"
                                            "  external_id: CANARY-EXTERNAL-ID"}))
    write(folder, "inactive-one.yaml", _with_activity(_profile(
        "inactive-one", "Canaryinactive Person", **{"status: active": "status: inactive"}),
        "inactive"))
    write(folder, "nominated-one.yaml", _with_activity(_profile(
        "nominated-one", "Canarynominated Person", **{"status: active": "status: nominated"}),
        "nominated"))
    write(folder, "no-consent.yaml", _with_activity(_profile("no-consent", "Canarynoconsent Person", **{
        "scope: [internal-catalog, name-and-logo]": "scope: [name-and-logo]"}), "noconsent"))
    write(folder, "consent-expired.yaml", _with_activity(_profile(
        "consent-expired", "Canaryexpired Person", **{"expires_on: 2028-01-10":
                                                      "expires_on: 2026-11-01"}), "expired"))
    write(repo / "nominations", "canary-nominee.yaml", NOMINATION.format(
        id="canary-nominee", name="Canarynominee Person", company="Canarynominee Foods",
        reason="CANARY-NOMINATION-REASON"))
    build(repo, repo / "site", AS_OF)  # raises InvalidData if a planted profile is invalid
    return repo / "site"


def test_the_scanner_reads_inside_the_search_index(leaky_site: Path) -> None:
    files = all_output_bytes(leaky_site)
    fragments = [data for path, data in files if path.suffix == ".pf_fragment"]
    assert fragments and any(b"Listed Lindqvist" in data for data in fragments)


@pytest.mark.parametrize("canary", [
    "CANARY-PRIVATE-NOTES", "canary-contact@private.example", "CANARY-EXTERNAL-ID", "Canaryinactive",
    "Canarynoconsent", "Canaryexpired", "Canarynominated", "Canarynominee", "CANARY-NOMINATION-REASON",
    *(_canary(kind, field) for kind in UNLISTED for field in ACTIVITY_FIELDS)])
def test_canary_is_in_no_output_file(leaky_site: Path, canary: str) -> None:
    for path, data in all_output_bytes(leaky_site):
        assert canary.lower().encode() not in data.lower(), path.relative_to(leaky_site)


def test_sample_private_notes_never_reach_the_site(built_site: Path, sample_catalog) -> None:
    from advocate_catalog.load import read

    notes = []
    for path in (Path(__file__).parent.parent / "advocates").glob("*.yaml"):
        private = (read(path, path.name).data or {}).get("private") or {}
        notes += [v for v in private.values() if isinstance(v, str) and len(v) > 12]
    assert notes, "the sample data has private notes to look for"
    output = b"".join(data for _, data in all_output_bytes(built_site))
    for note in notes:
        assert note.encode() not in output


def _snapshot(folder: Path) -> dict[str, tuple[int, int] | str]:
    """Files with size and time, folders by name (a folder's time changes when site/ appears)."""
    return {str(p.relative_to(folder)): "folder" if p.is_dir() else
            (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


def test_build_writes_nothing_outside_site(sample_repo: Path, build_cache_home: Path) -> None:
    before = _snapshot(sample_repo.parent)
    build(sample_repo, sample_repo / "site", AS_OF)
    build(sample_repo, sample_repo / "site", AS_OF, reuse=False)  # a rebuild over an existing site
    after = {k: v for k, v in _snapshot(sample_repo.parent).items() if not k.startswith("repo/site")}
    assert after == before
    # The build cache sits in the user's cache folder: not in the repository, not in the site.
    assert any(build_cache_home.iterdir())
    assert not [p for p in (sample_repo / "site").rglob("*") if "cache" in p.name.lower()]


# Pagefind's own index files are named by content and not reproducible from run to run (its filter
# files come out in a different order for the same pages); the canary test searches them.
PAGEFIND_FILES = {".pf_filter", ".pf_meta", ".pf_index", ".pf_fragment"}


def test_hidden_people_change_no_published_byte(sample_repo: Path, tmp_path: Path,
                                                sample_catalog) -> None:
    """Nominations and unlisted profiles leave no trace at all: no name hash a guesser could
    confirm a name against (nominate/names.json), no count (value and owner pages). The sample
    built with them and without them publishes the same bytes (our own files; the canary test
    covers Pagefind's)."""
    listed = {a.path for a in sample_catalog.listed(AS_OF)}
    bare = tmp_path / "bare"
    shutil.copytree(sample_repo, bare)
    removed = [p for p in (bare / "advocates").glob("*.yaml") if f"advocates/{p.name}" not in listed]
    removed += list((bare / "nominations").glob("*.yaml"))
    assert len(removed) > 8
    for path in removed:
        path.unlink()
    sites = {}
    for name, repo in (("full", sample_repo), ("bare", bare)):
        build(repo, repo / "site", AS_OF, reuse=False)
        sites[name] = {str(p.relative_to(repo / "site")): data
                       for p, data in all_output_bytes(repo / "site")
                       if p.name not in (MARKER, "pagefind-entry.json") and p.suffix not in PAGEFIND_FILES}
    assert sites["full"].keys() == sites["bare"].keys()
    assert "nominate/names.json" in sites["full"] and "value/index.html" in sites["full"]
    assert [p for p in sites["full"] if sites["full"][p] != sites["bare"][p]] == []
