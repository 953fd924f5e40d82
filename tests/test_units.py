"""Units: parsing, conversion factors, display."""

from __future__ import annotations

import math
import re

import pytest

from engine.formula.units import (
    UnitError,
    base_factor,
    convert,
    format_unit,
    parse_unit,
    same_dimension,
)


@pytest.mark.parametrize(
    "text",
    [
        "USD/GPU/hour",
        "token/GPU/second",
        "USD/Mtok",
        "Mtok",
        "dimensionless",
        "1",
        "",
        "percent",
        "%",
        "GB",
        "TB/s",
        "hour",
        "day",
        "month",
        "year",
        "GUSD",
        "gigaUSD",
        "MUSD",
    ],
)
def test_units_authors_use_parse(text: str) -> None:
    parse_unit(text)


@pytest.mark.parametrize(
    ("text", "factor"),
    [
        ("USD/Mtok", 1e-6),
        ("hour", 3600.0),
        ("percent", 0.01),
        ("GUSD", 1e9),
        ("gigaUSD", 1e9),
        ("Mtok", 1e6),
        ("USD/GPU/hour", 1 / 3600),
        ("token/GPU/second", 1.0),
        ("dimensionless", 1.0),
    ],
)
def test_base_factor(text: str, factor: float) -> None:
    assert math.isclose(base_factor(parse_unit(text)), factor, rel_tol=1e-12)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("USDD", "unknown unit 'USDD'"),
        ("USD/foo", "unknown unit 'foo' in 'USD/foo'"),
        ("USD/", "expected a unit such as USD/Mtok, found 'USD/'"),
        ("USD Mtok", "expected '*' or '/' between units, found a space in 'USD Mtok'"),
        ("degC", "expected a unit without an offset, found 'degC'"),
    ],
)
def test_bad_units_give_a_short_message(text: str, message: str) -> None:
    with pytest.raises(UnitError) as info:
        parse_unit(text)
    assert info.value.message == message
    assert info.value.__cause__ is None  # no pint traceback attached


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("USD/Mtok", "USD/Mtok"),
        ("USD/GPU/hour", "USD/GPU/hour"),
        ("token/GPU/second", "token/GPU/s"),
        ("token/GPU/s", "token/GPU/s"),
        ("dimensionless", ""),
        ("percent", "%"),
        ("gigaUSD", "GUSD"),
        ("m**2/s", "m^2/s"),
        ("1/hour", "1/hour"),
    ],
)
def test_format_unit(text: str, shown: str) -> None:
    assert format_unit(parse_unit(text)) == shown


def test_same_dimension() -> None:
    assert same_dimension(parse_unit("USD/Mtok"), parse_unit("USD/token"))
    assert same_dimension(parse_unit("percent"), parse_unit(""))
    assert not same_dimension(parse_unit("USD/Mtok"), parse_unit("USD/GPU/hour"))


def test_convert() -> None:
    assert math.isclose(convert(2.0, parse_unit("USD/token"), parse_unit("USD/Mtok")), 2e6)
    assert math.isclose(convert(1.0, parse_unit("day"), parse_unit("hour")), 24.0)
    assert math.isclose(convert(50, parse_unit("percent"), parse_unit("")), 0.5)
    with pytest.raises(UnitError, match="expected a unit of the same kind as USD/Mtok"):
        convert(1.0, parse_unit("hour"), parse_unit("USD/Mtok"))


@pytest.mark.parametrize(
    ("text", "shown", "factor"),
    [
        ("L/(100 km)", "L/(100 km)", 1e-3 / 1e5),
        ("L/100km", "L/100km", 1e-3 / 1e5),
        ("kWh/(100 km)", "kWh/(100 km)", 3.6e6 / 1e5),
        ("USD/(1000 token)", "USD/(1000 token)", 1e-3),
        ("mpg", "mpg", 1609.344 / 3.785411784e-3),
        ("mpg_us", "mpg", 1609.344 / 3.785411784e-3),
        ("mpg_imp", "mpg_imp", 1609.344 / 4.54609e-3),
        ("gCO2/kWh", "gCO2/kWh", 1e-3 / 3.6e6),
        ("tCO2", "tCO2", 1e3),
        ("MtCO2e", "MtCO2e", 1e9),
        ("kgCO2/km", "kgCO2/km", 1e-3),
    ],
)
def test_units_from_outside_ai_pricing(text: str, shown: str, factor: float) -> None:
    unit = parse_unit(text)
    assert format_unit(unit) == shown
    assert math.isclose(base_factor(unit), factor, rel_tol=1e-9)


def test_a_numeric_factor_converts() -> None:
    assert convert(5, parse_unit("L/(100 km)"), parse_unit("L/km")) == pytest.approx(0.05)
    assert convert(50, parse_unit("gCO2/kWh"), parse_unit("tCO2/MWh")) == pytest.approx(0.05)
    assert convert(1, parse_unit("mpg_imp"), parse_unit("mpg")) == pytest.approx(0.832674, 1e-5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "2 USD",
            "expected a unit, found a number at the start of '2 USD' (a number goes in value:)",
        ),
        ("L/(100 furlongz)", "unknown unit 'furlongz' in 'L/(100 furlongz)'"),
        ("L/(100 km) USD", "expected '*' or '/' between units, found a space in 'L/(100 km) USD'"),
    ],
)
def test_bad_factors_give_a_short_message(text: str, message: str) -> None:
    with pytest.raises(UnitError) as info:
        parse_unit(text)
    assert info.value.message == message


def test_every_unit_in_the_units_doc_parses() -> None:
    """docs/units.md lists every unit crux defines; each one in its tables parses."""
    from pathlib import Path

    from engine.formula.units import _DEFINITIONS

    doc = (Path(__file__).resolve().parent.parent / "docs" / "units.md").read_text("utf-8")
    rows = [line for line in doc.splitlines() if line.startswith("| ")]
    written = [unit for row in rows for unit in re.findall(r"`([^`]+)`", row)]
    assert len(written) > 60
    for unit in written:
        parse_unit(unit)
    defined = {d.split("=")[0].strip() for d in _DEFINITIONS}
    assert defined <= set(written), defined - set(written)
