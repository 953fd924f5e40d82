"""`crux explain CLAIM...`: print the derivation of each claim's label as an indented tree."""

from __future__ import annotations

from pathlib import Path

import click

from engine.commands.options import claims_option, load, require_claims, scenario_options
from engine.evaluation.evaluate import evaluate_scenario
from engine.evaluation.explain import explain_claim_tree, lens_summary, render_tree


@click.command("explain")
@click.argument("claim_ids", nargs=-1, required=True, metavar="CLAIM...")
@claims_option
@scenario_options
@click.option(
    "--depth", default=8, show_default=True, help="How many levels of arguments to unfold."
)
def command(
    claim_ids: tuple[str, ...],
    claims_dir: Path,
    scenario: str | None,
    sets: tuple[str, ...],
    assumes: tuple[str, ...],
    depth: int,
) -> None:
    """Explain why each CLAIM has its label: arguments, premises, formulas with numbers, sources."""
    kb = load(claims_dir)
    require_claims(kb, claim_ids)
    ev = evaluate_scenario(kb, scenario, sets, assumes)
    click.echo(f"Scenario: {ev.scenario.name} — {ev.scenario.label}{lens_summary(kb, ev)}")
    for claim_id in claim_ids:
        click.echo("")
        click.echo("\n".join(render_tree(explain_claim_tree(kb, ev, claim_id, depth))))
