"""`import`: rows of a spreadsheet or CRM export become nominations (or profiles).

A mapping file names the columns, translates the CRM's values into catalog.yaml's ids, and sets
defaults. Each row is checked exactly as `validate` checks a file, and every problem is reported
at its cell as `FILE.csv:ROW:COL` (ROW as the spreadsheet shows it: the header is row 1). The
key column's value is kept in `private.external_id`, so running the import again skips the rows
it already brought in, and no existing file is ever replaced. What it writes passes `validate
--strict`: a new file sharing its name with another person's says so in `not_same_as`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import CatalogError, InvalidData, Issue
from .load import Document, JsonPath, read, to_yaml
from .model import Config, fold
from .nominate import ADVOCATE_ORDER, NOMINATION_ORDER, slugify, write_new
from .tables import DELIMITERS, Table, read_table, text_encoding
from .text import strip
from .validate import (
    Person,
    Result,
    check_document,
    compile_schemas,
    file_validator,
    looks_same,
    person,
    schema_issues,
)

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
    encoding: str | None = None                 # None: UTF-8, or Windows-1252 when it reads as such
    delimiter: str | None = None                # None: found from the header


@dataclass
class Plan:
    """What an import would do: the files to write, the rows skipped, every problem found."""

    rows: int = 0
    files: dict[str, str] = field(default_factory=dict)   # relative path -> YAML text
    already: int = 0                                      # rows imported by an earlier run
    issues: list[Issue] = field(default_factory=list)
    header_row: int = 1

    @property
    def reported_rows(self) -> int:
        return len({issue.line for issue in self.issues if issue.line > self.header_row})


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
    encoding = doc.data.get("encoding") if not doc.issues else None
    if isinstance(encoding, str) and text_encoding(encoding) is None:
        doc.issues.append(doc.issue(("encoding",), f"'{encoding}' is not an encoding Python knows",
                                    "e.g. cp1252 (Excel, Western Windows), cp1250 (Central Europe), "
                                    "utf-8, utf-16, shift_jis"))
    if doc.issues:
        raise InvalidData(doc.issues)
    data = doc.data
    columns = {name: tuple([cols] if isinstance(cols, str) else cols)
               for name, cols in data["columns"].items()}
    values = {name: {_folded(str(cell)): value for cell, value in table.items()}
              for name, table in (data.get("values") or {}).items()}
    return Mapping(data.get("kind", "nomination"), data["key"], columns, values,
                   dict(data.get("defaults") or {}), data.get("dates", "month-first") == "month-first",
                   encoding, DELIMITERS[data["delimiter"]] if "delimiter" in data else None)


def _close(value: str, allowed: list[str]) -> str:
    near = difflib.get_close_matches(value, allowed, n=1)
    return f"did you mean '{near[0]}'?" if near else "use one of: " + ", ".join(allowed)


class _Row:
    """One row being turned into a record: its cells, and the problems found at them."""

    def __init__(self, display: str, number: int, cells: dict[str, tuple[int, str]]) -> None:
        self.display, self.number, self.cells = display, number, cells
        self.issues: list[Issue] = []
        self.places: dict[JsonPath, tuple[int, int]] = {}
        self.refused: set[JsonPath] = set()
        self.columns: dict[int, str] = {}  # column number -> its header, for the mapped columns

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


_TIME = r"(?:,?\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?)?"  # as reports add it: 9:12 AM


def parse_date(text: str, month_first: bool) -> dt.date | None:
    """ISO dates and timestamps, 03/14/2026 (or 14/03/2026), 14.03.2026, each maybe with a time
    (11/3/2026, 9:12 AM), 14 Mar 2026, Mar 14, 2026."""
    text = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ].*)?", text):
            return dt.date.fromisoformat(text[:10])
        if match := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})" + _TIME, text):
            a, b, year = map(int, match.groups())
            return dt.date(year, a, b) if month_first else dt.date(year, b, a)
        if match := re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})" + _TIME, text):
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
                said = ", ".join(f"'{part}'" for part in dict.fromkeys(bad))
                one = len(set(bad)) == 1
                row.problem(column, f"{columns[0]} {said} {'is' if one else 'are'} not in catalog.yaml",
                            f"add {'it' if one else 'each'} under values.{name} in the mapping, or "
                            "use one of: "
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
                order = ("MM/DD/YYYY (dates: month-first)" if mapping.month_first
                         else "DD/MM/YYYY (dates: day-first)")
                hint = f"write it as YYYY-MM-DD, {order} or DD.MM.YYYY"
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


def _id_for(record: dict[str, Any], key: str, taken: dict[str, str]) -> tuple[str, str | None]:
    """The file name, never one in `taken` (case-folded ids of files on disk and earlier rows,
    each with what holds it); and, when a name in Latin letters had to get a hash, what holds
    the id its name gives.

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
    held = taken.get(candidates[0]) if candidates else None
    for candidate in candidates:
        if candidate and candidate not in taken:
            return candidate, None
    chosen = _suffixed(stem, digest)
    number = 2  # two keys with the same short hash: numbered, in the order of the rows
    while chosen in taken:
        chosen = _suffixed(stem, f"{digest}-{number}")
        number += 1
    return chosen, held


