"""Every file under advocates/ and nominations/ is read or named: a profile moved into a
subfolder, given another ending or an unusable name never disappears from the site without a
word from `validate`. What git, the OS and editors keep beside profiles passes in silence."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_validate import NOMINATION as NOMINATION_TEMPLATE
from test_validate import _profile

from advocate_catalog.build import build
from advocate_catalog.cli import main
from advocate_catalog.errors import InvalidData

from conftest import AS_OF, write

NOMINATION = NOMINATION_TEMPLATE.format(id="pia-holm")


def _plant(repo: Path, relative: str, text: str) -> None:
    path = repo / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _validate(repo: Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, ["--root", str(repo), "validate", "--as-of", AS_OF.isoformat()])
    return result.exit_code, result.stdout.splitlines()


# (what is planted, the one line `validate` prints for it)
STRAY = {
    "advocates/old/jo.yaml": "advocates/old/jo.yaml:1:1: error: a profile in a subfolder is never read "
                             "— move it to advocates/jo.yaml",
    "advocates/2025/q4/Jo Lund.yml": "advocates/2025/q4/Jo Lund.yml:1:1: error: a profile in a subfolder "
                                     "is never read — move it to advocates/jo-lund.yaml",
    "nominations/done/pia-holm.yaml": "nominations/done/pia-holm.yaml:1:1: error: a nomination in a "
                                      "subfolder is never read — move it to nominations/pia-holm.yaml",
    "advocates/jo.YAML": "advocates/jo.YAML:1:1: error: the file ends in .YAML — rename it to jo.yaml",
    "advocates/jo.yaml.bak": "advocates/jo.yaml.bak:1:1: error: the file ends in .bak, not .yaml, so it "
                             "is never read — rename it to jo.yaml if it is a profile, or move it out "
                             "of advocates/",
    "nominations/pia-holm.json": "nominations/pia-holm.json:1:1: error: the file ends in .json, not .yaml, "
                                 "so it is never read — rename it to pia-holm.yaml if it is a "
                                 "nomination, or move it out of nominations/",
    "advocates/jo": "advocates/jo:1:1: error: the file name has no .yaml ending, so it is never read — "
                    "rename it to jo.yaml if it is a profile, or move it out of advocates/",
}


@pytest.mark.parametrize("planted", list(STRAY))
def test_a_file_that_is_never_read_is_named_with_where_it_goes(repo: Path, planted: str) -> None:
    _plant(repo, planted, NOMINATION if planted.startswith("nominations/") else _profile("jo"))
    code, lines = _validate(repo)
    assert code == 1
    assert lines == [STRAY[planted]]


def test_a_subfolder_copy_of_a_profile_that_is_there_says_to_merge(repo: Path) -> None:
    write(repo / "advocates", "jo.yaml", _profile("jo"))
    _plant(repo, "advocates/archive/jo.yaml", _profile("jo"))
    code, lines = _validate(repo)
    assert code == 1
    assert lines == ["advocates/archive/jo.yaml:1:1: error: a profile in a subfolder is never read — "
                     "advocates/jo.yaml is there already: merge what is new into it and delete this copy"]


def test_a_subfolder_holding_no_profile_is_named_once(repo: Path) -> None:
    """A folder kept in git by a README or .gitkeep is still a place profiles would vanish into."""
    _plant(repo, "advocates/retired/README.md", "Retired advocates\n")
    _plant(repo, "advocates/retired/.gitkeep", "")
    _plant(repo, "advocates/retired/photos/.gitkeep", "")
    code, lines = _validate(repo)
    assert code == 1
    assert lines == ["advocates/retired:1:1: error: a subfolder of advocates/ is never read — keep "
                     "profiles directly in advocates/, move anything else out, and delete the folder"]


def test_a_file_in_a_subfolder_that_is_not_yaml_is_named(repo: Path) -> None:
    _plant(repo, "advocates/media/jo.png", "not an image")
    code, lines = _validate(repo)
    assert code == 1
    assert lines == ["advocates/media/jo.png:1:1: error: a file in a subfolder of advocates/ is never "
                     "read — move it out of advocates/: only <id>.yaml profiles go there"]


def test_links_and_special_files_are_named_never_read(repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    write(elsewhere, "jo.yaml", _profile("jo").replace("name: ", "name: SECRET-", 1))
    (repo / "advocates" / "linked").symlink_to(elsewhere, target_is_directory=True)
    (repo / "advocates" / "notes").symlink_to(elsewhere / "jo.yaml")
    os.mkfifo(repo / "advocates" / "pipe.yaml")  # opening it would wait for a writer forever
    code, lines = _validate(repo)
    assert code == 1 and "SECRET" not in "".join(lines)
    assert lines == [
        "advocates/linked:1:1: error: the folder is a symbolic link, so nothing in it is read — "
        "move its profiles into advocates/ and delete the link",
        "advocates/notes:1:1: error: the file is a symbolic link — replace the link with the file "
        "itself; links are not followed",
        "advocates/pipe.yaml:1:1: error: the file is not a regular file — replace it with the "
        "profile's YAML text, or delete it"]


def test_a_linked_data_folder_is_named_never_read(repo: Path, tmp_path: Path) -> None:
    shutil.move(repo / "advocates", tmp_path / "real-advocates")
    write(tmp_path / "real-advocates", "jo.yaml", _profile("jo"))
    (repo / "advocates").symlink_to(tmp_path / "real-advocates", target_is_directory=True)
    code, lines = _validate(repo)
    assert code == 1
    assert lines == ["advocates:1:1: error: the folder is a symbolic link, so nothing in it is read — "
                     "replace the link with the folder itself"]


def test_only_the_stray_file_is_named_among_what_git_and_editors_keep(repo: Path) -> None:
    """Hidden files (.gitkeep, .DS_Store, vim's swap file, emacs's lock link, a hidden folder),
    editor backups (jo.yaml~, #jo.yaml#) and a README pass in silence and are never opened —
    `.keep -> /dev/zero` would hang a read; an empty folder holds nothing to lose."""
    write(repo / "advocates", "jo.yaml", _profile("jo"))
    advocates = repo / "advocates"
    for name in (".gitkeep", ".DS_Store", ".jo.yaml.swp", "jo.yaml~", "#jo.yaml#", "README.md"):
        write(advocates, name, "\x00 not a profile")
    (advocates / ".keep").symlink_to("/dev/zero")
    (advocates / ".#jo.yaml").symlink_to("user@host.1234:1700000000")  # emacs's lock: dangling
    _plant(repo, "advocates/.archive/old.yaml", _profile("old"))
    (advocates / "empty").mkdir()
    _plant(repo, "advocates/old/jo.yaml", _profile("jo"))
    code, lines = _validate(repo)
    assert code == 1
    assert lines == [STRAY["advocates/old/jo.yaml"].replace(
        "move it to advocates/jo.yaml",
        "advocates/jo.yaml is there already: merge what is new into it and delete this copy")]


def test_a_build_refuses_a_stray_file_even_with_nothing_else_changed(sample_repo: Path) -> None:
    """An incremental build that finds nothing changed never validates; a stray file must still
    stop it, as a site built without the profile would silently lose it."""
    site = sample_repo / "site"
    build(sample_repo, site, AS_OF)
    (sample_repo / "advocates" / "old").mkdir()
    shutil.move(sample_repo / "advocates" / "aino-virtanen.yaml",
                sample_repo / "advocates" / "old" / "aino-virtanen.yaml")
    with pytest.raises(InvalidData) as refused:
        build(sample_repo, site, AS_OF)
    assert [str(i) for i in refused.value.issues if i.severity == "error"] == [
        "advocates/old/aino-virtanen.yaml:1:1: error: a profile in a subfolder is never read — "
        "move it to advocates/aino-virtanen.yaml"]
