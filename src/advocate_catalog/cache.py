"""What the last build saw, so the next one redoes only what changed.

A build is reused piece by piece when its *fingerprint* is unchanged: the tool's own code, the
config and targets, the schemas, the templates and the day it was built for (freshness and
availability are relative to it). Any change there and everything is rebuilt. Within one
fingerprint, each data file is known by size and modification time, then by content hash, so a
checkout that touches files without changing them costs no rebuild either.

The cache is data, never code: JSON, checked on load and ignored when it is not what a build
writes. It lives in the user's cache folder (`$ADVOCATE_CATALOG_CACHE`, else
`$XDG_CACHE_HOME/advocate-catalog`, else `~/.cache/advocate-catalog`), outside the data
repository, where a pull request cannot plant it. A cache folder inside the repository is refused
when git tracks anything in it or any part of its path is a symbolic link. Nothing is read or
written through a symbolic link, only regular files are read, and every read has a size limit.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import importlib.metadata
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import git, layers, theme
from .errors import Issue
from .load import Document, FileTooLarge, Positions, read_regular

PACKAGE = Path(__file__).parent
VERSION = 6  # bump when the cache's layout changes
GLOBAL_FILES = ("catalog.yaml", "targets.yaml")
GLOBAL_FOLDERS = ("schemas", "templates")
DATA_FOLDERS = ("advocates", "nominations")
MAX_SHARED_BYTES = 10_000_000  # a config, schema or template file larger than this is not hashed
MAX_DATA_BYTES = 1_000_000  # as load.MAX_FILE_BYTES: a larger data file fails validation anyway
MAX_CACHE_BYTES = 2_000_000_000

Stat = tuple[int, int]  # size, modification time in ns


@dataclass
class State:
    fingerprint: str
    site: str  # the build id in the site's marker file: a site replaced by hand is rebuilt
    stats: dict[str, Stat]  # data file (as displayed, e.g. advocates/x.yaml) -> stat
    hashes: dict[str, str]  # data file -> content hash
    shards: int = 1
    members: dict[str, tuple[int, str]] = field(default_factory=dict)  # listed id -> shard, file hash
    page_ids: dict[int, dict[str, str]] = field(default_factory=dict)  # shard -> {id: Pagefind id}
    collections: list[str] = field(default_factory=list)  # files listing many advocates
    digests: dict[str, str] = field(default_factory=dict)  # browse page -> digest of its cards
    files: list[str] = field(default_factory=list)  # every file the site holds, as built
    folders: dict[str, int] = field(default_factory=dict)  # its folders -> modification time (ns)


class CacheRefused(Exception):
    """The configured cache folder may not be used; the build goes on without a cache."""


HOME_VARIABLE = "ADVOCATE_CATALOG_CACHE"
HOME_NAME = "advocate-catalog"  # the folder in the user's cache folder
# Where home() looks, in its order; the help texts and the README say it in these words.
HOME = f"${HOME_VARIABLE}, else $XDG_CACHE_HOME/{HOME_NAME}, else ~/.cache/{HOME_NAME}"


def home() -> Path:
    """The folder all build caches of this user live in (see HOME)."""
    configured = os.environ.get(HOME_VARIABLE)
    if configured:
        return Path(configured).absolute()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / HOME_NAME


def folder(root: Path, site: Path) -> Path:
    """This catalog's and this site's own cache folder; CacheRefused when it must not be used."""
    cache_home = home()
    root = root.resolve()
    if cache_home.is_relative_to(root) or cache_home.resolve().is_relative_to(root):
        for part in [root, *reversed(cache_home.parents), cache_home]:
            if part.is_relative_to(root) and part != root and part.is_symlink():
                raise CacheRefused(f"{part.relative_to(root)} is a symbolic link")
        inside = cache_home.relative_to(root).as_posix()
        if git.is_repository(root) and git.git(root, "ls-files", "--", inside, check=False).stdout:
            raise CacheRefused(f"git tracks files in {inside}/")
    key = hashlib.blake2b(f"{root}\0{site.resolve()}".encode(), digest_size=10).hexdigest()
    return cache_home / key


def _digest(paths: list[Path], extra: str = "") -> str:
    digest = hashlib.blake2b(extra.encode(), digest_size=16)
    for path in paths:
        digest.update(str(path).encode() + b"\0")
        try:
            digest.update(read_regular(path, MAX_SHARED_BYTES))
        except FileTooLarge as error:
            digest.update(f"too large {error.size}".encode())
        except OSError:
            digest.update(b"unreadable")
    return digest.hexdigest()


def fingerprint(root: Path, today: dt.date) -> str:
    """Everything every page depends on, hashed: code, config, targets, the theme's files,
    schemas, templates, day, and Pagefind's version (the search page runs one shard's Pagefind
    over every shard's index)."""
    code = sorted(PACKAGE.rglob("*.py"))
    shared = [root / name for name in (*GLOBAL_FILES, *theme.named(root))]
    for name in GLOBAL_FOLDERS:
        for folder in layers.layers(root, name):  # the data repository's and the defaults
            for base, dirs, files in os.walk(folder):  # never into linked folders
                dirs.sort()
                shared += [Path(base, file) for file in sorted(files)]
    return _digest(code, f"{VERSION}|{today.isoformat()}|{_pagefind_version()}") + _digest(shared)


