"""Reading formula text safely: :func:`ast.parse` under limits, with errors at character offsets.

A formula is Python expression syntax. It is parsed with :func:`ast.parse` in ``eval`` mode
after checking its length, then its nesting depth is checked and comments are refused. Every
failure is a `FormulaError` whose ``offset`` points into the author's text, with Python's
message reworded for people who do not write Python. User text never reaches ``eval``,
``sympify`` or ``parse_expr``: those run arbitrary code.

Which nodes a formula may use is decided later, by the walk in `engine.formula.compiler`.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from typing import Literal

__all__ = [
    "CONSTANTS",
    "FORBIDDEN_NODES",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "MAX_LITERAL",
    "OPERATOR_TEXT",
    "ErrorKind",
    "FormulaError",
    "not_allowed",
    "parse",
    "symbol_names",
]

# Length and depth are checked here; exponents and literals by the compiler as it meets them.
MAX_LENGTH = 2000
MAX_DEPTH = 40
MAX_EXPONENT = 64
MAX_LITERAL = 1e300

ErrorKind = Literal["syntax", "forbidden", "reference", "unit"]


class FormulaError(Exception):
    """A formula the engine refuses; ``offset`` is a 0-based character index into its text."""

    def __init__(
        self, kind: ErrorKind, offset: int, message: str, suggestion: str | None = None
    ) -> None:
        shown = f"{message} (did you mean '{suggestion}'?)" if suggestion else message
        super().__init__(shown)
        self.kind: ErrorKind = kind
        self.offset = offset
        self.message = message
        self.suggestion = suggestion


CONSTANTS = ("never",)
"""Names with a fixed meaning in every formula (a figure or calculator of that name wins)."""


def parse(text: str) -> tuple[ast.expr, str, int]:
    """Parse under the length and depth limits; every failure is a `FormulaError`.

    Returns the expression, the flattened text it was parsed from (``ast`` columns are UTF-8
    byte offsets into it) and how many leading characters were stripped before it.
    """
    if len(text) > MAX_LENGTH:
        raise FormulaError(
            "forbidden",
            MAX_LENGTH,
            f"formula is too long: expected at most {MAX_LENGTH} characters, found {len(text)}",
        )
    # YAML block scalars may leave newlines; one space per character keeps offsets exact.
    flat = text.replace("\r", " ").replace("\n", " ").replace("\t", " ")
    body = flat.lstrip(" ")
    lead = len(flat) - len(body)
    if not body.strip():
        raise FormulaError("syntax", 0, "expected an expression, found an empty formula")
    try:
        tree = ast.parse(body, mode="eval")
    except SyntaxError as exc:
        column = (exc.offset or 1) - 1
        offset = min(max(lead + column, 0), len(text))
        message = (exc.msg or "invalid syntax").rstrip(".")
        if "nested parentheses" in message or "too complex" in message:
            message = "formula is nested too deeply"
        elif message == "invalid syntax" and body.rstrip().endswith(_DANGLING):
            offset = len(text.rstrip())
            message = "expected a value after the operator, found the end of the formula"
        elif (unit_hint := _bare_unit(text, offset)) is not None:
            number, unit = unit_hint
            raise FormulaError(
                "syntax",
                offset,
                f"expected an operator after the number {number}, found '{unit}': "
                f"a number with a unit is written with the unit in brackets",
                f"{number}[{unit}]",
            ) from None
        elif message == "invalid syntax":
            found = text[offset] if offset < len(text) else ""
            message = f"invalid syntax: unexpected '{found}'" if found.strip() else message
        raise FormulaError("syntax", offset, _lower_first(message)) from None
    except (RecursionError, MemoryError, ValueError):
        raise FormulaError("syntax", 0, "formula is too complex to parse") from None
    _check_depth(tree, lead)
    _check_no_comment(body, lead)
    return tree.body, body, lead


_NUMBER_BEFORE = re.compile(r"(?<![\w.])(\d[\d_]*(?:\.\d*)?(?:[eE][+-]?\d+)?)\s*$")
_UNIT_AFTER = re.compile(r"[A-Za-z_%][\w%]*(?:\s*/\s*[A-Za-z_%][\w%]*)*")


def _bare_unit(text: str, offset: int) -> tuple[str, str] | None:
    """``("5", "USD")`` when the error is at a unit written after a number (``> 5 USD``)."""
    before = _NUMBER_BEFORE.search(text[:offset])
    if before is None:
        # "5USD": Python reports the number itself as an invalid literal
        literal = re.match(r"(\d[\d_]*(?:\.\d*)?)([A-Za-z_%][\w%/]*)", text[offset:])
        if literal is None or literal.group(2).lower().startswith(("e", "j", "x", "o", "b")):
            return None
        return literal.group(1), literal.group(2)
    after = _UNIT_AFTER.match(text, offset)
    if after is None or after.group(0) in ("and", "or", "if", "else", "not", "in", "is"):
        return None
    return before.group(1), after.group(0).replace(" ", "")


_DANGLING = ("+", "-", "*", "/", "<", ">", "=", "(", ",", " and", " or", " not", " if", " else")


# What an author typed, for messages: refused node types and operators as written.
FORBIDDEN_NODES: dict[type, str] = {
    ast.Attribute: "attribute access",
    ast.Subscript: "indexing",
    ast.Slice: "slicing",
    ast.Lambda: "lambda",
    ast.ListComp: "list comprehensions",
    ast.SetComp: "set comprehensions",
    ast.DictComp: "dict comprehensions",
    ast.GeneratorExp: "generator expressions",
    ast.Starred: "starred arguments",
    ast.JoinedStr: "f-strings",
    ast.FormattedValue: "f-strings",
    ast.NamedExpr: "assignment (:=)",
    ast.List: "lists",
    ast.Tuple: "tuples",
    ast.Set: "sets",
    ast.Dict: "dicts",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
}

OPERATOR_TEXT: dict[type, str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.Pow: "**",
    ast.Mod: "%",
    ast.FloorDiv: "//",
    ast.MatMult: "@",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.Invert: "~",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
}


def not_allowed(what: str) -> str:
    """The message refusing ``what`` ("lambda is not allowed in formulas")."""
    verb = "are" if what.endswith("s") and not what.endswith("access") else "is"
    return f"{what} {verb} not allowed in formulas"


def _lower_first(message: str) -> str:
    return message[:1].lower() + message[1:]


def _check_depth(tree: ast.AST, lead: int) -> None:
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            start = getattr(node, "col_offset", 0)
            raise FormulaError(
                "forbidden",
                lead + start,
                f"formula is nested too deeply: expected at most {MAX_DEPTH} levels",
            )
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                stack.append((child, depth + 1))


def _check_no_comment(body: str, lead: int) -> None:
    # A '#' would silently drop the rest of the formula once newlines are flattened.
    if "#" not in body:
        return
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(body).readline))
    except (tokenize.TokenError, SyntaxError):  # pragma: no cover - ast.parse succeeded
        return
    for token in tokens:
        if token.type == tokenize.COMMENT:
            raise FormulaError("forbidden", lead + token.start[1], not_allowed("comments"))


def symbol_names(text: str) -> set[str]:
    """The names a formula refers to (not the functions it calls); parse only."""
    tree = parse(text)[0]
    nodes = list(ast.walk(tree))
    called = {id(node.func) for node in nodes if isinstance(node, ast.Call)}
    # `table.option` names one row of a lookup table
    dotted = {
        id(node.value): f"{node.value.id}.{node.attr}"
        for node in nodes
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
    }
    return {
        dotted.get(id(node), node.id)
        for node in nodes
        if isinstance(node, ast.Name) and id(node) not in called
    }
