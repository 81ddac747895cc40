#!/usr/bin/env python3
"""Benchmark the catalog against Hugo + Pagefind and check-jsonschema, on generated data.

    python bench/run.py                  # N = 1,000 and 10,000
    python bench/run.py --large          # also N = 50,000
    python bench/run.py --sizes 200 --no-typed-queries --runs 1 --json out.json   # the smoke test

Prints a table and writes JSON (bench/results.json by default), each target (TARGETS, per N)
marked met or missed. Queries are typed key by key, 60 and 150 ms apart, after the page has
settled; Pagefind's Default UI over Hugo's pages of the same profiles is typed the same way.
Issue 25 adds a first visit over an emulated VPN (an empty cache; idle, and typing as the page
opens) for both, and one-change rebuilds of three kinds (name, industry, story).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import http.server
import io
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))

from generate import generate  # noqa: E402

from advocate_catalog.load import read  # noqa: E402
from advocate_catalog.validate import load_config  # noqa: E402

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Request

AS_OF = "2026-11-23"
# Words from common to rare in the generated stories (share of profiles holding each, at any N):
# spreadsheets ~97 %, pipelines ~47 %, governance ~39 %, lineage ~15 %, meridian ~8 %,
# underwriting ~5 %. The median is over all six.
QUERIES = ["spreadsheets", "pipelines", "governance", "lineage", "meridian", "underwriting"]
# Debian's chromium by default; CI may point CHROMIUM at another Chromium (as the tests do).
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _memory(process: psutil.Process) -> int:
    """Proportional set size: forked workers share their parent's pages, and summing RSS would
    count those pages once per process."""
    try:
        return process.memory_full_info().pss
    except (psutil.AccessDenied, AttributeError):
        return process.memory_info().rss


def measured(command: list[str], cwd: Path | None = None) -> tuple[float, int, str]:
    """Wall seconds, peak memory (PSS) of the whole process tree in MB (sampled), and stdout."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    peak, root = 0, psutil.Process(process.pid)
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.append(process.communicate()[0]))
    reader.start()
    while process.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            peak = max(peak, sum(_memory(p) for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.05)
    reader.join()
    if process.returncode != 0:
        raise SystemExit(f"benchmark step failed: {' '.join(command)}")
    return time.perf_counter() - started, peak // 2**20, (output or [""])[0]


def size_mb(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20, 1)


def _rename(text: str, catalog: Path) -> str:
    """The profile's name with " Jr" appended (inside its quotes, if the YAML quotes it)."""
    line = re.search(r"^name: (.*)$", text, re.MULTILINE)
    assert line, "a generated profile has a top-level name"
    value = line[1]
    renamed = value[:-1] + ' Jr' + value[-1] if value[:1] in "'\"" else value + " Jr"
    return text[:line.start(1)] + renamed + text[line.end(1):]


def _move_industry(text: str, catalog: Path) -> str:
    """The company's industry changed to the next id of catalog.yaml's vocabulary."""
    industries = load_config(catalog)[0].ids("industries")
    line = re.search(r"^  industry: (.*)$", text, re.MULTILINE)
    assert line, "a generated profile names its company's industry"
    moved = industries[(industries.index(line[1]) + 1) % len(industries)]
    return text[:line.start(1)] + moved + text[line.end(1):]


def _extend_story(text: str, catalog: Path) -> str:
    """A sentence added at the start of the story (a block scalar in generated profiles)."""
    assert "\nstory: |\n  " in text, "a generated profile's story is a block scalar"
    return text.replace("\nstory: |\n  ", "\nstory: |\n  A late addition: the rollout reached "
                        "the field teams. ", 1)


def _requote(text: str, catalog: Path) -> str:
    """The quote edit the bench has always timed (`one_change_rebuild_s`)."""
    return text.replace("It changed how we plan.", "It changed how we plan, and how we hire.")


# One-change rebuilds: each kind edits one profile (a different one each run) of a fully built
# site with a warm cache, then times `build`. A name shows on every page that lists the person;
# an industry moves them between browse pages and filter counts; a story only changes their page
# and their search shard.
EDITS = {"name": _rename, "industry": _move_industry, "story": _extend_story}


def ours(catalog: Path, runs: int = 3) -> dict[str, float]:
    cli = [sys.executable, str(ROOT / "build.py"), "--root", str(catalog)]
    result: dict[str, float] = {}
    result["validate_s"], _, _ = measured([*cli, "validate", "--as-of", AS_OF])
    build = [*cli, "build", "--as-of", AS_OF, "--timings"]
    result["build_s"], result["peak_mb"], out = measured(build)
    stages = json.loads(out.strip().splitlines()[-1])
    result.update({f"{stage}_s": seconds for stage, seconds in stages.items()})
    result["noop_rebuild_s"] = statistics.median(measured(build)[0] for _ in range(runs))
    profiles = sorted((catalog / "advocates").glob("*.yaml"))
    # Spread over the catalog, so the edits fall in different search shards.
    picks = 1 + runs * len(EDITS)
    chosen = iter(profiles[i * len(profiles) // picks] for i in range(picks))

    def one_change(edit: Callable[[str, Path], str]) -> float:
        profile = next(chosen)
        before = profile.read_text(encoding="utf-8")
        after = edit(before, catalog)
        assert after != before, f"{edit.__name__} changed nothing in {profile.name}"
        profile.write_text(after, encoding="utf-8")
        return measured(build)[0]

    result["one_change_rebuild_s"] = one_change(_requote)
    for kind, edit in EDITS.items():
        result[f"{kind}_change_rebuild_s"] = statistics.median(one_change(edit) for _ in range(runs))
    result["site_mb"] = size_mb(catalog / "site")
    result["pagefind_mb"] = size_mb(catalog / "site" / "search")
    return result


HUGO_SINGLE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title>
<link rel="stylesheet" href="/static/style.css"></head><body><main data-pagefind-body>
<h1>{{ .Title }}</h1><p>{{ .Params.role }} · {{ .Params.company }}</p>
<span data-pagefind-filter="industry">{{ .Params.industry }}</span>
<span data-pagefind-filter="region">{{ .Params.region }}</span>
{{ range .Params.products }}<span data-pagefind-filter="product">{{ . }}</span>{{ end }}
<section>{{ .Content }}</section><ul>{{ range .Params.outcomes }}<li>{{ . }}</li>{{ end }}</ul>
</main></body></html>
"""
HUGO_LIST = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title>
</head><body><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
</body></html>
"""


def hugo(catalog: Path, work: Path) -> dict[str, float]:
    """Hugo building the same profile pages from equivalent Markdown, then the same Pagefind."""
    site = work / "hugo"
    (site / "content" / "advocates").mkdir(parents=True)
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "layouts" / "_default" / "single.html").write_text(HUGO_SINGLE)
    (site / "layouts" / "_default" / "list.html").write_text(HUGO_LIST)
    (site / "hugo.toml").write_text('baseURL = "https://example.com/"\ntitle = "Bench"\n'
                                    'disableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n')
    for path in sorted((catalog / "advocates").glob("*.yaml")):
        data = read(path, path.name).data
        front = {"title": data["name"], "role": data["title"], "company": data["company"]["name"],
                 "industry": data["company"]["industry"], "region": data["company"]["region"],
                 "products": data["products"], "outcomes": data.get("outcomes", [])}
        (site / "content" / "advocates" / f"{data['id']}.md").write_text(
            json.dumps(front, ensure_ascii=False) + "\n\n" + data.get("story", ""))
    build_s, peak, _ = measured(["hugo", "--quiet", "-s", str(site), "-d", str(site / "public")])
    index_s, index_peak, _ = measured([sys.executable, "-m", "pagefind", "--site",
                                       str(site / "public"), "--silent"])
    (site / "public" / "search").mkdir(exist_ok=True)
    (site / "public" / "search" / "index.html").write_text(PAGEFIND_UI_PAGE)
    return {"hugo_s": build_s, "hugo_pagefind_s": index_s, "hugo_total_s": build_s + index_s,
            "hugo_peak_mb": max(peak, index_peak)}


def check_jsonschema(catalog: Path) -> float:
    files = [str(p) for p in sorted((catalog / "advocates").glob("*.yaml"))]
    tool = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent)) or "check-jsonschema"
    seconds, _, _ = measured([tool, "--schemafile", str(catalog / "schemas" / "advocate.schema.json"),
                              *files])
    return seconds


