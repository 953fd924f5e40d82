"""Graphviz DOT text for argument-map diagrams: the whole map and each claim's neighbourhood.

The DOT is built by hand (not with the `graphviz` package's `Digraph`) so that every byte is under
our control: nodes and edges come out in sorted order, attributes in a fixed order, and two builds
give identical text, which the golden tests pin. Labels are plain text (no HTML-like labels), so
Graphviz escapes whatever an author wrote when it writes SVG.

Status reads without colour: every claim and argument carries its symbol and word ("✔ holds") and a
border style per label (solid, dashed, dotted); node shape shows the kind.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import networkx as nx

from engine.evaluation.evaluate import Evaluation
from engine.evaluation.explain import ARGUMENT_STATES
from engine.formatting import LABEL_SYMBOLS, format_label, format_quantity, format_setting
from engine.knowledge.graph import kind_of, neighbourhood
from engine.knowledge.knowledge_base import KnowledgeBase

DEFAULT_DEPTH = 2
MAP_LIMIT = 400
NEIGHBOURHOOD_LIMIT = 60
"""Nodes in a claim's diagram at most: past that a hub's diagram would be unreadable and slow."""
"""Most nodes the whole-map diagram draws; past it the map shows the top levels only."""

WRAP = 26
MAX_LINES = 5
SHORT_PREMISE = 48
"""Characters of a premise's text that name a shorthand argument in a diagram."""

Linker = Callable[[str, str], str | None]
"""(kind, id) → the URL a node links to, or None for no link."""

LABEL_STYLE: Mapping[str, tuple[str, str, str]] = {
    # label: (fill, border, border style) — fills differ in lightness too, borders in dash pattern.
    "holds": ("#d7f0dd", "#1c6e33", "solid"),
    "fails": ("#f7d4d0", "#a1261b", "dashed"),
    "undecided": ("#fbefc4", "#7a5d00", "dotted"),
}
PRESUMED_STYLE = ("#ffffff", "#1c6e33", "bold")
"""A claim that holds by presumption only: hollow, so it never looks like a verified one."""
KIND_STYLE: Mapping[str, tuple[str, str]] = {
    # kind: (shape, extra style)
    "claim": ("box", "rounded,"),
    "argument": ("ellipse", ""),
    "figure": ("note", ""),
    "calculator": ("box3d", ""),
}
QUANTITY_STYLE: Mapping[str, tuple[str, str]] = {
    "figure": ("#e4ecf7", "#34507a"),
    "calculator": ("#ece6f5", "#54397a"),
}
EDGE_STYLE: Mapping[str, str] = {
    "input": 'color="#6b7280", arrowhead=normal',
    "decides": 'color="#6b7280", arrowhead=normal',
    "premise": 'color="#374151", arrowhead=none',
    "pro": 'color="#1c6e33", penwidth=1.6, arrowhead=normal',
    "con": 'color="#a1261b", penwidth=1.6, style=dashed, arrowhead=tee',
    "undercuts": 'color="#a1261b", penwidth=1.6, style=dotted, arrowhead=tee',
}
STANCE_WORDS = {"pro": "for", "con": "against"}


@dataclass(frozen=True)
class Diagram:
    """One diagram to draw: its name (`map` or a claim id), title, DOT text and whether it was cut."""

    name: str
    title: str
    dot: str
    truncated: bool = False