def _pagefind_version() -> str:
    try:
        return importlib.metadata.version("pagefind-bin")
    except importlib.metadata.PackageNotFoundError:
        return ""


def scan(root: Path) -> dict[str, Stat]:
    """Size and modification time of every data file, keyed like validation shows paths; a
    link or anything else that is not a regular file counts with a size of -1 (never read)."""
    found = {}
    for name in DATA_FOLDERS:
        if not (root / name).is_dir() or (root / name).is_symlink():
            continue
        with os.scandir(root / name) as entries:
            for entry in entries:
                info = entry.stat(follow_symlinks=False)
                size = info.st_size if stat.S_ISREG(info.st_mode) else -1
                found[f"{name}/{entry.name}"] = (size, info.st_mtime_ns)
    return found


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


SITE_MARKER = ".advocate-catalog-site"  # in every site this tool builds: only such a folder is replaced


def site_identity(site: Path) -> str:
    """The build id a full build writes into the site's marker file ('' without one). Unlike the
    folder's inode it survives a copy, so a CI job that restores last run's site and cache (see
    deploy.yml) builds incrementally; a site built by another run or by hand has another id."""
    try:
        text = read_regular(site / SITE_MARKER, 4096).decode("utf-8", "replace")
    except OSError:
        return ""
    found = re.search(r"^build ([0-9a-f]{32})$", text, re.M)
    return found.group(1) if found else ""


def state_file(cache_folder: Path) -> Path:
    return cache_folder / "state.json"


def side_file(cache_folder: Path, kind: str) -> Path:
    """What only a build with work to do needs (validated documents, rendered cards), kept
    apart from the state: the check for "nothing changed" never reads them."""
    return cache_folder / f"{kind}.json"


def journal_file(cache_folder: Path) -> Path:
    """Present while an incremental build moves files into the live site, and until its state is
    saved: found at the start of a build, it means the last one was cut off: rebuild in full."""
    return cache_folder / "applying"


def _read_json(path: Path) -> Any:
    try:
        return json.loads(read_regular(path, MAX_CACHE_BYTES))
    except (OSError, ValueError):
        return None


