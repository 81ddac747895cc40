"""The YAML loader: YAML 1.2 scalars, exact positions, and surprises reported as issues."""

from __future__ import annotations

from pathlib import Path

import pytest

from advocate_catalog.load import parse, read

NESTED = """\
id: x
company:
  name: Acme
  region: emea
quotes:
  - text: hello
    approved_on: 2026-01-02
"""


def test_positions_of_nested_values_and_keys() -> None:
    doc = parse(NESTED, "f.yaml")
    assert doc.issues == []
    assert doc.locate(("company", "region")) == (4, 11)
    assert doc.locate(("quotes", 0, "approved_on")) == (7, 18)
    assert doc.locate(("company", "region"), key=True) == (4, 3)
    # A path that is not in the file falls back to its nearest ancestor.
    assert doc.locate(("company", "size")) == (3, 3)


def test_yaml_1_1_traps_keep_their_written_meaning() -> None:
    doc = parse("a: NO\nb: yes\nc: on\nd: 0755\ne: 1:30\nf: 1.10\ng: true\nh: 2026-03-04\ni: ~\n", "f")
    assert doc.data == {"a": "NO", "b": "yes", "c": "on", "d": 755, "e": "1:30", "f": 1.1,
                        "g": True, "h": "2026-03-04", "i": None}


def test_duplicate_key_is_an_error_at_the_second_key() -> None:
    doc = parse("name: A\ntitle: B\nname: C\n", "f.yaml")
    assert [str(i) for i in doc.issues] == [
        "f.yaml:3:1: error: duplicate key 'name' (first on line 1) — keep one of them and delete the other"]


def test_impossible_date_is_an_error_with_its_position() -> None:
    doc = parse("a:\n  b: 2026-02-30\n", "f.yaml")
    assert [(i.line, i.col, i.message) for i in doc.issues] == [(2, 6, "'2026-02-30' is not a real date")]


def test_foreign_tags_are_refused_not_constructed() -> None:
    doc = parse("a: !!python/object/apply:os.system ['touch /tmp/pwned']\nb: !custom x\n", "f")
    assert [i.line for i in doc.issues] == [1, 2]
    assert all("is not allowed" in i.message for i in doc.issues)
    assert doc.data == {"a": None, "b": None}


def test_alias_is_reported_where_it_is_used() -> None:
    doc = parse("a: &x [1, 2]\nb: *x\n", "f.yaml")
    assert [(i.line, i.message) for i in doc.issues] == [(2, "aliases (*name) are not supported")]


def test_billion_laughs_stops_at_the_first_alias() -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, 10)]
    doc = parse("\n".join(levels) + "\n", "f.yaml")
    assert doc.issues and all("aliases" in i.message for i in doc.issues)


def test_not_a_mapping() -> None:
    for text, message in [("", "the file is empty"), ("- a\n- b\n", "must be a mapping"),
                          ("just text\n", "must be a mapping"),
                          ("a: 1\n---\nb: 2\n", "several YAML documents")]:
        doc = parse(text, "f.yaml")
        assert doc.data is None
        assert message in doc.issues[0].message


def test_syntax_error_has_position_and_hint() -> None:
    doc = parse("a: 1\nb: 3\n c: 4\n", "f.yaml")
    (issue,) = doc.issues
    assert (issue.line, issue.col) == (3, 3) and issue.message.startswith("YAML syntax:") and issue.hint


@pytest.mark.parametrize(("text", "where", "message"), [
    ('a: 1\nb: "two\nc: 3\n', (2, 4), "this quoted string is never closed"),
    ("a: 1\nb: 'two\n---\nc: 3\n", (2, 4), "this quoted string is never closed"),
    ("a: [1, 2\nb: 3\n", (1, 4), "this [ list is still open at line 2"),
    ("a: {x: 1,\n  y: 2\nb: 3\n", (1, 4), "this { mapping is still open at line 3"),
    ("a: [Łódź, ạ, 'Кирилл\n", (1, 14), "this quoted string is never closed"),  # columns count characters
    ('a: "one\nb: "two"\n', (1, 4), "this quoted string runs on to line 2"),
    ("a: 'Customer's'\n", (1, 14), "text follows the closing quote"),
    ("a: 1\nb\n", (2, 1), "this line is not `key: value`: no ':' follows it"),
    ("a: [1, 'x' y]\n", (1, 12), "YAML syntax: did not find expected ',' or ']'"),  # not left open
])
def test_syntax_error_points_where_the_construct_opens(text: str, where: tuple[int, int],
                                                       message: str) -> None:
    (issue,) = parse(text, "f.yaml").issues
    assert ((issue.line, issue.col), issue.message) == (where, message), issue


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(b"\xef\xbb\xbfid: x\n")
    assert read(path, "f.yaml").data == {"id": "x"}


def test_invalid_utf8_is_located(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(b"id: x\nname: caf\xe9\n")
    (issue,) = read(path, "f.yaml").issues
    assert (issue.line, issue.col, issue.message) == (2, 10, "the file is not UTF-8 text")


def test_oversized_file_is_refused_without_parsing(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(b"story: " + b"x" * 1_100_000 + b"\n")
    (issue,) = read(path, "f.yaml").issues
    assert "over the 1,000,000-byte limit" in issue.message


def test_a_cached_position_is_found_in_the_text_as_the_whole_map_would_give_it() -> None:
    """The build cache keeps each file's positions as JSON; one is looked up in that text without
    parsing the map, and gives what the parsed map gives, for every value and missing paths."""
    from advocate_catalog.load import Positions, _places_from_json

    root = Path(__file__).resolve().parent.parent
    text = (root / "advocates" / sorted(p.name for p in (root / "advocates").glob("*.yaml"))[0]).read_text()
    text += 'odd "key]],[" : 1\n"ключ ✓": [x, {y: 2}]\n'
    doc = parse(text, "a.yaml")
    assert not [i for i in doc.issues if i.severity == "error"]
    packed = doc.positions.to_json()
    values, _keys = _places_from_json(packed)
    assert len(values) > 20 and ("odd \"key]],[\"",) in values
    cached = Positions.from_json(packed)
    for path, where in values.items():
        if path:
            assert cached.value_at(path) == where, path
    assert cached.value_at(("no such key",)) is None
    assert Positions.from_json("not json").value_at(("name",)) is None
