"""Control characters and non-characters: refused where they enter (with their line), escaped
wherever the tool prints, whatever reaches it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from advocate_catalog.cli import main
from advocate_catalog.load import parse
from advocate_catalog.text import FORBIDDEN, printable, strip

from conftest import ROOT, write

CASES = ROOT / "tests" / "cases"


@pytest.mark.parametrize("escape", ["\\0", "\\x01", "\\e", "\\x7f", "\\x85", "\\x9b", "\\uFFFE",
                                    "\\uFDD0", "\\U0010FFFF", "\\r"])
def test_the_loader_refuses_each_with_its_line(escape: str) -> None:
    doc = parse(f'id: x\ntitle: "Head{escape} of data"\n', "advocates/x.yaml")
    (issue,) = doc.issues
    assert (issue.line, issue.col) == (2, 8) and "control or non-character" in issue.message
    assert doc.data["title"] is None


def test_tab_and_newline_stay_allowed_in_text() -> None:
    doc = parse('story: "One\\tTwo\\nThree"\n', "x")
    assert doc.issues == [] and doc.data["story"] == "One\tTwo\nThree"


def test_printing_escapes_and_files_strip() -> None:
    assert printable("a\x1b[8mb\x9b\ufffe\U0001fffe") == "a\\x1b[8mb\\x9b\\ufffe\\U0001fffe"
    assert strip("a\x00b\x85c\ufdd0d\te\nf") == "abcd\te\nf"
    assert not FORBIDDEN.search(printable("".join(map(chr, range(0x20)))))


def test_nothing_the_cli_prints_holds_a_raw_escape(repo: Path) -> None:
    """A file name is data too: an ESC sequence in it must reach the terminal as text."""
    profile = (CASES / "valid" / "full-profile.yaml").read_text()
    write(repo / "advocates", "bad\x1b[8mname.yaml", profile)
    write(repo / "advocates", "full-profile.yaml", profile.replace("title: ", 'title: "\\e[8m"  #', 1))
    result = CliRunner().invoke(main, ["--root", str(repo), "validate", "--as-of", "2026-11-23"])
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "bad\\x1b[8mname.yaml" in result.output
    assert "control or non-character \\x1b" in result.output
