"""Activity logs and burnout protection: who can be asked now, who is worn out, who sits idle."""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass, replace
from typing import Any, Literal

from .errors import Issue
from .model import YEAR, Advocate, Catalog, Limits

AVAILABILITY_LABELS = {"available": "Available", "resting": "Resting", "at-limit": "At limit",
                       "not-askable": "Not askable"}


def log(advocate: Advocate) -> list[dict[str, Any]]:
    """The activity log, each entry with its parsed date and its index in the file, by date
    (shared: do not change it)."""
    return advocate.dated("activity")


def _in_window(entries: list[dict[str, Any]], activity: str | None, days: int,
               day: dt.date) -> list[dict[str, Any]]:
    """Entries of `activity` (any if None) within the `days` days up to and including `day`."""
    return [e for e in entries if (activity is None or e["type"] == activity)
            and day - dt.timedelta(days=days) < e["day"] <= day]


@dataclass(frozen=True)
class ForActivity:
    """Whether one activity can be asked of an advocate today, and until when not."""

    activity: str
    state: Literal["available", "resting", "at-limit", "not-askable"]
    until: dt.date | None = None
    reason: str = ""

    @property
    def label(self) -> str:
        return AVAILABILITY_LABELS[self.state]


@dataclass(frozen=True)
class Availability:
    """Whether an advocate can be asked today, until when not, and when they were last asked.

    Without an activity in question, "available" means available for at least one activity
    they agreed to (`activities` says which, and which wait until when); `for_activity` answers
    for one. Every surface — filters, badges, the request box, exports, the CLI and the request
    workflow — asks these two, so they never disagree."""

    state: Literal["available", "resting", "at-limit", "not-askable"]
    until: dt.date | None = None
    reason: str = ""
    last_asked: dt.date | None = None
    days_since_last: int | None = None
    limited: tuple[tuple[str, dt.date], ...] = ()  # (activity, until) for per-type limits reached
    activities: tuple[ForActivity, ...] = ()  # each activity they said yes to, in their order
    declined: tuple[str, ...] = ()  # activities they said no to
    base: ForActivity = ForActivity("", "available")  # what holds for every activity

    @property
    def label(self) -> str:
        return AVAILABILITY_LABELS[self.state]

    @property
    def exception_possible(self) -> bool:
        """Only a burnout limit (a rest, the yearly cap) can be exceeded, knowingly and recorded;
        a status or missing consent cannot."""
        return self.state in ("resting", "at-limit") and self.until is not None

    @property
    def ready(self) -> list[str]:
        """The activities they agreed to that can be asked of them today."""
        return [a.activity for a in self.activities if a.state == "available"]

    def for_activity(self, activity: str) -> Availability:
        """The same advocate asked for one activity: a rest, the yearly cap or a status hold for
        all; a per-type limit only for its type; an activity they said no to cannot be asked."""
        found = next((a for a in self.activities if a.activity == activity), None)
        if found is None:
            found = _one(activity, self.base, {a: (until, "") for a, until in self.limited},
                         activity in self.declined)
        return replace(self, state=found.state, until=found.until, reason=found.reason)


def _one(activity: str, base: ForActivity, limited: dict[str, tuple[dt.date, str]],
         declined: bool) -> ForActivity:
    if declined:  # whatever else holds: no rest ending or exception makes a no a yes
        return ForActivity(activity, "not-askable", None, f"said no to {activity}")
    if base.state != "available":
        return ForActivity(activity, base.state, base.until, base.reason)
    if activity in limited:
        until, rule = limited[activity]
        return ForActivity(activity, "at-limit", until, rule or "its limit is reached")
    return ForActivity(activity, "available")


