"""The bad-input suite: one folder per error class, each with its exact expected output.

Each folder under tests/bad_input/ holds a `claims/` knowledge base and `expected.txt`, the exact
text `crux check claims` must print (run from inside the folder). Regenerate after a deliberate
message change with `CRUX_REGENERATE_EXPECTED=1 pytest tests/test_bad_input.py`, then review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import cli

CASES = sorted(p for p in (Path(__file__).parent / "bad_input").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_reported_exactly(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(case)
    result = CliRunner().invoke(cli, ["check", "claims"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""
    expected_file = case / "expected.txt"
    if os.environ.get("CRUX_REGENERATE_EXPECTED"):
        expected_file.write_text(result.stderr, encoding="utf-8")
    assert result.stderr == expected_file.read_text(encoding="utf-8")


def test_every_error_class_has_a_case() -> None:
    names = {c.name for c in CASES}
    assert {
        "yaml_syntax",
        "duplicate_yaml_key",
        "yaml11_booleans",
        "unknown_field",
        "wrong_type",
        "duplicate_id",
        "unknown_reference",
        "formula_syntax",
        "formula_forbidden",
        "unit_mismatch",
        "calculator_cycle",
        "argument_incomplete",
        "scenario_settings",
        "expectation_unknown_claim",
        "failed_expectation",
    } <= names


def test_debug_flag_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path(__file__).parent / "bad_input" / "yaml_syntax")
    result = CliRunner().invoke(cli, ["--debug", "check", "claims"])
    assert result.exit_code != 0
    assert result.exception is not None
