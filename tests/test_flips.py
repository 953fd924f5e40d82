"""Tipping points: every reported crossing is checked by evaluating just below and above it."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from engine.analysis.flips import FlipReport, find_flips, search_interval
from engine.cli import cli
from engine.commands.flips import report_json
from engine.errors import CruxError
from engine.evaluation.evaluate import evaluate_numbers, label_map
from engine.evaluation.semantics import LABEL_NAMES
from engine.formatting import format_steady, format_tipping_point
from engine.knowledge.loader import KnowledgeBase, load_knowledge_base
from engine.knowledge.scenario import ScenarioInput, numeric_setting, resolve_scenario

EXAMPLES = Path(__file__).parent / "examples"
REPO = Path(__file__).resolve().parent.parent
TOY = EXAMPLES / "analysis" / "toy"


@pytest.fixture(scope="module")
def toy() -> KnowledgeBase:
    return load_knowledge_base(TOY)


def labels_at(
    kb: KnowledgeBase, scenario: ScenarioInput, figure: str, xs: np.ndarray, claim: str
) -> list[str]:
    """The claim's label with ``figure`` at each of ``xs``: a full, independent evaluation."""
    n = len(xs)
    arrays = {
        fid: np.full(n, numeric_setting(fig, scenario.settings[fid]))
        for fid, fig in kb.figures.items()
    }
    arrays[figure] = np.asarray(xs, dtype=np.float64)
    _, conditions = evaluate_numbers(kb, arrays)
    labels = label_map(kb, conditions, scenario.assumptions, n).claims[claim]
    return [LABEL_NAMES[int(v)] for v in labels]


def fine_grid(a: float, b: float) -> np.ndarray:
    """2,000 linear points and 2,000 log-spaced towards zero, strictly inside (a, b)."""
    parts = [np.linspace(a, b, 2002)[1:-1]]
    if a > 0:
        parts.append(np.geomspace(a, b, 2002)[1:-1])
    elif b > 0:
        parts.append(np.geomspace(b * 1e-9, b, 2000))
    grid = np.unique(np.concatenate(parts))
    return grid[(grid > a) & (grid < b)]


def verify(kb: KnowledgeBase, scenario: ScenarioInput, report: FlipReport) -> int:
    """Check every entry of a report against direct evaluation; return how many were checked."""
    checked = 0
    for claim, flips in report.claims.items():
        for crossing in flips.crossings:
            delta = 1e-8 * max(abs(crossing.at), 1e-6)
            below, above = labels_at(
                kb,
                scenario,
                crossing.figure,
                np.array([crossing.at - delta, crossing.at + delta]),
                claim,
            )
            assert (below, above) == (crossing.label_below, crossing.label_above), crossing
            assert below != above
            checked += 1
        for steady in flips.steady:
            a, b = steady.interval
            if b > a:
                seen = set(labels_at(kb, scenario, steady.figure, fine_grid(a, b), claim))
                assert seen == {steady.label}, (steady, seen)
            checked += 1
        for options in flips.options:
            figure = kb.figures[options.figure]
            xs = np.arange(len(figure.options), dtype=np.float64)
            got = dict(
                zip(figure.options, labels_at(kb, scenario, options.figure, xs, claim), strict=True)
            )
            assert got == dict(options.options)
            checked += 1
    return checked


@pytest.mark.parametrize("scenario", [None, "no_fixed", "dear"])
def test_toy_crossings_are_real(toy: KnowledgeBase, scenario: str | None) -> None:
    resolved = resolve_scenario(toy, scenario)
    assert verify(toy, resolved, find_flips(toy, resolved)) > 20


@pytest.mark.parametrize("scenario", [None, "summer", "everything_counted", "washout"])
def test_lemonade_crossings_are_real(lemonade: KnowledgeBase, scenario: str | None) -> None:
    resolved = resolve_scenario(lemonade, scenario)
    assert verify(lemonade, resolved, find_flips(lemonade, resolved)) > 5


def test_shipped_knowledge_base_crossings_are_real() -> None:
    claims = REPO / "claims"
    try:
        kb = load_knowledge_base(claims)
    except CruxError as exc:
        pytest.skip(f"claims/ does not load yet ({exc.summary()})")
    for scenario in [None, *kb.scenarios]:
        resolved = resolve_scenario(kb, scenario)
        verify(kb, resolved, find_flips(kb, resolved))


def crossings(report: FlipReport, claim: str, figure: str) -> list[tuple[float, str, str, bool]]:
    return [
        (c.at, c.label_below, c.label_above, c.exact)
        for c in report.claims[claim].crossings
        if c.figure == figure
    ]


def test_quadratic_flips_twice_exactly(toy: KnowledgeBase) -> None:
    report = find_flips(toy, resolve_scenario(toy))
    assert crossings(report, "between_roots", "x") == [
        (1.0, "fails", "holds", True),
        (2.0, "holds", "fails", True),
    ]


def test_division_by_zero_is_a_tipping_point(toy: KnowledgeBase) -> None:
    report = find_flips(toy, resolve_scenario(toy))
    assert crossings(report, "inverse_positive", "signal") == [(0.0, "fails", "holds", True)]


def test_numeric_roots_for_log_and_max(toy: KnowledgeBase) -> None:
    report = find_flips(toy, resolve_scenario(toy))
    [(at, below, above, exact)] = crossings(report, "fast_growth", "growth")
    assert at == pytest.approx(math.e, rel=1e-12) and (below, above, exact) == (
        "fails",
        "holds",
        False,
    )
    [(at, below, above, _)] = crossings(report, "capped_high", "cost_floor")
    assert at == pytest.approx(2.0, rel=1e-12) and (below, above) == ("fails", "holds")


