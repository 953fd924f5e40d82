"""Compiling a parsed formula to sympy, checking units on the way.

The tree from `engine.formula.syntax.parse` is walked once under a whitelist: a node type with
no ``visit_`` method is refused. Each allowed node becomes a sympy object built with
``evaluate=False`` (so ``9**9`` stays as written), while units are checked on the ``ast`` so
every error carries a character offset.

Every node yields two trees: ``raw`` as the author wrote it, and ``expr`` with each symbol
multiplied by the factor converting its declared unit to base units.
"""

from __future__ import annotations

import ast
import difflib
import math
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pint
import sympy
from sympy.functions.elementary.piecewise import ExprCondPair

from engine.formula.kleene import kleene
from engine.formula.syntax import (
    CONSTANTS,
    FORBIDDEN_NODES,
    MAX_EXPONENT,
    MAX_LITERAL,
    OPERATOR_TEXT,
    FormulaError,
    not_allowed,
)
from engine.formula.units import UnitError, base_factor, format_unit, parse_unit, registry

__all__ = [
    "CONSTANTS",
    "FUNCTIONS",
    "At",
    "ChoiceLabel",
    "Compiler",
    "Crossing",
    "QuantityLiteral",
    "Symbol",
    "piecewise_of",
    "substitute",
]

FUNCTIONS = ("abs", "at", "crossing", "exp", "log", "max", "min", "sqrt")


@dataclass(frozen=True)
class Symbol:
    """What a name in a formula refers to.

    ``definition`` is a calculator's own tree (``CompiledFormula.expr``, giving its value in its
    declared unit): `at` inlines it where a figure it depends on is replaced. ``unbounded``
    marks a quantity that may be ±∞ on purpose (it uses ``never`` or ``crossing``).
    """

    unit: pint.Unit
    choices: tuple[str, ...] = ()
    boolean: bool = False
    definition: sympy.Basic | None = None
    unbounded: bool = False


class ChoiceLabel(sympy.Symbol):
    """An option name in ``raw`` (``lens == 'marginal'``); ``expr`` holds its index instead."""


class QuantityLiteral(sympy.Symbol):
    """A number with a unit in ``raw`` (``50000[mile]``); ``expr`` holds its value instead.

    The name is the literal as written, so ``magnitude`` and ``unit_text`` are read back from it.
    """

    @property
    def magnitude(self) -> str:
        return self.name.split("[", 1)[0]

    @property
    def unit_text(self) -> str:
        return self.name.split("[", 1)[1].removesuffix("]")


class At(sympy.Expr):
    """``at(expr, name=value, …)`` in ``raw``: ``args`` are the expression, then one
    ``Tuple(Symbol(name), value)`` per setting. ``expr`` holds the substituted tree instead."""

    @property
    def inner(self) -> sympy.Basic:
        return self.args[0]

    @property
    def settings(self) -> tuple[tuple[str, sympy.Basic], ...]:
        return tuple((str(pair.args[0]), pair.args[1]) for pair in self.args[1:])


Crossing = sympy.Function("crossing")
"""``crossing(gap, rate)`` in ``raw``; ``expr`` holds its piecewise definition."""


_RELATIONS: dict[type, Callable[..., sympy.Basic]] = {
    ast.Lt: sympy.StrictLessThan,
    ast.LtE: sympy.LessThan,
    ast.Gt: sympy.StrictGreaterThan,
    ast.GtE: sympy.GreaterThan,
    ast.Eq: sympy.Eq,
    ast.NotEq: sympy.Ne,
}


# --- types for checking -------------------------------------------------------------------


@dataclass(frozen=True)
class _Num:
    unit: pint.Unit
    zero: bool = False  # the literal 0, which fits any dimension


@dataclass(frozen=True)
class _Cond:
    pass


_Type = _Num | _Cond


@dataclass(frozen=True)
class _Out:
    raw: sympy.Basic
    expr: sympy.Basic
    type: _Type


def _describe(kind: _Type) -> str:
    if isinstance(kind, _Cond):
        return "a condition"
    shown = format_unit(kind.unit)
    return f"a number in {shown}" if shown else "a plain number"


