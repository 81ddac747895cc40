"""The preview server answers only requests addressed to localhost (no DNS rebinding); with
--watch it survives any failed rebuild, says why in one line and on every page, and recovers."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from advocate_catalog import build as build_module
from advocate_catalog.build import build
from advocate_catalog.serve import Failure, Preview, rebuild, server, signature, watch

from conftest import AS_OF, ROOT


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
    file, and the preview keeps the last good build, marked stale, while the error is printed;
    a broken template too, and the fix brings the preview back."""
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

        def shows(text: str, *, stale: bool = False) -> bool:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                served = _page(port, page)
                if text in served and ("This preview is stale" in served) == stale:
                    return True
                time.sleep(0.2)
            return False

        assert shows("Chief Data Officer")
        profile.write_text(profile.read_text().replace("Chief Data Officer", "CDO").replace(
            "owner: jordan-lee", "owner: nobody"))
        assert shows("Chief Data Officer", stale=True)  # the last good build, marked stale
        profile.write_text(profile.read_text().replace("owner: nobody", "owner: jordan-lee"))
        assert shows("CDO")
        template = repo / "templates" / "advocate.html"
        template.parent.mkdir()
        fixed = (ROOT / "templates" / "advocate.html").read_text(encoding="utf-8")
        _break(template, fixed=fixed.replace("{{ advocate.title }}", "{{ advocate.title }}!"))
        assert shows("templates/advocate.html:2:4: error: Encountered unknown tag", stale=True)
        template.write_text(fixed.replace("{{ advocate.title }}", "{{ advocate.title }}!"))
        assert shows(">CDO!</span>")
    finally:
        serving.terminate()
        _, errors = serving.communicate(timeout=10)
    assert "owner 'nobody'" in errors and "the preview still shows the last good build" in errors
    assert "templates/advocate.html:2:4: error: Encountered unknown tag 'blok'" in errors
    assert "Traceback" not in errors


PROFILE = "advocates/aino-virtanen/index.html"


def _break(template: Path, *, fixed: str) -> None:
    """Line 2 of the profile template says `{% blok` where `{% block` belongs."""
    template.write_text(fixed.replace("{% block", "{% blok", 1), encoding="utf-8")


