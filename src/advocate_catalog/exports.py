"""Machine-readable outputs: the JSON and CSV exports and the Atom feed. Listed advocates only,
built from the same public data as the pages: no private fields, no way to reach the customer."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from . import git
from .activity import Availability
from .model import Advocate, Config

EXPORT_FORMAT = "advocate-catalog/1"  # bump when a field changes meaning or disappears
ATOM = "http://www.w3.org/2005/Atom"
CSV_COLUMNS = ("id", "name", "title", "persona", "company", "industry", "size", "region", "country",
               "products", "willing", "status", "availability", "available_until", "last_asked",
               "owner", "owner_email", "last_verified", "summary", "url")


def record(config: Config, advocate: Advocate, available: Availability,
           today: dt.date) -> dict[str, Any]:
    """One advocate in the export shape (documented in docs/exports.md)."""
    data, owner = advocate.data, config.owners[advocate.data["owner"]]
    return {
        "id": advocate.id,
        "url": f"{config.base_url}advocates/{advocate.id}/",
        "name": data["name"], "title": data["title"], "persona": data["persona"],
        "company": dict(data["company"]),
        "summary": data.get("summary", ""),
        "products": list(data["products"]), "use_cases": list(data.get("use_cases", [])),
        "languages": list(data.get("languages", [])),
        "willingness": dict(data["willingness"]),
        "status": advocate.status,
        "availability": {"state": available.state,
                         "until": available.until.isoformat() if available.until else None,
                         "last_asked": (available.last_asked.isoformat()
                                        if available.last_asked else None)},
        "activity_count": len(data.get("activity", [])),
        "owner": {"id": owner.id, "name": owner.name, "email": owner.email},
        "consent_scope": list(data["consent"]["scope"]),
        "last_verified": data["last_verified"],
        "assets": [{k: a[k] for k in ("type", "title", "url") if k in a}
                   for a in data.get("assets", [])
                   if not a.get("expires_on") or dt.date.fromisoformat(a["expires_on"]) >= today],
    }


def to_json(records: list[dict[str, Any]], today: dt.date) -> str:
    return json.dumps({"format": EXPORT_FORMAT, "generated": today.isoformat(),
                       "advocates": records}, ensure_ascii=False, separators=(",", ":"))


def _cell(value: Any) -> str:
    """Text for a spreadsheet cell; a leading = + - @ would run as a formula, so it is quoted."""
    text = "; ".join(value) if isinstance(value, list) else "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(records: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in records:
        c = r["company"]
        writer.writerow(_cell(v) for v in (
            r["id"], r["name"], r["title"], r["persona"], c["name"], c["industry"], c["size"],
            c["region"], c["country"], r["products"],
            [a for a, answer in r["willingness"].items() if answer == "yes"], r["status"],
            r["availability"]["state"], r["availability"]["until"], r["availability"]["last_asked"],
            r["owner"]["name"], r["owner"]["email"], r["last_verified"], r["summary"], r["url"]))
    return out.getvalue()


def changed_dates(root: Path, paths: list[str]) -> dict[str, dt.date]:
    """When each file last changed, from one pass over git history ({} outside git)."""
    if not git.is_repository(root):
        return {}
    done = git.git(root, "log", "--format=%x00%cs", "--name-only", "--", "advocates", check=False)
    wanted, found, day = set(paths), {}, None
    for line in done.stdout.splitlines():
        if line.startswith("\x00"):
            day = dt.date.fromisoformat(line[1:])
        elif line in wanted and line not in found and day:
            found[line] = day
    return found


def news(advocates: list[Advocate], root: Path, limit: int = 50) -> list[tuple[dt.date, Advocate]]:
    """Advocates by the date their profile last changed (git history, else last_verified)."""
    dates = changed_dates(root, [a.path for a in advocates])
    dated = [(dates.get(a.path, a.last_verified), a) for a in advocates]
    return sorted(dated, key=lambda item: (item[0], item[1].id), reverse=True)[:limit]


def atom(config: Config, items: list[tuple[dt.date, Advocate]], today: dt.date) -> str:
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")

    def add(parent: ET.Element, tag: str, text: str = "", **attributes: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
        element.text = text or None
        return element

    add(feed, "title", f"{config.title}: what's new")
    add(feed, "id", config.base_url)
    add(feed, "link", href=f"{config.base_url}feed.xml", rel="self")
    add(feed, "link", href=f"{config.base_url}whats-new/")
    add(feed, "updated", f"{(items[0][0] if items else today).isoformat()}T00:00:00Z")
    add(add(feed, "author"), "name", config.company or config.title)
    for day, advocate in items:
        entry = add(feed, "entry")
        company = advocate.data["company"]["name"]
        add(entry, "title", f"{advocate.name}, {advocate.data['title']} at {company}")
        add(entry, "id", f"{config.base_url}advocates/{advocate.id}/")
        add(entry, "link", href=f"{config.base_url}advocates/{advocate.id}/")
        add(entry, "updated", f"{day.isoformat()}T00:00:00Z")
        add(entry, "summary", advocate.data.get("summary", ""))
    return ET.tostring(feed, encoding="unicode", xml_declaration=True) + "\n"
