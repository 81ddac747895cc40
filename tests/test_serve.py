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


def _page(port: int, path: str) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.read().decode("utf-8") if response.status == 200 else ""
    finally:
        connection.close()


def test_serve_watch_rebuilds_after_an_edit_and_keeps_the_last_good_site(tmp_path: Path) -> None:
    """`serve --watch` as a CSM uses it: edit a profile, reload, see the change; save a broken
    file, and the preview keeps the last good build while the error is printed."""
    import os
    import re
    import subprocess
    import sys
    import time

    repo = tmp_path / "catalog"
    subprocess.run([sys.executable, "-m", "advocate_catalog", "init", str(repo)], check=True,
                   capture_output=True)
    serving = subprocess.Popen([sys.executable, "-m", "advocate_catalog", "--root", str(repo), "serve",
                                "--watch", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert serving.stdout is not None and serving.stderr is not None
        port = 0
        for line in serving.stdout:
            if match := re.search(r"at http://127\.0\.0\.1:(\d+)/", line):
                port = int(match[1])
                break
        assert port, serving.stderr.read()
        page = "/advocates/sam-rivera/"
        assert "VP of Data Platform" in _page(port, page)
        profile = repo / "advocates" / "sam-rivera.yaml"
        profile.write_text(profile.read_text().replace("VP of Data Platform", "Chief Data Officer"))

        def shows(text: str) -> bool:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                if text in _page(port, page):
                    return True
                time.sleep(0.2)
            return False

        assert shows("Chief Data Officer")
        profile.write_text(profile.read_text().replace("Chief Data Officer", "CDO").replace(
            "owner: jordan-lee", "owner: nobody"))
        time.sleep(4)
        assert "Chief Data Officer" in _page(port, page)  # the last good build
        profile.write_text(profile.read_text().replace("owner: nobody", "owner: jordan-lee"))
        assert shows("CDO")
    finally:
        serving.terminate()
        _, errors = serving.communicate(timeout=10)
    assert "owner 'nobody'" in errors and "the preview still shows the last good build" in errors
