"""Units: the pint registry with crux's own units, parsing, conversion factors and display.

crux adds these definitions to pint's defaults (docs/units.md lists every unit an author can use)::

    USD = [currency]
    token = [token]
    Mtok = 1e6 * token
    GPU = [gpu]
    mpg = mile / gallon                 (US gallons; mpg_us is the same)
    mpg_imp = mile / imperial_gallon
    gCO2, kgCO2, tCO2, ktCO2, MtCO2, GtCO2 (and the same with CO2e): masses, so gCO2/kWh reads
    as written

A unit may carry a numeric factor: ``L/(100 km)``, ``kWh/(100 km)``, ``L/100km`` (a number right
after ``/`` belongs to the denominator, as people mean it) or ``USD/(1000 token)``.

SI prefixes work on ``USD`` and ``token`` both written out and as symbols: ``GUSD`` and
``gigaUSD`` are a billion dollars, ``MUSD`` and ``megaUSD`` a million, ``kUSD`` a thousand.
(``B`` is *not* a billion: pint reads ``BUSD`` as an unknown unit.) ``percent`` and ``%`` are
the dimensionless ``0.01``. Note that pint treats bits and bytes (``GB``, ``TB/s``) as
dimensionless counts, so ``GB`` has the same dimension as a plain number.
"""

from __future__ import annotations

import ast
import functools
import math
import re

import pint

__all__ = [
    "Unit",
    "UnitError",
    "base_factor",
    "convert",
    "format_unit",
    "parse_unit",
    "reciprocal_dimension",
    "registry",
    "same_dimension",
]

Unit = pint.Unit

_DEFINITIONS = (
    "USD = [currency]",
    "token = [token]",
    "Mtok = 1e6 * token",
    "GPU = [gpu]",
    "mpg = mile / gallon = _ = mpg_us",
    "mpg_imp = mile / imperial_gallon",
    # Masses of CO2 (or CO2-equivalent): the gas is the label, the dimension is mass.
    *(
        f"{prefix}CO2{e} = {mass}"
        for e in ("", "e")
        for prefix, mass in (
            ("g", "gram"),
            ("kg", "kilogram"),
            ("t", "tonne"),
            ("kt", "1e3 * tonne"),
            ("Mt", "1e6 * tonne"),
            ("Gt", "1e9 * tonne"),
        )
    ),
)

# A number right after "/" belongs to the denominator: L/100km is litres per 100 km.
_DIVIDED_BY_NUMBER = re.compile(
    r"/\s*(\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)\s*\*?\s*([A-Za-z_][A-Za-z_0-9]*(?:\s*(?:\*\*|\^)\s*\d+)?)"
)
# A number followed by a unit, "100 km", is a product.
_NUMBER_THEN_UNIT = re.compile(r"(?<![\w.])(\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)\s+(?=[A-Za-z_(])")
_HAS_FACTOR = re.compile(r"(?<![\w.])\d")
# What looks like a factor but is not: exponents (m**2, s^-1) and a leading 1 in 1/day.
_NOT_A_FACTOR = re.compile(r"(?:\*\*|\^)\s*[-+]?\d+(?:\.\d*)?|(?<![\w.])1\s*/")

_IMPLICIT_PRODUCT = re.compile(r"[\w)]\s+[\w(]")

MAX_UNIT_EXPONENT = 64
"""Largest power in a unit, as for formula exponents: `USD**9**9**9` would never finish."""
MAX_UNIT_MAGNITUDE = 300
"""Largest power of ten a unit's numeric factor may reach (floats end near 1e308)."""
MAX_UNIT_LENGTH = 200
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_SUPERSCRIPT_RUN = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+")

# Written out in full by format_unit: crux's own units and the calendar units, whose pint
# symbols (h, d, a) are easy to misread. Everything else uses pint's short symbol.
_KEEP_NAME = frozenset(
    {
        "USD",
        "token",
        "Mtok",
        "GPU",
        "hour",
        "day",
        "week",
        "month",
        "year",
        "mpg",
        "mpg_imp",
        *(f"{p}CO2{e}" for e in ("", "e") for p in ("g", "kg", "t", "kt", "Mt", "Gt")),
    }
)
# Units with a numeric factor are defined on first use under a name derived from their text
# (the same name in every process); they display as the author wrote them.
_SCALED_PREFIX = "scaled_"
_scaled_text: dict[str, str] = {}


