"""A large layout in a process of its own, so that it can be stopped when its time runs out.

Neither a C library call nor a WebAssembly call can be interrupted from Python, so
`graphviz_render.render_within` lays out a graph that might take minutes in a child process
whose CPU time is capped, in one of two ways:

- `render_in_fork`: a fork of this process, which already holds a compiled WebAssembly Graphviz
  (compiled here, or inherited from the build that forked this worker): no interpreter to start
  and no second compilation of the module (about a second of CPU);
- `python -m engine.site.layout_child SECONDS`: DOT on stdin, SVG on stdout, in a fresh
  interpreter, for a process that must not fork (another of its threads is running). It caps its
  own CPU time at SECONDS once Graphviz is loaded, so that compiling the module does not count
  against the layout.
"""

from __future__ import annotations

import os
import select
import signal
import sys
import time

from engine.site.graphviz_render import (
    SVG_START,
    WALL_FACTOR,
    LayoutTimeout,
    RenderFailure,
    WasmDot,
    limit_cpu,
)
from engine.site.orphans import exit_with_parent

_OK, _FAILED, _BROKEN = 0, 1, 2
"""The forked child's exit status: SVG written, Graphviz's error written, anything else."""


def render_in_fork(dot: str, seconds: float) -> str:
    """The SVG of `dot`, laid out in a forked child stopped after `seconds` of CPU time (or
    `WALL_FACTOR` times that on the wall clock); raises `LayoutTimeout` or `RenderFailure`.

    Call it only from a process with no other Python thread running (`render_within` checks).
    """
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:
        _child(dot, seconds, reading, writing)  # never returns
    os.close(writing)
    deadline = time.monotonic() + seconds * WALL_FACTOR
    chunks: list[bytes] = []
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([reading], [], [], left)[0]:
                # Only the wall clock stopped it: maybe a busy machine, not a large layout.
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                raise LayoutTimeout(seconds, lasting=False)
            chunk = os.read(reading, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(reading)
    _, status = os.waitpid(pid, 0)
    text = b"".join(chunks).decode("utf-8", "replace")
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGXCPU, signal.SIGKILL):
        raise LayoutTimeout(seconds)  # it used up its CPU time
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != _OK:
        raise RenderFailure(text.strip() or "Graphviz failed")
    if not text.startswith(SVG_START):
        raise RenderFailure("Graphviz wrote no SVG document")
    return text


def _child(dot: str, seconds: float, reading: int, writing: int) -> None:
    """The forked child: lay out, write the SVG (or the error) into the pipe, and exit at once,
    so that none of the parent's code (its `finally` blocks, `atexit`, a pool's) runs here."""
    status = _BROKEN
    try:
        os.close(reading)
        exit_with_parent()  # a build killed outright must not leave a layout running for nobody
        limit_cpu(seconds)
        try:
            data, status = WasmDot().render(dot).encode("utf-8"), _OK
        except RenderFailure as exc:
            data, status = str(exc).encode("utf-8"), _FAILED
        with os.fdopen(writing, "wb") as out:
            out.write(data)
    except BaseException:
        status = _BROKEN
    finally:
        os._exit(status)


def main() -> int:
    exit_with_parent()  # a build killed outright must not leave a layout running for nobody
    seconds = float(sys.argv[1])
    dot = sys.stdin.buffer.read().decode("utf-8")
    graphviz = WasmDot()
    graphviz.start()  # compiling the module is not part of the layout's time
    limit_cpu(seconds)  # without CPU limits, the parent's wall clock bounds the layout
    try:
        svg = graphviz.render(dot)
    except RenderFailure as exc:
        sys.stderr.write(f"{exc}\n")
        return 1
    sys.stdout.buffer.write(svg.encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
