"""Units: the pint registry with crux's own units, parsing, conversion factors and display.

crux adds four definitions to pint's defaults::

    USD = [currency]
    token = [token]
    Mtok = 1e6 * token
    GPU = [gpu]

SI prefixes work on ``USD`` and ``token`` both written out and as symbols: ``GUSD`` and
``gigaUSD`` are a billion dollars, ``MUSD`` and ``megaUSD`` a million, ``kUSD`` a thousand.
(``B`` is *not* a billion: pint reads ``BUSD`` as an unknown unit.) ``percent`` and ``%`` are
the dimensionless ``0.01``. Note that pint treats bits and bytes (``GB``, ``TB/s``) as
dimensionless counts, so ``GB`` has the same dimension as a plain number.
"""

from __future__ import annotations

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
    "registry",
    "same_dimension",
]

Unit = pint.Unit

_DEFINITIONS = (
    "USD = [currency]",
    "token = [token]",
    "Mtok = 1e6 * token",
    "GPU = [gpu]",
)

_IMPLICIT_PRODUCT = re.compile(r"[\w)]\s+[\w(]")

# Written out in full by format_unit: crux's own units and the calendar units, whose pint
# symbols (h, d, a) are easy to misread. Everything else uses pint's short symbol.
_KEEP_NAME = frozenset({"USD", "token", "Mtok", "GPU", "hour", "day", "week", "month", "year"})


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
    return unit


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
    if name in _KEEP_NAME:
        return name
    try:
        return str(ureg.get_symbol(name))
    except Exception:  # pragma: no cover - every registry unit has a symbol
        return name


def _shown(unit: pint.Unit) -> str:
    text = format_unit(unit)
    return text if text else "a plain number"
