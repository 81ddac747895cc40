"""Edits keep the file as written: comments anywhere, order, quoting, block stories survive `log`,
`verify` and `promote`, and the result still validates (property tests, derandomized)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from test_properties import _fit

from advocate_catalog.edit import append_activity, promoted, set_field
from advocate_catalog.errors import CatalogError
from advocate_catalog.load import parse, to_yaml
from advocate_catalog.validate import check_document, compile_schemas, load_config

from conftest import AS_OF, ROOT

# No shrinking: a failure prints its example at once instead of minutes later.
SETTINGS = {"derandomize": True, "deadline": None, "database": None,
            "phases": (Phase.explicit, Phase.generate),
            "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large,
                                      HealthCheck.filter_too_much]}
CONFIG = load_config(ROOT)[0]
SCHEMAS = compile_schemas(ROOT, CONFIG)
PROFILES = from_schema(SCHEMAS.advocate.explain.schema)
SAMPLES = sorted((ROOT / "advocates").glob("*.yaml"))
ENTRIES = st.fixed_dictionaries({
    "date": st.dates(dt.date(2024, 1, 1), AS_OF).map(dt.date.isoformat),
    "type": st.sampled_from(CONFIG.ids("activities")),
    "requested_by": st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
                            min_size=1, max_size=30).map(str.strip).filter(bool),
    "opportunity": st.sampled_from(["no", "08", "yes: maybe", "# not a comment", "Globex renewal",
                                    "'quoted'", "O'Neil & Co", "2026-01-02", "- dash", "ümlaut"]),
})


def _errors(text: str, name: str = "generated") -> list[str]:
    doc = check_document(parse(text, f"advocates/{name}.yaml"), name, SCHEMAS.advocate, AS_OF)
    return [str(issue) for issue in doc.issues if issue.severity == "error"]


def _block_scalar_lines(text: str) -> set[int]:
    """0-based lines inside a block scalar's content, where a `#` is text, not a comment."""
    lines: set[int] = set()

    def walk(node: yaml.Node) -> None:
        if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
            lines.update(range(node.start_mark.line + 1, node.end_mark.line + 1))
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                walk(key)
                walk(value)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                walk(item)

    walk(yaml.compose(text, Loader=yaml.SafeLoader))
    return lines


@st.composite
def commented(draw: st.DrawFn, text: str) -> tuple[str, list[str]]:
    """`text` with comments put in random places: on their own line (indented like the next
    line) or at a line's end, never inside a block story. Returns the text and the comments."""
    lines = text.splitlines()
    blocked = _block_scalar_lines(text)
    free = [i for i in range(len(lines)) if i not in blocked]
    chosen = draw(st.lists(st.sampled_from(free), min_size=1, max_size=6, unique=True))
    comments = []
    for n, i in enumerate(sorted(chosen, reverse=True)):
        comment = f"# note {n} for the reviewer"
        comments.append(comment)
        if draw(st.booleans()) and lines[i].strip():
            lines[i] = f"{lines[i]}  {comment}"
        else:
            indent = re.match(r"\s*", lines[i]).group() if lines[i].strip() else ""
            if lines[i].lstrip().startswith("- "):
                indent = indent  # a comment before a list item sits at the dash
            lines.insert(i, f"{indent}{comment}")
    return "\n".join(lines) + "\n", comments


@st.composite
def profiles(draw: st.DrawFn) -> tuple[str, str]:
    """(name, text): a sample profile as written by a person, or one generated from the schema."""
    if draw(st.booleans()):
        path = draw(st.sampled_from(SAMPLES))
        return path.stem, path.read_text(encoding="utf-8")
    return "generated", to_yaml(_fit(draw(PROFILES)))


