"""`crux build`'s pipeline: evaluate → page contexts → diagrams → HTML → one atomic write.

Claim pages dominate the work (each has a diagram laid out by Graphviz and rasterised to PNG), so
they are split into chunks and, for larger maps, handed to a process pool: each worker keeps one
Graphviz renderer and writes its files straight into the build's temporary folder. Every file's
content depends only on the knowledge base and the scenario, so the order in which workers finish
cannot change a byte.

The whole map and the analysis (`engine.site.analysis`) run in the pool too, as tasks submitted
first: the map (the largest drawing), the build scenario's tipping points, probabilities and
tornadoes (the claim pages wait for them), and the other matrix columns' probabilities (the index
waits for them). Meanwhile this process writes the item pages.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import os
import pickle
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

from jinja2 import Environment
from markupsafe import Markup

from engine.analysis.sensitivity import Tornado
from engine.analysis.simulate import SimulationResult
from engine.knowledge.loader import KnowledgeBase
from engine.site import formula_products, model_cache, pages, urls
from engine.site.analysis import SiteAnalysis, column_chances, site_analysis
from engine.site.diagram import DEFAULT_DEPTH, Diagram, neighbourhood_diagram
from engine.site.graphviz_render import (
    LazyRenderer,
    RenderCache,
    Renderer,
    inline_svg,
    render_all,
)
from engine.site.map_layout import draw_map
from engine.site.model import SiteModel, site_model
from engine.site.orphans import exit_with_parent
from engine.site.render import make_environment, templates_dir
from engine.site.tornado_svg import tornado_svg
from engine.site.writer import SiteWriter

CHUNK = 25
"""Claims per task at most. Small maps get smaller chunks (`chunk_size`), so that both workers
finish at about the same time instead of one waiting on a last big chunk."""
PARALLEL_FROM = 16
"""Claims from which the pool pays for its start-up (forking, one Graphviz instance per worker)."""

T = TypeVar("T")

Progress = Callable[[int, int], None]
"""(done, total) after each step of the build."""


@dataclass(frozen=True)
class BuildResult:
    target: Path
    pages: int
    diagrams: int
    renderer: str
    skipped: tuple[str, ...] = ()
    """What the site leaves out and why (a whole map too large to draw), for the command to say."""


@dataclass
class _Job:
    """What every task needs. This process passes it to each task; a pool hands it to each
    worker once, through the pool's initializer, inherited through fork and never pickled."""

    model: SiteModel
    env: Environment
    shared: dict[str, Any]
    writer: SiteWriter
    depth: int
    renderer: Renderer = field(default_factory=LazyRenderer)


_worker_job: _Job | None = None
"""The job of this worker process, set once by `_start_worker`; never set in the main process."""


def _start_worker(job: _Job) -> None:
    """The pool's initializer: runs once in each worker, before its first task."""
    global _worker_job
    exit_with_parent()  # a build killed outright must not leave its workers drawing for nobody
    _worker_job = job


def _in_worker(task: Callable[..., T], *args: Any) -> T:
    """Run ``task(job, *args)`` in a pool worker with the job its initializer received."""
    assert _worker_job is not None, "worker started without a job"
    return task(_worker_job, *args)


def link_from_subfolder(kind: str, item_id: str) -> str:
    """Node links for diagrams shown from a first-level folder (`claims/`, `diagrams/`)."""
    return "../" + urls.page_path(kind, item_id)


def absolute_links(svg: str, base_url: str) -> str:
    """A standalone diagram's `../page` links (see `link_from_subfolder`) as ``base_url/page``."""
    if not base_url:
        return svg
    base = base_url.rstrip("/") + "/"
    return svg.replace('href="../', f'href="{base}')


def write_page(writer: SiteWriter, env: Environment, page: pages.Page) -> None:
    writer.write_text(page.path, env.get_template(page.template).render(page.context))


def write_diagram(
    writer: SiteWriter,
    diagram: Diagram,
    rendered: tuple[str, bytes],
    item_id: str | None,
    base_url: str = "",
    note: str = "",
) -> pages.Embed:
    """Write the standalone SVG and PNG; return the inline form for the page.

    With a ``base_url`` the standalone SVG links to the published pages by absolute URLs, so it
    still works embedded in someone else's page; the inline copy keeps relative links.
    """
    svg_path = urls.diagram_path(item_id, "svg")
    png_path = urls.diagram_path(item_id, "png")
    svg, png = rendered
    writer.write_text(svg_path, absolute_links(svg, base_url))
    writer.write_bytes(png_path, png)
    return pages.Embed(
        Markup(inline_svg(svg, diagram.title)),
        diagram.title,
        svg_path,
        png_path,
        diagram.truncated,
        note,
    )


