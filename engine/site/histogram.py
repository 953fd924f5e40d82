"""A calculator's distribution as an inline SVG histogram, with the thresholds of the claims it
decides (docs/site.md, "Histograms").

The site draws one on every calculator page at build time, from the samples `crux simulate`
draws for the build's scenario (the same seed and the same first draws, so the 5%, 50% and 95%
marks are `crux simulate`'s percentiles). ``static/crux-histogram.js`` draws the same picture
in the browser from the what-if panel's samples: both follow the layout below number for number,
and a browser test feeds the same samples to both and compares the drawings.

Layout (viewBox 400 wide, `engine.site.svg_layout`'s text sizes, so the text stays readable
on a phone): 40 equal bins from the 0.5% to the 99.5% quantile of the defined samples (the
rarest 1% would squash the shape), bars scaled to the tallest; dashed lines at the 5%, 50% and
95% quantiles; a solid line at each threshold with the share of samples on each side (✔ on the
side where the claim holds), or, for a threshold beyond the axis, an arrow at that edge with the
share beside it. Claims with the same threshold share one label; labels that would meet go on
rows of their own above the bars, which the chart grows to hold. Under the bars, as many round
ticks (up to five) as fit without their numbers touching, and the unit.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from engine.formatting import format_number
from engine.knowledge.knowledge_base import KnowledgeBase
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

__all__ = [
    "BINS",
    "Histogram",
    "Threshold",
    "calculator_samples",
    "calculator_thresholds",
    "histogram",
    "histogram_svg",
]

WIDTH = 400
LEFT, RIGHT = 8, 392
PAD = 4
BARS = 96
"""The tallest bar's height."""
BINS = 40
TAIL = 0.005
"""Quantiles at which the axis starts and ends."""

_OPS: Mapping[type, str] = {
    sympy.StrictGreaterThan: ">",
    sympy.GreaterThan: ">=",
    sympy.StrictLessThan: "<",
    sympy.LessThan: "<=",
}
_MIRROR = {">": "<", ">=": "<=", "<": ">", "<=": ">="}


@dataclass(frozen=True)
class Threshold:
    """A claim decided by comparing the calculator with something that is not sampled.

    ``op`` reads ``calculator op value``; ``side`` is the sympy expression of the other side,
    whose figures have no range (the panel recomputes it from the reader's values)."""

    key: str
    """``calculator#index``: names the side's compiled function in model.js (``thresholds``)."""
    claim: str
    op: str
    side: sympy.Basic
    names: tuple[str, ...]
    value: float


def calculator_thresholds(
    kb: KnowledgeBase, settings: Mapping[str, float]
) -> dict[str, list[Threshold]]:
    """Per calculator, the thresholds of the claims whose ``holds_when`` compares it with an
    expression of figures without a range (its value under ``settings``, numbers by id)."""
    unranged = {fid for fid, fig in kb.figures.items() if fig.range is None}
    out: dict[str, list[Threshold]] = {}
    for claim_id, formula in sorted(kb.conditions.items()):
        relations = sorted(formula.expr.atoms(sympy.core.relational.Relational), key=sympy.srepr)
        for relation in relations:
            op = _OPS.get(type(relation))
            if op is None:
                continue
            for calc, other, reads in (
                (relation.lhs, relation.rhs, op),
                (relation.rhs, relation.lhs, _MIRROR[op]),
            ):
                if not isinstance(calc, sympy.Symbol) or calc.name not in kb.calculators:
                    continue
                names = tuple(sorted(str(s) for s in other.free_symbols))
                if not set(names) <= unranged:
                    continue
                value = float(other.subs({sympy.Symbol(n): settings[n] for n in names}))
                if math.isfinite(value):
                    found = out.setdefault(calc.name, [])
                    key = f"{calc.name}#{len(found)}"
                    found.append(Threshold(key, claim_id, reads, other, names, value))
    return out


def calculator_samples(
    kb: KnowledgeBase, settings: Mapping[str, float | str], fixed: frozenset[str], n: int, seed: int
) -> dict[str, np.ndarray]:
    """Every calculator over the first ``n`` draws `simulate` makes with ``seed`` (n up to
    `simulate.CHUNK`, where its first block is the whole run)."""
    from engine.analysis.sampling import sample_figures
    from engine.analysis.simulate import CHUNK
    from engine.evaluation.evaluate import evaluate_calculators

    assert n <= CHUNK, "simulate draws its first block of this many samples at once"
    rng = np.random.Generator(np.random.PCG64(seed))
    numbers = dict(sample_figures(kb, settings, n, rng, None, fixed=fixed))
    return evaluate_calculators(kb, numbers)


# --- the picture -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Histogram:
    """What the SVG and its caption show."""

    defined: int
    undefined: int
    low: float
    high: float
    counts: tuple[int, ...]
    quantiles: tuple[float, float, float]
    shares: tuple[tuple[float, float], ...]
    """Per threshold: the share of defined samples on the side where the claim holds, and on
    the other side."""


