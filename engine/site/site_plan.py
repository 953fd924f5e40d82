"""The compute step of `crux build`: every file of the site as a frozen description.

A page is its template and context (`pages.Page`); a diagram is its DOT text and where its
standalone SVG and PNG go (`DiagramPlan`); the whole map is the drawings to try in turn under a
time limit (`MapPlan`); a few files are text made here (`FilePlan`: the what-if model's script,
the tornado charts). Nothing here touches the site's folder or renders anything: the emit step
(`engine.site.emit`) does both. The knowledge base's analyses and the what-if thresholds come from
`engine.site.analysis`'s cache when it has them.

The site is planned in parts, which `engine.site.build` spreads over its processes (each claim
chunk is planned in the worker that emits it, so page contexts never cross a process boundary);
`plan_site` is all of them at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from engine.analysis.sensitivity import Tornado
from engine.analysis.simulate import SimulationResult
from engine.site import pages, urls
from engine.site.analysis import SiteAnalysis
from engine.site.diagram import Diagram, neighbourhood_diagram
from engine.site.map_layout import layout_seconds, plan_map
from engine.site.model import SiteModel
from engine.site.tornado_svg import tornado_svg


@dataclass(frozen=True)
class DiagramPlan:
    """One drawing to render, and where its standalone SVG and PNG go."""

    diagram: Diagram
    svg_path: str
    png_path: str


@dataclass(frozen=True)
class MapPlan:
    """The whole map: drawings to try in turn, each with what it leaves out (`plan_map`)."""

    attempts: tuple[tuple[Diagram, str], ...]
    seconds: float
    """CPU seconds each layout may take."""
    svg_path: str = urls.diagram_path(None, "svg")
    png_path: str = urls.diagram_path(None, "png")


@dataclass(frozen=True)
class FilePlan:
    """A file whose whole text is known without rendering."""

    path: str
    text: str


@dataclass(frozen=True)
class SitePlan:
    """What to write into the site: all of it (`plan_site`) or a part."""

    pages: tuple[pages.Page, ...] = ()
    diagrams: tuple[DiagramPlan, ...] = ()
    map: MapPlan | None = None
    files: tuple[FilePlan, ...] = ()
    static: Path | None = None
    """A folder copied as the site's `static/` (stylesheet, scripts)."""

    def __add__(self, other: SitePlan) -> SitePlan:
        if self.map is not None and other.map is not None:
            raise ValueError("a site has one whole map")
        if self.static is not None and other.static is not None:
            raise ValueError("a site has one static folder")
        return SitePlan(
            self.pages + other.pages,
            self.diagrams + other.diagrams,
            self.map or other.map,
            self.files + other.files,
            self.static or other.static,
        )


def link_from_subfolder(kind: str, item_id: str) -> str:
    """Node links for diagrams shown from a first-level folder (`claims/`, `diagrams/`)."""
    return "../" + urls.page_path(kind, item_id)


def plan_items(model: SiteModel, shared: pages.Context, static: Path) -> SitePlan:
    """The pages of every argument, figure, calculator, source, scenario and speaker, the
    patterns page, the static files and the what-if model's script."""
    return SitePlan(
        pages=tuple(pages.item_pages(model, shared)),
        files=_model_script(model),
        static=static,
    )


def plan_map_page(model: SiteModel, shared: pages.Context) -> SitePlan:
    """The whole map's drawing and its page."""
    # The whole map draws every premise in full beside its argument: a shorthand argument's
    # stance is enough there, and the page has a size budget.
    seconds = layout_seconds()
    attempts = plan_map(model.kb, model.build, link_from_subfolder, seconds, premise_names=False)
    return SitePlan(pages=(pages.map_page(model, shared),), map=MapPlan(tuple(attempts), seconds))


def plan_claims(
    model: SiteModel,
    shared: pages.Context,
    analysis: SiteAnalysis,
    claim_ids: Sequence[str],
    depth: int,
) -> SitePlan:
    """The pages of these claims, each with its neighbourhood diagram."""
    kb, ev = model.kb, model.build
    diagrams = tuple(
        DiagramPlan(
            neighbourhood_diagram(kb, ev, claim_id, link_from_subfolder, depth),
            urls.diagram_path(claim_id, "svg"),
            urls.diagram_path(claim_id, "png"),
        )
        for claim_id in claim_ids
    )
    planned = tuple(pages.claim_page(model, shared, claim_id, analysis) for claim_id in claim_ids)
    return SitePlan(pages=planned, diagrams=diagrams)


def plan_figures(model: SiteModel, shared: pages.Context, analysis: SiteAnalysis) -> SitePlan:
    """Every figure's page, with its chance curves (which need the analysis)."""
    return SitePlan(pages=tuple(pages.figure_pages(model, shared, analysis)))


def plan_summary(
    model: SiteModel,
    shared: pages.Context,
    analysis: SiteAnalysis,
    tornadoes: dict[str, Tornado],
    chances: dict[str, SimulationResult],
) -> SitePlan:
    """The index (which shows the whole map: see `plan_map_page`), the sensitivity page and the
    tornado charts it shows. `chances` are the probabilities of every column but the build's."""
    kb = model.kb
    every_chance = {**chances, model.build_column.key: analysis.build_chances}
    charts = tuple(
        FilePlan(urls.tornado_path(claim_id), tornado_svg(tornado))
        for claim_id, tornado in tornadoes.items()
        if analysis.charted(kb, claim_id)
    )
    return SitePlan(
        pages=(
            pages.index_page(model, shared, analysis, every_chance),
            pages.sensitivity_page(model, shared, tornadoes, analysis),
        ),
        files=charts,
    )


def plan_site(
    model: SiteModel,
    shared: pages.Context,
    analysis: SiteAnalysis,
    tornadoes: dict[str, Tornado],
    chances: dict[str, SimulationResult],
    *,
    depth: int,
    static: Path,
) -> SitePlan:
    """Every file of the site: what `build_site` plans and emits in parts, in one plan."""
    return (
        plan_items(model, shared, static)
        + plan_map_page(model, shared)
        + plan_claims(model, shared, analysis, list(model.kb.claims), depth)
        + plan_figures(model, shared, analysis)
        + plan_summary(model, shared, analysis, tornadoes, chances)
    )


def _model_script(model: SiteModel) -> tuple[FilePlan, ...]:
    """`static/model.js`, the what-if panel's model (none when the what-if model cannot load)."""
    try:
        from engine.site.whatif_model import model_script, threshold_script
    except ImportError:
        return ()
    from engine.site.analysis import cached_analysis

    evaluations = {**model.scenarios, model.build.scenario.name: model.build}
    # Thresholds are read off the formulas' sympy trees: cached, a warm build needs no sympy.
    thresholds = cached_analysis(model, "threshold-script", lambda: threshold_script(model.kb))
    return (
        FilePlan(urls.static_path("model.js"), model_script(model.kb, evaluations, thresholds)),
    )


__all__ = [
    "DiagramPlan",
    "FilePlan",
    "MapPlan",
    "SitePlan",
    "link_from_subfolder",
    "plan_claims",
    "plan_figures",
    "plan_items",
    "plan_map_page",
    "plan_site",
    "plan_summary",
]
