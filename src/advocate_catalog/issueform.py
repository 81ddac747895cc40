"""The GitHub issue form for nominations, and the parser for what people submit through it.

The form is generated from the questions and the taxonomy, so it cannot drift from catalog.yaml.
An issue body is untrusted text: it is parsed here, in Python, and only ever becomes data that
is validated and written by `nominate.create`; it never reaches a shell.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .activity import availability
from .errors import CatalogError, InvalidData
from .load import read
from .model import Catalog, Config
from .nominate import (
    QUESTIONS,
    Question,
    choices,
    create,
    derive_id,
    log_activity,
    mark_verified,
    nomination_from_answers,
    unused_id,
)
from .reporters import md_escape
from .validate import load_config, validated_catalog

MAX_BODY_CHARS = 50_000
_MARKER = re.compile(r"<!-- [a-z]+(-[a-z]+)*( [a-z]+=[A-Za-z0-9-]*)* -->")
NO_RESPONSE = "_No response_"
_ID_IN_OPTION = re.compile(r"\(([a-z0-9]+(?:-[a-z0-9]+)*)\)\s*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def marker(kind: str, **fields: str) -> str:
    """The hidden last line of a comment the bot writes, `<!-- kind key=value … -->`.

    The workflows find the bot's own comment of a kind by it (`marked_comment` in request.yml and
    verify.yml) and rewrite that comment in place, so an edit of the issue notifies nobody again.
    Values are ids, handles or hashes: nothing in them can end the HTML comment or reach a shell.
    """
    line = " ".join(["<!--", kind, *(f"{key}={value}" for key, value in fields.items()), "-->"])
    if not _MARKER.fullmatch(line):
        raise ValueError(f"not a comment marker: {line!r}")
    return line


def _option(term_id: str, label: str) -> str:
    # The id in brackets makes each option parseable even when a label holds a comma.
    return f"{label} ({term_id})"


def _fields(config: Config, question: Question) -> list[dict[str, Any]]:
    """One issue-form field for a question."""
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
    return [{"type": kind, "id": question.key, "attributes": attributes,
             "validations": {"required": question.required}}]


def _issue_form(config: Config, questions: tuple[Question, ...], intro: str,
                **heading: Any) -> dict[str, Any]:
    """An issue form as data: `heading` (name, description, title, labels), an intro, one field
    per question."""
    body: list[dict[str, Any]] = [{"type": "markdown", "attributes": {"value": intro}}]
    body += [item for question in questions for item in _fields(config, question)]
    return {**heading, "body": body}


def form(config: Config) -> dict[str, Any]:
    """The issue form (`.github/ISSUE_TEMPLATE/nominate.yml`) as data."""
    return _issue_form(config, QUESTIONS, (
        "Nominate a customer as an advocate. The advocacy team turns this issue into a pull "
        "request and reviews it. Do not put private contact details here."),
        name="Nominate an advocate", description="Propose a customer for the advocate catalog.",
        title="Nomination: ", labels=["nomination"])


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


def _answers(body: str | None, config: Config,
             questions: tuple[Question, ...]) -> tuple[dict[str, Any], list[str]]:
    """The answers to `questions` in an issue body, and the problems that stop using them."""
    if not body:
        return {}, ["the issue has no body: use the issue form"]
    if len(body) > MAX_BODY_CHARS:
        return {}, [f"the issue is over {MAX_BODY_CHARS:,} characters: shorten it"]
    found = sections(_CONTROL.sub("", body))
    answers: dict[str, Any] = {}
    problems: list[str] = []
    for question in questions:
        value, problem = _value(question, found.get(question.label, ""), config)
        if problem:
            problems.append(problem)
        elif value is not None:
            answers[question.key] = value
    return answers, problems


def answers_from_issue(body: str | None, author: str, config: Config) -> tuple[dict[str, Any],
                                                                            list[str]]:
    """The nomination answers in an issue body, and the problems that stop using them."""
    answers, problems = _answers(body, config, QUESTIONS)
    if problems:
        return answers, problems
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
        data = nomination_from_answers(answers)
        data["id"] = unused_id(root, derive_id(str(data.get("name") or ""),
                                               str(data["company"].get("name") or "")))
        try:
            path = create(root, data, today)
        except InvalidData as error:
            problems = [f"{i.message} — {i.hint}" for i in error.issues]
        except CatalogError as error:
            problems = [str(error)]
        else:
            relative = path.relative_to(root).as_posix()
            return IssueOutcome(relative, (
                f"Thanks! This nomination is valid and is now `{relative}` in a pull request "
                "for the advocacy team to review; a reviewer will check for duplicates. Edit this "
                "issue to change it."))
    listed = "\n".join(f"- {md_escape(problem)}" for problem in problems)
    return IssueOutcome(None, "This nomination could not be turned into a pull request yet:\n\n"
                        f"{listed}\n\nEdit the issue to fix these and it is checked again.")


REQUEST_QUESTIONS = (
    Question("advocate", "Advocate id", help="Filled in from the profile's Request button."),
    Question("activity", "What you need", "activities"),
    Question("opportunity", "Opportunity", help="The account or deal, e.g. Globex renewal."),
    Question("requested_by", "Requested by", help="You and your team."),
    Question("needed_by", "Needed by", help="A date, YYYY-MM-DD."),
    Question("context", "Context for the owner", required=False, long=True),
    Question("exception", "Why an exception", required=False, long=True,
             help="Only when the profile says the advocate is resting or at a limit and no one "
                  "else will do. The owner decides; the reason is kept in the activity log."),
)


def request_form(config: Config) -> dict[str, Any]:
    """The reference-request issue form (`.github/ISSUE_TEMPLATE/request.yml`) as data."""
    return _issue_form(config, REQUEST_QUESTIONS, (
        "Ask for an advocate. The owner who holds the relationship is assigned and decides; "
        "a request that would break a burnout limit is answered at once. Never contact the "
        "customer directly."),
        name="Request an advocate",
        description="Ask an advocate's owner for a reference call, a talk, a case study…",
        title="Request: ", labels=["reference-request"])


def request_from_issue(body: str | None, config: Config) -> tuple[dict[str, Any], list[str]]:
    """The request's answers and the problems that stop using them (same rules as nominations)."""
    return _answers(body, config, REQUEST_QUESTIONS)


