"""Spreadsheet files as rows of text: CSV in any encoding a CRM or Excel writes, with any of the
separators they use, and the first sheet of an Excel workbook (.xlsx). What the cells mean is the
importer's business (importer.py)."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from .errors import CatalogError, Issue
from .load import read_regular

MAX_FILE_BYTES = 50_000_000
# The mapping's `delimiter:` (a character, or its name) to the character.
DELIMITERS = {",": ",", ";": ";", "\t": "\t", "|": "|",
              "comma": ",", "semicolon": ";", "tab": "\t", "pipe": "|"}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Valid UTF-8 sequences of two or three bytes: in a file that is not UTF-8 as a whole, they mean
# UTF-8 text with a stray byte, which Windows-1252 would turn into 'JosÃ©'.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}")
# Written between two letters in names (O\u2019Neill); nothing else that is not ASCII is.
_APOSTROPHES = "\u2019\u2018\u00b4`\u00b7"
SAVE_AS_CSV = "save it as CSV UTF-8 (File → Save As → CSV UTF-8) and import that"
_NOT_UTF8_HINT = ("name its encoding in the mapping (`encoding: cp1250` for Central European Excel, "
                  "`shift_jis` for Japanese, …), or export it as \"CSV UTF-8\"")


@dataclass
class Table:
    """A header and the rows under it, each with its number as the spreadsheet shows it."""

    header: list[str]
    rows: list[tuple[int, list[str]]]
    header_row: int = 1
    issues: list[Issue] = field(default_factory=list)  # how the file was read, when it was a guess


def text_encoding(name: str) -> str | None:
    """Python's name for an encoding named in a mapping, or None if it names no text encoding."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None  # rot13, base64 and friends
    return "utf-8-sig" if info.name == "utf-8" else info.name  # Excel's byte order mark is not a cell


def read_table(path: Path, display: str, *, encoding: str | None = None, delimiter: str | None = None,
               expected: frozenset[str] = frozenset()) -> Table:
    """The header and rows of a CSV export. Without `encoding`, UTF-8 (with or without a byte order
    mark, or UTF-16 with one), else Windows-1252 when the text reads as such; without `delimiter`,
    the separator under which the header holds most of the `expected` column names."""
    try:
        raw = read_regular(path, MAX_FILE_BYTES)
    except OSError as error:
        raise CatalogError(f"{display}: cannot be read ({error.strerror or error}) — give a regular "
                           f"CSV file under {MAX_FILE_BYTES // 1_000_000} MB") from None
    if raw.startswith(b"PK\x03\x04"):
        return read_workbook(raw, display, expected)
    if raw.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE compound file: .xls, or a protected .xlsx
        raise CatalogError(f"{display}: is an Excel workbook in the old .xls format, or protected by "
                           f"a password — {SAVE_AS_CSV}")
    text, issues = decode(raw, display, encoding)
    records = _records(text, delimiter or _delimiter(text, expected), display)
    if not records:
        raise CatalogError(f"{display}:1:1: the file is empty — export the report with its header row")
    return Table([cell.strip() for cell in records[0]],
                 list(enumerate(records[1:], start=2)), 1, issues)


