"""`crux serve`: a local static server for the built site, with rebuild-and-reload on change.

The standard library's threaded HTTP server, one thread per request and a listen queue of
`BACKLOG`, so a page's dozens of assets (or a burst of readers) never wait on a queue of 5. Only
files inside the site are served (anything resolving outside it is a 404); a path with a NUL byte
or a control character, a segment longer than a file name can be, or a non-ASCII-digit `since`
is a 400, and a path over `MAX_PATH` characters a 414, answered rather than dropped. A reader
closing a tab mid-request is normal, not an error. With watching on, HTML responses get a tiny
script that long-polls `/__crux_reload`; a finished rebuild answers it and the page reloads. The
built files themselves never contain that script.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterable
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

RELOAD_PATH = "/__crux_reload"
BACKLOG = 128
"""Connections the kernel queues before the server accepts them (the library's default is 5)."""
MAX_PATH = 2048
"""Longest request path answered; longer is 414 URI Too Long, as browsers and servers agree."""
MAX_SEGMENT_BYTES = 255
"""Longest path segment: no file system has longer file names."""
RELOAD_WAIT = 25.0
RELOAD_SCRIPT = b"""<script>
(function () {
  var seen = null;
  function poll() {
    fetch("/__crux_reload?since=" + (seen === null ? "" : seen), {cache: "no-store"})
      .then(function (r) { return r.json(); })
      .then(function (d) { if (seen !== null && d.build !== seen) { location.reload(); } else { seen = d.build; poll(); } })
      .catch(function () { setTimeout(poll, 2000); });
  }
  poll();
})();
</script>
"""


class BuildCounter:
    """How many builds have finished; waiters wake when it changes."""

    def __init__(self) -> None:
        self.value = 0
        self._changed = threading.Condition()

    def bump(self) -> None:
        with self._changed:
            self.value += 1
            self._changed.notify_all()

    def wait_past(self, seen: int, timeout: float) -> int:
        with self._changed:
            self._changed.wait_for(lambda: self.value != seen, timeout=timeout)
            return self.value


class SiteHandler(SimpleHTTPRequestHandler):
    """Serves files under `directory` only, and the reload endpoint when watching."""

    counter: BuildCounter | None = None

    def __init__(
        self, *args: Any, directory: str, counter: BuildCounter | None, **kwargs: Any
    ) -> None:
        self.counter = counter
        super().__init__(*args, directory=directory, **kwargs)

    def log_message(self, format: str, *args: Any) -> None:  # quiet: one reader, no access log
        return

    def _inside(self) -> Path | None:
        root = Path(self.directory).resolve()
        relative = unquote(urlsplit(self.path).path).lstrip("/")
        try:
            candidate = (root / relative).resolve()
            if candidate != root and root not in candidate.parents:
                return None
            if candidate.is_dir():
                candidate = candidate / "index.html"
            return candidate if candidate.is_file() else None
        except (OSError, ValueError):  # a name the file system refuses is simply not there
            return None

    def _refused(self) -> bool:
        """Answer a malformed request with 400 or 414 (and say so) instead of failing on it."""
        if len(self.path) > MAX_PATH:
            self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG, f"Paths are at most {MAX_PATH} long")
            return True
        path = unquote(urlsplit(self.path).path, errors="strict")
        if any(ord(char) < 0x20 or ord(char) == 0x7F for char in path):
            self.send_error(HTTPStatus.BAD_REQUEST, "Control characters in the path")
            return True
        if any(len(part.encode("utf-8")) > MAX_SEGMENT_BYTES for part in path.split("/")):
            self.send_error(HTTPStatus.BAD_REQUEST, "A path segment is longer than a file name")
            return True
        return False

    def do_GET(self) -> None:
        try:
            if self._refused():
                return
        except UnicodeDecodeError:
            self.send_error(HTTPStatus.BAD_REQUEST, "The path is not UTF-8")
            return
        if self.path.startswith(RELOAD_PATH) and self.counter is not None:
            self._reload()
            return
        target = self._inside()
        if target is None:
            self.send_error(HTTPStatus.NOT_FOUND, "Not found")
            return
        if target.suffix == ".html" and self.counter is not None:
            self._html_with_reload(target)
            return
        super().do_GET()

    def do_HEAD(self) -> None:
        try:
            if self._refused():
                return
        except UnicodeDecodeError:
            self.send_error(HTTPStatus.BAD_REQUEST, "The path is not UTF-8")
            return
        if self._inside() is None:
            self.send_error(HTTPStatus.NOT_FOUND, "Not found")
            return
        super().do_HEAD()

    def _html_with_reload(self, target: Path) -> None:
        body = target.read_bytes()
        marker = body.rfind(b"</body>")
        body = (
            body[:marker] + RELOAD_SCRIPT + body[marker:] if marker >= 0 else body + RELOAD_SCRIPT
        )
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _reload(self) -> None:
        assert self.counter is not None
        since = parse_qs(urlsplit(self.path).query).get("since", [""])[0]
        value = self.counter.value
        if since and not (since.isascii() and since.isdigit() and len(since) < 20):
            # `str.isdigit` accepts "²", which `int` refuses.
            self.send_error(HTTPStatus.BAD_REQUEST, "since: expected a build number")
            return
        if since:
            value = self.counter.wait_past(int(since), RELOAD_WAIT)
        body = b'{"build": %d}' % value
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


class SiteServer(ThreadingHTTPServer):
    """A thread per request, a realistic listen queue, and quiet about readers who leave."""

    request_queue_size = BACKLOG
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        kind, exc, _ = sys.exc_info()
        if isinstance(exc, ConnectionError | TimeoutError):
            return  # a closed tab or a dropped connection: nothing to report
        name = kind.__name__ if kind is not None else "error"
        print(f"serve: {name} while answering {client_address[0]}: {exc}", file=sys.stderr)


def make_server(
    site: Path, host: str, port: int, counter: BuildCounter | None = None
) -> ThreadingHTTPServer:
    """An HTTP server for `site` (not started); port 0 picks a free port."""
    handler = partial(SiteHandler, directory=str(site), counter=counter)
    return SiteServer((host, port), handler)


class RebuildFailed(Exception):
    """A rebuild ended without a new site; the message says why, the old site is still served."""


def watch_and_rebuild(
    folders: Iterable[Path],
    rebuild: Callable[[], None],
    counter: BuildCounter,
    stop: threading.Event,
) -> None:
    """Rebuild whenever a file under `folders` changes; a failed rebuild keeps the old site."""
    from watchfiles import watch

    for _changes in watch(*[str(f) for f in folders if f.exists()], stop_event=stop, debounce=300):
        try:
            rebuild()
        except Exception as exc:  # report and keep serving the previous build
            from engine.errors import CruxError

            if isinstance(exc, CruxError):
                print("\n".join(str(p) for p in exc.problems))
                print(exc.summary())
            elif isinstance(exc, RebuildFailed):
                print(f"rebuild failed: {exc}")
            else:
                print(f"rebuild failed: {exc!r}")
            continue
        counter.bump()
        print("rebuilt; open pages reload")
