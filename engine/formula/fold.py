"""Fold unit-conversion constants out of a formula's tree before it is compiled.

Every symbol enters a formula multiplied by its unit's base factor (USD/Mtok → ×1e-6) and the
result is divided by the declared unit's factor. Left alone, `a / b` declared in USD/Mtok
costs five array operations instead of one. This pass rewrites each subtree as
`coefficient × core`, multiplying coefficients together, pulling a shared one out of sums,
`min` and `max`, and cancelling positive ones across comparisons, so `rd_usd*1e9 >
cost_of_revenue_usd*1e9` becomes `rd_usd > cost_of_revenue_usd`.

The rewrite is applied to the one tree that both the numpy and the JavaScript compilers read,
so they stay identical. It never folds a zero, infinite or negative coefficient where that
could change which inputs are undefined (division by zero, roots of negatives, log of
non-positives). Only the unit factors (and the −1 of a negation) are folded: an author's own
constants stay where they were written, so `(1e10 * x) ** 0` still overflows for huge `x`
exactly as written. A unit factor moved across an operation can only avoid an overflow of an
intermediate, never cause one.
"""

from __future__ import annotations

import math

import sympy
from sympy.functions.elementary.piecewise import ExprCondPair

from engine.formula.kleene import kleene

Split = tuple[float, sympy.Basic | None]
"""`(c, core)` meaning the expression equals `c * core`; `core` None means the constant `c`."""

_RELATIONS = (
    sympy.StrictLessThan,
    sympy.LessThan,
    sympy.StrictGreaterThan,
    sympy.GreaterThan,
    sympy.Equality,
    sympy.Unequality,
)


def fold_constants(expr: sympy.Basic, factors: frozenset[float]) -> sympy.Basic:
    """The same function of the symbols, with the unit `factors` multiplied out."""
    return _Folder(factors | {-1.0}).fold(expr)


def _number(value: float) -> sympy.Expr:
    return (
        sympy.Integer(int(value))
        if value.is_integer() and abs(value) < 2**53
        else sympy.Float(value, 17)
    )


def _join(coefficient: float, core: sympy.Basic | None) -> sympy.Basic:
    if core is None:
        return _number(coefficient)
    if coefficient == 1:
        return core
    return sympy.Mul(_number(coefficient), core, evaluate=False)


def _usable(value: float) -> bool:
    return math.isfinite(value) and value != 0


class _Folder:
    """Folds the coefficients it recognises: the formula's unit factors."""

    def __init__(self, factors: frozenset[float]) -> None:
        self.factors = factors

    def fold(self, expr: sympy.Basic) -> sympy.Basic:
        if isinstance(expr, sympy.Expr) and not isinstance(expr, sympy.Piecewise):
            return _join(*self.split(expr))
        return self.fold_other(expr)

    def split(self, expr: sympy.Basic) -> Split:
        if isinstance(expr, sympy.Number) and not isinstance(expr, sympy.core.numbers.NaN):
            value = float(expr)
            if value in self.factors:
                return value, None
            return 1.0, expr
        if isinstance(expr, sympy.Symbol):
            return 1.0, expr
        if isinstance(expr, sympy.Mul):
            return self.split_product(expr)
        if isinstance(expr, sympy.Pow):
            return self.split_power(expr)
        if isinstance(expr, sympy.Add):
            return self.split_sum(expr)
        if isinstance(expr, (sympy.Min, sympy.Max)):
            return self.split_extremum(expr)
        if isinstance(expr, sympy.Abs):
            c, core = self.split(expr.args[0])
            if core is None:
                return abs(c), None
            return abs(c), sympy.Abs(core, evaluate=False)
        return 1.0, self.fold_other(expr)

    def split_product(self, expr: sympy.Mul) -> Split:
        coefficient = 1.0
        cores: list[sympy.Basic] = []
        for arg in expr.args:
            c, core = self.split(arg)
            if not _usable(c):
                return 1.0, sympy.Mul(*(self.fold(a) for a in expr.args), evaluate=False)
            coefficient *= c
            if core is not None:
                cores.append(core)
        if not _usable(coefficient):
            return 1.0, sympy.Mul(*(self.fold(a) for a in expr.args), evaluate=False)
        if not cores:
            return coefficient, None
        core = cores[0] if len(cores) == 1 else sympy.Mul(*cores, evaluate=False)
        return coefficient, core

    def split_power(self, expr: sympy.Pow) -> Split:
        base_c, base_core = self.split(expr.base)
        exponent = expr.exp
        if base_core is None and isinstance(exponent, sympy.Number) and base_c > 0:
            constant = base_c ** float(exponent)
            if _usable(constant):
                return constant, None
        if base_core is None or not isinstance(exponent, sympy.Number) or base_c <= 0:
            return 1.0, sympy.Pow(_join(base_c, base_core), exponent, evaluate=False)
        coefficient = base_c ** float(exponent)
        if not _usable(coefficient):
            return 1.0, sympy.Pow(_join(base_c, base_core), exponent, evaluate=False)
        return coefficient, sympy.Pow(base_core, exponent, evaluate=False)

    def split_sum(self, expr: sympy.Add) -> Split:
        parts = [self.split(arg) for arg in expr.args]
        magnitudes = {abs(c) for c, core in parts if core is not None}
        if len(magnitudes) == 1 and all(core is not None for _, core in parts):
            shared = magnitudes.pop()
            if _usable(shared):
                terms = [_join(math.copysign(1.0, c), core) for c, core in parts]
                return shared, sympy.Add(*terms, evaluate=False)
        return 1.0, sympy.Add(*(_join(c, core) for c, core in parts), evaluate=False)

    def split_extremum(self, expr: sympy.Basic) -> Split:
        build = type(expr)
        parts = [self.split(arg) for arg in expr.args]
        coefficients = {c for c, core in parts if core is not None}
        if len(coefficients) == 1 and all(core is not None for _, core in parts):
            shared = coefficients.pop()
            if shared > 0 and _usable(shared):
                return shared, build(*(core for _, core in parts), evaluate=False)
        return 1.0, build(*(_join(c, core) for c, core in parts), evaluate=False)

    def fold_other(self, expr: sympy.Basic) -> sympy.Basic:
        """Conditions, piecewise values and functions: fold inside, keep the node."""
        if isinstance(expr, _RELATIONS):
            return self.fold_relation(expr)
        if isinstance(expr, sympy.Piecewise):
            pairs = [
                sympy.Tuple.__new__(ExprCondPair, self.fold(value), self.fold(cond))
                for value, cond in expr.args
            ]
            return sympy.Basic.__new__(sympy.Piecewise, *pairs)
        if isinstance(expr, (sympy.And, sympy.Or)):
            return kleene(type(expr), (self.fold(arg) for arg in expr.args))
        if isinstance(expr, sympy.Not):
            return sympy.Not(self.fold(expr.args[0]), evaluate=False)
        if isinstance(expr, (sympy.log, sympy.exp)):
            return type(expr)(self.fold(expr.args[0]), evaluate=False)
        return expr

    def fold_relation(self, expr: sympy.Basic) -> sympy.Basic:
        build = type(expr)
        left_c, left = self.split(expr.args[0])
        right_c, right = self.split(expr.args[1])
        if left is not None and left_c > 0 and _usable(left_c):
            # c·a > d·b  ⟺  a > (d/c)·b for c > 0; the ratio is exact when the factors are equal.
            ratio = right_c / left_c
            if math.isfinite(ratio):
                return build(left, _join(ratio, right), evaluate=False)
        return build(_join(left_c, left), _join(right_c, right), evaluate=False)
