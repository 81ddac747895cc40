"""A nomination's life: written from answers, then promoted into an advocate profile with its history."""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import git
from .activity import limit_issues
from .errors import CatalogError, InvalidData, Issue
from .load import parse, read, to_yaml
from .model import Advocate, Config
from .validate import check_document, compile_schemas, load_config

# Field order of a written nomination and of a promoted profile: the order people read them in.
NOMINATION_ORDER = ("id", "name", "title", "persona", "function", "company", "products", "nominated_by",
                    "nominated_on", "owner", "reason", "story", "outcomes", "willingness", "not_same_as",
                    "private")
ADVOCATE_ORDER = ("id", "name", "title", "persona", "function", "company", "products", "story", "outcomes",
                  "willingness", "owner", "status", "last_verified", "nomination", "not_same_as", "private")


@dataclass(frozen=True)
class Question:
    """One thing a nominator is asked, wherever they nominate: CLI, issue form, site form."""

    key: str
    label: str
    vocabulary: str | None = None  # a taxonomy list, or "owners"
    required: bool = True
    multiple: bool = False
    long: bool = False
    help: str = ""


QUESTIONS = (
    Question("name", "Full name of the customer", help="As they like it written."),
    Question("title", "Their job title"),
    Question("persona", "Persona", "personas"),
    Question("function", "Job function", "functions", required=False),
    Question("company", "Company name"),
    Question("industry", "Industry", "industries"),
    Question("size", "Company size", "company_sizes"),
    Question("region", "Region", "regions"),
    Question("country", "Country code", help="ISO 3166-1 alpha-2, e.g. NO, DE, US."),
    Question("products", "Products they use", "products", multiple=True),
    Question("owner", "Owner who will hold the relationship", "owners"),
    Question("reason", "Why would they make a good advocate?", long=True,
             help="Their results, their enthusiasm, what they could speak to."),
    Question("story", "Their story so far (optional)", required=False, long=True,
             help="Markdown welcome: the challenge, what they did, the results."),
)
COMPANY_KEYS = ("company", "industry", "size", "region", "country")


def choices(config: Config, question: Question) -> list[tuple[str, str]]:
    """(id, label) pairs a question offers, in the configured order."""
    if question.vocabulary == "owners":
        return [(o.id, o.name) for o in config.owners.values()]
    return [(t.id, t.label) for t in config.vocabularies[question.vocabulary or ""]]


def nomination_from_answers(answers: dict[str, Any]) -> dict[str, Any]:
    """Flat answers (as asked) → nomination data (company nested, products a list)."""
    data = {key: value for key, value in answers.items() if key not in COMPANY_KEYS}
    data["company"] = {"name": answers.get("company"), "industry": answers.get("industry"),
                       "size": answers.get("size"), "region": answers.get("region"),
                       "country": str(answers.get("country") or "").strip().upper()}
    if isinstance(data.get("products"), str):
        data["products"] = [p.strip() for p in data["products"].split(",") if p.strip()]
    if isinstance(data.get("story"), str) and data["story"].strip():
        # Lines ending in one line break: written `story: |` as the site's form and the sample
        # profiles write it, even when it is one line.
        data["story"] = data["story"].rstrip() + "\n"
    return data


def _letters(first: str, spellings: str) -> dict[str, str]:
    """Consecutive letters from the one named `first`, each spelled as the next word ('-': none)."""
    start = ord(unicodedata.lookup(first))
    return {chr(start + i): "" if spelling == "-" else spelling
            for i, spelling in enumerate(spellings.split())}


# Letters the id rule spells in Latin; Unicode's decomposition folds the rest. Cyrillic as in
# passports (ICAO 9303), Greek after ELOT 743 with one of its digraphs (omicron-upsilon as "ou",
# the ending of many surnames): small and predictable. nominate.js receives this table from the
# page and applies it the same way (longest key first), so both sides spell a name alike.
TRANSLITERATION = {
    "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "\u0131": "i",
    **_letters("CYRILLIC SMALL LETTER A", "a b v g d e zh z i i k l m n o p r s t u f kh ts ch sh "
                                          "shch ie y - e iu ia"),
    **_letters("CYRILLIC SMALL LETTER IE WITH GRAVE", "e e d g ie dz i i j lj nj c k i u dz"),
    unicodedata.lookup("CYRILLIC SMALL LETTER GHE WITH UPTURN"): "g",
    **_letters("GREEK SMALL LETTER ALPHA", "a v g d e z i th i k l m n x o p r s s t y f ch ps o"),
    "\u03bf\u03c5": "ou",
}
_TRANSLITERATE = re.compile("|".join(sorted(TRANSLITERATION, key=len, reverse=True)))
# What nominate.js takes for white space (JavaScript's \s), spelled out so Python splits alike.
_SPACES = re.compile(r"[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+")
ID_HASH_DIGITS = 6
MAX_ID = 80


