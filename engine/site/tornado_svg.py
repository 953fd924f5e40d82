"""A claim's tornado as a static SVG: real ``<text>``, no scripts, no external resources.

The chart draws on its own light panel with explicit colours, so it reads the same in a light
page, a dark page and an image viewer. Bars start at the claim's current margin and run to the
margin with the figure at the low end (blue) and the high end (orange) of its range; the red
dashed line is margin 0, where the deciding comparison flips. A tornado without a margin (a
claim decided through arguments, or by a lens) shows the label at each end instead.
Output is deterministic: the same tornado gives the same bytes.
"""

from __future__ import annotations

import math
from xml.sax.saxutils import escape, quoteattr

from engine.analysis.sensitivity import Bar, Tornado
from engine.formatting import format_number, format_quantity

WIDTH = 840
LEFT = 310  # label column: room for an id of about 44 characters at 12 px
LABEL_CHARS = 44
RIGHT = 150  # room for the end-of-bar notes
ROW = 30
TOP = 74
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"

INK = "#1f2933"
MUTED = "#52606d"
PANEL = "#ffffff"
BORDER = "#cbd2d9"
LOW = "#2f6db5"
HIGH = "#d9822b"
ZERO = "#c62828"
LABEL_COLOURS = {"holds": "#2e7d32", "fails": "#c62828", "undecided": "#8d6e00"}


def _short(figure_id: str) -> str:
    """An id that fits the label column; the bar's tooltip and the table keep the whole id."""
    return figure_id if len(figure_id) <= LABEL_CHARS else figure_id[: LABEL_CHARS - 1] + "…"


def _text(
    x: float,
    y: float,
    body: str,
    *,
    size: int = 12,
    anchor: str = "start",
    fill: str = INK,
    weight: str = "normal",
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}" font-weight="{weight}">{escape(body)}</text>'
    )


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    span = high - low
    raw = span / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(0.0 if abs(value) < step * 1e-9 else value)
        value += step
    return ticks


def _extent(tornado: Tornado) -> tuple[float, float]:
    values = [0.0]
    if tornado.margin_now is not None:
        values.append(tornado.margin_now)
    for bar in tornado.bars:
        values += [v for v in (bar.margin_low, bar.margin_high) if v is not None]
    low, high = min(values), max(values)
    if high == low:
        high, low = high + 1.0, low - 1.0
    pad = (high - low) * 0.05
    return low - pad, high + pad


def _range_text(bar: Bar) -> str:
    return f"{format_number(bar.low)} – {format_quantity(bar.high, bar.unit)}"


def tornado_svg(tornado: Tornado) -> str:
    """The tornado of one claim as a standalone SVG document."""
    rows = max(len(tornado.bars), 1)
    height = TOP + rows * ROW + 64
    title = f"Sensitivity of {tornado.claim} ({tornado.label})"
    if tornado.comparison is not None:
        unit = (
            "" if tornado.margin_unit in (None, "dimensionless") else f" in {tornado.margin_unit}"
        )
        subtitle = f"Distance to the threshold of {tornado.comparison}{unit}; now {format_number(tornado.margin_now or math.nan)}"
    else:
        subtitle = "Label with each figure at the low and the high end of its range"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="title desc" '
        f"font-family={quoteattr(FONT)}>",
        f'<title id="title">{escape(title)}</title>',
        f'<desc id="desc">{escape(subtitle)}. {escape(_summary(tornado))}</desc>',
        f'<rect x="0.5" y="0.5" width="{WIDTH - 1}" height="{height - 1}" rx="6" fill="{PANEL}" stroke="{BORDER}"/>',
        _text(16, 26, title, size=15, weight="bold"),
        _text(16, 46, subtitle, size=12, fill=MUTED),
    ]
    if not tornado.bars:
        parts.append(_text(16, TOP + 18, "No figure with a range to sweep.", fill=MUTED))
    elif tornado.comparison is not None and tornado.margin_now is not None:
        parts += _margin_rows(tornado, height)
    else:
        parts += _label_rows(tornado)
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _summary(tornado: Tornado) -> str:
    flipping = [bar.figure for bar in tornado.bars if bar.flips]
    if not flipping:
        return "No figure changes the label within its range."
    return "Changes the label within its range: " + ", ".join(flipping) + "."


