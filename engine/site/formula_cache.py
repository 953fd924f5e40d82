"""Compiled formulas kept in the cache folder one by one, so an edited knowledge base recompiles
only what the edit touched (`engine.knowledge.formula_keys` says what a formula's key covers).

The model cache (`engine.site.model_cache`) keeps a whole knowledge base under the fingerprint of
all its files: any edit misses it. This store keeps each formula under its own key, together with
the engine's identity (`model_cache.engine_identity`, as the model cache does), so when an author
changes a claim's text, a source, a quote or a figure's value, the load that follows finds every
formula here and imports neither sympy nor pint. The compiled `if` tests that the model cache
stores with a knowledge base (`engine.evaluation.branches.if_test_trees`) are kept the same way.

Entries live in `formulas/` under the cache folder, one sealed pickle each (`cache.write_sealed`);
an entry holds its key, which is checked on reading, so a damaged, foreign or mismatched entry is
ignored and written again, never trusted.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

from engine.knowledge.formula_keys import FormulaKeys
from engine.site import cache as cache_folder
from engine.site.model_cache import engine_identity

if TYPE_CHECKING:
    from engine.evaluation.branches import TestTree
    from engine.formula.tree import PortableFormula
    from engine.knowledge.knowledge_base import KnowledgeBase

KIND = "formulas"
_MISSING = object()


def entry_path(key: str) -> Path:
    digest = hashlib.sha256(engine_identity() + b"\0" + key.encode()).hexdigest()
    return cache_folder.cache_dir() / KIND / f"{digest}.pickle"


def _read(key: str) -> Any:
    """What was kept under ``key``, or `_MISSING` (never kept, unreadable, or not this key's)."""
    data = cache_folder.read_sealed(entry_path(key))
    if data is None:
        return _MISSING
    try:
        # Safe: `read_sealed` returns only bytes this cache folder's secret sealed, that is bytes
        # this user's crux pickled itself in `_write`.
        kept_key, value = pickle.loads(data)
    except Exception:  # written by an engine whose classes have since changed: rebuild
        return _MISSING
    return value if kept_key == key else _MISSING


def _write(key: str, value: object) -> None:
    try:
        data = pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return  # not kept: compiled again next time
    cache_folder.write_sealed(entry_path(key), data)


class FormulaCache:
    """The `engine.knowledge.formula_keys.CompiledForms` store of the cache folder.

    It remembers which formulas one load used, so that what is made later from them (MathML and
    JavaScript, in their `extras`) is stored with them too (`store_extras`).
    """

    def __init__(self) -> None:
        self.used: dict[str, tuple[PortableFormula, frozenset[str]]] = {}
        """Key → the formula the load used and the `extras` it had when it was read or kept."""

    def units_checked(self, key: str) -> bool:
        return _read(key) is True

    def note_units_checked(self, key: str) -> None:
        _write(key, True)

    def formula(self, key: str) -> PortableFormula | None:
        from engine.formula.tree import PortableFormula

        found = _read(key)
        if not isinstance(found, PortableFormula):
            return None
        self.used[key] = (found, frozenset(found.extras))
        return found

    def keep(self, key: str, formula: PortableFormula) -> None:
        _write(key, formula)
        self.used[key] = (formula, frozenset(formula.extras))

    def store_extras(self) -> None:
        """Write again each formula used whose `extras` grew since (a build made its MathML)."""
        for key, (formula, extras) in self.used.items():
            if frozenset(formula.extras) != extras:
                _write(key, formula)
                self.used[key] = (formula, frozenset(formula.extras))


def if_test_trees(kb: KnowledgeBase) -> dict[str, TestTree]:
    """`engine.evaluation.branches.if_test_trees`, each test read from the cache when it was
    compiled before against the same names (`FormulaKeys.if_test`); only the others are compiled
    (with sympy)."""
    from engine.evaluation.branches import compile_if_test, if_test_texts

    keys = FormulaKeys(kb.figures, kb.calculators, kb.tables)
    trees: dict[str, TestTree] = {}
    for text in if_test_texts(kb):
        key = keys.if_test(text)
        found = _MISSING if key is None else _read(key)
        if _is_test_tree(found):
            trees[text] = found
            continue
        trees[text] = compile_if_test(kb, text)
        if key is not None:
            _write(key, trees[text])
    return trees


def _is_test_tree(value: object) -> TypeGuard[TestTree]:
    from engine.formula.tree import Node

    return value is None or (
        isinstance(value, tuple)
        and len(value) == 2
        and isinstance(value[0], Node)
        and isinstance(value[1], tuple)
    )
