"""Recognition: how advocates were thanked, which activities still wait for a thank-you, and
the yearly gift budget. One place for the rule, used by validate, the profile, the owner's page,
`report usage` and the digest."""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass
from typing import Any

from .activity import log
from .errors import Issue
from .load import Document
from .model import YEAR, Advocate, Config

# One hint for every overdue thank-you, so validate shows a few and counts the rest.
OWED_HINT = "thank them, then log it under recognition: in the profile"
# Advocates who are not to be contacted are not chased for a thank-you either.
NOT_CHASED = ("inactive", "nominated")


def recognitions(advocate: Advocate) -> list[dict[str, Any]]:
    """The recognition log, each entry with its parsed date and its index in the file, by date
    (shared: do not change it)."""
    return advocate.dated("recognition")


@dataclass(frozen=True)
class Owed:
    """An activity not yet followed by a recognition."""

    advocate: Advocate
    activity: dict[str, Any]  # the activity log entry, with `day` and `index`
    due: dt.date  # the day by which catalog.yaml asks for a recognition

    def overdue(self, today: dt.date) -> bool:
        return today > self.due

    def days_overdue(self, today: dt.date) -> int:
        return (today - self.due).days


def owed(advocate: Advocate, today: dt.date, config: Config) -> list[Owed]:
    """Activities of the last year, up to `today`, that no recognition covers: one naming the
    activity's date in `for_activity`, or one without `for_activity` on or after it. Nothing is
    owed without `recognition.follow_up_days` in catalog.yaml."""
    days = config.recognition.follow_up_days
    if not days or advocate.status in NOT_CHASED:
        return []
    thanks = recognitions(advocate)
    named = {r["for_activity"] for r in thanks if "for_activity" in r}
    latest_general = max((r["day"] for r in thanks if "for_activity" not in r), default=None)
    return [Owed(advocate, entry, entry["day"] + dt.timedelta(days=days))
            for entry in log(advocate)
            if today - dt.timedelta(days=YEAR) < entry["day"] <= today
            and entry["date"] not in named
            and not (latest_general is not None and latest_general >= entry["day"])]


def owed_by_all(advocates: list[Advocate], today: dt.date, config: Config) -> list[Owed]:
    """Everyone's owed recognitions, most overdue first."""
    found = [item for advocate in advocates for item in owed(advocate, today, config)]
    return sorted(found, key=lambda o: (o.due, o.advocate.name))


def recognition_issues(advocate: Advocate, today: dt.date, config: Config) -> list[Issue]:
    """A notice for each activity whose recognition is overdue (time alone makes it so: it must
    not fail a pull request under `validate --strict`), and a warning for each `for_activity`
    that names no activity."""
    issues = []
    for item in owed(advocate, today, config):
        if item.overdue(today):
            entry = item.activity
            line, col = advocate.position_of("activity", entry["index"])
            issues.append(Issue(
                advocate.path, line, col, "notice",
                f"activity[{entry['index']}] ({config.label('activities', entry['type'])} on "
                f"{entry['date']}) has had no recognition for {(today - entry['day']).days} days "
                f"(catalog.yaml asks for one within {config.recognition.follow_up_days}); log it "
                f"with for_activity: {entry['date']}",
                OWED_HINT))
    dates = {entry["date"] for entry in advocate.data.get("activity", [])}
    for entry in recognitions(advocate):
        if "for_activity" in entry and entry["for_activity"] not in dates:
            line, col = advocate.position_of("recognition", entry["index"], "for_activity")
            issues.append(Issue(advocate.path, line, col, "warning",
                                f"recognition[{entry['index']}].for_activity "
                                f"{entry['for_activity']} is the date of no activity",
                                "use the date of an entry under activity:, or leave it out"))
    return issues


def gift_issues(doc: Document, config: Config, today: dt.date) -> list[Issue]:
    """A warning for each gift of the last 365 days that takes an advocate over the yearly gift
    budget (older ones are history no pull request can change). Read from the file's `private`
    block, which nothing after validation sees; the warning names the budget, never what the
    gifts cost."""
    budget = config.recognition.yearly_gift_budget
    private = doc.data.get("private") if isinstance(doc.data, dict) else None
    if budget is None or not isinstance(private, dict):
        return []
    gifts = sorted((dt.date.fromisoformat(g["date"]), i, g["amount"])
                   for i, g in enumerate(private.get("gift_values", [])))
    issues = []
    window: deque[tuple[dt.date, float]] = deque()
    total = 0.0
    for day, index, amount in gifts:
        while window and window[0][0] <= day - dt.timedelta(days=YEAR):
            total -= window.popleft()[1]
        window.append((day, amount))
        total += amount
        if total > budget and day > today - dt.timedelta(days=YEAR):
            issues.append(doc.issue(
                ("private", "gift_values", index),
                f"private.gift_values[{index}] takes gifts in the 365 days to {day.isoformat()} "
                f"over the yearly gift budget of {budget:g} {config.currency}",
                "thank them another way this year, or raise recognition.yearly_gift_budget in "
                "catalog.yaml", severity="warning"))
    return issues
