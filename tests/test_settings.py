"""A figure's setting means the same from YAML, `--set`, a scenario file and the what-if panel."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.knowledge.loader import KnowledgeBase, load_knowledge_base
from engine.knowledge.scenario import resolve_scenario
from engine.knowledge.settings import (
    check_setting,
    normalise_setting,
    numeric_setting,
    written_setting,
)

KB = """\
figures:
  price: {label: Price, value: 2, unit: USD}
  lens: {label: Which costs count, choices: [marginal, fully_loaded], value: marginal}
  count_training: {label: Count training, switch: true, value: false}
scenarios:
  other:
    label: Other
    set: {price: 3, lens: fully_loaded, count_training: true}
"""


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    folder = tmp_path / "claims"
    folder.mkdir()
    (folder / "kb.yaml").write_text(KB, encoding="utf-8")
    return load_knowledge_base(folder)


def test_every_way_of_setting_a_figure_stores_the_same_setting(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    from_kb = resolve_scenario(kb, "other").settings
    from_cli = resolve_scenario(
        kb, sets=["price=3", "lens=fully_loaded", "count_training=1"]
    ).settings
    scenario_file = tmp_path / "other.yaml"
    scenario_file.write_text(
        "set: {price: 3.0, lens: fully_loaded, count_training: 1}\n", encoding="utf-8"
    )
    from_file = resolve_scenario(kb, str(scenario_file)).settings
    assert (
        from_kb
        == from_cli
        == from_file
        == {
            "count_training": 1.0,
            "lens": "fully_loaded",
            "price": 3.0,
        }
    )


def test_a_setting_is_computed_with_and_written_by_one_rule(kb: KnowledgeBase) -> None:
    lens, switch, price = kb.figures["lens"], kb.figures["count_training"], kb.figures["price"]
    assert numeric_setting(lens, "fully_loaded") == 1.0 == lens.numeric_value() + 1
    assert numeric_setting(switch, True) == 1.0 and switch.numeric_value() == 0.0
    assert normalise_setting(switch, True) == 1.0 and normalise_setting(price, 3) == 3.0
    # Scenario files and the what-if panel write a switch as 0/1, never 1.0 or true.
    assert written_setting(switch, 1.0) == 1 and isinstance(written_setting(switch, 1.0), int)
    assert written_setting(lens, "marginal") == "marginal"
    assert check_setting(switch, 1.0) is None
    assert check_setting(price, float("inf")) == "expected a finite number in USD, found inf"
