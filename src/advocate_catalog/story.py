"""Stories: Markdown rendered as GitHub's preview renders it (cmark-gfm), then cut down to a small allow-list.

cmark-gfm parses in linear time and never recurses on the input, so no story can hang or crash a build.
"""

from __future__ import annotations

import functools
import html
import itertools
import re
from typing import NamedTuple
from urllib.parse import unquote

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options

# GitHub's extensions. Safe mode (no CMARK_OPT_UNSAFE): every piece of raw HTML becomes a comment that
# the sanitiser drops, and cmark empties javascript:, vbscript:, file: and data: links itself.
EXTENSIONS = ("table", "strikethrough", "autolink", "tagfilter", "tasklist")
OPTIONS = Options.CMARK_OPT_DEFAULT

STORY_TAGS = {"p", "br", "hr", "strong", "em", "b", "i", "del", "code", "pre", "blockquote", "ul", "ol",
              "li", "a", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td"}
ALIGNMENTS = {"left", "center", "right"}

# The page has its own h1 (the name) and h2 ("Story"): a story's top heading level becomes h3.
TOP_HEADING = 3
# Elements open at once. Ten nested list levels use 20; deeper nesting is no longer prose, and the
# HTML parser in nh3 spends time proportional to depth on every tag (quadratic on `> > > …`).
MAX_DEPTH = 32
# cmark pads every short table row to its header's width: 6 KB of `|a|a|…` header and `x` rows make
# 5 MB of cells. Past this many cells (a spreadsheet, not a story) tables are left as text.
MAX_TABLE_CELLS = 10_000
# Markdown grows at most ~15x into HTML (nested quotes, aligned empty cells); past 30x something else
# is amplifying and the story is shown as plain text. Small stories are exempt: `x` is already 8x.
MAX_GROWTH = 30
GROWTH_FLOOR = 10_000
# Stories kept rendered: validation asks for each one twice in a row (its problem, then its HTML),
# and the HTML travels with the file from then on; a cache of every story held ~60 MB per
# validating process at 10,000 profiles.
CACHE_SIZE = 64

TASK_BOXES = {'<input type="checkbox" disabled="" />': "\u2610",
              '<input type="checkbox" checked="" disabled="" />': "\u2611"}

_HEADING = re.compile(r"<(/?)h([1-6])>")
_IMAGE = re.compile(r'<img src="[^"]*" alt="([^"]*)"(?: title="[^"]*")? />')
_TASK_BOX = re.compile(r'<input type="checkbox" (?:checked="" )?disabled="" />')
_WWW_LINK = re.compile(r'<a href="http://(www\.[^"]*)">([^<]*)</a>')
_TAG = re.compile(r'<(/?)[a-z][a-z0-9]*(?: [a-z-]+="[^"]*")*( /)?>')
_STEP = {("/", ""): -1, ("", " /"): 0, ("", ""): 1}  # close, void, open
# A GFM delimiter row of two or more columns, maybe inside quotes or a list: `| :-- | --: |`.
_DELIMITER_ROW = re.compile(r"[ \t>]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|?[ \t]*")
_ANCHOR = re.compile(r'<a((?: [a-z-]+="[^"]*")*)>|</a>')
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_BROWSER_STRIPS = "".join(map(chr, range(0x21)))  # C0 controls and space, at either end of a URL


class Rendered(NamedTuple):
    html: str
    problem: str | None


def link_target(url: str) -> str | None:
    """The href a story link keeps: https:, mailto: or a same-site `/path`; None drops the link.

    Fragment-only links are dropped too: stories carry no ids, so `#x` would aim at the page's own.
    """
    # Browsers remove tabs and newlines anywhere in a URL and strip controls and spaces at its ends.
    cleaned = re.sub(r"[\t\n\r]", "", url).strip(_BROWSER_STRIPS)
    if not cleaned or "\\" in cleaned or any(ord(c) < 0x21 or c == "\x7f" for c in cleaned):
        return None
    if cleaned.startswith("/"):  # one slash then a letter: `//host` and `/\host` name another host
        return cleaned if re.match(r"/[A-Za-z]", cleaned) else None
    scheme = _SCHEME.match(cleaned)
    if scheme is None:  # relative (`foo/bar`, `#frag`, `?q`): it would resolve against each page
        return None
    rest = cleaned[scheme.end():]
    if scheme.group(1).lower() == "https" and re.match(r"//[^/]", rest):
        return cleaned
    if scheme.group(1).lower() == "mailto" and rest:
        return cleaned
    return None


def _attribute(tag: str, name: str, value: str) -> str | None:
    """nh3's last word on each attribute it has already allowed."""
    if name == "href":
        return link_target(value)
    if name == "start":
        return value if re.fullmatch(r"[0-9]{1,9}", value) else None
    return value


_CLEANER = nh3.Cleaner(
    tags=STORY_TAGS,
    attributes={"a": {"href", "title"}, "ol": {"start"}},
    tag_attribute_values={"th": {"align": ALIGNMENTS}, "td": {"align": ALIGNMENTS}},
    attribute_filter=_attribute,
    url_schemes={"https", "mailto"},
    link_rel="noopener noreferrer",
)


def clean_again(markup: str) -> str:
    """Story HTML read back from the build cache, through the same cleaner once more: a cache is
    a file someone else may have written, and HTML from it is never published as it came
    (~9 µs a story; cleaning our own output changes nothing)."""
    return _CLEANER.clean(markup) if markup else markup


def _shift_headings(markup: str) -> str:
    """Move headings so the story's top level is h3, keeping their order (capped at h6)."""
    levels = [int(level) for level in re.findall(r"<h([1-6])>", markup)]
    shift = TOP_HEADING - min(levels, default=TOP_HEADING)
    if not shift:
        return markup
    return _HEADING.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + shift, 6)}>", markup)


