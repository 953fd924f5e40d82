"""The formula language: whitelist, limits, references, units, conversion."""

from __future__ import annotations

import time

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.formula.compiled import (
    CompiledFormula,
    FormulaError,
    Symbol,
    compile_formula,
    symbol_names,
)
from engine.formula.to_numpy import numpy_function
from engine.formula.units import parse_unit

SYMBOLS = {
    "price": Symbol(parse_unit("USD/Mtok")),
    "price_per_token": Symbol(parse_unit("USD/token")),
    "gpu_hour_usd": Symbol(parse_unit("USD/GPU/hour")),
    "throughput": Symbol(parse_unit("token/GPU/second")),
    "margin": Symbol(parse_unit("percent")),
    "ratio": Symbol(parse_unit("")),
    "lens": Symbol(parse_unit(""), choices=("average", "marginal")),
}


def numeric(text: str, unit: str = "") -> CompiledFormula:
    return compile_formula(text, SYMBOLS, expected_unit=parse_unit(unit), boolean=False)


def condition(text: str) -> CompiledFormula:
    return compile_formula(text, SYMBOLS, expected_unit=None, boolean=True)


def refused(text: str, *, unit: str | None = "", boolean: bool = False) -> FormulaError:
    expected = parse_unit(unit) if unit is not None and not boolean else None
    with pytest.raises(FormulaError) as info:
        compile_formula(text, SYMBOLS, expected_unit=expected, boolean=boolean)
    return info.value


def value(formula: CompiledFormula, **values: float) -> float:
    evaluate = numpy_function(formula.expr, formula.names)
    return float(evaluate({k: np.array([v]) for k, v in values.items()})[0])


# --- hostile input -------------------------------------------------------------------------

