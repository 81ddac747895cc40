"""`import`: a spreadsheet or CRM export becomes nominations, row by row, with every row that
cannot be reported at its cell, nothing written without --write, and nothing imported twice."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from advocate_catalog.cli import main
from advocate_catalog.importer import parse_date
from advocate_catalog.load import read
from advocate_catalog.validate import validate

from conftest import AS_OF, ROOT, copy_repo
from imports.crm_export import HEADER, make

MAPPING = ROOT / "tests" / "imports" / "crm-mapping.yaml"
ISSUE = re.compile(r"^(?P<file>[^:]+):(?P<row>\d+):(?P<col>\d+): (?P<severity>error|warning): "
                   r"(?P<what>.+) — (?P<how>.+)$")


def _import(repo: Path, csv: Path, *extra: str, mapping: Path = MAPPING) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--root", str(repo), "import", str(csv), "--mapping", str(mapping),
                                       "--as-of", AS_OF.isoformat(), *extra], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _nominations(repo: Path) -> set[str]:
    return {p.name for p in (repo / "nominations").glob("*.yaml")}


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    return copy_repo(tmp_path / "repo")


def test_the_messy_2000_row_export_imports_the_good_rows_and_reports_the_rest(catalog: Path,
                                                                              tmp_path: Path) -> None:
    csv = tmp_path / "references.csv"
    truth = make(csv)
    before = _nominations(catalog)
    code, out, err = _import(catalog, csv)
    assert code == 1  # some rows have errors
    assert _nominations(catalog) == before  # nothing written without --write
    issues = [ISSUE.match(line) for line in out.splitlines()]
    assert all(issues), [line for line, m in zip(out.splitlines(), issues, strict=True) if not m][:3]
    errors = {int(m["row"]) for m in issues if m and m["severity"] == "error"}
    warnings = {int(m["row"]) for m in issues if m and m["severity"] == "warning"}
    assert errors == set(truth["bad_rows"])
    assert warnings == set(truth["duplicate_rows"])
    for match in issues:
        assert match and match["file"] == "references.csv"
        row = int(match["row"])
        if truth["bad_rows"].get(row) == "unknown owner":
            assert HEADER[int(match["col"]) - 1] == "Account Owner" and "Pat Nobody" in match["what"]
        if truth["bad_rows"].get(row) == "bad date":
            assert HEADER[int(match["col"]) - 1] == "Created Date"
        if row in truth["duplicate_rows"]:
            assert f"row {truth['duplicate_rows'][row]} and row {row} have the same Contact ID" \
                in match["what"]
    good = len(truth["good_rows"])
    assert f"2000 rows — {good} new in nominations/, 0 already imported, " \
           f"{len(errors | warnings)} reported; nothing written" in err

    code, _, err = _import(catalog, csv, "--write")
    assert code == 1 and f"wrote {good} file(s)" in err
    assert len(_nominations(catalog) - before) == good
    result = validate(catalog, AS_OF)
    assert [issue for issue in result.issues if issue.severity != "notice"] == []  # --strict passes
    # Run again: every good row is recognised by its Contact ID; nothing is written.
    snapshot = {p: p.read_bytes() for p in (catalog / "nominations").glob("*.yaml")}
    code, _, err = _import(catalog, csv, "--write")
    assert "— 0 new in nominations/" in err and "wrote 0 file(s)" in err
    assert {p: p.read_bytes() for p in (catalog / "nominations").glob("*.yaml")} == snapshot


def _csv(tmp_path: Path, *rows: list[str]) -> Path:
    import csv

    path = tmp_path / "refs.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    return path


def _row(**cells: str) -> list[str]:
    base = {"Contact ID": "003X1", "First Name": "Ana", "Last Name": "Lima", "Title": "CFO",
            "Seniority": "", "Account Name": "Banco Sol", "Industry": "FinServ", "Region": "LATAM - BR",
            "Billing Country": "Brasil", "Products": "Tessellate Analytics", "Account Owner": "Carla Mendes",
            "Created Date": "2026-03-14", "Reference Notes": "Keen.", "Email": "ana@bancosol.example",
            "Willing For": "Reference call; Case study"}
    base.update({key.replace("_", " "): value for key, value in cells.items()})
    return [base[column] for column in HEADER]


def test_one_row_becomes_the_nomination_a_person_would_write(catalog: Path, tmp_path: Path) -> None:
    csv = _csv(tmp_path, _row())
    code, out, err = _import(catalog, csv, "--write")
    assert (code, out) == (0, ""), err
    doc = read(catalog / "nominations" / "ana-lima.yaml", "nominations/ana-lima.yaml")
    assert doc.issues == []
    assert doc.data["company"] == {"name": "Banco Sol", "industry": "financial-services",
                                   "size": "mid-market", "region": "latin-america", "country": "BR"}
    assert doc.data["products"] == ["analytics"] and doc.data["owner"] == "carla-mendes"
    assert doc.data["willingness"] == {"reference-call": "yes", "case-study": "yes"}
    assert doc.data["private"] == {"contact": "ana@bancosol.example", "external_id": "003X1"}
    assert doc.data["nominated_by"] == "crm-import" and doc.data["nominated_on"] == "2026-03-14"


def test_rows_can_become_profiles_with_every_mapped_field(catalog: Path, tmp_path: Path) -> None:
    mapping = tmp_path / "profiles.yaml"
    mapping.write_text(MAPPING.read_text(encoding="utf-8").replace("kind: nomination", "kind: advocate")
                       .replace("  nominated_on: Created Date\n  reason: Reference Notes\n",
                                "  last_verified: Created Date\n  summary: Reference Notes\n"
                                "  story: Reference Notes\n")
                       .replace("  nominated_by: crm-import\n",
                                "  status: active\n  consent.scope: [internal-catalog]\n"
                                "  consent.given_on: 2026-01-05\n"), encoding="utf-8")
    row = _row(Created_Date="11/02/2026", Seniority="Director")
    code, out, err = _import(catalog, _csv(tmp_path, row), "--write", mapping=mapping)
    assert (code, out) == (0, ""), out + err
    doc = read(catalog / "advocates" / "ana-lima.yaml", "advocates/ana-lima.yaml")
    assert doc.data["consent"] == {"scope": ["internal-catalog"], "given_on": "2026-01-05"}
    assert doc.data["summary"] == "Keen." and doc.data["last_verified"] == "2026-11-02"
    assert validate(catalog, AS_OF).errors == []


def test_names_in_other_scripts_and_clashing_names_get_ids(catalog: Path, tmp_path: Path) -> None:
    csv = _csv(tmp_path, _row(Contact_ID="003J1", First_Name="山田", Last_Name="太郎",
                              Account_Name="Sakura Bank"),
               _row(Contact_ID="003J2", First_Name="Emily", Last_Name="Tran", Account_Name="Other Co"))
    code, _, err = _import(catalog, csv, "--write")
    assert code == 0, err
    new = _nominations(catalog)
    assert any(re.fullmatch(r"sakura-bank-[0-9a-f]{6}\.yaml", name) for name in new)
    assert "emily-tran-other-co.yaml" in new  # emily-tran is taken by a profile


def test_a_person_already_in_the_catalog_is_reported_not_duplicated(catalog: Path, tmp_path: Path) -> None:
    csv = _csv(tmp_path, _row(First_Name="Aino", Last_Name="Virtanen", Account_Name="Revontuli Networks Oy"))
    before = _nominations(catalog)
    code, out, _ = _import(catalog, csv, "--write")
    assert code == 1 and "already in the catalog (advocates/aino-virtanen.yaml)" in out
    assert "external_id: 003X1" in out and _nominations(catalog) == before


def test_mapping_mistakes_point_at_the_mapping_line(catalog: Path, tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("key: Contact ID\ncolumns:\n  name: First Name\n  compnay.name: Account Name\n")
    code, _, err = _import(catalog, _csv(tmp_path, _row()), mapping=mapping)
    assert code == 1
    assert f"{mapping}:4:3: error: 'compnay.name' is not a field import can fill — did you mean " \
           "'company.name'?" in err
    mapping.write_text("key: Contact ID\ncolumns:\n  name: Full Name\n")
    code, _, err = _import(catalog, _csv(tmp_path, _row()), mapping=mapping)
    assert code == 1
    assert "refs.csv:1:1: the mapping names column 'Full Name', which the file does not have" in err


def test_a_file_in_no_encoding_we_can_tell_is_one_line_not_a_traceback(catalog: Path,
                                                                       tmp_path: Path) -> None:
    csv = tmp_path / "refs.csv"
    # Łucja Wąsowska as Polish Windows (cp1250) writes her: in Windows-1252, '£ucja W¹sowska'.
    csv.write_bytes(",".join(HEADER).encode() + b"\r\n003X1,\xa3ucja,W\xb9sowska\r\n")
    code, out, err = _import(catalog, csv)
    assert (code, out) == (1, "") and err.count("\n") == 1
    assert err.startswith("error: refs.csv:2:7: byte 0xA3 (byte 171 of the file) is not UTF-8, and "
                          "the file does not read as Windows-1252 either — name its encoding in the "
                          "mapping (`encoding: cp1250`"), err


def test_control_characters_in_cells_never_reach_a_file(catalog: Path, tmp_path: Path) -> None:
    csv = _csv(tmp_path, _row(Reference_Notes="Great\x1b[31m fit\x07", Title="CFO\u202e"))
    code, _, err = _import(catalog, csv, "--write")
    assert code == 0, err
    text = (catalog / "nominations" / "ana-lima.yaml").read_text(encoding="utf-8")
    assert "\x1b" not in text and "\x07" not in text and "Great[31m fit" in text


def test_an_existing_file_is_never_replaced(catalog: Path, tmp_path: Path) -> None:
    (catalog / "nominations" / "ana-lima.yaml").write_text("# mine\n", encoding="utf-8")
    code, _, err = _import(catalog, _csv(tmp_path, _row()), "--write")
    assert code == 0, err
    assert (catalog / "nominations" / "ana-lima.yaml").read_text(encoding="utf-8") == "# mine\n"
    assert "id: ana-lima-banco-sol\n" in (catalog / "nominations" / "ana-lima-banco-sol.yaml").read_text()


# Two people whose names, as ids, share their first 80 characters (the most an id may have).
LONG_FIRST = "Maximiliana Wilhelmina"
LONG_LAST = "Alexandropoulou-Konstantinidou-Papadimitriou-Hadjigeorgiou-Vasilopoulou"


def test_long_names_cut_to_the_same_id_become_two_files(catalog: Path, tmp_path: Path) -> None:
    csv = _csv(tmp_path, _row(Contact_ID="003L1", First_Name=LONG_FIRST, Last_Name=f"{LONG_LAST}-Smith"),
               _row(Contact_ID="003L2", First_Name=LONG_FIRST, Last_Name=f"{LONG_LAST}-Jones"))
    before = _nominations(catalog)
    code, out, err = _import(catalog, csv, "--write")
    [line] = out.splitlines()  # the second id is said
    assert code == 0 and line.startswith(f"refs.csv:3:1: warning: {LONG_FIRST} {LONG_LAST}-Jones of "
                                         "Banco Sol gets the id maximiliana-"), line
    assert "the one the name gives is taken by row 2 (an id keeps the first 80 characters" in line
    assert "2 rows — 2 new in nominations/" in err and "wrote 2 file(s)" in err
    new = sorted(catalog / "nominations" / name for name in _nominations(catalog) - before)
    assert len(new) == 2 and all(len(path.stem) <= 80 for path in new)
    docs = [read(path, f"nominations/{path.name}") for path in new]
    assert sorted(doc.data["private"]["external_id"] for doc in docs) == ["003L1", "003L2"]
    assert all(doc.data["id"] == path.stem for doc, path in zip(docs, new, strict=True))
    assert validate(catalog, AS_OF).errors == []


def test_a_long_name_cut_to_an_existing_files_id_gets_its_own(catalog: Path, tmp_path: Path) -> None:
    csv = _csv(tmp_path, _row(First_Name=LONG_FIRST, Last_Name=LONG_LAST))
    cut = "maximiliana-wilhelmina-alexandropoulou-konstantinidou-papadimitriou-hadjigeorgio"
    (catalog / "nominations" / f"{cut}.yaml").write_text("# mine\n", encoding="utf-8")
    before = _nominations(catalog)
    code, out, err = _import(catalog, csv, "--write")
    assert code == 0, out + err
    assert (catalog / "nominations" / f"{cut}.yaml").read_text(encoding="utf-8") == "# mine\n"
    [new] = _nominations(catalog) - before
    assert new != f"{cut}.yaml" and len(new) <= len(".yaml") + 80
    assert f"gets the id {new.removesuffix('.yaml')}: the one the name gives is taken by " \
           f"nominations/{cut}.yaml" in out


def test_the_same_person_on_two_rows_is_reported_at_the_second(catalog: Path, tmp_path: Path) -> None:
    csv = _csv(tmp_path, _row(Contact_ID="003A1"), _row(Contact_ID="003A2", Title="Chief Financial Officer"))
    code, out, err = _import(catalog, csv, "--write")
    assert code == 1
    [line] = out.splitlines()
    match = ISSUE.match(line)
    assert match and (match["row"], match["col"], match["severity"]) == ("3", "1", "error"), line
    assert match["what"] == "row 2 and row 3 are the same person: Ana Lima of Banco Sol, under " \
                            "Contact ID 003A1 and 003A2"
    assert "wrote 1 file(s)" in err
    assert read(catalog / "nominations" / "ana-lima.yaml", "x").data["private"]["external_id"] == "003A1"


def test_a_cell_too_long_is_reported_at_its_cell_and_the_rest_imported(catalog: Path,
                                                                       tmp_path: Path) -> None:
    import csv as csv_module

    path = tmp_path / "refs.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv_module.writer(handle, lineterminator="\r\n")
        writer.writerow([*HEADER, "Description"])  # a column the mapping does not use
        writer.writerow([*_row(Reference_Notes="Keen, very. " * 20_000), ""])
        writer.writerow([*_row(Contact_ID="003X2", First_Name="Bea", Last_Name="Ruiz"), "x" * 300_000])
        writer.writerow([*_row(Contact_ID="003X3", First_Name="Caio", Account_Owner="Pat Nobody"), ""])
    code, out, err = _import(catalog, path, "--write")
    assert code == 1, err
    assert "internal error" not in err and "Traceback" not in out + err
    lines = out.splitlines()
    assert all(ISSUE.match(line) for line in lines), lines
    column = HEADER.index("Reference Notes") + 1
    assert lines[0].startswith(f"refs.csv:2:{column}: error: Reference Notes is 240,000 characters long, "
                               "more than the 131,072 a cell may hold — "), lines[0]
    assert [line.split(":")[1] for line in lines] == ["2", "4"]  # row 3's long cell is never used
    assert "3 rows — 1 new in nominations/" in err
    assert _nominations(catalog) >= {"bea-ruiz.yaml"}


@pytest.mark.parametrize(("text", "month_first", "expected"), [
    ("2026-03-04", True, dt.date(2026, 3, 4)), ("2026-03-04T09:12:00.000Z", True, dt.date(2026, 3, 4)),
    ("03/04/2026", True, dt.date(2026, 3, 4)), ("03/04/2026", False, dt.date(2026, 4, 3)),
    ("04.03.2026", True, dt.date(2026, 3, 4)), ("4 Mar 2026", True, dt.date(2026, 3, 4)),
    ("March 4, 2026", True, dt.date(2026, 3, 4)), ("next week", True, None), ("2026-13-45", True, None),
    ("02/30/2026", True, None), ("", True, None),
])
def test_dates_in_the_formats_exports_use(text: str, month_first: bool, expected: dt.date | None) -> None:
    assert parse_date(text, month_first) == expected


def _mapping(tmp_path: Path, extra: str) -> Path:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return mapping


def _write_csv(path: Path, rows: list[list[str]], *, encoding: str = "utf-8",
               delimiter: str = ",") -> Path:
    import csv

    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter, lineterminator="\r\n").writerows([HEADER, *rows])
    return path


def test_a_windows_1252_file_is_read_and_the_guess_said(catalog: Path, tmp_path: Path) -> None:
    """What Excel's plain "CSV" writes on Western Windows: no UTF-8, no byte order mark."""
    csv = _write_csv(tmp_path / "refs.csv", [_row(First_Name="José", Last_Name="Müller-Lüdenscheidt",
                                                  Reference_Notes="„Top“ \u2013 saves €40k a year")],
                     encoding="cp1252")
    code, out, err = _import(catalog, csv, "--write")
    assert code == 0, err
    assert out == ("refs.csv:1:1: warning: the file is not UTF-8; it was read as Windows-1252 (what "
                   "Excel writes on Western Windows): José, Müller, Lüdenscheidt — if those "
                   "words look wrong, name the file's encoding in the mapping (e.g. `encoding: "
                   "cp1250`); if right, `encoding: cp1252` says so\n")
    assert "1 rows — 1 new in nominations/, 0 already imported, 0 reported" in err  # the header is no row
    doc = read(catalog / "nominations" / "jose-muller-ludenscheidt.yaml", "x")
    assert doc.data["name"] == "José Müller-Lüdenscheidt"
    assert doc.data["reason"] == "„Top“ \u2013 saves €40k a year"
    (catalog / "nominations" / "jose-muller-ludenscheidt.yaml").unlink()
    code, out, err = _import(catalog, csv, mapping=_mapping(tmp_path, "encoding: cp1252\n"))
    assert (code, out) == (0, ""), out + err


