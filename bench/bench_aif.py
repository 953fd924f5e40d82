"""Benchmark the AIF import on the corpus's 739-node OVA3 analysis (a script, not a test).

    python bench/bench_aif.py              # 7 runs, medians
    python bench/bench_aif.py --runs 15

Three figures, each the median of the runs, as wall-clock and CPU time (user + system; on a
loaded machine only the CPU time says what the work costs):
- *read + map*: reading the JSON, checking it and mapping it to claims-folder data, in process
  (what `crux import` adds to a command's start-up);
- *+ check*: the same, then loading the written folder as `crux check` does (validation, the
  graph, compiled formulas);
- *command*: `crux import xaif FILE -o DIR` as a new process, as a user runs it.

The file lives at ../shared/corpora/aif/xaif/arguebuf-ts-xAifTestFile.json; the script says so
and stops when it is absent.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
LARGE = REPO.parent / "shared" / "corpora" / "aif" / "xaif" / "arguebuf-ts-xAifTestFile.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    if not LARGE.is_file():
        print(f"the corpus file is not at {LARGE}: nothing to measure")
        return

    import yaml

    from engine.interop.aif_read import read_aif
    from engine.interop.aif_to_crux import to_crux
    from engine.knowledge.loader import load_knowledge_base

    wall: dict[str, list[float]] = {"read + map": [], "+ check": [], "command": []}
    cpu: dict[str, list[float]] = {name: [] for name in wall}
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        sections, report = to_crux(read_aif(LARGE), LARGE.name)
        wall["read + map"].append(time.perf_counter() - start)
        cpu["read + map"].append(time.process_time() - start_cpu)
        with tempfile.TemporaryDirectory() as folder:
            Path(folder, "map.yaml").write_text(yaml.safe_dump(sections, allow_unicode=True))
            load_knowledge_base(folder)
        wall["+ check"].append(time.perf_counter() - start)
        cpu["+ check"].append(time.process_time() - start_cpu)
        with tempfile.TemporaryDirectory() as folder:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "engine",
                    "import",
                    "xaif",
                    str(LARGE),
                    "-o",
                    f"{folder}/kb",
                ],
                check=True,
                capture_output=True,
            )
            wall["command"].append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu["command"].append(
                after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
            )
    print(f"{LARGE.name}: {sum(report.node_types.values())} nodes, {runs} runs, medians")
    print(f"  {'':14} {'wall':>9} {'CPU':>9}")
    for name in wall:
        print(
            f"  {name:14} {statistics.median(wall[name]) * 1000:6.0f} ms "
            f"{statistics.median(cpu[name]) * 1000:6.0f} ms"
        )
    print("  " + "\n  ".join(report.lines()))


if __name__ == "__main__":
    main()
