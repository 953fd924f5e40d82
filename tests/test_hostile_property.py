"""Property: whatever YAML or unit text an author (or an attacker) writes, crux answers cleanly.

Random YAML structures, random YAML-ish text and random unit strings go through the real command
line (`engine.cli.main`, as the `crux` script runs it). The exit status is always 0 (fine) or 1
(bad input) for `check`, and 0, 1 or 2 for `eval --set` (bad usage); never 3 (an internal error),
never a traceback, and never longer than `LIMIT_SECONDS` (an alarm turns a hang into a failure).
"""

from __future__ import annotations

import contextlib
import io
import signal
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.cli import main

LIMIT_SECONDS = 10

SECTION_NAMES = ["sources", "figures", "calculators", "claims", "arguments", "scenarios"]
FIELD_NAMES = [
    "label", "value", "unit", "range", "distribution", "minimum", "maximum", "as_of", "sources",
    "confidence", "switch", "choices", "formula", "text", "role", "holds_when", "assumed",
    "supports", "attacks", "premises", "conclusion", "stance", "weight", "undercuts", "set",
    "assume", "expect", "extends", "title", "url", "kind", "date", "quote", "source", "<<",
]  # fmt: skip
IDS = ["price", "cost", "a", "b", "yield", "constructor", "x_1"]
UNIT_ALPHABET = "USDtokenGPUMhour*/^()0123456789.-+ %²³⁹e_"
YAML_ALPHABET = "abc:- \n[]{}&*!|>'\"#%@`,?<=0123456789.eE_"

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(
        ["2026-13-45", "2026-99", "1e400", "-.inf", ".nan", "USD**9**9**9", "9" * 5000]
    ),
)
keys = st.one_of(st.sampled_from(SECTION_NAMES + FIELD_NAMES + IDS), st.text(max_size=8))
structures = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=30,
)
# A knowledge-base-shaped file: sections of ids of fields, with random values.
knowledge_files = st.dictionaries(
    st.sampled_from(SECTION_NAMES),
    st.dictionaries(st.sampled_from(IDS), st.dictionaries(st.sampled_from(FIELD_NAMES), structures, max_size=6), max_size=3),
    max_size=4,
)  # fmt: skip
units = st.one_of(
    st.text(alphabet=UNIT_ALPHABET, max_size=30),
    st.builds(
        lambda base, ops: base + "".join(ops),
        st.sampled_from(["USD", "token", "GPU", "10", "(USD", "USD/Mtok"]),
        st.lists(st.sampled_from(["**9", "^99", "**-2", "*10", "/hour", ")", "**(", "²", "**0.5"]), max_size=6),
    ),
)  # fmt: skip


class Timeout(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    def expire(signum: int, frame: Any) -> None:
        raise Timeout(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run_cli(*args: str) -> tuple[int, str]:
    """Run `crux ARGS` as the console script does; return its exit status and all it printed."""
    out, err = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["crux", *args]
    try:
        with (
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
            time_limit(LIMIT_SECONDS),
        ):
            try:
                main()
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.argv = argv
    return code, out.getvalue() + err.getvalue()


def check_text(text: str) -> tuple[int, str]:
    with tempfile.TemporaryDirectory() as folder:
        claims = Path(folder) / "claims"
        claims.mkdir()
        (claims / "kb.yaml").write_text(text, encoding="utf-8")
        return run_cli("check", str(claims))


def assert_clean(code: int, output: str, allowed: tuple[int, ...] = (0, 1)) -> None:
    assert code in allowed, output
    assert "Traceback" not in output
    assert "internal error" not in output


SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(structures)
def test_any_yaml_structure_is_answered_cleanly(data: Any) -> None:
    assert_clean(*check_text(yaml.safe_dump(data, allow_unicode=True)))


@SETTINGS
@given(knowledge_files)
def test_any_knowledge_base_shaped_file_is_answered_cleanly(data: Any) -> None:
    assert_clean(*check_text(yaml.safe_dump(data, allow_unicode=True)))


@SETTINGS
@given(st.text(alphabet=YAML_ALPHABET, max_size=120))
def test_any_yaml_text_is_answered_cleanly(text: str) -> None:
    assert_clean(*check_text(text))


@SETTINGS
@given(units)
def test_any_unit_in_a_file_is_answered_cleanly(unit: str) -> None:
    text = yaml.safe_dump(
        {
            "figures": {"price": {"label": "Price", "value": 2, "unit": unit}},
            "calculators": {"double": {"label": "Twice", "formula": "price * 2", "unit": unit}},
        },
        allow_unicode=True,
    )
    assert_clean(*check_text(text))


@SETTINGS
@given(units)
def test_any_unit_on_the_command_line_is_answered_cleanly(unit: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        claims = Path(folder) / "claims"
        claims.mkdir()
        (claims / "kb.yaml").write_text(
            "figures:\n  price: {label: Price, value: 2, unit: USD}\n", encoding="utf-8"
        )
        assert_clean(*run_cli("eval", str(claims), "--set", f"price=1 {unit}"), allowed=(0, 2))
