"""What the last build saw, so the next one redoes only what changed.

A build is reused piece by piece when its *fingerprint* is unchanged: the tool's own code, the
config and targets, the schemas, the templates and the day it was built for (freshness and
availability are relative to it). Any change there and everything is rebuilt. Within one
fingerprint, each data file is known by size and modification time, then by content hash, so a
checkout that touches files without changing them costs no rebuild either.

The state lives in `.cache/` beside the data (ignored by git), never inside `site/`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).parent
VERSION = 1  # bump when the state's layout changes
GLOBAL_FILES = ("catalog.yaml", "targets.yaml")
GLOBAL_FOLDERS = ("schemas", "templates")
DATA_FOLDERS = ("advocates", "nominations")

Stat = tuple[int, int]  # size, modification time in ns


@dataclass
class State:
    fingerprint: str
    site: tuple[int, int]  # the site folder's device and inode: a site replaced by hand is rebuilt
    stats: dict[str, Stat]  # data file (as displayed, e.g. advocates/x.yaml) -> stat
    hashes: dict[str, str]  # data file -> content hash
    shards: int = 1
    members: dict[str, tuple[int, str]] = field(default_factory=dict)  # listed id -> shard, file hash
    page_ids: dict[int, dict[str, str]] = field(default_factory=dict)  # shard -> {id: Pagefind id}
    collections: list[str] = field(default_factory=list)  # files listing many advocates
    digests: dict[str, str] = field(default_factory=dict)  # browse page -> digest of its cards


def _digest(paths: list[Path], extra: str = "") -> str:
    digest = hashlib.blake2b(extra.encode(), digest_size=16)
    for path in paths:
        digest.update(str(path).encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"")
    return digest.hexdigest()


def fingerprint(root: Path, today: dt.date) -> str:
    """Everything every page depends on, hashed: code, config, targets, schemas, templates, day."""
    code = sorted(PACKAGE.rglob("*.py"))
    shared = [root / name for name in GLOBAL_FILES]
    for folder in GLOBAL_FOLDERS:
        shared += sorted(p for p in (root / folder).rglob("*") if p.is_file())
    return _digest(code, f"{VERSION}|{today.isoformat()}") + _digest(shared)


def scan(root: Path) -> dict[str, Stat]:
    """Size and modification time of every data file, keyed like validation shows paths."""
    found = {}
    for folder in DATA_FOLDERS:
        if not (root / folder).is_dir():
            continue
        with os.scandir(root / folder) as entries:
            for entry in entries:
                info = entry.stat(follow_symlinks=False)
                found[f"{folder}/{entry.name}"] = (info.st_size, info.st_mtime_ns)
    return found


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def site_identity(site: Path) -> tuple[int, int]:
    try:
        info = site.stat()
    except OSError:
        return (0, 0)
    return (info.st_dev, info.st_ino)


def state_file(root: Path, site: Path) -> Path:
    key = hashlib.blake2b(str(site.resolve()).encode(), digest_size=8).hexdigest()
    return root / ".cache" / "advocate-catalog" / f"build-{key}.pickle"


def side_file(state_path: Path, kind: str) -> Path:
    """What only a build with work to do needs (validated documents, rendered cards), kept
    apart from the state: the check for "nothing changed" never reads them."""
    return state_path.with_name(state_path.name.replace("build-", f"{kind}-"))


def journal_file(state_path: Path) -> Path:
    """Present while an incremental build moves files into the live site, and until its state is
    saved: found at the start of a build, it means the last one was cut off: rebuild in full."""
    return state_path.with_name(state_path.name.replace("build-", "applying-"))


def load(path: Path, kind: type = State) -> Any:
    """What was saved at `path`, or None when there is none or it cannot be read (then: redo)."""
    try:
        with path.open("rb") as file:
            saved = pickle.load(file)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError,
            ValueError):
        return None
    return saved if isinstance(saved, kind) else None


def save(path: Path, saved: Any) -> None:
    """Write through a temporary file: an interrupted save leaves the old file or none."""
    path.parent.mkdir(parents=True, exist_ok=True)
    gitignore = path.parent.parent / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text("*\n", encoding="utf-8")
    partial = path.with_suffix(".partial")
    with partial.open("wb") as file:
        pickle.dump(saved, file, protocol=pickle.HIGHEST_PROTOCOL)
    partial.replace(path)


def describes(state: State | None, fingerprint_now: str, site: Path) -> bool:
    """The state is of the site as it stands: same inputs it depends on, same folder."""
    return (state is not None and state.fingerprint == fingerprint_now and site.is_dir()
            and state.site == site_identity(site))


def unchanged(state: State | None, fingerprint_now: str, site: Path, stats: dict[str, Stat],
              root: Path) -> tuple[bool, dict[str, str]]:
    """(whether the last build's site is still exact, content hashes of the files now).

    Files whose size and time match the state keep their hash unread; the others are hashed.
    """
    known = state.hashes if state and state.fingerprint == fingerprint_now else {}
    hashes = {}
    for name, stat in stats.items():
        if state is not None and name in known and state.stats.get(name) == stat:
            hashes[name] = known[name]
        else:
            try:
                hashes[name] = content_hash((root / name).read_bytes())
            except OSError:
                hashes[name] = ""
    return state is not None and describes(state, fingerprint_now, site) and hashes == state.hashes, hashes
