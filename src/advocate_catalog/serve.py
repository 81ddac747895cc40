"""Serve a built site on localhost for preview."""

from __future__ import annotations

import functools
import http.server
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
