"""The whole map's diagram within bounded Graphviz work and a time limit per layout.

Graphviz's `dot` layout has no time limit of its own, and its cost is not the node count: every
edge that spans several levels becomes a chain of virtual nodes, which crossing minimisation and
network simplex then iterate over. A chain of 200 calculators that all read one figure (202 nodes,
some 20,000 virtual ones) took minutes; one of 500 did not finish in ten. So the whole map is drawn
in up to three attempts, each reported:

1. The map's nodes (at most `MAP_LIMIT`), cut to the top levels that fit `WORK_BUDGET` by the
   `layout_work` estimate. Past `BOUNDED_FROM`, Graphviz is also told to iterate less
   (`BOUNDED_ATTRIBUTES`: a slightly less tidy drawing, in seconds instead of minutes).
2. If that layout uses up `layout_seconds()` of CPU time (or ten times that on the wall clock:
   `graphviz_render.render_within`), it is stopped and the top `SMALL_MAP` nodes are drawn
   instead, under the same limit.
3. If even that times out, a notice saying so takes the diagram's place.

A layout that used up its CPU time is remembered in the render cache (with the limit it had), so
the next build does not wait for it again unless the limit was raised.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

import networkx as nx

from engine.errors import UsageError
from engine.evaluation.evaluate import Evaluation
from engine.knowledge.knowledge_base import KnowledgeBase
from engine.site.diagram import (
    MAP_LIMIT,
    Diagram,
    Linker,
    diagram_nodes,
    map_diagram,
    top_levels,
)
from engine.site.graphviz_render import (
    LayoutTimeout,
    RenderCache,
    clean_svg,
    render_within,
    svg_to_png,
)

SECONDS_VARIABLE = "CRUX_LAYOUT_SECONDS"
DEFAULT_SECONDS = 20.0
"""CPU seconds one layout of the whole map may take (`$CRUX_LAYOUT_SECONDS`); the wall clock
stops it at ten times that. The shipped debate's map takes about one."""
WORK_BUDGET = 8_000
"""Most `layout_work` drawn at once: with `BOUNDED_ATTRIBUTES`, a layout of about a CPU second.
The shipped debate's whole map (219 nodes) is about 700."""
BOUNDED_FROM = 1_500
"""`layout_work` from which Graphviz is asked to iterate less; smaller maps keep the full layout."""
BOUNDED_ATTRIBUTES = "mclimit=0.05, nslimit=2, nslimit1=2, searchsize=10"
"""Fewer crossing-minimisation passes and network-simplex iterations (Graphviz's own knobs)."""
SMALL_MAP = 30
"""Nodes of the second attempt, after the first ran out of time."""


@dataclass(frozen=True)
class MapDrawing:
    """The whole map as drawn: its diagram, standalone SVG, PNG (when asked for) and what was
    left out and why (empty when the whole map is drawn)."""

    diagram: Diagram
    svg: str
    png: bytes | None
    note: str = ""


class BoundedRenderer:
    """A `Renderer` whose every layout runs under `render_within`'s time limit."""

    name = "bounded"

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def render_many(self, dots: Sequence[str]) -> list[str]:
        return [render_within(dot, self.seconds) for dot in dots]


def layout_seconds() -> float:
    """The time limit per layout: `$CRUX_LAYOUT_SECONDS`, else `DEFAULT_SECONDS`."""
    text = os.environ.get(SECONDS_VARIABLE, "").strip()
    if not text:
        return DEFAULT_SECONDS
    try:
        seconds = float(text)
    except ValueError:
        seconds = float("nan")
    if not 0 < seconds < 86_400:
        raise UsageError(
            f"expected a number of seconds between 0 and 86400, found '{text}'", SECONDS_VARIABLE
        )
    return seconds


def layout_work(graph: nx.DiGraph, nodes: list[str]) -> int:
    """Graphviz's work, estimated: nodes, plus the levels each edge spans (its virtual nodes).

    Levels are a longest-path layering, as `dot` ranks a graph; edges inside a cycle count one.
    """
    sub = graph.subgraph(nodes)
    condensed = nx.condensation(sub)
    level: dict[int, int] = {}
    for component in nx.topological_sort(condensed):
        level[component] = max((level[p] + 1 for p in condensed.predecessors(component)), default=0)
    member = condensed.graph["mapping"]
    spans = (abs(level[member[t]] - level[member[s]]) for s, t in sub.edges)
    return sub.number_of_nodes() + sum(max(1, span) for span in spans)


def bounded(dot: str) -> str:
    """The DOT with `BOUNDED_ATTRIBUTES` added as a graph statement after its opening line."""
    head, rest = dot.split("\n", 1)
    return f"{head}\n  graph [{BOUNDED_ATTRIBUTES}];\n{rest}"


def fitted_size(kb: KnowledgeBase, limit: int, budget: int) -> int:
    """Most top-level nodes (at most `limit`) whose drawing stays within `budget`."""
    graph = kb.graph
    everything = diagram_nodes(graph, graph.nodes)
    high = min(limit, len(everything))
    nodes = everything if high == len(everything) else top_levels(kb, high)
    if layout_work(graph, nodes) <= budget:
        return high
    low = 1  # the largest size known to fit (one node always does)
    while low < high - 1:
        middle = (low + high) // 2
        if layout_work(graph, top_levels(kb, middle)) <= budget:
            low = middle
        else:
            high = middle
    return low


