"""Machine-readable outputs: the JSON and CSV exports and the Atom feed. Listed advocates only,
built from the same public data as the pages: no private fields, no way to reach the customer."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any

from .activity import Availability
from .model import Advocate, Config, current
from .text import FORBIDDEN, strip

EXPORT_FORMAT = "advocate-catalog/1"  # bump when a field changes meaning or disappears
ATOM = "http://www.w3.org/2005/Atom"
# Excel on Windows reads a CSV without a byte order mark in the machine's code page: "Élise"
# shows as "Ã‰lise". Every CSV meant for spreadsheets starts with one.
BOM = "\ufeff"
# advocates.csv, which the search page's "Download these as CSV" also reads, header and rows:
# `id` stays first (the page finds rows by it). Ids for machines, each with its `_label` beside it.
CSV_COLUMNS = ("id", "name", "title", "persona", "persona_label", "function", "function_label",
               "company", "industry", "industry_label", "size", "size_label", "region",
               "region_label", "country", "country_label", "languages", "languages_label",
               "products", "products_label", "willing", "willing_label", "status", "availability",
               "available_until", "available_for", "waiting_for", "last_asked", "owner", "owner_email",
               "last_verified", "summary", "url")


def record(config: Config, advocate: Advocate, available: Availability,
           today: dt.date) -> dict[str, Any]:
    """One advocate in the export shape (documented in docs/exports.md)."""
    data, owner = advocate.data, config.owners[advocate.data["owner"]]
    return {
        "id": advocate.id,
        "url": f"{config.base_url}advocates/{advocate.id}/",
        "name": data["name"], "title": data["title"], "persona": data["persona"],
        "function": data.get("function", ""),
        "company": dict(data["company"]),
        "summary": data.get("summary", ""),
        "products": list(data["products"]), "use_cases": list(data.get("use_cases", [])),
        "languages": list(data.get("languages", [])),
        "willingness": dict(data["willingness"]),
        "status": advocate.status,
        "availability": {"state": available.state,
                         "until": available.until.isoformat() if available.until else None,
                         "last_asked": (available.last_asked.isoformat()
                                        if available.last_asked else None),
                         # Each activity said yes to, as the site's filter and badge say it.
                         "activities": {a.activity: {"state": a.state,
                                                     "until": a.until.isoformat() if a.until else None}
                                        for a in available.activities}},
        "activity_count": len(data.get("activity", [])),
        "owner": {"id": owner.id, "name": owner.name, "email": owner.email},
        "consent_scope": list(data["consent"]["scope"]),
        "last_verified": data["last_verified"],
        "assets": [{k: a[k] for k in ("type", "title", "url") if k in a}
                   for a in current(data.get("assets", []), today)],
        "labels": labels(config, advocate),
    }


def labels(config: Config, advocate: Advocate) -> dict[str, Any]:
    """What people read for each id and code of the record: taxonomy labels, country and
    language names (as the pages show them)."""
    from .render import country_name, language_name  # render imports this module

    data, company = advocate.data, advocate.data["company"]
    return {
        "persona": config.label("personas", data["persona"]),
        "function": config.label("functions", data["function"]) if data.get("function") else "",
        "industry": config.label("industries", company["industry"]),
        "size": config.label("company_sizes", company["size"]),
        "region": config.label("regions", company["region"]),
        "country": country_name(company["country"]),
        "languages": [language_name(code) for code in data.get("languages", [])],
        "products": [config.label("products", p) for p in data["products"]],
        "willingness": {a: config.label("activities", a) for a in data["willingness"]},
    }


def to_json(records: list[dict[str, Any]], today: dt.date) -> str:
    return json_document([json_entry(r) for r in records], today)


def json_entry(record: dict[str, Any]) -> str:
    """One record as advocates.json holds it: the file is its entries joined (`json_document`),
    so a build keeps each unchanged profile's entry and writes only the changed ones anew."""
    # Nearly always there is nothing to strip: a forbidden character is either written as it is
    # or escaped (`\u0001`); only then is every string stripped, which costs more than the dump.
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    return text if "\\u" not in text and not FORBIDDEN.search(text) else json.dumps(
        _stripped(record), ensure_ascii=False, separators=(",", ":"))