HOSTILE = {
    "import": "__import__('os').system('id')",
    "dunder": "().__class__",
    "lambda": "lambda: 1",
    "tower": "9**9**9**9",
    "attribute": "ratio.real",
    "long": "1+" * 50_000 + "1",
    "parens": "(" * 500 + "ratio" + ")" * 500,
    "unary": "-" * 1999 + "ratio",
    "huge literal": "9" * 1000,
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_input_is_refused_quickly(text: str) -> None:
    start = time.perf_counter()
    with pytest.raises(FormulaError):
        numeric(text)
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize(
    ("text", "kind", "message"),
    [
        ("__import__('os').system('id')", "forbidden", "attribute access is not allowed"),
        ("().__class__", "forbidden", "attribute access is not allowed"),
        ("lambda: 1", "forbidden", "lambda is not allowed"),
        ("9**9**9**9", "forbidden", "exponent must be a number between -64 and 64"),
        ("ratio ** 65", "forbidden", "exponent must be a number between -64 and 64"),
        ("ratio ** ratio", "forbidden", "exponent must be a number between -64 and 64"),
        ("ratio.real", "forbidden", "attribute access is not allowed"),
        ("[ratio][0]", "forbidden", "indexing is not allowed"),
        ("max(*ratio)", "forbidden", "starred arguments are not allowed"),
        ("abs(x=ratio)", "forbidden", "keyword arguments are not allowed"),
        ("f'{ratio}'", "forbidden", "f-strings are not allowed"),
        ("(ratio := 1)", "forbidden", "assignment (:=) is not allowed"),
        ("b'x'", "forbidden", "bytes literals are not allowed"),
        ("2j", "forbidden", "complex numbers are not allowed"),
        ("[r for r in ratio]", "forbidden", "list comprehensions are not allowed"),
        ("ratio % 2", "forbidden", "the '%' operator is not allowed"),
        ("eval('1')", "forbidden", "calling 'eval' is not allowed"),
        ("ratio # note", "forbidden", "comments are not allowed"),
        ("1e999", "forbidden", "expected a number of magnitude at most"),
        ("'marginal'", "forbidden", "text is only allowed when comparing a choice figure"),
        ("(" * 500 + "1" + ")" * 500, "syntax", "formula is nested too deeply"),
        ("ratio +", "syntax", "expected a value after the operator, found the end"),
        ("ratio $ 2", "syntax", "invalid syntax: unexpected '$'"),
        ("min(ratio)", "syntax", "expected at least 2 arguments to min(), found 1"),
        ("log(ratio, 2)", "syntax", "expected 1 argument to log(), found 2"),
    ],
)
def test_refusals_name_the_problem(text: str, kind: str, message: str) -> None:
    error = refused(text)
    assert error.kind == kind
    assert error.message.startswith(message)
    assert error.message[0].islower() or error.message[0] in "'("


def test_length_limit_is_checked_before_parsing() -> None:
    error = refused("ratio + " * 300 + "1")
    assert error.message.startswith("formula is too long: expected at most 2000 characters")


def test_depth_limit() -> None:
    assert numeric("-" * 30 + "ratio") is not None
    error = refused("-" * 60 + "ratio")
    assert error.message.startswith("formula is nested too deeply: expected at most 40 levels")


# --- offsets and references ---------------------------------------------------------------


def test_unknown_name_suggests_the_closest() -> None:
    error = refused("2 * pricee")
    assert (error.kind, error.offset, error.suggestion) == ("reference", 4, "price")
    assert error.message == "unknown name 'pricee'"
    assert "did you mean 'price'" in str(error)


def test_offsets_count_characters_across_newlines_and_unicode() -> None:
    assert refused("ratio +\n  ratiio").offset == 10
    assert refused("  ratio + réponse").offset == 10
    assert refused("ratio $ 1").offset == 6


def test_unit_mismatch_points_at_the_operator() -> None:
    error = refused("price + gpu_hour_usd", unit="USD/Mtok")
    assert error.kind == "unit"
    assert error.offset == 6
    assert error.message == (
        "unit mismatch in '+': left side is USD/Mtok, right side is USD/GPU/hour"
    )


def test_declared_unit_mismatch() -> None:
    error = refused("throughput", unit="USD/Mtok")
    assert error.message == (
        "unit mismatch: expected USD/Mtok (the declared unit), found token/GPU/s"
    )


def test_condition_and_number_are_not_interchangeable() -> None:
    assert (
        refused("price", boolean=True).message == "expected a condition, found a number in USD/Mtok"
    )
    assert (
        refused("price > 0", unit="USD/Mtok").message
        == "expected a number in USD/Mtok, found a condition"
    )
    assert refused("not ratio", boolean=True).message.startswith("expected a condition after 'not'")


def test_log_needs_a_plain_number() -> None:
    error = refused("log(price)")
    assert error.message == "expected a plain number in log(), found a number in USD/Mtok"


def test_if_branches_must_agree() -> None:
    assert refused("price if ratio > 0 else gpu_hour_usd", unit="USD/Mtok").kind == "unit"
    assert refused("price if ratio > 0 else ratio > 1", unit="USD/Mtok").kind == "unit"


# --- choices --------------------------------------------------------------------------------


def test_choice_option_becomes_its_index() -> None:
    formula = condition("lens == 'marginal'")
    assert formula.names == ("lens",)
    assert value(formula, lens=1) == 1.0
    assert value(formula, lens=0) == 0.0
    assert condition("'average' != lens").expr == sympy.Ne(0, sympy.Symbol("lens"))


def test_unknown_option_suggests_the_closest() -> None:
    error = refused("lens == 'marginl'", boolean=True)
    assert error.kind == "reference"
    assert error.suggestion == "marginal"
    assert error.offset == 8
    assert "expected one of 'average', 'marginal'" in error.message


def test_text_needs_a_choice_figure() -> None:
    assert refused("ratio == 'x'", boolean=True).kind == "forbidden"
    assert refused("lens < 'average'", boolean=True).kind == "forbidden"


# --- structure and conversion -------------------------------------------------------------


def test_author_structure_is_kept() -> None:
    formula = numeric("9**9 + 2*3")
    power, product = formula.raw.args  # in the author's order, nothing computed
    assert isinstance(power, sympy.Pow) and power.args == (9, 9)
    assert isinstance(product, sympy.Mul) and product.args == (2, 3)
    assert formula.names == ()


def test_symbols_are_converted_to_the_declared_unit() -> None:
    # USD/token → USD/Mtok: 2e-6 USD/token is 2 USD/Mtok
    formula = numeric("price_per_token", "USD/Mtok")
    assert value(formula, price_per_token=2e-6) == pytest.approx(2.0)
    # hourly GPU cost / throughput: 3.6 USD per GPU-hour at 1 token/s is 1e-3 USD/token
    formula = numeric("gpu_hour_usd / throughput", "USD/Mtok")
    assert value(formula, gpu_hour_usd=3.6, throughput=1.0) == pytest.approx(1000.0)
    assert str(formula.raw) == "gpu_hour_usd/throughput"


def test_comparisons_convert_units_and_percent_is_a_fraction() -> None:
    formula = condition("price > price_per_token")
    assert value(formula, price=2.0, price_per_token=1e-6) == 1.0
    assert value(formula, price=0.5, price_per_token=1e-6) == 0.0
    half = condition("margin > 0.5")
    assert value(half, margin=60) == 1.0
    assert value(half, margin=40) == 0.0


def test_zero_fits_any_unit() -> None:
    assert condition("price > 0").names == ("price",)
    assert numeric("max(price, 0)", "USD/Mtok").unit == parse_unit("USD/Mtok")
    assert refused("price > 1", boolean=True).kind == "unit"


def test_chained_comparison_is_a_conjunction() -> None:
    formula = condition("0 < ratio < 1")
    assert isinstance(formula.expr, sympy.And)
    assert value(formula, ratio=0.5) == 1.0
    assert value(formula, ratio=2.0) == 0.0


def test_eq_with_zero_stays_unevaluated() -> None:
    formula = condition("ratio == 0")
    assert isinstance(formula.expr, sympy.Eq)
    assert isinstance(condition("0 == 0").expr, sympy.Eq)


def test_sqrt_and_power_units() -> None:
    assert numeric("sqrt(price * price)", "USD/Mtok").unit == parse_unit("USD/Mtok")
    assert numeric("(price ** 2) ** 0.5", "USD/Mtok").unit == parse_unit("USD/Mtok")
    assert refused("price ** 2", unit="USD/Mtok").kind == "unit"


def test_symbol_names() -> None:
    assert symbol_names("min(a, b) + log(c) if d > 0 else e") == {"a", "b", "c", "d", "e"}
    with pytest.raises(FormulaError):
        symbol_names("a +")


# --- properties -----------------------------------------------------------------------------

NAMES = ["ratio", "price", "margin", "lens", "nope"]
ATOMS = st.one_of(
    st.sampled_from(NAMES),
    st.integers(-100, 100).map(str),
    st.floats(-1e6, 1e6, allow_nan=False).map(repr),
    st.sampled_from(["True", "False", "'average'", "0"]),
)


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.tuples(
        children,
        st.sampled_from(["+", "-", "*", "/", "**", "<", "==", "and", "or", "%", "."]),
        children,
    ).map(lambda t: f"({t[0]} {t[1]} {t[2]})")
    call = st.tuples(
        st.sampled_from(["min", "max", "abs", "log", "exp", "sqrt", "foo"]),
        st.lists(children, min_size=0, max_size=3),
    ).map(lambda t: f"{t[0]}({', '.join(t[1])})")
    unary = st.tuples(st.sampled_from(["-", "not ", "+"]), children).map("".join)
    ifexp = st.tuples(children, children, children).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})")
    return st.one_of(binary, call, unary, ifexp)


ANY_FORMULA = st.recursive(ATOMS, _combine, max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(ANY_FORMULA, st.booleans(), st.sampled_from(["", "USD/Mtok", "percent"]))
def test_compile_raises_only_formula_errors(text: str, boolean: bool, unit: str) -> None:
    try:
        formula = compile_formula(
            text, SYMBOLS, expected_unit=None if boolean else parse_unit(unit), boolean=boolean
        )
    except FormulaError as error:
        assert error.kind in ("syntax", "forbidden", "reference", "unit")
        assert 0 <= error.offset <= len(text)
        return
    assert formula.boolean is boolean
    assert set(formula.names) <= set(SYMBOLS)
    assert list(formula.names) == sorted(set(formula.names))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_text_raises_only_formula_errors(text: str) -> None:
    try:
        numeric(text)
    except FormulaError as error:
        assert 0 <= error.offset <= len(text)
