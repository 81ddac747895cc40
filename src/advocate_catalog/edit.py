"""Changes to a data file that keep it as its author wrote it: comments, key order, quoting, flow
lists and block stories survive (ruamel.yaml's round trip). PyYAML stays the one reader.

ruamel.yaml reads YAML 1.2 and our loader reads YAML 1.1, so they could disagree on a value the
edit does not touch. Every edit is therefore checked: the edited text, read by our loader, must
hold exactly the data intended; otherwise the edit is refused rather than written.
"""

from __future__ import annotations

import bisect
import copy
import datetime as dt
import difflib
import io
import itertools
import re
from collections.abc import Callable, Mapping
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString, SingleQuotedScalarString

from .errors import CatalogError
from .load import Document, JsonPath, parse, string_style

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
Change = Callable[[Any], None]  # applied to the file's mapping: a dict, or ruamel's CommentedMap


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long line the author kept on one line
    yaml.indent(mapping=2, sequence=4, offset=2)  # `key:` then `  - item`, as the sample files
    return yaml


def node(value: Any) -> Any:
    """A new value as ruamel should write it, with the quoting our loader needs to read it back
    as the same value (`'no'`, `'08'`); dicts and lists in block style."""
    if isinstance(value, str) and _DATE.fullmatch(value):
        return dt.date.fromisoformat(value)  # written plain, read back by our loader as this string
    if isinstance(value, str):
        style = string_style(value)
        if style == '"':
            return DoubleQuotedScalarString(value)
        if style == "'":
            return SingleQuotedScalarString(value)
        return LiteralScalarString(value) if style == "|" else value
    if isinstance(value, Mapping):
        mapping = CommentedMap()
        for key, item in value.items():
            mapping[key] = node(item)
        return mapping
    if isinstance(value, list):
        return CommentedSeq(node(item) for item in value)
    return value


def insert_in_order(mapping: Any, key: str, value: Any, order: tuple[str, ...]) -> None:
    """Set `key`, placing a new key after the last present key that comes before it in `order`."""
    if key in mapping or not isinstance(mapping, CommentedMap):
        mapping[key] = value
        return
    earlier = order[:order.index(key)] if key in order else order
    keys = list(mapping)
    at = max((keys.index(k) + 1 for k in earlier if k in keys), default=len(keys))
    mapping.insert(at, key, value)


def edit(text: str, display: str, change: Change) -> str:
    """`text` with `change` applied, everything else kept as written.

    Raises CatalogError (naming `display`) when the file cannot be read, or when the edited text
    would not read back as the original data with the change made.
    """
    before = parse(text, display)
    if before.issues or not isinstance(before.data, dict):
        raise CatalogError(f"{display} has errors — fix them (run validate) before editing it")
    yaml = _yaml()
    try:
        document = yaml.load(text)
    except YAMLError as error:
        raise CatalogError(f"{display} could not be edited automatically ({error.__class__.__name__})"
                           " — make the change by hand") from None
    change(document)
    out = io.StringIO()
    yaml.dump(document, out)
    after = out.getvalue()
    expected = copy.deepcopy(before.data)
    change(expected)
    wanted = _plain(expected)
    got = parse(after, display)
    if got.issues or got.data != wanted:
        raise CatalogError(f"{display} could not be edited without changing what it says — make "
                           "the change by hand")
    return _keep_ending(text, _least_change(text, after, display, wanted, before, got))


# Whole-file re-reads an edit may spend putting stretches back once its first guess fails: each
# costs a parse of the file, so the count must not grow with the file (a 274 KB profile with a
# column-aligned log took 293 s when every changed stretch was tried on its own).
_TRIES = 8
_SMALL = 10_000  # a stretch between two anchors is diffed line by line up to this many line pairs

Hunk = tuple[int, int, int, int]  # lines old[i1:i2] became new[j1:j2]


