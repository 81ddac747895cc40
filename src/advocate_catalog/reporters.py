"""Ways to print issues and freshness findings: text, GitHub annotations, Markdown, JSON."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from .activity import Usage
from .coverage import Coverage, as_dict
from .diff import FileChange
from .errors import Issue
from .freshness import Finding, edit_href, verify_href
from .model import Config, Owner


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


_MARKDOWN_SPECIAL = re.compile(r"[&<>|@\[\]`*_#\\!~]")


def md_escape(value: str) -> str:
    """Text from data, safe inside Markdown: no markup, no table breaks, no @-mentions."""
    return _MARKDOWN_SPECIAL.sub(lambda m: f"&#{ord(m.group())};", " ".join(value.split()))


def _by_owner(findings: list[Finding], config: Config) -> list[tuple[Owner, list[Finding]]]:
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.owner, []).append(finding)
    return [(config.owners[owner], items) for owner, items in groups.items()]


def _tally(findings: list[Finding]) -> str:
    errors = sum(f.severity == "error" for f in findings)
    return f"{errors} need action, {len(findings) - errors} due soon"


def freshness_text(findings: list[Finding], config: Config, today: dt.date) -> str:
    lines = []
    for owner, items in _by_owner(findings, config):
        lines.append(f"# {owner.name} ({owner.id}): {_tally(items)}")
        lines += [str(f.as_issue()) for f in items]
    lines.append(f"freshness as of {today.isoformat()}: {_tally(findings)}")
    return "\n".join(lines)


def freshness_markdown(findings: list[Finding], config: Config, today: dt.date) -> str:
    """An issue body: one section per owner (mentioned by GitHub handle), a table of profiles."""
    lines = ["## Advocate profiles that need attention", "",
             f"As of {today.isoformat()}: **{_tally(findings)}**. A profile is stale "
             f"{config.stale_after_days} days after `last_verified`; consent, quotes and assets "
             "also fail the check once their `expires_on` has passed.", ""]
    if not findings:
        lines.append("Every profile is fresh. 🎉")
    for owner, items in _by_owner(findings, config):
        handle = f" (@{owner.github})" if owner.github else ""
        lines += [f"### {md_escape(owner.name)}{handle}", "",
                  "| Advocate | Problem | Date | File | Fix |", "|---|---|---|---|---|"]
        for f in items:
            label = "⛔" if f.severity == "error" else "⚠️"
            lines.append(f"| {md_escape(f.name)} | {label} {f.kind.replace('-', ' ')}, "
                         f"{f.days} day{'s' if f.days != 1 else ''} | {f.due.isoformat()} | "
                         f"`{f.path}` line {f.line} | {_fix_links(f, config)} |")
        lines.append("")
    lines.append("To fix: confirm each profile with the advocate, then press *Mark as verified* "
                 "(a form; a pull request sets `last_verified`) or *Edit* for other changes. This "
                 "issue updates itself on the next weekly run.")
    return "\n".join(lines)


def _fix_links(finding: Finding, config: Config) -> str:
    """Markdown links that fix a finding from the browser: verify a stale profile, edit others."""
    links = []
    if finding.kind in ("stale", "due-soon"):
        links.append(f"[Mark as verified]({verify_href(config, finding.advocate_id, finding.name)})")
    links.append(f"[Edit]({edit_href(config, finding.path)})")
    return " · ".join(link for link in links if not link.endswith("()"))


def freshness_json(findings: list[Finding], config: Config, today: dt.date) -> str:
    return json.dumps({"as_of": today.isoformat(), "findings": [
        {"advocate": f.advocate_id, "name": f.name, "path": f.path, "line": f.line,
         "owner": f.owner, "kind": f.kind, "severity": f.severity, "due": f.due.isoformat(),
         "days": f.days, "message": f.message, "hint": f.hint} for f in findings]},
        ensure_ascii=False, indent=2)


def freshness_github(findings: list[Finding], config: Config, today: dt.date) -> str:
    return github([f.as_issue() for f in findings])


FRESHNESS_REPORTERS: dict[str, Callable[[list[Finding], Config, dt.date], str]] = {
    "text": freshness_text, "github": freshness_github, "markdown": freshness_markdown,
    "json": freshness_json}


_CHANGE_TITLES = {"added": "Added", "removed": "Removed", "changed": "Changed",
                  "promoted": "Promoted from nomination"}


def diff_markdown(changes: list[FileChange], moves: Sequence[str] = ()) -> str:
    """The review summary: one section per file, one bullet per change, then coverage moves."""
    if not changes:
        return "## Catalog changes\n\nNo advocate or nomination changed.\n"
    counts = ", ".join(f"{sum(c.kind == kind for c in changes)} {title.lower()}"
                       for kind, title in _CHANGE_TITLES.items() if any(c.kind == kind for c in changes))
    lines = ["## Catalog changes", "", f"{len(changes)} file(s): {counts}.", ""]
    for change in changes:
        lines.append(f"### {_CHANGE_TITLES[change.kind]}: {md_escape(change.name)} "
                     f"({md_escape(change.path)})")
        lines += [f"- {md_escape(line)}" for line in change.lines]
        lines.append("")
    if moves:
        lines += ["### Coverage against targets", ""] + [f"- {md_escape(m)}" for m in moves]
    return "\n".join(lines).rstrip() + "\n"


def diff_json(changes: list[FileChange], moves: Sequence[str] = ()) -> str:
    return json.dumps({"changes": [change.__dict__ for change in changes],
                       "coverage": list(moves)}, ensure_ascii=False, indent=2)


DIFF_REPORTERS: dict[str, Callable[[list[FileChange], list[str]], str]] = {
    "markdown": diff_markdown, "json": diff_json}


def usage_report(found: Usage, today: dt.date, fmt: str) -> str:
    """Most asked, near a limit, and the willing bench never asked: text, Markdown or JSON."""
    if fmt == "json":
        return json.dumps({
            "as_of": today.isoformat(),
            "most_asked": [{"advocate": a.id, "name": a.name, "asks_last_year": n,
                            "last_asked": last.isoformat()} for a, n, last in found.most_asked],
            "near_limit": [{"advocate": a.id, "name": a.name, "why": why}
                           for a, why in found.near_limit],
            "never_asked": [{"advocate": a.id, "name": a.name, "willing": a.willing("yes")}
                            for a in found.idle]}, ensure_ascii=False, indent=2)
    markdown = fmt == "markdown"
    name = md_escape if markdown else str
    head = "## " if markdown else ""
    lines = [f"{head}Most asked in the last year (as of {today.isoformat()})"]
    lines += [f"- {name(a.name)} ({a.id}): {n} asks, last {last.isoformat()}"
              for a, n, last in found.most_asked] or ["- nobody"]
    lines += ["", f"{head}Near or at a limit"]
    lines += [f"- {name(a.name)} ({a.id}): {why}" for a, why in found.near_limit] or ["- nobody"]
    lines += ["", f"{head}Willing but never asked ({len(found.idle)})"]
    lines += [f"- {name(a.name)} ({a.id}): willing for {', '.join(a.willing('yes'))}"
              for a in found.idle] or ["- nobody"]
    return "\n".join(lines)


def coverage_report(rows: list[Coverage], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([as_dict(row) for row in rows], ensure_ascii=False, indent=2)
    if fmt == "markdown":
        lines = ["| Target | Advocates | Target | Gap |", "|---|---|---|---|"]
        lines += [f"| {md_escape(r.target.label)} | {r.count} | {r.target.minimum} | "
                  f"{f'{r.gap} short' if r.gap else 'met'} |" for r in rows]
        return "\n".join(lines)
    width = max((len(r.target.label) for r in rows), default=10)
    lines = [f"{r.target.label:<{width}}  {r.count:>3} of {r.target.minimum:<3} "
             f"{f'{r.gap} short' if r.gap else 'met'}" for r in rows]
    gaps = sum(1 for r in rows if r.gap)
    return "\n".join([*lines, f"{gaps} of {len(rows)} targets have a gap"])


def value_report(figures: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(figures, ensure_ascii=False, indent=2)
    head = "## " if fmt == "markdown" else ""
    name = md_escape if fmt == "markdown" else str
    money = figures["currency"]
    lines = [f"{head}Program value as of {figures['as_of']}",
             f"- {figures['activities']} activities logged",
             f"- {figures['opportunities']} opportunities influenced, "
             f"{figures['amount_influenced']:,.0f} {money}; won {figures['amount_won']:,.0f} {money} "
             f"({figures['outcomes']['won']} won, {figures['outcomes']['lost']} lost, "
             f"{figures['outcomes']['open']} open)",
             f"- {figures['verified_90']}% of askable profiles verified in 90 days, "
             f"{figures['verified_180']}% in 180",
             f"- {figures['nominations_waiting']} nominations waiting"]
    for key, title in (("per_quarter", "Activities per quarter"), ("by_type", "By type"),
                       ("by_team", "By requesting team"), ("most_active", "Most active")):
        lines += ["", f"{head}{title}"] + [f"- {name(str(label))}: {count}"
                                          for label, count in figures[key]]
    return "\n".join(lines)
