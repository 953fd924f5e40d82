"""The live uncertainty worker keeps draws and formulas from run to run (CruxUncertainty.core.Memo):
a run with the memo gives the numbers of a fresh run, bit for bit, for every matrix column and
after every edit, and an edit of one figure's range draws only that figure again (its correlated
group with it, reordered jointly)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from engine.knowledge.loader import load_knowledge_base
from engine.site.whatif_model import model_script
from tests.node import NODE, needs_node

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "templates" / "static"
SCRIPTS = [
    "crux-runtime.js",
    "crux-semantics.js",
    "model.js",
    "crux-format.js",
    "crux-engine.js",
    "crux-tipping.js",
    "whatif-state.js",
    "crux-uncertainty.js",
    "whatif-uncertainty.js",
]
pytestmark = needs_node

# Every scenario as a column (as the matrix's columns are), a sequence of edits of ranges and
# values; each state run fresh (no memo) and through one memo that lives across all of them, as
# the worker's does. Reports every difference (Object.is, element by element) and, per edit,
# which figures the memo drew again.
RUNNER = r"""
const fs = require("fs");
const [folder, edits] = [process.argv[1], JSON.parse(fs.readFileSync(0, "utf8"))];
globalThis.self = globalThis;
for (const name of SCRIPTS) (0, eval)(fs.readFileSync(folder + "/" + name, "utf8"));
const engine = new CruxEngine.Engine(CruxModel, CruxSemantics);
const core = CruxUncertainty.core, S = CruxWhatIfState, W = CruxWhatIfChance;
const shared = CruxUncertainty.sharedVector(CruxModel.vector);
const memo = new core.Memo();
const scenarios = [engine.data.defaults].concat(Object.keys(engine.data.scenarios).filter(s => s !== engine.data.defaults));
const keep = engine.data.calculator_order;
const differences = [];
const redrawn = [];
let state = S.copyState({scenario: engine.data.defaults, set: {}, assume: {}, range: {}});
function same(a, b, where) {
  if (JSON.stringify(a.counts) !== JSON.stringify(b.counts)) differences.push([where, "counts", a.counts, b.counts]);
  if (a.combos !== b.combos) differences.push([where, "combos", a.combos, b.combos]);
  for (const id of Object.keys(a.kept)) {
    for (let i = 0; i < a.kept[id].length; i++) {
      if (!Object.is(a.kept[id][i], b.kept[id][i])) { differences.push([where, id, i, a.kept[id][i], b.kept[id][i]]); break; }
    }
  }
}
edits.forEach((edit, e) => {
  state = S.copyState(state);
  if (edit.range) state.range[edit.figure] = edit.range;
  if (edit.value !== undefined) state.set[edit.figure] = edit.value;
  if (edit.release) delete state.set[edit.figure];
  const before = new Set(memo.entries.keys());
  memo.startJob();
  scenarios.forEach((scenario, c) => {
    const column = Object.assign({}, state, {scenario, set: Object.assign({}, state.set)});
    const spec = W.specFor(engine, column, {n: edit.n || 2000, seed: edit.seed || 3, keep});
    const fresh = core.runAll(spec, CruxModel.vector);
    const again = core.runAll(spec, shared);
    const kept = core.runAll(spec, shared, memo);
    same(fresh, again, [e, scenario, "shared"]);
    same(fresh, kept, [e, scenario, "memo"]);
    if (!kept.stamps || Object.keys(kept.stamps).length !== Object.keys(kept.kept).length) differences.push([e, scenario, "no stamps"]);
  });
  const drawn = [...memo.entries.keys()].filter(k => !before.has(k) && k.startsWith("d|")).map(k => k.split("|")[1]);
  const grouped = [...memo.entries.keys()].filter(k => !before.has(k) && k.startsWith("r|")).length;
  redrawn.push({drawn: [...new Set(drawn)].sort(), grouped});
});
process.stdout.write(JSON.stringify({differences, redrawn, hits: memo.hits, misses: memo.misses}));
""".replace("SCRIPTS", json.dumps(SCRIPTS))


def run_memo(kb_folder: Path, tmp: Path, edits: list[dict[str, Any]]) -> dict[str, Any]:
    assert NODE is not None
    for name in SCRIPTS:
        if name != "model.js":
            (tmp / name).write_text((STATIC / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp / "model.js").write_text(model_script(load_knowledge_base(kb_folder)), encoding="utf-8")
    done = subprocess.run(
        [NODE, "-e", RUNNER, str(tmp)],
        input=json.dumps(edits),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return json.loads(done.stdout)


def ranged(kb_folder: Path) -> dict[str, Any]:
    kb = load_knowledge_base(kb_folder)
    return {f: fig for f, fig in kb.figures.items() if fig.range and fig.distribution}


def widen(fig: Any, factor: float) -> list[float]:
    low, high = fig.range
    if fig.distribution == "lognormal":
        mid, spread = (low * high) ** 0.5, (high / low) ** 0.5
        return [mid / spread**factor, mid * spread**factor]
    mid, half = (low + high) / 2, (high - low) / 2 * factor
    lo = max(mid - half, 0.0) if low >= 0 else mid - half
    if fig.minimum is not None:
        lo = max(lo, fig.minimum)
    hi = mid + half if fig.maximum is None else min(mid + half, fig.maximum)
    return [lo, hi]


@pytest.mark.parametrize(
    "folder", ["claims", "examples/hong_kong_ev/claims", "tests/examples/lemonade"]
)
def test_memo_runs_give_fresh_runs_numbers_bit_for_bit(folder: str, tmp_path: Path) -> None:
    figures = ranged(ROOT / folder)
    names = sorted(figures)
    edits: list[dict[str, Any]] = [{"figure": names[0]}]  # the page as built
    for i, fid in enumerate(names[:6]):
        edits.append({"figure": fid, "range": widen(figures[fid], [1.5, 0.5, 2.0][i % 3])})
    edits.append({"figure": names[-1], "value": figures[names[-1]].range[1]})  # held at a value
    edits.append({"figure": names[-1], "release": True})
    edits.append({"figure": names[0], "seed": 11})  # another seed: nothing kept applies
    edits.append({"figure": names[0], "n": 777})  # another n
    result = run_memo(ROOT / folder, tmp_path, edits)
    assert result["differences"] == []
    assert result["hits"] > result["misses"]  # the columns share most arrays


def test_an_edit_draws_only_the_edited_figure_again(tmp_path: Path) -> None:
    kb = load_knowledge_base(ROOT / "claims")
    figures = ranged(ROOT / "claims")
    correlated = {f for pair in kb.correlations.values() for f in pair.figures}
    alone = sorted(f for f in figures if f not in correlated)
    edits: list[dict[str, Any]] = [{"figure": alone[0]}]
    edits += [{"figure": f, "range": widen(figures[f], 2.0)} for f in alone[:4]]
    if correlated:
        member = sorted(correlated & set(figures))[0]
        edits.append({"figure": member, "range": widen(figures[member], 2.0)})
    result = run_memo(ROOT / "claims", tmp_path, edits)
    assert result["differences"] == []
    redrawn = result["redrawn"]
    assert len(redrawn[0]["drawn"]) == len(figures)  # the first job draws every ranged figure
    for edit, again in zip(edits[1:5], redrawn[1:5], strict=True):
        assert again["drawn"] == [edit["figure"]]
        assert again["grouped"] == 0  # its correlated neighbours are not reordered again
    if correlated:
        assert redrawn[5]["drawn"] == [edits[5]["figure"]]
        assert redrawn[5]["grouped"] >= 1  # the group is reordered jointly with the new draws
