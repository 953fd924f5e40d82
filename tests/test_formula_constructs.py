"""Quantity literals, `at(...)`, `never` and `crossing(...)`: parsing, units, numpy and JS."""

from __future__ import annotations

import json
import math
import subprocess

import numpy as np
import pytest

from engine.formula.compiled import FormulaError, Symbol, compile_formula
from engine.formula.to_js import js_function_source
from engine.formula.to_mathml import to_mathml
from engine.formula.to_numpy import numpy_function
from engine.formula.units import parse_unit
from tests.test_compile_js import NODE, RUNTIME, needs_node

SYMBOLS = {
    "distance": Symbol(parse_unit("km")),
    "price": Symbol(parse_unit("USD")),
    "rate": Symbol(parse_unit("USD/km")),
    "fuel": Symbol(parse_unit(""), choices=("gas", "coal")),
    "a": Symbol(parse_unit("")),
}
# A calculator `cost` = price + (2 USD if fuel == 'coal' else 0) * distance / 1 km, known by its tree.
_COST = compile_formula(
    "price + (2[USD] if fuel == 'coal' else 0[USD]) * distance / 1[km]",
    SYMBOLS,
    expected_unit=parse_unit("USD"),
    boolean=False,
)
SYMBOLS["cost"] = Symbol(parse_unit("USD"), definition=_COST.expr)


def compile_number(text: str, unit: str | None = None) -> object:
    return compile_formula(
        text, SYMBOLS, expected_unit=None if unit is None else parse_unit(unit), boolean=False
    )


def evaluate(text: str, unit: str | None = None, **values: float) -> float:
    formula = compile_formula(
        text, SYMBOLS, expected_unit=None if unit is None else parse_unit(unit), boolean=False
    )
    arrays = {name: np.array([values.get(name, math.nan)]) for name in formula.names}
    function = numpy_function(formula.expr, formula.names, unbounded=formula.unbounded)
    return float(function(arrays)[0])


def condition(text: str, **values: float) -> float:
    formula = compile_formula(text, SYMBOLS, expected_unit=None, boolean=True)
    arrays = {name: np.array([values.get(name, math.nan)]) for name in formula.names}
    function = numpy_function(formula.expr, formula.names, unbounded=formula.unbounded)
    return float(function(arrays)[0])


def error(text: str, boolean: bool = True) -> FormulaError:
    with pytest.raises(FormulaError) as caught:
        compile_formula(text, SYMBOLS, expected_unit=None, boolean=boolean)
    return caught.value


# --- quantity literals ----------------------------------------------------------------------


def test_quantity_literal_is_converted_to_the_other_sides_unit() -> None:
    # 50000 mile = 80467.2 km
    assert condition("distance > 50000[mile]", distance=80467.0) == 0.0
    assert condition("distance > 50000[mile]", distance=80468.0) == 1.0
    assert evaluate("distance + 1[mile]", "km", distance=1.0) == pytest.approx(2.609344)
    assert evaluate("0.3[USD/km] * distance", "USD", distance=10.0) == pytest.approx(3.0)


def test_quantity_literal_dimension_mismatch_names_both_sides() -> None:
    found = error("distance > 5[USD]")
    assert found.kind == "unit"
    assert "left side is km, right side is USD" in str(found)
    assert found.offset == len("distance ")


def test_unknown_unit_in_a_literal_points_at_the_unit() -> None:
    found = error("distance > 5[parsec_per_fortnight]")
    assert found.kind == "unit"
    assert found.offset == len("distance > 5[")
    assert "parsec_per_fortnight" in str(found)


@pytest.mark.parametrize(
    ("text", "suggestion", "offset"),
    [
        ("price > 5 USD", "5[USD]", 10),
        ("distance > 50000 mile", "50000[mile]", 17),
        ("price>5USD", "5[USD]", 6),
    ],
)
def test_bare_unit_after_a_number_suggests_the_bracket_form(
    text: str, suggestion: str, offset: int
) -> None:
    found = error(text)
    assert found.kind == "syntax"
    assert found.suggestion == suggestion
    assert "unit in brackets" in found.message
    assert text[found.offset :].lstrip().startswith(suggestion.split("[")[1].rstrip("]")) or (
        found.offset <= offset
    )


