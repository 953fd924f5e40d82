"""A figure's setting: the one rule for checking, storing, computing with and writing it.

A setting is what a scenario, `--set`, a scenario file or the what-if panel gives a figure:

* a **number** in the figure's unit, stored as a ``float``;
* a **switch**'s 0 or 1 (``true``/``false`` in YAML), stored as a ``float``, written as ``0``/``1``;
* a **choice**'s option name, stored as that ``str``; the engine computes with its index.

A number figure's values also have physical bounds (`physical_bounds`), which sampling, tipping
points, sensitivity and the what-if panel all respect.

Every place that reads or writes a setting goes through these functions, so a choice, a switch
and a number mean the same thing in the loader, the engine, the site and a downloaded scenario.
Only the figure's `choices`, `switch`, `unit` and `accepts_reciprocal` are read, so the schema
can use these rules too.

A number may be written as text with a unit, `7 USD` or `40 mpg`: `--set` and a scenario's
`set:` both go through `quantity_value`, so they accept the same things. A figure that declares
`accepts_reciprocal: true` also takes a value in the reciprocal unit and inverts it: fuel
economy (mpg, km/L) for a consumption in L/(100 km), and back.

`setting_bounds` is the one rule for the bounds a number setting must respect, shared by `--set`,
scenarios and the what-if panel, so the command line and the panel refuse the same values.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from engine.errors import did_you_mean

if TYPE_CHECKING:
    from engine.knowledge.schema import Figure

Setting = float | str
"""A stored setting: a number (switches included) or a choice's option name."""


def describe(value: object) -> str:
    """A value as an error message quotes it, cut short when long."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_setting(figure: Figure, value: object) -> str | None:
    """Why `value` cannot be given to `figure`, or None when it can."""
    if figure.choices is not None:
        if str(value) not in figure.choices:
            return (
                f"expected one of {', '.join(figure.choices)}, found {describe(value)}"
                f"{did_you_mean(str(value), figure.choices)}"
            )
        return None
    if figure.switch:
        if value in (0, 1, True, False) and not isinstance(value, str):
            return None
        return f"expected a switch value 0 or 1, found {describe(value)}"
    if isinstance(value, str):
        # "7 USD" or "40 mpg": a number with a unit, converted as --set converts it
        try:
            value = quantity_value(figure, value)
        except SettingError as exc:
            return str(exc)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"expected a number in {figure.unit}, found {describe(value)}"
    if not math.isfinite(value):
        return f"expected a finite number in {figure.unit}, found {describe(value)}"
    return bound_violation(figure, float(value), figure.unit)


def setting_bounds(figure: Figure) -> tuple[float | None, float | None]:
    """`physical_bounds` as a setting must respect them: (lower, upper), None where open.

    The what-if panel reads the same bounds (`whatif_model.figure_bounds`), so the command line
    and the panel refuse the same values.
    """
    lower, upper = physical_bounds(figure)
    return (lower if math.isfinite(lower) else None), (upper if math.isfinite(upper) else None)


def bound_violation(figure: Figure, value: float, unit: str) -> str | None:
    """Why a number setting lies outside the figure's bounds, or None when it does not."""
    lower, upper = setting_bounds(figure)
    shown_unit = "" if unit == "dimensionless" else f" {unit}"
    if lower is not None and value < lower:
        why = (
            "the figure's minimum" if figure.minimum is not None else "the figure is never negative"
        )
        return f"expected at least {lower:g}{shown_unit} ({why}), found {value:g}"
    if upper is not None and value > upper:
        return f"expected at most {upper:g}{shown_unit} (the figure's maximum), found {value:g}"
    return None


def normalise_setting(figure: Figure, value: float | str | bool) -> Setting:
    """A checked value as it is stored: a choice's name, or a float (``true`` is ``1.0``).

    >>> from engine.knowledge.schema import Figure
    >>> normalise_setting(Figure(label="on", value=True, switch=True), True)
    1.0
    """
    if figure.choices is not None:
        return str(value)
    if isinstance(value, str):  # checked at load time: a number with a unit
        return quantity_value(figure, value)
    return float(value)


