"""`crux diagram [CLAIM] -o out.svg|out.png|out.dot`: one diagram for a writeup."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import click

from engine.commands.options import (
    base_url_option,
    claims_option,
    depth_option,
    load,
    output_failed,
    require_claims,
    scenario_options,
)
from engine.errors import UsageError

if TYPE_CHECKING:
    from engine.site.diagram_fit import FittedDiagram


FORMATS = (".svg", ".png", ".dot")
# Written out here so that `crux diagram --help` need not import the site (the same values as
# engine.site.diagram and engine.site.diagram_fit; tests/test_diagram_fit.py checks them).
DEFAULT_DEPTH = 2
RANKDIRS = ("TB", "BT", "LR")
THEMES = ("light", "dark")
DEFAULT_WIDTH = 1400
MIN_TEXT_PX = 10.0


@click.command(
    "diagram",
    epilog="""\b
Examples:
  crux diagram my_claim --claims claims --width 700 -o my_claim.png
  crux diagram my_claim --width 700 --scale 2 --theme dark -o my_claim@2x.png
  crux diagram my_claim --title "Where the verdict comes from" \\
      --base-url https://example.org/site/ -o my_claim.svg""",
)
@click.argument("claim", required=False, metavar="[CLAIM]")
@claims_option
@scenario_options
@depth_option(DEFAULT_DEPTH, "Steps around CLAIM to draw.")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write: .svg, .png or .dot (the format follows the suffix).",
)
@click.option(
    "--width",
    type=click.IntRange(200, 10_000),
    default=None,
    metavar="PX",
    help=f"The column width the image is for, in CSS pixels (default: at most {DEFAULT_WIDTH}). "
    f"The layout is chosen so that text stays at least {MIN_TEXT_PX:g} px tall.",
)
@click.option(
    "--scale",
    type=click.Choice(["1", "2", "3"]),
    default="1",
    show_default=True,
    help="Pixel density of a PNG: 2 or 3 for high-density screens.",
)
@click.option(
    "--rankdir",
    type=click.Choice(RANKDIRS, case_sensitive=False),
    default=None,
    help="Direction of the layout (default: whichever fits the width).",
)
@click.option("--title", default=None, metavar="TEXT", help="A title drawn in the image.")
@click.option("--no-key", is_flag=True, help="Leave out the key.")
@click.option(
    "--theme", type=click.Choice(THEMES), default="light", show_default=True, help="Colours."
)
@base_url_option(
    "The published site's URL (http, https or a relative path): nodes then link to their pages "
    "there, and the snippets use absolute URLs."
)
def command(
    claim: str | None,
    claims_dir: Path,
    scenario: str | None,
    sets: tuple[str, ...],
    assumes: tuple[str, ...],
    depth: int,
    output: Path,
    width: int | None,
    scale: str,
    rankdir: str | None,
    title: str | None,
    no_key: bool,
    theme: str,
    base_url: str,
) -> None:
    """Draw CLAIM's neighbourhood (or, without CLAIM, the whole map) for a writeup.

    Prints where it wrote the image, its size, and Markdown and HTML snippets to embed it.
    """
    from engine.site import model_cache
    from engine.site.graphviz_render import WasmDot, make_renderer

    suffix = output.suffix.lower()
    if suffix not in FORMATS:
        raise UsageError(
            f"expected an output ending in .svg, .png or .dot, found '{output.name}'", "-o"
        )
    if not output.parent.is_dir():
        raise output_failed(FileNotFoundError(2, "No such file or directory"), output)
    early = make_renderer() if claim is not None and suffix != ".dot" else None
    if isinstance(early, WasmDot) and not model_cache.entry_path(claims_dir).is_file():
        # The map changed since crux last saw it, so its layouts most likely did too: Graphviz
        # compiles (about a second of two cores) on threads of its own while this one imports
        # the engine and loads the map. Started before those imports, it overlaps them too.
        early.start_in_background()

    from engine.evaluation.evaluate import evaluate_scenario
    from engine.evaluation.expectations import evaluation_warnings
    from engine.site import urls
    from engine.site.diagram import neighbourhood_diagram
    from engine.site.diagram_fit import fit_diagram
    from engine.site.graphviz_render import CachedLayouts, RenderFailure, svg_to_png
    from engine.site.map_layout import (
        SMALL_MAP,
        BoundedRenderer,
        draw_map,
        layout_seconds,
        plan_map,
    )

    seconds = layout_seconds()  # a bad $CRUX_LAYOUT_SECONDS is refused before the map loads
    renderer = early if early is not None else BoundedRenderer(seconds)
    kb = load(claims_dir)
    require_claims(kb, [claim])
    ev = evaluate_scenario(kb, scenario, sets, assumes)
    for line in evaluation_warnings(kb, ev):
        click.echo(line, err=True)
    base = base_url.rstrip("/")

    def link(kind: str, item_id: str) -> str | None:
        # Without a published site to point at, relative links would dangle in a writeup.
        return f"{base}/{urls.page_path(kind, item_id)}" if base else None

    # The whole map is cut to what Graphviz lays out in bounded time; `skipped` says what is left.
    skipped = plan_map(kb, ev, link, seconds)[0][1] if claim is None else ""
    if suffix == ".dot":
        if claim is None:
            diagram = plan_map(kb, ev, link, seconds, rankdir=rankdir or "BT")[0][0]
        else:
            diagram = neighbourhood_diagram(kb, ev, claim, link, depth, rankdir=rankdir or "BT")
        write(output, diagram.dot.encode("utf-8"))
        click.echo(f"wrote {output}: {diagram.title}, scenario {ev.scenario.name}")
        report_skipped(skipped)
        return
    try:
        fitted = fit_diagram(
            kb,
            ev,
            claim,
            link,
            CachedLayouts(renderer),
            depth=depth,
            width=width,
            rankdir=rankdir.upper() if rankdir else None,
            title=title,
            key=not no_key,
            theme=theme,
        )
    except RenderFailure:
        # Graphviz ran out of time (or of stack) on the whole map: the smallest fallback, or a
        # notice, drawn plain.
        drawing = draw_map(kb, ev, link, seconds=seconds, limit=SMALL_MAP)
        data = drawing.svg.encode("utf-8") if suffix == ".svg" else svg_to_png(drawing.svg)
        write(output, data)
        click.echo(f"wrote {output}: {drawing.diagram.title}, scenario {ev.scenario.name}")
        report_skipped(drawing.note)
        return
    if suffix == ".svg":
        write(output, fitted.svg.encode("utf-8"))
        pixels = f"{fitted.width} × {fitted.height} px"
    else:
        factor = int(scale)
        write(output, svg_to_png(fitted.svg, factor))
        pixels = f"{fitted.width * factor} × {fitted.height * factor} px"
        if factor > 1:
            pixels += f" ({factor}×; shown at {fitted.width} × {fitted.height})"
    note = " (the top of the map only: too large to draw whole)" if fitted.diagram.truncated else ""
    click.echo(
        f"wrote {output}: {pixels}, text {fitted.text_px:.1f} px, scenario {ev.scenario.name}{note}"
    )
    if not fitted.fits:
        wanted = f"{width} px" if width else f"{DEFAULT_WIDTH} px"
        hint = "--depth 1" if claim is not None and depth > 1 else "a claim's neighbourhood"
        click.echo(
            f"warning: this diagram does not fit {wanted} with text at least {MIN_TEXT_PX:g} px "
            f"tall and an aspect ratio of at most 2:1; try {hint}, or a wider --width.",
            err=True,
        )
    for line in snippets(fitted, output, base, claim):
        click.echo(line)
    report_skipped(skipped)


