"""How numbers are written for people: the digits a source gave survive, float noise does not."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from engine.cli import cli
from engine.formatting import format_number, format_quantity


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (87072, "87,072"),  # DeepSeek's published daily cost, quoted to the dollar
        (562027, "562,027"),  # and its daily revenue
        (87072.4, "87,072"),
        (-87072.0, "-87,072"),
        (1234.56, "1,235"),
        (1_234_567, "1,234,570"),  # past six digits: six significant ones
        (18_750_000_000.000004, "18,750,000,000"),  # float noise hidden
        (19_180_000_000, "19,180,000,000"),
        (999_999.7, "1,000,000"),
        (0.428571, "0.4286"),  # below 1,000: four significant digits, as before
        (2.35, "2.35"),
        (0.0, "0"),
        (float("nan"), "undefined"),
        (2e15, "2.000e+15"),
    ],
)
def test_numbers_keep_their_significant_digits(value: float, written: str) -> None:
    assert format_number(value) == written


def test_a_quantity_keeps_every_digit_of_a_published_dollar_figure() -> None:
    assert format_quantity(87072, "USD/day") == "87,072 USD/day"


def test_explanations_write_deepseeks_published_dollars_in_full() -> None:
    """`crux explain` once wrote the published $87,072 as 87,070."""
    result = CliRunner().invoke(cli, ["explain", "open_weights_costs_shifted", "--full"])
    assert result.exit_code == 0, result.output
    assert "87,072 USD/day" in result.output
    assert "87,070" not in result.output