@pytest.mark.parametrize(("text", "western"), [
    ("Jürgen Müller, Straße 5, Größe 12 m², „Zitat“ \u2013 € 40.000, N° 7, L\u2019Oréal, Conceição", True),
    ("Seán O\u2019Neill; Chloé Dubois; Ærø; Søren; Ñuñoa; São Paulo; 5 °C; Tessellate™", True),
    ("£ucja W¹sowska", False),         # cp1250 (Polish Windows): Łucja Wąsowska
    ("Ma³gorzata", False),             # cp1250: Małgorzata
    ("Èâàí Ïåòðîâ", False),            # cp1251 (Cyrillic Windows): Иван Петров
    ("ŽR“c \u2018¾\u02dcY", False),              # Shift-JIS: 山田 太郎
])
def test_windows_1252_is_taken_only_when_the_text_reads_as_such(text: str, western: bool) -> None:
    from advocate_catalog.tables import reads_as_western

    assert reads_as_western(text) is western


def test_utf8_with_a_stray_byte_is_not_guessed_as_windows_1252(catalog: Path, tmp_path: Path) -> None:
    csv = _write_csv(tmp_path / "refs.csv", [_row(First_Name="José")])
    csv.write_bytes(csv.read_bytes() + b"003X2,Ren\xe9,Lima\r\n")
    code, out, err = _import(catalog, csv)
    assert code == 1 and out == "" and "refs.csv:3:10: byte 0xE9" in err and "is not UTF-8" in err