def _upgrade_www(match: re.Match[str]) -> str:
    """A bare `www.` address, which GitHub links as http:, is linked as https: (the author wrote no
    scheme); an http: the author wrote is dropped like any other."""
    address, text = match[1], match[2]
    if unquote(html.unescape(address)) != html.unescape(text):
        return match[0]
    return f'<a href="https://{address}">{text}</a>'


def _limit_depth(markup: str) -> tuple[str, int]:
    """cmark's well-formed HTML with elements deeper than MAX_DEPTH unwrapped, and the depth it had."""
    deepest = max(itertools.accumulate(_STEP[kind] for kind in _TAG.findall(markup)), default=0)
    if deepest <= MAX_DEPTH:
        return markup, deepest
    kept: list[bool] = []

    def unwrap(match: re.Match[str]) -> str:
        if match[1]:
            keep = kept.pop()
        elif match[2]:
            keep = len(kept) < MAX_DEPTH
        else:
            keep = len(kept) < MAX_DEPTH
            kept.append(keep)
        return match[0] if keep else ""

    return _TAG.sub(unwrap, markup), deepest


def _unwrap_dead_links(markup: str) -> str:
    """Links whose href was dropped become their plain text: an `<a>` without href looks clickable."""
    live: list[bool] = []

    def keep(match: re.Match[str]) -> str:
        if match[0] == "</a>":
            return match[0] if live and live.pop() else ""
        live.append(' href="' in (match[1] or ""))
        return match[0] if live[-1] else ""

    return _ANCHOR.sub(keep, markup)


def _table_cells(text: str) -> int:
    """At least as many cells as cmark would give the story's tables: columns x rows to a blank line."""
    cells = columns = 0
    for line in text.splitlines():
        if not line.strip(" \t>"):
            columns = 0
        elif columns:
            cells += columns
        elif "|" in line and "-" in line and _DELIMITER_ROW.fullmatch(line):
            columns = line.count("|") + 1
    return cells


def _as_text(text: str) -> str:
    return f"<p>{html.escape(text, quote=False)}</p>"


def _valid_unicode(text: str) -> str:
    """The text cmark can take: a lone surrogate (from a YAML escape) cannot be encoded as UTF-8."""
    return _LONE_SURROGATE.sub("\ufffd", text)


def _problem(text: str, source: str, cleaned: str, cells: int, depth: int) -> str | None:
    """The first reason a rendered story is not what its author meant, if any."""
    if source != text:
        return "story has characters that are not Unicode (lone surrogates), shown as \ufffd — remove them"
    if cells > MAX_TABLE_CELLS:
        return (f"story's tables have {cells:,} cells, more than {MAX_TABLE_CELLS:,}, and are shown as text "
                "— split the table, or link the data as an asset")
    if depth > MAX_DEPTH:
        return f"story nests {depth} elements deep, only {MAX_DEPTH} are kept — flatten its lists or quotes"
    if text.strip() and not html.unescape(re.sub(r"<[^>]*>", "", cleaned)).strip():
        return "story shows no text — raw HTML is removed; write the story in Markdown"
    return None


@functools.lru_cache(maxsize=CACHE_SIZE)
def _render(text: str) -> Rendered:
    """One story, rendered once per process, with the first reason it did not render sensibly."""
    source = _valid_unicode(text)
    cells = _table_cells(source)
    extensions = [e for e in EXTENSIONS if e != "table" or cells <= MAX_TABLE_CELLS]
    try:
        markup = cmarkgfm.markdown_to_html_with_extensions(source, options=OPTIONS, extensions=extensions)
    except Exception as error:  # a story is data: a renderer failure is an issue, not a failed build
        return Rendered(_as_text(source), f"story could not be rendered as Markdown ({error}) "
                                          "— simplify it (shown as plain text)")
    if len(markup) > max(MAX_GROWTH * len(source), GROWTH_FLOOR):
        return Rendered(_as_text(source), f"story renders to {len(markup):,} characters of HTML from "
                                          f"{len(source):,} of Markdown (over {MAX_GROWTH}x) "
                                          "— simplify it (shown as plain text)")
    markup = _IMAGE.sub(r"\1", markup)  # no images: their alt text stands in
    markup = _TASK_BOX.sub(lambda m: TASK_BOXES[m[0]], markup)
    markup = _WWW_LINK.sub(_upgrade_www, _shift_headings(markup))
    markup, depth = _limit_depth(markup)
    cleaned = _unwrap_dead_links(_CLEANER.clean(markup))
    return Rendered(cleaned, _problem(text, source, cleaned, cells, depth))


def story_html(text: str) -> str:
    """Markdown as GitHub's preview shows it, minus all outside the allow-list: links only to https:,
    mailto: and `/path`; images as alt text; ☐/☑ for task boxes; top heading level h3 (page has h1, h2).
    """
    return _render(text).html


def story_problem(text: str) -> str | None:
    """Why a story does not render into something sensible (one line, for the validator), else None."""
    return _render(text).problem
