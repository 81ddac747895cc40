"""The build pipeline: validate → render → index → swap the finished site into place."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import render, search
from .errors import BuildError
from .validate import validated_catalog

DATA_FOLDERS = ("advocates", "nominations", "schemas", "templates", ".git", ".github")


@dataclass(frozen=True)
class BuildSummary:
    advocates: int
    pages: int
    seconds: float
    site: Path
    stages: dict[str, float] = field(default_factory=dict)  # seconds per pipeline stage

    def __str__(self) -> str:
        return (f"built {self.pages} pages for {self.advocates} advocates in "
                f"{self.seconds:.1f} s → {self.site}")


def check_target(root: Path, site: Path) -> None:
    """Refuse an output folder whose replacement would destroy the repository or its data."""
    site, root = site.resolve(), root.resolve()
    protected = [root, *(root / name for name in DATA_FOLDERS)]
    if site in protected or site in root.parents or any(p.is_relative_to(site) for p in protected):
        raise BuildError(f"refusing to build into {site}: it holds the catalog's own files — "
                         "choose an empty folder such as site/")
    if any(site.is_relative_to(root / name) for name in DATA_FOLDERS):
        raise BuildError(f"refusing to build into {site}: it is inside a data folder — "
                         "choose a folder such as site/")


def write_pages(pages: dict[str, str], folder: Path) -> None:
    for relative, html in pages.items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")


def swap_into_place(built: Path, site: Path) -> None:
    """Replace `site` by `built` with renames, so readers never see a half-written site."""
    old = None
    if site.exists():
        old = Path(tempfile.mkdtemp(prefix=".site-old-", dir=site.parent))
        site.rename(old / "site")
    built.rename(site)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def build(root: Path, site: Path, today: dt.date | None = None,
          progress: Callable[[str], None] = lambda _message: None) -> BuildSummary:
    """Validate, render and index the catalog under `root` into `site`; all or nothing."""
    started = time.perf_counter()
    today = today or dt.date.today()
    check_target(root, site)
    progress("validating")
    catalog = validated_catalog(root, today)
    listed = len(catalog.listed(today))
    stages = {"load+validate": time.perf_counter() - started}
    progress(f"rendering {listed} advocates")
    mark = time.perf_counter()
    pages = render.render_site(catalog, root / "templates", today, root)
    site.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".site-", dir=site.parent))
    try:
        write_pages(pages, staging)
        shutil.copytree(root / "templates" / "static", staging / "static")
        stages["render"] = time.perf_counter() - mark
        progress("indexing with Pagefind")
        mark = time.perf_counter()
        search.index(staging)
        stages["pagefind"] = time.perf_counter() - mark
        swap_into_place(staging, site)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    html_pages = sum(1 for path in pages if path.endswith(".html"))
    return BuildSummary(listed, html_pages, time.perf_counter() - started, site, stages)
