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
    """The folders of `kind` to look in, first match wins: the data repository's, then the default."""
    found = [root / kind] if (root / kind).is_dir() and not (root / kind).is_symlink() else []
    packaged = default(kind)
    if not found or found[0].resolve() != packaged.resolve():
        found.append(packaged)
    return found


def find(root: Path, kind: str, relative: str) -> Path:
    """The file `relative` of `kind` from the first layer that has it."""
    for folder in layers(root, kind):
        if (folder / relative).is_file():
            return folder / relative
    raise BuildError(f"{kind}/{relative} is missing from the catalog and from the package defaults — "
                     "reinstall advocate-catalog")


def files(root: Path, kind: str, under: str = "") -> dict[str, Path]:
    """Every file of `kind` (below `under`) by its relative path, each from the first layer that
    has it. Linked folders are not entered; linked files are listed, for the caller to refuse."""
    chosen: dict[str, Path] = {}
    for folder in reversed(layers(root, kind)):
        start = folder / under
        for base, dirs, names in os.walk(start):
            dirs[:] = sorted(d for d in dirs if not Path(base, d).is_symlink())
            for name in sorted(names):
                path = Path(base, name)
                chosen[path.relative_to(start).as_posix()] = path
    return dict(sorted(chosen.items()))