def test_an_encoding_named_in_the_mapping_is_used_and_checked(catalog: Path, tmp_path: Path) -> None:
    csv = _write_csv(tmp_path / "refs.csv", [_row(First_Name="Łucja", Last_Name="Wąsowska")],
                     encoding="cp1250")
    code, out, err = _import(catalog, csv, "--write", mapping=_mapping(tmp_path, "encoding: cp1250\n"))
    assert (code, out) == (0, ""), out + err
    assert read(catalog / "nominations" / "lucja-wasowska.yaml", "x").data["name"] == "Łucja Wąsowska"
    mapping = _mapping(tmp_path, "encoding: latin-99\n")
    code, _, err = _import(catalog, csv, mapping=mapping)
    lines = MAPPING.read_text(encoding="utf-8").count("\n") + 1
    assert code == 1 and f"{mapping}:{lines}:11: error: 'latin-99' is not an encoding Python knows — " \
                         "e.g. cp1252" in err
    code, _, err = _import(catalog, csv, mapping=_mapping(tmp_path, "encoding: utf-8\n"))
    assert code == 1 and "refs.csv:2:" in err and "is not utf-8 — check `encoding:` in the mapping" in err


@pytest.mark.parametrize(("delimiter", "setting"), [(";", ""), ("\t", ""), ("|", ""), (";", "semicolon"),
                                                   ("\t", "tab"), (";", '";"')])
