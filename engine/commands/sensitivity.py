"""`crux sensitivity [CLAIM]`: a ranked tornado per claim decided by numbers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from engine.commands.options import (
    claims_option,
    format_option,
    load,
    output_failed,
    require_claims,
    scenario_options,
)
from engine.errors import UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from engine.analysis.sensitivity import Tornado


def _margin(value: float | None) -> str:
    from engine.formatting import format_number

    return "—" if value is None else format_number(value)


def print_tornado(tornado: Tornado, console: Console) -> None:
    from rich.markup import escape
    from rich.table import Table

    from engine.formatting import format_label, format_number, format_quantity

    if tornado.comparison is not None:
        unit = "" if tornado.margin_unit in (None, "dimensionless") else f" {tornado.margin_unit}"
        caption = f"distance to the threshold of {tornado.comparison}{unit}, now {_margin(tornado.margin_now)}"
    else:
        caption = "decided through arguments or a lens: labels at each end of the range"
    table = Table(
        title=f"{tornado.claim}: {format_label(tornado.label)}",
        caption=escape(caption),
        expand=False,
    )
    for name in ("figure", "range (90%)", "at low", "at high", "swing", "label changes"):
        table.add_column(name, no_wrap=name != "label changes")
    for bar in tornado.bars:
        flips = "no"
        if bar.crossings:
            flips = "at " + ", ".join(format_number(c) for c in bar.crossings)
        elif bar.flips:
            flips = f"{bar.label_low} → {bar.label_high}"
        table.add_row(
            bar.figure,
            escape(f"{format_number(bar.low)} – {format_quantity(bar.high, bar.unit)}"),
            _margin(bar.margin_low) if tornado.comparison else bar.label_low,
            _margin(bar.margin_high) if tornado.comparison else bar.label_high,
            _margin(None if bar.swing != bar.swing else bar.swing),
            flips,
        )
    console.print(table)
    if tornado.not_swept:
        console.print(
            f"  not swept (no range, or a switch or lens): {', '.join(tornado.not_swept)}"
        )
    console.print("")


@click.command("sensitivity")
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
    from rich.console import Console

    from engine.analysis.sensitivity import sensitivity
    from engine.knowledge.scenario import resolve_scenario
    from engine.site.tornado_svg import tornado_svg

    if svg_dir is not None and svg_dir.exists() and not svg_dir.is_dir():
        raise UsageError(
            f"expected a folder for the SVG tornadoes, found a file at '{svg_dir}': "
            "choose another name",
            "--svg",
        )
    kb = load(claims_dir)
    require_claims(kb, [claim])
    tornadoes = sensitivity(
        kb, resolve_scenario(kb, scenario, sets, assumes), [claim] if claim else None
    )
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
    if not tornadoes:
        what = f"'{claim}' does not" if claim else "no claim does"
        click.echo(f"{what} depend on any figure under this scenario.")
        return
    console = Console(soft_wrap=False)
    for tornado in tornadoes.values():
        print_tornado(tornado, console)
    if svg_dir is not None:
        console.print(f"wrote {len(tornadoes)} SVG tornado(es) to {svg_dir}")
