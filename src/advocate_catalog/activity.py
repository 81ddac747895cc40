"""Activity logs and burnout protection: who can be asked now, who is worn out, who sits idle."""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass
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
class Availability:
    """Whether an advocate can be asked today, until when not, and when they were last asked."""

    state: Literal["available", "resting", "at-limit", "not-askable"]
    until: dt.date | None = None
    reason: str = ""
    last_asked: dt.date | None = None
    days_since_last: int | None = None
    limited: tuple[tuple[str, dt.date], ...] = ()  # (activity, until) for per-type limits reached

    @property
    def label(self) -> str:
        return AVAILABILITY_LABELS[self.state]

    @property
    def exception_possible(self) -> bool:
        """Only a burnout limit (a rest, the yearly cap) can be exceeded, knowingly and recorded;
        a status or missing consent cannot."""
        return self.state in ("resting", "at-limit") and self.until is not None


def availability(advocate: Advocate, today: dt.date, limits: Limits) -> Availability:
    entries = [e for e in log(advocate) if e["day"] <= today]
    last = entries[-1]["day"] if entries else None
    since = (today - last).days if last else None
    if advocate.status != "active":
        return Availability("resting" if advocate.status == "resting" else "not-askable", None,
                            f"status is {advocate.status}", last, since)
    rests = [(e["day"] + dt.timedelta(days=limits.rest_after[e["type"]]), e) for e in entries
             if e["type"] in limits.rest_after
             and e["day"] + dt.timedelta(days=limits.rest_after[e["type"]]) > today]
    reached: list[tuple[str | None, dt.date]] = []
    for activity, most, days in limits.windows():
        window = _in_window(entries, activity, days, today)
        if len(window) >= most:
            # Asks leave the window `days` after they happened; count drops below `most` then.
            reached.append((activity, window[len(window) - most]["day"] + dt.timedelta(days=days)))
    limited = tuple((a, until) for a, until in reached if a is not None)
    if rests:
        until, entry = max(rests, key=lambda r: r[0])
        return Availability("resting", until, f"rest after {entry['type']} on {entry['date']}",
                            last, since, limited)
    yearly = [until for a, until in reached if a is None]
    if yearly:
        return Availability("at-limit", yearly[0], f"{limits.max_per_year} asks in a year",
                            last, since, limited)
    return Availability("available", None, "", last, since, limited)


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
