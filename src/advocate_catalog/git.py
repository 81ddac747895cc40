"""The few git operations the catalog needs, with paths relative to the catalog's root."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import heapq
import json
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from . import parallel
from .errors import GitError
from .load import _RESOLVABLE, BOOL, DATE, FLOAT, INT, MAP, MAX_DEPTH, NULL, SEQ, StrictLoader


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    try:
        # git writes paths (core.quotePath=false) and files as UTF-8 whatever the locale says
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, encoding="utf-8",
                              errors="replace", check=False)
    except OSError as error:
        raise GitError(f"git could not run ({error.strerror}) — install git") from None
    if check and done.returncode != 0:
        message = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise GitError(f"git {args[0]} failed: {message}")
    return done


def is_repository(root: Path) -> bool:
    return git(root, "rev-parse", "--is-inside-work-tree", check=False).stdout.strip() == "true"


def is_shallow(root: Path) -> bool:
    return git(root, "rev-parse", "--is-shallow-repository", check=False).stdout.strip() == "true"


def resolve(root: Path, ref: str) -> str:
    """The commit a ref names; a clear error when it does not exist (e.g. a shallow clone)."""
    done = git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    if done.returncode != 0:
        raise GitError(f"'{ref}' is not a commit in this repository — fetch it first "
                       "(in CI: actions/checkout with fetch-depth: 0)")
    return done.stdout.strip()


def changed_files(root: Path, base: str) -> set[str]:
    """Files added or modified since `base`, in commits, the work tree or untracked."""
    commit = resolve(root, base)
    changed = git(root, "diff", "--name-only", "--relative", "--diff-filter=ACMR", commit).stdout
    untracked = git(root, "ls-files", "--others", "--exclude-standard").stdout
    return {line for line in (changed + untracked).splitlines() if line}


def files_at(root: Path, ref: str, folder: str) -> dict[str, str]:
    """{path: text} of the YAML files in `folder` at `ref` (paths relative to root)."""
    commit = resolve(root, ref)
    listing = git(root, "ls-tree", "--name-only", f"{commit}:./{folder}", check=False)
    if listing.returncode != 0:
        return {}
    result = {}
    for name in listing.stdout.splitlines():
        if name.endswith(".yaml"):
            result[f"{folder}/{name}"] = git(root, "show", f"{commit}:./{folder}/{name}").stdout
    return result


def move(root: Path, source: str, target: str) -> None:
    git(root, "mv", "--", source, target)


def is_tracked(root: Path, path: str) -> bool:
    return git(root, "ls-files", "--error-unmatch", "--", path, check=False).returncode == 0


# What's new: when each profile last changed in substance, and whether it is new.
#
# One `git log` reads the whole history of the folder (first parent only, so a merged branch's
# change is dated by the day it reached the default branch, and the log is one line of commits).
# `--raw` gives each change's blob before and after, so no version is read unless asked for,
# and the versions asked for come from one `git cat-file --batch` process.

EARLIEST = dt.date(2000, 1, 1)  # a commit dated before this has a wrong clock, not a real date
# Not news: re-verifying re-confirms what is there, and the site never shows `private`.
NOT_SUBSTANCE = frozenset({"last_verified", "private"})
LOG_FORMAT = "%x00%H %cs"


def commit_day(text: str, today: dt.date) -> dt.date | None:
    """A commit's date as git printed it (`%cs`): None when it does not parse or is before 2000
    (a wrong clock), `today` when after it (so no commit can pin a profile on top)."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return None if day < EARLIEST else min(day, today)


@dataclass(frozen=True, slots=True)  # one per change of every file in the history: kept small
class Change:
    """One commit's change to one file: blobs before and after (None: absent on that side)."""

    commit: str
    day: dt.date | None
    old: str | None
    new: str | None


def parse_log(text: str, wanted: set[str], today: dt.date,
              cut: frozenset[str] = frozenset()) -> tuple[dict[str, list[Change]], set[str]]:
    """Each wanted file's changes, newest first, from `git log --raw --format=%x00%H %cs`; and
    the files present in a commit of `cut` (where a shallow clone's history stops: git shows
    such a commit as adding every file, so its changes are not changes)."""
    changes: dict[str, list[Change]] = {}
    reaches_cut: set[str] = set()
    commit, day = "", None
    for line in text.splitlines():
        if line.startswith("\x00"):
            commit, _, date = line[1:].partition(" ")
            day = commit_day(date, today)
        elif line.startswith(":"):
            meta, _, path = line.partition("\t")
            if path not in wanted:
                continue
            fields = meta.split()
            if len(fields) < 5:
                continue
            old, new = (None if set(blob) == {"0"} else blob for blob in fields[2:4])
            if commit in cut:
                reaches_cut.add(path)
            else:
                changes.setdefault(path, []).append(Change(commit, day, old, new))
    return changes, reaches_cut


