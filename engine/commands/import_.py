"""`crux import FORMAT FILE`: read another tool's map into a new claims folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from engine.commands.options import folder_output_option
from engine.commands.writing import write_folder_atomically


@click.group("import")
def command() -> None:
    """Read another tool's map into a new claims folder that passes `crux check`.

    The folder must be new (or empty); what the format holds that crux does not is reported.
    docs/interop.md gives each format's mapping and losses.

    \b
    Examples:
      crux import argdown debate.argdown -o claims
      crux import aif nodeset.json -o claims      (or xaif: an OVA3 / xAIF file)
      crux import carneades tweety.yml -o tweety
      crux import tgf framework.tgf -o af
    """


@command.command("argdown")
@click.argument(
    "source", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE.argdown|FILE.json"
)
@folder_output_option
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

    import yaml

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


@command.command("carneades")
@click.argument(
    "source", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE.yml|FILE.json"
)
@folder_output_option
def carneades(source: Path, output: Path | None) -> None:
    """Read a Carneades 4 argument graph (its YAML, or the ground graph Carneades computes as
    JSON) into a claims folder. Its `tests:` become the scenario `carneades_tests`, which
    `crux check` verifies.

    Example: crux import carneades tweety.yml -o tweety && crux check tweety
    """
    from engine.interop.carneades import read_carneades, to_crux

    _require_file(source)
    sections, report = to_crux(read_carneades(source), source.name)
    folder = output or Path(source.stem)
    write_claims_folder(folder, source.stem, sections)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(
        f"imported {report.statements} statements and {report.arguments} arguments into {folder}/ "
        f"({report.expectations} expectations; {len(report.warnings)} warnings)",
        err=True,
    )


@command.command("tgf")
@click.argument("source", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE.tgf")
@folder_output_option
def tgf(source: Path, output: Path | None) -> None:
    """Read a Dung argumentation framework in Trivial Graph Format: a claim per argument and a
    con argument per attack, so crux's labels are the grounded labelling.

    Example: crux import tgf framework.tgf -o af && crux eval af
    """
    from engine.interop.tgf import read_tgf, to_crux

    _require_file(source)
    nodes, attacks = read_tgf(source)
    folder = output or Path(source.stem)
    write_claims_folder(folder, source.stem, to_crux(nodes, attacks))
    click.echo(
        f"imported {len(nodes)} arguments and {len(attacks)} attacks into {folder}/", err=True
    )


def _require_file(source: Path) -> None:
    if not source.is_file():
        from engine.errors import UsageError

        raise UsageError(
            f"expected a file, found {'a folder' if source.exists() else 'nothing'}", str(source)
        )


_FORMAT_NAMES = {"aif": "AIF", "xaif": "xAIF"}


def _aif_command(kind: str) -> click.Command:
    @click.command(kind)
    @click.argument("source", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE.json")
    @folder_output_option
    def aif_command(source: Path, output: Path | None) -> None:
        from engine.interop.aif_read import read_aif
        from engine.interop.aif_to_crux import to_crux

        _require_file(source)
        sections, report = to_crux(read_aif(source), source.name)
        folder = output or Path(source.stem)
        write_claims_folder(folder, source.stem, sections)
        for warning in report.warnings:
            click.echo(f"warning: {warning}", err=True)
        click.echo(f"imported {source} into {folder}/", err=True)
        for line in report.lines():
            click.echo(f"  {line}", err=True)

    other = "xaif" if kind == "aif" else "aif"
    aif_command.help = (
        f"Read an {_FORMAT_NAMES[kind]} argument map (JSON, as AIFdb serves and OVA writes; `import {other}` "
        "reads the same files) into a claims folder: I-nodes become claims, RA pro arguments, CA con "
        "arguments or undercuts, PA weights; asserting locutions give each claim its speaker and "
        "quote. What crux has no place for (MA, TA, non-asserting illocutions) is counted in the "
        "report.\n\n"
        f"Example: crux import {kind} nodeset.json -o claims && crux check claims"
    )
    return aif_command


command.add_command(_aif_command("aif"))
command.add_command(_aif_command("xaif"))