@settings(max_examples=120, **SETTINGS)
@given(data=st.data())
def test_log_and_verify_keep_every_comment_and_validate(data: st.DataObject) -> None:
    name, original = data.draw(profiles())
    text, comments = data.draw(commented(original))
    before = parse(text, "x")
    assert not before.issues and before.data == parse(original, "x").data  # the comments are comments
    entry = data.draw(ENTRIES)
    day = data.draw(st.dates(dt.date(2020, 1, 1), AS_OF)).isoformat()
    after = set_field(append_activity(text, f"advocates/{name}.yaml", entry),
                      f"advocates/{name}.yaml", "last_verified", day)
    for comment in comments:
        assert after.count(comment) == text.count(comment), comment
    data_after = parse(after, "x").data
    assert data_after["activity"][-1] == entry
    assert data_after["last_verified"] == day
    assert {k: v for k, v in data_after.items() if k not in ("activity", "last_verified")} == {
        k: v for k, v in before.data.items() if k not in ("activity", "last_verified")}
    assert _errors(after, name) == _errors(text, name) == []
    # Nothing else moved: every line of the original is still there, in the same order.
    kept = iter(after.splitlines())
    assert all(any(line == other for other in kept) for line in text.splitlines()
               if not line.startswith(("last_verified:", "activity: []")))


def test_verify_is_a_one_line_change() -> None:
    text = (ROOT / "advocates" / "emily-tran.yaml").read_text(encoding="utf-8")
    text = text.replace("last_verified: 2026-03-18", "last_verified: 2026-03-18  # by Grace")
    after = set_field(text, "advocates/emily-tran.yaml", "last_verified", "2026-11-20")
    changed = [(a, b) for a, b in zip(text.splitlines(), after.splitlines(), strict=True) if a != b]
    assert changed == [("last_verified: 2026-03-18  # by Grace", "last_verified: 2026-11-20  # by Grace")]


def test_windows_line_ends_and_a_missing_final_newline_are_kept() -> None:
    text = "id: x\r\n# why\r\nowner: a\r\nlast_verified: 2026-01-01"
    after = set_field(text, "advocates/x.yaml", "last_verified", "2026-02-02")
    assert after == "id: x\r\n# why\r\nowner: a\r\nlast_verified: 2026-02-02"


def test_an_edit_that_would_change_other_values_is_refused() -> None:
    """YAML 1.1 (our reader) and 1.2 (ruamel) read `0o17` differently: the edit must not go ahead
    and write a file that now says something else."""
    text = "id: x\nnotes: 0o17\nowner: a\nlast_verified: 2026-01-01\n"
    try:
        after = set_field(text, "advocates/x.yaml", "last_verified", "2026-02-02")
    except CatalogError as error:
        assert "could not be edited" in str(error)
    else:
        assert parse(after, "x").data["notes"] == parse(text, "x").data["notes"]


def test_a_file_with_errors_is_not_edited() -> None:
    with pytest.raises(CatalogError, match="has errors"):
        set_field("id: x\n  bad: [\n", "advocates/x.yaml", "last_verified", "2026-02-02")


@settings(max_examples=40, **SETTINGS)
@given(data=st.data())
def test_promote_keeps_comments_on_fields_that_stay(data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(sorted((ROOT / "nominations").glob("*.yaml"))))
    original = path.read_text(encoding="utf-8")
    text, _ = data.draw(commented(original))
    after = promoted(text, f"nominations/{path.name}", "2026-11-20")
    profile = parse(after, "x").data
    assert profile["status"] == "nominated" and profile["last_verified"] == "2026-11-20"
    assert "nominated_by" not in profile and profile["nomination"]["nominated_by"]
    assert _errors(after, path.stem) == []
    # Comments on lines that stay where they were are kept.
    moved = ("nominated_by:", "nominated_on:", "reason:")
    for line in text.splitlines():
        if "# note" in line and not line.lstrip().startswith(moved):
            assert line.strip() in after or line.split("  # ")[-1] in after, line


@pytest.mark.parametrize("path", SAMPLES[:5], ids=lambda p: p.stem)
def test_samples_round_trip_unchanged(path: Path) -> None:
    """Setting a field to the value it has changes nothing at all in the file."""
    text = path.read_text(encoding="utf-8")
    same = parse(text, "x").data["last_verified"]
    assert set_field(text, f"advocates/{path.name}", "last_verified", same) == text


def test_building_never_imports_the_editor() -> None:
    """ruamel.yaml is for commands that change files; validate, build and serve start without it."""
    import subprocess
    import sys

    code = ("import sys, advocate_catalog.cli, advocate_catalog.build, advocate_catalog.render, "
            "advocate_catalog.issueform; print(any(m.startswith('ruamel') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
