"""`import`: rows of a spreadsheet or CRM export become nominations (or profiles).

A mapping file names the columns, translates the CRM's values into catalog.yaml's ids, and sets
defaults. Each row is checked exactly as `validate` checks a file, and every problem is reported
at its cell as `FILE.csv:ROW:COL` (ROW as the spreadsheet shows it: the header is row 1). The
key column's value is kept in `private.external_id`, so running the import again skips the rows
it already brought in, and no existing file is ever replaced.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import CatalogError, InvalidData, Issue
from .load import Document, JsonPath, read, read_regular, to_yaml
from .model import Config, fold
from .nominate import ADVOCATE_ORDER, NOMINATION_ORDER, slugify, write_new
from .text import strip
from .validate import Result, check_document, compile_schemas, file_validator, schema_issues

MAX_CSV_BYTES = 50_000_000
# Python's csv default, and the longest text field Salesforce has (Long Text Area): longer is not
# a note but a paste gone wrong, and would land in a YAML file whole.
MAX_CELL_CHARS = 131_072
MAX_ID_CHARS = 80  # the slug schema's maxLength
COMPANY_ORDER = ("name", "industry", "size", "region", "country")
LIST_SEPARATORS = re.compile(r"\s*[;,|\n]\s*")
# What each importable field holds, and so how a cell becomes its value.
VOCABULARY_FIELDS = {"company.industry": "industries", "company.region": "regions",
                     "company.size": "company_sizes", "persona": "personas",
                     "function": "functions"}
LIST_FIELDS = {"products": "products", "consent.scope": "consent_scopes", "willingness": "activities"}
DATE_FIELDS = {"nominated_on", "last_verified", "consent.given_on", "consent.expires_on"}
TEXT_FIELDS = {"name", "title", "company.name", "summary", "reason", "story", "nominated_by",
               "private.notes", "private.contact", "status"}
STRING_LISTS = {"use_cases", "outcomes", "languages"}
FIELDS = {*VOCABULARY_FIELDS, *LIST_FIELDS, *DATE_FIELDS, *TEXT_FIELDS, *STRING_LISTS,
          "owner", "company.country"}
# Names a CRM writes that ISO 3166 does not list.
COUNTRY_ALIASES = {"uk": "GB", "great britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
                   "usa": "US", "us": "US", "america": "US", "united states of america": "US",
                   "brasil": "BR", "deutschland": "DE", "holland": "NL", "the netherlands": "NL",
                   "south korea": "KR", "korea": "KR", "russia": "RU", "uae": "AE", "espana": "ES",
                   "turkey": "TR", "vietnam": "VN", "czech republic": "CZ"}
MONTHS = {fold(name)[:3]: number for number, name in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September",
     "October", "November", "December"], start=1)}


@dataclass(frozen=True)
class Mapping:
    """mapping.yaml, checked: what each row becomes and from which columns."""

    kind: str                                   # nomination or advocate
    key: str                                    # the column identifying a row across exports
    columns: dict[str, tuple[str, ...]]         # field -> columns, joined with a space
    values: dict[str, dict[str, Any]]           # field -> folded cell text -> value or {field: value}
    defaults: dict[str, Any]
    month_first: bool


@dataclass
class Plan:
    """What an import would do: the files to write, the rows skipped, every problem found."""

    rows: int = 0
    files: dict[str, str] = field(default_factory=dict)   # relative path -> YAML text
    already: int = 0                                      # rows imported by an earlier run
    issues: list[Issue] = field(default_factory=list)

    @property
    def reported_rows(self) -> int:
        return len({issue.line for issue in self.issues})


def _folded(text: str) -> str:
    """How cells are matched: case, accents, dots and extra spaces ignored ("U.K." is "uk")."""
    return " ".join(fold(text).replace(".", "").split())


def load_mapping(root: Path, path: Path, display: str) -> Mapping:
    """The mapping file, or InvalidData with its problems at their lines."""
    doc = read(path, display)
    if not doc.issues:
        doc.issues += schema_issues(doc, file_validator(root, "mapping.schema.json"))
    for name in doc.data.get("columns", {}) if not doc.issues else {}:
        if name not in FIELDS:
            doc.issues.append(doc.issue(("columns", name), f"'{name}' is not a field import can fill",
                                        _close(name, sorted(FIELDS)), key=True))
    if doc.issues:
        raise InvalidData(doc.issues)
    data = doc.data
    columns = {name: tuple([cols] if isinstance(cols, str) else cols)
               for name, cols in data["columns"].items()}
    values = {name: {_folded(str(cell)): value for cell, value in table.items()}
              for name, table in (data.get("values") or {}).items()}
    return Mapping(data.get("kind", "nomination"), data["key"], columns, values,
                   dict(data.get("defaults") or {}), data.get("dates", "month-first") == "month-first")


def _close(value: str, allowed: list[str]) -> str:
    near = difflib.get_close_matches(value, allowed, n=1)
    return f"did you mean '{near[0]}'?" if near else "use one of: " + ", ".join(allowed)


def read_rows(csv_path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV export (UTF-8, with or without Excel's byte order mark)."""
    try:
        raw = read_regular(csv_path, MAX_CSV_BYTES)
    except OSError as error:
        raise CatalogError(f"{csv_path}: cannot be read ({error.strerror or error}) — give a regular "
                           f"CSV file under {MAX_CSV_BYTES // 1_000_000} MB") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise CatalogError(f"{csv_path}:{line}:1: the file is not UTF-8 — export it as \"CSV UTF-8\" "
                           "(Excel) or with UTF-8 encoding (Salesforce, HubSpot)") from None
    sample = text[:20_000]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    records = _records(text, dialect)
    if not records:
        raise CatalogError(f"{csv_path}:1:1: the file is empty — export the report with its header row")
    return [cell.strip() for cell in records[0]], records[1:]


