"""`crux flips [CLAIM]`: the values at which each claim decided by numbers changes its label."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from engine.analysis.flips import Crossing, FlipReport, OptionLabels, Steady
    from engine.knowledge.loader import KnowledgeBase

from engine.commands.options import (
    central_first,
    claims_option,
    format_option,
    load,
    require_claims,
    scenario_options,
)
from engine.formatting import (
    format_label,
    format_number,
    format_option_labels,
    format_steady,
    format_tipping_point,
)
from engine.tables import Column, Table, echo, echo_text, to_csv


def print_report(kb: KnowledgeBase, report: FlipReport, heading: str) -> None:
    """One table per claim (central claim and conclusions first): a line per figure."""
    echo_text(heading)
    echo_text("Tipping points: one figure moves, the others stay.")
    for cid in central_first(kb, report.claims):
        flips = report.claims[cid]
        rows = tuple((entry.figure, _now(entry), _describe(entry)) for entry in flips.entries())
        columns = (Column("figure"), Column("now", right=True), Column("what happens", wrap=True))
        click.echo("")
        echo(Table(f"{cid}: {format_label(flips.label)} now", columns, rows))


def flips_csv(kb: KnowledgeBase, report: FlipReport) -> str:
    """One line per claim and figure: where the label changes, or that it does not."""
    rows: list[tuple[object, ...]] = []
    for cid in central_first(kb, report.claims):
        flips = report.claims[cid]
        for entry in flips.entries():
            data = entry.to_json()
            rows.append(
                (
                    cid,
                    flips.label,
                    entry.figure,
                    data.get("at"),
                    data.get("unit"),
                    data.get("now"),
                    _describe(entry),
                )
            )
    return to_csv(("claim", "label", "figure", "flips_at", "unit", "now", "what_happens"), rows)


def _now(entry: Crossing | Steady | OptionLabels) -> str:
    from engine.analysis.flips import OptionLabels

    if isinstance(entry, OptionLabels):
        return str(entry.now)
    return format_number(entry.now)


def _describe(entry: Crossing | Steady | OptionLabels) -> str:
    from engine.analysis.flips import OptionLabels, Steady

    if isinstance(entry, OptionLabels):
        return "by option: " + format_option_labels(entry.options)
    if isinstance(entry, Steady):
        return format_steady(entry.interval, entry.unit, entry.label)
    return format_tipping_point(entry)


def report_json(report: FlipReport) -> list[dict[str, Any]]:
    """The JSON shape of `crux flips --format json` (docs/analysis.md): the report's data, and
    each crossing's sentence as ``text``."""
    from engine.analysis.flips import Crossing

    out = []
    for flips in report.claims.values():
        for entry in flips.entries():
            data = entry.to_json()
            if isinstance(entry, Crossing):
                data["text"] = format_tipping_point(entry)
            out.append(data)
    return out


@click.command(
    "flips",
    epilog="""\b
Examples:
  crux flips                                 # every claim decided by numbers, ./claims
  crux flips my_claim --claims my_claims -s pessimistic --format json""",
)
@click.argument("claim", required=False, metavar="[CLAIM]")
@claims_option
@scenario_options
@format_option
def command(
    claim: str | None,
    claims_dir: Path,
    scenario: str | None,
    sets: tuple[str, ...],
    assumes: tuple[str, ...],
    output_format: str,
) -> None:
    """Find the value of each figure at which a claim's label flips (all claims, or CLAIM)."""
    from engine.analysis.flips import find_flips
    from engine.knowledge.scenario import resolve_scenario, scenario_heading

    kb = load(claims_dir)
    require_claims(kb, [claim])
    scenario_input = resolve_scenario(kb, scenario, sets, assumes)
    report = find_flips(kb, scenario_input, [claim] if claim else None)
    if output_format == "json":
        click.echo(json.dumps(report_json(report), indent=2, allow_nan=False))
        return
    if output_format == "csv":
        click.echo(flips_csv(kb, report), nl=False)
        return
    if not report.claims:
        what = f"'{claim}' does not" if claim else "no claim does"
        click.echo(f"{what} depend on any figure under this scenario: nothing can flip it.")
        return
    print_report(kb, report, scenario_heading(kb, scenario_input))
