"""`crux eval`: evaluate the knowledge base under a scenario and print every claim's label."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from engine.commands.options import (
    central_first,
    claims_dir,
    format_option,
    load,
    scenario_options,
)

if TYPE_CHECKING:
    from engine.evaluation.evaluate import Evaluation
    from engine.knowledge.loader import KnowledgeBase

from engine.formatting import format_label, format_quantity, format_setting
from engine.tables import Column, Table, echo, to_csv


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


def claims_table(kb: KnowledgeBase, ev: Evaluation) -> Table:
    """Every claim's label, the central claim and the conclusions first."""
    from engine.evaluation.explain import claim_summary, given_text, given_view, substitute
    from engine.knowledge.scenario import scenario_heading

    rows = []
    for cid in central_first(kb, kb.claims):
        claim = kb.claims[cid]
        text = claim.text
        if claim.holds_when is not None and cid not in ev.scenario.assumptions:
            view = given_view(kb, ev, cid)
            where = f" ({given_text(view)})" if view is not None else ""
            shown = substitute(kb, ev, claim.holds_when, view)
            text += f" [{claim.holds_when}{where}: {shown}]"
        elif cid in ev.scenario.assumptions:
            text += " [assumed in this scenario]"
        elif claim.role is not None:
            text += f" [{claim_summary(kb, ev, cid)}]"
        basis = ev.basis[cid]
        rows.append((cid, format_label(ev.claims[cid], basis), basis, text))
    columns = (
        Column("claim"),
        Column("label"),
        Column("basis"),
        Column("what it says, and the numbers that decide it", wrap=True),
    )
    return Table(scenario_heading(kb, ev.scenario), columns, tuple(rows))


def quantities_table(kb: KnowledgeBase, ev: Evaluation) -> Table:
    """Every calculator's and figure's value under the scenario."""
    rows = [
        (cid, format_quantity(ev.calculators[cid], kb.calculators[cid].unit), calc.label)
        for cid, calc in kb.calculators.items()
    ]
    rows += [
        (fid, format_setting(ev.scenario.settings[fid], figure.unit), figure.label)
        for fid, figure in kb.figures.items()
    ]
    notes: list[str] = []
    overridden = sorted(f for f in ev.scenario.overridden if f in kb.figures)
    if overridden:
        notes.append(f"Set on the command line: {', '.join(overridden)}")
    undefined = ev.undefined()
    if undefined:
        notes.append(
            "Undefined (division by zero, log of a non-positive number or overflow): "
            + ", ".join(undefined)
        )
    columns = (Column("calculator or figure"), Column("value"), Column("what it is", wrap=True))
    return Table("Calculators, then figures", columns, tuple(rows), tuple(notes))


def evaluation_csv(kb: KnowledgeBase, ev: Evaluation) -> str:
    """One line per claim, calculator and figure: kind, id, label or value, unit."""
    rows: list[tuple[object, ...]] = [
        ("claim", cid, ev.claims[cid], None, None) for cid in central_first(kb, kb.claims)
    ]
    rows += [
        ("calculator", cid, None, _number(ev.calculators[cid]), calc.unit)
        for cid, calc in kb.calculators.items()
    ]
    rows += [
        ("figure", fid, None, ev.scenario.settings[fid], figure.unit)
        for fid, figure in kb.figures.items()
    ]
    return to_csv(("kind", "id", "label", "value", "unit"), rows)


@click.command(
    "eval",
    epilog="""\b
Examples:
  crux eval                                  # ./claims under its default scenario
  crux eval my_claims -s optimistic --set some_figure=2.5 --format csv""",
)
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
    from engine.evaluation.evaluate import evaluate_scenario
    from engine.evaluation.expectations import evaluation_warnings

    kb = load(claims_dir)
    ev = evaluate_scenario(kb, scenario, sets, assumes)
    for line in evaluation_warnings(kb, ev):
        click.echo(line, err=True)
    if output_format == "json":
        click.echo(json.dumps(evaluation_json(kb, ev), indent=2, sort_keys=False, allow_nan=False))
        return
    if output_format == "csv":
        click.echo(evaluation_csv(kb, ev), nl=False)
        return
    echo(claims_table(kb, ev))
    click.echo("")
    echo(quantities_table(kb, ev))
