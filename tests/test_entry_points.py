"""Both ways in (`python build.py`, the console script), `serve`, and self-describing schemas."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

from click.testing import CliRunner

from advocate_catalog.cli import main

from conftest import ROOT


def test_build_py_runs_the_cli(sample_catalog) -> None:
    done = subprocess.run([sys.executable, "build.py", "validate", "--as-of", "2026-11-23"],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    counts = f"{len(sample_catalog.advocates)} advocates, {len(sample_catalog.nominations)} nominations"
    assert f"{counts}: 0 error(s)" in done.stderr


def test_console_script_is_installed_and_runs() -> None:
    script = shutil.which("advocate-catalog")
    assert script, "pip install -e . installs the advocate-catalog command"
    done = subprocess.run([script, "--root", str(ROOT), "validate", "--as-of", "2026-11-23"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_serve_on_a_busy_port_is_a_usage_error(built_site) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(
            main, ["--root", str(built_site.parent), "serve", "--no-build", "--port", str(port)])
    assert result.exit_code == 2 and "pick another with --port" in result.output


def _properties(schema: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(schema, dict):
        for name, sub in schema.get("properties", {}).items():
            yield f"{where}.{name}", sub
        for key, sub in schema.items():
            yield from _properties(sub, f"{where}/{key}")
    elif isinstance(schema, list):
        for i, sub in enumerate(schema):
            yield from _properties(sub, f"{where}[{i}]")


def test_every_schema_property_has_a_description() -> None:
    for path in (ROOT / "schemas").glob("*.schema.json"):
        schema = json.loads(path.read_text())
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        missing = [where for where, sub in _properties(schema) if not sub.get("description")]
        assert missing == [], f"{path.name}: {missing}"
