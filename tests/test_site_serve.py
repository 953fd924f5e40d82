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


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/index.html%00.png", 400),
        ("/%00", 400),
        ("/a%0Ab", 400),
        ("/" + "a" * 8000, 414),
        ("/" + "b" * 256 + ".html", 400),
        ("/%ff%fe.html", 400),
        ("/__crux_reload?since=%C2%B2", 400),
        ("/__crux_reload?since=-1", 400),
        ("/__crux_reload?since=" + "9" * 40, 400),
    ],
    ids=[
        "nul-suffix",
        "nul",
        "newline",
        "long-path",
        "long-segment",
        "not-utf8",
        "superscript",
        "negative",
        "huge",
    ],
)
def test_malformed_requests_get_a_status_not_a_dropped_connection(
    served: tuple[int, BuildCounter, Path], path: str, status: int
) -> None:
    port, _, _ = served
    assert get(port, path)[0] == status
    assert get(port, "/style.css") == (200, b"p{}")  # and the server is still up


def test_many_simultaneous_requests_are_answered_promptly(
    served: tuple[int, BuildCounter, Path],
) -> None:
    import time
    from concurrent.futures import ThreadPoolExecutor

    port, _, _ = served
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=200) as pool:
        statuses = list(pool.map(lambda _: get(port, "/style.css")[0], range(200)))
    assert statuses == [200] * 200
    # With a listen queue of 5, dropped SYNs are retried after 1, 3, 7... s (61 s was seen).
    assert time.monotonic() - started < 20


def test_a_reader_leaving_mid_reload_is_not_an_error(
    served: tuple[int, BuildCounter, Path], capfd: pytest.CaptureFixture[str]
) -> None:
    import socket
    import time

    port, counter, _ = served
    client = socket.create_connection(("127.0.0.1", port))
    client.sendall(b"GET /__crux_reload?since=0 HTTP/1.1\r\nHost: x\r\n\r\n")
    time.sleep(0.2)
    # Reset rather than close, as a browser tab going away does.
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    client.close()
    counter.bump()  # the long poll now answers into the closed connection
    time.sleep(0.5)
    assert get(port, "/style.css") == (200, b"p{}")
    err = capfd.readouterr().err
    assert "Traceback" not in err and "BrokenPipe" not in err and "ConnectionReset" not in err


def test_a_failed_rebuild_runs_apart_and_keeps_the_old_site(
    lemonade_copy: Path, tmp_path: Path
) -> None:
    from engine.commands.serve import rebuild_in_child
    from engine.site.serve import RebuildFailed
    from tests.site_helpers import build

    site = build(lemonade_copy, tmp_path / "site")
    index = (site / "index.html").read_bytes()
    figures = lemonade_copy / "figures.yaml"
    figures.write_text(
        figures.read_text(encoding="utf-8").replace("unit: USD\n", "unit: USD**9**9**9\n", 1),
        encoding="utf-8",
    )
    with pytest.raises(RebuildFailed, match="exited with status 1; the previous site is still"):
        rebuild_in_child(lemonade_copy, site, None, (), ())
    assert (site / "index.html").read_bytes() == index