SETTLE_S = 6  # the page sits this long after loading before anyone types, as a person's would
GAPS_MS = (60, 150)  # typing speeds: a fast typist, an ordinary one
PAGEFIND_UI_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Search</title>
<link rel="stylesheet" href="/pagefind/pagefind-ui.css"></head><body><div id="search"></div>
<script src="/pagefind/pagefind-ui.js"></script>
<script>new PagefindUI({ element: "#search", showSubResults: false });</script></body></html>
"""
# When the first screen of results for the whole word is shown: ours marks the query it has shown
# (data-shown-query, set once the first cards are placed); Pagefind's Default UI says "N results
# for WORD" and shows its first results (it loads five at first).
OURS = {"path": "", "box": "#q", "ready": "#results",
        "shown": """w => {
            const section = document.querySelector('#results').closest('section');
            return section.dataset.shownQuery === w && document.querySelector('#results .card'); }"""}
PAGEFIND_UI = {"path": "search/", "box": ".pagefind-ui__search-input",
               "ready": ".pagefind-ui__search-input",
               "shown": """w => {
                   const m = document.querySelector('.pagefind-ui__message');
                   return m && m.textContent.trim().endsWith(' for ' + w)
                          && document.querySelector('.pagefind-ui__result'); }"""}


def typed_queries(site: Path, ui: dict[str, str], words: list[str], label: str) -> dict[str, float]:
    """Ms from the last keystroke to that word's results on screen, typing key by key at each of
    GAPS_MS after the page has settled (median and worst over the words), in headless Chromium."""
    from playwright.sync_api import sync_playwright

    from advocate_catalog.serve import server

    httpd = server(site, port=0)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/{ui['path']}"
    result: dict[str, float] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for gap in GAPS_MS:
            times: list[float] = []
            for word in words:
                page = browser.new_page()
                page.goto(url)
                page.wait_for_selector(ui["ready"])
                time.sleep(SETTLE_S)
                page.click(ui["box"])
                for place, key in enumerate(word):
                    page.keyboard.type(key)
                    if place < len(word) - 1:
                        time.sleep(gap / 1000)
                last = time.perf_counter()
                page.wait_for_function(ui["shown"], arg=word, timeout=60_000)
                times.append((time.perf_counter() - last) * 1000)
                page.close()
            result[f"{label}_{gap}_ms"] = round(statistics.median(times), 1)
            result[f"{label}_{gap}_max_ms"] = round(max(times), 1)
        browser.close()
    httpd.shutdown()
    return result


def bytes_per_query(site: Path, words: list[str]) -> dict[str, float]:
    """KB fetched by a query (median over the words), the page already loaded."""
    from playwright.sync_api import sync_playwright

    from advocate_catalog.serve import server

    httpd = server(site, port=0)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    sizes: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for word in words:
            page = browser.new_page()
            page.goto(url)
            page.wait_for_selector("#results .card")
            received: list = []
            page.on("response", lambda response, sink=received: sink.append(response))
            page.fill("#q", word)
            page.wait_for_function(OURS["shown"], arg=word)
            sizes.append(sum(len(r.body()) for r in list(received) if r.ok) / 1024)
            page.close()
        browser.close()
    httpd.shutdown()
    return {"query_kb": round(statistics.median(sizes), 1)}


# First visit over a VPN (issue 25): Chromium's own network emulation, 40 ms of latency and
# 20 Mbit/s each way, an empty cache for every run.
VPN = {"offline": False, "latency": 40, "downloadThroughput": 20_000_000 / 8,
       "uploadThroughput": 20_000_000 / 8}
FIRST_WORD = "governance"  # in ~39 % of profiles
FIRST_KEY_AFTER_S = 0.3  # after the search box appears
FIRST_GAP_S = 0.06
GIVE_UP_MS = 30_000
# A host compresses text (GitHub Pages, Netlify and S3 behind a CDN all gzip it); Pagefind's
# index, fragments and WebAssembly are gzipped files already and are sent as they are.
COMPRESSED = {".html", ".css", ".js", ".mjs", ".json", ".csv", ".svg", ".txt", ".xml"}


class _HostHandler(http.server.SimpleHTTPRequestHandler):
    """A static host as the site would have: keep-alive, gzip for text, no preview notices."""

    protocol_version = "HTTP/1.1"
    extensions_map = {  # noqa: RUF012 - the base class declares it this way
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm"}

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self) -> io.BytesIO | BinaryIO | None:
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        if (path.suffix not in COMPRESSED or not path.is_file()
                or "gzip" not in self.headers.get("Accept-Encoding", "")):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


class _Host(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """Quiet: a context closed mid-response (the run is over) breaks its pipe."""


@contextlib.contextmanager
def hosted(site: Path) -> Iterator[str]:
    """The site's address on a local static host for as long as the block runs."""
    httpd = _Host(("127.0.0.1", 0), functools.partial(_HostHandler, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


class Traffic:
    """What one page moves over the emulated VPN. Chromium's emulation is set through the DevTools
    protocol on the page and applies to its workers' fetches too, but the page's Network events
    miss those fetches (Pagefind fetches its index from a worker): the bytes and requests are
    Playwright's, whose requests include workers'."""

    def __init__(self, context: BrowserContext, page: Page) -> None:
        self.finished: list[Request] = []
        context.on("requestfinished", lambda request: self.finished.append(request))
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", VPN)

    def moved(self, requests: list[Request] | None = None) -> dict[str, float]:
        """KB received (response headers and body as sent, i.e. compressed), requests finished,
        and ms from the first request's start to the last response's end: of `requests`, a
        snapshot of `finished`, or of all finished so far. Call before the context closes."""
        requests = list(self.finished if requests is None else requests)
        total = 0
        for request in requests:
            sizes = request.sizes()
            body = sizes["responseBodySize"]
            response = request.response()
            if not body and response:  # a worker's own script is reported with no body
                body = int(response.headers.get("content-length", 0))
            total += body + sizes["responseHeadersSize"]
        starts = [r.timing["startTime"] for r in requests]
        ends = [r.timing["startTime"] + r.timing["responseEnd"] for r in requests]
        return {"kb": total / 1024, "requests": len(requests),
                "ms": max(ends) - min(starts) if requests else 0.0}


# Ours is done when the results for the whole word are shown and the list is no longer busy
# (after the last key it waits SETTLE_PAUSE in search.js, then searches the word as typed);
# `shown` is the first screen of them, which may come earlier while still busy.
VISIT_OURS = {**OURS, "settled": """w => {
    const section = document.querySelector('.results');
    return section.dataset.shownQuery === w && section.getAttribute('aria-busy') !== 'true'
           && document.querySelector('#results .card'); }"""}
VISIT_PAGEFIND_UI = {**PAGEFIND_UI, "settled": PAGEFIND_UI["shown"]}
# Started right after the last key: in the page, when each condition first holds, in ms after
# the last input event (recorded by a listener added before the first key).
WATCH = """w => {
    const marks = window.__benchMarks = {};
    const conditions = {shown: %(shown)s, settled: %(settled)s};
    const box = document.querySelector(%(box)r);
    const tick = () => {
        for (const [name, holds] of Object.entries(conditions)) {
            if (!(name in marks) && holds(w)) {
                marks[name] = performance.now() - window.__benchLastInput;
                marks[name + 'At'] = performance.timeOrigin + performance.now();
            }
        }
        if (box.value !== w) marks.lost = box.value;
        if (!('settled' in marks) && !('lost' in marks)) requestAnimationFrame(tick);
    };
    tick(); }"""


def _new_page(browser: Browser) -> tuple[BrowserContext, Page, Traffic]:
    context = browser.new_context()
    # When the last key reached the page: the watch in WATCH counts from it.
    context.add_init_script("""document.addEventListener('input',
        () => { window.__benchLastInput = performance.now(); }, true);""")
    page = context.new_page()
    return context, page, Traffic(context, page)


def _idle_visit(browser: Browser, url: str) -> dict[str, float]:
    """Open the page and let it be: what it moves until the network stays idle (2 s without a
    new request after Playwright's `networkidle`, so a timer's late fetch counts)."""
    context, page, traffic = _new_page(browser)
    page.goto(url, wait_until="networkidle", timeout=120_000)
    while True:
        seen = len(traffic.finished)
        page.wait_for_timeout(2000)
        if len(traffic.finished) == seen:
            break
        page.wait_for_load_state("networkidle")
    moved = traffic.moved()
    context.close()
    return {"idle_kb": moved["kb"], "idle_requests": moved["requests"], "idle_ms": moved["ms"]}


def _typed_visit(browser: Browser, url: str, ui: dict[str, str],
                 word: str) -> dict[str, float | None]:
    """Open the page, start typing `word` FIRST_KEY_AFTER_S after the box appears, FIRST_GAP_S a
    key: ms from the last key to its results on screen, and what was moved by then. A box that
    does not hold exactly `word` afterwards (a key lost or overwritten) is a failed run."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    context, page, traffic = _new_page(browser)
    page.goto(url, wait_until="commit", timeout=120_000)
    page.wait_for_selector(ui["box"], state="visible", timeout=120_000)
    box_ms = page.evaluate("performance.now()")
    time.sleep(FIRST_KEY_AFTER_S)
    page.click(ui["box"])
    for place, key in enumerate(word):
        page.keyboard.type(key)
        if place < len(word) - 1:
            time.sleep(FIRST_GAP_S)
    page.evaluate(WATCH % ui, word)
    with contextlib.suppress(PlaywrightTimeout):  # never shown: a failed run, reported below
        page.wait_for_function("() => 'settled' in window.__benchMarks || 'lost' in window.__benchMarks",
                               timeout=GIVE_UP_MS)
    marks = page.evaluate("window.__benchMarks")
    by_then = marks.get("settledAt", marks.get("shownAt", math.inf))
    moved = traffic.moved([r for r in list(traffic.finished)
                           if r.timing["startTime"] + r.timing["responseEnd"] <= by_then])
    held = page.input_value(ui["box"])
    context.close()
    done = "settled" in marks and held == word and "lost" not in marks
    return {"box_ms": box_ms, "typed_ms": marks["settled"] if done else None,
            "typed_shown_ms": marks.get("shown") if done else None,
            "typed_kb": moved["kb"], "typed_requests": moved["requests"],
            "lost_keys": int(held != word or "lost" in marks), "failed": int(not done)}


def first_visit(site: Path, ui: dict[str, str], label: str, runs: int) -> dict[str, float | None]:
    """Median over `runs` of an idle first visit and a typed one, each in a fresh context (an
    empty cache) over the emulated VPN; `lost_keys` and `failed` count runs, not a median."""
    from playwright.sync_api import sync_playwright

    samples: list[dict[str, float | None]] = []
    with hosted(site) as root, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(runs):
            samples.append({**_idle_visit(browser, root + ui["path"]),
                            **_typed_visit(browser, root + ui["path"], ui, FIRST_WORD)})
        browser.close()
    result: dict[str, float | None] = {}
    for key in samples[0]:
        values = [value for s in samples if (value := s[key]) is not None]
        if key in ("lost_keys", "failed"):
            result[f"{label}_{key}"] = sum(values)
        else:
            result[f"{label}_{key}"] = round(statistics.median(values), 1) if values else None
    return result


def run(count: int, browser: bool, typed: bool = True, runs: int = 3) -> dict[str, float | None]:
    """One row: every measure at `count` profiles. `typed` adds the six typed words (minutes of
    settled pages); `runs` is how many runs each median of the first visits and rebuilds takes."""
    with tempfile.TemporaryDirectory(prefix="bench-") as work:
        catalog = generate(count, Path(work) / "catalog")
        row: dict[str, float | None] = {"n": count, **ours(catalog, runs), **hugo(catalog, Path(work))}
        row["check_jsonschema_s"] = check_jsonschema(catalog)
        hugo_site = Path(work) / "hugo" / "public"
        if browser and typed:
            row.update(typed_queries(catalog / "site", OURS, QUERIES, "query"))
            row.update(typed_queries(hugo_site, PAGEFIND_UI, QUERIES, "pagefind_ui"))
        if browser:
            row.update(bytes_per_query(catalog / "site", QUERIES))
            row.update(first_visit(catalog / "site", VISIT_OURS, "visit", runs))
            row.update(first_visit(hugo_site, VISIT_PAGEFIND_UI, "pagefind_ui_visit", runs))
    hugo_total = row["hugo_total_s"]
    assert isinstance(hugo_total, float)
    row["build_ratio"] = ratio(row["build_s"], hugo_total)
    row["change_ratio"] = ratio(row["one_change_rebuild_s"], hugo_total)
    row["noop_ratio"] = ratio(row["noop_rebuild_s"], hugo_total)
    for kind in EDITS:
        row[f"{kind}_change_ratio"] = ratio(row[f"{kind}_change_rebuild_s"], hugo_total)
    row["validate_ratio"] = ratio(row["validate_s"], row["check_jsonschema_s"])
    for gap in GAPS_MS if browser and typed else ():
        row[f"query_ratio_{gap}"] = ratio(row[f"query_{gap}_ms"], row[f"pagefind_ui_{gap}_ms"])
    if browser:
        for measure in ("idle_kb", "idle_requests", "idle_ms", "typed_ms", "typed_kb"):
            row[f"visit_{measure}_ratio"] = ratio(row[f"visit_{measure}"],
                                                  row[f"pagefind_ui_visit_{measure}"])
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in row.items()}


def ratio(ours: float | None, theirs: float | None) -> float | None:
    return ours / theirs if ours is not None and theirs else None


# Issue 15's targets, per catalog size: (measure, {N: at most}).
TARGETS = {
    "build_ratio": {1_000: 1.0, 10_000: 0.8},
    "one_change_rebuild_s": {1_000: 1.0},
    "change_ratio": {10_000: 0.1},
    "noop_rebuild_s": {1_000: 0.3, 10_000: 0.3},
    "validate_ratio": {1_000: 0.05, 10_000: 0.05},
    "peak_mb": {1_000: 200, 10_000: 500},
    "query_60_ms": {1_000: 60, 10_000: 100}, "query_60_max_ms": {1_000: 120, 10_000: 200},
    "query_150_ms": {1_000: 60, 10_000: 100}, "query_150_max_ms": {1_000: 120, 10_000: 200},
    "query_ratio_60": {1_000: 1.0, 10_000: 1.0}, "query_ratio_150": {1_000: 1.0, 10_000: 1.0},
    "query_kb": {1_000: 150, 10_000: 150},
}
VISIT_MEASURES = ["idle_kb", "idle_requests", "idle_ms", "box_ms", "typed_ms", "typed_shown_ms",
                  "typed_kb", "typed_requests", "lost_keys", "failed"]
COLUMNS = ["validate_s", "check_jsonschema_s", "validate_ratio", "load+validate_s", "render_s",
           "pagefind_s", "build_s", "hugo_s", "hugo_pagefind_s", "hugo_total_s", "build_ratio",
           "noop_rebuild_s", "one_change_rebuild_s", "change_ratio", "peak_mb", "hugo_peak_mb",
           "site_mb", "pagefind_mb", "query_60_ms", "query_60_max_ms", "pagefind_ui_60_ms",
           "pagefind_ui_60_max_ms", "query_ratio_60", "query_150_ms", "query_150_max_ms",
           "pagefind_ui_150_ms", "pagefind_ui_150_max_ms", "query_ratio_150", "query_kb",
           # issue 25: one-change rebuilds of three kinds, and a first visit over a VPN
           "noop_ratio", *(f"{kind}_change_{unit}" for kind in EDITS for unit in ("rebuild_s", "ratio")),
           *(f"{ui}visit_{measure}" for measure in VISIT_MEASURES for ui in ("", "pagefind_ui_")
             if ui == "" or measure != "typed_shown_ms"),
           *(f"visit_{measure}_ratio" for measure in ("idle_kb", "idle_requests", "idle_ms", "typed_ms",
                                                      "typed_kb"))]


def table(rows: list[dict[str, float | None]]) -> str:
    """Markdown: a row per measure, a column per N, each target marked met (✅) or missed (❌)."""
    lines = ["| measure | " + " | ".join(f"N = {r['n']:,.0f}" for r in rows) + " |",
             "|---|" + "---|" * len(rows)]
    for column in COLUMNS:
        cells = []
        for r in rows:
            value = r.get(column)
            goal = TARGETS.get(column, {}).get(int(r["n"] or 0))
            mark = ""
            if goal is not None and value is not None:
                mark = f" {'✅' if value <= goal else '❌'} (≤ {goal})"
            cells.append(f"{'—' if value is None else value}{mark}")
        lines.append(f"| {column} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--large", action="store_true", help="also N = 50,000")
    parser.add_argument("--no-browser", action="store_true", help="skip everything measured in Chromium")
    parser.add_argument("--no-typed-queries", action="store_true",
                        help="skip the six typed words (the first visits still run)")
    parser.add_argument("--runs", type=int, default=3,
                        help="runs per median of the first visits and one-change rebuilds (default 3)")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args()
    sizes = [*args.sizes, *([50_000] if args.large else [])]
    rows = [run(n, not args.no_browser, not args.no_typed_queries, args.runs) for n in sizes]
    args.json.write_text(json.dumps(rows, indent=2) + "\n")
    print(table(rows))


if __name__ == "__main__":
    main()
