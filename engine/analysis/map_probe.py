"""The map as a function of one figure, every other figure held at the scenario's value.

`MapProbe` evaluates every claim's label (vectorised) at many values of one figure; tipping
points (`engine.analysis.flips`) and sensitivity share it. `MapProbe.scan` finds where labels
change: the roots of the comparisons the labels depend on are the candidates
(`engine.analysis.comparison_roots`). The labels of all claims are then evaluated between
consecutive candidates; a candidate is a tipping point of a claim when the labels on its two
sides differ. As a safety net, any label change between grid points that no candidate explains,
or that the candidates put in the wrong place, is located by bisection on the label itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np

from engine.evaluation.evaluate import compiled, condition_labels, evaluate, fixed_labels
from engine.evaluation.semantics import Relabeller
from engine.knowledge.graph import upstream
from engine.knowledge.knowledge_base import KnowledgeBase
from engine.knowledge.scenario import ScenarioInput
from engine.knowledge.settings import numeric_setting

if TYPE_CHECKING:
    # Imported where roots are sought (it imports sympy), so that unpickling a cached analysis,
    # whose classes import this module, needs no sympy.
    from engine.analysis.comparison_roots import Comparison, ExactRoots

_CHECK_REL = 1e-10  # candidates are checked this far (relative) on either side
_FIGURE = frozenset({"figure"})


@dataclass(frozen=True)
class Scan:
    """One figure swept over an interval: candidate points and each claim's label between them.

    ``segments[claim][i]`` is the claim's label (1/-1/0) between ``points[i-1]`` and
    ``points[i]`` (with the interval's ends before the first and after the last point).
    """

    figure: str
    interval: tuple[float, float]
    points: tuple[float, ...]
    exact: tuple[bool, ...]
    segments: Mapping[str, np.ndarray]

    def crossings(self, claim: str) -> list[tuple[float, int, int, bool]]:
        """(at, label below, label above, exact) for each point where the claim's label changes."""
        labels = self.segments[claim]
        return [
            (at, int(labels[i]), int(labels[i + 1]), exact)
            for i, (at, exact) in enumerate(zip(self.points, self.exact, strict=True))
            if labels[i] != labels[i + 1]
        ]


class MapProbe:
    """The knowledge base as a function of one figure, the others held at the scenario's values.

    Shared by tipping points and sensitivity. Evaluation is vectorised and only recomputes the
    calculators and conditions downstream of the figure that moves.
    """

    def __init__(self, kb: KnowledgeBase, scenario: ScenarioInput) -> None:
        self.kb = kb
        self.scenario = scenario
        self.now = {
            fid: numeric_setting(fig, scenario.settings[fid]) for fid, fig in kb.figures.items()
        }
        self.evaluation = evaluate(kb, scenario)
        model = compiled(kb)
        self._calculators = dict(model.calculators)
        self._conditions = dict(model.conditions)
        self.claim_ids = tuple(kb.claims)

        figure_deps: dict[str, frozenset[str]] = {fid: frozenset({fid}) for fid in kb.figures}
        for cid in kb.calculator_order:
            names = kb.formulas[cid].names
            figure_deps[cid] = frozenset().union(*(figure_deps[name] for name in names))
        self._figure_deps = figure_deps
        self.claim_figures = _figures_upstream(kb)
        from engine.analysis.comparison_roots import comparisons

        self._comparisons = comparisons(kb, figure_deps)
        self._chains: dict[str, tuple[str, ...]] = {}
        self._moved: dict[str, tuple[str, ...]] = {}

    # evaluation -------------------------------------------------------------------------
    def _chain(self, figure: str) -> tuple[str, ...]:
        """The calculators downstream of ``figure``, in evaluation order."""
        chain = self._chains.get(figure)
        if chain is None:
            order = self.kb.calculator_order
            chain = tuple(cid for cid in order if figure in self._figure_deps[cid])
            self._chains[figure] = chain
        return chain

    def _conditions_moved_by(self, figure: str) -> tuple[str, ...]:
        """Claims whose condition depends on ``figure``, unless the scenario assumes them."""
        moved = self._moved.get(figure)
        if moved is None:
            moved = self._moved[figure] = tuple(
                claim_id
                for claim_id in self._conditions
                if claim_id not in self.scenario.assumptions
                and figure in self._condition_figures[claim_id]
            )
        return moved

    def _claims_moved_by(self, figure: str) -> np.ndarray:
        """Rows (in `claim_ids` order, ascending) of the claims whose label ``figure`` can move."""
        return self._relabeller.claims_reached(self._conditions_moved_by(figure))

    @cached_property
    def _constants(self) -> dict[str, float]:
        values = dict(self.now)
        values.update(self.evaluation.calculators)
        return values

    @cached_property
    def _relabeller(self) -> Relabeller:
        """Labels with every figure at the scenario's value except the one that moves."""
        conditions = {cid: np.array([truth]) for cid, truth in self.evaluation.conditions.items()}
        fixed = fixed_labels(self.kb, conditions, self.scenario.assumptions, 1)
        return Relabeller(self.claim_ids, compiled(self.kb).arguments, fixed)

    def values(self, figure: str, xs: np.ndarray) -> dict[str, Any]:
        """Figures and calculators with ``figure`` at each of ``xs`` (others are scalars)."""
        values: dict[str, Any] = dict(self._constants)
        values[figure] = np.asarray(xs, dtype=np.float64)
        for cid in self._chain(figure):
            values[cid] = self._calculators[cid](values)
        return values

    def labels(self, figure: str, xs: np.ndarray) -> np.ndarray:
        """Every claim's label (rows in `claim_ids` order) at each of ``xs``.

        Only the conditions that depend on ``figure`` are evaluated, and only the claims they
        reach relabelled; every other claim keeps its label under the scenario.
        """
        xs = np.asarray(xs, dtype=np.float64)
        n = xs.shape[0]
        values = self.values(figure, xs)
        varying = {
            # broadcast: a condition the graph reaches may not read the figure (`at` replaced it)
            claim_id: condition_labels(np.broadcast_to(self._conditions[claim_id](values), (n,)), n)
            for claim_id in self._conditions_moved_by(figure)
        }
        return self._relabeller.claim_labels(varying, n)

    @cached_property
    def _condition_figures(self) -> dict[str, frozenset[str]]:
        """The figures each condition depends on, by claim id."""
        deps = self._figure_deps
        return {
            claim_id: frozenset().union(
                *(deps[name] for name in self.kb.conditions[claim_id].names)
            )
            for claim_id in self._conditions
        }

    def option_labels(self, figure: str) -> np.ndarray:
        """Every claim's label under each option of a choice figure or switch (rows: claims)."""
        options = self.kb.figures[figure].options
        return self.labels(figure, np.arange(len(options), dtype=np.float64))

    # scan -------------------------------------------------------------------------------
    @cached_property
    def _exact_roots(self) -> ExactRoots:
        from engine.analysis.comparison_roots import ExactRoots

        return ExactRoots(self.kb, self._constants, self._chain)

    def scan(self, figure: str, interval: tuple[float, float]) -> Scan:
        """Every point in the open interval where some claim's label changes with ``figure``."""
        from engine.analysis.comparison_roots import bisect, numeric_roots, scan_grid

        a, b = interval
        grid = scan_grid(a, b, self.now[figure])
        values = self.values(figure, grid)
        candidates: dict[float, bool] = {}
        for comparison in self._comparisons:
            if figure not in comparison.figures:
                continue
            roots = self._exact_roots.roots(comparison, figure, a, b)
            exact = roots is not None
            if roots is None:
                roots = numeric_roots(
                    self._comparison_of(figure, comparison),
                    grid,
                    np.asarray(comparison.function(values)),
                )
            for root in roots:
                if a < root < b:
                    candidates[root] = candidates.get(root, False) or exact
        for _ in range(6):
            points, exact_flags = _merge(candidates, a, b)
            segments, missed = self._segments(figure, a, b, points, grid)
            missed += self._misplaced(figure, a, b, points, segments)
            if not missed:
                break
            # A label change no comparison explained (or one the candidates put in the wrong
            # place): locate it on the label itself.
            for lo, hi, row in missed:
                candidates.setdefault(bisect(self._label_of(figure, row), lo, hi), False)
        return Scan(figure, (a, b), points, exact_flags, _ClaimRows(segments, self._claim_row))

    @cached_property
    def _claim_row(self) -> dict[str, int]:
        return {cid: row for row, cid in enumerate(self.claim_ids)}

    def _comparison_of(
        self, figure: str, comparison: Comparison
    ) -> Callable[[np.ndarray], np.ndarray]:
        def g(xs: np.ndarray) -> np.ndarray:
            return comparison.function(self.values(figure, xs))

        return g

    def _label_of(self, figure: str, row: int) -> Callable[[np.ndarray], np.ndarray]:
        def label(xs: np.ndarray) -> np.ndarray:
            return self.labels(figure, xs)[row]

        return label

    def _misplaced(
        self,
        figure: str,
        a: float,
        b: float,
        points: tuple[float, ...],
        segments: np.ndarray,
    ) -> list[tuple[float, float, int]]:
        """Check each candidate just below and above against its segments' labels.

        ``segments``: each claim's label between candidates (rows in `claim_ids` order).
        """
        if not points:
            return []
        edges = np.array([a, *points, b])
        mids = (edges[:-1] + edges[1:]) / 2
        at = edges[1:-1]
        gap = np.minimum(at - mids[:-1], mids[1:] - at) / 2
        delta = np.minimum(np.maximum(np.abs(at), (b - a) * 1e-3) * _CHECK_REL, gap)
        wrong_below = self.labels(figure, at - delta) != segments[:, :-1]
        wrong_above = self.labels(figure, at + delta) != segments[:, 1:]
        missed: list[tuple[float, float, int]] = []
        # Almost every claim agrees everywhere: look only at the rows where some check failed.
        for row in np.flatnonzero(wrong_below.any(axis=1) | wrong_above.any(axis=1)).tolist():
            for i in np.flatnonzero(wrong_below[row]):
                missed.append((float(mids[i]), float(at[i] - delta[i]), row))
            for i in np.flatnonzero(wrong_above[row]):
                missed.append((float(at[i] + delta[i]), float(mids[i + 1]), row))
        return missed

    def _segments(
        self, figure: str, a: float, b: float, points: tuple[float, ...], grid: np.ndarray
    ) -> tuple[np.ndarray, list[tuple[float, float, int]]]:
        """Labels between candidates (rows in `claim_ids` order), and grid intervals whose label
        change no candidate explains."""
        edges = np.array([a, *points, b])
        mids = (edges[:-1] + edges[1:]) / 2
        inner = grid[(grid > a) & (grid < b)]
        xs = np.concatenate([mids, inner])
        labels = self.labels(figure, xs)
        segments = labels[:, : len(mids)].copy()  # xs start with the midpoints
        # Only the claims the figure reaches can change along the grid.
        moving = self._claims_moved_by(figure)
        labels = labels[moving]
        segment_of = np.concatenate(
            [np.arange(len(mids)), np.searchsorted(edges, inner, side="right") - 1]
        )
        # Points exactly on a candidate belong to no segment.
        on_edge = np.concatenate([np.zeros(len(mids), bool), np.isin(inner, edges)])
        order = np.lexsort((xs, segment_of))
        xs, labels, segment_of, on_edge = (
            xs[order],
            labels[:, order],
            segment_of[order],
            on_edge[order],
        )
        missed: list[tuple[float, float, int]] = []
        same_segment = (segment_of[:-1] == segment_of[1:]) & ~on_edge[:-1] & ~on_edge[1:]
        changes = (labels[:, :-1] != labels[:, 1:]) & same_segment
        for row, i in zip(*np.nonzero(changes), strict=True):
            missed.append((float(xs[i]), float(xs[i + 1]), int(moving[row])))
        # One bisection per interval is enough; several claims changing there share it.
        unique: dict[tuple[float, float], tuple[float, float, int]] = {}
        for lo, hi, row in missed:
            unique.setdefault((lo, hi), (lo, hi, row))
        return segments, list(unique.values())


def _figures_upstream(kb: KnowledgeBase) -> dict[str, frozenset[str]]:
    """Every figure upstream of each claim, as `upstream` finds it.

    Walked down from each figure rather than up from each claim: a map has far fewer figures
    than claims, and a figure reaches few of them.
    """
    found: dict[str, set[str]] = {cid: set() for cid in kb.claims}
    for fid in kb.figures:
        for node in nx.descendants(kb.graph, fid):
            if node in found:
                found[node].add(fid)
    return {cid: frozenset(figures) for cid, figures in found.items()}


class _ClaimRows(Mapping[str, np.ndarray]):
    """The rows of a label matrix by claim id, looked up when asked for: on a large map, a dict
    of every claim's row for every scan would cost more than the scans."""

    def __init__(self, labels: np.ndarray, row: Mapping[str, int]) -> None:
        self._labels = labels
        self._row = row

    def __getitem__(self, claim: str) -> np.ndarray:
        return self._labels[self._row[claim]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._row)

    def __len__(self) -> int:
        return len(self._row)


def _merge(
    candidates: Mapping[float, bool], a: float, b: float
) -> tuple[tuple[float, ...], tuple[bool, ...]]:
    """Sorted candidates, merging those equal to within rounding (an exact one wins)."""
    scale = max(abs(a), abs(b), 1e-300)
    points: list[float] = []
    flags: list[bool] = []
    for at in sorted(candidates):
        if points and at - points[-1] <= 1e-12 * max(abs(at), scale * 1e-3):
            if candidates[at] and not flags[-1]:
                points[-1], flags[-1] = at, True
            continue
        points.append(at)
        flags.append(candidates[at])
    return tuple(points), tuple(flags)


# --- which claims and figures ------------------------------------------------------------


def numeric_claims(
    kb: KnowledgeBase, scenario: ScenarioInput, probe: MapProbe | None = None
) -> list[str]:
    """Claims whose label can depend on a figure: something upstream is a figure, and the
    scenario does not fix the claim by an assumption."""
    figures = (
        probe.claim_figures
        if probe is not None
        else {cid: frozenset(upstream(kb.graph, cid, _FIGURE)) for cid in kb.claims}
    )
    return [cid for cid in kb.claims if figures[cid] and cid not in scenario.assumptions]


def claims_by_figure(
    claims: Iterable[str], claim_figures: Mapping[str, frozenset[str]]
) -> dict[str, list[str]]:
    """For each figure upstream of some of ``claims``, those claims, in the order given."""
    users: dict[str, list[str]] = {}
    for cid in claims:
        for fid in claim_figures[cid]:
            users.setdefault(fid, []).append(cid)
    return users
