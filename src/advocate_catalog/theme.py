"""catalog.yaml's `theme:`: a logo, accent colours, an extra stylesheet and the footer text, so a
company restyles the site through settings instead of copying `base.html` (as mkdocs-material's
`theme.palette` and `logo` do).

Colours reach the page only as the custom properties `style.css` reads, in a `<style>` block
built here from values that match `COLOUR` (the schema says the same, but a data repository can
override the schema); the block's hash goes into the page's Content-Security-Policy. Files are
read from the data repository only: never through a symbolic link, never from outside it.
"""

from __future__ import annotations

import base64
import hashlib
import re
import stat
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple
from urllib.parse import quote

import yaml

from .errors import Issue
from .load import MAX_FILE_BYTES, Document, read_regular
from .model import Theme

COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
IMAGES = {".png": "PNG", ".svg": "SVG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WebP"}
MAX_BYTES = 2_000_000  # a logo or stylesheet larger than this is refused
FOLDER = "static/theme"  # where the site publishes the theme's files
WCAG_AA = 4.5  # contrast normal text needs (WCAG 2.x, level AA)

# What style.css draws the accent on and with (test_theme checks these against it): the page
# and the cards as backgrounds of links, and the buttons' text on the accent.
class Scheme(NamedTuple):
    backgrounds: dict[str, str]  # what links are drawn on: {"page": colour, "cards": colour}
    button_text: str  # what the buttons' text is drawn in, on the accent


SCHEMES = {"accent": Scheme({"page": "#f6f7f9", "cards": "#ffffff"}, "#ffffff"),
           "accent_dark": Scheme({"page": "#12161d", "cards": "#1b212b"}, "#0d1420")}
# An SVG that runs script when opened from the site: <script>, on…= handlers, javascript: links,
# foreign HTML. An <img> never runs it, but the file is published and can be opened directly.
ACTIVE_SVG = re.compile(rb"<script|<foreignObject|\bon[a-z]+\s*=|javascript:", re.IGNORECASE)


def colour(value: str) -> str:
    """`value` as it goes into CSS: `#rrggbb` in lower case. ValueError for anything else, so no
    string from the data reaches the style block unchecked."""
    if not COLOUR.fullmatch(value):
        raise ValueError(f"{value!r} is not a #rgb or #rrggbb colour")
    digits = value[1:].lower()
    return "#" + (digits if len(digits) == 6 else "".join(c * 2 for c in digits))