def test_the_delimiter_is_found_or_set(catalog: Path, tmp_path: Path, delimiter: str, setting: str) -> None:
    csv = _write_csv(tmp_path / "refs.csv", [_row(Reference_Notes="Keen; very, very keen | really")],
                     delimiter=delimiter)
    mapping = _mapping(tmp_path, f"delimiter: {setting}\n" if setting else "")
    code, out, err = _import(catalog, csv, "--write", mapping=mapping)
    assert (code, out) == (0, ""), out + err
    doc = read(catalog / "nominations" / "ana-lima.yaml", "x")
    assert doc.data["reason"] == "Keen; very, very keen | really" and doc.data["title"] == "CFO"


def test_every_problem_of_a_row_is_reported_at_its_cell_in_one_run(catalog: Path, tmp_path: Path) -> None:
    csv = _csv(tmp_path, _row(Contact_ID="", Title="", Account_Owner="Pat Nobody", Created_Date="next week",
                              Products="Legacy Suite; Tessellate Analytics; Old Thing"),
               _row(Contact_ID="003N2", First_Name="", Last_Name="", Account_Name=""))
    code, out, _ = _import(catalog, csv)
    assert code == 1
    found = [(int(m["row"]), HEADER[int(m["col"]) - 1], m["what"], m["how"])
             for m in map(ISSUE.match, out.splitlines()) if m]
    assert len(found) == len(out.splitlines())
    assert found == [
        (2, "Contact ID", "no Contact ID", "every row needs the key column filled: it is how a later "
         "import knows the row is already in the catalog"),
        (2, "Title", "title is required, and the row leaves it empty (Title)",
         "fill the cell in the export, or give title under defaults: in the mapping"),
        (2, "Products", "Products 'Legacy Suite', 'Old Thing' are not in catalog.yaml", found[2][3]),
        (2, "Account Owner", "Account Owner 'Pat Nobody' is not in catalog.yaml", found[3][3]),
        (2, "Created Date", "Created Date 'next week' is not a date", found[4][3]),
        (3, "First Name", "name is required, and the row leaves it empty (First Name, Last Name)",
         "fill the cell in the export, or give name under defaults: in the mapping"),
        (3, "Account Name", "company.name is required, and the row leaves it empty (Account Name)",
         "fill the cell in the export, or give company.name under defaults: in the mapping"),
    ]


