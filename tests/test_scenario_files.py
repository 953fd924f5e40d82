"""Scenario files are first-class: their expectations are checked, their settings take units."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import cli
from engine.evaluation.evaluate import evaluate_scenario
from engine.knowledge.loader import load_knowledge_base
from tests.conftest import EXAMPLES


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The lemonade example copied to ./claims, with the working directory at its parent."""
    shutil.copytree(EXAMPLES / "lemonade", tmp_path / "claims")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def scenario_file(name: str, text: str) -> str:
    Path(name).write_text(textwrap.dedent(text), encoding="utf-8")
    return name


WRONG = """\
label: Cheap lemonade
set: {cup_price: 0.5}
expect:
  stand_sells_at_loss: fails
  stand_is_thriving: holds
"""


def test_check_verifies_a_scenario_files_expectations(project: Path) -> None:
    name = scenario_file("cheap.yaml", WRONG)
    code, out, err = run("check", "--scenario", name)
    assert code == 1
    assert out == ""
    assert err == (
        "cheap.yaml:4:24: scenario 'cheap.yaml': expected 'stand_sells_at_loss' to be fails, "
        "found holds\n"
        "1 error in the expectations; nothing was changed.\n"
    )


def test_check_scenario_is_repeatable_and_counts_what_it_checked(project: Path) -> None:
    good = scenario_file(
        "good.yaml", "set: {cup_price: 0.5}\nexpect: {stand_sells_at_loss: holds}\n"
    )
    also = scenario_file("also.yaml", "expect: {stand_sells_at_loss: fails}\n")
    code, out, _ = run("check", "-s", good, "--scenario", also)
    assert code == 0
    assert out.endswith("; 7 expectations hold.\n")  # 5 in the knowledge base, 1 in each file


def test_eval_warns_on_a_failing_expectation_of_its_scenario(project: Path) -> None:
    name = scenario_file("cheap.yaml", WRONG)
    code, out, err = run("eval", "--scenario", name)
    assert code == 0
    assert "stand_sells_at_loss" in out
    assert err == (
        "cheap.yaml:4:24: warning: scenario 'cheap.yaml': expected 'stand_sells_at_loss' to be "
        "fails, found holds\n"
    )


def test_eval_does_not_check_expectations_once_settings_are_overridden(project: Path) -> None:
    name = scenario_file("cheap.yaml", WRONG)
    code, _, err = run("eval", "--scenario", name, "--set", "cup_price=3")
    assert code == 0
    assert err == ""


def test_diagram_warns_on_a_failing_expectation(project: Path) -> None:
    name = scenario_file("cheap.yaml", WRONG)
    code, out, err = run("diagram", "--scenario", name, "-o", "map.dot")
    assert code == 0
    assert out.startswith("wrote map.dot")
    assert "warning: scenario 'cheap.yaml': expected 'stand_sells_at_loss'" in err


def test_build_warns_and_strict_build_refuses_to_write(project: Path) -> None:
    name = scenario_file("cheap.yaml", WRONG)
    code, _, err = run("build", "--scenario", name, "--strict", "-o", "site")
    assert code == 1
    assert not Path("site").exists()
    assert err.splitlines()[-1] == (
        "1 error in the build (--strict makes warnings errors); nothing was changed."
    )


def test_passing_a_file_where_a_folder_is_expected_says_so(project: Path) -> None:
    code, _, err = run("check", "claims/model.yaml")
    assert code == 2
    assert err.splitlines()[0] == (
        "claims/model.yaml: expected a claims folder, found a file (give the folder that holds "
        "it, 'claims', or check a scenario file with --scenario claims/model.yaml)"
    )


def test_a_folder_given_as_scenario_file_says_so(project: Path) -> None:
    code, _, err = run("eval", "--scenario", "claims")
    assert code == 2
    assert "found the folder 'claims'" in err


def test_scenario_set_accepts_units_as_set_does(project: Path) -> None:
    kb = load_knowledge_base("claims")
    name = scenario_file(
        "weekly.yaml", "set: {cup_price: 2.5 USD, stand_rent_per_day: 210 USD/week}\n"
    )
    ev = evaluate_scenario(kb, name)
    assert ev.figures["cup_price"] == pytest.approx(2.5)
    assert ev.figures["stand_rent_per_day"] == pytest.approx(30.0)
    cli_ev = evaluate_scenario(kb, None, ["stand_rent_per_day=210 USD/week"])
    assert cli_ev.figures["stand_rent_per_day"] == pytest.approx(30.0)


def test_a_bad_unit_in_a_scenario_set_is_located(project: Path) -> None:
    name = scenario_file("bad.yaml", "set: {cup_price: 50 km}\n")
    code, _, err = run("eval", "--scenario", name)
    assert code == 1
    assert err.splitlines()[0] == (
        "bad.yaml:1:18: scenario 'bad' sets 'cup_price': cannot convert: expected a unit of the same kind as "
        "USD, found km"
    )


def test_extends_inherits_settings_but_not_expectations(project: Path) -> None:
    """A scenario's expectations are its own tests: one that extends it starts with none."""
    name = scenario_file("child.yaml", "extends: everything_counted\n")
    kb = load_knowledge_base("claims")
    ev = evaluate_scenario(kb, name)
    assert ev.scenario.settings["cups_per_day"] == 20  # inherited setting
    assert ev.scenario.expectations == {}  # not inherited
    code, out, _ = run("check", "--scenario", name)
    assert code == 0
    assert out.endswith("; 5 expectations hold.\n")


def test_shipped_scenarios_comment_matches_the_engine() -> None:
    text = (EXAMPLES.parent.parent / "claims" / "scenarios.yaml").read_text(encoding="utf-8")
    assert "inherits its expectations" not in text
    assert "does not inherit its\n# expectations" in text
