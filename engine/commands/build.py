"""`crux build [DIR] [-o site]`: write the static site, atomically and reproducibly."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from engine.commands.options import (
    F,
    base_url_option,
    claims_dir,
    depth_option,
    load,
    output_failed,
    scenario_options,
    strict_option,
)
from engine.errors import CruxError

DEFAULT_DEPTH = 2
"""`engine.site.diagram.DEFAULT_DEPTH`, written out so `--help` need not import the site."""

if TYPE_CHECKING:
    from engine.knowledge.loader import KnowledgeBase
    from engine.site.build import BuildResult, Progress


PROGRESS_AFTER = 1.0
"""Seconds a build runs before a progress bar appears (and only on a terminal)."""


def output_option(function: F) -> F:
    return click.option(
        "-o",
        "--output",
        "output",
        default="site",
        show_default=True,
        type=click.Path(path_type=Path, file_okay=False),
        help="The folder to write the site into.",
    )(function)


class LazyProgress:
    """A rich progress bar on stderr that appears only once the build has taken a while."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.bar: Any = None
        self.task: Any = None
        self.enabled = sys.stderr.isatty()

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            if time.monotonic() - self.started < PROGRESS_AFTER:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

            self.bar = Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("Building the site", total=total)
        self.bar.update(self.task, completed=done, total=total)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def run_build(
    claims: Path,
    output: Path,
    scenario: str | None,
    sets: tuple[str, ...] = (),
    assumes: tuple[str, ...] = (),
    base_url: str = "",
    depth: int = DEFAULT_DEPTH,
    progress: Progress | None = None,
    strict: bool = False,
) -> BuildResult:
    """Load, report warnings (errors with `strict`, before anything is written), and build."""
    from engine.site.build import build_site, start_layouts_early
    from engine.site.map_layout import layout_seconds

    layout_seconds()  # a bad $CRUX_LAYOUT_SECONDS is refused before any work

    if claims.is_dir():
        start_layouts_early(claims)
    kb = load(claims)
    report_warnings(kb, scenario, bool(sets or assumes), strict)
    return build_site(
        kb,
        output,
        scenario=scenario,
        sets=sets,
        assumes=assumes,
        base_url=base_url,
        depth=depth,
        progress=progress,
    )


def report_warnings(
    kb: KnowledgeBase, scenario: str | None, overridden: bool, strict: bool
) -> None:
    """Print the map's warnings and the failed expectations of every scenario the site shows;
    with `strict`, raise them as errors instead."""
    from engine.evaluation.expectations import check_expectations, warn_about
    from engine.knowledge.lint import format_summary, lint

    names = [sid for sid, s in kb.scenarios.items() if s.expect]
    if scenario is not None and scenario not in kb.scenarios and not overridden:
        names.append(scenario)  # a scenario file: the site is built under it
    failed, _ = check_expectations(kb, names)
    warnings = lint(kb)
    if strict and (failed or warnings):
        raise CruxError(
            [*failed, *(w.problem() for w in warnings)],
            "the build (--strict makes warnings errors)",
        )
    for line in [*warn_about(failed), *(str(w) for w in warnings)]:
        click.echo(line, err=True)
    if warnings:
        click.echo(format_summary(warnings), err=True)


@click.command(
    "build",
    epilog="""\b
Examples:
  crux build                      # ./claims into ./site
  crux build my_claims -o public --base-url https://example.org/debate/""",
)
@claims_dir
@output_option
@scenario_options
@depth_option(DEFAULT_DEPTH, "Steps around each claim in its neighbourhood diagram.")
@base_url_option(
    "Where the site will be published (http, https or a relative path), "
    "for absolute URLs in embed snippets."
)
@strict_option
def command(
    claims_dir: Path,
    output: Path,
    scenario: str | None,
    sets: tuple[str, ...],
    assumes: tuple[str, ...],
    depth: int,
    base_url: str,
    strict: bool,
) -> None:
    """Build the static site of DIR (default ./claims) into -o (default ./site).

    The scenario defaults to the knowledge base's default scenario (`default: true`), else
    `baseline` if it has one, else the figures' own values. A failed build leaves the previous
    site untouched. Warnings are printed; --strict makes them errors, and then nothing is written.
    """
    started = time.monotonic()
    progress = LazyProgress()
    try:
        result = run_build(
            claims_dir, output, scenario, sets, assumes, base_url, depth, progress, strict
        )
    except OSError as exc:
        # Nothing was swapped in: the previous site is as it was.
        failed = Path(exc.filename) if exc.filename else output
        raise output_failed(exc, failed) from None
    finally:
        progress.close()
    seconds = time.monotonic() - started
    click.echo(
        f"wrote {result.target}: {result.pages} pages, {result.diagrams} diagrams "
        f"({result.renderer}) in {seconds:.1f} s"
    )
    for line in result.skipped:
        click.echo(f"skipped: {line}", err=True)
