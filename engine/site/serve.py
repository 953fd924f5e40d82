"""`crux serve`: a local static server for the built site, with rebuild-and-reload on change.

The standard library's HTTP server in a thread is enough for one reader. Only files inside the site
are served (anything resolving outside it is a 404). With watching on, HTML responses get a tiny
script that long-polls `/__crux_reload`; a finished rebuild answers it and the page reloads. The
built files themselves never contain that script.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

RELOAD_PATH = "/__crux_reload"
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
        candidate = (root / relative).resolve()
        if candidate != root and root not in candidate.parents:
            return None
        if candidate.is_dir():
            candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None

    def do_GET(self) -> None:
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
        if since.isdigit():
            value = self.counter.wait_past(int(since), RELOAD_WAIT)
        body = b'{"build": %d}' % value
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


def make_server(
    site: Path, host: str, port: int, counter: BuildCounter | None = None
) -> ThreadingHTTPServer:
    """An HTTP server for `site` (not started); port 0 picks a free port."""
    handler = partial(SiteHandler, directory=str(site), counter=counter)
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


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
            else:
                print(f"rebuild failed: {exc!r}")
            continue
        counter.bump()
        print("rebuilt; open pages reload")
