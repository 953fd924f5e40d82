"""Diagrams for writeups: a neighbourhood fitted to a column width, with a title, key and theme.

`fit_diagram` tries a few layouts (rank direction, label wrapping) from the most natural to the
most compact and keeps the first whose text stays at least `MIN_TEXT_PX` pixels tall once the
image is scaled to the requested width, with an aspect ratio of at most `MAX_ASPECT`. The title
and the key are drawn here, outside Graphviz, in the final pixel units: they wrap to the width
and never widen the layout. The result is a standalone SVG whose `width`/`height` are the image's
size in CSS pixels at 1×; a PNG renders it at 1×, 2× or 3×.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape

from engine.evaluation.evaluate import Evaluation
from engine.formatting import LABEL_SYMBOLS
from engine.knowledge.graph import kind_of
from engine.knowledge.knowledge_base import KnowledgeBase
from engine.site.diagram import (
    LABEL_STYLE,
    QUANTITY_STYLE,
    WRAP,
    Diagram,
    Linker,
    neighbourhood_diagram,
)
from engine.site.graphviz_render import LayoutTimeout, Renderer, RenderFailure, clean_svg
from engine.site.map_layout import plan_map

PX_PER_PT = 4 / 3
"""Graphviz measures in points; a CSS pixel is 3/4 of a point."""
MIN_TEXT_PX = 10.0
DEFAULT_WIDTH = 1400
MAX_ASPECT = 2.0
BODY_FONT_PT = 11.0
"""The node text size Graphviz lays out with (`engine.site.diagram.to_dot`)."""
TITLE_PX = 16.0
KEY_PX = 12.0
PAD_PX = 8.0
THEMES = ("light", "dark")
RANKDIRS = ("TB", "BT", "LR")

# Dark theme: each light colour of the diagram mapped to a dark counterpart of the same meaning.
DARK_COLOURS: Mapping[str, str] = {
    "#d7f0dd": "#14532d",
    "#f7d4d0": "#7f1d1d",
    "#fbefc4": "#713f12",
    "#e4ecf7": "#1e3a5f",
    "#ece6f5": "#3b2a5c",
    "#1c6e33": "#4ade80",
    "#a1261b": "#f87171",
    "#7a5d00": "#facc15",
    "#34507a": "#93c5fd",
    "#54397a": "#c4b5fd",
    "#6b7280": "#9ca3af",
    "#374151": "#d1d5db",
    "white": "#111827",
}
PALETTE = {
    "light": {"background": "#ffffff", "text": "#111827", "muted": "#4b5563"},
    "dark": {"background": "#111827", "text": "#e5e7eb", "muted": "#9ca3af"},
}
KIND_WORDS = {
    "claim": "claim",
    "argument": "argument",
    "figure": "figure",
    "calculator": "calculator",
}
EDGE_WORDS = {"pro": "→ supports", "con": "⊣ attacks", "undercuts": "⊣ undercuts"}


@dataclass(frozen=True)
class Layout:
    """One way to lay a diagram out."""

    rankdir: str
    wrap: int
    row_limit: int | None = None
    """Most nodes side by side in one level before it is staggered over more rows."""


@dataclass(frozen=True)
class FittedDiagram:
    """A diagram ready for a writeup."""

    svg: str
    width: int
    """CSS pixels at 1×."""
    height: int
    text_px: float
    """The body text's height at 1×, in CSS pixels."""
    layout: Layout
    fits: bool
    """False when no layout keeps the text at `MIN_TEXT_PX` within the width."""
    alt: str
    title: str
    diagram: Diagram


def layouts(rankdir: str | None) -> list[Layout]:
    """Candidate layouts, most natural first; `rankdir` pins the direction.

    A claim with many reasons makes one very long level: a wide row top to bottom, a tall column
    left to right. Staggering that level over several rows (at most 8, 6, then 4 nodes side by
    side) trades length for breadth until the aspect ratio fits; narrower label wrapping makes
    each node smaller.
    """
    directions = [rankdir] if rankdir else ["BT", "LR"]
    return [
        Layout(direction, wrap, limit)
        for direction in directions
        for limit in (None, 8, 6, 4)
        for wrap in (WRAP, 20, 16)
    ]


def alt_text(kb: KnowledgeBase, ev: Evaluation, claim_id: str | None) -> str:
    """What the image says, for readers who cannot see it: the claim's text and its label."""
    scenario = ev.scenario.name
    if claim_id is None:
        central = kb.central_claim
        if central is None:
            return f"Argument map of {len(kb.claims)} claims under the scenario {scenario}."
        claim_id = central
        lead = "Argument map around the claim"
    else:
        lead = "Argument map of the claim"
    label = ev.claims[claim_id]
    text = kb.claims[claim_id].text.rstrip(".")
    return f"{lead} “{text}”: {LABEL_SYMBOLS[label]} {label} under the scenario {scenario}."


