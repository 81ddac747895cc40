"""The bad-input corpus: one file per case in tests/bad_inputs/, each naming what it must produce.

Directives, as comment lines at the top of a case (or, for files that cannot hold a comment —
binary, empty, invalid UTF-8, a byte-order mark — one per line in `<case>.expect`):
  # expect: <issue line>   validate prints exactly these lines (`nothing`: no issue at all)
  # absent: <text>         the rendered story must not contain it (case-insensitive)
  # present: <text>        the rendered profile must contain it
  # check: structure|layout|rtl   page structure intact / no sideways scroll at 375 px / RTL name
"""

from __future__ import annotations

import re
import shutil
import threading
from collections import defaultdict
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from advocate_catalog.build import write_pages
from advocate_catalog.load import MAX_FILE_BYTES
from advocate_catalog.render import render_site
from advocate_catalog.serve import server
from advocate_catalog.validate import validate

from conftest import AS_OF, ROOT

CORPUS = Path(__file__).parent / "bad_inputs"
CASES = sorted(CORPUS.glob("*.yaml"))


def directives(case: Path) -> dict[str, list[str]]:
    sidecar = case.with_suffix(".expect")
    if sidecar.exists():
        return {"expect": sidecar.read_text(encoding="utf-8").splitlines()}
    found: dict[str, list[str]] = defaultdict(list)
    for line in case.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^# (expect|absent|present|check): (.*)$", line)
        if match:
            found[match.group(1)].append(match.group(2))
    return found


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_case_gives_exactly_its_messages(repo: Path, case: Path) -> None:
    expected = directives(case)["expect"]
    assert expected, f"{case.name} names no expectation"
    shutil.copy(case, repo / "advocates" / case.name)
    issues = [str(issue) for issue in validate(repo, AS_OF).issues]
    assert issues == ([] if expected == ["nothing"] else expected)


CONTENT = [case for case in CASES if set(directives(case)) & {"absent", "present", "check"}]


@pytest.fixture(scope="module")
def content_site(tmp_path_factory: pytest.TempPathFactory):
    """All content cases rendered into one site, served on localhost."""
    from conftest import copy_repo

    repo = copy_repo(tmp_path_factory.mktemp("content") / "repo", with_data=False)
    for case in CONTENT:
        shutil.copy(case, repo / "advocates" / case.name)
    result = validate(repo, AS_OF)
    assert not result.errors  # (they are all the same person: duplicate warnings are expected)
    site = repo / "site"
    write_pages(render_site(result.catalog, repo / "templates", AS_OF), site)
    shutil.copytree(repo / "templates" / "static", site / "static")
    httpd = server(site, port=0)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield site, f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("case", CONTENT, ids=lambda p: p.stem)
def test_content_is_rendered_safely(content_site, case: Path, browser) -> None:
    site, url = content_site
    rules = directives(case)
    html = (site / "advocates" / case.stem / "index.html").read_text(encoding="utf-8")
    page = BeautifulSoup(html, "html.parser")
    story = page.select_one(".story").decode_contents().lower()
    for text in rules["absent"]:
        assert text.lower() not in story, text
    profile = page.select_one("article").get_text()
    for text in rules["present"]:
        assert text in profile, text
    if "structure" in rules["check"]:
        assert len(page.select("main")) == 1 and len(page.select("article")) == 1
        assert page.select_one("article .profile-side") and page.select_one("body > footer")
    if {"layout", "rtl"} & set(rules["check"]):
        context = browser.new_context(viewport={"width": 375, "height": 800})
        tab = context.new_page()
        tab.goto(f"{url}advocates/{case.stem}/")
        assert tab.evaluate("document.documentElement.scrollWidth") <= 375
        if "rtl" in rules["check"]:
            assert tab.eval_on_selector("h1", "h => getComputedStyle(h).direction") == "rtl"
        context.close()


def test_oversized_file_fails_before_parsing(repo: Path) -> None:
    path = repo / "advocates" / "huge.yaml"
    path.write_bytes(b"id: huge\nstory: " + b"x" * MAX_FILE_BYTES + b"\n")
    (issue,) = validate(repo, AS_OF).issues
    assert str(issue).startswith("advocates/huge.yaml:1:1: error: the file is ")
    assert "over the 1,000,000-byte limit — shorten the story" in str(issue)


def test_symlink_out_of_the_repository_is_not_followed(repo: Path, tmp_path: Path) -> None:
    secret = tmp_path / "outside.yaml"
    secret.write_text("id: outside\nname: SECRET-OUTSIDE\n")
    (repo / "advocates" / "outside.yaml").symlink_to(secret)
    result = validate(repo, AS_OF)
    assert [str(i) for i in result.issues] == [
        "advocates/outside.yaml:1:1: error: the file is a symbolic link — replace the link with "
        "the file itself; links are not followed"]
    assert "SECRET-OUTSIDE" not in repr(result)


def test_corpus_covers_the_issue(repo: Path) -> None:
    names = {case.stem for case in CASES}
    for needed in ("tab-indent", "duplicate-key", "billion-laughs", "python-tag", "byte-order-mark",
                   "invalid-utf8", "empty-file", "top-level-list", "top-level-scalar",
                   "several-documents", "binary-file", "yaml11-on-is-not-yes", "impossible-date",
                   "future-last-verified", "id-not-file-name", "Has Space", "Capital",
                   "dots..in..name", "story-script", "story-javascript-links", "long-words",
                   "rtl-and-emoji-name", "unknown-field-typo", "region-not-allowed"):
        assert needed in names
    assert ROOT.joinpath("tests", "bad_inputs").is_dir()