def _write(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write through a new temporary file, then rename it over `path`: an interrupted save leaves
    the old file or none, and a symbolic link planted at `path` is replaced, never followed.
    `data` may come in pieces, so a large cache is never held as one string."""
    cache_folder = path.parent
    cache_folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if cache_folder.is_symlink() or not cache_folder.is_dir():
        raise OSError(errno.ELOOP, f"{cache_folder} is not a plain folder")
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    handle = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(handle, "wb") as stream:
        if isinstance(data, bytes):
            stream.write(data)
        else:
            stream.writelines(data)
    os.replace(partial, path)


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _is(value: Any, kind: Any) -> bool:
    """A small shape check for what JSON gives back: str, int, [kind], {kind}, (kind, kind)."""
    if kind is str or kind is int:
        return type(value) is kind
    if isinstance(kind, list):
        return isinstance(value, list) and all(_is(item, kind[0]) for item in value)
    if isinstance(kind, dict):
        return isinstance(value, dict) and all(_is(item, kind["*"]) for item in value.values())
    if isinstance(kind, tuple):
        return isinstance(value, list) and len(value) == len(kind) and all(
            _is(item, part) for item, part in zip(value, kind, strict=True))
    return False


_STATE_SHAPE = {"fingerprint": str, "site": str, "stats": {"*": (int, int)},
                "hashes": {"*": str}, "shards": int, "members": {"*": (int, str)},
                "page_ids": {"*": {"*": str}}, "collections": [str], "digests": {"*": str},
                "files": [str], "folders": {"*": int}}


def load_state(path: Path) -> State | None:
    """The state saved at `path`, or None when there is none or it is not what a build writes."""
    saved = _read_json(path)
    if not isinstance(saved, dict) or saved.get("version") != VERSION or not all(
            _is(saved.get(key), shape) for key, shape in _STATE_SHAPE.items()):
        return None
    try:
        page_ids = {int(k): v for k, v in saved["page_ids"].items()}
    except ValueError:
        return None
    return State(saved["fingerprint"], saved["site"],
                 {k: (v[0], v[1]) for k, v in saved["stats"].items()}, saved["hashes"],
                 saved["shards"], {k: (v[0], v[1]) for k, v in saved["members"].items()},
                 page_ids, saved["collections"], saved["digests"], saved["files"],
                 saved["folders"])


def save_state(path: Path, state: State) -> None:
    _write(path, _json({"version": VERSION, **asdict(state)}))


_ISSUE_SHAPE = (int, int, str, str, str)


def load_documents(path: Path, fingerprint_now: str, hashes: dict[str, str]) -> dict[str, Document]:
    """Documents validated by an earlier build with the same fingerprint, of the files whose
    content hash is still the one they were validated from; any entry not as written is left
    out. Each carries its own hash, so the file may be saved before the build is done."""
    saved = _read_json(path)
    if not isinstance(saved, dict) or saved.get("version") != VERSION \
            or saved.get("fingerprint") != fingerprint_now \
            or not isinstance(saved.get("documents"), dict):
        return {}
    from .story import clean_again  # the cleaner loads only when a build has work to do

    documents = {}
    for name, entry in saved["documents"].items():
        if not (isinstance(entry, dict) and name in hashes and entry.get("hash") == hashes[name]
                and isinstance(entry.get("data"), dict | None)
                and _is(entry.get("issues"), [_ISSUE_SHAPE]) and _is(entry.get("positions"), str)
                and _is(entry.get("story_html"), str)
                and isinstance(entry.get("refused"), list)
                and all(isinstance(r, list) and all(type(part) in (str, int) for part in r)
                        for r in entry["refused"])
                and all(i[2] in ("error", "warning", "notice") for i in entry["issues"])):
            continue
        documents[name] = Document(
            name, entry["data"], [Issue(name, *issue) for issue in entry["issues"]],
            {tuple(r) for r in entry["refused"]}, Positions.from_json(entry["positions"]),
            clean_again(entry["story_html"]))
    return documents


def save_documents(path: Path, documents: dict[str, Document], fingerprint_now: str,
                   hashes: dict[str, str]) -> None:
    """One JSON object, written document by document: at 10,000 profiles the whole text would
    be the build's largest allocation."""
    def pieces() -> Iterator[bytes]:
        yield f'{{"version":{VERSION},"fingerprint":{_json(fingerprint_now).decode()},"documents":{{'.encode()
        for n, (name, doc) in enumerate(documents.items()):
            entry = {"hash": hashes.get(name, ""), "data": doc.data,
                     "refused": [list(r) for r in doc.refused],
                     "issues": [[i.line, i.col, i.severity, i.message, i.hint] for i in doc.issues],
                     "positions": doc.positions.to_json(), "story_html": doc.story_html}
            yield (b"," if n else b"") + _json(name) + b":" + _json(entry)
        yield b"}}"
    _write(path, pieces())


def load_cards(path: Path) -> dict[str, tuple[str, str]]:
    """Rendered cards of the last build: {advocate id: (digest of its data, HTML)}."""
    saved = _read_json(path)
    if not isinstance(saved, dict) or saved.get("version") != VERSION \
            or not _is(saved.get("cards"), {"*": (str, str)}):
        return {}
    return {i: (card[0], card[1]) for i, card in saved["cards"].items()}


def save_cards(path: Path, cards: dict[str, tuple[str, str]]) -> None:
    _write(path, _json({"version": VERSION, "cards": cards}))


def load_exports(path: Path) -> dict[str, tuple[str, str, str]]:
    """Each profile's entries in the exports of the last build: {advocate id: (hash of its
    file, its advocates.json entry, its advocates.csv line)}; valid within one fingerprint."""
    saved = _read_json(path)
    if not isinstance(saved, dict) or saved.get("version") != VERSION \
            or not _is(saved.get("exports"), {"*": (str, str, str)}):
        return {}
    return {i: (entry[0], entry[1], entry[2]) for i, entry in saved["exports"].items()}


def save_exports(path: Path, exports: dict[str, tuple[str, str, str]]) -> None:
    _write(path, _json({"version": VERSION, "exports": exports}))


def load_activity_lines(path: Path) -> dict[str, tuple[str, dict[str, str]]]:
    """Each profile's lines of value/activities.csv in the last build: {advocate id: (hash of
    its file, {index of the entry in the file: line})}; valid within one fingerprint."""
    saved = _read_json(path)
    if not isinstance(saved, dict) or saved.get("version") != VERSION \
            or not _is(saved.get("lines"), {"*": (str, {"*": str})}):
        return {}
    return {i: (entry[0], entry[1]) for i, entry in saved["lines"].items()}


def save_activity_lines(path: Path, lines: dict[str, tuple[str, dict[str, str]]]) -> None:
    _write(path, _json({"version": VERSION, "lines": lines}))


_WORDS_SHAPE = {"*": (str, ([str], [[str]], [str], [str]))}


def load_words(path: Path, fingerprint_now: str) -> dict[str, tuple[str, Any]]:
    """One search shard's profiles' parts of its word list, as the last build with this
    fingerprint made them: {advocate id: (hash of its file, search.ProfileWords)}."""
    saved = _read_json(path)
    if not isinstance(saved, dict) or saved.get("version") != VERSION \
            or saved.get("fingerprint") != fingerprint_now \
            or not _is(saved.get("profiles"), _WORDS_SHAPE):
        return {}
    return {i: (entry[0], tuple(entry[1])) for i, entry in saved["profiles"].items()}


def save_words(path: Path, fingerprint_now: str, profiles: dict[str, tuple[str, Any]]) -> None:
    _write(path, _json({"version": VERSION, "fingerprint": fingerprint_now, "profiles": profiles}))


def mark_applying(path: Path) -> None:
    _write(path, b"an incremental update of the site was under way\n")


def site_files(site: Path) -> set[str]:
    """Every file and link under `site` (relative paths): what a build compares with the files
    it wrote, so anything else found there is deleted, never published. Links are listed, never
    followed; directory entries' own types are used, so no file is stat'ed (28,000 files of a
    10,000-profile site in ~0.1 s)."""
    found: set[str] = set()
    pending = [""]
    while pending:
        prefix = pending.pop()
        try:
            entries = os.scandir(site / prefix if prefix else site)
        except OSError:
            continue
        with entries:
            for entry in entries:
                relative = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    pending.append(relative + "/")
                else:
                    found.add(relative)
    return found


def folder_times(site: Path, files: Iterable[str]) -> dict[str, int]:
    """Modification time of every folder holding `files` (the site's own: "" for its root). A
    file added to or removed from a folder changes its time, so comparing these finds a planted
    file with one stat per folder, without listing any (10,000 profiles: ~0.03 s, not ~0.2)."""
    folders = {""}
    for relative in files:
        parts = relative.split("/")[:-1]
        folders.update("/".join(parts[:n]) for n in range(1, len(parts) + 1))
    return _times(site, folders)


def _times(site: Path, folders: Iterable[str]) -> dict[str, int]:
    times = {}
    base = os.fspath(site)
    for folder in folders:
        try:
            info = os.stat(f"{base}/{folder}" if folder else base, follow_symlinks=False)
        except OSError:
            continue
        if stat.S_ISDIR(info.st_mode):
            times[folder] = info.st_mtime_ns
    return times


def site_intact(site: Path, state: State) -> bool:
    """The site's folders are as the last build left them: nothing added, removed or renamed."""
    return bool(state.folders) and _times(site, state.folders) == state.folders


def describes(state: State | None, fingerprint_now: str, site: Path) -> bool:
    """The state is of the site as it stands: same inputs it depends on, same folder."""
    return (state is not None and state.fingerprint == fingerprint_now and site.is_dir()
            and state.site == site_identity(site))


def unchanged(state: State | None, fingerprint_now: str, site: Path, stats: dict[str, Stat],
              root: Path) -> tuple[bool, dict[str, str]]:
    """(whether the last build's site is still exact, content hashes of the files now).

    Files whose size and time match the state keep their hash unread; the others are hashed.
    Only regular files within the size limit are read: anything else hashes to its stat.
    """
    known = state.hashes if state and state.fingerprint == fingerprint_now else {}
    hashes = {}
    for name, info in stats.items():
        if state is not None and name in known and state.stats.get(name) == info:
            hashes[name] = known[name]
            continue
        try:
            hashes[name] = content_hash(read_regular(root / name, MAX_DATA_BYTES))
        except OSError:
            hashes[name] = f"unread {info[0]} {info[1]}"
    return state is not None and describes(state, fingerprint_now, site) and hashes == state.hashes, hashes