def quote(text: str) -> str:
    """A DOT double-quoted string; backslashes are doubled so authors cannot inject escapes."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def shorten(text: str, limit: int) -> str:
    """The text cut at a word boundary to at most ``limit`` characters, marked with an ellipsis."""
    return textwrap.shorten(" ".join(text.split()), limit, placeholder=" …")


def wrap(text: str, width: int = WRAP, max_lines: int = MAX_LINES) -> list[str]:
    """Break text at word boundaries into at most `max_lines` lines."""
    lines = textwrap.wrap(" ".join(text.split()), width=width, break_long_words=True) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return lines


def diagram_nodes(graph: nx.DiGraph, nodes: Iterable[str]) -> list[str]:
    """The drawable nodes among `nodes` (sources are listed on pages, not drawn), sorted."""
    return sorted(n for n in nodes if kind_of(graph, n) in KIND_STYLE)


def neighbourhood_diagram(
    kb: KnowledgeBase,
    ev: Evaluation,
    claim_id: str,
    link: Linker,
    depth: int = DEFAULT_DEPTH,
    *,
    rankdir: str = "BT",
    wrap_width: int = WRAP,
    legend: bool = True,
    row_limit: int | None = None,
) -> Diagram:
    """The claim and everything within `depth` steps of it (the nearest `NEIGHBOURHOOD_LIMIT`)."""
    near = neighbourhood(kb.graph, claim_id, depth)
    nodes = diagram_nodes(kb.graph, near[:NEIGHBOURHOOD_LIMIT])
    title = f"Neighbourhood of {claim_id} ({depth} steps)"
    if len(near) > NEIGHBOURHOOD_LIMIT:
        title += f", the {NEIGHBOURHOOD_LIMIT} nearest of {len(near)} nodes"
    dot = to_dot(
        kb,
        ev,
        nodes,
        link,
        name=claim_id,
        focus=claim_id,
        legend=legend,
        rankdir=rankdir,
        wrap_width=wrap_width,
        row_limit=row_limit,
    )
    return Diagram(claim_id, title, dot)


def map_diagram(
    kb: KnowledgeBase,
    ev: Evaluation,
    link: Linker,
    limit: int = MAP_LIMIT,
    *,
    rankdir: str = "BT",
    wrap_width: int = WRAP,
    legend: bool = True,
    row_limit: int | None = None,
    premise_names: bool = True,
) -> Diagram:
    """The whole map; past `limit` nodes, the conclusions and what lies closest beneath them."""
    everything = diagram_nodes(kb.graph, kb.graph.nodes)
    truncated = len(everything) > limit
    nodes = top_levels(kb, limit) if truncated else everything
    title = (
        "The whole map"
        if not truncated
        else f"The top of the map ({len(nodes)} of {len(everything)} nodes)"
    )
    dot = to_dot(
        kb,
        ev,
        nodes,
        link,
        name="map",
        legend=legend,
        rankdir=rankdir,
        wrap_width=wrap_width,
        row_limit=row_limit,
        premise_names=premise_names,
    )
    return Diagram("map", title, dot, truncated)


def top_levels(kb: KnowledgeBase, limit: int) -> list[str]:
    """Breadth-first upstream from the central claim and conclusions, layer by sorted layer."""
    graph = kb.graph
    tops = sorted(
        cid for cid, claim in kb.claims.items() if claim.role in ("central", "conclusion")
    )
    if not tops:
        tops = sorted(
            n for n in graph.nodes if kind_of(graph, n) == "claim" and graph.out_degree(n) == 0
        )
    chosen: list[str] = []
    seen: set[str] = set()
    layer = [n for n in tops if kind_of(graph, n) in KIND_STYLE]
    while layer and len(chosen) < limit:
        for node in layer:
            if node not in seen and len(chosen) < limit:
                seen.add(node)
                chosen.append(node)
        following = {p for node in layer for p in graph.predecessors(node)}
        following |= {s for node in layer for s in graph.successors(node)}
        layer = sorted(n for n in following if n not in seen and kind_of(graph, n) in KIND_STYLE)
    return sorted(chosen)


def to_dot(
    kb: KnowledgeBase,
    ev: Evaluation,
    nodes: Iterable[str],
    link: Linker,
    *,
    name: str,
    focus: str | None = None,
    legend: bool = True,
    rankdir: str = "BT",
    wrap_width: int = WRAP,
    row_limit: int | None = None,
    premise_names: bool = True,
) -> str:
    """DOT text for the given nodes and the edges among them, in sorted order.

    `premise_names=False` labels a shorthand argument with its stance only ("for"), where the
    premise beside it is drawn in full anyway (the site's whole map, which has a size budget).

    With `row_limit`, a level of the graph holding more nodes than that is spread over several
    staggered rows (edge `minlen`), so a wide fan-in grows taller instead of wider.
    """
    graph = kb.graph
    members = sorted(set(nodes))
    inside = set(members)
    lengths = staggered_lengths(graph.subgraph(members), row_limit) if row_limit else {}
    lines = [
        f"digraph {quote(name)} {{",
        f'  graph [id={quote("diagram-" + name)}, rankdir={rankdir}, bgcolor="white", pad=0.2, '
        'nodesep=0.3, ranksep=0.45, fontname="Helvetica", fontsize=10, tooltip=" "];',
        '  node [fontname="Helvetica", fontsize=11, margin="0.14,0.07", penwidth=1.4];',
        '  edge [fontname="Helvetica", fontsize=9, arrowsize=0.7];',
    ]
    for node in members:
        lines.append("  " + _node(kb, ev, node, link, focus, wrap_width, premise_names))
    for source, target in sorted(graph.subgraph(members).edges):
        if source in inside and target in inside:
            relation = graph.edges[source, target].get("relation", "input")
            edge_id = quote(f"edge-{source}--{target}")
            style = EDGE_STYLE.get(relation, EDGE_STYLE["input"])
            if lengths.get((source, target), 1) > 1:
                style += f", minlen={lengths[source, target]}"
            lines.append(
                f"  {quote(source)} -> {quote(target)} [id={edge_id}, class={quote(relation)}, {style}];"
            )
    if legend:
        lines.extend(_legend())
    lines.append("}")
    return "\n".join(lines) + "\n"


def staggered_lengths(graph: nx.DiGraph, row_limit: int) -> dict[tuple[str, str], int]:
    """Edge lengths (in ranks) that spread each crowded level over ⌈n / row_limit⌉ rows.

    A node's level is the longest path from it to a node with no successor. Level L starts at row
    offset(L), the sum of the rows of the levels below it, and its i-th node (siblings next to one
    another) sits on row offset(L) + i mod rows(L): neighbours zig-zag between rows. An edge's
    length is the difference of its ends' rows, at least 1 because a tail is always a level above
    its head. A graph with a cycle has no levels and keeps Graphviz's own ranks.
    """
    if not nx.is_directed_acyclic_graph(graph):
        return {}
    level: dict[str, int] = {}
    for node in reversed(list(nx.topological_sort(graph))):
        level[node] = max((level[s] + 1 for s in graph.successors(node)), default=0)
    by_level: dict[int, list[str]] = {}
    for node in sorted(level):
        by_level.setdefault(level[node], []).append(node)
    row: dict[str, int] = {}
    place: dict[str, int] = {}
    offset = 0
    for depth in sorted(by_level):
        # Siblings together: order a level by the places of what it points to, then by id.
        members = sorted(
            by_level[depth],
            key=lambda n: (min((place[s] for s in graph.successors(n)), default=0), n),
        )
        rows = -(-len(members) // row_limit)
        for index, node in enumerate(members):
            row[node] = offset + index % rows
            place[node] = index
        offset += rows
    return {(u, v): row[u] - row[v] for u, v in graph.edges}


def _node(
    kb: KnowledgeBase,
    ev: Evaluation,
    node: str,
    link: Linker,
    focus: str | None,
    wrap_width: int = WRAP,
    premise_names: bool = True,
) -> str:
    kind = kind_of(kb.graph, node)
    shape, extra = KIND_STYLE[kind]
    label_name: str | None = None
    if kind == "claim":
        claim = kb.claims[node]
        label_name = ev.claims[node]
        text = wrap(claim.text, wrap_width)
        status = format_label(label_name, ev.basis[node])
        tooltip = claim.text
    elif kind == "argument":
        arg = kb.arguments[node]
        label_name = ev.arguments[node]
        role = STANCE_WORDS[arg.stance] if arg.conclusion else "undercuts"
        # Shorthand arguments (`supports:`/`attacks:`) have no name: say what their premise says.
        if arg.label:
            text = wrap(f"{role}: {arg.label}", wrap_width)
        elif premise_names:
            premise = shorten(kb.claims[arg.premises[0]].text.rstrip("."), SHORT_PREMISE)
            text = wrap(f"{role}: {premise}", wrap_width, max_lines=3)
        else:
            text = [role]
        status = f"{LABEL_SYMBOLS[label_name]} {ARGUMENT_STATES[label_name]}"
        tooltip = f"Argument {role}: {arg.label or kb.claims[arg.premises[0]].text}"
    elif kind == "figure":
        figure = kb.figures[node]
        text = wrap(figure.label, wrap_width)
        status = "= " + format_setting(ev.scenario.settings[node], figure.unit)
        tooltip = figure.label
    else:
        calc = kb.calculators[node]
        text = wrap(calc.label, wrap_width)
        status = "= " + format_quantity(ev.calculators[node], calc.unit)
        tooltip = calc.label
    if kind == "claim" and label_name == "holds" and ev.basis[node] == "presumption":
        fill, border, border_style = PRESUMED_STYLE
        classes = f"{kind} {label_name} presumed"
    elif label_name is not None:
        fill, border, border_style = LABEL_STYLE[label_name]
        classes = f"{kind} {label_name}"
    else:
        fill, border = QUANTITY_STYLE[kind]
        border_style = "solid"
        classes = kind
    attributes = [
        f"id={quote('node-' + node)}",
        f"class={quote(classes)}",
        f"shape={shape}",
        f'style="{extra}filled,{border_style}"',
        f'fillcolor="{fill}"',
        f'color="{border}"',
        f"label={quote(chr(10).join([*text, status]))}",
        f"tooltip={quote(tooltip)}",
    ]
    if node == focus:
        attributes.append("penwidth=3.5")
    if kind == "claim" and kb.claims[node].role == "central":
        attributes.append("peripheries=2")
    url = link(kind, node)
    if url is not None:
        attributes.append(f"URL={quote(url)}")
        attributes.append('target="_top"')
    return f"{quote(node)} [{', '.join(attributes)}];"


def _legend() -> list[str]:
    """A small key: the three labels (colour, border and symbol) and the node shapes."""
    lines = [
        "  subgraph cluster_legend {",
        '    graph [id="legend", label="Key", labeljust=l, labelloc=b, color="#9ca3af", style=rounded, '
        'fontcolor="#374151", margin=8];',
    ]
    for label_name, (fill, border, border_style) in LABEL_STYLE.items():
        lines.append(
            f"    {quote('legend_' + label_name)} [id={quote('legend-' + label_name)}, shape=box, "
            f'style="rounded,filled,{border_style}", fillcolor="{fill}", color="{border}", '
            f'label={quote(LABEL_SYMBOLS[label_name] + " " + label_name)}, fontsize=10, tooltip=" "];'
        )
    fill, border, border_style = PRESUMED_STYLE
    lines.append(
        f'    legend_presumed [id="legend-presumed", shape=box, '
        f'style="rounded,filled,{border_style}", fillcolor="{fill}", color="{border}", '
        f'label={quote(format_label("holds", "presumption"))}, fontsize=10, tooltip=" "];'
    )
    shapes = (
        "rounded box: claim\\lellipse: argument\\lnote: figure\\l3-D box: calculator\\l"
        "→ supports, ⊣ attacks\\l"
    )
    lines.append(
        f'    "legend_kinds" [id="legend-kinds", shape=plaintext, label="{shapes}", fontsize=9, '
        'fontcolor="#374151", tooltip=" "];'
    )
    # Invisible edges stack the key in a narrow column, so it never widens a diagram.
    chain = [quote("legend_" + name) for name in LABEL_STYLE]
    chain += ["legend_presumed", '"legend_kinds"']
    lines.append(f"    {' -> '.join(reversed(chain))} [style=invis];")
    lines.append("  }")
    return lines