def _least_change(before: str, after: str, display: str, wanted: dict[str, Any],
                  old_doc: Document, new_doc: Document) -> str:
    """`after` with each changed stretch put back as it was in `before` wherever the data stays
    what is wanted: ruamel re-folds long quoted lines, re-indents lists written in another style
    and drops column-aligning spaces, and none of that is the edit's business."""
    # Linear in the file: the texts are aligned where both place the same key or value (no diff
    # of the whole file); the stretches holding none of the change are all put back and those
    # holding it keep only its lines, checked with one parse. Only when that fails is it done
    # stretch by stretch, within _TRIES parses.
    old = before.replace("\r\n", "\n").splitlines(keepends=True)
    new = after.splitlines(keepends=True)
    if old and not old[-1].endswith("\n"):
        old[-1] += "\n"
    hunks = _merged(_hunks(old, new, _anchors(old_doc, new_doc, len(old), len(new))))
    if not hunks:
        return after
    gone = _changed_lines(old_doc, new_doc.data, len(old))  # values the change replaced or removed
    came = _changed_lines(new_doc, old_doc.data, len(new))  # values it set or added
    plain: dict[int, list[str]] = {}
    guesses: dict[int, list[list[str]]] = {}
    for n, (i1, i2, j1, j2) in enumerate(hunks):
        if gone.isdisjoint(range(i1, i2)) and came.isdisjoint(range(j1, j2)):
            plain[n] = old[i1:i2]
        else:
            guesses[n] = _keeping(old, new, hunks[n], sorted(came.intersection(range(j1, j2))))
    mender = _Mender(new, hunks, display, wanted)
    first = {**plain, **{n: lines[1] for n, lines in guesses.items() if len(lines) > 1}}
    if first and mender.reads_as_wanted(first):
        return _stitched(new, hunks, first)
    # Stretches in the top-level entry the change is in (a list re-indented around an appended
    # entry) are the likely culprits: the others are put back first, then the change's own
    # stretches, then those near them as far as the tries last.
    tops = sorted(line - 1 for path, (line, _) in new_doc.keys.items() if len(path) == 1)

    def top(line: int) -> int:
        return bisect.bisect_right(tops, line)

    touched = {top(line) for n in guesses for line in (hunks[n][2], max(hunks[n][2], hunks[n][3] - 1))}
    near = [n for n in sorted(plain) if top(hunks[n][2]) in touched]
    apart = [n for n in sorted(plain) if top(hunks[n][2]) not in touched]
    if near and apart and mender.put_back(near + apart, plain, split=False):
        near = []
    else:
        mender.put_back(apart, plain)
    for n in sorted(guesses, reverse=True):  # from the end, as the stretches were found
        for lines in guesses[n]:
            if mender.reads_as_wanted({**mender.chosen, n: lines}):
                mender.chosen[n] = lines
                break
    mender.put_back(near, plain)
    return _stitched(new, hunks, mender.chosen)


