"""`given:` on claims, lookup tables and "never", on the vans example (tests/examples/vans)."""

from __future__ import annotations

import json
import math
import textwrap
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from engine.analysis.flips import find_flips
from engine.analysis.simulate import simulate
from engine.cli import cli
from engine.errors import CruxError
from engine.evaluation.evaluate import evaluate
from engine.evaluation.explain import explain_claim_tree, render_tree
from engine.knowledge.loader import KnowledgeBase, load_knowledge_base
from engine.knowledge.scenario import resolve_scenario

VANS = Path(__file__).parent / "examples" / "vans"


@pytest.fixture(scope="module")
def vans() -> KnowledgeBase:
    return load_knowledge_base(VANS)


def _every_setting(kb: KnowledgeBase) -> list[tuple[str, list[str]]]:
    """Every scenario, and each under every option of every choice figure (lens)."""
    runs: list[tuple[str, list[str]]] = []
    for scenario in ["defaults", *kb.scenarios]:
        runs.append((scenario, []))
        for fid, figure in kb.figures.items():
            for option in figure.choices or ():
                runs.append((scenario, [f"{fid}={option}"]))
    return runs


def test_given_and_at_match_a_hand_copied_calculator_everywhere(vans: KnowledgeBase) -> None:
    runs = _every_setting(vans)
    assert len(runs) >= 12
    labels_seen = set()
    for scenario, sets in runs:
        ev = evaluate(vans, resolve_scenario(vans, scenario, sets))
        copy, given = ev.claims["pays_back_in_hills_copy"], ev.claims["pays_back_in_hills"]
        assert given == copy, (scenario, sets)
        assert ev.conditions["pays_back_in_hills"] == ev.conditions["pays_back_in_hills_copy"]
        at_value = ev.calculators["break_even_in_hills"]
        copy_value = ev.calculators["break_even_in_hills_copy"]
        assert at_value == copy_value or (math.isnan(at_value) and math.isnan(copy_value)), (
            scenario,
            sets,
        )
        labels_seen.add(given)
    # the comparison is not vacuous: the conditional claim both holds and fails somewhere
    assert labels_seen == {"holds", "fails"} or "fails" in labels_seen


def test_given_ignores_the_scenarios_choice_but_follows_its_rows(vans: KnowledgeBase) -> None:
    valley = evaluate(vans, resolve_scenario(vans, "defaults"))
    hills = evaluate(vans, resolve_scenario(vans, "hills"))
    assert valley.claims["pays_back"] == "holds" and hills.claims["pays_back"] == "fails"
    assert valley.claims["pays_back_in_hills"] == hills.claims["pays_back_in_hills"] == "fails"
    cheap = evaluate(vans, resolve_scenario(vans, "defaults", ["grid_intensity.hills=300"]))
    assert cheap.claims["pays_back_in_hills"] == "holds"


def test_never_is_infinite_not_undefined(vans: KnowledgeBase) -> None:
    ev = evaluate(vans, resolve_scenario(vans, "coal_everywhere"))
    assert ev.calculators["break_even_distance"] == math.inf
    assert ev.calculators["break_even_years"] == math.inf
    assert ev.claims["never_pays_back"] == "holds"
    assert ev.claims["pays_back"] == "fails"
    assert "break_even_distance" not in ev.undefined()


