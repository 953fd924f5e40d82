"""P(holds) of claims as one figure moves across its range, every other ranged figure drawn.

The uncertainty version of a tipping point (docs/analysis.md, "Chance curves"): at each value on
a grid across the figure's range, the figure is held at that value (as `crux simulate --set
figure=value` holds it) and every other figure with a range is drawn. The other figures' draws
are made once (for every figure's curve) and reused at every grid point (common random numbers),
so the curves are smooth, and monotone wherever the claim's condition is monotone in the figure;
each point estimates what `crux simulate --set figure=value` prints (the same distributions and
correlations, other draws), within its standard error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from engine.analysis.sampling import sample_figures
from engine.analysis.simulate import combination_codes, held_fixed
from engine.evaluation.evaluate import (
    compiled,
    evaluate_calculators,
    evaluate_conditions,
    fixed_labels,
)
from engine.evaluation.semantics import HOLDS, label
from engine.knowledge.knowledge_base import KnowledgeBase
from engine.knowledge.scenario import ScenarioInput
from engine.knowledge.settings import physical_bounds

__all__ = ["GRID", "REACH", "ChanceCurve", "chance_curve", "curve_draws", "curve_grid"]

GRID = 25
"""Grid points across the axis: enough for a smooth line, few enough to label each in a table."""

REACH = 0.5
"""A tipping point at most this many range widths beyond the range widens the axis to show it."""


@dataclass(frozen=True)
class ChanceCurve:
    """P(holds) of each claim at each grid value of one figure."""

    figure: str
    values: tuple[float, ...]
    n: int
    drawn: tuple[str, ...]
    """The other figures drawn from their ranges (the figure itself is held at each value)."""
    p_holds: Mapping[str, tuple[float, ...]]
    """Per claim id (every claim of the knowledge base), P(holds) at each grid value."""


def curve_grid(
    kb: KnowledgeBase, figure_id: str, now: float, tipping: Sequence[float] = ()
) -> tuple[float, ...]:
    """`GRID` evenly spaced values across the figure's 90% range, widened to take in its current
    value and any tipping point within `REACH` range widths of the range, and kept inside its
    physical bounds."""
    figure = kb.figures[figure_id]
    assert figure.range is not None, "only a figure with a range has a curve"
    low, high = float(figure.range[0]), float(figure.range[1])
    width = high - low if high > low else (abs(low) or 1.0)
    start, stop = min(low, now), max(high, now)
    for at in tipping:
        if low - REACH * width <= at < start:
            start = at
        elif stop < at <= high + REACH * width:
            stop = at
    # a crossing at the axis's very edge would be hard to see: a little room past it
    margin = 0.04 * (stop - start)
    if start < low:
        start -= margin
    if stop > high:
        stop += margin
    lower, upper = physical_bounds(figure)
    start, stop = max(start, lower), min(stop, upper)
    if not stop > start:
        stop = start + width
    return tuple(float(x) for x in np.linspace(start, stop, GRID))


def curve_draws(
    kb: KnowledgeBase, scenario: ScenarioInput, n: int, seed: int
) -> dict[str, np.ndarray]:
    """One set of ``n`` draws (seeded PCG64, as `simulate`) of every figure the scenario does not
    hold, shared by every figure's curve: drawing once per figure would cost as much again."""
    rng = np.random.Generator(np.random.PCG64(seed))
    return sample_figures(kb, scenario.settings, n, rng, None, fixed=held_fixed(kb, scenario))


def chance_curve(
    kb: KnowledgeBase,
    scenario: ScenarioInput,
    figure_id: str,
    values: Sequence[float],
    draws: Mapping[str, np.ndarray],
) -> ChanceCurve:
    """P(holds) of every claim with ``figure_id`` held at each of ``values`` and every other
    figure as in ``draws`` (`curve_draws`; the figure's own draws are set aside)."""
    n = len(next(iter(draws.values())))
    drawn = tuple(
        fid for fid, values_of in draws.items() if values_of.strides != (0,) and fid != figure_id
    )
    points = len(values)
    # Every grid point at once: the draws repeated, the figure one value per repetition.
    numbers: dict[str, np.ndarray] = {
        fid: (np.tile(array, points) if fid in drawn else np.broadcast_to(array[0], (n * points,)))
        for fid, array in draws.items()
    }
    numbers[figure_id] = np.repeat(np.asarray(values, dtype=np.float64), n)
    evaluate_calculators(kb, numbers)
    decided = fixed_labels(kb, evaluate_conditions(kb, numbers), scenario.assumptions, n * points)
    # Each distinct combination of decided labels is labelled once over all grid points: moving
    # one figure changes only the conditions it reaches, so most combinations recur at every
    # value and labelling (the costly part on a large map) is shared.
    varying = [
        cid
        for cid, labels in decided.items()
        if labels.strides != (0,) and np.any(labels != labels[0])
    ]
    if varying:
        # Which samples share a combination, found by sorting one integer code per sample (the
        # order of the combinations does not matter: each is labelled on its own).
        code = combination_codes([decided[cid] for cid in varying], n * points)
        _, first, inverse = np.unique(code, return_index=True, return_inverse=True)
    else:
        first, inverse = np.zeros(1, dtype=np.int64), np.zeros(n * points, dtype=np.int64)
    inverse = inverse.reshape(-1)
    combinations = {cid: np.ascontiguousarray(labels[first]) for cid, labels in decided.items()}
    labelling = label(tuple(kb.claims), compiled(kb).arguments, combinations, first.size)
    p_holds = {}
    for cid in kb.claims:
        holds = (labelling.claims[cid] == HOLDS)[inverse].reshape(points, n)
        p_holds[cid] = tuple(float(p) for p in holds.sum(axis=1) / n)
    return ChanceCurve(
        figure=figure_id,
        values=tuple(float(v) for v in values),
        n=n,
        drawn=drawn,
        p_holds=p_holds,
    )


def spread(probabilities: Sequence[float]) -> float:
    """How far a curve moves: its highest P(holds) less its lowest."""
    finite = [p for p in probabilities if not math.isnan(p)]
    return max(finite) - min(finite) if finite else 0.0
