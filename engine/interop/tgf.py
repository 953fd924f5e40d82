"""Trivial Graph Format (TGF) Dung frameworks → claims-folder data.

A TGF file lists argument names, a line `#`, then one attack `x y` per line. It is encoded as
docs/semantics.md ("Coincidence with Dung's grounded semantics") does: a claim per argument and a
one-premise con argument per attack, so crux's labels are the grounded labelling.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.errors import CruxError, Location, Problem
from engine.interop.ids import IdMaker


def read_tgf(path: Path) -> tuple[list[str], list[tuple[str, str]]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CruxError(
            [Problem(Location(str(path)), f"cannot read the file: {exc.strerror}")]
        ) from None
    nodes: list[str] = []
    attacks: list[tuple[str, str]] = []
    in_edges = False
    problems = []
    for number, line in enumerate(lines, start=1):
        words = line.split()
        if not words:
            continue
        if words[0] == "#":
            in_edges = True
            continue
        if not in_edges:
            nodes.append(words[0])
        elif len(words) >= 2 and words[0] in nodes and words[1] in nodes:
            attacks.append((words[0], words[1]))
        else:
            problems.append(
                Problem(
                    Location(str(path), number, 1),
                    f"expected an attack 'x y' between listed arguments, found {line.strip()!r}",
                )
            )
    if problems:
        raise CruxError(problems)
    return nodes, attacks


def to_crux(nodes: list[str], attacks: list[tuple[str, str]]) -> dict[str, dict[str, Any]]:
    ids = IdMaker()
    claim_of = {node: ids.make(f"arg {node}" if not node[:1].isalpha() else node) for node in nodes}
    claims = {claim_of[n]: {"text": f"Argument {n} is acceptable.", "title": n} for n in nodes}
    arguments = {
        ids.make(f"{x} attacks {y}"): {
            "premises": [claim_of[x]],
            "conclusion": claim_of[y],
            "stance": "con",
        }
        for x, y in attacks
    }
    data: dict[str, dict[str, Any]] = {"claims": claims}
    if arguments:
        data["arguments"] = arguments
    return data
