"""Tipping points: the values of one figure at which a claim's label changes.

For every claim whose label depends on numbers (through `holds_when`, or through arguments whose
premises do) and every figure upstream of it, the figure is moved across a search interval
while every other figure keeps the scenario's value.

**Search interval** (`search_interval`). A figure with a range is widened tenfold about its
centre: ``centre ± 10 × half-width`` in linear space, or, for a ``lognormal`` figure, the same
in log space (geometric centre, ``×/÷ (high/low)^5``), so that a positive, skewed quantity is
searched over orders of magnitude without reaching zero. A figure without a range is searched
over ``[value/10, value×10]`` (``[10·value, value/10]`` if negative; ``[-1, 1]`` if zero). The
interval always contains the scenario's value, and is clipped to the figure's physical bounds
(`physical_bounds`: ``minimum``/``maximum``, and 0 for positive figures).

**Method.** A label only changes where one of the comparisons it depends on changes truth or
becomes undefined. Every comparison ``lhs op rhs`` gives ``g = lhs - rhs`` as a function of the
figure (calculators substituted, other figures at their values):

1. *exact*: when ``g`` is a rational function whose numerator and denominator have degree at
   most 4 in the figure, sympy gives every real root of both (denominator roots are where ``g``
   is undefined); this always finishes quickly, so no wall-clock limit is needed;
2. *numeric* otherwise (``min``, ``max``, ``abs``, ``log``, ``if``/``else``, high degree):
   ``g`` is evaluated on a grid of ~250 points (half linear, half log-spaced) and every sign
   change is refined with scipy's ``brentq``, every change between defined and undefined by
   bisection.

The labels of all claims are then evaluated (vectorised) between consecutive candidates; a
candidate is a tipping point of a claim when the labels on its two sides differ. As a safety
net, any label change between grid points that no candidate explains is located by bisection on
the label itself. Choice figures and switches are enumerated: the label under each option.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import networkx as nx
import numpy as np
import sympy

from engine.analysis.sampling import physical_bounds
from engine.evaluate import compiled, condition_labels, evaluate, fixed_labels
from engine.formatting import format_number, format_quantity
from engine.graph import upstream
from engine.loader import KnowledgeBase
from engine.scenario import ScenarioInput, numeric_setting
from engine.schema import Figure
from engine.semantics import LABEL_NAMES, Relabeller

WIDEN = 10.0
"""The search interval is the figure's range widened this many times."""

GRID = 128
"""Points per half of the scan grid (linear and log-spaced)."""

MAX_DEGREE = 4
"""Highest polynomial degree solved exactly; above it the numeric method is used."""

MAX_OPS = 400
"""Expressions larger than this (sympy operation count) are solved numerically."""

_REL_TOL = 1e-13  # bisection stops when the bracket is this small relative to its ends
_BRENTQ_RTOL = 4 * float(np.finfo(float).eps)
_CHECK_REL = 1e-10  # candidates are checked this far (relative) on either side
_FIGURE = frozenset({"figure"})

NumericFunction = Callable[[Mapping[str, Any]], np.ndarray]


def widened_range(figure: Figure) -> tuple[float, float] | None:
    """The figure's range widened `WIDEN` times (in log space for a lognormal), or None."""
    if figure.range is None or not figure.range[1] > figure.range[0]:
        return None
    low, high = figure.range
    if figure.distribution == "lognormal" and low > 0:
        centre, half = math.sqrt(low * high), math.log(high / low) / 2
        return centre * math.exp(-WIDEN * half), centre * math.exp(WIDEN * half)
    centre, half = (low + high) / 2, (high - low) / 2
    return centre - WIDEN * half, centre + WIDEN * half


def search_interval(figure: Figure, now: float) -> tuple[float, float]:
    """Where tipping points of ``figure`` are looked for (see the module docstring)."""
    widened = widened_range(figure)
    if widened is not None:
        a, b = widened
    elif now > 0:
        a, b = now / WIDEN, now * WIDEN
    elif now < 0:
        a, b = now * WIDEN, now / WIDEN
    else:
        a, b = -1.0, 1.0
    a, b = min(a, now), max(b, now)
    lower, upper = physical_bounds(figure)
    return max(a, lower), min(b, upper)