def json_document(entries: Sequence[str], today: dt.date) -> str:
    """advocates.json from its entries (`json_entry`), as one `json.dumps` of the whole would be."""
    head = json.dumps({"format": EXPORT_FORMAT, "generated": today.isoformat()},
                      ensure_ascii=False, separators=(",", ":"))
    return f'{head[:-1]},"advocates":[{",".join(entries)}]}}'


def _stripped(value: Any) -> Any:
    """`value` with forbidden characters stripped from every string, keys too: on the data, as
    JSON would only escape them (`\\u0001`) and a reader would get them back."""
    if isinstance(value, str):
        return strip(value)
    if isinstance(value, dict):
        return {_stripped(key): _stripped(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_stripped(item) for item in value]
    return value


def _cell(value: Any) -> str:
    """Text for a spreadsheet cell; a leading = + - @ would run as a formula, so it is quoted
    (checked after stripping forbidden characters, which could hide one)."""
    text = strip("; ".join(value) if isinstance(value, list) else "" if value is None else str(value))
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_row(r: dict[str, Any]) -> dict[str, Any]:
    """One record as advocates.csv's columns (CSV_COLUMNS, in that order)."""
    c, names = r["company"], r["labels"]
    willing = [a for a, answer in r["willingness"].items() if answer == "yes"]
    return {
        "id": r["id"], "name": r["name"], "title": r["title"],
        "persona": r["persona"], "persona_label": names["persona"],
        "function": r["function"], "function_label": names["function"],
        "company": c["name"], "industry": c["industry"], "industry_label": names["industry"],
        "size": c["size"], "size_label": names["size"],
        "region": c["region"], "region_label": names["region"],
        "country": c["country"], "country_label": names["country"],
        "languages": r["languages"], "languages_label": names["languages"],
        "products": r["products"], "products_label": names["products"],
        "willing": willing, "willing_label": [names["willingness"][a] for a in willing],
        "status": r["status"], "availability": r["availability"]["state"],
        "available_until": r["availability"]["until"],
        "available_for": "; ".join(a for a, v in r["availability"]["activities"].items()
                                   if v["state"] == "available"),
        "waiting_for": "; ".join(f"{a} {v['state']}" + (f" until {v['until']}" if v["until"] else "")
                                 for a, v in r["availability"]["activities"].items()
                                 if v["state"] != "available"),
        "last_asked": r["availability"]["last_asked"],
        "owner": r["owner"]["name"], "owner_email": r["owner"]["email"],
        "last_verified": r["last_verified"], "summary": r["summary"], "url": r["url"],
    }


def to_csv(records: list[dict[str, Any]]) -> str:
    """advocates.csv for spreadsheets: a byte order mark, the header, one row per record."""
    return csv_document([csv_line(r) for r in records])


def _csv_text(row: Sequence[Any]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow(row)
    return out.getvalue()


CSV_HEADER = _csv_text(CSV_COLUMNS)


def csv_line(record: dict[str, Any]) -> str:
    """One record's line of advocates.csv (its line end included)."""
    row = csv_row(record)
    return _csv_text([_cell(row[column]) for column in CSV_COLUMNS])


def csv_document(lines: Sequence[str]) -> str:
    return BOM + CSV_HEADER + "".join(lines)


def atom(config: Config, items: list[tuple[dt.date, Advocate]], today: dt.date,
         digests: Sequence[dict[str, Any]] = ()) -> str:
    """The feed: profiles added or changed, and each week's digest (`digests`: render's weeks)."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")

    def add(parent: ET.Element, tag: str, text: str = "", **attributes: str) -> ET.Element:
        # ElementTree writes control characters as they are, and XML cannot hold them.
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}",
                                {key: strip(value) for key, value in attributes.items()})
        element.text = strip(text) or None
        return element

    add(feed, "title", f"{config.title}: what's new")
    add(feed, "id", config.base_url)
    add(feed, "link", href=f"{config.base_url}feed.xml", rel="self")
    add(feed, "link", href=f"{config.base_url}whats-new/")
    # (day, title, path from the site root, summary), newest first: profiles and digests mixed.
    entries = [(day, f"{advocate.name}, {advocate.data['title']} at {advocate.data['company']['name']}",
                f"advocates/{advocate.id}/", advocate.data.get("summary", ""))
               for day, advocate in items]
    entries += [(week["published"], f"Weekly digest — {week['title']}", week["url"], week["summary"])
                for week in digests]
    entries.sort(key=lambda entry: entry[0], reverse=True)
    add(feed, "updated", f"{(entries[0][0] if entries else today).isoformat()}T00:00:00Z")
    add(add(feed, "author"), "name", config.company or config.title)
    for day, title, path, summary in entries:
        entry = add(feed, "entry")
        add(entry, "title", title)
        add(entry, "id", f"{config.base_url}{path}")
        add(entry, "link", href=f"{config.base_url}{path}")
        add(entry, "updated", f"{day.isoformat()}T00:00:00Z")
        add(entry, "summary", summary)
    return ET.tostring(feed, encoding="unicode", xml_declaration=True) + "\n"


ACTIVITY_COLUMNS = ("advocate_id", "advocate", "company", "industry", "industry_label", "region",
                    "region_label", "date", "type", "type_label", "requested_by", "opportunity",
                    "amount", "currency", "outcome")


def activity_rows(config: Config, logged: Sequence[tuple[Advocate, dict[str, Any]]]
                  ) -> list[dict[str, Any]]:
    """Activity entries (`report.published_activity`: listed advocates only) with what their
    profile pages show, ids with labels beside them. Never `notes` or `exception`: no page shows
    them, and they are where people write what they would not publish."""
    rows = []
    for advocate, entry in logged:
        company = advocate.data["company"]
        rows.append({
            "advocate_id": advocate.id, "advocate": advocate.name, "company": company["name"],
            "industry": company["industry"],
            "industry_label": config.label("industries", company["industry"]),
            "region": company["region"], "region_label": config.label("regions", company["region"]),
            "date": entry["date"], "type": entry["type"],
            "type_label": config.label("activities", entry["type"]),
            "requested_by": entry["requested_by"], "opportunity": entry["opportunity"],
            "amount": entry.get("amount"), "currency": config.currency if entry.get("amount") is not None
            else "", "outcome": entry.get("outcome", "")})
    return rows


def activities_csv(rows: list[dict[str, Any]]) -> str:
    """The activity rows for Excel: a byte order mark first, so it opens the file as UTF-8
    (accented names intact); amounts as plain numbers (750000), dates as YYYY-MM-DD. Lines end
    in `\n`, which Excel reads as well as `\r\n`: the CLI prints it as the site has it."""
    return activities_document([activity_line(row) for row in rows])


def _activity_text(row: Sequence[Any]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(row)
    return out.getvalue()


ACTIVITY_HEADER = _activity_text(ACTIVITY_COLUMNS)


def activity_line(row: dict[str, Any]) -> str:
    """One activity row's line of the CSV (`activities_csv`), its line end included."""
    amount = row["amount"]
    if amount is not None:
        amount = int(amount) if float(amount).is_integer() else amount
    return _activity_text([_cell(amount if key == "amount" else row[key]) for key in ACTIVITY_COLUMNS])


def activities_document(lines: Sequence[str]) -> str:
    return BOM + ACTIVITY_HEADER + "".join(lines)
