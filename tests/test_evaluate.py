from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from engine.evaluation.evaluate import evaluate_numbers, evaluate_scenario
from engine.knowledge.loader import KnowledgeBase, load_knowledge_base


def test_scenario_numbers_decide_claims(lemonade: KnowledgeBase) -> None:
    ev = evaluate_scenario(lemonade, "everything_counted")
    assert ev.calculators["rent_per_cup"] == pytest.approx(2.5)
    assert ev.calculators["cost_per_cup"] == pytest.approx(3.1)
    assert ev.claims["stand_sells_at_loss"] == "holds"
    assert ev.claims["margin_is_healthy"] == "fails"


def test_set_flips_a_claim_decided_by_numbers(lemonade: KnowledgeBase) -> None:
    assert evaluate_scenario(lemonade, "summer").claims["stand_sells_at_loss"] == "fails"
    flipped = evaluate_scenario(lemonade, "summer", sets=["lemons_per_cup_usd=2.5"])
    assert flipped.claims["stand_sells_at_loss"] == "holds"


def test_set_converts_units(lemonade: KnowledgeBase) -> None:
    ev = evaluate_scenario(lemonade, None, sets=["cups_per_day=2 1/hour"])
    assert ev.figures["cups_per_day"] == pytest.approx(48)


def test_assume_overrides_arguments(lemonade: KnowledgeBase) -> None:
    assert evaluate_scenario(lemonade, "washout").claims["stand_is_thriving"] == "fails"
    ev = evaluate_scenario(lemonade, "washout", assumes=["stand_is_thriving=true"])
    assert ev.claims["stand_is_thriving"] == "holds"


def test_extends_inherits_settings(lemonade: KnowledgeBase) -> None:
    ev = evaluate_scenario(lemonade, "everything_counted")
    assert ev.scenario.settings["cost_view"] == "everything"
    assert "stand_is_thriving" not in ev.scenario.expectations  # verdicts are not inherited


def test_division_by_zero_is_undefined_and_undecided(lemonade: KnowledgeBase) -> None:
    ev = evaluate_scenario(lemonade, "everything_counted", sets=["cups_per_day=0"])
    assert math.isnan(ev.calculators["rent_per_cup"])
    assert ev.undefined() == ["cost_per_cup", "margin_per_cup", "rent_per_cup"]
    assert ev.claims["stand_sells_at_loss"] == "undecided"
    assert ev.claims["margin_is_healthy"] == "undecided"


def test_undefined_branch_not_taken_does_not_matter(lemonade: KnowledgeBase) -> None:
    ev = evaluate_scenario(lemonade, "summer", sets=["cups_per_day=0"])
    assert math.isnan(ev.calculators["rent_per_cup"])
    assert ev.calculators["cost_per_cup"] == pytest.approx(0.6)  # ingredients view ignores rent
    assert ev.claims["stand_sells_at_loss"] == "fails"


def test_vectorised_numbers_match_single_evaluations(lemonade: KnowledgeBase) -> None:
    rng = np.random.default_rng(1)
    n = 50
    figures = {fid: np.full(n, f.numeric_value()) for fid, f in lemonade.figures.items()}
    figures["cup_price"] = rng.uniform(0.5, 4, n)
    figures["cost_view"] = rng.integers(0, 2, n).astype(float)
    calculators, _ = evaluate_numbers(lemonade, figures)
    for i in range(0, n, 7):
        view = lemonade.figures["cost_view"].choices[int(figures["cost_view"][i])]  # type: ignore[index]
        ev = evaluate_scenario(
            lemonade,
            None,
            sets=[f"cup_price={float(figures['cup_price'][i])!r}", f"cost_view={view}"],
        )
        assert calculators["margin_per_cup"][i] == pytest.approx(
            ev.calculators["margin_per_cup"], rel=1e-12
        )


def test_scenario_file_round_trip(lemonade: KnowledgeBase, tmp_path: Path) -> None:
    file = tmp_path / "mine.yaml"
    file.write_text(
        "label: Mine\nextends: summer\nset: {cup_price: 0.5}\nassume: {rain_all_month: true}\n"
    )
    ev = evaluate_scenario(lemonade, str(file))
    assert ev.scenario.label == "Mine"
    assert ev.claims["stand_sells_at_loss"] == "holds"
    assert ev.claims["rain_all_month"] == "holds"


def test_knowledge_base_reloads_independently(tmp_path: Path) -> None:
    from tests.conftest import EXAMPLES

    first = load_knowledge_base(EXAMPLES / "lemonade")
    second = load_knowledge_base(EXAMPLES / "lemonade")
    assert first is not second
    assert evaluate_scenario(first, "summer").claims == evaluate_scenario(second, "summer").claims
