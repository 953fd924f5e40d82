"""Terminal output at 60, 80 and 120 columns and piped: nothing cut, every number shown."""

from __future__ import annotations

import fcntl
import json
import math
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from engine.cli import cli
from engine.formatting import format_number
from tests.conftest import EXAMPLES

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = str(ROOT / "claims")
LEMONADE = str(EXAMPLES / "lemonade")
BOX_DRAWING = re.compile("[\u2500-\u257f]")
VERBS = {
    "eval": ["eval"],
    "flips": ["flips"],
    "sensitivity": ["sensitivity"],
    "simulate": ["simulate", "-n", "2000", "--seed", "7"],
}


def run_in_terminal(args: list[str], columns: int) -> str:
    """Run crux under a pseudo-terminal `columns` wide and return what it printed."""
    main, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {**os.environ, "COLUMNS": str(columns), "LINES": "50", "NO_COLOR": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "engine", *args],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env=env,
        cwd=ROOT,
        close_fds=True,
    )
    os.close(secondary)
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([main], [], [], 120)
        if not ready:
            process.kill()
            raise AssertionError(f"crux {' '.join(args)} printed nothing for 120 s")
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the terminal closed: the program has exited
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    assert process.wait(timeout=60) == 0, b"".join(chunks).decode()
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def run_piped(args: list[str], columns: int = 80) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "engine", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": str(columns)},
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def numbers(value: Any) -> Iterator[float]:
    """Every number in a JSON document (booleans are not numbers here)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return
    if isinstance(value, int | float):
        yield float(value)
    elif isinstance(value, dict):
        for item in value.values():
            yield from numbers(item)
    else:
        for item in value:
            yield from numbers(item)


def shown(number: float, text: str) -> bool:
    """Whether the text shows the number as crux writes numbers, or as a percentage."""
    forms = {format_number(number), f"{100 * number:.1f}", f"{100 * number:.2g}"}
    if number.is_integer() and not math.isinf(number):
        forms.add(f"{int(number):,}")
    return any(form in text for form in forms)


@pytest.fixture(scope="module")
def json_numbers() -> dict[str, list[float]]:
    """Every number each verb's `--format json` gives for the shipped map."""
    found = {}
    for verb, args in VERBS.items():
        result = CliRunner().invoke(cli, [*args, "--claims", CLAIMS, "--format", "json"])
        assert result.exit_code == 0, result.output
        found[verb] = list(numbers(json.loads(result.stdout)))
    return found


def missing_numbers(expected: list[float], text: str) -> list[float]:
    joined = " ".join(text.split())
    return [n for n in expected if not shown(n, joined)]


@pytest.mark.parametrize("columns", [60, 80, 120])
@pytest.mark.parametrize("verb", sorted(VERBS))
def test_nothing_is_cut_in_a_terminal(
    verb: str, columns: int, json_numbers: dict[str, list[float]]
) -> None:
    out = run_in_terminal([*VERBS[verb], "--claims", CLAIMS], columns)
    assert "…" not in out
    for line in out.splitlines():
        # Only a single word longer than the terminal may overflow it; nothing is cut.
        assert len(line) <= columns or " " not in line.strip(), line
    missing = missing_numbers(json_numbers[verb], out)
    assert not missing, missing[:10]


@pytest.mark.parametrize("verb", sorted(VERBS))
def test_piped_output_is_plain_and_ignores_the_callers_width(
    verb: str, json_numbers: dict[str, list[float]]
) -> None:
    narrow = run_piped([*VERBS[verb], "--claims", CLAIMS], columns=60)
    wide = run_piped([*VERBS[verb], "--claims", CLAIMS], columns=200)
    assert narrow == wide
    assert not BOX_DRAWING.search(narrow)
    assert "…" not in narrow
    missing = missing_numbers(json_numbers[verb], narrow)
    assert not missing, missing[:10]


@pytest.mark.parametrize("verb", sorted(VERBS))
def test_a_small_map_is_plain_when_piped(verb: str) -> None:
    out = run_piped([*VERBS[verb], "--claims", LEMONADE])
    assert not BOX_DRAWING.search(out) and "…" not in out


def test_the_central_claim_comes_first() -> None:
    runner = CliRunner()
    for verb in ("eval", "simulate", "sensitivity"):
        out = runner.invoke(cli, [*VERBS[verb], "--claims", CLAIMS]).stdout
        first = next(
            line.split()[0].rstrip(":")
            for line in out.splitlines()[2:]
            if re.match(r"^[a-z][a-z0-9_]+:? ", line) and not line.startswith(("claim", "figure"))
        )
        assert first == "tokens_sold_at_loss", (verb, first)


def test_percentages_carry_their_error_in_percentage_points() -> None:
    out = CliRunner().invoke(cli, [*VERBS["simulate"], "--claims", CLAIMS]).stdout
    assert re.search(r"\d+\.\d % ± \d+(\.\d+)? pp", out)
    assert not re.search(r"\d%", out.split("Calculators")[0].replace("90%", ""))


@pytest.mark.parametrize("verb", ["eval", "flips", "sensitivity", "simulate"])
def test_csv_has_a_header_and_one_line_per_row(verb: str) -> None:
    out = CliRunner().invoke(cli, [*VERBS[verb], "--claims", LEMONADE, "--format", "csv"]).stdout
    lines = out.splitlines()
    assert len(lines) > 1
    width = len(next(iter(__import__("csv").reader([lines[0]]))))
    rows = list(__import__("csv").reader(lines))
    assert all(len(row) == width for row in rows)
