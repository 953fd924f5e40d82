"""What the site shows of the analysis stage: tipping points, P(holds) and tornado charts.

`crux build` analyses the knowledge base once (docs/site.md, "Analysis"):

- tipping points (`engine.analysis.flips.find_flips`) under the build's scenario only, for the
  claim pages;
- P(holds) (`engine.analysis.simulate.simulate`, `SAMPLES` draws with the fixed `SEED`) for the
  build's scenario (claim pages and its matrix column) and for every other matrix column;
- tornadoes (`engine.analysis.sensitivity.sensitivity`) for the sensitivity page.

The seed is fixed, so two builds are byte-identical. Everything here is a pure function of the
site model; the values stay numbers until a template filter writes them.
"""

from __future__ import annotations

import contextlib
import math
import pickle
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

from engine.analysis.flips import Crossing, FlipReport, find_flips
from engine.analysis.map_probe import MapProbe
from engine.analysis.sensitivity import Tornado, sensitivity
from engine.analysis.simulate import SimulationResult, simulate
from engine.formatting import format_steady, format_tipping_move, format_tipping_point
from engine.knowledge.knowledge_base import KnowledgeBase
from engine.site.model import Column, SiteModel

SAMPLES = 20_000
"""Monte Carlo draws per matrix column: a standard error of at most 0.0035 on P(holds)."""

SEED = 1
"""Fixed, so that every build of the same knowledge base shows the same probabilities."""

Context = dict[str, Any]
T = TypeVar("T")


@dataclass(frozen=True)
class SiteAnalysis:
    """The build scenario's tipping points and probabilities, and what each claim depends on."""

    flips: FlipReport
    build_chances: SimulationResult
    claim_figures: Mapping[str, frozenset[str]]
    """Every figure upstream of each claim."""

    def charted(self, kb: KnowledgeBase, claim_id: str) -> bool:
        """Whether the sensitivity page draws a tornado for the claim (a number figure with a
        range bears on it, and numbers decide it under the build's scenario)."""
        if claim_id not in self.flips.claims:
            return False
        return any(
            kb.figures[fid].kind == "number" and kb.figures[fid].range is not None
            for fid in self.claim_figures[claim_id]
        )


PROSE: Mapping[str, frozenset[str]] = {
    "claims": frozenset({"text", "question", "speaker", "quote", "notes", "sources", "tags"}),
    "arguments": frozenset({"label", "speaker", "quote", "notes"}),
}
"""Fields the analysis never reads (its results hold ids, numbers, units and label names only):
rewording a claim or an argument leaves the cached analysis valid. Sources are left out whole."""


_MODEL_FINGERPRINTS: dict[int, str] = {}
"""`_model_fingerprint` of each site model alive, by identity: a build asks for one per cached
task (one per figure's chance curves), and hashing the engine's source and reading the libraries'
metadata each time took two thirds of a warm build."""


def _fingerprint(model: SiteModel, task: str) -> str:
    """What the analysis task's result depends on: the task and `_model_fingerprint`."""
    import hashlib

    key = id(model)
    base = _MODEL_FINGERPRINTS.get(key)
    if base is None:
        base = _MODEL_FINGERPRINTS[key] = _model_fingerprint(model)
        weakref.finalize(model, _MODEL_FINGERPRINTS.pop, key, None)
    return hashlib.sha256(f"{task}\0{base}".encode()).hexdigest()


def _model_fingerprint(model: SiteModel) -> str:
    """The knowledge base less its prose, every column's settings, the sampling parameters, the
    engine's own source and the numeric libraries' versions."""
    import hashlib
    import json

    from engine.knowledge.records import field_values, json_default
    from engine.site.model_cache import engine_identity, installed_versions

    kb = model.kb
    digest = hashlib.sha256(engine_identity())
    items = {
        "figures": kb.figures,
        "calculators": kb.calculators,
        "claims": kb.claims,
        "arguments": kb.arguments,
        "scenarios": kb.scenarios,
    }
    for kind, by_id in items.items():
        exclude = set(PROSE.get(kind, ()))
        dumped = [
            (item_id, {k: v for k, v in field_values(item).items() if k not in exclude})
            for item_id, item in by_id.items()
        ]
        digest.update(json.dumps([kind, dumped], sort_keys=True, default=json_default).encode())
    for column in model.columns:
        scenario = column.evaluation.scenario
        state = (
            column.key,
            sorted(scenario.settings.items()),
            sorted(scenario.assumptions.items()),
        )
        digest.update(repr(state).encode())
    digest.update(
        # Versions from the installed packages' folder names, not `module.__version__`: importing
        # sympy and scipy only to read their versions was most of a warm build's start-up.
        repr(
            (SAMPLES, SEED, *(installed_versions(n) for n in ("numpy", "scipy", "sympy")))
        ).encode()
    )
    return digest.hexdigest()


def analysis_path(model: SiteModel, task: str) -> Path:
    """Where `cached_analysis` keeps the task's result for this model."""
    from engine.site import cache

    return cache.cache_dir() / "analysis" / f"{_fingerprint(model, task)}.pickle"


