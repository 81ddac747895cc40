#!/usr/bin/env python3
"""Stories: cmark-gfm (our renderer) against the Python-Markdown renderer it replaced.

    python bench/stories.py                 # a table of milliseconds, and corpus agreement
    python bench/stories.py --json          # the same figures as JSON on stdout (or --json out.json)

Each pathological story renders in its own subprocess with a time limit, so a RecursionError or a
minute-long quadratic case is reported as such instead of hanging the benchmark. Agreement counts the
tests/stories cases whose expected HTML (GitHub's, sanitised) each renderer reproduces.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "stories"
sys.path.insert(0, str(ROOT / "src"))

PATHOLOGICAL = {
    "- " * 500 + "x": "500 list markers",
    "- " * 5000 + "x": "5,000 list markers",
    "[" * 6000: "6,000 [",
    "[" * 60000: "60,000 [",
    "> " * 5000 + "x": "5,000 quote markers",
    "> " * 50000 + "x": "50,000 quote markers",
    "*a " * 20000: "20,000 *a",
    "[a](" * 10000: "10,000 [a](",
    "*" * 5000 + "x" + "*" * 5000: "emphasis 5,000 deep",
    "*a **b " * 5000 + "c" + "** d*" * 5000: "em/strong 10,000 deep",
    "[" * 5000 + "x" + "](/a)" * 5000: "links 5,000 deep",
    "|" + "a|" * 1000 + "\n|" + "-|" * 1000 + "\n" + "x\n" * 1000: "table rows padded to 1,000 cells",
}

# The renderer we replaced, as render.py had it: Python-Markdown, then nh3 with the old allow-list.
OLD_RENDERER = """
import markdown, nh3
TAGS = {"p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li", "a",
        "h3", "h4", "h5", "h6"}
CONVERTER = markdown.Markdown(extensions=["sane_lists"], output_format="html")
def render(text):
    html = CONVERTER.reset().convert(text)
    return nh3.clean(html, tags=TAGS, attributes={"a": {"href", "title"}},
                     url_schemes={"https", "mailto"}, link_rel="noopener noreferrer")
"""
NEW_RENDERER = """
from advocate_catalog.story import _render
def render(text):
    _render.cache_clear()
    return _render(text).html
"""
# Best of up to three runs, timed inside the subprocess so that start-up and imports are not counted.
TIMED = """
import json, sys, time
text = sys.stdin.read()
best, output = float("inf"), ""
for _ in range(3):
    started = time.perf_counter()
    output = render(text)
    best = min(best, time.perf_counter() - started)
    if best > 0.5:
        break
print(json.dumps({"ms": best * 1000, "chars": len(output)}))
"""


def timed(renderer: str, text: str, timeout: float) -> dict[str, Any]:
    """Milliseconds for one story in a fresh interpreter, or why there is no figure."""
    try:
        done = subprocess.run([sys.executable, "-c", renderer + TIMED], input=text, capture_output=True,
                              text=True, timeout=timeout, cwd=ROOT, check=False,
                              env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    except subprocess.TimeoutExpired:
        return {"ms": None, "error": f"> {timeout:g} s"}
    if done.returncode != 0:
        error = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"
        return {"ms": None, "error": error.split(":")[0]}
    return json.loads(done.stdout)


def normalised(html: str) -> str:
    """HTML with whitespace between tags ignored: the renderers break lines differently."""
    return re.sub(r">\s+<", "><", html.strip())


def agreement() -> dict[str, Any]:
    """How many corpus cases each renderer reproduces, and which ones Python-Markdown misses."""
    from advocate_catalog.story import story_html

    namespace: dict[str, Any] = {}
    exec(OLD_RENDERER, namespace)  # the same text the subprocesses time
    cases = sorted(CORPUS.glob("*.md"))
    missed = []
    cmark = 0
    for case in cases:
        text = case.read_text(encoding="utf-8")
        expected = normalised(case.with_suffix(".html").read_text(encoding="utf-8"))
        cmark += normalised(story_html(text)) == expected
        if normalised(namespace["render"](text)) != expected:
            missed.append(case.stem)
    return {"cases": len(cases), "cmark_gfm": cmark, "python_markdown": len(cases) - len(missed),
            "python_markdown_differs_on": missed}


def measure(timeout: float) -> dict[str, Any]:
    rows = [{"story": label, "input_chars": len(text),
             "cmark_gfm": timed(NEW_RENDERER, text, timeout),
             "python_markdown": timed(OLD_RENDERER, text, timeout)}
            for text, label in PATHOLOGICAL.items()]
    return {"pathological": rows, "corpus": agreement(), "timeout_s": timeout}


def cell(result: dict[str, Any]) -> str:
    return f"{result['ms']:.1f}" if result["ms"] is not None else result["error"]


def table(results: dict[str, Any]) -> str:
    lines = ["| story | chars | cmark-gfm + nh3 (ms) | Python-Markdown + nh3 (ms) |",
             "|---|---:|---:|---:|"]
    lines += [f"| {row['story']} | {row['input_chars']:,} | {cell(row['cmark_gfm'])} | "
              f"{cell(row['python_markdown'])} |" for row in results["pathological"]]
    corpus = results["corpus"]
    lines += ["", f"Corpus agreement (tests/stories): cmark-gfm {corpus['cmark_gfm']}/{corpus['cases']}, "
              f"Python-Markdown {corpus['python_markdown']}/{corpus['cases']}",
              "Python-Markdown differs on: " + ", ".join(corpus["python_markdown_differs_on"])]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--json", nargs="?", const="-", metavar="PATH",
                        help="print JSON instead of the table, or write it to PATH")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per story and renderer")
    args = parser.parse_args()
    results = measure(args.timeout)
    if args.json is None:
        print(table(results))
    elif args.json == "-":
        print(json.dumps(results, indent=2))
    else:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(table(results))


if __name__ == "__main__":
    main()
