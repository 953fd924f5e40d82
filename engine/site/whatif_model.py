"""The knowledge base as a JavaScript module for the site's what-if panel (`static/model.js`).

The panel (``templates/static/crux-engine.js`` and the ``whatif*.js`` scripts) re-evaluates every
claim in the browser. It gets the numbers from here: each calculator formula and each
``holds_when`` condition is compiled to JavaScript by `engine.formula.to_js` from the very sympy tree
the engine evaluates (unit factors included), so the browser and ``crux eval`` compute the same
thing. Everything else is data:
figures with their bounds, arguments for ``crux-semantics.js``, scenarios, and the formula
texts cut into pieces so the panel can write the same substituted formulas and one-line
explanations as `engine.evaluation.explain`.

The output is deterministic: sorted keys, ``repr`` floats (which round-trip), ASCII only.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import networkx as nx

from engine.analysis.flips import widened_range
from engine.analysis.simulate import held_fixed
from engine.evaluation.evaluate import Evaluation
from engine.evaluation.explain import argument_name, substitution_parts
from engine.evaluation.semantics import TOLERANCE
from engine.formula.tree import Node, to_sympy
from engine.knowledge.knowledge_base import KnowledgeBase
from engine.knowledge.scenario import DEFAULTS, resolve_scenario
from engine.knowledge.settings import physical_bounds, written_setting
from engine.knowledge.voices import speakers
from engine.site.analysis import SAMPLES, SEED
from engine.site.formula_products import javascript, vector_javascript

if TYPE_CHECKING:
    from engine.knowledge.loader import Formula
    from engine.knowledge.schema import Figure

__all__ = [
    "ABSURD_FACTOR",
    "MODEL_VERSION",
    "SLIDER_MARGIN",
    "absurd_limit",
    "figure_bounds",
    "model_data",
    "model_script",
    "search_data",
    "slider_bounds",
    "substitution_parts",
]

MODEL_VERSION = 3

CHANCE_SAMPLES = SAMPLES
"""Draws per P(holds) in the browser: the build's, so the panel's numbers have its standard errors."""
CHANCE_SEED = SEED
"""The panel's seed when the link gives none: the build's, the same on every page."""

ABSURD_FACTOR = 1e12
"""The panel refuses a number whose magnitude exceeds this many times the figure's scale
(the largest of |range low|, |range high|, |value| and 1): such input is a typo, and it would
only produce overflow."""

SLIDER_MARGIN = 0.5
"""Sliders run over the figure's range widened by this fraction of its width on each side."""


def figure_bounds(figure: Figure) -> tuple[float | None, float | None]:
    """The figure's physical bounds (`physical_bounds`, the engine's one rule) as the panel reads
    them: (lower, upper), None where open. The panel and its tipping-point search use these."""
    lower, upper = physical_bounds(figure)
    return (lower if math.isfinite(lower) else None), (upper if math.isfinite(upper) else None)


def absurd_limit(figure: Figure) -> float:
    """Magnitudes above this are refused as input (see `ABSURD_FACTOR`)."""
    scale = max(abs(figure.numeric_value()), 1.0)
    if figure.range is not None:
        scale = max(scale, abs(figure.range[0]), abs(figure.range[1]))
    return ABSURD_FACTOR * scale


def slider_bounds(figure: Figure) -> tuple[float, float]:
    """The slider's (min, max): the range plus a margin, clipped to the figure's bounds."""
    value = figure.numeric_value()
    low, high = figure.range if figure.range is not None else (value, value)
    width = high - low
    margin = width * SLIDER_MARGIN if width > 0 else max(abs(value), 1.0)
    start, stop = low - margin, high + margin
    lower, upper = figure_bounds(figure)
    if lower is not None:
        start = max(start, lower)
    if upper is not None:
        stop = min(stop, upper)
    if not start < stop:  # a degenerate range pinned at a bound
        stop = start + max(abs(start), 1.0)
    return _clean(start), _clean(stop)


def _clean(value: float) -> float:
    """Round slider ends to 12 significant digits so 0.1 * 3 shows as 0.3."""
    return float(f"{value:.12g}")


def _figure(figure: Figure) -> dict[str, Any]:
    lower, upper = figure_bounds(figure)
    entry: dict[str, Any] = {
        "label": figure.label,
        "unit": figure.unit,
        "kind": figure.kind,
        "value": written_setting(figure, figure.setting),
        "range": list(figure.range) if figure.range is not None else None,
        "minimum": lower,
        "maximum": upper,
        "choices": list(figure.choices) if figure.choices is not None else None,
    }
    if figure.kind == "number":
        # what crux-uncertainty.js needs to sample the figure, and to recompute its physical
        # bounds (`physical_bounds`) when the reader gives it another range
        entry["distribution"] = figure.distribution
        entry["declared_minimum"] = figure.minimum
        entry["declared_maximum"] = figure.maximum
        entry["slider"] = list(slider_bounds(figure))
        entry["absurd"] = absurd_limit(figure)
        entry["search"] = search_data(figure)
    return entry