class UnitError(Exception):
    """A unit could not be parsed or converted; ``message`` is meant for the author."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@functools.cache
def registry() -> pint.UnitRegistry:
    """The one registry (built on first use: building a pint registry takes ~0.1 s)."""
    try:
        # pint caches its parsed definitions on disk: ~0.01 s instead of ~0.3 s per process.
        ureg: pint.UnitRegistry = pint.UnitRegistry(cache_folder=":auto:")
    except OSError:
        ureg = pint.UnitRegistry()
    for definition in _DEFINITIONS:
        ureg.define(definition)
    return ureg


def parse_unit(text: str) -> pint.Unit:
    """Parse a unit such as ``USD/Mtok`` or ``token/GPU/second``; empty or ``1`` is dimensionless.

    Raises `UnitError` with a short message (never a pint exception) when the text is not a unit.
    """
    ureg = registry()
    stripped = text.strip()
    if stripped in ("", "1", "dimensionless"):
        return ureg.dimensionless
    _check_size(stripped)
    if _HAS_FACTOR.search(_NOT_A_FACTOR.sub(" ", stripped)):
        return _scaled_unit(stripped)
    if _IMPLICIT_PRODUCT.search(stripped):
        # pint reads "USD Mtok" as a product; in a YAML file that is far more likely a typo
        raise UnitError(f"expected '*' or '/' between units, found a space in '{stripped}'")
    try:
        unit = ureg.parse_units(stripped)
    except pint.UndefinedUnitError as exc:
        names = exc.unit_names if isinstance(exc.unit_names, (list, tuple)) else [exc.unit_names]
        shown = ", ".join(f"'{name}'" for name in names) if names else f"'{stripped}'"
        where = "" if shown == f"'{stripped}'" else f" in '{stripped}'"
        raise UnitError(f"unknown unit {shown}{where}") from None
    except Exception:  # pint raises many kinds (tokenizer, definition, type) on odd text
        raise UnitError(f"expected a unit such as USD/Mtok, found '{stripped}'") from None
    if not isinstance(unit, pint.Unit):
        raise UnitError(f"expected a unit such as USD/Mtok, found '{stripped}'")
    if not ureg.Quantity(1.0, unit)._is_multiplicative:
        # offset units (degC) have no conversion factor, so formulas could not convert them
        raise UnitError(f"expected a unit without an offset, found '{stripped}'")
    base_factor(unit)  # `e²²` parses, but its factor underflows: refuse it here, with the others
    return unit


def _scaled_unit(text: str) -> pint.Unit:
    """A unit with a numeric factor, such as ``L/(100 km)``, as a unit of its own."""
    import hashlib

    ureg = registry()
    if re.match(r"[-+]?[\d.]", text):
        raise UnitError(
            f"expected a unit, found a number at the start of '{text}' (a number goes in value:)"
        )
    written = _DIVIDED_BY_NUMBER.sub(r"/(\1*\2)", text)
    written = _NUMBER_THEN_UNIT.sub(r"\1*", written)
    if _IMPLICIT_PRODUCT.search(re.sub(r"\d+(?:\.\d*)?\*", "", written)):
        raise UnitError(f"expected '*' or '/' between units, found a space in '{text}'")
    try:
        quantity = ureg.parse_expression(written)
    except pint.UndefinedUnitError as exc:
        names = exc.unit_names if isinstance(exc.unit_names, (list, tuple)) else [exc.unit_names]
        shown = ", ".join(f"'{name}'" for name in names)
        raise UnitError(f"unknown unit {shown} in '{text}'") from None
    except Exception:
        raise UnitError(f"expected a unit such as L/(100 km), found '{text}'") from None
    if not isinstance(quantity, ureg.Quantity):
        raise UnitError(f"expected a unit such as L/(100 km), found the number '{text}'")
    factor = float(quantity.magnitude)
    if not math.isfinite(factor) or factor <= 0:
        raise UnitError(f"expected a positive factor in '{text}', found {factor:g}")
    if factor == 1.0:
        return parse_unit(str(quantity.units))
    digest = hashlib.sha1(text.encode()).hexdigest()[:8]
    # pint wants a Python identifier of ASCII letters, digits and _ (not `²`, which \w allows).
    name = _SCALED_PREFIX + re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_") + "_" + digest
    if name not in _scaled_text:
        ureg.define(f"{name} = {factor!r} * {quantity.units}")
        _scaled_text[name] = text
    return ureg.parse_units(name)


def reciprocal_dimension(a: pint.Unit, b: pint.Unit) -> bool:
    """True when ``a`` measures the inverse of what ``b`` does (mpg and L/(100 km))."""
    return bool(a.dimensionality == (1 / b).dimensionality) and not a.dimensionless


def _check_size(text: str) -> None:
    """Refuse units whose powers pint would compute for ever, before pint sees them.

    pint evaluates `9**9**9` with Python integers, which holds the interpreter for hours and
    cannot be interrupted. We read the text as pint will (`^` and superscripts are powers) and
    bound every exponent, and the size of any number raised to one.
    """
    if len(text) > MAX_UNIT_LENGTH:
        raise UnitError(
            f"expected a unit of at most {MAX_UNIT_LENGTH} characters, found {len(text)}"
        )
    if not any(char in "*^⁰¹²³⁴⁵⁶⁷⁸⁹" for char in text):
        return
    normal = _SUPERSCRIPT_RUN.sub(lambda m: "**" + m.group().translate(_SUPERSCRIPTS), text)
    normal = normal.replace("^", "**").replace("%", "percent")
    try:
        tree = ast.parse(normal, mode="eval")
    except (SyntaxError, ValueError):
        if "**" in normal:
            raise UnitError(f"expected a unit such as USD/Mtok, found '{text}'") from None
        return
    _magnitude(tree.body, text)


def _magnitude(node: ast.expr, text: str) -> float:
    """An upper bound on |log10| of the numeric factor of `node`; raises past the limits."""
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            return 0.0
        value = abs(float(node.value)) if math.isfinite(float(node.value)) else math.inf
        return abs(math.log10(value)) if value > 0 else 0.0
    if isinstance(node, ast.UnaryOp):
        return _magnitude(node.operand, text)
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Pow):
            exponent = _exponent(node.right)
            if exponent is None or abs(exponent) > MAX_UNIT_EXPONENT:
                raise UnitError(
                    f"expected unit exponents between -{MAX_UNIT_EXPONENT} and "
                    f"{MAX_UNIT_EXPONENT}, found '{text}'"
                )
            size = _magnitude(node.left, text) * abs(exponent)
        else:
            size = _magnitude(node.left, text) + _magnitude(node.right, text)
        if size > MAX_UNIT_MAGNITUDE:
            raise UnitError(
                f"expected a unit whose factor is below 1e{MAX_UNIT_MAGNITUDE}, found '{text}'"
            )
        return size
    return 0.0


def _exponent(node: ast.expr) -> float | None:
    """A literal number exponent (optionally signed), or None for anything else."""
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        node = node.operand
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
        and math.isfinite(float(node.value))
    ):
        return float(node.value)
    return None


def base_factor(unit: pint.Unit) -> float:
    """Multiply a magnitude in ``unit`` by this to get pint base units (USD/Mtok → 1e-6)."""
    return _base_factor_cached(str(unit))


@functools.lru_cache(maxsize=1024)
def _base_factor_cached(unit_text: str) -> float:
    ureg = registry()
    factor = float(ureg.Quantity(1.0, unit_text).to_base_units().magnitude)
    if not math.isfinite(factor) or factor == 0.0:
        raise UnitError(f"unit '{unit_text}' has no usable conversion factor")
    return factor


def same_dimension(a: pint.Unit, b: pint.Unit) -> bool:
    """True when ``a`` and ``b`` measure the same kind of quantity (USD/Mtok and USD/token)."""
    return bool(a.dimensionality == b.dimensionality)


def convert(value: float, from_unit: pint.Unit, to_unit: pint.Unit) -> float:
    """Convert ``value`` from one unit to another of the same dimension."""
    if not same_dimension(from_unit, to_unit):
        raise UnitError(
            f"cannot convert: expected a unit of the same kind as {_shown(to_unit)}, "
            f"found {_shown(from_unit)}"
        )
    return float(value) * base_factor(from_unit) / base_factor(to_unit)


def format_unit(unit: pint.Unit) -> str:
    """Short, deterministic display form: ``USD/Mtok``, ``USD/GPU/hour``, ``token/GPU/s``.

    Dimensionless is the empty string; ``percent`` is ``%``.
    """
    ureg = registry()
    numerator: list[str] = []
    denominator: list[str] = []
    for name, raw_power in unit._units.items():
        shown = _unit_symbol(ureg, name)
        power = float(raw_power)  # type: ignore[arg-type]
        magnitude = abs(power)
        if magnitude != 1:
            exponent = int(magnitude) if magnitude.is_integer() else round(magnitude, 6)
            shown = f"{shown}^{exponent}"
        (numerator if power > 0 else denominator).append(shown)
    text = "·".join(numerator) if numerator else ("1" if denominator else "")
    for item in denominator:
        text += f"/{item}"
    return text


def _unit_symbol(ureg: pint.UnitRegistry, name: str) -> str:
    if name == "percent":
        return "%"
    if name in _scaled_text:
        return _scaled_text[name]
    if name in _KEEP_NAME:
        return name
    try:
        return str(ureg.get_symbol(name))
    except Exception:  # pragma: no cover - every registry unit has a symbol
        return name


def _shown(unit: pint.Unit) -> str:
    text = format_unit(unit)
    return text if text else "a plain number"
