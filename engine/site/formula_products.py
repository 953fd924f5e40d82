"""Each formula's MathML and JavaScript, made once and kept with the compiled model.

Both are printed from the formula's sympy tree, which a knowledge base loaded from the model
cache (`engine.site.model_cache`) does not have: making them would import sympy and pint and
compile every formula again, most of a warm build's time. So they are kept in the formula's
`extras`, which the model cache stores: the first build of a knowledge base makes them (before
its workers fork, so that every one is made in this process) and stores them with the model,
and later builds of the same files only read them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from engine.knowledge.knowledge_base import KnowledgeBase

if TYPE_CHECKING:
    from engine.formula.compiled import CompiledFormula
    from engine.formula.tree import PortableFormula

    _Formula = CompiledFormula | PortableFormula


def mathml(formula: _Formula) -> str:
    """The formula as the author wrote it, in MathML."""

    def make() -> str:
        from engine.formula.to_mathml import to_mathml

        return to_mathml(formula.raw)

    return _product(formula, "mathml", make)


def javascript(formula: _Formula) -> str:
    """The formula as a JavaScript function of the what-if panel's values."""

    def make() -> str:
        from engine.formula.to_js import js_function_source

        return js_function_source(formula.expr, formula.names, unbounded=formula.unbounded)

    return _product(formula, "javascript", make)


def vector_javascript(formula: _Formula) -> str:
    """The formula as a JavaScript function over typed arrays of samples (the uncertainty run)."""

    def make() -> str:
        from engine.formula.to_js_vector import js_vector_source

        return js_vector_source(formula.expr, formula.names, unbounded=formula.unbounded)

    return _product(formula, "vector", make)


def _product(formula: _Formula, key: str, make: Callable[[], str]) -> str:
    made = formula.extras.get(key)
    if not isinstance(made, str):
        made = formula.extras[key] = make()
    return made


def prepare(kb: KnowledgeBase) -> bool:
    """Make every formula's MathML and JavaScript that is not made yet; True if any was."""
    formulas = [*kb.formulas.values(), *kb.conditions.values()]
    missing = [f for f in formulas if not {"mathml", "javascript", "vector"} <= f.extras.keys()]
    for formula in missing:
        mathml(formula)
        javascript(formula)
        vector_javascript(formula)
    return bool(missing)