def test_indexing_a_name_is_still_refused() -> None:
    assert "indexing is not allowed" in str(error("distance[2] > 0"))


def test_literal_is_shown_with_its_unit_in_mathml() -> None:
    formula = compile_formula("distance > 50000[mile]", SYMBOLS, expected_unit=None, boolean=True)
    shown = to_mathml(formula.raw)
    assert "<mn>50000</mn>" in shown
    assert '<mi mathvariant="normal">mile</mi>' in shown


# --- at(...) --------------------------------------------------------------------------------


def test_at_replaces_a_figure_through_a_calculator() -> None:
    # cost inlines its definition because it depends on fuel
    at_coal = evaluate("at(cost, fuel='coal')", "USD", price=10.0, distance=3.0, fuel=0.0)
    assert at_coal == pytest.approx(16.0)
    plain = evaluate("cost", "USD", cost=10.0)
    assert plain == 10.0


def test_at_takes_quantities_figures_and_expressions() -> None:
    assert evaluate("at(cost, fuel='coal', distance=2[mile])", "USD", price=0.0) == (
        pytest.approx(2 * 2 * 1.609344)
    )
    assert evaluate("at(distance * 2, distance=a * 1[km])", "km", a=4.0) == 8.0


def test_a_replaced_figure_is_not_an_input_of_the_result() -> None:
    formula = compile_formula("at(cost, fuel='coal')", SYMBOLS, expected_unit=None, boolean=False)
    assert "fuel" not in formula.names
    assert {"price", "distance"} <= set(formula.names)
    both = compile_formula(
        "at(cost, fuel='coal') - cost", SYMBOLS, expected_unit=None, boolean=False
    )
    assert "cost" in both.names


def test_innermost_at_wins() -> None:
    assert evaluate("at(at(distance, distance=1[km]), distance=5[km])", "km") == 1.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("at(cost, fuel='oil')", "expected one of 'gas', 'coal' for 'fuel', found 'oil'"),
        ("at(cost, fuel=coal)", "expected an option of 'fuel' in quotes, found coal"),
        ("at(cost, distance=5)", "'distance' is km, the value is a plain number"),
        ("at(cost, distance=5[USD])", "'distance' is km, the value is USD"),
        ("at(cost, fule='coal')", "unknown figure 'fule' to set"),
        ("at(cost)", "expected at(expression, figure=value, …)"),
        ("at(cost, fuel='gas', fuel='coal')", "'fuel' is set twice"),
    ],
)
def test_at_errors(text: str, message: str) -> None:
    assert message in str(error(text, boolean=False))


def test_at_is_shown_with_its_settings_in_mathml() -> None:
    formula = compile_formula(
        "at(cost, fuel='coal') > 5[USD]", SYMBOLS, expected_unit=None, boolean=True
    )
    shown = to_mathml(formula.raw)
    assert "<msub>" in shown and "<ms>coal</ms>" in shown and "<mi>fuel</mi>" in shown


# --- never and crossing -------------------------------------------------------------------


def test_crossing_of_a_gap_and_a_rate() -> None:
    assert evaluate("crossing(price, rate)", "km", price=10.0, rate=2.0) == 5.0
    assert evaluate("crossing(price, rate)", "km", price=-1.0, rate=2.0) == 0.0
    assert evaluate("crossing(price, rate)", "km", price=10.0, rate=-2.0) == math.inf
    assert evaluate("crossing(price, rate)", "km", price=10.0, rate=0.0) == math.inf
    assert math.isnan(evaluate("crossing(price, rate)", "km", price=math.nan, rate=1.0))


def test_never_compares_as_infinity_and_undefined_stays_undefined() -> None:
    assert condition("crossing(price, rate) == never", price=1.0, rate=-1.0) == 1.0
    assert condition("crossing(price, rate) > 1000000[km]", price=1.0, rate=-1.0) == 1.0
    assert condition("crossing(price, rate) < never", price=1.0, rate=1.0) == 1.0
    assert math.isnan(condition("crossing(price, rate) < never", price=math.nan, rate=1.0))
    # division by zero is undefined, not infinite, even in a formula that may be infinite
    assert math.isnan(evaluate("never + a / (a * 0)", "", a=1.0))
    assert evaluate("1 / never", "") == 0.0
    assert math.isnan(evaluate("never - never", ""))