def _claim_chunk(job: _Job, task: tuple[Sequence[str], SharedAnalysis]) -> int:
    claim_ids, shared_analysis = task
    analysis = shared_analysis.get()
    kb, ev = job.model.kb, job.model.build
    diagrams = [
        neighbourhood_diagram(kb, ev, cid, link_from_subfolder, job.depth) for cid in claim_ids
    ]
    rendered = render_all(job.renderer, [d.dot for d in diagrams])
    for claim_id, diagram, pair in zip(claim_ids, diagrams, rendered, strict=True):
        embed = write_diagram(job.writer, diagram, pair, claim_id, job.shared["base_url"])
        page = pages.claim_page(job.model, job.shared, claim_id, embed, analysis)
        write_page(job.writer, job.env, page)
    return len(claim_ids)


class SharedAnalysis:
    """The analysis, handed to every claim chunk without pickling it into every task.

    For 10,000 claims the analysis pickles to megabytes; sent with each of hundreds of chunks, the
    pickling alone kept the pool's feeder thread busy for most of the build. Instead it is pickled
    once into a file, each task carries only the path, and each worker unpickles it once.
    """

    _loaded: ClassVar[dict[str, SiteAnalysis]] = {}

    def __init__(self, analysis: SiteAnalysis, *, through_file: bool = True) -> None:
        self.inline: SiteAnalysis | None = None
        self.path = ""
        if not through_file:  # no workers to hand it to: this process keeps it
            self.inline = analysis
            return
        try:
            handle, self.path = tempfile.mkstemp(prefix="crux-analysis-", suffix=".pickle")
            with os.fdopen(handle, "wb") as file:
                pickle.dump(analysis, file, protocol=pickle.HIGHEST_PROTOCOL)
        except OSError:  # no writable temporary folder: slower, but still right
            self.remove()
            self.inline = analysis
            return
        SharedAnalysis._loaded[self.path] = analysis  # this process already has it

    def get(self) -> SiteAnalysis:
        if self.inline is not None:
            return self.inline
        loaded = SharedAnalysis._loaded.get(self.path)
        if loaded is None:
            with open(self.path, "rb") as file:
                loaded = pickle.load(file)
            SharedAnalysis._loaded = {self.path: loaded}  # keep one: a worker serves one build
        return loaded

    def remove(self) -> None:
        if self.path:
            SharedAnalysis._loaded.pop(self.path, None)
            with contextlib.suppress(OSError):
                os.unlink(self.path)


class _Done(Generic[T]):
    """A task run at once, for builds without a pool: `.get()` like `AsyncResult`."""

    def __init__(self, value: T) -> None:
        self.value = value

    def get(self) -> T:
        return self.value


def _analyse(job: _Job) -> tuple[SiteAnalysis, dict[str, Tornado]]:
    return site_analysis(job.model)


def _other_chances(job: _Job) -> dict[str, SimulationResult]:
    return column_chances(job.model)


def _write_map(job: _Job) -> pages.Embed:
    kb, ev = job.model.kb, job.model.build
    # The whole map draws every premise in full beside its argument: a shorthand argument's
    # stance is enough there, and the page has a size budget.
    drawing = draw_map(kb, ev, link_from_subfolder, store=RenderCache(), premise_names=False)
    assert drawing.png is not None  # made whenever a render cache is given
    embed = write_diagram(
        job.writer,
        drawing.diagram,
        (drawing.svg, drawing.png),
        None,
        job.shared["base_url"],
        drawing.note,
    )
    # The standalone map lives in `diagrams/`; the index and map pages sit one folder up.
    top = pages.Embed(
        Markup(str(embed.svg).replace('xlink:href="../', 'xlink:href="')),
        embed.title,
        embed.svg_path,
        embed.png_path,
        embed.truncated,
        embed.note,
    )
    write_page(job.writer, job.env, pages.map_page(job.model, job.shared, top))
    return top


def _write_sensitivity(job: _Job, tornadoes: dict[str, Tornado], analysis: SiteAnalysis) -> None:
    """The tornado charts as standalone SVG files, and the page that shows them."""
    kb = job.model.kb
    for claim_id, tornado in tornadoes.items():
        if analysis.charted(kb, claim_id):
            job.writer.write_text(urls.tornado_path(claim_id), tornado_svg(tornado))
    page = pages.sensitivity_page(job.model, job.shared, tornadoes, analysis)
    write_page(job.writer, job.env, page)


