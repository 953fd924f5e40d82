"""The labelling of many samples at once in JavaScript (CruxSemantics.Plan, which the live
uncertainty panel runs on every distinct combination of decided labels) gives, sample by sample,
the labels of the scalar port (CruxSemantics.label) and of engine/evaluation/semantics.py."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.evaluation.evaluate import argument_specs
from engine.evaluation.semantics import TOLERANCE, ArgumentSpec, label
from engine.knowledge.loader import KnowledgeBase, load_knowledge_base
from tests.node import needs_node, run_json
from tests.test_semantics_js import random_case

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "templates" / "static" / "crux-semantics.js"
pytestmark = needs_node

# Reads {claims, args, fixed: {id: [labels of m samples]}, m, scalar} as JSON on stdin, labels
# the m samples with the plan, and the first `scalar` of them one by one with `label`.
RUNNER = f"""
require({json.dumps(str(SCRIPT))});
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {{
  const results = JSON.parse(input).map((c) => {{
    const ids = Object.keys(c.fixed).sort();
    const values = new Int8Array(ids.length * c.m);
    ids.forEach((id, i) => values.set(c.fixed[id], i * c.m));
    const plan = new CruxSemantics.Plan(c.claims, c.args, ids, {TOLERANCE!r});
    const L = plan.label(values, c.m);
    const row = (r) => Array.from(L.subarray(r * c.m, (r + 1) * c.m));
    const vector = {{claims: {{}}, arguments: {{}}}};
    c.claims.forEach((id, r) => (vector.claims[id] = row(r)));
    c.args.forEach((a, j) => (vector.arguments[a.id] = row(c.claims.length + j)));
    const scalar = [];
    for (let s = 0; s < c.scalar; s++) {{
      const fixed = {{}};
      ids.forEach((id) => (fixed[id] = c.fixed[id][s]));
      const one = CruxSemantics.label(c.claims, c.args, fixed, {TOLERANCE!r});
      scalar.push({{claims: one.claims, arguments: one.arguments}});
    }}
    return {{vector, scalar}};
  }});
  process.stdout.write(JSON.stringify(results));
}});
"""


def run_node(cases: list[dict]) -> list[dict]:
    return run_json(RUNNER, cases, timeout=120)


def engine_labels(case: dict) -> dict:
    args = [
        ArgumentSpec(
            a["id"],
            tuple(a["premises"]),
            a["conclusion"],
            a["stance"],
            a.get("weight", 1.0),
            a.get("undercuts"),
        )
        for a in case["args"]
    ]
    fixed = {c: np.array(v, dtype=np.int8) for c, v in case["fixed"].items()}
    result = label(case["claims"], args, fixed, case["m"])
    return {
        "claims": {c: v.tolist() for c, v in result.claims.items()},
        "arguments": {a: v.tolist() for a, v in result.arguments.items()},
    }


def assert_same_labels(case: dict, got: dict) -> None:
    expected = engine_labels(case)
    assert got["vector"] == expected, "the plan differs from the engine"
    for s, one in enumerate(got["scalar"]):
        assert one["claims"] == {c: v[s] for c, v in expected["claims"].items()}, f"sample {s}"
        assert one["arguments"] == {a: v[s] for a, v in expected["arguments"].items()}


def random_patterns(
    rng: random.Random, fixed: list[str], m: int, constant: float = 0.2
) -> dict[str, list[int]]:
    """m samples of labels of the fixed claims; a share `constant` of them keep one label in
    every sample, and the others lean to one outcome, as a condition on a ranged figure does."""
    patterns = {}
    for c in fixed:
        if rng.random() < constant:
            patterns[c] = [rng.choice([1, -1, 0])] * m
        else:
            weights = [rng.random() for _ in range(3)]
            patterns[c] = rng.choices([1, -1, 0], weights=weights, k=m)
    return patterns


def test_plan_labels_random_maps_with_cycles_and_undercuts_like_the_engine():
    rng = random.Random(20261129)
    cases = []
    for _ in range(300):
        case = random_case(rng)
        fixed = [c for c in case["claims"] if rng.random() < 0.35]
        m = rng.randint(1, 40)
        cases.append({**case, "fixed": random_patterns(rng, fixed, m), "m": m, "scalar": m})
    assert any(len(c["fixed"]) == 0 for c in cases)  # nothing fixed: every sample alike
    for case, got in zip(cases, run_node(cases), strict=True):
        assert_same_labels(case, got)


def test_plan_settles_an_odd_cycle_undecided_and_an_even_one_from_its_inputs():
    args = [
        {"id": "ab", "premises": ["a"], "conclusion": "b", "stance": "con"},
        {"id": "bc", "premises": ["b"], "conclusion": "c", "stance": "con"},
        {"id": "ca", "premises": ["c"], "conclusion": "a", "stance": "con"},
        {"id": "de", "premises": ["d"], "conclusion": "e", "stance": "con"},
        {"id": "ed", "premises": ["e"], "conclusion": "d", "stance": "con"},
        {"id": "xd", "premises": ["x"], "conclusion": "d", "stance": "con"},
    ]
    # x holds, fails, undecided in three samples
    case = {"claims": ["a", "b", "c", "d", "e", "x"], "args": args, "fixed": {"x": [1, -1, 0]}}
    case.update(m=3, scalar=3)
    [got] = run_node([case])
    assert_same_labels(case, got)
    assert got["vector"]["claims"]["a"] == [0, 0, 0]
    assert got["vector"]["claims"]["d"] == [-1, 0, 0]
    assert got["vector"]["claims"]["e"] == [1, 0, 0]


def kb_case(kb: KnowledgeBase, rng: random.Random, m: int, scalar: int) -> dict:
    """A knowledge base's map with its conditions and assumptions fixed, in m random samples."""
    args = [
        {
            "id": a.id,
            "premises": list(a.premises),
            "conclusion": a.conclusion,
            "stance": a.stance,
            "weight": a.weight,
            "undercuts": a.undercuts,
        }
        for a in argument_specs(kb)
    ]
    claims = list(kb.claims)
    fixed = [
        c
        for c, claim in kb.claims.items()
        if claim.holds_when is not None or claim.assumed is not None
    ]
    assert fixed, "a map with nothing decided by numbers tests nothing here"
    return {
        "claims": claims,
        "args": args,
        "fixed": random_patterns(rng, fixed, m, constant=0.0),
        "m": m,
        "scalar": scalar,
    }


