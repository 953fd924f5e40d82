"""Sensitivity: a tornado per claim, ranking figures by how far they move its deciding margin.

**Deciding margin.** A comparison ``lhs > rhs`` (or ``>=``) has margin ``lhs - rhs``; ``lhs < rhs``
(or ``<=``) has ``rhs - lhs``: positive means the comparison holds, and it flips at 0. The margin
is shown in the declared unit of a side that is a single figure or calculator (else in the unit
the left side computes to). For a condition built with ``and``/``or``/``not``, the comparison
that decides is chosen at the scenario's values by comparing *relative* margins
``margin / (|lhs| + |rhs|)`` (units differ between comparisons): ``and`` takes the smallest
(when it holds, the first to fail; when it fails, the one failing worst), ``or`` the largest,
``not`` flips the sign. Lens tests (``lens == 'x'``) have no margin: when one of them decides,
the tornado has no margin and shows labels only. Claims decided through arguments also have
no margin of their own; their tornado shows the label at each end of each figure's range.

**Sweep.** Each number figure with a range moves over its 90% range, clipped to its physical
bounds (others at the scenario's values). A bar records the margin at the low and high ends,
its smallest and largest value over the sweep (65 points, log-spaced for lognormal figures),
the labels at both ends, and every point inside the range where the claim's label changes
(found as in `engine.analysis.flips`). Bars are ranked by swing (largest minus smallest margin);
without a margin, figures that flip the label come first. Figures without a range, switches
and lenses are listed as not swept.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from engine.analysis.map_probe import MapProbe, claims_by_figure, numeric_claims
from engine.evaluation.semantics import LABEL_NAMES
from engine.formula.to_numpy import numpy_function
from engine.knowledge.knowledge_base import KnowledgeBase
from engine.knowledge.scenario import ScenarioInput
from engine.knowledge.settings import physical_bounds

if TYPE_CHECKING:
    # Imported where a tornado is computed: unpickling a cached one (the site's warm build)
    # needs neither sympy nor pint.
    import pint
    import sympy

SWEEP_POINTS = 65


@dataclass(frozen=True)
class Bar:
    """One figure swept over its range: the claim's margin and label at each end."""

    figure: str
    unit: str
    low: float
    high: float
    now: float
    margin_low: float | None
    margin_high: float | None
    margin_min: float | None
    margin_max: float | None
    label_low: str
    label_high: str
    crossings: tuple[float, ...]
    """Values inside the range where the claim's label changes."""

    @property
    def flips(self) -> bool:
        return bool(self.crossings) or self.label_low != self.label_high

    @property
    def swing(self) -> float:
        """Largest minus smallest margin over the sweep (NaN without a margin)."""
        if self.margin_min is None or self.margin_max is None:
            return math.nan
        return self.margin_max - self.margin_min

    def to_json(self) -> dict[str, Any]:
        return {
            "figure": self.figure,
            "unit": self.unit,
            "low": self.low,
            "high": self.high,
            "now": self.now,
            "margin_low": self.margin_low,
            "margin_high": self.margin_high,
            "margin_min": self.margin_min,
            "margin_max": self.margin_max,
            "swing": None if math.isnan(self.swing) else self.swing,
            "label_low": self.label_low,
            "label_high": self.label_high,
            "flips": self.flips,
            "crossings": list(self.crossings),
        }


@dataclass(frozen=True)
class Tornado:
    """A claim's ranked bars, with the comparison whose margin they measure."""

    claim: str
    label: str
    comparison: str | None
    margin_unit: str | None
    margin_now: float | None
    bars: tuple[Bar, ...]
    not_swept: tuple[str, ...]
    """Figures the claim depends on that have no range, and switches and lenses."""

    def to_json(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "label": self.label,
            "comparison": self.comparison,
            "margin_unit": self.margin_unit,
            "margin_now": self.margin_now,
            "bars": [bar.to_json() for bar in self.bars],
            "not_swept": list(self.not_swept),
        }


@dataclass(frozen=True)
class _Decisive:
    relation: sympy.Basic
    sign: int


@cache
def _order() -> dict[type, int]:
    """The direction of each strict and non-strict comparison."""
    import sympy

    return {
        sympy.StrictGreaterThan: 1,
        sympy.GreaterThan: 1,
        sympy.StrictLessThan: -1,
        sympy.LessThan: -1,
    }


def _evaluate(expr: sympy.Basic, values: Mapping[str, Any]) -> float:
    names = sorted(str(s) for s in expr.free_symbols)
    inputs = {name: np.array([float(values[name])]) for name in names}
    return float(numpy_function(expr, names)(inputs)[0])