def availability(advocate: Advocate, today: dt.date, limits: Limits,
                 activity: str | None = None) -> Availability:
    """Whether `advocate` can be asked today: for `activity` when given, else for anything they
    agreed to (see Availability)."""
    entries = [e for e in log(advocate) if e["day"] <= today]
    last = entries[-1]["day"] if entries else None
    since = (today - last).days if last else None
    willing = tuple(advocate.willing("yes"))
    declined = tuple(advocate.willing("no"))
    base: ForActivity
    limited: tuple[tuple[str, dt.date], ...] = ()
    rules: dict[str, str] = {}
    if advocate.status != "active":
        base = ForActivity("", "resting" if advocate.status == "resting" else "not-askable", None,
                           f"status is {advocate.status}")
    else:
        rests = [(e["day"] + dt.timedelta(days=limits.rest_after[e["type"]]), e) for e in entries
                 if e["type"] in limits.rest_after
                 and e["day"] + dt.timedelta(days=limits.rest_after[e["type"]]) > today]
        reached: list[tuple[str | None, dt.date]] = []
        for kind, most, days in limits.windows():
            window = _in_window(entries, kind, days, today)
            if len(window) >= most:
                # Asks leave the window `days` after they happened; count drops below `most` then.
                reached.append((kind, window[len(window) - most]["day"] + dt.timedelta(days=days)))
                if kind is not None:
                    rules[kind] = f"{len(window)} asked in {days} days, the most allowed is {most}"
        limited = tuple((a, until) for a, until in reached if a is not None)
        yearly = [until for a, until in reached if a is None]
        if rests:
            until, entry = max(rests, key=lambda r: r[0])
            base = ForActivity("", "resting", until, f"rest after {entry['type']} on {entry['date']}")
        elif yearly:
            base = ForActivity("", "at-limit", yearly[0], f"{limits.max_per_year} asks in a year")
        else:
            base = ForActivity("", "available")
    by_limit = {a: (until, rules.get(a, "")) for a, until in limited}
    each = tuple(_one(a, base, by_limit, False) for a in willing)
    overall = base
    if base.state == "available" and each and all(a.state == "at-limit" for a in each):
        overall = ForActivity("", "at-limit", min(a.until for a in each if a.until),
                              "at a limit for every activity they agreed to")
    found = Availability(overall.state, overall.until, overall.reason, last, since, limited, each,
                         declined, base)
    return found.for_activity(activity) if activity is not None else found


def limit_issues(advocate: Advocate, limits: Limits) -> list[Issue]:
    """A warning for each logged activity that broke a limit, unless it records an exception.

    One pass over the log in date order: each rule keeps the days of the asks still inside
    its window, so a log of thousands of entries costs thousands of steps, not millions.
    """
    issues = []
    rests: dict[str, deque[dict[str, Any]]] = {kind: deque() for kind in limits.rest_after}
    windows = [(activity, most, days, deque[dt.date]()) for activity, most, days in limits.windows()]
    for entry in log(advocate):
        day, problems = entry["day"], []
        for kind, resting in rests.items():
            rest = dt.timedelta(days=limits.rest_after[kind])
            while resting and resting[0]["day"] + rest <= day:
                resting.popleft()
            problems += [f"it fell in the {rest.days}-day rest after {kind} on {e['date']}"
                         for e in list(resting)[-3:]]
            if len(resting) > 3:
                problems[-3] += f" (and {len(resting) - 3} earlier rests)"
        for activity, most, days, asked in windows:
            if activity not in (None, entry["type"]):
                continue
            while asked and asked[0] <= day - dt.timedelta(days=days):
                asked.popleft()
            asked.append(day)
            if len(asked) > most:
                what = activity or "asks of any kind"
                problems.append(f"it is number {len(asked)} of {what} within {days} days (limit {most})")
        if entry["type"] in rests:
            rests[entry["type"]].append(entry)
        if problems and not entry.get("exception"):
            line, col = advocate.position_of("activity", entry["index"])
            issues.append(Issue(advocate.path, line, col, "warning",
                                f"activity[{entry['index']}] breaks a burnout limit: "
                                + "; ".join(problems),
                                "ask someone else, or record why with `exception:` in the entry"))
    return issues


@dataclass(frozen=True)
class Usage:
    most_asked: list[tuple[Advocate, int, dt.date]]  # asks in the last year, last ask
    near_limit: list[tuple[Advocate, str]]
    idle: list[Advocate]  # active, willing, never asked


def usage(catalog: Catalog, today: dt.date, limits: Limits, top: int = 10) -> Usage:
    active = [a for a in catalog.advocates if a.status == "active"]
    counted = []
    near = []
    for advocate in active:
        entries = [e for e in log(advocate) if e["day"] <= today]
        year = _in_window(entries, None, YEAR, today)
        if year:
            counted.append((advocate, len(year), entries[-1]["day"]))
        for activity, most, days in limits.windows():
            count = len(_in_window(entries, activity, days, today))
            if count and most - limits.near_limit <= count:
                what = activity or "asks of any kind"
                state = "at" if count >= most else "near"
                near.append((advocate, f"{state} the limit: {count} of {most} {what} "
                                       f"within {days} days"))
    counted.sort(key=lambda item: (-item[1], item[0].name))
    idle = [a for a in active if a.willing("yes") and not a.data.get("activity")]
    return Usage(counted[:top], near, sorted(idle, key=lambda a: a.name))