def _records(text: str, dialect: Any) -> list[list[str]]:
    """Every record, however long its cells: `plan` reports a long cell at its row and column,
    where csv's own field limit would stop the whole file with no place to point at. The limit is
    process-wide, so it is raised only while this text is read."""
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(text) + 1))
    try:
        return list(csv.reader(io.StringIO(text, newline=""), dialect))
    finally:
        csv.field_size_limit(limit)


class _Row:
    """One row being turned into a record: its cells, and the problems found at them."""

    def __init__(self, display: str, number: int, cells: dict[str, tuple[int, str]]) -> None:
        self.display, self.number, self.cells = display, number, cells
        self.issues: list[Issue] = []
        self.places: dict[JsonPath, tuple[int, int]] = {}
        self.refused: set[JsonPath] = set()

    def problem(self, column: int, message: str, hint: str, severity: str = "error") -> None:
        self.issues.append(Issue(self.display, self.number, column, severity, message, hint))  # type: ignore[arg-type]


def _set(record: dict[str, Any], name: str, value: Any) -> None:
    *parents, last = name.split(".")
    for parent in parents:
        record = record.setdefault(parent, {})
    record[last] = value


def _has(record: dict[str, Any], name: str) -> bool:
    *parents, last = name.split(".")
    for parent in parents:
        record = record.get(parent) or {}
    return last in record


def parse_date(text: str, month_first: bool) -> dt.date | None:
    """ISO dates and timestamps, 03/14/2026 (or 14/03/2026), 14.03.2026, 14 Mar 2026, Mar 14, 2026."""
    text = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ].*)?", text):
            return dt.date.fromisoformat(text[:10])
        if match := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text):
            a, b, year = map(int, match.groups())
            return dt.date(year, a, b) if month_first else dt.date(year, b, a)
        if match := re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text):
            day, month, year = map(int, match.groups())
            return dt.date(year, month, day)
        words = re.findall(r"[^\W\d_]+|\d+", fold(text))
        if len(words) == 3:
            months = [MONTHS.get(w[:3], 0) for w in words if not w.isdigit()]
            numbers = [int(w) for w in words if w.isdigit()]
            if len(months) == 1 and months[0] and len(numbers) == 2:
                day, year = sorted(numbers)
                return dt.date(year, months[0], day)
    except ValueError:
        return None
    return None


