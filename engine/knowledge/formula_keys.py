"""What a formula's compiled form depends on, as a key, so that a load can reuse an earlier one.

Compiling a formula (sympy) and checking units (pint) cost most of a load, yet an author's edit
rarely touches them: a claim's text, a source, a quote, a figure's value change no formula. The
loader asks a `CompiledForms` store (`engine.site.formula_cache` keeps one in the cache folder)
for each formula by its key and compiles only those it does not have, so an edit like these
loads without importing sympy or pint at all.

A key is a digest of everything compiling reads:

- the formula's text, the unit it must give (a calculator's), whether it is a condition, and a
  claim's ``given:`` values as formula text (which carry their figures' units);
- for each figure it names: its kind, unit and options (a figure's value is not compiled in);
- for each calculator it names: its unit and its own key, so a change anywhere upstream (a
  formula, a unit, whether it may be infinite) changes the key of everything using it;
- the figures it sets (in ``at(...)`` or ``given:``), whose units its settings are checked in.

The units check has a key of its own: the set of unit texts declared, each with whether it must
be dimensionless (a switch's or a choice's). It passes or fails the same way for the same set.

This module imports neither sympy nor pint.
"""

from __future__ import annotations

import ast
import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

from engine.formula.syntax import FormulaError, parse, symbol_names

if TYPE_CHECKING:
    from engine.formula.tree import PortableFormula
    from engine.knowledge.knowledge_base import Table
    from engine.knowledge.schema import Calculator, Figure


class CompiledForms(Protocol):
    """Compiled formulas and passed units checks kept from earlier loads, by key."""

    def units_checked(self, key: str) -> bool:
        """Whether a units check with this key passed before."""
        ...

    def note_units_checked(self, key: str) -> None:
        """Remember that a units check with this key passed."""
        ...

    def formula(self, key: str) -> PortableFormula | None:
        """The formula compiled earlier under this key, or None."""
        ...

    def keep(self, key: str, formula: PortableFormula) -> None:
        """Remember a formula just compiled under this key."""
        ...


def _digest(parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, separators=(",", ":")).encode()).hexdigest()


def units_key(figures: Mapping[str, Figure], calculators: Mapping[str, Calculator]) -> str:
    """The key of the units check of these figures and calculators (see the module's text)."""
    declared = {(fig.unit, fig.kind != "number") for fig in figures.values()}
    declared |= {(calc.unit, False) for calc in calculators.values()}
    return _digest(["units", sorted(declared)])


class FormulaKeys:
    """Keys of the formulas of one knowledge base; a calculator's is made once and reused."""

    def __init__(
        self,
        figures: Mapping[str, Figure],
        calculators: Mapping[str, Calculator],
        tables: Mapping[str, Table],
    ) -> None:
        self.figures = figures
        self.calculators = calculators
        self.tables = tables
        self._calculators: dict[str, str | None] = {}

    def calculator(self, cid: str) -> str | None:
        """The key of calculator ``cid``'s formula; None when it cannot be keyed (it does not
        parse, or names itself through a cycle), which the loader reports as it compiles."""
        if cid in self._calculators:
            return self._calculators[cid]
        self._calculators[cid] = None  # a cycle meets this and gives up
        calc = self.calculators[cid]
        table = self.tables.get(cid)
        if table is not None:
            by = table.by
            rows = [[option, table.rows[option]] for option in self.figures[by].choices or ()]
            key: str | None = _digest(["table", calc.formula, calc.unit, by, rows])
        else:
            key = self._key("calculator", calc.formula, calc.unit, {})
        self._calculators[cid] = key
        return key

    def condition(self, text: str, given: Mapping[str, str]) -> str | None:
        """The key of a claim's ``holds_when`` with its ``given:`` values as formula text."""
        return self._key("condition", text, None, given)

    def if_test(self, text: str) -> str | None:
        """The key of an argument's ``if`` test, compiled against what its names read."""
        return self._key("if-test", text, None, {})

    def _key(self, role: str, text: str, unit: str | None, given: Mapping[str, str]) -> str | None:
        try:
            names = symbol_names(text) | _set_in_at(text) | set(given)
            for value in given.values():
                names |= symbol_names(value) | _set_in_at(value)
        except FormulaError:
            return None
        read = []
        for name in sorted(names):
            spec = self._spec(name)
            if spec is None:
                return None
            read.append([name, spec])
        return _digest([role, text, unit, sorted(given.items()), read])

    def _spec(self, name: str) -> list[object] | None:
        figure = self.figures.get(name)
        if figure is not None:
            return ["figure", figure.kind, figure.unit, list(figure.choices or ())]
        calc = self.calculators.get(name)
        if calc is not None:
            upstream = self.calculator(name)
            return None if upstream is None else ["calculator", calc.unit, upstream]
        return ["none"]  # a constant (``never``), or a name the compiler will refuse


def _set_in_at(text: str) -> set[str]:
    """The figures set by ``at(..., figure=value)`` calls: named by keywords, not as names."""
    found: set[str] = set()
    for node in ast.walk(parse(text)[0]):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "at":
            found |= {keyword.arg for keyword in node.keywords if keyword.arg is not None}
    return found