# --- results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Crossing:
    """A tipping point: the claim's label is ``label_below`` just below ``at``, ``label_above`` above."""

    claim: str
    figure: str
    at: float
    unit: str
    label_below: str
    label_above: str
    now: float
    exact: bool
    """True when ``at`` is a root found symbolically, False when found numerically."""
    label_now: str = ""
    """The claim's label at the current value (tells the side when ``now`` is at the crossing)."""

    @property
    def rising(self) -> bool:
        """Whether reaching the crossing means the figure rising from its current value."""
        if math.isclose(self.now, self.at, rel_tol=1e-9, abs_tol=1e-300):
            return self.label_now != self.label_above
        return self.now < self.at

    @property
    def direction(self) -> str:
        """E.g. ``fails if gpu_hour_usd > 4.1 USD/GPU/hour``, pointing away from the current value."""
        at = format_quantity(self.at, self.unit)
        if self.rising:
            return f"{self.label_above} if {self.figure} > {at}"
        return f"{self.label_below} if {self.figure} < {at}"

    @property
    def sentence(self) -> str:
        """E.g. ``fails if gpu_hour_usd rises above 4.1 USD/GPU/hour (now 2.35)``."""
        at = format_quantity(self.at, self.unit)
        now = format_number(self.now)
        if self.rising:
            return f"{self.label_above} if {self.figure} rises above {at} (now {now})"
        return f"{self.label_below} if {self.figure} falls below {at} (now {now})"

    def to_json(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "figure": self.figure,
            "at": self.at,
            "unit": self.unit,
            "label_below": self.label_below,
            "label_above": self.label_above,
            "now": self.now,
            "exact": self.exact,
            "text": self.sentence,
        }


@dataclass(frozen=True)
class Steady:
    """A figure across whose whole search interval the claim keeps one label."""

    claim: str
    figure: str
    interval: tuple[float, float]
    unit: str
    label: str
    now: float

    @property
    def sentence(self) -> str:
        low, high = (format_number(x) for x in self.interval)
        unit = f" {self.unit}" if self.unit not in ("", "1", "dimensionless") else ""
        return f"does not flip within [{low}, {high}]{unit}: {self.label} throughout"

    def to_json(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "figure": self.figure,
            "flips": False,
            "interval": list(self.interval),
            "unit": self.unit,
            "label": self.label,
            "now": self.now,
        }


@dataclass(frozen=True)
class OptionLabels:
    """The claim's label under each option of a choice figure or switch."""

    claim: str
    figure: str
    options: Mapping[str, str]
    now: str

    @property
    def flips(self) -> bool:
        return len(set(self.options.values())) > 1

    @property
    def sentence(self) -> str:
        return ", ".join(f"{name} → {label}" for name, label in self.options.items())

    def to_json(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "figure": self.figure,
            "options": dict(self.options),
            "now": self.now,
        }


@dataclass(frozen=True)
class ClaimFlips:
    """Everything found for one claim, by figure id."""

    claim: str
    label: str
    crossings: tuple[Crossing, ...]
    steady: tuple[Steady, ...]
    options: tuple[OptionLabels, ...]

    def entries(self) -> list[Crossing | Steady | OptionLabels]:
        items: list[Crossing | Steady | OptionLabels] = [
            *self.crossings,
            *self.steady,
            *self.options,
        ]
        return sorted(items, key=lambda e: (e.figure, getattr(e, "at", 0.0)))


