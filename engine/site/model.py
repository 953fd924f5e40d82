"""What the site shows: the build's scenario, the matrix columns and their evaluations.

The index's matrix has one column per scenario of the knowledge base and, for the build's scenario,
one per option of each lens (a choice figure named `lens` or `*_lens`; when there is none, every
choice figure). Each column is one evaluation; pages read labels from them.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from engine.evaluation.evaluate import Evaluation, evaluate
from engine.knowledge.knowledge_base import KnowledgeBase
from engine.knowledge.scenario import DEFAULTS, default_scenario_name, resolve_scenario


@dataclass(frozen=True)
class Column:
    """One column of the matrix: a scenario, or the build's scenario under one lens option."""

    key: str
    """Stable slug used in anchors: the scenario id, or `<scenario>--<figure>-<option>`."""
    heading: str
    detail: str
    scenario: str
    """The scenario this column evaluates (a KB scenario id or `defaults`)."""
    evaluation: Evaluation
    is_build: bool
    lens: tuple[str, str] | None = None
    """(figure id, option) for a lens column."""


@dataclass(frozen=True)
class SiteModel:
    """The knowledge base with every evaluation the site needs."""

    kb: KnowledgeBase
    build: Evaluation
    columns: tuple[Column, ...]
    rows: tuple[str, ...]
    """Claims shown as matrix rows: the central claim, then the conclusions."""
    scenarios: Mapping[str, Evaluation]
    """Every scenario of the knowledge base, evaluated, by id."""

    @property
    def build_column(self) -> Column:
        return next(c for c in self.columns if c.is_build)

    def columns_for(self, claim_id: str) -> tuple[Column, ...]:
        """Columns whose explanation a claim page shows: all for matrix rows, else the build's."""
        if claim_id in self.rows:
            return self.columns
        return (self.build_column,)


def slug(text: str) -> str:
    """Anchor-safe text: lowercase letters, digits, `_` and `-`."""
    return re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-") or "x"


def default_scenario(kb: KnowledgeBase) -> str:
    """The scenario a build uses when none is named: the same as every other verb's."""
    return default_scenario_name(kb)


def lens_figures(kb: KnowledgeBase) -> list[str]:
    named = [
        fid
        for fid, figure in kb.figures.items()
        if figure.choices is not None and (fid == "lens" or fid.endswith("_lens"))
    ]
    if named:
        return sorted(named, key=lambda fid: (fid != "lens", fid))
    return [fid for fid, figure in kb.figures.items() if figure.choices is not None]


def matrix_rows(kb: KnowledgeBase) -> tuple[str, ...]:
    """The central claim, then conclusions; without roles, the claims nothing else builds on."""
    rank = {"central": 0, "conclusion": 1}
    chosen = [cid for cid, claim in kb.claims.items() if claim.role in rank]
    if not chosen:
        chosen = [
            cid
            for cid in kb.claims
            if kb.graph.out_degree(cid) == 0 and kb.graph.in_degree(cid) > 0
        ]
    return tuple(sorted(chosen, key=lambda cid: (rank.get(kb.claims[cid].role or "", 2), cid)))


def site_model(
    kb: KnowledgeBase,
    scenario: str | None = None,
    sets: Sequence[str] = (),
    assumes: Sequence[str] = (),
) -> SiteModel:
    """Evaluate the build's scenario, every scenario of the knowledge base and every lens option."""
    if scenario is None:
        scenario = default_scenario(kb)
    build_input = resolve_scenario(kb, scenario, sets, assumes)
    build = evaluate(kb, build_input)
    scenarios = {sid: evaluate(kb, resolve_scenario(kb, sid)) for sid in kb.scenarios}
    build_is_plain = not sets and not assumes and build_input.name in kb.scenarios
    columns: list[Column] = []
    if not build_is_plain:
        heading = build_input.name if build_input.name != DEFAULTS else "defaults"
        if sets or assumes:
            heading += " (with overrides)"
        columns.append(
            Column(slug(heading), heading, build_input.label, build_input.name, build, True)
        )
    for sid, ev in scenarios.items():
        is_build = build_is_plain and sid == build_input.name
        columns.append(
            Column(
                slug(sid), sid, kb.scenarios[sid].label, sid, build if is_build else ev, is_build
            )
        )
    for fid in lens_figures(kb):
        choices = kb.figures[fid].choices or ()
        for option in choices:
            settings = {**build_input.settings, fid: option}
            lens_input = dataclasses.replace(build_input, settings=settings)
            key = f"{slug(build_input.name)}--{fid}-{slug(option)}"
            detail = f"{build_input.name} with {fid} = {option}"
            columns.append(
                Column(
                    key,
                    f"{fid}: {option}",
                    detail,
                    build_input.name,
                    evaluate(kb, lens_input),
                    False,
                    (fid, option),
                )
            )
    return SiteModel(kb, build, tuple(columns), matrix_rows(kb), scenarios)
