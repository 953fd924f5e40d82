"""Presentation MathML of a formula as its author wrote it (``CompiledFormula.raw``).

Written by hand rather than with sympy's MathML printer because that printer splits
``gpu_hour_usd`` into a subscripted ``gpu``, reorders terms, and does not escape ``<`` in
relations. Here every name is one ``<mi>``, the author's order is kept, and all text is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape

import sympy

from engine.formula.compiled import At, ChoiceLabel, Crossing, QuantityLiteral

__all__ = ["to_mathml"]

_NAMESPACE = "http://www.w3.org/1998/Math/MathML"

# Binding strength: a child binding less tightly than its parent gets parentheses.
_PIECEWISE, _OR, _AND, _NOT, _REL, _ADD, _MUL, _NEG, _POW, _ATOM = range(10)

_RELATIONS: dict[type, str] = {
    sympy.StrictLessThan: "&lt;",
    sympy.LessThan: "\u2264",
    sympy.StrictGreaterThan: "&gt;",
    sympy.GreaterThan: "\u2265",
    sympy.Equality: "=",
    sympy.Unequality: "\u2260",
}

_MINUS_SIGN = "\u2212"
_MINUS = f"<mo>{_MINUS_SIGN}</mo>"
_APPLY = "<mo>\u2061</mo>"


def to_mathml(raw_expr: sympy.Basic, display_names: Mapping[str, str] | None = None) -> str:
    """``<math>`` element for ``raw_expr``; ``display_names`` maps symbol names to shown text."""
    names = display_names or {}
    body, _ = _render(raw_expr, names)
    return f'<math xmlns="{_NAMESPACE}">{body}</math>'


def _text(tag: str, text: str) -> str:
    return f"<{tag}>{escape(text, quote=False)}</{tag}>"


def _row(*parts: str) -> str:
    return "<mrow>" + "".join(parts) + "</mrow>"


def _paren(body: str) -> str:
    return _row("<mo>(</mo>", body, "<mo>)</mo>")


def _wrap(expr: sympy.Basic, names: Mapping[str, str], level: int) -> str:
    """Render ``expr``, in parentheses when it binds less tightly than ``level``."""
    body, own = _render(expr, names)
    return _paren(body) if own < level else body


def _number(value: sympy.Number) -> tuple[str, int]:
    if isinstance(value, sympy.Integer):
        number = int(value)
        shown = _text("mn", str(abs(number)))
        return (_row(_MINUS, shown), _NEG) if number < 0 else (shown, _ATOM)
    if isinstance(value, sympy.Rational) and not isinstance(value, sympy.Integer):
        numerator, denominator = int(value.p), int(value.q)
        frac = f"<mfrac>{_text('mn', str(abs(numerator)))}{_text('mn', str(denominator))}</mfrac>"
        return (_row(_MINUS, frac), _NEG) if numerator < 0 else (frac, _ATOM)
    number_f = float(value)
    if math.isnan(number_f):
        return _text("mi", "undefined"), _ATOM
    text = repr(abs(number_f))  # shortest round-tripping form; e-notation outside 1e-4..1e16
    if "e" in text:
        mantissa, exponent = text.split("e")
        shown = _row(
            _text("mn", mantissa.removesuffix(".0")),
            "<mo>\u00d7</mo>",
            f"<msup><mn>10</mn>{_text('mn', str(int(exponent)).replace('-', _MINUS_SIGN))}</msup>",
        )
    else:
        shown = _text("mn", text.removesuffix(".0"))
    return (_row(_MINUS, shown), _NEG) if number_f < 0 else (shown, _ATOM)


def _call(name: str, args: Sequence[sympy.Basic], names: Mapping[str, str]) -> tuple[str, int]:
    inner: list[str] = []
    for index, arg in enumerate(args):
        if index:
            inner.append("<mo>,</mo>")
        inner.append(_render(arg, names)[0])
    return _row(_text("mi", name), _APPLY, _paren("".join(inner))), _ATOM


def _render(expr: sympy.Basic, names: Mapping[str, str]) -> tuple[str, int]:
    """(MathML, binding strength) of ``expr``."""
    if isinstance(expr, ChoiceLabel):
        return _text("ms", expr.name), _ATOM
    if isinstance(expr, QuantityLiteral):
        return _quantity(expr), _MUL
    if isinstance(expr, At):
        return _at(expr, names), _ATOM
    if isinstance(expr, Crossing):
        return _call("crossing", expr.args, names)
    if expr is sympy.oo or expr is -sympy.oo:
        shown = _text("mi", "never")
        return (_row(_MINUS, shown), _NEG) if expr is -sympy.oo else (shown, _ATOM)
    if isinstance(expr, sympy.Symbol):
        return _text("mi", names.get(expr.name, expr.name)), _ATOM
    if expr is sympy.true or expr is sympy.false:
        return _text("mi", "true" if expr is sympy.true else "false"), _ATOM
    if isinstance(expr, sympy.Number):
        return _number(expr)
    if isinstance(expr, sympy.Add):
        return _sum(expr, names), _ADD
    if isinstance(expr, sympy.Mul):
        return _product(expr, names)
    if isinstance(expr, sympy.Pow):
        return _power(expr, names)
    if isinstance(expr, sympy.Abs):
        return _row("<mo>|</mo>", _render(expr.args[0], names)[0], "<mo>|</mo>"), _ATOM
    if isinstance(expr, (sympy.Min, sympy.Max, sympy.exp, sympy.log)):
        name = {sympy.Min: "min", sympy.Max: "max", sympy.exp: "exp", sympy.log: "log"}
        return _call(name[type(expr)], expr.args, names)
    if type(expr) in _RELATIONS:
        left = _wrap(expr.args[0], names, _ADD)
        right = _wrap(expr.args[1], names, _ADD)
        return _row(left, f"<mo>{_RELATIONS[type(expr)]}</mo>", right), _REL
    if isinstance(expr, (sympy.And, sympy.Or)):
        level, word = (_AND, "and") if isinstance(expr, sympy.And) else (_OR, "or")
        parts = [_wrap(arg, names, level + 1) for arg in expr.args]
        return _row(*_join(parts, f"<mo>{word}</mo>")), level
    if isinstance(expr, sympy.Not):
        return _row("<mo>not</mo>", _wrap(expr.args[0], names, _NOT)), _NOT
    if isinstance(expr, sympy.Piecewise):
        return _piecewise(expr, names), _PIECEWISE
    raise ValueError(f"cannot render {type(expr).__name__} as MathML")


def _join(parts: Sequence[str], separator: str) -> list[str]:
    joined: list[str] = []
    for index, part in enumerate(parts):
        if index:
            joined.append(separator)
        joined.append(part)
    return joined


def _negated(term: sympy.Basic) -> sympy.Basic | None:
    """``x`` when ``term`` is ``-x`` as the parser builds it (``Mul(-1, x)``)."""
    if isinstance(term, sympy.Mul) and len(term.args) == 2 and term.args[0] == -1:
        return term.args[1]
    if isinstance(term, sympy.Number) and term < 0:
        return -term
    return None


def _sum(expr: sympy.Add, names: Mapping[str, str]) -> str:
    parts: list[str] = []
    for index, term in enumerate(expr.args):
        positive = _negated(term) if index else None
        if positive is not None:
            parts.extend([_MINUS, _wrap(positive, names, _MUL)])
        else:
            if index:
                parts.append("<mo>+</mo>")
            parts.append(_wrap(term, names, _ADD if index == 0 else _MUL))
    return _row(*parts)


def _product(expr: sympy.Mul, names: Mapping[str, str]) -> tuple[str, int]:
    positive = _negated(expr)
    if positive is not None:
        return _row(_MINUS, _wrap(positive, names, _NEG + 1)), _NEG
    numerators = [arg for arg in expr.args if not (isinstance(arg, sympy.Pow) and arg.exp == -1)]
    denominators = [arg.base for arg in expr.args if isinstance(arg, sympy.Pow) and arg.exp == -1]
    top = _row(*_join([_wrap(arg, names, _MUL) for arg in numerators], "<mo>\u22c5</mo>"))
    if not denominators:
        return top, _MUL
    if not numerators:
        top = "<mn>1</mn>"
    bottom = _row(*_join([_wrap(arg, names, _MUL) for arg in denominators], "<mo>\u22c5</mo>"))
    return f"<mfrac>{top}{bottom}</mfrac>", _ATOM


def _power(expr: sympy.Pow, names: Mapping[str, str]) -> tuple[str, int]:
    if expr.exp == sympy.Rational(1, 2):
        return f"<msqrt>{_render(expr.base, names)[0]}</msqrt>", _ATOM
    base = _wrap(expr.base, names, _ATOM)
    exponent = _render(expr.exp, names)[0]
    return f"<msup>{base}{exponent}</msup>", _POW


def _piecewise(expr: sympy.Piecewise, names: Mapping[str, str]) -> str:
    rows: list[str] = []
    for value, cond in expr.args:
        shown = _render(value, names)[0]
        if cond is sympy.true:
            guard = _text("mtext", "otherwise")
        else:
            guard = _row(_text("mtext", "if\u00a0"), _render(cond, names)[0])
        rows.append(f"<mtr><mtd>{shown}</mtd><mtd>{guard}</mtd></mtr>")
    return _row("<mo>{</mo>", "<mtable>" + "".join(rows) + "</mtable>")


def _quantity(literal: QuantityLiteral) -> str:
    """``50000[mile]`` as the number, a thin space and the unit upright."""
    number, _ = _number(
        sympy.Float(literal.magnitude)
        if "." in literal.magnitude or "e" in literal.magnitude.lower()
        else sympy.Integer(int(literal.magnitude))
    )
    unit = f'<mi mathvariant="normal">{escape(literal.unit_text, quote=False)}</mi>'
    return _row(number, '<mspace width="0.17em"/>', unit)


def _at(expr: At, names: Mapping[str, str]) -> str:
    """``at(e, x=v)`` as ``e`` evaluated at ``x = v``: a bar with the settings beneath."""
    settings: list[str] = []
    for name, value in expr.settings:
        settings.append(
            _row(_text("mi", names.get(name, name)), "<mo>=</mo>", _render(value, names)[0])
        )
    below = _row(*_join(settings, "<mo>,</mo>"))
    inner = _render(expr.inner, names)[0]
    bar = '<mo stretchy="true">|</mo>'
    return f"<msub>{_row(inner, bar)}{below}</msub>"