def _percentile(sorted_values: np.ndarray, q: float) -> float:
    """numpy.percentile's default rule (linear between closest ranks), as crux-histogram.js has it."""
    m = sorted_values.size
    h = (m - 1) * q
    lo = math.floor(h)
    hi = min(lo + 1, m - 1)
    return float(sorted_values[lo] + (h - lo) * (sorted_values[hi] - sorted_values[lo]))


def _holds(values: np.ndarray, op: str, value: float) -> int:
    if op == ">":
        return int(np.count_nonzero(values > value))
    if op == ">=":
        return int(np.count_nonzero(values >= value))
    if op == "<":
        return int(np.count_nonzero(values < value))
    return int(np.count_nonzero(values <= value))


def histogram(values: np.ndarray, thresholds: Sequence[tuple[str, float]] = ()) -> Histogram:
    """Bins, quantiles and threshold shares of ``values`` (NaN = undefined);
    ``thresholds`` are (op, value) pairs."""
    defined = np.sort(values[~np.isnan(values)])
    m = int(defined.size)
    if m == 0:
        return Histogram(0, int(values.size), 0.0, 1.0, (0,) * BINS, (math.nan,) * 3, ())
    # The axis spans finite draws only: a quantity that is never reached (+inf) is counted in
    # the quantiles and shares but has no place on an axis.
    finite = defined[np.isfinite(defined)]
    if finite.size == 0:
        low, high = 0.0, 1.0
    else:
        low, high = _percentile(finite, TAIL), _percentile(finite, 1 - TAIL)
    if not high > low:  # every sample (nearly) the same: a window around it
        half = abs(low) * 0.1 if low != 0 else 1.0
        low, high = low - half, high + half
    width = (high - low) / BINS
    counts = [0] * BINS
    inside = defined[(defined >= low) & (defined <= high)]
    bins = np.minimum(np.floor((inside - low) / width).astype(np.int64), BINS - 1)
    for k, count in zip(*np.unique(bins, return_counts=True), strict=True):
        counts[int(k)] = int(count)
    quantiles = (_percentile(defined, 0.05), _percentile(defined, 0.5), _percentile(defined, 0.95))
    shares = tuple(
        (_holds(defined, op, value) / m, 1 - _holds(defined, op, value) / m)
        for op, value in thresholds
    )
    return Histogram(m, int(values.size) - m, low, high, tuple(counts), quantiles, shares)


def _percent(share: float) -> str:
    return f"{math.floor(share * 1000 + 0.5) / 10:.1f}%"


