"""Reading AIF and xAIF JSON into a checked graph (docs/interop.md, "AIF and xAIF").

AIF JSON, as AIFdb serves it and OVA writes it, is `{nodes, edges, locutions}`; xAIF, ARG-tech's
interlingua, wraps the same lists (and `participants`) in an `AIF` object beside the analysed
`text`. Either is accepted by either command: the file says which it is. Node and person ids may
be strings or integers (xAIF writes both), so they are compared as text.

Every problem is reported at once, each at its `path:line:col`: a file that is not JSON, lists
that are missing or hold the wrong things, duplicate node ids and edges whose ends name no node.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.errors import CruxError, Problem
from engine.interop.json_located import JsonPath, Locator, describe, read_json

MAX_NODES = 200_000
"""More nodes than any published AIF corpus has in one map; past this a file is refused."""


@dataclass(frozen=True)
class AifNode:
    id: str
    type: str
    text: str
    scheme: str | None
    crux: dict[str, Any]
    """The non-standard `crux` key crux's own export writes (other readers ignore it)."""


@dataclass
class AifGraph:
    xaif: bool
    nodes: dict[str, AifNode] = field(default_factory=dict)
    edges: list[tuple[str, str]] = field(default_factory=list)
    speakers: dict[str, str] = field(default_factory=dict)
    """Locution node id → the speaker's name, from `locutions` and `participants`."""
    persons: dict[str, str] = field(default_factory=dict)
    """Locution node id → the person id of a speaker whom `participants` does not name."""
    unused_participants: int = 0

    def successors(self) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {node: [] for node in self.nodes}
        for source, target in self.edges:
            result[source].append(target)
        return result

    def predecessors(self) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {node: [] for node in self.nodes}
        for source, target in self.edges:
            result[target].append(source)
        return result


def _id(value: Any) -> str | None:
    """A node or person id as text; None when it is no id at all."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | str) and str(value).strip():
        return str(value).strip()
    return None


def read_aif(path: Path) -> AifGraph:
    """The graph in an AIF or xAIF file, or a `CruxError` listing every problem in it."""
    data, text = read_json(path, "AIF or xAIF JSON")
    locator = Locator(path, text)
    problems: list[Problem] = []

    def problem(at: JsonPath, message: str) -> None:
        problems.append(locator.problem(at, message))

    if not isinstance(data, dict):
        problem((), f"expected an AIF object with 'nodes' and 'edges', found {describe(data)}")
        raise CruxError(problems)
    xaif = "AIF" in data
    body, prefix = (data["AIF"], ("AIF",)) if xaif else (data, ())
    if not isinstance(body, dict):
        problem(prefix, f"expected the xAIF 'AIF' object, found {describe(body)}")
        raise CruxError(problems)
    lists: dict[str, list[Any]] = {}
    for key in ("nodes", "edges", "locutions", "participants"):
        value = body.get(key)
        if key not in body and key in ("nodes", "edges"):
            problem(
                prefix,
                f"expected a list '{key}' in the {'xAIF' if xaif else 'AIF'} object, found none",
            )
        elif value is None and key not in ("nodes", "edges"):
            lists[key] = []  # xAIF writes null for an empty optional list
        elif not isinstance(value, list):
            problem((*prefix, key), f"expected '{key}' to be a list, found {describe(value)}")
        else:
            lists[key] = value
    if problems:
        raise CruxError(problems)
    if len(lists["nodes"]) > MAX_NODES:
        problem(
            (*prefix, "nodes"), f"expected at most {MAX_NODES} nodes, found {len(lists['nodes'])}"
        )
        raise CruxError(problems)

    graph = AifGraph(xaif=xaif)
    for index, item in enumerate(lists["nodes"]):
        at = (*prefix, "nodes", index)
        if not isinstance(item, dict):
            problem(at, f"expected a node object, found {describe(item)}")
            continue
        node_id, kind, words = _id(item.get("nodeID")), item.get("type"), item.get("text", "")
        if node_id is None:
            problem(
                (*at, "nodeID"),
                f"expected a nodeID (text or number), found {describe(item.get('nodeID'))}",
            )
            continue
        if not isinstance(kind, str) or not kind.strip():
            problem(
                (*at, "type"),
                f"expected a node type (I, RA, CA, MA, PA, L, YA, TA), found {describe(kind)}",
            )
            continue
        if not isinstance(words, str):
            problem((*at, "text"), f"expected the node's text, found {describe(words)}")
            continue
        if node_id in graph.nodes:
            problem((*at, "nodeID"), f"expected a unique nodeID, found {node_id!r} a second time")
            continue
        scheme = item.get("scheme")
        crux = item.get("crux")
        graph.nodes[node_id] = AifNode(
            id=node_id,
            type=kind.strip(),
            text=" ".join(words.split()),
            scheme=scheme.strip() if isinstance(scheme, str) and scheme.strip() else None,
            crux=crux if isinstance(crux, dict) else {},
        )
    for index, item in enumerate(lists["edges"]):
        at = (*prefix, "edges", index)
        if not isinstance(item, dict):
            problem(at, f"expected an edge object with fromID and toID, found {describe(item)}")
            continue
        ends = []
        for key in ("fromID", "toID"):
            end = _id(item.get(key))
            if end is None:
                problem(
                    (*at, key), f"expected {key} to name a node, found {describe(item.get(key))}"
                )
            elif end not in graph.nodes:
                problem(
                    (*at, key), f"expected {key} to name a node, found {end!r}, which no node has"
                )
            else:
                ends.append(end)
        if len(ends) == 2:
            graph.edges.append((ends[0], ends[1]))
    people: dict[str, str] = {}
    for index, item in enumerate(lists["participants"]):
        person = _id(item.get("participantID")) if isinstance(item, dict) else None
        if person is None:
            problem(
                (*prefix, "participants", index),
                f"expected a participant with a participantID, found {describe(item)}",
            )
            continue
        name = " ".join(str(item.get(part) or "") for part in ("firstname", "surname")).strip()
        people[person] = " ".join(name.split())
    used: set[str] = set()
    for index, item in enumerate(lists["locutions"]):
        at = (*prefix, "locutions", index)
        node_id = _id(item.get("nodeID")) if isinstance(item, dict) else None
        if node_id is None:
            problem(at, f"expected a locution with a nodeID, found {describe(item)}")
            continue
        if node_id not in graph.nodes:
            problem(
                (*at, "nodeID"),
                f"expected the nodeID of a node, found {node_id!r}, which no node has",
            )
            continue
        person = _id(item.get("personID"))
        if person is not None:
            used.add(person)
            if people.get(person):
                graph.speakers[node_id] = people[person]
            else:
                graph.persons[node_id] = person
    graph.unused_participants = len(set(people) - used)
    if problems:
        raise CruxError(problems)
    return graph
