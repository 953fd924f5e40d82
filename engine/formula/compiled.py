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
from dataclasses import dataclass
from functools import cached_property

import pint
import sympy

from engine.formula.compiler import ChoiceLabel, Compiler, Symbol
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
    "ChoiceLabel",
    "CompiledFormula",
    "FormulaError",
    "Symbol",
    "compile_formula",
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

    @cached_property
    def tree(self) -> Node:
        """``expr`` as plain data, which the numpy back end compiles (`engine.formula.tree`)."""
        return from_sympy(self.expr)


def compile_formula(
    text: str,
    symbols: Mapping[str, Symbol],
    *,
    expected_unit: pint.Unit | None,
    boolean: bool,
) -> CompiledFormula:
    """Check a formula against ``symbols`` and build its sympy trees.

    ``boolean=True`` is for conditions (``holds_when``); otherwise the result must have the
    dimension of ``expected_unit`` and ``expr`` gives it in that unit (or, when
    ``expected_unit`` is None, in the unit the formula produces). Raises `FormulaError`.
    """
    tree, body, lead = parse(text)
    compiler = Compiler(text, body, lead, symbols)
    raw, expr, unit = compiler.compile(tree, expected_unit=expected_unit, boolean=boolean)
    names = tuple(sorted(compiler.names))
    folded = fold_constants(expr, _unit_factors(symbols, names, unit))
    return CompiledFormula(text, folded, raw, names, boolean, unit, expr)


def _unit_factors(
    symbols: Mapping[str, Symbol], names: Sequence[str], unit: pint.Unit | None
) -> frozenset[float]:
    """The conversion factors `compile_formula` put into a formula's tree, for folding."""
    found = {base_factor(symbols[name].unit) for name in names}
    if unit is not None:
        found.add(base_factor(unit))
    return frozenset(found)
