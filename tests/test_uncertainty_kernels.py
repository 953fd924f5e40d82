"""Formulas of one shape share one compiled loop in the live uncertainty panel
(CruxUncertainty.sharedVector, which the worker's source and the page's slices use): every
calculator and condition gives the model's own numbers, bit for bit, and a map of many similar
formulas compiles far fewer loops."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from engine.knowledge.loader import load_knowledge_base
from engine.site.whatif_model import model_script
from tests.node import NODE, needs_node

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "templates" / "static"
pytestmark = needs_node

# Loads the scripts, feeds every formula the same awkward inputs through the model's own function
# and through the shared kernel, and reports the first difference (Object.is, so NaN equals NaN
# and 0 differs from -0).
RUNNER = """
const fs = require("fs");
const [folder] = process.argv.slice(1);
globalThis.self = globalThis;
for (const name of ["crux-runtime.js", "model.js", "crux-uncertainty.js"]) {
  (0, eval)(fs.readFileSync(folder + "/" + name, "utf8"));
}
const own = CruxModel.vector;
const shared = CruxUncertainty.sharedVector(own);
const n = 64;
const special = [NaN, Infinity, -Infinity, 0, -0, 1e-300, -2.5, 3, 1e300];
let seed = 7;
const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
const v = {};
const names = Object.keys(CruxModel.data.figures).concat(Object.keys(own.calculators));
for (const name of names) {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = i < special.length ? special[(i + name.length) % special.length] : (random() - 0.3) * 20;
  v[name] = a;
}
const differences = [];
let formulas = 0;
for (const group of ["calculators", "conditions"]) {
  for (const id of Object.keys(own[group])) {
    formulas++;
    const a = new Float64Array(n), b = new Float64Array(n);
    own[group][id](v, n, a);
    shared[group][id](v, n, b);
    for (let i = 0; i < n; i++) if (!Object.is(a[i], b[i])) { differences.push([group, id, i, a[i], b[i]]); break; }
  }
}
process.stdout.write(JSON.stringify({formulas, kernels: shared.kernels, differences}));
"""


def run_shared(kb_folder: Path, tmp: Path) -> dict:
    assert NODE is not None
    for name in ("crux-runtime.js", "crux-uncertainty.js"):
        (tmp / name).write_text((STATIC / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp / "model.js").write_text(model_script(load_knowledge_base(kb_folder)), encoding="utf-8")
    done = subprocess.run(
        [NODE, "-e", RUNNER, str(tmp)], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(done.stdout)


@pytest.mark.parametrize(
    "folder", ["claims", "examples/hong_kong_ev/claims", "tests/examples/lemonade"]
)
def test_shared_kernels_give_the_models_own_numbers(folder: str, tmp_path: Path) -> None:
    result = run_shared(ROOT / folder, tmp_path)
    assert result["formulas"] > 3
    assert result["differences"] == []
    assert 0 < result["kernels"] <= result["formulas"]


def test_a_map_of_similar_formulas_compiles_few_loops(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from synthetic import write_synthetic_kb
    finally:
        sys.path.remove(str(ROOT / "bench"))
    folder = write_synthetic_kb(tmp_path / "kb", claims=300, figures=80, calculators=80)
    (tmp_path / "js").mkdir()
    result = run_shared(folder, tmp_path / "js")
    assert result["differences"] == []
    assert result["formulas"] == 80 + 60  # calculators, and a condition per fifth claim
    assert result["kernels"] <= 10
