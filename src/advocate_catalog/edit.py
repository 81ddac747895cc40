"""Changes to a data file that keep it as its author wrote it: comments, key order, quoting, flow
lists and block stories survive (ruamel.yaml's round trip). PyYAML stays the one reader.

ruamel.yaml reads YAML 1.2 and our loader reads YAML 1.1, so they could disagree on a value the
edit does not touch. Every edit is therefore checked: the edited text, read by our loader, must
hold exactly the data intended; otherwise the edit is refused rather than written.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import io
import re
from collections.abc import Callable, Mapping
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString, SingleQuotedScalarString

from .errors import CatalogError
from .load import parse, string_style

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
    return _keep_ending(text, _least_change(text, after, display, wanted))


def _least_change(before: str, after: str, display: str, wanted: dict[str, Any]) -> str:
    """`after` with each changed stretch put back as it was in `before` wherever the data stays
    what is wanted: ruamel re-folds long quoted lines and re-indents lists written in another
    style, and none of that is the edit's business."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    if old and not old[-1].endswith("\n"):
        old[-1] += "\n"
    hunks = [op for op in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes()
             if op[0] != "equal"]
    for _, i1, i2, j1, j2 in reversed(hunks):  # from the end, so earlier positions stay valid
        # Keep as few new lines as will do: none, else some at the hunk's end (an entry appended
        # after a re-folded line) or at its start.
        for keep in range(max(1, j2 - j1)):
            for candidate in (new[:j1] + old[i1:i2] + new[j2 - keep:],
                              new[:j1 + keep] + old[i1:i2] + new[j2:]):
                reverted = parse("".join(candidate), display)
                if not reverted.issues and reverted.data == wanted:
                    new = candidate
                    break
            else:
                continue
            break
    return "".join(new)


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
                 "activity", "owner", "status", "consent", "last_verified", "nomination", "private")


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
