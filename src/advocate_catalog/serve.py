"""Serve a built site on localhost for preview, rebuilding it when its files change."""

from __future__ import annotations

import contextlib
import functools
import html
import http.server
import io
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast
from urllib.parse import urlsplit

from .errors import CatalogError, InvalidData, Issue

LOCAL_NAMES = ("127.0.0.1", "localhost", "[::1]")
REFUSED = b"421 Misdirected Request: this preview answers only to 127.0.0.1 or localhost\n"
# The stale notice's look: the pages' Content-Security-Policy allows no inline style, so the
# preview serves it from its own (same-origin) address; no site file is ever named like this.
NOTICE_STYLE = "/.advocate-catalog-preview.css"
NOTICE_CSS = (b".preview-stale{margin:0;padding:.75rem 1rem;background:#fff4e5;color:#4a2100;"
              b"border-bottom:3px solid #d9480f;font:15px/1.45 system-ui,sans-serif}"
              b".preview-stale pre{margin:.4rem 0;white-space:pre-wrap;overflow-wrap:anywhere;"
              b"font:13px/1.4 ui-monospace,monospace}")
STILL = "the preview still shows the last good build"
DEBUG = "run `advocate-catalog --debug serve --watch` for the traceback"


class Preview(http.server.ThreadingHTTPServer):
    """The preview server. While `stale` holds why the last rebuild failed, every HTML page it
    serves starts with a notice: the preview is stale, and that line (the one the terminal prints).

    The pages stay those of the last good build, readable and linked as before, rather than an
    error page in their place; but a reload that silently shows the old page reads as "my edit was
    ignored", and someone working in the browser may not be watching the terminal. The notice is
    added as pages are sent, never written into site/ (which may be published), and those pages
    are sent uncacheable, so a browser never shows a notice from its cache after a good rebuild.
    """

    stale: str | None = None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {  # noqa: RUF012 - the base class declares it this way**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".js": "text/javascript", ".wasm": "application/wasm",
                      ".pf_meta": "application/octet-stream"}

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self) -> io.BytesIO | BinaryIO | None:
        """The file, as the base class sends it; an HTML page with the stale notice while the
        last rebuild failed (see Preview)."""
        if urlsplit(self.path).path == NOTICE_STYLE:
            return self._send(NOTICE_CSS, "text/css; charset=utf-8")
        stale = cast(Preview, self.server).stale
        page = self._html_page() if stale else None
        if stale is None or page is None:
            return super().send_head()
        try:
            body = page.read_bytes()
        except OSError:
            return super().send_head()
        return self._send(with_notice(body, stale), "text/html; charset=utf-8")

    def _html_page(self) -> Path | None:
        """The HTML file a GET would send, if it sends one (a folder without its trailing
        slash is left to the base class, which redirects)."""
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not urlsplit(self.path).path.endswith("/"):
                return None
            path = path / "index.html"
        return path if path.suffix == ".html" and path.is_file() else None

    def _send(self, body: bytes, content_type: str) -> io.BytesIO:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        return io.BytesIO(body)

    def parse_request(self) -> bool:
        """Refuse any Host but localhost's: a page that rebinds its own name to 127.0.0.1
        (DNS rebinding) must not read the catalog through the visitor's browser."""
        if not super().parse_request():
            return False
        hosts = self.headers.get_all("Host") or []
        if len(hosts) == 1 and _is_local(hosts[0], self.connection.getsockname()[1]):
            return True
        self.close_connection = True
        self.send_response(421)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(REFUSED)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(REFUSED)
        return False


def _is_local(host: str, port: int) -> bool:
    """`host` (a Host header) names this machine's loopback, on no port or on ours."""
    host = host.strip().lower()
    return any(host in (name, f"{name}:{port}") for name in LOCAL_NAMES)


def with_notice(page: bytes, stale: str) -> bytes:
    """`page` with the stale notice at the top of its body."""
    notice = (f'<link rel="stylesheet" href="{NOTICE_STYLE}"><div class="preview-stale" role="alert">'
              "<strong>This preview is stale.</strong> The last rebuild failed, so these pages are "
              f"from the last good build:<pre>{html.escape(stale)}</pre>Fix it and save: the pages "
              "update with the next rebuild that succeeds.</div>").encode()
    body = re.search(rb"<body[^>]*>", page, re.IGNORECASE)
    at = body.end() if body else 0
    return page[:at] + notice + page[at:]


