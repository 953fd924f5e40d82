"""Settings written as text: units, reciprocal conversion, choices with 'did you mean'."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import cli
from engine.evaluation.evaluate import evaluate_scenario
from engine.knowledge.loader import KnowledgeBase, load_knowledge_base

CAR = """\
figures:
  consumption:
    label: Fuel the car burns
    value: 6
    unit: L/(100 km)
    accepts_reciprocal: true
  emissions:
    label: Grid carbon intensity
    value: 700
    unit: gCO2/kWh
  region:
    label: Grid region
    choices: [poland, france, norway]
    value: poland
  thirsty_above:
    label: Consumption above which a car is thirsty
    value: 8
    unit: L/(100 km)
  dirty_above:
    label: Emissions above which driving is dirty
    value: 0.1
    unit: kgCO2/km
  efficiency:
    label: Electric car's consumption
    value: 18
    unit: kWh/(100 km)
calculators:
  ev_gco2_per_km:
    label: Electric car's emissions per km
    formula: emissions * efficiency
    unit: gCO2/km
  fuel_l_per_km:
    label: Fuel per km
    formula: consumption
    unit: L/km
claims:
  thirsty:
    text: The car is thirsty.
    holds_when: consumption > thirsty_above
  dirty_grid:
    text: Driving electric here emits over 100 g per km.
    holds_when: ev_gco2_per_km > dirty_above and region == 'poland'
  other:
    text: Fuel per km matters.
    holds_when: fuel_l_per_km > 0
scenarios:
  guzzler:
    label: An old car, in US terms
    set: {consumption: 20 mpg}
    expect: {thirsty: holds}
"""


@pytest.fixture
def car(tmp_path: Path) -> KnowledgeBase:
    (tmp_path / "car.yaml").write_text(textwrap.dedent(CAR), encoding="utf-8")
    return load_knowledge_base(tmp_path)


def test_reciprocal_conversion_from_mpg(car: KnowledgeBase) -> None:
    # 1 mpg (US) = 235.2146 L/(100 km); 20 mpg = 11.76 L/(100 km)
    ev = evaluate_scenario(car, None, ["consumption=20 mpg"])
    assert ev.figures["consumption"] == pytest.approx(235.2146 / 20, rel=1e-6)
    imperial = evaluate_scenario(car, None, ["consumption=20 mpg_imp"])
    assert imperial.figures["consumption"] == pytest.approx(282.4809 / 20, rel=1e-6)
    per_litre = evaluate_scenario(car, None, ["consumption=20 km/L"])
    assert per_litre.figures["consumption"] == pytest.approx(5.0)
    same_kind = evaluate_scenario(car, None, ["consumption=0.05 L/km"])
    assert same_kind.figures["consumption"] == pytest.approx(5.0)


def test_reciprocal_in_a_scenario_set(car: KnowledgeBase) -> None:
    ev = evaluate_scenario(car, "guzzler")
    assert ev.figures["consumption"] == pytest.approx(11.76073, rel=1e-5)
    assert ev.claims["thirsty"] == "holds"


def test_units_outside_ai_pricing_compute(car: KnowledgeBase) -> None:
    ev = evaluate_scenario(car)
    assert ev.calculators["ev_gco2_per_km"] == pytest.approx(126.0)  # 700 g/kWh × 0.18 kWh/km
    assert ev.calculators["fuel_l_per_km"] == pytest.approx(0.06)
    assert ev.claims["dirty_grid"] == "holds"


def test_without_accepts_reciprocal_the_error_says_how(tmp_path: Path) -> None:
    without = textwrap.dedent(CAR).replace("    accepts_reciprocal: true\n", "")
    (tmp_path / "car.yaml").write_text(without, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(tmp_path)])
    assert result.exit_code == 1  # the scenario's `consumption: 20 mpg` is refused at load
    assert "car.yaml:48:24: scenario 'guzzler' sets 'consumption': cannot convert" in result.stderr
    without = without.replace("consumption: 20 mpg", "consumption: 11.8")
    (tmp_path / "car.yaml").write_text(without, encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", str(tmp_path), "--set", "consumption=20 mpg"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        "--set: consumption: cannot convert: expected a unit of the same kind as L/(100 km), "
        "found mpg (the figure can take the reciprocal unit if it declares "
        "accepts_reciprocal: true)"
    )


def test_choice_values_on_set_get_did_you_mean(tmp_path: Path) -> None:
    (tmp_path / "car.yaml").write_text(textwrap.dedent(CAR), encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", str(tmp_path), "--set", "region=polandd"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        "--set: region: expected one of poland, france, norway, found 'polandd' "
        "(did you mean 'poland'?)"
    )


def test_reciprocal_only_on_number_figures(tmp_path: Path) -> None:
    (tmp_path / "kb.yaml").write_text(
        "figures:\n  s: {label: S, value: 1, switch: true, accepts_reciprocal: true}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["check", str(tmp_path)])
    assert result.exit_code == 1
    assert "only a number figure accepts_reciprocal, not a switch or a choice" in result.stderr