class _Mender:
    """Tries stretches put back, each try a parse of the whole file, _TRIES at most."""

    def __init__(self, new: list[str], hunks: list[Hunk], display: str, wanted: dict[str, Any]) -> None:
        self.new, self.hunks, self.display, self.wanted = new, hunks, display, wanted
        self.chosen: dict[int, list[str]] = {}  # stretch -> the lines that stand for it
        self.tries = _TRIES + 1  # and the first guess

    def reads_as_wanted(self, chosen: dict[int, list[str]]) -> bool:
        if self.tries <= 0:
            return False
        self.tries -= 1
        doc = parse(_stitched(self.new, self.hunks, chosen), self.display)
        return not doc.issues and doc.data == self.wanted

    def put_back(self, group: list[int], lines: dict[int, list[str]], *, split: bool = True) -> bool:
        """Put back all of `group` if the data allows, else each half, the later one first."""
        if not group:
            return True
        if self.reads_as_wanted({**self.chosen, **{n: lines[n] for n in group}}):
            self.chosen.update((n, lines[n]) for n in group)
            return True
        if split and len(group) > 1:
            self.put_back(group[len(group) // 2:], lines)
            self.put_back(group[:len(group) // 2], lines)
        return False


def _anchors(old_doc: Document, new_doc: Document, old_end: int, new_end: int) -> list[tuple[int, int]]:
    """Pairs (old line, new line), 0-based, where both texts place the same key or value: the
    longest chain rising in both, found in O(n log n)."""
    pairs: set[tuple[int, int]] = set()
    for mine, theirs in ((old_doc.keys, new_doc.keys), (old_doc.values, new_doc.values)):
        for path, (line, _) in mine.items():
            other = theirs.get(path)
            if other is not None and line <= old_end and other[0] <= new_end:
                pairs.add((line - 1, other[0] - 1))
    ordered = sorted(pairs, key=lambda pair: (pair[0], -pair[1]))  # one pair per old line at most
    tails: list[int] = []  # tails[k]: the lowest new line ending a chain of k + 1 pairs
    ends: list[int] = []  # ends[k]: that pair's index in `ordered`
    previous = [-1] * len(ordered)
    for index, (_, line) in enumerate(ordered):
        k = bisect.bisect_left(tails, line)
        previous[index] = ends[k - 1] if k else -1
        if k == len(tails):
            tails.append(line)
            ends.append(index)
        else:
            tails[k], ends[k] = line, index
    chain: list[tuple[int, int]] = []
    index = ends[-1] if ends else -1
    while index >= 0:
        chain.append(ordered[index])
        index = previous[index]
    return chain[::-1]


def _hunks(old: list[str], new: list[str], anchors: list[tuple[int, int]]) -> list[Hunk]:
    """The changed stretches between consecutive anchors: their common first and last lines
    dropped, then diffed line by line when small (a large one stays one stretch)."""
    hunks: list[Hunk] = []
    for (i1, j1), (i2, j2) in itertools.pairwise([(0, 0), *anchors, (len(old), len(new))]):
        while i1 < i2 and j1 < j2 and old[i1] == new[j1]:
            i1, j1 = i1 + 1, j1 + 1
        while i1 < i2 and j1 < j2 and old[i2 - 1] == new[j2 - 1]:
            i2, j2 = i2 - 1, j2 - 1
        if i1 == i2 and j1 == j2:
            continue
        if (i2 - i1) * (j2 - j1) > _SMALL:
            hunks.append((i1, i2, j1, j2))
            continue
        matcher = difflib.SequenceMatcher(a=old[i1:i2], b=new[j1:j2], autojunk=False)
        hunks.extend((i1 + a1, i1 + a2, j1 + b1, j1 + b2)
                     for tag, a1, a2, b1, b2 in matcher.get_opcodes() if tag != "equal")
    return hunks


def _merged(hunks: list[Hunk]) -> list[Hunk]:
    """Stretches that touch made one, as a diff of the whole file would give them: a list
    re-indented as a whole is put back as a whole."""
    merged: list[Hunk] = []
    for hunk in hunks:
        if merged and merged[-1][1] == hunk[0] and merged[-1][3] == hunk[2]:
            merged[-1] = (merged[-1][0], hunk[1], merged[-1][2], hunk[3])
        else:
            merged.append(hunk)
    return merged


def _keeping(old: list[str], new: list[str], hunk: Hunk, marks: list[int]) -> list[list[str]]:
    """What may stand for a stretch that holds part of the change: all of it as it was, else its
    old lines with the new lines from the change's first line on (an entry appended after a
    re-folded line), else with those up to its last (a key inserted before one); fewest first."""
    i1, i2, j1, j2 = hunk
    options = [old[i1:i2]]
    if marks:
        suffix, prefix = j2 - marks[0], marks[-1] + 1 - j1
        kept = sorted((keep, order, lines) for keep, order, lines in (
            (suffix, 0, old[i1:i2] + new[marks[0]:j2]), (prefix, 1, new[j1:marks[-1] + 1] + old[i1:i2]))
            if keep < j2 - j1)
        options += [lines for _, _, lines in kept]
    return options


def _stitched(new: list[str], hunks: list[Hunk], chosen: dict[int, list[str]]) -> str:
    """`new` with the stretches in `chosen` replaced by the lines given for them."""
    parts: list[str] = []
    at = 0
    for n in sorted(chosen):
        _, _, j1, j2 = hunks[n]
        parts += new[at:j1]
        parts += chosen[n]
        at = j2
    parts += new[at:]
    return "".join(parts)


def _changed_lines(doc: Document, other: Any, end: int) -> set[int]:
    """0-based lines of `doc` (of `end`) holding a key or value that `other` lacks or holds
    otherwise, with the lines that follow each up to the next key or value (a `|` story's)."""
    differ: set[JsonPath] = set()
    _differences(doc.data, other, (), differ)
    if not differ:
        return set()
    starts: set[int] = set()
    marked: set[int] = set()
    for places in (doc.values, doc.keys):
        for path, (line, _) in places.items():
            starts.add(line - 1)
            if any(path[:k] in differ for k in range(len(path) + 1)):
                marked.add(line - 1)
    ordered = sorted(starts)
    lines: set[int] = set()
    for line in marked:
        after = bisect.bisect_right(ordered, line)
        lines.update(range(line, ordered[after] if after < len(ordered) else end))
    return lines


def _differences(mine: Any, other: Any, path: JsonPath, found: set[JsonPath]) -> None:
    """Add to `found` the paths in `mine` whose value `other` lacks or holds otherwise."""
    if type(mine) is type(other) and mine == other:
        return
    if isinstance(mine, dict) and isinstance(other, dict):
        for key, value in mine.items():
            if key in other:
                _differences(value, other[key], (*path, key), found)
            else:
                found.add((*path, key))
    elif isinstance(mine, list) and isinstance(other, list):
        for index, value in enumerate(mine):
            if index < len(other):
                _differences(value, other[index], (*path, index), found)
            else:
                found.add((*path, index))
    else:
        found.add(path)


def _plain(value: Any) -> Any:
    """Data as our loader returns it (edits may hold ruamel's string subclasses)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value) if isinstance(value, str) else value


def _keep_ending(before: str, after: str) -> str:
    """Windows line ends and a missing final newline stay as they were."""
    if "\r\n" in before:
        after = re.sub(r"(?<!\r)\n", "\r\n", after)
    return after if before.endswith(("\n", "\r")) else after.rstrip("\r\n")


# Where a new top-level key goes in a profile: the order of the schema and the sample files.
PROFILE_ORDER = ("id", "name", "title", "persona", "function", "company", "summary", "products",
                 "use_cases", "languages", "story", "outcomes", "quotes", "assets", "willingness",
                 "activity", "owner", "status", "consent", "last_verified", "nomination", "not_same_as",
                 "private")


def append_activity(text: str, display: str, entry: dict[str, Any]) -> str:
    """The profile with `entry` at the end of its activity log (a log is started if absent)."""
    def change(profile: Any) -> None:
        log = profile.get("activity")
        if isinstance(log, CommentedSeq) and log:
            log.fa.set_block_style()
            log.append(node(entry))
        elif isinstance(log, list) and log:
            log.append(node(entry))
        else:
            insert_in_order(profile, "activity", node([entry]), PROFILE_ORDER)
    return edit(text, display, change)


def set_field(text: str, display: str, key: str, value: Any) -> str:
    """The profile with top-level `key` set to `value` (e.g. last_verified)."""
    return edit(text, display, lambda profile: insert_in_order(profile, key, node(value),
                                                               PROFILE_ORDER))


def promoted(text: str, display: str, today: str) -> str:
    """A nomination's text as a profile: the nomination's own fields move under `nomination:`,
    `status: nominated` and `last_verified` are added; everything else stays as written."""
    def change(data: Any) -> None:
        provenance = {key: data.pop(key) for key in ("nominated_by", "nominated_on", "reason")
                      if key in data}
        for key, value in (("status", "nominated"), ("last_verified", today),
                           ("nomination", provenance)):
            insert_in_order(data, key, node(value), PROFILE_ORDER)
    return edit(text, display, change)