_MISSING = re.compile(r"^(?:(?P<parent>[\w.]+): )?missing required field '(?P<name>\w+)'")


class _RowDocument(Document):
    """The file a row would become. A refused cell is reported once, at its cell, and the schema's
    errors at that field are skipped; unlike a file's refused value it hides nothing around it (a
    missing Title is still missing when the owner is unknown)."""

    def near_refused(self, path: JsonPath) -> bool:
        return any(path[:len(refused)] == refused for refused in self.refused)


def _at_cell(row: _Row, mapping: Mapping, header: list[str], issue: Issue) -> Issue | None:
    """An issue of the would-be file, told in the terms of the import: a required field left
    empty is its cell (or the column to map, or the default to give); other problems name the
    column they are in. None for a field whose cell was refused (already reported)."""
    message, column, hint = issue.message, issue.col, issue.hint
    if match := _MISSING.match(issue.message):
        name = ".".join(filter(None, (match["parent"], match["name"])))
        if tuple(name.split(".")) in row.refused:
            return None
        sources = [c for field_name, cols in mapping.columns.items()
                   if field_name == name or field_name.startswith(f"{name}.") for c in cols]
        if sources:
            column = header.index(sources[0]) + 1
            message = f"{name} is required, and the row leaves it empty ({', '.join(sources)})"
            hint = f"fill the cell in the export, or give {name} under defaults: in the mapping"
        else:
            hint = f"map a column to {name} under columns:, or give it under defaults: in the mapping"
    elif issue.message.startswith("unknown field 'not_same_as'"):
        hint = ("this catalog's own schemas/ predate not_same_as: copy the advocate and nomination "
                "schemas of the installed advocate-catalog into it")
    elif (header_name := row.columns.get(column)) and header_name not in message:
        message = f"{message} ({header_name})"
    return Issue(row.display, issue.line, column, issue.severity, message, hint)


def imported_keys(result: Result) -> dict[str, str]:
    """`private.external_id` of every file in the catalog, with the file that holds it."""
    keys = {}
    for path, doc in (result.documents or {}).items():
        private = doc.data.get("private") if isinstance(doc.data, dict) else None
        if isinstance(private, dict) and isinstance(private.get("external_id"), str):
            keys[private["external_id"]] = path
    return keys


@dataclass(frozen=True)
class _Known:
    """Someone a row is compared with: a file in the catalog, or an earlier row of the export."""

    person: Person
    who: str                  # name and company as written, for messages
    path: str | None = None   # a file on disk
    row: int = 0              # or a row of this export,
    key: str = ""             # under this key,
    written: bool = False     # which becomes a file (its id is person.id)


def _who(record: dict[str, Any]) -> str:
    company = record.get("company")
    name = company.get("name") if isinstance(company, dict) else None
    return f"{record.get('name')} of {name}" if name else str(record.get("name"))


