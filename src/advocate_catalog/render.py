"""Turn a validated catalog into HTML pages: Jinja templates, sanitised Markdown, page contexts."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import html
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
import nh3
import pycountry
from markupsafe import Markup

from . import channels, digest, exports, git, nominate, owners, report, reporters, search, theme
from .activity import AVAILABILITY_LABELS, Availability, ForActivity, availability, log
from .charts import Bar, bar_chart
from .coverage import coverage, matching
from .errors import InvalidData, Issue
from .freshness import check, edit_href, verification_state, verify_href
from .layers import default
from .load import read_regular
from .model import ASSET_LABELS, Advocate, Catalog, Config, current, sort_key
from .nominate import QUESTIONS, choices
from .recognition import owed as recognition_owed
from .recognition import recognitions
from .story import story_html

STATUS_LABELS = {"nominated": "Nominated", "active": "Active", "resting": "Resting",
                 "alumni": "Alumni", "inactive": "Inactive"}

# Facets in the order the site shows them: (search filter key, label, taxonomy list or fixed labels).
FACETS: list[tuple[str, str, str | dict[str, str]]] = [
    ("availability", "Availability", AVAILABILITY_LABELS),
    ("industry", "Industry", "industries"),
    ("region", "Region", "regions"),
    ("product", "Product", "products"),
    ("persona", "Persona", "personas"),
    ("function", "Function", "functions"),
    ("activity", "Willing to do", "activities"),
    ("status", "Status", STATUS_LABELS),
]


def rendered_story(advocate: Advocate) -> str:
    """The story's HTML as validation rendered it (once per file; kept in the build cache)."""
    return advocate.story_html or story_html(advocate.data["story"])


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return getattr(country, "common_name", None) or (country.name if country else code)


def language_name(code: str) -> str:
    language = pycountry.languages.get(alpha_2=code)
    return language.name if language else code


def long_date(value: str | dt.date) -> str:
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day} {day:%b %Y}"


def environment(templates: Path | list[Path]) -> jinja2.Environment:
    """Templates from the given folders, first match wins (the data repository's, then the defaults)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(long_date=long_date, country=country_name, language=language_name,
                       urlquote=lambda value: quote(str(value), safe=""))
    return env


# Template variables an earlier version gave its pages and this one does not, by the name an
# override written for it uses (`figures.x` for a key gone from a variable): what replaced it,
# and since when. The CHANGELOG's "Template variables" lists the same changes.
RENAMED_VARIABLES = {
    "request_href": "advocate.html receives request_links instead (the owner's request channels, "
                    "primary first, each {kind, href, label, goes_to}: the old link is "
                    "request_links[0].href) and asks, one per activity with its own links (0.2.0)",
    "function": "advocate.html reads the job function's label as card.function (0.2.0)",
    "booked": "owner.html no longer lists booked activities: an activity is logged once it took "
              "place, and open requests are behind requests_url (0.2.0)",
    "nominations": "owner.html no longer counts nominations (report owner does); "
                   "nominations_url links to the repository's nominations folder (0.2.0)",
    # nominate.html's `questions` became a mapping by key: the old default's loop, `{% for q in
    # questions %}`, now meets the keys (strings); `q.vocabulary` is the first thing it asks.
    "q.vocabulary": "nominate.html's questions is a mapping by question key now: loop over "
                    "questions.values() (0.2.0)",
    "figures.nominations_waiting": "the value page no longer counts nominations; report value "
                                   "prints them (0.2.0)",
    "figures.oldest_nomination_days": "the value page no longer counts nominations; report value "
                                      "prints them (0.2.0)",
}
UPGRADE_HINT = ("compare your override with the package default (advocate-catalog upgrade --check "
                "lists overrides whose default changed)")


def override_folders(env: jinja2.Environment) -> list[Path]:
    """The template folders of `env` that are not the package's: the data repository's."""
    loader = env.loader
    searchpath = loader.searchpath if isinstance(loader, jinja2.FileSystemLoader) else []
    packaged = default("templates").resolve()
    return [Path(folder) for folder in searchpath if Path(folder).resolve() != packaged]


def failing_template(error: jinja2.TemplateError) -> tuple[str, int] | None:
    """The template file and line an error was raised in: a syntax error names them; a runtime
    error's innermost template frame holds them. Jinja rewrites a rendered template's frames to
    the template's lines; a macro called from Python keeps its compiled ones, which the template
    translates."""
    if isinstance(error, jinja2.TemplateSyntaxError):
        return (error.filename, error.lineno) if error.filename else None
    found = None
    tb = error.__traceback__
    while tb is not None:
        template = tb.tb_frame.f_globals.get("__jinja_template__")
        name = tb.tb_frame.f_code.co_filename
        if template is not None and template.filename:
            found = template.filename, template.get_corresponding_lineno(tb.tb_lineno)
        elif not name.endswith(".py") and not name.startswith("<"):
            found = name, tb.tb_lineno
        tb = tb.tb_next
    return found


def _source_line(path: Path, number: int) -> str:
    try:
        lines = read_regular(path, 10_000_000).decode("utf-8", "replace").splitlines()
    except OSError:
        return ""
    return lines[number - 1] if 0 < number <= len(lines) else ""


def _explained(error: jinja2.TemplateError, line: str) -> tuple[str, str, str]:
    """What went wrong, how to fix it, and the word to point at, for an override's error."""
    what = " ".join(str(error.message if isinstance(error, jinja2.TemplateSyntaxError)
                        else error).split())
    if isinstance(error, jinja2.TemplateNotFound | jinja2.TemplatesNotFound):
        name = str(error.name)
        return (f"template '{name}' is not in this version",
                f"include, import or extend one that exists (docs/customizing.md); {UPGRADE_HINT}",
                name)
    if isinstance(error, jinja2.TemplateSyntaxError):  # a filter or test gone is one too
        quoted = re.search(r"'(\w+)'", what)
        return what.rstrip("."), f"fix the template; {UPGRADE_HINT}", quoted.group(1) if quoted else ""
    if not isinstance(error, jinja2.UndefinedError):
        return what, UPGRADE_HINT, ""
    if found := re.fullmatch(r"'(\w+)' is undefined", what):
        name = found.group(1)
    elif found := re.fullmatch(r"'[^']*TemplateReference object' has no attribute '(\w+)'", what):
        return (f"there is no block '{found.group(1)}' in this version",
                f"fill or call one of the blocks the templates define (docs/customizing.md); "
                f"{UPGRADE_HINT}", f"self.{found.group(1)}")
    elif found := re.fullmatch(r"'[^']*' has no attribute '(\w+)'", what):
        attribute = found.group(1)
        written = re.search(rf"(\w+(?:\.\w+)*)\.{attribute}\b", line)
        name = f"{written.group(1)}.{attribute}" if written else attribute
    else:
        return what, UPGRADE_HINT, ""
    instead = RENAMED_VARIABLES.get(name) or (
        f"{name.rpartition('.')[0]} has no such key" if "." in name else
        "this template does not receive it") + " (docs/customizing.md lists what each receives)"
    return f"'{name}' is undefined in this version", f"{instead}; {UPGRADE_HINT}", name


