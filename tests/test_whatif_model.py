"""The what-if model export (`engine.site.whatif_model`) and the panel's ports of the engine.

The JavaScript half runs under Node when it is installed: number formatting, labels and one-line
explanations must be the ones `crux eval` writes. The real-browser tests are in
`test_browser_whatif.py`.
"""

from __future__ import annotations

import dataclasses
import json
import math
import random
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from engine.commands.evaluate import evaluation_json
from engine.evaluation.evaluate import evaluate, evaluate_scenario
from engine.evaluation.explain import claim_summary, substitute
from engine.formatting import format_number
from engine.knowledge.loader import KnowledgeBase
from engine.knowledge.scenario import load_scenario_file, resolve_scenario
from engine.site.whatif_model import (
    absurd_limit,
    figure_bounds,
    model_data,
    model_script,
    slider_bounds,
    substitution_parts,
)
from tests.node import NODE, needs_node

STATIC = Path(__file__).resolve().parent.parent / "templates" / "static"
SEMANTICS = STATIC / "crux-semantics.js"

needs_semantics = pytest.mark.skipif(
    not SEMANTICS.is_file(), reason="templates/static/crux-semantics.js is not there yet"
)


# --- the export --------------------------------------------------------------------------------


def test_model_script_is_deterministic(lemonade: KnowledgeBase) -> None:
    first = model_script(lemonade)
    assert first == model_script(lemonade)
    assert first.isascii()
    assert "CruxModel" in first
    # one compiled function per calculator and per condition, in evaluation order
    for cid in lemonade.calculator_order:
        assert f'"{cid}": function(v){{return ' in first
    for cid in lemonade.conditions:
        assert f'"{cid}": function(v){{return ' in first


def test_figures_carry_what_the_panel_needs(lemonade: KnowledgeBase) -> None:
    data = model_data(lemonade)
    cup = data["figures"]["cup_price"]
    assert cup["kind"] == "number"
    assert cup["unit"] == "USD"
    assert cup["range"] == [1.5, 2.5]
    assert cup["minimum"] == 0.0  # a price cannot be negative
    assert cup["slider"] == [1.0, 3.0]  # the range plus half its width on each side
    assert cup["absurd"] == 1e12 * 2.5
    view = data["figures"]["cost_view"]
    assert view["kind"] == "choice"
    assert view["choices"] == ["ingredients", "everything"]
    assert view["value"] == "ingredients"


def test_bounds_of_figures(lemonade: KnowledgeBase) -> None:
    rent = lemonade.figures["stand_rent_per_day"]  # 50 USD/day, no range
    assert figure_bounds(rent) == (0.0, None)
    assert slider_bounds(rent) == (0.0, 100.0)
    assert absurd_limit(rent) == 50e12
    signed = rent.model_copy(update={"value": -3.0, "range": (-5.0, 1.0)})
    assert figure_bounds(signed) == (None, None)
    assert slider_bounds(signed) == (-8.0, 4.0)
    capped = rent.model_copy(update={"value": 0.5, "range": (0.2, 0.9), "maximum": 1.0})
    assert figure_bounds(capped) == (0.0, 1.0)
    assert slider_bounds(capped) == (0.0, 1.0)


def test_scenarios_are_resolved_through_extends(lemonade: KnowledgeBase) -> None:
    scenarios = model_data(lemonade)["scenarios"]
    assert scenarios["everything_counted"]["set"] == {
        "cost_view": "everything",
        "cups_per_day": 20.0,
    }
    assert scenarios["washout"]["assume"] == {"rain_all_month": True}
    assert scenarios["summer"]["set"] == {}  # sets cost_view to its own default
    # ... which `crux simulate` still holds fixed; the panel's sampler reads this list
    assert scenarios["summer"]["fixed"] == ["cost_view"]
    assert scenarios["everything_counted"]["fixed"] == ["cost_view", "cups_per_day"]


def test_builds_with_overrides_are_exported(lemonade: KnowledgeBase) -> None:
    plain = evaluate_scenario(lemonade, "summer")
    custom = evaluate_scenario(lemonade, "summer", ["cup_price=3"], ["rain_all_month=true"])
    data = model_data(
        lemonade, {"summer": custom, "washout": evaluate_scenario(lemonade, "washout")}
    )
    assert data["builds"] == {
        "summer": {
            "scenario": "summer",
            "set": {"cup_price": 3.0},
            "assume": {"rain_all_month": True},
            # what `crux simulate` holds fixed: the chain's cost_view too, at its own value
            "fixed": ["cost_view", "cup_price"],
        }
    }
    assert set(data["labels"]) == {"washout"}
    assert "builds" not in model_data(lemonade, [plain])


