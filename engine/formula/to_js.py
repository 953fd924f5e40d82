"""Compile a formula's sympy tree into a JavaScript expression for the site's what-if panel.

The generated code mirrors ``compile_numpy`` node for node (same operation order, same places
where infinities become NaN), so a scenario evaluated in the browser gives the numbers the
engine gives. Operations with special semantics go through helpers on ``R``, the object
``CruxRuntime.R`` defined in ``templates/static/crux-runtime.js``; symbol ``s`` is read as
``v["s"]``. Output is deterministic: the same tree always gives the same text.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

import sympy

__all__ = ["js_function_source", "to_javascript"]

_RELATIONS: dict[type, str] = {
    sympy.StrictLessThan: "lt",
    sympy.LessThan: "le",
    sympy.StrictGreaterThan: "gt",
    sympy.GreaterThan: "ge",
    sympy.Equality: "eq",
    sympy.Unequality: "ne",
}


def to_javascript(expr: sympy.Basic, names: Sequence[str], *, unbounded: bool | None = None) -> str:
    """A JS expression computing ``expr`` from ``v`` (values by name) with helpers ``R``.

    ``unbounded`` mirrors ``numpy_function``'s: infinities are kept (the ``R.i*`` helpers).
    """
    known = set(names)
    missing = sorted(str(s) for s in expr.free_symbols if str(s) not in known)
    if missing:
        raise ValueError(f"expected values for every symbol, missing {', '.join(missing)}")
    if unbounded is None:
        unbounded = bool(expr.has(sympy.oo, -sympy.oo))
    if unbounded:
        return _js_unbounded(expr)
    return f"R.fin({_js(expr)})"


def js_function_source(
    expr: sympy.Basic, names: Sequence[str], *, unbounded: bool | None = None
) -> str:
    """``function(v){return ...;}``; evaluate it where ``R`` is ``CruxRuntime.R``."""
    return f"function(v){{return {to_javascript(expr, names, unbounded=unbounded)};}}"


def _number(value: float) -> str:
    if math.isinf(value):
        return "Infinity" if value > 0 else "(-Infinity)"
    if math.isnan(value):
        return "NaN"
    text = repr(float(value))  # repr round-trips every float64 exactly
    return f"({text})" if text.startswith("-") else text


def _js(expr: sympy.Basic) -> str:
    if isinstance(expr, sympy.Symbol):
        return f"v[{json.dumps(expr.name)}]"
    if expr is sympy.true or expr is sympy.false:
        return "1" if expr is sympy.true else "0"
    if isinstance(expr, (sympy.Number, sympy.NumberSymbol)):
        return _number(float(expr))
    if isinstance(expr, sympy.Add):
        return "R.fin(" + " + ".join(f"({_js(arg)})" for arg in expr.args) + ")"
    if isinstance(expr, sympy.Mul):
        return _product(expr)
    if isinstance(expr, sympy.Pow):
        base = _js(expr.base)
        if isinstance(expr.exp, sympy.Number):
            return f"R.pow({base}, {_number(float(expr.exp))})"
        return f"R.powv({base}, {_js(expr.exp)})"
    if isinstance(expr, (sympy.Min, sympy.Max)):
        return _fold("R.min" if isinstance(expr, sympy.Min) else "R.max", expr.args)
    if isinstance(expr, sympy.Abs):
        return f"R.abs({_js(expr.args[0])})"
    if isinstance(expr, sympy.exp):
        return f"R.exp({_js(expr.args[0])})"
    if isinstance(expr, sympy.log):
        return f"R.log({_js(expr.args[0])})"
    if type(expr) in _RELATIONS:
        return f"R.{_RELATIONS[type(expr)]}({_js(expr.args[0])}, {_js(expr.args[1])})"
    if isinstance(expr, sympy.And):
        return _fold("R.and", expr.args)
    if isinstance(expr, sympy.Or):
        return _fold("R.or", expr.args)
    if isinstance(expr, sympy.Not):
        return f"R.not({_js(expr.args[0])})"
    if isinstance(expr, sympy.Piecewise):
        result = "NaN"
        for value, cond in reversed(expr.args):
            result = f"R.ifelse({_js(cond)}, {_js(value)}, {result})"
        return result
    raise ValueError(f"cannot compile {type(expr).__name__} to JavaScript")


def _fold(helper: str, args: Sequence[sympy.Basic]) -> str:
    result = _js(args[0])
    for arg in args[1:]:
        result = f"{helper}({result}, {_js(arg)})"
    return result


def _product(expr: sympy.Mul) -> str:
    # mirrors compile_numpy._product: factors in order, then true divisions, then fin
    numerators: list[str] = []
    denominators: list[str] = []
    for arg in expr.args:
        if isinstance(arg, sympy.Pow) and arg.exp == -1:
            denominators.append(_js(arg.base))
        else:
            numerators.append(_js(arg))
    text = " * ".join(f"({part})" for part in numerators) if numerators else "1"
    for part in denominators:
        text = f"({text}) / ({part})"
    return f"R.fin({text})"


def _js_unbounded(expr: sympy.Basic) -> str:
    """Like `_js`, keeping infinities (mirrors ``to_numpy._Unbounded``)."""
    js = _js_unbounded
    if isinstance(expr, sympy.Add):
        return "(" + " + ".join(f"({js(arg)})" for arg in expr.args) + ")"
    if isinstance(expr, sympy.Mul):
        numerators = [js(a) for a in expr.args if not (isinstance(a, sympy.Pow) and a.exp == -1)]
        denominators = [js(a.base) for a in expr.args if isinstance(a, sympy.Pow) and a.exp == -1]
        text = " * ".join(f"({part})" for part in numerators) if numerators else "1"
        for part in denominators:
            text = f"R.idiv({text}, {part})"
        return f"({text})"
    if isinstance(expr, sympy.Pow):
        if isinstance(expr.exp, sympy.Number):
            return f"R.ipow({js(expr.base)}, {_number(float(expr.exp))})"
        return f"R.powv({js(expr.base)}, {js(expr.exp)})"
    if isinstance(expr, (sympy.Min, sympy.Max)):
        helper = "R.min" if isinstance(expr, sympy.Min) else "R.max"
        result = js(expr.args[0])
        for arg in expr.args[1:]:
            result = f"{helper}({result}, {js(arg)})"
        return result
    if isinstance(expr, sympy.Abs):
        return f"R.abs({js(expr.args[0])})"
    if isinstance(expr, sympy.exp):
        return f"Math.exp({js(expr.args[0])})"
    if isinstance(expr, sympy.log):
        return f"R.ilog({js(expr.args[0])})"
    if type(expr) in _RELATIONS:
        return f"R.{_RELATIONS[type(expr)]}({js(expr.args[0])}, {js(expr.args[1])})"
    if isinstance(expr, (sympy.And, sympy.Or)):
        helper = "R.and" if isinstance(expr, sympy.And) else "R.or"
        result = js(expr.args[0])
        for arg in expr.args[1:]:
            result = f"{helper}({result}, {js(arg)})"
        return result
    if isinstance(expr, sympy.Not):
        return f"R.not({js(expr.args[0])})"
    if isinstance(expr, sympy.Piecewise):
        result = "NaN"
        for value, cond in reversed(expr.args):
            result = f"R.ifelse({js(cond)}, {js(value)}, {result})"
        return result
    return _js(expr)  # symbols, numbers and booleans