def override_issue(error: jinja2.TemplateError, folders: list[Path]) -> Issue | None:
    """The one-line issue for a template error raised in one of `folders` (a data repository's
    own templates, written for another version); None when it was raised elsewhere, in a package
    default: that is a bug in the tool."""
    where = failing_template(error)
    if where is None:
        return None
    path = Path(where[0])
    folder = next((f for f in folders if path.is_relative_to(f)), None)
    if folder is None:
        return None
    line = _source_line(path, where[1])
    message, hint, word = _explained(error, line)
    at = re.search(rf"(?<![\w.]){re.escape(word)}\b", line) if word else None
    shown = path.relative_to(folder.parent).as_posix()
    return Issue(shown, max(where[1], 1), at.start() + 1 if at else 1, "error", message, hint)


@contextlib.contextmanager
def overrides_blamed(env: jinja2.Environment) -> Iterator[None]:
    """A template error raised in the data repository's own template becomes InvalidData: bad
    data, one line naming the file and line. In a package default it stays what it is (a bug)."""
    try:
        yield
    except jinja2.TemplateError as error:
        issue = override_issue(error, override_folders(env))
        if issue is None:
            raise
        raise InvalidData([issue]) from error


def facet_values(advocate: Advocate, available: Availability) -> dict[str, list[str]]:
    """The search filter values of one advocate, keyed like FACETS."""
    data = advocate.data
    return {
        "availability": [available.state],
        "industry": [data["company"]["industry"]],
        "region": [data["company"]["region"]],
        "product": list(data["products"]),
        "persona": [data["persona"]],
        "function": [data["function"]] if data.get("function") else [],
        "activity": advocate.willing("yes"),
        "status": [advocate.status],
        # Availability for each activity said yes to, `state:activity`: with an activity ticked,
        # the search page asks this instead of `availability` (search.js, pagefindFilters).
        ASKABLE: [f"{a.state}:{a.activity}" for a in available.activities],
    }


ASKABLE = "askable"  # the hidden filter of availability per activity


def facets(config: Config, advocates: list[Advocate],
           states: dict[str, Availability]) -> list[dict[str, Any]]:
    """Facets with their values in taxonomy order, each with its count among `advocates`."""
    counts: dict[str, Counter[str]] = {key: Counter() for key, _, _ in FACETS}
    for advocate in advocates:
        for key, values in facet_values(advocate, states[advocate.id]).items():
            if key in counts:
                counts[key].update(values)
    result = []
    for key, label, vocabulary in FACETS:
        terms = (list(vocabulary.items()) if isinstance(vocabulary, dict)
                 else [(t.id, t.label) for t in config.vocabularies[vocabulary]])
        result.append({"key": key, "label": label,
                       "terms": [{"id": i, "label": lbl, "count": counts[key][i]}
                                  for i, lbl in terms if counts[key][i]]})
    return result