def test_overflow_stays_undefined_where_never_is_not_used() -> None:
    assert math.isnan(evaluate("a * 1e300 * 1e300", "", a=1.0))


def test_crossing_units_and_errors() -> None:
    assert "expected 2 arguments" in str(error("crossing(price) > 0[km]"))
    formula = compile_formula("crossing(price, rate)", SYMBOLS, expected_unit=None, boolean=False)
    assert str(formula.unit) == "kilometer"
    assert formula.unbounded
    assert "unit mismatch" in str(
        error("crossing(price, rate) > 1[USD]"),
    )


# --- the same numbers in JavaScript ----------------------------------------------------------


def _run_node(sources: list[str], rows: list[dict[str, float]]) -> list[list[float]]:
    """Like tests.test_compile_js.run_node, but keeping ±Infinity apart from NaN."""
    assert NODE is not None
    table = [{k: (None if math.isnan(x) else x) for k, x in row.items()} for row in rows]
    script = (
        RUNTIME.read_text()
        + "\nconst R = globalThis.CruxRuntime.R;\n"
        + f"const fns = [{', '.join(sources)}];\n"
        + f"const rows = {json.dumps(table)};\n"
        + "const out = fns.map(f => rows.map(r => {\n"
        + "  const v = {}; for (const k in r) v[k] = r[k] === null ? NaN : r[k];\n"
        + "  const x = f(v); return Number.isNaN(x) ? 'nan' : String(x); }));\n"
        + "process.stdout.write(JSON.stringify(out));\n"
    )
    done = subprocess.run([NODE, "-"], input=script, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return [[float(x) for x in column] for column in json.loads(done.stdout)]


DIFFERENTIAL = [
    ("distance + 1[mile]", "km"),
    ("0.3[USD/km] * distance - 2[USD]", "USD"),
    ("at(cost, fuel='coal')", "USD"),
    ("at(cost, fuel='coal', distance=2[mile]) - cost", "USD"),
    ("crossing(price, rate)", "km"),
    ("crossing(price, rate) / 2 + distance", "km"),
    ("min(crossing(price, rate), 10[km])", "km"),
    ("1[km] / crossing(price, rate)", ""),
    ("never if a > 0 else -never", ""),
    ("a / (a - a) + never", ""),
    ("log(a) + never * 0", ""),
    ("a ** -1 + 1 / never", ""),
    ("exp(a) * never", ""),
]
DIFFERENTIAL_CONDITIONS = [
    "crossing(price, rate) == never",
    "crossing(price, rate) > 50000[mile] or a < 0",
    "at(cost, fuel='gas') < at(cost, fuel='coal')",
    "distance > 5[mile] and price <= 2[USD]",
]


@needs_node
def test_js_matches_numpy_on_the_new_constructs() -> None:
    rng = np.random.default_rng(7)
    special = [0.0, -0.0, 1.0, -1.0, 2.5, -3.0, 1e300, math.nan, 7.0]
    rows = []
    for _ in range(120):
        row = {name: float(rng.choice(special)) for name in ("distance", "price", "rate", "a")}
        row["fuel"] = float(rng.integers(0, 2))
        row["cost"] = float(rng.normal(0, 5))
        rows.append(row)
    compiled = [
        compile_formula(t, SYMBOLS, expected_unit=parse_unit(u), boolean=False)
        for t, u in DIFFERENTIAL
    ] + [
        compile_formula(t, SYMBOLS, expected_unit=None, boolean=True)
        for t in DIFFERENTIAL_CONDITIONS
    ]
    sources = [js_function_source(f.expr, f.names, unbounded=f.unbounded) for f in compiled]
    from_js = _run_node(sources, rows)
    arrays = {name: np.array([row[name] for row in rows]) for name in rows[0]}
    saw_infinity = False
    for formula, js_values in zip(compiled, from_js, strict=True):
        function = numpy_function(formula.expr, formula.names, unbounded=formula.unbounded)
        expected = function(arrays)
        saw_infinity = saw_infinity or bool(np.isinf(expected).any())
        assert np.allclose(js_values, expected, rtol=1e-12, atol=0, equal_nan=True), (
            formula.text,
            js_values,
            expected.tolist(),
        )
    assert saw_infinity
