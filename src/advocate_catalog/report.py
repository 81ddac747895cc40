"""The program's value in numbers: activity over time, influenced deals, freshness, pipeline."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .activity import log
from .model import Advocate, Catalog, fold

# (advocate, activity entry as `activity.log` gives it)
Logged = tuple[Advocate, dict[str, Any]]
FINAL = ("won", "lost")
QUARTERS_SHOWN = 4  # the value page: the last four quarters side by side, and their total


def quarter(day: dt.date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def _next_quarter(start: dt.date) -> dt.date:
    return dt.date(start.year + (start.month == 10), (start.month + 2) % 12 + 1, 1)


def _previous_quarter(start: dt.date) -> dt.date:
    return dt.date(start.year - (start.month == 1), (start.month - 4) % 12 + 1, 1)


def quarters_between(since: dt.date, until: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """(label, first day, last day) of each quarter from `since` to `until`, clipped to them."""
    found = []
    start = quarter_start(since)
    while start <= until:
        end = _next_quarter(start) - dt.timedelta(days=1)
        found.append((quarter(start), max(start, since), min(end, until)))
        start = _next_quarter(start)
    return found


def value_period(today: dt.date, since: dt.date | None = None,
                 until: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The days `report value` counts, both included: by default the last four quarters up to
    `today` (the current one so far). ValueError says what is wrong, in words for the CLI."""
    if since is not None and until is None and since > today:
        raise ValueError(f"--since {since.isoformat()} is after the report day {today.isoformat()}"
                         " — give an earlier day, or --as-of a later one")
    until = until or today
    if until > today:
        raise ValueError(f"--until {until.isoformat()} is after the report day {today.isoformat()}"
                         " — give an earlier day, or --as-of a later one")
    if since is None:
        since = quarter_start(until)
        for _ in range(QUARTERS_SHOWN - 1):
            since = _previous_quarter(since)
    if until < since:
        raise ValueError(f"--until {until.isoformat()} is before --since {since.isoformat()}")
    return since, until


def opportunity_key(name: str) -> str:
    """One opportunity however it is typed: 'Vantor  steel Expansion' is 'Vantor Steel expansion'
    (case, accents and runs of spaces aside; punctuation and words count)."""
    return " ".join(fold(name).split())


def is_deal(entry: dict[str, Any]) -> bool:
    """An activity counts toward a deal only when it names an opportunity and says something about
    the deal: an amount or an outcome. A webinar for an account is activity, not pipeline."""
    return bool(str(entry.get("opportunity") or "").strip()) and (
        entry.get("amount") is not None or entry.get("outcome") is not None)


@dataclass(frozen=True)
class Deal:
    """One opportunity as its activity log leaves it: its latest word."""

    name: str  # as first logged
    outcome: str  # won, lost, or open (no final outcome yet)
    amount: float
    day: dt.date  # the entry that won or lost it; while open, its latest entry
    advocate: Advocate  # who logged that entry


def deals(entries: Iterable[Logged]) -> list[Deal]:
    """The opportunities these entries influenced, oldest word first.

    An opportunity's outcome and amount are the latest ones logged. Won and lost are final: an
    entry without an outcome after it (a case study about a won deal) changes nothing; only a
    later entry with an outcome does, and `validate` warns about that (`opportunity_issues`).
    """
    found: dict[str, Deal] = {}
    for advocate, entry in sorted((item for item in entries if is_deal(item[1])),
                                  key=lambda item: (item[1]["day"], item[0].id, item[1]["index"])):
        key = opportunity_key(entry["opportunity"])
        known = found.get(key)
        if known and known.outcome in FINAL and entry.get("outcome") is None:
            continue
        amount = entry.get("amount")
        found[key] = Deal(known.name if known else entry["opportunity"],
                          entry.get("outcome") or (known.outcome if known else "open"),
                          float(amount) if amount is not None else known.amount if known else 0.0,
                          entry["day"], advocate)
    return sorted(found.values(), key=lambda deal: (deal.day, opportunity_key(deal.name)))


def _money(chosen: list[Deal]) -> dict[str, Any]:
    outcomes = Counter(deal.outcome for deal in chosen)
    return {"opportunities": len(chosen),
            "influenced": sum((deal.amount for deal in chosen), 0.0),
            "won": sum((deal.amount for deal in chosen if deal.outcome == "won"), 0.0),
            "outcomes": {key: outcomes.get(key, 0) for key in ("won", "lost", "open")}}


