"""An override written for another version fails the build with one line naming its file and
line, and what replaced what it uses; an error in a package default is still the tool's bug."""

from __future__ import annotations

import pickle
import re
import shutil
from pathlib import Path

import jinja2
import pytest
from click.testing import CliRunner, Result

from advocate_catalog import layers, parallel, render
from advocate_catalog.cli import main
from advocate_catalog.errors import InvalidData, Issue

from conftest import ROOT, copy_repo

AS_OF = "2026-11-23"
DEFAULTS = ROOT / "templates"


@pytest.fixture
def company(tmp_path: Path) -> Path:
    """The sample catalog as a company keeps it: data and config, its own `templates/` empty."""
    repo = copy_repo(tmp_path / "company")
    shutil.rmtree(repo / "templates")
    shutil.rmtree(repo / "schemas")
    (repo / "templates").mkdir()
    return repo


def override(repo: Path, name: str, text: str) -> None:
    (repo / "templates" / name).write_text(text, encoding="utf-8")


def default_with(name: str, after: str, added: str) -> tuple[str, int]:
    """The default template `name` with `added` as a line of its own after the first line
    holding `after`; and that line's number."""
    lines = (DEFAULTS / name).read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if after in line) + 1
    lines.insert(at, added)
    return "\n".join(lines) + "\n", at + 1


def build(repo: Path) -> Result:
    return CliRunner().invoke(main, ["--root", str(repo), "build", "--as-of", AS_OF])


def one_error(result: Result) -> str:
    """The build's one error line; nothing like a traceback anywhere."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 1, result.stderr
    return errors[0]


def test_a_variable_this_version_no_longer_passes_names_the_override_line_and_the_replacement(
        company: Path) -> None:
    text, line = default_with("advocate.html", '<section class="request"',
                              '      <p><a class="button" href="{{ request_href }}">Request</a></p>')
    override(company, "advocate.html", text)
    result = build(company)
    error = one_error(result)
    column = text.splitlines()[line - 1].index("request_href") + 1
    assert error.startswith(f"templates/advocate.html:{line}:{column}: error: 'request_href' is "
                            "undefined in this version — ")
    assert "request_links" in error and "upgrade --check" in error
    assert not (company / "site").exists()  # nothing half-written
    assert not list(company.glob(".site-*"))  # and no staging folder left behind


def test_a_failing_override_leaves_the_last_good_site_as_it_was(company: Path) -> None:
    assert build(company).exit_code == 0
    site = company / "site"
    before = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    override(company, "all.html", default_with("all.html", "{% block main %}",
                                               "{{ request_href }}")[0])
    one_error(build(company))
    after = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert after == before
    assert not list(company.glob(".site-*"))


@pytest.mark.parametrize(("name", "after", "added", "written", "replacement"), [
    ("advocate.html", '<section class="request"', "{{ request_href }}", "request_href",
     "request_links[0].href"),
    ("advocate.html", "<dl", "{% if function %}{{ function }}{% endif %}", "function",
     "card.function"),
    ("owner.html", "{% block main %}", "{{ booked | length }} booked", "booked", "requests_url"),
    ("owner.html", "{% block main %}", "{{ nominations }} waiting", "nominations",
     "nominations_url"),
    ("value.html", "{% block main %}", "{{ figures.nominations_waiting }}",
     "figures.nominations_waiting", "report value"),
    ("nominate.html", "{% block main %}",
     "{% for q in questions %}{{ q.vocabulary }}{% endfor %}", "q.vocabulary",
     "questions.values()"),
])
def test_every_removed_variable_says_what_replaced_it(company: Path, name: str, after: str,
                                                      added: str, written: str,
                                                      replacement: str) -> None:
    assert written in render.RENAMED_VARIABLES
    text, line = default_with(name, after, added)
    override(company, name, text)
    error = one_error(build(company))
    assert re.match(rf"templates/{re.escape(name)}:{line}:\d+: error: '{re.escape(written)}' is "
                    "undefined in this version — ", error), error
    assert replacement in error


def test_an_unknown_name_points_to_the_documented_variables(company: Path) -> None:
    text, line = default_with("all.html", "{% block main %}", "{{ cards_total }}")
    override(company, "all.html", text)
    error = one_error(build(company))
    assert error.startswith(f"templates/all.html:{line}:4: error: 'cards_total' is undefined in "
                            "this version — this template does not receive it (docs/customizing.md")


@pytest.mark.parametrize(("added", "pointed", "message"), [
    ('  {% include "_request_box.html" %}', "_request_box.html",
     "template '_request_box.html' is not in this version"),
    ("  {{ self.sidebar() }}", "self.sidebar", "there is no block 'sidebar' in this version"),
    ("  {{ card.name | shout }}", "shout", "No filter named 'shout'"),
])
def test_a_missing_include_block_or_filter_is_one_line_too(company: Path, added: str, pointed: str,
                                                           message: str) -> None:
    text, line = default_with("advocate.html", "{% block main %}", added)
    override(company, "advocate.html", text)
    error = one_error(build(company))
    column = added.index(pointed) + 1
    assert error.startswith(f"templates/advocate.html:{line}:{column}: error: {message} — "), error


def test_a_syntax_error_is_one_line(company: Path) -> None:
    text, line = default_with("advocate.html", "{% block main %}", "  {% endif %}")
    override(company, "advocate.html", text)
    error = one_error(build(company))
    assert error.startswith(f"templates/advocate.html:{line}:6: error: Encountered unknown tag "
                            "'endif'. Jinja was looking for"), error
    assert error.endswith(f" — fix the template; {render.UPGRADE_HINT}")


def test_an_override_in_a_render_worker_fails_the_same_way(company: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Profile pages render in forked workers on large catalogs: the error crosses back intact."""
    every = parallel.mapping

    def always_forked(function, items, **options):  # type: ignore[no-untyped-def]
        return every(function, items, **{**options, "smallest": 1, "batch": 1})

    monkeypatch.setattr(parallel, "cores", lambda: 2)
    monkeypatch.setattr(parallel, "mapping", always_forked)
    text, line = default_with("advocate.html", "{% block main %}", "{{ card.request_href }}")
    override(company, "advocate.html", text)  # profile pages alone render in the workers
    error = one_error(build(company))
    assert error.startswith(f"templates/advocate.html:{line}:4: error: 'card.request_href' is "
                            "undefined in this version — card has no such key (docs/customizing.md")


