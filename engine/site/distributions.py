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

import numpy as np
from markupsafe import Markup

from engine.analysis.simulate import held_fixed
from engine.formatting import format_number, format_quantity
from engine.knowledge.settings import numeric_setting
from engine.site.analysis import SAMPLES, SEED
from engine.site.histogram import (
    Threshold,
    calculator_samples,
    calculator_thresholds,
    histogram_svg,
    threshold_data,
)
from engine.site.model import SiteModel

Context = dict[str, Any]

_computed: (
    tuple[SiteModel, dict[str, np.ndarray], dict[str, list[Threshold]], frozenset[str]] | None
) = None


def _samples(
    model: SiteModel,
) -> tuple[dict[str, np.ndarray], dict[str, list[Threshold]], frozenset[str]]:
    """The build scenario's calculator samples, thresholds and sampled figures (computed once)."""
    global _computed
    if _computed is None or _computed[0] is not model:
        kb = model.kb
        scenario = model.build.scenario
        fixed = held_fixed(kb, scenario)
        sampled = frozenset(
            fid
            for fid, fig in kb.figures.items()
            if fig.kind == "number" and fig.range is not None and fid not in fixed
        )
        numbers = {
            fid: numeric_setting(fig, scenario.settings[fid]) for fid, fig in kb.figures.items()
        }
        samples = calculator_samples(kb, scenario.settings, fixed, SAMPLES, SEED) if sampled else {}
        _computed = (model, samples, calculator_thresholds(kb, numbers), sampled)
    return _computed[1], _computed[2], _computed[3]


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
    samples, thresholds, sampled = _samples(model)
    if calc_id not in samples or not _upstream_figures(model, calc_id) & sampled:
        return None
    calc = model.kb.calculators[calc_id]
    own = thresholds.get(calc_id, [])
    svg, h = histogram_svg(calc_id, calc.unit, samples[calc_id], own)
    return {
        "svg": Markup(svg),
        "n": SAMPLES,
        "seed": SEED,
        "quantiles": [format_quantity(q, calc.unit) for q in h.quantiles],
        "undefined": h.undefined / SAMPLES,
        "thresholds": [
            {
                "claim": t.claim,
                "op": t.op,
                "value": format_number(t.value),
                "holds": holds,
            }
            for t, (holds, _) in zip(own, h.shares, strict=True)
        ],
        "thresholds_json": threshold_data(own),
    }
