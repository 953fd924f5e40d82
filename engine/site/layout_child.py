"""`python -m engine.site.layout_child`: DOT on stdin, SVG on stdout, with the WebAssembly Graphviz.

A large layout runs here, in a process of its own, so that the build can kill it when its time
runs out (`graphviz_render.render_within`); the WebAssembly call itself cannot be interrupted.
"""

from __future__ import annotations

import sys

from engine.site.graphviz_render import RenderFailure, WasmDot
from engine.site.orphans import exit_with_parent


def main() -> int:
    exit_with_parent()  # a build killed outright must not leave a layout running for nobody
    dot = sys.stdin.buffer.read().decode("utf-8")
    try:
        svg = WasmDot().render(dot)
    except RenderFailure as exc:
        sys.stderr.write(f"{exc}\n")
        return 1
    sys.stdout.buffer.write(svg.encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