def fit_diagram(
    kb: KnowledgeBase,
    ev: Evaluation,
    claim_id: str | None,
    link: Linker,
    renderer: Renderer,
    *,
    depth: int,
    width: int | None = None,
    rankdir: str | None = None,
    title: str | None = None,
    key: bool = True,
    theme: str = "light",
) -> FittedDiagram:
    """The first layout that fits ``width`` (default `DEFAULT_WIDTH`), else the most legible."""
    target = width or DEFAULT_WIDTH
    best: FittedDiagram | None = None
    failure = RenderFailure("no layout to try")
    # One layout at a time: the first that fits ends the search, and most fit early. The whole
    # map's levels are whole rows of the graph, so staggering them only costs layout time.
    candidates = layouts(rankdir)
    if claim_id is None:
        candidates = [layout for layout in candidates if layout.row_limit is None]
    for layout in candidates:
        diagram = _dot(kb, ev, claim_id, link, depth, layout)
        try:
            (raw,) = renderer.render_many([diagram.dot])
        except LayoutTimeout:
            raise  # out of time: trying other layouts of the same graph would take as long
        except RenderFailure as exc:
            # WebAssembly Graphviz exhausts its stack on some long chains laid out sideways;
            # another direction of the same graph still draws.
            failure = exc
            continue
        fitted = _compose(
            kb, ev, claim_id, diagram, clean_svg(raw), layout, target, title, key, theme
        )
        aspect = max(fitted.width / fitted.height, fitted.height / fitted.width)
        if fitted.text_px >= MIN_TEXT_PX and aspect <= MAX_ASPECT:
            return fitted
        if best is None or _legibility(fitted) > _legibility(best):
            best = fitted
    if best is None:
        raise failure
    return FittedDiagram(
        best.svg,
        best.width,
        best.height,
        best.text_px,
        best.layout,
        False,
        best.alt,
        best.title,
        best.diagram,
    )


def _legibility(fitted: FittedDiagram) -> tuple[bool, float]:
    aspect = max(fitted.width / fitted.height, fitted.height / fitted.width)
    return (aspect <= MAX_ASPECT, fitted.text_px)


def _dot(
    kb: KnowledgeBase,
    ev: Evaluation,
    claim_id: str | None,
    link: Linker,
    depth: int,
    layout: Layout,
) -> Diagram:
    options = {
        "rankdir": layout.rankdir,
        "wrap_width": layout.wrap,
        "legend": False,
        "row_limit": layout.row_limit,
    }
    if claim_id is None:
        # The whole map as far as Graphviz lays it out in bounded work (see map_layout).
        return plan_map(kb, ev, link, 0, **options)[0][0]  # type: ignore[arg-type]
    return neighbourhood_diagram(kb, ev, claim_id, link, depth, **options)  # type: ignore[arg-type]


