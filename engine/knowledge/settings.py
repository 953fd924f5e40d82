"""A figure's setting: the one rule for checking, storing, computing with and writing it.

A setting is what a scenario, `--set`, a scenario file or the what-if panel gives a figure:

* a **number** in the figure's unit, stored as a ``float``;
* a **switch**'s 0 or 1 (``true``/``false`` in YAML), stored as a ``float``, written as ``0``/``1``;
* a **choice**'s option name, stored as that ``str``; the engine computes with its index.

Every place that reads or writes a setting goes through these functions, so a choice, a switch
and a number mean the same thing in the loader, the engine, the site and a downloaded scenario.
Only the figure's `choices` and `switch` are read, so the schema can use these rules too.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

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
            return f"expected one of {', '.join(figure.choices)}, found {describe(value)}"
        return None
    if figure.switch:
        if value in (0, 1, True, False) and not isinstance(value, str):
            return None
        return f"expected a switch value 0 or 1, found {describe(value)}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"expected a number in {figure.unit}, found {describe(value)}"
    if not math.isfinite(value):
        return f"expected a finite number in {figure.unit}, found {describe(value)}"
    return None


def normalise_setting(figure: Figure, value: float | str | bool) -> Setting:
    """A checked value as it is stored: a choice's name, or a float (``true`` is ``1.0``).

    >>> from engine.knowledge.schema import Figure
    >>> normalise_setting(Figure(label="on", value=True, switch=True), True)
    1.0
    """
    if figure.choices is not None:
        return str(value)
    return float(value)


def numeric_setting(figure: Figure, value: float | str | bool) -> float:
    """The number the engine computes with: a choice becomes its option's index."""
    if figure.choices is not None:
        return float(figure.choices.index(str(value)))
    return float(value)


def written_setting(figure: Figure, value: float | str | bool) -> float | int | str:
    """A setting as the what-if panel and scenario files write it: a name, 0 or 1, or a float."""
    if figure.choices is not None:
        return str(value)
    if figure.switch:
        return int(float(value))
    return float(value)
