"""`crux sensitivity [CLAIM]`: a ranked tornado per claim decided by numbers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from engine.analysis.sensitivity import Tornado
    from engine.knowledge.loader import KnowledgeBase

from engine.commands.options import (
    central_first,
    claims_option,
    format_option,
    load,
    output_failed,
    require_claims,
    scenario_options,
)
from engine.errors import UsageError
from engine.formatting import format_label, format_number, format_quantity
from engine.tables import Column, Table, echo, echo_text, to_csv


def _margin(value: float | None) -> str:
    return "—" if value is None else format_number(value)


def tornado_table(tornado: Tornado) -> Table:
    """A claim's figures, most influential first, with the margin at each end of their range."""
    if tornado.comparison is not None:
        unit = "" if tornado.margin_unit in (None, "dimensionless") else f" {tornado.margin_unit}"
        caption = (
            f"Distance to the threshold of {tornado.comparison}{unit}, "
            f"now {_margin(tornado.margin_now)}."
        )
    else:
        caption = "Decided through arguments or a lens: the labels at each end of the range."
    rows = []
    for bar in tornado.bars:
        flips = "no"
        if bar.crossings:
            flips = "at " + ", ".join(format_number(c) for c in bar.crossings)
        elif bar.flips:
            flips = f"{bar.label_low} → {bar.label_high}"
        margins = tornado.comparison is not None
        rows.append(
            (
                bar.figure,
                format_number(bar.now),
                f"{format_number(bar.low)} to {format_quantity(bar.high, bar.unit)}",
                _margin(bar.margin_low) if margins else bar.label_low,
                _margin(bar.margin_high) if margins else bar.label_high,
                f"{_margin(bar.margin_min)} to {_margin(bar.margin_max)}" if margins else "",
                _margin(None if bar.swing != bar.swing else bar.swing),
                flips,
            )
        )
    names = ("figure", "now", "range (90%)", "at low", "at high", "lowest to highest")
    columns = (
        *(Column(name, right=name not in ("figure", "range (90%)")) for name in names),
        Column("swing", right=True),
        Column("label changes", wrap=True),
    )
    notes = [caption]
    if tornado.not_swept:
        notes.append(f"Not swept (no range, or a switch or lens): {', '.join(tornado.not_swept)}")
    title = f"{tornado.claim}: {format_label(tornado.label)}"
    return Table(title, columns, tuple(rows), tuple(notes))


def sensitivity_csv(kb: KnowledgeBase, tornadoes: dict[str, Tornado]) -> str:
    """One line per claim and figure, every number in full."""
    headers = (
        "claim", "label", "comparison", "margin_now", "figure", "unit", "now", "low", "high",
        "margin_low", "margin_high", "margin_min", "margin_max", "swing", "flips", "crossings",
    )  # fmt: skip
    rows = []
    for cid in central_first(kb, tornadoes):
        tornado = tornadoes[cid]
        for bar in tornado.bars:
            data = bar.to_json()
            numbers = tuple(data[h] for h in headers[4:-1])
            crossings = " ".join(repr(c) for c in bar.crossings)
            rows.append(
                (cid, tornado.label, tornado.comparison, tornado.margin_now, *numbers, crossings)
            )
    return to_csv(headers, rows)


@click.command(
    "sensitivity",
    epilog="""\b
Examples:
  crux sensitivity                           # every claim decided by numbers, ./claims
  crux sensitivity my_claim --claims my_claims --svg tornadoes/ --format csv""",
)
@click.argument("claim", required=False, metavar="[CLAIM]")
@claims_option
@scenario_options
@format_option
@click.option(
    "--svg",
    "svg_dir",
    type=click.Path(path_type=Path),
    default=None,
    metavar="DIR",
    help="Also write each tornado as DIR/<claim>.svg.",
)
def command(
    claim: str | None,
    claims_dir: Path,
    scenario: str | None,
    sets: tuple[str, ...],
    assumes: tuple[str, ...],
    output_format: str,
    svg_dir: Path | None,
) -> None:
    """Rank the figures by how far each moves a claim's distance to its threshold over its range."""
    from engine.analysis.sensitivity import sensitivity
    from engine.knowledge.scenario import resolve_scenario, scenario_heading
    from engine.site.tornado_svg import tornado_svg

    if svg_dir is not None and svg_dir.exists() and not svg_dir.is_dir():
        raise UsageError(
            f"expected a folder for the SVG tornadoes, found a file at '{svg_dir}': "
            "choose another name",
            "--svg",
        )
    kb = load(claims_dir)
    require_claims(kb, [claim])
    scenario_input = resolve_scenario(kb, scenario, sets, assumes)
    tornadoes = sensitivity(kb, scenario_input, [claim] if claim else None)
    if svg_dir is not None:
        try:
            svg_dir.mkdir(parents=True, exist_ok=True)
            for cid, tornado in tornadoes.items():
                (svg_dir / f"{cid}.svg").write_text(tornado_svg(tornado), encoding="utf-8")
        except OSError as exc:
            raise output_failed(exc, Path(exc.filename or svg_dir), "--svg") from None
    if output_format == "json":
        payload = {cid: tornado.to_json() for cid, tornado in tornadoes.items()}
        click.echo(json.dumps(payload, indent=2, allow_nan=False))
        return
    if output_format == "csv":
        click.echo(sensitivity_csv(kb, tornadoes), nl=False)
        return
    if not tornadoes:
        what = f"'{claim}' does not" if claim else "no claim does"
        click.echo(f"{what} depend on any figure under this scenario.")
        return
    echo_text(scenario_heading(kb, scenario_input))
    echo_text("Sensitivity: each figure swept over its 90% range, the others held.")
    for cid in central_first(kb, tornadoes):
        click.echo("")
        echo(tornado_table(tornadoes[cid]))
    if svg_dir is not None:
        click.echo(f"\nwrote {len(tornadoes)} SVG tornado(es) to {svg_dir}")
