"""One test per valid example file: each validates without a single issue (bad ones: bad_inputs/)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from advocate_catalog.validate import validate

from conftest import AS_OF

CASES = Path(__file__).parent / "cases"


def _case_files(kind: str) -> list[Path]:
    return sorted((CASES / kind).glob("*.yaml"))


def _issues_for(repo: Path, case: Path) -> list[str]:
    shutil.copy(case, repo / "advocates" / case.name)
    return [str(issue) for issue in validate(repo, AS_OF).issues]


@pytest.mark.parametrize("case", _case_files("valid"), ids=lambda p: p.stem)
def test_valid_case_has_no_issues(repo: Path, case: Path) -> None:
    assert _issues_for(repo, case) == []


def test_corpus_is_not_empty() -> None:
    assert len(_case_files("valid")) >= 3