@dataclass(frozen=True)
class FlipReport:
    """Tipping points of every claim decided by numbers, under one scenario."""

    scenario: str
    claims: Mapping[str, ClaimFlips]
    now: Mapping[str, float] = field(repr=False)
    """Each figure's numeric value in the scenario (a choice's option index)."""

    def nearest(
        self, claim: str, settings: Mapping[str, float | str] | None = None
    ) -> Crossing | None:
        """The tipping point closest to the current values, by relative change of the figure.

        ``settings`` (figure → setting) gives the current values; by default the report's own.
        The crossings themselves were found with the other figures at the report's scenario.
        """
        flips = self.claims.get(claim)
        if flips is None or not flips.crossings:
            return None

        def distance(c: Crossing) -> float:
            now = (
                c.now if settings is None or c.figure not in settings else float(settings[c.figure])
            )
            scale = abs(now) if now != 0 else 1.0
            return abs(c.at - now) / scale

        return min(flips.crossings, key=lambda c: (distance(c), c.figure, c.at))

    def to_json(self) -> list[dict[str, Any]]:
        """The JSON shape of `crux flips --format json` (docs/analysis.md)."""
        return [entry.to_json() for flips in self.claims.values() for entry in flips.entries()]


# --- the map seen as a function of one figure ---------------------------------------------


def _relations(expr: sympy.Basic) -> list[sympy.Basic]:
    return [
        node
        for node in sympy.preorder_traversal(expr)
        if isinstance(node, sympy.core.relational.Relational)
    ]


def _rational(expr: sympy.Basic) -> sympy.Basic:
    """Floats as exact rationals, so sympy solves exactly (and cancels conversion factors)."""
    floats = expr.atoms(sympy.Float)
    return expr.xreplace({f: sympy.Rational(f) for f in floats}) if floats else expr


def _exact(value: float) -> sympy.Basic:
    if math.isnan(value):
        return sympy.nan
    if value.is_integer() and abs(value) < 2**53:
        return sympy.Integer(int(value))
    return sympy.Rational(value)


@dataclass(frozen=True)
class _Atom:
    """One comparison ``lhs op rhs`` anywhere in a condition or calculator: ``g = lhs - rhs``."""

    g: sympy.Basic
    function: NumericFunction
    figures: frozenset[str]


@dataclass(frozen=True)
class Scan:
    """One figure swept over an interval: candidate points and each claim's label between them.

    ``segments[claim][i]`` is the claim's label (1/-1/0) between ``points[i-1]`` and
    ``points[i]`` (with the interval's ends before the first and after the last point).
    """

    figure: str
    interval: tuple[float, float]
    points: tuple[float, ...]
    exact: tuple[bool, ...]
    segments: Mapping[str, np.ndarray]

    def crossings(self, claim: str) -> list[tuple[float, int, int, bool]]:
        """(at, label below, label above, exact) for each point where the claim's label changes."""
        labels = self.segments[claim]
        return [
            (at, int(labels[i]), int(labels[i + 1]), exact)
            for i, (at, exact) in enumerate(zip(self.points, self.exact, strict=True))
            if labels[i] != labels[i + 1]
        ]


