"""The evaluated map as a typed graph for GraphML (graph tools, yEd) and GEXF (Gephi).

Meaning sits in plain, typed `<data>` keys rather than in colours (what Argdown's and Carneades'
GraphML do): node `kind` (claim, argument, figure, calculator), `text`, `label_<scenario>` for
every scenario, `basis`, `p_holds`, `value`, `unit`; edge `role` (premise, conclusion, undercut,
input), `stance` and `weight`. networkx writes both formats.
"""

from __future__ import annotations

import math
from typing import Any

import networkx as nx

from engine.evaluation.evaluate import evaluate_scenario
from engine.knowledge.loader import KnowledgeBase
from engine.knowledge.scenario import resolve_scenario


def evaluated_graph(
    kb: KnowledgeBase, scenario: str | None, p_holds: dict[str, float] | None
) -> nx.DiGraph:
    """One node per claim, argument, figure and calculator; attributes are str, float or bool only,
    as GraphML and GEXF require."""
    chosen = resolve_scenario(kb, scenario, (), ())
    ev = evaluate_scenario(kb, scenario)
    per_scenario = {name: evaluate_scenario(kb, name) for name in sorted(kb.scenarios)}
    graph = nx.DiGraph(name="crux map", scenario=chosen.name)
    for cid, claim in sorted(kb.claims.items()):
        attrs: dict[str, Any] = {
            "kind": "claim",
            "text": claim.text,
            "label": ev.claims[cid],
            "basis": ev.basis[cid],
        }
        for name, other in per_scenario.items():
            attrs[f"label_{name}"] = other.claims[cid]
        if p_holds is not None and cid in p_holds:
            attrs["p_holds"] = float(p_holds[cid])
        if claim.speaker:
            attrs["speaker"] = claim.speaker
        graph.add_node(cid, **attrs)
    quantities = [(fid, "figure", f.label, f.unit) for fid, f in kb.figures.items()]
    quantities += [(cid, "calculator", c.label, c.unit) for cid, c in kb.calculators.items()]
    for qid, kind, text, unit in sorted(quantities):
        value = ev.value(qid)
        attrs = {"kind": kind, "text": text, "unit": unit}
        if not math.isnan(value):
            attrs["value"] = float(value)
        graph.add_node(qid, **attrs)
    for aid, arg in sorted(kb.arguments.items()):
        graph.add_node(
            aid,
            kind="argument",
            text=arg.text or arg.label or aid,
            label="applies" if ev.arguments[aid] == "holds" else ev.arguments[aid],
        )
        for premise in arg.premises:
            graph.add_edge(premise, aid, role="premise")
        if arg.conclusion is not None:
            graph.add_edge(
                aid, arg.conclusion, role="conclusion", stance=arg.stance, weight=float(arg.weight)
            )
        if arg.undercuts is not None:
            graph.add_edge(
                aid, arg.undercuts, role="undercut", stance="con", weight=float(arg.weight)
            )
    for target, formula in [*kb.formulas.items(), *kb.conditions.items()]:
        for name in sorted(formula.names):
            if name in graph and name != target:
                graph.add_edge(name, target, role="input")
    return graph