# Job titles as people say them: a search for "CTO" finds a "Chief Technology Officer", and back.
TITLE_ABBREVIATIONS = {
    "chief executive officer": "CEO", "chief financial officer": "CFO", "chief operating officer": "COO",
    "chief information officer": "CIO", "chief technology officer": "CTO", "chief data officer": "CDO",
    "chief digital officer": "CDO", "chief information security officer": "CISO",
    "chief security officer": "CSO", "chief marketing officer": "CMO", "chief revenue officer": "CRO",
    "chief people officer": "CPO", "chief product officer": "CPO", "vice president": "VP",
}


def title_aliases(title: str) -> list[str]:
    """The other way to say a title's role: its abbreviation, or what an abbreviation stands for."""
    folded = " ".join(title.casefold().replace(",", " ").split())
    found = []
    for words, short in TITLE_ABBREVIATIONS.items():
        if words in folded:
            found.append(short)
        elif re.search(rf"\b{short.casefold()}\b", folded):
            found.append(words)
    return list(dict.fromkeys(found))


def searchable_text(config: Config, advocate: Advocate) -> str:
    """The words a profile can be found by, as its page gives them to the index: name, title
    (and its abbreviation), company, labels, summary, the story as text, outcomes, quotes,
    details and material titles."""
    data, company = advocate.data, advocate.data["company"]
    story = html.unescape(nh3.clean(rendered_story(advocate), tags=set()))
    parts = [data["name"], data["title"], *title_aliases(data["title"]), company["name"],
             config.label("industries", company["industry"]), config.label("regions", company["region"]),
             config.label("functions", data.get("function", "")), summary_of(advocate),
             *(config.label("activities", a) for a in advocate.willing("yes")), story,
             *data.get("outcomes", []), *(quote["text"] for quote in data.get("quotes", [])),
             config.label("personas", data.get("persona", "")),
             config.label("company_sizes", company["size"]),
             country_name(data["company"]["country"]),
             *(config.label("products", p) for p in data["products"]), *data.get("use_cases", []),
             *(language_name(code) for code in data.get("languages", [])),
             *(asset["title"] for asset in data.get("assets", []))]
    return "\n".join(part for part in parts if part)


def shard_words(setting: Setting, advocates: list[Advocate],
                known: dict[str, tuple[str, search.ProfileWords]] | None = None,
                sources: dict[str, str] | None = None) -> str:
    """`search/<shard>/words.json`: the words of one shard's profiles and who of them cannot be
    asked for anything (see search.words). `known` holds each
    profile's part by the hash of its file in `sources` (advocate id -> hash), valid within one
    fingerprint; it is read and updated, so a caller can keep it for the next build."""
    config = setting.catalog.config
    table = search.synonyms(config)
    wanted = search.phrases_wanted(table)
    known = known if known is not None else {}
    parts = {}
    for advocate in advocates:
        source = (sources or {}).get(advocate.id, "")
        if not source or known.get(advocate.id, ("",))[0] != source:
            known[advocate.id] = (source, search.profile_words(searchable_text(config, advocate),
                                                               wanted))
        parts[advocate.id] = known[advocate.id][1]
    unaskable = [a.id for a in advocates if setting.states[a.id].state == "not-askable"]
    return search.words_of(parts, unaskable)


def summary_of(advocate: Advocate) -> str:
    """The card line: `summary`, else the story's first sentence."""
    if "summary" in advocate.data:
        return advocate.data["summary"]
    plain = html.unescape(nh3.clean(rendered_story(advocate), tags=set())).strip()
    first = plain.split(". ")[0].strip()
    return first if len(first) <= 200 else first[:197].rstrip() + "…"


FRESHNESS_LABELS = {"fresh": "Verified", "due-soon": "Verification due soon",
                    "stale": "Needs verification", "not-required": "Verified"}


def card(config: Config, advocate: Advocate, today: dt.date,
         available: Availability) -> dict[str, Any]:
    """What a result card shows; also the search metadata of the profile page."""
    data, company = advocate.data, advocate.data["company"]
    verification = verification_state(advocate, today, config)
    return {
        "available": available,
        "availability_text": availability_text(available),
        "id": advocate.id,
        "url": f"advocates/{advocate.id}/",
        "name": data["name"],
        "title": data["title"],
        "company": company["name"],
        "industry": config.label("industries", company["industry"]),
        "region": config.label("regions", company["region"]),
        "function": config.label("functions", data["function"]) if data.get("function") else "",
        "status": advocate.status,
        "status_label": STATUS_LABELS[advocate.status],
        "summary": summary_of(advocate),
        "willing": [config.label("activities", a) for a in advocate.willing("yes")],
        "activities": activity_states(config, available),
        "last_verified": data["last_verified"],
        "freshness": verification.state,
        "freshness_label": FRESHNESS_LABELS[verification.state],
        "verification": verification,
    }


def activity_states(config: Config, available: Availability) -> list[dict[str, str]]:
    """Each activity said yes to with whether it can be asked today: what the card and the
    profile say, and what the search page shows when that activity is ticked."""
    states = []
    for a in available.activities:
        text = availability_text(a)
        states.append({"id": a.activity, "label": config.label("activities", a.activity),
                       "state": a.state, "text": text, "note": text[:1].lower() + text[1:]})
    return states


