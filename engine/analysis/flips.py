"""Tipping points: the values of one figure at which a claim's label changes.

For every claim whose label depends on numbers (through `holds_when`, or through arguments whose
premises do) and every figure upstream of it, the figure is moved across a search interval
while every other figure keeps the scenario's value.

**Search interval** (`search_interval`). A figure with a range is widened tenfold about its
centre: ``centre ± 10 × half-width`` in linear space, or, for a ``lognormal`` figure, the same
in log space (geometric centre, ``×/÷ (high/low)^5``), so that a positive, skewed quantity is
searched over orders of magnitude without reaching zero. A figure without a range is searched
over ``[value/10, value×10]`` (``[10·value, value/10]`` if negative; ``[-1, 1]`` if zero). The
interval always contains the scenario's value, and is clipped to the figure's physical bounds
(`engine.knowledge.settings.physical_bounds`: ``minimum``/``maximum``, and 0 for non-negative
figures).

**Method.** `MapProbe.scan` (`engine.analysis.map_probe`) finds every point of the interval where
a claim's label changes, from the roots of the comparisons the label depends on
(`engine.analysis.comparison_roots`: exact where sympy can solve them, numeric otherwise).
Choice figures and switches are enumerated: the label under each option.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from engine.analysis.map_probe import MapProbe, claims_by_figure, numeric_claims
from engine.evaluation.semantics import LABEL_NAMES
from engine.knowledge.knowledge_base import KnowledgeBase
from engine.knowledge.scenario import ScenarioInput
from engine.knowledge.settings import physical_bounds

if TYPE_CHECKING:
    from engine.knowledge.schema import Figure

# MapProbe, claims_by_figure and numeric_claims are re-exported from engine.analysis.map_probe:
# find_flips takes a MapProbe, and callers imported all three from here before the probe had its
# own module.
__all__ = [
    "WIDEN",
    "ClaimFlips",
    "Crossing",
    "FlipReport",
    "MapProbe",
    "OptionLabels",
    "Steady",
    "claims_by_figure",
    "find_flips",
    "numeric_claims",
    "search_interval",
    "widened_range",
]


WIDEN = 10.0
"""The search interval is the figure's range widened this many times."""


def widened_range(figure: Figure) -> tuple[float, float] | None:
    """The figure's range widened `WIDEN` times (in log space for a lognormal), or None."""
    if figure.range is None or not figure.range[1] > figure.range[0]:
        return None
    low, high = figure.range
    if figure.distribution == "lognormal" and low > 0:
        centre, half = math.sqrt(low * high), math.log(high / low) / 2
        return centre * math.exp(-WIDEN * half), centre * math.exp(WIDEN * half)
    centre, half = (low + high) / 2, (high - low) / 2
    return centre - WIDEN * half, centre + WIDEN * half


def search_interval(figure: Figure, now: float) -> tuple[float, float]:
    """Where tipping points of ``figure`` are looked for (see the module docstring)."""
    widened = widened_range(figure)
    if widened is not None:
        a, b = widened
    elif now > 0:
        a, b = now / WIDEN, now * WIDEN
    elif now < 0:
        a, b = now * WIDEN, now / WIDEN
    else:
        a, b = -1.0, 1.0
    a, b = min(a, now), max(b, now)
    lower, upper = physical_bounds(figure)
    return max(a, lower), min(b, upper)


# --- results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Crossing:
    """A tipping point: the claim's label is ``label_below`` just below ``at``, ``label_above`` above."""

    claim: str
    figure: str
    at: float
    unit: str
    label_below: str
    label_above: str
    now: float
    exact: bool
    """True when ``at`` is a root found symbolically, False when found numerically."""
    label_now: str = ""
    """The claim's label at the current value (tells the side when ``now`` is at the crossing)."""

    @property
    def rising(self) -> bool:
        """Whether reaching the crossing means the figure rising from its current value."""
        if math.isclose(self.now, self.at, rel_tol=1e-9, abs_tol=1e-300):
            return self.label_now != self.label_above
        return self.now < self.at

    @property
    def reached(self) -> str:
        """The label the claim takes when the figure moves from its value across this point."""
        return self.label_above if self.rising else self.label_below

    def to_json(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "figure": self.figure,
            "at": self.at,
            "unit": self.unit,
            "label_below": self.label_below,
            "label_above": self.label_above,
            "now": self.now,
            "exact": self.exact,
        }


@dataclass(frozen=True)
class Steady:
    """A figure across whose whole search interval the claim keeps one label."""

    claim: str
    figure: str
    interval: tuple[float, float]
    unit: str
    label: str
    now: float

    def to_json(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "figure": self.figure,
            "flips": False,
            "interval": list(self.interval),
            "unit": self.unit,
            "label": self.label,
            "now": self.now,
        }


