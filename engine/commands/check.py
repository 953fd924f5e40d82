"""`crux check [DIR]`: validate the knowledge base, verify expectations, and report warnings."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from engine.commands.options import claims_dir, load, strict_option
from engine.errors import CruxError

if TYPE_CHECKING:
    pass


@click.command(
    "check",
    epilog="""\b
Examples:
  crux check                 # ./claims
  crux check my_claims       # the same as: crux check --claims my_claims""",
)
@claims_dir
@click.option(
    "--scenario",
    "-s",
    "scenario_files",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE.yaml",
    help="Also verify a scenario file's expect: (repeatable).",
)
@strict_option
def command(claims_dir: Path, scenario_files: tuple[Path, ...], strict: bool) -> None:
    """Validate DIR (default ./claims), verify every scenario's expectations and those of each
    --scenario FILE, and report what looks suspicious (errors with --strict)."""
    from engine.evaluation.expectations import check_expectations
    from engine.knowledge.lint import format_summary, lint

    kb = load(claims_dir)
    problems, checked = check_expectations(kb)
    for path in scenario_files:
        file_problems, file_checked = check_expectations(kb, [str(path)])
        problems.extend(file_problems)
        checked += file_checked
    warnings = lint(kb)
    if strict and warnings:
        problems.extend(w.problem() for w in warnings)
        raise CruxError(problems, "the check (--strict makes warnings errors)")
    for warning in warnings:
        click.echo(str(warning), err=True)
    if problems:
        raise CruxError(problems, "the expectations")
    counts = ", ".join(
        f"{len(items)} {name if len(items) != 1 else name[:-1]}"
        for name, items in (
            ("sources", kb.sources),
            ("figures", kb.figures),
            ("calculators", kb.calculators),
            ("claims", kb.claims),
            ("arguments", kb.arguments),
            ("scenarios", kb.scenarios),
        )
    )
    noun = "expectation holds" if checked == 1 else "expectations hold"
    click.echo(f"ok: {counts}; {checked} {noun}.")
    if warnings:
        click.echo(format_summary(warnings), err=True)
