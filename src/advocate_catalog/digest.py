"""The digest: what happened in the program in a period, for people outside it to read in a minute.

Everything comes from the data's own dates (consent given, activity, quotes approved, material
published, recognitions, verification due, rests ending), so a digest of any past week can be
made again from the files as they are. Only advocates the site lists on the period's last day
count, and only fields the site shows: the digest is posted where the whole company reads it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from .activity import availability, log
from .coverage import Target, counted, matching, tally
from .freshness import VERIFIED_STATUSES, verification_due
from .model import ASSET_LABELS, Advocate, Catalog, current, sort_key
from .recognition import owed_by_all, recognitions

EN_DASH = "\u2013"  # between the days of a span


@dataclass(frozen=True)
class Period:
    """From `since` to `until`, both days included."""

    since: dt.date
    until: dt.date

    @property
    def week(self) -> str | None:
        """'2026-W47' when the period is exactly one ISO week (Monday to Sunday)."""
        year, week, weekday = self.since.isocalendar()
        if weekday == 1 and self.until == self.since + dt.timedelta(days=6):
            return f"{year}-W{week:02d}"
        return None

    @property
    def title(self) -> str:
        """'Week 47: 16-22 November 2026' (with an en dash), '28 December 2026 - 3 January 2027'."""
        since, until = self.since, self.until
        last = f"{until.day} {until:%B %Y}"
        if since == until:
            span = last
        elif (since.year, since.month) == (until.year, until.month):
            span = f"{since.day}{EN_DASH}{last}"
        elif since.year == until.year:
            span = f"{since.day} {since:%B} {EN_DASH} {last}"
        else:
            span = f"{since.day} {since:%B %Y} {EN_DASH} {last}"
        return f"Week {self.week.split('-W')[1].lstrip('0')}: {span}" if self.week else span

    def __contains__(self, day: dt.date) -> bool:
        return self.since <= day <= self.until


def week_of(day: dt.date) -> Period:
    """The ISO week (Monday to Sunday) holding `day`."""
    monday = day - dt.timedelta(days=day.weekday())
    return Period(monday, monday + dt.timedelta(days=6))


def parse_week(text: str) -> Period:
    """'2026-W47' → that ISO week; ValueError for anything else."""
    year, _, week = text.partition("-W")
    return week_of(dt.date.fromisocalendar(int(year), int(week), 1))


def period_from(today: dt.date, since: dt.date | None = None, until: dt.date | None = None,
                week: str | None = None) -> Period:
    """The period a `report digest` asks for: an ISO week ('2026-W47', or 'last' for the one
    before `today`'s), or `since` to `until` (default `today`), or else last week.
    ValueError says what is wrong, in words for the command line."""
    if week is not None:
        if since or until:
            raise ValueError("give --week or --since/--until, not both")
        if week == "last":
            return last_weeks(today, 1)[0]
        try:
            return parse_week(week)
        except ValueError:
            raise ValueError(f"'{week}' is not a week — write it as 2026-W47, or `last`") from None
    if since is None:
        if until is not None:
            raise ValueError("--until needs --since")
        return last_weeks(today, 1)[0]
    if until is None and since > today:
        raise ValueError(f"--since {since.isoformat()} is after today — give an earlier day, "
                         "or --until too")
    until = until or today
    if until < since:
        raise ValueError(f"--until {until.isoformat()} is before --since {since.isoformat()}")
    return Period(since, until)


def last_weeks(today: dt.date, count: int) -> list[Period]:
    """The `count` ISO weeks before the one holding `today`, newest first: finished weeks only,
    so a published digest does not change after its week."""
    monday = week_of(today).since
    return [week_of(monday - dt.timedelta(days=7 * n)) for n in range(1, count + 1)]


def _who(advocate: Advocate, catalog: Catalog) -> dict[str, Any]:
    data, config = advocate.data, catalog.config
    company = data["company"]
    return {"id": advocate.id, "name": advocate.name, "title": data["title"],
            "company": company["name"], "url": f"advocates/{advocate.id}/",
            "industry": config.label("industries", company["industry"]),
            "region": config.label("regions", company["region"]),
            "owner": config.owners[data["owner"]].name}


def _consented_on(advocate: Advocate) -> dt.date:
    return dt.date.fromisoformat(advocate.data["consent"]["given_on"])


def digest(catalog: Catalog, period: Period, as_of: dt.date | None = None,
           matches: dict[Target, frozenset[str]] | None = None,
           count_available: bool = True) -> dict[str, Any]:
    """The digest's figures and lists for `period`, as told on `as_of` (default: the period's
    last day), JSON-ready (dates as ISO text). `matches`: `coverage.matching` of the catalog,
    when many periods share it. Without `count_available`, `available` is None: how many could
    be asked on the period's last day costs a look at every log, worth it for the week being
    posted, not for each older one."""
    config, until = catalog.config, period.until
    as_of = as_of or until
    day_before = period.since - dt.timedelta(days=1)
    # Listed on the period's last day, since their consent was given, and still listed on
    # `as_of`: a digest never names someone the site no longer shows. Consent given within the
    # period: new in the catalog (a renewal moves given_on too, and counts as new; the data
    # holds nothing to tell them apart).
    still = {a.id for a in catalog.listed(as_of)} if as_of != until else None
    listed = sorted((a for a in catalog.listed(until) if _consented_on(a) <= until
                     and (still is None or a.id in still)), key=lambda a: sort_key(a.name))
    new = {a.id for a in listed if _consented_on(a) in period}
    listed_before = {a.id for a in catalog.listed(day_before) if _consented_on(a) <= day_before}

    def who(advocate: Advocate, **more: Any) -> dict[str, Any]:
        return {**_who(advocate, catalog), **more}

    joined = [who(a) for a in listed if a.id in new]
    logs = {a.id: log(a) for a in listed}
    # Asks that took place: a booking after `as_of` is not one yet.
    activities = [(a, e) for a in listed for e in logs[a.id]
                  if e["day"] in period and e["day"] <= as_of]
    first_time = [who(a) for a in listed if logs[a.id] and logs[a.id][0]["day"] in period]
    won = [{"advocate": who(a), "opportunity": e["opportunity"], "amount": e.get("amount")}
           for a, e in activities if e.get("outcome") == "won"]
    shown = max(until, as_of)  # material expired since is no longer shown anywhere
    quotes = [who(a, text=q["text"]) for a in listed for q in current(a.data.get("quotes", []), shown)
              if dt.date.fromisoformat(q["approved_on"]) in period]
    material = [who(a, type=ASSET_LABELS[m["type"]], title=m["title"], link=m["url"])
                for a in listed for m in current(a.data.get("assets", []), shown)
                if m.get("published_on") and dt.date.fromisoformat(m["published_on"]) in period]
    thanked = [who(a, kind=config.label("recognition_kinds", r["kind"]), by=r["by"],
                   notes=r.get("notes", ""))
               for a in listed for r in recognitions(a) if r["day"] in period]
    owed = [o for o in owed_by_all(listed, until, config) if o.overdue(until)]
    gone_stale: dict[str, list[dict[str, Any]]] = {}
    for a in listed:
        due = verification_due(a, config)
        if a.status in VERIFIED_STATUSES and due + dt.timedelta(days=1) in period:
            gone_stale.setdefault(config.owners[a.data["owner"]].name, []).append(who(a))
    stale_now = sum(a.status in VERIFIED_STATUSES and verification_due(a, config) < until
                    for a in listed)
    # A rest or a limit ends a rule's number of days after an activity: only advocates with an
    # activity that long before a day of the period can be available again in it.
    spans = {*config.limits.rest_after.values(), *(days for _, _, days in config.limits.windows())}
    length = (until - period.since).days + 1
    triggers = {period.since - dt.timedelta(days=d - k) for d in spans for k in range(length)}
    available_again = []
    for a in listed:
        if not any(e["day"] in triggers for e in logs[a.id]):
            continue
        before = availability(a, day_before, config.limits)
        if before.state in ("resting", "at-limit") and before.until and before.until <= until \
                and availability(a, until, config.limits).state == "available":
            available_again.append(who(a, since=before.until.isoformat()))
    matches = matches if matches is not None else matching(catalog.advocates, catalog.targets)
    before_pool = {a.id for a in counted([a for a in catalog.advocates if a.id in listed_before],
                                          day_before)}
    before_rows = {row.target: row.count for row in tally(catalog.targets, matches, before_pool)}
    rows = tally(catalog.targets, matches, {a.id for a in counted(listed, until)})
    moves = [{"target": row.target.label, "before": before_rows[row.target], "after": row.count,
              "min": row.target.minimum, "met": row.count >= row.target.minimum}
             for row in rows if row.count != before_rows[row.target]]
    return {
        "period": {"since": period.since.isoformat(), "until": until.isoformat(),
                   "week": period.week, "title": period.title},
        "catalog": {"title": config.title, "base_url": config.base_url,
                    "currency": config.currency},
        "listed": len(listed),
        "available": (sum(availability(a, until, config.limits).state == "available"
                          for a in listed) if count_available else None),
        "joined": joined,
        "first_activity": first_time,
        "activities": {
            "count": len(activities),
            "by_type": Counter(config.label("activities", e["type"])
                               for _, e in activities).most_common(),
            "by_team": Counter(e["requested_by"] for _, e in activities).most_common(),
            "won": won,
            "amount_won": sum(float(w["amount"] or 0) for w in won),
        },
        "quotes": quotes,
        "material": material,
        "recognitions": thanked,
        "thanks_owed": len(owed),
        "coverage": {"moves": moves,
                     "short": [{"target": row.target.label, "count": row.count,
                                "min": row.target.minimum} for row in rows if row.gap]},
        "gone_stale": [{"owner": owner, "advocates": people}
                       for owner, people in sorted(gone_stale.items(), key=lambda g: sort_key(g[0]))],
        "stale": stale_now,
        "available_again": available_again,
    }


def is_quiet(found: dict[str, Any]) -> bool:
    """No one joined, was asked, quoted, published, thanked or came back from a rest."""
    return not (found["joined"] or found["activities"]["count"] or found["quotes"]
                or found["material"] or found["recognitions"] or found["available_again"])