@pytest.fixture
def preview(sample_repo: Path) -> Iterator[Preview]:
    """The sample catalog built once into site/ and served on a free port."""
    build(sample_repo, sample_repo / "site", AS_OF)
    httpd = server(sample_repo / "site", port=0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_a_template_syntax_error_keeps_the_watch_alive_and_the_fix_brings_the_preview_back(
        sample_repo: Path, preview: Preview) -> None:
    """The finding: one syntax error ended the watch thread with a traceback, and later fixes
    were never rebuilt while the stale site was served as if current."""
    template = sample_repo / "templates" / "advocate.html"
    fixed = template.read_text(encoding="utf-8")
    failures: list[Failure] = []
    failed, built, stop = threading.Event(), threading.Event(), threading.Event()

    def on_change() -> None:
        build(sample_repo, sample_repo / "site", AS_OF)
        built.set()

    def report(failure: Failure) -> None:
        failures.append(failure)
        failed.set()

    watching = threading.Thread(target=watch, args=(sample_repo, on_change, stop, 0.05),
                                kwargs={"failed": report, "preview": preview,
                                        "since": signature(sample_repo)}, daemon=True)
    watching.start()
    try:
        _break(template, fixed=fixed)
        assert failed.wait(60)
        assert watching.is_alive()
        [failure] = failures
        assert failure.line.startswith("templates/advocate.html:2:4: error: Encountered unknown tag "
                                       "'blok'") and "\n" not in failure.line
        assert "— fix the template; " in failure.line
        assert failure.line.endswith("; the preview still shows the last good build")
        page = _soup(preview, PROFILE)
        assert page.select_one(".preview-stale pre").get_text() == failure.line
        assert page.select_one("h1").get_text() == "Aino Virtanen"  # the last good build

        template.write_text(fixed, encoding="utf-8")
        assert built.wait(60)
        assert watching.is_alive() and len(failures) == 1
        assert not _soup(preview, PROFILE).select(".preview-stale")
    finally:
        stop.set()
        watching.join()


def _soup(preview: Preview, path: str) -> BeautifulSoup:
    connection = http.client.HTTPConnection("127.0.0.1", preview.server_address[1], timeout=10)
    try:
        connection.request("GET", f"/{path}")
        response = connection.getresponse()
        assert response.status == 200
        if preview.stale:  # a page with the notice is never cached, so no reload shows it later
            assert response.getheader("Cache-Control") == "no-store"
        return BeautifulSoup(response.read(), "html.parser")
    finally:
        connection.close()


def _bug(_root: Path, _site: Path, _today: object = None, **_options: object) -> None:
    raise KeyError("shard")


def _disk_full(_root: Path, site: Path, _today: object = None, **_options: object) -> None:
    raise OSError(28, "No space left on device", str(site / "index.html"))


FAILURES: dict[str, tuple[Callable[[Path], None], str]] = {
    "template syntax": (lambda repo: _break(repo / "templates" / "advocate.html",
                                            fixed=(repo / "templates" / "advocate.html").read_text()),
                        "templates/advocate.html:2:4: error: Encountered unknown tag 'blok'"),
    "undefined variable": (lambda repo: (repo / "templates" / "_card.html").write_text(
                               "{{ nosuch.name }}\n", encoding="utf-8"),
                           "templates/_card.html:1:4: error: 'nosuch' is undefined in this version "
                           "— this template does not receive it"),
    "invalid data": (lambda repo: (repo / "advocates" / "aino-virtanen.yaml").write_text(
                         (repo / "advocates" / "aino-virtanen.yaml").read_text().replace(
                             "owner: ", "owner: nobody-", 1)),
                     "advocates/aino-virtanen.yaml:"),
    "disk full": (lambda _repo: None, "site/index.html:1:1: error: No space left on device — "),
    "a bug": (lambda _repo: None, "error: the rebuild failed: KeyError: 'shard' — this is a bug in "
                                  "the catalog tool; run `advocate-catalog --debug serve --watch`"),
}


@pytest.mark.parametrize("case", FAILURES)
def test_any_failed_rebuild_is_one_line_and_a_stale_notice_until_a_rebuild_succeeds(
        sample_repo: Path, preview: Preview, monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    spoil, expected = FAILURES[case]
    spoil(sample_repo)
    if case in ("disk full", "a bug"):
        monkeypatch.setattr(build_module, "build", {"disk full": _disk_full, "a bug": _bug}[case])
    reported: list[Failure] = []

    def rebuild_site() -> None:
        build_module.build(sample_repo, sample_repo / "site", AS_OF)

    failure = rebuild(rebuild_site, sample_repo, reported.append, preview)
    assert failure is not None and reported == [failure]
    assert failure.line.startswith(expected), failure.line
    assert "\n" not in failure.line and "the preview still shows the last good build" in failure.line
    assert preview.stale == failure.line
    notice = _soup(preview, PROFILE).select_one("[role=alert].preview-stale")
    assert notice is not None and "This preview is stale" in notice.get_text()
    assert _soup(preview, "").select_one(".preview-stale pre").get_text() == failure.line

    assert rebuild(lambda: None, sample_repo, reported.append, preview) is None
    assert preview.stale is None and len(reported) == 1
    assert not _soup(preview, PROFILE).select(".preview-stale")


def test_a_report_that_fails_does_not_end_the_watch(sample_repo: Path) -> None:
    def broken_report(_failure: Failure) -> None:
        raise BrokenPipeError("stderr closed")

    failure = rebuild(lambda: _bug(sample_repo, sample_repo / "site"), sample_repo, broken_report)
    assert failure is not None and isinstance(failure.error, KeyError)


def test_serve_watch_started_on_a_broken_template_shows_the_last_build_and_recovers(
        tmp_path: Path) -> None:
    """Starting `serve --watch` while a template is broken (yesterday's site still there): one
    line, the last good build served marked stale, and saving the fix brings the preview back."""
    import os
    import re
    import subprocess
    import sys
    import time

    repo = tmp_path / "catalog"
    subprocess.run([sys.executable, "-m", "advocate_catalog", "init", str(repo)], check=True,
                   capture_output=True)
    subprocess.run([sys.executable, "-m", "advocate_catalog", "--root", str(repo), "build"], check=True,
                   capture_output=True)
    template = repo / "templates" / "advocate.html"
    template.parent.mkdir()
    fixed = (ROOT / "templates" / "advocate.html").read_text(encoding="utf-8")
    _break(template, fixed=fixed)
    serving = subprocess.Popen([sys.executable, "-m", "advocate_catalog", "--root", str(repo), "serve",
                                "--watch", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert serving.stdout is not None
        port = next((int(m[1]) for line in serving.stdout
                     if (m := re.search(r"at http://127\.0\.0\.1:(\d+)/", line))), 0)
        assert port
        page = "/advocates/sam-rivera/"
        served = _page(port, page)
        assert "This preview is stale" in served and "Encountered unknown tag" in served
        template.write_text(fixed.replace("{{ advocate.title }}", "{{ advocate.title }}!"),
                            encoding="utf-8")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and ">VP of Data Platform!</span>" not in _page(port, page):
            time.sleep(0.2)
        served = _page(port, page)
        assert ">VP of Data Platform!</span>" in served and "This preview is stale" not in served
    finally:
        serving.terminate()
        _, errors = serving.communicate(timeout=10)
    assert "templates/advocate.html:2:4: error: Encountered unknown tag 'blok'" in errors
    assert "Traceback" not in errors
