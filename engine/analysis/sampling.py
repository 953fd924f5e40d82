"""Figures as probability distributions, and rank correlation between them (Iman–Conover).

A figure's ``range: [low, high]`` is a 90% interval: its 5th and 95th percentiles.

* ``normal``: mean ``(low + high) / 2``, standard deviation ``(high - low) / (2 · 1.6449)``.
* ``lognormal``: the same in log space: ``log X`` is normal with those parameters taken from
  ``[log low, log high]`` (the median is the geometric mean ``sqrt(low · high)``).
* ``uniform``: the range is the *central 90%* of the uniform, like every other range, so the
  support is the range widened by ``1 / 0.9`` about its centre: ``[1.5, 2.5]`` samples from
  ``[1.444, 2.556]``. One meaning for ``range`` everywhere keeps the numbers comparable.

Samples never leave a figure's physical bounds (`engine.knowledge.settings.physical_bounds`): the distribution is
truncated there (drawn by inverse CDF between the bounds' percentiles) rather than clipped, so
no point mass piles up on the bound. A figure with a range but no distribution is an error:
the engine never guesses a distribution.

Correlation is declared between pairs of figures as a Spearman rank correlation (in the
knowledge base's `correlations:`, and on the command line with `--correlate`, which overrides or
adds pairs) and imposed with the Iman–Conover method, which reorders each figure's samples and
so leaves every marginal distribution exactly as drawn. ``static/crux-uncertainty.js`` does the
same in the browser.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

from engine.errors import CruxError, Location, Problem, UsageError, did_you_mean
from engine.knowledge.correlations import (
    Pair,
    correlated_figures,
    correlation_matrix,
    joint_problem,
    scores_correlation,
)
from engine.knowledge.knowledge_base import KnowledgeBase
from engine.knowledge.settings import numeric_setting, physical_bounds

Z95 = 1.6448536269514722
"""The standard normal's 95th percentile, `float(scipy.special.ndtri(0.95))` to the last bit: a 90%
interval spans ±Z95 standard deviations. Written out so that importing this module (which the site
build's main process does) does not import `scipy.special`, which takes 0.14 s."""

Distribution = Literal["lognormal", "normal", "uniform"]


@dataclass(frozen=True)
class Marginal:
    """One figure's sampling distribution: a 90% interval, a shape, and truncation bounds."""

    figure: str
    distribution: Distribution
    low: float
    high: float
    lower: float
    upper: float

    @property
    def location(self) -> float:
        """Mean of the normal (in log space for lognormal) or centre of the uniform."""
        if self.distribution == "lognormal":
            return (math.log(self.low) + math.log(self.high)) / 2
        return (self.low + self.high) / 2

    @property
    def scale(self) -> float:
        """Standard deviation of the normal (log space for lognormal); half-width of the uniform."""
        if self.distribution == "lognormal":
            return (math.log(self.high) - math.log(self.low)) / (2 * Z95)
        if self.distribution == "normal":
            return (self.high - self.low) / (2 * Z95)
        return (self.high - self.low) / 2 / 0.9

    def cdf(self, x: np.ndarray | float) -> np.ndarray:
        """The untruncated distribution function."""
        x = np.asarray(x, dtype=np.float64)
        mu, s = self.location, self.scale
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.distribution == "uniform":
                if s == 0:
                    return np.asarray(np.where(x < mu, 0.0, 1.0))
                return np.asarray(np.clip((x - (mu - s)) / (2 * s), 0.0, 1.0))
            if self.distribution == "lognormal":
                z = np.where(x > 0, (np.log(np.where(x > 0, x, 1.0)) - mu) / s, -np.inf)
            else:
                z = (x - mu) / s if s > 0 else np.where(x < mu, -np.inf, np.inf)
            from scipy.special import ndtr

            return np.asarray(ndtr(z))

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """The untruncated inverse distribution function (vectorised)."""
        mu, s = self.location, self.scale
        if self.distribution == "uniform":
            return np.asarray(mu - s + 2 * s * u)
        from scipy.special import ndtri

        z = ndtri(u)
        if self.distribution == "lognormal":
            return np.asarray(np.exp(mu + s * z))
        return np.asarray(mu + s * z)

    def truncation(self) -> tuple[float, float]:
        """The percentiles of the physical bounds: samples are drawn between them."""
        return float(self.cdf(self.lower)), float(self.cdf(self.upper))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws, truncated to the physical bounds."""
        u_low, u_high = self.truncation()
        u = rng.random(n)
        u *= u_high - u_low
        u += u_low
        # ndtri(0) is -inf; keep strictly inside (0, 1) so every draw is finite
        np.clip(u, 1e-300, 1 - 2**-53, out=u)
        values = self.quantile(u)
        np.clip(values, self.lower, self.upper, out=values)
        return values


def marginal(kb: KnowledgeBase, figure_id: str) -> Marginal:
    """The sampling distribution of a figure with a range and a distribution."""
    figure = kb.figures[figure_id]
    if figure.range is None or figure.distribution is None:
        raise ValueError(f"figure {figure_id!r} has no range and distribution to sample")
    lower, upper = physical_bounds(figure)
    low, high = figure.range
    return Marginal(figure_id, figure.distribution, float(low), float(high), lower, upper)


def sampled_figures(kb: KnowledgeBase, fixed: Collection[str] = ()) -> tuple[str, ...]:
    """Number figures with a range that are not held fixed, in id order."""
    return tuple(
        fid
        for fid, fig in kb.figures.items()
        if fig.kind == "number" and fig.range is not None and fid not in fixed
    )


def check_distributions(kb: KnowledgeBase, figure_ids: Collection[str]) -> None:
    """Every figure to be sampled needs a declared distribution whose bounds admit samples."""
    problems: list[Problem] = []
    for fid in sorted(figure_ids):
        fig = kb.figures[fid]
        if fig.distribution is None:
            problems.append(
                Problem(
                    kb.locate(fid, "range"),
                    f"figure '{fid}' has a range but no distribution: expected "
                    "distribution: lognormal | normal | uniform, found none "
                    "(the engine does not guess how a range is spread)",
                )
            )
            continue
        m = marginal(kb, fid)
        u_low, u_high = m.truncation()
        if not u_high - u_low > 1e-12:
            problems.append(
                Problem(
                    kb.locate(fid, "range"),
                    f"figure '{fid}': expected a range that overlaps its physical bounds "
                    f"[{m.lower:g}, {m.upper:g}], found [{m.low:g}, {m.high:g}]",
                )
            )
    if problems:
        raise CruxError(problems, "the figures' distributions")


# --- correlation ----------------------------------------------------------------------------


def declared_pairs(kb: KnowledgeBase) -> dict[Pair, str]:
    """The knowledge base's correlations as figure pairs (as written), each with its id."""
    return {(corr.figures[0], corr.figures[1]): cid for cid, corr in kb.correlations.items()}


def effective_correlations(
    kb: KnowledgeBase,
    sampled: Collection[str],
    overrides: Mapping[tuple[str, str], float] | None = None,
) -> dict[Pair, float]:
    """The correlations a run imposes: the knowledge base's, then the command line's.

    A declared correlation applies when both its figures are sampled (a figure the scenario holds
    at a value has no spread to share). ``overrides`` (`--correlate`) replace a declared pair's
    value, written in either order, or add pairs; `0` switches a declared one off. The result is
    sorted, so every caller (`crux simulate`, the site, the what-if panel's model) imposes the
    same set the same way.
    """
    merged: dict[Pair, float] = {}
    for corr in kb.correlations.values():
        a, b = corr.figures
        if a in sampled and b in sampled:
            merged[(a, b)] = corr.rank
    for (a, b), rho in (overrides or {}).items():
        merged.pop((b, a), None)
        merged[(a, b)] = rho
    return dict(sorted(merged.items()))


def check_correlations(
    kb: KnowledgeBase, sampled: Collection[str], correlations: Mapping[tuple[str, str], float]
) -> tuple[tuple[str, ...], np.ndarray]:
    """Validate correlations given on the command line; return the figures involved and the
    normal scores' correlation of the whole set a run imposes (`effective_correlations`).

    Raises `UsageError` naming every problem: unknown or unsampled figures, a figure correlated
    with itself, values outside [-1, 1], a pair given twice with different values, and a
    set (with the knowledge base's) that is not positive semi-definite (no joint distribution
    has those correlations).
    """
    problems: list[str] = []
    seen: dict[frozenset[str], float] = {}
    for (a, b), rho in sorted(correlations.items()):
        for fid in (a, b):
            if fid not in kb.figures:
                problems.append(f"unknown figure '{fid}'{did_you_mean(fid, kb.figures)}")
            elif fid not in sampled:
                why = (
                    "it has no range"
                    if kb.figures[fid].range is None or kb.figures[fid].kind != "number"
                    else "the scenario holds it fixed"
                )
                problems.append(f"cannot correlate '{fid}': it is not sampled ({why})")
        if a == b:
            problems.append(f"'{a}' is correlated with itself")
        if not (-1.0 <= rho <= 1.0) or math.isnan(rho):
            problems.append(f"{a},{b}: expected a correlation in [-1, 1], found {rho:g}")
        key = frozenset((a, b))
        if key in seen and seen[key] != rho:
            problems.append(f"{a},{b}: declared twice, as {seen[key]:g} and {rho:g}")
        seen[key] = rho
    if problems:
        raise CorrelationError(problems)
    merged = effective_correlations(kb, sampled, correlations)
    problem = joint_problem(merged)
    if problem is not None:
        declared = sorted(cid for pair, cid in declared_pairs(kb).items() if pair in merged)
        with_declared = f" (with the knowledge base's {', '.join(declared)})" if declared else ""
        raise CorrelationError([problem + with_declared])
    figure_ids = correlated_figures(merged)
    return figure_ids, scores_correlation(correlation_matrix(figure_ids, merged))


class CorrelationError(UsageError):
    """Declared correlations that cannot be used (bad usage: exit status 2)."""

    def __init__(self, messages: list[str]) -> None:
        problems = [Problem(Location("--correlate"), message) for message in messages]
        CruxError.__init__(self, problems, "the command line")


def _square_root(matrix: np.ndarray) -> np.ndarray:
    """A factor ``L`` with ``L @ L.T == matrix`` for a positive semi-definite matrix."""
    eigenvalues, vectors = np.linalg.eigh(matrix)
    return np.asarray(vectors * np.sqrt(np.clip(eigenvalues, 0.0, None)))


def iman_conover(samples: np.ndarray, pearson: np.ndarray, rng: np.random.Generator) -> None:
    """Reorder each row of ``samples`` (k × n) in place to have the target rank correlation.

    Iman & Conover (1982): build van der Waerden scores with a random order per row, correct
    their sample correlation to exactly ``pearson``, and give each row of samples the rank
    order of its row of scores. Only the order changes, so marginals are untouched.
    """
    k, n = samples.shape
    if k < 2 or n < 3:
        return
    from scipy.special import ndtri

    base = ndtri(np.arange(1, n + 1) / (n + 1))
    scores = np.empty((k, n))
    for row in range(k):
        scores[row] = base[rng.permutation(n)]
    achieved = np.corrcoef(scores)
    # Whitening by the achieved correlation first makes the result's correlation exact.
    transform = _square_root(pearson) @ np.linalg.inv(np.linalg.cholesky(achieved))
    scores = transform @ scores
    for row in range(k):
        order = np.argsort(scores[row], kind="stable")
        sorted_values = np.sort(samples[row])
        samples[row, order] = sorted_values


def sample_figures(
    kb: KnowledgeBase,
    settings: Mapping[str, float | str],
    n: int,
    rng: np.random.Generator,
    correlations: Mapping[tuple[str, str], float] | None = None,
    *,
    fixed: Collection[str] = (),
) -> dict[str, np.ndarray]:
    """``n`` joint draws of every figure, as ``{figure_id: float64 array (n,)}``.

    Number figures with a range are sampled (one draw per sample, shared by every formula that
    uses the figure) unless listed in ``fixed``; every other figure is its setting, as a
    read-only broadcast view that costs no memory. Draws are made in figure-id order from
    ``rng``, so a seeded generator reproduces them. The knowledge base's correlations are
    imposed (`effective_correlations`); ``correlations`` (`--correlate`: figure pairs to
    Spearman rank correlations) replace or add to them.
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    sampled = sampled_figures(kb, fixed)
    check_distributions(kb, sampled)
    correlated, pearson = check_correlations(kb, sampled, correlations or {})
    out: dict[str, np.ndarray] = {}
    for fid, fig in kb.figures.items():
        if fid in sampled:
            out[fid] = marginal(kb, fid).sample(rng, n)
        else:
            constant = np.float64(numeric_setting(fig, settings[fid]))
            out[fid] = np.broadcast_to(constant, (n,))
    if correlated:
        block = np.stack([out[fid] for fid in correlated])
        iman_conover(block, pearson, rng)
        for row, fid in enumerate(correlated):
            out[fid] = block[row]
    return out


def parse_correlation(text: str) -> tuple[tuple[str, str], float]:
    """Parse ``a,b=0.6`` (the ``--correlate`` option)."""
    pair, sep, raw = text.partition("=")
    names = [name.strip() for name in pair.split(",")]
    if not sep or len(names) != 2 or not all(names):
        raise UsageError(f"expected FIGURE,FIGURE=RHO, found '{text}'", "--correlate")
    try:
        rho = float(raw)
    except ValueError:
        raise UsageError(
            f"expected a number after '=', found '{raw.strip()}'", "--correlate"
        ) from None
    return (names[0], names[1]), rho


# --- other ranges (`crux simulate --range`, the what-if panel's range fields) ---------------


def parse_range(text: str) -> tuple[str, tuple[float, float]]:
    """Parse ``figure=low..high`` (the ``--range`` option; the panel's links write the same)."""
    name, sep, raw = text.partition("=")
    low_text, dots, high_text = raw.partition("..")
    if not sep or not name.strip() or not dots:
        raise UsageError(f"expected FIGURE=LOW..HIGH, e.g. price=2..9, found '{text}'", "--range")
    try:
        low, high = float(low_text), float(high_text)
    except ValueError:
        raise UsageError(
            f"expected two numbers LOW..HIGH after '=', found '{raw.strip()}'", "--range"
        ) from None
    return name.strip(), (low, high)


def with_ranges(kb: KnowledgeBase, ranges: Mapping[str, tuple[float, float]]) -> KnowledgeBase:
    """The knowledge base with other 90% ranges for some number figures.

    Each figure keeps its distribution, and its physical bounds follow the new range by the one
    rule (`physical_bounds`), as they do in the what-if panel. Raises `UsageError` naming every
    range that cannot be used; whether a range overlaps its bounds is checked when sampling.
    """
    if not ranges:
        return kb
    import dataclasses

    problems: list[str] = []
    figures = dict(kb.figures)
    for fid, (low, high) in sorted(ranges.items()):
        figure = kb.figures.get(fid)
        if figure is None:
            problems.append(f"unknown figure '{fid}'{did_you_mean(fid, kb.figures)}")
        elif figure.kind != "number":
            problems.append(f"'{fid}' is a {figure.kind}, not a number: it has no range")
        elif figure.distribution is None:
            problems.append(
                f"'{fid}' has no distribution to draw the range from (the engine does not guess)"
            )
        elif not (math.isfinite(low) and math.isfinite(high)) or low > high:
            problems.append(f"{fid}: expected finite LOW <= HIGH, found {low:g}..{high:g}")
        elif figure.distribution == "lognormal" and low <= 0:
            problems.append(f"{fid}: a lognormal range must be above 0, found {low:g}..{high:g}")
        else:
            figures[fid] = figure.model_copy(update={"range": (float(low), float(high))})
    if problems:
        raise RangeError(problems)
    return dataclasses.replace(kb, figures=figures)


class RangeError(UsageError):
    """Ranges given on the command line that cannot be used (bad usage: exit status 2)."""

    def __init__(self, messages: list[str]) -> None:
        problems = [Problem(Location("--range"), message) for message in messages]
        CruxError.__init__(self, problems, "the command line")