class MapProbe:
    """The knowledge base as a function of one figure, the others held at the scenario's values.

    Shared by tipping points and sensitivity. Evaluation is vectorised and only recomputes the
    calculators and conditions downstream of the figure that moves.
    """

    def __init__(self, kb: KnowledgeBase, scenario: ScenarioInput) -> None:
        self.kb = kb
        self.scenario = scenario
        self.now = {
            fid: numeric_setting(fig, scenario.settings[fid]) for fid, fig in kb.figures.items()
        }
        self.evaluation = evaluate(kb, scenario)
        model = compiled(kb)
        self._calculators = dict(model.calculators)
        self._conditions = dict(model.conditions)
        self.claim_ids = tuple(kb.claims)

        figure_deps: dict[str, frozenset[str]] = {fid: frozenset({fid}) for fid in kb.figures}
        for cid in kb.calculator_order:
            names = kb.formulas[cid].names
            figure_deps[cid] = frozenset().union(*(figure_deps[name] for name in names))
        self._figure_deps = figure_deps
        self.claim_figures = _figures_upstream(kb)

        atoms: dict[sympy.Basic, _Atom] = {}
        sources = [kb.formulas[cid].expr for cid in kb.calculator_order]
        sources += [condition.expr for _, condition in sorted(kb.conditions.items())]
        for expr in sources:
            for relation in _relations(expr):
                g = sympy.Add(relation.lhs, -relation.rhs)
                if g in atoms or not g.free_symbols:
                    continue
                symbols = sorted(str(s) for s in g.free_symbols)
                deps = frozenset().union(*(figure_deps[name] for name in symbols))
                atoms[g] = _Atom(g, _numpy(g, symbols), deps)
        self._atoms = tuple(atoms.values())
        self._exprs: dict[str, sympy.Basic] = {}
        self._symbolic_cache: dict[str, dict[sympy.Basic, sympy.Basic]] = {}
        self._chains: dict[str, tuple[str, ...]] = {}
        self._moved: dict[str, tuple[str, ...]] = {}

    # evaluation -------------------------------------------------------------------------
    def _chain(self, figure: str) -> tuple[str, ...]:
        """The calculators downstream of ``figure``, in evaluation order."""
        chain = self._chains.get(figure)
        if chain is None:
            order = self.kb.calculator_order
            chain = tuple(cid for cid in order if figure in self._figure_deps[cid])
            self._chains[figure] = chain
        return chain

    def _conditions_moved_by(self, figure: str) -> tuple[str, ...]:
        """Claims whose condition depends on ``figure``, unless the scenario assumes them."""
        moved = self._moved.get(figure)
        if moved is None:
            moved = self._moved[figure] = tuple(
                claim_id
                for claim_id in self._conditions
                if claim_id not in self.scenario.assumptions
                and figure in self._condition_figures[claim_id]
            )
        return moved

    def _claims_moved_by(self, figure: str) -> np.ndarray:
        """Rows (in `claim_ids` order, ascending) of the claims whose label ``figure`` can move."""
        return self._relabeller.claims_reached(self._conditions_moved_by(figure))

    @cached_property
    def _constants(self) -> dict[str, float]:
        values = dict(self.now)
        values.update(self.evaluation.calculators)
        return values

    @cached_property
    def _relabeller(self) -> Relabeller:
        """Labels with every figure at the scenario's value except the one that moves."""
        conditions = {cid: np.array([truth]) for cid, truth in self.evaluation.conditions.items()}
        fixed = fixed_labels(self.kb, conditions, self.scenario.assumptions, 1)
        return Relabeller(self.claim_ids, compiled(self.kb).arguments, fixed)

    def values(self, figure: str, xs: np.ndarray) -> dict[str, Any]:
        """Figures and calculators with ``figure`` at each of ``xs`` (others are scalars)."""
        values: dict[str, Any] = dict(self._constants)
        values[figure] = np.asarray(xs, dtype=np.float64)
        for cid in self._chain(figure):
            values[cid] = self._calculators[cid](values)
        return values

    def labels(self, figure: str, xs: np.ndarray) -> np.ndarray:
        """Every claim's label (rows in `claim_ids` order) at each of ``xs``.

        Only the conditions that depend on ``figure`` are evaluated, and only the claims they
        reach relabelled; every other claim keeps its label under the scenario.
        """
        xs = np.asarray(xs, dtype=np.float64)
        n = xs.shape[0]
        values = self.values(figure, xs)
        varying = {
            claim_id: condition_labels(self._conditions[claim_id](values), n)
            for claim_id in self._conditions_moved_by(figure)
        }
        return self._relabeller.claim_labels(varying, n)

    @cached_property
    def _condition_figures(self) -> dict[str, frozenset[str]]:
        """The figures each condition depends on, by claim id."""
        deps = self._figure_deps
        return {
            claim_id: frozenset().union(
                *(deps[name] for name in self.kb.conditions[claim_id].names)
            )
            for claim_id in self._conditions
        }

    # candidates -------------------------------------------------------------------------
    @cached_property
    def _exact_now(self) -> dict[sympy.Basic, sympy.Basic]:
        """Symbol → every figure's and calculator's value in the scenario, as an exact number."""
        values = {sympy.Symbol(fid): _exact(value) for fid, value in self.now.items()}
        for cid, value in self.evaluation.calculators.items():
            values[sympy.Symbol(cid)] = _exact(value)
        return values

    def _univariate(self, figure: str) -> dict[sympy.Basic, sympy.Basic]:
        """Symbol → expression in the figure alone (other figures and calculators as numbers)."""
        cached = self._symbolic_cache.get(figure)
        if cached is not None:
            return cached
        chain = self._chain(figure)
        mapping = dict(self._exact_now)
        for name in (figure, *chain):
            del mapping[sympy.Symbol(name)]
        for cid in chain:
            expr = self._expr(cid).xreplace(mapping)
            # An expression that grows too large is left as its own symbol: atoms using it are
            # then not univariate and go to the numeric method.
            if sympy.count_ops(expr) > MAX_OPS:
                expr = sympy.Symbol(cid)
            mapping[sympy.Symbol(cid)] = expr
        self._symbolic_cache[figure] = mapping
        return mapping

    def _expr(self, cid: str) -> sympy.Basic:
        if cid not in self._exprs:
            self._exprs[cid] = _rational(self.kb.formulas[cid].expr)
        return self._exprs[cid]

    def _exact_roots(self, atom: _Atom, figure: str, a: float, b: float) -> list[float] | None:
        """Roots and poles of ``g`` in (a, b), or None when no exact solution is attempted."""
        x = sympy.Symbol(figure)
        g = _rational(atom.g).xreplace(self._univariate(figure))
        if g.free_symbols - {x} or g.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
            return None
        if x not in g.free_symbols:
            return []
        if sympy.count_ops(g) > MAX_OPS or not g.is_rational_function(x):
            return None
        numerator, denominator = sympy.fraction(sympy.together(g))
        found: list[float] = []
        for part in (numerator, denominator):
            if x not in part.free_symbols:
                continue
            poly = sympy.Poly(part, x)
            if poly.degree() > MAX_DEGREE:
                return None
            for root in poly.real_roots():
                value = float(root)
                if a < value < b:
                    found.append(value)
        return found

    def _numeric_roots(
        self, atom: _Atom, figure: str, grid: np.ndarray, g: np.ndarray
    ) -> list[float]:
        """Changes of the sign of ``g`` (-, 0, +, undefined) between grid points, refined.

        A change from - to + (or back) is a root: brentq finds it. Any other change (to or from
        zero, to or from undefined) is a boundary: bisection on the sign class finds it.
        """

        from scipy.optimize import brentq  # only here: importing scipy.optimize takes 0.2 s

        def sign_class(xs: np.ndarray) -> np.ndarray:
            values = atom.function(self.values(figure, xs))
            return np.where(np.isnan(values), 2.0, np.sign(values))

        def scalar(x: float) -> float:
            return float(atom.function(self.values(figure, np.array([x])))[0])

        classes = np.where(np.isnan(g), 2.0, np.sign(g))
        found: list[float] = []
        for i in np.flatnonzero(classes[:-1] != classes[1:]):
            lo, hi = float(grid[i]), float(grid[i + 1])
            if classes[i] * classes[i + 1] == -1:
                try:
                    root = brentq(scalar, lo, hi, xtol=1e-300, rtol=_BRENTQ_RTOL, maxiter=200)
                except (ValueError, RuntimeError):  # undefined inside the bracket
                    root = _bisect(sign_class, lo, hi)
            else:
                root = _bisect(sign_class, lo, hi)
            found.append(float(root))
        return found

    def scan(self, figure: str, interval: tuple[float, float]) -> Scan:
        """Every point in the open interval where some claim's label changes with ``figure``."""
        a, b = interval
        grid = _grid(a, b, self.now[figure])
        values = self.values(figure, grid)
        candidates: dict[float, bool] = {}
        for atom in self._atoms:
            if figure not in atom.figures:
                continue
            roots = self._exact_roots(atom, figure, a, b)
            exact = roots is not None
            if roots is None:
                roots = self._numeric_roots(atom, figure, grid, np.asarray(atom.function(values)))
            for root in roots:
                if a < root < b:
                    candidates[root] = candidates.get(root, False) or exact
        for _ in range(6):
            points, exact_flags = _merge(candidates, a, b)
            segments, missed = self._segments(figure, a, b, points, grid)
            missed += self._misplaced(figure, a, b, points, segments)
            if not missed:
                break
            # A label change no comparison explained (or one the candidates put in the wrong
            # place): locate it on the label itself.
            for lo, hi, row in missed:
                candidates.setdefault(_bisect(self._label_of(figure, row), lo, hi), False)
        return Scan(figure, (a, b), points, exact_flags, _ClaimRows(segments, self._claim_row))

    @cached_property
    def _claim_row(self) -> dict[str, int]:
        return {cid: row for row, cid in enumerate(self.claim_ids)}

    def _label_of(self, figure: str, row: int) -> Callable[[np.ndarray], np.ndarray]:
        def label(xs: np.ndarray) -> np.ndarray:
            return self.labels(figure, xs)[row]

        return label

    def _misplaced(
        self,
        figure: str,
        a: float,
        b: float,
        points: tuple[float, ...],
        segments: np.ndarray,
    ) -> list[tuple[float, float, int]]:
        """Check each candidate just below and above against its segments' labels.

        ``segments``: each claim's label between candidates (rows in `claim_ids` order).
        """
        if not points:
            return []
        edges = np.array([a, *points, b])
        mids = (edges[:-1] + edges[1:]) / 2
        at = edges[1:-1]
        gap = np.minimum(at - mids[:-1], mids[1:] - at) / 2
        delta = np.minimum(np.maximum(np.abs(at), (b - a) * 1e-3) * _CHECK_REL, gap)
        wrong_below = self.labels(figure, at - delta) != segments[:, :-1]
        wrong_above = self.labels(figure, at + delta) != segments[:, 1:]
        missed: list[tuple[float, float, int]] = []
        # Almost every claim agrees everywhere: look only at the rows where some check failed.
        for row in np.flatnonzero(wrong_below.any(axis=1) | wrong_above.any(axis=1)).tolist():
            for i in np.flatnonzero(wrong_below[row]):
                missed.append((float(mids[i]), float(at[i] - delta[i]), row))
            for i in np.flatnonzero(wrong_above[row]):
                missed.append((float(at[i] + delta[i]), float(mids[i + 1]), row))
        return missed

    def _segments(
        self, figure: str, a: float, b: float, points: tuple[float, ...], grid: np.ndarray
    ) -> tuple[np.ndarray, list[tuple[float, float, int]]]:
        """Labels between candidates (rows in `claim_ids` order), and grid intervals whose label
        change no candidate explains."""
        edges = np.array([a, *points, b])
        mids = (edges[:-1] + edges[1:]) / 2
        inner = grid[(grid > a) & (grid < b)]
        xs = np.concatenate([mids, inner])
        labels = self.labels(figure, xs)
        segments = labels[:, : len(mids)].copy()  # xs start with the midpoints
        # Only the claims the figure reaches can change along the grid.
        moving = self._claims_moved_by(figure)
        labels = labels[moving]
        segment_of = np.concatenate(
            [np.arange(len(mids)), np.searchsorted(edges, inner, side="right") - 1]
        )
        # Points exactly on a candidate belong to no segment.
        on_edge = np.concatenate([np.zeros(len(mids), bool), np.isin(inner, edges)])
        order = np.lexsort((xs, segment_of))
        xs, labels, segment_of, on_edge = (
            xs[order],
            labels[:, order],
            segment_of[order],
            on_edge[order],
        )
        missed: list[tuple[float, float, int]] = []
        same_segment = (segment_of[:-1] == segment_of[1:]) & ~on_edge[:-1] & ~on_edge[1:]
        changes = (labels[:, :-1] != labels[:, 1:]) & same_segment
        for row, i in zip(*np.nonzero(changes), strict=True):
            missed.append((float(xs[i]), float(xs[i + 1]), int(moving[row])))
        # One bisection per interval is enough; several claims changing there share it.
        unique: dict[tuple[float, float], tuple[float, float, int]] = {}
        for lo, hi, row in missed:
            unique.setdefault((lo, hi), (lo, hi, row))
        return segments, list(unique.values())

    def option_labels(self, figure: str) -> np.ndarray:
        """Every claim's label under each option of a choice figure or switch (rows: claims)."""
        options = self.kb.figures[figure].options
        return self.labels(figure, np.arange(len(options), dtype=np.float64))


