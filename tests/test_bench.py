"""The benchmark cannot rot: it runs end to end at N = 200 (without the browser part)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def test_generated_catalog_is_valid_and_deterministic(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate

    from advocate_catalog.validate import validate

    first = generate(60, tmp_path / "a")
    second = generate(60, tmp_path / "b")
    names = sorted(p.name for p in (first / "advocates").iterdir())
    assert len(names) == 60
    assert all((first / "advocates" / n).read_bytes() == (second / "advocates" / n).read_bytes()
               for n in names)
    assert validate(first, dt.date(2026, 11, 23)).errors == []


def test_benchmark_smoke(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", "200",
                           "--no-browser", "--json", str(out)], capture_output=True, text=True,
                          timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    (row,) = json.loads(out.read_text())
    for key in ("validate_s", "build_s", "render_s", "pagefind_s", "noop_rebuild_s",
                "one_change_rebuild_s", "hugo_total_s", "check_jsonschema_s", "peak_mb", "site_mb"):
        assert row[key] > 0, key
    assert "| build_ratio |" in done.stdout
