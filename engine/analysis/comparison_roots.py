"""Where the comparisons of a map change truth or become undefined as one figure moves.

A label only changes where one of the comparisons it depends on changes truth or becomes
undefined. Every comparison ``lhs op rhs`` gives ``g = lhs - rhs`` as a function of the
figure (calculators substituted, other figures at their values):

1. *exact* (`ExactRoots`): when ``g`` is a rational function whose numerator and denominator
   have degree at most 4 in the figure, sympy gives every real root of both (denominator roots
   are where ``g`` is undefined); this always finishes quickly, so no wall-clock limit is needed;
2. *numeric* (`numeric_roots`) otherwise (``min``, ``max``, ``abs``, ``log``, ``if``/``else``,
   high degree): ``g`` is evaluated on a grid of ~250 points (`scan_grid`: half linear, half
   log-spaced) and every sign change is refined with scipy's ``brentq``, every change between
   defined and undefined by bisection.

The roots are candidates for tipping points; `engine.analysis.map_probe` checks the labels
around them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import sympy

from engine.knowledge.knowledge_base import KnowledgeBase

GRID = 128
"""Points per half of the scan grid (linear and log-spaced)."""

MAX_DEGREE = 4
"""Highest polynomial degree solved exactly; above it the numeric method is used."""

MAX_OPS = 400
"""Expressions larger than this (sympy operation count) are solved numerically."""

_REL_TOL = 1e-13  # bisection stops when the bracket is this small relative to its ends
_BRENTQ_RTOL = 4 * float(np.finfo(float).eps)

NumericFunction = Callable[[Mapping[str, Any]], np.ndarray]


@dataclass(frozen=True)
class Comparison:
    """One comparison ``lhs op rhs`` anywhere in a condition or calculator: ``g = lhs - rhs``."""

    g: sympy.Basic
    function: NumericFunction
    figures: frozenset[str]


def comparisons(
    kb: KnowledgeBase, figure_deps: Mapping[str, frozenset[str]]
) -> tuple[Comparison, ...]:
    """Every distinct comparison in the calculators and conditions that involves a name.

    ``figure_deps``: the figures each figure or calculator depends on (a figure on itself).
    """
    found: dict[sympy.Basic, Comparison] = {}
    sources = [kb.formulas[cid].expr for cid in kb.calculator_order]
    sources += [condition.expr for _, condition in sorted(kb.conditions.items())]
    for expr in sources:
        for relation in _relations(expr):
            g = sympy.Add(relation.lhs, -relation.rhs)
            if g in found or not g.free_symbols:
                continue
            symbols = sorted(str(s) for s in g.free_symbols)
            deps = frozenset().union(*(figure_deps[name] for name in symbols))
            found[g] = Comparison(g, _numpy(g, symbols), deps)
    return tuple(found.values())


def _relations(expr: sympy.Basic) -> list[sympy.Basic]:
    return [
        node
        for node in sympy.preorder_traversal(expr)
        if isinstance(node, sympy.core.relational.Relational)
    ]


def _numpy(expr: sympy.Basic, names: list[str]) -> NumericFunction:
    from engine.formula.to_numpy import numpy_function

    return numpy_function(expr, names)


# --- exact -------------------------------------------------------------------------------


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


_OPAQUE = (sympy.Min, sympy.Max)
"""Functions whose comparisons go straight to the numeric method."""


class ExactRoots:
    """Roots of comparisons found symbolically, with one figure free and the rest exact numbers.

    ``values``: every figure's and calculator's value in the scenario; ``chain(figure)``: the
    calculators downstream of ``figure``, in evaluation order. Substitutions are cached by
    figure, so one instance serves every scan of a map.
    """

    def __init__(
        self,
        kb: KnowledgeBase,
        values: Mapping[str, float],
        chain: Callable[[str], tuple[str, ...]],
    ) -> None:
        self._kb = kb
        self._values = values
        self._chain = chain
        self._exprs: dict[str, sympy.Basic] = {}
        self._symbolic_cache: dict[str, dict[sympy.Basic, sympy.Basic]] = {}

    @cached_property
    def _exact_now(self) -> dict[sympy.Basic, sympy.Basic]:
        """Symbol → every figure's and calculator's value in the scenario, as an exact number."""
        return {sympy.Symbol(name): _exact(value) for name, value in self._values.items()}

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
            if self._expr(cid).has(*_OPAQUE):
                # Not rational in any figure it depends on, and rebuilding min/max over
                # expressions makes sympy search them for common terms, which took minutes on
                # a map of 300 such calculators: leave it a symbol (numeric method).
                mapping[sympy.Symbol(cid)] = sympy.Symbol(cid)
                continue
            expr = self._expr(cid).xreplace(mapping)
            # An expression that grows too large is left as its own symbol: comparisons using
            # it are then not univariate and go to the numeric method.
            if sympy.count_ops(expr) > MAX_OPS:
                expr = sympy.Symbol(cid)
            mapping[sympy.Symbol(cid)] = expr
        self._symbolic_cache[figure] = mapping
        return mapping

    def _expr(self, cid: str) -> sympy.Basic:
        if cid not in self._exprs:
            self._exprs[cid] = _rational(self._kb.formulas[cid].expr)
        return self._exprs[cid]

    def roots(self, comparison: Comparison, figure: str, a: float, b: float) -> list[float] | None:
        """Roots and poles of ``g`` in (a, b), or None when no exact solution is attempted."""
        x = sympy.Symbol(figure)
        if comparison.g.has(*_OPAQUE):
            return None  # min/max: not a rational function (see `_univariate`)
        g = _rational(comparison.g).xreplace(self._univariate(figure))
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


# --- numeric -----------------------------------------------------------------------------


def scan_grid(a: float, b: float, now: float) -> np.ndarray:
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


def numeric_roots(
    function: Callable[[np.ndarray], np.ndarray], grid: np.ndarray, g: np.ndarray
) -> list[float]:
    """Changes of the sign of ``g`` (-, 0, +, undefined) between grid points, refined.

    ``function`` evaluates ``g`` (vectorised) at values of the figure; ``g`` is its value on
    ``grid``. A change from - to + (or back) is a root: brentq finds it. Any other change (to or
    from zero, to or from undefined) is a boundary: bisection on the sign class finds it.
    """

    from scipy.optimize import brentq  # only here: importing scipy.optimize takes 0.2 s

    def sign_class(xs: np.ndarray) -> np.ndarray:
        values = function(xs)
        return np.where(np.isnan(values), 2.0, np.sign(values))

    def scalar(x: float) -> float:
        return float(function(np.array([x]))[0])

    classes = np.where(np.isnan(g), 2.0, np.sign(g))
    found: list[float] = []
    for i in np.flatnonzero(classes[:-1] != classes[1:]):
        lo, hi = float(grid[i]), float(grid[i + 1])
        if classes[i] * classes[i + 1] == -1:
            try:
                root = brentq(scalar, lo, hi, xtol=1e-300, rtol=_BRENTQ_RTOL, maxiter=200)
            except (ValueError, RuntimeError):  # undefined inside the bracket
                root = bisect(sign_class, lo, hi)
        else:
            root = bisect(sign_class, lo, hi)
        found.append(float(root))
    return found


def bisect(
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