def _map(kb: KnowledgeBase, ev: Evaluation, link: Linker, size: int, options: Any) -> Diagram:
    """`map_diagram` of the top `size` nodes, told to iterate less when its layout is large."""
    diagram = map_diagram(kb, ev, link, limit=size, **options)
    everything = diagram_nodes(kb.graph, kb.graph.nodes)
    nodes = everything if size >= len(everything) else top_levels(kb, size)
    if layout_work(kb.graph, nodes) > BOUNDED_FROM:
        return Diagram(diagram.name, diagram.title, bounded(diagram.dot), diagram.truncated)
    return diagram


def plan_map(
    kb: KnowledgeBase,
    ev: Evaluation,
    link: Linker,
    seconds: float,
    *,
    budget: int = WORK_BUDGET,
    limit: int = MAP_LIMIT,
    **options: Any,
) -> list[tuple[Diagram, str]]:
    """The diagrams to try in turn, each with what it leaves out and why ('' for the whole map)."""
    graph = kb.graph
    everything = diagram_nodes(graph, graph.nodes)
    size = fitted_size(kb, limit, budget)
    if size < min(limit, len(everything)):
        links = graph.subgraph(everything).number_of_edges()
        note = (
            f"The whole map ({len(everything)} nodes, {links} links) would take Graphviz too long "
            f"to lay out: its links span too many levels. This shows the {size} nodes nearest "
            "the conclusions."
        )
    elif size < len(everything):
        note = (
            f"The map has {len(everything)} nodes, more than the {limit} one diagram draws. "
            f"This shows the {size} nodes nearest the conclusions."
        )
    else:
        note = ""
    attempts = [(_map(kb, ev, link, size, options), note)]
    if size > SMALL_MAP:
        small_note = (
            f"Graphviz did not finish laying out the map's {size} nodes within the time limit "
            f"({seconds:g} s). "
            f"This shows the {SMALL_MAP} nodes nearest the conclusions."
        )
        attempts.append((_map(kb, ev, link, SMALL_MAP, options), small_note))
    return attempts


def draw_map(
    kb: KnowledgeBase,
    ev: Evaluation,
    link: Linker,
    *,
    seconds: float | None = None,
    store: RenderCache | None = None,
    **options: Any,
) -> MapDrawing:
    """The whole map, or as much of it as Graphviz lays out in time; see the module's notes.

    With a render cache (`store`), drawings come from it when present, the PNG is made too, and
    both go into it; `options` pass on to `plan_map` and `map_diagram`.
    """
    seconds = layout_seconds() if seconds is None else seconds
    return draw_attempts(plan_map(kb, ev, link, seconds, **options), seconds, store)


def draw_attempts(
    attempts: Sequence[tuple[Diagram, str]], seconds: float, store: RenderCache | None = None
) -> MapDrawing:
    """The first of `plan_map`'s attempts that Graphviz lays out within `seconds` (see
    `draw_map`), else a notice that the map is not drawn."""
    for diagram, why in attempts:
        if store is not None:
            hit = store.get(diagram.dot)
            if hit is not None:
                return MapDrawing(diagram, hit[0], hit[1], why)
            if store.timed_out(diagram.dot, seconds):
                continue
        try:
            svg = clean_svg(render_within(diagram.dot, seconds))
        except LayoutTimeout as timeout:
            # Only a layout that used up its CPU time is too large; one stopped by the wall
            # clock may have met a busy machine, and the next build tries it again.
            if store is not None and timeout.lasting:
                store.note_timeout(diagram.dot, seconds)
            continue
        png = svg_to_png(svg) if store is not None else None
        if store is not None and png is not None:
            store.put(diagram.dot, svg, png)
        return MapDrawing(diagram, svg, png, why)
    drawn = attempts[-1][0].title
    note = (
        f"Graphviz did not finish laying out even {drawn[0].lower()}{drawn[1:]} within the "
        f"time limit ({seconds:g} s), so the map is not drawn."
    )
    diagram = Diagram("map", "The map, not drawn", "", truncated=True)
    svg = notice_svg("The map is too large to draw", note)
    return MapDrawing(diagram, svg, svg_to_png(svg) if store is not None else None, note)


def notice_svg(title: str, text: str, width: int = 640) -> str:
    """A small standalone SVG that says why there is no drawing (made without Graphviz)."""
    import textwrap

    lines = textwrap.wrap(text, 84)
    height = 64 + 18 * len(lines)
    body = "".join(
        f'<text x="16" y="{56 + 18 * i}" font-size="13">{escape(line)}</text>'
        for i, line in enumerate(lines)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}pt" height="{height}pt" '
        f'viewBox="0 0 {width} {height}" font-family="Helvetica,sans-serif">'
        f'<rect width="{width}" height="{height}" fill="white" stroke="#9ca3af"/>'
        f'<text x="16" y="30" font-size="16" font-weight="bold">{escape(title)}</text>'
        f"{body}</svg>\n"
    )
