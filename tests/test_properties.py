"""Property tests, derandomized (fixed seed) with a bounded number of examples:
any schema-valid profile validates and builds; any mutation of a real file gives a valid build or
clean one-line issues, never a crash."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from advocate_catalog.build import build
from advocate_catalog.load import parse, to_yaml
from advocate_catalog.render import render_site
from advocate_catalog.validate import compile_schemas, load_config, validate

from conftest import AS_OF, ROOT, copy_repo

SETTINGS = {"derandomize": True, "deadline": None, "database": None,
            "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large,
                                      HealthCheck.filter_too_much]}
CONFIG = load_config(ROOT)[0]
PROFILES = from_schema(compile_schemas(ROOT, CONFIG).advocate.explain.schema)
ISSUE_LINE = re.compile(r"^advocates/[\w.-]+\.yaml:\d+:\d+: (error|warning): [^\n]+$")


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_repo(tmp_path_factory.mktemp("properties") / "repo", with_data=False)


def _fit(profile: dict) -> dict:
    """Make a schema-valid profile meet the rules a schema cannot state (id = file name, real
    ISO codes, no dates in the future): those have their own tests."""
    profile = {**profile, "id": "generated"}
    profile["company"] = {**profile["company"], "country": "NO"}
    if "languages" in profile:
        profile["languages"] = ["en"]

    def past(value):
        if isinstance(value, dict):
            return {k: (min(v, AS_OF.isoformat()) if k.endswith("_on") or k in ("last_verified", "date")
                        else past(v)) for k, v in value.items()}
        return [past(v) for v in value] if isinstance(value, list) else value

    return past(profile)


def _write(repo: Path, name: str, text: str) -> None:
    for old in (repo / "advocates").glob("*"):
        old.unlink()
    (repo / "advocates" / name).write_text(text, encoding="utf-8")


@settings(max_examples=60, **SETTINGS)
@given(profile=PROFILES)
def test_any_schema_valid_profile_validates_and_renders(scratch: Path, profile: dict) -> None:
    profile = _fit(profile)
    text = to_yaml(profile)
    assert parse(text, "x").data == profile  # what we write, we read back identically
    _write(scratch, "generated.yaml", text)
    result = validate(scratch, AS_OF)
    assert result.errors == []
    pages = render_site(result.catalog, scratch / "templates", AS_OF)
    listed = {a.id for a in result.catalog.listed(AS_OF)}
    assert ("advocates/generated/index.html" in pages) == ("generated" in listed)


@settings(max_examples=5, **SETTINGS)
@given(profile=PROFILES)
def test_schema_valid_profiles_build_with_the_search_index(scratch: Path, profile: dict) -> None:
    _write(scratch, "generated.yaml", to_yaml(_fit(profile)))
    summary = build(scratch, scratch / "site", AS_OF)
    order = json.loads((scratch / "site" / "search" / "order.json").read_text())
    assert order["shards"] == ([0] if summary.advocates else [])  # no profile listed: no index
    assert all((scratch / "site" / "search" / str(k) / "pagefind.js").exists() for k in order["shards"])
    assert len(order["name"]) == summary.advocates
    assert summary.pages >= 5
    shutil.rmtree(scratch / "site")


SAMPLE = sorted((ROOT / "advocates").glob("*.yaml"))[0].read_text(encoding="utf-8")
SNIPPETS = [":", ": ", "-", "- ", " ", "  ", "\t", "\n", "&a ", "*a", "!!python/object:os.system ",
            "!x ", "[", "]", "{", "}", "'", '"', "#", "|", ">", "%", "@", "`", "---\n", "? ",
            "\x00", "é", "\u202e", "😀", "yes", "NO", "0755", "1:30", "2026-02-30", "<script>",
            "\r\n", "\ufeff", "~", "null", "<<: ", "\\", "\x85"]


@st.composite
def mutants(draw: st.DrawFn) -> str:
    text = SAMPLE
    for _ in range(draw(st.integers(1, 4))):
        lines = text.split("\n")
        kind = draw(st.sampled_from(["insert", "delete", "duplicate", "swap", "indent", "truncate"]))
        if kind == "insert":
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(st.sampled_from(SNIPPETS)) + text[at:]
        elif kind == "delete":
            at = draw(st.integers(0, len(text)))
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
        elif kind == "truncate":
            text = text[: draw(st.integers(0, len(text)))]
        else:
            i = draw(st.integers(0, len(lines) - 1))
            j = draw(st.integers(0, len(lines) - 1))
            if kind == "duplicate":
                lines.insert(j, lines[i])
            elif kind == "swap":
                lines[i], lines[j] = lines[j], lines[i]
            else:
                lines[i] = draw(st.sampled_from(["", " ", "  ", "\t"])) + lines[i].lstrip(" ")
            text = "\n".join(lines)
    return text


@settings(max_examples=300, **SETTINGS)
@given(text=mutants())
def test_mutations_give_clean_issues_or_a_valid_render(scratch: Path, text: str) -> None:
    name = SAMPLE.split("\n", 1)[0].removeprefix("id: ").strip() + ".yaml"
    _write(scratch, name, text)
    result = validate(scratch, AS_OF)
    for issue in result.issues:
        assert ISSUE_LINE.match(str(issue)), str(issue)
    if not result.errors:
        render_site(result.catalog, scratch / "templates", AS_OF)


def test_mutations_start_from_a_valid_file(scratch: Path) -> None:
    name = SAMPLE.split("\n", 1)[0].removeprefix("id: ").strip() + ".yaml"
    _write(scratch, name, SAMPLE)
    assert validate(scratch, AS_OF).issues == []