def _breakdown(catalog: Catalog, chosen: list[Deal], vocabulary: str,
               ids: Any) -> list[dict[str, Any]]:
    """Deals by a term of the advocate who logged each one's latest word, biggest first."""
    groups: dict[str, list[Deal]] = {}
    for deal in chosen:
        for term in ids(deal.advocate):
            groups.setdefault(term, []).append(deal)
    rows = [{"id": term, "label": catalog.config.label(vocabulary, term), **_money(group)}
            for term, group in groups.items()]
    return sorted(rows, key=lambda row: (-row["influenced"], -row["won"], row["label"]))


def value(catalog: Catalog, today: dt.date, since: dt.date | None = None,
          until: dt.date | None = None) -> dict[str, Any]:
    """Every figure of the value page and `report value`, from the advocates the site lists, for
    the days `value_period` gives (default: the last four quarters).

    One rule for the site and the CLI: only `catalog.listed(today)` (a listed status and current
    internal-catalog consent) is counted, so a figure never carries the activity or text (teams,
    deals) of someone who has not consented, or no longer does, and the two always agree.
    Nominations are never counted here: the site publishes nothing about them, not even a count
    (`waiting` gives the command line its figures).

    Activities count on their day. A deal counts once, on the day of its latest word (`Deal.day`),
    with its outcome as of `until`: the quarters add up to the total, and so do the regions and
    the industries (those of the advocate who logged that word). Products overlap: a deal counts
    under each product of that advocate.
    """
    config = catalog.config
    since, until = value_period(today, since, until)
    listed = catalog.listed(today)
    logged = [(advocate, entry) for advocate in listed
              for entry in log(advocate) if entry["day"] <= until]
    entries = [(advocate, entry) for advocate, entry in logged if since <= entry["day"]]
    chosen = [deal for deal in deals(logged) if since <= deal.day]
    spans = quarters_between(since, until)
    quarters = []
    for label, first, last in spans:
        within = [deal for deal in chosen if first <= deal.day <= last]
        start = quarter_start(first)
        quarters.append({"quarter": label, "since": first.isoformat(), "until": last.isoformat(),
                         "whole": first == start and last == _next_quarter(start) - dt.timedelta(days=1),
                         "activities": sum(first <= e["day"] <= last for _, e in entries),
                         **_money(within)})
    total = _money(chosen)
    askable = [a for a in listed if a.status in ("active", "resting")]

    def verified_within(days: int) -> float:
        recent = sum((today - a.last_verified).days <= days for a in askable)
        return round(100 * recent / len(askable), 1) if askable else 0.0

    most_active = Counter(a.id for a, _ in entries)
    names = {a.id: a.name for a in listed}
    return {
        "as_of": today.isoformat(),
        "since": since.isoformat(),
        "until": until.isoformat(),
        "currency": config.currency,
        "activities": len(entries),
        "per_quarter": [(q["quarter"], q["activities"]) for q in quarters],
        "by_type": Counter(config.label("activities", e["type"]) for _, e in entries).most_common(),
        "by_team": Counter(e["requested_by"] for _, e in entries).most_common(),
        "opportunities": total["opportunities"],
        "amount_influenced": total["influenced"],
        "amount_won": total["won"],
        "outcomes": total["outcomes"],
        "quarters": quarters,
        "total": {"activities": len(entries), **total},
        "by_region": _breakdown(catalog, chosen, "regions",
                                lambda a: [a.data["company"]["region"]]),
        "by_industry": _breakdown(catalog, chosen, "industries",
                                  lambda a: [a.data["company"]["industry"]]),
        "by_product": _breakdown(catalog, chosen, "products", lambda a: a.data["products"]),
        "most_active": [(names[i], n) for i, n in most_active.most_common(10)],
        "verified_90": verified_within(90),
        "verified_180": verified_within(180),
    }


def published_activity(catalog: Catalog, today: dt.date, since: dt.date | None = None,
                       until: dt.date | None = None) -> list[Logged]:
    """The activity the site publishes: listed advocates' entries up to `today` (as their pages
    show them), from `since` to `until` when given, by date then advocate."""
    last = min(until or today, today)
    rows = [(advocate, entry) for advocate in catalog.listed(today) for entry in log(advocate)
            if (since is None or since <= entry["day"]) and entry["day"] <= last]
    return sorted(rows, key=lambda item: (item[1]["day"], item[0].id, item[1]["index"]))


def waiting(catalog: Catalog, today: dt.date) -> dict[str, Any]:
    """Nominations waiting for review, for `report value` only: run where the nominations are,
    it may count them; the site may not."""
    days = [(today - n.nominated_on).days for n in catalog.nominations]
    return {"nominations_waiting": len(days), "oldest_nomination_days": max(days, default=None)}
