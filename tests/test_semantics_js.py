"""The JavaScript port (templates/static/crux-semantics.js) labels exactly as engine/evaluation/semantics.py."""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path

import numpy as np

from engine.evaluation.semantics import TOLERANCE, ArgumentSpec, label
from tests.node import NODE, needs_node, run_json

SCRIPT = Path(__file__).resolve().parents[1] / "templates" / "static" / "crux-semantics.js"
pytestmark = needs_node

# Reads the cases as JSON on stdin, labels each, writes the results as JSON on stdout.
RUNNER = f"""
require({json.dumps(str(SCRIPT))});
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {{
  const cases = JSON.parse(input);
  const results = cases.map((c) => {{
    const r = CruxSemantics.label(c.claims, c.args, c.fixed, {TOLERANCE!r});
    return {{ claims: r.claims, arguments: r.arguments }};
  }});
  process.stdout.write(JSON.stringify(results));
}});
"""


def random_case(rng: random.Random) -> dict:
    size = rng.randint(1, 10)
    claims = [f"c{i}" for i in range(size)]
    n_args = rng.randint(0, 2 * size + 2)
    args = []
    for j in range(n_args):
        undercuts = f"a{rng.randrange(n_args)}" if rng.random() < 0.2 else None
        args.append(
            {
                "id": f"a{j}",
                "premises": rng.sample(claims, min(size, rng.choice([0, 1, 1, 1, 2, 3]))),
                "conclusion": None if undercuts and rng.random() < 0.5 else rng.choice(claims),
                "stance": rng.choice(["pro", "con", "con"]),
                # 0.1, 0.2, 0.3 exercise the tolerance on sums that are not exact in binary.
                "weight": rng.choice([1.0, 1.0, 0.5, 2.0, 3.0, 0.1, 0.2, 0.3]),
                "undercuts": undercuts,
            }
        )
    fixed = {c: rng.choice([1, -1, 0]) for c in claims if rng.random() < 0.2}
    return {"claims": claims, "args": args, "fixed": fixed}


def python_labels(case: dict) -> dict:
    args = [
        ArgumentSpec(
            a["id"], tuple(a["premises"]), a["conclusion"], a["stance"], a["weight"], a["undercuts"]
        )
        for a in case["args"]
    ]
    fixed = {c: np.array([v], dtype=np.int8) for c, v in case["fixed"].items()}
    result = label(case["claims"], args, fixed, 1)
    return {
        "claims": {c: int(v[0]) for c, v in result.claims.items()},
        "arguments": {a: int(v[0]) for a, v in result.arguments.items()},
    }


def run_node(cases: list[dict]) -> list[dict]:
    return run_json(RUNNER, cases, timeout=60)


def test_js_port_labels_like_python_on_random_maps():
    rng = random.Random(20240611)
    cases = [random_case(rng) for _ in range(400)]
    for case, got in zip(cases, run_node(cases), strict=True):
        assert got == python_labels(case), json.dumps(case)


def test_js_port_on_a_dung_chain_and_an_undercut():
    case = {
        "claims": ["a", "b", "c", "d"],
        "args": [
            {"id": "x", "premises": ["a"], "conclusion": "b", "stance": "con"},
            {"id": "y", "premises": ["b"], "conclusion": "c", "stance": "con"},
            {"id": "p", "premises": [], "conclusion": "d", "stance": "pro", "weight": 2},
            {"id": "u", "premises": ["a"], "conclusion": None, "stance": "con", "undercuts": "p"},
        ],
        "fixed": {},
    }
    [got] = run_node([case])
    assert got == {
        "claims": {"a": 1, "b": -1, "c": 1, "d": -1},
        "arguments": {"x": 1, "y": -1, "p": -1, "u": 1},
    }


def test_ties_use_the_engines_tolerance_and_no_other() -> None:
    """One constant: the JS has no tolerance of its own and refuses to label without the engine's."""
    source = SCRIPT.read_text(encoding="utf-8")
    assert repr(TOLERANCE) not in source and "TOLERANCE =" not in source
    assert NODE is not None
    done = subprocess.run(
        [NODE, "-e", f"require({json.dumps(str(SCRIPT))}); CruxSemantics.label(['a'], [], {{}});"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0 and "tie tolerance" in done.stderr
    # 0.1 + 0.2 against 0.3 is a tie (0.30000000000000004 in binary) and labels the same in
    # both, as the exact tie of 0.3 against 0.3 does.
    case = {
        "claims": ["p", "q", "r", "c"],
        "args": [
            {
                "id": "a1",
                "premises": ["p"],
                "conclusion": "c",
                "stance": "pro",
                "weight": 0.1,
                "undercuts": None,
            },
            {
                "id": "a2",
                "premises": ["q"],
                "conclusion": "c",
                "stance": "pro",
                "weight": 0.2,
                "undercuts": None,
            },
            {
                "id": "a3",
                "premises": ["r"],
                "conclusion": "c",
                "stance": "con",
                "weight": 0.3,
                "undercuts": None,
            },
        ],
        "fixed": {"p": 1, "q": 1, "r": 1},
    }
    [from_js] = run_node([case])
    assert from_js == python_labels(case)
    exact = {**case, "args": [{**case["args"][0], "weight": 0.3}, case["args"][2]]}
    assert from_js["claims"]["c"] == python_labels(exact)["claims"]["c"]
