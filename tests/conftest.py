"""Shared fixtures: a scratch copy of the repository, a built sample catalog, a browser."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from advocate_catalog import search
from advocate_catalog.build import build
from advocate_catalog.serve import server
from advocate_catalog.validate import validate

ROOT = Path(__file__).resolve().parent.parent
# Sample dates age in real time; tests pin "today" so they never start failing on their own.
AS_OF = dt.date(2026, 11, 23)
# Debian's chromium by default; GitHub's Ubuntu runners point CHROMIUM at their Google Chrome.
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session", autouse=True)
def build_cache_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Build caches of the test session go to a folder of its own, never the user's."""
    folder = tmp_path_factory.mktemp("cache-home")
    before = os.environ.get("ADVOCATE_CATALOG_CACHE")
    os.environ["ADVOCATE_CATALOG_CACHE"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("ADVOCATE_CATALOG_CACHE", None)
    else:
        os.environ["ADVOCATE_CATALOG_CACHE"] = before


def copy_repo(target: Path, *, with_data: bool = True) -> Path:
    """A copy of everything a build reads: config, schemas, templates and (optionally) the data."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "catalog.yaml", target / "catalog.yaml")
    if with_data:
        shutil.copy(ROOT / "targets.yaml", target / "targets.yaml")
    for folder in ("schemas", "templates"):
        shutil.copytree(ROOT / folder, target / folder)
    for folder in ("advocates", "nominations"):
        if with_data:
            shutil.copytree(ROOT / folder, target / folder)
        else:
            (target / folder).mkdir()
    return target


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """An empty catalog (config, schemas, templates; no advocates) to add test files to."""
    return copy_repo(tmp_path / "repo", with_data=False)


@pytest.fixture
def sample_repo(tmp_path: Path) -> Path:
    """A writable copy of the repository with its sample data."""
    return copy_repo(tmp_path / "repo")


@pytest.fixture(scope="session")
def sample_catalog():
    result = validate(ROOT, AS_OF)
    assert not result.errors, "\n".join(map(str, result.errors))
    return result.catalog


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample catalog built once for the whole session, its search index in four shards
    (as a large catalog's would be) so every browser test searches merged indexes."""
    repo = copy_repo(tmp_path_factory.mktemp("built") / "repo")
    site = repo / "site"
    size, search.SHARD_SIZE = search.SHARD_SIZE, 10
    try:
        build(repo, site, AS_OF)
    finally:
        search.SHARD_SIZE = size
    assert len(list((site / "search").glob("*/pagefind-entry.json"))) == 4
    return site


@pytest.fixture(scope="session")
def site_url(built_site: Path) -> Iterator[str]:
    """The built site served on a free localhost port, under a sub-path as on an intranet host."""
    mount = built_site.parent / "www"
    (mount / "catalog").mkdir(parents=True)
    (mount / "catalog" / "sub").symlink_to(built_site, target_is_directory=True)
    httpd = server(mount, port=0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/catalog/sub/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# Layers: `pytest -m "not browser and not slow and not bench"` is the fast run that needs no
# Chromium, Java or Node.js; CI runs everything. Markers follow from what a test uses, so a new
# test cannot forget its own.
BROWSER_FIXTURES = {"browser", "browse", "site_url"}
SLOW_TESTS = {"test_every_page_is_valid_html", "test_actionlint_finds_nothing",
              "test_zizmor_finds_nothing_even_pedantic",
              "test_the_wheel_carries_the_defaults_and_runs_from_them",
              "test_python_m_build_from_the_root_makes_a_wheel_twine_accepts",
              "test_the_generated_workflows_pass_actionlint_and_zizmor",
              "test_check_jsonschema_flags_values_outside_the_vocabulary_offline",
              "test_from_the_built_wheel_to_a_catalog_of_ones_own"}
SLOW_MODULES = {"test_properties"}
BENCH_MODULES = {"test_bench"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        module = item.module.__name__ if getattr(item, "module", None) else ""
        if fixtures & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
        if module in SLOW_MODULES or item.originalname in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)
        if module in BENCH_MODULES:
            item.add_marker(pytest.mark.bench)