def read_export(csv_path: Path, mapping: Mapping) -> Table:
    """The export's header and rows, read as the mapping says (encoding, delimiter)."""
    expected = frozenset({mapping.key, *(c for cols in mapping.columns.values() for c in cols)})
    return read_table(csv_path, csv_path.name, encoding=mapping.encoding, delimiter=mapping.delimiter,
                      expected=expected)


def plan(root: Path, csv_path: Path, mapping: Mapping, result: Result, today: dt.date) -> Plan:
    """Everything an import would write and report; nothing is written here."""
    catalog = result.catalog
    if catalog is None:
        raise InvalidData(result.issues)
    display = csv_path.name
    table = read_export(csv_path, mapping)
    header = table.header
    missing = [c for cols in [*mapping.columns.values(), (mapping.key,)] for c in cols if c not in header]
    if missing:
        raise CatalogError(f"{display}:{table.header_row}:1: the mapping names column '{missing[0]}', "
                           f"which the file does not have — {_close(missing[0], header)}")
    schemas = compile_schemas(root, catalog.config)
    checker = schemas.nomination if mapping.kind == "nomination" else schemas.advocate
    folder, order = (("nominations", NOMINATION_ORDER) if mapping.kind == "nomination"
                     else ("advocates", ADVOCATE_ORDER))
    convert = Converter(catalog.config, mapping)
    known = imported_keys(result)
    documents = result.documents or {}
    # Case-folded, as a disk on macOS or Windows compares names; each with what holds it.
    taken = {Path(path).stem.casefold(): path for path in documents}
    taken |= {p.stem.casefold(): f"{kind}/{p.name}" for kind in ("advocates", "nominations")
              for p in sorted((root / kind).glob("*.yaml"))}
    people: dict[str, list[_Known]] = {}  # comparable name -> the files and earlier rows bearing it
    for path, doc in documents.items():
        if isinstance(doc.data, dict) and doc.data.get("name"):
            someone = person(Path(path).stem, doc.data, nomination=path.startswith("nominations/"))
            people.setdefault(someone.name, []).append(_Known(someone, _who(doc.data), path=path))
    key_column = header.index(mapping.key) + 1
    mapped = {mapping.key, *(column for columns in mapping.columns.values() for column in columns)}
    used = [i for i, name in enumerate(header) if name in mapped]  # long cells elsewhere are never read
    named = {i + 1: header[i] for i in used}
    seen: dict[str, int] = {}
    rows = _without_footer(table.rows)
    out = Plan(rows=len(rows), issues=list(table.issues), header_row=table.header_row)
    for number, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        row = _Row(display, number, {name: (i + 1, strip(cells[i]).replace("\r\n", "\n").strip())
                                     for i, name in enumerate(header) if i < len(cells)})
        row.columns = named
        for i in used:
            if i < len(cells) and len(cells[i]) > MAX_CELL_CHARS:
                row.problem(i + 1, f"{header[i]} is {len(cells[i]):,} characters long, more than the "
                            f"{MAX_CELL_CHARS:,} a cell may hold", "shorten it in the CRM and export "
                            "again, or leave the column out of the mapping")
                row.cells[header[i]] = (i + 1, "")
                row.refused |= {tuple(name.split(".")) for name, columns in mapping.columns.items()
                                if header[i] in columns}
        key = row.cells.get(mapping.key, (0, ""))[1]
        if key in known:
            out.already += 1
            continue
        if key in seen:
            row.problem(key_column, f"row {seen[key]} and row {number} have the same {mapping.key} "
                        f"'{key}'", "this row is skipped; merge the two rows in the export if they "
                        "differ", "warning")
            out.issues += row.issues
            continue
        if key:
            seen[key] = number
        else:
            row.problem(key_column, f"no {mapping.key}", "every row needs the key column filled: it is "
                        "how a later import knows the row is already in the catalog")
        record = _row_record(row, mapping, convert)
        if key:
            _set(record, "private.external_id", key)
        me = person("", record, nomination=mapping.kind == "nomination")
        namesakes = _compare(row, me, record, people.get(me.name, []) if me.name else [], mapping.key,
                             key_column)
        record["id"], held = _id_for(record, key or str(number), taken)
        if namesakes:
            record["not_same_as"] = namesakes
        if isinstance(record.get("company"), dict):
            record["company"] = {k: record["company"][k] for k in sorted(
                record["company"], key=lambda k: COMPANY_ORDER.index(k) if k in COMPANY_ORDER else 99)}
        ordered = {name: record[name] for name in order if name in record}
        ordered |= {name: value for name, value in record.items() if name not in ordered}
        doc = _RowDocument(f"{folder}/{record['id']}.yaml", ordered)
        doc.positions.maps()[0].update(row.places)
        doc.positions.maps()[0][()] = (number, key_column)
        doc.refused |= row.refused
        check_document(doc, record["id"], checker, today)
        row.issues += [issue for issue in (_at_cell(row, mapping, header, i) for i in doc.issues) if issue]
        written = not any(issue.severity == "error" for issue in row.issues)
        if written and held:
            why = (f"an id keeps the first {MAX_ID_CHARS} characters of a name"
                   if len(slugify(str(record.get("name", "")))) > MAX_ID_CHARS
                   else "and so is the name with the company")
            row.problem(key_column, f"{_who(record)} gets the id {record['id']}: the one the name "
                        f"gives is taken by {held} ({why})", "nothing to do; to choose another id, "
                        "rename the file and its id: after the import", "warning")
        out.issues += row.issues
        if written:
            taken[record["id"].casefold()] = f"row {number}"
            out.files[doc.path] = to_yaml(ordered)
        if me.name:  # a row with errors still names its person: fixing it must not reveal a duplicate
            people.setdefault(me.name, []).append(_Known(
                person(record["id"], record, nomination=me.nomination), _who(record), row=number,
                key=key, written=written))
    out.issues.sort()
    return out


