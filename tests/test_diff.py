"""The review summary between two git refs, on a temporary repository."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from advocate_catalog.cli import main
from advocate_catalog.diff import summarize
from advocate_catalog.reporters import diff_markdown, md_escape

PROFILE = (Path(__file__).parent / "cases" / "valid" / "full-profile.yaml").read_text()


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],
                   cwd=repo, check=True, capture_output=True)


@pytest.fixture
def history(repo: Path) -> Path:
    (repo / "advocates" / "full-profile.yaml").write_text(PROFILE)
    (repo / "advocates" / "gone.yaml").write_text(PROFILE.replace("id: full-profile", "id: gone"))
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "base")
    return repo


def _diff(repo: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["--root", str(repo), "diff", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_changes_read_as_sentences(history: Path) -> None:
    quote = "    expires_on: 2027-03-01\n"
    changed = (PROFILE.replace("status: active", "status: resting")
               .replace("last_verified: 2026-11-01", "last_verified: 2026-11-20")
               .replace("products: [analytics, ai-assist]", "products: [analytics, edge-sync]")
               .replace("notes: none", "notes: SECRET-NOTE")
               .replace(quote, quote + "  - text: We doubled our forecast accuracy.\n"
                                       "    approved_on: 2026-11-02\n"))
    (history / "advocates" / "full-profile.yaml").write_text(changed)
    (history / "advocates" / "gone.yaml").unlink()
    (history / "advocates" / "new-one.yaml").write_text(
        PROFILE.replace("id: full-profile", "id: new-one").replace("Zoë Ankerson", "Nia New"))
    _git(history, "add", "-A")
    _git(history, "commit", "-qm", "change")
    out = _diff(history, "HEAD~1")
    assert out.startswith("## Catalog changes\n\n3 file(s): 1 added, 1 removed, 1 changed.")
    section = out.split("### Changed: Zoë Ankerson (advocates/full-profile.yaml)\n", 1)[1].split("###")[0]
    assert section.strip().splitlines() == [
        "- products: + edge-sync, \u2212 ai-assist",
        "- +1 quote: We doubled our forecast accuracy.",
        "- status: active → resting",
        "- last&#95;verified: 2026-11-01 → 2026-11-20",
        "- private: changed",
    ]
    assert "SECRET-NOTE" not in out
    assert "### Removed: Zoë Ankerson (advocates/gone.yaml)" in out
    assert "### Added: Nia New (advocates/new-one.yaml)\n- title: VP of Analytics" in out


def test_promotion_is_one_entry(history: Path) -> None:
    nomination = "id: pia-holm\nname: Pia Holm\ntitle: Data Lead\n"
    (history / "nominations" / "pia-holm.yaml").write_text(nomination)
    _git(history, "add", "-A")
    _git(history, "commit", "-qm", "nominate")
    _git(history, "mv", "nominations/pia-holm.yaml", "advocates/pia-holm.yaml")
    (history / "advocates" / "pia-holm.yaml").write_text(nomination + "status: nominated\n")
    _git(history, "commit", "-qam", "promote")
    out = _diff(history, "HEAD~1")
    assert "### Promoted from nomination: Pia Holm (advocates/pia-holm.yaml)" in out
    assert "- status: added nominated" in out
    assert "nominations/pia-holm.yaml" not in out


def test_no_change_and_unknown_ref(history: Path) -> None:
    assert _diff(history, "HEAD").endswith("No advocate or nomination changed.\n")
    result = CliRunner().invoke(main, ["--root", str(history), "diff", "no-such-ref"])
    assert result.exit_code == 1 and "'no-such-ref' is not a commit" in result.stderr


def test_hostile_values_cannot_inject_markdown_or_mentions() -> None:
    before = {"advocates/x.yaml": "id: x\nname: X\ntitle: a\n"}
    after = {"advocates/x.yaml": "id: x\nname: '@everyone <img src=x onerror=alert(1)>'\n"
                                 "title: '[click](javascript:alert(1)) | # heading'\n"}
    out = diff_markdown(summarize(before, after))
    for needle in ("@everyone", "<img", "[click]", "| #"):
        assert needle not in out
    assert md_escape("a@b") == "a&#64;b"
