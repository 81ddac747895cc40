#!/usr/bin/env python3
"""Generate a catalog of N valid, fictional advocates (and nominations) for benchmarks.

Deterministic: the same --seed and N give byte-identical files. The vocabulary, schemas and
templates are copied from this repository, so the output is a complete catalog folder.

    python bench/generate.py 10000 /tmp/catalog-10k
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from advocate_catalog.load import to_yaml  # noqa: E402
from advocate_catalog.validate import load_config  # noqa: E402

AS_OF = dt.date(2026, 11, 23)
FIRST = ["Ada", "Bilal", "Chiara", "Dmitri", "Efua", "Farah", "Gustav", "Hana", "Ines", "Jonas",
         "Kavya", "Luca", "Maren", "Nadia", "Oskar", "Priya", "Quentin", "Rosa", "Samir", "Tove",
         "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zara", "Aiko", "Bruno", "Camila", "Dawit"]
LAST = ["Abara", "Berglund", "Castellano", "Dunmore", "Eklund", "Ferreira", "Gallagher", "Haddad",
        "Ishikawa", "Jovanović", "Kowalczyk", "Lindqvist", "Moreau", "Nakagawa", "Okonkwo",
        "Petrov", "Quintero", "Rahman", "Sandoval", "Takahashi", "Umarov", "Varga", "Whitcombe",
        "Xu", "Yilmaz", "Zielinski", "Achterberg", "Brannigan", "Coutinho", "Delacroix"]
COMPANY_A = ["Harbor", "Summit", "Cedar", "Lumen", "Granite", "Meridian", "Aurora", "Juniper",
             "Northgate", "Riverside", "Saltmarsh", "Copperleaf", "Bluewater", "Ironwood"]
COMPANY_B = ["Health", "Capital", "Foods", "Logistics", "Energy", "Media", "Telecom", "Systems",
             "Manufacturing", "Retail Group", "University", "Transit", "Insurance", "Labs"]
TITLES = {"c-level": ["Chief Data Officer", "CIO", "CTO"], "vp": ["VP of Data", "VP Engineering"],
          "director": ["Director of Analytics", "Director of Platform"],
          "manager": ["Data Platform Manager", "BI Manager"],
          "architect": ["Principal Data Architect", "Enterprise Architect"],
          "practitioner": ["Senior Data Engineer", "Analytics Engineer"]}
OPENINGS = ["Before the project, {company} ran its {domain} reports on nightly extracts nobody trusted.",
            "{name} joined {company} to untangle a {domain} data estate built by four different teams.",
            "At {company}, each {domain} review began with an argument about whose numbers were right.",
            "{company} had grown by acquisition, and each unit kept its own copy of the {domain} data.",
            "When {name} arrived, the {domain} team waited three days for every new question to be answered."]
MIDDLES = ["The team moved {count} {asset} onto {product} in {months} months, one domain at a time.",
           "They started with the {count} {asset} the executive team opened every morning.",
           "{practice} came first, because the {domain} figures fed the regulator's returns.",
           "Freshness checks on each source meant a late {domain} feed paged someone first.",
           "Analysts stopped exporting {domain} data to spreadsheets once shared models answered them.",
           "{name} ran fortnightly reviews with the business to decide which {asset} to migrate next.",
           "The old {legacy} was switched off after {months} months of running both in parallel.",
           "Costs fell by {count} thousand a year as idle clusters shut down and duplicated jobs merged.",
           "Field teams now see the same {domain} figures on their phones as the board sees in the pack.",
           "{practice} turned out to matter more than any single tool choice.",
           "The biggest surprise was how much {practice} reduced the number of support tickets.",
           "A pilot on {domain} proved the approach before the wider rollout.",
           "Engineers replaced {count} hand-written {legacy} jobs with declarative definitions.",
           "The {domain} team now ships a change in hours instead of weeks."]
ENDINGS = ["Today {company} closes its books {count} hours faster and trusts what it sees.",
           "{name} now speaks about the journey to peers who face the same mess.",
           "The result: fewer meetings about numbers, more about decisions.",
           "Next on the list is {practice} for the {domain} data."]
DOMAINS = ["claims", "inventory", "clickstream", "ledger", "telemetry", "payroll", "loyalty", "fraud",
           "supply chain", "patient flow", "churn", "pricing", "forecasting", "fleet routing",
           "maintenance", "underwriting", "subscription", "energy trading", "grid", "campaign",
           "admissions", "procurement", "warranty", "freight", "donor", "crop yield", "ticketing",
           "tax", "treasury", "recruiting", "store operations", "call centre", "parcel tracking"]
ASSETS = ["pipelines", "dashboards", "reports", "data marts", "notebooks", "models", "extracts",
          "feeds", "scorecards", "forecasts", "APIs", "workbooks"]
PRACTICES = ["Governance", "Lineage tracking", "Data contracts", "Observability", "Anomaly detection",
             "A semantic layer", "Change data capture", "Access reviews", "Cost monitoring",
             "Automated testing", "A feature store", "Master data management", "Retention rules"]
LEGACY = ["scheduler", "mainframe batch", "cron server", "ETL appliance", "warehouse appliance",
          "shell-script estate", "spreadsheet macro", "on-premise cube"]


def story(rng: random.Random, words: int, **facts: object) -> str:
    """A Markdown story of about `words` words, in paragraphs. Each advocate has a few topics of
    their own, so words spread over profiles as in a real catalog: common, rare and unique ones."""
    topics = {"domain": rng.sample(DOMAINS, 2), "asset": rng.sample(ASSETS, 2),
              "practice": rng.sample(PRACTICES, 2), "legacy": rng.sample(LEGACY, 1)}

    def fill(template: str, count: int) -> str:
        chosen = {key: rng.choice(values) for key, values in topics.items()}
        text = template.format(**facts, **chosen, count=count, months=rng.randint(2, 18))
        return text[0].upper() + text[1:]

    sentences = [fill(rng.choice(OPENINGS), 0)]
    while sum(len(s.split()) for s in sentences) < words:
        sentences.append(fill(rng.choice(MIDDLES), rng.randint(3, 400)))
    sentences.append(fill(rng.choice(ENDINGS), rng.randint(2, 72)))
    paragraphs = [" ".join(sentences[i:i + 5]) for i in range(0, len(sentences), 5)]
    return "\n\n".join(paragraphs) + "\n"


def weighted(rng: random.Random, ids: list[str]) -> str:
    """Realistic skew: the first values of a vocabulary are the most common."""
    return rng.choices(ids, weights=[1 / (i + 1) for i in range(len(ids))])[0]


def advocate(rng: random.Random, n: int, config) -> dict:
    # A middle initial for most: 30 x 30 names alone would make every tenth person a namesake.
    initial = rng.choice("ABCDEFGHJKLMNPRSTVW") + ". " if rng.random() < 0.9 else ""
    name = f"{rng.choice(FIRST)} {initial}{rng.choice(LAST)}"
    persona = weighted(rng, config.ids("personas"))
    company = f"{rng.choice(COMPANY_A)} {rng.choice(COMPANY_B)} {n}"
    products = rng.sample(config.ids("products"), rng.randint(1, 3))
    activities = config.ids("activities")
    status = rng.choices(["active", "resting", "alumni", "inactive", "nominated"],
                         weights=[75, 8, 8, 4, 5])[0]
    verified = AS_OF - dt.timedelta(days=rng.randint(1, 240))
    data = {
        "id": f"advocate-{n:06d}", "name": name, "title": rng.choice(TITLES[persona]),
        "persona": persona,
        "company": {"name": company, "industry": weighted(rng, config.ids("industries")),
                    "size": rng.choice(config.ids("company_sizes")),
                    "region": weighted(rng, config.ids("regions")), "country": "US"},
        "summary": f"Moved {rng.randint(3, 400)} {rng.choice(ASSETS)} onto one platform at {company}.",
        "products": products, "use_cases": ["reporting", "data quality"], "languages": ["en"],
        "story": story(rng, rng.randint(300, 1500), name=name.split()[0], company=company,
                       product=rng.choice(products)),
        "outcomes": [f"Reporting time cut by {rng.randint(10, 80)}%"],
        "quotes": [{"text": "It changed how we plan.", "approved_on": "2026-01-15"}],
        "willingness": {a: rng.choice(["yes", "yes", "maybe", "no"])
                        for a in rng.sample(activities, rng.randint(3, 8))},
        "owner": rng.choice(list(config.owners)), "status": status,
        "consent": {"given_on": "2025-06-01", "scope": ["internal-catalog", "quotes"]},
        "last_verified": verified.isoformat(),
    }
    log = []
    day = AS_OF - dt.timedelta(days=rng.randint(200, 700))
    while True:  # spaced a season apart: within every limit
        day += dt.timedelta(days=rng.randint(100, 200))
        if day > AS_OF:
            break
        log.append({"date": day.isoformat(), "type": rng.choice(["webinar", "review", "beta"]),
                    "requested_by": "Field Events", "opportunity": f"Account {rng.randint(1, 900)}",
                    "amount": rng.choice([50000, 120000, 400000]), "outcome": "won"})
    if log:
        data["activity"] = log
    return data


def generate(count: int, target: Path, seed: int = 7, nominations: int | None = None) -> Path:
    """Write a complete catalog with `count` advocates into `target` (replacing it)."""
    config = load_config(ROOT)[0]
    rng = random.Random(seed)
    if target.exists():
        shutil.rmtree(target)
    for folder in ("advocates", "nominations"):
        (target / folder).mkdir(parents=True)
    for name in ("catalog.yaml", "targets.yaml"):
        shutil.copy(ROOT / name, target / name)
    for folder in ("schemas", "templates"):
        shutil.copytree(ROOT / folder, target / folder)
    for n in range(count):
        data = advocate(rng, n, config)
        (target / "advocates" / f"{data['id']}.yaml").write_text(to_yaml(data), encoding="utf-8")
    for n in range(nominations if nominations is not None else max(1, count // 50)):
        nominee = {"id": f"nominee-{n:05d}", "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                   "title": "Head of Data",
                   "company": {"name": f"Prospect {n}", "industry": "retail", "size": "small",
                               "region": "emea", "country": "DE"},
                   "products": ["analytics"], "nominated_by": "bench@tessellate.example",
                   "nominated_on": "2026-11-01", "owner": rng.choice(list(config.owners)),
                   "reason": "Strong results and keen to share them."}
        (target / "nominations" / f"{nominee['id']}.yaml").write_text(to_yaml(nominee))
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("target", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    generate(args.count, args.target, args.seed)
    print(f"wrote {args.count} advocates to {args.target}")


if __name__ == "__main__":
    main()