def server(site: Path, host: str = "127.0.0.1", port: int = 8000) -> Preview:
    """A threaded HTTP server for `site`; port 0 picks a free port (tests use that)."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    return Preview((host, port), handler)


@dataclass(frozen=True)
class Failure:
    """A rebuild that did not finish: what it raised, and the one line that says so."""

    error: Exception
    line: str


def describe(error: Exception, root: Path) -> str:
    """What failed, in one line: `path:line:col: error: what — how to fix` where a file (and
    line) is known — a template's error has both — else a line naming the failure."""
    import jinja2

    def shown(path: str) -> str:
        with contextlib.suppress(ValueError):
            return Path(path).resolve().relative_to(root.resolve()).as_posix()
        return path

    what = " ".join(str(error).split())  # Jinja's messages run over several lines
    if isinstance(error, InvalidData):
        errors = [issue for issue in error.issues if issue.severity == "error"] or error.issues
        if not errors:
            return f"error: {what}; {STILL}"
        more = f" ({len(errors) - 1} more in the terminal)" if len(errors) > 1 else ""
        return f"{errors[0]}{more}; {STILL}"
    if isinstance(error, jinja2.TemplateSyntaxError) and error.filename:
        return str(Issue(shown(error.filename), error.lineno, 1, "error",
                         " ".join((error.message or what).split()),
                         f"fix the template and save; {STILL}"))
    if isinstance(error, jinja2.TemplateError):
        hint = (f"check the names against what the template receives (docs/customizing.md) and "
                f"save; {STILL}")
        if (where := template_line(error)) is not None:
            return str(Issue(shown(where[0]), where[1], 1, "error", what, hint))
        return f"error: template: {what} — {DEBUG} to see where; {STILL}"
    if isinstance(error, CatalogError):
        return f"error: {what}; {STILL}"
    if isinstance(error, OSError):
        reason = error.strerror or what
        hint = f"check it can be read and written and the disk has room, then save again; {STILL}"
        if error.filename:
            return str(Issue(shown(str(error.filename)), 1, 1, "error", reason, hint))
        return f"error: {reason} — {hint}"
    return (f"error: the rebuild failed: {type(error).__name__}: {what} — this is a bug in the "
            f"catalog tool; {DEBUG} and report it; {STILL}")


def template_line(error: BaseException) -> tuple[str, int] | None:
    """The template file and line an error was raised in. Jinja rewrites a rendering error's
    traceback to the template's own lines; a macro module's code keeps the compiled lines, which
    its template translates; a page rendered in a worker process sends its traceback as text."""
    found: list[tuple[str, int]] = []
    tb = error.__traceback__
    while tb is not None:
        template = tb.tb_frame.f_globals.get("__jinja_template__")
        if template is not None and template.filename:
            found.append((template.filename, template.get_corresponding_lineno(tb.tb_lineno)))
        else:
            found.append((tb.tb_frame.f_code.co_filename, tb.tb_lineno))
        tb = tb.tb_next
    remote = getattr(error.__cause__, "tb", "")
    found += [(name, int(line)) for name, line in
              re.findall(r'File "([^"]+)", line (\d+)', remote if isinstance(remote, str) else "")]
    templates = [(name, line) for name, line in found
                 if not name.endswith(".py") and not name.startswith("<")]
    return templates[-1] if templates else None


def rebuild(build: Callable[[], object], root: Path, failed: Callable[[Failure], None],
            preview: Preview | None = None) -> Failure | None:
    """Run one rebuild; whatever it raises becomes a Failure handed to `failed` (and returned),
    never an end to the watch. `preview`'s pages say they are stale until a rebuild succeeds."""
    try:
        build()
    except Exception as error:
        failure = Failure(error, describe(error, root))
    else:
        if preview is not None:
            preview.stale = None
        return None
    if preview is not None:
        preview.stale = failure.line
    with contextlib.suppress(Exception):  # a report that cannot be made must not end the watch
        failed(failure)
    return failure


def _ignore(_failure: Failure) -> None:
    return None


def signature(root: Path) -> dict[str, tuple[int, int]]:
    """Size and modification time of everything a build reads: data files, catalog.yaml,
    targets.yaml, and the repository's own templates and schemas (the package's change only
    with an upgrade, which restarts `serve`)."""
    from . import cache, layers, theme

    found = dict(cache.scan(root))
    for name in ("catalog.yaml", "targets.yaml", *theme.named(root)):  # with the theme's files
        try:
            info = (root / name).stat()
            found[name] = (info.st_size, info.st_mtime_ns)
        except OSError:
            found[name] = (-1, 0)
    for kind in layers.KINDS:
        for relative, path in layers.files(root, kind).items():
            try:
                info = path.lstat()
            except OSError:
                continue
            found[f"{kind}/{relative}@{path.parent}"] = (info.st_size, info.st_mtime_ns)
    return found


def snapshot(root: Path) -> dict[str, tuple[int, int]] | None:
    """The signature, or None while it cannot be taken (an editor's scratch file went between
    listing a folder and reading its size): that counts as a change still settling."""
    try:
        return signature(root)
    except OSError:
        return None


def watch(root: Path, on_change: Callable[[], object], stop: threading.Event,
          interval: float = 0.5, *, failed: Callable[[Failure], None] = _ignore,
          preview: Preview | None = None, since: dict[str, tuple[int, int]] | None = None) -> None:
    """Call `on_change` once the files a build reads have changed (from `since`, else from now)
    and then stayed the same for `interval` seconds (an editor saving in several steps causes
    one rebuild), until `stop`. A rebuild that raises anything goes to `failed` and the watch
    goes on (see `rebuild`)."""
    last = snapshot(root) if since is None else since
    while not stop.wait(interval):
        now = snapshot(root)
        if now == last:
            continue
        while not stop.wait(interval):  # settle
            settled = snapshot(root)
            if settled == now:
                break
            now = settled
        last = now
        if not stop.is_set():
            rebuild(on_change, root, failed, preview)
