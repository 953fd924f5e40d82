"""`crux init [DIR]`: start a new map from a commented starter, never overwriting anything."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from engine.errors import UsageError

if TYPE_CHECKING:
    pass


STARTER = Path(__file__).resolve().parent.parent / "starter"
"""The starter project shipped inside the package: claims/map.yaml, README.md, gitignore."""


def starter_files() -> dict[str, str]:
    """Every file `crux init` writes, by path relative to DIR, in the order it writes them."""
    from engine.knowledge.schema import json_schema

    schema = json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"
    return {
        "claims/map.yaml": (STARTER / "claims" / "map.yaml").read_text(encoding="utf-8"),
        "crux.schema.json": schema,
        ".gitignore": (STARTER / "gitignore").read_text(encoding="utf-8"),
        "README.md": (STARTER / "README.md").read_text(encoding="utf-8"),
    }


@click.command(
    "init",
    epilog="""\b
Example:
  crux init my_debate && cd my_debate && crux check""",
)
@click.argument(
    "directory", required=False, default=".", type=click.Path(path_type=Path), metavar="[DIR]"
)
def command(directory: Path) -> None:
    """Create DIR (default: this folder) with a commented starter map in DIR/claims, the JSON
    Schema for editors, a .gitignore for site/ and a README. Refuses to overwrite anything."""

    if directory.exists() and not directory.is_dir():
        raise UsageError("expected a folder to create the map in, found a file", str(directory))
    files = starter_files()
    taken = [name for name in files if (directory / name).exists()]
    if (directory / "claims").exists() and "claims/map.yaml" not in taken:
        taken.insert(0, "claims")  # any other YAML in claims/ would merge with the starter map
    if taken:
        shown = ", ".join(str(directory / name) for name in taken)
        raise UsageError(
            f"expected a folder without a map, found {shown}; crux init never overwrites "
            "(choose a new folder)",
            str(directory),
        )
    for name, text in files.items():
        target = directory / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    shown_dir = "this folder" if directory == Path(".") else f"{directory}/"
    click.echo(f"created a starter map in {shown_dir}:")
    for name in files:
        click.echo(f"  {directory / name}")
    cd = "" if directory == Path(".") else f"cd {directory} && "
    click.echo(f"next: {cd}crux check --strict && crux eval && crux build")
