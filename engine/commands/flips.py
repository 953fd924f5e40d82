"""`crux flips [CLAIM]`: the values at which each claim decided by numbers changes its label."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from engine.commands.options import (
    claims_option,
    format_option,
    load,
    require_claims,
    scenario_options,
)

if TYPE_CHECKING:
    from engine.analysis.flips import Crossing, FlipReport, OptionLabels, Steady


_COLOURS = {"holds": "green", "fails": "red", "undecided": "yellow"}


def print_report(report: FlipReport) -> None:
    """One block per claim: its label now, then one line per figure (long ids stay readable)."""
    from engine.formatting import (
        format_label,
    )

    click.echo(f"Tipping points — scenario: {report.scenario} (one figure moves, the others stay)")
    for cid, flips in report.claims.items():
        label = click.style(format_label(flips.label), fg=_COLOURS[flips.label])
        click.echo(f"\n{click.style(cid, bold=True)}  {label}")
        entries = flips.entries()
        width = max(len(entry.figure) for entry in entries)
        for entry in entries:
            click.echo(f"  {entry.figure:<{width}}  {_describe(entry)}")


def _describe(entry: Crossing | Steady | OptionLabels) -> str:
    from engine.analysis.flips import OptionLabels, Steady
    from engine.formatting import (
        format_option_labels,
        format_steady,
        format_tipping_point,
    )

    if isinstance(entry, OptionLabels):
        return "by option: " + format_option_labels(entry.options)
    if isinstance(entry, Steady):
        return format_steady(entry.interval, entry.unit, entry.label)
    return format_tipping_point(entry)


def report_json(report: FlipReport) -> list[dict[str, Any]]:
    """The JSON shape of `crux flips --format json` (docs/analysis.md): the report's data, and
    each crossing's sentence as ``text``."""
    from engine.analysis.flips import Crossing
    from engine.formatting import (
        format_tipping_point,
    )

    out = []
    for flips in report.claims.values():
        for entry in flips.entries():
            data = entry.to_json()
            if isinstance(entry, Crossing):
                data["text"] = format_tipping_point(entry)
            out.append(data)
    return out


@click.command("flips")
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
    from engine.knowledge.scenario import resolve_scenario

    kb = load(claims_dir)
    require_claims(kb, [claim])
    report = find_flips(
        kb, resolve_scenario(kb, scenario, sets, assumes), [claim] if claim else None
    )
    if output_format == "json":
        click.echo(json.dumps(report_json(report), indent=2, allow_nan=False))
        return
    if not report.claims:
        what = f"'{claim}' does not" if claim else "no claim does"
        click.echo(f"{what} depend on any figure under this scenario: nothing can flip it.")
        return
    print_report(report)