@dataclass(frozen=True)
class History:
    """What git knows of a folder: `state` is "full", "shallow" (history stops somewhere: files
    in `cut` existed before it) or "none" (not a git repository)."""

    changes: dict[str, list[Change]]
    cut: set[str]
    state: str


def read_history(root: Path, folder: str, wanted: set[str], today: dt.date) -> History:
    if not is_repository(root):
        return History({}, set(), "none")
    boundary: frozenset[str] = frozenset()
    shallow = is_shallow(root)
    if shallow:
        where = git(root, "rev-parse", "--git-path", "shallow", check=False).stdout.strip()
        with contextlib.suppress(OSError):  # no file: nothing cut
            boundary = frozenset((root / where).read_text(encoding="utf-8").split())
    done = git(root, "-c", "core.quotePath=false", "log", "--first-parent", "-m", "--no-renames",
               "--raw", "--no-abbrev", "--relative", f"--format={LOG_FORMAT}", "--", folder,
               check=False)
    changes, cut = parse_log(done.stdout, wanted, today, boundary)
    return History(changes, cut, "shallow" if shallow else "full")


class Blobs:
    """File versions read by id from one `git cat-file --batch` process."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Blobs:
        return self

    def __exit__(self, *_: object) -> None:
        if self._process is not None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            self._process.wait()

    def read(self, ids: list[str]) -> dict[str, str]:
        """{id: text} of the blobs that exist; written from a thread while read here, so
        neither side's pipe fills up and stops the other."""
        if not ids:
            return {}
        if self._process is None:
            try:
                self._process = subprocess.Popen(["git", "cat-file", "--batch"], cwd=self.root,
                                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            except OSError as error:
                raise GitError(f"git could not run ({error.strerror}) — install git") from None
        stdin, stdout = self._process.stdin, self._process.stdout
        assert stdin is not None and stdout is not None
        request = "".join(f"{blob}\n" for blob in ids).encode()

        def send() -> None:
            stdin.write(request)
            stdin.flush()

        # A request smaller than a pipe's buffer is written whole at once, before any answer.
        writer = threading.Thread(target=send) if len(request) > 4096 else None
        if writer is None:
            send()
        else:
            writer.start()
        found = {}
        try:
            for blob in ids:
                header = stdout.readline().split()
                if len(header) == 3 and header[1] == b"blob":
                    found[blob] = stdout.read(int(header[2]) + 1)[:-1].decode("utf-8", "replace")
                elif not header:
                    raise GitError("git cat-file stopped answering — is the repository readable?")
        finally:
            if writer is not None:
                writer.join()
        return found


def substance(data: Any) -> bytes | None:
    """A fingerprint of what a version says: key order, quoting, comments, layout and the
    fields in NOT_SUBSTANCE do not change it. None for a version that is not a mapping."""
    if not isinstance(data, dict):
        return None
    kept = {key: value for key, value in data.items() if key not in NOT_SUBSTANCE}
    text = json.dumps(kept, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


def plain_data(text: str) -> Any:
    """A committed version's data, read from libyaml's events as load.parse reads a file (YAML
    1.2 scalars, dates as text, no aliases or tags, at most MAX_DEPTH levels) but without
    recording positions or checking characters: a quarter of the time, for comparing versions.
    None for anything load.parse would not read as plain data. A test holds the two equal."""
    loader = StrictLoader(text)
    stack: list[list[Any]] = []  # [container, key, whether the key is waiting for its value]
    root: Any = None
    try:
        for event in iter(loader.get_event, None):
            kind = type(event)
            if kind is yaml.ScalarEvent:
                if event.tag not in (None, "!"):
                    return None
                value: Any = _scalar(loader, event)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                if event.tag not in (None, "!", MAP, SEQ) or len(stack) >= MAX_DEPTH:
                    return None
                stack.append([{} if kind is yaml.MappingStartEvent else [], None, False])
                continue
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                value = stack.pop()[0]
            elif kind is yaml.AliasEvent or (kind is yaml.DocumentStartEvent and root is not None):
                return None
            else:
                continue
            if not stack:
                root = value
            elif isinstance(stack[-1][0], list):
                stack[-1][0].append(value)
            elif stack[-1][2]:
                stack[-1][0][stack[-1][1]] = value
                stack[-1][2] = False
            elif isinstance(value, str):
                stack[-1][1:] = [value, True]
            else:
                return None
        return root
    except (yaml.YAMLError, ValueError):
        return None
    finally:
        loader.dispose()


def _scalar(loader: StrictLoader, event: yaml.ScalarEvent) -> Any:
    value = event.value
    if not (event.implicit[0] and (not value or value[0] in _RESOLVABLE)):
        return value  # quoted, block, or text no resolver starts with
    tag = loader.resolve(yaml.ScalarNode, value, event.implicit)
    if tag == NULL:
        return None
    if tag == BOOL:
        return value.lower() == "true"
    if tag == INT:
        return int(value, 0) if value[:2] in ("0o", "0x") else int(value, 10)
    if tag == FLOAT:
        return float(value.lower().replace(".inf", "inf").replace(".nan", "nan"))
    if tag == DATE:
        with contextlib.suppress(ValueError):
            return dt.date.fromisoformat(value).isoformat()
    return value


@dataclass(frozen=True)
class Profile:
    """A profile to date: its `order` breaks ties (A→Z); `fallback` is the day to show when git
    cannot date it (its last_verified); `data`, when given, is its data as loaded now (without
    `private`), used instead of reading the committed version when the file is unchanged."""

    path: str
    order: str
    fallback: dt.date
    data: dict[str, Any] | None = None


@dataclass(frozen=True)
class Dated:
    """A profile on What's new: `day` its last change in substance (`from_git` False: git could
    not tell, `day` is the fallback); `listed_on` the day git saw it listed for the first
    time, when that is in the period asked about (a new profile), else None. `known` is False
    when git cannot tell whether it is new (no history of it, or a shallow clone's)."""

    path: str
    day: dt.date
    from_git: bool
    listed_on: dt.date | None
    known: bool


@dataclass(frozen=True)
class News:
    items: list[Dated]
    history: str  # History.state


@dataclass
class _Walk:
    """One file's history walked back from its newest version: `current` is the fingerprint of
    the newest version, unchanged in substance back to the version change `made` wrote;
    `next` is the change whose old side is compared next."""

    profile: Profile
    changes: list[Change]
    cut: bool
    bounds: list[dt.date]  # bounds[k]: the latest day the walk can end on from change k
    current: bytes | None = None
    loaded: bool = False  # the data as loaded now is the newest version (no edit since the commit)
    made: int = 0
    next: int = 0
    done: bool = False

    def bound(self) -> dt.date:
        return self.bounds[min(self.made, len(self.bounds) - 1)] if self.bounds else self.profile.fallback

    def end(self, at: int) -> Dated:
        self.done, self.made = True, at
        change = self.changes[at] if at < len(self.changes) else None
        if change is None or change.day is None:
            return Dated(self.profile.path, self.profile.fallback, False, None, False)
        return Dated(self.profile.path, change.day, True, None, True)


def _walk(profile: Profile, changes: list[Change], cut: bool) -> _Walk:
    bounds: list[dt.date] = []
    latest = profile.fallback if cut else dt.date.min
    for change in reversed(changes):
        latest = max(latest, change.day or profile.fallback)
        bounds.append(latest)
    return _Walk(profile, changes, cut, bounds[::-1])


def latest_changes(root: Path, profiles: list[Profile], today: dt.date, since: dt.date,
                   listed: Callable[[dict[str, Any], dt.date], bool], limit: int = 50,
                   folder: str = "advocates") -> News:
    """The `limit` profiles changed in substance most recently, newest first, ties by `order`.

    Lazy: files are taken latest possible day first, and a change is looked at (the version
    before it read and compared with the one after) only while it could decide the list: a
    story edit costs one version read, a commit that reformatted every file one per file
    (~0.5 ms of CPU each, on every core; docs/performance.md).
    `listed(data, day)` says whether a version was listed on a day; a profile is new when no
    version committed before `since` was listed.
    """
    history = read_history(root, folder, {p.path for p in profiles}, today)
    dirty = _changed_since_head(root, folder) if history.state != "none" else set()
    heap: list[tuple[int, str, str, int]] = []
    walks: list[_Walk] = []
    finished: dict[int, Dated] = {}
    by_commit: dict[str, list[tuple[_Walk, int]]] = {}
    for profile in sorted(profiles, key=lambda p: (p.order, p.path)):
        changes = history.changes.get(profile.path, [])
        index = len(walks)
        walk = _walk(profile, changes, profile.path in history.cut)
        walks.append(walk)
        if not changes or changes[0].new is None:  # not committed (or deleted and back untracked)
            walk.done = True
            finished[index] = Dated(profile.path, profile.fallback, False, None, False)
        else:
            walk.loaded = profile.data is not None and not dirty & {profile.path, "*"}
        for position, change in enumerate(changes):
            by_commit.setdefault(change.commit, []).append((walk, position))
        heapq.heappush(heap, (-walk.bound().toordinal(), profile.order, profile.path, index))
    fingerprints: dict[str, bytes | None] = {}
    items: list[Dated] = []
    with Blobs(root) as blobs:

        def fingerprint(blob: str, commit: str) -> bytes | None:
            if blob not in fingerprints:
                # This version and the others of the same commit a walk will ask for next
                # (of a bulk commit: all of them), read and compared in one go.
                wanted = {blob}
                for other, position in by_commit.get(commit, []):
                    if other.done:
                        continue
                    if not other.loaded and other.current is None and other.next == 0:
                        wanted.add(other.changes[0].new or "")
                    if other.next == position and other.changes[position].old:
                        wanted.add(other.changes[position].old or "")
                fingerprints.update(_fingerprints(root, blobs, sorted(wanted - fingerprints.keys() - {""})))
            return fingerprints[blob]

        while heap and len(items) < limit:
            _, _, _, index = heapq.heappop(heap)
            walk = walks[index]
            if walk.done:
                items.append(finished[index])
                continue
            ended = _step(walk, fingerprint)
            if ended is not None:
                finished[index] = ended
            day = ended.day if ended is not None else walk.bound()
            heapq.heappush(heap, (-day.toordinal(), walk.profile.order, walk.profile.path, index))
        by_path = {walk.profile.path: walk for walk in walks}
        items = [_with_listing(item, by_path[item.path], since, listed, blobs) for item in items]
    return News(items, history.state)


PARALLEL_FROM = 1000  # versions compared at once before forked workers save more than they cost


def _fingerprints(root: Path, blobs: Blobs, ids: list[str]) -> list[tuple[str, bytes | None]]:
    """Each version's substance(); many at once (a bulk commit's) on every core."""
    if len(ids) < PARALLEL_FROM:
        return _fingerprint_batch([(str(root), blob) for blob in ids], blobs)
    found: list[tuple[str, bytes | None]] = []
    with parallel.mapping(_fingerprint_batch, [(str(root), blob) for blob in ids],
                          smallest=PARALLEL_FROM, batch=250) as results:
        for batch in results():
            found += batch
    return found


def _fingerprint_batch(items: list[tuple[str, str]],
                       blobs: Blobs | None = None) -> list[tuple[str, bytes | None]]:
    """(root, blob id) → (blob id, fingerprint); a worker reads with its own `git cat-file`."""
    if not items:
        return []
    ids = [blob for _, blob in items]
    if blobs is None:
        with Blobs(Path(items[0][0])) as own:
            texts = own.read(ids)
    else:
        texts = blobs.read(ids)
    return [(blob, substance(plain_data(texts[blob])) if blob in texts else None) for blob in ids]


def _step(walk: _Walk, fingerprint: Callable[[str, str], bytes | None]) -> Dated | None:
    """Compare one more change of `walk`: its result when that ends the walk, else None."""
    changes = walk.changes
    if walk.current is None and walk.next == 0:
        walk.current = (substance(walk.profile.data) if walk.loaded
                        else fingerprint(changes[0].new or "", changes[0].commit))
        if walk.current is None:  # the newest version does not parse: its own change dates it
            return walk.end(0)
    change = changes[walk.next]
    if change.old is None:  # added here
        return walk.end(walk.made)
    old = fingerprint(change.old, change.commit)
    walk.next += 1
    if old is not None and old != walk.current:
        return walk.end(walk.made)
    if old is not None:  # the same in substance: the version before is where it came from
        walk.made = walk.next
    if walk.next == len(changes):  # history stops (a shallow clone) before the file began
        return walk.end(len(changes) if walk.cut else min(walk.made, len(changes) - 1))
    return None


def _with_listing(item: Dated, walk: _Walk, since: dt.date,
                  listed: Callable[[dict[str, Any], dt.date], bool], blobs: Blobs) -> Dated:
    """`item` with the day its file was first listed, when no version before `since` was."""
    if not walk.changes or walk.changes[0].new is None:
        return item
    versions = [(change.new, change.day) for change in walk.changes if change.new]
    before = [(blob, day) for blob, day in versions if day is None or day < since]
    during = [(blob, day) for blob, day in versions if day is not None and day >= since]

    def was_listed(blob: str, day: dt.date) -> bool:
        text = blobs.read([blob]).get(blob)
        data = plain_data(text) if text is not None else None
        try:
            return isinstance(data, dict) and listed(data, day)
        except (KeyError, TypeError, ValueError, AttributeError):  # an old version may be invalid
            return False

    for blob, day in before:  # newest first: usually the first one says it was listed already
        if was_listed(blob, day or since - dt.timedelta(days=1)):
            return replace(item, known=True)
    if walk.cut:  # listed before the clone's history starts? git cannot tell
        return replace(item, known=False)
    for blob, day in reversed(during):
        if day is not None and was_listed(blob, day):
            return replace(item, listed_on=day, known=True)
    return replace(item, known=True)


def _changed_since_head(root: Path, folder: str) -> set[str]:
    """Files of `folder` whose working copy differs from the last commit (all, without one)."""
    done = git(root, "diff", "--name-only", "--relative", "--no-renames", "HEAD", "--", folder,
               check=False)
    if done.returncode != 0:
        return {"*"}
    return set(done.stdout.splitlines())
