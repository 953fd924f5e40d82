"""Distributions of figures and Iman–Conover rank correlation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from engine.analysis.sampling import (
    Z95,
    CorrelationError,
    marginal,
    parse_correlation,
    sample_figures,
)
from engine.errors import CruxError, UsageError
from engine.knowledge.loader import KnowledgeBase, load_knowledge_base
from engine.knowledge.scenario import resolve_scenario
from engine.knowledge.settings import physical_bounds

ANALYSIS = Path(__file__).parent / "examples" / "analysis"


@pytest.fixture(scope="module")
def mc() -> KnowledgeBase:
    return load_knowledge_base(ANALYSIS / "montecarlo")


def draw(
    kb: KnowledgeBase, n: int = 200_000, seed: int = 7, **kwargs: object
) -> dict[str, np.ndarray]:
    settings = resolve_scenario(kb).settings
    return sample_figures(kb, settings, n, np.random.Generator(np.random.PCG64(seed)), **kwargs)  # type: ignore[arg-type]


def test_the_range_is_the_90_percent_interval(mc: KnowledgeBase) -> None:
    samples = draw(mc)
    for fid in ("normal_x", "lognormal_x", "uniform_x"):
        low, high = mc.figures[fid].range or (0, 0)
        p05, p95 = np.percentile(samples[fid], [5, 95])
        assert p05 == pytest.approx(low, rel=0.03, abs=0.05), fid
        assert p95 == pytest.approx(high, rel=0.03, abs=0.05), fid


def test_uniform_support_is_the_range_widened_by_one_over_0_9(mc: KnowledgeBase) -> None:
    m = marginal(mc, "uniform_x")
    assert m.quantile(np.array([0.0, 1.0])).tolist() == pytest.approx([5 - 5 / 0.9, 5 + 5 / 0.9])
    assert marginal(mc, "normal_x").scale == pytest.approx(2 / Z95)
    assert pytest.approx(1.6448536269514722) == Z95


def test_truncated_at_physical_bounds_not_clipped(mc: KnowledgeBase) -> None:
    assert physical_bounds(mc.figures["truncated_x"]) == (0.0, np.inf)
    assert physical_bounds(mc.figures["uniform_x"]) == (-100.0, np.inf)
    values = draw(mc)["truncated_x"]
    assert values.min() >= 0
    # a uniform on [0, 10.556]: no point mass at 0
    assert np.count_nonzero(values == 0) == 0
    support = 5 + 5 / 0.9
    assert stats.kstest(values, stats.uniform(0, support).cdf).pvalue > 1e-3


def test_unsampled_figures_are_constant_views(mc: KnowledgeBase) -> None:
    samples = draw(mc, n=1000)
    assert samples["plain"].shape == (1000,) and not samples["plain"].flags.writeable
    assert set(np.unique(samples["plain"])) == {3.0}
    fixed = draw(mc, n=1000, fixed={"normal_x"})
    assert set(np.unique(fixed["normal_x"])) == {10.0}


def test_seed_reproduces_draws(mc: KnowledgeBase) -> None:
    a, b, c = draw(mc, 1000, seed=1), draw(mc, 1000, seed=1), draw(mc, 1000, seed=2)
    assert all(np.array_equal(a[f], b[f]) for f in a)
    assert not np.array_equal(a["normal_x"], c["normal_x"])


@pytest.mark.parametrize("rho", [0.6, -0.4, 0.95])
def test_iman_conover_hits_the_spearman_target_and_keeps_marginals(
    mc: KnowledgeBase, rho: float
) -> None:
    plain = draw(mc, 100_000, seed=3)
    pair = ("lognormal_x", "normal_x")
    correlated = draw(mc, 100_000, seed=3, correlations={pair: rho})
    achieved = stats.spearmanr(correlated["lognormal_x"], correlated["normal_x"]).statistic
    assert achieved == pytest.approx(rho, abs=0.01)
    for fid in pair:  # the same draws, only reordered
        assert np.array_equal(np.sort(plain[fid]), np.sort(correlated[fid]))
    uncorrelated = stats.spearmanr(plain["lognormal_x"], plain["normal_x"]).statistic
    assert abs(uncorrelated) < 0.02


def test_three_way_correlation(mc: KnowledgeBase) -> None:
    target = {
        ("normal_x", "lognormal_x"): 0.5,
        ("normal_x", "other_x"): -0.3,
        ("lognormal_x", "other_x"): 0.2,
    }
    samples = draw(mc, 100_000, correlations=target)
    for (a, b), rho in target.items():
        assert stats.spearmanr(samples[a], samples[b]).statistic == pytest.approx(rho, abs=0.01)


def test_correlations_that_cannot_occur_together_are_refused(mc: KnowledgeBase) -> None:
    impossible = {
        ("normal_x", "lognormal_x"): 0.9,
        ("lognormal_x", "other_x"): 0.9,
        ("normal_x", "other_x"): -0.9,
    }
    with pytest.raises(CorrelationError) as info:
        draw(mc, 100, correlations=impossible)
    assert "positive semi-definite" in str(info.value)
    assert isinstance(info.value, UsageError)


@pytest.mark.parametrize(
    ("pair", "rho", "message"),
    [
        (
            ("normal_x", "plain"),
            0.5,
            "cannot correlate 'plain': it is not sampled (it has no range)",
        ),
        (("normal_x", "nope"), 0.5, "unknown figure 'nope'"),
        (("normal_x", "normal_x"), 0.5, "'normal_x' is correlated with itself"),
        (("normal_x", "other_x"), 1.5, "expected a correlation in [-1, 1], found 1.5"),
    ],
)
def test_bad_correlations(
    mc: KnowledgeBase, pair: tuple[str, str], rho: float, message: str
) -> None:
    with pytest.raises(CorrelationError) as info:
        draw(mc, 100, correlations={pair: rho})
    assert message in str(info.value)


def test_fixed_figure_cannot_be_correlated(mc: KnowledgeBase) -> None:
    with pytest.raises(CorrelationError, match="the scenario holds it fixed"):
        draw(mc, 100, correlations={("normal_x", "other_x"): 0.5}, fixed={"normal_x"})


def test_parse_correlation() -> None:
    assert parse_correlation("a, b=0.6") == (("a", "b"), 0.6)
    for bad in ("a=0.6", "a,b", "a,b=x", ",b=1"):
        with pytest.raises(UsageError):
            parse_correlation(bad)


def test_range_without_distribution_is_an_error_at_the_range() -> None:
    kb = load_knowledge_base(ANALYSIS / "no_distribution")
    with pytest.raises(CruxError) as info:
        draw(kb, 10)
    [problem] = info.value.problems
    assert str(problem.location).endswith("no_distribution/model.yaml:6:12")
    assert "figure 'guessed' has a range but no distribution" in problem.message
    assert "lognormal | normal | uniform" in problem.message


def test_z95_is_scipys_95th_percentile_to_the_last_bit() -> None:
    from scipy.special import ndtri

    assert float(ndtri(0.95)) == Z95
