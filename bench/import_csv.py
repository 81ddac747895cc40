#!/usr/bin/env python3
"""`import` on the generated 2,000-row CRM export (tests/imports): rows written and reported, and
seconds for the check, the write, and the re-run that must write nothing.

    python bench/import_csv.py              # a table
    python bench/import_csv.py --rows 10000 # a bigger export of the same kind
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from imports.crm_export import make  # noqa: E402 - found through the path set above


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        repo = Path(scratch) / "catalog"
        repo.mkdir()
        for name in ("catalog.yaml", "targets.yaml"):
            shutil.copy(ROOT / name, repo / name)
        for folder in ("advocates", "nominations"):
            shutil.copytree(ROOT / folder, repo / folder)
        truth = make(Path(scratch) / "references.csv", rows=args.rows)
        command = [sys.executable, "-m", "advocate_catalog", "--root", str(repo), "import",
                   str(Path(scratch) / "references.csv"), "--mapping",
                   str(ROOT / "tests" / "imports" / "crm-mapping.yaml"), "--as-of", "2026-11-23"]
        print(f"{args.rows:,} rows: {len(truth['good_rows']):,} good, {len(truth['bad_rows']):,} with a "
              f"defect, {len(truth['duplicate_rows']):,} duplicates")
        print("| run | seconds | what it said |\n|---|---|---|")
        for label, extra in (("check (no --write)", []), ("--write", ["--write"]),
                             ("again (--write)", ["--write"])):
            started = time.perf_counter()
            done = subprocess.run([*command, *extra], capture_output=True, text=True, check=False)
            seconds = time.perf_counter() - started
            print(f"| {label} | {seconds:.2f} | {done.stderr.strip().splitlines()[-1]} |")


if __name__ == "__main__":
    main()