def numeric_setting(figure: Figure, value: float | str | bool) -> float:
    """The number the engine computes with: a choice becomes its option's index."""
    if figure.choices is not None:
        return float(figure.choices.index(str(value)))
    return float(value)


def physical_bounds(figure: Figure) -> tuple[float, float]:
    """Where a number figure's values may lie: ``(lower, upper)``, infinite when open.

    ``minimum``/``maximum`` when written. Otherwise a figure whose value and whole range are
    non-negative is a quantity that cannot be negative (a price, a count), so its lower bound is
    0; a value of 0 with no range says nothing about sign, so it stays open. Switches and choices
    have no physical bounds.

    >>> from engine.knowledge.schema import Figure
    >>> physical_bounds(Figure(label="cups sold", value=0, range=(0, 5)))
    (0.0, inf)
    >>> physical_bounds(Figure(label="balance", value=0))
    (-inf, inf)
    """
    if figure.choices is not None or figure.switch:
        return -math.inf, math.inf
    lower = figure.minimum
    if lower is None:
        value = float(figure.setting)
        low = figure.range[0] if figure.range is not None else value
        non_negative = value >= 0 and low >= 0 and (value > 0 or figure.range is not None)
        lower = 0.0 if non_negative else -math.inf
    upper = figure.maximum if figure.maximum is not None else math.inf
    return float(lower), float(upper)


def written_setting(figure: Figure, value: float | str | bool) -> float | int | str:
    """A setting as the what-if panel and scenario files write it: a name, 0 or 1, or a float."""
    if figure.choices is not None:
        return str(value)
    if figure.switch:
        return int(float(value))
    return float(value)


_NUMBER = re.compile(r"^\s*([-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


class SettingError(ValueError):
    """A setting that cannot be given to a figure; the message says what was expected."""


def quantity_value(figure: Figure, text: str) -> float:
    """`text` as a number in the figure's unit: `2.5`, `7 USD`, `40 mpg` (converted)."""
    match = _NUMBER.match(text)
    if match is None:
        raise SettingError(f"expected a number in {figure.unit}, found '{text.strip()}'")
    number = float(match[1].replace("_", ""))
    if not math.isfinite(number):
        raise SettingError(f"expected a finite number, found '{text.strip()}'")
    unit_text = match[2]
    if not unit_text:
        return number
    from engine.formula import units  # pint, only when a setting names a unit

    try:
        given = units.parse_unit(unit_text)
        declared = units.parse_unit(figure.unit)
        if figure.accepts_reciprocal and units.reciprocal_dimension(given, declared):
            if number == 0:
                raise SettingError(f"cannot invert 0 {unit_text} into {figure.unit}")
            per_declared = units.convert(1.0, 1 / given, declared)
            return per_declared / number
        return units.convert(number, given, declared)
    except units.UnitError as exc:
        hint = ""
        if not figure.accepts_reciprocal and _reciprocal(unit_text, figure.unit):
            hint = (
                " (the figure can take the reciprocal unit if it declares accepts_reciprocal: true)"
            )
        raise SettingError(f"{exc}{hint}") from None


def _reciprocal(unit_text: str, figure_unit: str) -> bool:
    from engine.formula import units

    try:
        return units.reciprocal_dimension(
            units.parse_unit(unit_text), units.parse_unit(figure_unit)
        )
    except units.UnitError:
        return False


def choice_value(figure: Figure, text: str) -> str:
    """`text` as one of a choice figure's options, with a 'did you mean' when it is close."""
    assert figure.choices is not None
    if text in figure.choices:
        return text
    raise SettingError(
        f"expected one of {', '.join(figure.choices)}, found '{text}'"
        f"{did_you_mean(text, figure.choices)}"
    )