@dataclass(frozen=True)
class OptionLabels:
    """The claim's label under each option of a choice figure or switch."""

    claim: str
    figure: str
    options: Mapping[str, str]
    now: str

    @property
    def flips(self) -> bool:
        return len(set(self.options.values())) > 1

    def to_json(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "figure": self.figure,
            "options": dict(self.options),
            "now": self.now,
        }


@dataclass(frozen=True)
class ClaimFlips:
    """Everything found for one claim, by figure id."""

    claim: str
    label: str
    crossings: tuple[Crossing, ...]
    steady: tuple[Steady, ...]
    options: tuple[OptionLabels, ...]

    def entries(self) -> list[Crossing | Steady | OptionLabels]:
        items: list[Crossing | Steady | OptionLabels] = [
            *self.crossings,
            *self.steady,
            *self.options,
        ]
        return sorted(items, key=lambda e: (e.figure, getattr(e, "at", 0.0)))


@dataclass(frozen=True)
class FlipReport:
    """Tipping points of every claim decided by numbers, under one scenario."""

    scenario: str
    claims: Mapping[str, ClaimFlips]
    now: Mapping[str, float] = field(repr=False)
    """Each figure's numeric value in the scenario (a choice's option index)."""

    def nearest(
        self, claim: str, settings: Mapping[str, float | str] | None = None
    ) -> Crossing | None:
        """The tipping point closest to the current values, by relative change of the figure.

        ``settings`` (figure → setting) gives the current values; by default the report's own.
        The crossings themselves were found with the other figures at the report's scenario.
        """
        flips = self.claims.get(claim)
        if flips is None or not flips.crossings:
            return None

        def distance(c: Crossing) -> float:
            now = (
                c.now if settings is None or c.figure not in settings else float(settings[c.figure])
            )
            scale = abs(now) if now != 0 else 1.0
            return abs(c.at - now) / scale

        return min(flips.crossings, key=lambda c: (distance(c), c.figure, c.at))

    def to_json(self) -> list[dict[str, Any]]:
        """Every entry as JSON data; `crux flips --format json` adds each crossing's sentence."""
        return [entry.to_json() for flips in self.claims.values() for entry in flips.entries()]


# --- the report --------------------------------------------------------------------------


def find_flips(
    kb: KnowledgeBase,
    scenario: ScenarioInput,
    claims: Iterable[str] | None = None,
    probe: MapProbe | None = None,
) -> FlipReport:
    """Tipping points of every claim decided by numbers (or of ``claims``) under ``scenario``.

    ``probe`` (a `MapProbe` of the same knowledge base and scenario) may be shared with
    `engine.analysis.sensitivity.sensitivity`, which then reuses its compiled comparisons.
    """
    probe = probe if probe is not None else MapProbe(kb, scenario)
    wanted = numeric_claims(kb, scenario, probe)
    if claims is not None:
        chosen = set(claims)
        wanted = [cid for cid in wanted if cid in chosen]
    users_of = claims_by_figure(wanted, probe.claim_figures)
    rows = {cid: row for row, cid in enumerate(probe.claim_ids)}
    found: dict[str, dict[str, list[Any]]] = {
        cid: {"crossings": [], "steady": [], "options": []} for cid in wanted
    }
    for fid in sorted(users_of):
        figure = kb.figures[fid]
        users = users_of[fid]
        now = probe.now[fid]
        if figure.kind != "number":
            labels = probe.option_labels(fid)
            current = str(scenario.settings[fid]) if figure.choices else str(int(now))
            for cid in users:
                options = {
                    name: LABEL_NAMES[int(labels[rows[cid], i])]
                    for i, name in enumerate(figure.options)
                }
                found[cid]["options"].append(OptionLabels(cid, fid, options, current))
            continue
        interval = search_interval(figure, now)
        scan = probe.scan(fid, interval) if interval[1] > interval[0] else None
        for cid in users:
            crossings = scan.crossings(cid) if scan is not None else []
            for at, below, above, exact in crossings:
                found[cid]["crossings"].append(
                    Crossing(
                        cid,
                        fid,
                        at,
                        figure.unit,
                        LABEL_NAMES[below],
                        LABEL_NAMES[above],
                        now,
                        exact,
                        label_now=probe.evaluation.claims[cid],
                    )
                )
            if not crossings:
                label = (
                    probe.evaluation.claims[cid]
                    if scan is None
                    else LABEL_NAMES[int(scan.segments[cid][0])]
                )
                found[cid]["steady"].append(Steady(cid, fid, interval, figure.unit, label, now))
    report = {
        cid: ClaimFlips(
            claim=cid,
            label=probe.evaluation.claims[cid],
            crossings=tuple(found[cid]["crossings"]),
            steady=tuple(found[cid]["steady"]),
            options=tuple(found[cid]["options"]),
        )
        for cid in wanted
    }
    return FlipReport(scenario=scenario.name, claims=report, now=dict(probe.now))
