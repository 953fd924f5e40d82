"""`crux export FORMAT`: write the knowledge base in another tool's format."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from engine.commands.options import claims_dir, load, scenario_options
from engine.commands.writing import write_text_atomically


@click.group("export")
def command() -> None:
    """Write the knowledge base in another tool's format."""


@command.command("argdown")
@claims_dir
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="The .argdown file (default: standard output).",
)
@scenario_options
def argdown(
    claims_dir: Path,
    output: Path | None,
    scenario: str | None,
    sets: tuple[str, ...],
    assumes: tuple[str, ...],
) -> None:
    """Write DIR as Argdown: claims as statements, arguments as premise-conclusion structures and
    relations, each claim's label under the scenario as a #holds/#fails/#undecided tag, and
    everything Argdown has no place for in inline data and the front matter.

    Example: crux export argdown claims -o map.argdown && npx argdown map map.argdown out/
    """
    from engine.evaluation.evaluate import evaluate_scenario
    from engine.interop.argdown_io import export_argdown

    kb = load(claims_dir)
    evaluation = evaluate_scenario(kb, scenario, sets, assumes)
    text = export_argdown(kb, dict(evaluation.claims), evaluation.scenario.name)
    if output is None:
        sys.stdout.write(text)
    else:
        write_text_atomically(output, text)
        click.echo(
            f"wrote {output} ({len(kb.claims)} claims, {len(kb.arguments)} arguments)", err=True
        )
