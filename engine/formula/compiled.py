"""The formula language: Python expression syntax under a whitelist, converted to sympy.

`compile_formula` runs three steps: `engine.formula.syntax` reads the text under limits
(``ast.parse``, never ``eval``), `engine.formula.compiler` walks the tree into sympy while
checking units, and `engine.formula.fold` folds constant unit factors. Callers import from here.

Two trees come out: ``raw`` is the author's expression (for display) and ``expr`` is the same
expression with unit conversion factors inlined, taking each symbol in its declared unit and
giving the result in the declared unit of the calculator.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pint
import sympy

from engine.formula.compiler import (
    At,
    ChoiceLabel,
    Compiler,
    Crossing,
    QuantityLiteral,
    Symbol,
    piecewise_of,
    substitute,
)
from engine.formula.fold import fold_constants
from engine.formula.syntax import (
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_LENGTH,
    FormulaError,
    parse,
    symbol_names,
)
from engine.formula.tree import Node, from_sympy
from engine.formula.units import base_factor

__all__ = [
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "At",
    "ChoiceLabel",
    "CompiledFormula",
    "Crossing",
    "FormulaError",
    "GivenError",
    "QuantityLiteral",
    "Symbol",
    "compile_formula",
    "compile_table",
    "symbol_names",
]


@dataclass(frozen=True)
class CompiledFormula:
    """A checked formula. ``expr`` converts units; ``raw`` is the author's form for display.

    ``base`` is ``expr`` before unit factors were folded out (see `engine.formula.fold`): in it every
    comparison's sides are in base units, which is what a margin in a known unit needs.
    """

    text: str
    expr: sympy.Basic
    raw: sympy.Basic
    names: tuple[str, ...]
    boolean: bool
    unit: pint.Unit | None
    base: sympy.Basic
    unbounded: bool = False
    """The result may be ±∞ on purpose (``never``, ``crossing``): evaluators keep infinities."""
    written: tuple[str, ...] = ()
    """The figures and calculators the author wrote (``names`` adds those `at` inlines)."""
    given: tuple[tuple[str, Node], ...] = ()
    """A claim's ``given:`` settings: each figure with its value's plain-data tree (in the
    figure's unit), so a cached formula keeps them without sympy."""
    extras: dict[str, Any] = field(default_factory=dict, compare=False)
    """Sympy-free products of the formula (MathML, JavaScript), made once: see
    `engine.site.formula_products`; `PortableFormula.of` keeps them."""

    @cached_property
    def tree(self) -> Node:
        """``expr`` as plain data, which the numpy back end compiles (`engine.formula.tree`)."""
        return from_sympy(self.expr)


class GivenError(FormulaError):
    """A `FormulaError` in the value given to ``figure`` (``offset`` is into that value's text)."""

    def __init__(self, figure: str, text: str, error: FormulaError) -> None:
        super().__init__(error.kind, error.offset, error.message, error.suggestion)
        self.figure = figure
        self.text = text


def compile_formula(
    text: str,
    symbols: Mapping[str, Symbol],
    *,
    expected_unit: pint.Unit | None,
    boolean: bool,
    given: Mapping[str, str] | None = None,
) -> CompiledFormula:
    """Check a formula against ``symbols`` and build its sympy trees.

    ``boolean=True`` is for conditions (``holds_when``); otherwise the result must have the
    dimension of ``expected_unit`` and ``expr`` gives it in that unit (or, when
    ``expected_unit`` is None, in the unit the formula produces). ``given`` maps figures to
    the formula text of values they take here, as ``at(text, figure=value, …)`` would.
    Raises `FormulaError` (`GivenError` for a bad ``given`` value).
    """
    tree, body, lead = parse(text)
    compiler = Compiler(text, body, lead, symbols)
    raw, expr, unit = compiler.compile(tree, expected_unit=expected_unit, boolean=boolean)
    names = set(compiler.names)
    written = tuple(sorted(compiler.names))
    factors = set(compiler.factors)
    unbounded = compiler.unbounded
    given_values: list[tuple[str, Node]] = []
    if given:
        replacements: dict[str, sympy.Basic] = {}
        settings: list[sympy.Basic] = []
        for figure, value_text in given.items():
            try:
                value_tree, value_body, value_lead = parse(value_text)
                value_compiler = Compiler(value_text, value_body, value_lead, symbols)
                raw_value, value = value_compiler.setting(figure, value_tree, value_tree)
            except FormulaError as exc:
                raise GivenError(figure, value_text, exc) from None
            names |= value_compiler.names
            factors |= value_compiler.factors
            unbounded = unbounded or value_compiler.unbounded
            replacements[figure] = value
            given_values.append((figure, from_sympy(value)))
            settings.append(sympy.Tuple(sympy.Symbol(figure), raw_value))
        expr = substitute(expr, replacements, symbols)
        raw = sympy.Basic.__new__(At, raw, *settings)
    # What the evaluators need (inlined calculators' inputs too) and what the author wrote.
    names |= {str(s) for s in expr.free_symbols}
    unbounded = unbounded or expr.has(sympy.oo, -sympy.oo)
    unbounded = unbounded or any(symbols[n].unbounded for n in names if n in symbols)
    ordered = tuple(sorted(names))
    folded = fold_constants(expr, _unit_factors(symbols, ordered, unit) | frozenset(factors))
    return CompiledFormula(
        text, folded, raw, ordered, boolean, unit, expr, unbounded, written, tuple(given_values)
    )


def _unit_factors(
    symbols: Mapping[str, Symbol], names: Sequence[str], unit: pint.Unit | None
) -> frozenset[float]:
    """The conversion factors `compile_formula` put into a formula's tree, for folding."""
    found = {base_factor(symbols[name].unit) for name in names if name in symbols}
    if unit is not None:
        found.add(base_factor(unit))
    return frozenset(found)


def compile_table(
    text: str, by: str, rows: Sequence[tuple[str, str]], unit: pint.Unit
) -> CompiledFormula:
    """A lookup table's formula: the row figure that the choice ``by`` picks.

    ``rows`` pairs each option of ``by`` (in the choice's order) with its row figure; ``text``
    is the formula as shown (``table.{by}``). The tree is a piecewise over the row figures.
    """
    choice = sympy.Symbol(by)
    expr_pairs = []
    raw_pairs = []
    for index, (option, row_id) in enumerate(rows):
        row = sympy.Symbol(row_id)
        last = index == len(rows) - 1
        expr_pairs.append((row, sympy.true if last else sympy.Eq(choice, index, evaluate=False)))
        label = ChoiceLabel(option)
        raw_pairs.append((row, sympy.true if last else sympy.Eq(choice, label, evaluate=False)))
    expr = piecewise_of(*expr_pairs)
    raw = piecewise_of(*raw_pairs)
    names = tuple(sorted([by, *(row_id for _, row_id in rows)]))
    return CompiledFormula(text, expr, raw, names, False, unit, expr)
