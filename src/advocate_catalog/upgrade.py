"""`upgrade`: bring a data repository's generated files to this version without losing what the
company changed in them.

Generated files are a contract with the company that received them (as copier's `update` treats
them). Each time `init` or `upgrade` writes, it keeps what it generated under `.advocate-catalog/
generated/` — the merge base. The next upgrade compares three texts per file: the company's file,
that base, and what this version generates. Unchanged by the company: replaced. Changed by the
company only: kept. Changed by both: merged three-way (`git merge-file`), a conflict left with
markers and reported. Deleted by the company: stays deleted. Listed in `tool.exclude`: untouched.

A repository generated before the record existed (0.2.0 and older) has no base; the file as git
first recorded it (what `init` wrote) stands in for it.
"""

from __future__ import annotations

import difflib
import fnmatch
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import layers, scaffold
from .errors import BuildError, InvalidData
from .validate import load_config

RECORD = ".advocate-catalog"
BASE = f"{RECORD}/generated"
STATE = f"{RECORD}/upgrade.json"
PRE_COMMIT = ".pre-commit-config.yaml"
HOOK_ID = "advocate-catalog-validate"
README = f"{RECORD}/README.md"
README_TEXT = (
    "# What advocate-catalog generated\n\n"
    "`generated/` holds each file exactly as `advocate-catalog upgrade` (or `init`) last wrote it:\n"
    "the base of the three-way merge that keeps your own changes to the workflows, the pre-commit\n"
    "configuration and the rest when you upgrade. `upgrade.json` names the version and the package\n"
    "defaults your template overrides were last checked against. Edit nothing here; commit it.\n")
# upgrade.json is a few kilobytes; anything far larger was not written by upgrade.
STATE_LIMIT = 1_000_000
# What `merge` leaves in a file that conflicts: such a file is not merged again until resolved.
MARKERS = (re.compile(r"^<<<<<<< yours$", re.M), re.compile(r"^>>>>>>> advocate-catalog ", re.M))


@dataclass(frozen=True)
class Change:
    path: str
    text: str  # what the file becomes
    diff: str  # unified diff; the whole file as added lines when it is new
    how: str = "updated"  # new | updated | merged | conflict
    conflicts: int = 0


@dataclass
class Plan:
    """Everything `upgrade` would do, as data: `--check` prints it, `upgrade` also writes it."""

    changes: list[Change] = field(default_factory=list)  # files of the company's working tree
    kept: list[str] = field(default_factory=list)  # changed by the company, nothing new to merge
    unresolved: list[str] = field(default_factory=list)  # conflict markers of an earlier upgrade left
    deleted: list[str] = field(default_factory=list)  # deleted by the company: stay deleted
    excluded: list[str] = field(default_factory=list)
    overrides: list[str] = field(default_factory=list)  # "path: why" for overrides to review
    record: dict[str, str] = field(default_factory=dict)  # the record's files, by path

    @property
    def conflicts(self) -> list[Change]:
        return [change for change in self.changes if change.how == "conflict"]