VERDICT_KIND = "request-verdict"
# A recorded verdict, exactly; request.yml's shell steps read it with this same pattern.
VERDICT_PATTERN = (r"^<!-- request-verdict ok=(true|false) advocate=([a-z0-9-]*) "
                   r"owner=([A-Za-z0-9-]{0,39}) activity=([a-z0-9-]*) exception=(true|false) "
                   r"fields=([0-9a-f]{64}) -->$")


def fingerprint(answers: dict[str, Any]) -> str:
    """A hash of a request's parsed answers: what a verdict was given for."""
    text = json.dumps(answers, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Verdict:
    """What the request check decided, bound to what it decided on: the advocate, the owner's
    GitHub handle, the activity, whether a burnout limit is knowingly exceeded, and the
    fingerprint of every parsed answer.

    It is recorded as the hidden last line of the bot's verdict comment (`marker()`), and
    `done` logs only what it records. Why there, and why it cannot be forged by the requester:
    the requester can write anything in the issue body and in comments of their own, and
    anyone with triage rights can set labels, but nobody but the workflow writes as
    github-actions[bot]. The workflow reads the verdict only from the bot's own last verdict
    comment (`marked_comment` checks the author), only as this exact line (`VERDICT_PATTERN`),
    and the line is written last, after text from the issue that `md_escape` leaves without a
    raw `<`, so no answer can smuggle in a line of its own. The fingerprint ties the verdict to
    the answers it judged: an issue edited after acceptance no longer matches it, so `done`
    refuses until the edit is checked and a new verdict recorded. (Maintainers, who can edit
    the bot's comment, can already edit the profiles themselves.)
    """

    ok: bool
    advocate: str = ""
    owner: str = ""
    activity: str = ""
    exception: bool = False
    fields: str = ""

    def marker(self) -> str:
        line = marker(VERDICT_KIND, ok=str(self.ok).lower(), advocate=self.advocate,
                      owner=self.owner, activity=self.activity,
                      exception=str(self.exception).lower(), fields=self.fields)
        if not re.fullmatch(VERDICT_PATTERN, line):
            raise ValueError(f"not a verdict: {line!r}")
        return line

    @classmethod
    def recorded(cls, line: str) -> Verdict | None:
        """The verdict a marker line records, or None for anything not exactly of its shape."""
        match = re.fullmatch(VERDICT_PATTERN, line)
        if not match:
            return None
        ok, advocate, owner, activity, exception, fields = match.groups()
        return cls(ok == "true", advocate, owner, activity, exception == "true", fields)


@dataclass(frozen=True)
class RequestOutcome:
    """What the check decided: the comment to post ends with the verdict's marker line."""

    ok: bool
    owner_handle: str
    comment: str
    entry: dict[str, Any] | None = None
    advocate_id: str = ""
    verdict: Verdict | None = None


def _entry(answers: dict[str, Any], kind: str, today: dt.date, exception: bool) -> dict[str, Any]:
    """The activity-log entry for a request's answers; the reason is kept only for an exception."""
    entry = {"date": today.isoformat(), "type": kind, "requested_by": answers["requested_by"],
             "opportunity": answers["opportunity"]}
    if exception:
        entry["exception"] = " ".join(str(answers.get("exception") or "").split())
    return entry


def check_request(root: Path, event: dict[str, Any], today: dt.date) -> RequestOutcome:
    """Who owns the requested advocate, and whether asking now would break a limit; the
    comment records the verdict in its last line (see Verdict)."""
    catalog = validated_catalog(root, today)
    answers, problems = request_from_issue((event.get("issue") or {}).get("body"), catalog.config)
    outcome = _judge(catalog, answers, problems, today)
    verdict = Verdict(outcome.ok, outcome.advocate_id, outcome.owner_handle,
                      str(answers["activity"]) if outcome.advocate_id else "",
                      outcome.ok and "exception" in (outcome.entry or {}), fingerprint(answers))
    return replace(outcome, comment=f"{outcome.comment}\n\n{verdict.marker()}", verdict=verdict)


def _judge(catalog: Catalog, answers: dict[str, Any], problems: list[str],
           today: dt.date) -> RequestOutcome:
    """The check itself: the verdict on the parsed answers and the comment that explains it."""
    advocate = next((a for a in catalog.listed(today) if a.id == answers.get("advocate")), None)
    if not problems and advocate is None:
        problems = ["no listed advocate has that id: use the Request button on a profile"]
    if problems or advocate is None:
        listed = "\n".join(f"- {md_escape(p)}" for p in problems)
        return RequestOutcome(False, "", f"This request cannot go ahead yet:\n\n{listed}\n\n"
                              "Edit the issue to fix it and it is checked again.")
    owner = catalog.config.owners[advocate.data["owner"]]
    kind = answers["activity"]
    # The one rule the site's filter, badge and request box use: availability for this activity.
    state = availability(advocate, today, catalog.config.limits, kind)
    label = catalog.config.label("activities", kind)
    limits: list[str] = []
    if kind in state.declined:
        limits = [f"{advocate.name} is not willing to do this"]
    elif any(a == kind for a, _ in state.limited) and state.base.state == "available":
        limits = [f"{label}: at the limit until {state.until.isoformat() if state.until else '?'}"]
    elif state.state != "available":
        limits = [f"{advocate.name} is {state.label.lower()}"
                  + (f" until {state.until.isoformat()}" if state.until else "")
                  + (f" ({state.reason})" if state.reason else "")]
    # A burnout limit can be exceeded knowingly, with a reason the log keeps; a status, missing
    # consent or an activity the advocate declined cannot.
    hard = limits if state.state != "available" and not state.exception_possible else []
    exception = " ".join(str(answers.get("exception") or "").split())
    blocked = hard or ([] if exception else limits)
    entry = _entry(answers, kind, today, bool(limits and not hard))
    mention = f"@{owner.github}" if owner.github else md_escape(owner.name)
    if blocked:
        reasons = "\n".join(f"- {md_escape(b)}" for b in blocked)
        return RequestOutcome(False, owner.github, (
            f"{mention}: this request would break the advocate's protection, so it is declined:\n\n"
            f"{reasons}\n\nPlease find another advocate on the catalog's search page: tick "
            f"*{md_escape(catalog.config.label('activities', kind))}* under *Willing to do* and "
            "*Available*, which then means available for it"
            + ("." if hard else ", or say in *Why an exception* why no one else will do.")),
            entry, advocate.id)
    granted = ""
    if limits:
        reasons = "; ".join(md_escape(item) for item in limits)
        granted = (f"\n\n**Exception requested**: {reasons}. Reason given: "
                   f"{md_escape(exception)}. You decide; if it goes ahead, the reason is logged.")
    return RequestOutcome(True, owner.github, (
        f"{mention}: a request for {md_escape(advocate.name)} "
        f"({md_escape(catalog.config.label('activities', kind))}, "
        f"{md_escape(answers['opportunity'])}). You hold the relationship: please reply here. "
        "When it is done, add the label `done` and the activity is logged in a pull request."
        + granted), entry, advocate.id)


@dataclass(frozen=True)
class LogOutcome:
    """What became of a `done` request: the profile the activity went into (None when refused)
    and one line saying so, or why not and how to fix it."""

    path: str | None
    message: str


def log_request(root: Path, event: dict[str, Any], recorded: str, today: dt.date) -> LogOutcome:
    """Append the activity a request was accepted for, as it was accepted; refuse when there is
    no accepted verdict or the issue no longer says what was accepted (see Verdict)."""
    verdict = Verdict.recorded(recorded)
    if verdict is None or not verdict.ok:
        return LogOutcome(None, "Not logged: the check has not accepted this request — remove the "
                          "label `done`, edit the issue so it is checked again, and add `done` "
                          "once it is accepted.")
    config, config_issues = load_config(root)
    if config is None:
        raise InvalidData(config_issues)
    answers, problems = request_from_issue((event.get("issue") or {}).get("body"), config)
    if (problems or fingerprint(answers) != verdict.fields
            or (answers.get("advocate"), answers.get("activity")) != (verdict.advocate,
                                                                        verdict.activity)):
        return LogOutcome(None, f"Not logged: the issue changed after the request was accepted "
                          f"for {verdict.advocate} — remove the label `done`, wait for the new "
                          "verdict (edit the issue again if none comes), and add `done` once "
                          "it is accepted.")
    path, _ = log_activity(root, verdict.advocate, _entry(answers, verdict.activity, today,
                                                          verdict.exception), today)
    relative = path.relative_to(root).as_posix()
    return LogOutcome(relative, f"Logged the {md_escape(config.label('activities', verdict.activity))} "
                      f"for {md_escape(answers['opportunity'])} in `{relative}`.")


VERIFY_QUESTIONS = (
    Question("advocate", "Advocate id", help="Filled in from the profile's Mark as verified link."),
    Question("verified_on", "Verified on", required=False,
             help="The day you confirmed the profile with the advocate, YYYY-MM-DD. Empty: today."),
    Question("changes", "Anything that changed?", required=False, long=True,
             help="New title, products, willingness… The owner updates the profile with it."),
)


def verify_form(config: Config) -> dict[str, Any]:
    """The "Mark as verified" issue form (`.github/ISSUE_TEMPLATE/verify.yml`) as data."""
    return _issue_form(config, VERIFY_QUESTIONS, (
        "Confirm that an advocate's profile is still right. A pull request sets its "
        "`last_verified` to the day you give, and the profile's owner reviews it."),
        name="Mark a profile as verified",
        description="Say a profile was confirmed with the advocate; no git needed.",
        title="Verified: ", labels=["verification"])


@dataclass(frozen=True)
class VerifyOutcome:
    """What became of a mark-as-verified issue: the profile changed (or None), its owner's
    GitHub handle, and the comment to post."""

    path: str | None
    owner_handle: str
    comment: str


VERIFY_MARKER = marker("verify-result")


def verify_from_event(root: Path, event: dict[str, Any], today: dt.date) -> VerifyOutcome:
    """Set `last_verified` as the issue asks, or explain in a comment why nothing changed.

    The comment ends with VERIFY_MARKER: the workflow rewrites its one comment on each edit."""
    outcome = _verify(root, event, today)
    return replace(outcome, comment=f"{outcome.comment}\n\n{VERIFY_MARKER}")


def _verify(root: Path, event: dict[str, Any], today: dt.date) -> VerifyOutcome:
    issue = event.get("issue") or {}
    config, config_issues = load_config(root)
    if config is None:
        raise InvalidData(config_issues)
    answers, problems = _answers(issue.get("body"), config, VERIFY_QUESTIONS)
    advocate_id = str(answers.get("advocate", ""))
    path = root / "advocates" / f"{advocate_id}.yaml"
    if not problems and (not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", advocate_id)
                         or not path.is_file()):
        problems.append("no profile has that advocate id: use the Mark as verified link on a profile")
    opened = str(issue.get("created_at", ""))[:10]
    day = None
    try:
        day = dt.date.fromisoformat(str(answers.get("verified_on") or opened or today.isoformat()))
    except ValueError:
        problems.append("'Verified on' must be a date written YYYY-MM-DD")
    if day and day > today:
        problems.append(f"'Verified on' is {day.isoformat()}, a day still to come: give the day "
                        "it was confirmed")
    if problems or day is None:
        listed = "\n".join(f"- {md_escape(p)}" for p in problems)
        return VerifyOutcome(None, "", f"This cannot be marked as verified yet:\n\n{listed}"
                             "\n\nEdit the issue to fix it and it is checked again.")
    owner_id = str((read(path, f"advocates/{path.name}").data or {}).get("owner", ""))
    owner = config.owners.get(owner_id)
    handle = owner.github if owner else ""
    changes = str(answers.get("changes") or "").strip()
    note = (f"\n\nChanges mentioned: the owner{f' (@{handle})' if handle else ''} updates the "
            "profile with them." if changes else "")
    relative = f"advocates/{advocate_id}.yaml"
    if not mark_verified(root, advocate_id, day, today)[1]:
        return VerifyOutcome(None, handle, f"`{relative}` was already verified on that day or "
                             "later: nothing to change.")
    return VerifyOutcome(relative, handle,
                         f"Thanks! A pull request sets `last_verified: {day.isoformat()}` in "
                         f"`advocates/{advocate_id}.yaml`"
                         f"{f' for @{handle} to review' if handle else ''}.{note}")