def _unit_text(unit: pint.Unit) -> str:
    return format_unit(unit) or "a plain number"


def _number(value: float | int) -> sympy.Expr:
    return sympy.Integer(value) if isinstance(value, int) else sympy.Float(value)


def _factor(value: float) -> sympy.Expr:
    """A unit conversion factor: exact integers (hour → 3600) stay integers."""
    exact = value.is_integer() and abs(value) < 2**53
    return sympy.Integer(int(value)) if exact else sympy.Float(value)


def _neg(value: sympy.Basic) -> sympy.Basic:
    if isinstance(value, sympy.Number):
        return -value
    return sympy.Mul(sympy.Integer(-1), value, evaluate=False)


class Compiler:
    """One walk over a parsed formula; ``names`` collects the symbols it refers to."""

    def __init__(self, text: str, body: str, lead: int, symbols: Mapping[str, Symbol]) -> None:
        self.text = text
        self.encoded = body.encode("utf-8")
        self.lead = lead
        self.symbols = symbols
        self.names: set[str] = set()
        self.factors: set[float] = set()  # unit factors of quantity literals, for folding
        self.unbounded = False  # whether the result may be ±∞ on purpose

    def compile(
        self, tree: ast.expr, *, expected_unit: pint.Unit | None, boolean: bool
    ) -> tuple[sympy.Basic, sympy.Basic, pint.Unit | None]:
        """The whole formula as ``(raw, expr, unit)``: ``expr`` gives the result in ``unit``.

        ``boolean=True`` is for conditions (``unit`` is None); otherwise the result must have
        the dimension of ``expected_unit``, or when that is None, ``unit`` is the one the
        formula produces.
        """
        out = self.visit(tree)
        if boolean:
            if not isinstance(out.type, _Cond):
                raise FormulaError("unit", 0, f"expected a condition, found {_describe(out.type)}")
            return out.raw, out.expr, None
        if not isinstance(out.type, _Num):
            wanted = _describe(_Num(expected_unit)) if expected_unit is not None else "a number"
            raise FormulaError("unit", 0, f"expected {wanted}, found a condition")
        unit = expected_unit if expected_unit is not None else out.type.unit
        if not out.type.zero and out.type.unit.dimensionality != unit.dimensionality:
            raise FormulaError(
                "unit",
                0,
                f"unit mismatch: expected {_unit_text(unit)} (the declared unit), "
                f"found {_unit_text(out.type.unit)}",
            )
        factor = base_factor(unit)
        expr = out.expr
        if factor != 1.0:
            expr = sympy.Mul(expr, sympy.Pow(_factor(factor), -1, evaluate=False), evaluate=False)
        return out.raw, expr, unit

    # offsets: ast columns are UTF-8 byte offsets into the flattened body --------------------
    def _chars(self, column: int) -> int:
        return self.lead + len(self.encoded[:column].decode("utf-8", errors="ignore"))

    def at(self, node: ast.AST) -> int:
        return self._chars(getattr(node, "col_offset", 0))

    def end(self, node: ast.AST) -> int:
        return self._chars(getattr(node, "end_col_offset", None) or 0)

    def operator_at(self, left: ast.AST, right: ast.AST) -> int:
        """Offset of the operator between two operands (skipping spaces and ')')."""
        index, stop = self.end(left), self.at(right)
        while index < stop and self.text[index] in " \t\r\n)":
            index += 1
        return index

    def forbidden(self, node: ast.AST, what: str) -> FormulaError:
        return FormulaError("forbidden", self.at(node), not_allowed(what))

    # walking ---------------------------------------------------------------------------
    def visit(self, node: ast.expr) -> _Out:
        method = getattr(self, f"visit_{type(node).__name__}", None)
        if method is None:
            what = FORBIDDEN_NODES.get(type(node), f"'{type(node).__name__}'")
            raise self.forbidden(node, what)
        result: _Out = method(node)
        return result

    def visit_Constant(self, node: ast.Constant) -> _Out:
        value = node.value
        if isinstance(value, bool):
            truth = sympy.true if value else sympy.false
            return _Out(truth, truth, _Cond())
        if isinstance(value, str):
            raise FormulaError(
                "forbidden",
                self.at(node),
                "text is only allowed when comparing a choice figure, as in lens == 'marginal'",
            )
        if isinstance(value, (int, float)):
            if (isinstance(value, float) and not math.isfinite(value)) or abs(value) > MAX_LITERAL:
                raise FormulaError(
                    "forbidden",
                    self.at(node),
                    f"expected a number of magnitude at most {MAX_LITERAL:g}, found a larger one",
                )
            number = _number(value)
            return _Out(number, number, _Num(_plain(), zero=value == 0))
        if isinstance(value, complex):
            raise self.forbidden(node, "complex numbers")
        if isinstance(value, bytes):
            raise self.forbidden(node, "bytes literals")
        raise FormulaError("forbidden", self.at(node), f"'{value!r}' is not allowed in formulas")

    def visit_Name(self, node: ast.Name) -> _Out:
        symbol = self.symbols.get(node.id)
        if symbol is None and node.id == "never":
            self.unbounded = True
            # Fits any dimension, like the literal 0: "never" is as long, as far, as costly.
            return _Out(sympy.oo, sympy.oo, _Num(_plain(), zero=True))
        if symbol is None:
            if node.id in FUNCTIONS:
                raise FormulaError(
                    "syntax", self.end(node), f"expected '(' after the function '{node.id}'"
                )
            close = difflib.get_close_matches(node.id, sorted(self.symbols), n=1)
            raise FormulaError(
                "reference",
                self.at(node),
                f"unknown name '{node.id}'",
                close[0] if close else None,
            )
        self.names.add(node.id)
        self.unbounded = self.unbounded or symbol.unbounded
        raw = sympy.Symbol(node.id)
        if symbol.boolean:
            return _Out(raw, raw, _Cond())
        factor = base_factor(symbol.unit)
        expr = raw if factor == 1.0 else sympy.Mul(raw, _factor(factor), evaluate=False)
        return _Out(raw, expr, _Num(symbol.unit))

    def visit_Attribute(self, node: ast.Attribute) -> _Out:
        """``table.option``: one row of a lookup table, a figure of its own."""
        dotted = _dotted(node)
        if dotted is None or dotted not in self.symbols:
            raise self.forbidden(node, "attribute access")
        name = ast.Name(id=dotted, ctx=ast.Load())
        ast.copy_location(name, node)
        return self.visit_Name(name)

    def number(self, node: ast.expr, role: str) -> _Out:
        out = self.visit(node)
        if not isinstance(out.type, _Num):
            raise FormulaError(
                "unit", self.at(node), f"expected a number {role}, found a condition"
            )
        return out

    def condition(self, node: ast.expr, role: str) -> _Out:
        out = self.visit(node)
        if not isinstance(out.type, _Cond):
            raise FormulaError(
                "unit", self.at(node), f"expected a condition {role}, found {_describe(out.type)}"
            )
        return out

    def same_dimension(self, where: str, offset: int, kinds: list[_Num]) -> _Num:
        """Kinds of the operands of + - min max and comparisons: all one dimension (0 fits)."""
        chosen: _Num | None = None
        for kind in kinds:
            if kind.zero:
                continue
            if chosen is None:
                chosen = kind
            elif chosen.unit.dimensionality != kind.unit.dimensionality:
                raise FormulaError(
                    "unit",
                    offset,
                    f"unit mismatch in '{where}': left side is {_unit_text(chosen.unit)}, "
                    f"right side is {_unit_text(kind.unit)}",
                )
        return chosen if chosen is not None else kinds[0]

    def visit_UnaryOp(self, node: ast.UnaryOp) -> _Out:
        if isinstance(node.op, ast.Not):
            operand = self.condition(node.operand, "after 'not'")
            return _Out(
                sympy.Not(operand.raw, evaluate=False),
                sympy.Not(operand.expr, evaluate=False),
                _Cond(),
            )
        if isinstance(node.op, (ast.USub, ast.UAdd)):
            sign = "-" if isinstance(node.op, ast.USub) else "+"
            operand = self.number(node.operand, f"after unary '{sign}'")
            if isinstance(node.op, ast.UAdd):
                return operand
            return _Out(_neg(operand.raw), _neg(operand.expr), operand.type)
        raise self.forbidden(node, f"the '{OPERATOR_TEXT[type(node.op)]}' operator")

    def visit_BinOp(self, node: ast.BinOp) -> _Out:
        op = type(node.op)
        symbol = OPERATOR_TEXT.get(op, "?")
        if op not in (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow):
            raise FormulaError(
                "forbidden",
                self.operator_at(node.left, node.right),
                f"the '{symbol}' operator is not allowed in formulas",
            )
        if op is ast.Pow:
            return self.power(node)
        left = self.number(node.left, f"on the left of '{symbol}'")
        right = self.number(node.right, f"on the right of '{symbol}'")
        assert isinstance(left.type, _Num) and isinstance(right.type, _Num)
        if op in (ast.Add, ast.Sub):
            kind = self.same_dimension(
                symbol, self.operator_at(node.left, node.right), [left.type, right.type]
            )
            if op is ast.Add:
                raw = sympy.Add(left.raw, right.raw, evaluate=False)
                expr = sympy.Add(left.expr, right.expr, evaluate=False)
            else:
                raw = sympy.Add(left.raw, _neg(right.raw), evaluate=False)
                expr = sympy.Add(left.expr, _neg(right.expr), evaluate=False)
            zero = left.type.zero and right.type.zero
            return _Out(raw, expr, _Num(kind.unit, zero=zero))
        if op is ast.Mult:
            unit = left.type.unit * right.type.unit
            return _Out(
                sympy.Mul(left.raw, right.raw, evaluate=False),
                sympy.Mul(left.expr, right.expr, evaluate=False),
                _Num(unit),
            )
        unit = left.type.unit / right.type.unit
        return _Out(
            sympy.Mul(left.raw, sympy.Pow(right.raw, -1, evaluate=False), evaluate=False),
            sympy.Mul(left.expr, sympy.Pow(right.expr, -1, evaluate=False), evaluate=False),
            _Num(unit),
        )

    def power(self, node: ast.BinOp) -> _Out:
        exponent = _literal_exponent(node.right)
        if exponent is None or abs(exponent) > MAX_EXPONENT:
            raise FormulaError(
                "forbidden",
                self.at(node.right),
                f"exponent must be a number between -{MAX_EXPONENT} and {MAX_EXPONENT}",
            )
        base = self.number(node.left, "before '**'")
        assert isinstance(base.type, _Num)
        power = _number(exponent)
        return _Out(
            sympy.Pow(base.raw, power, evaluate=False),
            sympy.Pow(base.expr, power, evaluate=False),
            _Num(_power(base.type.unit, exponent), zero=base.type.zero and exponent > 0),
        )

    def visit_BoolOp(self, node: ast.BoolOp) -> _Out:
        word = "and" if isinstance(node.op, ast.And) else "or"
        parts = [self.condition(value, f"in '{word}'") for value in node.values]
        kind = sympy.And if word == "and" else sympy.Or
        return _Out(
            kleene(kind, (part.raw for part in parts)),
            kleene(kind, (part.expr for part in parts)),
            _Cond(),
        )

    def visit_Compare(self, node: ast.Compare) -> _Out:
        operands = [node.left, *node.comparators]
        for op in node.ops:
            if type(op) not in _RELATIONS:
                raise FormulaError(
                    "forbidden",
                    self.operator_at(node.left, node.comparators[0]),
                    f"the '{OPERATOR_TEXT.get(type(op), '?')}' comparison is not allowed "
                    "in formulas",
                )
        if any(_is_text(operand) for operand in operands):
            return self.choice_comparison(node)
        outs = [self.number(operand, "in a comparison") for operand in operands]
        raws: list[sympy.Basic] = []
        exprs: list[sympy.Basic] = []
        for index, op in enumerate(node.ops):
            left, right = outs[index], outs[index + 1]
            assert isinstance(left.type, _Num) and isinstance(right.type, _Num)
            self.same_dimension(
                OPERATOR_TEXT[type(op)],
                self.operator_at(operands[index], operands[index + 1]),
                [left.type, right.type],
            )
            relation = _RELATIONS[type(op)]
            raws.append(relation(left.raw, right.raw, evaluate=False))
            exprs.append(relation(left.expr, right.expr, evaluate=False))
        if len(raws) == 1:
            return _Out(raws[0], exprs[0], _Cond())
        return _Out(kleene(sympy.And, raws), kleene(sympy.And, exprs), _Cond())

    def choice_comparison(self, node: ast.Compare) -> _Out:
        texts = [operand for operand in (node.left, *node.comparators) if _is_text(operand)]
        if (
            len(node.ops) != 1
            or not isinstance(node.ops[0], (ast.Eq, ast.NotEq))
            or len(texts) != 1
        ):
            raise FormulaError(
                "forbidden",
                self.at(texts[0]),
                "text is only allowed when comparing a choice figure, as in lens == 'marginal'",
            )
        text_node = texts[0]
        other = node.comparators[0] if text_node is node.left else node.left
        assert isinstance(text_node, ast.Constant) and isinstance(text_node.value, str)
        symbol = self.symbols.get(other.id) if isinstance(other, ast.Name) else None
        if not isinstance(other, ast.Name) or symbol is None or not symbol.choices:
            if isinstance(other, ast.Name) and symbol is None:
                self.visit_Name(other)  # raises the reference error with a suggestion
            raise FormulaError(
                "forbidden",
                self.at(text_node),
                "expected a choice figure on the other side of "
                f"'{OPERATOR_TEXT[type(node.ops[0])]}', found {ast.unparse(other)!r}",
            )
        option = text_node.value
        if option not in symbol.choices:
            close = difflib.get_close_matches(option, list(symbol.choices), n=1)
            known = ", ".join(f"'{choice}'" for choice in symbol.choices)
            raise FormulaError(
                "reference",
                self.at(text_node),
                f"unknown option '{option}' for '{other.id}': expected one of {known}",
                close[0] if close else None,
            )
        self.names.add(other.id)
        index = sympy.Integer(symbol.choices.index(option))
        name = sympy.Symbol(other.id)
        label = ChoiceLabel(option)
        relation = _RELATIONS[type(node.ops[0])]
        if text_node is node.left:
            return _Out(
                relation(label, name, evaluate=False),
                relation(index, name, evaluate=False),
                _Cond(),
            )
        return _Out(
            relation(name, label, evaluate=False), relation(name, index, evaluate=False), _Cond()
        )

    def visit_IfExp(self, node: ast.IfExp) -> _Out:
        test = self.condition(node.test, "after 'if'")
        body = self.visit(node.body)
        orelse = self.visit(node.orelse)
        kind: _Type
        if isinstance(body.type, _Num) and isinstance(orelse.type, _Num):
            kind = self.same_dimension("if", self.at(node.orelse), [body.type, orelse.type])
            kind = _Num(kind.unit, zero=body.type.zero and orelse.type.zero)
        elif isinstance(body.type, _Cond) and isinstance(orelse.type, _Cond):
            kind = _Cond()
        else:
            raise FormulaError(
                "unit",
                self.at(node.orelse),
                f"expected {_describe(body.type)} after 'else' (like the value before 'if'), "
                f"found {_describe(orelse.type)}",
            )
        return _Out(
            _if_else(body.raw, test.raw, orelse.raw),
            _if_else(body.expr, test.expr, orelse.expr),
            kind,
        )

    def visit_Subscript(self, node: ast.Subscript) -> _Out:
        """A quantity literal: a number followed by its unit in brackets, ``50000[mile]``."""
        number = node.value
        if not (
            isinstance(number, ast.Constant)
            and isinstance(number.value, (int, float))
            and not isinstance(number.value, bool)
        ):
            raise FormulaError(
                "forbidden",
                self.at(node),
                "indexing is not allowed in formulas; a unit in brackets follows a number, "
                "as in 50000[mile]",
            )
        magnitude = self.visit_Constant(number)
        unit_text = self.text[self.at(node.slice) : self.end(node.slice)].strip()
        try:
            unit = parse_unit(unit_text)
        except UnitError as exc:
            raise FormulaError("unit", self.at(node.slice), exc.message) from None
        factor = base_factor(unit)
        self.factors.add(factor)
        shown = self.text[self.at(number) : self.end(number)].strip()
        raw = QuantityLiteral(f"{shown}[{unit_text}]")
        expr = magnitude.expr
        if factor != 1.0:
            expr = sympy.Mul(expr, _factor(factor), evaluate=False)
        # Not "fits any dimension" even when 0: the author said which unit they meant.
        return _Out(raw, expr, _Num(unit))

    def visit_Call(self, node: ast.Call) -> _Out:
        func = node.func
        if not isinstance(func, ast.Name):
            what = FORBIDDEN_NODES.get(type(func))
            if what is not None:
                raise self.forbidden(func, what)
            raise self.forbidden(func, "calling the result of an expression")
        name = func.id
        if name == "at":
            return self.call_at(node)
        if name not in FUNCTIONS:
            raise FormulaError(
                "forbidden",
                self.at(func),
                f"calling '{name}' is not allowed in formulas; expected one of "
                + ", ".join(FUNCTIONS),
            )
        if node.keywords:
            raise self.forbidden(node.keywords[0].value, "keyword arguments")
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.forbidden(arg, "starred arguments")
        count = len(node.args)
        if name == "crossing":
            return self.call_crossing(node)
        if name in ("min", "max"):
            if count < 2:
                raise FormulaError(
                    "syntax",
                    self.at(node),
                    f"expected at least 2 arguments to {name}(), found {count}",
                )
        elif count != 1:
            raise FormulaError(
                "syntax", self.at(node), f"expected 1 argument to {name}(), found {count}"
            )
        args = [self.number(arg, f"in {name}()") for arg in node.args]
        kinds = [arg.type for arg in args]
        assert all(isinstance(kind, _Num) for kind in kinds)
        nums: list[_Num] = [kind for kind in kinds if isinstance(kind, _Num)]
        raws = [arg.raw for arg in args]
        exprs = [arg.expr for arg in args]
        if name in ("min", "max"):
            for index in range(1, len(nums)):
                self.same_dimension(name, self.at(node.args[index]), [nums[0], nums[index]])
            kind = self.same_dimension(name, self.at(node), nums)
            build = sympy.Min if name == "min" else sympy.Max
            return _Out(build(*raws, evaluate=False), build(*exprs, evaluate=False), kind)
        if name == "abs":
            return _Out(
                sympy.Abs(raws[0], evaluate=False), sympy.Abs(exprs[0], evaluate=False), nums[0]
            )
        if name == "sqrt":
            half = sympy.Rational(1, 2)
            return _Out(
                sympy.Pow(raws[0], half, evaluate=False),
                sympy.Pow(exprs[0], half, evaluate=False),
                _Num(_power(nums[0].unit, 0.5), zero=nums[0].zero),
            )
        if not nums[0].zero and nums[0].unit.dimensionality:
            raise FormulaError(
                "unit",
                self.at(node.args[0]),
                f"expected a plain number in {name}(), found {_describe(nums[0])}",
            )
        build_fn = sympy.log if name == "log" else sympy.exp
        return _Out(
            build_fn(raws[0], evaluate=False),
            build_fn(exprs[0], evaluate=False),
            _Num(_plain()),
        )

    def call_crossing(self, node: ast.Call) -> _Out:
        """``crossing(gap, rate)``: how far until a gap closes at a rate; ∞ if it never does.

        0 when the gap is already closed (``gap <= 0``), ``gap / rate`` when it closes
        (``rate > 0``), and ``never`` otherwise. Undefined when either side is.
        """
        if len(node.args) != 2:
            raise FormulaError(
                "syntax",
                self.at(node),
                f"expected 2 arguments to crossing(gap, rate), found {len(node.args)}",
            )
        gap = self.number(node.args[0], "as the gap in crossing()")
        rate = self.number(node.args[1], "as the rate in crossing()")
        assert isinstance(gap.type, _Num) and isinstance(rate.type, _Num)
        self.unbounded = True
        zero = sympy.Integer(0)
        expr = piecewise_of(
            (zero, sympy.LessThan(gap.expr, zero, evaluate=False)),
            (
                sympy.Mul(gap.expr, sympy.Pow(rate.expr, -1, evaluate=False), evaluate=False),
                sympy.StrictGreaterThan(rate.expr, zero, evaluate=False),
            ),
            (sympy.oo, sympy.true),
        )
        unit = gap.type.unit / rate.type.unit
        return _Out(Crossing(gap.raw, rate.raw), expr, _Num(unit))

    def call_at(self, node: ast.Call) -> _Out:
        """``at(expr, figure=value, …)``: ``expr`` with those figures replaced.

        Calculators inside ``expr`` that depend on a replaced figure are inlined (their own
        trees, recursively), so the replacement reaches through them; nothing else moves.
        """
        if len(node.args) != 1 or not node.keywords:
            raise FormulaError(
                "syntax",
                self.at(node),
                "expected at(expression, figure=value, …) with one expression and at least "
                f"one setting, found {len(node.args)} expression(s) and "
                f"{len(node.keywords)} setting(s)",
            )
        before = set(self.names)
        inner = self.visit(node.args[0])
        replacements: dict[str, sympy.Basic] = {}
        raw_settings: list[sympy.Basic] = []
        for keyword in node.keywords:
            if keyword.arg is None:
                raise self.forbidden(keyword, "'**' settings")
            raw_value, value = self.setting(keyword.arg, keyword.value, keyword)
            if keyword.arg in replacements:
                raise FormulaError(
                    "syntax", self.at(keyword), f"'{keyword.arg}' is set twice in at()"
                )
            replacements[keyword.arg] = value
            raw_settings.append(sympy.Tuple(sympy.Symbol(keyword.arg), raw_value))
        expr = substitute(inner.expr, replacements, self.symbols)
        # A figure replaced here is not an input of this part (unless used elsewhere too).
        self.names -= (set(replacements) - before) - {str(s) for s in expr.free_symbols}
        raw = sympy.Basic.__new__(At, inner.raw, *raw_settings)
        return _Out(raw, expr, inner.type)

    def setting(
        self, name: str, value: ast.expr, where: ast.AST
    ) -> tuple[sympy.Basic, sympy.Basic]:
        """A value given to the figure ``name`` in ``at()`` or ``given:``, as ``(raw, expr)``;
        ``expr`` is in the figure's declared unit (a choice's option as its index)."""
        target = self.symbols.get(name)
        if target is None:
            close = difflib.get_close_matches(name, sorted(self.symbols), n=1)
            raise FormulaError(
                "reference",
                self.at(where),
                f"unknown figure '{name}' to set",
                close[0] if close else None,
            )
        if target.choices:
            option = value.value if _is_text(value) else None  # type: ignore[attr-defined]
            if isinstance(value, ast.Name) and value.id in target.choices:
                raise FormulaError(
                    "syntax",
                    self.at(value),
                    f"expected an option of '{name}' in quotes, found {value.id}",
                    f"'{value.id}'",
                )
            if not isinstance(option, str) or option not in target.choices:
                known = ", ".join(f"'{choice}'" for choice in target.choices)
                found = repr(option) if isinstance(option, str) else ast.unparse(value)
                close = difflib.get_close_matches(str(option), list(target.choices), n=1)
                raise FormulaError(
                    "reference",
                    self.at(value),
                    f"expected one of {known} for '{name}', found {found}",
                    close[0] if close else None,
                )
            return ChoiceLabel(option), sympy.Integer(target.choices.index(option))
        out = self.number(value, f"for '{name}'")
        assert isinstance(out.type, _Num)
        if not out.type.zero and out.type.unit.dimensionality != target.unit.dimensionality:
            wanted = _unit_text(target.unit)
            hint = f" (write it as {ast.unparse(value)}[{wanted}])" if _is_number(value) else ""
            raise FormulaError(
                "unit",
                self.at(value),
                f"unit mismatch in the setting of '{name}': '{name}' is {wanted}, "
                f"the value is {_unit_text(out.type.unit)}{hint}",
            )
        factor = base_factor(target.unit)
        expr = out.expr
        if factor != 1.0:
            expr = sympy.Mul(expr, sympy.Pow(_factor(factor), -1, evaluate=False), evaluate=False)
            self.factors.add(factor)
        return out.raw, expr


