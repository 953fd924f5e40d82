"""`crux schema`: print the JSON Schema of a knowledge-base file, for YAML editors."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command(
    "schema",
    epilog="""\b
Example:
  crux schema -o docs/crux.schema.json""",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Write to a file instead of stdout.",
)
def command(output: Path | None) -> None:
    """Print the JSON Schema of claims YAML files.

    Editors with the YAML language server complete and check fields when a file starts with
    `# yaml-language-server: $schema=<path to the schema>`.
    """
    from engine.knowledge.schema import json_schema

    text = json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")
