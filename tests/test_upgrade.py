"""`upgrade` keeps what a company changed in its generated files, and installs a tool that exists.

The adoption story of issue 24: a company starts with one version, makes the generated files its
own (deploy somewhere private, an extra pre-commit hook, a workflow it does not want), upgrades,
and loses nothing; its jobs install a hash-locked tool from where catalog.yaml says."""

from __future__ import annotations

import base64
import hashlib
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from advocate_catalog import scaffold, upgrade
from advocate_catalog.cli import main

from conftest import ROOT

# The last release before the upgrade record existed (0.2.0): its wheel is built from this commit.
PREVIOUS_RELEASE = "86ee5d07b161a3e179eff860123a9a4d52be27ab"
LOCK = scaffold.LOCK
# From the Pages upload to the end: the Pages deploy job, replaced by a sync to a private bucket.
PAGES_STEP = re.compile(r"\n      - uses: actions/upload-pages-artifact@.*\Z", re.S)
S3_STEP = ("\n      - name: Publish to the intranet bucket\n"
           "        run: aws s3 sync site/ s3://acme-intranet-advocates/ --delete\n")


def _run(*args: str, root: Path | None = None) -> tuple[int, str, str]:
    prefix = ["--root", str(root)] if root else []
    result = CliRunner().invoke(main, [*prefix, *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-c", "user.name=Platform", "-c", "user.email=platform@example.com",
                           *args], cwd=repo, check=True, capture_output=True, text=True)
    return done.stdout


@pytest.fixture
def company(tmp_path: Path) -> Path:
    repo = tmp_path / "acme-advocates"
    code, _, err = _run("init", str(repo))
    assert code == 0, err
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "Start the advocate catalog")
    return repo


def _customise(repo: Path) -> None:
    """What a platform team does in its first week: deploy to its own bucket, add a hook, drop
    the digest, keep a hand-made freshness workflow out of upgrades."""
    deploy = repo / ".github" / "workflows" / "deploy.yml"
    text, replaced = PAGES_STEP.subn(S3_STEP, deploy.read_text(encoding="utf-8"))
    assert replaced == 1, "the Pages step of deploy.yml"
    deploy.write_text(text, encoding="utf-8")
    pre_commit = repo / ".pre-commit-config.yaml"
    pre_commit.write_text(pre_commit.read_text(encoding="utf-8") + (
        "  - repo: https://github.com/pre-commit/pre-commit-hooks\n"
        "    rev: cef0300fd0fc4d2a87a85fa2093c6b283ea36f4b\n"
        "    hooks:\n"
        "      - id: trailing-whitespace\n"), encoding="utf-8")
    (repo / ".github" / "workflows" / "digest.yml").unlink()


def _moved_requirement(repo: Path, commit: str = "1" * 40) -> None:
    """A change every generated install line follows: the tool from the company's own mirror."""
    config = repo / "catalog.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "tool:\n  requirement: advocate-catalog @ "
                      f"git+https://git.acme.example/mirrors/advocate-catalog@{commit}\n", encoding="utf-8")


def _survived(repo: Path) -> None:
    deploy = (repo / ".github" / "workflows" / "deploy.yml").read_text(encoding="utf-8")
    assert "aws s3 sync site/ s3://acme-intranet-advocates/" in deploy
    assert "deploy-pages" not in deploy and "upload-pages-artifact" not in deploy
    assert not (repo / ".github" / "workflows" / "digest.yml").exists()
    hooks = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    ids = [hook["id"] for entry in hooks["repos"] for hook in entry["hooks"]]
    assert ids == ["advocate-catalog-validate", "trailing-whitespace"], ids
    assert "<<<<<<<" not in deploy


def test_upgrade_merges_a_new_install_line_into_a_customised_deploy(company: Path) -> None:
    _customise(company)
    _git(company, "commit", "-q", "-am", "Deploy to our bucket, lint whitespace, no digest")
    _moved_requirement(company)
    code, out, err = _run("upgrade", "--check", root=company)
    assert code == 1 and "out of date" in err
    assert "digest.yml" not in out  # deleted stays deleted, and --check does not report it
    code, _, err = _run("upgrade", root=company)
    assert code == 0, err
    assert ".github/workflows/deploy.yml: your changes merged with this version's" in err
    _survived(company)
    for path in (company / ".github" / "workflows").glob("*.yml"):
        assert "git.acme.example/mirrors/advocate-catalog@" + "1" * 40 in path.read_text(), path.name
    assert "git.acme.example" in (company / ".pre-commit-config.yaml").read_text()
    code, out, err = _run("upgrade", "--check", root=company)
    assert (code, out) == (0, ""), err


def test_a_conflict_is_left_marked_and_reported_never_overwritten(company: Path) -> None:
    deploy = company / ".github" / "workflows" / "deploy.yml"
    mine = deploy.read_text(encoding="utf-8").replace(
        "python -m pip install --require-hashes -r requirements/advocate-catalog.txt",
        "python -m pip install --require-hashes -r requirements/ours.txt")
    deploy.write_text(mine, encoding="utf-8")
    _moved_requirement(company)
    code, _, err = _run("upgrade", root=company)
    assert code == 1
    assert ".github/workflows/deploy.yml: 1 conflict(s) left between <<<<<<< and >>>>>>>" in err
    text = deploy.read_text(encoding="utf-8")
    assert "<<<<<<< yours" in text and "requirements/ours.txt" in text and ">>>>>>> advocate-catalog" in text