def _decisive(expr: sympy.Basic, values: Mapping[str, Any]) -> tuple[_Decisive, float] | None:
    """The comparison deciding a condition at ``values``, with its relative margin."""
    import sympy

    if type(expr) in _order():
        sign = _order()[type(expr)]
        lhs, rhs = _evaluate(expr.lhs, values), _evaluate(expr.rhs, values)
        scale = abs(lhs) + abs(rhs)
        relative = sign * (lhs - rhs) / scale if scale > 0 else 0.0
        return _Decisive(expr, sign), relative
    if isinstance(expr, sympy.Not):
        inner = _decisive(expr.args[0], values)
        if inner is None:
            return None
        child, relative = inner
        return _Decisive(child.relation, -child.sign), -relative
    if isinstance(expr, (sympy.And, sympy.Or)):
        is_and = isinstance(expr, sympy.And)
        options: list[tuple[_Decisive, float]] = []
        for arg in expr.args:
            found = _decisive(arg, values)
            if found is not None:
                options.append(found)
                continue
            truth = _evaluate(arg, values)
            # A lens test that alone settles the condition leaves no margin to measure.
            if (is_and and truth == 0.0) or (not is_and and truth == 1.0):
                return None
        if not options:
            return None
        undefined = [option for option in options if math.isnan(option[1])]
        if undefined:
            return undefined[0]
        pick = min if is_and else max
        return pick(options, key=lambda option: option[1])
    return None


def _raw_relation(kb: KnowledgeBase, claim: str, relation: sympy.Basic) -> sympy.Basic | None:
    """The author's form of a comparison of the converted condition (matched by names)."""
    import sympy

    from engine.formula.compiled import ChoiceLabel, QuantityLiteral

    wanted = {str(s) for s in relation.free_symbols}
    for node in sympy.preorder_traversal(kb.conditions[claim].raw):
        if isinstance(node, sympy.core.relational.Relational):
            names = {
                str(s)
                for s in node.free_symbols
                if not isinstance(s, (ChoiceLabel, QuantityLiteral))
            }
            if names == wanted and type(node) is type(relation):
                return node
    return None


def _pint_unit(kb: KnowledgeBase, expr: sympy.Basic) -> pint.Unit:
    """The unit an author-form expression computes to."""
    import sympy

    from engine.formula import units
    from engine.formula.compiled import ChoiceLabel, QuantityLiteral

    plain = cast("pint.Unit", units.registry().dimensionless)
    if isinstance(expr, ChoiceLabel):
        return plain
    if isinstance(expr, QuantityLiteral):
        return units.parse_unit(expr.unit_text)
    if isinstance(expr, sympy.Symbol):
        name = expr.name
        if name in kb.figures and kb.figures[name].kind != "number":
            return plain
        return units.parse_unit(kb.unit_of(name))
    if isinstance(expr, sympy.Number):
        return plain
    if isinstance(expr, sympy.Mul):
        unit = plain
        for arg in expr.args:
            unit = cast("pint.Unit", unit * _pint_unit(kb, arg))
        return unit
    if isinstance(expr, sympy.Pow) and isinstance(expr.exp, sympy.Number):
        return cast("pint.Unit", _pint_unit(kb, expr.base) ** float(expr.exp))
    if isinstance(expr, sympy.Piecewise):
        return _pint_unit(kb, expr.args[0][0])
    if isinstance(expr, (sympy.Add, sympy.Min, sympy.Max, sympy.Abs)):
        for arg in expr.args:
            if not (isinstance(arg, sympy.Number) and arg == 0):
                return _pint_unit(kb, arg)
    return plain


def _margin_unit(
    kb: KnowledgeBase, raw: sympy.Basic | None, relation: sympy.Basic
) -> tuple[str, float]:
    """Display unit of a comparison's margin, and the factor from base units to it."""
    import sympy

    from engine.formula import units
    from engine.formula.compiled import ChoiceLabel, QuantityLiteral

    if raw is not None:
        for side in (raw.lhs, raw.rhs):
            if isinstance(side, sympy.Symbol) and not isinstance(
                side, (ChoiceLabel, QuantityLiteral)
            ):
                name = side.name
                if name not in kb.figures or kb.figures[name].kind == "number":
                    unit = kb.unit_of(name)
                    return unit, units.base_factor(units.parse_unit(unit))
        pint_unit = _pint_unit(kb, raw.lhs)
    else:
        pint_unit = units.registry().dimensionless
    return units.format_unit(pint_unit) or "dimensionless", units.base_factor(pint_unit)


def _sweep_grid(figure_range: tuple[float, float], lognormal: bool, now: float) -> np.ndarray:
    low, high = figure_range
    if lognormal and low > 0:
        grid = np.geomspace(low, high, SWEEP_POINTS)
    else:
        grid = np.linspace(low, high, SWEEP_POINTS)
    grid[0], grid[-1] = low, high
    inside = [now] if low < now < high else []
    return np.unique(np.concatenate([grid, inside]))