def _decode(data: bytes, shown: str) -> str:
    """UTF-8 text with git's and Windows' line endings read as one; the bad byte's place otherwise."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - data.rfind(b"\n", 0, error.start)
        byte = data[error.start]
        raise BuildError(f"{shown}:{line}:{column}: not UTF-8 (byte 0x{byte:02x}) — save it as UTF-8 (or "
                         "restore it from git), then run `advocate-catalog upgrade` again") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _read(root: Path, path: str) -> str | None:
    """A file of the repository as text; None when there is none (links and folders are refused
    before anything is read: `scaffold.refuse_links`, `scaffold.refuse_wrong_kinds`)."""
    file = root / path
    return _decode(file.read_bytes(), path) if file.is_file() and not file.is_symlink() else None


def _state(root: Path) -> dict[str, Any] | None:
    """upgrade.json as upgrade wrote it; None when there is none."""
    file = root / STATE
    if not file.is_file() or file.is_symlink():
        return None
    hint = (f"upgrade alone writes it: restore it with `git checkout HEAD -- {STATE}`, or delete it (your "
            "template overrides are then listed for review once), then run `advocate-catalog upgrade` again")
    if file.stat().st_size > STATE_LIMIT:
        raise BuildError(f"{STATE}:1:1: larger than {STATE_LIMIT // 1_000_000} MB, far more than upgrade "
                         f"writes — {hint}")
    text = _decode(file.read_bytes(), STATE)
    try:
        state = json.loads(text)
    except json.JSONDecodeError as error:
        where = f"{STATE}:{error.lineno}:{error.colno}"
        raise BuildError(f"{where}: not valid JSON ({error.msg}) — {hint}") from None
    except RecursionError:
        raise BuildError(f"{STATE}:1:1: not valid JSON (nested too deep) — {hint}") from None
    defaults = state.get("defaults", {}) if isinstance(state, dict) else None
    if not (isinstance(state, dict) and isinstance(state.get("version", ""), str)
            and isinstance(defaults, dict) and all(isinstance(digest, str) for digest in defaults.values())):
        raise BuildError(f"{STATE}:1:1: not what upgrade writes (an object with the version and the "
                         f"defaults' hashes) — {hint}")
    return state


def _require_history(root: Path) -> None:
    """Without upgrade.json, git's history holds what init wrote: refuse where it cannot be read,
    rather than take a changed file for the generated one (and overwrite it) or re-create a
    deleted one."""
    why = (f"without {STATE} (the record of what was generated) upgrade reads what init wrote from "
           "git's history")
    if not shutil.which("git"):
        raise BuildError(f"git: not found — {why}; install git and run `advocate-catalog upgrade` again")
    done = subprocess.run(["git", "-C", str(root), "rev-parse", "--is-shallow-repository"],
                          capture_output=True, text=True, encoding="utf-8", errors="replace", check=False)
    if done.returncode:
        said = (done.stderr.strip().splitlines() or ["git failed"])[-1]
        what = ("is not a git repository" if "not a git repository" in said
                else f"has a git history git cannot read ({said})")
        raise BuildError(f"{root}: {what} — {why}, so it cannot tell your changes from an older "
                         f"version's; run upgrade in a clone with the history, or restore {RECORD}/")
    if done.stdout.strip() == "true":
        raise BuildError(f"{root}: is a shallow clone — {why}, and the first commit of each generated file "
                         "is not here; run `git fetch --unshallow`, then `advocate-catalog upgrade` again")


def _refuse_links_in_record(root: Path) -> None:
    """upgrade removes from the record what it no longer generates: no link may be in there."""
    folder = root / BASE
    if folder.is_symlink() or not folder.is_dir():
        return
    for here, folders, names in os.walk(folder):
        for name in [*folders, *names]:
            if os.path.islink(os.path.join(here, name)):
                scaffold.refuse_links(root, [Path(here, name).relative_to(root).as_posix()], "upgrade")


def _diff(old: str, new: str, path: str) -> str:
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        f"a/{path}", f"b/{path}"))


def first_committed(root: Path, path: str) -> str | None:
    """The file as git first recorded it (what `init` wrote), for a repository without a record."""
    found = subprocess.run(["git", "-C", str(root), "log", "--format=%H", "--diff-filter=A", "--", path],
                           capture_output=True, text=True, encoding="utf-8", check=False)
    commits = found.stdout.split()
    if found.returncode or not commits:
        return None
    shown = subprocess.run(["git", "-C", str(root), "show", f"{commits[-1]}:./{path}"],
                           capture_output=True, check=False)
    if shown.returncode:
        return None
    return shown.stdout.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")


def merge(ours: str, base: str, theirs: str, labels: tuple[str, str, str]) -> tuple[str, int]:
    """Three-way merge with git's own merge: the text and the number of conflicts left marked."""
    if not shutil.which("git"):
        raise BuildError("git: not found — upgrade merges your changes to generated files with "
                         "`git merge-file`; install git and run it again")
    with tempfile.TemporaryDirectory() as folder:
        files = []
        for name, text in zip(("ours", "base", "theirs"), (ours, base, theirs), strict=True):
            file = Path(folder, name)
            file.write_text(text, encoding="utf-8")
            files.append(str(file))
        done = subprocess.run(["git", "merge-file", "-p", "-L", labels[0], "-L", labels[1], "-L", labels[2],
                               *files], capture_output=True, check=False)
    if done.returncode < 0 or done.returncode > 127:
        raise BuildError(f"git merge-file failed: {done.stderr.decode('utf-8', 'replace').strip()}")
    return done.stdout.decode("utf-8"), done.returncode