def test_excluded_files_are_never_written_nor_reported(company: Path) -> None:
    freshness = company / ".github" / "workflows" / "freshness.yml"
    freshness.write_text("# ours, by hand\n", encoding="utf-8")
    config = company / "catalog.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "tool:\n  exclude: ['.github/workflows/fresh*']\n",
                      encoding="utf-8")
    (company / ".github" / "workflows" / "verify.yml").unlink()
    code, out, err = _run("upgrade", "--check", root=company)
    assert (code, out) == (0, ""), out + err
    assert _run("upgrade", root=company)[0] == 0
    assert freshness.read_text(encoding="utf-8") == "# ours, by hand\n"
    assert not (company / ".github" / "workflows" / "verify.yml").exists()
    assert not (company / upgrade.BASE / ".github" / "workflows" / "freshness.yml").exists()


def _wheel(folder: Path, version: str) -> Path:
    """A minimal valid wheel named advocate-catalog: what pip downloads and hashes."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"advocate_catalog-{version}-py3-none-any.whl"
    info = f"advocate_catalog-{version}.dist-info"
    files = {f"{info}/METADATA": f"Metadata-Version: 2.1\nName: advocate-catalog\nVersion: {version}\n",
             f"{info}/WHEEL": ("Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
                               "Tag: py3-none-any\n")}
    record = []
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
            digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
            record.append(f"{name},sha256={digest},{len(text)}")
        archive.writestr(f"{info}/RECORD", "\n".join([*record, f"{info}/RECORD,,"]) + "\n")
    return path


def test_a_wheel_url_is_locked_by_its_hash_and_installed_from_the_lock_alone(company: Path,
                                                                              tmp_path: Path) -> None:
    wheel = _wheel(tmp_path / "wheels", scaffold.version())
    requirement = f"advocate-catalog @ {wheel.as_uri()}"
    config = company / "catalog.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"tool:\n  requirement: {requirement}\n",
                      encoding="utf-8")
    code, _, err = _run("upgrade", root=company)
    assert code == 0, err
    lock = (company / LOCK).read_text(encoding="utf-8")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    assert f"{requirement} \\\n    --hash=sha256:{digest}\n" in lock
    assert "setuptools==" not in lock  # nothing is built from source
    for path in (company / ".github" / "workflows").glob("*.yml"):
        installs = [line.strip() for line in path.read_text().splitlines() if "pip install" in line]
        assert set(installs) <= {f"python -m pip install --require-hashes -r {LOCK}"}, path.name
    # pip itself accepts the locked line and the file's hash (offline, the tool alone).
    only_tool = tmp_path / "tool.txt"
    only_tool.write_text(f"{requirement} \\\n    --hash=sha256:{digest}\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--no-deps", "--no-index",
                           "--require-hashes", "-r", str(only_tool)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    # The hash is reused while the requirement stays: --check needs no download.
    wheel.unlink()
    assert _run("upgrade", "--check", root=company)[0] == 0


@pytest.mark.parametrize(("requirement", "message"), [
    ("advocate-catalog==0.0.9", "tool.requirement names 0.0.9, but this is advocate-catalog"),
    ("advocate-catalog @ git+https://git.acme.example/advocate-catalog@main", "names no commit"),
])
def test_a_requirement_that_cannot_be_locked_is_one_line(company: Path, requirement: str,
                                                         message: str) -> None:
    config = company / "catalog.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"tool:\n  requirement: {requirement}\n",
                      encoding="utf-8")
    before = (company / LOCK).read_text(encoding="utf-8")
    code, _, err = _run("upgrade", root=company)
    assert code == 1 and err.count("\n") == 1 and message in err, err
    assert re.match(r".*catalog\.yaml:\d+:1: ", err)
    assert (company / LOCK).read_text(encoding="utf-8") == before


def test_upgrade_lists_an_override_whose_default_changed(company: Path) -> None:
    (company / "templates").mkdir()
    (company / "templates" / "advocate.html").write_text("{% extends 'base.html' %}\n", encoding="utf-8")
    code, _, err = _run("upgrade", "--check", root=company)
    assert code == 0 and "templates/advocate.html: the package default changed" not in err
    state = company / upgrade.STATE
    state.write_text(re.sub(r'("templates/advocate.html": )"[0-9a-f]+"', r'\1"0"', state.read_text()),
                     encoding="utf-8")
    code, _, err = _run("upgrade", "--check", root=company)
    assert "templates/advocate.html: the package default changed since" in err


def _previous_release(tmp_path: Path) -> Path:
    """The previous release's wheel, built from its commit, unpacked: run with it on PYTHONPATH."""
    source = tmp_path / "previous-source"
    source.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", PREVIOUS_RELEASE], capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
    wheels = tmp_path / "previous-wheel"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(wheels), str(source)], check=True, capture_output=True, cwd=tmp_path)
    (wheel,) = wheels.glob("advocate_catalog-*.whl")
    unpacked = tmp_path / "previous"
    with zipfile.ZipFile(wheel) as archive_file:
        archive_file.extractall(unpacked)
    return unpacked


