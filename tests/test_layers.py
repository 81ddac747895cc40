"""The package carries its templates, static files and schemas; a data repository needs none of
them, and its own files override the defaults one by one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from advocate_catalog.build import build
from advocate_catalog.cli import main

from conftest import AS_OF, ROOT


@pytest.fixture
def data_only(tmp_path: Path) -> Path:
    """A data repository as a company keeps one: config, targets and data, no templates or schemas."""
    repo = tmp_path / "company"
    repo.mkdir()
    for name in ("catalog.yaml", "targets.yaml"):
        shutil.copy(ROOT / name, repo / name)
    for folder in ("advocates", "nominations"):
        shutil.copytree(ROOT / folder, repo / folder)
    return repo


def test_a_data_repository_needs_no_templates_or_schemas(data_only: Path) -> None:
    result = CliRunner().invoke(main, ["--root", str(data_only), "validate", "--as-of", "2026-11-23"])
    assert result.exit_code == 0, result.output
    summary = build(data_only, data_only / "site", AS_OF)
    assert summary.advocates > 30 and (data_only / "site" / "static" / "search.js").is_file()


def test_one_overridden_template_and_static_file_win(data_only: Path) -> None:
    (data_only / "templates" / "static").mkdir(parents=True)
    card = (ROOT / "templates" / "_card.html").read_text()
    (data_only / "templates" / "_card.html").write_text(
        card.replace('class="card', 'data-company-card class="card', 1))
    (data_only / "templates" / "static" / "style.css").write_text("body { color: rebeccapurple }\n")
    site = data_only / "site"
    build(data_only, site, AS_OF)
    listing = BeautifulSoup((site / "advocates" / "index.html").read_text(), "html.parser")
    assert listing.select("[data-company-card]")  # the company's card
    assert listing.select_one("footer") is not None  # the default base.html, not overridden
    assert (site / "static" / "style.css").read_text() == "body { color: rebeccapurple }\n"
    default_script = (ROOT / "templates" / "static" / "search.js").read_bytes()
    assert (site / "static" / "search.js").read_bytes() == default_script


def test_changing_an_override_rebuilds(data_only: Path) -> None:
    site = data_only / "site"
    build(data_only, site, AS_OF)
    assert build(data_only, site, AS_OF).up_to_date
    (data_only / "templates").mkdir()
    shutil.copy(ROOT / "templates" / "base.html", data_only / "templates" / "base.html")
    assert not build(data_only, site, AS_OF).up_to_date


def test_the_wheel_carries_the_defaults_and_runs_from_them(data_only: Path, tmp_path: Path) -> None:
    """Built as pip builds it, unpacked, and run on a data repository without templates or schemas."""
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(wheels), str(ROOT)], check=True, capture_output=True,
                   cwd=tmp_path)
    (wheel,) = wheels.glob("advocate_catalog-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "installed")
    for needed in ("templates/base.html", "templates/static/search.js", "schemas/advocate.schema.json"):
        assert f"advocate_catalog/defaults/{needed}" in names
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "installed")}
    for command in (["validate", "--as-of", "2026-11-23"], ["build", "--as-of", "2026-11-23"]):
        done = subprocess.run([sys.executable, "-m", "advocate_catalog", "--root", str(data_only), *command],
                              capture_output=True, text=True, env=env, cwd=tmp_path, check=False)
        assert done.returncode == 0, done.stderr[-600:]
    assert (data_only / "site" / "index.html").is_file()
    version = subprocess.run([sys.executable, "-m", "advocate_catalog", "--version"], env=env,
                             capture_output=True, text=True, cwd=tmp_path, check=False)
    assert version.stdout.startswith("advocate-catalog, version ")


def test_python_m_build_from_the_root_makes_a_wheel_twine_accepts(tmp_path: Path) -> None:
    """`build.py` at the root would shadow PyPA's `build`; it hands over to it instead."""
    out = tmp_path / "dist"
    done = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out)],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, (done.stdout + done.stderr)[-800:]
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert "advocate_catalog/defaults/templates/base.html" in archive.namelist()
    check = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", str(sdist), str(wheel)],
                           capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
