"""Read YAML files into plain data, remembering where every key and value sits in the source.

PyYAML alone resolves YAML 1.1 (`NO` becomes false, `0755` becomes 493), keeps the last of two
duplicate keys and reports impossible dates without a line. This loader composes the node tree
with libyaml, resolves scalars the YAML 1.2 way, and turns every surprise into an `Issue`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Issue

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


@dataclass
class Document:
    """One loaded file: its data, where each part came from, and what was wrong with it."""

    path: str
    data: Any = None
    values: dict[JsonPath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[JsonPath, tuple[int, int]] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

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


def _position(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Builder:
    """Walks a composed node tree into plain data, recording positions and issues."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.seen: set[int] = set()

    def fail(self, node: yaml.Node, message: str, hint: str) -> None:
        line, col = _position(node)
        self.doc.issues.append(Issue(self.doc.path, line, col, "error", message, hint))

    def build(self, node: yaml.Node, path: JsonPath) -> Any:
        if id(node) in self.seen:
            # A shared node is an alias: report it where it is used, not at its anchor.
            line, col = self.doc.keys.get(path, _position(node))
            self.doc.issues.append(Issue(self.doc.path, line, col, "error",
                                         "aliases (*name) are not supported",
                                         "write the value out in full instead of reusing an &anchor"))
            return None
        self.doc.values[path] = _position(node)
        self.seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != SEQ:
                return self.bad_tag(node)
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self.scalar(node)

    def mapping(self, node: yaml.MappingNode, path: JsonPath) -> dict[str, Any] | None:
        if node.tag != MAP:
            return self.bad_tag(node)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in (STR, INT, BOOL):
                self.fail(key_node, "a key must be a plain word", "write keys like `name:`")
                continue
            key = key_node.value
            if key in result:
                first = self.doc.keys[(*path, key)][0]
                self.fail(key_node, f"duplicate key '{key}' (first on line {first})",
                          "keep one of them and delete the other")
                continue
            self.doc.keys[(*path, key)] = _position(key_node)
            result[key] = self.build(value_node, (*path, key))
        return result

    def scalar(self, node: yaml.ScalarNode) -> Any:
        value, tag = node.value, node.tag
        if tag == STR:
            return value
        if tag == NULL:
            return None
        if tag == BOOL:
            return value.lower() == "true"
        if tag == INT:
            return int(value, 0) if value[:2] in ("0o", "0x") else int(value, 10)
        if tag == FLOAT:
            return float(value.lower().replace(".inf", "inf").replace(".nan", "nan"))
        if tag == DATE:
            try:
                return dt.date.fromisoformat(value).isoformat()
            except ValueError:
                self.fail(node, f"'{value}' is not a real date",
                          "write a calendar date as YYYY-MM-DD, e.g. 2026-03-14")
                return value
        return self.bad_tag(node)

    def bad_tag(self, node: yaml.Node) -> None:
        self.fail(node, f"the tag '{node.tag}' is not allowed",
                  "remove it: plain text, numbers, lists and mappings only")
        return None


_YAML_HINTS = [
    ("expected a single document", "keep one document per file: remove the extra '---'"),
    ("mapping values are not allowed", "put text containing ': ' in quotes, or fix the indentation"),
    ("could not find expected ':'", "every line needs `key: value`; check the indentation above"),
    ("did not find expected key", "check the indentation: items of one mapping line up"),
    ("found undefined alias", "aliases (*name) are not supported: write the value out in full"),
]


def _yaml_issue(path: str, text: str, error: yaml.YAMLError) -> Issue:
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
    try:
        node = StrictLoader(text).get_single_node()
    except yaml.YAMLError as error:
        doc.issues.append(_yaml_issue(path, text, error))
        return doc
    except RecursionError:
        doc.issues.append(Issue(path, 1, 1, "error", "the YAML is nested too deeply",
                                "flatten the structure: profiles need only a few levels"))
        return doc
    if node is None:
        doc.issues.append(Issue(path, 1, 1, "error", "the file is empty",
                                "fill it in, or delete the file"))
        return doc
    data = _Builder(doc).build(node, ())
    if not isinstance(data, dict):
        doc.issues.append(doc.issue((), "the file must be a mapping of `key: value` lines",
                                    "start with `id: ...` at the left edge, not a list or text"))
        return doc
    doc.data = data
    return doc


def read(file: Path, display: str) -> Document:
    """Read and parse one file; unreadable or oversized files become a Document with an issue."""
    try:
        raw = file.read_bytes()
    except OSError as error:
        return Document(display, issues=[Issue(display, 1, 1, "error",
                                               f"cannot read the file ({error.strerror})",
                                               "check that it exists and is readable")])
    if len(raw) > MAX_FILE_BYTES:
        return Document(display, issues=[Issue(display, 1, 1, "error",
                                               f"the file is {len(raw):,} bytes, over the "
                                               f"{MAX_FILE_BYTES:,}-byte limit",
                                               "shorten the story or link long material as an asset")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        col = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        return Document(display, issues=[Issue(display, line, col, "error",
                                               "the file is not UTF-8 text",
                                               "save it with UTF-8 encoding")])
    return parse(text, display)
