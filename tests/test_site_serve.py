"""`crux serve`'s server: files inside the site only, and a reload endpoint while watching."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.site.serve import BuildCounter, make_server


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[int, BuildCounter, Path]]:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<html><body><p>hello</p></body></html>", encoding="utf-8")
    (site / "style.css").write_text("p{}", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    (site / "escape").symlink_to(tmp_path / "secret.txt")
    counter = BuildCounter()
    server = make_server(site, "127.0.0.1", 0, counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], counter, site
    finally:
        server.shutdown()
        server.server_close()


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, response.read()


def test_serves_pages_with_a_reload_script(served: tuple[int, BuildCounter, Path]) -> None:
    port, _, site = served
    status, body = get(port, "/")
    assert status == 200 and b"hello" in body and b"__crux_reload" in body
    assert b"__crux_reload" not in (site / "index.html").read_bytes()
    assert get(port, "/style.css") == (200, b"p{}")


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/static/../../secret.txt",
        "/escape",
        "/missing.html",
    ],
)
def test_nothing_outside_the_site_is_served(
    served: tuple[int, BuildCounter, Path], path: str
) -> None:
    port, _, _ = served
    status, body = get(port, path)
    assert status == 404 and b"secret" not in body


def test_reload_endpoint_answers_when_a_build_finishes(
    served: tuple[int, BuildCounter, Path],
) -> None:
    port, counter, _ = served
    assert get(port, "/__crux_reload?since=")[1] == b'{"build": 0}'
    timer = threading.Timer(0.2, counter.bump)
    timer.start()
    assert get(port, "/__crux_reload?since=0")[1] == b'{"build": 1}'
