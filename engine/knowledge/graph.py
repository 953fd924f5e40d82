"""The knowledge base as one networkx DiGraph (DESIGN §6: "build graph").

Nodes are ids (unique across the knowledge base) with a `kind` attribute: source, figure,
calculator, claim, argument. Edges point the way information flows: figure → calculator → claim
(through `holds_when`), premise → argument → conclusion, undercutter → argument, source → what
cites it.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import Any

import networkx as nx


def build_graph(
    figures: Mapping[str, Any],
    calculators: Mapping[str, Any],
    claims: Mapping[str, Any],
    arguments: Mapping[str, Any],
    formulas: Mapping[str, Any],
    conditions: Mapping[str, Any],
    sources: Mapping[str, Any],
) -> nx.DiGraph:
    """Build the graph in sorted id order so that every traversal of it is deterministic."""
    graph = nx.DiGraph()
    for kind, items in (
        ("source", sources),
        ("figure", figures),
        ("calculator", calculators),
        ("claim", claims),
        ("argument", arguments),
    ):
        for item_id in sorted(items):
            graph.add_node(item_id, kind=kind)
    for cid in sorted(formulas):
        for name in formulas[cid].names:
            graph.add_edge(name, cid, relation="input")
    for claim_id in sorted(conditions):
        for name in conditions[claim_id].names:
            graph.add_edge(name, claim_id, relation="decides")
    for arg_id in sorted(arguments):
        arg = arguments[arg_id]
        for premise in arg.premises:
            graph.add_edge(premise, arg_id, relation="premise")
        if arg.conclusion is not None:
            graph.add_edge(arg_id, arg.conclusion, relation=arg.stance)
        if arg.undercuts is not None:
            graph.add_edge(arg_id, arg.undercuts, relation="undercuts")
    for items in (figures, claims):
        for item_id in sorted(items):
            for citation in items[item_id].sources:
                graph.add_edge(citation.source, item_id, relation="cites")
    return graph


def kind_of(graph: nx.DiGraph, node: str) -> str:
    return str(graph.nodes[node]["kind"])


def upstream(graph: nx.DiGraph, node: str, kinds: frozenset[str] | None = None) -> list[str]:
    """Every node that `node` depends on (transitively), sorted, optionally filtered by kind."""
    found = nx.ancestors(graph, node)
    return sorted(n for n in found if kinds is None or kind_of(graph, n) in kinds)


def downstream(graph: nx.DiGraph, node: str, kinds: frozenset[str] | None = None) -> list[str]:
    """Every node that depends on `node` (transitively), sorted, optionally filtered by kind."""
    found = nx.descendants(graph, node)
    return sorted(n for n in found if kinds is None or kind_of(graph, n) in kinds)


_UNDIRECTED: weakref.WeakKeyDictionary[nx.DiGraph, nx.Graph] = weakref.WeakKeyDictionary()


def _undirected_without_sources(graph: nx.DiGraph) -> nx.Graph:
    """Built once per graph: a filtered view would scan every node on each neighbourhood."""
    undirected = _UNDIRECTED.get(graph)
    if undirected is None:
        kept = [n for n in graph.nodes if kind_of(graph, n) != "source"]
        undirected = _UNDIRECTED[graph] = nx.Graph(graph.subgraph(kept))
    return undirected


def neighbourhood(graph: nx.DiGraph, node: str, depth: int, limit: int | None = None) -> list[str]:
    """Nodes within `depth` steps of `node`, ignoring edge direction, nearest first.

    Sources are left out, and so are paths through them: two figures citing one source are not
    neighbours. With `limit`, only the `limit` nearest nodes are kept (ties broken by id), so a
    hub cannot make a diagram of hundreds of nodes.
    """
    undirected = _undirected_without_sources(graph)
    lengths = nx.single_source_shortest_path_length(undirected, node, cutoff=depth)
    ordered = sorted(lengths, key=lambda n: (lengths[n], n))
    return ordered if limit is None else ordered[:limit]
