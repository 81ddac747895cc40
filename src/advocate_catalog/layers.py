"""Where templates, static files and schemas come from: the data repository's own folder first,
then the defaults the package carries, file by file — a company overrides one template without
copying the rest (as datasette's template loader and pelican's theme overrides do).

The defaults are this repository's root `templates/` and `schemas/`: one source of truth, copied
into the wheel when it is built (setup.py) and read in place from a checkout.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import BuildError

PACKAGED = Path(__file__).parent / "defaults"
CHECKOUT = Path(__file__).resolve().parents[2]
KINDS = ("templates", "schemas")
IN_CHECKOUT = {"github": ".github"}


def default(kind: str) -> Path:
    """The package's own folder of `kind`: inside an installed wheel, else in the checkout.
    `github` holds the workflows and pull request template `init` adapts for a data repository."""
    for candidate in (PACKAGED / kind, CHECKOUT / IN_CHECKOUT.get(kind, kind)):
        if candidate.is_dir():
            return candidate
    raise BuildError(f"the package's default {kind}/ are missing — reinstall advocate-catalog")


def layers(root: Path, kind: str) -> list[Path]:
    """The folders of `kind` to look in, first match wins: the data repository's, then the default.
    BuildError when any of them holds a symbolic link (see `refuse_links`): every reader of
    templates and schemas — the build, its cache fingerprint, `digest --format html` — asks here
    first, so none reads through a link, incremental builds included."""
    found = _folders(root, kind)
    for folder in found:
        refuse_links(root, kind, folder)
    return found


def _folders(root: Path, kind: str) -> list[Path]:
    """The layers as they are, links unchecked: for `files`, which only lists."""
    linked = (root / kind).is_symlink()
    found = [root / kind] if (root / kind).is_dir() or linked else []
    packaged = default(kind)
    if not found or linked or found[0].resolve() != packaged.resolve():
        found.append(packaged)
    return found


def refuse_links(root: Path, kind: str, folder: Path) -> None:
    """BuildError naming the first symbolic link (or other non-regular file) in `folder` or
    the folder itself, at any depth. Jinja and the schema reader open files through links: a
    template linked to an unlisted advocate's file would publish its private note, and the
    build cache, which hashes no file through a link, would not see the target change. Static
    files were refused already (build.copy_static); this covers every file of every layer."""
    def shown(path: Path) -> str:
        return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)

    def linked(path: Path, what: str) -> BuildError:
        return BuildError(f"{shown(path)}: a {what} of {kind}/ is a symbolic link — replace the "
                          f"link with the {what} itself; nothing in {kind}/ is read through a link")

    if folder.is_symlink():
        raise linked(folder, "folder")
    pending = [folder]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                path = Path(entry.path)
                if entry.is_symlink():
                    raise linked(path, "folder" if path.is_dir() else "file")
                if entry.is_dir(follow_symlinks=False):
                    pending.append(path)
                elif not entry.is_file(follow_symlinks=False):  # a pipe would hang the build
                    raise BuildError(f"{shown(path)}: a file of {kind}/ is not a regular file — "
                                     "replace it with a regular file")


def find(root: Path, kind: str, relative: str) -> Path:
    """The file `relative` of `kind` from the first layer that has it."""
    for folder in layers(root, kind):
        if (folder / relative).is_file():
            return folder / relative
    raise BuildError(f"{kind}/{relative} is missing from the catalog and from the package defaults — "
                     "reinstall advocate-catalog")


def files(root: Path, kind: str, under: str = "") -> dict[str, Path]:
    """Every file of `kind` (below `under`) by its relative path, each from the first layer that
    has it. Never raises for a link (`serve` watches with it: the build it starts refuses them);
    linked folders are not entered, linked files are listed, for the caller to refuse."""
    chosen: dict[str, Path] = {}
    for folder in reversed([f for f in _folders(root, kind) if not f.is_symlink()]):
        start = folder / under
        for base, dirs, names in os.walk(start):
            dirs[:] = sorted(d for d in dirs if not Path(base, d).is_symlink())
            for name in sorted(names):
                path = Path(base, name)
                chosen[path.relative_to(start).as_posix()] = path
    return dict(sorted(chosen.items()))
