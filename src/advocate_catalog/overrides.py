"""Template overrides written for another version, found before the build.

The build stops on an override that uses a variable this version no longer gives (render.py's
`override_issue`); `validate` warns earlier, in the pull request, from a static read of each
override: a name the templates used to receive, listed with what replaced it in
`render.RENAMED_VARIABLES`, the one table of such changes.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import Issue


def stale_variable_issues(root: Path) -> list[Issue]:
    """One warning per variable an override in `root/templates/` uses that this version no longer
    gives. Links and unreadable files are the build's to refuse; they are skipped here."""
    folder = root / "templates"
    if not folder.is_dir() or folder.is_symlink():
        return []
    import jinja2  # only a repository with overrides pays for the template engine here
    import jinja2.meta

    from .render import RENAMED_VARIABLES, UPGRADE_HINT

    gone = {name: instead for name, instead in RENAMED_VARIABLES.items() if "." not in name}
    environment = jinja2.Environment()
    issues = []
    for path in sorted(folder.rglob("*.html")):
        if path.is_symlink() or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
            names = jinja2.meta.find_undeclared_variables(environment.parse(text))
        except (OSError, UnicodeDecodeError, jinja2.TemplateSyntaxError):
            continue  # the build reports these with their position
        shown = path.relative_to(root).as_posix()
        for name in sorted(names & gone.keys()):
            line, column = _first_use(text, name)
            issues.append(Issue(shown, line, column, "warning",
                                f"'{name}' is not given to templates in this version",
                                f"{gone[name]}; {UPGRADE_HINT}"))
    return issues


def _first_use(text: str, name: str) -> tuple[int, int]:
    """Line and column of the first use of `name` inside a Jinja tag or expression."""
    for number, line in enumerate(text.splitlines(), 1):
        for tag in re.finditer(r"{[{%].*?[%}]}", line):
            found = re.search(rf"(?<![\w.]){re.escape(name)}\b", tag[0])
            if found:
                return number, tag.start() + found.start() + 1
    return 1, 1
