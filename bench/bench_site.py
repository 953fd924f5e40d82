"""Benchmark `crux build` (a script, not a test): the shipped knowledge base and synthetic maps.

    python bench/bench_site.py                 # shipped KB, then 100, 1,000 and 10,000 claims
    python bench/bench_site.py --sizes 100 1000 --no-shipped

Every build runs in a fresh process (`crux build`), as a user would run it. Synthetic maps are a
tree of claims (each supports or attacks the one above it), a tenth of them decided by a formula
over figures, with per-claim diagrams.

- *first build*: empty render and analysis caches, no previous site (the compiled Graphviz
  module, a one-off per machine, is made before timing);
- *warm* (`--warm`): the same build again, into the same folder, with the caches filled;
- *1 edit* (`--warm`): after rewording one claim, as an author does between builds.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CRUX = [sys.executable, "-m", "engine"]


def synthetic_kb(folder: Path, claims: int) -> Path:
    """Write a knowledge base of `claims` claims into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    figures = max(2, claims // 10)
    lines = ["figures:"]
    for j in range(figures):
        lines += [
            f"  f{j}:",
            f"    label: Synthetic figure number {j}",
            f"    value: {1 + j % 7}",
        ]
    lines += ["calculators:"]
    for j in range(max(1, claims // 20)):
        a, b = (2 * j) % figures, (2 * j + 1) % figures
        lines += [
            f"  c{j}:",
            f"    label: Sum of two synthetic figures {j}",
            f"    formula: f{a} + f{b}",
        ]
    lines += ["claims:"]
    calculators = max(1, claims // 20)
    for i in range(claims):
        lines.append(f"  k{i}:")
        lines.append(
            f"    text: Synthetic claim number {i}, which says something about the numbers behind it."
        )
        if i == 0:
            lines += ["    role: central", "    question: Does the synthetic map hold together?"]
            continue
        if i <= max(1, claims // 100):
            lines.append("    role: conclusion")
        parent = (i - 1) // 3
        relation = "attacks" if i % 4 == 0 else "supports"
        lines.append(f"    {relation}: [k{parent}]")
        if i % 10 == 0:
            lines.append(f"    holds_when: c{i % calculators} > {5 + i % 4}")
        elif 3 * i + 1 >= claims:  # a leaf
            lines.append(f"    assumed: {'true' if i % 5 else 'false'}")
    lines += [
        "scenarios:",
        "  baseline:",
        "    label: The figures as given",
        "  high:",
        "    label: Every figure doubled for one",
        "    set: {f0: 20}",
    ]
    (folder / "map.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def timed_build(claims_dir: Path, out: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        [*CRUX, "build", str(claims_dir), "-o", str(out)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"build of {claims_dir} failed:\n{result.stdout}{result.stderr}")
    return seconds


EDIT_MARK = " (edited)"
PLAIN_TEXT = re.compile(r"^(\s+text: )([^\"'>|].*)$", re.MULTILINE)


def edit_one_claim(folder: Path) -> None:
    """Reword one claim, as an author would: the first claim text written as a plain scalar."""
    for file in sorted(folder.rglob("*.yaml")):
        text = file.read_text(encoding="utf-8")
        match = PLAIN_TEXT.search(text)
        if match is not None:
            edited = text[: match.end()] + EDIT_MARK + text[match.end() :]
            file.write_text(edited, encoding="utf-8")
            return
    raise SystemExit(f"no plain claim text to edit under {folder}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="*", default=[100, 1000, 10000])
    parser.add_argument(
        "--no-shipped", action="store_true", help="Skip the shipped knowledge base."
    )
    parser.add_argument(
        "--warm",
        action="store_true",
        help="Also time a rebuild with the caches filled, and one after rewording a claim.",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="crux-bench-"))
    try:
        env = dict(os.environ)
        env.pop("CRUX_CACHE_DIR", None)
        env["XDG_CACHE_HOME"] = str(work / "cache")
        warmup = str(work / "warmup.svg")
        # Compile the Graphviz WebAssembly module once (a one-off per machine, not per build).
        subprocess.run(
            [*CRUX, "diagram", "--claims", str(REPO / "tests/examples/lemonade"), "-o", warmup],
            env=env,
            cwd=REPO,
            capture_output=True,
            check=True,
        )
        print(
            f"{'knowledge base':<22} {'claims':>7} {'first build':>12} {'per claim':>10}"
            f" {'warm':>8} {'per claim':>10} {'1 edit':>8}"
        )
        rows = []
        if not args.no_shipped and (REPO / "claims").is_dir():
            # A copy, so that the edited rebuild does not touch the real knowledge base.
            rows.append(("shipped (claims/)", shutil.copytree(REPO / "claims", work / "shipped")))
        for size in args.sizes:
            rows.append((f"synthetic {size:,}", synthetic_kb(work / f"kb{size}", size)))
        for name, folder in rows:
            from engine.knowledge.loader import load_knowledge_base

            count = len(load_knowledge_base(folder).claims)
            for cache in ("renders", "analysis"):
                shutil.rmtree(work / "cache" / "crux" / cache, ignore_errors=True)
            out = work / f"site-{count}"
            first = timed_build(folder, out, env)
            line = f"{name:<22} {count:>7,} {first:>10.2f} s {first / count * 1000:>7.1f} ms"
            if args.warm:
                warm = timed_build(folder, out, env)
                edit_one_claim(folder)
                edited = timed_build(folder, out, env)
                line += f" {warm:>6.2f} s {warm / count * 1000:>7.2f} ms {edited:>6.2f} s"
            print(line, flush=True)
            shutil.rmtree(out, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
