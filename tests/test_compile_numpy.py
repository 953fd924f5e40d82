"""Vectorised evaluation: undefined is NaN, Kleene booleans, agreement with a reference."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.formula.compiled import CompiledFormula, Symbol, compile_formula
from engine.formula.to_numpy import numpy_function
from engine.formula.units import parse_unit

PLAIN = parse_unit("")
SYMBOLS = {name: Symbol(PLAIN) for name in ("a", "b", "c")}
SYMBOLS["price"] = Symbol(parse_unit("USD/Mtok"))
SYMBOLS["cost"] = Symbol(parse_unit("USD/token"))
NAN = math.nan


def compiled(text: str, *, boolean: bool = False) -> CompiledFormula:
    return compile_formula(text, SYMBOLS, expected_unit=None if boolean else PLAIN, boolean=boolean)


def run(text: str, boolean: bool = False, **values: list[float]) -> np.ndarray:
    formula = compiled(text, boolean=boolean)
    evaluate = numpy_function(formula.expr, formula.names)
    return evaluate({k: np.array(v, dtype=np.float64) for k, v in values.items()})


def same(actual: np.ndarray, expected: list[float]) -> bool:
    return bool(np.allclose(actual, expected, rtol=1e-12, atol=0, equal_nan=True))


@pytest.mark.parametrize(
    ("text", "a", "expected"),
    [
        ("1 / a", [0.0, -0.0, 2.0, NAN], [NAN, NAN, 0.5, NAN]),
        ("a ** -2", [0.0, 2.0, -2.0], [NAN, 0.25, 0.25]),
        ("a ** 0", [0.0, 5.0, NAN], [1.0, 1.0, NAN]),
        ("a ** 0.5", [-4.0, 4.0, 0.0], [NAN, 2.0, 0.0]),
        ("a ** 3", [-2.0, 1e200], [-8.0, NAN]),
        ("a ** 1.5", [-1.0, 4.0], [NAN, 8.0]),
        ("sqrt(a)", [-1.0, 9.0], [NAN, 3.0]),
        ("log(a)", [0.0, -1.0, math.e], [NAN, NAN, 1.0]),
        ("exp(a)", [1000.0, 0.0], [NAN, 1.0]),
        ("a * a", [1e200, -3.0], [NAN, 9.0]),
        ("a + a", [1.7e308, 1.0], [NAN, 2.0]),
        ("abs(a)", [-2.0, NAN], [2.0, NAN]),
        ("min(a, 1)", [0.0, 2.0, NAN], [0.0, 1.0, NAN]),
        ("max(a, 1, 3)", [0.0, 5.0], [3.0, 5.0]),
        ("a / a", [0.0, 3.0], [NAN, 1.0]),
    ],
)
def test_undefined_is_nan(text: str, a: list[float], expected: list[float]) -> None:
    assert same(run(text, a=a), expected)


def test_kleene_logic() -> None:
    a = [1.0, 1.0, 1.0, 0.0, 0.0, 0.0, NAN, NAN, NAN]
    b = [1.0, 0.0, NAN, 1.0, 0.0, NAN, 1.0, 0.0, NAN]
    assert same(run("a > 0.5 and b > 0.5", True, a=a, b=b), [1, 0, NAN, 0, 0, 0, NAN, 0, NAN])
    assert same(run("a > 0.5 or b > 0.5", True, a=a, b=b), [1, 1, 1, 1, 0, NAN, 1, NAN, NAN])
    assert same(run("not a > 0.5", True, a=a), [0, 0, 0, 1, 1, 1, NAN, NAN, NAN])


def test_comparisons_with_nan_are_nan() -> None:
    assert same(run("a < b", True, a=[1.0, NAN, 2.0], b=[2.0, 1.0, 1.0]), [1, NAN, 0])
    assert same(run("a == b", True, a=[1.0, NAN], b=[1.0, NAN]), [1, NAN])


def test_contradictions_and_tautologies_are_undefined_where_their_side_is() -> None:
    # sympy's own And/Or would fold these to False/True, which is wrong for an undefined `a`
    assert same(run("a >= 0 and a < 0", True, a=[1.0, -1.0, NAN]), [0, 0, NAN])
    assert same(run("a > 0 or a <= 0", True, a=[1.0, -1.0, NAN]), [1, 1, NAN])
    assert same(run("0 < a < 0", True, a=[1.0, NAN]), [0, NAN])


def test_if_takes_only_the_chosen_branch() -> None:
    result = run("1 / a if a != 0 else 0", a=[0.0, 2.0, NAN])
    assert same(result, [0.0, 0.5, NAN])  # the NaN of 1/0 is not chosen; a NaN condition is NaN


@pytest.mark.parametrize(
    ("c", "expected"),
    [
        ([1.0, 1.0, 1.0], [1.0, NAN, 2.0]),  # the same in every sample: the first branch, whole
        ([0.0, 0.0, 0.0], [5.0, 6.0, 7.0]),  # false everywhere: the next branch
        ([NAN, NAN, NAN], [NAN, NAN, NAN]),  # undefined everywhere
        ([1.0, 0.0, NAN], [1.0, 6.0, NAN]),  # mixed: sample by sample
    ],
)
def test_if_with_a_condition_the_same_in_every_sample(
    c: list[float], expected: list[float]
) -> None:
    a = np.array([1.0, math.inf, 2.0])  # an infinity becomes NaN in the result, not in the input
    formula = compiled("a if c > 0 else b")
    evaluate = numpy_function(formula.expr, formula.names)
    result = evaluate({"a": a, "b": np.array([5.0, 6.0, 7.0]), "c": np.array(c)})
    assert same(result, expected)
    assert a[1] == math.inf and result is not a


def test_unit_conversion_is_part_of_the_function() -> None:
    formula = compile_formula("cost", SYMBOLS, expected_unit=parse_unit("USD/Mtok"), boolean=False)
    evaluate = numpy_function(formula.expr, formula.names)
    assert same(evaluate({"cost": np.array([2e-6])}), [2.0])


def test_constants_broadcast_and_inputs_are_untouched() -> None:
    formula = compiled("2 + 3")
    evaluate = numpy_function(formula.expr, formula.names)
    assert evaluate({"a": np.zeros(4)}).tolist() == [5.0] * 4
    inputs = np.array([np.inf, 1.0])
    formula = compiled("a")
    out = numpy_function(formula.expr, formula.names)({"a": inputs})
    assert same(out, [NAN, 1.0])
    assert inputs[0] == np.inf
    assert out.dtype == np.float64


def test_no_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run("log(a) + 1 / a + sqrt(a) + exp(a * 1000) + a ** -3", a=[0.0, -1.0, 1e308, NAN])


def test_missing_symbol_is_a_programming_error() -> None:
    formula = compiled("a + b")
    with pytest.raises(ValueError, match="missing b"):
        numpy_function(formula.expr, ["a"])


def test_a_million_samples() -> None:
    formula = compiled("(a * b + c / a - b) ** 2 + log(a) * exp(b / 10) - max(a, c) / 2")
    evaluate = numpy_function(formula.expr, formula.names)
    rng = np.random.default_rng(0)
    values = {name: rng.uniform(0.1, 2.0, 1_000_000) for name in "abc"}
    result = evaluate(values)
    assert result.shape == (1_000_000,)
    assert np.isfinite(result).all()


# --- reference evaluation -----------------------------------------------------------------
# Formulas are drawn together with a plain-Python evaluator of the same semantics.

Ref = Callable[[dict[str, float]], float]


def _safe(op: Callable[..., Any]) -> Callable[..., float]:
    def apply(*args: float) -> float:
        if any(math.isnan(x) for x in args):
            return NAN
        try:
            result = op(*args)
        except (ZeroDivisionError, OverflowError, ValueError):
            return NAN
        if isinstance(result, complex) or math.isinf(result):
            return NAN
        return float(result)

    return apply


def _compare(op: Callable[[float, float], bool]) -> Callable[[float, float], float]:
    return lambda x, y: NAN if math.isnan(x) or math.isnan(y) else float(op(x, y))


def _and(x: float, y: float) -> float:
    if x == 0 or y == 0:
        return 0.0
    return NAN if math.isnan(x) or math.isnan(y) else 1.0


def _or(x: float, y: float) -> float:
    if (x != 0 and not math.isnan(x)) or (y != 0 and not math.isnan(y)):
        return 1.0
    return NAN if math.isnan(x) or math.isnan(y) else 0.0


def _if(c: float, x: float, y: float) -> float:
    return NAN if math.isnan(c) else (x if c != 0 else y)


def _min(x: float, y: float) -> float:
    return NAN if math.isnan(x) or math.isnan(y) else min(x, y)


def _max(x: float, y: float) -> float:
    return NAN if math.isnan(x) or math.isnan(y) else max(x, y)


def _pow(k: int) -> Callable[[float], float]:
    return _safe(lambda x: 1.0 if k == 0 else x**k)


Pair = tuple[str, Ref]

_BINARY: dict[str, Callable[[float, float], float]] = {
    "+": _safe(lambda x, y: x + y),
    "-": _safe(lambda x, y: x - y),
    "*": _safe(lambda x, y: x * y),
    "/": _safe(lambda x, y: x / y),
}
_UNARY: dict[str, Callable[[float], float]] = {
    "abs": _safe(abs),
    "sqrt": _safe(math.sqrt),
    "log": _safe(math.log),
    "exp": _safe(math.exp),
    "-": _safe(lambda x: -x),
}
_COMPARE: dict[str, Callable[[float, float], float]] = {
    "<": _compare(lambda x, y: x < y),
    "<=": _compare(lambda x, y: x <= y),
    ">": _compare(lambda x, y: x > y),
    "==": _compare(lambda x, y: x == y),
    "!=": _compare(lambda x, y: x != y),
}
_CONSTANTS = [0.0, 1.0, 2.5, 0.5, 1e-3, 7.0, 1e10]


@st.composite
def number_formulas(draw: st.DrawFn, depth: int = 0) -> Pair:
    """A numeric formula over a, b, c with its reference evaluator."""
    kind = draw(st.sampled_from(["atom", "binary", "power", "unary", "minmax", "if"]))
    if depth >= 3 or kind == "atom":
        if draw(st.booleans()):
            name = draw(st.sampled_from("abc"))
            return name, lambda v: v[name]
        constant = draw(st.sampled_from(_CONSTANTS))
        return repr(constant), lambda v: constant
    left = draw(number_formulas(depth + 1))
    if kind == "binary":
        op = draw(st.sampled_from(sorted(_BINARY)))
        right = draw(number_formulas(depth + 1))
        return f"({left[0]} {op} {right[0]})", _binary(_BINARY[op], left[1], right[1])
    if kind == "power":
        k = draw(st.integers(-3, 3))
        return f"({left[0]}) ** {k}", _unary(_pow(k), left[1])
    if kind == "unary":
        name = draw(st.sampled_from(sorted(_UNARY)))
        return f"{name}({left[0]})", _unary(_UNARY[name], left[1])
    right = draw(number_formulas(depth + 1))
    if kind == "minmax":
        name = draw(st.sampled_from(["min", "max"]))
        return f"{name}({left[0]}, {right[0]})", _binary(
            _min if name == "min" else _max, left[1], right[1]
        )
    cond = draw(condition_formulas(depth + 1))
    return (
        f"({left[0]} if {cond[0]} else {right[0]})",
        lambda v: _if(cond[1](v), left[1](v), right[1](v)),
    )


@st.composite
def condition_formulas(draw: st.DrawFn, depth: int = 0) -> Pair:
    """A condition with its reference evaluator (1/0/NaN)."""
    kind = draw(st.sampled_from(["compare", "compare", "and", "or", "not"]))
    if depth >= 3 or kind == "compare":
        op = draw(st.sampled_from(sorted(_COMPARE)))
        left, right = draw(number_formulas(depth + 1)), draw(number_formulas(depth + 1))
        return f"({left[0]} {op} {right[0]})", _binary(_COMPARE[op], left[1], right[1])
    inner = draw(condition_formulas(depth + 1))
    if kind == "not":
        return f"(not {inner[0]})", _unary(_not, inner[1])
    other = draw(condition_formulas(depth + 1))
    logic = _and if kind == "and" else _or
    return f"({inner[0]} {kind} {other[0]})", _binary(logic, inner[1], other[1])


def _not(x: float) -> float:
    return NAN if math.isnan(x) else float(x == 0)


def _binary(op: Callable[[float, float], float], left: Ref, right: Ref) -> Ref:
    return lambda v: op(left(v), right(v))


def _unary(op: Callable[[float], float], inner: Ref) -> Ref:
    return lambda v: op(inner(v))


VALUES = st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.5, -3.0, 1e-300, 1e300, -1e300, 0.1, NAN])


def reference_agrees(
    text: str, reference: Ref, rows: list[dict[str, float]], *, boolean: bool
) -> None:
    formula = compiled(text, boolean=boolean)
    evaluate = numpy_function(formula.expr, formula.names)
    arrays = {name: np.array([row[name] for row in rows]) for name in "abc"}
    actual = evaluate(arrays)
    expected = np.array([reference(row) for row in rows])
    assert np.allclose(actual, expected, rtol=1e-9, atol=0, equal_nan=True), (
        text,
        actual,
        expected,
    )


ROWS = st.lists(st.fixed_dictionaries({n: VALUES for n in "abc"}), min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(number_formulas(), ROWS)
def test_numpy_agrees_with_reference(formula: Pair, rows: list[dict[str, float]]) -> None:
    reference_agrees(formula[0], formula[1], rows, boolean=False)


@settings(max_examples=200, deadline=None)
@given(condition_formulas(), ROWS)
def test_numpy_conditions_agree_with_reference(formula: Pair, rows: list[dict[str, float]]) -> None:
    reference_agrees(formula[0], formula[1], rows, boolean=True)