def _rebuild(kb: KnowledgeBase, ev: Any, parts: list[str] | None, text: str) -> str:
    """What the panel writes for a substituted formula (whatif.js Engine.substitute)."""
    if parts is None:
        return text
    from engine.evaluation.explain import _value_text

    pieces = [
        part if index % 2 == 0 else _value_text(kb, ev, part) for index, part in enumerate(parts)
    ]
    return " ".join("".join(pieces).split())


def test_substitution_parts_rebuild_substitute(lemonade: KnowledgeBase) -> None:
    ev = evaluate_scenario(lemonade, "everything_counted")
    for cid, claim in lemonade.claims.items():
        if claim.holds_when:
            parts = substitution_parts(lemonade, claim.holds_when)
            assert _rebuild(lemonade, ev, parts, claim.holds_when) == substitute(
                lemonade, ev, claim.holds_when
            ), cid
    for cid, calc in lemonade.calculators.items():
        parts = substitution_parts(lemonade, calc.formula)
        assert parts is not None and parts[1::2]  # names are cut out
        assert _rebuild(lemonade, ev, parts, calc.formula) == substitute(
            lemonade, ev, calc.formula
        ), cid


# --- the JavaScript half, under Node ---------------------------------------------------------------


def _page_scripts() -> list[str]:
    """The panel's scripts, in the order the pages load them."""
    text = (STATIC.parent / "_whatif_scripts.html").read_text(encoding="utf-8")
    return re.findall(r"static/([\w.-]+\.js)", text)