def test_eval_json_writes_infinity_as_text_and_explains_given(vans: KnowledgeBase) -> None:
    result = CliRunner().invoke(
        cli, ["eval", str(VANS), "-s", "coal_everywhere", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["calculators"]["break_even_distance"]["value"] == "Infinity"
    assert data["figures"]["grid_intensity.valley"]["value"] == 1000.0
    explanation = data["claims"]["pays_back_in_hills"]["explanation"]
    assert "given region = 'hills'" in explanation
    assert "never < 100000[km]" in explanation


def test_explain_shows_given_settings_and_only_the_chosen_row(vans: KnowledgeBase) -> None:
    ev = evaluate(vans, resolve_scenario(vans, "defaults"))
    text = "\n".join(render_tree(explain_claim_tree(vans, ev, "pays_back_in_hills")))
    # numbers of 1,000 or more keep up to six significant digits (engine/formatting.py)
    assert "break_even_distance < 100000[km]: 181,818 km < 100000[km], false" in text
    assert "because given region = 'hills'" in text
    plain = "\n".join(render_tree(explain_claim_tree(vans, ev, "pays_back", depth=None)))
    assert "grid_intensity = grid_intensity.valley = 250 g/kWh" in plain
    assert "because region is 'valley'" in plain
    # only the chosen row, not the whole table
    assert "grid_intensity.hills" not in plain


def test_flips_see_through_given(vans: KnowledgeBase) -> None:
    report = find_flips(vans, resolve_scenario(vans, "defaults"))
    by_claim = report.claims
    in_hills = {c.figure for c in by_claim["pays_back_in_hills"].crossings}
    copied = {c.figure for c in by_claim["pays_back_in_hills_copy"].crossings}
    # the valley row does not move a claim about the hills, the hills row does
    assert "grid_intensity.valley" not in in_hills
    assert in_hills == copied
    hills_flip = next(
        c for c in by_claim["pays_back_in_hills"].crossings if c.figure == "grid_intensity.hills"
    )
    copy_flip = next(
        c
        for c in by_claim["pays_back_in_hills_copy"].crossings
        if c.figure == "grid_intensity.hills"
    )
    assert hills_flip.at == pytest.approx(copy_flip.at)
    assert hills_flip.at == pytest.approx(500.0)


def test_sampling_uses_the_chosen_rows_range(vans: KnowledgeBase) -> None:
    for scenario, low, high in (("defaults", 230, 280), ("hills", 650, 760)):
        result = simulate(vans, resolve_scenario(vans, scenario), 4000, seed=3)
        summary = result.quantities["grid_intensity"]
        # a 90% range: the 5th and 95th percentiles sit near its ends
        assert summary.p05 == pytest.approx(low, rel=0.03)
        assert summary.p95 == pytest.approx(high, rel=0.03)


def test_simulate_reports_never_as_infinity(vans: KnowledgeBase) -> None:
    result = simulate(vans, resolve_scenario(vans, "coal_hills"), 2000, seed=5)
    summary = result.quantities["break_even_in_hills"]
    assert summary.p95 == math.inf
    assert summary.undefined == 0.0
    assert result.claims["pays_back_in_hills"].p_fails == 1.0


def test_table_rows_are_figures_with_their_own_sources(vans: KnowledgeBase) -> None:
    table = vans.tables["grid_intensity"]
    assert table.by == "region"
    assert dict(table.rows) == {"valley": "grid_intensity.valley", "hills": "grid_intensity.hills"}
    valley = vans.figures["grid_intensity.valley"]
    assert valley.range == (230, 280)
    assert valley.sources[0].quote == "Valley network: 250 grams per kilowatt-hour."
    assert "grid_intensity" in vans.calculators and "grid_intensity" not in vans.figures
    assert str(vans.locate("grid_intensity.hills")).endswith("figures.yaml:21:9")


# --- errors, with path:line:col -----------------------------------------------------------


def _check(tmp_path: Path, text: str) -> str:
    folder = tmp_path / "claims"
    folder.mkdir()
    (folder / "kb.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    with pytest.raises(CruxError) as caught:
        load_knowledge_base(folder)
    return str(caught.value).replace(str(folder) + "/", "")


BASE = """\
figures:
  fuel: {label: Fuel burned, choices: [gas, coal], value: gas}
  distance: {label: Distance, value: 10, unit: km}
  price: {label: Price, value: 3, unit: USD}
"""


def test_given_errors_point_into_the_given_value(tmp_path: Path) -> None:
    found = _check(
        tmp_path,
        BASE
        + """\
claims:
  far:
    text: Far.
    given:
      fuel: oil
    holds_when: distance > 1[km]
  near:
    text: Near.
    given:
      distance: 5[USD]
    holds_when: distance < 1[km]
""",
    )
    assert "kb.yaml:14:17: given: distance: unit mismatch in the setting of 'distance'" in found
    assert "kb.yaml:9:13: given: fuel: expected one of 'gas', 'coal' for 'fuel'" in found


def test_claim_in_a_formula_says_to_use_an_argument(tmp_path: Path) -> None:
    found = _check(
        tmp_path,
        BASE
        + """\
calculators:
  doubled:
    label: Doubled
    formula: price * 2 + far
    unit: USD
claims:
  far:
    text: Far.
    holds_when: distance > 1[km] and cheap
  cheap:
    text: Cheap.
    holds_when: price < 5[USD]
""",
    )
    assert (
        "kb.yaml:8:26: 'far' is a claim, and claims cannot appear in formulas: combine them "
        "with an argument (premises: [far, …])"
    ) in found
    assert "kb.yaml:13:38: 'cheap' is a claim" in found


def test_calculator_without_a_unit_is_told_which_to_add(tmp_path: Path) -> None:
    found = _check(
        tmp_path,
        BASE
        + """\
calculators:
  cost_per_km:
    label: Cost per km
    formula: price / distance
""",
    )
    assert "kb.yaml:8:14: no unit declared; add `unit: USD/km`" in found


def test_table_rows_must_match_the_choice(tmp_path: Path) -> None:
    found = _check(
        tmp_path,
        BASE
        + """\
  intensity:
    label: Intensity
    unit: g/kWh
    by: fuel
    values:
      gas: {value: 400}
      cole: {value: 900}
  speed:
    label: Speed
    by: distance
    values: {a: {value: 1}}
""",
    )
    assert (
        "kb.yaml:10:7: values: expected a row for every option of 'fuel', missing 'coal'" in found
    )
    assert "kb.yaml:11:7: values: 'cole' is not an option of 'fuel' (did you mean 'coal'?)" in found
    assert (
        "kb.yaml:14:9: by: expected a choice figure (one with `choices`), found not a choice "
        "figure 'distance'"
    ) in found


def test_table_takes_its_value_from_rows(tmp_path: Path) -> None:
    found = _check(
        tmp_path,
        BASE
        + """\
  both:
    label: Both
    value: 3
    by: fuel
    values: {gas: {value: 1}, coal: {value: 2}}
""",
    )
    assert (
        "kb.yaml:6:5: both: a lookup table (by: fuel) takes value from each row of `values`, "
        "not from the figure"
    ) in found


def test_scenario_cannot_set_a_table_itself(tmp_path: Path) -> None:
    found = _check(
        tmp_path,
        BASE
        + """\
  intensity:
    label: Intensity
    unit: g/kWh
    by: fuel
    values: {gas: {value: 400}, coal: {value: 900}}
scenarios:
  dirty:
    label: Dirty
    set: {intensity: 1000}
""",
    )
    assert (
        "kb.yaml:13:11: scenario 'dirty' sets 'intensity', a lookup table by 'fuel': set 'fuel', "
        "or one row such as 'intensity.gas'"
    ) in found


def test_quantity_literal_error_in_a_claim_has_its_column(tmp_path: Path) -> None:
    found = _check(
        tmp_path,
        BASE
        + """\
claims:
  pricey: {text: Pricey., holds_when: price > 5 USD}
""",
    )
    assert (
        "kb.yaml:6:49: formula syntax: expected an operator after the number 5, found 'USD': "
        "a number with a unit is written with the unit in brackets (did you mean '5[USD]'?)"
    ) in found


def test_vans_json_for_labels_is_stable(vans: KnowledgeBase) -> None:
    ev = evaluate(vans, resolve_scenario(vans, "defaults"))
    assert ev.claims == {
        "never_pays_back": "fails",
        "pays_back": "holds",
        "pays_back_in_hills": "fails",
        "pays_back_in_hills_copy": "fails",
        "pays_back_within_five_years": "holds",
        "van_choice": "holds",
    }
    assert np.isclose(ev.calculators["break_even_distance"], 8e6 / 125)