def _synthetic(folder: Path) -> KnowledgeBase:
    """bench/synthetic.py's map (the benchmark's shape), smaller."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from synthetic import write_synthetic_kb
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return load_knowledge_base(write_synthetic_kb(folder, claims=400, figures=60, calculators=60))


@pytest.mark.parametrize(
    "which", ["shipped", "lemonade", "analysis", "vans", "hong_kong_ev", "synthetic"]
)
def test_plan_labels_whole_maps_like_the_engine_and_the_scalar_port(
    which: str, tmp_path: Path
) -> None:
    folders = {
        "shipped": ROOT / "claims",
        "hong_kong_ev": ROOT / "examples" / "hong_kong_ev" / "claims",
        **{name: ROOT / "tests" / "examples" / name for name in ("lemonade", "analysis", "vans")},
    }
    kb = (
        _synthetic(tmp_path / "kb") if which == "synthetic" else load_knowledge_base(folders[which])
    )
    rng = random.Random(which)
    case = kb_case(kb, rng, m=300, scalar=12 if which == "synthetic" else 60)
    [got] = run_node([case])
    assert_same_labels(case, got)
    # the samples differ: some claim that no number decides takes more than one label
    undecided_by_numbers = [c for c in case["claims"] if c not in case["fixed"]]
    assert any(len(set(got["vector"]["claims"][c])) > 1 for c in undecided_by_numbers)


def test_plan_weighs_a_claim_with_more_arguments_than_its_table_holds():
    """Up to six arguments a claim decides by a table; past that by sums per sample: both must
    break ties (0.1 + 0.2 against 0.3) as the engine does."""
    rng = random.Random(6)
    premises = [f"p{i}" for i in range(9)]
    weights = [0.1, 0.2, 0.3, 1.0, 0.5, 0.1, 0.2, 0.3, 2.0]
    cases = []
    for count in (1, 2, 6, 7, 9):
        args = [
            {
                "id": f"a{i}",
                "premises": [premises[i]],
                "conclusion": "c",
                "stance": "pro" if i % 2 == 0 else "con",
                "weight": weights[i],
            }
            for i in range(count)
        ]
        case = {"claims": [*premises, "c"], "args": args, "m": 400, "scalar": 50}
        case["fixed"] = random_patterns(rng, premises, 400, constant=0.0)
        cases.append(case)
    for case, got in zip(cases, run_node(cases), strict=True):
        assert_same_labels(case, got)
        assert len(set(got["vector"]["claims"]["c"])) == 3  # holds, fails and undecided all occur
