"""Monte Carlo against closed-form answers, within 4 standard errors."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import stats

from engine.analysis import simulate as simulate_module
from engine.analysis.sampling import Z95
from engine.analysis.simulate import simulate
from engine.cli import cli
from engine.errors import CruxError
from engine.evaluation.evaluate import compiled
from engine.evaluation.semantics import label
from engine.knowledge.loader import KnowledgeBase, load_knowledge_base
from engine.knowledge.scenario import resolve_scenario

ANALYSIS = Path(__file__).parent / "examples" / "analysis"
MC = ANALYSIS / "montecarlo"
N = 200_000


@pytest.fixture(scope="module")
def mc() -> KnowledgeBase:
    return load_knowledge_base(MC)


def within(p_hat: float, p: float, n: int = N) -> bool:
    stderr = math.sqrt(p * (1 - p) / n)
    return abs(p_hat - p) <= 4 * stderr


def test_each_distribution_matches_its_closed_form(mc: KnowledgeBase) -> None:
    result = simulate(mc, resolve_scenario(mc), N, seed=11)
    normal = stats.norm(10, 2 / Z95)
    lognormal = stats.lognorm(s=math.log(10) / Z95, scale=10)  # [1, 100]: median 10
    uniform = stats.uniform(5 - 5 / 0.9, 10 / 0.9)
    truncated = stats.uniform(0, 5 + 5 / 0.9)  # the same uniform, cut at the physical bound 0
    expected = {
        "normal_high": normal.sf(11),
        "lognormal_high": lognormal.sf(20),
        "uniform_high": uniform.sf(7),
        "truncated_low": truncated.cdf(1),
    }
    for claim, p in expected.items():
        got = result.claims[claim]
        assert within(got.p_holds, p), (claim, got.p_holds, p)
        assert got.p_holds + got.p_fails + got.p_undecided == pytest.approx(1.0)
        assert got.stderr_holds == pytest.approx(math.sqrt(got.p_holds * (1 - got.p_holds) / N))


def test_undefined_samples_are_undecided(mc: KnowledgeBase) -> None:
    result = simulate(mc, resolve_scenario(mc), N, seed=5)
    other = stats.norm(0, 1 / Z95)
    claim = result.claims["undefined_sometimes"]  # log(other_x) < 0: undefined for other_x <= 0
    assert within(claim.p_undecided, other.cdf(0))
    assert within(claim.p_holds, other.cdf(1) - other.cdf(0))


def test_a_reused_figure_is_drawn_once(mc: KnowledgeBase) -> None:
    result = simulate(mc, resolve_scenario(mc), 50_000, seed=2)
    # same = normal_x; ratio = same / normal_x: exactly 1 in every sample
    assert result.claims["ratio_is_one"].p_holds == 1.0
    ratio = result.quantities["ratio"]
    assert (ratio.p05, ratio.p50, ratio.p95, ratio.undefined) == (1.0, 1.0, 1.0, 0.0)


def test_scenario_and_set_hold_figures_fixed(mc: KnowledgeBase) -> None:
    pinned = simulate(mc, resolve_scenario(mc, "pinned"), 10_000, seed=1)
    assert "normal_x" in pinned.fixed and "normal_x" not in pinned.sampled
    assert pinned.claims["normal_high"].p_holds == 1.0
    overridden = simulate(mc, resolve_scenario(mc, None, sets=["lognormal_x=10"]), 10_000, seed=1)
    assert overridden.fixed == ("lognormal_x",)
    assert overridden.claims["lognormal_high"].p_holds == 0.0


def test_seed_makes_runs_reproducible(mc: KnowledgeBase) -> None:
    scenario = resolve_scenario(mc)
    a, b = simulate(mc, scenario, 20_000, seed=9), simulate(mc, scenario, 20_000, seed=9)
    assert a.to_json() == b.to_json()
    assert simulate(mc, scenario, 20_000, seed=10).to_json() != a.to_json()


def test_chunks_cover_every_sample(mc: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(simulate_module, "CHUNK", 3_000)
    result = simulate(mc, resolve_scenario(mc), 10_001, seed=4)
    claim = result.claims["normal_high"]
    assert round(claim.p_holds * 10_001) + round(claim.p_fails * 10_001) == 10_001
    assert within(claim.p_holds, stats.norm(10, 2 / Z95).sf(11), 10_001)


@pytest.mark.parametrize("seed", range(5))
def test_label_counts_equal_counting_every_sample(seed: int) -> None:
    # Every claim of the shipped map fixed and mostly constant: many repeated combinations,
    # and more varying claims than one integer code holds (so codes are renumbered).
    kb = load_knowledge_base(Path(__file__).parent.parent / "claims")
    rng = np.random.default_rng(seed)
    n = 5_000
    fixed = {}
    for cid in kb.claims:
        values = np.full(n, rng.integers(-1, 2), dtype=np.int8)
        flipped = rng.random(n) < 0.02
        values[flipped] = rng.integers(-1, 2, int(flipped.sum()))
        fixed[cid] = values
    every = label(tuple(kb.claims), compiled(kb).arguments, fixed, n).claims
    expected = [
        [np.count_nonzero(every[cid] == 1), np.count_nonzero(every[cid] == -1)] for cid in kb.claims
    ]
    counts = simulate_module.label_counts(kb, fixed, n)
    assert counts[:, :2].tolist() == expected
    assert (counts.sum(axis=1) == n).all()


def test_correlation_changes_joint_outcomes(mc: KnowledgeBase) -> None:
    scenario = resolve_scenario(mc)
    plain = simulate(mc, scenario, 20_000, seed=1)
    joint = simulate(mc, scenario, 20_000, seed=1, correlations={("normal_x", "lognormal_x"): 0.8})
    # marginal probabilities are unchanged by reordering
    assert joint.claims["normal_high"].p_holds == plain.claims["normal_high"].p_holds
    assert joint.correlations == {("normal_x", "lognormal_x"): 0.8}


def test_lemonade_probabilities(lemonade: KnowledgeBase) -> None:
    result = simulate(lemonade, resolve_scenario(lemonade), 20_000, seed=1)
    assert result.claims["queue_every_day"].p_holds == 1.0
    assert 0.9 < result.claims["margin_is_healthy"].p_holds < 1.0
    assert result.sampled == ("cup_price", "cups_per_day", "lemons_per_cup_usd")


def test_missing_distribution_is_reported_not_guessed() -> None:
    kb = load_knowledge_base(ANALYSIS / "no_distribution")
    with pytest.raises(CruxError, match="has a range but no distribution"):
        simulate(kb, resolve_scenario(kb), 100, seed=1)
    # held fixed by --set, it needs no distribution
    result = simulate(kb, resolve_scenario(kb, None, sets=["guessed=3"]), 100, seed=1)
    assert result.claims["big"].p_holds == 1.0


def test_cli_simulate_json() -> None:
    result = CliRunner().invoke(
        cli,
        [
            "simulate",
            "--claims",
            str(MC),
            "-n",
            "5000",
            "--seed",
            "1",
            "--format",
            "json",
            "--correlate",
            "normal_x,lognormal_x=0.5",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["n"] == 5000 and data["seed"] == 1
    assert set(data["claims"]["normal_high"]) == {
        "p_holds",
        "p_fails",
        "p_undecided",
        "stderr_holds",
        "stderr_fails",
        "stderr_undecided",
    }
    assert data["correlations"] == [
        {"figures": ["normal_x", "lognormal_x"], "spearman": 0.5, "declared": None}
    ]


def test_cli_simulate_errors() -> None:
    runner = CliRunner()
    bad = runner.invoke(cli, ["simulate", "--claims", str(MC), "--correlate", "normal_x,plain=0.5"])
    assert bad.exit_code == 2
    assert "--correlate: cannot correlate 'plain'" in bad.output
    missing = runner.invoke(cli, ["simulate", "--claims", str(ANALYSIS / "no_distribution")])
    assert missing.exit_code == 1
    assert "model.yaml:6:12: figure 'guessed' has a range but no distribution" in missing.output
    table = runner.invoke(cli, ["simulate", "--claims", str(MC), "-n", "2000", "--seed", "3"])
    assert table.exit_code == 0 and "P(holds)" in table.output