def search_data(figure: Figure) -> dict[str, Any]:
    """Where `static/crux-tipping.js` looks for tipping points, as `crux flips` does
    (`engine.analysis.flips.search_interval`): the widened range, or None to search around the
    current value. It clips the interval to the figure's ``minimum`` and ``maximum``."""
    widened = widened_range(figure)
    return {"range": list(widened) if widened is not None else None}


def _scenarios(kb: KnowledgeBase) -> dict[str, Any]:
    """Each KB scenario as the difference it makes to the figures' own values, fully resolved."""
    out: dict[str, Any] = {}
    defaults = resolve_scenario(kb, DEFAULTS)
    for sid, scenario in kb.scenarios.items():
        resolved = resolve_scenario(kb, sid)
        out[sid] = {
            "label": scenario.label,
            "set": {
                fid: written_setting(kb.figures[fid], value)
                for fid, value in sorted(resolved.settings.items())
                if value != defaults.settings[fid]
            },
            "assume": dict(resolved.assumptions),
            "fixed": sorted(held_fixed(kb, resolved)),
        }
    return out


def model_data(kb: KnowledgeBase, evaluations: Any = None) -> dict[str, Any]:
    """Everything the panel needs except the compiled functions, as JSON-ready data.

    ``evaluations`` (optional: a mapping or an iterable of `Evaluation`) adds the labels the
    build computed for each scenario, which the tests and the panel's self-check compare with.
    """
    claims: dict[str, Any] = {}
    for cid, claim in kb.claims.items():
        condition = kb.conditions.get(cid)
        claims[cid] = {
            "text": claim.text,
            "assumed": claim.assumed,
            "holds_when": claim.holds_when,
            "parts": substitution_parts(kb, claim.holds_when) if claim.holds_when else None,
            "inputs": list(condition.names) if condition is not None else [],
        }
    calculators = {
        cid: {
            "label": calc.label,
            "unit": calc.unit,
            "formula": calc.formula,
            "parts": substitution_parts(kb, calc.formula),
            "inputs": list(kb.formulas[cid].names),
        }
        for cid, calc in kb.calculators.items()
    }
    arguments = {
        aid: {
            "label": arg.label,
            "name": argument_name(kb, aid),
            "premises": list(arg.premises),
            "conclusion": arg.conclusion,
            "stance": arg.stance,
            "weight": float(arg.weight),
            "undercuts": arg.undercuts,
        }
        for aid, arg in kb.arguments.items()
    }
    data: dict[str, Any] = {
        "version": MODEL_VERSION,
        "tolerance": TOLERANCE,
        "figures": {fid: _figure(fig) for fid, fig in kb.figures.items()},
        "calculators": calculators,
        "calculator_order": list(kb.calculator_order),
        "claims": claims,
        "arguments": arguments,
        "scenarios": _scenarios(kb),
        "defaults": DEFAULTS,
        "defaults_fixed": sorted(held_fixed(kb, resolve_scenario(kb, DEFAULTS))),
        "chance": {"samples": CHANCE_SAMPLES, "seed": CHANCE_SEED},
        "speakers": _speakers(kb),
    }
    if kb.correlations:
        # [a, b, rank] per declared correlation: crux-uncertainty.js imposes those whose two
        # figures the state samples, as `sampling.effective_correlations` does
        data["correlations"] = [
            [corr.figures[0], corr.figures[1], float(corr.rank)]
            for corr in kb.correlations.values()
        ]
    items = _evaluations(evaluations)
    labels = {
        ev.scenario.name: dict(sorted(ev.claims.items()))
        for ev in items
        if not ev.scenario.overridden
    }
    if labels:
        data["labels"] = labels
    builds = _builds(kb, items)
    if builds:
        data["builds"] = builds
    return data


def _speakers(kb: KnowledgeBase) -> dict[str, Any]:
    """Per speaker: the claims they put forward and the figures that move them (the figures they
    state and every figure upstream of their claims and arguments), for the panel's filter."""
    out: dict[str, Any] = {}
    for speaker in speakers(kb).values():
        claims = speaker.ids("claim")
        figures = set(speaker.ids("figure"))
        starts = claims + speaker.ids("argument")
        for item in starts:
            figures |= {n for n in nx.ancestors(kb.graph, item) if n in kb.figures}
        out[speaker.slug] = {
            "name": speaker.name,
            "claims": claims,
            "figures": sorted(figures),
        }
    return out


def _evaluations(evaluations: Any) -> list[Evaluation]:
    if evaluations is None:
        return []
    items = evaluations.values() if isinstance(evaluations, Mapping) else evaluations
    return [ev for ev in items if isinstance(ev, Evaluation)]


