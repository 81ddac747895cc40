"""Output survives any encoding (a Windows pipe is cp1252, a terminal may say ASCII), and the
files the tool reads and writes are UTF-8 whatever the locale."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import AS_OF, ROOT

NAME = "Łucja Nguyễn-Соколова"  # Polish, Vietnamese and Cyrillic: none of them in cp1252
PERSONA = "Łódź-директор-ạ"


def _add_profile(root: Path, advocate_id: str, **changes: str) -> None:
    text = (root / "advocates" / "mateusz-wrobel.yaml").read_text(encoding="utf-8")
    text = text.replace("id: mateusz-wrobel", f"id: {advocate_id}").replace(
        "Nadwiślański Bank Spółdzielczy", "Ładny Bank Ạ")
    for old, new in changes.items():
        text = text.replace(old, new)
    (root / "advocates" / f"{advocate_id}.yaml").write_text(text, encoding="utf-8")


@pytest.fixture
def named(sample_repo: Path) -> Path:
    """The sample catalog and one more advocate whose name cp1252 cannot hold."""
    _add_profile(sample_repo, "lucja-nguyen", **{"name: Mateusz Wróbel": f"name: {NAME}"})
    return sample_repo


def run(root: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHONIOENCODING", "PYTHONUTF8"))}
    return subprocess.run([sys.executable, "-m", "advocate_catalog", *args], cwd=root,
                          env={**clean, **env}, capture_output=True, check=False, timeout=300)


def unescaped(text: str) -> str:
    """The text with the \\uXXXX escapes written for what the encoding could not hold undone."""
    return re.sub(r"(?:\\u[0-9a-f]{4})+", lambda m: json.loads(f'"{m.group()}"'), text)


def readable(raw: bytes, encoding: str) -> str:
    try:
        return unescaped(raw.decode(encoding))
    except UnicodeDecodeError:
        # click takes a stream that says ASCII for a misconfigured locale and writes UTF-8 to it
        assert encoding == "ascii"
        return raw.decode("utf-8")


DAY = AS_OF.isoformat()
COMMANDS = [
    ("validate", "--as-of", DAY),
    ("report", "usage", "--as-of", DAY),
    ("report", "owner", "amara-okafor", "--as-of", DAY),
    ("report", "digest", "--format", "text", "--since", "2026-01-01", "--as-of", DAY),
    ("freshness", "--as-of", DAY),
    ("--help",),
    ("build", "--help"),
]


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
def test_every_command_survives_an_encoding_that_cannot_hold_a_name(named: Path, encoding: str) -> None:
    assert NAME in run(named, *COMMANDS[1], env={"PYTHONIOENCODING": "utf-8"}).stdout.decode()
    for args in COMMANDS:
        wide = run(named, *args, env={"PYTHONIOENCODING": "utf-8"})
        narrow = run(named, *args, env={"PYTHONIOENCODING": encoding})
        assert narrow.returncode == wide.returncode, (args, narrow.stderr)
        assert b"Traceback" not in narrow.stderr and b"internal error" not in narrow.stderr, args
        assert readable(narrow.stdout, encoding) == wide.stdout.decode("utf-8"), args
        assert readable(narrow.stderr, encoding) == wide.stderr.decode("utf-8"), args


def test_what_cp1252_cannot_hold_is_escaped_and_json_stays_json(named: Path) -> None:
    _add_profile(named, "bad-persona", **{"name: Mateusz Wróbel": f"name: {NAME}",
                                          "persona: director": f"persona: {PERSONA}"})
    wide = run(named, "validate", "--as-of", DAY, env={"PYTHONIOENCODING": "utf-8"})
    narrow = run(named, "validate", "--as-of", DAY, env={"PYTHONIOENCODING": "cp1252"})
    assert wide.returncode == narrow.returncode == 1
    line = next(line for line in narrow.stdout.decode("cp1252").splitlines() if "persona" in line)
    assert "'\\u0141ód\\u017a-\\u0434\\u0438\\u0440\\u0435\\u043a\\u0442\\u043e\\u0440-\\u1ea1'" in line
    for encoding in ("cp1252", "ascii"):
        report = run(named, "validate", "--format", "json", "--as-of", DAY,
                     env={"PYTHONIOENCODING": encoding})
        assert report.returncode == 1 and b"Traceback" not in report.stderr
        found = json.loads(report.stdout.decode(encoding, errors="strict") if encoding == "cp1252"
                           else report.stdout)
        expected = json.loads(run(named, "validate", "--format", "json", "--as-of", DAY,
                                  env={"PYTHONIOENCODING": "utf-8"}).stdout)
        assert found == expected and any(PERSONA in issue["message"] for issue in found)


def test_an_emoji_is_escaped_as_json_escapes_it() -> None:
    from advocate_catalog.cli import ESCAPE

    assert "a😀Ł".encode("cp1252", ESCAPE) == b"a\\ud83d\\ude00\\u0141"
    assert json.loads(f'"{"😀Ł".encode("ascii", ESCAPE).decode()}"') == "😀Ł"


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],
                   cwd=root, check=True, capture_output=True)


def test_files_stay_utf8_in_an_ascii_locale(named: Path) -> None:
    """With LC_ALL=C and UTF-8 mode off, Python's default encoding is ASCII: everything read and
    written (profiles, the site, git's output) must say UTF-8 itself."""
    ascii_locale = {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0"}
    probe = run(named, "--version", env=ascii_locale)
    assert probe.returncode == 0
    _git(named, "init", "-q", "-b", "main")
    _git(named, "add", ".")
    _git(named, "commit", "-q", "-m", "start")
    profile = named / "advocates" / "lucja-nguyen.yaml"
    profile.write_text(profile.read_text(encoding="utf-8").replace(NAME, f"{NAME} Ạ"), encoding="utf-8")
    _git(named, "commit", "-q", "-am", "rename")

    built = run(named, "build", "--as-of", DAY, env=ascii_locale)
    assert built.returncode == 0, built.stderr.decode("utf-8", "replace")
    page = (named / "site" / "advocates" / "lucja-nguyen" / "index.html").read_text(encoding="utf-8")
    assert f"{NAME} Ạ" in page
    listed = json.loads((named / "site" / "advocates.json").read_text(encoding="utf-8"))
    assert f"{NAME} Ạ" in json.dumps(listed, ensure_ascii=False)

    changed = run(named, "diff", "HEAD~1", "HEAD", "--format", "json", env=ascii_locale)
    assert changed.returncode == 0, changed.stderr.decode("utf-8", "replace")
    assert f"{NAME} Ạ" in json.dumps(json.loads(changed.stdout), ensure_ascii=False)


def _mode(node: ast.Call, name: str, method: bool) -> ast.expr | None:
    """The mode argument: open(path, mode), path.open(mode), os.fdopen(fd, mode)."""
    at = 0 if name == "open" and method else 1
    return node.args[at] if len(node.args) > at else {k.arg: k.value for k in node.keywords}.get("mode")


def _calls_without_encoding(tree: ast.AST) -> list[int]:
    """Lines of text-mode opens, reads and writes that leave the encoding to the locale (git's
    output, read as text, is checked by running in an ASCII locale above)."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func, keywords = node.func, {keyword.arg for keyword in node.keywords}
        method = isinstance(func, ast.Attribute)
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        receiver = getattr(func.value, "id", "") if isinstance(func, ast.Attribute) else ""
        if receiver == "self" or (receiver, name) in (("os", "open"), ("archive", "open")):
            continue  # os.open is a file descriptor, no text; self.open is a method of our own;
            # a ZipFile's open (tables.py's `archive`) reads bytes
        if name in ("open", "fdopen", "read_text", "write_text"):
            mode = _mode(node, name, method) if name in ("open", "fdopen") else None
            binary = isinstance(mode, ast.Constant) and "b" in str(mode.value)
            if not binary and "encoding" not in keywords:
                found.append(node.lineno)
    return found


def test_every_file_and_pipe_says_its_encoding() -> None:
    missing = {}
    for path in sorted((ROOT / "src" / "advocate_catalog").rglob("*.py")):
        lines = _calls_without_encoding(ast.parse(path.read_text(encoding="utf-8")))
        if lines:
            missing[path.name] = lines
    assert missing == {}, "pass encoding='utf-8' (the locale may be ASCII or cp1252)"
