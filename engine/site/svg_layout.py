"""Text placement shared by the site's inline SVG charts (histograms, chance curves).

The charts are drawn twice, here at build time and by the panel's scripts in the browser
(``static/crux-histogram.js`` has the same functions, number for number), so text widths are
estimated from character counts rather than measured: both sides then place labels alike, and
no label needs a browser to be laid out.

The charts' viewBoxes are about as wide as a phone's column (400 units), with 14-unit text, so
their text is at least 11 CSS pixels on a 375-pixel screen and never scales past 1.2× on a wide
one (the stylesheet caps their width).
"""

from __future__ import annotations

import html
import itertools
import math
from collections.abc import Callable, Sequence

__all__ = [
    "CHAR",
    "FONT",
    "GAP",
    "ROW",
    "axis_ticks",
    "label_rows",
    "name_lines",
    "nice_ticks",
    "text_width",
]

FONT = 14
"""Text size in viewBox units (the stylesheet sets the same)."""
CHAR = 10.0
"""An upper estimate of a digit's or letter's advance at `FONT`: 0.71 em, DejaVu Sans Bold's digits
(among the widest fallback fonts; the charts' labels are bold)."""
ROW = 18
"""The height of a row of labels."""
GAP = 6
"""The least room between two labels on one row."""


NARROW = frozenset(".,:; ")
WIDE = frozenset("%\u2714\u25c2\u25b8\u2014")


def text_width(text: str) -> float:
    """An upper estimate of ``text``'s width at `FONT`: narrow punctuation half a character,
    percent signs and marks (✔ ◂ ▸) one and a half."""
    return sum(CHAR / 2 if c in NARROW else CHAR * 1.5 if c in WIDE else CHAR for c in text)


def name_lines(name: str, unit: str, room: float) -> list[str]:
    """An axis's name and unit on one line, or on two when one would not fit in ``room``."""
    one = f"{name} ({unit})" if unit else name
    if not unit or text_width(one) <= room:
        return [one]
    return [name, f"({unit})"]


def label_rows(extents: Sequence[tuple[float, float]]) -> list[int]:
    """A row for each label (left, right): the first row where it overlaps no label already
    placed, in the order given. Labels at the same place therefore stack, never overlap."""
    rows: list[list[tuple[float, float]]] = []
    out: list[int] = []
    for left, right in extents:
        for index, taken in enumerate(rows):
            if all(right + GAP <= a or left >= b + GAP for a, b in taken):
                taken.append((left, right))
                out.append(index)
                break
        else:
            rows.append([(left, right)])
            out.append(len(rows) - 1)
    return out


def nice_ticks(low: float, high: float, count: int) -> list[float]:
    """About ``count`` round numbers (1, 2 or 5 × 10^k apart) between low and high."""
    raw = (high - low) / count
    magnitude = 10.0 ** math.floor(math.log10(raw))
    norm = raw / magnitude
    step = (1 if norm < 1.5 else 2 if norm < 3 else 5 if norm < 7 else 10) * magnitude
    first = math.ceil(low / step)
    out = []
    for i in range(12):
        tick = (first + i) * step
        if tick > high + step * 1e-9:
            break
        out.append(0.0 if abs(tick) < step * 1e-9 else tick)
    return out


def axis_ticks(
    low: float, high: float, left: float, right: float, width: float, fmt: Callable[[float], str]
) -> list[tuple[float, str]]:
    """Round ticks between low and high drawn from ``left`` to ``right`` on a chart ``width``
    wide, as (x, text): the most (up to five) whose labels neither overlap nor leave the chart."""
    placed: list[tuple[float, str]] = []
    for count in (5, 4, 3, 2):
        placed = []
        for tick in nice_ticks(low, high, count):
            x = left + (tick - low) / (high - low) * (right - left)
            text = fmt(tick)
            half = text_width(text) / 2
            if x - half >= 0 and x + half <= width:
                placed.append((x, text))
        apart = all(
            b[0] - a[0] >= (text_width(a[1]) + text_width(b[1])) / 2 + GAP
            for a, b in itertools.pairwise(placed)
        )
        if apart and len(placed) >= 2:
            return placed
    return placed[:1]


def px(value: float) -> str:
    """A coordinate rounded to 0.1 (half up), written as the charts' JavaScript writes it."""
    rounded = math.floor(value * 10 + 0.5) / 10
    return str(int(rounded)) if rounded == int(rounded) else repr(rounded)


def bottom_axis_ticks(
    ticks: Sequence[tuple[float, str]],
    bottom: float,
    row: float,
    names: Sequence[str],
    name_class: str,
    centre: float,
) -> list[str]:
    """SVG of a bottom axis's ticks (from `axis_ticks`) and its name, one line per entry of
    `names` (`name_lines`) centred at `centre`: the histograms' and the chance curves' axes."""
    parts = [
        f'<line x1="{px(x)}" y1="{bottom}" x2="{px(x)}" y2="{bottom + 4}"/>'
        f'<text x="{px(x)}" y="{bottom + row}" text-anchor="middle">{html.escape(text)}</text>'
        for x, text in ticks
    ]
    parts += [
        f'<text class="{name_class}" x="{centre}" y="{bottom + (2 + k) * row + 2}" '
        f'text-anchor="middle">{html.escape(line)}</text>'
        for k, line in enumerate(names)
    ]
    return parts
