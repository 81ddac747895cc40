"""Coverage against company goals: how many active, willing advocates each target has."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from .errors import Issue
from .load import Document
from .model import Advocate, Config

TIMES = " \u00d7 "  # a multiplication sign between the parts of a combined target

# Target dimension → (taxonomy list, how an advocate's value is found). The keys are the search
# page's filter keys too, so a target's `where` is also the search that shows who it counts.
DIMENSIONS = {
    "industry": ("industries", lambda a: [a.data["company"]["industry"]]),
    "region": ("regions", lambda a: [a.data["company"]["region"]]),
    "product": ("products", lambda a: a.data["products"]),
    "persona": ("personas", lambda a: [a.data.get("persona")]),
    "function": ("functions", lambda a: [a.data.get("function")]),
    "activity": ("activities", lambda a: a.willing("yes")),  # willing (yes) for this activity
}


@dataclass(frozen=True)
class Target:
    where: tuple[tuple[str, str], ...]  # (dimension, id), in DIMENSIONS order
    minimum: int
    label: str

    def matches(self, advocate: Advocate) -> bool:
        return all(value in DIMENSIONS[dimension][1](advocate) for dimension, value in self.where)

    @property
    def activity(self) -> str | None:
        """The activity an advocate must be willing for, or None: any one will do."""
        return dict(self.where).get("activity")


@dataclass(frozen=True)
class Coverage:
    target: Target
    count: int

    @property
    def gap(self) -> int:
        return max(0, self.target.minimum - self.count)


def counted(advocates: list[Advocate], today: dt.date) -> list[Advocate]:
    """Who counts toward coverage: active, willing (yes) for at least one activity, and with
    current consent to the internal catalog (as the site's listing requires)."""
    return [a for a in advocates
            if a.status == "active" and a.willing("yes") and _consents(a, today)]


def _consents(advocate: Advocate, today: dt.date) -> bool:
    # diff counts profiles straight from git snapshots, never validated: a malformed consent
    # block is no consent, not a crash.
    try:
        return advocate.consents_to("internal-catalog", today)
    except (AttributeError, TypeError, ValueError):
        return False


def targets_from(doc: Document, config: Config) -> tuple[list[Target], list[Issue]]:
    """Targets from a schema-valid targets.yaml, with an issue for each value not in the taxonomy
    (an `activity` target counts only advocates willing (yes) for that activity)."""
    targets, issues = [], []
    for i, item in enumerate(doc.data["targets"]):
        where = []
        for dimension, (vocabulary, _) in DIMENSIONS.items():
            if dimension in item:
                allowed = config.ids(vocabulary)
                if item[dimension] not in allowed:
                    issues.append(doc.issue(("targets", i, dimension),
                                            f"targets[{i}].{dimension} '{item[dimension]}' is not "
                                            f"in taxonomy.{vocabulary}",
                                            "use one of: " + ", ".join(allowed)))
                where.append((dimension, item[dimension]))
        label = TIMES.join(config.label(DIMENSIONS[d][0], v) for d, v in where)
        targets.append(Target(tuple(where), item["min"], label))
    return ([], issues) if issues else (targets, [])


def coverage(advocates: list[Advocate], targets: list[Target],
             today: dt.date | None = None) -> list[Coverage]:
    """Each target with its count on `today` (default: the clock's), the biggest gaps first,
    then the met targets."""
    pool = counted(advocates, today or dt.date.today())
    return tally(targets, matching(pool, targets), {a.id for a in pool})


def matching(advocates: list[Advocate], targets: list[Target]) -> dict[Target, frozenset[str]]:
    """The ids of the advocates each target matches, whoever counts: worked out once, it
    serves the counts on many days (the digest's weeks)."""
    return {t: frozenset(a.id for a in advocates if t.matches(a)) for t in targets}


def tally(targets: list[Target], matches: dict[Target, frozenset[str]],
          pool: set[str]) -> list[Coverage]:
    """Coverage rows of the advocates in `pool` (ids of those who count), biggest gaps first."""
    rows = [Coverage(t, len(matches[t] & pool)) for t in targets]
    return sorted(rows, key=lambda c: (-c.gap, c.target.label))


def searches(targets: list[Target], listed: list[Advocate],
             activities: Sequence[str]) -> dict[Target, str | None]:
    """Each target's link to the search page (`?key=value&…`, from the site root) that shows
    exactly the listed advocates it counts: active, matching, and willing for its activity or,
    when it names none, for any of `activities` (ids, in taxonomy order).

    The page ANDs filters, ORs the values of one, and ignores a value no listed advocate has: a
    search with one would show more than the target counts, so there is none (None; the
    target then counts nobody).
    """
    known = search_values(listed)
    willing_for_none = [a for a in listed if a.status == "active" and not a.willing("yes")]
    links: dict[Target, str | None] = {}
    for target in targets:
        filters = [("status", "active"), *target.where]
        if target.activity is None and any(target.matches(a) for a in willing_for_none):
            # Only a filter for every activity leaves out who matches but is willing for none.
            some = [("activity", a) for a in activities if ("activity", a) in known]
            if not some:  # nobody listed is willing for anything: no filter leaves them out
                links[target] = None
                continue
            filters += some
        exact = all(pair in known for pair in filters)
        links[target] = "?" + urlencode(filters, quote_via=quote) if exact else None
    return links


def search_values(listed: list[Advocate]) -> set[tuple[str, str]]:
    """The (filter, value) pairs the search page offers for the filters a target uses: the
    values some listed advocate has (as render.facet_values gives them)."""
    return ({(dimension, value) for a in listed for dimension, (_, values) in DIMENSIONS.items()
             for value in values(a) if value}
            | {("status", a.status) for a in listed})


def as_dict(row: Coverage) -> dict[str, Any]:
    return {"target": row.target.label, "where": dict(row.target.where),
            "min": row.target.minimum, "count": row.count, "gap": row.gap}
