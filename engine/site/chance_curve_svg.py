"""A figure page's chance curves as an inline SVG: P(holds) of a few claims (y, 0 to 100%)
against the figure's value (x), with the figure's current value and the claims' tipping points
marked (docs/site.md, "Chance curves").

``static/crux-curve.js`` draws the same picture in the browser from the panel's samples,
following this layout number for number (a browser test feeds both the same curves and compares
the drawings). Text sizes and label placement come from `engine.site.svg_layout`, so the text
is readable at 375 CSS pixels. Each curve has a colour and a dash pattern of its own (told apart
without colour too); the legend is HTML beside the drawing, where long claim texts can wrap.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

from engine.formatting import format_number
from engine.site.svg_layout import (
    FONT,
    ROW,
    axis_ticks,
    bottom_axis_ticks,
    label_rows,
    name_lines,
    px,
    text_width,
)

__all__ = ["STYLES", "Tip", "curve_svg"]

WIDTH = 400
LEFT, RIGHT = 58, 388
PAD = 4
PLOT = 150
STYLES = 4
"""Distinct line styles (uncertainty.css `.curve-0` … `.curve-3`): at most this many curves."""


@dataclass(frozen=True)
class Tip:
    """Where a drawn claim tips as the figure moves, every other figure at its value."""

    series: int
    at: float


def curve_svg(
    figure_id: str,
    unit: str,
    values: Sequence[float],
    series: Sequence[Sequence[float]],
    now: float,
    tips: Sequence[Tip] = (),
) -> str:
    """The SVG of ``series`` (P(holds) at each of ``values``), one line style per series."""
    low, high = values[0], values[-1]

    def x_of(value: float) -> float:
        return LEFT + (value - low) / (high - low) * (RIGHT - LEFT)

    # Marker labels above the plot: the current value, then each distinct tipping point.
    markers: list[tuple[float, str, str]] = []  # x, text, class
    if low <= now <= high:
        markers.append((x_of(now), f"now {format_number(now)}", "curve-now"))
    seen: dict[str, int] = {}
    for tip in tips:
        if not low <= tip.at <= high:
            continue
        text = f"tips at {format_number(tip.at)}"
        if text in seen:
            continue
        seen[text] = tip.series
        markers.append((x_of(tip.at), text, f"curve-tip curve-{tip.series}"))
    extents = []
    for x, text, _ in markers:
        half = text_width(text) / 2
        left = min(max(x - half, 0.0), WIDTH - 2 * half)
        extents.append((left, left + 2 * half))
    rows = label_rows(extents)
    top = PAD + (max(rows) + 1 if rows else 0) * ROW + 6
    bottom = top + PLOT
    centre = (LEFT + RIGHT) // 2
    names = name_lines(figure_id, "" if unit == "dimensionless" else unit, 2 * (WIDTH - centre))
    height = bottom + (1 + len(names)) * ROW + 8

    def y_of(p: float) -> float:
        return bottom - p * PLOT

    title = f"Chance that each claim holds, against {html.escape(figure_id)}"
    parts = [
        f'<svg class="curve-svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="curve-{figure_id}-title">',
        f'<title id="curve-{figure_id}-title">{title}</title>',
        '<g class="curve-grid">',
    ]
    for p in (0.25, 0.5, 0.75, 1.0):
        level = px(y_of(p))
        parts.append(f'<line x1="{LEFT}" y1="{level}" x2="{RIGHT}" y2="{level}"/>')
    parts.append("</g>")
    # axes: P(holds) up the left, the figure along the bottom
    parts.append(
        f'<g class="curve-axis"><line x1="{LEFT}" y1="{bottom}" x2="{RIGHT}" y2="{bottom}"/>'
        f'<line x1="{LEFT}" y1="{top}" x2="{LEFT}" y2="{bottom}"/>'
    )
    for p, text in ((0.0, "0%"), (0.5, "50%"), (1.0, "100%")):
        parts.append(
            f'<text x="{LEFT - 6}" y="{px(y_of(p) + FONT / 2 - 2)}" text-anchor="end">{text}</text>'
        )
    parts.append(
        f'<text class="curve-axis-name" transform="rotate(-90)" x="{px(-(top + bottom) / 2)}" '
        f'y="{FONT}" text-anchor="middle">P(holds)</text>'
    )
    ticks = axis_ticks(low, high, LEFT, RIGHT, WIDTH, format_number)
    parts += bottom_axis_ticks(ticks, bottom, ROW, names, "curve-axis-name", centre)
    parts.append("</g>")
    # markers: their lines through the plot, their labels above it
    parts.append('<g class="curve-markers">')
    for (x, text, kind), (left, right), row in zip(markers, extents, rows, strict=True):
        baseline = PAD + row * ROW + FONT
        parts.append(
            f'<g class="{kind}"><line x1="{px(x)}" y1="{baseline + 3}" x2="{px(x)}" y2="{bottom}"/>'
            f'<text x="{px((left + right) / 2)}" y="{baseline}" text-anchor="middle">'
            f"{html.escape(text)}</text></g>"
        )
    parts.append("</g>")
    for index, probabilities in enumerate(series):
        points = " ".join(
            f"{px(x_of(x))},{px(y_of(p))}"
            for x, p in zip(values, probabilities, strict=True)
            if not math.isnan(p)
        )
        parts.append(f'<polyline class="curve-line curve-{index}" points="{points}"/>')
    parts.append("</svg>")
    return "".join(parts)