def substitute(
    expr: sympy.Basic, replacements: Mapping[str, sympy.Basic], symbols: Mapping[str, Symbol]
) -> sympy.Basic:
    """``expr`` with the symbols named in ``replacements`` replaced, looking through calculators.

    A calculator whose inputs (transitively) include a replaced name is inlined from its
    ``definition``. Nodes are rebuilt as written (no evaluation): sympy's constructors would
    simplify conditions two-valuedly and rewrite piecewise values.
    """
    reaches: dict[str, bool] = {}

    def depends(name: str) -> bool:
        if name in replacements:
            return True
        if name not in reaches:
            reaches[name] = False  # calculators are acyclic; this only guards the recursion
            definition = symbols[name].definition if name in symbols else None
            reaches[name] = definition is not None and any(
                depends(str(s)) for s in definition.free_symbols
            )
        return reaches[name]

    def walk(node: sympy.Basic) -> sympy.Basic:
        if isinstance(node, sympy.Symbol):
            if node.name in replacements:
                return replacements[node.name]
            definition = symbols[node.name].definition if node.name in symbols else None
            if definition is not None and depends(node.name):
                return walk(definition)
            return node
        if not node.args:
            return node
        return rebuild(node, [walk(arg) for arg in node.args])

    return walk(expr)


