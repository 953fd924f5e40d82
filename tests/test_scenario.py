"""Scenarios: the knowledge base's `scenarios:` and scenario files are checked by one rule."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.errors import CruxError
from engine.knowledge.loader import load_knowledge_base
from engine.knowledge.scenario import load_scenario_file

BAD_INPUT = Path(__file__).parent / "bad_input" / "scenario_settings" / "claims"

BAD_SETTINGS = """\
extends: nowhere
set:
  prise: 2
  lens: gross_margin
  count_training: 2
  price: cheap
assume: {stand_opens: true}
expect: {stand_thrives: holds}
"""


def messages(error: CruxError) -> list[str]:
    """Each problem's message without its `path:line:col: ` prefix."""
    return [problem.message for problem in error.problems]


def test_a_scenario_file_is_worded_like_a_scenario_in_the_knowledge_base(tmp_path: Path) -> None:
    folder = tmp_path / "claims"
    folder.mkdir()
    kb_text = (BAD_INPUT / "kb.yaml").read_text(encoding="utf-8")
    (folder / "kb.yaml").write_text(
        kb_text.split("scenarios:")[0]
        + "scenarios:\n  odd:\n    label: Odd\n"
        + "".join(f"    {line}\n" for line in BAD_SETTINGS.splitlines()),
        encoding="utf-8",
    )
    with pytest.raises(CruxError) as in_kb:
        load_knowledge_base(folder)

    good = tmp_path / "good"
    good.mkdir()
    (good / "kb.yaml").write_text(kb_text.split("scenarios:")[0], encoding="utf-8")
    kb = load_knowledge_base(good)
    path = tmp_path / "odd.yaml"
    path.write_text(BAD_SETTINGS, encoding="utf-8")
    with pytest.raises(CruxError) as in_file:
        load_scenario_file(kb, path)

    assert sorted(messages(in_file.value)) == sorted(messages(in_kb.value))
    assert sorted(messages(in_file.value)) == [
        "scenario 'odd' assumes unknown claim 'stand_opens'",
        "scenario 'odd' extends unknown scenario 'nowhere'",
        "scenario 'odd' has an expectation on unknown claim 'stand_thrives'",
        "scenario 'odd' sets 'count_training': expected a switch value 0 or 1, found 2.0",
        "scenario 'odd' sets 'lens': expected one of marginal, fully_loaded, found 'gross_margin' "
        "(did you mean 'marginal'?)",
        "scenario 'odd' sets 'price': expected a number in USD, found 'cheap'",
        "scenario 'odd' sets unknown figure 'prise' (did you mean 'price'?)",
    ]
    # Every problem points into the scenario file, at the line of the offending key or value.
    lines = {str(problem.location).split(":")[1] for problem in in_file.value.problems}
    assert lines == {"1", "3", "4", "5", "6", "7", "8"}


def test_a_scenario_file_with_an_unknown_field_names_the_field_and_suggests_one(
    tmp_path: Path,
) -> None:
    good = tmp_path / "good"
    good.mkdir()
    kb_text = (BAD_INPUT / "kb.yaml").read_text(encoding="utf-8")
    (good / "kb.yaml").write_text(kb_text.split("scenarios:")[0], encoding="utf-8")
    path = tmp_path / "typo.yaml"
    path.write_text("sett: {price: 2}\n", encoding="utf-8")
    with pytest.raises(CruxError) as error:
        load_scenario_file(load_knowledge_base(good), path)
    assert messages(error.value) == ["unknown field 'sett' (did you mean 'set'?)"]
    assert re.fullmatch(r".*typo\.yaml:1:1", str(error.value.problems[0].location))
