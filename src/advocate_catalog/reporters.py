"""Ways to print issues and freshness findings: text, GitHub annotations, Markdown, JSON."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

from .activity import Usage
from .coverage import Coverage, as_dict
from .diff import FileChange
from .digest import is_quiet
from .errors import Issue
from .freshness import Finding, edit_href, verify_href
from .model import Config, Owner
from .owners import page_url
from .recognition import Owed


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
                  f"Everything on your plate: [your page]({config.base_url}{page_url(owner.id)}).", "",
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


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _owed_line(item: Owed, config: Config, today: dt.date) -> str:
    entry = item.activity
    when = (f"{_count(item.days_overdue(today), 'day')} overdue" if item.overdue(today)
            else f"due {item.due.isoformat()}")
    return (f"{config.label('activities', entry['type'])} on {entry['date']} "
            f"for {entry['opportunity']} ({when})")


def usage_report(found: Usage, today: dt.date, fmt: str, owed: Sequence[Owed] = (),
                 config: Config | None = None) -> str:
    """Most asked, near a limit, the willing bench never asked, and who is owed a thank-you:
    text, Markdown or JSON."""
    if fmt == "json":
        return json.dumps({
            "as_of": today.isoformat(),
            "most_asked": [{"advocate": a.id, "name": a.name, "asks_last_year": n,
                            "last_asked": last.isoformat()} for a, n, last in found.most_asked],
            "near_limit": [{"advocate": a.id, "name": a.name, "why": why}
                           for a, why in found.near_limit],
            "never_asked": [{"advocate": a.id, "name": a.name, "willing": a.willing("yes")}
                            for a in found.idle],
            "thanks_owed": [{"advocate": o.advocate.id, "name": o.advocate.name,
                             "activity": o.activity["type"], "date": o.activity["date"],
                             "opportunity": o.activity["opportunity"], "due": o.due.isoformat(),
                             "overdue": o.overdue(today)} for o in owed]},
            ensure_ascii=False, indent=2)
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
    if config is not None and config.recognition.follow_up_days:
        lines += ["", f"{head}Owed a thank-you ({len(owed)})"]
        lines += [f"- {name(o.advocate.name)} ({o.advocate.id}): {name(_owed_line(o, config, today))}"
                  for o in owed] or ["- nobody"]
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

    def deals(row: dict[str, Any]) -> str:
        outcomes = row["outcomes"]
        return (f"{row['opportunities']} opportunities influenced, {row['influenced']:,.0f} {money}; "
                f"won {row['won']:,.0f} {money} ({outcomes['won']} won, {outcomes['lost']} lost, "
                f"{outcomes['open']} open)")

    lines = [f"{head}Program value from {figures['since']} to {figures['until']}",
             f"- {figures['activities']} activities logged",
             f"- {deals(figures['total'])}",
             f"- {figures['verified_90']}% of askable profiles verified in 90 days, "
             f"{figures['verified_180']}% in 180 (as of {figures['as_of']})",
             f"- {figures['nominations_waiting']} nominations waiting",
             "", f"{head}By quarter"]
    lines += [f"- {q['quarter']}: {q['activities']} activities; {deals(q)}" for q in figures["quarters"]]
    for key, title in (("by_region", "Opportunities by region"),
                       ("by_industry", "Opportunities by industry"),
                       ("by_product", "Opportunities by product (a deal counts under each product)")):
        lines += ["", f"{head}{title}"] + [f"- {name(row['label'])}: {deals(row)}"
                                          for row in figures[key]]
    for key, title in (("by_type", "Activities by type"), ("by_team", "Activities by requesting team"),
                       ("most_active", "Most active")):
        lines += ["", f"{head}{title}"] + [f"- {name(str(label))}: {count}"
                                          for label, count in figures[key]]
    return "\n".join(lines)


# The digest: one wording, rendered as Markdown, text, Slack or Teams. A line is a list of parts:
# text (always escaped for the format) or a link (text, address).
Part = str | tuple[str, str]
MOST_LISTED = 10  # items per digest section; the rest are counted


def _amount(value: float, currency: str) -> str:
    return f"{value:,.0f} {currency}"


def digest_sections(found: dict[str, Any], base: str | None = None
                    ) -> list[tuple[str, list[list[Part]]]]:
    """The digest as (heading, lines), empty sections left out. Profile links start with `base`
    (default: the site's base_url, for a digest read elsewhere)."""
    currency = found["catalog"]["currency"]
    base = found["catalog"]["base_url"] if base is None else base

    def person(who: dict[str, Any]) -> tuple[str, str]:
        return who["name"], base + who["url"]

    def material(m: dict[str, Any]) -> tuple[str, str]:
        return m["title"], _safe_url(m["link"])

    def capped(lines: list[list[Part]]) -> list[list[Part]]:
        if len(lines) <= MOST_LISTED:
            return lines
        return [*lines[:MOST_LISTED], [f"… and {len(lines) - MOST_LISTED} more"]]

    def some(items: list[Any], show: Callable[[Any], Part]) -> list[Part]:
        """Up to MOST_LISTED items in one line, the rest counted."""
        more = [f", and {len(items) - MOST_LISTED} more"] if len(items) > MOST_LISTED else []
        return [*_joined([show(item) for item in items[:MOST_LISTED]]), *more]

    sections: list[tuple[str, list[list[Part]]]] = []
    if found["joined"]:
        sections.append((f"New in the catalog ({len(found['joined'])})", capped([
            [person(w), f", {w['title']} at {w['company']} — {w['industry']}, {w['region']}"]
            for w in found["joined"]])))
    acts = found["activities"]
    if acts["count"]:
        lines: list[list[Part]] = [
            ["By type: ", *some([f"{label} {n}" for label, n in acts["by_type"]], str)],
            ["By team: ", *some([f"{team} {n}" for team, n in acts["by_team"]], str)]]
        lines += capped([["Won: ", w["opportunity"]]
                         + ([f" ({_amount(float(w['amount']), currency)})"] if w["amount"] else [])
                         + [" with ", person(w["advocate"])] for w in acts["won"]])
        if found["first_activity"]:
            lines.append(["Asked for the first time: ", *some(found["first_activity"], person)])
        ask = "ask" if acts["count"] == 1 else "asks"
        won = f", {_amount(acts['amount_won'], currency)} won" if acts["won"] else ""
        sections.append((f"Activity: {acts['count']} {ask}{won}", lines))
    if found["quotes"]:
        sections.append((f"New approved quotes ({len(found['quotes'])})", capped([
            [person(q), f": “{q['text']}”"] for q in found["quotes"]])))
    if found["material"]:
        sections.append((f"Published ({len(found['material'])})", capped([
            [f"{m['type']}: ", material(m), " — ", person(m)]
            for m in found["material"]])))
    if found["recognitions"]:
        sections.append((f"Thanked ({len(found['recognitions'])})", capped([
            [person(r), f" — {r['kind']}" + (f": {_clipped(r['notes'])}" if r["notes"] else "")
             + f", by {r['by']}"] for r in found["recognitions"]])))
    if found["available_again"]:
        sections.append((f"Available again ({len(found['available_again'])})", capped([
            [person(w), f", since {_day(w['since'])}"] for w in found["available_again"]])))
    cover = found["coverage"]
    if cover["moves"] or cover["short"]:
        lines = [[f"{m['target']}: {m['before']} → {m['after']} of {m['min']}"
                  + (" (now met)" if m["after"] >= m["min"] > m["before"] else "")]
                 for m in cover["moves"]]
        if cover["short"]:
            lines.append(["Still short: ", *some(
                [f"{s['target']} {s['count']} of {s['min']}" for s in cover["short"]], str)])
        sections.append(("Coverage against targets", lines))
    care: list[list[Part]] = capped([[f"Gone stale ({group['owner']}): ", *some(group["advocates"], person)]
                                     for group in found["gone_stale"]])
    if found["stale"]:
        care.append([f"{found['stale']} listed profile{'s need' if found['stale'] != 1 else ' needs'} "
                     "verification in all"])
    if found["thanks_owed"]:
        care.append([f"{found['thanks_owed']} thank-you{'s' if found['thanks_owed'] != 1 else ''} "
                     "overdue"])
    if care:
        sections.append(("Needs care", care))
    # A quote or a note may span lines in its file; in a digest every item is one line.
    return [(title, [[_one_line(p) if isinstance(p, str) else (_one_line(p[0]), p[1]) for p in line]
                     for line in lines]) for title, lines in sections]


def _safe_url(url: str) -> str:
    """An address from the data, safe inside every format's link syntax: `<`, `>`, `|`, `(`,
    `)`, quotes and spaces percent-encoded (Slack's `<url|text>`, Markdown's `(<url>)`)."""
    return quote(url, safe="!#$&*+,/:;=?@[]~%'-._")


def _day(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _clipped(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _joined(parts: list[Part]) -> list[Part]:
    out: list[Part] = []
    for n, part in enumerate(parts):
        out += [", "] if n else []
        out.append(part)
    return out


def digest_heading(found: dict[str, Any]) -> str:
    return f"{found['catalog']['title']} — {found['period']['title']}"


def digest_intro(found: dict[str, Any]) -> str:
    quiet = is_quiet(found)
    available = "" if found["available"] is None else f", {found['available']} available to ask now"
    span = "week" if found["period"]["week"] else "period"
    return (f"{_count(found['listed'], 'advocate')} listed{available}."
            + (f" A quiet {span}: no one new, asked, published or thanked." if quiet else ""))


def _render(found: dict[str, Any], plain: Callable[[str], str],
            link: Callable[[str, str], str], heading: Callable[[str], str],
            item: str) -> list[str]:
    out = [heading(plain(digest_heading(found))), "", plain(digest_intro(found))]
    for title, lines in digest_sections(found):
        out += ["", heading(plain(title))]
        out += [item + "".join(plain(part) if isinstance(part, str) else link(*part)
                               for part in line) for line in lines]
    return out


def _md_part(value: str) -> str:
    """md_escape for a piece of a line: its spaces at either end are kept."""
    return _MARKDOWN_SPECIAL.sub(lambda m: f"&#{ord(m.group())};", re.sub(r"\s+", " ", value))


def digest_markdown(found: dict[str, Any]) -> str:
    lines = _render(found, _md_part, lambda text, url: f"[{_md_part(text)}](<{url}>)",
                    lambda title: f"### {title}", "- ")
    lines[0] = "## " + lines[0].removeprefix("### ")
    return "\n".join(lines) + "\n"


def digest_text(found: dict[str, Any]) -> str:
    return "\n".join(_render(found, lambda text: text, lambda text, url: f"{text} <{url}>",
                             lambda title: title, "  - ")) + "\n"


def _slack_escape(text: str) -> str:
    """Slack's mrkdwn: &, < and > are the only characters to escape; `<!channel>` and
    `<@U…>` come only from < and >, so data cannot mention anyone."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def digest_slack(found: dict[str, Any]) -> str:
    """An incoming-webhook message: a header, then a section block per digest section (each
    within Slack's 3,000 characters)."""
    def link(text: str, url: str) -> str:
        return f"<{url}|{_slack_escape(text).replace('|', '¦')}>"

    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": digest_heading(found)[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": _slack_escape(digest_intro(found))}}]
    for title, lines in digest_sections(found):
        body = f"*{_slack_escape(title)}*"
        for line in lines:  # whole lines only, within Slack's 3,000 characters a block
            item = "\n• " + "".join(_slack_escape(p) if isinstance(p, str) else link(*p) for p in line)
            if len(body) + len(item) > 3000:
                break
            body += item
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": body}})
    return json.dumps({"text": digest_heading(found), "blocks": blocks}, ensure_ascii=False)


# What starts markup in a Teams text block: emphasis, links, code, raw HTML. Escaping more (dots,
# hyphens) shows as stray backslashes in some Teams clients.
_TEAMS_SPECIAL = re.compile(r"([\\`*_\[\]<>])")


def digest_teams(found: dict[str, Any]) -> str:
    """A Teams incoming-webhook (Workflows) message: one Adaptive Card, a text block per section;
    data is backslash-escaped so it cannot add markup or links."""
    def plain(text: str) -> str:
        return _TEAMS_SPECIAL.sub(r"\\\1", text)

    def link(text: str, url: str) -> str:
        return f"[{plain(text)}]({url})"

    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "size": "Large", "weight": "Bolder", "wrap": True,
         "text": plain(digest_heading(found))},
        {"type": "TextBlock", "wrap": True, "text": plain(digest_intro(found))}]
    for title, lines in digest_sections(found):
        body.append({"type": "TextBlock", "weight": "Bolder", "wrap": True, "spacing": "Medium",
                     "text": plain(title)})
        body.append({"type": "TextBlock", "wrap": True, "text": "\n".join(
            "- " + "".join(plain(p) if isinstance(p, str) else link(*p) for p in line)
            for line in lines)})
    card = {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard", "version": "1.4", "body": body}
    return json.dumps({"type": "message", "attachments": [
        {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}]},
        ensure_ascii=False)


def digest_json(found: dict[str, Any]) -> str:
    return json.dumps(found, ensure_ascii=False, indent=2)


DIGEST_FORMATS: dict[str, Callable[[dict[str, Any]], str]] = {
    "markdown": digest_markdown, "text": digest_text, "json": digest_json,
    "slack": digest_slack, "teams": digest_teams}


def owner_report(found: dict[str, Any], nominations: Sequence[Any], fmt: str) -> str:
    """`report owner`: an owner's page as text, Markdown or JSON; nominations named (the command
    runs where the nominations are, unlike the site)."""
    named = [{"id": n.id, "name": n.name, "nominated_on": n.data["nominated_on"]} for n in nominations]
    if fmt == "json":
        return json.dumps({**found, "nominations": named}, ensure_ascii=False, indent=2)
    markdown = fmt == "markdown"
    name = md_escape if markdown else str
    head = "## " if markdown else ""
    owner = found["owner"]
    lines = [f"{head}{name(owner['name'])} ({owner['id']}): "
             + ("nothing waits this week" if found["empty"] and not named else
                f"{len(found['attention'])} to check, {_count(len(found['thanks']), 'thank-you')} "
                f"owed, {_count(len(named), 'nomination')} waiting")]
    lines += ["", f"{head}Needs attention"]
    lines += [f"- {name(r['message'])}" + (f" — verify: {r['verify_href']}" if r["verify_href"]
                                            else f" — {name(r['hint'])}")
              for r in found["attention"]] or ["- nothing"]
    lines += ["", f"{head}Thank-yous owed"]
    lines += [f"- {name(r['name'])}: {name(r['label'])} on {r['date']} for {name(r['opportunity'])} "
              + (f"({_count(r['days_overdue'], 'day')} overdue)" if r["overdue"] else f"(due {r['due']})")
              for r in found["thanks"]] or ["- nothing"]
    if found["requests_url"]:
        lines += ["", f"{head}Requests", f"- open requests assigned to you: {found['requests_url']}"]
    lines += ["", f"{head}Nominations waiting for review"]
    lines += [f"- {name(n['name'])} ({n['id']}), nominated {n['nominated_on']}" for n in named] \
        or ["- none"]
    lines += ["", f"{head}Advocates held ({len(found['advocates'])})"]
    lines += [f"- {name(r['name'])}, {name(r['company'])}: {r['availability']}, verified "
              f"{r['last_verified']}" for r in found["advocates"]] or ["- none"]
    return "\n".join(lines)
