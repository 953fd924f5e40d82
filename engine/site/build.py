"""`crux build`'s pipeline: model → analysis → plan → emit, with one atomic swap at the end.

1. **Model**: every scenario evaluated, formulas compiled (`engine.site.model`).
2. **Analysis**: tipping points, probabilities, tornado charts (`engine.site.analysis`).
3. **Plan**: every page as its template and context, every diagram as its DOT text, a few files as
   their text (`engine.site.site_plan`). Pure: it touches no file of the site.
4. **Emit**: render the diagrams (from the render cache when it has them), render the pages, write
   it all into a fresh folder that replaces the previous site only once complete
   (`engine.site.emit`, `engine.site.writer`).

The site is planned and emitted in parts, spread over a process pool for larger maps. Claim
pages dominate the work (each has a diagram laid out by Graphviz and rasterised to PNG), so they
are split into chunks, each planned and emitted by one worker; each worker keeps one Graphviz
renderer and writes straight into the build's temporary folder. The whole map and the analysis are
tasks submitted first: the map (the largest drawing), the build scenario's analysis (the claim
pages wait for it), and the other matrix columns' probabilities (the index waits for them).
Meanwhile this process plans and emits the item pages. Every file's content depends only on the
knowledge base and the scenario, so the order in which workers finish cannot change a byte.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import os
import pickle
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

from jinja2 import Environment

from engine.analysis.sensitivity import Tornado
from engine.analysis.simulate import SimulationResult
from engine.knowledge.knowledge_base import KnowledgeBase
from engine.site import formula_products, model_cache, pages, urls
from engine.site.analysis import SiteAnalysis, column_chances, site_analysis
from engine.site.diagram import DEFAULT_DEPTH
from engine.site.emit import Emitter
from engine.site.graphviz_render import wait_for_graphviz
from engine.site.model import SiteModel, site_model
from engine.site.orphans import exit_with_parent
from engine.site.render import make_environment, templates_dir
from engine.site.site_plan import (
    plan_claims,
    plan_figures,
    plan_items,
    plan_map_page,
    plan_summary,
)
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
    shared: dict[str, Any]
    emitter: Emitter
    depth: int


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


def _claim_chunk(job: _Job, task: tuple[Sequence[str], SharedAnalysis]) -> int:
    """Plan and emit the pages of some claims: planned in the process that writes them, so
    their contexts are never pickled."""
    claim_ids, shared_analysis = task
    plan = plan_claims(job.model, job.shared, shared_analysis.get(), claim_ids, job.depth)
    job.emitter.emit(plan)
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


def _map(job: _Job) -> pages.Embed:
    """Plan and emit the whole map and its page; the index shows the map too."""
    drawn = job.emitter.emit(plan_map_page(job.model, job.shared))
    return drawn[urls.diagram_path(None)]


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
    static = (templates or templates_dir()) / urls.STATIC
    claim_ids = list(kb.claims)
    workers = jobs if jobs is not None else min(2, os.cpu_count() or 1)
    size = chunk_size(len(claim_ids), workers)
    chunks = [claim_ids[i : i + size] for i in range(0, len(claim_ids), size)]
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
        job = _Job(model, shared, Emitter(writer, env, base_url), depth)
        pool = None
        handed: SharedAnalysis | None = None
        if (
            workers > 1
            and len(claim_ids) >= PARALLEL_FROM
            and "fork" in multiprocessing.get_all_start_methods()
        ):
            # What every process needs, made once here and inherited by the workers: the
            # compiled Graphviz when `start_layouts_early` started it (it must be done before
            # the fork anyway), and the compiled templates.
            wait_for_graphviz()
            compile_templates(env)
            import_what_sampling_needs(model)
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
            mapped = run(_map)
            analysed = run(_analyse)
            other_chances = run(_other_chances)
            items = plan_items(model, shared, static)
            job.emitter.emit(items)
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
            job.emitter.emit(plan_figures(model, shared, analysis))
            whole_map = mapped.get()  # the claim pages are queued first: they do not need it
            step()
            summary = plan_summary(model, shared, analysis, tornadoes, other_chances.get())
            job.emitter.emit(summary, {whole_map.svg_path: whole_map})
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
        len(claim_ids) + len(items.pages) + len(kb.figures) + 3,
        len(claim_ids) + 1,
        make_renderer_name(),
        (whole_map.note,) if whole_map.note else (),
    )


def start_layouts_early(claims: Path) -> None:
    """Start compiling the WebAssembly Graphviz now, on a thread, if the build will lay out
    diagrams: when the knowledge base changed since crux last compiled it (its model is not in
    the cache), its diagrams most likely did too. Called before loading, so the second or so of
    compiling overlaps it; `build_site` waits for it before forking its workers, which inherit
    the compiled instance. A warm build finds its drawings in the render cache and never starts
    Graphviz, so it is not started for one."""
    from engine.site import model_cache
    from engine.site.graphviz_render import start_graphviz_in_background, system_dot

    try:
        changed = not model_cache.entry_path(claims).is_file()
    except OSError:
        return  # a file vanished while hashing: loading reports what is wrong
    if (changed or os.environ.get("CRUX_NO_RENDER_CACHE")) and system_dot() is None:
        start_graphviz_in_background()


def compile_templates(env: Environment) -> None:
    """Compile every page template now (jinja keeps them), so that forked workers inherit them
    rather than each compiling the ones it renders."""
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)


def import_what_sampling_needs(model: SiteModel) -> None:
    """Import `scipy.special` now when this build will draw samples (its analysis is not in the
    cache), so that the workers inherit it: this process (the calculators' histograms) and both
    workers (the build's analysis, the other columns' chances) would otherwise each import it.
    A warm build reads its analysis from the cache and never imports scipy."""
    from engine.site.analysis import analysis_path

    if not analysis_path(model, "site_analysis").is_file():
        import scipy.special  # noqa: F401


def chunk_size(claims: int, workers: int) -> int:
    """Claims per pool task: at least four tasks per worker, and at most `CHUNK` claims each."""
    return max(1, min(CHUNK, -(-claims // (4 * max(1, workers)))))


def make_renderer_name() -> str:
    from engine.site.graphviz_render import system_dot

    return "system dot" if system_dot() else "Graphviz (WebAssembly)"


__all__ = ["BuildResult", "build_site", "site_model"]
