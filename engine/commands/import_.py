"""`crux import FORMAT FILE`: read another tool's map into a new claims folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import yaml

from engine.commands.writing import write_folder_atomically


@click.group("import")
def command() -> None:
    """Read another tool's map into a new claims folder that passes `crux check`."""


@command.command("argdown")
@click.argument(
    "source", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE.argdown|FILE.json"
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="The new claims folder (default: the file's name without its extension).",
)
def argdown(source: Path, output: Path | None) -> None:
    """Read an Argdown file, or the JSON that `argdown json` exports, into a claims folder.

    A .argdown file is read with the Argdown CLI, so it means what it means in Argdown. Relations
    crux cannot represent exactly are mapped as docs/interop.md describes, each with a warning.

    Example: crux import argdown debate.argdown -o claims && crux check claims
    """
    from engine.interop.argdown_io import import_argdown

    if not source.is_file():
        from engine.errors import UsageError

        raise UsageError(
            f"expected an .argdown or .json file, found {'a folder' if source.exists() else 'nothing'}",
            str(source),
        )
    sections, report = import_argdown(source)
    folder = output or Path(source.stem)
    write_claims_folder(folder, source.stem, sections)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(
        f"imported {report.statements} statements, {report.arguments} arguments and "
        f"{report.relations} relations into {folder}/ ({report.claims} claims, "
        f"{report.crux_arguments} arguments; {len(report.warnings)} warnings)",
        err=True,
    )


def write_claims_folder(folder: Path, stem: str, sections: dict[str, Any]) -> None:
    """Check `sections` as a knowledge base first, then write them; a map that would not pass
    `crux check` is never written."""
    import tempfile

    from engine.knowledge.loader import load_knowledge_base

    text = yaml.safe_dump(sections, sort_keys=False, allow_unicode=True, width=100)
    name = f"{_file_stem(stem)}.yaml"
    with tempfile.TemporaryDirectory(prefix="crux-import-") as trial:
        Path(trial, name).write_text(text, encoding="utf-8")
        load_knowledge_base(trial)
    write_folder_atomically(folder, {name: text})


def _file_stem(stem: str) -> str:
    from engine.interop.ids import slug

    return slug(stem, "map")
