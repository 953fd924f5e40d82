"""Compile a formula's sympy tree into a vectorised numpy function.

The tree is walked once into a tree of closures; evaluating it is one numpy call per node over
whole ``float64`` arrays, which is what a 1,000,000-sample Monte Carlo needs. ``lambdify`` is not
used because its numpy printer does not give the semantics below (it would return ``inf`` for
``1/0`` and treat NaN as true in ``Piecewise``).

Semantics (shared with ``compile_js`` and ``templates/static/crux-runtime.js``):

* anything undefined is NaN: ``x/0``, ``0**-k``, ``log(x <= 0)``, ``sqrt(x < 0)``, non-integer
  powers of negative numbers, and every ±inf (overflow); NaN propagates through arithmetic;
  ``0**0`` is 1 and ``NaN**0`` is NaN;
* booleans are 1.0 / 0.0 / NaN with Kleene logic: ``and`` is 0 if any side is 0, else NaN if any
  side is NaN, else 1 (``or`` dually); a comparison with a NaN side is NaN;
* ``Piecewise``: a NaN condition gives NaN; otherwise the chosen branch's value.

Infinities are not replaced by NaN after every operation: sums, products, ``abs``, ``log`` and
positive powers carry an infinity along (or turn it into NaN themselves, as in ``inf - inf``),
which marks the value just as well. They are replaced only where an operation could hide them
(a denominator, a negative or zero power, ``exp``, ``min``/``max``, a comparison) and once on
the final result. That gives the same NaNs as replacing them everywhere (what the JavaScript
runtime does) for a fraction of the passes over the arrays.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import sympy

__all__ = ["numpy_function"]

# A compiled node: takes the input arrays, returns an array (or a Python float for constants).
_Node = Callable[[Mapping[str, Any]], Any]

_NAN = math.nan


def numpy_function(
    expr: sympy.Basic, names: Sequence[str]
) -> Callable[[Mapping[str, np.ndarray]], np.ndarray]:
    """Vectorised evaluator of ``expr``: takes ``{name: float64 array (n,)}``, returns ``(n,)``.

    ``names`` are the symbols the caller will supply; a symbol of ``expr`` missing from it is a
    programming error (`ValueError`). Inputs are never modified.
    """
    known = set(names)
    missing = sorted(str(s) for s in expr.free_symbols if str(s) not in known)
    if missing:
        raise ValueError(f"expected values for every symbol, missing {', '.join(missing)}")
    node = _compile(expr)
    used = sorted(str(s) for s in expr.free_symbols)
    # The root's array is fresh (safe to return) unless the formula is a bare symbol.
    fresh = not isinstance(expr, sympy.Symbol)
    finite = isinstance(expr, _NEVER_INFINITE) and not isinstance(expr, sympy.Symbol)

    def evaluate(values: Mapping[str, np.ndarray]) -> np.ndarray:
        n = _length(values, used)
        with np.errstate(all="ignore"):
            arrays = {name: np.asarray(values[name], dtype=np.float64) for name in used}
            result = node(arrays)
            if (
                fresh
                and isinstance(result, np.ndarray)
                and result.shape == (n,)
                and result.dtype == np.float64
            ):
                out = result
            else:
                out = np.array(np.broadcast_to(result, (n,)), dtype=np.float64)
            if not finite:
                infinite = np.isinf(out)
                if infinite.any():
                    out[infinite] = _NAN
        return out

    return evaluate


def _length(values: Mapping[str, np.ndarray], used: Sequence[str]) -> int:
    for name in used or sorted(values):
        shape = np.shape(values[name])
        if shape:
            return int(shape[0])
    return 1


# --- elementwise helpers ------------------------------------------------------------------


def _fin(x: Any) -> Any:
    """Replace ±inf by NaN; ``x`` is a fresh array (safe to modify) or a scalar."""
    if isinstance(x, np.ndarray) and x.ndim:
        mask = np.isinf(x)
        if mask.any():
            x[mask] = _NAN
        return x
    value = float(x)
    return _NAN if math.isinf(value) else value


def _isnan(x: Any) -> Any:
    return np.isnan(x)


def _truthy(x: Any) -> Any:
    # NaN != 0 is true, so exclude NaN explicitly
    return (x != 0) & (x == x)


def _as_float(x: Any) -> Any:
    if isinstance(x, np.ndarray):
        return x.astype(np.float64)
    return float(x)


def _relation(op: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def apply(a: Any, b: Any) -> Any:
        result = np.asarray(op(a, b), dtype=np.float64)
        for side in (a, b):
            # NaN compares false; mark it undefined. Most arrays have no NaN: test before writing.
            if isinstance(side, np.ndarray):
                missing = np.isnan(side)
                if missing.any():
                    result = np.where(missing, _NAN, result)
            elif side != side:
                return np.full(np.shape(result), _NAN)
        return result

    return apply


def _and(a: Any, b: Any) -> Any:
    either_nan = _isnan(a) | _isnan(b)
    return np.where((a == 0) | (b == 0), 0.0, np.where(either_nan, _NAN, 1.0))


def _or(a: Any, b: Any) -> Any:
    either_nan = _isnan(a) | _isnan(b)
    return np.where(_truthy(a) | _truthy(b), 1.0, np.where(either_nan, _NAN, 0.0))


def _not(a: Any) -> Any:
    return np.where(_isnan(a), _NAN, _as_float(a == 0))


def _power(base: Any, exponent: Any) -> Any:
    if isinstance(exponent, float):
        if exponent == 0.5:
            return np.sqrt(base)  # correctly rounded, unlike pow(x, 0.5); same in JS
        if exponent == 0.0:
            return np.where(_isnan(base), _NAN, 1.0)
        return _fin(np.power(base, exponent))
    # a computed exponent (not produced by the formula language, but keep it defined)
    result = np.power(base, exponent)
    result = np.where(_isnan(base) | _isnan(exponent), _NAN, result)
    return _fin(np.asarray(result, dtype=np.float64))


_RELATIONS: dict[type, Callable[[Any, Any], Any]] = {
    sympy.StrictLessThan: _relation(np.less),
    sympy.LessThan: _relation(np.less_equal),
    sympy.StrictGreaterThan: _relation(np.greater),
    sympy.GreaterThan: _relation(np.greater_equal),
    sympy.Equality: _relation(np.equal),
    sympy.Unequality: _relation(np.not_equal),
}


# --- the compiler -------------------------------------------------------------------------


def _constant(value: float) -> _Node:
    value = _NAN if math.isinf(value) else value
    return lambda v: value


def _compile(expr: sympy.Basic) -> _Node:
    if isinstance(expr, sympy.Symbol):
        name = expr.name
        return lambda v: v[name]
    if expr is sympy.true or expr is sympy.false:
        return _constant(1.0 if expr is sympy.true else 0.0)
    if isinstance(expr, (sympy.Number, sympy.NumberSymbol)):
        return _constant(float(expr))
    if isinstance(expr, sympy.Add):
        return _fold([_compile(arg) for arg in expr.args], np.add)
    if isinstance(expr, sympy.Mul):
        return _product(expr)
    if isinstance(expr, sympy.Pow):
        base = _compile(expr.base)
        exp_value = expr.exp
        if isinstance(exp_value, sympy.Number):
            k = float(exp_value)
            if k <= 0 and k != 0.5:
                base = _finite(expr.base)  # 1/inf would hide the infinity
            return lambda v: _power(base(v), k)
        exponent = _compile(exp_value)
        return lambda v: _power(base(v), exponent(v))
    if isinstance(expr, (sympy.Min, sympy.Max)):
        ufunc = np.minimum if isinstance(expr, sympy.Min) else np.maximum
        return _fold([_finite(arg) for arg in expr.args], ufunc)
    if isinstance(expr, sympy.Abs):
        inner = _compile(expr.args[0])
        return lambda v: np.abs(inner(v))
    if isinstance(expr, sympy.exp):
        inner = _finite(expr.args[0])  # exp(-inf) = 0 would hide it
        return lambda v: np.exp(inner(v))
    if isinstance(expr, sympy.log):
        inner = _compile(expr.args[0])
        return lambda v: np.log(inner(v))
    if type(expr) in _RELATIONS:
        relation = _RELATIONS[type(expr)]
        lhs, rhs = _finite(expr.args[0]), _finite(expr.args[1])
        return lambda v: relation(lhs(v), rhs(v))
    if isinstance(expr, sympy.And):
        return _fold([_compile(arg) for arg in expr.args], _and)
    if isinstance(expr, sympy.Or):
        return _fold([_compile(arg) for arg in expr.args], _or)
    if isinstance(expr, sympy.Not):
        inner = _compile(expr.args[0])
        return lambda v: _not(inner(v))
    if isinstance(expr, sympy.Piecewise):
        return _piecewise(expr)
    raise ValueError(f"cannot compile {type(expr).__name__} to numpy")


def _fold(parts: list[_Node], op: Callable[[Any, Any], Any]) -> _Node:
    first, rest = parts[0], parts[1:]

    def apply(v: Mapping[str, Any]) -> Any:
        result = first(v)
        for part in rest:
            result = op(result, part(v))
        return result

    return apply


_NEVER_INFINITE = (
    sympy.Symbol,
    sympy.Number,
    sympy.logic.boolalg.BooleanAtom,
    sympy.Rel,
    sympy.And,
    sympy.Or,
    sympy.Not,
)


def _finite(expr: sympy.Basic) -> _Node:
    """Compile ``expr`` for a place where an infinity must already be NaN.

    Symbols are finite (figures are, and calculators are sanitised on output); so are numbers
    and conditions. Anything else gets one inf → NaN pass.
    """
    node = _compile(expr)
    if isinstance(expr, _NEVER_INFINITE):
        return node
    return lambda v: _fin(np.array(node(v), dtype=np.float64))


def _product(expr: sympy.Mul) -> _Node:
    """Factors ``x**-1`` become true divisions (applied after the other factors, in order)."""
    numerators: list[_Node] = []
    denominators: list[_Node] = []
    for arg in expr.args:
        if isinstance(arg, sympy.Pow) and arg.exp == -1:
            denominators.append(_finite(arg.base))  # x/inf = 0 would hide it
        else:
            numerators.append(_compile(arg))
    if not denominators and len(numerators) == 1:
        return numerators[0]
    top = _fold(numerators, np.multiply) if numerators else _constant(1.0)

    def apply(v: Mapping[str, Any]) -> Any:
        result = top(v)
        for part in denominators:
            result = np.divide(result, part(v))
        return result

    return apply


def _piecewise(expr: sympy.Piecewise) -> _Node:
    pieces = [(_compile(value), _compile(cond)) for value, cond in expr.args]

    def apply(v: Mapping[str, Any]) -> Any:
        # A condition is often the same in every sample (`lens == 'marginal'`: a lens is never
        # drawn). Then one branch is the answer, and the others need not be computed at all.
        for index, (value, cond) in enumerate(pieces):
            c = cond(v)
            truth = _same_everywhere(c)
            if truth is None:
                return _choose(pieces, index, c, v)
            if math.isnan(truth):
                return _NAN
            if truth != 0:
                chosen = value(v)  # maybe an input array: the caller may write the result
                return (
                    np.array(chosen, dtype=np.float64) if isinstance(chosen, np.ndarray) else chosen
                )
        return _NAN  # no condition holds: undefined

    return apply


def _same_everywhere(c: Any) -> float | None:
    """The value of ``c`` if every sample has the same one (NaN counts as one value), else None."""
    if not isinstance(c, np.ndarray) or c.ndim == 0:
        return float(c)
    if c.size == 0:
        return None
    first = float(c.flat[0])
    if math.isnan(first):
        return first if bool(np.isnan(c).all()) else None
    return first if bool((c == first).all()) else None


def _choose(
    pieces: Sequence[tuple[_Node, _Node]], start: int, c_start: Any, v: Mapping[str, Any]
) -> Any:
    """Sample by sample, the first branch from ``start`` whose condition holds (``c_start`` is
    that piece's condition, already computed); the pieces before ``start`` hold nowhere."""
    result: Any = _NAN
    for index in range(len(pieces) - 1, start - 1, -1):
        value, cond = pieces[index]
        c = c_start if index == start else cond(v)
        result = np.where(_isnan(c), _NAN, np.where(c != 0, value(v), result))
    return result
