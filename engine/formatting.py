"""How numbers, units and labels are written for people (CLI, explanations and the site)."""

from __future__ import annotations

import math

LABEL_SYMBOLS = {"holds": "✔", "fails": "✘", "undecided": "?"}


def format_number(value: float, digits: int = 4) -> str:
    """Four significant digits, thousands separated, `undefined` for NaN."""
    if value is None or math.isnan(value):
        return "undefined"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if value == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(value)))
    if abs(value) >= 1e15 or abs(value) < 1e-4:
        return f"{value:.{digits - 1}e}"
    if magnitude >= digits - 1:
        rounded = round(value, -(magnitude - digits + 1))
        return f"{rounded:,.0f}"
    text = f"{value:.{digits - 1 - magnitude}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_quantity(value: float, unit: str) -> str:
    """A number with its unit, e.g. `2.35 USD/GPU/hour`; dimensionless numbers stand alone."""
    number = format_number(value)
    if not unit or unit in ("dimensionless", "1") or number == "undefined":
        return number
    return f"{number} {unit}"


def format_setting(value: float | str, unit: str) -> str:
    """A figure setting: a choice name as is, a number with its unit."""
    if isinstance(value, str):
        return value
    return format_quantity(value, unit)


def format_label(label: str) -> str:
    """A label with a symbol, so it reads without colour too."""
    return f"{LABEL_SYMBOLS.get(label, '')} {label}".strip()