def report_skipped(note: str) -> None:
    """Say on stderr what the whole map's drawing leaves out, if anything."""
    if note:
        click.echo(f"skipped: {note}", err=True)


def write(output: Path, data: bytes) -> None:
    """Write the image, turning an unwritable path into a usage error that names it."""
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise output_failed(exc, output) from None


def snippets(fitted: FittedDiagram, output: Path, base: str, claim: str | None) -> list[str]:
    """Markdown and HTML to embed the image, with its alt text, size and (with a base) links."""
    from engine.site import urls

    src = f"{base}/{output.name}" if base else output.name
    alt = fitted.alt
    markdown_alt = alt.replace("[", "(").replace("]", ")")
    image = (
        f'<img src="{escape(src)}" width="{fitted.width}" height="{fitted.height}" '
        f'alt="{escape(alt)}">'
    )
    if base:
        page = f"{base}/{urls.page_path('claim', claim)}" if claim else f"{base}/{urls.MAP}"
        lines = [
            f"Markdown: [![{markdown_alt}]({src})]({page})",
            f'HTML:     <a href="{escape(page)}">{image}</a>',
        ]
    else:
        lines = [
            f"Markdown: ![{markdown_alt}]({src})",
            f"HTML:     {image}",
            "note: no --base-url, so the image path is relative to the page that embeds it and "
            "the diagram has no links; pass --base-url with the published site's URL to link it.",
        ]
    return lines
