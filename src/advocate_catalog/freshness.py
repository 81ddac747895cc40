"""Which profiles need attention: not verified for too long, consent or approvals past their expiry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote, urlencode

from .errors import Issue
from .model import Advocate, Catalog, Config, sort_key

Kind = Literal["stale", "due-soon", "consent-expired", "consent-expiring", "quote-expired",
               "asset-expired"]

# Only profiles that can be asked need verifying; listed ones must not show expired material.
VERIFIED_STATUSES = ("active", "resting")


def edit_href(config: Config, path: str) -> str:
    """GitHub's editor on a data file of the repository (empty without `site.repository_url`)."""
    if not config.repository_url:
        return ""
    return f"{config.repository_url}/edit/{quote(config.branch)}/{quote(path)}"


def verify_href(config: Config, advocate_id: str, name: str) -> str:
    """The "Mark as verified" issue form, prefilled; a workflow turns it into a pull request
    (empty without `site.repository_url`)."""
    if not config.repository_url:
        return ""
    query = urlencode({"template": "verify.yml", "advocate": advocate_id,
                       "title": f"Verified: {name}"}, quote_via=quote)
    return f"{config.repository_url}/issues/new?{query}"


@dataclass(frozen=True)
class Finding:
    """One reason a profile needs its owner's attention."""

    advocate_id: str
    name: str
    path: str
    line: int
    col: int
    owner: str
    kind: Kind
    due: dt.date
    today: dt.date

    @property
    def severity(self) -> Literal["error", "warning"]:
        return "warning" if self.kind in ("due-soon", "consent-expiring") else "error"

    @property
    def days(self) -> int:
        """Days overdue (errors) or days left (warnings)."""
        return abs((self.today - self.due).days)

    @property
    def message(self) -> str:
        days = f"{self.days} day{'s' if self.days != 1 else ''}"
        return {
            "stale": f"{self.name} was last verified too long ago: verification was due "
                     f"{self.due.isoformat()}, {days} overdue",
            "due-soon": f"{self.name} is due for verification on {self.due.isoformat()}, in {days}",
            "consent-expired": f"{self.name}'s consent expired on {self.due.isoformat()}, {days} ago",
            "consent-expiring": f"{self.name}'s consent expires on {self.due.isoformat()}, in {days}",
            "quote-expired": f"a quote's approval expired on {self.due.isoformat()}, {days} ago",
            "asset-expired": f"an asset expired on {self.due.isoformat()}, {days} ago",
        }[self.kind]

    @property
    def hint(self) -> str:
        return {
            "stale": "confirm the profile with the advocate, then set last_verified to that date",
            "due-soon": "confirm the profile with the advocate, then set last_verified to that date",
            "consent-expired": "renew consent and update consent.given_on and expires_on, or set "
                               "status: inactive",
            "consent-expiring": "ask the advocate to renew consent before it expires",
            "quote-expired": "get the quote approved again (new approved_on and expires_on) or remove it",
            "asset-expired": "remove the asset or update its expires_on",
        }[self.kind]

    def as_issue(self) -> Issue:
        return Issue(self.path, self.line, self.col, self.severity, self.message, self.hint)


def _finding(advocate: Advocate, kind: Kind, due: dt.date, today: dt.date,
             *path: str | int) -> Finding:
    return Finding(advocate.id, advocate.name, advocate.path, *advocate.position_of(*path),
                   advocate.data["owner"], kind, due, today)


def verification_due(advocate: Advocate, config: Config) -> dt.date:
    return advocate.last_verified + dt.timedelta(days=config.stale_after_days)


def check_advocate(advocate: Advocate, today: dt.date, config: Config) -> list[Finding]:
    """Everything about one profile that is stale, expired, or soon will be."""
    findings: list[Finding] = []
    data = advocate.data
    verification = verification_state(advocate, today, config)
    if verification.state in ("stale", "due-soon"):
        findings.append(_finding(advocate, verification.state, verification.due, today,
                                 "last_verified"))
    if advocate.status not in config.listed_statuses:
        return findings
    expires = data.get("consent", {}).get("expires_on")
    if expires:
        day = dt.date.fromisoformat(expires)
        if today > day:
            findings.append(_finding(advocate, "consent-expired", day, today, "consent", "expires_on"))
        elif (day - today).days <= config.warn_days:
            findings.append(_finding(advocate, "consent-expiring", day, today, "consent",
                                     "expires_on"))
    expiring: tuple[tuple[str, Kind], ...] = (("quotes", "quote-expired"), ("assets", "asset-expired"))
    for field, kind in expiring:
        for i, item in enumerate(data.get(field, [])):
            if item.get("expires_on") and today > dt.date.fromisoformat(item["expires_on"]):
                findings.append(_finding(advocate, kind, dt.date.fromisoformat(item["expires_on"]),
                                         today, field, i, "expires_on"))
    return findings


def check(catalog: Catalog, today: dt.date, only_paths: set[str] | None = None) -> list[Finding]:
    """Findings for every advocate (or only those whose file is in `only_paths`), by owner then file."""
    config = catalog.config
    findings = [finding for advocate in catalog.advocates
                if only_paths is None or advocate.path in only_paths
                for finding in check_advocate(advocate, today, config)]
    return sorted(findings, key=lambda f: (sort_key(config.owners[f.owner].name), f.path, f.line))


@dataclass(frozen=True)
class Verification:
    """A profile's verification badge: fresh, due-soon, stale, or not-required (not askable)."""

    state: Literal["fresh", "due-soon", "stale", "not-required"]
    due: dt.date
    days: int  # overdue when stale, left otherwise


def verification_state(advocate: Advocate, today: dt.date, config: Config) -> Verification:
    due = verification_due(advocate, config)
    days = abs((due - today).days)
    if advocate.status not in VERIFIED_STATUSES:
        return Verification("not-required", due, days)
    if today > due:
        return Verification("stale", due, days)
    return Verification("due-soon" if days <= config.warn_days else "fresh", due, days)
