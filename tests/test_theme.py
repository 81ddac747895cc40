"""catalog.yaml's `theme:` restyles the site without a copied template: a logo, accent colours
(checked, and kept readable), an extra stylesheet and the footer text."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner, Result

from advocate_catalog import cache, theme
from advocate_catalog.build import build
from advocate_catalog.cli import main
from advocate_catalog.model import Theme
from advocate_catalog.serve import server, signature

from conftest import AS_OF, ROOT, copy_repo

LOGO = (b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40" viewBox="0 0 40 40">'
        b'<rect width="40" height="40" rx="8" fill="#8a2be2"/></svg>\n')
EXTRA_CSS = ".site-footer { letter-spacing: .02em; }\n"
THEME = """
theme:
  logo: brand/logo.svg
  accent: "#8A2BE2"
  accent_dark: "#c9f"
  stylesheet: brand/site.css
  footer: Acme Corp — internal. Ask the owner first.
"""
STYLE = ("@media (prefers-color-scheme: light) { :root { --accent: #8a2be2; } }\n"
         "@media (prefers-color-scheme: dark) { :root { --accent: #cc99ff; } }")
DEFAULT_CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
               "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
               "base-uri 'none'; form-action 'self'")


def themed(repo: Path, block: str = THEME) -> Path:
    (repo / "brand").mkdir(exist_ok=True)
    (repo / "brand" / "logo.svg").write_bytes(LOGO)
    (repo / "brand" / "site.css").write_text(EXTRA_CSS, encoding="utf-8")
    config = repo / "catalog.yaml"
    config.write_text(config.read_text(encoding="utf-8") + block, encoding="utf-8")
    return repo


def set_theme(repo: Path, **values: str) -> None:
    """catalog.yaml with a `theme:` of exactly these values."""
    lines = "".join(f"  {key}: {json.dumps(value)}\n" for key, value in values.items())
    config = repo / "catalog.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"\ntheme:\n{lines}", encoding="utf-8")


@pytest.fixture(scope="module")
def themed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = themed(copy_repo(tmp_path_factory.mktemp("themed") / "repo"))
    build(repo, repo / "site", AS_OF)
    return repo / "site"


def soup(site: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser")


def validate(repo: Path, *options: str) -> Result:
    return CliRunner().invoke(main, ["--root", str(repo), "validate", "--as-of", "2026-11-23",
                                     *options])


def problems(result: Result) -> list[str]:
    return [line for line in result.stdout.splitlines() if re.search(r": (error|warning): ", line)]


@pytest.mark.parametrize(("page", "root"), [("index.html", ""), ("coverage/index.html", "../"),
                                            ("advocates/aino-virtanen/index.html", "../../")])
def test_the_theme_is_on_every_page(themed_site: Path, page: str, root: str) -> None:
    html = soup(themed_site, page)
    logo = html.select_one("header .site-title img.site-logo")
    assert logo is not None and logo["src"] == f"{root}static/theme/logo.svg" and logo["alt"] == ""
    (style,) = html.select("head style")
    assert style.get_text() == STYLE
    digest = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
    policy = html.select_one('meta[http-equiv="Content-Security-Policy"]')["content"]
    assert policy == DEFAULT_CSP.replace("style-src 'self'", f"style-src 'self' 'sha256-{digest}'")
    sheets = [link["href"] for link in html.select('head link[rel="stylesheet"]')]
    assert sheets == [f"{root}static/style.css", f"{root}static/theme/site.css"]
    assert html.select_one("footer.site-footer").get_text(strip=True) == \
        "Acme Corp — internal. Ask the owner first."


def test_the_theme_files_are_published_as_they_are(themed_site: Path) -> None:
    assert (themed_site / "static" / "theme" / "logo.svg").read_bytes() == LOGO
    assert (themed_site / "static" / "theme" / "site.css").read_text() == EXTRA_CSS
    assert (themed_site / "static" / "style.css").read_bytes() == \
        (ROOT / "templates" / "static" / "style.css").read_bytes()


def test_without_a_theme_the_pages_are_as_before(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    build(repo, repo / "site", AS_OF)
    html = soup(repo / "site", "index.html")
    assert not html.select("style, img.site-logo") and not (repo / "site" / "static" / "theme").exists()
    assert html.select_one('meta[http-equiv="Content-Security-Policy"]')["content"] == DEFAULT_CSP
    assert html.select_one("footer").get_text(strip=True) == \
        "Internal to Tessellate. Ask the owner before contacting any advocate."


def test_a_hostile_footer_is_shown_as_typed(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo", with_data=False)
    hostile = """</p><script>alert(1)</script><img src=x onerror=alert(2)> & "quoted" 'too'"""
    set_theme(repo, footer=hostile)
    assert validate(repo).exit_code == 0
    build(repo, repo / "site", AS_OF)
    html = soup(repo / "site", "index.html")
    footer = html.select_one("footer.site-footer")
    assert footer.get_text(strip=True) == hostile
    assert not footer.select("script, img")
    assert not html.select("img, script:not([src]):not([type='application/json'])")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in (repo / "site" / "index.html").read_text()


def test_an_accent_alone_leaves_dark_mode_its_default() -> None:
    assert theme.style(Theme(accent="#0B5CAD")) == \
        "@media (prefers-color-scheme: light) { :root { --accent: #0b5cad; } }"
    assert theme.style(Theme()) == "" and theme.context(Theme())["style_hash"] == ""


@pytest.mark.parametrize("value", ["red", "#12345", "#0b5cad; } body { display: none", "#0b5cad\n",
                                   "rgb(0,0,0)", "#ggg", ""])
def test_no_string_but_a_colour_reaches_the_style_block(value: str) -> None:
    with pytest.raises(ValueError):
        theme.style(Theme(accent=value or " "))


@pytest.mark.parametrize("value", ["red", "#12345", "#0b5cad; } body { display: none }", "0b5cad"])
def test_a_bad_colour_fails_validation_with_one_line(tmp_path: Path, value: str) -> None:
    repo = copy_repo(tmp_path / "repo", with_data=False)
    set_theme(repo, accent=value)
    result = validate(repo)
    assert result.exit_code == 1
    (line,) = problems(result)
    assert re.match(r"catalog\.yaml:\d+:\d+: error: theme\.accent '.*' is not in the expected form — "
                    r"a colour as #rgb or #rrggbb", line), line


def test_the_tool_checks_colours_even_when_a_schema_of_ones_own_does_not(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo", with_data=False)
    schema = repo / "schemas" / "config.schema.json"
    schema.write_text(schema.read_text().replace('"pattern": "^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$",',
                                                 ""))
    set_theme(repo, accent_dark="#fff; } * { color: red")
    result = validate(repo)
    assert result.exit_code == 1
    (line,) = problems(result)
    assert re.match(r"catalog\.yaml:\d+:\d+: error: theme\.accent_dark '#fff; } \* \{ color: red' is "
                    r"not a colour — write it as #rgb or #rrggbb", line), line


def logo_problem(repo: Path, logo: str) -> str:
    set_theme(repo, logo=logo)
    result = validate(repo)
    assert result.exit_code == 1, result.output
    (line,) = problems(result)
    assert line.startswith("catalog.yaml:") and "Traceback" not in result.output
    return line


def test_a_logo_outside_the_repository_fails_with_one_line(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo", with_data=False)
    (tmp_path / "logo.svg").write_bytes(LOGO)
    assert re.search(r": error: theme\.logo '\.\./logo\.svg' is outside the data repository — ",
                     logo_problem(repo, "../logo.svg"))


def test_a_logo_path_from_the_filesystem_root_fails_with_one_line(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo", with_data=False)
    (tmp_path / "logo.svg").write_bytes(LOGO)
    assert ": error: theme.logo " in logo_problem(repo, str(tmp_path / "logo.svg"))


def test_a_linked_logo_or_folder_fails_with_one_line(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo", with_data=False)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "logo.svg").write_bytes(LOGO)
    (repo / "brand").mkdir()
    (repo / "brand" / "logo.svg").symlink_to(tmp_path / "outside" / "logo.svg")
    (repo / "linked").symlink_to(tmp_path / "outside", target_is_directory=True)
    assert ": error: theme.logo 'brand/logo.svg' is a symbolic link — " in \
        logo_problem(repo, "brand/logo.svg")
    shutil.copy(ROOT / "catalog.yaml", repo / "catalog.yaml")
    assert ": error: theme.logo 'linked/logo.svg' goes through a symbolic link (linked) — " in \
        logo_problem(repo, "linked/logo.svg")


@pytest.mark.parametrize(("name", "data", "message"), [
    ("logo.png", LOGO, "is not a PNG image (it holds SVG)"),
    ("logo.svg", LOGO.replace(b"<rect", b'<script>alert(1)</script><rect'), "holds script"),
    ("logo.svg", LOGO.replace(b"<rect", b'<rect onload="alert(1)"'), "holds script"),
    ("missing.svg", None, "does not exist"),
])
def test_a_logo_that_is_not_a_plain_image_fails_with_one_line(tmp_path: Path, name: str,
                                                              data: bytes | None, message: str) -> None:
    repo = copy_repo(tmp_path / "repo", with_data=False)
    (repo / "brand").mkdir()
    if data is not None:
        (repo / "brand" / name).write_bytes(data)
    assert f": error: theme.logo 'brand/{name}' {message}" in logo_problem(repo, f"brand/{name}")


def test_an_unreadable_accent_is_a_warning_that_strict_fails(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo", with_data=False)
    set_theme(repo, accent="#f5b400", accent_dark="#0b5cad")
    result = validate(repo)
    assert result.exit_code == 0
    light, dark = problems(result)
    assert re.match(r"catalog\.yaml:\d+:\d+: warning: theme\.accent #f5b400 has a contrast of 1\.7:1 "
                    r"as link text on the page \(#f6f7f9\) and 1\.8:1 under the buttons' text "
                    r"\(#ffffff\), below the 4\.5:1 text needs — pick a darker shade", light), light
    assert "warning: theme.accent_dark #0b5cad has a contrast of 2.4:1 as link text on the cards" in dark
    assert validate(repo, "--strict").exit_code == 1


def test_readable_accents_pass_strict(tmp_path: Path) -> None:
    repo = themed(copy_repo(tmp_path / "repo", with_data=False))
    result = validate(repo, "--strict")
    assert result.exit_code == 0, result.output
    assert not problems(result)


def test_the_contrast_check_knows_the_default_stylesheet() -> None:
    """theme.SCHEMES holds the colours style.css draws links and buttons on and with."""
    css = (ROOT / "templates" / "static" / "style.css").read_text()
    light = re.search(r":root \{(.*?)\}", css, re.S).group(1)
    dark = re.search(r"@media \(prefers-color-scheme: dark\) \{\s*:root \{(.*?)\}", css, re.S).group(1)
    for key, block in (("accent", light), ("accent_dark", dark)):
        values = dict(re.findall(r"--([\w-]+): (#[0-9a-f]+);", block))
        scheme = theme.SCHEMES[key]
        assert scheme.backgrounds == {"page": values["bg"], "cards": values["surface"]}
        assert scheme.button_text == values["accent-text"]
        assert theme.contrast(values["accent"], values["bg"]) >= theme.WCAG_AA  # defaults pass


def test_contrast_is_wcags() -> None:
    assert theme.contrast("#000", "#fff") == pytest.approx(21)
    assert theme.contrast("#777", "#fff") == pytest.approx(4.48, abs=0.01)
    assert theme.contrast("#fff", "#fff") == 1


def test_a_changed_theme_file_rebuilds(tmp_path: Path) -> None:
    repo = themed(copy_repo(tmp_path / "repo"))
    site = repo / "site"
    build(repo, site, AS_OF)
    assert {"brand/logo.svg", "brand/site.css"} <= set(signature(repo))  # serve --watch sees them
    for path, data in (("brand/logo.svg", LOGO.replace(b"#8a2be2", b"#00875a")),
                       ("brand/site.css", b".site-footer { font-style: italic; }\n")):
        before = cache.fingerprint(repo, AS_OF)
        (repo / path).write_bytes(data)
        assert cache.fingerprint(repo, AS_OF) != before
        summary = build(repo, site, AS_OF)
        assert not summary.up_to_date and summary.pages > 100  # a full build
        assert (site / "static" / "theme" / Path(path).name).read_bytes() == data


@pytest.fixture(scope="module")
def themed_url(themed_site: Path) -> Iterator[str]:
    httpd = server(themed_site, port=0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(("scheme", "expected"), [("light", "rgb(138, 43, 226)"),
                                                  ("dark", "rgb(204, 153, 255)")])
def test_links_and_buttons_take_the_accent_in_the_browser(browser, themed_url: str, scheme: str,
                                                         expected: str) -> None:
    """The style block passes the page's Content-Security-Policy and sets the accent."""
    page = browser.new_page(color_scheme=scheme)
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    try:
        page.goto(themed_url + "coverage/")
        link = page.eval_on_selector(".site-header nav a", "a => getComputedStyle(a).color")
        assert link == expected
        page.goto(themed_url + "advocates/arjun-mehta/")
        button = page.eval_on_selector(".button:not(.button-quiet)",
                                       "b => getComputedStyle(b).backgroundColor")
        assert button == expected
        logo = page.eval_on_selector("img.site-logo", "img => img.naturalWidth")
        assert logo == 40
        assert not errors, errors  # nothing refused by the Content-Security-Policy
    finally:
        page.close()



def test_the_fingerprint_reads_no_file_outside_the_repository(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo", with_data=False)
    set_theme(repo, logo="../logo.svg", stylesheet="/etc/site.css")
    assert theme.named(repo) == []
    shutil.copy(ROOT / "catalog.yaml", repo / "catalog.yaml")
    set_theme(repo, logo="brand/logo.svg")
    assert theme.named(repo) == ["brand/logo.svg"]
