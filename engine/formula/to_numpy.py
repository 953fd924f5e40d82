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
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.formula.tree import Node, from_sympy

if TYPE_CHECKING:
    import sympy

__all__ = ["numpy_function", "tree_function"]

# A compiled node: takes the input arrays, returns an array (or a Python float for constants).
_Node = Callable[[Mapping[str, Any]], Any]

_NAN = math.nan


def numpy_function(
    expr: sympy.Basic, names: Sequence[str], *, unbounded: bool | None = None
) -> Callable[[Mapping[str, np.ndarray]], np.ndarray]:
    """Vectorised evaluator of ``expr``: takes ``{name: float64 array (n,)}``, returns ``(n,)``.

    ``names`` are the symbols the caller will supply; a symbol of ``expr`` missing from it is a
    programming error (`ValueError`). Inputs are never modified. ``unbounded`` (a formula
    using ``never`` or ``crossing``, or a quantity that does) keeps infinities: IEEE arithmetic,
    except that ``x/0``, ``0**-k`` and ``log(0)`` stay undefined. By default a tree holding an
    infinite constant is unbounded.
    """
    return tree_function(from_sympy(expr), names, unbounded=unbounded)


def tree_function(
    tree: Node, names: Sequence[str], *, unbounded: bool | None = None
) -> Callable[[Mapping[str, np.ndarray]], np.ndarray]:
    """`numpy_function` of a formula's plain-data tree (`engine.formula.tree`), without sympy."""
    if unbounded is None:
        unbounded = _has_infinity(tree)
    known = set(names)
    symbols = tree.symbols()
    missing = sorted(name for name in symbols if name not in known)
    if missing:
        raise ValueError(f"expected values for every symbol, missing {', '.join(missing)}")
    node = _Unbounded().compile(tree) if unbounded else _compile(tree)
    used = sorted(symbols)
    # The root's array is fresh (safe to return) unless the formula is a bare symbol.
    fresh = tree.kind != "Symbol"
    finite = unbounded or (tree.kind in _NEVER_INFINITE and tree.kind != "Symbol")

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


# Keyed by sympy class name: the compiler walks `engine.formula.tree` nodes, not sympy objects.
_RELATIONS: dict[str, Callable[[Any, Any], Any]] = {
    "StrictLessThan": _relation(np.less),
    "LessThan": _relation(np.less_equal),
    "StrictGreaterThan": _relation(np.greater),
    "GreaterThan": _relation(np.greater_equal),
    "Equality": _relation(np.equal),
    "Unequality": _relation(np.not_equal),
}


# --- the compiler -------------------------------------------------------------------------


def _constant(value: float) -> _Node:
    # An infinite constant is written on purpose (`never`, `crossing`): overflow never folds
    # into one (see engine.formula.fold).
    return lambda v: value


def _has_infinity(tree: Node) -> bool:
    """Whether ``tree`` holds an infinite constant (``never`` or ``crossing`` folded into it)."""
    if tree.kind == "Number":
        return math.isinf(tree.value)
    return any(_has_infinity(arg) for arg in tree.args)


def _compile(expr: Node) -> _Node:
    kind = expr.kind
    if kind == "Symbol":
        name = expr.name
        return lambda v: v[name]
    if kind in ("Boolean", "Number", "NumberSymbol"):
        return _constant(expr.value)
    if kind == "Add":
        return _fold([_compile(arg) for arg in expr.args], np.add)
    if kind == "Mul":
        return _product(expr)
    if kind == "Pow":
        base_expr, exp_value = expr.args
        base = _compile(base_expr)
        if exp_value.kind == "Number":
            k = exp_value.value
            if k <= 0 and k != 0.5:
                base = _finite(base_expr)  # 1/inf would hide the infinity
            return lambda v: _power(base(v), k)
        exponent = _compile(exp_value)
        return lambda v: _power(base(v), exponent(v))
    if kind in ("Min", "Max"):
        ufunc = np.minimum if kind == "Min" else np.maximum
        return _fold([_finite(arg) for arg in expr.args], ufunc)
    if kind == "Abs":
        inner = _compile(expr.args[0])
        return lambda v: np.abs(inner(v))
    if kind == "exp":
        inner = _finite(expr.args[0])  # exp(-inf) = 0 would hide it
        return lambda v: np.exp(inner(v))
    if kind == "log":
        inner = _compile(expr.args[0])
        return lambda v: np.log(inner(v))
    if kind in _RELATIONS:
        relation = _RELATIONS[kind]
        lhs, rhs = _finite(expr.args[0]), _finite(expr.args[1])
        return lambda v: relation(lhs(v), rhs(v))
    if kind == "And":
        return _fold([_compile(arg) for arg in expr.args], _and)
    if kind == "Or":
        return _fold([_compile(arg) for arg in expr.args], _or)
    if kind == "Not":
        inner = _compile(expr.args[0])
        return lambda v: _not(inner(v))
    if kind == "Piecewise":
        return _piecewise(expr)
    raise ValueError(f"cannot compile {kind} to numpy")


