#!/usr/bin/env python3
"""Benchmark the catalog against Hugo + Pagefind and check-jsonschema, on generated data.

    python bench/run.py                  # N = 1,000 and 10,000
    python bench/run.py --large          # also N = 50,000
    python bench/run.py --sizes 200 --no-browser --json out.json   # what the smoke test runs

Prints a table and writes JSON (bench/results.json by default). Targets (at N = 10,000):
full build <= 0.5 x (Hugo + Pagefind); one changed profile <= 0.1 x that; no-op rebuild <= 0.5 s;
validate <= 0.1 x check-jsonschema; peak memory <= 500 MB; a query <= 100 ms and <= 150 KB.
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
    return {"hugo_s": build_s, "hugo_pagefind_s": index_s, "hugo_total_s": build_s + index_s,
            "hugo_peak_mb": max(peak, index_peak)}


def check_jsonschema(catalog: Path) -> float:
    files = [str(p) for p in sorted((catalog / "advocates").glob("*.yaml"))]
    tool = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent)) or "check-jsonschema"
    seconds, _, _ = measured([tool, "--schemafile", str(catalog / "schemas" / "advocate.schema.json"),
                              *files])
    return seconds


def browser_queries(site: Path, words: list[str]) -> dict[str, float]:
    """Median ms from typing a query to results shown, and KB transferred, in headless Chromium."""
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT / "src"))
    from advocate_catalog.serve import server

    httpd = server(site, port=0)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    times: list[float] = []
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
            started = time.perf_counter()
            page.fill("#q", word)
            page.wait_for_function("w => document.querySelector('#results .card mark')", arg=word)
            times.append((time.perf_counter() - started) * 1000)
            sizes.append(sum(len(r.body()) for r in list(received) if r.ok) / 1024)
            page.close()
        browser.close()
    httpd.shutdown()
    return {"query_ms": round(statistics.median(times), 1), "query_max_ms": round(max(times), 1),
            "query_kb": round(statistics.median(sizes), 1)}


def run(count: int, browser: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-") as work:
        catalog = generate(count, Path(work) / "catalog")
        row: dict[str, float] = {"n": count, **ours(catalog), **hugo(catalog, Path(work))}
        row["check_jsonschema_s"] = check_jsonschema(catalog)
        if browser:
            row.update(browser_queries(catalog / "site", QUERIES))
    row["build_ratio"] = row["build_s"] / row["hugo_total_s"]
    row["change_ratio"] = row["one_change_rebuild_s"] / row["hugo_total_s"]
    row["validate_ratio"] = row["validate_s"] / row["check_jsonschema_s"]
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in row.items()}


TARGETS = [("build_ratio", 0.5), ("change_ratio", 0.1), ("noop_rebuild_s", 0.5),
           ("validate_ratio", 0.1), ("peak_mb", 500), ("query_ms", 100), ("query_kb", 150)]


def table(rows: list[dict[str, float]]) -> str:
    columns = ["n", "validate_s", "check_jsonschema_s", "validate_ratio", "load+validate_s",
               "render_s", "pagefind_s", "build_s", "hugo_s", "hugo_pagefind_s", "hugo_total_s",
               "build_ratio", "noop_rebuild_s", "one_change_rebuild_s", "change_ratio", "peak_mb",
               "hugo_peak_mb", "site_mb", "pagefind_mb", "query_ms", "query_max_ms", "query_kb"]
    lines = ["| measure | " + " | ".join(f"N = {r['n']:,}" for r in rows) + " | target (N = 10,000) |",
             "|---|" + "---|" * (len(rows) + 1)]
    goals = dict(TARGETS)
    for column in columns[1:]:
        cells = []
        for r in rows:
            value = r.get(column, "—")
            mark = ""
            if column in goals and isinstance(value, int | float) and r["n"] == 10_000:
                mark = " ✅" if value <= goals[column] else " ❌"
            cells.append(f"{value}{mark}")
        goal = f"≤ {goals[column]}" if column in goals else ""
        lines.append(f"| {column} | " + " | ".join(cells) + f" | {goal} |")
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
