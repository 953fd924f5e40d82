"""`crux diagram [CLAIM] -o out.svg|out.png|out.dot`: one diagram for a writeup."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from engine.commands.options import (
    base_url_option,
    claims_option,
    load,
    output_failed,
    require_claims,
    scenario_options,
)
from engine.errors import UsageError

if TYPE_CHECKING:
    pass


FORMATS = (".svg", ".png", ".dot")
DEFAULT_DEPTH = 2
"""`engine.site.diagram.DEFAULT_DEPTH`, written out so `--help` need not import the site."""


@click.command("diagram")
@click.argument("claim", required=False, metavar="[CLAIM]")
@claims_option
@scenario_options
@click.option(
    "--depth",
    default=DEFAULT_DEPTH,
    show_default=True,
    type=click.IntRange(1, 10),
    help="Steps around CLAIM to draw.",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write: .svg, .png or .dot (the format follows the suffix).",
)
@base_url_option(
    "The published site's URL (http, https or a relative path): nodes link to their pages there."
)
def command(
    claim: str | None,
    claims_dir: Path,
    scenario: str | None,
    sets: tuple[str, ...],
    assumes: tuple[str, ...],
    depth: int,
    output: Path,
    base_url: str,
) -> None:
    """Draw CLAIM's neighbourhood (or, without CLAIM, the whole map) under a scenario."""
    from engine.evaluation.evaluate import evaluate_scenario
    from engine.evaluation.expectations import evaluation_warnings
    from engine.site.diagram import MAP_LIMIT, map_diagram, neighbourhood_diagram
    from engine.site.graphviz_render import clean_svg, make_renderer, svg_to_png
    from engine.site.model import default_scenario

    suffix = output.suffix.lower()
    if suffix not in FORMATS:
        raise UsageError(
            f"expected an output ending in .svg, .png or .dot, found '{output.name}'", "-o"
        )
    if not output.parent.is_dir():
        raise output_failed(FileNotFoundError(2, "No such file or directory"), output)
    kb = load(claims_dir)
    require_claims(kb, [claim])
    ev = evaluate_scenario(kb, scenario or default_scenario(kb), sets, assumes)
    for line in evaluation_warnings(kb, ev):
        click.echo(line, err=True)
    base = base_url.rstrip("/")

    def link(kind: str, item_id: str) -> str | None:
        # Without a published site to point at, relative links would dangle in a writeup.
        from engine.site import urls

        return f"{base}/{urls.page_path(kind, item_id)}" if base else None

    if claim is None:
        diagram = map_diagram(kb, ev, link, limit=MAP_LIMIT)
    else:
        diagram = neighbourhood_diagram(kb, ev, claim, link, depth)
    if suffix == ".dot":
        data = diagram.dot.encode("utf-8")
    else:
        (svg,) = make_renderer().render_many([diagram.dot])
        svg = clean_svg(svg)
        data = svg.encode("utf-8") if suffix == ".svg" else svg_to_png(svg)
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise output_failed(exc, output) from None
    note = " (the top of the map only: it is too large to draw whole)" if diagram.truncated else ""
    click.echo(f"wrote {output}: {diagram.title}, scenario {ev.scenario.name}{note}")
