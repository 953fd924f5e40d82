"""A formula's sympy tree as plain data, so a compiled formula can be kept without sympy.

`from_sympy` turns any sympy tree into `Node`s: each node keeps its sympy class name and its
arguments, a symbol its name, a number its float value. The numpy back end compiles from these
nodes (`engine.formula.to_numpy.tree_function`), on the cold path (just after sympy built the
tree) and on the warm path (a knowledge base read back from the cache) alike, so both evaluate
with the same code. `PortableFormula` is a compiled formula that carries its tree and rebuilds
its sympy trees only when something asks for them (tipping points, MathML, JavaScript).

This module imports neither sympy nor pint at load time: a warm `crux eval` must not pay for them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pint
    import sympy

    from engine.formula.compiled import CompiledFormula


@dataclass(frozen=True)
class Node:
    """One node of a formula tree: ``kind`` is the sympy class name (`Add`, `Piecewise`, ...).

    `Symbol` has a ``name``; `Number`, `NumberSymbol` and `Boolean` (true 1.0, false 0.0) a
    ``value``; every other kind has ``args``.
    """

    kind: str
    args: tuple[Node, ...] = ()
    name: str = ""
    value: float = 0.0

    def symbols(self) -> frozenset[str]:
        """The names of the symbols in the tree."""
        if self.kind == "Symbol":
            return frozenset((self.name,))
        found: frozenset[str] = frozenset()
        for arg in self.args:
            found |= arg.symbols()
        return found


def from_sympy(expr: sympy.Basic) -> Node:
    """The tree of ``expr`` as `Node`s (sympy's argument order kept)."""
    import sympy

    if isinstance(expr, sympy.Symbol):
        return Node("Symbol", name=expr.name)
    if expr is sympy.true or expr is sympy.false:
        return Node("Boolean", value=1.0 if expr is sympy.true else 0.0)
    if isinstance(expr, sympy.Number):
        return Node("Number", value=float(expr))
    if isinstance(expr, sympy.NumberSymbol):
        return Node("NumberSymbol", value=float(expr))
    return Node(type(expr).__name__, tuple(from_sympy(arg) for arg in expr.args))


def to_sympy(node: Node) -> sympy.Basic:
    """The sympy tree a `Node` was made from (`from_sympy` undone), for the JavaScript back end.

    Nodes keep sympy class names, so each is rebuilt by its class without re-simplifying
    (``evaluate=False``), which keeps the operations the numpy back end evaluated.
    """
    import sympy

    if node.kind == "Symbol":
        return sympy.Symbol(node.name)
    if node.kind == "Boolean":
        return sympy.true if node.value else sympy.false
    if node.kind in ("Number", "NumberSymbol"):
        return sympy.Float(node.value)
    args = [to_sympy(arg) for arg in node.args]
    if node.kind == "ExprCondPair":  # not exported by sympy; Piecewise takes the pair
        return sympy.Tuple(*args)
    kind = getattr(sympy, node.kind)
    if node.kind in ("Piecewise", "Tuple"):
        return kind(*args)
    return kind(*args, evaluate=False)


_AT_CALL = re.compile(r"\bat\s*\(")


@dataclass(frozen=True)
class SymbolSpec:
    """What compiling a formula needs to know of one name: its unit and a choice's options."""

    unit: str
    choices: tuple[str, ...] = ()
    definition: PortableFormula | None = None
    """A calculator's own formula, which ``at(...)`` and ``given:`` inline."""


@dataclass(frozen=True, eq=False)
class PortableFormula:
    """A compiled formula without sympy: its text, names and numpy tree, as the cache keeps it.

    ``expr``, ``raw``, ``base`` and ``unit`` are those of `engine.formula.compiled.CompiledFormula`,
    compiled again from the text on first use (the text compiled without error when it was
    cached, and compiling is deterministic, so the trees are the ones the cold path had).
    """

    text: str
    names: tuple[str, ...]
    boolean: bool
    tree: Node
    unit_text: str | None
    """The declared unit of a calculator; None for a condition."""
    symbols: Mapping[str, SymbolSpec]
    extras: dict[str, Any] = field(default_factory=dict, compare=False)
    """Sympy-free products of the formula kept alongside it (e.g. MathML, JavaScript)."""
    unbounded: bool = False
    """As `CompiledFormula.unbounded`: the result may be ±∞ on purpose."""
    written: tuple[str, ...] = ()
    """As `CompiledFormula.written`: the names the author wrote."""
    given: tuple[tuple[str, Node], ...] = ()
    """As `CompiledFormula.given`: a claim's ``given:`` settings as plain-data trees."""
    given_text: tuple[tuple[str, str], ...] = ()
    """The ``given:`` settings as the formula text they were compiled from."""
    table: tuple[str, tuple[tuple[str, str], ...]] | None = None
    """A lookup table's choice and (option, row figure) pairs: its formula is built, not parsed."""

    @classmethod
    def of(
        cls,
        formula: CompiledFormula | PortableFormula,
        unit_text: str | None,
        symbols: Mapping[str, SymbolSpec],
        *,
        given_text: Mapping[str, str] | None = None,
        table: tuple[str, tuple[tuple[str, str], ...]] | None = None,
    ) -> PortableFormula:
        """``symbols`` holds every name; a formula that inlines calculators (``at``, ``given:``)
        keeps them all, since their definitions reach names the formula does not show."""
        if isinstance(formula, PortableFormula):
            return formula
        inlines = bool(given_text) or _AT_CALL.search(formula.text) is not None
        return cls(
            text=formula.text,
            names=formula.names,
            boolean=formula.boolean,
            tree=formula.tree,
            unit_text=unit_text,
            symbols=dict(symbols) if inlines else {name: symbols[name] for name in formula.names},
            unbounded=formula.unbounded,
            written=formula.written,
            given=formula.given,
            given_text=tuple((given_text or {}).items()),
            table=table,
            extras=formula.extras,
        )

    @cached_property
    def compiled(self) -> CompiledFormula:
        # Only formulas that need no other formula's tree are made portable (see
        # `engine.site.model_cache.portable`), so the text and the symbols' units suffice.
        from engine.formula import units
        from engine.formula.compiled import Symbol, compile_formula, compile_table

        if self.table is not None:
            assert self.unit_text is not None  # a table is a calculator
            by, rows = self.table
            return compile_table(self.text, by, rows, units.parse_unit(self.unit_text))
        table = {
            name: Symbol(
                unit=units.parse_unit(spec.unit),
                choices=spec.choices,
                definition=None if spec.definition is None else spec.definition.expr,
                unbounded=False if spec.definition is None else spec.definition.unbounded,
            )
            for name, spec in self.symbols.items()
        }
        expected = None if self.unit_text is None else units.parse_unit(self.unit_text)
        return compile_formula(
            self.text,
            table,
            expected_unit=expected,
            boolean=self.boolean,
            given=dict(self.given_text) or None,
        )

    @property
    def expr(self) -> sympy.Basic:
        return self.compiled.expr

    @property
    def raw(self) -> sympy.Basic:
        return self.compiled.raw

    @property
    def base(self) -> sympy.Basic:
        return self.compiled.base

    @property
    def unit(self) -> pint.Unit | None:
        return self.compiled.unit

    def __getstate__(self) -> dict[str, Any]:
        # The recompiled sympy trees stay out of the cache: keeping them is what it avoids.
        state = dict(self.__dict__)
        state.pop("compiled", None)
        return state
