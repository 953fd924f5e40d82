"""`crux simulate`: Monte Carlo probabilities that each claim holds, fails or is undecided."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from engine.commands.options import claims_option, format_option, load, scenario_options
from engine.errors import UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from engine.analysis.simulate import SimulationResult


def _percent(p: float, stderr: float) -> str:
    return f"{100 * p:.1f}% ± {100 * stderr:.2g}"


def print_table(result: SimulationResult, console: Console) -> None:
    from rich.table import Table

    from engine.formatting import format_number

    seed = "random seed" if result.seed is None else f"seed {result.seed}"
    table = Table(
        title=f"Monte Carlo — scenario: {result.scenario}, {result.n:,} samples, {seed}",
        caption="± is one Monte Carlo standard error, sqrt(p(1-p)/n)",
        expand=False,
    )
    for name in ("claim", "P(holds)", "P(fails)", "P(undecided)"):
        table.add_column(name, no_wrap=True)
    for cid, p in result.claims.items():
        table.add_row(
            cid,
            _percent(p.p_holds, p.stderr_holds),
            _percent(p.p_fails, p.stderr_fails),
            _percent(p.p_undecided, p.stderr_undecided),
        )
    console.print(table)
    if result.quantities:
        quantities = Table(title="Calculators", expand=False)
        for name in ("calculator", "mean", "5%", "median", "95%", "unit", "undefined"):
            quantities.add_column(name, no_wrap=True)
        for qid, q in result.quantities.items():
            quantities.add_row(
                qid,
                format_number(q.mean),
                format_number(q.p05),
                format_number(q.p50),
                format_number(q.p95),
                q.unit,
                f"{100 * q.undefined:.1f}%",
            )
        console.print(quantities)
    console.print(f"Sampled: {', '.join(result.sampled) or 'none'}")
    if result.fixed:
        console.print(f"Held at the scenario's values: {', '.join(result.fixed)}")
    for (a, b), rho in result.correlations.items():
        console.print(f"Rank correlation {a} ~ {b}: {rho:g}")


@click.command("simulate")
@click.option(
    "-n", "--samples", "n", type=int, default=10_000, show_default=True, help="Number of samples."
)
@click.option("--seed", type=int, default=None, help="Seed for reproducible runs (PCG64).")
@click.option(
    "--correlate",
    "correlates",
    multiple=True,
    metavar="FIGURE,FIGURE=RHO",
    help="Spearman rank correlation between two sampled figures (repeatable), e.g. 'a,b=0.6'.",
)
@claims_option
@scenario_options
@format_option
def command(
    n: int,
    seed: int | None,
    correlates: tuple[str, ...],
    claims_dir: Path,
    scenario: str | None,
    sets: tuple[str, ...],
    assumes: tuple[str, ...],
    output_format: str,
) -> None:
    """Sample every figure with a range and report how often each claim holds."""
    if n < 1:
        raise UsageError(f"expected at least 1 sample, found {n}", "--samples")
    from engine.analysis.simulate import MAX_SAMPLES

    if n > MAX_SAMPLES:
        raise UsageError(
            f"expected at most {MAX_SAMPLES:,} samples (standard error below 0.02 points), "
            f"found {n:,}",
            "--samples",
        )
    if seed is not None and seed < 0:
        raise UsageError(f"expected a non-negative seed, found {seed}", "--seed")
    from rich.console import Console

    from engine.analysis.sampling import parse_correlation
    from engine.analysis.simulate import simulate
    from engine.knowledge.scenario import resolve_scenario

    kb = load(claims_dir)
    correlations = dict(parse_correlation(text) for text in correlates)
    result = simulate(kb, resolve_scenario(kb, scenario, sets, assumes), n, seed, correlations)
    if output_format == "json":
        click.echo(json.dumps(result.to_json(), indent=2, allow_nan=False))
        return
    print_table(result, Console(soft_wrap=False))