def cached_analysis(model: SiteModel, task: str, compute: Callable[[], T]) -> T:
    """`compute()`, or its pickled result from an earlier build with the same fingerprint.

    The analysis is a pure function of the fingerprint's inputs, and takes as long as the rest
    of a small build; a rebuild after editing a template should not redo it.
    """
    from engine.site import cache

    path = analysis_path(model, task)
    # Sealed: only bytes this user's crux wrote are unpickled (see `engine.site.cache`).
    data = cache.read_sealed(path)
    if data is not None:
        try:
            return cast(T, pickle.loads(data))
        except Exception:  # from an incompatible build of the engine: recompute
            pass
    result = compute()
    # The cache is an optimisation; an unpicklable result changes nothing.
    with contextlib.suppress(pickle.PicklingError, TypeError, AttributeError):
        cache.write_sealed(path, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    return result


def site_analysis(model: SiteModel) -> tuple[SiteAnalysis, dict[str, Tornado]]:
    """Tipping points, P(holds) and tornadoes under the build's scenario (cached on disk)."""
    return cached_analysis(model, "site_analysis", lambda: _site_analysis(model))


def _site_analysis(model: SiteModel) -> tuple[SiteAnalysis, dict[str, Tornado]]:
    """Tipping points, P(holds) and tornadoes under the build's scenario (one shared probe)."""
    kb = model.kb
    scenario = model.build.scenario
    probe = MapProbe(kb, scenario)
    analysis = SiteAnalysis(
        flips=find_flips(kb, scenario, probe=probe),
        build_chances=simulate(kb, scenario, SAMPLES, SEED),
        claim_figures=dict(probe.claim_figures),
    )
    return analysis, sensitivity(kb, scenario, probe=probe)


def column_chances(model: SiteModel) -> dict[str, SimulationResult]:
    """P(holds) for every matrix column but the build's (`SiteAnalysis.build_chances`), by key."""
    return cached_analysis(model, "column_chances", lambda: _column_chances(model))


def _column_chances(model: SiteModel) -> dict[str, SimulationResult]:
    return {
        column.key: simulate(model.kb, column.evaluation.scenario, SAMPLES, SEED)
        for column in model.columns
        if not column.is_build
    }


def cell_chance(
    analysis: SiteAnalysis, column: Column, result: SimulationResult, claim_id: str
) -> float | None:
    """P(holds) of a matrix cell, or None when no sampled figure bears on the claim there."""
    if claim_id in column.evaluation.scenario.assumptions:
        return None
    if not analysis.claim_figures[claim_id] & set(result.sampled):
        return None
    return float(result.claims[claim_id].p_holds)


# --- claim pages ---------------------------------------------------------------------------


def chance_context(model: SiteModel, analysis: SiteAnalysis, claim_id: str) -> Context | None:
    """P(holds), P(fails), P(undecided) of a claim under the build's scenario, and what was drawn."""
    result = analysis.build_chances
    if claim_id in model.build.scenario.assumptions:
        return None
    figures = analysis.claim_figures[claim_id]
    sampled = sorted(figures & set(result.sampled))
    if not sampled:
        return None
    p = result.claims[claim_id]
    return {
        "claim": claim_id,
        "p_holds": float(p.p_holds),
        "p_fails": float(p.p_fails),
        "p_undecided": float(p.p_undecided),
        "stderr_holds": p.stderr_holds,
        "n": result.n,
        "seed": result.seed,
        "sampled": sampled,
        "fixed": sorted(figures & set(result.fixed)),
    }


def _distance(crossing: Crossing) -> float:
    scale = abs(crossing.now) if crossing.now != 0 else 1.0
    return abs(crossing.at - crossing.now) / scale


def tipping_context(model: SiteModel, analysis: SiteAnalysis, claim_id: str) -> Context | None:
    """The claim's tipping points in plain words, nearest first; None when no figure bears on it."""
    if not analysis.claim_figures[claim_id]:
        return None
    if claim_id in model.build.scenario.assumptions:
        return {"assumed": True}
    found = analysis.flips.claims.get(claim_id)
    if found is None:
        return None
    nearest = analysis.flips.nearest(claim_id)
    crossings = [
        {
            "figure": c.figure,
            "label": c.reached,
            "rest": format_tipping_move(c),
            "sentence": format_tipping_point(c),
            "nearest": c == nearest,
        }
        for c in sorted(found.crossings, key=lambda c: (_distance(c), c.figure, c.at))
    ]
    options = [
        {"figure": o.figure, "options": list(o.options.items()), "now": o.now}
        for o in found.options
        if o.flips
    ]
    steady = [
        {"figure": s.figure, "text": format_steady(s.interval, s.unit, s.label)}
        for s in found.steady
    ]
    steady += [
        {"figure": o.figure, "text": f"{next(iter(o.options.values()))} under every option"}
        for o in found.options
        if not o.flips
    ]
    return {
        "assumed": False,
        "label": found.label,
        "crossings": crossings,
        "options": options,
        "steady": sorted(steady, key=lambda s: s["figure"]),
    }


# --- the sensitivity page ----------------------------------------------------------------------


def tornado_context(kb: KnowledgeBase, tornado: Tornado) -> Context:
    """One chart's section: its sentence, the figure that moves the claim most, what flips it."""
    bars = list(tornado.bars)
    top = bars[0] if bars and not math.isnan(bars[0].swing) else None
    flippers = [
        {"figure": bar.figure, "crossings": list(bar.crossings[:3]), "unit": bar.unit}
        for bar in bars
        if bar.flips
    ]
    if top is not None and top.swing == 0:
        top = None  # "goes from 1.6 to 1.6" says nothing: the rows say "no effect" instead
    margin_unit = tornado.margin_unit if tornado.margin_unit not in (None, "dimensionless") else ""
    return {
        "id": tornado.claim,
        "text": kb.claims[tornado.claim].text,
        "label": tornado.label,
        "comparison": tornado.comparison,
        "margin_now": tornado.margin_now,
        "margin_unit": margin_unit,
        "top": top,
        "flippers": flippers,
        "bars": bars,
        "not_swept": list(tornado.not_swept),
    }


__all__ = [
    "SAMPLES",
    "SEED",
    "SiteAnalysis",
    "cell_chance",
    "chance_context",
    "column_chances",
    "site_analysis",
    "tipping_context",
    "tornado_context",
]
