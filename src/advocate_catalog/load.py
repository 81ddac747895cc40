"""Read YAML files into plain data, remembering where every key and value sits in the source;
and write data back as YAML that reads the same.

PyYAML alone resolves YAML 1.1 (`NO` becomes false, `0755` becomes 493), keeps the last of two
duplicate keys and reports impossible dates without a line. This loader composes the node tree
with libyaml, resolves scalars the YAML 1.2 way, and turns every surprise into an `Issue`.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import marshal
import os
import re
import stat
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from .errors import Issue
from .text import first_forbidden

JsonPath = tuple[str | int, ...]

MAX_FILE_BYTES = 1_000_000

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
DATE = "tag:yaml.org,2002:timestamp"
MAP = "tag:yaml.org,2002:map"
SEQ = "tag:yaml.org,2002:seq"


class StrictLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """libyaml's parser with YAML 1.2 core-schema resolution: only true/false are booleans."""

    yaml_implicit_resolvers: dict = {}  # noqa: RUF012 - PyYAML's class-level registry


for _tag, _pattern, _first in [
    (BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    (INT, r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (FLOAT, r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", "-+.0123456789"),
    (NULL, r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    (DATE, r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$", "0123456789"),
]:
    StrictLoader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


# First characters for which a plain scalar may be something other than text.
_RESOLVABLE = frozenset(key for key in StrictLoader.yaml_implicit_resolvers if key)


Places = dict[JsonPath, tuple[int, int]]


class Positions:
    """Line and column of every value and key of a file. Sent between processes as one marshal
    blob, kept in the build cache as one JSON text, and unpacked on first use: most files never
    need them, and a million small tuples cost more to unpack than the whole file took to check."""

    __slots__ = ("_maps", "_packed")

    def __init__(self) -> None:
        self._maps: tuple[Places, Places] | None = ({}, {})
        self._packed: bytes | str = b""

    def maps(self) -> tuple[Places, Places]:
        if self._maps is None:
            self._maps, self._packed = self._unpacked(), b""
        return self._maps

    def _unpacked(self) -> tuple[Places, Places]:
        if self._maps is not None:
            return self._maps
        packed = self._packed
        return marshal.loads(packed) if isinstance(packed, bytes) else _places_from_json(packed)

    def value_at(self, path: JsonPath) -> tuple[int, int] | None:
        """One value's position, the map left packed in this object: a build asks this of
        thousands of files (a stale profile's `last_verified`), and keeping each file's
        unpacked map would hold tens of MB for a few numbers. The last file's map is kept
        aside, as one file is often asked many times in a row (a warning per entry of a long
        activity log): unpacking it each time would cost minutes."""
        if self._maps is not None:
            return self._maps[0].get(path)
        if _LAST_UNPACKED[0] is self:
            return _LAST_UNPACKED[1][0].get(path)
        if isinstance(self._packed, str) and path and isinstance(path[0], str):
            asked = _LAST_ASKED[1] + 1 if _LAST_ASKED[0] is self else 1
            _LAST_ASKED[:] = [self, asked]
            if asked <= SEARCHED_ASKS:  # after that, unpacked: each search reads the whole text
                return _value_in_json(self._packed, path)
        _LAST_UNPACKED[:] = [self, self._unpacked()]
        return _LAST_UNPACKED[1][0].get(path)

    def __getstate__(self) -> bytes:
        return marshal.dumps(self.maps()) if self._maps is not None or isinstance(self._packed, str) \
            else self._packed

    def __setstate__(self, packed: bytes) -> None:
        self._maps, self._packed = None, packed

    def to_json(self) -> str:
        if self._maps is None and isinstance(self._packed, str):
            return self._packed  # read from the cache and never needed: kept as it came
        return json.dumps([[[*path, *where] for path, where in places.items()]
                           for places in self._unpacked()], ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Positions:
        """Positions read back from the build cache: checked when unpacked, empty when wrong."""
        positions = cls()
        positions._maps, positions._packed = None, text
        return positions


_LAST_UNPACKED: list[Any] = [None, None]  # (Positions, its unpacked maps): see value_at
_LAST_ASKED: list[Any] = [None, 0]  # the Positions last asked, and how many times in a row
SEARCHED_ASKS = 8  # asks in a row of one file answered from its text, before it is unpacked


def _value_in_json(text: str, path: JsonPath) -> tuple[int, int] | None:
    """One value's position in a map as `Positions.to_json` wrote it, found in the text: parsing
    the whole map for one position cost ~0.2 ms a file, 3.6 s of a one-profile rebuild at 10,000
    profiles (a notice per file). An entry is the path's JSON list with the line and column
    appended, and a JSON string holds no unescaped quote, so the path's opening `["` starts an
    entry, never the inside of a key. The values' map comes first, and every key's path has a
    value: the first entry found is the value's."""
    parts = [re.escape(json.dumps(part, ensure_ascii=False)) for part in path]
    found = re.search(r"\[\s*" + r"\s*,\s*".join(parts) + r"\s*,\s*(\d+)\s*,\s*(\d+)\s*\]", text)
    return (int(found.group(1)), int(found.group(2))) if found else None


def _places_from_json(text: str) -> tuple[Places, Places]:
    try:
        both = json.loads(text)
        maps: tuple[Places, Places] = ({}, {})
        for places, entries in zip(maps, both, strict=True):
            for *path, line, col in entries:
                if not (type(line) is int and type(col) is int
                        and all(type(part) in (str, int) for part in path)):
                    raise ValueError("not a position")
                places[tuple(path)] = (line, col)
        return maps
    except (ValueError, TypeError):
        return ({}, {})  # a damaged cache costs line numbers (1:1), never a crash


@dataclass
class Document:
    """One loaded file: its data, where each part came from, and what was wrong with it."""

    path: str
    data: Any = None
    issues: list[Issue] = field(default_factory=list)
    # Values the loader refused (aliases, foreign tags): already reported, so later checks skip them.
    refused: set[JsonPath] = field(default_factory=set)
    positions: Positions = field(default_factory=Positions, repr=False)
    story_html: str = ""  # the story rendered once, when the file is checked (see validate.py)

    @property
    def values(self) -> Places:
        return self.positions.maps()[0]

    @property
    def keys(self) -> Places:
        return self.positions.maps()[1]

    def near_refused(self, path: JsonPath) -> bool:
        """True when `path` is a refused value, inside one, or holds one."""
        return any(path[: len(r)] == r or r[: len(path)] == path for r in self.refused)

    def locate(self, path: JsonPath, *, key: bool = False) -> tuple[int, int]:
        """Line and column of the value (or its key) at `path`, else of its nearest ancestor."""
        if key and path in self.keys:
            return self.keys[path]
        while path:
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get((), (1, 1))

    def issue(self, path: JsonPath, message: str, hint: str = "", *, key: bool = False,
              severity: str = "error") -> Issue:
        line, col = self.locate(path, key=key)
        return Issue(self.path, line, col, severity, message, hint)  # type: ignore[arg-type]


MAX_DEPTH = 20  # profiles need four levels; libyaml's own composer crashes on deep nesting
_SKIP = object()  # the key slot of a mapping whose key was not a plain word


def _mark(event: yaml.Event) -> tuple[int, int]:
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


@dataclass
class _Frame:
    """An open mapping or list while events stream in."""

    path: JsonPath | None  # None: inside something being discarded
    data: dict[str, Any] | list[Any]
    bad_tag: bool = False
    key: Any = None  # mappings: the key waiting for its value (None: expecting a key)


class _Builder:
    """Builds plain data from libyaml's event stream, iteratively: no recursion to exhaust, no
    node tree, positions of every key and value, and an issue for everything we refuse."""

    def __init__(self, doc: Document, loader: StrictLoader, raw_clean: bool = False) -> None:
        self.doc, self.loader = doc, loader
        # With no forbidden character in the file's own text, only a double-quoted scalar's
        # escapes ("\e", "\x85") can make one: the others need no search.
        self.raw_clean = raw_clean
        self.values, self.keys = doc.positions.maps()
        self.stack: list[_Frame] = []
        self.root: Any = None
        self.aliases = 0
        self.last: yaml.ScalarEvent | None = None  # where a syntax error after a quoted value began

    def fail(self, where: tuple[int, int], message: str, hint: str) -> None:
        self.doc.issues.append(Issue(self.doc.path, *where, "error", message, hint))

    def child_path(self) -> JsonPath | None:
        """Where the next value goes; None when it is a key or inside a discarded part."""
        if not self.stack:
            return ()
        frame = self.stack[-1]
        if frame.path is None:
            return None
        if isinstance(frame.data, list):
            return (*frame.path, len(frame.data))
        return None if frame.key is None or frame.key is _SKIP else (*frame.path, frame.key)

    def run(self) -> bool:
        """Consume the stream; False when it had to stop early (the data is then unusable)."""
        documents = 0
        while True:
            event = self.loader.get_event()
            # Most events are scalars, then collections: test in that order.
            if isinstance(event, yaml.ScalarEvent):
                self.last = event
                self.emit(self.scalar(event), event)
            elif isinstance(event, yaml.CollectionStartEvent):
                if len(self.stack) >= MAX_DEPTH:
                    self.fail(_mark(event), f"the YAML is nested more than {MAX_DEPTH} levels deep",
                              "flatten the structure: profiles need only a few levels")
                    return False
                self.open(event)
            elif isinstance(event, yaml.CollectionEndEvent):
                frame = self.stack.pop()
                self.emit(None if frame.bad_tag else frame.data, event)
            elif isinstance(event, yaml.StreamEndEvent):
                return True
            elif isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    self.fail(_mark(event), "the file holds several YAML documents",
                              "keep one document per file: remove the second '---' and what follows")
                    return False
            elif isinstance(event, yaml.AliasEvent):
                self.alias(event)
                self.emit(None, event)

    def alias(self, event: yaml.AliasEvent) -> None:
        """Report the first alias where it is used and count the rest: one line, not a billion."""
        path = self.child_path()
        if path is not None:
            self.values[path] = _mark(event)
            self.doc.refused.add(path)
        self.aliases += 1
        message = "aliases (*name) are not supported"
        if self.aliases == 1:
            self.fail(_mark(event), message, "write the value out in full instead of reusing an &anchor")
            self.first_alias = len(self.doc.issues) - 1
        else:
            first = self.doc.issues[self.first_alias]
            self.doc.issues[self.first_alias] = replace(
                first, message=f"{message} ({self.aliases} in this file, the first here)")

    def open(self, event: yaml.CollectionStartEvent) -> None:
        mapping = isinstance(event, yaml.MappingStartEvent)
        expected = MAP if mapping else SEQ
        bad_tag = not event.implicit and event.tag not in (expected, "!")
        path = self.child_path()
        if bad_tag:
            self.fail(_mark(event), f"the tag '{event.tag}' is not allowed",
                      "remove it: plain text, numbers, lists and mappings only")
            if path is not None:
                self.doc.refused.add(path)
        in_key = bool(self.stack) and isinstance(self.stack[-1].data, dict) \
            and self.stack[-1].key is None and self.stack[-1].path is not None
        if in_key:
            self.fail(_mark(event), "a key must be a plain word", "write keys like `name:`")
        elif path is not None:
            self.values[path] = _mark(event)
        self.stack.append(_Frame(None if in_key else path, {} if mapping else [], bad_tag))

    def emit(self, value: Any, event: yaml.Event) -> None:
        """Place a finished value: the root, a list item, a mapping key, or a mapping value."""
        if not self.stack:
            self.root = value
            return
        frame = self.stack[-1]
        if isinstance(frame.data, list):
            frame.data.append(value)
        elif frame.key is None:
            self.take_key(frame, value, event)
        else:
            if frame.key is not _SKIP:
                frame.data[frame.key] = value
            frame.key = None

    def take_key(self, frame: _Frame, value: Any, event: yaml.Event) -> None:
        if not isinstance(event, yaml.ScalarEvent) or not isinstance(value, str | int | bool):
            already = bool(self.doc.issues) and (self.doc.issues[-1].line,
                                                 self.doc.issues[-1].col) == _mark(event)
            if isinstance(event, yaml.ScalarEvent) and not already:
                self.fail(_mark(event), "a key must be a plain word", "write keys like `name:`")
            frame.key = _SKIP
            return
        key = str(value)
        if frame.path is not None and key in frame.data:
            first = self.keys[(*frame.path, key)][0]
            self.fail(_mark(event), f"duplicate key '{key}' (first on line {first})",
                      "keep one of them and delete the other")
            frame.key = _SKIP
            return
        if frame.path is not None:
            self.keys[(*frame.path, key)] = _mark(event)
        frame.key = key

    def scalar(self, event: yaml.ScalarEvent) -> Any:
        path = self.child_path()
        if path is not None:
            self.values[path] = _mark(event)
        value = event.value
        bad = first_forbidden(value) if event.style == '"' or not self.raw_clean else None
        if bad is not None:
            self.fail(_mark(event), f"the text holds the control or non-character {bad}",
                      "remove it: a YAML escape such as \"\\e\" or \"\\x01\" is never wanted in catalog text")
            if path is not None:
                self.doc.refused.add(path)
            return None
        if event.tag not in (None, "!"):
            tag = event.tag
        elif event.implicit[0] and (not value or value[0] in _RESOLVABLE):
            tag = self.loader.resolve(yaml.ScalarNode, value, event.implicit)
        else:  # quoted, block, or plain text no resolver starts with: text, without asking
            tag = STR
        if tag == STR:
            return value
        if tag == NULL:
            return None
        if tag == BOOL:
            return value.lower() == "true"
        if tag == INT:
            return int(value, 0) if value[:2] in ("0o", "0x") else int(value, 10)
        if tag == FLOAT:
            number = float(value.lower().replace(".inf", "inf").replace(".nan", "nan"))
            if number != number or number in (float("inf"), float("-inf")):
                self.fail(_mark(event), f"'{value}' is not a finite number",
                          "write an amount as digits, e.g. 250000")
                if path is not None:
                    self.doc.refused.add(path)
                return None
            return number
        if tag == DATE:
            try:
                return dt.date.fromisoformat(value).isoformat()
            except ValueError:
                self.fail(_mark(event), f"'{value}' is not a real date",
                          "write a calendar date as YYYY-MM-DD, e.g. 2026-03-14")
                return value
        self.fail(_mark(event), f"the tag '{tag}' is not allowed",
                  "remove it: plain text, numbers, lists and mappings only")
        if path is not None:
            self.doc.refused.add(path)
        return None


_YAML_HINTS = [
    ("did not find expected ',' or ']'", "put a comma between the items, or close the [ list ]"),
    ("did not find expected ',' or '}'", "put a comma between the entries, or close the { mapping }"),
    ("expected a single document", "keep one document per file: remove the extra '---'"),
    ("mapping values are not allowed", "put text containing ': ' in quotes, or fix the indentation"),
    ("could not find expected ':'", "every line needs `key: value`; check the indentation above"),
    ("did not find expected key", "check the indentation: items of one mapping line up"),
    ("found undefined alias", "aliases (*name) are not supported: write the value out in full"),
    ("unknown escape character", "in double quotes a backslash starts an escape: write \\\\ for a "
                                 "backslash, or put the text in single quotes"),
]


def _opened_issue(path: str, text: str, error: yaml.YAMLError,
                  last: yaml.ScalarEvent | None) -> Issue | None:
    """An error about something left open, placed where it opens rather than where the parser
    gave up (for an unclosed quote that is the end of the file); None for any other error."""
    context, problem = getattr(error, "context", None) or "", getattr(error, "problem", None) or ""
    opened, found = getattr(error, "context_mark", None), getattr(error, "problem_mark", None)
    if found is None:
        return None
    lines = text.splitlines()

    def at(mark: yaml.Mark, start: int | None = None) -> str:
        """The character at `mark`, or its line from `start` up to it."""
        begin = mark.column if start is None else start
        return lines[mark.line][begin:mark.column + 1] if mark.line < len(lines) else ""

    if opened is not None and "quoted scalar" in context and (
            "end of stream" in problem or "document" in problem):
        quote = at(opened) or '"'
        inside = "an apostrophe inside it is written ''" if quote == "'" else 'a " inside it is written \\"'
        return Issue(path, opened.line + 1, opened.column + 1, "error",
                     "this quoted string is never closed",
                     f"add the closing {quote} at the end of the text ({inside})")
    if opened is not None and "flow " in context and found.line > opened.line:
        opening, closing, kind, part, parts = (("{", "}", "mapping", "entry", "entries")
                                               if "mapping" in context
                                               else ("[", "]", "list", "item", "items"))
        return Issue(path, opened.line + 1, opened.column + 1, "error",
                     f"this {opening} {kind} is still open at line {found.line + 1}",
                     f"close it with {closing} after its last {part}, or add the comma missing "
                     f"between two {parts}")
    if opened is not None and "simple key" in context and "\t" not in at(opened, 0):
        return Issue(path, opened.line + 1, opened.column + 1, "error",
                     "this line is not `key: value`: no ':' follows it",
                     "add the ':', or indent the line further to continue the value above")
    if (last is not None and last.style in ("'", '"') and "flow " not in context
            and last.end_mark is not None
            and last.end_mark.line == found.line and found.column >= last.end_mark.column):
        quote, start = last.style, last.start_mark
        inside = ("write an apostrophe inside it as '' (Customer''s)" if quote == "'"
                  else 'write a " inside it as \\"')
        if start is not None and start.line < found.line:
            return Issue(path, start.line + 1, start.column + 1, "error",
                         f"this quoted string runs on to line {found.line + 1}",
                         f"add the closing {quote} at the end of the text; {inside}")
        return Issue(path, found.line + 1, found.column + 1, "error",
                     "text follows the closing quote",
                     f"keep the whole value inside the quotes and {inside}")
    return None


def _yaml_issue(path: str, text: str, error: yaml.YAMLError,
                last: yaml.ScalarEvent | None = None) -> Issue:
    opened = _opened_issue(path, text, error, last)
    if opened is not None:
        return opened
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    source_line = text.splitlines()[line - 1] if 0 < line <= len(text.splitlines()) else ""
    if "\t" in source_line[: max(col, 1)]:
        hint = "indent with spaces, not tabs"
    else:
        message = str(error)
        hint = next((h for needle, h in _YAML_HINTS if needle in message),
                    "fix the YAML syntax here")
    return Issue(path, line, col, "error", f"YAML syntax: {problem}", hint)


def parse(text: str, path: str) -> Document:
    """Parse YAML text into a Document whose data is a mapping, or record why it is not."""
    doc = Document(path)
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        doc.issues.append(Issue(path, line, 1, "error", "the file contains binary data",
                                "this is not a YAML text file: replace it with the profile's text"))
        return doc
    loader = StrictLoader(text)
    # A raw carriage return is a line break to YAML, never part of a value.
    builder = _Builder(doc, loader, raw_clean=first_forbidden(text.replace("\r", "")) is None)
    try:
        complete = builder.run()
    except yaml.YAMLError as error:
        doc.issues.append(_yaml_issue(path, text, error, builder.last))
        return doc
    finally:
        loader.dispose()
    if not complete:
        return doc
    if builder.root is None and not doc.issues:
        doc.issues.append(Issue(path, 1, 1, "error", "the file is empty",
                                "fill it in, or delete the file"))
    elif not isinstance(builder.root, dict):
        doc.issues.append(doc.issue((), "the file must be a mapping of `key: value` lines",
                                    "start with `id: ...` at the left edge, not a list or text"))
    else:
        doc.data = builder.root
    return doc


class _Dumper(yaml.SafeDumper):
    """Block style, keys in the given order, list items indented, multi-line text as `|` blocks."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


# YAML 1.1 line breaks (NEL, LS, PS) and other control characters would be written raw in plain
# or block style and read back differently; double quotes escape them.
_NEEDS_ESCAPES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]")


def string_style(value: str) -> str | None:
    """How a string must be written for our loader to read it back as the same string: `"` when
    it needs escapes, `'` when plain it would read as something else ('08', 'true'), `|` when it
    spans lines, None when plain is safe. One rule for every writer (to_yaml and edits)."""
    if _NEEDS_ESCAPES.search(value):
        return '"'
    if value and value[0] in _RESOLVABLE and StrictLoader.resolve(
            StrictLoader, yaml.ScalarNode, value, (True, False)) != STR:
        return "'"
    return "|" if "\n" in value else None


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):  # dates read back as the same string: no quotes
        return dumper.represent_scalar("tag:yaml.org,2002:timestamp", value)
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=string_style(value))


_Dumper.add_representer(str, _str)


def to_yaml(data: dict[str, Any]) -> str:
    """YAML that our loader reads back to the same data (words like NO and yes are quoted)."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=100)


def read_regular(file: Path, limit: int) -> bytes:
    """The bytes of a regular file, never through a symbolic link and never more than `limit`:
    a link to /dev/zero or to a secret outside the catalog raises OSError (or FileTooLarge)
    instead of being read."""
    handle = os.open(file, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(handle, "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EISDIR, "not a regular file")
        if info.st_size > limit:
            raise FileTooLarge(info.st_size)
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(len(data))
    return data


class FileTooLarge(OSError):
    def __init__(self, size: int) -> None:
        super().__init__(errno.EFBIG, "file too large")
        self.size = size


def read(file: Path, display: str) -> Document:
    """Read and parse one file; unreadable or oversized files become a Document with an issue."""
    try:
        raw = read_regular(file, MAX_FILE_BYTES)
    except FileTooLarge as error:
        return Document(display, issues=[Issue(display, 1, 1, "error",
                                               f"the file is {error.size:,} bytes, over the "
                                               f"{MAX_FILE_BYTES:,}-byte limit",
                                               "shorten the story or link long material as an asset")])
    except OSError as error:
        reason = "it is a symbolic link" if error.errno == errno.ELOOP else error.strerror
        return Document(display, issues=[Issue(display, 1, 1, "error",
                                               f"cannot read the file ({reason})",
                                               "replace it with a regular, readable file")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        col = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        return Document(display, issues=[Issue(display, line, col, "error",
                                               "the file is not UTF-8 text",
                                               "save it with UTF-8 encoding")])
    return parse(text, display)
