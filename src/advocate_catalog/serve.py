"""Serve a built site on localhost for preview, rebuilding it when its files change."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Callable
from pathlib import Path

LOCAL_NAMES = ("127.0.0.1", "localhost", "[::1]")
REFUSED = b"421 Misdirected Request: this preview answers only to 127.0.0.1 or localhost\n"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {  # noqa: RUF012 - the base class declares it this way**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".js": "text/javascript", ".wasm": "application/wasm",
                      ".pf_meta": "application/octet-stream"}

    def log_message(self, format: str, *args: object) -> None:
        pass

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


def server(site: Path, host: str = "127.0.0.1", port: int = 8000) -> http.server.ThreadingHTTPServer:
    """A threaded HTTP server for `site`; port 0 picks a free port (tests use that)."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    return http.server.ThreadingHTTPServer((host, port), handler)


def signature(root: Path) -> dict[str, tuple[int, int]]:
    """Size and modification time of everything a build reads: data files, catalog.yaml,
    targets.yaml, and the repository's own templates and schemas (the package's change only
    with an upgrade, which restarts `serve`)."""
    from . import cache, layers

    found = dict(cache.scan(root))
    for name in ("catalog.yaml", "targets.yaml"):
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


def watch(root: Path, on_change: Callable[[], None], stop: threading.Event,
          interval: float = 0.5) -> None:
    """Call `on_change` once the files a build reads have changed and then stayed the same for
    `interval` seconds (an editor saving in several steps causes one rebuild), until `stop`."""
    last = signature(root)
    while not stop.wait(interval):
        now = signature(root)
        if now == last:
            continue
        while not stop.wait(interval):  # settle
            settled = signature(root)
            if settled == now:
                break
            now = settled
        last = now
        if not stop.is_set():
            on_change()
