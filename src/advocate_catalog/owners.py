"""An owner's to-do list: what a customer success manager owes this week, in one place.

The same lists make the owner's page (`owners/<id>/`) and `report owner ID`. Requests waiting
are the request issues on GitHub (an accepted one is logged when done, and the log holds no
future dates), so the page links to those assigned to the owner. Only advocates the
site lists appear. Nominations are never published, not even as a count: the page links to the
nominations folder, and the command line, run inside the data repository, names them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from .activity import Availability, availability
from .freshness import Finding, check_advocate, edit_href, verify_href
from .model import Advocate, Catalog, Nomination, Owner, sort_key
from .recognition import Owed, owed

PAGE = "owners/{id}/"  # an owner's page, from the site's root


def page_url(owner_id: str) -> str:
    return PAGE.format(id=owner_id)


@dataclass(frozen=True)
class Agenda:
    owner: Owner
    advocates: list[tuple[Advocate, Availability]]  # listed, by name
    attention: list[tuple[Finding, str, str]]  # (finding, verify link, edit link), most urgent first
    thanks: list[Owed]  # activities waiting for a recognition, most overdue first
    nominations: list[Nomination]  # waiting for review: owned by or nominated by this owner
    requests_url: str  # open request issues assigned to the owner on GitHub ('' without GitHub)

    @property
    def empty(self) -> bool:
        return not (self.attention or self.thanks or self.nominations)


def agenda(catalog: Catalog, owner_id: str, today: dt.date,
           listed: list[Advocate] | None = None) -> Agenda:
    """What `owner_id` holds and owes on `today` (`listed`: the catalog's listed advocates, when
    the caller has them already). KeyError when no such owner."""
    config = catalog.config
    owner = config.owners[owner_id]
    held = sorted((a for a in (catalog.listed(today) if listed is None else listed)
                   if a.data["owner"] == owner_id), key=lambda a: sort_key(a.name))
    attention = sorted((finding for a in held for finding in check_advocate(a, today, config)),
                       key=lambda f: (f.severity != "error", f.due, sort_key(f.name)))
    thanks = sorted((item for a in held for item in owed(a, today, config)),
                    key=lambda o: (o.due, sort_key(o.advocate.name)))
    mine = {owner.email.casefold(), owner.id}
    nominations = sorted((n for n in catalog.nominations if n.data.get("owner") == owner_id
                          or str(n.data.get("nominated_by", "")).casefold() in mine),
                         key=lambda n: n.nominated_on)
    requests = ""
    if config.repository_url and owner.github:
        query = quote(f"is:issue is:open label:reference-request assignee:{owner.github}")
        requests = f"{config.repository_url}/issues?q={query}"
    return Agenda(
        owner, [(a, availability(a, today, config.limits)) for a in held],
        [(f, verify_href(config, f.advocate_id, f.name) if f.kind in ("stale", "due-soon") else "",
          edit_href(config, f.path)) for f in attention],
        thanks, nominations, requests)


def rows(found: Agenda, catalog: Catalog, today: dt.date) -> dict[str, Any]:
    """The agenda as plain rows: the owner's page, `report owner --format json`. Nothing about
    nominations here (the page is published); `report owner` names them from the agenda itself."""
    config = catalog.config
    label = config.label
    return {
        "owner": {"id": found.owner.id, "name": found.owner.name, "team": found.owner.team},
        "empty": not (found.attention or found.thanks),
        "attention": [{"id": f.advocate_id, "name": f.name, "kind": f.kind, "message": f.message,
                       "hint": f.hint, "due": f.due.isoformat(), "verify_href": verify,
                       "edit_href": edit} for f, verify, edit in found.attention],
        "thanks": [{"id": o.advocate.id, "name": o.advocate.name,
                    "label": label("activities", str(o.activity["type"])),
                    "date": o.activity["date"], "opportunity": o.activity["opportunity"],
                    "due": o.due.isoformat(), "overdue": o.overdue(today),
                    "days_overdue": o.days_overdue(today),
                    "edit_href": edit_href(config, o.advocate.path)} for o in found.thanks],
        "requests_url": found.requests_url,
        "nominations_url": (f"{config.repository_url}/tree/{quote(config.branch)}/nominations"
                            if config.repository_url else ""),
        "advocates": [{"id": a.id, "name": a.name, "company": a.data["company"]["name"],
                       "availability": state.label + (f" until {state.until.isoformat()}"
                                                      if state.until else ""),
                       "last_verified": a.data["last_verified"]} for a, state in found.advocates],
    }
