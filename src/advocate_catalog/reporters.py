"""Ways to print a list of issues: plain text, GitHub annotations, JSON. Same input, same order."""

from __future__ import annotations

import json
from collections.abc import Callable

from .errors import Issue


def text(issues: list[Issue]) -> str:
    return "\n".join(str(issue) for issue in issues)


def _escape_annotation(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github(issues: list[Issue]) -> str:
    """Workflow commands, so each issue shows on the changed line of the pull request."""
    lines = []
    for issue in issues:
        message = _escape_annotation(f"{issue.message} — {issue.hint}" if issue.hint else issue.message)
        path = _escape_annotation(issue.path).replace(",", "%2C").replace(":", "%3A")
        lines.append(f"::{issue.severity} file={path},line={issue.line},col={issue.col}::{message}")
    return "\n".join(lines)


def as_json(issues: list[Issue]) -> str:
    return json.dumps([issue.__dict__ for issue in issues], ensure_ascii=False, indent=2)


REPORTERS: dict[str, Callable[[list[Issue]], str]] = {"text": text, "github": github, "json": as_json}