def rebuild(node: sympy.Basic, args: list[sympy.Basic]) -> sympy.Basic:
    """``node`` with new arguments, built as written (see `substitute`)."""
    if isinstance(node, sympy.Piecewise):
        return piecewise_of(*((pair.args[0], pair.args[1]) for pair in args))
    if isinstance(node, ExprCondPair):
        return sympy.Tuple.__new__(ExprCondPair, *args)
    if isinstance(node, (sympy.And, sympy.Or)):
        return kleene(type(node), args)
    if isinstance(node, sympy.Tuple):
        return sympy.Tuple(*args)
    return type(node)(*args, evaluate=False)


def piecewise_of(*pairs: tuple[sympy.Basic, sympy.Basic]) -> sympy.Basic:
    """``Piecewise`` with these ``(value, condition)`` pairs exactly as given (see `_if_else`)."""
    built = tuple(sympy.Tuple.__new__(ExprCondPair, value, cond) for value, cond in pairs)
    return sympy.Basic.__new__(sympy.Piecewise, *built)


def _dotted(node: ast.Attribute) -> str | None:
    """``a.b`` as the text ``"a.b"`` when ``a`` is a plain name."""
    if isinstance(node.value, ast.Name):
        return f"{node.value.id}.{node.attr}"
    return None


