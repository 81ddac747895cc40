"""Review conventions point at things that exist: owners, hooks, editor schema associations."""

from __future__ import annotations

import json
import re
import shlex

import yaml

from advocate_catalog.cli import main

from conftest import ROOT


def test_pre_commit_hook_runs_a_real_command() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    program, command, *options = shlex.split(hook["entry"])
    assert program == "advocate-catalog" and command in main.commands
    known = {option for param in main.commands[command].params for option in param.opts}
    assert set(options) <= known


def test_editor_schemas_exist() -> None:
    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text())
    for schema, pattern in settings["yaml.schemas"].items():
        assert (ROOT / schema).exists()
        assert any(ROOT.glob(pattern))


def test_pull_request_template_has_a_checklist() -> None:
    assert (ROOT / ".github" / "pull_request_template.md").read_text().count("- [ ]") >= 3


def test_pre_commit_hook_runs_for_every_file_validate_reads() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    pattern = re.compile(hook["files"])
    for path in ("catalog.yaml", "targets.yaml", "advocates/a.yaml", "nominations/b.yaml",
                 "schemas/advocate.schema.json", "templates/base.html"):
        assert pattern.search(path), path
    assert not pattern.search("README.md")