def decode(raw: bytes, display: str, encoding: str | None) -> tuple[str, list[Issue]]:
    """The text of a file and, when its encoding was guessed, a warning saying which."""
    if encoding:
        codec = text_encoding(encoding) or encoding
        try:
            return raw.decode(codec), []
        except UnicodeDecodeError as error:
            raise CatalogError(_bad_byte(display, raw, error.start, f"is not {encoding}",
                                         "check `encoding:` in the mapping")) from None
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(codec), []
            except UnicodeDecodeError as error:
                raise CatalogError(_bad_byte(display, raw, error.start, f"is not {codec}",
                                             _NOT_UTF8_HINT)) from None
    if b"\x00" in raw[:4096]:
        raise CatalogError(f"{display}:1:1: the file holds NUL bytes, as UTF-16 text without a byte "
                           "order mark does — export it as \"CSV UTF-8\", or set `encoding: utf-16-le` "
                           "in the mapping")
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as error:
        start = error.start
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        text = None
    if text is None or _UTF8_SEQUENCE.search(raw) or not reads_as_western(text):
        raise CatalogError(_bad_byte(display, raw, start, "is not UTF-8, and the file does not read "
                                     "as Windows-1252 either", _NOT_UTF8_HINT))
    # The first words as read: Czech or Hungarian can read as Western text (Dvořák as 'Dvoøák',
    # Erdős as 'Erdõs'), which a person sees at once and no rule does.
    words = list(dict.fromkeys(re.findall(r"[^\W\d_]*[^\W\d_\x00-\x7f][^\W\d_]*", text)))[:4]
    return text, [Issue(display, 1, 1, "warning", "the file is not UTF-8; it was read as Windows-1252 "
                        f"(what Excel writes on Western Windows): {', '.join(words)}", "if those "
                        "words look wrong, name the file's encoding in the mapping (e.g. `encoding: "
                        "cp1250`); if right, `encoding: cp1252` says so")]


def _bad_byte(display: str, raw: bytes, at: int, what: str, hint: str) -> str:
    line = raw.count(b"\n", 0, at) + 1
    column = at - (raw.rfind(b"\n", 0, at) + 1) + 1
    return (f"{display}:{line}:{column}: byte 0x{raw[at]:02X} (byte {at + 1:,} of the file) {what} "
            f"— {hint}")


def reads_as_western(text: str) -> bool:
    """Whether text decoded as Windows-1252 reads as a Western language, rather than as another
    encoding's bytes shown as Latin-1 characters: cp1250's 'Wąsowska' is 'W¹sowska' (a symbol
    inside a word), cp1251's 'Иван' is 'Èâàí' (a word of accented letters only)."""
    for match in re.finditer(r"[^\x00-\x7f]", text):
        at, char = match.start(), match.group()
        if unicodedata.category(char) in ("Lu", "Ll"):
            continue
        before, after = text[at - 1:at], text[at + 1:at + 2]
        if char in "€£¥¤" and after.isalpha():
            return False
        if before.isalpha() and after.isalpha() and char not in _APOSTROPHES:
            return False
    for word in re.findall(r"[^\W\d_]{3,}", text):
        foreign = sum(1 for char in word if ord(char) > 127)
        if foreign >= 3 and 2 * foreign > len(word):
            return False
    return True


def _delimiter(text: str, expected: frozenset[str]) -> str:
    """The separator that splits the header into most of the expected columns (then most columns):
    German Excel writes `;`, Excel's "Unicode text" tabs."""
    sample = text[:65_536]

    def header(delimiter: str) -> list[str]:
        try:
            return [cell.strip() for cell in next(csv.reader(io.StringIO(sample, newline=""),
                                                             delimiter=delimiter), [])]
        except csv.Error:
            return []

    return max(",;\t|", key=lambda d: (len(expected.intersection(header(d))), len(header(d))))


def _records(text: str, delimiter: str, display: str) -> list[list[str]]:
    """Every record, however long its cells: the importer reports a long cell at its row and
    column, where csv's own field limit would stop the whole file with no place to point at. The
    limit is process-wide, so it is raised only while this text is read."""
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(text) + 1))
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:  # a NUL byte, mostly
        raise CatalogError(f"{display}: cannot be read as CSV ({error}) — export it again as "
                           "CSV UTF-8") from None
    finally:
        csv.field_size_limit(limit)


