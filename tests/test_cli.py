"""The CLI as a user meets it: exit codes, JSON shape, messages without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import cli
from tests.conftest import EXAMPLES

LEMONADE = str(EXAMPLES / "lemonade")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_eval_json_shape_is_stable() -> None:
    code, out, _ = run("eval", LEMONADE, "--scenario", "summer", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"scenario", "figures", "calculators", "claims"}
    assert data["scenario"] == "summer"
    assert data["figures"]["cup_price"] == {"value": 2.0, "unit": "USD"}
    assert data["calculators"]["margin_per_cup"]["unit"] == "dimensionless"
    assert data["calculators"]["margin_per_cup"]["value"] == pytest.approx(0.7)
    claim = data["claims"]["stand_sells_at_loss"]
    assert claim["label"] == "fails"
    assert "cost_per_cup > cup_price is false" in claim["explanation"]


def test_eval_json_undefined_is_null() -> None:
    code, out, _ = run(
        "eval", LEMONADE, "-s", "everything_counted", "--set", "cups_per_day=0", "--format", "json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["calculators"]["rent_per_cup"]["value"] is None
    assert data["claims"]["stand_sells_at_loss"]["label"] == "undecided"


def test_set_flips_a_claim_on_the_command_line() -> None:
    _, before, _ = run("eval", LEMONADE, "--format", "json")
    _, after, _ = run("eval", LEMONADE, "--format", "json", "--set", "cup_price=0.5")
    assert json.loads(before)["claims"]["stand_sells_at_loss"]["label"] == "fails"
    assert json.loads(after)["claims"]["stand_sells_at_loss"]["label"] == "holds"


def test_eval_table_shows_numbers_with_units() -> None:
    code, out, _ = run("eval", LEMONADE, "-s", "summer")
    assert code == 0
    assert "0.6 USD > 2 USD" in out
    assert "✘ fails" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["eval", LEMONADE, "--set", "cup_pric=1"],
            "--set: unknown figure 'cup_pric' (did you mean 'cup_price'?)",
        ),
        (
            ["eval", LEMONADE, "--set", "cup_price=cheap"],
            "--set: cup_price: expected a number in USD, found 'cheap'",
        ),
        (
            ["eval", LEMONADE, "--set", "cost_view=half"],
            "--set: cost_view: expected one of ingredients, everything, found 'half'",
        ),
        (["eval", LEMONADE, "--set", "cup_price=2 USD/day"], "--set: cup_price:"),
        (
            ["eval", LEMONADE, "--assume", "rain_all_month=maybe"],
            "--assume: rain_all_month: expected true or false",
        ),
        (
            ["eval", LEMONADE, "-s", "sumer"],
            "--scenario: unknown scenario 'sumer' (did you mean 'summer'?)",
        ),
        (["explain", "nothing", "--claims", LEMONADE], "CLAIM: unknown claim 'nothing'"),
        (["eval", "no/such/folder"], "expected a claims folder"),
    ],
)
def test_bad_usage_exits_2_with_a_message(args: list[str], message: str) -> None:
    code, _, err = run(*args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_explain_prints_a_tree_down_to_sources() -> None:
    code, out, _ = run(
        "explain", "stand_is_thriving", "--claims", LEMONADE, "-s", "everything_counted"
    )
    assert code == 0
    lines = out.splitlines()
    assert (
        lines[0]
        == "Scenario: everything_counted — Rent counted, slow days (cost_view = everything)"
    )
    assert "stand_is_thriving ✔ holds: The stand is a good little business." in lines
    # The default depth stops at the premises' conditions; --full goes down to the sources.
    assert "rent_per_cup" not in out
    code, out, _ = run(
        "explain", "stand_is_thriving", "--claims", LEMONADE, "-s", "everything_counted", "--full"
    )
    text = " ".join(out.split())
    assert (
        "rent_per_cup = stand_rent_per_day / cups_per_day = 50 USD/day / 20 1/day = 2.5 USD" in text
    )
    assert "[asserted; source: A neighbour's post about the stand]" in text
    assert "because cost_view == 'everything' is true" in text
    assert any(line.startswith("    undercuts ") for line in out.splitlines())


def test_check_passes_on_the_example() -> None:
    code, out, _ = run("check", LEMONADE)
    assert code == 0
    assert out.startswith(
        "ok: 2 sources, 5 figures, 3 calculators, 7 claims, 5 arguments, 3 scenarios; 5 expectations hold."
    )


def test_schema_is_json_schema_with_descriptions() -> None:
    code, out, _ = run("schema")
    schema = json.loads(out)
    assert code == 0
    figure = schema["$defs"]["Figure"]
    assert figure["additionalProperties"] is False
    assert all("description" in spec for spec in figure["properties"].values())


def test_python_dash_m_engine_works() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "engine", "check", LEMONADE],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok:")


def test_shipped_schema_file_is_current() -> None:
    """docs/crux.schema.json is what the YAML modelines point at; it must match `crux schema`."""
    shipped = Path(__file__).resolve().parent.parent / "docs" / "crux.schema.json"
    _, out, _ = run("schema")
    assert shipped.read_text(encoding="utf-8") == out, "run: crux schema -o docs/crux.schema.json"