def test_claims_decided_through_arguments_flip_too(toy: KnowledgeBase) -> None:
    report = find_flips(toy, resolve_scenario(toy, "no_fixed"))
    viable = report.claims["viable"]
    assert viable.label == "holds"
    assert [(c.figure, round(c.at, 9)) for c in viable.crossings] == [
        ("cost", 2.0),
        ("cost_floor", 2.0),
        ("cost_limit", 2.0),
        ("price", 2.0),
    ]
    switch = next(o for o in viable.options if o.figure == "include_fixed")
    assert dict(switch.options) == {"0": "holds", "1": "fails"}


def test_lens_is_enumerated(toy: KnowledgeBase) -> None:
    report = find_flips(toy, resolve_scenario(toy))
    [lens] = [o for o in report.claims["lens_claim"].options if o.figure == "lens"]
    assert dict(lens.options) == {"narrow": "fails", "broad": "holds"}
    assert lens.now == "narrow"


def test_does_not_flip_reports_the_interval(toy: KnowledgeBase) -> None:
    report = find_flips(toy, resolve_scenario(toy))
    [steady] = [s for s in report.claims["lens_claim"].steady if s.figure == "price"]
    assert steady.interval == (0.0, 14.0)  # 4 ± 10 × 1, clipped at 0 (a price is not negative)
    assert steady.label == "fails"
    assert "does not flip within [0, 14] USD/Mtok" in format_steady(
        steady.interval, steady.unit, steady.label
    )


def test_search_interval_choices(toy: KnowledgeBase) -> None:
    figures = toy.figures
    assert search_interval(figures["price"], 4.0) == (0.0, 14.0)
    low, high = search_interval(figures["cost"], 2.0)  # lognormal [1, 4]: 2 ×/÷ 2**10
    assert (low, high) == (pytest.approx(2 / 1024), pytest.approx(2 * 1024))
    assert search_interval(figures["fixed_cost"], 30.0) == (3.0, 300.0)  # no range: value/10 .. ×10
    assert search_interval(figures["signal"], 0.5) == (-10.0, 10.0)  # range reaches below zero
    assert search_interval(figures["fixed_cost"], 500.0) == (50.0, 5000.0)


def test_sentences_and_nearest(lemonade: KnowledgeBase) -> None:
    report = find_flips(lemonade, resolve_scenario(lemonade, "everything_counted"))
    texts = [format_tipping_point(c) for c in report.claims["stand_sells_at_loss"].crossings]
    assert "fails if cups_per_day rises above 35.71 1/day (now 20)" in texts
    assert "fails if stand_rent_per_day falls below 28 USD/day (now 50)" in texts
    nearest = report.nearest("stand_sells_at_loss")
    # 28 is 44% below 50; 3.1 is 55% above 2; 35.7 is 79% above 20
    assert nearest is not None and nearest.figure == "stand_rent_per_day"
    moved = report.nearest("stand_sells_at_loss", {"cup_price": 2.5, "stand_rent_per_day": 100})
    assert moved is not None and moved.figure == "cup_price"
    assert report.nearest("stand_is_thriving") is None


def test_at_the_crossing_the_sentence_points_the_useful_way(toy: KnowledgeBase) -> None:
    report = find_flips(toy, resolve_scenario(toy))
    [crossing] = [c for c in report.claims["capped_high"].crossings if c.figure == "cost_limit"]
    assert crossing.now == crossing.at == 2.0 and crossing.label_now == "fails"
    assert crossing.reached == "holds"
    assert format_tipping_point(crossing) == "holds if cost_limit falls below 2 USD/Mtok (now 2)"


def test_assumed_claims_are_skipped(lemonade: KnowledgeBase) -> None:
    report = find_flips(
        lemonade, resolve_scenario(lemonade, None, assumes=["stand_sells_at_loss=true"])
    )
    assert "stand_sells_at_loss" not in report.claims


def test_analysis_returns_data_and_the_cli_writes_the_sentences(lemonade: KnowledgeBase) -> None:
    report = find_flips(lemonade, resolve_scenario(lemonade, "everything_counted"))
    for entry in report.to_json():
        assert all(not isinstance(value, str) or " " not in value for value in entry.values())
    texts = {e["text"] for e in report_json(report) if "text" in e}
    assert "fails if cups_per_day rises above 35.71 1/day (now 20)" in texts


def test_json_shape(lemonade: KnowledgeBase) -> None:
    entries = report_json(find_flips(lemonade, resolve_scenario(lemonade, "everything_counted")))
    kinds = {tuple(sorted(e)) for e in entries}
    assert (
        "at",
        "claim",
        "exact",
        "figure",
        "label_above",
        "label_below",
        "now",
        "text",
        "unit",
    ) in kinds
    assert ("claim", "figure", "flips", "interval", "label", "now", "unit") in kinds
    assert ("claim", "figure", "now", "options") in kinds
    json.dumps(entries, allow_nan=False)


def test_cli_flips_json_and_table() -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli, ["flips", "--claims", str(TOY), "--format", "json", "between_roots"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [e["at"] for e in data if "at" in e] == [1.0, 2.0]
    table = runner.invoke(
        cli, ["flips", "--claims", str(TOY), "-s", "no_fixed", "--set", "price=3"]
    )
    assert table.exit_code == 0, table.output
    assert "rises above" in table.output


def test_cli_flips_unknown_claim_is_usage_error() -> None:
    result = CliRunner().invoke(cli, ["flips", "--claims", str(TOY), "betwen_roots"])
    assert result.exit_code == 2
    assert "unknown claim 'betwen_roots' (did you mean 'between_roots'?)" in result.output
