"""`crux simulate`: Monte Carlo probabilities that each claim holds, fails or is undecided."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from engine.analysis.simulate import SimulationResult
    from engine.knowledge.knowledge_base import KnowledgeBase

from engine.commands.options import (
    central_first,
    claims_dir,
    format_option,
    load,
    scenario_options,
)
from engine.errors import UsageError
from engine.formatting import format_number, format_percent, format_percent_error
from engine.tables import Column, Table, echo, echo_text, to_csv, wrap_text
from engine.terminal import output_width


def print_tables(kb: KnowledgeBase, result: SimulationResult, heading: str) -> None:
    """The claims' chances (central claim and conclusions first), then the calculators'."""
    seed = "a random seed" if result.seed is None else f"seed {result.seed}"
    rows = tuple(
        (
            cid,
            format_percent_error(p.p_holds, p.stderr_holds),
            format_percent_error(p.p_fails, p.stderr_fails),
            format_percent_error(p.p_undecided, p.stderr_undecided),
        )
        for cid in central_first(kb, result.claims)
        for p in (result.claims[cid],)
    )
    columns = (
        Column("claim"),
        Column("P(holds)", right=True),
        Column("P(fails)", right=True),
        Column("P(undecided)", right=True),
    )
    notes = ["± is one Monte Carlo standard error, sqrt(p(1-p)/n), in percentage points (pp)."]
    if any(rho != 0 for rho in result.correlations.values()):
        # Iman–Conover pairs sorted draws by ranks: the noise of both reaches the estimate
        # (tests/test_correlations.py measures 1.6 times sqrt(p(1-p)/n) at rank 0.8)
        notes.append(
            "With rank correlations imposed, the Monte Carlo error can be up to about twice that."
        )
    echo_text(heading)
    echo(
        Table(
            f"Monte Carlo: {format_number(result.n)} samples, {seed}",
            columns,
            rows,
            tuple(notes),
        )
    )
    if result.quantities:
        quantity_rows = tuple(
            (
                qid,
                format_number(q.mean),
                format_number(q.p05),
                format_number(q.p50),
                format_number(q.p95),
                q.unit,
                format_percent(q.undefined),
            )
            for qid, q in result.quantities.items()
        )
        names = ("calculator", "mean", "5%", "median", "95%", "unit", "undefined")
        quantity_columns = tuple(
            Column(name, right=name not in ("calculator", "unit")) for name in names
        )
        click.echo("")
        echo(Table("Calculators", quantity_columns, quantity_rows))
    click.echo("")
    for line in _sampling_notes(result):
        click.echo(line)


def _sampling_notes(result: SimulationResult) -> list[str]:
    width = output_width()
    lines = wrap_text(f"Sampled: {', '.join(result.sampled) or 'none'}", width)
    if result.fixed:
        lines += wrap_text(f"Held at the scenario's values: {', '.join(result.fixed)}", width)
    for (a, b), rho in result.correlations.items():
        declared = result.declared.get((a, b))
        where = f" (declared as {declared})" if declared else " (--correlate)"
        lines += wrap_text(f"Rank correlation {a} ~ {b}: {format_number(rho)}{where}", width)
    return lines


def simulation_csv(kb: KnowledgeBase, result: SimulationResult) -> str:
    """One line per claim (its chances) and per calculator (its distribution)."""
    rows: list[tuple[object, ...]] = []
    for cid in central_first(kb, result.claims):
        p = result.claims[cid]
        chances = (p.p_holds, p.stderr_holds, p.p_fails, p.stderr_fails, p.p_undecided)
        rows.append(("claim", cid, *chances, p.stderr_undecided, *([None] * 6)))
    for qid, q in result.quantities.items():
        data = q.to_json()
        spread = (data["mean"], data["p05"], data["p50"], data["p95"], q.unit, q.undefined)
        rows.append(("calculator", qid, *([None] * 6), *spread))
    headers = (
        "kind", "id", "p_holds", "stderr_holds", "p_fails", "stderr_fails", "p_undecided",
        "stderr_undecided", "mean", "p05", "p50", "p95", "unit", "undefined",
    )  # fmt: skip
    return to_csv(headers, rows)


@click.command(
    "simulate",
    epilog="""\b
Examples:
  crux simulate                              # ./claims, 10,000 samples
  crux simulate my_claims -n 100000 --seed 1 --correlate a_figure,another=0.6""",
)
@click.option(
    "-n", "--samples", "n", type=int, default=10_000, show_default=True, help="Number of samples."
)
@click.option("--seed", type=int, default=None, help="Seed for reproducible runs (PCG64).")
@click.option(
    "--correlate",
    "correlates",
    multiple=True,
    metavar="FIGURE,FIGURE=RHO",
    help="Spearman rank correlation between two sampled figures (repeatable), e.g. 'a,b=0.6'; "
    "replaces the knowledge base's value for that pair (0 switches it off) or adds a pair.",
)
@click.option(
    "--range",
    "ranges",
    multiple=True,
    metavar="FIGURE=LOW..HIGH",
    help="Another 90% range for a figure (repeatable), e.g. 'price=2..9'; as the what-if "
    "panel's range fields and links give it.",
)
@claims_dir
@scenario_options
@format_option
def command(
    n: int,
    seed: int | None,
    correlates: tuple[str, ...],
    ranges: tuple[str, ...],
    claims_dir: Path,
    scenario: str | None,
    sets: tuple[str, ...],
    assumes: tuple[str, ...],
    output_format: str,
) -> None:
    """Sample every figure with a range and report how often each claim holds."""
    from engine.analysis.sampling import parse_correlation, parse_range, with_ranges
    from engine.analysis.simulate import simulate
    from engine.knowledge.scenario import resolve_scenario, scenario_heading

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
    given = [parse_range(text) for text in ranges]
    kb = with_ranges(load(claims_dir), dict(given))
    correlations = dict(parse_correlation(text) for text in correlates)
    scenario_input = resolve_scenario(kb, scenario, sets, assumes)
    result = simulate(kb, scenario_input, n, seed, correlations)
    if output_format == "json":
        click.echo(json.dumps(result.to_json(), indent=2, allow_nan=False))
        return
    if output_format == "csv":
        click.echo(simulation_csv(kb, result), nl=False)
        return
    print_tables(kb, result, scenario_heading(kb, scenario_input))