def plain(text: str) -> str:
    """Lowercase, marks dropped, Cyrillic and Greek in Latin letters: 'Ёлка Σοφία' → 'elka sofia'.

    Latin names fold as `model.fold` folds them ('Élise Bø' → 'elise bo'; Ð and Þ too). It
    lowercases where fold uses casefold(), which JavaScript lacks; with the table below the two
    differ only outside the Latin script, and nominate.js computes the same for every name."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))
    return _TRANSLITERATE.sub(lambda match: TRANSLITERATION[match[0]], folded)


def slugify(text: str) -> str:
    """`Zoë Bø Łukasz` → `zoe-bo-lukasz`: lowercase Latin letters, digits and hyphens (the
    letters of other scripts are left out)."""
    return re.sub(r"[^a-z0-9]+", "-", plain(text)).strip("-")


def fnv1a(text: str) -> str:
    """FNV-1a (32 bits) of the UTF-8 bytes, 8 hex digits: tiny, and the same in nominate.js."""
    value = 0x811C9DC5
    for byte in text.encode("utf-8"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return f"{value:08x}"


def _spaced(text: str) -> str:
    return " ".join(part for part in _SPACES.split(unicodedata.normalize("NFC", text)) if part)


def _trimmed(slug: str, most: int) -> str:
    return slug[:most].strip("-")


def derive_id(name: str, company: str) -> str:
    """The id and file name of a nomination, never blank: the name in Latin letters
    (`yamada-taro`) when every letter of it has a Latin spelling; otherwise the company and a
    short hash of the name (`sakura-robotics-1f0c3a`), or `advocate-1f0c3a` without a company.

    nominate.js derives the same id in the browser (tests compare the two)."""
    spelled = plain(name)
    base = slugify(name)
    if re.search("[a-z]", base) and all("a" <= c <= "z" for c in spelled if c.isalpha()):
        return _trimmed(base, MAX_ID)
    digest = fnv1a(_spaced(name))[:ID_HASH_DIGITS]
    prefix = _trimmed(slugify(company), MAX_ID - ID_HASH_DIGITS - 1) or "advocate"
    return f"{prefix}-{digest}"


def name_key(name: str) -> str:
    """How names are compared for 'already in the catalog?': folded words in order of the
    alphabet, so 'TRAN, Émily' and 'Emily Tran' are one key."""
    words = "".join(c if unicodedata.category(c)[0] in "LN" else " " for c in plain(name)).split()
    return " ".join(sorted(words))


def country_lookup() -> dict[str, str]:
    """Folded country names, ISO codes and common aliases ('uk', 'usa') → ISO alpha-2 code: the
    importer's table, so a CSV cell and the nominate form accept the same words."""
    from .importer import _countries  # the importer builds on this module: imported when used

    return _countries()


# Region prefilled from the country on the site's form. catalog.yaml cannot say which countries
# a region holds (a vocabulary term is an id and a label, nothing more), so this is a default for
# the sample's regions. It applies only when the configured region ids are exactly these: a
# catalog with other regions ("dach", "americas") means something else by "emea", and there the
# region stays a choice the nominator makes. Countries a company could place either way
# (Puerto Rico, Central Asia, the Pacific islands) are left out: the nominator chooses.
REGION_COUNTRIES = {
    "north-america": "US CA",
    "latin-america": "MX GT BZ SV HN NI CR PA CU DO HT JM TT BS BB AG DM GD KN LC VC AR BO BR CL CO "
                     "EC GY PY PE SR UY VE",
    "emea": "AD AL AT BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE LI "
            "LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SK SM UA VA AE BH IL IQ IR JO KW LB "
            "OM PS QA SA SY TR YE AM AZ GE DZ AO BJ BW BF BI CV CM CF TD KM CG CD CI DJ EG GQ ER SZ "
            "ET GA GM GH GN GW KE LS LR LY MG MW ML MR MU MA MZ NA NE NG RW ST SN SC SL SO ZA SS "
            "SD TZ TG TN UG ZM ZW",
    "apac": "CN HK MO TW KR MN IN PK BD LK NP BT MV SG MY ID TH VN PH MM KH LA BN TL",
    "anz": "AU NZ",
    "japan": "JP",
}


def region_by_country(config: Config) -> dict[str, str]:
    """ISO code → region id, for the regions of the sample catalog only (else {})."""
    if set(config.ids("regions")) != set(REGION_COUNTRIES):
        return {}
    return {code: region for region, codes in REGION_COUNTRIES.items() for code in codes.split()}