def availability_text(available: Availability | ForActivity) -> str:
    """'Resting until 3 Jan 2027' / 'At limit until …' / 'Available': the badge's words."""
    if available.until:
        return f"{available.label} until {long_date(available.until)}"
    return available.label


def last_asked_text(available: Availability) -> str:
    if available.last_asked is None:
        return "Never asked yet"
    days = available.days_since_last
    ago = "today" if days == 0 else f"{days} day{'s' if days != 1 else ''} ago"
    return f"Last asked {ago} ({long_date(available.last_asked)})"


def with_defaults(data: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """The profile with every optional field present and expired material removed."""
    quotes = [{"expires_on": None, **quote} for quote in current(data.get("quotes", []), today)]
    assets = [{"published_on": None, "expires_on": None, **asset}
              for asset in current(data.get("assets", []), today)]
    return {"summary": None, "use_cases": [], "languages": [], "outcomes": [], **data,
            "quotes": quotes, "assets": assets}


def profile_context(config: Config, advocate: Advocate, today: dt.date,
                    available: Availability) -> dict[str, Any]:
    data = with_defaults(advocate.data, today)
    owner = config.owners[data["owner"]]
    willingness = [{"id": t.id, "label": t.label, "answer": data["willingness"][t.id]}
                   for t in config.vocabularies["activities"] if t.id in data["willingness"]]
    return {
        "card": card(config, advocate, today, available),
        "last_asked": last_asked_text(available),
        "limited": [{"label": config.label("activities", a), "until": until}
                    for a, until in available.limited],
        "activity": [{**entry, "type_label": config.label("activities", entry["type"])}
                     for entry in reversed(log(advocate)) if entry["day"] <= today],
        **recognition_context(config, advocate, today),
        "currency": config.currency,
        "advocate": data,
        "persona": config.label("personas", data["persona"]),
        "title_aliases": title_aliases(data["title"]),
        "size": config.label("company_sizes", data["company"]["size"]),
        "products": [{"id": p, "label": config.label("products", p)} for p in data["products"]],
        "story_html": rendered_story(advocate),
        "willingness": willingness,
        "assets": [{**asset, "type_label": ASSET_LABELS[asset["type"]]}
                   for asset in data["assets"]],
        "owner": owner,
        "asks": asks(config, advocate, available),
        "request_links": channels.links(config, advocate),
        "exception_links": (channels.links(config, advocate, available)
                            if available.exception_possible else []),
        "request_text": channels.message(advocate, owner),
        "edit_href": edit_href(config, advocate.path),
        "verify_href": verify_href(config, advocate.id, advocate.name),
        "filters": facet_values(advocate, available),
    }


def asks(config: Config, advocate: Advocate, available: Availability) -> list[dict[str, Any]]:
    """The profile's request box, one choice per activity the advocate has not said no to (yes
    first, then maybe): whether it can be asked today, and the links for it — an ordinary
    request only when it can, else the reason and, for a burnout limit, *Request anyway*."""
    answers = advocate.data["willingness"]
    chosen = [t for t in config.vocabularies["activities"] if answers.get(t.id) == "yes"]
    chosen += [t for t in config.vocabularies["activities"] if answers.get(t.id) == "maybe"]
    profile_url = f"{config.base_url.rstrip('/')}/advocates/{advocate.id}/" if config.base_url else ""
    found = []
    for term in chosen:
        state = available.for_activity(term.id)
        ask = channels.Ask(term.id, term.label, profile_url)
        found.append({
            "id": term.id, "label": term.label, "answer": answers[term.id], "state": state,
            "text": availability_text(state),
            "links": channels.links(config, advocate, ask=ask) if state.state == "available" else [],
            "exception_links": (channels.links(config, advocate, state, ask)
                                if state.exception_possible else []),
            "request_text": channels.message(advocate, config.owners[advocate.data["owner"]],
                                             None, ask),
        })
    return found


TIMELINE = 6  # recognitions a profile shows, newest first


def recognition_context(config: Config, advocate: Advocate, today: dt.date) -> dict[str, Any]:
    """The profile's recognition timeline, newest first, and the thank-yous still owed."""
    labels = {entry["date"]: config.label("activities", entry["type"]) for entry in log(advocate)}
    entries = [{"notes": "", "for_activity": "", **entry,
                "kind_label": config.label("recognition_kinds", entry["kind"]),
                "for_label": labels.get(entry.get("for_activity", ""), "")}
               for entry in reversed(recognitions(advocate)) if entry["day"] <= today]
    owed = [{"label": config.label("activities", item.activity["type"]), "date": item.activity["date"],
             "due": item.due, "overdue": item.overdue(today)}
            for item in recognition_owed(advocate, today, config)]
    return {"recognition": entries[:TIMELINE], "earlier": max(0, len(entries) - TIMELINE),
            "owed": owed}


def relative_root(page: str) -> str:
    """The relative path from a page's folder back to the site root ('' or '../../')."""
    return "../" * page.count("/")


def verification_groups(catalog: Catalog, listed: list[Advocate],
                        today: dt.date) -> list[dict[str, Any]]:
    """Listed profiles that are stale or due soon, grouped by owner, for the verification page."""
    shown = {a.id for a in listed}
    groups: dict[str, dict[str, Any]] = {}
    for finding in check(catalog, today):
        if finding.advocate_id in shown and finding.kind in ("stale", "due-soon"):
            owner = catalog.config.owners[finding.owner]
            groups.setdefault(owner.id, {"owner": owner, "findings": []})["findings"].append(finding)
    return list(groups.values())


def nomination_questions(config: Config) -> dict[str, Any]:
    """The nominate page's context: the questions the CLI and the issue form ask too (by key,
    with their choices), the countries it offers, and the rules nominate.js derives with."""
    lookup = nominate.country_lookup()
    countries = sorted(((country_name(code), code) for code in set(lookup.values())),
                       key=lambda pair: sort_key(pair[0]))
    owners = {o.id: {"name": o.name, "email": o.email} for o in config.owners.values()}
    rules = {"countries": lookup, "country_names": {code: name for name, code in countries},
             "regions": nominate.region_by_country(config),
             "personas": nominate.persona_rules(config), "owners": owners,
             "transliteration": nominate.TRANSLITERATION, "id_hash_digits": nominate.ID_HASH_DIGITS,
             "max_id": nominate.MAX_ID}
    questions = {question.key: {**question.__dict__, "choices": choices(config, question)
                                if question.vocabulary else []} for question in QUESTIONS}
    return {"questions": questions, "countries": countries, "rules": rules}


def nomination_names(listed: list[Advocate]) -> str:
    """`nominate/names.json`: whom the nominate form warns about — listed advocates by name,
    company and page, as the site shows them, and no one else in any form: even a short hash of
    a hidden name lets someone guessing names confirm who is in the catalog. Hidden duplicates
    are caught when the nomination is reviewed (`validate` sees every file)."""
    return json.dumps({"listed": [{"name": a.name, "company": a.data["company"]["name"],
                                   "url": f"advocates/{a.id}/"} for a in listed]},
                      ensure_ascii=False)


def coverage_context(catalog: Catalog, listed: list[Advocate],
                     today: dt.date | None = None) -> dict[str, Any]:
    """The coverage page, counted among the advocates the site lists only. `listed` passed the
    consent check on the build day already; `today`, that day, checks it again when given.
    `search_hrefs`: each target's search of whom it counts (None when no search can show them)."""
    from .coverage import searches

    rows = coverage(listed, catalog.targets, today or dt.date.min)
    chart = bar_chart("coverage-chart", "Active, willing advocates against targets",
                      "Each bar is the number of active advocates willing for the target's "
                      "activity, or for at least one; the line is the target. Gaps come first.",
                      [Bar(r.target.label, r.count, r.target.minimum) for r in rows])
    return {"rows": rows, "chart": chart, "gaps": sum(1 for r in rows if r.gap),
            "search_hrefs": searches([r.target for r in rows], listed,
                                     catalog.config.ids("activities"))}


VALUE_CSV = "value/activities.csv"  # the activity log behind the value page, for Excel
# The value page's breakdowns of deals: (figures key, what a row is, its heading).
VALUE_BREAKDOWNS = (("by_region", "Region", "Opportunities by region"),
                    ("by_industry", "Industry", "Opportunities by industry"),
                    ("by_product", "Product", "Opportunities by product"))


def value_charts(figures: dict[str, Any]) -> dict[str, Markup]:
    """The value page's charts, from the same figures its tables show. Amounts are drawn in
    thousands (a chart prints its numbers short); the tables give them in full."""
    money = figures["currency"]

    def thousands(amount: float) -> float:
        return round(amount / 1000, 1)

    charts = {
        "per_quarter": bar_chart("quarter-chart", "Activities per quarter",
                                 "Advocate activities logged in each quarter shown.",
                                 [Bar(q, n) for q, n in figures["per_quarter"]]),
        "by_type": bar_chart("type-chart", "Activities by type",
                             "Activities of listed advocates, by activity type.",
                             [Bar(t, n) for t, n in figures["by_type"]]),
        "by_team": bar_chart("team-chart", "Activities by requesting team",
                             "Activities of listed advocates, by the team that asked.",
                             [Bar(t, n) for t, n in figures["by_team"]]),
        "revenue": bar_chart("revenue-chart",
                             f"Influenced and won revenue per quarter, thousands of {money}",
                             "For each quarter, the amount of the opportunities influenced, then of "
                             "those won, each counted in the quarter of its latest word.",
                             [bar for q in figures["quarters"]
                              for bar in (Bar(f"{q['quarter']} influenced", thousands(q["influenced"])),
                                          Bar(f"{q['quarter']} won", thousands(q["won"])))]),
    }
    for key, row_name, heading in VALUE_BREAKDOWNS:
        charts[key] = bar_chart(f"{key.replace('_', '-')}-chart",
                                f"Influenced revenue by {row_name.lower()}, thousands of {money}",
                                f"{heading}: the amount of the opportunities influenced.",
                                [Bar(row["label"], thousands(row["influenced"]))
                                 for row in figures[key]])
    return charts


def value_context(catalog: Catalog, today: dt.date) -> dict[str, Any]:
    """The value page: the last four quarters side by side and their total, the figures
    `report value` prints, and the link to the activity log behind them."""
    figures = report.value(catalog, today)
    return {"figures": figures, "charts": value_charts(figures), "breakdowns": VALUE_BREAKDOWNS,
            "csv": VALUE_CSV}


@dataclass
class Setting:
    """What every page of one build shares: templates, the day, the listed advocates."""

    catalog: Catalog
    env: jinja2.Environment
    today: dt.date
    listed: list[Advocate]
    states: dict[str, Availability]
    site: dict[str, Any]

    def page(self, path: str, template: str, **context: Any) -> tuple[str, str]:
        with overrides_blamed(self.env):
            page = self.env.get_template(template).render(site=self.site, root=relative_root(path),
                                                          **context)
        return path, page


def setting(catalog: Catalog, templates: Path | list[Path], today: dt.date) -> Setting:
    config = catalog.config
    listed = sorted(catalog.listed(today), key=lambda a: sort_key(a.name))
    states = {a.id: availability(a, today, config.limits) for a in listed}
    site = {"title": config.title, "company": config.company, "noindex": config.noindex,
            "today": today, "theme": theme.context(config.theme)}
    return Setting(catalog, environment(templates), today, listed, states, site)


def profile_page(setting: Setting, advocate: Advocate) -> tuple[str, str]:
    """One advocate's page: it depends on that profile, the config and the day, nothing else."""
    return setting.page(f"advocates/{advocate.id}/index.html", "advocate.html",
                        **profile_context(setting.catalog.config, advocate, setting.today,
                                          setting.states[advocate.id]))


def card_file(setting: Setting, advocate: Advocate) -> tuple[str, str]:
    """`advocates/<id>/card.json`: the result card as `_card.html` renders it for the search page
    (links relative to the site root). The search script places it as it is: the card's markup
    exists once, in the template."""
    config, today = setting.catalog.config, setting.today
    with overrides_blamed(setting.env):
        macro = getattr(setting.env.get_template("_card.html").module, "card")  # noqa: B009 - a template macro
        markup = str(macro(card(config, advocate, today, setting.states[advocate.id]), ""))
    return f"advocates/{advocate.id}/card.json", json.dumps({"html": markup.strip()}, ensure_ascii=False)


# "Available first": who can be asked now, then who can be asked soonest.
AVAILABILITY_ORDER = ("available", "resting", "at-limit", "not-askable")


# The cards the search page shows before "Show more" (PAGE_SIZE in search.js): its first screen,
# with nothing asked, is in the page itself.
FIRST_CARDS = 20


def available_first(listed: list[Advocate], states: dict[str, Availability]) -> list[Advocate]:
    """Who can be asked now, then who can be asked soonest (ties keep the order of `listed`)."""
    return sorted(listed, key=lambda a: (AVAILABILITY_ORDER.index(states[a.id].state),
                                          states[a.id].until or dt.date.min))


def sort_orders(setting: Setting) -> dict[str, list[str]]:
    """Listed advocate ids in each order the search page offers (ties keep name order)."""
    listed, states = setting.listed, setting.states
    by_verified = sorted(listed, key=lambda a: (a.data["last_verified"], a.id), reverse=True)
    by_available = available_first(listed, states)
    # Least recently asked: never asked first, then the longest ago.
    by_asked = sorted(listed, key=lambda a: (states[a.id].last_asked is not None,
                                              states[a.id].last_asked or dt.date.min))
    return {"name": [a.id for a in listed], "verified": [a.id for a in by_verified],
            "available": [a.id for a in by_available], "asked": [a.id for a in by_asked]}


def askable_ids(setting: Setting) -> dict[str, set[str]]:
    """For each activity, the listed advocates who can be asked for it today."""
    found: dict[str, set[str]] = {}
    for advocate in setting.listed:
        for activity in setting.states[advocate.id].ready:
            found.setdefault(activity, set()).add(advocate.id)
    return found


# Finished weeks the site keeps a digest page of: each costs a pass over the catalog in every
# build (~0.2 s at 10,000 profiles); older digests live where they were posted and in
# `report digest`.
DIGEST_WEEKS = 4


# A page to render: (path in the site, template, context).
PageSpec = tuple[str, str, dict[str, Any]]


def digest_pages(setting: Setting) -> tuple[list[dict[str, Any]], list[PageSpec]]:
    """The last finished weeks, newest first (for What's new and the feed), and a page for each
    (`digest/2026-W47/`) with their index."""
    weeks = []
    pages: list[PageSpec] = []
    matches = matching(setting.catalog.advocates, setting.catalog.targets)
    for n, period in enumerate(digest.last_weeks(setting.today, DIGEST_WEEKS)):
        found = digest.digest(setting.catalog, period, setting.today, matches,
                              count_available=n == 0)
        path = f"digest/{period.week}/index.html"
        intro = reporters.digest_intro(found)
        pages.append((path, "digest.html", {
            "title": period.title, "intro": intro, "heading": reporters.digest_heading(found),
            "sections": reporters.digest_sections(found, relative_root(path))}))
        weeks.append({"id": period.week, "title": period.title, "summary": intro,
                      "published": period.until + dt.timedelta(days=1),
                      "url": f"digest/{period.week}/"})
    pages.append(("digest/index.html", "digest_index.html", {"weeks": weeks}))
    return weeks, pages


def owner_pages(setting: Setting) -> list[PageSpec]:
    """`owners/<id>/` for every owner in catalog.yaml, and `owners/` listing them."""
    catalog, today = setting.catalog, setting.today
    summary = []
    pages: list[PageSpec] = []
    for owner_id in catalog.config.owners:
        found = owners.rows(owners.agenda(catalog, owner_id, today, setting.listed), catalog, today)
        pages.append((f"{owners.page_url(owner_id)}index.html", "owner.html", found))
        summary.append({**found["owner"], "advocates": len(found["advocates"]),
                        "attention": len(found["attention"]), "thanks": len(found["thanks"])})
    summary.sort(key=lambda row: sort_key(str(row["name"])))
    pages.append(("owners/index.html", "owners.html", {"owners": summary}))
    return pages


def digest_document(templates: Path | list[Path], found: dict[str, Any]) -> str:
    """`report digest --format html`: a page of its own, links to the site's base_url."""
    env = environment(templates)
    with overrides_blamed(env):
        return env.get_template("digest_document.html").render(
            heading=reporters.digest_heading(found), intro=reporters.digest_intro(found),
            sections=reporters.digest_sections(found))

NEWS_LIMIT = 50  # profiles on What's new and in the feed


def whats_new(setting: Setting, root: Path) -> tuple[list[tuple[dt.date, Advocate]], dict[str, Any]]:
    """What's new and the feed: listed profiles by their last change in substance (git.py says
    what that is), newest first, ties by name; and which of them are new in the period the page
    names, from the Monday of the oldest digest it links to until the build day.

    New: listed for the first time in that period, by git history (a profile promoted as
    `nominated` is new when it becomes listed, not when its file appeared). Where git cannot
    tell (no history: outside git, a shallow clone, a file not committed), by the digest's rule:
    consent given in the period.
    """
    catalog, today, listed = setting.catalog, setting.today, setting.listed
    since = digest.last_weeks(today, DIGEST_WEEKS)[-1].since

    def was_listed(data: dict[str, Any], day: dt.date) -> bool:
        """A version of a file as the site would have listed it on `day`: the catalog's rule."""
        version = Advocate(id=str(data.get("id", "")), path="", data=data)
        return bool(Catalog(catalog.config, [version]).listed(day))

    by_path = {a.path: a for a in listed}
    news = git.latest_changes(root, [git.Profile(a.path, sort_key(a.name), a.last_verified, a.data)
                                     for a in listed], today, since, was_listed, NEWS_LIMIT)
    new = {}
    for item in news.items:
        advocate = by_path[item.path]
        if item.known and item.listed_on:
            new[advocate.id] = item.listed_on
        elif not item.known and since <= digest._consented_on(advocate) <= today:
            new[advocate.id] = digest._consented_on(advocate)
    return ([(item.day, by_path[item.path]) for item in news.items],
            {"new": new, "new_since": since, "history": news.history,
             "by_verification": {by_path[item.path].id for item in news.items if not item.from_git}})


def collection_pages(setting: Setting, root: Path, shards: int = 1,
                     previous: dict[str, str] | None = None,
                     digests: dict[str, str] | None = None,
                     rendered: dict[str, tuple[str, str]] | None = None,
                     exported: dict[str, tuple[str, str, str]] | None = None,
                     sources: dict[str, str] | None = None,
                     activity_lines: dict[str, tuple[str, dict[str, str]]] | None = None
                     ) -> Iterator[tuple[str, str]]:
    """Every file that lists or counts many advocates: search, browse, reports, exports, feed,
    as (path, text), each made when asked for: at 10,000 profiles they come to ~140 MB.

    A browse page depends only on the cards it lists. With `digests`, each browse page's digest
    of those cards is recorded there, and a page whose digest is the one in `previous` (the last
    build's) is not rendered again: the caller keeps the page it has. `rendered` holds each
    card's HTML by digest; it is read and updated, so a caller can keep it for the next build.
    `exported` does the same for each profile's part of the exports, keyed by the hash of its
    file in `sources` (advocate id -> hash): valid only within one fingerprint (config, day);
    `activity_lines` for its lines of value/activities.csv, by activity entry.
    """
    env, catalog, today, listed, states = (setting.env, setting.catalog, setting.today,
                                           setting.listed, setting.states)
    config = catalog.config
    page = setting.page
    facet_list = facets(config, listed, states)
    labels = {facet["key"]: {v["id"]: v["label"] for v in facet["terms"]} for facet in facet_list}

    with overrides_blamed(env):
        card_macro = getattr(env.get_template("_card.html").module, "card")  # noqa: B009 - a template macro
    rendered = rendered if rendered is not None else {}
    card_digest: dict[str, str] = {}

    def card_html(c: dict[str, Any], root: str) -> Markup:
        """A card renders once, however many list pages show it; its one link, to the profile,
        gets each page's way back to the site root (data is escaped: it holds no `href="`)."""
        digest = card_digest[c["id"]]
        if rendered.get(c["id"], ("",))[0] != digest:
            rendered[c["id"]] = (digest, str(card_macro(c, "")))
        link = f'href="{c["url"]}"'
        return Markup(rendered[c["id"]][1].replace(link, f'href="{root}{c["url"]}"', 1))

    env.globals["card_html"] = card_html
    cards = [card(config, a, today, states[a.id]) for a in listed]
    by_id = {c["id"]: c for c in cards}
    latest, news_context = whats_new(setting, root)
    exported = exported if exported is not None else {}
    activity_lines = activity_lines if activity_lines is not None else {}
    for a in listed:
        source = (sources or {}).get(a.id, "")
        if not source or exported.get(a.id, ("",))[0] != source:
            record = exports.record(config, a, states[a.id], today)
            exported[a.id] = (source, exports.json_entry(record), exports.csv_line(record))
    members: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for advocate, advocate_card in zip(listed, cards, strict=True):
        for key, values in facet_values(advocate, states[advocate.id]).items():
            for value in values:
                members.setdefault((key, value), []).append(advocate_card)
    previous, digests = previous or {}, digests if digests is not None else {}
    card_digest.update((c["id"], hashlib.blake2b(repr(c).encode(), digest_size=12).hexdigest())
                       for c in cards)
    yield page("browse/index.html", "browse_index.html", facets=facet_list)
    for facet in facet_list:
        for term in facet["terms"]:
            path = f"browse/{facet['key']}/{term['id']}/index.html"
            listed_here = members[(facet["key"], term["id"])]
            digests[path] = hashlib.blake2b(repr((facet["label"], term, [
                card_digest[c["id"]] for c in listed_here])).encode(), digest_size=12).hexdigest()
            if previous.get(path) != digests[path]:
                yield page(path, "browse.html", facet=facet, term=term, cards=listed_here)
    first_cards = [by_id[a.id] for a in available_first(listed, states)[:FIRST_CARDS]]
    yield page("index.html", "index.html", facets=facet_list, total=len(listed), labels=labels,
               shards=shards, first_cards=first_cards)
    yield page("advocates/index.html", "all.html", cards=cards)
    yield page("nominate/index.html", "nominate.html", **nomination_questions(config),
               repository_url=config.repository_url, branch=config.branch)
    yield "nominate/names.json", nomination_names(listed)
    yield page("coverage/index.html", "coverage.html", **coverage_context(catalog, listed, today))
    yield page("value/index.html", "value.html", **value_context(catalog, today))
    lines = []
    for advocate, entry in report.published_activity(catalog, today):
        source = (sources or {}).get(advocate.id, "")
        kept = activity_lines.get(advocate.id)
        if not source or kept is None or kept[0] != source:
            kept = activity_lines[advocate.id] = (source, {})
        index = str(entry["index"])
        if index not in kept[1]:
            kept[1][index] = exports.activity_line(
                exports.activity_rows(config, [(advocate, entry)])[0])
        lines.append(kept[1][index])
    yield VALUE_CSV, exports.activities_document(lines)
    weeks, digest_specs = digest_pages(setting)
    yield page("whats-new/index.html", "whats_new.html",
               items=[(day, by_id[a.id]) for day, a in latest], weeks=weeks[:4], **news_context)
    for path, template, context in [*digest_specs, *owner_pages(setting)]:
        # Like a browse page: rendered again only when what it shows changed.
        digests[path] = hashlib.blake2b(repr(context).encode(), digest_size=12).hexdigest()
        if previous.get(path) != digests[path]:
            yield page(path, template, **context)
    groups = verification_groups(catalog, listed, today)
    due = [finding for group in groups for finding in group["findings"]]  # rows with links
    yield page("verification/index.html", "verification.html",
               groups=groups, stale_after_days=config.stale_after_days, warn_days=config.warn_days,
               edit_hrefs={f.advocate_id: edit_href(config, f.path) for f in due},
               verify_hrefs={f.advocate_id: verify_href(config, f.advocate_id, f.name) for f in due})
    yield "advocates.json", exports.json_document([exported[a.id][1] for a in listed], today)
    yield "advocates.csv", exports.csv_document([exported[a.id][2] for a in listed])
    yield "feed.xml", exports.atom(config, latest, today, weeks)


def render_site(catalog: Catalog, templates: Path, today: dt.date,
                root: Path | None = None) -> dict[str, str]:
    """Every file the site renders, {path inside the site: text}: pages, exports, the feed."""
    chosen = setting(catalog, templates, today)
    pages = dict(collection_pages(chosen, root or templates.parent))
    pages.update(profile_page(chosen, advocate) for advocate in chosen.listed)
    return pages
