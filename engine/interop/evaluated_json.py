"""The whole evaluated map as one versioned JSON document (`"crux_json": 1`).

It holds the knowledge base as written (claims, arguments, figures, calculators, sources,
scenarios), the label and its basis for every claim under every scenario and every lens option,
the tipping points and P(holds) under the chosen scenario. `docs/crux-json.schema.json` is its
published JSON Schema; `docs/interop.md` gives the versioning policy: fields may be added within a
version, and any removal or change of meaning bumps `crux_json`.
"""

from __future__ import annotations

import math
from typing import Any

from engine.analysis.flips import find_flips
from engine.analysis.simulate import simulate
from engine.evaluation.evaluate import evaluate_scenario
from engine.knowledge.loader import KnowledgeBase
from engine.knowledge.scenario import resolve_scenario

VERSION = 1
SAMPLES = 2_000
SEED = 1


def runs(kb: KnowledgeBase) -> list[tuple[str, str | None, tuple[str, ...]]]:
    """(name, scenario, settings) of every scenario and of every lens option on the defaults."""
    result: list[tuple[str, str | None, tuple[str, ...]]] = [("defaults", None, ())]
    result += [(name, name, ()) for name in sorted(kb.scenarios)]
    for fid, figure in sorted(kb.figures.items()):
        result += [
            (f"{fid}={option}", None, (f"{fid}={option}",)) for option in figure.choices or ()
        ]
    return result


def _number(value: float) -> float | str | None:
    if math.isnan(value):
        return None
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def _dump(items: Any) -> dict[str, Any]:
    return {
        key: item.model_dump(mode="json", exclude_defaults=True)
        for key, item in sorted(items.items())
    }


def evaluated_map(
    kb: KnowledgeBase, scenario: str | None, samples: int = SAMPLES
) -> dict[str, Any]:
    chosen = resolve_scenario(kb, scenario, (), ())
    evaluations: dict[str, Any] = {}
    for name, scenario_name, sets in runs(kb):
        ev = evaluate_scenario(kb, scenario_name, sets)
        evaluations[name] = {
            "labels": {cid: ev.claims[cid] for cid in sorted(kb.claims)},
            "basis": {cid: ev.basis[cid] for cid in sorted(kb.claims)},
            "arguments": {aid: ev.arguments[aid] for aid in sorted(kb.arguments)},
            "values": {
                qid: _number(ev.value(qid)) for qid in sorted([*kb.figures, *kb.calculators])
            },
        }
    flips = find_flips(kb, chosen)
    simulation = simulate(kb, chosen, samples, SEED)
    return {
        "crux_json": VERSION,
        "scenario": chosen.name,
        "central": kb.central_claim,
        "sources": _dump(kb.sources),
        "figures": _dump(kb.figures),
        "calculators": _dump(kb.calculators),
        "claims": _dump(kb.claims),
        "arguments": _dump(kb.arguments),
        "scenarios": _dump(kb.scenarios),
        "evaluations": evaluations,
        "tipping_points": flips.to_json(),
        "p_holds": {
            "samples": simulation.n,
            "seed": SEED,
            "claims": {cid: p["p_holds"] for cid, p in simulation.to_json()["claims"].items()},
        },
    }


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the document `evaluated_map` returns (docs/crux-json.schema.json)."""
    # Items refer to the knowledge base's own schema (docs/crux.schema.json) rather than copy it,
    # so the two cannot drift.
    label = {"enum": ["holds", "fails", "undecided"]}
    by_id = lambda ref: {  # noqa: E731
        "type": "object",
        "additionalProperties": {"$ref": f"crux.schema.json#/$defs/{ref}"},
    }
    number = {"oneOf": [{"type": "number"}, {"enum": ["inf", "-inf"]}, {"type": "null"}]}
    evaluation = {
        "type": "object",
        "required": ["labels", "basis", "arguments", "values"],
        "additionalProperties": False,
        "properties": {
            "labels": {"type": "object", "additionalProperties": label},
            "basis": {
                "type": "object",
                "additionalProperties": {
                    "enum": ["numbers", "assumption", "arguments", "presumption"]
                },
            },
            "arguments": {"type": "object", "additionalProperties": label},
            "values": {"type": "object", "additionalProperties": number},
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"crux evaluated map, crux_json {VERSION}",
        "type": "object",
        "required": [
            "crux_json",
            "scenario",
            "central",
            "sources",
            "figures",
            "calculators",
            "claims",
            "arguments",
            "scenarios",
            "evaluations",
            "tipping_points",
            "p_holds",
        ],
        "properties": {
            "crux_json": {"const": VERSION},
            "scenario": {"type": "string"},
            "central": {"type": ["string", "null"]},
            "sources": by_id("Source"),
            "figures": by_id("Figure"),
            "calculators": by_id("Calculator"),
            "claims": by_id("Claim"),
            "arguments": by_id("Argument"),
            "scenarios": by_id("Scenario"),
            "evaluations": {
                "description": "By run: 'defaults', each scenario, and 'figure=option' for every lens option.",
                "type": "object",
                "additionalProperties": evaluation,
            },
            "tipping_points": {
                "description": "As `crux flips --format json` (docs/analysis.md): one entry per claim and figure.",
                "type": "array",
                "items": {"type": "object", "required": ["claim", "figure"]},
            },
            "p_holds": {
                "type": "object",
                "required": ["samples", "seed", "claims"],
                "properties": {
                    "samples": {"type": "integer", "minimum": 1},
                    "seed": {"type": "integer"},
                    "claims": {
                        "type": "object",
                        "additionalProperties": {"type": "number", "minimum": 0, "maximum": 1},
                    },
                },
            },
        },
    }
