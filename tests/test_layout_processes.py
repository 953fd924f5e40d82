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
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.evaluation.evaluate import evaluate_scenario
from engine.knowledge.loader import load_knowledge_base
from engine.site import layout_child
from engine.site.graphviz_render import RenderFailure, render_within
from engine.site.map_layout import plan_map
from engine.site.site_plan import link_from_subfolder

ROOT = Path(__file__).resolve().parent.parent
LEMONADE = ROOT / "tests" / "examples" / "lemonade"


@pytest.fixture
def no_system_dot(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The WebAssembly Graphviz even where a system `dot` is installed."""
    from engine.site import graphviz_render

    monkeypatch.setenv("CRUX_NO_SYSTEM_DOT", "1")
    graphviz_render.system_dot.cache_clear()
    yield
    graphviz_render.system_dot.cache_clear()


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The DOT texts laid out in a fork of this process."""
    seen: list[str] = []
    original = layout_child.render_in_fork

    def spy(dot: str, seconds: float) -> str:
        seen.append(dot)
        return original(dot, seconds)

    monkeypatch.setattr(layout_child, "render_in_fork", spy)
    return seen


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
    no_system_dot: None, forks: list[str]
) -> None:
    dot = whole_map_dot()
    if threading.active_count() > 1:
        pytest.skip("another thread runs in this test process: layouts cannot fork here")
    svg = render_within(dot, 20.0)
    assert forks == [dot], "the layout did not run in a fork of this process"
    assert svg.startswith("<?xml") and 'id="node' in svg
    assert svg == fresh_interpreter(dot)


def test_with_another_thread_running_the_layout_runs_in_a_fresh_interpreter(
    no_system_dot: None, forks: list[str]
) -> None:
    """Forking while another thread may hold a lock could leave the child waiting for ever."""
    dot = whole_map_dot()
    release = threading.Event()
    waiting = threading.Thread(target=release.wait, daemon=True)
    waiting.start()
    try:
        svg = render_within(dot, 20.0)
    finally:
        release.set()
        waiting.join()
    assert forks == []
    assert svg == fresh_interpreter(dot)


def test_graphvizs_error_in_a_fork_is_a_render_failure_and_the_next_layout_works(
    no_system_dot: None, forks: list[str]
) -> None:
    if threading.active_count() > 1:
        pytest.skip("another thread runs in this test process: layouts cannot fork here")
    with pytest.raises(RenderFailure, match="Failed to parse DOT"):
        render_within("digraph { a -> ", 5.0)
    assert render_within("digraph { a -> b }", 5.0).startswith("<?xml")
    assert len(forks) == 2


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
