"""Diagram layout is bounded: a map whose layout would take Graphviz minutes is drawn in part,
within a time limit per layout, and the build and the page say what was left out.

A chain of calculators that all read one figure is the hostile case: few nodes, but every link
from the figure spans many levels, and Graphviz's work grows with the levels spanned. Before the
limits, the whole map of a 200-calculator chain took about 271 s and a 500-calculator chain did
not finish in ten minutes.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import cli
from engine.evaluation.evaluate import evaluate_scenario
from engine.knowledge.loader import load_knowledge_base
from engine.site import map_layout
from engine.site.graphviz_render import WALL_FACTOR, LayoutTimeout, RenderCache
from engine.site.map_layout import BOUNDED_ATTRIBUTES, draw_map, layout_work, plan_map
from engine.site.model import default_scenario

ROOT = Path(__file__).resolve().parent.parent
HANG_GUARD = 300
"""Seconds before a child `crux` is killed: the unbounded layout took minutes."""
CPU_BOUND = 45.0
"""CPU seconds (the command and its workers and layout processes) a hostile chain may take:
robust to a loaded machine, and far below the unbounded layout's minutes."""
WALL_BOUND = 150.0


def calculator_chain(folder: Path, length: int) -> Path:
    """`c0 = step`, `c{i} = c{i-1} + step`, and a central claim on the last one."""
    lines = [
        "figures:",
        "  step: {label: Step, value: 1, unit: USD}",
        "calculators:",
        "  c0: {label: C0, formula: step, unit: USD}",
    ]
    lines += [
        f"  c{i}: {{label: C{i}, formula: c{i - 1} + step, unit: USD}}" for i in range(1, length)
    ]
    lines += [
        "claims:",
        "  chain_ends_high:",
        "    text: The chain ends high.",
        "    role: central",
        f"    holds_when: c{length - 1} > 0",
    ]
    claims = folder / "claims"
    claims.mkdir(parents=True)
    (claims / "kb.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return claims


def run_crux(args: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess[str], float, float]:
    """Run `crux` in a child process: (result, wall seconds, CPU seconds of it and its children)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("CRUX_LAYOUT_SECONDS", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "engine", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
    )
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    return done, wall, cpu


def test_layout_work_grows_with_the_levels_links_span(tmp_path: Path) -> None:
    kb = load_knowledge_base(calculator_chain(tmp_path, 40))
    nodes = sorted(n for n in kb.graph.nodes)
    # 42 nodes; the chain's 39 links span one level each; `step`'s 40 links span 1..40 levels.
    assert layout_work(kb.graph, nodes) == 42 + 39 + 1 + sum(range(1, 41))


@pytest.mark.parametrize(
    ("length", "drawn"), [(200, "The top of the map (181 of 202 nodes)"), (500, "The top")]
)
def test_a_long_chain_is_cut_to_the_work_budget(length: int, drawn: str, tmp_path: Path) -> None:
    kb = load_knowledge_base(calculator_chain(tmp_path, length))
    ev = evaluate_scenario(kb, default_scenario(kb), (), ())
    (diagram, note), (small, small_note) = plan_map(kb, ev, lambda kind, item: None, 30.0)
    assert note.startswith(
        f"The whole map ({length + 2} nodes, {2 * length} links) would take Graphviz too long to "
        "lay out: its links span too many levels. This shows the "
    )
    assert diagram.title.startswith(drawn) and diagram.truncated
    assert BOUNDED_ATTRIBUTES in diagram.dot
    assert small.title == f"The top of the map (30 of {length + 2} nodes)"
    assert small_note.startswith("Graphviz did not finish laying out the map's ")


def test_a_small_map_keeps_its_full_layout(lemonade_copy: Path) -> None:
    kb = load_knowledge_base(lemonade_copy)
    ev = evaluate_scenario(kb, default_scenario(kb), (), ())
    ((diagram, note),) = plan_map(kb, ev, lambda kind, item: None, 30.0)
    assert note == "" and not diagram.truncated
    assert BOUNDED_ATTRIBUTES not in diagram.dot


def test_a_200_calculator_chain_is_drawn_in_bounded_time_and_says_what_it_left_out(
    tmp_path: Path,
) -> None:
    calculator_chain(tmp_path, 200)
    done, wall, cpu = run_crux(["diagram", "-o", "map.svg"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert wall < WALL_BOUND and cpu < CPU_BOUND, (wall, cpu)
    # Which note depends on the machine's load: the work budget's, or the time limit's.
    assert (
        "skipped: The whole map (202 nodes, 400 links) would take Graphviz too long"
        in (done.stderr)
        or "skipped: Graphviz did not finish laying out" in done.stderr
    )
    assert "the top of the map only: too large to draw whole" in done.stdout
    assert (tmp_path / "map.svg").read_text(encoding="utf-8").count('class="node') >= 30


def test_a_500_calculator_chain_site_builds_in_bounded_time_and_says_what_it_left_out(
    tmp_path: Path,
) -> None:
    """The map is drawn in part, and the claim's derivation (500 levels deep) is cut on its page
    instead of exhausting the template engine's stack."""
    calculator_chain(tmp_path, 500)
    done, wall, cpu = run_crux(["build", "-o", "site"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert wall < WALL_BOUND and cpu < CPU_BOUND, (wall, cpu)
    (said,) = [line[len("skipped: ") :] for line in done.stderr.splitlines() if "skipped" in line]
    assert said.startswith(("The whole map (502 nodes", "Graphviz did not finish laying out"))
    site = tmp_path / "site"
    assert said in (site / "map.html").read_text(encoding="utf-8")
    assert said in (site / "index.html").read_text(encoding="utf-8")
    assert (site / "diagrams" / "map.svg").read_text(encoding="utf-8").count('class="node') >= 30
    page = (site / "claims" / "chain_ends_high.html").read_text(encoding="utf-8")
    assert "(its own steps are on its page)" in page


def test_a_layout_past_its_time_limit_is_killed_and_a_smaller_one_drawn(tmp_path: Path) -> None:
    kb = load_knowledge_base(calculator_chain(tmp_path, 500))
    ev = evaluate_scenario(kb, default_scenario(kb), (), ())
    store = RenderCache(tmp_path / "renders")
    seconds = 1.0
    started = time.monotonic()
    # No work budget: the first attempt is the top 400 nodes, minutes of layout.
    drawing = draw_map(kb, ev, lambda kind, item: None, seconds=seconds, store=store, budget=10**9)
    elapsed = time.monotonic() - started
    assert elapsed < 2 * WALL_FACTOR * seconds + 20, elapsed
    # The limit is CPU time, so the second, 30-node attempt finishes however busy the machine.
    assert drawing.note.startswith("Graphviz did not finish laying out ")
    assert drawing.note == (
        "Graphviz did not finish laying out the map's 400 nodes within the time limit (1 s). "
        "This shows the 30 nodes nearest the conclusions."
    )
    assert drawing.png is not None
    (first, _), _ = plan_map(kb, ev, lambda kind, item: None, seconds, budget=10**9)
    assert store.timed_out(first.dot, seconds) and not store.timed_out(first.dot, 2 * seconds)
    # The layout that ran out of time is remembered: the next build does not wait for it again.
    started = time.monotonic()
    again = draw_map(kb, ev, lambda kind, item: None, seconds=seconds, store=store, budget=10**9)
    assert again.note == drawing.note
    assert time.monotonic() - started < 5 * seconds


def test_when_no_layout_finishes_a_notice_takes_the_maps_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never_finishes(dot: str, seconds: float) -> str:
        raise LayoutTimeout(seconds)

    monkeypatch.setattr(map_layout, "render_within", never_finishes)
    kb = load_knowledge_base(calculator_chain(tmp_path, 60))
    ev = evaluate_scenario(kb, default_scenario(kb), (), ())
    drawing = draw_map(
        kb, ev, lambda kind, item: None, seconds=5, store=RenderCache(tmp_path / "r")
    )
    assert drawing.note == (
        "Graphviz did not finish laying out even the top of the map (30 of 62 nodes) within the "
        "time limit (5 s), so the map is not drawn."
    )
    assert "so the map is not drawn." in drawing.svg and drawing.png


@pytest.mark.parametrize("value", ["abc", "0", "nan"])
def test_a_bad_layout_time_limit_is_a_usage_error(
    value: str, lemonade_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRUX_LAYOUT_SECONDS", value)
    output = tmp_path / "m.svg"
    result = CliRunner().invoke(cli, ["diagram", "--claims", str(lemonade_copy), "-o", str(output)])
    assert result.exit_code == 2
    assert (
        f"CRUX_LAYOUT_SECONDS: expected a number of seconds between 0 and 86400, found '{value}'"
        in result.output
    )
    assert not output.exists()