def test_a_schema_problem_names_its_column(catalog: Path, tmp_path: Path) -> None:
    code, out, _ = _import(catalog, _csv(tmp_path, _row(Title="CFO " * 100)))
    [match] = map(ISSUE.match, out.splitlines())
    assert code == 1 and match and HEADER[int(match["col"]) - 1] == "Title"
    assert match["what"].startswith("title is ") and match["what"].endswith(" (Title)")


def _paths_named(text: str) -> list[str]:
    return re.findall(r"\b(?:advocates|nominations)/[\w.-]+\.yaml", text)


def test_a_dry_run_names_rows_not_files_that_are_not_there(catalog: Path, tmp_path: Path) -> None:
    csv = _csv(tmp_path, _row(Contact_ID="003F1", First_Name="François", Last_Name="Bianchi"),
               _row(Contact_ID="003F2", First_Name="Francois", Last_Name="BIANCHI"))
    code, out, err = _import(catalog, csv)
    assert code == 1 and "already in the catalog" not in out
    assert "row 2 and row 3 are the same person: Francois BIANCHI of Banco Sol, under Contact ID " \
           "003F1 and 003F2" in out
    assert all((catalog / path).is_file() for path in _paths_named(out + err))


def test_namesakes_at_other_companies_are_written_as_two_people(catalog: Path, tmp_path: Path) -> None:
    """Issue 24: two David Limas under two CRM ids at two companies, and one already nominated by
    hand (no CRM id), pass `validate --strict` once imported."""
    by_hand = (ROOT / "nominations").glob("*.yaml").__next__().read_text(encoding="utf-8")
    doc = read((ROOT / "nominations").glob("*.yaml").__next__(), "x").data
    (catalog / "nominations" / "david-lima.yaml").write_text(
        by_hand.replace(f"id: {doc['id']}", "id: david-lima").replace(doc["name"], "David Lima"),
        encoding="utf-8")
    csv = _csv(tmp_path, _row(Contact_ID="003D1", First_Name="David", Last_Name="Lima",
                              Account_Name="Acme Logistics"),
               _row(Contact_ID="003D2", First_Name="David", Last_Name="Lima", Account_Name="Brio Foods"))
    code, out, err = _import(catalog, csv, "--write")
    assert code == 0, out + err
    warnings = [m["what"] for m in map(ISSUE.match, out.splitlines()) if m]
    assert warnings == [f"David Lima of {company} has the name of David Lima of "
                        f"{doc['company']['name']} (nominations/david-lima.yaml), which has no Contact "
                        "ID: written as another person, with not_same_as: [david-lima]"
                        for company in ("Acme Logistics", "Brio Foods")]
    acme = read(catalog / "nominations" / "david-lima-acme-logistics.yaml", "x").data
    brio = read(catalog / "nominations" / "david-lima-brio-foods.yaml", "x").data
    assert acme["not_same_as"] == ["david-lima"]
    assert brio["not_same_as"] == ["david-lima", "david-lima-acme-logistics"]
    assert list(brio)[-2:] == ["not_same_as", "private"]
    result = CliRunner().invoke(main, ["--root", str(catalog), "validate", "--strict", "--as-of",
                                       AS_OF.isoformat()])
    assert result.exit_code == 0, result.output