# Persona prefilled from a job title, first match wins (case ignored). Written so Python's and
# JavaScript's regular expressions read them alike.
PERSONA_FROM_TITLE = (
    ("vp", r"\b([sea]?vp|vice[ -]president)\b"),
    ("c-level", r"\b(chief|president|c[a-z]{1,2}o)\b"),
    ("director", r"\b(director|head)\b"),
    ("manager", r"\bmanager\b"),
    ("architect", r"\barchitect\b"),
)


def persona_rules(config: Config) -> list[tuple[str, str]]:
    """The rules whose persona id catalog.yaml has."""
    known = set(config.ids("personas"))
    return [(persona, pattern) for persona, pattern in PERSONA_FROM_TITLE if persona in known]


def _ordered(data: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    return {key: data[key] for key in order if key in data and data[key] not in (None, "", [], {})}


def _check(root: Path, text: str, display: str, kind: str, today: dt.date) -> list[Issue]:
    """The issues `validate` would report for `text` saved as `display`."""
    config, issues = load_config(root)
    if config is None:
        return issues
    schemas = compile_schemas(root, config)
    validator = schemas.nomination if kind == "nomination" else schemas.advocate
    return check_document(parse(text, display), Path(display).stem, validator, today).issues


def unused_id(root: Path, wanted: str) -> str:
    """`wanted`, or `wanted-2`, `-3`… when a profile or nomination file already has it. The issue
    form's reply goes to whoever opened the issue: "already exists" would confirm a hidden person
    to someone guessing names, so the nomination gets an id of its own and `validate` names the
    duplicate to the reviewers in the pull request."""
    taken = {p.stem for folder in ("advocates", "nominations") for p in (root / folder).glob("*.yaml")}
    n, candidate = 1, wanted
    while candidate in taken:
        n += 1
        candidate = f"{_trimmed(wanted, MAX_ID - len(str(n)) - 1)}-{n}"
    return candidate


def write_new(target: Path, text: str) -> None:
    """Create `target` with `text`; never replaces an existing file (exclusive create)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with target.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise CatalogError(f"{target.name} already exists — pick another id; nothing was "
                           "overwritten") from None


def create(root: Path, answers: dict[str, Any], today: dt.date) -> Path:
    """Write a new nomination from `answers`; InvalidData (and no file) when they do not validate."""
    data = dict(answers)
    data.setdefault("nominated_on", today.isoformat())
    company = data.get("company")
    company_name = str(company.get("name") or "") if isinstance(company, dict) else ""
    data["id"] = data.get("id") or derive_id(str(data.get("name") or ""), company_name)
    display = f"nominations/{data['id']}.yaml"
    text = to_yaml(_ordered(data, NOMINATION_ORDER))
    issues = _check(root, text, display, "nomination", today)
    if issues:
        raise InvalidData(issues)
    target = root / "nominations" / f"{data['id']}.yaml"
    if (root / "advocates" / target.name).exists():
        raise CatalogError(f"advocates/{target.name} already exists: this person is already an "
                           "advocate — update that profile instead")
    write_new(target, text)
    return target


@dataclass(frozen=True)
class Promotion:
    source: str
    target: str
    moved_with_git: bool


def to_advocate(nomination: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """Every field the nomination carries, status nominated, provenance in `nomination:`."""
    data = {key: value for key, value in nomination.items()
            if key not in ("nominated_by", "nominated_on", "reason")}
    data.update(status="nominated", last_verified=today.isoformat(), nomination=_ordered({
        "nominated_by": nomination["nominated_by"], "nominated_on": nomination["nominated_on"],
        "reason": nomination.get("reason")}, ("nominated_by", "nominated_on", "reason")))
    return _ordered(data, ADVOCATE_ORDER)


def promote(root: Path, nomination_file: str, today: dt.date) -> Promotion:
    """Turn a nomination into `advocates/<id>.yaml`, moving the file so its history follows.

    Everything is checked before anything is touched; on any failure both files stay as they were.
    """
    given = root / nomination_file
    # Checked before resolving: a resolved path is never a link, so the check must see the path given.
    if given.is_symlink() or (root / "nominations").is_symlink():
        raise CatalogError(f"{nomination_file} is, or is inside, a symbolic link — nothing was "
                           "changed; put the nomination file itself in nominations/ and promote it")
    source = given.resolve()
    nominations = (root / "nominations").resolve()
    if source.parent != nominations or source.suffix != ".yaml":
        raise CatalogError(f"{nomination_file} is not a file in nominations/ — give the path of a "
                           "nomination, e.g. nominations/jane-doe.yaml")
    display = f"nominations/{source.name}"
    doc = read(source, display)
    issues = doc.issues or _check(root, source.read_text(encoding="utf-8"), display, "nomination",
                                  today)
    if issues:
        raise InvalidData(issues)
    target = root / "advocates" / source.name
    relative_target = f"advocates/{source.name}"
    if target.is_symlink() or (root / "advocates").is_symlink():
        raise CatalogError(f"{relative_target} is, or is inside, a symbolic link — nothing was "
                           "changed; remove the link, then promote again")
    if target.exists():
        raise CatalogError(f"{relative_target} already exists — nothing was changed; merge the "
                           "nomination into that profile by hand")
    text = _promoted_text(source.read_text(encoding="utf-8"), doc.data, display, today)
    problems = _check(root, text, relative_target, "advocate", today)
    if problems:  # our own conversion produced an invalid profile: a bug, not the user's data
        raise CatalogError(f"the promoted profile would be invalid ({problems[0]}) — nothing was "
                           "changed; please report this")
    use_git = git.is_repository(root) and git.is_tracked(root, display)
    if not use_git:
        write_new(target, text)
        source.unlink()
        return Promotion(display, relative_target, False)
    git.move(root, display, relative_target)
    try:
        _replace_text(target, text)
    except OSError:
        git.move(root, relative_target, display)
        raise
    return Promotion(display, relative_target, True)


def _promoted_text(text: str, nomination: dict[str, Any], display: str, today: dt.date) -> str:
    """The profile a nomination becomes, its comments and layout kept where the file allows it;
    otherwise written afresh in the profile's field order (the data is the same either way)."""
    from . import edit  # ruamel.yaml: imported by the commands that edit, never by a build
    profile = to_advocate(nomination, today)
    try:
        kept = edit.promoted(text, display, today.isoformat())
    except CatalogError:
        return to_yaml(profile)
    return kept if parse(kept, display).data == profile else to_yaml(profile)


def _replace_text(target: Path, text: str) -> None:
    """Write through a temporary file and a rename, so the file is never half-written."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".promote-", suffix=".yaml")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _profile(root: Path, advocate_id: str) -> Path:
    """`advocates/<id>.yaml`, a regular file, or a CatalogError saying what is wrong with the id."""
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", advocate_id):
        raise CatalogError(f"'{advocate_id}' is not an advocate id — use the file name without .yaml")
    path = root / "advocates" / f"{advocate_id}.yaml"
    if not path.is_file() or path.is_symlink():
        raise CatalogError(f"advocates/{advocate_id}.yaml does not exist — check the id")
    return path


def _write_checked(root: Path, path: Path, after: str, today: dt.date) -> None:
    """Replace a profile with `after` only when `validate` finds no error in it."""
    display = f"advocates/{path.name}"
    issues = [i for i in _check(root, after, display, "advocate", today) if i.severity == "error"]
    if issues:
        raise InvalidData(issues)
    _replace_text(path, after)


def log_activity(root: Path, advocate_id: str, entry: dict[str, Any],
                 today: dt.date) -> tuple[Path, list[Issue]]:
    """Append an activity to `advocates/<id>.yaml`; nothing is written unless the result is valid.

    Returns the file and the burnout-limit warnings of that profile after the change.
    """
    from . import edit  # ruamel.yaml: imported by the commands that edit, never by a build
    path = _profile(root, advocate_id)
    display = f"advocates/{path.name}"
    after = edit.append_activity(path.read_text(encoding="utf-8"), display,
                                 {k: v for k, v in entry.items() if v not in (None, "")})
    _write_checked(root, path, after, today)
    doc = parse(after, display)
    config, config_issues = load_config(root)
    if config is None:
        raise InvalidData(config_issues)
    return path, limit_issues(Advocate.from_document(display, doc.data, doc.positions), config.limits)


def mark_verified(root: Path, advocate_id: str, day: dt.date, today: dt.date) -> tuple[Path, bool]:
    """Set the profile's `last_verified` to `day`, the file otherwise kept as written.

    Returns the file and whether it changed: a profile verified on `day` or later is left alone.
    """
    if day > today:
        raise CatalogError(f"{day.isoformat()} is still to come — give the day the profile was "
                           "confirmed with the advocate")
    from . import edit  # ruamel.yaml: imported by the commands that edit, never by a build
    path = _profile(root, advocate_id)
    display = f"advocates/{path.name}"
    before = path.read_text(encoding="utf-8")
    current = parse(before, display).data
    if isinstance(current, dict) and str(current.get("last_verified", "")) >= day.isoformat():
        return path, False
    _write_checked(root, path, edit.set_field(before, display, "last_verified", day.isoformat()),
                   today)
    return path, True
