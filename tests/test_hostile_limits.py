"""Denial-of-service inputs are refused fast and in bounded memory.

Each case runs in a child process whose address space is capped (`resource.setrlimit`), so an
input that tried to expand a billion strings or compute `9**9**9` would fail the test (or be
killed by the timeout) instead of taking the machine down. The child times only the refusal,
after its imports, in CPU seconds (robust to a loaded machine), and reports it; the parent
asserts it is under a second.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BAD = Path(__file__).parent / "bad_input"
LEMONADE = Path(__file__).parent / "examples" / "lemonade"
MEMORY_LIMIT = 2 << 30
"""Address space of the child: imports (numpy, pydantic, pint) need about 1 GiB of it."""
HANG_GUARD = 120
"""Seconds before the child is killed: far above the time allowed, to survive a loaded machine."""
REFUSAL_SECONDS = 1.0

_CHILD = textwrap.dedent(
    """
    import json, resource, sys, time
    resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
    from click.testing import CliRunner
    from engine.cli import cli
    # Import the verbs and the libraries they load lazily, and build the unit registry, first:
    # only the refusal itself is timed, not start-up work every command pays.
    import engine.commands.check, engine.commands.evaluate, engine.commands.simulate
    import engine.knowledge.loader, engine.knowledge.scenario, engine.evaluation.evaluate
    import engine.analysis.simulate, engine.formula.compiled, engine.formula.units
    engine.formula.units.registry()
    args = json.loads(sys.argv[1])
    started = time.process_time()  # CPU time: the refusal's own work, whatever the machine's load
    result = CliRunner().invoke(cli, args)
    seconds = time.process_time() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({{"code": result.exit_code, "output": result.output,
                      "seconds": seconds, "peak_kib": peak_kib}}))
    """
)


def refuse(args: list[str], cwd: Path) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD.format(limit=MEMORY_LIMIT), json.dumps(args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    assert "Traceback" not in str(report["output"])
    assert "internal error" not in str(report["output"])
    return report


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("yaml_alias_bomb", "YAML alias '*a'"),
        ("unit_exponent", "expected unit exponents between -64 and 64, found 'USD**9**9**9'"),
        ("huge_integer", "expected a finite number, found an integer that cannot be read"),
        ("deep_nesting", "expected at most 32 levels of nested maps and lists"),
    ],
)
def test_hostile_knowledge_base_is_refused_quickly(case: str, expected: str) -> None:
    report = refuse(["check", "claims"], BAD / case)
    assert report["code"] == 1
    assert expected in str(report["output"])
    assert float(str(report["seconds"])) < REFUSAL_SECONDS
    # The peak includes the imports (~200 MB); a billion laughs would need gigabytes.
    assert int(str(report["peak_kib"])) < 600 * 1024


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["eval", str(LEMONADE), "--set", "cup_price=3 USD**9**9**9"],
            "--set: cup_price: expected unit exponents between -64 and 64, found 'USD**9**9**9'",
        ),
        (
            ["eval", str(LEMONADE), "--set", "cup_price=3 (10**60)**60*USD"],
            "--set: cup_price: expected a unit whose factor is below 1e300",
        ),
        (
            ["simulate", "--claims", str(LEMONADE), "-n", "1000000000000"],
            "--samples: expected at most 10,000,000 samples (standard error below 0.02 points), "
            "found 1,000,000,000,000",
        ),
    ],
    ids=["set-unit-exponent", "set-unit-factor", "simulate-samples"],
)
def test_hostile_command_line_is_refused_quickly(
    tmp_path: Path, args: list[str], expected: str
) -> None:
    report = refuse(args, tmp_path)
    assert report["code"] == 2
    assert expected in str(report["output"])
    assert float(str(report["seconds"])) < REFUSAL_SECONDS
