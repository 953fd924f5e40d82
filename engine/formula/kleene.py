"""`and` / `or` nodes that sympy does not simplify with two-valued logic.

Formulas use three-valued (Kleene) logic: a comparison with an undefined side is undefined, and
`x and not x` is undefined when `x` is (docs/semantics.md). sympy's `And`/`Or` simplify even with
`evaluate=False`: they turn `a >= 0 and a < 0` into `False`, which is wrong when `a` is
undefined. The rules they keep here are the ones that also hold in Kleene logic: duplicates
collapse (`x and x` is `x`); every other argument stays, so the compiled evaluators decide.
"""

from __future__ import annotations

from collections.abc import Iterable

import sympy


def kleene(kind: type[sympy.And] | type[sympy.Or], args: Iterable[sympy.Basic]) -> sympy.Basic:
    """``kind(*args)`` with its arguments kept as they are (duplicates removed)."""
    unique = frozenset(args)
    if len(unique) == 1:
        return next(iter(unique))
    # What sympy's LatticeOp.__new__ stores, without its simplification: the arguments in
    # canonical order (so equal formulas give equal trees) and as a set.
    node = sympy.Basic.__new__(kind, *sympy.ordered(unique))
    node._argset = unique
    return node
