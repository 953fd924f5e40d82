"""Figure pages' chance curves: P(holds) of the claims a figure reaches, against its value.

Every ranged figure page of the shipped map and of the second example shows the plot without
JavaScript, with named axes and a legend; the curve agrees with `crux simulate --set
figure=value` at its values within 3 standard errors; common random numbers make it monotone
where the condition is.
"""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.analysis.chance_curve import GRID, chance_curve, curve_draws, curve_grid
from engine.cli import cli
from engine.knowledge.loader import KnowledgeBase, load_knowledge_base
from engine.knowledge.scenario import resolve_scenario
from engine.site.svg_layout import label_rows
from tests.conftest import REPO
from tests.site_helpers import Page, read_page

EXAMPLE = REPO / "examples" / "hong_kong_ev" / "claims"


@pytest.fixture(scope="module")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from engine.site.build import build_site

    target = tmp_path_factory.mktemp("curves-example") / "site"
    build_site(load_knowledge_base(EXAMPLE), target, jobs=1)
    return target


def _ranged(kb: KnowledgeBase) -> list[str]:
    return [fid for fid, f in kb.figures.items() if f.kind == "number" and f.range is not None]


def _check_pages(kb: KnowledgeBase, site: Path) -> int:
    """Every ranged figure's page has a labelled plot (or says no claim depends on it);
    returns how many plots mark a tipping point."""
    tipping = 0
    for fid in _ranged(kb):
        page = read_page(site / "figures" / f"{fid}.html")
        figures = page.find("figure", class_="chance-curve")
        if not figures:
            assert page.find("p", **{"data-curve-empty": ""}), f"{fid}: no chance curve"
            continue
        svg = page.find("svg", class_="curve-svg")[0]
        assert svg.attrs["role"] == "img"
        texts = [t.text for t in page.find("text")]
        unit = kb.figures[fid].unit
        axis = fid if unit == "dimensionless" else f"{fid} ({unit})"
        assert {"P(holds)", "0%", "50%", "100%"} <= set(texts), (fid, texts)
        # the axis's name and unit, on a second line when both would not fit on one
        assert axis in texts or {fid, f"({unit})"} <= set(texts), (fid, texts)
        assert any(t.startswith("now ") for t in texts), fid
        tipping += any(t.startswith("tips at ") for t in texts)
        lines = page.find("polyline", class_="curve-line")
        assert 1 <= len(lines) <= 4, fid
        assert all(len(line.attrs["points"].split()) == GRID for line in lines), fid
        legend = [e for e in page.elements if e.tag == "li" and "data-curve-claim" in e.attrs]
        assert len(legend) == len(lines), fid
        for item in legend:
            cid = item.attrs["data-curve-claim"]
            assert kb.claims[cid].text in " ".join(item.text.split()), (fid, cid)
        caption = " ".join(figures[0].text.split())
        assert f"{fid} held at each value along the axis" in caption, fid
        assert "draws at each value (seed 1)" in caption, fid
    return tipping


def test_every_ranged_figure_page_of_the_shipped_map_has_a_labelled_plot(
    shipped_site_once: Path,
) -> None:
    kb = load_knowledge_base(REPO / "claims")
    assert _check_pages(kb, shipped_site_once) >= 3


def test_every_ranged_figure_page_of_the_example_has_a_labelled_plot(example_site: Path) -> None:
    kb = load_knowledge_base(EXAMPLE)
    assert _check_pages(kb, example_site) >= 1


