"""Where Graphviz runs during a build: compiled once, early, and shared by fork.

Compiling the WebAssembly Graphviz costs about a second of CPU in each process that does it, and
a cold build used to do it three times (two workers, and a fresh interpreter for the whole map's
time-limited layout). Now a build whose map changed starts compiling before it loads the map,
its workers inherit the compiled instance, and a time-limited layout runs in a fork of a process
that already has it. These tests hold the results to what a fresh interpreter draws.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from engine.evaluation.evaluate import evaluate_scenario
from engine.knowledge.loader import load_knowledge_base
from engine.site.map_layout import plan_map
from engine.site.site_plan import link_from_subfolder

ROOT = Path(__file__).resolve().parent.parent
LEMONADE = ROOT / "tests" / "examples" / "lemonade"


LAYOUT = """
import sys
from pathlib import Path
from engine.site import layout_child
from engine.site.graphviz_render import RenderFailure, render_within

forks = []
original = layout_child.render_in_fork

def spy(dot, seconds):
    forks.append(dot)
    return original(dot, seconds)

layout_child.render_in_fork = spy
if sys.argv[2] == "with-a-thread":
    import threading
    release = threading.Event()
    threading.Thread(target=release.wait, daemon=True).start()
try:
    svg = render_within(Path(sys.argv[1]).read_text(encoding="utf-8"), 20.0)
except RenderFailure as exc:
    svg = f"RenderFailure: {exc}"
sys.stdout.write(str(len(forks)) + chr(10) + svg)
"""


def layout_in_a_new_process(tmp_path: Path, dot: str, how: str) -> tuple[int, str]:
    """(layouts that ran in a fork, the SVG or the failure) of `render_within` in a new process
    (this test process may run threads of its own, which rule forking out)."""
    source = tmp_path / "graph.dot"
    source.write_text(dot, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", LAYOUT, str(source), how],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "CRUX_NO_SYSTEM_DOT": "1"},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    forks, _, svg = done.stdout.partition("\n")
    return int(forks), svg


def whole_map_dot() -> str:
    kb = load_knowledge_base(LEMONADE)
    ev = evaluate_scenario(kb)
    return plan_map(kb, ev, link_from_subfolder, 20.0)[0][0].dot


def fresh_interpreter(dot: str) -> str:
    """The layout as `python -m engine.site.layout_child` draws it, in a new process."""
    done = subprocess.run(
        [sys.executable, "-m", "engine.site.layout_child", "20"],
        input=dot.encode("utf-8"),
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
        timeout=120,
    )
    return done.stdout.decode("utf-8")


def test_a_time_limited_layout_in_a_fork_is_what_a_fresh_interpreter_draws(
    tmp_path: Path,
) -> None:
    dot = whole_map_dot()
    forks, svg = layout_in_a_new_process(tmp_path, dot, "alone")
    assert forks == 1, "the layout did not run in a fork of the process"
    assert svg.startswith("<?xml") and 'id="node' in svg
    assert svg == fresh_interpreter(dot)


def test_with_another_thread_running_the_layout_runs_in_a_fresh_interpreter(
    tmp_path: Path,
) -> None:
    """Forking while another thread may hold a lock could leave the child waiting for ever."""
    dot = whole_map_dot()
    forks, svg = layout_in_a_new_process(tmp_path, dot, "with-a-thread")
    assert forks == 0
    assert svg == fresh_interpreter(dot)


def test_graphvizs_error_in_a_fork_is_a_render_failure(tmp_path: Path) -> None:
    forks, said = layout_in_a_new_process(tmp_path, "digraph { a -> ", "alone")
    assert forks == 1
    assert said.startswith("RenderFailure: ") and "Failed to parse DOT" in said


CHECK_START = """
import sys
from pathlib import Path
from engine.site import graphviz_render
from engine.site.build import start_layouts_early
start_layouts_early(Path(sys.argv[1]))
print("starting" if graphviz_render._starting is not None else "idle")
"""


def test_a_changed_map_starts_graphviz_before_loading_and_an_unchanged_one_does_not(
    tmp_path: Path,
) -> None:
    """A warm build finds every drawing in the render cache: compiling Graphviz would be a
    second of CPU for nothing. A map crux has not compiled before will need layouts."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CRUX_CACHE_DIR": str(tmp_path / "cache"),
        "CRUX_NO_SYSTEM_DOT": "1",
    }

    def started() -> str:
        done = subprocess.run(
            [sys.executable, "-c", CHECK_START, str(LEMONADE)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        return done.stdout.strip()

    assert started() == "starting"  # an empty cache: the map is new to crux
    subprocess.run(
        [sys.executable, "-m", "engine", "check", str(LEMONADE)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert started() == "idle"  # its compiled model is cached: so are its drawings
