"""First contact: a folder that is no catalog, a preview with nothing built, help that says what
the code does, and a README command table that lists exactly the commands and options there are."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from advocate_catalog import cache
from advocate_catalog.cli import SITE_FOLDER, main
from advocate_catalog.render import VALUE_CSV
from advocate_catalog.validate import CONFIG_FILE, EDITOR_SCHEMAS, TARGETS_FILE

from conftest import AS_OF, ROOT


def commands(group: click.Group = main, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, click.Command]]:
    """Every command that runs, as it is typed: `validate`, `report usage`, …"""
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from commands(command, (*prefix, name))
        else:
            yield " ".join((*prefix, name)), command


def runnable(name: str, command: click.Command) -> list[str]:
    """The command with a made-up value for everything it requires, so parsing succeeds."""
    args = name.split()
    for param in command.params:
        if param.required or (isinstance(param, click.Argument) and param.default is None):
            value = (param.type.choices[0] if isinstance(param.type, click.Choice) else "x")
            args += [str(value)] if isinstance(param, click.Argument) else [param.opts[0], str(value)]
    return args


@pytest.fixture
def no_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current folder is no catalog, nor is any folder above it."""
    folder = tmp_path / "somewhere" / "deeper"
    folder.mkdir(parents=True)
    if any(os.path.lexists(parent / CONFIG_FILE) for parent in folder.parents):
        pytest.skip("a folder above the test's holds a catalog.yaml")
    monkeypatch.chdir(folder)
    return folder


def not_found(where: str) -> str:
    return (f"catalog.yaml: not found in {where} — this is not a catalog; create one with "
            "`advocate-catalog init DIR`, or point at one with --root DIR\n")


def test_every_command_outside_a_catalog_says_so_in_one_line(no_catalog: Path) -> None:
    ran = []
    for name, command in commands():
        if name == "init":
            continue
        result = CliRunner().invoke(main, runnable(name, command))
        assert (result.exit_code, result.stdout, result.stderr) == (
            2, "", not_found(f"{no_catalog} or any parent folder")), name
        ran.append(name)
    assert {"validate", "build", "serve", "report usage", "upgrade"} <= set(ran)


def test_a_root_without_a_catalog_is_named(no_catalog: Path) -> None:
    for root in (no_catalog, no_catalog / "missing"):
        result = CliRunner().invoke(main, ["--root", str(root), "validate"])
        assert (result.exit_code, result.stderr) == (2, not_found(str(root))), result.output


def test_help_version_and_init_work_anywhere(no_catalog: Path) -> None:
    for args in (["--help"], ["--version"], ["report", "--help"],
                 *([*name.split(), "--help"] for name, _ in commands())):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0 and "not found" not in result.output, args
    made = CliRunner().invoke(main, ["init", "new-catalog"])
    assert made.exit_code == 0, made.output
    assert (no_catalog / "new-catalog" / CONFIG_FILE).is_file()
    checked = CliRunner().invoke(main, ["--root", "new-catalog", "validate"])
    assert checked.exit_code == 0, checked.output


def test_a_mistyped_option_is_a_usage_error_before_the_catalog_is_looked_for(no_catalog: Path) -> None:
    result = CliRunner().invoke(main, ["validate", "--strictt"])
    assert result.exit_code == 2 and "No such option" in result.output and "not found" not in result.output