def _countries() -> dict[str, str]:
    import pycountry

    names: dict[str, str] = dict(COUNTRY_ALIASES)
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name", "alpha_3", "alpha_2"):
            if value := getattr(country, attribute, None):
                names.setdefault(_folded(value), country.alpha_2)
    return names


def _terms(config: Config, vocabulary: str) -> dict[str, str]:
    if vocabulary == "owners":
        return {_folded(text): owner.id for owner in config.owners.values()
                for text in (owner.id, owner.name, owner.email, owner.github or "") if text}
    return {_folded(text): term.id for term in config.vocabularies[vocabulary]
            for text in (term.id, term.label)}


class Converter:
    """Turns cells into values: the mapping's translations first, then catalog.yaml's ids and
    labels, country names and codes, and the date formats exports use."""

    def __init__(self, config: Config, mapping: Mapping) -> None:
        self.mapping = mapping
        self.lookups = {name: _terms(config, vocabulary) for name, vocabulary in
                        {**VOCABULARY_FIELDS, **LIST_FIELDS, "owner": "owners"}.items()}
        self.countries = _countries()

    def one(self, name: str, text: str) -> tuple[Any, str | None]:
        """The value of one cell for field `name`, or None and why not."""
        if name in DATE_FIELDS:
            day = parse_date(text, self.mapping.month_first)
            return (day.isoformat(), None) if day else (None, "is not a date")
        if name == "company.country":
            code = self.countries.get(_folded(text))
            return (code, None) if code else (None, "is not a country name or ISO code")
        if name in self.lookups:
            term = self.lookups[name].get(_folded(text))
            return (term, None) if term else (None, "is not in catalog.yaml")
        return text, None

    def translate(self, name: str, text: str) -> Any:
        return self.mapping.values.get(name, {}).get(_folded(text))


def _row_record(row: _Row, mapping: Mapping, convert: Converter) -> dict[str, Any]:
    record: dict[str, Any] = {}
    secondary: dict[str, Any] = {}
    for name, columns in mapping.columns.items():
        present = [row.cells[c] for c in columns if row.cells.get(c, (0, ""))[1]]
        if not present:
            continue
        column = present[0][0]
        text = " ".join(cell for _, cell in present)
        path = tuple(name.split("."))
        for depth in range(1, len(path) + 1):  # a parent points at its first filled column
            row.places.setdefault(path[:depth], (row.number, column))
        if name in LIST_FIELDS or name in STRING_LISTS:
            items: list[Any] = []
            bad: list[str] = []
            for part in filter(None, LIST_SEPARATORS.split(text)):
                value = convert.translate(name, part)
                value, why = (value, None) if value is not None else (
                    convert.one(name, part) if name in LIST_FIELDS else (part, None))
                (bad if why else items).append(part if why else value)
            if bad:
                row.problem(column, f"{columns[0]} '{bad[0]}' is not in catalog.yaml",
                            f"add it under values.{name} in the mapping, or use one of: "
                            + ", ".join(sorted({v for v in convert.lookups[name].values()})))
                row.refused.add(path)
            values = list(dict.fromkeys(items))
            _set(record, name, {item: "yes" for item in values} if name == "willingness" else values)
            continue
        translated = convert.translate(name, text)
        if isinstance(translated, dict):
            secondary |= {other: value for other, value in translated.items() if other != name}
            _set(record, name, translated.get(name, text))
            continue
        value, why = (translated, None) if translated is not None else convert.one(name, text)
        if why:
            hint = (f"add it under values.{name} in the mapping" + (
                ", or use one of: " + ", ".join(sorted(set(convert.lookups[name].values())))
                if name in convert.lookups else ""))
            if name in DATE_FIELDS:
                hint = ("write it as YYYY-MM-DD, MM/DD/YYYY (dates: month-first) or DD.MM.YYYY")
            if name == "company.country":
                hint = "use the two-letter ISO code, e.g. GB, or add it under values.company.country"
            row.problem(column, f"{columns[0]} '{text}' {why}", hint)
            row.refused.add(path)
            value = text
        _set(record, name, value)
    for name, value in secondary.items():  # "EMEA - UK" -> region and country, unless a column gave it
        if not _has(record, name):
            _set(record, name, value)
    for name, value in mapping.defaults.items():
        if not _has(record, name):
            _set(record, name, value)
    return record