def _node(tmp_path: Path, kb: KnowledgeBase, body: str, payload: Any) -> Any:
    """Run `body` under Node with the panel's scripts loaded; `input` is `payload`."""
    model = tmp_path / "model.js"
    model.write_text(model_script(kb), encoding="utf-8")
    scripts = [model if name == "model.js" else STATIC / name for name in _page_scripts()]
    program = (
        "".join(f"require({json.dumps(str(s))});\n" for s in scripts if s.is_file())
        + "const W = globalThis.CruxWhatIf;\n"
        + "const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
        + f"const output = (function () {{ {body} }})();\n"
        + "process.stdout.write(JSON.stringify(output));\n"
    )
    assert NODE is not None
    done = subprocess.run(
        [NODE, "-e", program], input=json.dumps(payload), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@needs_node
def test_number_formatting_matches_python(tmp_path: Path, lemonade: KnowledgeBase) -> None:
    rng = random.Random(7)
    values = [
        0.125,
        10.125,
        1234.5,
        1235.5,
        9999.5,
        999.95,
        1.0005e15,
        2.675,
        -1234.5678,
        1e-4,
        99999.5,
        87072,
        562027,
        87073.5,
        1234567,
        999999.7,
        18_750_000_000.000004,
    ]
    values += [rng.choice([-1, 1]) * 10 ** rng.uniform(-7, 20) for _ in range(3000)]
    values += [rng.randint(-(10**6), 10**6) / rng.choice([2, 8, 10, 100]) for _ in range(1000)]
    got = _node(tmp_path, lemonade, "return input.map(W.formatNumber);", values)
    expected = [format_number(v) for v in values]
    assert [(v, e, g) for v, e, g in zip(values, expected, got, strict=True) if e != g] == []


@needs_node
@needs_semantics
@pytest.mark.parametrize("scenario", ["defaults", "summer", "everything_counted", "washout"])
def test_labels_and_summaries_match_python(
    tmp_path: Path, lemonade: KnowledgeBase, scenario: str
) -> None:
    cases: list[tuple[dict[str, float | str], dict[str, bool]]] = [
        ({}, {}),
        ({"cups_per_day": 0.0, "cost_view": "everything"}, {}),  # 50 / 0: undefined, undecided
        ({"cup_price": 0.0}, {}),
        ({"lemons_per_cup_usd": 1.2, "cup_price": 1.5}, {"queue_was_for_the_bus": True}),
        ({}, {"rain_all_month": False, "margin_is_healthy": True}),
    ]
    got = _node(
        tmp_path,
        lemonade,
        "return input.cases.map(c => [W.evaluate(c[0], c[1], input.scenario).claims, W.explain(c[0], c[1], input.scenario)]);",
        {"cases": cases, "scenario": scenario},
    )
    for (sets, assumes), (labels, summaries) in zip(cases, got, strict=True):
        base = resolve_scenario(lemonade, scenario)
        ev = evaluate(
            lemonade,
            dataclasses.replace(
                base,
                settings={**base.settings, **sets},
                assumptions={**base.assumptions, **assumes},
            ),
        )
        assert labels == dict(ev.claims)
        assert summaries == {cid: claim_summary(lemonade, ev, cid) for cid in lemonade.claims}


@needs_node
@needs_semantics
def test_downloaded_scenario_file_evaluates_the_same(
    tmp_path: Path, lemonade: KnowledgeBase
) -> None:
    state = {
        "scenario": "summer",
        "set": {"cups_per_day": 12.5, "lemons_per_cup_usd": 1e-7, "cost_view": "everything"},
        "assume": {"bus_stop_moved": False},
    }
    text, labels = _node(
        tmp_path,
        lemonade,
        "const e = new W.Engine(globalThis.CruxModel, globalThis.CruxSemantics);"
        "return [W.scenarioYaml(e, input), W.evaluate(input.set, input.assume, input.scenario).claims];",
        state,
    )
    path = tmp_path / "whatif.yaml"
    path.write_text(text, encoding="utf-8")
    scenario = load_scenario_file(lemonade, path)
    assert scenario.extends == "summer"
    assert scenario.set == {
        "cups_per_day": 12.5,
        "lemons_per_cup_usd": 1e-7,
        "cost_view": "everything",
    }
    result = evaluation_json(lemonade, evaluate_scenario(lemonade, str(path)))
    assert {cid: c["label"] for cid, c in result["claims"].items()} == labels


@needs_node
def test_bad_input_is_refused_with_a_reason(tmp_path: Path, lemonade: KnowledgeBase) -> None:
    texts = ["", "abc", "-1", "1e30", "2,5", "0", "2.5", " 3 ", "1_000", "Infinity", "nan"]
    got = _node(
        tmp_path,
        lemonade,
        "const f = globalThis.CruxModel.data.figures.cup_price;"
        "return input.map(t => { const out = {}; const why = W.checkInput(f, t, out); return [why, out.value ?? null]; });",
        texts,
    )
    verdicts = dict(zip(texts, got, strict=True))
    assert verdicts["2.5"] == [None, 2.5]
    assert verdicts[" 3 "] == [None, 3]
    assert verdicts["1_000"] == [None, 1000]
    assert verdicts["0"] == [None, 0]
    assert verdicts[""][0] == "Enter a number."
    for bad in ("abc", "2,5", "Infinity", "nan"):
        assert verdicts[bad][0].startswith("Not a number"), bad
    assert verdicts["-1"][0] == "Must be at least 0 USD."
    assert verdicts["1e30"][0].startswith("Too large")


@needs_node
def test_query_strings_round_trip(tmp_path: Path, lemonade: KnowledgeBase) -> None:
    got = _node(
        tmp_path,
        lemonade,
        "const e = new W.Engine(globalThis.CruxModel, { label() { return null; } });"
        "const base = { scenario: 'defaults', set: {}, assume: {} };"
        "return input.map(q => { const s = W.parseQuery(e, q, base);"
        " return [W.writeQuery(e, s, base), s.problems]; });",
        [
            "?cups_per_day=12.5&cost_view=everything&assume.rain_all_month=true&scenario=summer",
            "?cup_price=-1&nonsense=3",
            "",
        ],
    )
    assert got[0] == [
        "?scenario=summer&cost_view=everything&cups_per_day=12.5&assume.rain_all_month=true",
        {},
    ]
    assert got[1][0] == ""
    assert set(got[1][1]) == {"cup_price", "nonsense"}
    assert got[2] == ["", {}]


def test_nan_is_never_written(lemonade: KnowledgeBase) -> None:
    text = model_script(lemonade)
    assert "NaN," not in text.split("calculators:")[0]
    assert math.isfinite(model_data(lemonade)["figures"]["cup_price"]["absurd"])