def _without_footer(rows: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """The rows without the empty ones at the end (Excel writes `;;;;` for a formatted empty row)
    and without a report's footer: lines of one cell after a blank row (Salesforce ends an export
    with its title, a copyright line and who generated it)."""
    def filled(at: int) -> int:
        return sum(1 for cell in rows[at][1] if cell.strip())

    end = len(rows)
    while end and not filled(end - 1):
        end -= 1
    start = end
    while start and filled(start - 1) == 1:
        start -= 1
    if start < end and start and not filled(start - 1):
        end = start - 1
        while end and not filled(end - 1):
            end -= 1
    return rows[:end]


def _compare(row: _Row, me: Person, record: dict[str, Any], namesakes: list[_Known], key_name: str,
             key_column: int) -> list[str]:
    """Report the files and earlier rows that are this row's person: the same name at the same
    company, as `validate.looks_same` has it. Return the ids of the namesakes at other companies,
    for `not_same_as`; one without a CRM id may be this person after a job change, which only a
    person can tell, so that is said."""
    others: list[str] = []
    for other in namesakes:
        if other.person.company == me.company and other.path:
            that = other.person.external_id
            row.problem(key_column, f"{_who(record)} is already in the catalog ({other.path})",
                        f"one person under two {key_name}s ({that} and this row's): merge them in "
                        "the CRM, or leave the row out" if that else "add `external_id: "
                        f"{me.external_id}` under private: in that file to link it, or leave the row out")
        elif other.person.company == me.company:
            row.problem(key_column, f"row {other.row} and row {row.number} are the same person: "
                        f"{_who(record)}, under {key_name} {other.key or '(none)'} and "
                        f"{me.external_id or '(none)'}", f"one person under two {key_name}s: merge "
                        "them in the CRM, or leave this row out")
        elif other.path or other.written:
            others.append(other.person.id)
            if other.path and looks_same(me, other.person):
                row.problem(key_column, f"{_who(record)} has the name of {other.who} "
                            f"({other.path}), which has no {key_name}: written as another person, "
                            f"with not_same_as: [{other.person.id}]", "if it is the same person, who "
                            "changed jobs, merge the new file into that one instead", "warning")
    return others


def write(root: Path, files: dict[str, str]) -> Iterator[str]:
    """Create each file; never replaces one (exclusive create): a file that appeared since the
    plan was made stops the import there."""
    for relative, text in files.items():
        write_new(root / relative, text)
        yield relative