def merge_hooks(yours: str, base: str | None, new: str) -> str | None:
    """`.pre-commit-config.yaml` merged entry by entry when the text merge conflicts: this
    version's hook, then every other hook repository and setting of the company's. None when the
    company's file is not a pre-commit configuration, or when the company changed our hook's own
    entry or added a comment: those would be lost, so the conflict stays marked."""
    try:
        mine = yaml.safe_load(yours)
        before = yaml.safe_load(base) if base is not None else None
    except yaml.YAMLError:
        return None
    if not isinstance(mine, dict) or not isinstance(mine.get("repos"), list):
        return None

    def ours(repo: Any) -> bool:
        hooks = repo.get("hooks") if isinstance(repo, dict) else None
        return isinstance(hooks, list) and any(isinstance(hook, dict) and hook.get("id") == HOOK_ID
                                               for hook in hooks)

    def comments(text: str) -> set[str]:
        return {line.split("#", 1)[1].strip() for line in text.splitlines() if "#" in line}

    generated = before["repos"] if isinstance(before, dict) and isinstance(before.get("repos"), list) else []
    if [repo for repo in mine["repos"] if ours(repo)] != [repo for repo in generated if ours(repo)]:
        return None
    if not comments(yours) <= comments(base or "") | comments(new):
        return None
    others = [repo for repo in mine["repos"] if not ours(repo)]
    settings = {key: value for key, value in mine.items() if key != "repos"}
    text = new
    if others:
        dumped = yaml.safe_dump(others, sort_keys=False, allow_unicode=True, width=1000)
        text += "".join("  " + line if line.strip() else line for line in dumped.splitlines(True))
    if settings:
        text += yaml.safe_dump(settings, sort_keys=False, allow_unicode=True, width=1000)
    return text


def _excluded(path: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(path, pattern.lstrip("/")) for pattern in patterns)