def luminance(value: str) -> float:
    """WCAG's relative luminance of a colour."""
    channels = [int(colour(value)[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """WCAG's contrast ratio of two colours, 1 to 21."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def style(theme: Theme) -> str:
    """The text of the page's `<style>` block: the accents as style.css's `--accent`, each only
    in its own colour scheme (an accent for light pages would be unreadable on dark ones). Empty
    without accents."""
    rules = []
    if theme.accent:
        rules.append(f"@media (prefers-color-scheme: light) {{ :root {{ --accent: "
                     f"{colour(theme.accent)}; }} }}")
    if theme.accent_dark:
        rules.append(f"@media (prefers-color-scheme: dark) {{ :root {{ --accent: "
                     f"{colour(theme.accent_dark)}; }} }}")
    return "\n".join(rules)


def style_hash(css: str) -> str:
    """The hash by which the Content-Security-Policy allows exactly this style block."""
    return "sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()


def published(path: str) -> str:
    """Where the site publishes a theme file, from the site root: static/theme/<its name>."""
    return f"{FOLDER}/{PurePosixPath(path).name}"


def context(theme: Theme) -> dict[str, str]:
    """`site.theme` for the templates: `logo` and `stylesheet` (URLs from the site root, to put
    after `root`; empty when not set), `footer` (text), `style` (the style block's CSS: colours
    and CSS syntax only, nothing autoescaping would change) and `style_hash` (its hash for the
    Content-Security-Policy, `sha256-…`); all empty without a theme."""
    css = style(theme)
    return {"logo": quote(published(theme.logo)) if theme.logo else "",
            "stylesheet": quote(published(theme.stylesheet)) if theme.stylesheet else "",
            "footer": theme.footer, "style": css, "style_hash": style_hash(css) if css else ""}


def files(theme: Theme) -> dict[str, str]:
    """The theme's files: {path in the data repository: path in the site}."""
    return {path: published(path) for path in (theme.logo, theme.stylesheet) if path}


def named(root: Path) -> list[str]:
    """The theme files catalog.yaml names, as written (paths in the data repository), read
    without validating it: for the build cache's fingerprint and `serve --watch`, which look
    before validation does. Nothing when the file cannot be read: validation will say why."""
    try:
        text = read_regular(root / "catalog.yaml", MAX_FILE_BYTES)
        if b"theme" not in text:  # the usual case, and every half second under `serve --watch`
            return []
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError):
        return []
    block = data.get("theme") if isinstance(data, dict) else None
    if not isinstance(block, dict):
        return []
    return [value for key in ("logo", "stylesheet")  # never a file outside the repository
            if isinstance(value := block.get(key), str) and value and not _outside_by_name(value)]


def publish(root: Path, theme: Theme, static: Path) -> None:
    """Copy the theme's files into the site's `static/` folder (the build's staging copy)."""
    for source, target in files(theme).items():
        destination = static.parent / target
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(read_regular(root / source, MAX_BYTES))


def _outside_by_name(value: str) -> bool:
    relative = PurePosixPath(value)
    return relative.is_absolute() or ".." in relative.parts or "\\" in value


def _outside(root: Path, value: str) -> str:
    """Why `value` may not be read as a file of the data repository, or ''."""
    if _outside_by_name(value):
        return "is outside the data repository"
    relative, here, mode = PurePosixPath(value), root, 0
    for part in relative.parts:
        here = here / part
        try:
            mode = here.lstat().st_mode
        except OSError:
            return "does not exist"
        if stat.S_ISLNK(mode):
            shown = here.relative_to(root).as_posix()
            return f"goes through a symbolic link ({shown})" if shown != value else "is a symbolic link"
    return "" if stat.S_ISREG(mode) else "is not a regular file"


def _kind(data: bytes) -> str:
    """The image format `data` holds, by its first bytes."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    if b"<svg" in data[:4096].lower():
        return "SVG"
    return ""


def issues(root: Path, doc: Document) -> list[Issue]:
    """What is wrong with catalog.yaml's `theme:`: errors for a colour that is not one and for a
    file that is missing, a link, outside the repository or not what its name says; warnings for
    an accent that readers could not read (WCAG contrast below 4.5:1 against the page or under
    the buttons' text)."""
    block: Any = doc.data.get("theme") if isinstance(doc.data, dict) else None
    if not isinstance(block, dict):
        return []
    found = [doc.issue(("theme", key), f"theme.{key} must be text, not {type(value).__name__}",
                       "write it as the schema describes (advocate-catalog schema)")
             for key, value in block.items() if not isinstance(value, str)]
    if found:  # a data repository's own schema let it through
        return found
    for key in SCHEMES:
        value = block.get(key)
        if value is None:
            continue
        if not COLOUR.fullmatch(value):
            found.append(doc.issue(("theme", key), f"theme.{key} {value!r} is not a colour",
                                   "write it as #rgb or #rrggbb, e.g. #0b5cad"))
            continue
        found += _contrast_issues(doc, key, value)
    for key, wanted in (("logo", "an image (png, svg, jpg or webp)"), ("stylesheet", "a .css file")):
        value = block.get(key)
        if isinstance(value, str) and value:
            found += _file_issues(root, doc, key, value, wanted)
    return found


def _contrast_issues(doc: Document, key: str, value: str) -> list[Issue]:
    scheme = SCHEMES[key]
    on, background = min(scheme.backgrounds.items(), key=lambda item: contrast(value, item[1]))
    readings = [(contrast(value, background), f"as link text on the {on} ({background})"),
                (contrast(value, scheme.button_text),
                 f"under the buttons' text ({scheme.button_text})")]
    low = [f"{ratio:.1f}:1 {where}" for ratio, where in readings if ratio < WCAG_AA]
    if not low:
        return []
    shade = "darker" if key == "accent" else "lighter"
    return [doc.issue(("theme", key), f"theme.{key} {value} has a contrast of {' and '.join(low)}, "
                      f"below the {WCAG_AA}:1 text needs", f"pick a {shade} shade",
                      severity="warning")]


def _file_issues(root: Path, doc: Document, key: str, value: str, wanted: str) -> list[Issue]:
    where = ("theme", key)
    suffix = PurePosixPath(value).suffix.lower()
    if suffix not in (IMAGES if key == "logo" else {".css": "CSS"}):
        return [doc.issue(where, f"theme.{key} '{value}' is not {wanted}",
                          f"name {wanted} in the data repository")]
    problem = _outside(root, value)
    if problem:
        hint = ("put the file itself in the data repository: nothing is published through a link"
                if "link" in problem else "name a file inside the data repository, by its path "
                "from the folder catalog.yaml is in")
        return [doc.issue(where, f"theme.{key} '{value}' {problem}", hint)]
    try:
        data = read_regular(root / value, MAX_BYTES)
    except OSError:
        return [doc.issue(where, f"theme.{key} '{value}' cannot be read or is over "
                          f"{MAX_BYTES:,} bytes", "use a smaller file")]
    if key == "logo":
        kind = _kind(data)
        if kind != IMAGES[suffix]:
            return [doc.issue(where, f"theme.{key} '{value}' is not a {IMAGES[suffix]} image"
                              + (f" (it holds {kind})" if kind else ""),
                              f"export the logo as {IMAGES[suffix]}, or name the file for what it is")]
        if kind == "SVG" and ACTIVE_SVG.search(data):
            return [doc.issue(where, f"theme.{key} '{value}' holds script (a <script>, an on…= "
                              "handler, a javascript: link or foreign HTML)",
                              "export the logo as a plain SVG or as PNG")]
    return []