def _builds(kb: KnowledgeBase, evaluations: list[Evaluation]) -> dict[str, Any]:
    """Settings of a build that is not a plain KB scenario (`--set`, `--assume`, a scenario file),
    as overrides on a KB scenario, so the panel starts from exactly what the pages show."""
    out: dict[str, Any] = {}
    for ev in evaluations:
        name = ev.scenario.name
        if not ev.scenario.overridden and (name == DEFAULTS or name in kb.scenarios):
            continue
        base = name if name in kb.scenarios else DEFAULTS
        plain = resolve_scenario(kb, base)
        out[name] = {
            "scenario": base,
            "set": {
                fid: written_setting(kb.figures[fid], value)
                for fid, value in sorted(ev.scenario.settings.items())
                if value != plain.settings[fid]
            },
            "assume": {
                cid: holds
                for cid, holds in sorted(ev.scenario.assumptions.items())
                if plain.assumptions.get(cid) != holds
            },
            # figures `crux simulate` holds at their value under this build (`held_fixed`)
            "fixed": sorted(held_fixed(kb, ev.scenario)),
        }
    return out


def _given_setting(name: str, tree: Node, formula: Formula) -> str:
    """``["figure", function(v){...}]``: one `given:` setting as the panel applies it."""
    # Imported here: a warm build of a map without `given:` never needs sympy (see
    # formula_products).
    from engine.formula.to_js import js_function_source

    expr = to_sympy(tree)
    source = js_function_source(expr, sorted(tree.symbols()), unbounded=formula.unbounded)
    return f"[{_json(name)}, {source}]"


def _json(value: Any) -> str:
    return json.dumps(
        value, sort_keys=True, ensure_ascii=True, allow_nan=False, separators=(",", ":")
    )


def threshold_script(kb: KnowledgeBase) -> str:
    """The other side of each calculator's thresholds (`engine.site.histogram`) as JavaScript
    functions of the reader's values, for the histograms; the body of model.js's `thresholds`."""
    from engine.formula.to_js import js_function_source
    from engine.site.histogram import calculator_thresholds

    numbers = {fid: fig.numeric_value() for fid, fig in kb.figures.items()}
    # Each function carries the claim and the comparison it belongs to: the panel's histograms
    # mark the thresholds of every calculator, not only of the page's own.
    return ",\n".join(
        f"    {_json(t.key)}: Object.assign({js_function_source(t.side, t.names)}, "
        f"{_json({'claim': t.claim, 'op': t.op})})"
        for _, found in sorted(calculator_thresholds(kb, numbers).items())
        for t in found
    )


def model_script(kb: KnowledgeBase, evaluations: Any = None, thresholds: str | None = None) -> str:
    """`static/model.js`: sets ``CruxModel`` = {data, calculators, conditions, vector} on the page.

    Functions take ``v`` (every figure and calculator value by id, each in its declared unit)
    and use ``R = CruxRuntime.R``, so ``crux-runtime.js`` must be loaded first. ``thresholds``
    is `threshold_script`'s output when the caller keeps it (the build caches it).
    """
    data = model_data(kb, evaluations)
    _check_finite(data)
    calculators = ",\n".join(
        f"    {_json(cid)}: {javascript(kb.formulas[cid])}" for cid in kb.calculator_order
    )
    conditions = ",\n".join(
        f"    {_json(cid)}: {javascript(formula)}" for cid, formula in sorted(kb.conditions.items())
    )
    if thresholds is None:
        thresholds = threshold_script(kb)
    vector_calculators = ",\n".join(
        f"    {_json(cid)}: {vector_javascript(kb.formulas[cid])}" for cid in kb.calculator_order
    )
    vector_conditions = ",\n".join(
        f"    {_json(cid)}: {vector_javascript(formula)}"
        for cid, formula in sorted(kb.conditions.items())
    )
    # A claim's `given:` settings, each a function of the scenario's values, applied in order.
    given = ",\n".join(
        f"    {_json(cid)}: ["
        + ", ".join(_given_setting(name, tree, formula) for name, tree in formula.given)
        + "]"
        for cid, formula in sorted(kb.conditions.items())
        if formula.given
    )
    return (
        "/* crux what-if model: generated by `crux build` from the knowledge base; do not edit.\n"
        " * Formulas are compiled from the engine's sympy trees by engine/formula/to_js.py. */\n"
        "(function (root) {\n"
        '  "use strict";\n'
        "  var R = root.CruxRuntime.R;\n"
        "  root.CruxModel = {\n"
        f"  data: {_json(data)},\n"
        f"  calculators: {{\n{calculators}\n  }},\n"
        f"  conditions: {{\n{conditions}\n  }},\n"
        "  /* the same formulas over n samples at once (crux-uncertainty.js) */\n"
        f"  vector: {{calculators: {{\n{vector_calculators}\n  }}, conditions: {{\n"
        f"{vector_conditions}\n  }}}},\n"
        f"  thresholds: {{\n{thresholds}\n  }},\n"
        f"  given: {{\n{given}\n  }}\n"
        "  };\n"
        '})(typeof globalThis !== "undefined" ? globalThis : this);\n'
    )


def _check_finite(value: Any) -> None:
    """Figures are validated finite by the schema; fail loudly rather than write `NaN` JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"non-finite number in the what-if model: {value}")
    if isinstance(value, dict):
        for item in value.values():
            _check_finite(item)
    elif isinstance(value, list):
        for item in value:
            _check_finite(item)