def _write_model_script(writer: SiteWriter, model: SiteModel) -> None:
    try:
        from engine.site.whatif_model import model_script
    except ImportError:
        return
    evaluations = {**model.scenarios, model.build.scenario.name: model.build}
    from engine.site.analysis import cached_analysis
    from engine.site.whatif_model import threshold_script

    # Thresholds are read off the formulas' sympy trees: cached, a warm build needs no sympy.
    thresholds = cached_analysis(model, "threshold-script", lambda: threshold_script(model.kb))
    writer.write_text(urls.static_path("model.js"), model_script(model.kb, evaluations, thresholds))


def build_site(
    kb: KnowledgeBase,
    target: Path,
    *,
    scenario: str | None = None,
    sets: Sequence[str] = (),
    assumes: Sequence[str] = (),
    base_url: str = "",
    depth: int = DEFAULT_DEPTH,
    jobs: int | None = None,
    progress: Progress | None = None,
    templates: Path | None = None,
) -> BuildResult:
    """Build the whole site into `target`, atomically; raise and leave `target` alone on failure."""
    model = site_model(kb, scenario, sets, assumes)
    env = make_environment(templates)
    shared = pages.site_context(model, base_url)
    claim_ids = list(kb.claims)
    workers = jobs if jobs is not None else min(2, os.cpu_count() or 1)
    size = chunk_size(len(claim_ids), workers)
    chunks = [claim_ids[i : i + size] for i in range(0, len(claim_ids), size)]
    others = pages.item_pages(model, shared)
    total = len(chunks) + 2
    done = 0

    def step(count: int = 1) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress(done, total)

    # Every formula's MathML and JavaScript, made here before the workers fork (so each is made
    # once) and stored with the cached model, so the next build of these files needs no sympy.
    if formula_products.prepare(kb):
        model_cache.remember(kb)
    with SiteWriter(target) as writer:
        job = _Job(model, env, shared, writer, depth)
        pool = None
        handed: SharedAnalysis | None = None
        if (
            workers > 1
            and len(claim_ids) >= PARALLEL_FROM
            and "fork" in multiprocessing.get_all_start_methods()
        ):
            # Fork before this process starts any Graphviz: each worker makes its own.
            pool = multiprocessing.get_context("fork").Pool(
                workers, initializer=_start_worker, initargs=(job,)
            )

        def run(task: Callable[[_Job], T]) -> _Done[T] | AsyncResult[T]:
            """A task for a worker when there is a pool, else run here and now."""
            if pool is None:
                return _Done(task(job))
            return pool.apply_async(_in_worker, (task,))

        try:
            # The whole map is the largest single drawing (about a second to rasterise on a
            # first build), so it starts first, beside the analysis, not in this process.
            mapped = run(_write_map)
            analysed = run(_analyse)
            other_chances = run(_other_chances)
            writer.copy_tree((templates or templates_dir()) / urls.STATIC, urls.STATIC)
            _write_model_script(writer, model)
            for page in others:
                write_page(writer, env, page)
            step()
            analysis, tornadoes = analysed.get()
            handed = SharedAnalysis(analysis, through_file=pool is not None)
            tasks = [(chunk, handed) for chunk in chunks]
            results = (
                pool.imap(functools.partial(_in_worker, _claim_chunk), tasks)
                if pool is not None
                else (_claim_chunk(job, task) for task in tasks)
            )
            # Figure pages draw their chance curves here while the workers write claim pages.
            for page in pages.figure_pages(model, shared, analysis):
                write_page(writer, env, page)
            top = mapped.get()  # the claim pages are queued first: they do not need the map
            step()
            chances = {**other_chances.get(), model.build_column.key: analysis.build_chances}
            write_page(writer, env, pages.index_page(model, shared, top, analysis, chances))
            _write_sensitivity(job, tornadoes, analysis)
            for _ in results:
                step()
        except BaseException:
            if pool is not None:
                pool.terminate()
            raise
        finally:
            if pool is not None:
                pool.close()
                pool.join()
            if handed is not None:
                handed.remove()
    return BuildResult(
        target,
        len(claim_ids) + len(others) + len(kb.figures) + 3,
        len(claim_ids) + 1,
        make_renderer_name(),
        (top.note,) if top.note else (),
    )


def chunk_size(claims: int, workers: int) -> int:
    """Claims per pool task: at least four tasks per worker, and at most `CHUNK` claims each."""
    return max(1, min(CHUNK, -(-claims // (4 * max(1, workers)))))


def make_renderer_name() -> str:
    from engine.site.graphviz_render import system_dot

    return "system dot" if system_dot() else "Graphviz (WebAssembly)"


__all__ = ["BuildResult", "build_site", "site_model"]
