"""Monte Carlo: the probability that each claim holds, fails or is undecided.

Every figure with a range is drawn from its declared distribution (`engine.analysis.sampling`);
figures the scenario or ``--set`` gives a value of their own are held fixed at it. The whole map
is evaluated at once for a block of samples (`evaluate_calculators`, `evaluate_conditions`, then
`label_counts`), so a figure's single draw is used by every formula that mentions it. Samples
are processed in blocks of `CHUNK` so that memory stays bounded at any ``n``; results depend
only on ``n``, the seed and the knowledge base.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.analysis.sampling import (
    check_correlations,
    check_distributions,
    declared_pairs,
    effective_correlations,
    sample_figures,
    sampled_figures,
)
from engine.evaluation.evaluate import (
    compiled,
    evaluate_calculators,
    evaluate_conditions,
    fixed_labels,
)
from engine.evaluation.semantics import FAILS, HOLDS, label
from engine.formatting import json_number
from engine.knowledge.knowledge_base import KnowledgeBase
from engine.knowledge.scenario import ScenarioInput, scenario_chain
from engine.knowledge.settings import numeric_setting

CHUNK = 1 << 18
"""Samples evaluated together; bounds memory to a few arrays of this length per quantity."""

KEEP_FOR_PERCENTILES = 100_000
"""Percentiles of calculators come from the first this-many samples (an i.i.d. subsample)."""
MAX_SAMPLES = 10_000_000
"""The most samples one run may ask for. Memory is bounded at any `n` (blocks of `CHUNK`), but
time is not: 10 million samples take seconds on a map the size of the shipped one and give a
standard error below 0.02 percentage points; `-n 1e12` would run for days."""


@dataclass(frozen=True)
class ClaimProbability:
    """How often a claim got each label, with Monte Carlo standard errors sqrt(p(1-p)/n)."""

    claim: str
    p_holds: float
    p_fails: float
    p_undecided: float
    n: int

    def stderr(self, p: float) -> float:
        return math.sqrt(p * (1 - p) / self.n)

    @property
    def stderr_holds(self) -> float:
        return self.stderr(self.p_holds)

    @property
    def stderr_fails(self) -> float:
        return self.stderr(self.p_fails)

    @property
    def stderr_undecided(self) -> float:
        return self.stderr(self.p_undecided)

    def to_json(self) -> dict[str, Any]:
        return {
            "p_holds": self.p_holds,
            "p_fails": self.p_fails,
            "p_undecided": self.p_undecided,
            "stderr_holds": self.stderr_holds,
            "stderr_fails": self.stderr_fails,
            "stderr_undecided": self.stderr_undecided,
        }


@dataclass(frozen=True)
class QuantitySummary:
    """A calculator's distribution: mean and percentiles over defined samples."""

    id: str
    unit: str
    mean: float
    p05: float
    p50: float
    p95: float
    undefined: float
    """Share of samples where the quantity is undefined (NaN)."""

    def to_json(self) -> dict[str, Any]:
        def number(x: float) -> float | str | None:
            return json_number(x)

        return {
            "unit": self.unit,
            "mean": number(self.mean),
            "p05": number(self.p05),
            "p50": number(self.p50),
            "p95": number(self.p95),
            "undefined": self.undefined,
        }


@dataclass(frozen=True)
class SimulationResult:
    """The outcome of `simulate`: label probabilities per claim and calculator summaries."""

    scenario: str
    n: int
    seed: int | None
    sampled: tuple[str, ...]
    fixed: tuple[str, ...]
    """Figures with a range that the scenario holds at its own value."""
    correlations: Mapping[tuple[str, str], float]
    """The rank correlations imposed: the knowledge base's among sampled figures, then
    `--correlate`'s (`sampling.effective_correlations`)."""
    claims: Mapping[str, ClaimProbability]
    quantities: Mapping[str, QuantitySummary] = field(repr=False)
    declared: Mapping[tuple[str, str], str] = field(default_factory=dict)
    """The id of each imposed correlation the knowledge base declares with that value."""

    def to_json(self) -> dict[str, Any]:
        """The stable JSON shape of `crux simulate --format json` (docs/analysis.md)."""
        return {
            "scenario": self.scenario,
            "n": self.n,
            "seed": self.seed,
            "sampled": list(self.sampled),
            "fixed": list(self.fixed),
            "correlations": [
                {"figures": [a, b], "spearman": rho, "declared": self.declared.get((a, b))}
                for (a, b), rho in sorted(self.correlations.items())
            ],
            "claims": {cid: p.to_json() for cid, p in self.claims.items()},
            "calculators": {qid: q.to_json() for qid, q in self.quantities.items()},
        }


