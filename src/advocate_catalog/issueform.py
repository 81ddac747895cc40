"""The GitHub issue form for nominations, and the parser for what people submit through it.

The form is generated from the questions and the taxonomy, so it cannot drift from catalog.yaml.
An issue body is untrusted text: it is parsed here, in Python, and only ever becomes data that
is validated and written by `nominate.create`; it never reaches a shell.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import CatalogError, InvalidData
from .model import Config
from .nominate import QUESTIONS, Question, choices, create, nomination_from_answers
from .reporters import md_escape
from .validate import load_config

MAX_BODY_CHARS = 50_000
NO_RESPONSE = "_No response_"
_ID_IN_OPTION = re.compile(r"\(([a-z0-9]+(?:-[a-z0-9]+)*)\)\s*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def _option(term_id: str, label: str) -> str:
    # The id in brackets makes each option parseable even when a label holds a comma.
    return f"{label} ({term_id})"


def form(config: Config) -> dict[str, Any]:
    """The issue form (`.github/ISSUE_TEMPLATE/nominate.yml`) as data."""
    body: list[dict[str, Any]] = [{"type": "markdown", "attributes": {"value": (
        "Nominate a customer as an advocate. The advocacy team turns this issue into a pull "
        "request and reviews it. Do not put private contact details here.")}}]
    for question in QUESTIONS:
        attributes: dict[str, Any] = {"label": question.label}
        if question.help:
            attributes["description"] = question.help
        if question.vocabulary:
            kind = "dropdown"
            attributes["options"] = [_option(i, label) for i, label in choices(config, question)]
            if question.multiple:
                attributes["multiple"] = True
        else:
            kind = "textarea" if question.long else "input"
        body.append({"type": kind, "id": question.key, "attributes": attributes,
                     "validations": {"required": question.required}})
    return {"name": "Nominate an advocate",
            "description": "Propose a customer for the advocate catalog.",
            "title": "Nomination: ", "labels": ["nomination"], "body": body}


def sections(body: str) -> dict[str, str]:
    """`### Heading` → text under it, as GitHub renders an issue form's answers."""
    result: dict[str, str] = {}
    heading = None
    lines: list[str] = []
    for line in body.replace("\r\n", "\n").split("\n"):
        if line.startswith("### "):
            if heading is not None and heading not in result:
                result[heading] = "\n".join(lines).strip()
            heading, lines = line[4:].strip(), []
        elif heading is not None:
            lines.append(line)
    if heading is not None and heading not in result:
        result[heading] = "\n".join(lines).strip()
    return result


def _value(question: Question, text: str, config: Config) -> tuple[Any, str | None]:
    """The answer to one question, or an explanation of why it cannot be used."""
    if text in ("", NO_RESPONSE):
        return None, (f"'{question.label}' is missing" if question.required else None)
    if question.vocabulary:
        allowed = {term_id for term_id, _ in choices(config, question)}
        ids = [m.group(1) for part in text.split(", ") if (m := _ID_IN_OPTION.search(part))]
        if not ids or any(i not in allowed for i in ids):
            return None, f"'{question.label}' must be chosen from the list"
        return (ids if question.multiple else ids[0]), None
    if not question.long:
        if "\n" in text:
            return None, f"'{question.label}' must be one line"
        return " ".join(text.split()), None
    return text.strip() + "\n" if "\n" in text.strip() else text.strip(), None


def answers_from_issue(body: str | None, author: str, config: Config) -> tuple[dict[str, Any],
                                                                            list[str]]:
    """The nomination answers in an issue body, and the problems that stop using them."""
    if not body:
        return {}, ["the issue has no body: use the 'Nominate an advocate' form"]
    if len(body) > MAX_BODY_CHARS:
        return {}, [f"the issue is over {MAX_BODY_CHARS:,} characters: shorten the story"]
    found = sections(_CONTROL.sub("", body))
    answers: dict[str, Any] = {}
    problems: list[str] = []
    for question in QUESTIONS:
        value, problem = _value(question, found.get(question.label, ""), config)
        if problem:
            problems.append(problem)
        elif value is not None:
            answers[question.key] = value
    answers["nominated_by"] = f"@{author}" if re.fullmatch(r"[A-Za-z0-9-]{1,39}", author) else "unknown"
    return answers, problems


@dataclass(frozen=True)
class IssueOutcome:
    """What became of a nomination issue: the file written (or None) and the comment to post."""

    path: str | None
    comment: str


def nominate_from_event(root: Path, event: dict[str, Any], today: dt.date) -> IssueOutcome:
    """Turn an `issues` event into a nomination file, or explain in a comment why not."""
    issue = event.get("issue") or {}
    author = str((issue.get("user") or {}).get("login", ""))
    config, config_issues = load_config(root)
    if config is None:
        raise InvalidData(config_issues)
    answers, problems = answers_from_issue(issue.get("body"), author, config)
    if not problems:
        try:
            path = create(root, nomination_from_answers(answers), today)
        except InvalidData as error:
            problems = [f"{i.message} — {i.hint}" for i in error.issues]
        except CatalogError as error:
            problems = [str(error)]
        else:
            relative = path.relative_to(root).as_posix()
            return IssueOutcome(relative, (
                f"Thanks! This nomination is valid and is now `{relative}` in a pull request "
                "for the advocacy team to review. Edit this issue to change it."))
    listed = "\n".join(f"- {md_escape(problem)}" for problem in problems)
    return IssueOutcome(None, "This nomination could not be turned into a pull request yet:\n\n"
                        f"{listed}\n\nEdit the issue to fix these and it is checked again.")
