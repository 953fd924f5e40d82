"""`python -m engine.site.layout_child SECONDS`: DOT on stdin, SVG on stdout (WebAssembly Graphviz).

A large layout runs here, in a process of its own, so that it can be stopped when its time runs
out (`graphviz_render.render_within`); the WebAssembly call itself cannot be interrupted. The
process caps its own CPU time at SECONDS once Graphviz is loaded, so that compiling the module
(the first time) does not count against the layout.
"""

from __future__ import annotations

import sys

from engine.site.graphviz_render import RenderFailure, WasmDot, limit_cpu
from engine.site.orphans import exit_with_parent


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
