"""Reading the Argdown CLI's JSON export (`argdown json`) and an `.argdown` file's front matter.

The JSON shape is Argdown 1.7.5's `JSONExportPlugin`: statements and arguments keyed by title, and a
flat list of relations. The front matter (`=== … ===`) is configuration the CLI does not export, so
crux reads it from the source text itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from engine.errors import CruxError, Location, Problem
from engine.interop.argdown_model import (
    ArgdownArgument,
    ArgdownMap,
    PcsStep,
    Relation,
    Statement,
)

RELATION_TYPES = ("support", "attack", "undercut", "entails", "contrary", "contradictory")


def read_json_file(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CruxError(
            [Problem(Location(str(path)), f"cannot read the file: {exc.strerror}")]
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line, col = getattr(exc, "lineno", 0), getattr(exc, "colno", 0)
        raise CruxError(
            [
                Problem(
                    Location(str(path), line, col),
                    f"expected Argdown's JSON export, found invalid JSON ({exc})",
                )
            ]
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("statements"), dict):
        raise CruxError(
            [
                Problem(
                    Location(str(path)),
                    "expected Argdown's JSON export (an object with 'statements', 'arguments' and "
                    f"'relations'), found {type(data).__name__}",
                )
            ]
        )
    return data


def front_matter(text: str, path: Path) -> dict[str, Any]:
    """The YAML between the `===` lines that open an `.argdown` file, or {} when there are none."""
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or lines[first].strip() != "===":
        return {}
    end = next((i for i in range(first + 1, len(lines)) if lines[i].strip() == "==="), None)
    if end is None:
        return {}
    try:
        data = yaml.safe_load("\n".join(lines[first + 1 : end]))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first + 2 + mark.line if mark else first + 1
        raise CruxError(
            [
                Problem(
                    Location(str(path), line, (mark.column + 1) if mark else 1),
                    f"front matter: expected YAML, found an error ({getattr(exc, 'problem', exc)})",
                )
            ]
        ) from None
    return data if isinstance(data, dict) else {}


def _canonical_text(members: list[dict[str, Any]]) -> str:
    """Argdown's canonical text of an equivalence class: the member marked canonical, else the
    last member that is not a bare reference."""
    texts = [m for m in members if not m.get("isReference") and (m.get("text") or "").strip()]
    canonical = [m for m in texts if (m.get("data") or {}).get("isCanonical")]
    chosen = canonical[-1] if canonical else (texts[-1] if texts else None)
    return " ".join((chosen.get("text") or "").split()) if chosen else ""


def argdown_map(data: dict[str, Any]) -> ArgdownMap:
    """The map in Argdown's JSON export, in crux's model of it."""
    result = ArgdownMap(sections=len(data.get("sections") or []), tags=len(data.get("tags") or {}))
    for title, ec in (data.get("statements") or {}).items():
        members = ec.get("members") or []
        result.statements[title] = Statement(
            title=title,
            text=_canonical_text(members),
            tags=tuple(ec.get("tags") or ()),
            data=dict(ec.get("data") or {}),
        )
    for title, arg in (data.get("arguments") or {}).items():
        pcs = tuple(
            PcsStep(role=item.get("role", "premise"), title=item["title"])
            for item in arg.get("pcs") or []
        )
        result.arguments[title] = ArgdownArgument(
            title=title,
            text=_canonical_text(arg.get("members") or []),
            pcs=pcs,
            data=dict(arg.get("data") or {}),
        )
    for rel in data.get("relations") or []:
        result.relations.append(
            Relation(
                type=rel["relationType"],
                source=rel["from"],
                source_type=rel["fromType"],
                target=rel["to"],
                target_type=rel["toType"],
            )
        )
    return result
