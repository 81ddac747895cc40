"""The exports for spreadsheets and tools: advocates.csv opens in Excel with its accents intact,
carries labels beside its ids and the languages spoken; advocates.json stays plain UTF-8."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from advocate_catalog import exports
from advocate_catalog.activity import availability
from advocate_catalog.model import Advocate
from advocate_catalog.render import country_name, language_name

from conftest import AS_OF

UTF8_BOM = b"\xef\xbb\xbf"


def excel_decode(data: bytes) -> str:
    """What Excel on Windows does when it opens a CSV: UTF-8 when the file starts with a byte
    order mark, else the machine's code page (Windows-1252 in Western Europe and the Americas)."""
    if data.startswith(UTF8_BOM):
        return data[len(UTF8_BOM):].decode("utf-8")
    return data.decode("cp1252", errors="replace")


def _rows(built_site: Path) -> list[dict[str, str]]:
    text = excel_decode((built_site / "advocates.csv").read_bytes())
    return list(csv.DictReader(io.StringIO(text)))


def test_the_csv_starts_with_one_byte_order_mark_and_the_json_with_none(built_site: Path) -> None:
    data = (built_site / "advocates.csv").read_bytes()
    assert data.startswith(UTF8_BOM) and not data[len(UTF8_BOM):].startswith(UTF8_BOM)
    assert data[len(UTF8_BOM):].startswith(b"id,name,")
    json_bytes = (built_site / "advocates.json").read_bytes()
    assert json_bytes.startswith(b"{") and json.loads(json_bytes.decode("utf-8"))["advocates"]


def test_an_accented_name_round_trips_through_excel(sample_catalog) -> None:
    config = sample_catalog.config
    original = sample_catalog.listed(AS_OF)[0]
    advocate = Advocate(id=original.id, path=original.path,
                        data={**original.data, "name": "\u00c9lise Fontaine"})
    records = [exports.record(config, advocate, availability(advocate, AS_OF, config.limits), AS_OF)]
    data = exports.to_csv(records).encode("utf-8")  # as the build writes it
    row = next(csv.DictReader(io.StringIO(excel_decode(data))))
    assert row["name"] == "\u00c9lise Fontaine"
    # The oracle is the one the bug report saw: without the mark, Excel shows mojibake.
    assert "\u00c3\u2030lise" in excel_decode(data.removeprefix(UTF8_BOM))


def test_every_listed_accented_name_reads_back_in_excel(built_site: Path, sample_catalog) -> None:
    names = {row["id"]: row["name"] for row in _rows(built_site)}
    accented = [a for a in sample_catalog.listed(AS_OF) if not a.name.isascii()]
    assert accented
    assert all(names[a.id] == a.name for a in accented)


def test_labels_sit_beside_the_ids_they_name() -> None:
    columns = exports.CSV_COLUMNS
    assert columns[0] == "id"  # the search page's download finds rows by the first column
    labelled = [c.removesuffix("_label") for c in columns if c.endswith("_label")]
    assert set(labelled) == {"persona", "function", "industry", "size", "region", "country",
                             "languages", "products", "willing"}
    assert all(columns[columns.index(c) + 1] == f"{c}_label" for c in labelled)


def test_each_label_is_the_catalogs_name_for_the_id(built_site: Path, sample_catalog) -> None:
    config = sample_catalog.config
    rows = _rows(built_site)
    assert {row["id"] for row in rows} == {a.id for a in sample_catalog.listed(AS_OF)}
    vocabularies = {"persona": "personas", "industry": "industries", "size": "company_sizes",
                    "region": "regions"}
    for row in rows:
        for column, vocabulary in vocabularies.items():
            assert row[f"{column}_label"] == config.label(vocabulary, row[column])
        assert row["function_label"] == (config.label("functions", row["function"])
                                         if row["function"] else "")
        assert row["country_label"] == country_name(row["country"])
        for column, vocabulary in (("products", "products"), ("willing", "activities")):
            ids = row[column].split("; ") if row[column] else []
            assert row[f"{column}_label"] == "; ".join(config.label(vocabulary, i) for i in ids)
    by_id = {row["id"]: row for row in rows}
    meera = by_id["meera-krishnan"]
    assert (meera["industry"], meera["industry_label"]) == ("healthcare", "Healthcare & Life Sciences")
    assert meera["willing_label"].startswith("Reference call; Case study")


def test_the_languages_column_names_each_language(built_site: Path, sample_catalog) -> None:
    by_id = {row["id"]: row for row in _rows(built_site)}
    assert (by_id["meera-krishnan"]["languages"], by_id["meera-krishnan"]["languages_label"]) == (
        "en; ta; hi", "English; Tamil; Hindi")
    for advocate in sample_catalog.listed(AS_OF):
        codes = advocate.data.get("languages", [])
        row = by_id[advocate.id]
        assert row["languages"] == "; ".join(codes)
        assert row["languages_label"] == "; ".join(language_name(code) for code in codes)


def test_the_json_export_carries_the_same_labels(built_site: Path) -> None:
    records = {r["id"]: r for r in json.loads((built_site / "advocates.json").read_text("utf-8"))
               ["advocates"]}
    for row in _rows(built_site):
        labels = records[row["id"]]["labels"]
        assert labels["industry"] == row["industry_label"]
        assert "; ".join(labels["languages"]) == row["languages_label"]
        assert "; ".join(labels["willingness"][a] for a in row["willing"].split("; ") if a) == \
            row["willing_label"]