def _simulate(folder: Path, fid: str, value: float, seed: int, n: int) -> dict[str, float]:
    result = CliRunner().invoke(
        cli,
        [
            "simulate",
            str(folder),
            "--set",
            f"{fid}={value!r}",
            "-n",
            str(n),
            "--seed",
            str(seed),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    claims = json.loads(result.stdout)["claims"]
    return {cid: p["p_holds"] for cid, p in claims.items()}


@pytest.mark.parametrize(
    ("folder", "fid"),
    [(REPO / "claims", "gpu_utilization"), (REPO / "claims", "gpu_hour_usd"), (EXAMPLE, None)],
)
def test_the_curve_agrees_with_crux_simulate_with_the_figure_set(
    folder: Path, fid: str | None
) -> None:
    """Each point is what `crux simulate --set figure=value` estimates, within 3 standard errors
    of the difference of two independent estimates."""
    from engine.site.analysis import site_analysis
    from engine.site.build import site_model
    from engine.site.distributions import figure_curves

    kb = load_knowledge_base(folder)
    model = site_model(kb, None, (), ())
    analysis, _ = site_analysis(model)
    curves = figure_curves(model, analysis)
    if fid is None:  # the example's first figure with a moving curve
        fid = next(f for f, c in curves.items() if not c["empty"] and not c["steady"])
    curve = curves[fid]
    n = curve["n"]
    assert n == 2000
    for row in curve["table"][::3]:
        other = _simulate(folder, fid, row["value"], 7, 4 * n)
        for claim, p in zip(curve["claims"], row["p"], strict=True):
            q = other[claim["id"]]
            spread = math.sqrt(max(p * (1 - p) / n + q * (1 - q) / (4 * n), 1 / n**2))
            assert abs(p - q) <= 3 * spread, (fid, row["value"], claim["id"], p, q)


def test_common_random_numbers_make_a_monotone_condition_a_monotone_curve() -> None:
    kb = load_knowledge_base(REPO / "claims")
    scenario = resolve_scenario(kb, None)
    now = kb.figures["gpu_hour_usd"].numeric_value()
    grid = curve_grid(kb, "gpu_hour_usd", now)
    curve = chance_curve(kb, scenario, "gpu_hour_usd", grid, curve_draws(kb, scenario, 500, 3))
    # serving margins fall as the GPU hour costs more, sample by sample
    p = curve.p_holds["api_margins_80_percent_or_more"]
    assert p[0] > p[-1] + 0.1
    assert all(b <= a for a, b in itertools.pairwise(p)), p


@pytest.mark.parametrize("folder", [REPO / "claims", EXAMPLE])
def test_a_curve_is_exactly_every_sample_labelled_on_its_own(folder: Path) -> None:
    """Labelling each distinct combination of decided labels once (grouped by an integer code)
    gives, to the last bit, the P(holds) of labelling every draw at every grid value."""
    import numpy as np

    from engine.evaluation.evaluate import (
        compiled,
        evaluate_calculators,
        evaluate_conditions,
        fixed_labels,
    )
    from engine.evaluation.semantics import HOLDS, label

    kb = load_knowledge_base(folder)
    scenario = resolve_scenario(kb, None)
    draws = curve_draws(kb, scenario, 300, 5)
    for fid in _ranged(kb)[:4]:
        grid = curve_grid(kb, fid, kb.figures[fid].numeric_value())
        curve = chance_curve(kb, scenario, fid, grid, draws)
        n, points = curve.n, len(grid)
        numbers = {
            f: np.repeat(a[:1], n * points) if a.strides == (0,) else np.tile(a, points)
            for f, a in draws.items()
        }
        numbers[fid] = np.repeat(np.asarray(grid), n)
        evaluate_calculators(kb, numbers)
        decided = fixed_labels(
            kb, evaluate_conditions(kb, numbers), scenario.assumptions, n * points
        )
        every = {
            cid: np.ascontiguousarray(np.broadcast_to(v, (n * points,)))
            for cid, v in decided.items()
        }
        labelled = label(tuple(kb.claims), compiled(kb).arguments, every, n * points)
        for cid in kb.claims:
            holds = (labelled.claims[cid] == HOLDS).reshape(points, n).sum(axis=1) / n
            assert curve.p_holds[cid] == tuple(float(p) for p in holds), (fid, cid)


@pytest.mark.parametrize(("conditions", "seed"), [(3, 0), (12, 1), (45, 2), (90, 3)])
def test_combination_codes_group_samples_exactly_as_their_labels(
    conditions: int, seed: int
) -> None:
    """Two samples get one code exactly when their labels agree on every condition, also past
    the point where the codes are renumbered to stay within 64 bits (40 conditions)."""
    import numpy as np

    from engine.analysis.simulate import combination_codes

    rng = np.random.default_rng(seed)
    n = 3000
    # few distinct rows, as labels are in practice, so that equal rows occur
    rows = rng.integers(-1, 2, size=(40, conditions), dtype=np.int8)[rng.integers(0, 40, n)]
    code = combination_codes([np.ascontiguousarray(rows[:, k]) for k in range(conditions)], n)
    _, by_code = np.unique(code, return_inverse=True)
    _, by_row = np.unique(rows, axis=0, return_inverse=True)
    # the same partition of the samples: a one-to-one map between the two numberings
    pairs = set(zip(by_code.tolist(), by_row.reshape(-1).tolist(), strict=True))
    assert len(pairs) == len(set(by_code.tolist())) == len(set(by_row.reshape(-1).tolist()))


def test_the_axis_takes_in_the_current_value_and_a_near_tipping_point() -> None:
    kb = load_knowledge_base(REPO / "claims")
    low, high = kb.figures["gpu_hour_usd"].range or (0.0, 0.0)
    width = high - low
    grid = curve_grid(kb, "gpu_hour_usd", high + width, [low - 0.3 * width, high + 5 * width])
    assert len(grid) == GRID
    assert grid[0] < low - 0.3 * width  # a tipping point just below the range, with room
    assert high + width <= grid[-1] < high + 2 * width  # the current value, not the far tip
    assert grid[0] >= 0  # never below a price's physical bound


def test_label_rows_put_labels_that_would_meet_on_rows_of_their_own() -> None:
    # the same place twice (two claims' labels) and two that touch: never on one row
    assert label_rows([(0, 50), (40, 90), (95, 120), (0, 50), (200, 260)]) == [0, 1, 0, 2, 0]


def test_claims_with_the_same_threshold_share_one_label() -> None:
    import numpy as np
    import sympy

    from engine.site.histogram import Threshold, histogram_svg

    values = np.linspace(0, 10, 1001)
    same = [
        Threshold(f"q#{i}", claim, ">", sympy.Float(5), (), 5.0) for i, claim in enumerate("ab")
    ]
    near = Threshold("q#2", "c", "<", sympy.Float(5.1), (), 5.1)
    svg, _ = histogram_svg("q", "dimensionless", values, [*same, near])
    page = Page(svg)
    groups = page.find("g", class_="hist-threshold")
    assert [g.attrs["data-claim"] for g in groups] == ["a b", "c"]
    # one label for a and b, one for c: two texts marking where a claim holds
    assert sum(t.text.startswith("\u2714 ") for t in page.find("text")) == 2


def test_a_map_with_more_ranged_figures_than_the_limit_draws_those_that_reach_most(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from engine.site import distributions
    from engine.site.analysis import site_analysis
    from engine.site.build import site_model

    monkeypatch.setenv("CRUX_CACHE_DIR", str(tmp_path))  # not the cached result of the real limit
    monkeypatch.setattr(distributions, "MAX_CURVES", 2)
    kb = load_knowledge_base(EXAMPLE)
    model = site_model(kb, None, (), ())
    analysis, _ = site_analysis(model)
    curves = distributions.figure_curves(model, analysis)
    drawn = [fid for fid, c in curves.items() if not c["empty"]]
    skipped = [fid for fid, c in curves.items() if c["skipped"]]
    assert len(drawn) == 2 and len(skipped) == len(curves) - 2
    reach = {f: sum(f in figs for figs in analysis.claim_figures.values()) for f in curves}
    assert min(reach[f] for f in drawn) >= max(reach[f] for f in skipped)
