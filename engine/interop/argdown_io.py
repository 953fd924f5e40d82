"""The two Argdown operations end to end: a knowledge base → `.argdown` text, and an `.argdown` or
Argdown JSON file → the sections of a claims folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.interop.argdown_cli import run_json_export
from engine.interop.argdown_model import ArgdownMap
from engine.interop.argdown_read import argdown_map, front_matter, read_json_file
from engine.interop.argdown_to_crux import ImportReport, to_crux
from engine.interop.argdown_write import write_argdown
from engine.interop.crux_to_argdown import argdown_of
from engine.interop.crux_to_argdown import front_matter as crux_front_matter
from engine.knowledge.loader import KnowledgeBase


def declared_arguments(kb: KnowledgeBase) -> dict[str, Any]:
    """Arguments as written in the YAML: without the ones a claim's `supports`/`attacks` makes."""
    shorthand = {
        f"{claim_id}_{field}_{target}"
        for claim_id, claim in kb.claims.items()
        for field in ("supports", "attacks")
        for target in getattr(claim, field)
    }
    return {
        arg_id: arg.model_dump(mode="json", exclude_defaults=True)
        for arg_id, arg in sorted(kb.arguments.items())
        if arg_id not in shorthand
    }


def _dump(items: Any) -> dict[str, Any]:
    return {
        key: item.model_dump(mode="json", exclude_defaults=True)
        for key, item in sorted(items.items())
    }


def export_argdown(kb: KnowledgeBase, labels: dict[str, str] | None, scenario: str | None) -> str:
    """The `.argdown` text of `kb`; `labels` (claim → label) become `#holds`/`#fails`/… tags."""
    argdown: ArgdownMap = argdown_of(kb.claims, kb.arguments, labels)
    sections = {
        "sources": _dump(kb.sources),
        "figures": _dump(kb.figures),
        "calculators": _dump(kb.calculators),
        "scenarios": _dump(kb.scenarios),
        "arguments": declared_arguments(kb),
    }
    argdown.front_matter = crux_front_matter({k: v for k, v in sections.items() if v}, scenario)
    return write_argdown(argdown)


def import_argdown(path: Path) -> tuple[dict[str, dict[str, Any]], ImportReport]:
    """The sections of a claims folder read from `path` (`.argdown`, or the CLI's `.json`)."""
    if path.suffix == ".json":
        data = read_json_file(path)
        matter: dict[str, Any] = {}
    else:
        text = _read_text(path)
        matter = front_matter(text, path)
        data = run_json_export(path)
    source = argdown_map(data)
    source.front_matter = matter
    return to_crux(source, path.name)


def _read_text(path: Path) -> str:
    from engine.errors import CruxError, Location, Problem

    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CruxError(
            [Problem(Location(str(path)), f"cannot read the file: {exc.strerror}")]
        ) from None
    except UnicodeDecodeError:
        raise CruxError(
            [Problem(Location(str(path)), "expected UTF-8 text, found binary data")]
        ) from None
