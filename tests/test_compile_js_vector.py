"""The vectorised JavaScript formulas (engine/formula/to_js_vector.py) against the scalar ones.

The uncertainty panel evaluates each formula as one loop over typed arrays; the what-if panel
as one call per scenario (engine/formula/to_js.py), which tests/test_compile_js.py checks against
numpy. Here both JavaScript forms of every calculator and condition of three knowledge bases get
the same random inputs (ordinary numbers over many magnitudes, 0, negatives, 1e±300, NaN) and
must agree bit for bit, NaN for NaN: overflow, division by zero, Kleene logic and the unbounded
formulas (never, crossing) included.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from engine.knowledge.loader import load_knowledge_base
from engine.site.whatif_model import model_script
from tests.node import needs_node

REPO = Path(__file__).resolve().parent.parent
STATIC = REPO / "templates" / "static"
pytestmark = needs_node

CHECK = r"""
const [runtime, model] = process.argv.slice(2);
require(runtime);
require(model);
const M = globalThis.CruxModel;
let seed = 12345;
function random() { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed / 4294967296; }
const special = [0, -0, -1, 1e300, -1e300, 1e-300, 2, 3.5, -0.5, NaN, 1e15, 7, Infinity];
const n = 2000;
let checked = 0, bad = [];
for (const group of ["calculators", "conditions"]) {
  for (const id of Object.keys(M[group])) {
    const source = M[group][id].toString();
    const names = [...new Set([...source.matchAll(/v\["([^"]+)"\]/g)].map(m => m[1]))];
    const arrays = {};
    for (const name of names) {
      arrays[name] = new Float64Array(n).map(() => random() < 0.3
        ? special[Math.floor(random() * special.length)]
        : (random() - 0.3) * 10 ** (random() * 8 - 4));
    }
    const out = new Float64Array(n);
    M.vector[group][id](arrays, n, out);
    const v = {};
    for (let i = 0; i < n; i++) {
      for (const name of names) v[name] = arrays[name][i];
      const scalar = M[group][id](v);
      checked++;
      const same = Object.is(scalar, out[i]) || (scalar !== scalar && out[i] !== out[i]) || (scalar === 0 && out[i] === 0);
      if (!same && bad.length < 10) bad.push([group, id, i, String(scalar), String(out[i])]);
    }
  }
}
console.log(JSON.stringify({checked, bad}));
"""


@pytest.mark.parametrize("folder", ["claims", "tests/examples/lemonade", "tests/examples/vans"])
def test_vector_formulas_equal_the_scalar_ones(node: str, folder: str, tmp_path: Path) -> None:
    kb = load_knowledge_base(REPO / folder)
    model = tmp_path / "model.js"
    model.write_text(model_script(kb), encoding="utf-8")
    script = tmp_path / "check.js"
    script.write_text(CHECK, encoding="utf-8")
    done = subprocess.run(
        [node, str(script), str(STATIC / "crux-runtime.js"), str(model)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result = json.loads(done.stdout)
    assert result["bad"] == [], result["bad"]
    assert result["checked"] >= 2000 * (len(kb.calculators) + len(kb.conditions))
