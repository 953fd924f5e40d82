"""Compile a formula's sympy tree into a JavaScript loop over typed arrays (many samples at once).

`engine.formula.to_js` writes one scalar expression per formula for the what-if panel, calling
the helpers of ``static/crux-runtime.js``. The uncertainty panel (``static/crux-uncertainty.js``)
evaluates every formula of the map for 20,000 samples after each edit; there a call per helper
per sample costs more than the arithmetic (each call boxes its double result), so this module
writes the same operations as straight-line statements inside one loop:

    function(v,n,out){var a0=v["x"],a1=v["y"];for(var i=0;i<n;i++){var t0=a0[i];...;out[i]=t5;}}

Each statement is the corresponding helper of ``crux-runtime.js`` written out, node for node in
the order `to_js` (and so ``compile_numpy``) evaluates them: infinities become NaN where `fin`
would make them NaN, comparisons with a NaN side are NaN, `and`/`or`/`not` follow Kleene's
logic, and an ``if`` with an undefined condition is undefined. The differential tests compare
the results with the engine's. Output is deterministic.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

import sympy

from engine.formula.to_js import to_javascript

__all__ = ["js_vector_source"]

_RELATIONS: dict[type, str] = {
    sympy.StrictLessThan: "<",
    sympy.LessThan: "<=",
    sympy.StrictGreaterThan: ">",
    sympy.GreaterThan: ">=",
    sympy.Equality: "===",
    sympy.Unequality: "!==",
}


def js_vector_source(
    expr: sympy.Basic, names: Sequence[str], *, unbounded: bool | None = None
) -> str:
    """``function(v,n,out){...}``: ``out[i]`` is the formula at sample ``i`` of ``v``'s arrays.

    ``v`` maps every name the formula uses to an array of at least ``n`` numbers (a
    ``Float64Array``), each in its declared unit, exactly as `to_js`'s ``v`` holds one value.
    An ``unbounded`` formula (``never``, ``crossing``: infinities kept on purpose) is rare and
    has helpers of its own; its loop evaluates `to_js`'s own expression, reading each input
    from its array.
    """
    free = sorted(str(s) for s in expr.free_symbols)
    known = set(names)
    missing = [name for name in free if name not in known]
    if missing:
        raise ValueError(f"expected values for every symbol, missing {', '.join(missing)}")
    arrays = {name: f"a{index}" for index, name in enumerate(free)}
    reads = ",".join(f"{arrays[name]}=v[{json.dumps(name)}]" for name in free)
    head = f"var {reads};" if reads else ""
    if unbounded is None:
        unbounded = bool(expr.has(sympy.oo, -sympy.oo))
    if unbounded:
        scalar = to_javascript(expr, names, unbounded=True)
        for name in free:  # to_js reads symbol s as v["s"], and writes that text nowhere else
            scalar = scalar.replace(f"v[{json.dumps(name)}]", f"{arrays[name]}[i]")
        return f"function(v,n,out){{{head}for(var i=0;i<n;i++){{out[i]={scalar};}}}}"
    writer = _Writer(arrays)
    result = writer.fin(writer.emit(expr))
    body = "".join(writer.lines)
    return f"function(v,n,out){{{head}for(var i=0;i<n;i++){{{body}out[i]={result};}}}}"


def _number(value: float) -> str:
    if not math.isfinite(value):
        return "NaN"
    text = repr(float(value))  # repr round-trips every float64 exactly
    return f"({text})" if text.startswith("-") else text


class _Writer:
    """Statements ``var tN=...;`` for the nodes of one tree; `emit` returns the name holding a
    node's value (a temporary, or a literal for a constant)."""

    def __init__(self, arrays: dict[str, str]) -> None:
        self.arrays = arrays
        self.lines: list[str] = []
        self.symbols: dict[str, str] = {}

    def let(self, code: str) -> str:
        name = f"t{len(self.lines)}"
        self.lines.append(f"var {name}={code};")
        return name

    def fin(self, x: str) -> str:
        """crux-runtime's fin: ±Infinity (and NaN) become NaN; x - x is 0 for finite x only."""
        return self.let(f"{x}-{x}===0?{x}:NaN")

    def nan(self, *xs: str) -> str:
        return "||".join(f"{x}!=={x}" for x in xs)

    def emit(self, expr: sympy.Basic) -> str:
        if isinstance(expr, sympy.Symbol):
            if expr.name not in self.symbols:  # read each input once per sample
                self.symbols[expr.name] = self.let(f"{self.arrays[expr.name]}[i]")
            return self.symbols[expr.name]
        if expr is sympy.true or expr is sympy.false:
            return "1" if expr is sympy.true else "0"
        if isinstance(expr, (sympy.Number, sympy.NumberSymbol)):
            return _number(float(expr))
        if isinstance(expr, sympy.Add):
            parts = [self.emit(arg) for arg in expr.args]
            return self.fin(self.let("+".join(parts)))
        if isinstance(expr, sympy.Mul):
            return self.product(expr)
        if isinstance(expr, sympy.Pow):
            base = self.emit(expr.base)
            if isinstance(expr.exp, sympy.Number):
                k = float(expr.exp)
                if k == 0.5:
                    return self.let(f"Math.sqrt({base})")
                if k == 0:
                    return self.let(f"{base}!=={base}?NaN:1")
                return self.fin(self.let(f"Math.pow({base},{_number(k)})"))
            exponent = self.emit(expr.exp)
            power = self.let(f"{self.nan(base, exponent)}?NaN:Math.pow({base},{exponent})")
            return self.fin(power)
        if isinstance(expr, (sympy.Min, sympy.Max)):
            call = "Math.min" if isinstance(expr, sympy.Min) else "Math.max"
            return self.fold(expr.args, lambda a, b: f"{call}({a},{b})")
        if isinstance(expr, sympy.Abs):
            return self.let(f"Math.abs({self.emit(expr.args[0])})")
        if isinstance(expr, sympy.exp):
            return self.fin(self.let(f"Math.exp({self.emit(expr.args[0])})"))
        if isinstance(expr, sympy.log):
            return self.fin(self.let(f"Math.log({self.emit(expr.args[0])})"))
        if type(expr) in _RELATIONS:
            a, b = self.emit(expr.args[0]), self.emit(expr.args[1])
            return self.let(f"{self.nan(a, b)}?NaN:{a}{_RELATIONS[type(expr)]}{b}?1:0")
        if isinstance(expr, sympy.And):
            return self.fold(expr.args, lambda a, b: f"{a}===0||{b}===0?0:{self.nan(a, b)}?NaN:1")
        if isinstance(expr, sympy.Or):

            def either(a: str, b: str) -> str:
                truthy = f"({a}!==0&&{a}==={a})||({b}!==0&&{b}==={b})"
                return f"{truthy}?1:{self.nan(a, b)}?NaN:0"

            return self.fold(expr.args, either)
        if isinstance(expr, sympy.Not):
            a = self.emit(expr.args[0])
            return self.let(f"{a}!=={a}?NaN:{a}===0?1:0")
        if isinstance(expr, sympy.Piecewise):
            # every branch is computed, as R.ifelse's arguments are
            pieces = [(self.emit(value), self.emit(cond)) for value, cond in expr.args]
            result = "NaN"
            for value, cond in reversed(pieces):
                result = self.let(f"{cond}!=={cond}?NaN:{cond}!==0?{value}:{result}")
            return result
        raise ValueError(f"cannot compile {type(expr).__name__} to JavaScript")

    def fold(self, args: Sequence[sympy.Basic], step: object) -> str:
        assert callable(step)
        result = self.emit(args[0])
        for arg in args[1:]:
            result = self.let(step(result, self.emit(arg)))
        return result

    def product(self, expr: sympy.Mul) -> str:
        # to_js._product: factors in order, then true divisions, then fin
        numerators: list[str] = []
        denominators: list[str] = []
        for arg in expr.args:
            if isinstance(arg, sympy.Pow) and arg.exp == -1:
                denominators.append(self.emit(arg.base))
            else:
                numerators.append(self.emit(arg))
        text = "*".join(numerators) if numerators else "1"
        value = self.let(text)
        for part in denominators:
            value = self.let(f"{value}/{part}")
        return self.fin(value)
