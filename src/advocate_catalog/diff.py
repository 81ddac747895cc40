"""What a pull request changes in the catalog, as sentences a reviewer reads in seconds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from . import git
from .coverage import Target, coverage
from .load import Positions, parse
from .model import Advocate
from .validate import field_name

DATA_FOLDERS = ("advocates", "nominations")
MINUS = "\u2212"  # a real minus sign: lines up with "+" in proportional fonts

# How one item of a list of mappings is named in a sentence ("+1 quote: …").
ITEM_NOUNS = {"quotes": "quote", "assets": "asset", "activity": "activity", "outcomes": "outcome"}


@dataclass
class FileChange:
    path: str
    kind: Literal["added", "removed", "changed", "promoted"]
    name: str
    lines: list[str] = field(default_factory=list)


def _describe(item: Any) -> str:
    """A short name for a list item: its activity, title or text."""
    if isinstance(item, dict):
        if "type" in item and "opportunity" in item:
            return f"{str(item['type']).replace('-', ' ')} for {item['opportunity']}"
        for key in ("title", "text", "name", "type"):
            if isinstance(item.get(key), str):
                return _short(item[key])
        return _short(", ".join(f"{k}: {v}" for k, v in item.items()))
    return _short(str(item))


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return f"“{text[:limit]}…”" if len(text) > limit else text


def _compare(old: Any, new: Any, path: tuple[str | int, ...]) -> list[str]:
    name = field_name(path)
    if old == new:
        return []
    if path[:1] == ("private",):
        return [f"{name}: changed"]  # private text never goes into a summary
    if isinstance(old, dict) and isinstance(new, dict):
        return [line for key in [*old, *[k for k in new if k not in old]]
                for line in _compare(old.get(key), new.get(key), (*path, key))]
    if isinstance(old, list) and isinstance(new, list):
        noun = ITEM_NOUNS.get(str(path[-1]), "item")
        added = [item for item in new if item not in old]
        removed = [item for item in old if item not in new]
        if all(not isinstance(i, dict | list) for i in added + removed):
            parts = [f"+ {_describe(i)}" for i in added] + [f"{MINUS} {_describe(i)}" for i in removed]
            return [f"{name}: {', '.join(parts)}"]
        return ([f"+1 {noun}: {_describe(i)}" for i in added]
                + [f"{MINUS}1 {noun}: {_describe(i)}" for i in removed])
    if old is None:
        return [f"{name}: added {_describe(new)}"]
    if new is None:
        return [f"{name}: removed (was {_describe(old)})"]
    if isinstance(old, str) and isinstance(new, str) and ("\n" in old or "\n" in new or len(new) > 80):
        delta = len(new.split()) - len(old.split())
        return [f"{name}: rewritten ({len(new.split())} words, {delta:+d})"]
    return [f"{name}: {_describe(old)} → {_describe(new)}"]


def _data(text: str, path: str) -> dict[str, Any] | None:
    doc = parse(text, path)
    return doc.data if isinstance(doc.data, dict) else None


def _name(data: dict[str, Any] | None, path: str) -> str:
    return str((data or {}).get("name") or Path(path).stem)


def summarize(before: dict[str, str], after: dict[str, str]) -> list[FileChange]:
    """Changes between two {path: yaml text} snapshots of the data folders."""
    changes: list[FileChange] = []
    for path in sorted(set(before) | set(after)):
        old = _data(before[path], path) if path in before else None
        new = _data(after[path], path) if path in after else None
        if path not in before:
            nomination = f"nominations/{Path(path).name}"
            if path.startswith("advocates/") and nomination in before and nomination not in after:
                changes.append(FileChange(path, "promoted", _name(new, path), _compare(
                    _data(before[nomination], nomination), new, ())))
                continue
            facts = [f"{key}: {_describe(new[key])}" for key in ("title", "status") if new and key in new]
            if new and isinstance(new.get("company"), dict):
                facts.insert(1, f"company: {_describe(new['company'].get('name', ''))}")
            changes.append(FileChange(path, "added", _name(new, path), facts))
        elif path not in after:
            promoted = f"advocates/{Path(path).name}"
            if path.startswith("nominations/") and promoted in after and promoted not in before:
                continue  # reported with the advocate it became
            changes.append(FileChange(path, "removed", _name(old, path)))
        elif before[path] != after[path]:
            if old is None or new is None:
                lines = ["the file is not valid YAML on one side; see the validation output"]
            else:
                lines = _compare(old, new, ()) or ["formatting only"]
            changes.append(FileChange(path, "changed", _name(new or old, path), lines))
    return changes


def snapshot(root: Path, ref: str) -> dict[str, str]:
    return {path: text for folder in DATA_FOLDERS for path, text in git.files_at(root, ref, folder).items()}


def between(root: Path, base: str, head: str,
            targets: Sequence[Target] = ()) -> tuple[list[FileChange], list[str]]:
    """The file changes between two refs, and how they move coverage of `targets`."""
    before, after = snapshot(root, base), snapshot(root, head)
    return summarize(before, after), coverage_moves(before, after, list(targets))


def _advocates(snapshot: dict[str, str]) -> list[Advocate]:
    """Profiles in a snapshot well-formed enough to count (invalid ones are validate's business)."""
    found = []
    for path, text in snapshot.items():
        data = _data(text, path) if path.startswith("advocates/") else None
        if (data and isinstance(data.get("company"), dict) and isinstance(data.get("products"), list)
                and isinstance(data.get("status"), str)
                and isinstance(data.get("willingness", {}), dict) and isinstance(data.get("id"), str)):
            found.append(Advocate.from_document(path, data, Positions()))
    return found


def coverage_moves(before: dict[str, str], after: dict[str, str], targets: list[Target]) -> list[str]:
    """How the change moves each target it touches: 'Healthcare: 2 → 3 of 3'."""
    old = {row.target: row.count for row in coverage(_advocates(before), targets)}
    return [f"{row.target.label}: {old[row.target]} → {row.count} of {row.target.minimum}"
            + (" (met)" if row.count >= row.target.minimum > old[row.target] else "")
            for row in coverage(_advocates(after), targets) if row.count != old[row.target]]
