"""Which branch of each `x if c else y` a scenario took, so explanations show only that one.

`taken_form` rewrites a formula's text with every decided `if` replaced by its taken branch and
lists the quantities that still matter: those of the taken branches and of the conditions that
chose them. A condition that is undefined in the scenario keeps both branches, and an `if` inside
`at(...)` is left alone (it is evaluated under other settings than the scenario's).
"""

from __future__ import annotations

import ast
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from engine.evaluation.evaluate import Evaluation
from engine.formula.to_numpy import tree_function
from engine.formula.tree import Node
from engine.knowledge.knowledge_base import KnowledgeBase

if TYPE_CHECKING:
    from engine.formula.compiled import Symbol

_Truth = Callable[[Mapping[str, np.ndarray]], np.ndarray]
_TESTS: weakref.WeakKeyDictionary[KnowledgeBase, dict[str, _Truth | None]] = (
    weakref.WeakKeyDictionary()
)
_SYMBOLS: weakref.WeakKeyDictionary[KnowledgeBase, dict[str, Symbol]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class TakenForm:
    """A formula as the scenario computed it."""

    text: str
    """The formula with decided `if`s replaced by their taken branch (the original text if none)."""
    names: tuple[str, ...]
    """Figures and calculators that matter, in order of first appearance."""
    choices: tuple[str, ...]
    """One note per decided `if`, e.g. ``lens == 'marginal' is false``."""


def taken_form(kb: KnowledgeBase, ev: Evaluation, text: str) -> TakenForm:
    """The formula ``text`` reduced to the branches ``ev`` took."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        return TakenForm(text, _names_in(kb, text), ())
    pruner = _Pruner(kb, ev)
    pruned = pruner.visit(tree)
    names = _ordered_names(kb, pruned, pruner.tests)
    if not pruner.choices:
        return TakenForm(" ".join(text.split()), names, ())
    return TakenForm(ast.unparse(pruned), names, tuple(pruner.choices))


class _Pruner(ast.NodeTransformer):
    def __init__(self, kb: KnowledgeBase, ev: Evaluation) -> None:
        self.kb = kb
        self.ev = ev
        self.choices: list[str] = []
        self.tests: list[ast.expr] = []

    def visit_Call(self, node: ast.Call) -> ast.AST:
        if isinstance(node.func, ast.Name) and node.func.id == "at":
            return node
        return self.generic_visit(node)

    def visit_IfExp(self, node: ast.IfExp) -> ast.AST:
        test_text = ast.unparse(node.test)
        truth = _truth(self.kb, self.ev, test_text)
        if truth not in (0.0, 1.0):
            return self.generic_visit(node)
        self.tests.append(node.test)
        self.choices.append(f"{test_text} is {'true' if truth == 1.0 else 'false'}")
        taken: ast.AST = self.visit(node.body if truth == 1.0 else node.orelse)
        return taken


TestTree = tuple[Node, tuple[str, ...]] | None
"""An `if` test compiled to a numpy tree and its names; None when it does not compile alone."""


def _compile_test(kb: KnowledgeBase, test_text: str) -> TestTree:
    from engine.formula.compiled import FormulaError, compile_formula

    try:
        compiled = compile_formula(test_text, _symbols(kb), expected_unit=None, boolean=True)
        return compiled.tree, compiled.names
    except (FormulaError, ValueError):
        return None


def if_test_trees(kb: KnowledgeBase) -> dict[str, TestTree]:
    """Every `if` test of the knowledge base's formulas, compiled (needs sympy), by its text.

    `engine.site.model_cache` keeps them with a cached knowledge base and hands them back through
    `seed_if_tests`, so explaining a formula with an `if` does not need sympy on the warm path.
    """
    return {text: compile_if_test(kb, text) for text in if_test_texts(kb)}


def if_test_texts(kb: KnowledgeBase) -> list[str]:
    """The text of every `if` test of the knowledge base's formulas, once each, in order."""
    texts = [calc.formula for calc in kb.calculators.values()]
    texts += [claim.holds_when for claim in kb.claims.values() if claim.holds_when is not None]
    found: dict[str, None] = {}
    for text in texts:
        try:
            tree = ast.parse(text.strip(), mode="eval")
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.IfExp):
                found.setdefault(ast.unparse(node.test))
    return list(found)


def compile_if_test(kb: KnowledgeBase, test_text: str) -> TestTree:
    """One `if` test of ``kb``'s formulas, compiled as `if_test_trees` compiles it."""
    return _compile_test(kb, test_text)


def seed_if_tests(kb: KnowledgeBase, trees: Mapping[str, TestTree]) -> None:
    """Use `if_test_trees` computed earlier for ``kb`` instead of compiling the tests again."""
    cache = _TESTS.setdefault(kb, {})
    for text, compiled in trees.items():
        cache[text] = None if compiled is None else tree_function(*compiled)


def _truth(kb: KnowledgeBase, ev: Evaluation, test_text: str) -> float:
    cache = _TESTS.setdefault(kb, {})
    if test_text not in cache:
        compiled = _compile_test(kb, test_text)
        cache[test_text] = None if compiled is None else tree_function(*compiled)
    function = cache[test_text]
    if function is None:
        return float("nan")
    values = {n: np.array([ev.value(n)], dtype=np.float64) for n in _names_in(kb, test_text)}
    return float(function(values)[0])


def _symbols(kb: KnowledgeBase) -> dict[str, Symbol]:
    from engine.formula.compiled import Symbol
    from engine.formula.units import parse_unit

    symbols = _SYMBOLS.get(kb)
    if symbols is None:
        symbols = {}
        for fid, figure in kb.figures.items():
            symbols[fid] = Symbol(unit=parse_unit(figure.unit), choices=figure.choices or ())
        for cid, calc in kb.calculators.items():
            symbols[cid] = Symbol(unit=parse_unit(calc.unit))
        _SYMBOLS[kb] = symbols
    return symbols


def _names_in(kb: KnowledgeBase, text: str) -> tuple[str, ...]:
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        return ()
    return _ordered_names(kb, tree, [])


def _ordered_names(kb: KnowledgeBase, tree: ast.AST, tests: list[ast.expr]) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for root in (tree, *tests):
        rows = _rows(kb, root)
        for node in ast.walk(root):
            if id(node) in rows:
                found.setdefault(rows[id(node)], None)
            elif isinstance(node, ast.Name) and (
                node.id in kb.figures or node.id in kb.calculators
            ):
                found.setdefault(node.id, None)
    # ast.walk is breadth-first; order as a reader meets them: the taken formula, then the tests.
    return tuple(sorted(found, key=lambda name: _first_position(tree, tests, name)))


def _rows(kb: KnowledgeBase, root: ast.AST) -> dict[int, str]:
    """`table.option` names (a lookup table's row), by the id of their table's Name node."""
    return {
        id(node.value): f"{node.value.id}.{node.attr}"
        for node in ast.walk(root)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and f"{node.value.id}.{node.attr}" in kb.figures
    }


def _first_position(tree: ast.AST, tests: list[ast.expr], name: str) -> tuple[int, int, int]:
    for group, root in enumerate((tree, *tests)):
        for node in ast.walk(root):
            if isinstance(node, ast.Name) and node.id == name:
                return (group, node.lineno, node.col_offset)
    return (len(tests) + 1, 0, 0)