def _is_number(node: ast.expr) -> bool:
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, (int, float))
        and not isinstance(node.value, bool)
    )


def _if_else(value: sympy.Basic, cond: sympy.Basic, other: sympy.Basic) -> sympy.Basic:
    """``Piecewise((value, cond), (other, True))`` exactly as written.

    Built without the constructors because even with ``evaluate=False`` they rewrite a
    condition containing a Piecewise into ``ITE`` (running sympy's calculus on it), drop
    ``False`` branches and may turn ``ITE`` into ``And``/``Or``, which changes NaN semantics.
    """
    pairs = (
        sympy.Tuple.__new__(ExprCondPair, value, cond),
        sympy.Tuple.__new__(ExprCondPair, other, sympy.true),
    )
    return sympy.Basic.__new__(sympy.Piecewise, *pairs)


def _plain() -> pint.Unit:
    return typing.cast(pint.Unit, registry().dimensionless)


def _power(unit: pint.Unit, exponent: float) -> pint.Unit:
    return typing.cast(pint.Unit, unit**exponent)


def _is_text(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _literal_exponent(node: ast.expr) -> int | float | None:
    sign = 1
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        if isinstance(node.op, ast.USub):
            sign = -sign
        node = node.operand
    if not isinstance(node, ast.Constant) or isinstance(node.value, bool):
        return None
    if not isinstance(node.value, (int, float)) or not math.isfinite(node.value):
        return None
    return sign * node.value
