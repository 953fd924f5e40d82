"""`crux explain CLAIM...`: print the derivation of each claim's label, each step once."""

from __future__ import annotations

from pathlib import Path

import click

from engine.commands.options import (
    claims_option,
    depth_option,
    load,
    require_claims,
    scenario_options,
)
from engine.tables import echo_text
from engine.terminal import output_width

DEFAULT_EXPLAIN_DEPTH = 1
"""`engine.evaluation.explain.DEFAULT_EXPLAIN_DEPTH`, written out so `--help` stays light."""


@click.command(
    "explain",
    epilog="""\b
Examples:
  crux explain my_claim                      # ./claims, default depth
  crux explain my_claim other_claim --claims my_claims --depth 3
  crux explain my_claim --full -s pessimistic | less""",
)
@click.argument("claim_ids", nargs=-1, required=True, metavar="CLAIM...")
@claims_option
@scenario_options
@depth_option(DEFAULT_EXPLAIN_DEPTH, "How many levels of the derivation to write out.")
@click.option("--full", is_flag=True, help="Write out every level (ignores --depth).")
def command(
    claim_ids: tuple[str, ...],
    claims_dir: Path,
    scenario: str | None,
    sets: tuple[str, ...],
    assumes: tuple[str, ...],
    depth: int,
    full: bool,
) -> None:
    """Explain why each CLAIM has its label: arguments, premises, formulas with numbers, sources."""
    from engine.evaluation.evaluate import evaluate_scenario
    from engine.evaluation.explain import explain_claim_tree
    from engine.evaluation.explain_text import render_text
    from engine.knowledge.scenario import scenario_heading

    kb = load(claims_dir)
    require_claims(kb, claim_ids)
    ev = evaluate_scenario(kb, scenario, sets, assumes)
    width = output_width()
    echo_text(scenario_heading(kb, ev.scenario))
    for claim_id in claim_ids:
        click.echo("")
        tree = explain_claim_tree(kb, ev, claim_id, None if full else depth)
        click.echo("\n".join(render_text(tree, width)))
