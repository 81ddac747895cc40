"""Stories render as GitHub's preview shows them, sanitised, in linear time.

The corpus in tests/stories/ holds `<case>.md` and `<case>.html`, the HTML GitHub's cmark-gfm gives
after our sanitising (each file read and checked by hand); one test is generated per case.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cmarkgfm
import pytest
from bs4 import BeautifulSoup

from advocate_catalog import story
from advocate_catalog.story import STORY_TAGS, link_target, story_html, story_problem

from conftest import ROOT

CORPUS = Path(__file__).parent / "stories"
CASES = sorted(CORPUS.glob("*.md"))


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_story_renders_as_its_corpus_file_says(case: Path) -> None:
    expected = case.with_suffix(".html").read_text(encoding="utf-8")
    assert story_html(case.read_text(encoding="utf-8")).rstrip("\n") == expected.rstrip("\n")


def test_corpus_covers_what_github_and_the_policy_need() -> None:
    names = {case.stem for case in CASES}
    assert len(names) >= 25
    assert {"list-after-paragraph", "nested-list-two-spaces", "ordered-list-start", "strikethrough",
            "table-alignment", "autolink-https", "autolink-www", "link-javascript", "link-http",
            "link-data-vbscript", "link-scheme-relative", "link-backslash", "link-relative-and-fragment",
            "link-mailto", "link-same-site", "rtl-text", "emoji"} <= names
    assert all(case.with_suffix(".html").exists() for case in CASES)


ALLOWED_ATTRIBUTES = {"a": {"href", "title", "rel"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_rendered_story_stays_inside_the_allow_list(case: Path) -> None:
    soup = BeautifulSoup(story_html(case.read_text(encoding="utf-8")), "html.parser")
    for element in soup.find_all(True):
        assert element.name in STORY_TAGS, element.name
        assert set(element.attrs) <= ALLOWED_ATTRIBUTES.get(element.name, set()), element
    for link in soup.select("a"):
        href = str(link.get("href", ""))
        assert href and link_target(href) == href, link
        assert link["rel"] == ["noopener", "noreferrer"]
    assert story_problem(case.read_text(encoding="utf-8")) is None


@pytest.mark.parametrize("url", [
    "https://www.tessellate.example/x", "HTTPS://EXAMPLE.COM", "mailto:advocates@tessellate.example",
    "/advocates/mina-lund/", "/a",
])
def test_link_kept(url: str) -> None:
    assert link_target(url) == url


@pytest.mark.parametrize("url", [
    "http://www.tessellate.example/", "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
    "\x01javascript:alert(1)", "java\tscript:alert(1)", "java\nscript:alert(1)", "jav&#x09;ascript:x",
    "data:text/html,<b>x</b>", "vbscript:msgbox(1)", "file:///etc/passwd", "ftp://files.example/",
    "//evil.example/x", "///evil.example", "\\\\evil.example", "/\\evil.example", "\\/evil.example",
    "https:\\\\evil.example", "https:evil.example", "https:///evil.example", "foo/bar", "./x",
    "../advocates/", "#story-h", "?page=2", "", "/", "/1", "mailto:", "https://a b",
])
def test_link_dropped(url: str) -> None:
    assert link_target(url) is None


def test_tabs_and_newlines_are_removed_as_a_browser_does() -> None:
    assert link_target("ht\ttps://example.com/\n") == "https://example.com/"


def test_a_dropped_link_leaves_its_text_and_no_anchor() -> None:
    soup = BeautifulSoup(story_html("Go [there](http://example.com) *now*"), "html.parser")
    assert soup.select("a") == []
    assert soup.get_text().strip() == "Go there now"


def test_a_link_without_its_scheme_is_upgraded_only_when_the_author_wrote_none() -> None:
    soup = BeautifulSoup(story_html("www.example.com and [x](http://www.example.com)"), "html.parser")
    assert [a["href"] for a in soup.select("a")] == ["https://www.example.com"]


def test_images_are_replaced_by_their_alt_text() -> None:
    soup = BeautifulSoup(story_html("![The *dashboard*](https://x.example/d.png)"), "html.parser")
    assert soup.select("img") == []
    assert soup.get_text().strip() == "The dashboard"


def test_each_story_renders_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = cmarkgfm.markdown_to_html_with_extensions

    def counting(text: str, **options: object) -> str:
        calls.append(text)
        return real(text, **options)

    monkeypatch.setattr(story.cmarkgfm, "markdown_to_html_with_extensions", counting)
    story._render.cache_clear()
    text = "A story rendered for its card, its profile and the validator."
    for _ in range(3):
        story_html(text)
        story_problem(text)
    assert calls == [text]


def fresh(text: str) -> str | None:
    story._render.cache_clear()
    return story_problem(text)


def test_problems_are_one_line_with_a_fix() -> None:
    padded = "|" + "a|" * 200 + "\n|" + "-|" * 200 + "\n" + "x\n" * 200
    problems = {
        "surrogate": fresh("Mina \ud800 moved"),
        "tables": fresh(padded),
        "depth": fresh("> " * 100 + "x"),
        "empty": fresh("<div>\nonly raw HTML\n</div>"),
    }
    assert "not Unicode" in (problems["surrogate"] or "")
    assert "cells, more than 10,000" in (problems["tables"] or "")
    assert "nests 101 elements deep" in (problems["depth"] or "")
    assert "shows no text" in (problems["empty"] or "")
    assert all(p and "\n" not in p and " — " in p for p in problems.values())
    assert fresh("") is None
    assert fresh("Mina moved reporting onto Tessellate Analytics.") is None


def test_a_padded_table_is_shown_as_text_not_as_megabytes() -> None:
    story._render.cache_clear()
    padded = "|" + "a|" * 1000 + "\n|" + "-|" * 1000 + "\n" + "x\n" * 1000
    html = story_html(padded)
    assert "<table" not in html and len(html) < 2 * len(padded)


def test_unexpected_growth_falls_back_to_plain_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(story, "MAX_GROWTH", 1)
    monkeypatch.setattr(story, "GROWTH_FLOOR", 0)
    story._render.cache_clear()
    text = "*a* <b>"
    assert story_html(text) == "<p>*a* &lt;b&gt;</p>"
    assert "shown as plain text" in (story_problem(text) or "")
    story._render.cache_clear()


def test_depth_is_capped_and_the_html_stays_balanced() -> None:
    soup = BeautifulSoup(story_html("> " * 200 + "x"), "html.parser")
    assert soup.get_text().strip() == "x"
    assert len(soup.select("blockquote")) == story.MAX_DEPTH
    text = soup.find(string=lambda s: "x" in s)
    assert text is not None and len(text.find_parents("blockquote")) == story.MAX_DEPTH


# Stories that made Python-Markdown recurse or go quadratic: each (expression, character, how many of
# it the rendered text must still hold).
PATHOLOGICAL = [
    ('"- " * 500 + "x"', "x", 1),
    ('"- " * 5000 + "x"', "x", 1),
    ('"[" * 6000', "[", 6000),
    ('"[" * 60000', "[", 60000),
    ('"> " * 5000 + "x"', "x", 1),
    ('"> " * 50000 + "x"', "x", 1),
    ('"*a " * 20000', "a", 20000),
    ('"[a](" * 10000', "a", 10000),
    ('"*" * 5000 + "x" + "*" * 5000', "x", 1),
    ('"*a **b " * 5000 + "c" + "** d*" * 5000', "b", 5000),
    ('"[" * 5000 + "x" + "](/a)" * 5000', "x", 1),
    ('"_a __b [c](" * 5000 + "x" + ")__ d_" * 5000', "d", 5000),
    ('("|" + "a|" * 1000 + "\\n|" + "-|" * 1000 + "\\n" + "x\\n" * 1000 + "\\n") * 5', "x", 5000),
]
RENDER = """
import html, json, re, sys
from advocate_catalog.story import story_html, story_problem
text = eval(sys.argv[1])
out = story_html(text)
plain = html.unescape(re.sub(r"<[^>]*>", "", out))
print(json.dumps({"count": plain.count(sys.argv[2]), "problem": story_problem(text)}))
"""


@pytest.mark.parametrize(("expression", "char", "count"), PATHOLOGICAL, ids=[p[0] for p in PATHOLOGICAL])
def test_pathological_story_renders_without_hanging(expression: str, char: str, count: int) -> None:
    # A generous limit: this must fail on a hang or a crash, not be a timing benchmark.
    done = subprocess.run([sys.executable, "-c", RENDER, expression, char], capture_output=True, text=True,
                          timeout=20, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
                          check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["count"] >= count