def _suffixed(stem: str, suffix: str) -> str:
    """`stem-suffix` in at most MAX_ID_CHARS: the stem is cut, the suffix kept whole."""
    return f"{stem[:MAX_ID_CHARS - len(suffix) - 1].strip('-')}-{suffix}".strip("-")


def _id_for(record: dict[str, Any], key: str, taken: set[str]) -> str:
    """The file name, never one in `taken` (case-folded ids of files on disk and earlier rows).

    The person's name in Latin letters; their company added when another file has it; a short
    hash of the key (the row's own) when that is taken too, or the name is in another script.
    Each candidate is cut to the 80 characters an id may have before it is compared, and a hash
    is kept whole when a name is cut: two different people whose long names share their first 80
    characters are two people, so the second gets its own id instead of overwriting the first.
    The same person twice (name and company) is reported by `plan` before an id is sought.
    """
    base = slugify(str(record.get("name", "")))
    company = slugify(str((record.get("company") or {}).get("name", "")))
    digest = hashlib.sha256(key.encode()).hexdigest()[:6]
    stem = base or company or "advocate"
    candidates = ([base[:MAX_ID_CHARS].strip("-"), f"{base}-{company}"[:MAX_ID_CHARS].strip("-")]
                  if base else [])
    candidates.append(_suffixed(stem, digest))
    for candidate in candidates:
        if candidate and candidate not in taken:
            return candidate
    number = 2  # two keys with the same short hash: numbered, in the order of the rows
    while _suffixed(stem, f"{digest}-{number}") in taken:
        number += 1
    return _suffixed(stem, f"{digest}-{number}")


_MISSING = re.compile(r"^(?:(?P<parent>[\w.]+): )?missing required field '(?P<name>\w+)'")


def _at_cell(display: str, issue: Issue) -> Issue:
    """An issue of the would-be file, told in the terms of the import: a missing field is a
    column to map or a default to give, not a line to add to YAML."""
    hint = issue.hint
    if match := _MISSING.match(issue.message):
        name = ".".join(filter(None, (match["parent"], match["name"])))
        hint = f"map a column to {name} under columns:, or give it under defaults: in the mapping"
    return Issue(display, issue.line, issue.col, issue.severity, issue.message, hint)


def imported_keys(result: Result) -> dict[str, str]:
    """`private.external_id` of every file in the catalog, with the file that holds it."""
    keys = {}
    for path, doc in (result.documents or {}).items():
        private = doc.data.get("private") if isinstance(doc.data, dict) else None
        if isinstance(private, dict) and isinstance(private.get("external_id"), str):
            keys[private["external_id"]] = path
    return keys


