"""The uncertainty pictures of the site's item pages, under the build's scenario.

- calculator pages: a histogram of the calculator over the draws `crux simulate` makes
  (`engine.site.histogram`), with the thresholds of the claims it decides;
- figure pages: P(holds) of the conclusions the figure reaches, against the figure's value
  across its range (`engine.site.chance_curve`).

Both are drawn once per build from one set of samples (`SAMPLES` draws with `SEED`, as the
claim pages' P(holds)), computed on first use and kept for the model.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from engine.analysis.simulate import held_fixed
from engine.formatting import format_number, format_quantity
from engine.knowledge.settings import numeric_setting
from engine.site.analysis import SAMPLES, SEED, cached_analysis
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
