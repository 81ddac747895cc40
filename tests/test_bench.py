"""The benchmark cannot rot: it runs end to end at N = 200, every measure but the six typed words
(minutes of settled pages), once each. No timing is asserted: the targets live in the bench."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CHROMIUM, ROOT


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


@pytest.mark.browser
def test_benchmark_smoke(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", "200",
                           "--no-typed-queries", "--runs", "1", "--json", str(out)],
                          capture_output=True, text=True, timeout=600, check=False,
                          env={**os.environ, "CHROMIUM": CHROMIUM})
    assert done.returncode == 0, done.stdout + done.stderr
    (row,) = json.loads(out.read_text())
    for key in ("validate_s", "build_s", "render_s", "pagefind_s", "noop_rebuild_s",
                "one_change_rebuild_s", "name_change_rebuild_s", "industry_change_rebuild_s",
                "story_change_rebuild_s", "hugo_total_s", "check_jsonschema_s", "peak_mb", "site_mb",
                "query_kb"):
        assert row[key] > 0, key
    # The first visit over the emulated VPN, ours and Pagefind's Default UI: both finish, with
    # the word typed intact and something moved.
    for ui in ("visit", "pagefind_ui_visit"):
        assert row[f"{ui}_failed"] == 0 and row[f"{ui}_lost_keys"] == 0, ui
        for measure in ("idle_kb", "idle_requests", "typed_ms", "typed_kb", "typed_requests"):
            assert row[f"{ui}_{measure}"] > 0, (ui, measure)
    assert row["visit_typed_shown_ms"] <= row["visit_typed_ms"]
    for line in ("| build_ratio |", "| story_change_ratio |", "| visit_typed_ms |"):
        assert line in done.stdout, line
