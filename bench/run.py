#!/usr/bin/env python3
"""Benchmark the catalog against Hugo + Pagefind and check-jsonschema, on generated data.

    python bench/run.py                  # N = 1,000 and 10,000
    python bench/run.py --large          # also N = 50,000
    python bench/run.py --sizes 200 --no-browser --json out.json   # what the smoke test runs

Prints a table and writes JSON (bench/results.json by default), each target (TARGETS, per N)
marked met or missed. Queries are typed key by key, 60 and 150 ms apart, after the page has
settled; Pagefind's Default UI over Hugo's pages of the same profiles is typed the same way.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))

from generate import generate  # noqa: E402

from advocate_catalog.load import read  # noqa: E402

AS_OF = "2026-11-23"
# Words from common to rare in the generated stories (share of profiles holding each, at any N):
# spreadsheets ~97 %, pipelines ~47 %, governance ~39 %, lineage ~15 %, meridian ~8 %,
# underwriting ~5 %. The median is over all six.
QUERIES = ["spreadsheets", "pipelines", "governance", "lineage", "meridian", "underwriting"]
CHROMIUM = "/usr/bin/chromium"


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


def ours(catalog: Path) -> dict[str, float]:
    cli = [sys.executable, str(ROOT / "build.py"), "--root", str(catalog)]
    result: dict[str, float] = {}
    result["validate_s"], _, _ = measured([*cli, "validate", "--as-of", AS_OF])
    build = [*cli, "build", "--as-of", AS_OF, "--timings"]
    result["build_s"], result["peak_mb"], out = measured(build)
    stages = json.loads(out.strip().splitlines()[-1])
    result.update({f"{stage}_s": seconds for stage, seconds in stages.items()})
    result["noop_rebuild_s"], _, _ = measured(build)
    profile = sorted((catalog / "advocates").glob("*.yaml"))[0]
    profile.write_text(profile.read_text().replace("It changed how we plan.",
                                                   "It changed how we plan, and how we hire."))
    result["one_change_rebuild_s"], _, _ = measured(build)
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
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
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
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
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


def run(count: int, browser: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-") as work:
        catalog = generate(count, Path(work) / "catalog")
        row: dict[str, float] = {"n": count, **ours(catalog), **hugo(catalog, Path(work))}
        row["check_jsonschema_s"] = check_jsonschema(catalog)
        if browser:
            row.update(typed_queries(catalog / "site", OURS, QUERIES, "query"))
            row.update(typed_queries(Path(work) / "hugo" / "public", PAGEFIND_UI, QUERIES,
                                     "pagefind_ui"))
            row.update(bytes_per_query(catalog / "site", QUERIES))
    row["build_ratio"] = row["build_s"] / row["hugo_total_s"]
    row["change_ratio"] = row["one_change_rebuild_s"] / row["hugo_total_s"]
    row["validate_ratio"] = row["validate_s"] / row["check_jsonschema_s"]
    for gap in GAPS_MS if browser else ():
        row[f"query_ratio_{gap}"] = row[f"query_{gap}_ms"] / row[f"pagefind_ui_{gap}_ms"]
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in row.items()}


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
COLUMNS = ["validate_s", "check_jsonschema_s", "validate_ratio", "load+validate_s", "render_s",
           "pagefind_s", "build_s", "hugo_s", "hugo_pagefind_s", "hugo_total_s", "build_ratio",
           "noop_rebuild_s", "one_change_rebuild_s", "change_ratio", "peak_mb", "hugo_peak_mb",
           "site_mb", "pagefind_mb", "query_60_ms", "query_60_max_ms", "pagefind_ui_60_ms",
           "pagefind_ui_60_max_ms", "query_ratio_60", "query_150_ms", "query_150_max_ms",
           "pagefind_ui_150_ms", "pagefind_ui_150_max_ms", "query_ratio_150", "query_kb"]


def table(rows: list[dict[str, float]]) -> str:
    """Markdown: a row per measure, a column per N, each target marked met (✅) or missed (❌)."""
    lines = ["| measure | " + " | ".join(f"N = {r['n']:,}" for r in rows) + " |",
             "|---|" + "---|" * len(rows)]
    for column in COLUMNS:
        cells = []
        for r in rows:
            value = r.get(column, "—")
            goal = TARGETS.get(column, {}).get(int(r["n"]))
            mark = ""
            if goal is not None and isinstance(value, int | float):
                mark = f" {'✅' if value <= goal else '❌'} (≤ {goal})"
            cells.append(f"{value}{mark}")
        lines.append(f"| {column} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--large", action="store_true", help="also N = 50,000")
    parser.add_argument("--no-browser", action="store_true", help="skip the query timings")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args()
    sizes = [*args.sizes, *([50_000] if args.large else [])]
    rows = [run(n, not args.no_browser) for n in sizes]
    args.json.write_text(json.dumps(rows, indent=2) + "\n")
    print(table(rows))


if __name__ == "__main__":
    main()