def held_fixed(kb: KnowledgeBase, scenario: ScenarioInput) -> frozenset[str]:
    """Figures the scenario gives a value of its own: `--set`, its `set:` chain, or a new value.

    A scenario file's `set:` is not kept in `ScenarioInput`, so a figure it sets to exactly the
    cited value cannot be told apart and stays sampled; every other setting is caught.
    """
    fixed = {fid for fid in scenario.overridden if fid in kb.figures}
    if scenario.name in kb.scenarios:
        for step in scenario_chain(kb, kb.scenarios[scenario.name]):
            fixed.update(step.set)
    for fid, fig in kb.figures.items():
        if numeric_setting(fig, scenario.settings[fid]) != fig.numeric_value():
            fixed.add(fid)
    return frozenset(fixed)


def label_counts(kb: KnowledgeBase, fixed: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    """How many of ``n`` samples give each claim each label: shape (claims, 3), in `kb.claims`
    order, counting holds, fails and undecided.

    A sample's labels depend on it only through its fixed labels (``fixed``, arrays of shape
    (n,)), and samples share them often: each condition has three outcomes, and most figures
    have no range at all. So each distinct combination of fixed labels is labelled once and
    counted as often as it occurs, which gives the same counts as labelling every sample.
    """
    combinations, occurrences = _distinct_samples(fixed, n)
    labelling = label(tuple(kb.claims), compiled(kb).arguments, combinations, occurrences.size)
    counts = np.zeros((len(kb.claims), 3), dtype=np.int64)
    for row, cid in enumerate(kb.claims):
        values = labelling.claims[cid]
        holds = int(occurrences @ (values == HOLDS))
        fails = int(occurrences @ (values == FAILS))
        counts[row] = (holds, fails, n - holds - fails)
    return counts


_MAX_CODE = 1 << 62  # codes of combinations stay below this, far from int64 overflow


def _distinct_samples(
    fixed: Mapping[str, np.ndarray], n: int
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The distinct combinations of fixed labels among ``n`` samples (arrays of shape (m,), in
    no particular order), and how many samples have each (int64, shape (m,))."""
    code = combination_codes([values for values in fixed.values() if _varies(values)], n)
    _, first, occurrences = np.unique(code, return_index=True, return_counts=True)
    return {cid: values[first] for cid, values in fixed.items()}, occurrences


def combination_codes(varying: Sequence[np.ndarray], n: int) -> np.ndarray:
    """Each of ``n`` samples' combination of labels (``varying``: arrays of -1/0/1, shape (n,))
    as one int64, equal for two samples exactly when their combinations are equal.

    The labels are digits in base 3; past `_MAX_CODE` the codes seen so far are renumbered
    0, 1, 2, ... (`np.unique`) so they never overflow. Sorting these integers is far faster than
    `np.unique(..., axis=1)` on the stacked labels, which compares raw byte rows.
    """
    code = np.zeros(n, dtype=np.int64)
    bound = 1  # every code is below this
    for values in varying:
        if bound > _MAX_CODE // 3:  # renumber the codes seen so far 0, 1, 2, ...
            _, code = np.unique(code, return_inverse=True)
            bound = int(code.max()) + 1
        code = code * 3 + (values + 1)
        bound *= 3
    return code


def _varies(values: np.ndarray) -> bool:
    # A broadcast view (an assumption's labels) repeats one value: no need to read it.
    return values.strides != (0,) and bool((values != values[0]).any())


def simulate(
    kb: KnowledgeBase,
    scenario: ScenarioInput,
    n: int = 10_000,
    seed: int | None = None,
    correlations: Mapping[tuple[str, str], float] | None = None,
) -> SimulationResult:
    """Sample the figures ``n`` times and count each claim's labels.

    ``seed`` seeds a PCG64 generator, so equal seeds give equal results; ``None`` draws fresh
    entropy. The knowledge base's correlations are imposed; ``correlations`` (figure pairs to
    Spearman rank correlations, as `--correlate` gives them) replace or add to them.
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    correlations = dict(correlations or {})
    fixed = held_fixed(kb, scenario)
    sampled = sampled_figures(kb, fixed)
    check_distributions(kb, sampled)
    check_correlations(kb, sampled, correlations)
    imposed = effective_correlations(kb, sampled, correlations)
    rng = np.random.Generator(np.random.PCG64(seed))

    claim_ids = tuple(kb.claims)
    counts = np.zeros((len(claim_ids), 3), dtype=np.int64)  # holds, fails, undecided
    calc_ids = tuple(kb.calculators)
    sums = np.zeros(len(calc_ids))
    defined = np.zeros(len(calc_ids), dtype=np.int64)
    kept: dict[str, list[np.ndarray]] = {cid: [] for cid in calc_ids}
    kept_count = 0
    for start in range(0, n, CHUNK):
        size = min(CHUNK, n - start)
        figures = sample_figures(kb, scenario.settings, size, rng, correlations, fixed=fixed)
        numbers = dict(figures)
        del figures
        calculators = evaluate_calculators(kb, numbers)
        # One condition's truth values at a time: only their labels are kept.
        conditions = evaluate_conditions(kb, numbers)
        decided = fixed_labels(kb, conditions, scenario.assumptions, size)
        del numbers
        counts += label_counts(kb, decided, size)
        del decided
        keep = min(size, KEEP_FOR_PERCENTILES - kept_count)
        for row, cid in enumerate(calc_ids):
            values = calculators[cid]
            ok = ~np.isnan(values)
            defined[row] += int(np.count_nonzero(ok))
            sums[row] += float(values.sum(where=ok))
            if keep == size:  # all of it: the array itself, no copy
                kept[cid].append(values)
            elif keep > 0:  # a copy, so that the rest of the block can be freed
                kept[cid].append(values[:keep].copy())
        kept_count += max(keep, 0)
        del calculators

    claims = {
        cid: ClaimProbability(
            claim=cid,
            p_holds=counts[row, 0] / n,
            p_fails=counts[row, 1] / n,
            p_undecided=counts[row, 2] / n,
            n=n,
        )
        for row, cid in enumerate(claim_ids)
    }
    quantities = {}
    for row, cid in enumerate(calc_ids):
        subsample = np.concatenate(kept[cid])
        subsample = subsample[~np.isnan(subsample)]
        if subsample.size:
            p05, p50, p95 = _percentiles(subsample)
        else:
            p05 = p50 = p95 = math.nan
        quantities[cid] = QuantitySummary(
            id=cid,
            unit=kb.calculators[cid].unit,
            mean=float(sums[row] / defined[row]) if defined[row] else math.nan,
            p05=p05,
            p50=p50,
            p95=p95,
            undefined=float(1 - defined[row] / n),
        )
    return SimulationResult(
        scenario=scenario.name,
        n=n,
        seed=seed,
        sampled=sampled,
        fixed=tuple(sorted(f for f in fixed if kb.figures[f].range is not None)),
        correlations=imposed,
        claims=claims,
        quantities=quantities,
        declared={
            pair: cid
            for pair, cid in declared_pairs(kb).items()
            if pair in imposed and imposed[pair] == kb.correlations[cid].rank
        },
    )


def _percentiles(values: np.ndarray) -> tuple[float, float, float]:
    """5th, 50th and 95th percentiles; a percentile among infinite samples ("never") is ±∞.

    Linear interpolation between ∞ and ∞ gives NaN, so the infinities are ranked by clipping
    to the largest float and put back afterwards.
    """
    if not np.isinf(values).any():
        p05, p50, p95 = np.percentile(values, [5, 50, 95])
        return float(p05), float(p50), float(p95)
    big = np.finfo(np.float64).max
    clipped = np.clip(values, -big, big)
    found = np.percentile(clipped, [5, 50, 95], method="lower")
    back = [math.inf if q >= big else -math.inf if q <= -big else float(q) for q in found]
    return back[0], back[1], back[2]