def sensitivity(
    kb: KnowledgeBase,
    scenario: ScenarioInput,
    claims: list[str] | None = None,
    probe: MapProbe | None = None,
) -> dict[str, Tornado]:
    """A tornado for every claim decided by numbers (or for ``claims``), in claim-id order.

    ``probe``: a `MapProbe` of the same knowledge base and scenario, shared with `find_flips`.
    """
    probe = probe if probe is not None else MapProbe(kb, scenario)
    wanted = numeric_claims(kb, scenario, probe)
    if claims is not None:
        wanted = [cid for cid in wanted if cid in set(claims)]
    rows = {cid: row for row, cid in enumerate(probe.claim_ids)}
    constants = {**probe.now, **probe.evaluation.calculators}

    margins: dict[str, tuple[_Decisive, str, float, str] | None] = {}
    for cid in wanted:
        condition = kb.conditions.get(cid)
        found = None
        if condition is not None and cid not in scenario.assumptions:
            found = _decisive(condition.base, constants)
        if found is None:
            margins[cid] = None
            continue
        decisive = found[0]
        raw = _raw_relation(kb, cid, decisive.relation)
        unit, factor = _margin_unit(kb, raw, decisive.relation)
        text = str(raw) if raw is not None else str(decisive.relation)
        margins[cid] = (decisive, unit, factor, text)

    functions: dict[sympy.Basic, tuple[Any, list[str]]] = {}

    def side(expr: sympy.Basic, values: Mapping[str, Any], n: int) -> np.ndarray:
        if expr not in functions:
            names = sorted(str(s) for s in expr.free_symbols)
            functions[expr] = numpy_function(expr, names), names
        function, names = functions[expr]
        # Only the names the side reads; one array of length n still sets the length of a
        # side without names (a constant).
        inputs = {k: np.broadcast_to(np.asarray(values[k], dtype=float), (n,)) for k in names}
        return np.asarray(function(inputs or {"": np.zeros(n)}))

    def margin_of(cid: str, values: Mapping[str, Any], n: int) -> np.ndarray | None:
        entry = margins[cid]
        if entry is None:
            return None
        decisive, _, factor, _ = entry
        lhs = side(decisive.relation.lhs, values, n)
        rhs = side(decisive.relation.rhs, values, n)
        margin = lhs - rhs
        # Unit conversion leaves rounding noise where the sides are equal: show it as 0.
        margin[np.abs(margin) <= 1e-12 * (np.abs(lhs) + np.abs(rhs))] = 0.0
        return np.asarray(decisive.sign * margin / factor)

    bars: dict[str, list[Bar]] = {cid: [] for cid in wanted}
    not_swept: dict[str, list[str]] = {cid: [] for cid in wanted}
    users_of = claims_by_figure(wanted, probe.claim_figures)
    for fid in sorted(users_of):
        figure = kb.figures[fid]
        users = users_of[fid]
        if figure.kind != "number" or figure.range is None:
            for cid in users:
                not_swept[cid].append(fid)
            continue
        lower, upper = physical_bounds(figure)
        low, high = max(figure.range[0], lower), min(figure.range[1], upper)
        now = probe.now[fid]
        grid = _sweep_grid((low, high), figure.distribution == "lognormal", now)
        values = probe.values(fid, grid)
        labels = probe.labels(fid, np.array([low, high]))
        scan = probe.scan(fid, (low, high)) if high > low else None
        for cid in users:
            margin = margin_of(cid, values, grid.size)
            crossings = tuple(at for at, *_ in scan.crossings(cid)) if scan is not None else ()
            stats: list[float | None] = [None, None, None, None]
            if margin is not None:
                defined = margin[~np.isnan(margin)]
                stats = [
                    _number(margin[0]),
                    _number(margin[-1]),
                    float(defined.min()) if defined.size else None,
                    float(defined.max()) if defined.size else None,
                ]
            bars[cid].append(
                Bar(
                    figure=fid,
                    unit=figure.unit,
                    low=low,
                    high=high,
                    now=now,
                    margin_low=stats[0],
                    margin_high=stats[1],
                    margin_min=stats[2],
                    margin_max=stats[3],
                    label_low=LABEL_NAMES[int(labels[rows[cid], 0])],
                    label_high=LABEL_NAMES[int(labels[rows[cid], 1])],
                    crossings=crossings,
                )
            )

    result: dict[str, Tornado] = {}
    for cid in wanted:
        entry = margins[cid]
        margin_now = None
        if entry is not None:
            now_values = margin_of(cid, constants, 1)
            margin_now = _number(now_values[0]) if now_values is not None else None
        ranked = sorted(bars[cid], key=_rank)
        result[cid] = Tornado(
            claim=cid,
            label=probe.evaluation.claims[cid],
            comparison=entry[3] if entry is not None else None,
            margin_unit=entry[1] if entry is not None else None,
            margin_now=margin_now,
            bars=tuple(ranked),
            not_swept=tuple(not_swept[cid]),
        )
    return result


def _number(value: float) -> float | None:
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


def _rank(bar: Bar) -> tuple[float, int, str]:
    swing = bar.swing
    return (-swing if not math.isnan(swing) else math.inf, 0 if bar.flips else 1, bar.figure)
