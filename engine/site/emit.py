"""The emit step of `crux build`: render a plan's diagrams and write its files into the site.

Diagrams come from the render cache when it has them (keyed by DOT text), else from Graphviz,
and each is written as a standalone SVG and PNG. A page that shows a diagram gets its `diagram`
context here (`pages.embed_context`), once the drawing exists. Everything goes through the
`SiteWriter`, which hard-links files whose bytes the previous site already has.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from jinja2 import Environment
from markupsafe import Markup

from engine.site import pages, urls
from engine.site.diagram import Diagram
from engine.site.graphviz_render import (
    LazyRenderer,
    RenderCache,
    Renderer,
    inline_svg,
    render_all,
)
from engine.site.map_layout import draw_attempts
from engine.site.site_plan import MapPlan, SitePlan
from engine.site.svg_compact import compact_svg
from engine.site.svg_links import rebase_links
from engine.site.writer import SiteWriter

SUBFOLDER_ROOT = "../"
"""How diagram node links reach the site root: they are written for a page one folder down
(`site_plan.link_from_subfolder`)."""


class Emitter:
    """Writes plans into one site. Made before the build's workers fork: each worker inherits it
    and starts its own Graphviz on its first render (`LazyRenderer`)."""

    def __init__(self, writer: SiteWriter, env: Environment, base_url: str = "") -> None:
        self.writer = writer
        self.env = env
        self.base_url = base_url
        self.renderer: Renderer = LazyRenderer()

    def emit(
        self, plan: SitePlan, drawn: Mapping[str, pages.Embed] | None = None
    ) -> dict[str, pages.Embed]:
        """Write everything `plan` describes; return the diagrams it drew, by SVG path.

        `drawn` holds diagrams drawn by an earlier part of the build that this plan's pages show
        (the index shows the whole map).
        """
        if plan.static is not None:
            self.writer.copy_tree(plan.static, urls.STATIC)
        for file in plan.files:
            self.writer.write_text(file.path, file.text)
        embeds: dict[str, pages.Embed] = {}
        if plan.map is not None:
            embeds[plan.map.svg_path] = self.draw_map(plan.map)
        rendered = render_all(self.renderer, [d.diagram.dot for d in plan.diagrams])
        for planned, (svg, png) in zip(plan.diagrams, rendered, strict=True):
            embeds[planned.svg_path] = self.write_diagram(
                planned.diagram, svg, png, planned.svg_path, planned.png_path
            )
        shown = {**(drawn or {}), **embeds}
        for page in plan.pages:
            self.write_page(page, shown)
        return embeds

    def draw_map(self, plan: MapPlan) -> pages.Embed:
        """The whole map, or as much of it as Graphviz lays out in time (`draw_attempts`)."""
        drawing = draw_attempts(plan.attempts, plan.seconds, RenderCache())
        assert drawing.png is not None  # made whenever a render cache is given
        return self.write_diagram(
            drawing.diagram, drawing.svg, drawing.png, plan.svg_path, plan.png_path, drawing.note
        )

    def write_diagram(
        self, diagram: Diagram, svg: str, png: bytes, svg_path: str, png_path: str, note: str = ""
    ) -> pages.Embed:
        """Write the standalone SVG and PNG; return the inline form for the pages.

        With a base URL the standalone SVG links to the published pages by absolute URLs, so it
        still works embedded in someone else's page; the inline copy keeps relative links.
        """
        standalone = svg
        if self.base_url:
            standalone = rebase_links(svg, SUBFOLDER_ROOT, self.base_url.rstrip("/") + "/")
        self.writer.write_text(svg_path, standalone)
        self.writer.write_bytes(png_path, png)
        return pages.Embed(
            Markup(inline_svg(svg, diagram.title)),
            diagram.title,
            svg_path,
            png_path,
            diagram.truncated,
            note,
        )

    def write_page(self, page: pages.Page, drawn: Mapping[str, pages.Embed]) -> None:
        context = page.context
        slot = page.diagram
        if slot is not None:
            embed = drawn[slot.svg_path]
            # The drawing's links are written for a page one folder down; this page's own way
            # to the root replaces theirs (the index and map pages sit at the root).
            svg = rebase_links(str(embed.svg), SUBFOLDER_ROOT, urls.root_of(page.path))
            if slot.compact:
                svg = compact_svg(svg)
            embed = dataclasses.replace(embed, svg=Markup(svg))
            shown = pages.embed_context(embed, slot.page, self.base_url, slot.alt)
            context = {**context, "diagram": shown}
        html = self.env.get_template(page.template).render(context)
        self.writer.write_text(page.path, html)


__all__ = ["Emitter"]
