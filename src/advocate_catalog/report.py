"""The program's value in numbers: activity over time, influenced deals, freshness, pipeline."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from .activity import log
from .model import Catalog


def quarter(day: dt.date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


def last_quarters(today: dt.date, count: int = 6) -> list[str]:
    year, q = today.year, (today.month - 1) // 3
    labels = []
    for _ in range(count):
        labels.append(f"{year} Q{q + 1}")
        year, q = (year - 1, 3) if q == 0 else (year, q - 1)
    return labels[::-1]


def value(catalog: Catalog, today: dt.date) -> dict[str, Any]:
    """Every figure of the value page and `report value`, from the advocates the site lists.

    One rule for the site and the CLI: only `catalog.listed(today)` (a listed status and current
    internal-catalog consent) is counted, so a figure never carries the activity or text (teams,
    deals) of someone who has not consented, or no longer does, and the two always agree.
    Nominations are never counted here: the site publishes nothing about them, not even a count
    (`waiting` gives the command line its figures).
    """
    config = catalog.config
    listed = catalog.listed(today)
    entries = [(advocate, entry) for advocate in listed
               for entry in log(advocate) if entry["day"] <= today]
    quarters = last_quarters(today)
    per_quarter = Counter(quarter(e["day"]) for _, e in entries)
    deals: dict[str, dict[str, Any]] = {}
    for _, entry in sorted(entries, key=lambda item: item[1]["day"]):
        deal = deals.setdefault(entry["opportunity"], {"amount": 0.0, "outcome": "open"})
        deal["amount"] = max(deal["amount"], float(entry.get("amount", 0)))
        deal["outcome"] = entry.get("outcome", deal["outcome"])  # the latest word on the deal
    outcomes = Counter(d["outcome"] for d in deals.values())
    askable = [a for a in listed if a.status in ("active", "resting")]

    def verified_within(days: int) -> float:
        recent = sum((today - a.last_verified).days <= days for a in askable)
        return round(100 * recent / len(askable), 1) if askable else 0.0

    most_active = Counter(a.id for a, _ in entries)
    names = {a.id: a.name for a in listed}
    return {
        "as_of": today.isoformat(),
        "currency": config.currency,
        "activities": len(entries),
        "per_quarter": [(q, per_quarter.get(q, 0)) for q in quarters],
        "by_type": Counter(config.label("activities", e["type"]) for _, e in entries).most_common(),
        "by_team": Counter(e["requested_by"] for _, e in entries).most_common(),
        "opportunities": len(deals),
        "amount_influenced": sum(d["amount"] for d in deals.values()),
        "amount_won": sum(d["amount"] for d in deals.values() if d["outcome"] == "won"),
        "outcomes": {key: outcomes.get(key, 0) for key in ("won", "lost", "open")},
        "most_active": [(names[i], n) for i, n in most_active.most_common(10)],
        "verified_90": verified_within(90),
        "verified_180": verified_within(180),
    }


def waiting(catalog: Catalog, today: dt.date) -> dict[str, Any]:
    """Nominations waiting for review, for `report value` only: run where the nominations are,
    it may count them; the site may not."""
    days = [(today - n.nominated_on).days for n in catalog.nominations]
    return {"nominations_waiting": len(days), "oldest_nomination_days": max(days, default=None)}
