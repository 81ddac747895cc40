"""Characters no catalog text may hold, in one place: the loader refuses them with their line, and
every output strips or escapes them anyway (a feed reader or a terminal must never see them raw)."""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, C1 controls, lone surrogates (no UTF-8 for them), and
# Unicode's noncharacters (U+FDD0 to U+FDEF and the last two code points of every plane).
# YAML escapes ("\0", "\e", "\x85", "\uFFFE") are how they get into a file: libyaml itself
# refuses them written raw.
_FORBIDDEN = "\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17))
FORBIDDEN = re.compile(f"[{_FORBIDDEN}]")
# Carriage returns count too where a value must stay on one line.
FORBIDDEN_IN_LINE = re.compile(f"[{_FORBIDDEN}\r\n\u2028\u2029]")


def first_forbidden(text: str) -> str | None:
    """The first forbidden character of `text`, written as an escape (`\\x1b`), or None."""
    found = FORBIDDEN.search(text)
    return escape(found.group()) if found else None


def escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def strip(text: str) -> str:
    """`text` without forbidden characters: for files others read (feed, exports, pages)."""
    return FORBIDDEN.sub("", text)


def printable(text: str) -> str:
    """`text` for a terminal or a CI log: forbidden characters shown as escapes, never sent raw
    (an ESC sequence could hide or rewrite what a reviewer reads)."""
    return FORBIDDEN.sub(lambda match: escape(match.group()), text)
