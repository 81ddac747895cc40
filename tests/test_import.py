"""`import`: a spreadsheet or CRM export becomes nominations, row by row, with every row that
cannot be reported at its cell, nothing written without --write, and nothing imported twice."""

from __future__ import annotations

import datetime as dt
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
            assert f"also on row {truth['duplicate_rows'][row]}" in match["what"]
    good = len(truth["good_rows"])
    assert f"2000 rows — {good} new in nominations/, 0 already imported, " \
           f"{len(errors | warnings)} reported; nothing written" in err

    code, _, err = _import(catalog, csv, "--write")
    assert code == 1 and f"wrote {good} file(s)" in err
    assert len(_nominations(catalog) - before) == good
    result = validate(catalog, AS_OF)
    assert result.errors == []
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


def test_a_file_that_is_not_utf8_is_one_line_not_a_traceback(catalog: Path, tmp_path: Path) -> None:
    csv = tmp_path / "refs.csv"
    csv.write_bytes(",".join(HEADER).encode() + b"\r\n003X1,Jos\xe9,Lima\r\n")
    code, _, err = _import(catalog, csv)
    assert code == 1 and err.count("\n") == 1
    assert "refs.csv:2:1: the file is not UTF-8 — export it as \"CSV UTF-8\"" in err


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
    assert (code, out) == (0, ""), out + err
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
    assert (code, out) == (0, ""), out + err
    assert (catalog / "nominations" / f"{cut}.yaml").read_text(encoding="utf-8") == "# mine\n"
    [new] = _nominations(catalog) - before
    assert new != f"{cut}.yaml" and len(new) <= len(".yaml") + 80


def test_the_same_person_on_two_rows_is_reported_at_the_second(catalog: Path, tmp_path: Path) -> None:
    csv = _csv(tmp_path, _row(Contact_ID="003A1"), _row(Contact_ID="003A2", Title="Chief Financial Officer"))
    code, out, err = _import(catalog, csv, "--write")
    assert code == 1
    [line] = out.splitlines()
    match = ISSUE.match(line)
    assert match and (match["row"], match["col"], match["severity"]) == ("3", "1", "error"), line
    assert "Ana Lima of Banco Sol is also on row 2 (Contact ID 003A1)" in match["what"]
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
