"""`crux eval`: evaluate the knowledge base under a scenario and print every claim's label."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from engine.commands.options import claims_dir, format_option, load, scenario_options

if TYPE_CHECKING:
    from rich.console import Console

    from engine.evaluation.evaluate import Evaluation
    from engine.knowledge.loader import KnowledgeBase


def _number(value: float) -> float | str | None:
    from engine.formatting import json_number

    return json_number(value)


def evaluation_json(kb: KnowledgeBase, ev: Evaluation) -> dict[str, Any]:
    """The stable JSON shape of `crux eval --format json` (documented in docs/cli.md)."""
    from engine.evaluation.explain import claim_summary

    return {
        "scenario": ev.scenario.name,
        "figures": {
            fid: {"value": ev.scenario.settings[fid], "unit": kb.figures[fid].unit}
            for fid in kb.figures
        },
        "calculators": {
            cid: {"value": _number(ev.calculators[cid]), "unit": kb.calculators[cid].unit}
            for cid in kb.calculators
        },
        "claims": {
            cid: {
                "label": ev.claims[cid],
                "basis": ev.basis[cid],
                "explanation": claim_summary(kb, ev, cid),
            }
            for cid in kb.claims
        },
    }


def _claim_order(kb: KnowledgeBase) -> list[str]:
    """Central claim first, then conclusions, then the rest, each group by id."""
    rank = {"central": 0, "conclusion": 1}
    return sorted(kb.claims, key=lambda cid: (rank.get(kb.claims[cid].role or "", 2), cid))


def print_table(kb: KnowledgeBase, ev: Evaluation, console: Console) -> None:
    from rich.markup import escape
    from rich.table import Table

    from engine.evaluation.explain import (
        claim_summary,
        given_text,
        given_view,
        lens_summary,
        substitute,
    )
    from engine.formatting import format_label, format_setting

    title = f"Scenario: {ev.scenario.name} — {ev.scenario.label}{lens_summary(kb, ev)}"
    table = Table(title=title, show_lines=False, expand=True)
    widest = max((len(cid) for cid in kb.claims), default=10)
    table.add_column("claim", style="bold", overflow="fold", min_width=min(widest, 40), ratio=2)
    table.add_column("label", no_wrap=True, min_width=11)
    table.add_column("basis", no_wrap=True)
    table.add_column("what it says, and the numbers that decide it", ratio=5)
    colours = {"holds": "green", "fails": "red", "undecided": "yellow"}
    for cid in _claim_order(kb):
        claim = kb.claims[cid]
        label = ev.claims[cid]
        text = escape(claim.text)
        if claim.holds_when is not None and cid not in ev.scenario.assumptions:
            view = given_view(kb, ev, cid)
            where = f"  ({given_text(view)})" if view is not None else ""
            shown = substitute(kb, ev, claim.holds_when, view)
            text += f"\n  {escape(claim.holds_when)}{escape(where)}\n  = {escape(shown)}"
        elif cid in ev.scenario.assumptions:
            text += "\n  (assumed in this scenario)"
        elif claim.role is not None:
            text += f"\n  [dim]{escape(claim_summary(kb, ev, cid))}[/]"
        basis = ev.basis[cid]
        colour = "blue" if basis == "presumption" and label == "holds" else colours[label]
        shown = format_label(label, basis)
        table.add_row(cid, f"[{colour}]{shown}[/]", basis, text)
    console.print(table)
    overridden = sorted(f for f in ev.scenario.overridden if f in kb.figures)
    if overridden:
        settings = ", ".join(
            f"{fid} = {format_setting(ev.scenario.settings[fid], kb.figures[fid].unit)}"
            for fid in overridden
        )
        console.print(f"Overridden: {settings}")
    undefined = ev.undefined()
    if undefined:
        console.print(
            f"[yellow]Undefined quantities[/] (division by zero, log of a non-positive number or overflow): {', '.join(undefined)}"
        )


@click.command("eval")
@claims_dir
@scenario_options
@format_option
def command(
    claims_dir: Path,
    scenario: str | None,
    sets: tuple[str, ...],
    assumes: tuple[str, ...],
    output_format: str,
) -> None:
    """Evaluate DIR (default ./claims) under a scenario and print every claim's label."""
    from rich.console import Console

    from engine.evaluation.evaluate import evaluate_scenario
    from engine.evaluation.expectations import evaluation_warnings

    kb = load(claims_dir)
    ev = evaluate_scenario(kb, scenario, sets, assumes)
    for line in evaluation_warnings(kb, ev):
        click.echo(line, err=True)
    if output_format == "json":
        click.echo(json.dumps(evaluation_json(kb, ev), indent=2, sort_keys=False, allow_nan=False))
        return
    # Piped output gets a readable width instead of rich's 80-column default.
    console = Console(soft_wrap=False)
    if not console.is_terminal:
        console = Console(soft_wrap=False, width=120)
    print_table(kb, ev, console)
