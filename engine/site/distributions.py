"""The uncertainty pictures of the site's item pages, under the build's scenario.

- calculator pages: a histogram of the calculator over the draws `crux simulate` makes
  (`engine.site.histogram`), with the thresholds of the claims it decides;
- figure pages: P(holds) of the conclusions the figure reaches, against the figure's value
  across its range (`engine.analysis.chance_curve`, drawn by `engine.site.chance_curve_svg`).

Histograms come from one set of samples (`SAMPLES` draws with `SEED`, as the claim pages'
P(holds)), curves from one set of `curve_samples` draws (with `SEED`) shared by every figure;
both are computed on first use and kept in the analysis cache.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from markupsafe import Markup

from engine.analysis.simulate import held_fixed
from engine.formatting import format_number, format_quantity
from engine.knowledge.knowledge_base import KnowledgeBase
from engine.knowledge.settings import numeric_setting
from engine.site.analysis import SAMPLES, SEED, SiteAnalysis, cached_analysis
from engine.site.model import SiteModel

Context = dict[str, Any]

_memo: dict[int, tuple[SiteModel, dict[str, Context]]] = {}
"""This process's distributions of the model being built (one entry: one build at a time)."""


def _distributions(model: SiteModel) -> dict[str, Context]:
    """Every calculator page's histogram context, computed once per knowledge base and scenario
    and kept in the analysis cache: a warm build draws them without sympy or pint."""
    held = _memo.get(id(model))
    if held is None or held[0] is not model:
        _memo.clear()
        held = _memo[id(model)] = (
            model,
            cached_analysis(model, "distributions", lambda: _compute(model)),
        )
    return held[1]


def _compute(model: SiteModel) -> dict[str, Context]:
    from engine.site.histogram import (
        calculator_samples,
        calculator_thresholds,
        histogram_svg,
        threshold_data,
    )

    kb = model.kb
    scenario = model.build.scenario
    fixed = held_fixed(kb, scenario)
    sampled = frozenset(
        fid
        for fid, fig in kb.figures.items()
        if fig.kind == "number" and fig.range is not None and fid not in fixed
    )
    if not sampled:
        return {}
    numbers = {fid: numeric_setting(fig, scenario.settings[fid]) for fid, fig in kb.figures.items()}
    samples = calculator_samples(kb, scenario.settings, fixed, SAMPLES, SEED)
    thresholds = calculator_thresholds(kb, numbers)
    out: dict[str, Context] = {}
    for calc_id, values in samples.items():
        if not _upstream_figures(model, calc_id) & sampled:
            continue
        calc = kb.calculators[calc_id]
        own = thresholds.get(calc_id, [])
        svg, h = histogram_svg(calc_id, calc.unit, values, own)
        out[calc_id] = {
            "svg": str(svg),
            "n": SAMPLES,
            "seed": SEED,
            "quantiles": [format_quantity(q, calc.unit) for q in h.quantiles],
            "undefined": h.undefined / SAMPLES,
            "thresholds": [
                {"claim": t.claim, "op": t.op, "value": format_number(t.value), "holds": holds}
                for t, (holds, _) in zip(own, h.shares, strict=True)
            ],
            "thresholds_json": threshold_data(own),
        }
    return out


def _upstream_figures(model: SiteModel, calc_id: str) -> set[str]:
    kb = model.kb
    figures: set[str] = set()
    seen = {calc_id}
    stack = [calc_id]
    while stack:
        for name in kb.formulas[stack.pop()].names:
            if name in kb.figures:
                figures.add(name)
            elif name in kb.calculators and name not in seen:
                seen.add(name)
                stack.append(name)
    return figures


def calculator_distribution(model: SiteModel, calc_id: str) -> Context | None:
    """The calculator page's histogram and its caption; None when no sampled figure bears on it."""
    found = _distributions(model).get(calc_id)
    if found is None:
        return None
    return {**found, "svg": Markup(found["svg"])}


# --- figure pages: chance curves ---------------------------------------------------------------

CURVE_SAMPLES = 2_000
"""Draws of the other figures at each grid value, at most: a standard error of at most 0.011 on
each point, and the same draws at every point, so a curve's shape is far surer than its level."""

CURVE_MIN_SAMPLES = 200
CURVE_BUDGET = 4_000_000
"""Ranged figures × claims × draws for all the curves of a build: a map with hundreds of ranged
figures and a thousand claims gets fewer draws per curve (down to `CURVE_MIN_SAMPLES`, said in
each caption), so that its first build takes seconds more, not minutes."""


MAX_CURVES = 24
"""Figures whose curves a build draws, at most: on a large map each costs about a simulation of
the whole map; beyond this many, the figures that reach the most claims get theirs."""


def curve_samples(kb: KnowledgeBase) -> int:
    """Draws per grid value for this knowledge base's curves (`CURVE_BUDGET`)."""
    ranged = sum(1 for f in kb.figures.values() if f.kind == "number" and f.range is not None)
    share = CURVE_BUDGET // max(1, ranged * len(kb.claims))
    return max(CURVE_MIN_SAMPLES, min(CURVE_SAMPLES, share))


FLAT = 0.02
"""A claim whose P(holds) moves less than this across the axis is named, not drawn."""