def _figures_upstream(kb: KnowledgeBase) -> dict[str, frozenset[str]]:
    """Every figure upstream of each claim, as `upstream` finds it.

    Walked down from each figure rather than up from each claim: a map has far fewer figures
    than claims, and a figure reaches few of them.
    """
    found: dict[str, set[str]] = {cid: set() for cid in kb.claims}
    for fid in kb.figures:
        for node in nx.descendants(kb.graph, fid):
            if node in found:
                found[node].add(fid)
    return {cid: frozenset(figures) for cid, figures in found.items()}


class _ClaimRows(Mapping[str, np.ndarray]):
    """The rows of a label matrix by claim id, looked up when asked for: on a large map, a dict
    of every claim's row for every scan would cost more than the scans."""

    def __init__(self, labels: np.ndarray, row: Mapping[str, int]) -> None:
        self._labels = labels
        self._row = row

    def __getitem__(self, claim: str) -> np.ndarray:
        return self._labels[self._row[claim]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._row)

    def __len__(self) -> int:
        return len(self._row)


def _numpy(expr: sympy.Basic, names: list[str]) -> NumericFunction:
    from engine.compile_numpy import numpy_function

    return numpy_function(expr, names)


def _grid(a: float, b: float, now: float) -> np.ndarray:
    """Half linear, half log-spaced (towards zero on each side of it), plus the current value."""
    parts = [np.linspace(a, b, GRID), np.array([now])]
    if a > 0:
        parts.append(np.geomspace(a, b, GRID))
    else:
        if b > 0:
            parts.append(np.geomspace(b * 1e-9, b, GRID // 2 if a < 0 else GRID))
        if a < 0:
            parts.append(-np.geomspace(-a * 1e-9, -a, GRID // 2 if b > 0 else GRID))
    grid = np.unique(np.concatenate(parts))
    return grid[(grid >= a) & (grid <= b)]


def _merge(
    candidates: Mapping[float, bool], a: float, b: float
) -> tuple[tuple[float, ...], tuple[bool, ...]]:
    """Sorted candidates, merging those equal to within rounding (an exact one wins)."""
    scale = max(abs(a), abs(b), 1e-300)
    points: list[float] = []
    flags: list[bool] = []
    for at in sorted(candidates):
        if points and at - points[-1] <= 1e-12 * max(abs(at), scale * 1e-3):
            if candidates[at] and not flags[-1]:
                points[-1], flags[-1] = at, True
            continue
        points.append(at)
        flags.append(candidates[at])
    return tuple(points), tuple(flags)


def _bisect(
    function: Callable[[np.ndarray], np.ndarray], lo: float, hi: float, k: int = 31
) -> float:
    """Where ``function`` (vectorised, discrete-valued) first changes from its value at ``lo``.

    Each round evaluates ``k`` points at once, shrinking the bracket ``k + 1`` times.
    """
    start = function(np.array([lo]))[0]
    for _ in range(60):
        if hi - lo <= _REL_TOL * max(abs(lo), abs(hi)) or hi - lo <= 1e-300:
            break
        xs = np.linspace(lo, hi, k + 2)[1:-1]
        values = function(xs)
        changed = np.flatnonzero(values != start)
        if changed.size == 0:
            lo = float(xs[-1])
            continue
        first = int(changed[0])
        lo, hi = (float(xs[first - 1]) if first else lo), float(xs[first])
    return (lo + hi) / 2


# --- the report --------------------------------------------------------------------------


def numeric_claims(
    kb: KnowledgeBase, scenario: ScenarioInput, probe: MapProbe | None = None
) -> list[str]:
    """Claims whose label can depend on a figure: something upstream is a figure, and the
    scenario does not fix the claim by an assumption."""
    figures = (
        probe.claim_figures
        if probe is not None
        else {cid: frozenset(upstream(kb.graph, cid, _FIGURE)) for cid in kb.claims}
    )
    return [cid for cid in kb.claims if figures[cid] and cid not in scenario.assumptions]


def claims_by_figure(
    claims: Iterable[str], claim_figures: Mapping[str, frozenset[str]]
) -> dict[str, list[str]]:
    """For each figure upstream of some of ``claims``, those claims, in the order given."""
    users: dict[str, list[str]] = {}
    for cid in claims:
        for fid in claim_figures[cid]:
            users.setdefault(fid, []).append(cid)
    return users


def find_flips(
    kb: KnowledgeBase,
    scenario: ScenarioInput,
    claims: Iterable[str] | None = None,
    probe: MapProbe | None = None,
) -> FlipReport:
    """Tipping points of every claim decided by numbers (or of ``claims``) under ``scenario``.

    ``probe`` (a `MapProbe` of the same knowledge base and scenario) may be shared with
    `engine.analysis.sensitivity.sensitivity`, which then reuses its compiled comparisons.
    """
    probe = probe if probe is not None else MapProbe(kb, scenario)
    wanted = numeric_claims(kb, scenario, probe)
    if claims is not None:
        chosen = set(claims)
        wanted = [cid for cid in wanted if cid in chosen]
    users_of = claims_by_figure(wanted, probe.claim_figures)
    rows = {cid: row for row, cid in enumerate(probe.claim_ids)}
    found: dict[str, dict[str, list[Any]]] = {
        cid: {"crossings": [], "steady": [], "options": []} for cid in wanted
    }
    for fid in sorted(users_of):
        figure = kb.figures[fid]
        users = users_of[fid]
        now = probe.now[fid]
        if figure.kind != "number":
            labels = probe.option_labels(fid)
            current = str(scenario.settings[fid]) if figure.choices else str(int(now))
            for cid in users:
                options = {
                    name: LABEL_NAMES[int(labels[rows[cid], i])]
                    for i, name in enumerate(figure.options)
                }
                found[cid]["options"].append(OptionLabels(cid, fid, options, current))
            continue
        interval = search_interval(figure, now)
        scan = probe.scan(fid, interval) if interval[1] > interval[0] else None
        for cid in users:
            crossings = scan.crossings(cid) if scan is not None else []
            for at, below, above, exact in crossings:
                found[cid]["crossings"].append(
                    Crossing(
                        cid,
                        fid,
                        at,
                        figure.unit,
                        LABEL_NAMES[below],
                        LABEL_NAMES[above],
                        now,
                        exact,
                        label_now=probe.evaluation.claims[cid],
                    )
                )
            if not crossings:
                label = (
                    probe.evaluation.claims[cid]
                    if scan is None
                    else LABEL_NAMES[int(scan.segments[cid][0])]
                )
                found[cid]["steady"].append(Steady(cid, fid, interval, figure.unit, label, now))
    report = {
        cid: ClaimFlips(
            claim=cid,
            label=probe.evaluation.claims[cid],
            crossings=tuple(found[cid]["crossings"]),
            steady=tuple(found[cid]["steady"]),
            options=tuple(found[cid]["options"]),
        )
        for cid in wanted
    }
    return FlipReport(scenario=scenario.name, claims=report, now=dict(probe.now))