def default_hashes() -> dict[str, str]:
    """sha256 of every template, static file and schema the package brings, by its override path."""
    found = {}
    for kind in layers.KINDS:
        folder = layers.default(kind)
        for file in sorted(folder.rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts:
                found[f"{kind}/{file.relative_to(folder).as_posix()}"] = hashlib.sha256(
                    file.read_bytes()).hexdigest()
    return found


def _overrides(root: Path, state: dict[str, Any], defaults: dict[str, str]) -> list[str]:
    """The company's overrides whose package default changed since the last upgrade: what to
    compare before the next build (a variable renamed, a block gone)."""
    before: dict[str, Any] | None = state["defaults"] if isinstance(state.get("defaults"), dict) else None
    since = state.get("version", "an older version")
    found = []
    for path, digest in defaults.items():
        if not (root / path).is_file():
            continue
        if before is None:
            found.append(f"{path}: overrides a package default and was never checked against one — "
                         f"compare it with the default ({layers.default(path.split('/')[0])})")
        elif before.get(path) != digest:
            found.append(f"{path}: the package default changed since {since} — compare your copy "
                         f"with the new default ({layers.default(path.split('/')[0])}) and the CHANGELOG")
    return found


def plan(root: Path, pinned: str | None = None, only: Collection[str] | None = None) -> Plan:
    """What `upgrade` does in `root`, written nowhere. `only`: these generated files alone, of
    those derived from catalog.yaml (what `issue-form` writes), and their record copies."""
    config, issues = load_config(root)
    if config is None:
        raise InvalidData(issues)
    settings = scaffold.tool_settings(root)
    pinned = pinned or scaffold.version()
    source = scaffold.is_source(root)
    if source or only is not None:
        files = {path: text for path, text in scaffold.derived(root, config).items()
                 if only is None or path in only}
    else:
        known = scaffold.locked_tools(_read(root, scaffold.LOCK) or "")
        files = scaffold.generated(root, config, scaffold.resolve_tool(root, pinned, settings, known))
    exclude = [str(pattern) for pattern in settings.get("exclude") or []]
    written = [path for path in files if not _excluded(path, exclude)]
    record = [] if source else [*(f"{BASE}/{path}" for path in written), STATE, README, BASE]
    # Nothing is read through a link, and nothing stands where a file or a folder goes.
    scaffold.refuse_links(root, [*written, *record], "upgrade")
    scaffold.refuse_wrong_kinds(root, [*written, *record[:-1]], "upgrade")
    if not source:
        _refuse_links_in_record(root)
    state = _state(root)
    # Without upgrade.json (a repository made by 0.2.0 or older), a file without a base copy
    # takes its base from git; with it, no copy means that version generated no such file.
    recorded = state is not None
    history_read = False
    before = str((state or {}).get("version", "before the record"))
    result = Plan()
    for path, new in files.items():
        if path not in written:
            result.excluded.append(path)
            continue
        current = _read(root, path)
        if source:  # this repository's own forms and schemas: generated here, nobody merges them
            base = current
        else:
            base = _read(root, f"{BASE}/{path}")
            if base is None and not recorded:
                if not history_read:
                    _require_history(root)
                    history_read = True
                base = first_committed(root, path)
        result.record[f"{BASE}/{path}"] = new
        if current is None:
            if base is not None and not source:
                result.deleted.append(path)
            else:
                result.changes.append(Change(path, new, _diff("", new, path), "new"))
        elif current == new:
            continue
        elif base == current:
            result.changes.append(Change(path, new, _diff(current, new, path)))
        elif base == new:
            result.kept.append(path)
        elif all(marker.search(current) for marker in MARKERS):
            # Merging again would nest markers; the base stays, so this version's changes are
            # merged once the company has resolved the last ones.
            result.kept.append(path)
            result.unresolved.append(path)
            result.record[f"{BASE}/{path}"] = base or ""
        else:  # changed on both sides; no base: the company's own file at a generated path
            since = f"advocate-catalog {before}" if base is not None else "nothing generated before"
            text, count = merge(current, base or "", new, ("yours", since, f"advocate-catalog {pinned}"))
            hooks = (merge_hooks(current, base, new)
                     if path == PRE_COMMIT and (count or base is None) else None)
            if hooks is not None:
                text, count = hooks, 0
            if text != current:
                result.changes.append(Change(path, text, _diff(current, text, path),
                                             "conflict" if count else "merged", count))
            else:
                result.kept.append(path)
    if source:
        result.record = {}
        return result
    if only is not None:
        return result
    defaults = default_hashes()
    result.overrides = _overrides(root, state or {}, defaults)
    result.record[STATE] = json.dumps({"version": pinned, "defaults": defaults}, indent=1,
                                      sort_keys=True) + "\n"
    result.record[README] = README_TEXT
    # A record file no longer generated (an excluded path, a file this version dropped) goes.
    for old in sorted((root / BASE).rglob("*")) if (root / BASE).is_dir() else []:
        key = old.relative_to(root).as_posix()
        if old.is_file() and key not in result.record:
            result.record[key] = ""
    return result


def record_changes(root: Path, result: Plan) -> list[str]:
    """The record's files that differ from disk ("" means the file goes)."""
    return [path for path, text in result.record.items() if (_read(root, path) or "") != text]


def write(root: Path, result: Plan) -> None:
    """Apply a plan: the company's files, then the record (so an interrupted upgrade redoes the merge)."""
    scaffold.write_changes(root, result.changes)
    for path in record_changes(root, result):
        text = result.record[path]
        if text:
            scaffold.write_file(root / path, text)
        else:
            (root / path).unlink(missing_ok=True)


def record_init(root: Path, files: dict[str, str]) -> dict[str, str]:
    """The record `init` writes beside the files it generated."""
    record = {f"{BASE}/{path}": text for path, text in files.items()}
    record[STATE] = json.dumps({"version": scaffold.version(), "defaults": default_hashes()},
                               indent=1, sort_keys=True) + "\n"
    record[README] = README_TEXT
    return record