def figure_curves(model: SiteModel, analysis: SiteAnalysis) -> dict[str, Context]:
    """Every ranged figure's chance curves, by figure id (cached: a warm build draws them
    without sympy or pint)."""
    return cached_analysis(model, "chance_curves", lambda: _curves(model, analysis))


def _curves(model: SiteModel, analysis: SiteAnalysis) -> dict[str, Context]:
    from engine.analysis.chance_curve import curve_draws

    kb = model.kb
    # Every number figure with a range, even one the scenario holds at a value: the curve sets
    # it to each value on its axis anyway.
    ranged = sorted(
        fid for fid, fig in kb.figures.items() if fig.kind == "number" and fig.range is not None
    )
    if not ranged:
        return {}
    draws = curve_draws(kb, model.build.scenario, curve_samples(kb), SEED)
    reach = {fid: sum(fid in figs for figs in analysis.claim_figures.values()) for fid in ranged}
    chosen = set(sorted(ranged, key=lambda fid: (-reach[fid], fid))[:MAX_CURVES])
    skipped = {"empty": True, "skipped": len(ranged), "limit": MAX_CURVES}
    return {
        fid: _curve(model, analysis, fid, draws) if fid in chosen else skipped for fid in ranged
    }


def _curve(
    model: SiteModel, analysis: SiteAnalysis, fid: str, draws: dict[str, np.ndarray]
) -> Context:
    from engine.analysis.chance_curve import chance_curve, curve_grid, spread
    from engine.site.chance_curve_svg import STYLES, Tip, curve_svg

    kb = model.kb
    scenario = model.build.scenario
    figure = kb.figures[fid]
    now = float(numeric_setting(figure, scenario.settings[fid]))
    reached = [
        cid
        for cid in kb.claims
        if fid in analysis.claim_figures[cid] and cid not in scenario.assumptions
    ]
    if not reached:  # the page says so in place of the plot
        return {"empty": True, "skipped": 0}
    tips: dict[str, list[float]] = {}
    for cid in reached:
        found = analysis.flips.claims.get(cid)
        if found is not None:
            tips[cid] = sorted(c.at for c in found.crossings if c.figure == fid)
    grid = curve_grid(kb, fid, now, [at for ats in tips.values() for at in ats])
    curve = chance_curve(kb, scenario, fid, grid, draws)
    central = kb.central_claim

    def rank(cid: str) -> tuple[int, float, str]:
        claim = kb.claims[cid]
        tier = (
            0
            if cid == central
            else 1
            if tips.get(cid)
            else 2
            if claim.role == "conclusion"
            else 3
            if fid in _condition_figures(model, cid)
            else 4
        )
        return tier, -spread(curve.p_holds[cid]), cid

    moving = [cid for cid in reached if spread(curve.p_holds[cid]) >= FLAT]
    # When nothing moves, the steady lines are the news: draw those instead.
    drawn = sorted(moving or reached, key=rank)[:STYLES]
    left_out = sorted(set(moving) - set(drawn), key=rank)
    flat = sorted(set(reached) - set(moving) - set(drawn), key=rank)
    marks = [Tip(index, at) for index, cid in enumerate(drawn) for at in tips.get(cid, [])]
    svg = curve_svg(fid, figure.unit, grid, [curve.p_holds[c] for c in drawn], now, marks)
    steps = range(0, len(grid), 4) if len(grid) > 13 else range(len(grid))
    return {
        "empty": False,
        "skipped": 0,
        "steady": not moving,
        "svg": svg,
        "n": curve.n,
        "seed": SEED,
        "drawn_figures": len(curve.drawn),
        "low": grid[0],
        "high": grid[-1],
        "now": now,
        "claims": [
            {
                "id": cid,
                "text": kb.claims[cid].text,
                "style": index,
                "role": kb.claims[cid].role,
                "tips": [format_number(at) for at in tips.get(cid, [])],
            }
            for index, cid in enumerate(drawn)
        ],
        "left_out": left_out,
        "flat": [{"id": cid, "p": curve.p_holds[cid][0]} for cid in flat],
        "table": [{"value": grid[k], "p": [curve.p_holds[cid][k] for cid in drawn]} for k in steps],
        "data": json.dumps(
            {
                "figure": fid,
                "unit": figure.unit,
                "claims": drawn,
                "values": list(grid),
                "now": now,
                "tips": [[m.series, m.at] for m in marks],
            },
            sort_keys=True,
            separators=(",", ":"),
        ),
    }


def _condition_figures(model: SiteModel, claim_id: str) -> set[str]:
    """The figures a claim's own condition reads, directly or through calculators."""
    condition = model.kb.conditions.get(claim_id)
    if condition is None:
        return set()
    figures: set[str] = set()
    for name in condition.names:
        if name in model.kb.figures:
            figures.add(name)
        elif name in model.kb.calculators:
            figures |= _upstream_figures(model, name)
    return figures


def figure_curve(model: SiteModel, analysis: SiteAnalysis, figure_id: str) -> Context | None:
    """The figure page's chance curves and their caption; None for a figure without a range,
    ``{"empty": True}`` for one that no claim depends on."""
    found = figure_curves(model, analysis).get(figure_id)
    if found is None or found["empty"]:
        return found
    return {**found, "svg": Markup(found["svg"])}
