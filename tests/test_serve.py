"""The preview server answers only requests addressed to localhost (no DNS rebinding)."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from advocate_catalog.serve import server


@pytest.fixture
def port(tmp_path: Path) -> Iterator[int]:
    (tmp_path / "index.html").write_text("<p>catalog</p>", encoding="utf-8")
    httpd = server(tmp_path, port=0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def _get(port: int, *hosts: str) -> tuple[int, str, bytes]:
    """Status, content type and body of GET / sent with exactly these Host headers."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.putrequest("GET", "/", skip_host=True)
        for host in hosts:
            connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type") or "", response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LocalHost:{port}",
                                  "[::1]:{port}", "127.0.0.1", "localhost", "[::1]"])
def test_localhost_names_are_served(port: int, host: str) -> None:
    status, _, body = _get(port, host.format(port=port))
    assert status == 200 and body == b"<p>catalog</p>"


@pytest.mark.parametrize("hosts", [["evil.example"], ["evil.example:{port}"],
                                   ["localhost.evil.example:{port}"], ["127.0.0.1:1"],
                                   ["127.0.0.1.nip.io:{port}"], [],
                                   ["localhost:{port}", "evil.example"]])
def test_other_hosts_are_refused_with_a_short_plain_answer(port: int, hosts: list[str]) -> None:
    status, content_type, body = _get(port, *(h.format(port=port) for h in hosts))
    assert status == 421
    assert content_type.startswith("text/plain") and 0 < len(body) < 200
    assert b"<p>catalog</p>" not in body