def test_the_catalog_is_found_from_any_folder_inside_it(sample_repo: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(sample_repo / "advocates")
    result = CliRunner().invoke(main, ["validate", "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    assert re.search(r"\d+ advocates, \d+ nominations: 0 error\(s\)", result.stderr)
    # --root is taken as given: no search upward from it
    given = CliRunner().invoke(main, ["--root", ".", "validate"])
    assert (given.exit_code, given.stderr) == (2, not_found(str(sample_repo / "advocates")))


def test_serve_no_build_without_a_built_site_says_what_to_run(repo: Path) -> None:
    result = CliRunner().invoke(main, ["--root", str(repo), "serve", "--no-build", "--port", "0"])
    site = repo / SITE_FOLDER
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (f"{site}: no built site to serve (no index.html) — run `advocate-catalog "
                             "serve` without --no-build, or `advocate-catalog build` first\n")
    assert not site.exists()


# --- help texts say what the code does --------------------------------------------------------

def _help_texts() -> Iterator[tuple[str, str]]:
    """Every `--help` page: the tool's, each group's and each command's, options and defaults."""
    for name in ["", "report", *dict(commands())]:
        result = CliRunner().invoke(main, [*name.split(), "--help"], terminal_width=10_000)
        assert result.exit_code == 0, name
        yield name, result.stdout


def test_every_command_and_option_has_help_text() -> None:
    for name, command in [("report", main.commands["report"]), *commands()]:
        assert command.help and command.help.strip(), f"{name} has no help text"
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} {param.opts[0]} has no help text"
    for param in main.params:
        assert getattr(param, "help", None) or param.name in ("help", "version"), param.name


# The paths a help text may name: each comes from the constant the code uses.
KNOWN_PATHS = {
    CONFIG_FILE, TARGETS_FILE, VALUE_CSV, f"{SITE_FOLDER}/", EDITOR_SCHEMAS, f"{EDITOR_SCHEMAS}/",
    *(f"{folder}/" for folder in (*cache.DATA_FOLDERS, *cache.GLOBAL_FOLDERS)),
    *re.findall(r"[$~][\w./$-]+", cache.HOME),
}
PATH = re.compile(r"(?<![\w./$~@-])(?:[$~]?[\w.-]*/[\w./$-]*|[\w-]+\.(?:yaml|yml|md|csv|json|html))")


def known(path: str) -> bool:
    """A path the code uses, a file of this repository (docs), or a placeholder in a known
    folder (`nominations/FILE.yaml`)."""
    if path in KNOWN_PATHS or (ROOT / path).is_file():
        return True
    folder, _, name = path.rpartition("/")
    return name.split(".")[0].isupper() and (not folder or f"{folder}/" in KNOWN_PATHS)


def test_help_names_only_paths_the_code_uses() -> None:
    for name, text in _help_texts():
        for path in PATH.findall(text):
            path = path.rstrip(".,;:)")
            if path.startswith(("http", "--")) or not path.replace("/", ""):
                continue
            assert known(path), f"`{name} --help` names {path}"
    build_help = dict(_help_texts())["build"]
    assert cache.HOME in " ".join(build_help.split()), "build --full names where the cache is"


# --- the README's command table lists the commands there are ----------------------------------

def readme_synopses() -> list[tuple[list[str], set[str], dict[str, set[str]]]]:
    """Each synopsis of the README's command table: the commands it names, its options and the
    values it lists for an option (`--format text\\|json`)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Commands\n", 1)[1].split("\n## ", 1)[0]
    found = []
    for row in section.splitlines():
        if not row.startswith("| `"):
            continue
        for synopsis in re.findall(r"`([^`]+)`", row.split(" | ")[0].removeprefix("| ")):
            words = synopsis.replace("\\|", "|").split()
            group = main.commands.get(words[0])
            names = ([f"{words[0]} {sub}" for sub in words[1].split("|")]
                     if isinstance(group, click.Group) else [words[0]])
            options = {word.strip("[]") for word in words if word.strip("[").startswith("--")}
            values = {words[i].strip("[]"): set(words[i + 1].strip("[]").split("|"))
                      for i in range(len(words) - 1)
                      if words[i].strip("[").startswith("--") and "|" in words[i + 1]}
            found.append((names, options, values))
    return found


# Commands whose synopsis names a few options and says "…": every field of a nomination is one.
ABRIDGED = {"nominate"}


def test_the_readme_command_table_lists_every_command_and_option() -> None:
    cli = dict(commands())
    synopses = readme_synopses()
    documented = {name for names, _, _ in synopses for name in names}
    assert sorted(set(cli) - documented) == [], "commands missing from the README's table"
    assert sorted(documented - set(cli)) == [], "the README's table names commands that do not exist"
    for names, options, values in synopses:
        for name in names:
            command = cli[name]
            have = {opt for param in command.params if isinstance(param, click.Option)
                    for opt in param.opts if opt.startswith("--")}
            assert options <= have, f"README: `{name}` has no {sorted(options - have)}"
            if name not in ABRIDGED:
                assert have <= options, f"README: `{name}` does not name {sorted(have - options)}"
            for option, listed in values.items():
                param = next(p for p in command.params if option in p.opts)
                if isinstance(param.type, click.Choice):
                    assert listed == set(param.type.choices), f"README: `{name} {option}`"