# Excel workbooks. A workbook is a ZIP archive of XML files; only the few that hold the first
# sheet's cells are read, each no larger than these limits whatever its entry claims, so a
# small file cannot unpack into gigabytes (a "zip bomb").
MAX_SHEET_BYTES = 200_000_000
MAX_PART_BYTES = 50_000_000  # the workbook, its relationships, styles and shared strings
MAX_ENTRIES = 10_000
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PACKAGE = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# Excel's built-in number formats that show a date (14: m/d/yyyy … 22: m/d/yy h:mm; 27-36 and
# 50-58: the East Asian ones).
_DATE_FORMATS = {14, 15, 16, 17, 22, *range(27, 37), *range(50, 59)}


def read_workbook(raw: bytes, display: str, expected: frozenset[str] = frozenset()) -> Table:
    """The first sheet of an .xlsx workbook. The header is the first row with most of the
    `expected` column names (a report saved from a CRM may have a title above it); a cell
    formatted as a date becomes YYYY-MM-DD; rows keep their numbers as Excel shows them."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        raise CatalogError(f"{display}: is a damaged ZIP archive, not a CSV file — {SAVE_AS_CSV}") from None
    with archive:
        names = set(archive.namelist())
        if "xl/workbook.xml" not in names:
            kind = "an OpenDocument spreadsheet" if "content.xml" in names else "a ZIP archive"
            raise CatalogError(f"{display}: is {kind}, not a CSV file — {SAVE_AS_CSV}")
        if len(names) > MAX_ENTRIES:
            raise CatalogError(f"{display}: holds {len(names):,} files, more than a workbook does — "
                               f"{SAVE_AS_CSV}")
        try:
            return _first_sheet(archive, names, display, expected)
        except (ElementTree.ParseError, KeyError, ValueError, IndexError, zipfile.BadZipFile,
                NotImplementedError, RuntimeError):  # RuntimeError: encrypted; NotImplemented: codec
            raise CatalogError(f"{display}: is an Excel workbook this tool cannot read — "
                               f"{SAVE_AS_CSV}") from None


def _part(archive: zipfile.ZipFile, name: str, display: str, limit: int = MAX_PART_BYTES) -> bytes:
    with archive.open(name) as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise CatalogError(f"{display}: {name} unpacks to more than {limit / 1_000_000:g} MB — "
                           f"{SAVE_AS_CSV}")
    if b"<!DOCTYPE" in data.upper():  # Excel writes none; entities could only come from one
        raise CatalogError(f"{display}: {name} declares a document type, which Excel never writes — "
                           f"{SAVE_AS_CSV}")
    return data


def _first_sheet(archive: zipfile.ZipFile, names: set[str], display: str,
                 expected: frozenset[str]) -> Table:
    workbook = ElementTree.fromstring(_part(archive, "xl/workbook.xml", display))
    sheets = workbook.findall(f"{_MAIN}sheets/{_MAIN}sheet")
    first = sheets[0]
    relations = ElementTree.fromstring(_part(archive, "xl/_rels/workbook.xml.rels", display))
    target = next(r.get("Target", "") for r in relations.iter(f"{_PACKAGE}Relationship")
                  if r.get("Id") == first.get(_RELATIONSHIP))
    sheet = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    properties = workbook.find(f"{_MAIN}workbookPr")
    epoch = (dt.date(1904, 1, 1) if properties is not None and properties.get("date1904") in ("1", "true")
             else dt.date(1899, 12, 30))  # 30 December: Excel counts 1900 as a leap year
    strings = _shared_strings(archive, names, display)
    dates = _date_styles(archive, names, display)
    rows: list[tuple[int, list[str]]] = []
    for number, cells in _sheet_rows(_part(archive, sheet, display, MAX_SHEET_BYTES)):
        values = [""] * (max(cells, default=0))
        for column, (kind, style, value) in cells.items():
            values[column - 1] = _cell_text(kind, style, value, strings, dates, epoch)
        rows.append((number, values))
    filled = [i for i, (_, values) in enumerate(rows) if any(v.strip() for v in values)]
    if not filled:
        raise CatalogError(f"{display}:1:1: the first sheet is empty — put the export on the first "
                           "sheet, with its header row")
    at = max(filled[:20], key=lambda i: (len(expected.intersection(v.strip() for v in rows[i][1])), -i))
    header_row, header = rows[at]
    issues = [] if len(sheets) == 1 else [Issue(
        display, header_row, 1, "warning", f"the workbook has {len(sheets)} sheets; only the first, "
        f"'{first.get('name')}', was read", "move the export to the first sheet, or save that sheet "
        "as CSV UTF-8")]
    return Table([cell.strip() for cell in header], rows[at + 1:], header_row, issues)


def _shared_strings(archive: zipfile.ZipFile, names: set[str], display: str) -> list[str]:
    if "xl/sharedStrings.xml" not in names:
        return []
    root = ElementTree.fromstring(_part(archive, "xl/sharedStrings.xml", display))
    return [_text(item) for item in root.iter(f"{_MAIN}si")]


def _text(item: ElementTree.Element) -> str:
    """A string item's text: plain, or the runs of rich text; never the phonetic guide (rPh)
    Japanese Excel adds."""
    if (plain := item.find(f"{_MAIN}t")) is not None:
        return plain.text or ""
    return "".join(run.findtext(f"{_MAIN}t") or "" for run in item.findall(f"{_MAIN}r"))


def _date_styles(archive: zipfile.ZipFile, names: set[str], display: str) -> set[int]:
    """Indexes of the cell styles that show a number as a date."""
    if "xl/styles.xml" not in names:
        return set()
    root = ElementTree.fromstring(_part(archive, "xl/styles.xml", display))
    custom = {int(f.get("numFmtId", "0")) for f in root.iter(f"{_MAIN}numFmt")
              if _is_date_format(f.get("formatCode", ""))}
    formats = root.find(f"{_MAIN}cellXfs")
    return {index for index, xf in enumerate(formats if formats is not None else [])
            if int(xf.get("numFmtId", "0")) in _DATE_FORMATS | custom}


def _is_date_format(code: str) -> bool:
    bare = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", code).lower()  # no quoted text, [colours], escapes
    return bool(re.search(r"[dy]", bare))


def _sheet_rows(xml: bytes) -> Iterator[tuple[int, dict[int, tuple[str, int, str]]]]:
    """Each row of a sheet: its number and, by column number, each cell's type, style and value."""
    number = 0
    for _, element in ElementTree.iterparse(io.BytesIO(xml)):
        if element.tag != f"{_MAIN}row":
            continue
        number = int(element.get("r") or number + 1)
        cells: dict[int, tuple[str, int, str]] = {}
        column = 0
        for cell in element.iter(f"{_MAIN}c"):
            reference = cell.get("r")
            column = _column(reference.rstrip("0123456789")) if reference else column + 1
            kind = cell.get("t", "n")
            if kind == "inlineStr":
                inline = cell.find(f"{_MAIN}is")
                value = _text(inline) if inline is not None else ""
            else:
                value = cell.findtext(f"{_MAIN}v") or ""
            cells[column] = (kind, int(cell.get("s", "0")), value)
        element.clear()  # a row at a time: the sheet's tree is never built whole
        yield number, cells


@functools.cache
def _column(letters: str) -> int:
    """`C` → 3, `AA` → 27."""
    number = 0
    for letter in letters.upper():
        if not "A" <= letter <= "Z":
            raise ValueError(f"not a cell reference: {letters}")
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _cell_text(kind: str, style: int, value: str, strings: list[str], dates: set[int],
               epoch: dt.date) -> str:
    if kind == "s":
        return strings[int(value)]
    if kind == "b":
        return "TRUE" if value == "1" else "FALSE"
    if kind != "n" or not value:
        return value  # inline and formula strings, errors such as #N/A
    number = float(value)
    if style in dates:
        return (epoch + dt.timedelta(days=int(number))).isoformat()
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else value
