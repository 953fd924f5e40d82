"""Benchmark whole `crux` processes against the Argdown CLI drawing the same debate (a script).

    python bench/bench_cli.py              # 5 runs of each, medians
    python bench/bench_cli.py --runs 9
    python bench/bench_cli.py --only "build (warm)" --before ../main-checkout

Every figure is a new process, as a user runs it. The measures are interleaved (one run of each,
then the next round), so a busy machine slows them alike and the ratios stay comparable.

- *cold*: an empty cache folder, as after the knowledge base changed (or `crux cache clear`);
- *warm*: the same command again, with the compiled model (and, for `build`, the renders and
  the analysis) in the cache;
- *edited*: warm caches, but the central claim's text changed since the last run (a copy of the
  knowledge base is edited before each run), as an author sees it: the model is compiled again
  and the drawing laid out again, Graphviz included.

Argdown CLI 1.7.5 is installed with npm into ~/.cache/crux-bench/argdown (outside the repository)
when it is missing; without npm the comparison is skipped with a message. It draws the
Argdown encoding of the same knowledge base (`bench/argdown_encoding.py`) with `map -f svg`.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from argdown_encoding import argdown_text  # noqa: E402

ARGDOWN_VERSION = "1.7.5"
ARGDOWN_HOME = Path.home() / ".cache" / "crux-bench" / "argdown"
ARGDOWN = ARGDOWN_HOME / "node_modules" / ".bin" / "argdown"
CRUX = [sys.executable, "-m", "engine"]
CLAIM = "tokens_sold_at_loss"


def ensure_argdown() -> Path | None:
    """The Argdown CLI, installed on first use; None (with a message) when npm is missing."""
    if ARGDOWN.exists():
        return ARGDOWN
    npm = shutil.which("npm")
    if npm is None:
        print("npm is not installed: skipping the comparison with Argdown.")
        return None
    ARGDOWN_HOME.mkdir(parents=True, exist_ok=True)
    print(f"installing @argdown/cli@{ARGDOWN_VERSION} into {ARGDOWN_HOME} ...", flush=True)
    subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", f"@argdown/cli@{ARGDOWN_VERSION}"],
        cwd=ARGDOWN_HOME,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return ARGDOWN if ARGDOWN.exists() else None


def edit_claim_text(folder: Path, claim: str, suffix: str) -> None:
    """Give `claim`'s text a new ending (its `text:` line, in whichever file declares it)."""
    declared = re.compile(rf"^(\s+){re.escape(claim)}:\n\1\s+text: (.*?)( \(edit \d+\))?$", re.M)
    for path in sorted(folder.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        changed = declared.sub(lambda m: m.group(0).split(" (edit ")[0] + suffix, text, count=1)
        if changed != text:
            path.write_text(changed, encoding="utf-8")
            return
    raise SystemExit(f"{claim}: no `text:` line found under its declaration in {folder}")


def timed(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall-clock seconds and CPU seconds (user + system) of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        command, env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each measure (median)")
    parser.add_argument("--claims", type=Path, default=REPO / "claims")
    parser.add_argument(
        "--only", action="append", default=[], help="measure only crux commands naming this"
    )
    parser.add_argument(
        "--before",
        type=Path,
        help="another crux checkout (say, main before a change): its commands are measured "
        "too, interleaved with these, with a cache folder of their own",
    )
    args = parser.parse_args()

    from engine.knowledge.loader import load_knowledge_base

    work = Path(tempfile.mkdtemp(prefix="crux-bench-cli-"))
    cache = work / "cache"
    # As on a user's machine, compiled modules are written on the first run and read after: an
    # environment that sets PYTHONDONTWRITEBYTECODE (to anything, even "0") would have every run
    # compile the engine's source again.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["CRUX_CACHE_DIR"] = str(cache)
    claims = args.claims.resolve()
    argdown = ensure_argdown()
    argdown_file = work / "debate.argdown"
    argdown_file.write_text(argdown_text(load_knowledge_base(claims)), encoding="utf-8")

    def crux(
        *words: str, tree: Path = REPO, cache: Path = cache
    ) -> Callable[[], tuple[float, float]]:
        # `python -m engine` runs the engine of the working directory's checkout.
        return lambda: timed([*CRUX, *words], {**env, "CRUX_CACHE_DIR": str(cache)}, tree)

    def cold(*words: str, tree: Path = REPO) -> Callable[[], tuple[float, float]]:
        # A cache folder of its own, emptied before each run: emptying the shared one would
        # leave the warm measures that follow with a cold cache.
        cache = work / f"cache-cold-{len(list(work.glob('cache-cold-*')))}"
        cache.mkdir()

        def run() -> tuple[float, float]:
            shutil.rmtree(cache, ignore_errors=True)
            return timed([*CRUX, *words], {**env, "CRUX_CACHE_DIR": str(cache)}, tree)

        return run

    def edited(
        *words: str, tree: Path = REPO, cache: Path = cache
    ) -> Callable[[], tuple[float, float]]:
        """`words` (with CLAIMS standing for the folder) on a copy edited before each run."""
        folder = work / f"edited-{len(list(work.glob('edited-*')))}"
        shutil.copytree(claims, folder)
        runs = iter(range(1_000_000))

        def run() -> tuple[float, float]:
            edit_claim_text(folder, CLAIM, f" (edit {next(runs)})")
            command = [folder.as_posix() if word == "CLAIMS" else word for word in words]
            return timed([*CRUX, *command], {**env, "CRUX_CACHE_DIR": str(cache)}, tree)

        return run

    site = work / "site"
    svg = work / "x.svg"
    measures: dict[str, Callable[[], tuple[float, float]]] = {
        "crux --help": crux("--help"),
        "crux eval --help": crux("eval", "--help"),
        "crux eval (cold)": cold("eval", str(claims), "--format", "json"),
        "crux eval (warm)": crux("eval", str(claims), "--format", "json"),
        # As an author types it in the repository: ./claims, the table for reading.
        "crux eval (warm, table)": crux("eval"),
        "crux check (warm)": crux("check", str(claims)),
        "crux explain (warm)": crux("explain", CLAIM, "--claims", str(claims)),
        "crux diagram (cold)": cold("diagram", CLAIM, "--claims", str(claims), "-o", str(svg)),
        "crux diagram (warm)": crux("diagram", CLAIM, "--claims", str(claims), "-o", str(svg)),
        "crux diagram (edited)": edited("diagram", CLAIM, "--claims", "CLAIMS", "-o", str(svg)),
        "crux build (cold)": cold("build", str(claims), "-o", str(site)),
        "crux build (warm)": crux("build", str(claims), "-o", str(site)),
    }
    if args.only:
        measures = {n: m for n, m in measures.items() if any(o in n for o in args.only)}
    if args.before is not None:
        before, before_cache = args.before.resolve(), work / "cache-before"
        for name in [n for n in measures if n.startswith("crux ")]:
            words = name.split(" (")[0].split()[1:]
            full = (
                {
                    "eval": [*words, str(claims), "--format", "json"],
                    "check": [*words, str(claims)],
                    "explain": [*words, CLAIM, "--claims", str(claims)],
                    "diagram": [*words, CLAIM, "--claims", str(claims), "-o", str(work / "y.svg")],
                    "build": [*words, str(claims), "-o", str(work / "site-before")],
                }.get(words[0], words)
                if " (" in name
                else words
            )
            if name == "crux eval (warm, table)":
                full = ["eval"]
            if "(cold)" in name:
                measures[f"{name} before"] = cold(*full, tree=before)
                continue
            if "(edited)" in name:
                full = [word if word != str(claims) else "CLAIMS" for word in full]
            run = edited if "(edited)" in name else crux
            measures[f"{name} before"] = run(*full, tree=before, cache=before_cache)
    if argdown is not None:
        out = work / "argdown-map"
        measures["argdown map -f svg"] = lambda: timed(
            [str(argdown), "map", "-f", "svg", str(argdown_file), str(out)], env, work
        )

    # One untimed round fills the caches (and compiles Python's bytecode) for the warm measures.
    for measure in measures.values():
        measure()
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in measures}
    for _ in range(args.runs):
        for name, measure in measures.items():
            samples[name].append(measure())
    medians = {name: statistics.median(w for w, _ in times) for name, times in samples.items()}
    cpu = {name: statistics.median(c for _, c in times) for name, times in samples.items()}
    shutil.rmtree(work, ignore_errors=True)

    reference = medians.get("argdown map -f svg")
    cpu_reference = cpu.get("argdown map -f svg")
    goals = {
        "crux --help": (0.15, 0.25),
        "crux diagram (warm)": (None, 0.5),
        "crux build (warm)": (None, 1.0),
        "crux eval (warm)": (0.3, None),
        "crux eval (warm, table)": (0.3, None),
    }
    print(f"{args.runs} runs each, medians; load average {os.getloadavg()[0]:.1f}")
    # CPU time (user + system of the process and its children) is printed beside the wall
    # clock: on a shared machine it moves much less with the load than the wall clock does.
    print(f"{'measure':<28} {'median':>8} {'÷ argdown':>10} {'cpu':>8} {'÷ argdown':>10}  goal")
    for name, value in medians.items():
        ratio = f"{value / reference:.2f}×" if reference else "-"
        cpu_ratio = f"{cpu[name] / cpu_reference:.2f}×" if cpu_reference else "-"
        seconds, times = goals.get(name, (None, None))
        goal = []
        if seconds is not None:
            goal.append(f"≤ {seconds} s {'✔' if value <= seconds else '✘'}")
        if times is not None and reference:
            goal.append(f"≤ {times}× {'✔' if value <= times * reference else '✘'}")
        print(
            f"{name:<28} {value:>7.3f}s {ratio:>10} {cpu[name]:>7.3f}s {cpu_ratio:>10}  "
            + " or ".join(goal)
        )


if __name__ == "__main__":
    main()