def plan(root: Path, csv_path: Path, mapping: Mapping, result: Result, today: dt.date) -> Plan:
    """Everything an import would write and report; nothing is written here."""
    catalog = result.catalog
    if catalog is None:
        raise InvalidData(result.issues)
    display = csv_path.name
    header, records = read_rows(csv_path)
    missing = [c for cols in [*mapping.columns.values(), (mapping.key,)] for c in cols if c not in header]
    if missing:
        raise CatalogError(f"{display}:1:1: the mapping names column '{missing[0]}', which the file "
                           f"does not have — {_close(missing[0], header)}")
    schemas = compile_schemas(root, catalog.config)
    checker = schemas.nomination if mapping.kind == "nomination" else schemas.advocate
    folder, order = (("nominations", NOMINATION_ORDER) if mapping.kind == "nomination"
                     else ("advocates", ADVOCATE_ORDER))
    convert = Converter(catalog.config, mapping)
    known = imported_keys(result)
    # Case-folded, as a disk on macOS or Windows compares names.
    taken = {Path(path).stem.casefold() for path in (result.documents or {})}
    taken |= {p.stem.casefold() for kind in ("advocates", "nominations")
              for p in (root / kind).glob("*.yaml")}
    names = {_person(r.data): r.path for r in [*catalog.advocates, *catalog.nominations]}
    key_column = header.index(mapping.key) + 1
    mapped = {mapping.key, *(column for columns in mapping.columns.values() for column in columns)}
    used = [i for i, name in enumerate(header) if name in mapped]  # long cells elsewhere are never read
    seen: dict[str, int] = {}
    people: dict[tuple[str, str], tuple[int, str]] = {}  # person -> the row and key first naming them
    out = Plan(rows=len(records))
    for number, cells in enumerate(records, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        row = _Row(display, number, {name: (i + 1, strip(cells[i]).replace("\r\n", "\n").strip())
                                     for i, name in enumerate(header) if i < len(cells)})
        long_cells = [(i, len(cells[i])) for i in used
                      if i < len(cells) and len(cells[i]) > MAX_CELL_CHARS]
        for i, length in long_cells:
            row.problem(i + 1, f"{header[i]} is {length:,} characters long, more than the "
                        f"{MAX_CELL_CHARS:,} a cell may hold", "shorten it in the CRM and export "
                        "again, or leave the column out of the mapping; this row is skipped")
        if long_cells:
            out.issues += row.issues
            continue
        key = row.cells.get(mapping.key, (0, ""))[1]
        if not key:
            row.problem(key_column, f"no {mapping.key}", "every row needs the key column filled: it is "
                        "how a later import knows the row is already in the catalog")
            out.issues += row.issues
            continue
        if key in known:
            out.already += 1
            continue
        if key in seen:
            row.problem(key_column, f"{mapping.key} '{key}' is also on row {seen[key]}",
                        "this row is skipped; merge the two rows in the export if they differ",
                        "warning")
            out.issues += row.issues
            continue
        seen[key] = number
        record = _row_record(row, mapping, convert)
        _set(record, "private.external_id", key)
        person = _person(record)
        # A row with errors still names its person: fixing it must not reveal a duplicate later.
        earlier = people.setdefault(person, (number, key)) if all(person) else (number, key)
        if same := names.get(person):
            row.problem(key_column, f"{record.get('name')} of {record['company']['name']} is already "
                        f"in the catalog ({same})", f"add `external_id: {key}` under private: in that "
                        "file to link it, or leave the row out")
        elif earlier[0] != number:
            row.problem(key_column, f"{record.get('name')} of {record['company']['name']} is also on "
                        f"row {earlier[0]} ({mapping.key} {earlier[1]})", "one person under two "
                        f"{mapping.key}s: merge them in the CRM, or leave this row out")
        if same or earlier[0] != number:
            out.issues += row.issues
            continue
        record["id"] = _id_for(record, key, taken)
        if isinstance(record.get("company"), dict):
            record["company"] = {k: record["company"][k] for k in sorted(
                record["company"], key=lambda k: COMPANY_ORDER.index(k) if k in COMPANY_ORDER else 99)}
        ordered = {name: record[name] for name in order if name in record}
        ordered |= {name: value for name, value in record.items() if name not in ordered}
        doc = Document(f"{folder}/{record['id']}.yaml", ordered)
        doc.positions.maps()[0].update(row.places)
        doc.positions.maps()[0][()] = (number, key_column)
        doc.refused |= row.refused
        check_document(doc, record["id"], checker, today)
        row.issues += [_at_cell(display, issue) for issue in doc.issues]
        out.issues += row.issues
        if not any(issue.severity == "error" for issue in row.issues):
            taken.add(record["id"])
            out.files[doc.path] = to_yaml(ordered)
    out.issues.sort()
    return out


def _person(record: dict[str, Any]) -> tuple[str, str]:
    """Who a record is, as the duplicate check compares: folded name and company name."""
    company = record.get("company")
    return (fold(str(record.get("name", ""))),
            fold(str(company.get("name", "") if isinstance(company, dict) else "")))


def write(root: Path, files: dict[str, str]) -> Iterator[str]:
    """Create each file; never replaces one (exclusive create): a file that appeared since the
    plan was made stops the import there."""
    for relative, text in files.items():
        write_new(root / relative, text)
        yield relative