def test_an_upgrade_from_the_previous_release_keeps_every_customisation(tmp_path: Path) -> None:
    """The previous release (no upgrade record) made the repository; the company customised it;
    this version upgrades it: nothing the company changed is lost, and it validates and builds."""
    previous = _previous_release(tmp_path)
    repo = tmp_path / "acme-advocates"
    made = subprocess.run([sys.executable, "-m", "advocate_catalog", "init", str(repo)], capture_output=True,
                          text=True, check=False, env={"PYTHONPATH": str(previous), "PATH": "/usr/bin:/bin"})
    assert made.returncode == 0, made.stderr
    assert "advocate-catalog==0.2.0" in (repo / ".github" / "workflows" / "deploy.yml").read_text()
    assert not (repo / upgrade.RECORD).exists()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "Start the advocate catalog with 0.2.0")
    _customise(repo)
    (repo / "templates").mkdir()
    base = (previous / "advocate_catalog" / "defaults" / "templates" / "base.html").read_text()
    footer = re.compile(r"({% block footer %}).*?({% endblock %})", re.S)
    (repo / "templates" / "base.html").write_text(footer.sub(r"\1<p>Questions? #acme-advocacy</p>\2", base))
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "Our deploy, our hooks, our footer, no digest")

    code, _, err = _run("upgrade", root=repo)
    assert code == 0, err
    _survived(repo)
    assert (repo / "templates" / "base.html").read_text().count("Questions? #acme-advocacy") == 1
    assert "templates/base.html: overrides a package default and was never checked" in err
    deploy = (repo / ".github" / "workflows" / "deploy.yml").read_text()
    assert "advocate-catalog==0.2.0" not in deploy and scaffold.installs(
        scaffold.resolve_tool(repo, scaffold.version()))[-1] in deploy
    hooks = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text())
    assert hooks["repos"][0]["repo"] == "local" and "rev" not in hooks["repos"][0]
    assert (repo / upgrade.BASE / ".github" / "workflows" / "deploy.yml").is_file()
    assert _run("upgrade", "--check", root=repo)[0] == 0
    code, _, err = _run("validate", "--strict", root=repo)
    assert code == 0, err
    code, _, err = _run("build", root=repo)
    assert code == 0, err
    assert "Questions? #acme-advocacy" in (repo / "site" / "index.html").read_text(encoding="utf-8")


def test_validate_warns_in_the_pull_request_about_an_override_using_a_variable_that_is_gone(
        company: Path) -> None:
    """The build would stop on it; the pull request that brings the override hears it first."""
    (company / "templates").mkdir()
    (company / "templates" / "advocate.html").write_text(
        "{% extends 'base.html' %}\n{% block main %}\n  <a href=\"{{ request_href }}\">Ask</a>\n"
        "{% endblock %}\n", encoding="utf-8")
    code, out, _ = _run("validate", "--strict", root=company)
    assert code == 1
    assert ("templates/advocate.html:3:15: warning: 'request_href' is not given to templates in this "
            "version — advocate.html receives request_links instead") in out
    (company / "templates" / "advocate.html").write_text(
        "{% extends 'base.html' %}\n{% set request_href = '#' %}\n", encoding="utf-8")
    assert _run("validate", "--strict", root=company)[0] == 0  # its own variable of that name


@pytest.mark.slow
def test_the_generated_install_step_installs_a_working_tool_with_every_hash(company: Path,
                                                                            tmp_path: Path) -> None:
    """The deploy job's install lines, as generated, run in a fresh venv: the tool is this
    checkout's wheel (tool.requirement, locked by its hash), every dependency from the lock."""
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(wheels), str(ROOT)], check=True, capture_output=True, cwd=tmp_path)
    (wheel,) = wheels.glob("advocate_catalog-*.whl")
    config = company / "catalog.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"tool:\n  requirement: advocate-catalog @ "
                      f"{wheel.as_uri()}\n", encoding="utf-8")
    code, _, err = _run("upgrade", root=company)
    assert code == 0, err
    deploy = yaml.safe_load((company / ".github" / "workflows" / "deploy.yml").read_text(encoding="utf-8"))
    lines = [line.strip() for step in deploy["jobs"]["build"]["steps"]
             for line in step.get("run", "").splitlines() if "pip install" in line]
    assert lines == [f"python -m pip install --require-hashes -r {LOCK}"]
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    for line in lines:
        done = subprocess.run([str(venv / "bin" / "python"), *line.split()[1:]], cwd=company,
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
    checked = subprocess.run([str(venv / "bin" / "advocate-catalog"), "validate", "--strict"], cwd=company,
                             capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    version = subprocess.run([str(venv / "bin" / "advocate-catalog"), "--version"], capture_output=True,
                             text=True, check=True).stdout
    assert scaffold.version() in version
