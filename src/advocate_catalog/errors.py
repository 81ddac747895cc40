"""The project's error family and the one shape every problem report takes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# A notice does not fail `validate --strict`: it is something time alone brought about (a
# thank-you now overdue), which no pull request should be blocked for.
Severity = Literal["error", "warning", "notice"]


@dataclass(frozen=True, order=True)
class Issue:
    """One problem in one file: `path:line:col: severity: message — hint`.

    Lines and columns are 1-based, as editors show them; a whole-file problem points at 1:1.
    """

    path: str
    line: int
    col: int
    severity: Severity
    message: str
    hint: str = ""

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.message}"
        return f"{text} — {self.hint}" if self.hint else text


class CatalogError(Exception):
    """Base of the errors the core raises; the CLI turns them into one-line messages."""


class InvalidData(CatalogError):
    """The catalog's data has errors; `issues` lists every one of them."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        errors = sum(1 for issue in issues if issue.severity == "error")
        super().__init__(f"{errors} error(s) in the catalog data")

    def __reduce__(self) -> tuple[type[InvalidData], tuple[list[Issue]]]:
        # A render worker's error reaches the build as a pickle; rebuilt from its issues.
        return type(self), (self.issues,)


class BuildError(CatalogError):
    """The build could not finish for a reason outside the data (a tool failed, a bad path)."""


class GitError(CatalogError):
    """A git command failed: a ref that does not exist, not a repository."""