def _margin_rows(tornado: Tornado, height: int) -> list[str]:
    low, high = _extent(tornado)
    x0, x1 = LEFT, WIDTH - RIGHT

    def x(value: float) -> float:
        return x0 + (value - low) / (high - low) * (x1 - x0)

    bottom = TOP + len(tornado.bars) * ROW
    now = tornado.margin_now if tornado.margin_now is not None else 0.0
    parts: list[str] = []
    for tick in _ticks(low, high):
        tx = x(tick)
        parts.append(
            f'<line x1="{tx:.1f}" y1="{TOP - 6}" x2="{tx:.1f}" y2="{bottom}" stroke="{BORDER}" stroke-width="1"/>'
        )
        parts.append(
            _text(tx, bottom + 16, format_number(tick), size=11, anchor="middle", fill=MUTED)
        )
    for index, bar in enumerate(tornado.bars):
        y = TOP + index * ROW
        parts.append(_text(LEFT - 10, y + 13, _short(bar.figure), anchor="end"))
        parts.append(_text(LEFT - 10, y + 25, _range_text(bar), size=10, anchor="end", fill=MUTED))
        for value, colour, end in ((bar.margin_low, LOW, "low"), (bar.margin_high, HIGH, "high")):
            if value is None:
                continue
            left, right = sorted((x(now), x(value)))
            parts.append(
                f'<rect x="{left:.1f}" y="{y + 4}" width="{max(right - left, 1.0):.1f}" height="{ROW - 10}" '
                f'fill="{colour}" fill-opacity="0.85"><title>{escape(f"{bar.figure} at its {end} end: distance to the threshold {format_number(value)}")}</title></rect>'
            )
        note = "flips the label" if bar.flips else ""
        if bar.crossings:
            note = "flips at " + ", ".join(format_number(c) for c in bar.crossings[:2])
        if note:
            parts.append(_text(x1 + 8, y + 18, note, size=11, fill=ZERO))
    parts.append(
        f'<line x1="{x(now):.1f}" y1="{TOP - 6}" x2="{x(now):.1f}" y2="{bottom}" stroke="{INK}" stroke-width="1.5"/>'
    )
    parts.append(
        f'<line x1="{x(0):.1f}" y1="{TOP - 10}" x2="{x(0):.1f}" y2="{bottom + 4}" stroke="{ZERO}" '
        'stroke-width="1.5" stroke-dasharray="5 3"/>'
    )
    parts.append(_text(x(0), TOP - 14, "0: flips", size=10, anchor="middle", fill=ZERO))
    legend_y = height - 16
    parts += [
        f'<rect x="{LEFT}" y="{legend_y - 10}" width="12" height="12" fill="{LOW}"/>',
        _text(LEFT + 18, legend_y, "figure at the low end of its range", size=11, fill=MUTED),
        f'<rect x="{LEFT + 240}" y="{legend_y - 10}" width="12" height="12" fill="{HIGH}"/>',
        _text(LEFT + 258, legend_y, "at the high end", size=11, fill=MUTED),
    ]
    return parts


def _label_rows(tornado: Tornado) -> list[str]:
    parts: list[str] = []
    for index, bar in enumerate(tornado.bars):
        y = TOP + index * ROW
        parts.append(_text(LEFT - 10, y + 13, _short(bar.figure), anchor="end"))
        parts.append(_text(LEFT - 10, y + 25, _range_text(bar), size=10, anchor="end", fill=MUTED))
        for offset, end, label in ((0, "low", bar.label_low), (200, "high", bar.label_high)):
            colour = LABEL_COLOURS.get(label, INK)
            parts.append(f'<circle cx="{LEFT + offset + 6}" cy="{y + 14}" r="5" fill="{colour}"/>')
            parts.append(_text(LEFT + offset + 16, y + 18, f"{end}: {label}", fill=colour))
        if bar.crossings:
            parts.append(
                _text(
                    LEFT + 400,
                    y + 18,
                    "flips at " + ", ".join(format_number(c) for c in bar.crossings[:2]),
                    size=11,
                    fill=ZERO,
                )
            )
    return parts