def histogram_svg(
    calc_id: str, unit: str, values: np.ndarray, thresholds: Sequence[Threshold] = ()
) -> tuple[str, Histogram]:
    """The SVG (a string, for inline use) and what it shows."""
    h = histogram(values, [(t.op, t.value) for t in thresholds])
    unit_text = "" if unit == "dimensionless" else unit
    if h.defined == 0:
        return (
            f'<svg class="histogram-svg" viewBox="0 0 {WIDTH} 60" role="img" '
            f'aria-labelledby="hist-{calc_id}-title">'
            f'<title id="hist-{calc_id}-title">Distribution of {html.escape(calc_id)}</title>'
            f'<text x="{WIDTH // 2}" y="34" text-anchor="middle">Undefined in every sample</text></svg>'
        ), h

    def x_of(value: float) -> float:
        return LEFT + (value - h.low) / (h.high - h.low) * (RIGHT - LEFT)

    labels = _threshold_labels(thresholds, h, x_of)
    rows = label_rows([(a, b) for a, b, _ in labels])
    used = max(rows) + 1 if rows else 0
    quantile_row = PAD + used * ROW  # the 50% label's row; 5% and 95% one row lower
    top = quantile_row + 2 * ROW + 4
    bottom = top + BARS
    names = name_lines(calc_id, unit_text, WIDTH - 8)
    height = bottom + (1 + len(names)) * ROW + 8
    parts = [
        f'<svg class="histogram-svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="hist-{calc_id}-title">',
        f'<title id="hist-{calc_id}-title">Distribution of {html.escape(calc_id)}</title>',
    ]
    tallest = max(h.counts) or 1
    bar = (RIGHT - LEFT) / BINS
    parts.append('<g class="hist-bars">')
    for k, count in enumerate(h.counts):
        if count == 0:
            continue
        tall = count / tallest * BARS
        parts.append(
            f'<rect x="{px(LEFT + k * bar)}" y="{px(bottom - tall)}" '
            f'width="{px(bar - 1)}" height="{px(tall)}"/>'
        )
    parts.append("</g>")
    # the axis, its ticks and the unit
    parts.append(
        f'<g class="hist-axis"><line x1="{LEFT}" y1="{bottom}" x2="{RIGHT}" y2="{bottom}"/>'
    )
    ticks = axis_ticks(h.low, h.high, LEFT, RIGHT, WIDTH, format_number)
    parts += bottom_axis_ticks(ticks, bottom, ROW, names, "hist-unit", WIDTH // 2)
    parts.append("</g>")
    # the 5%, 50% and 95% marks
    parts.append('<g class="hist-quantiles">')
    for q, value, anchor, dx, y in zip(
        ("5%", "50%", "95%"),
        h.quantiles,
        ("end", "middle", "start"),
        (-3, 0, 3),
        (quantile_row + ROW + FONT, quantile_row + FONT, quantile_row + ROW + FONT),
        strict=True,
    ):
        x = x_of(value)
        parts.append(
            f'<line x1="{px(x)}" y1="{quantile_row + ROW if q == "50%" else top}" '
            f'x2="{px(x)}" y2="{bottom}"/>'
            f'<text x="{px(_quantile_x(q, x + dx))}" y="{y}" text-anchor="{anchor}">{q}</text>'
        )
    parts.append("</g>")
    # thresholds, with the share on each side, one row each where their labels would meet
    for (_left, _, label), row in zip(labels, rows, strict=True):
        y = PAD + row * ROW + FONT
        claims = html.escape(" ".join(label["claims"]))
        group = f'<g class="hist-threshold" data-claim="{claims}">'
        if label["x"] is None:  # beyond the axis: an arrow at the edge, with the share that holds
            anchor = "start" if label["edge"] == "left" else "end"
            edge_x = LEFT if label["edge"] == "left" else RIGHT
            parts.append(
                f'{group}<text x="{edge_x}" y="{y}" text-anchor="{anchor}">{html.escape(label["text"])}</text></g>'
            )
            continue
        x = label["x"]
        shift = label["shift"]
        parts.append(
            f"{group}"
            f'<line x1="{px(x)}" y1="{y - FONT + 2}" x2="{px(x)}" y2="{bottom}"/>'
            f'<text x="{px(x + shift - 4)}" y="{y}" text-anchor="end">{label["left"]}</text>'
            f'<text x="{px(x + shift + 4)}" y="{y}" text-anchor="start">{label["right"]}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts), h


def _quantile_x(name: str, x: float) -> float:
    """A quantile's label kept inside the chart (5% ends at x, 95% starts there, 50% centred)."""
    width = text_width(name)
    if name == "5%":
        return max(x, width)
    if name == "95%":
        return min(x, WIDTH - width)
    return min(max(x, width / 2), WIDTH - width / 2)


def _threshold_labels(
    thresholds: Sequence[Threshold], h: Histogram, x_of: Callable[[float], float]
) -> list[tuple[float, float, dict[str, Any]]]:
    """Each distinct threshold's label and its horizontal extent (left, right). Claims that
    compare the calculator with the same value the same way share one label (their shares are
    the same); a label that would leave the chart is moved inside it."""
    merged: dict[tuple[str, float], dict[str, Any]] = {}
    for threshold, (holds, other) in zip(thresholds, h.shares, strict=True):
        key = (threshold.op, threshold.value)
        if key in merged:
            merged[key]["claims"].append(threshold.claim)
            continue
        above = threshold.op in (">", ">=")
        left_text = _percent(other if above else holds)
        right_text = _percent(holds if above else other)
        left_text = left_text if above else "\u2714 " + left_text
        right_text = "\u2714 " + right_text if above else right_text
        label: dict[str, Any] = {"claims": [threshold.claim], "left": left_text}
        label["right"] = right_text
        if not h.low <= threshold.value <= h.high:
            at = format_number(threshold.value)
            if threshold.value < h.low:
                label.update(x=None, edge="left", text=f"\u25c2 {at} \u00b7 {right_text}")
            else:
                label.update(x=None, edge="right", text=f"{left_text} \u00b7 {at} \u25b8")
        else:
            label.update(x=x_of(threshold.value), shift=0.0)
        merged[key] = label
    out = []
    for label in merged.values():
        if label["x"] is None:
            width = text_width(label["text"])
            left = LEFT if label["edge"] == "left" else RIGHT - width
            out.append((left, left + width, label))
            continue
        x = label["x"]
        left = x - 4 - text_width(label["left"])
        right = x + 4 + text_width(label["right"])
        shift = max(0.0, -left) - max(0.0, right - WIDTH)
        label["shift"] = shift
        out.append((left + shift, right + shift, label))
    return out


def threshold_data(thresholds: Sequence[Threshold]) -> str:
    """The thresholds as the page's ``data-thresholds`` attribute (JSON) for crux-histogram.js."""
    return json.dumps(
        [{"claim": t.claim, "op": t.op, "key": t.key, "value": t.value} for t in thresholds],
        sort_keys=True,
        separators=(",", ":"),
    )
