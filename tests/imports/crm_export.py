"""A generated CRM export of customer references, with the mess real exports have: blank cells,
"U.K." and "USA", four date formats, labels instead of ids, duplicated rows, and some rows that
cannot become a nomination. `make` writes it and returns which rows are which, so the import's
report can be checked row by row."""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path
from typing import Any

HEADER = ["Contact ID", "First Name", "Last Name", "Title", "Seniority", "Account Name", "Industry",
          "Region", "Billing Country", "Products", "Account Owner", "Created Date", "Reference Notes",
          "Email", "Willing For"]
FIRST = ["Ana", "Björn", "Chloé", "Dmitri", "Emeka", "Fatima", "Giulia", "Hiro", "Ingrid", "Jamal",
         "Kavya", "Lars", "Mei", "Nadia", "Oren", "Priya", "Quentin", "Rosa", "Sipho", "Tomás",
         "Ulla", "Véronique", "Wen", "Ximena", "Yusuf", "Zofia", "Anne-Marie", "José", "Søren", "Łucja"]
LAST = ["Almeida", "Berg", "Costa", "Dubois", "Eze", "Fischer", "García", "Hansen", "Ivanova", "Jensen",
        "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Patel", "Quinn", "Rossi", "Schmidt",
        "Tanaka", "Ueda", "Vargas", "Weber", "Xu", "Yilmaz", "Zhang", "O'Neill", "Müller-Lüdenscheidt"]
KANJI = [("山田", "太郎"), ("佐藤", "花子"), ("鈴木", "一郎"), ("高橋", "美咲")]
TITLES = ["VP Data Platform", "Head of Analytics", "CFO", "Director of IT", "Data Engineer",
          "Chief Data Officer", "Analytics Manager", "Enterprise Architect"]
SENIORITY = ["Director", "vp", "C-level executive", "Manager", "practitioner", "ARCHITECT", ""]
COMPANY_WORDS = ["Northwind", "Harbor", "Aurora", "Cobalt", "Summit", "Meridian", "Juniper", "Atlas",
                 "Solstice", "Granite", "Lumen", "Evergreen"]
COMPANY_KINDS = ["Health", "Bank", "Retail", "Foods", "Logistics", "Energy", "Software", "Media"]
INDUSTRIES = ["Healthcare & Life Sciences", "Healthcare", "Financial Services", "FinServ", "Retail",
              "Public Sector", "Gov", "Software", "Telco", "Manufacturing"]
REGIONS = {"EMEA - UK": ["U.K.", "UK", "United Kingdom", ""], "EMEA - DE": ["Germany", "DE", ""],
           "EMEA - FR": ["France", ""], "NA - US": ["USA", "United States", "US", ""],
           "NA - CA": ["Canada", ""], "LATAM - BR": ["Brasil", "Brazil", ""],
           "APAC - SG": ["Singapore", ""], "APAC - IN": ["India", ""], "ANZ - AU": ["Australia", ""],
           "Japan": ["Japan", "JP", ""]}
PRODUCTS = ["Tessellate Analytics", "Tessellate Pipelines", "Tessellate Governance",
            "Tessellate Observability", "ai-assist", "Tessellate Embedded"]
OWNERS = ["Amara Okafor", "Ben Takeda", "Carla Mendes", "Dev Raman", "Élise Fontaine", "Grace Whitfield",
          "Hamish Kerr", "Priya Natarajan"]
WILLING = ["Reference call", "Case study", "webinar", "Event speaker", "Peer review"]
NOTES = ["Rolled out dashboards to every region in a quarter.",
         'Calls our support "the best in the business", and means it.',
         "Cut month-end close from 9 days to 4, with a small team.\nHappy to talk to other CFOs.",
         "Presented at our user group; great storyteller, very technical."]
DEFECTS = {"no name": ("First Name", ""), "no company": ("Account Name", ""),
           "unknown owner": ("Account Owner", "Pat Nobody"), "unknown product": ("Products", "Legacy Suite"),
           "bad date": ("Created Date", "next week"), "unknown industry": ("Industry", "Agriculture")}


def _date(rng: random.Random) -> str:
    day = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(1050))
    return rng.choice([day.isoformat(), day.strftime("%m/%d/%Y"), day.strftime("%d.%m.%Y"),
                       day.strftime("%Y-%m-%dT09:12:00.000Z")])


def _person(rng: random.Random, number: int) -> list[str]:
    first, last = (rng.choice(KANJI) if number % 97 == 0 else (rng.choice(FIRST), rng.choice(LAST)))
    region = rng.choice(list(REGIONS))
    company = f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_KINDS)} {number}"
    products = ";".join(rng.sample(PRODUCTS, rng.randint(1, 3)))
    return [f"003{number:015d}", first, f"{last}", rng.choice(TITLES), rng.choice(SENIORITY), company,
            rng.choice(INDUSTRIES), region, rng.choice(REGIONS[region]),
            products if number % 5 else products.replace(";", " ; "), rng.choice(OWNERS), _date(rng),
            rng.choice(NOTES), f"{fold_ascii(first)}.{fold_ascii(last)}@example.com",
            ";".join(rng.sample(WILLING, rng.randint(0, 3)))]


def fold_ascii(text: str) -> str:
    return "".join(c for c in text.lower() if c.isascii() and c.isalnum()) or "contact"


def make(path: Path, rows: int = 2000, seed: int = 12) -> dict[str, Any]:
    """Write the export (UTF-8 with a byte order mark, CRLF, as Salesforce and Excel write it).
    Row numbers are the spreadsheet's: the header is row 1."""
    rng = random.Random(seed)
    records: list[list[str]] = []
    bad: dict[int, str] = {}
    duplicates: dict[int, int] = {}
    for index in range(rows):
        number = index + 2
        if records and rng.random() < 0.03:
            first = rng.randrange(len(records))
            records.append(list(records[first]))
            duplicates[number] = duplicates.get(first + 2, first + 2)  # the row first holding the key
            continue
        row = _person(rng, index)
        if rng.random() < 0.04:
            reason = rng.choice(sorted(DEFECTS))
            column, value = DEFECTS[reason]
            row[HEADER.index(column)] = value
            if reason == "no name":
                row[HEADER.index("Last Name")] = ""
            bad[number] = reason
        records.append(row)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(HEADER)
        writer.writerows(records)
    good = [n for n in range(2, rows + 2) if n not in bad and n not in duplicates]
    return {"rows": rows, "bad_rows": bad, "duplicate_rows": duplicates, "good_rows": good}
