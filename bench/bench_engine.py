"""Benchmark the engine core on a synthetic map (a script, not a timed test).

Generates 1,000 claims, 300 figures and 300 calculators, then measures in this process:
load + check (read YAML, validate, compile every formula, build the graph) and one scenario
evaluation (numbers, conditions, labels). Goals on a 2-core machine: load + check ≤ 2 s,
one evaluation ≤ 50 ms.

    python bench/bench_engine.py [--claims 1000] [--figures 300] [--calculators 300] [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import write_synthetic_kb

from engine.commands.check import expectation_problems
from engine.evaluation.evaluate import evaluate, evaluate_scenario
from engine.knowledge.loader import load_knowledge_base
from engine.knowledge.scenario import resolve_scenario


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--claims", type=int, default=1000)
    parser.add_argument("--figures", type=int, default=300)
    parser.add_argument("--calculators", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_synthetic_kb(
            Path(tmp) / "claims", args.claims, args.figures, args.calculators
        )
        # Warm the unit registry once: it is process start-up, not load time.
        from engine.formula import units

        units.parse_unit("USD")
        start = time.perf_counter()
        kb = load_knowledge_base(folder)
        expectation_problems(kb)
        evaluate_scenario(
            kb, "base"
        )  # what `crux check` does per scenario; compiles numpy functions
        load_check = time.perf_counter() - start

        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "engine", "check", str(folder)], check=True, capture_output=True
        )
        cold = time.perf_counter() - start

        scenario = resolve_scenario(kb, "base")
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            evaluate(kb, scenario)
            times.append(time.perf_counter() - start)
    print(
        f"synthetic map: {args.claims} claims, {args.figures} figures, {args.calculators} calculators, "
        f"{len(kb.arguments)} arguments"
    )
    print(f"load + check:           {load_check * 1000:8.1f} ms   (goal ≤ 2000 ms)")
    print(f"cold `crux check`:      {cold * 1000:8.1f} ms   (a new process: imports included)")
    print(f"one evaluation, median: {statistics.median(times) * 1000:8.1f} ms   (goal ≤ 50 ms)")
    print(f"one evaluation, max:    {max(times) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
