"""One physical-bounds rule: sampling, tipping points, sensitivity and the what-if panel agree."""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path

import pytest

from engine.analysis.flips import search_interval
from engine.analysis.sampling import marginal
from engine.analysis.sensitivity import sensitivity
from engine.knowledge.loader import KnowledgeBase, load_knowledge_base
from engine.knowledge.scenario import resolve_scenario
from engine.knowledge.settings import physical_bounds
from engine.site.whatif_model import model_data
from tests.node import NODE, needs_node

REPO = Path(__file__).resolve().parent.parent
TIPPING = REPO / "templates" / "static" / "crux-tipping.js"

# Each figure: its YAML, and the bounds the rule gives it.
FIGURES = {
    # The case the two old rules disagreed on: a value of 0 whose whole range is non-negative.
    "zero_in_range": ("{value: 0, range: [0, 5], distribution: uniform}", (0.0, math.inf)),
    "positive": ("{value: 5, range: [2, 8], distribution: normal}", (0.0, math.inf)),
    "positive_no_range": ("{value: 5}", (0.0, math.inf)),
    "zero_no_range": ("{value: 0}", (-math.inf, math.inf)),
    "signed": ("{value: -3, range: [-5, 1], distribution: normal}", (-math.inf, math.inf)),
    "reaches_below_zero": (
        "{value: 2, range: [-1, 4], distribution: normal}",
        (-math.inf, math.inf),
    ),
    "share": ("{value: 0.5, range: [0.2, 0.9], maximum: 1, distribution: normal}", (0.0, 1.0)),
    "floored": ("{value: 3, range: [2, 4], minimum: 1.5, distribution: uniform}", (1.5, math.inf)),
}


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    folder = tmp_path_factory.mktemp("bounds") / "claims"
    folder.mkdir()
    lines = ["figures:"]
    lines += [f"  {fid}: {{label: {fid}, {text[1:]}" for fid, (text, _) in FIGURES.items()]
    lines += ["claims:"]
    lines += [
        f"  {fid}_is_large: {{text: {fid} is large, holds_when: {fid} > 1}}" for fid in FIGURES
    ]
    (folder / "kb.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_knowledge_base(folder)


@pytest.mark.parametrize("fid", sorted(FIGURES))
def test_the_rule(kb: KnowledgeBase, fid: str) -> None:
    assert physical_bounds(kb.figures[fid]) == FIGURES[fid][1]


@pytest.mark.parametrize("fid", sorted(FIGURES))
def test_sampling_tipping_points_sensitivity_and_the_panel_use_the_rule(
    kb: KnowledgeBase, fid: str
) -> None:
    figure = kb.figures[fid]
    lower, upper = FIGURES[fid][1]
    # The what-if panel gets the bounds from the model, None where open.
    entry = model_data(kb)["figures"][fid]
    assert (entry["minimum"], entry["maximum"]) == (
        lower if math.isfinite(lower) else None,
        upper if math.isfinite(upper) else None,
    )
    # Sampling truncates at them.
    if figure.range is not None:
        m = marginal(kb, fid)
        assert (m.lower, m.upper) == (lower, upper)
    # Tipping points are searched inside them, wherever the figure stands now.
    for now in (float(figure.value), -7.0, 0.0, 0.99, 40.0):
        a, b = search_interval(figure, now)
        assert lower <= a and b <= upper, (now, a, b)
    # Sensitivity sweeps the range clipped to them.
    tornado = sensitivity(kb, resolve_scenario(kb))[f"{fid}_is_large"]
    for bar in tornado.bars:
        assert lower <= bar.low and bar.high <= upper


@needs_node
def test_the_panel_searches_for_tipping_points_where_the_engine_does(kb: KnowledgeBase) -> None:
    data = model_data(kb)["figures"]
    cases = [
        (fid, now)
        for fid in sorted(FIGURES)
        for now in (float(kb.figures[fid].value), -7.0, 0.0, 40.0)
    ]
    script = (
        f"const T = require({json.dumps(str(TIPPING))});\n"
        f"const figures = {json.dumps(data)};\n"
        f"const cases = {json.dumps(cases)};\n"
        "const out = cases.map(([fid, now]) => T.searchInterval(figures[fid], now)"
        ".map(x => Number.isFinite(x) ? x : String(x)));\n"
        "process.stdout.write(JSON.stringify(out));\n"
    )
    assert NODE is not None
    done = subprocess.run([NODE, "-"], input=script, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    from_js = [float(x) for pair in json.loads(done.stdout) for x in pair]
    from_engine = [x for fid, now in cases for x in search_interval(kb.figures[fid], now)]
    assert from_js == pytest.approx(from_engine, rel=1e-12)