_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"\s+viewBox="([^"]+)"')
_OPEN = re.compile(r"<svg\b[^>]*>", re.S)


def _compose(
    kb: KnowledgeBase,
    ev: Evaluation,
    claim_id: str | None,
    diagram: Diagram,
    svg: str,
    layout: Layout,
    target: int,
    title: str | None,
    key: bool,
    theme: str,
) -> FittedDiagram:
    match = _SIZE.search(svg)
    if match is None:
        raise ValueError("expected Graphviz SVG with a size in points")
    width_pt, height_pt = float(match.group(1)), float(match.group(2))
    natural_px = width_pt * PX_PER_PT
    zoom = min(1.0, target / natural_px)
    graph_w = width_pt * PX_PER_PT * zoom
    graph_h = height_pt * PX_PER_PT * zoom
    width = max(graph_w, 1.0)
    colours = PALETTE[theme]

    parts: list[str] = []
    y = 0.0
    title_text = title if title is not None else None
    if title_text:
        lines = _wrap_px(title_text, width - 2 * PAD_PX, TITLE_PX)
        y += PAD_PX
        for line in lines:
            y += TITLE_PX * 1.25
            parts.append(
                f'<text x="{PAD_PX:.1f}" y="{y - TITLE_PX * 0.3:.1f}" font-size="{TITLE_PX:g}" '
                f'font-weight="bold" fill="{colours["text"]}">{escape(line)}</text>'
            )
        y += PAD_PX / 2
    body = _OPEN.sub("", svg, count=1).rsplit("</svg>", 1)[0]
    body = re.sub(r"<\?xml[^>]*>|<!DOCTYPE[^>]*>", "", body).strip()
    if theme == "dark":
        body = _darken(body)
    scale = PX_PER_PT * zoom
    parts.append(
        f'<g class="graph-body" transform="translate(0 {y:.2f}) scale({scale:.6f})">{body}</g>'
    )
    y += graph_h
    if key:
        key_svg, key_h = _key(kb, ev, diagram, width, y, theme)
        parts.append(key_svg)
        y += key_h
    height = max(round(y), 1)
    width_int = max(round(width), 1)
    alt = alt_text(kb, ev, claim_id)
    head = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="{width_int}" height="{height}" viewBox="0 0 {width_int} {height}" role="img" '
        f'aria-label="{escape(alt)}" font-family="Helvetica,Arial,sans-serif">\n'
        f"<title>{escape(alt)}</title>\n"
        f"<style>text {{ fill: {colours['text']}; }}</style>\n"
        f'<rect width="100%" height="100%" fill="{colours["background"]}"/>\n'
    )
    document = head + "\n".join(parts) + "\n</svg>\n"
    return FittedDiagram(
        document,
        width_int,
        height,
        BODY_FONT_PT * scale,
        layout,
        True,
        alt,
        title_text or diagram.title,
        diagram,
    )


def _darken(body: str) -> str:
    def swap(match: re.Match[str]) -> str:
        colour = match.group(2)
        return f'{match.group(1)}="{DARK_COLOURS.get(colour.lower(), colour)}"'

    return re.sub(r'\b(fill|stroke)="([^"]+)"', swap, body)


def _wrap_px(text: str, width_px: float, font_px: float) -> list[str]:
    # Helvetica's average glyph is a little over half its size; wrap on a conservative 0.56 em.
    chars = max(int(width_px / (font_px * 0.56)), 8)
    return textwrap.wrap(text, chars, break_long_words=False, break_on_hyphens=False) or [""]


def _present(
    kb: KnowledgeBase, ev: Evaluation, nodes: Iterable[str]
) -> tuple[list[str], list[str]]:
    labels: set[str] = set()
    kinds: set[str] = set()
    for node in nodes:
        kind = kind_of(kb.graph, node)
        kinds.add(kind)
        if kind == "claim":
            labels.add(ev.claims[node])
        elif kind == "argument":
            labels.add(ev.arguments[node])
    return [lab for lab in LABEL_STYLE if lab in labels], [k for k in KIND_WORDS if k in kinds]


def diagram_nodes_of(dot: str) -> list[str]:
    """The node ids a diagram's DOT draws."""
    return re.findall(r'\[id="node-([^"]+)"', dot)


def _edge_relations(dot: str) -> list[str]:
    found = set(re.findall(r'class="(pro|con|undercuts)"', dot))
    return [relation for relation in EDGE_WORDS if relation in found]


def _key(
    kb: KnowledgeBase, ev: Evaluation, diagram: Diagram, width: float, top: float, theme: str
) -> tuple[str, float]:
    """A compact key of only what the diagram shows, flowed in rows across the width."""
    labels, kinds = _present(kb, ev, diagram_nodes_of(diagram.dot))
    items: list[tuple[str, str]] = []
    for label in labels:
        fill, border, dash = LABEL_STYLE[label]
        items.append((f"{LABEL_SYMBOLS[label]} {label}", _swatch(fill, border, dash, theme)))
    for kind in kinds:
        if kind in QUANTITY_STYLE:
            fill, border = QUANTITY_STYLE[kind]
            items.append((KIND_WORDS[kind], _swatch(fill, border, "solid", theme)))
        else:
            items.append((KIND_WORDS[kind], _shape(kind, theme)))
    for relation in _edge_relations(diagram.dot):
        items.append((EDGE_WORDS[relation], ""))
    colours = PALETTE[theme]
    row_h = KEY_PX * 1.7
    x, y = PAD_PX, top + PAD_PX
    parts = [f'<g class="key" font-size="{KEY_PX:g}">']
    first = True
    for text, swatch in items:
        item_w = (18 if swatch else 0) + len(text) * KEY_PX * 0.56 + 14
        if not first and x + item_w > width - PAD_PX:
            x, y = PAD_PX, y + row_h
        first = False
        if swatch:
            parts.append(swatch.format(x=x, y=y + 1))
        text_x = x + (18 if swatch else 0)
        parts.append(
            f'<text x="{text_x:.1f}" y="{y + KEY_PX:.1f}" fill="{colours["muted"]}">'
            f"{escape(text)}</text>"
        )
        x += item_w
    parts.append("</g>")
    return "\n".join(parts), (y + row_h + PAD_PX / 2) - top


def _swatch(fill: str, border: str, dash: str, theme: str) -> str:
    if theme == "dark":
        fill, border = DARK_COLOURS.get(fill, fill), DARK_COLOURS.get(border, border)
    pattern = {
        "solid": "",
        "dashed": ' stroke-dasharray="3,2"',
        "dotted": ' stroke-dasharray="1,2"',
    }
    return (
        '<rect x="{x:.1f}" y="{y:.1f}" width="14" height="11" rx="3" '
        f'fill="{fill}" stroke="{border}" stroke-width="1.3"{pattern[dash]}/>'
    )


def _shape(kind: str, theme: str) -> str:
    stroke = PALETTE[theme]["muted"]
    if kind == "argument":
        return (
            '<ellipse cx="{x:.1f}" cy="{y:.1f}" rx="7" ry="5.5" transform="translate(7 5.5)" '
            f'fill="none" stroke="{stroke}"/>'
        )
    return (
        '<rect x="{x:.1f}" y="{y:.1f}" width="14" height="11" rx="3" '
        f'fill="none" stroke="{stroke}"/>'
    )
