"""Benchmark the what-if panel in Chromium (a script, not a timed test).

Builds the site of the shipped knowledge base and of a synthetic map (1,000 claims, 300 figures,
300 calculators), opens pages in headless Chromium and times, with `performance.now()`, one full
re-evaluation plus DOM update: a figure edit through the panel (validate, evaluate every
calculator, condition and label, rewrite every label, formula, explanation, matrix cell and
diagram node, sync the controls and the URL), followed by a forced style and layout
(`document.body.offsetHeight`). Goals for the p95: 16 ms on the shipped knowledge base (one
frame), 100 ms on the synthetic map.

    python bench/bench_whatif.py [--runs 200] [--claims 1000] [--skip-synthetic]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import write_synthetic_kb  # noqa: E402

from engine.knowledge.loader import load_knowledge_base  # noqa: E402
from engine.site.build import build_site  # noqa: E402

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# One edit per run, cycling through the page's number figures over their slider range.
MEASURE = """runs => {
  const panel = CruxWhatIf.panel;
  const figures = panel.data.figures;
  const ids = panel.figureIds.filter(f => figures[f].kind === "number");
  const edit = [], engine = [];
  for (let i = 0; i < runs; i++) {
    const fid = ids[i % ids.length];
    const [low, high] = figures[fid].slider;
    const value = low + (high - low) * ((i * 0.6180339887) % 1);
    let t0 = performance.now();
    panel.edit(fid, String(value), true);
    document.body.offsetHeight;
    edit.push(performance.now() - t0);
    t0 = performance.now();
    CruxWhatIf.evaluate({[fid]: value}, {});
    engine.push(performance.now() - t0);
  }
  panel.reset();
  return {edit, engine, figures: ids.length, labels: panel.labels.length + panel.cells.length,
          nodes: panel.nodes.length};
}"""


def chromium() -> str:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("google-chrome")):
        if candidate and Path(candidate).is_file():
            return candidate
    sys.exit("no Chromium found: install Debian's chromium (apt-get install -y chromium)")


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def measure(browser: Any, site: Path, page_path: str, runs: int) -> dict[str, Any]:
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((site / page_path).as_uri())
    page.wait_for_selector(".whatif-ready", timeout=60_000)
    page.evaluate(MEASURE, 10)  # warm up the JIT
    result: dict[str, Any] = page.evaluate(MEASURE, runs)
    page.close()
    if errors:
        sys.exit(f"page errors on {page_path}: {errors}")
    return result


def report(name: str, page_path: str, result: dict[str, Any], goal: float) -> bool:
    edit, engine = result["edit"], result["engine"]
    ok = p95(edit) <= goal
    print(
        f"{name:<10} {page_path:<34} {result['figures']:>4} inputs {result['labels']:>5} labels "
        f"{result['nodes']:>4} nodes | edit+DOM p50 {statistics.median(edit):6.2f} ms "
        f"p95 {p95(edit):6.2f} ms max {max(edit):6.2f} ms | evaluate p95 {p95(engine):6.2f} ms "
        f"| goal p95 <= {goal:g} ms: {'ok' if ok else 'MISSED'}"
    )
    return ok


def build(folder: Path, target: Path) -> tuple[Path, str]:
    kb = load_knowledge_base(folder)
    started = time.perf_counter()
    build_site(kb, target)
    print(f"built {target.name} ({len(kb.claims)} claims) in {time.perf_counter() - started:.1f} s")
    central = kb.central_claim or next(iter(kb.claims))
    return target, f"claims/{central}.html"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--claims", type=int, default=1000)
    parser.add_argument("--figures", type=int, default=300)
    parser.add_argument("--calculators", type=int, default=300)
    parser.add_argument("--skip-synthetic", action="store_true")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    ok = True
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        sites = [("shipped", *build(ROOT / "claims", Path(tmp) / "shipped-site"), 16.0)]
        if not args.skip_synthetic:
            kb_folder = write_synthetic_kb(
                Path(tmp) / "synthetic",
                claims=args.claims,
                figures=args.figures,
                calculators=args.calculators,
            )
            sites.append(("synthetic", *build(kb_folder, Path(tmp) / "synthetic-site"), 100.0))
        browser = playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        for name, site, claim_page, goal in sites:
            for page_path in ("index.html", claim_page):
                ok = (
                    report(name, page_path, measure(browser, site, page_path, args.runs), goal)
                    and ok
                )
        browser.close()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
