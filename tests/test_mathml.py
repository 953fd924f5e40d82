"""MathML display of the author's formula."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import sympy

from engine.formula.compiled import Symbol, compile_formula
from engine.formula.to_mathml import to_mathml
from engine.formula.units import parse_unit

NS = "{http://www.w3.org/1998/Math/MathML}"
SYMBOLS = {
    "gpu_hour_usd": Symbol(parse_unit("USD/GPU/hour")),
    "tokens_per_second": Symbol(parse_unit("token/GPU/second")),
    "a": Symbol(parse_unit("")),
    "b": Symbol(parse_unit("")),
    "lens": Symbol(parse_unit(""), choices=("average", "marginal")),
}


def render(text: str, *, boolean: bool = False, unit: str = "", names=None) -> ET.Element:
    formula = compile_formula(
        text, SYMBOLS, expected_unit=None if boolean else parse_unit(unit), boolean=boolean
    )
    markup = to_mathml(formula.raw, names)
    assert markup == to_mathml(formula.raw, names)  # deterministic
    return ET.fromstring(markup)  # well-formed, so text is escaped


def texts(root: ET.Element, tag: str) -> list[str]:
    return [element.text or "" for element in root.iter(NS + tag)]


def test_underscored_names_are_whole_identifiers() -> None:
    root = render("gpu_hour_usd / tokens_per_second", unit="USD/token")
    assert root.tag == NS + "math"
    assert texts(root, "mi") == ["gpu_hour_usd", "tokens_per_second"]
    assert list(root.iter(NS + "msub")) == []
    assert len(list(root.iter(NS + "mfrac"))) == 1


def test_display_names_are_escaped() -> None:
    root = render("a + b", names={"a": "cost <per> & token"})
    assert texts(root, "mi") == ["cost <per> & token", "b"]


def test_comparisons_escape_less_than() -> None:
    root = render("a < b and not b >= 2", boolean=True)
    operators = texts(root, "mo")
    assert "<" in operators and "\u2265" in operators and "not" in operators


def test_author_order_and_unevaluated_numbers() -> None:
    root = render("b - a * 2 + 9 ** 9")
    assert texts(root, "mi") == ["b", "a"]
    assert texts(root, "mn") == ["2", "9", "9"]
    assert "\u2212" in texts(root, "mo")


def test_parentheses_follow_precedence() -> None:
    root = render("(a + b) * 2")
    assert texts(root, "mo")[0] == "("
    assert "(" not in texts(render("a + b * 2"), "mo")


def test_choice_options_and_if_expressions() -> None:
    root = render("a if lens == 'marginal' else b")
    assert texts(root, "ms") == ["marginal"]
    assert "otherwise" in texts(root, "mtext")


def test_small_numbers_use_powers_of_ten() -> None:
    root = render("a * 2.5e-7")
    assert texts(root, "mn") == ["2.5", "10", "\u22127"]


def test_sqrt_and_functions() -> None:
    root = render("sqrt(a) + log(b) + max(a, b)")
    assert len(list(root.iter(NS + "msqrt"))) == 1
    assert {"log", "max"} <= set(texts(root, "mi"))


def test_plain_sympy_expression() -> None:
    assert to_mathml(sympy.Symbol("x")) == (
        '<math xmlns="http://www.w3.org/1998/Math/MathML"><mi>x</mi></math>'
    )