def test_the_one_issue_survives_a_pickle() -> None:
    issue = Issue("templates/advocate.html", 3, 5, "error", "'x' is undefined", "fix")
    copy = pickle.loads(pickle.dumps(InvalidData([issue])))
    assert copy.issues == [issue] and str(copy) == "1 error(s) in the catalog data"


def test_an_error_in_a_template_outside_the_overrides_is_not_blamed_on_them(tmp_path: Path) -> None:
    ours, theirs = tmp_path / "ours" / "templates", tmp_path / "package" / "templates"
    ours.mkdir(parents=True)
    theirs.mkdir(parents=True)
    (ours / "page.html").write_text('{% extends "base.html" %}\n{% block main %}x{% endblock %}\n')
    (theirs / "base.html").write_text("<main>\n{% block main %}{% endblock %}{{ nope }}\n</main>\n")
    env = render.environment([ours, theirs])
    with pytest.raises(jinja2.UndefinedError) as raised:
        env.get_template("page.html").render()
    assert render.override_issue(raised.value, [ours]) is None
    assert render.override_issue(raised.value, [theirs]) == Issue(
        "templates/base.html", 2, 34, "error", "'nope' is undefined in this version",
        "this template does not receive it (docs/customizing.md lists what each receives); "
        + render.UPGRADE_HINT)


def test_a_broken_package_default_is_still_a_bug_in_the_tool(company: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "package"
    shutil.copytree(DEFAULTS, package / "templates")
    shutil.copytree(ROOT / "schemas", package / "schemas")
    text, _ = default_with("all.html", "{% block main %}", "{{ cards_total }}")
    (package / "templates" / "all.html").write_text(text)
    monkeypatch.setattr(layers, "default", lambda kind: package / kind)
    monkeypatch.setattr(render, "default", lambda kind: package / kind)
    result = build(company)
    assert result.exit_code == 70, result.output
    assert "internal error: UndefinedError: 'cards_total' is undefined" in result.stderr