def _fold(parts: list[_Node], op: Callable[[Any, Any], Any]) -> _Node:
    first, rest = parts[0], parts[1:]

    def apply(v: Mapping[str, Any]) -> Any:
        result = first(v)
        for part in rest:
            result = op(result, part(v))
        return result

    return apply


_NEVER_INFINITE = frozenset(("Symbol", "Number", "Boolean", *_RELATIONS, "And", "Or", "Not"))


def _finite(expr: Node) -> _Node:
    """Compile ``expr`` for a place where an infinity must already be NaN.

    Symbols are finite (figures are, and calculators are sanitised on output); so are numbers
    and conditions. Anything else gets one inf → NaN pass.
    """
    node = _compile(expr)
    if expr.kind in _NEVER_INFINITE:
        return node
    return lambda v: _fin(np.array(node(v), dtype=np.float64))


def _product(expr: Node) -> _Node:
    """Factors ``x**-1`` become true divisions (applied after the other factors, in order)."""
    numerators: list[_Node] = []
    denominators: list[_Node] = []
    for arg in expr.args:
        if arg.kind == "Pow" and arg.args[1].kind == "Number" and arg.args[1].value == -1:
            denominators.append(_finite(arg.args[0]))  # x/inf = 0 would hide it
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


def _piecewise(expr: Node) -> _Node:
    return _piecewise_of([(_compile(pair.args[0]), _compile(pair.args[1])) for pair in expr.args])


def _piecewise_of(pieces: list[tuple[_Node, _Node]]) -> _Node:
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


# --- formulas that may be infinite on purpose ---------------------------------------------


def _divide_defined(a: Any, b: Any) -> Any:
    """``a / b`` with ``x / 0`` undefined (IEEE would give ±inf)."""
    result = np.divide(a, b)
    zero = np.asarray(b) == 0
    if zero.any():
        result = np.where(zero, _NAN, result)
    return result


def _power_defined(base: Any, exponent: float) -> Any:
    if exponent == 0.5:
        return np.sqrt(base)
    if exponent == 0.0:
        return np.where(_isnan(base), _NAN, 1.0)
    result = np.power(base, exponent)
    if exponent < 0:
        result = np.where(np.asarray(base) == 0, _NAN, result)
    return result


def _log_defined(x: Any) -> Any:
    return np.where(np.asarray(x) == 0, _NAN, np.log(x))


class _Unbounded:
    """The compiler for formulas that keep ±∞ (the JavaScript runtime's ``R.i*`` helpers).

    Infinities follow IEEE arithmetic (``never + 1`` is ``never``, ``1 / never`` is 0,
    ``never - never`` is undefined); the operations that are undefined at a finite point
    (``x / 0``, ``0 ** -k``, ``log(0)``) stay undefined.
    """

    def compile(self, expr: Node) -> _Node:
        kind = expr.kind
        if kind == "Mul":
            return self.product(expr)
        if kind == "Pow":
            base_expr, exp_value = expr.args
            base = self.compile(base_expr)
            if exp_value.kind == "Number":
                k = exp_value.value
                return lambda v: _power_defined(base(v), k)
            exponent = self.compile(exp_value)
            return lambda v: _power(base(v), exponent(v))
        if kind == "log":
            inner = self.compile(expr.args[0])
            return lambda v: _log_defined(inner(v))
        if kind == "exp":
            inner = self.compile(expr.args[0])
            return lambda v: np.exp(inner(v))
        if kind in ("Min", "Max"):
            ufunc = np.minimum if kind == "Min" else np.maximum
            return _fold([self.compile(arg) for arg in expr.args], ufunc)
        if kind == "Add":
            return _fold([self.compile(arg) for arg in expr.args], np.add)
        if kind == "Abs":
            inner = self.compile(expr.args[0])
            return lambda v: np.abs(inner(v))
        if kind in _RELATIONS:
            relation = _RELATIONS[kind]
            lhs, rhs = self.compile(expr.args[0]), self.compile(expr.args[1])
            return lambda v: relation(lhs(v), rhs(v))
        if kind in ("And", "Or"):
            op = _and if kind == "And" else _or
            return _fold([self.compile(arg) for arg in expr.args], op)
        if kind == "Not":
            inner = self.compile(expr.args[0])
            return lambda v: _not(inner(v))
        if kind == "Piecewise":
            pieces = [
                (self.compile(pair.args[0]), self.compile(pair.args[1])) for pair in expr.args
            ]
            return _piecewise_of(pieces)
        return _compile(expr)  # symbols, numbers and booleans are compiled alike

    def product(self, expr: Node) -> _Node:
        numerators: list[_Node] = []
        denominators: list[_Node] = []
        for arg in expr.args:
            if arg.kind == "Pow" and arg.args[1].kind == "Number" and arg.args[1].value == -1:
                denominators.append(self.compile(arg.args[0]))
            else:
                numerators.append(self.compile(arg))
        if not denominators and len(numerators) == 1:
            return numerators[0]
        top = _fold(numerators, np.multiply) if numerators else _constant(1.0)

        def apply(v: Mapping[str, Any]) -> Any:
            result = top(v)
            for part in denominators:
                result = _divide_defined(result, part(v))
            return result

        return apply
