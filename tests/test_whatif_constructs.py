"""The what-if panel's JavaScript on the new formula constructs, against `crux eval`.

The vans example (tests/examples/vans) has a cited lookup table, `at(...)`, a claim with `given:`,
quantity literals and `never`: the panel must give the labels, one-line explanations and
calculator values (infinities included) that Python gives, under every scenario and when a
reader changes the choice or a table row.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest

from engine.evaluation.evaluate import evaluate
from engine.evaluation.explain import claim_summary
from engine.knowledge.loader import KnowledgeBase, load_knowledge_base
from engine.knowledge.scenario import resolve_scenario
from tests.node import needs_node
from tests.test_whatif_model import _node, needs_semantics

VANS = Path(__file__).parent / "examples" / "vans"

# What a reader might do on top of a scenario: switch the table's choice, move a row, or make
# the electric van dirtier than the diesel one (so it never breaks even).
CASES: list[dict[str, float | str]] = [
    {},
    {"region": "hills"},
    {"region": "valley", "grid_intensity.valley": 990.0},
    {"grid_intensity.hills": 300.0, "battery_footprint": 11.0},
    {"region": "hills", "diesel_emissions": 0.0},
    {"ev_consumption": 0.0},
]


@pytest.fixture(scope="module")
def vans() -> KnowledgeBase:
    return load_knowledge_base(VANS)


def _as_text(value: float) -> str:
    """Numbers as JSON carries them both ways: infinities and undefined by name."""
    if math.isnan(value):
        return "undefined"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(round(value, 9))


@needs_node
@needs_semantics
@pytest.mark.parametrize("scenario", ["defaults", "hills", "coal_hills", "coal_everywhere"])
def test_panel_matches_python_on_tables_at_given_and_never(
    tmp_path: Path, vans: KnowledgeBase, scenario: str
) -> None:
    got = _node(
        tmp_path,
        vans,
        "const text = x => x !== x ? 'undefined' : x === Infinity ? 'inf' : x === -Infinity ?"
        " '-inf' : x;"
        "return input.cases.map(c => { const r = W.evaluate(c, {}, input.scenario);"
        " const calcs = {}; Object.keys(r.calculators).forEach(k => calcs[k] ="
        " text(r.calculators[k]));"
        " return [r.claims, W.explain(c, {}, input.scenario), calcs]; });",
        {"cases": CASES, "scenario": scenario},
    )
    saw_never = False
    for sets, (labels, summaries, calculators) in zip(CASES, got, strict=True):
        base = resolve_scenario(vans, scenario)
        ev = evaluate(vans, dataclasses.replace(base, settings={**base.settings, **sets}))
        assert labels == dict(ev.claims), sets
        assert summaries == {cid: claim_summary(vans, ev, cid) for cid in vans.claims}, sets
        expected = {cid: _as_text(float(v)) for cid, v in ev.calculators.items()}
        js = {
            cid: v if isinstance(v, str) else _as_text(float(v)) for cid, v in calculators.items()
        }
        assert js == expected, sets
        saw_never = saw_never or expected["break_even_distance"] == "inf"
    # The cases reach "never" at least once per scenario (diesel_emissions = 0).
    assert saw_never


@needs_node
def test_panel_writes_never_and_minus_infinity_as_python_does(tmp_path: Path) -> None:
    from engine.formatting import _EXTENTS, format_quantity

    cases = [(math.inf, "km"), (math.inf, "year"), (math.inf, "km/year"), (-math.inf, "km")]
    cases += [(math.inf, ""), (-math.inf, "g/km")]
    got = _node(
        tmp_path,
        load_knowledge_base(VANS),
        "const F = globalThis.CruxFormat; const n = t => t === 'inf' ? Infinity : -Infinity;"
        "return [F.EXTENTS, input.map(c => F.formatQuantity(n(c[0]), c[1]))];",
        [["inf" if v > 0 else "-inf", unit] for v, unit in cases],
    )
    assert sorted(got[0]) == sorted(_EXTENTS)
    assert got[1] == [format_quantity(v, unit) for v, unit in cases]
    assert got[1][:4] == ["never", "never", "∞ km/year", "−∞ km"]
