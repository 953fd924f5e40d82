"""How numbers, units and labels are written for people (CLI, explanations and the site).

The analysis stage returns numbers and label names; the sentences the CLI and the site show for
them are written here, once, so both word a tipping point the same way.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Protocol

LABEL_SYMBOLS = {"holds": "✔", "fails": "✘", "undecided": "?"}
PRESUMED_SYMBOL = "○"
BASIS_TEXT = {
    "numbers": "decided by the numbers",
    "assumption": "assumed",
    "arguments": "decided by its arguments",
    "presumption": "presumed: stated, and nothing applies against it",
}


# A number of 1,000 or more is written as a whole number: every digit up to six, then six
# significant digits. Four significant digits (the rule below 1,000) would write a cited
# $87,072 as "87,070", a figure its own quote contradicts; six keep every digit a source
# usually gives while hiding float noise (18,750,000,000.000004).
LARGE_NUMBER_DIGITS = 6


def format_number(value: float, digits: int = 4) -> str:
    """Thousands separated, `undefined` for NaN.

    Below 1,000, `digits` significant digits (0.4286, 2.35); from 1,000 on, a whole number
    with at most six significant digits (87,072; 562,027; 1,234,570).
    """
    if value is None or math.isnan(value):
        return "undefined"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    if value == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(value)))
    if abs(value) >= 1e15 or abs(value) < 1e-4:
        return f"{value:.{digits - 1}e}"
    if magnitude >= digits - 1:
        rounded = round(value, -max(magnitude - LARGE_NUMBER_DIGITS + 1, 0))
        return f"{rounded:,.0f}"
    text = f"{value:.{digits - 1 - magnitude}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_quantity(value: float, unit: str) -> str:
    """A number with its unit, e.g. `2.35 USD/GPU/hour`; dimensionless numbers stand alone.

    +∞ of a distance or a duration (a break-even point that is never reached) reads "never".
    """
    if value is not None and value == math.inf and _is_extent(unit):
        return "never"
    number = format_number(value)
    if not unit or unit in ("dimensionless", "1") or number == "undefined":
        return number
    return f"{number} {unit}"


def format_setting(value: float | str, unit: str) -> str:
    """A figure setting: a choice name as is, a number with its unit."""
    if isinstance(value, str):
        return value
    return format_quantity(value, unit)


class TippingPoint(Protocol):
    """What a sentence about a tipping point needs (`engine.analysis.flips.Crossing` has it)."""

    @property
    def figure(self) -> str: ...
    @property
    def at(self) -> float: ...
    @property
    def unit(self) -> str: ...
    @property
    def now(self) -> float: ...
    @property
    def rising(self) -> bool: ...
    @property
    def reached(self) -> str: ...


def format_tipping_move(crossing: TippingPoint) -> str:
    """How the figure must move to reach the tipping point: ``rises above 4.1 USD (now 2.35)``."""
    at = format_quantity(crossing.at, crossing.unit)
    verb = "rises above" if crossing.rising else "falls below"
    return f"{verb} {at} (now {format_number(crossing.now)})"


def format_tipping_point(crossing: TippingPoint) -> str:
    """``fails if gpu_hour_usd rises above 4.1 USD/GPU/hour (now 2.35)``.

    ``templates/static/crux-tipping.js`` (``sentence``) writes the same words in the browser.
    """
    return f"{crossing.reached} if {crossing.figure} {format_tipping_move(crossing)}"


def format_steady(interval: tuple[float, float], unit: str, label: str) -> str:
    """A figure that moves across its whole search interval without changing the label."""
    low, high = (format_number(x) for x in interval)
    shown = f" {unit}" if unit not in ("", "1", "dimensionless") else ""
    return f"does not flip within [{low}, {high}]{shown}: {label} throughout"


def format_option_labels(options: Mapping[str, str]) -> str:
    """A label per option of a choice or switch: ``marginal → holds, fully_loaded → fails``."""
    return ", ".join(f"{name} → {label}" for name, label in options.items())


def format_label(label: str, basis: str | None = None) -> str:
    """A label with a symbol, so it reads without colour too.

    A claim that holds by presumption (stated, nothing applies against it) reads `○ presumed`,
    never `✔ holds`: readers of a fact-checking map take ✔ as "verified by the numbers".
    """
    if basis == "presumption" and label == "holds":
        return f"{PRESUMED_SYMBOL} presumed"
    return f"{LABEL_SYMBOLS.get(label, '')} {label}".strip()


def format_percent(share: float) -> str:
    """A share as a percentage with one decimal: `42.8 %`."""
    if share is None or math.isnan(share):
        return "undefined"
    return f"{100 * share:.1f} %"


def format_percent_error(share: float, stderr: float) -> str:
    """A percentage and its error in percentage points: `42.8 % ± 0.1 pp`.

    Errors under 0.1 pp keep two significant digits, so a small error does not read as zero.
    """
    points = 100 * stderr
    error = f"{points:.1f}" if points >= 0.1 or points == 0 else f"{points:.2g}"
    return f"{format_percent(share)} ± {error} pp"


def json_number(value: float) -> float | str | None:
    """A number for JSON output: NaN (undefined) is null, ±∞ is the text "Infinity"/"-Infinity"
    (JSON has no infinity; JavaScript's ``Number("Infinity")`` reads it back)."""
    value = float(value)
    if math.isnan(value):
        return None
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def _is_extent(unit: str) -> bool:
    """Whether ``unit`` measures how far or how long (km, year; not km/year).

    This module sits below the unit registry (it formats for every layer), so the common
    lengths and durations are listed by name; another unit shows "∞" instead of "never".
    """
    return unit.strip() in _EXTENTS


_EXTENTS = frozenset(
    {
        *("m", "km", "cm", "mm", "meter", "metre", "kilometer", "kilometre", "mile", "mi"),
        *("ft", "foot", "yard", "nmi", "AU", "ly", "light_year"),
        *("s", "second", "min", "minute", "h", "hour", "day", "d", "week", "month", "year"),
        *("yr", "a", "decade", "century"),
    }
)
