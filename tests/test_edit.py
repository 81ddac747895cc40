"""Edits keep the file as written: comments anywhere, order, quoting, block stories survive `log`,
`verify` and `promote`, and the result still validates (property tests, derandomized)."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from test_properties import _fit

from advocate_catalog.edit import append_activity, promoted, set_field
from advocate_catalog.errors import CatalogError
from advocate_catalog.load import Document, parse, to_yaml
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


def _aligned_log(entries: int, *, newline: str = "\n") -> str:
    """A sample profile with a long activity log kept as people keep one: values lined up in a
    column after the keys, every third entry with a note lined up after its date."""
    text = (ROOT / "advocates" / "aino-virtanen.yaml").read_text(encoding="utf-8")
    head, rest = text.split("activity:\n", 1)
    types = CONFIG.ids("activities")
    log = ["activity:\n"]
    for i in range(entries):
        day = (dt.date(2020, 1, 1) + dt.timedelta(days=i * 2 % 2400)).isoformat()
        note = "   # agreed at the quarterly review" if i % 3 == 0 else ""
        log.append(f"  - date:         {day}{note}\n"
                   f"    type:         {types[i % len(types)]}\n"
                   f"    requested_by: Enterprise Sales {('EMEA', 'APAC', 'North America')[i % 3]}\n"
                   f"    opportunity:  Globex renewal {i}\n")
    return (head + "".join(log) + rest[rest.index("recognition:"):]).replace("\n", newline)


def _as_nomination(text: str) -> str:
    return text.replace("status: active\n", "nominated_by: marisol.ortega@tessellate.example\n"
                        "nominated_on: 2026-10-02\nreason: |\n  Runs the largest log we keep.\n") \
        .replace("last_verified: 2026-08-19\n", "")


EDITS = {
    "verify": lambda text: set_field(text, "advocates/a.yaml", "last_verified", "2026-11-20"),
    "log": lambda text: append_activity(text, "advocates/a.yaml", {
        "date": "2026-11-20", "type": "webinar", "requested_by": "Product Marketing",
        "opportunity": "Initech expansion"}),
    "promote": lambda text: promoted(_as_nomination(text), "nominations/a.yaml", "2026-11-20"),
}


def _reads(monkeypatch: pytest.MonkeyPatch, edit_of: str, text: str) -> tuple[str, int, float]:
    """The edited text, how many times the whole file was parsed, and the CPU seconds taken."""
    from advocate_catalog import edit

    calls: list[str] = []

    def counted(text: str, display: str) -> Document:
        calls.append(display)
        assert len(calls) <= 20, "the file is parsed again for every changed stretch"
        return parse(text, display)

    monkeypatch.setattr(edit, "parse", counted)
    started = time.process_time()
    after = EDITS[edit_of](text)
    return after, len(calls), time.process_time() - started


@pytest.mark.parametrize("edit_of", sorted(EDITS))
def test_editing_a_long_column_aligned_log_is_linear(monkeypatch: pytest.MonkeyPatch, edit_of: str) -> None:
    """Security issue 22: a 274 KB profile whose log is aligned in columns passed validate in
    0.8 s, then `verify` took 293 s of CPU: ruamel writes every entry without the aligning
    spaces, and each changed stretch was put back and checked with a parse of the whole file.
    Now the file is parsed the same few times whatever its length, and the columns survive."""
    small, large = _aligned_log(30), _aligned_log(2100)
    assert 280_000 < len(large.encode()) < 330_000
    _, small_reads, _ = _reads(monkeypatch, edit_of, small)
    after, reads, seconds = _reads(monkeypatch, edit_of, large)
    assert reads == small_reads <= 3  # the file, ruamel's text, the result
    assert seconds < 5, f"{edit_of} took {seconds:.1f} s of CPU on {len(large):,} bytes"
    log = large[large.index("activity:\n"):large.index("recognition:")]
    assert log in after  # every aligned entry and note as written
    if edit_of == "verify":
        assert after == large.replace("last_verified: 2026-08-19", "last_verified: 2026-11-20")
    elif edit_of == "log":
        assert after == large.replace(log, log + "  - date: 2026-11-20\n    type: webinar\n"
                                      "    requested_by: Product Marketing\n"
                                      "    opportunity: Initech expansion\n")
    else:
        assert parse(after, "x").data["nomination"]["nominated_on"] == "2026-10-02"


def test_an_edit_that_must_reindent_a_list_stays_within_a_few_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """A log written without indenting its dashes (a heading comment every ten entries) cannot
    take an entry that ruamel indents: the log is written anew, found out in a few parses."""
    from advocate_catalog import edit

    head, rest = _aligned_log(300).split("activity:\n")
    log, tail = rest.split("recognition:")
    entries = re.sub(r"(?m)^  ", "", log).split("- date:")[1:]
    log = "".join(("# the next ten\n" if i % 10 == 0 else "") + "- date:" + entry
                  for i, entry in enumerate(entries))
    text = f"{head}activity:\n{log}recognition:{tail}"
    assert text.count("\n# the next ten\n- date:") == 30 and not parse(text, "x").issues
    after, reads, _ = _reads(monkeypatch, "log", text)
    assert reads <= 3 + edit._TRIES
    assert parse(after, "x").data["activity"][-1]["opportunity"] == "Initech expansion"
    assert after.split("recognition:")[1] == text.split("recognition:")[1]  # the rest as written


def test_windows_line_ends_keep_the_columns() -> None:
    """Every line of a CRLF file used to count as changed, so a whole aligned log was rewritten."""
    text = _aligned_log(5, newline="\r\n")
    after = EDITS["verify"](text)
    assert after == text.replace("last_verified: 2026-08-19", "last_verified: 2026-11-20")