# Exports as CRMs and Excel write them, each in its folder beside its mapping and the report the
# import prints for it (report.txt; UPDATE_REPORTS=1 rewrites them).
CASES = sorted(path.parent for path in (ROOT / "tests" / "imports").glob("*/mapping.yaml"))


@pytest.mark.parametrize("case", [*CASES, None], ids=[*(case.name for case in CASES), "generated"])
def test_an_import_passes_validate_strict(catalog: Path, tmp_path: Path, case: Path | None) -> None:
    """What an import writes passes the pull request's check at once; a dry run reports what the
    import then does, and names no file that is not there."""
    if case is None:
        export, mapping = tmp_path / "references.csv", MAPPING
        make(export, rows=300)
    else:
        [export] = [p for p in case.iterdir() if p.name not in ("mapping.yaml", "report.txt")]
        mapping = case / "mapping.yaml"
    before = _nominations(catalog)
    _, out, err = _import(catalog, export, mapping=mapping)
    assert _nominations(catalog) == before
    assert all((catalog / path).is_file() for path in _paths_named(out + err)), out
    if case is not None:
        report = case / "report.txt"
        if os.environ.get("UPDATE_REPORTS"):
            report.write_text(out + err, encoding="utf-8")
        assert out + err == report.read_text(encoding="utf-8")
    _, written, err = _import(catalog, export, "--write", mapping=mapping)
    assert written == out and "nothing written" not in err
    result = CliRunner().invoke(main, ["--root", str(catalog), "validate", "--strict", "--as-of",
                                       AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    _, _, err = _import(catalog, export, "--write", mapping=mapping)
    assert " 0 new in nominations/" in err and "wrote 0 file(s)" in err


def _workbook(path: Path, rows: list[list[object]], *, sheets: int = 1, parts: dict[str, bytes] | None = None,
              first_row: int = 1) -> Path:
    """An .xlsx as Excel writes it, made with zipfile: text as shared strings (the first with rich
    text runs and a phonetic guide, as Japanese Excel writes it), numbers as numbers, dates as day
    numbers in a date style (m/d/yyyy or a custom dd.mm.yyyy)."""
    import zipfile
    from xml.sax.saxutils import escape

    main_ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    strings: list[str] = []
    xml_rows = []
    for number, row in enumerate(rows, start=first_row):
        cells = []
        for column, value in enumerate(row):
            ref = f"{chr(ord('A') + column)}{number}"
            if isinstance(value, dt.date):
                serial = (value - dt.date(1899, 12, 30)).days
                cells.append(f'<c r="{ref}" s="{1 + column % 2}"><v>{serial}</v></c>')
            elif isinstance(value, int):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            elif value:
                strings.append(str(value))
                cells.append(f'<c r="{ref}" t="s"><v>{len(strings)}</v></c>')
        xml_rows.append(f'<row r="{number}">{"".join(cells)}</row>')
    items = ['<si><r><t>Customer </t></r><r><rPr><b/></rPr><t>references</t></r>'
             '<rPh sb="0" eb="1"><t>カスタマー</t></rPh></si>',
             *(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in strings)]
    title = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>' if first_row > 1 else ""
    files = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                               'package/2006/content-types"/>',
        "xl/workbook.xml": f'<workbook xmlns="{main_ns}" xmlns:r="http://schemas.openxmlformats.org/'
                           'officeDocument/2006/relationships"><sheets>' + "".join(
                               f'<sheet name="Sheet{i}" sheetId="{i}" r:id="rId{i}"/>'
                               for i in range(1, sheets + 1)) + "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/'
                                      '2006/relationships">' + "".join(
                                          f'<Relationship Id="rId{i}" Target="worksheets/sheet{i}.xml" '
                                          'Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                                          'relationships/worksheet"/>' for i in range(1, sheets + 1))
                                      + "</Relationships>",
        "xl/styles.xml": f'<styleSheet xmlns="{main_ns}"><numFmts count="1"><numFmt numFmtId="164" '
                         'formatCode="dd/mm/yyyy;@"/></numFmts><cellXfs count="3"><xf numFmtId="0"/>'
                         '<xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="164"/></cellXfs>'
                         "</styleSheet>",
        "xl/sharedStrings.xml": f'<sst xmlns="{main_ns}">{"".join(items)}</sst>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main_ns}"><sheetData>{title}{"".join(xml_rows)}'
                                    "</sheetData></worksheet>",
    }
    for i in range(2, sheets + 1):
        files[f"xl/worksheets/sheet{i}.xml"] = f'<worksheet xmlns="{main_ns}"><sheetData/></worksheet>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in {**files, **(parts or {})}.items():
            archive.writestr(name, text)
    return path


def _sheet_row(**cells: object) -> list[object]:
    row: list[object] = list(_row())
    row[HEADER.index("Created Date")] = dt.date(2026, 3, 14)
    for name, value in cells.items():
        row[HEADER.index(name.replace("_", " "))] = value
    return row


def test_the_first_sheet_of_an_excel_workbook_is_imported(catalog: Path, tmp_path: Path) -> None:
    book = _workbook(tmp_path / "refs.xlsx", [
        list(HEADER), _sheet_row(Contact_ID=3301), [], _sheet_row(
            Contact_ID=3302, First_Name="山田", Last_Name="太郎", Account_Name="Sakura Bank",
            Title="", Created_Date=dt.date(2026, 11, 2)),
        _sheet_row(Contact_ID=3303, First_Name="Zoë", Last_Name="Ng", Account_Owner="Pat Nobody")],
        first_row=3, sheets=2)
    code, out, err = _import(catalog, book, "--write")
    assert code == 1, err
    assert out.splitlines() == [
        "refs.xlsx:3:1: warning: the workbook has 2 sheets; only the first, 'Sheet1', was read — move "
        "the export to the first sheet, or save that sheet as CSV UTF-8",
        "refs.xlsx:6:4: error: title is required, and the row leaves it empty (Title) — fill the cell "
        "in the export, or give title under defaults: in the mapping",
        "refs.xlsx:7:11: error: Account Owner 'Pat Nobody' is not in catalog.yaml — add it under "
        "values.owner in the mapping, or use one of: amara-okafor, ben-takeda, carla-mendes, dev-raman, "
        "elise-fontaine, grace-whitfield, hamish-kerr, priya-natarajan"]
    assert "refs.xlsx: 4 rows — 1 new in nominations/" in err and "wrote 1 file(s)" in err
    doc = read(catalog / "nominations" / "ana-lima.yaml", "x").data
    assert doc["nominated_on"] == "2026-03-14" and doc["private"]["external_id"] == "3301"
    assert doc["company"]["name"] == "Banco Sol" and doc["reason"] == "Keen."
    result = CliRunner().invoke(main, ["--root", str(catalog), "validate", "--strict", "--as-of",
                                       AS_OF.isoformat()])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("name", "content", "said"), [
    ("refs.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
     "refs.xls: is an Excel workbook in the old .xls format, or protected by a password"),
    ("refs.ods", {"content.xml": b"<office:document-content/>", "mimetype": b"x"},
     "refs.ods: is an OpenDocument spreadsheet, not a CSV file"),
    ("refs.xlsx", {"xl/styles.xml": b'<!DOCTYPE x [<!ENTITY a "aaaa">]><styleSheet/>'},
     "refs.xlsx: xl/styles.xml declares a document type, which Excel never writes"),
    ("refs.xlsx", {"xl/worksheets/sheet1.xml": b"<worksheet><sheetData>" + b" " * 300_000},
     "refs.xlsx: xl/worksheets/sheet1.xml unpacks to more than 0.2 MB"),
    ("refs.xlsx", {"xl/workbook.xml": b"<workbook><sheets>"},
     "refs.xlsx: is an Excel workbook this tool cannot read"),
])
def test_a_workbook_that_cannot_be_read_is_one_line(catalog: Path, tmp_path: Path, monkeypatch:
                                                   pytest.MonkeyPatch, name: str, content: object,
                                                   said: str) -> None:
    import zipfile

    from advocate_catalog import tables

    monkeypatch.setattr(tables, "MAX_SHEET_BYTES", 200_000)  # a sheet may unpack to 0.2 MB here
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif name.endswith(".ods"):
        with zipfile.ZipFile(path, "w") as archive:
            for member, data in dict(content).items():  # type: ignore[call-overload]
                archive.writestr(member, data)
    else:
        _workbook(path, [list(HEADER), _sheet_row()], parts=content)  # type: ignore[arg-type]
    code, out, err = _import(catalog, path)
    assert (code, out) == (1, "") and err.count("\n") == 1, err
    assert err.startswith(f"error: {said}") and err.rstrip().endswith(
        "— save it as CSV UTF-8 (File → Save As → CSV UTF-8) and import that"), err
