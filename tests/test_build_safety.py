"""What a pull request can plant around a build: a cache that runs code, a link that leads the
cache into the site or to /dev/zero, an output folder that is not the build's to replace."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from advocate_catalog import cache
from advocate_catalog.build import MARKER, build
from advocate_catalog.cli import main
from advocate_catalog.errors import BuildError

from conftest import AS_OF, ROOT


class _Planted:
    """Unpickling this creates a file: proof that a cache was read with pickle."""

    def __init__(self, proof: Path) -> None:
        self.proof = proof

    def __reduce__(self) -> tuple:
        return (Path.write_text, (self.proof, "pickle ran"))


def _site_bytes(site: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file())


def test_the_cache_is_json_outside_the_repository(sample_repo: Path, build_cache_home: Path) -> None:
    site = sample_repo / "site"
    build(sample_repo, site, AS_OF)
    folder = cache.folder(sample_repo, site)
    assert folder.is_relative_to(build_cache_home) and not (sample_repo / ".cache").exists()
    for name in ("state.json", "documents.json", "cards.json"):
        assert json.loads((folder / name).read_bytes())["version"] == cache.VERSION


def test_a_planted_pickle_is_never_read(sample_repo: Path, tmp_path: Path, monkeypatch) -> None:
    proof = tmp_path / "proof"
    monkeypatch.delenv("ADVOCATE_CATALOG_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(sample_repo / ".cache"))  # as a runner's might be
    site = sample_repo / "site"
    build(sample_repo, site, AS_OF)
    folder = cache.folder(sample_repo, site)
    for name in [*(p.name for p in folder.iterdir()), "build.pickle", "state.pickle"]:
        (folder / name).write_bytes(pickle.dumps(_Planted(proof)))
    for old in (sample_repo / ".cache" / "advocate-catalog").glob("*"):
        if old.is_dir():
            (old / "build-0.pickle").write_bytes(pickle.dumps(_Planted(proof)))
    summary = build(sample_repo, site, AS_OF)
    assert not proof.exists()
    assert not summary.up_to_date  # the planted files were not a state: a full build


def test_a_damaged_cache_costs_a_rebuild_not_the_build(sample_repo: Path) -> None:
    site = sample_repo / "site"
    build(sample_repo, site, AS_OF)
    reference = _site_bytes(site / "advocates")
    folder = cache.folder(sample_repo, site)
    version = cache.VERSION
    damaged = {"state.json": b'{"version": %d, "fingerprint": 7}' % version, "documents.json":
               b'{"version": %d, "documents": {"advocates/x.yaml": {"data": [1]}}}' % version,
               "cards.json": b"\xff\xfe not json"}
    for name, text in damaged.items():
        (folder / name).write_bytes(text)
    (sample_repo / "advocates" / "aino-virtanen.yaml").touch()
    assert not build(sample_repo, site, AS_OF).up_to_date
    assert _site_bytes(site / "advocates") == reference


def test_a_cache_folder_linked_into_the_site_is_refused(sample_repo: Path, monkeypatch) -> None:
    """`.cache -> site` committed: the document cache (private notes, unlisted advocates) must
    never be written through the link into what deploy publishes."""
    site = sample_repo / "site"
    site.mkdir()
    (sample_repo / ".cache").symlink_to("site")
    monkeypatch.setenv("ADVOCATE_CATALOG_CACHE", str(sample_repo / ".cache" / "advocate-catalog"))
    messages: list[str] = []
    build(sample_repo, site, AS_OF, progress=messages.append)
    assert any("without a cache" in m and "symbolic link" in m for m in messages)
    published = [p for p in site.rglob("*") if p.suffix == ".json" and "search" not in p.parts
                 and p.name != "card.json"]  # each profile's result card, beside its page
    assert sorted(p.name for p in published) == ["advocates.json", "names.json"]
    secrets = [str(note).encode() for a in (sample_repo / "advocates").glob("*.yaml")
               for note in (yaml.safe_load(a.read_text()).get("private") or {}).values()]
    published_bytes = _site_bytes(site)
    assert secrets and not [s for s in secrets if s in published_bytes]


def test_a_cache_folder_tracked_by_git_is_refused(sample_repo: Path, monkeypatch) -> None:
    subprocess.run(["git", "init", "-q", str(sample_repo)], check=True)
    planted = sample_repo / ".cache" / "advocate-catalog" / "state.json"
    planted.parent.mkdir(parents=True)
    planted.write_text("{}")
    subprocess.run(["git", "-C", str(sample_repo), "add", "-f", ".cache"], check=True)
    monkeypatch.setenv("ADVOCATE_CATALOG_CACHE", str(planted.parent))
    with pytest.raises(cache.CacheRefused, match="git tracks"):
        cache.folder(sample_repo, sample_repo / "site")
    messages: list[str] = []
    build(sample_repo, sample_repo / "site", AS_OF, progress=messages.append)
    assert planted.read_text() == "{}" and any("without a cache" in m for m in messages)


def test_a_link_planted_at_a_cache_file_is_replaced_not_followed(sample_repo: Path,
                                                                tmp_path: Path) -> None:
    site = sample_repo / "site"
    build(sample_repo, site, AS_OF)
    folder = cache.folder(sample_repo, site)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (folder / "documents.json").unlink()
    (folder / "documents.json").symlink_to(victim)
    profile = sample_repo / "advocates" / "aino-virtanen.yaml"
    profile.write_text(profile.read_text().replace("title: ", "title: Acting ", 1))
    build(sample_repo, site, AS_OF)
    assert victim.read_text() == "keep me"
    assert not (folder / "documents.json").is_symlink()


def test_a_hidden_link_to_dev_zero_is_never_read(sample_repo: Path, tmp_path: Path) -> None:
    """`advocates/.keep -> /dev/zero` passes validation (dot-files are skipped); the cache scan
    must not read it. The build runs with 3 GB of address space: reading the link would fail."""
    (sample_repo / "advocates" / ".keep").symlink_to("/dev/zero")
    (sample_repo / "nominations" / "zero.yaml").symlink_to("/dev/zero")
    script = ("import datetime, resource, sys; from pathlib import Path\n"
              "resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))\n"
              "from advocate_catalog.cache import scan, unchanged\n"
              "root = Path(sys.argv[1]); print(len(unchanged(None, '', root / 'site', scan(root), root)[1]))")
    done = subprocess.run([sys.executable, "-c", script, str(sample_repo)], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert done.returncode == 0, done.stderr[-500:]
    entries = [*(sample_repo / "advocates").iterdir(), *(sample_repo / "nominations").iterdir()]
    assert int(done.stdout) == len(entries)  # every entry counted, the links by their stat


def test_site_only_replaces_a_folder_this_tool_built(sample_repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "docs"
    elsewhere.mkdir()
    (elsewhere / "notes.md").write_text("mine")
    with pytest.raises(BuildError, match="did not build"):
        build(sample_repo, elsewhere, AS_OF)
    assert (elsewhere / "notes.md").read_text() == "mine"
    with pytest.raises(BuildError, match="refusing"):
        build(sample_repo, sample_repo.parent, AS_OF)  # the folder holding the repository
    empty = tmp_path / "empty"
    empty.mkdir()
    build(sample_repo, empty, AS_OF)
    assert (empty / MARKER).is_file() and (empty / "index.html").is_file()
    (empty / "index.html").write_text("old")
    build(sample_repo, empty, AS_OF, reuse=False)  # an earlier build is replaced
    assert (empty / "index.html").read_text() != "old"
    link = tmp_path / "link"
    link.symlink_to(empty)
    with pytest.raises(BuildError, match="symbolic link"):
        build(sample_repo, link, AS_OF)


def test_the_site_is_readable_by_a_web_server_user(sample_repo: Path) -> None:
    old = os.umask(0o022)
    try:
        build(sample_repo, sample_repo / "site", AS_OF)
    finally:
        os.umask(old)
    site = sample_repo / "site"
    assert stat.S_IMODE(site.stat().st_mode) == 0o755
    assert all(p.stat().st_mode & 0o004 for p in site.rglob("*"))


def test_a_linked_static_file_is_refused(sample_repo: Path) -> None:
    (sample_repo / "templates" / "static" / "secret.txt").symlink_to(sample_repo / "catalog.yaml")
    with pytest.raises(BuildError, match="symbolic link"):
        build(sample_repo, sample_repo / "site", AS_OF)


def test_long_stages_report_how_far_they_have_got(sample_repo: Path, tmp_path: Path) -> None:
    counts: list[tuple[str, int, int]] = []
    build(sample_repo, tmp_path / "site", AS_OF, reuse=False,
          count=lambda stage, done, total: counts.append((stage, done, total)))
    for stage in ("rendering", "indexing"):
        seen = [(done, total) for name, done, total in counts if name == stage]
        assert seen, stage
        assert [done for done, _ in seen] == sorted(done for done, _ in seen)
        assert seen[-1][0] == seen[-1][1] > 0


def test_the_progress_bar_is_drawn_on_a_terminal_only(capsys: pytest.CaptureFixture[str]) -> None:
    from advocate_catalog.cli import Progress

    plain = Progress(terminal=False)
    plain.stage("rendering 10 of 10 advocates")
    plain.count("rendering", 5, 10)
    assert capsys.readouterr().err == "… rendering 10 of 10 advocates\n"
    bar = Progress(terminal=True)
    bar.count("rendering", 5, 10)
    bar.count("rendering", 10, 10)
    err = capsys.readouterr().err
    assert err.startswith("\r  rendering [" + "#" * 14 + "." * 14 + "] 5/10 · ")
    assert "\r  rendering [" + "#" * 28 + "] 10/10 · " in err and err.endswith(" s\n")


def _build_cli(root: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--root", str(root), "build", "--as-of", AS_OF.isoformat()])
    return result.exit_code, result.output


@pytest.mark.parametrize(("linked", "what"), [
    ("templates/_card.html", "file"), ("templates/static/search.js", "file"),
    ("templates/static", "folder"), ("templates", "folder")])
def test_a_linked_template_file_or_folder_is_refused(sample_repo: Path, tmp_path: Path,
                                                     linked: str, what: str) -> None:
    """A link to an unlisted advocate's file would publish its private note: no file of the
    templates is read through a link, at any depth, the templates/ folder itself included."""
    path = sample_repo / linked
    moved = tmp_path / "elsewhere" / path.name
    moved.parent.mkdir()
    shutil.move(path, moved)
    path.symlink_to(moved, target_is_directory=moved.is_dir())
    code, output = _build_cli(sample_repo)
    assert code == 1
    assert output.splitlines() == [
        f"error: {linked}: a {what} of templates/ is a symbolic link — replace the link with the "
        f"{what} itself; nothing in templates/ is read through a link"]
    assert not (sample_repo / "site").exists()


def test_a_link_deep_in_a_template_folder_is_refused(sample_repo: Path) -> None:
    (sample_repo / "templates" / "emails" / "parts").mkdir(parents=True)
    (sample_repo / "templates" / "emails" / "parts" / "_note.html").symlink_to(
        sample_repo / "advocates" / "aino-virtanen.yaml")
    with pytest.raises(BuildError, match=r"^templates/emails/parts/_note\.html: a file of templates/ "
                                         "is a symbolic link"):
        build(sample_repo, sample_repo / "site", AS_OF)


def test_an_incremental_build_refuses_a_template_turned_into_a_link(sample_repo: Path,
                                                                    tmp_path: Path) -> None:
    """The cache's fingerprint could not see through a link: a target changed behind it would
    never rebuild. A link is refused before the cache is consulted, up to date or not."""
    site = sample_repo / "site"
    build(sample_repo, site, AS_OF)
    assert build(sample_repo, site, AS_OF).up_to_date
    card = sample_repo / "templates" / "_card.html"
    copy = tmp_path / "_card.html"
    shutil.copy(card, copy)
    card.unlink()
    card.symlink_to(copy)
    with pytest.raises(BuildError, match="symbolic link"):
        build(sample_repo, site, AS_OF)
    copy.write_text(copy.read_text() + "{{ advocate.data.private_note }}")
    with pytest.raises(BuildError, match="symbolic link"):
        build(sample_repo, site, AS_OF)


def test_a_linked_schema_is_refused(sample_repo: Path, tmp_path: Path) -> None:
    schema = sample_repo / "schemas" / "advocate.schema.json"
    shutil.move(schema, tmp_path / "advocate.schema.json")
    schema.symlink_to(tmp_path / "advocate.schema.json")
    result = CliRunner().invoke(main, ["--root", str(sample_repo), "validate", "--as-of",
                                       AS_OF.isoformat()])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "error: schemas/advocate.schema.json: a file of schemas/ is a symbolic link — replace the "
        "link with the file itself; nothing in schemas/ is read through a link"]
