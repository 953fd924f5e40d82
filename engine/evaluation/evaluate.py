"""Evaluate a knowledge base: figures → calculators → `holds_when` → labels (DESIGN §6).

Everything is vectorised: figure values are arrays of shape (n,), so one scenario (n = 1) and a
million Monte Carlo samples share the same code. Undefined quantities are NaN; a condition over an
undefined quantity is NaN too, and the claim it decides is `undecided`.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from engine.evaluation.semantics import (
    FAILS,
    HOLDS,
    LABEL_NAMES,
    ArgumentSpec,
    ClaimReason,
    Labelling,
    explain_claim,
    label,
)
from engine.formula.to_numpy import tree_function
from engine.knowledge.knowledge_base import KnowledgeBase
from engine.knowledge.scenario import ScenarioInput, resolve_scenario
from engine.knowledge.settings import numeric_setting

NumericFunction = Callable[[Mapping[str, np.ndarray]], np.ndarray]


@dataclass(frozen=True)
class CompiledModel:
    """The knowledge base's formulas as numpy functions, in evaluation order."""

    calculators: tuple[tuple[str, NumericFunction], ...]
    conditions: tuple[tuple[str, NumericFunction], ...]
    arguments: tuple[ArgumentSpec, ...]
    by_conclusion: Mapping[str, tuple[ArgumentSpec, ...]]
    undercutters: Mapping[str, tuple[str, ...]]


_COMPILED: weakref.WeakKeyDictionary[KnowledgeBase, CompiledModel] = weakref.WeakKeyDictionary()


def _compile(kb: KnowledgeBase) -> CompiledModel:
    calculators = tuple(
        (cid, tree_function(f.tree, f.names, unbounded=f.unbounded))
        for cid in kb.calculator_order
        for f in (kb.formulas[cid],)
    )
    conditions = tuple(
        (claim_id, tree_function(f.tree, f.names, unbounded=f.unbounded))
        for claim_id, f in sorted(kb.conditions.items())
    )
    arguments = argument_specs(kb)
    by_conclusion: dict[str, list[ArgumentSpec]] = {}
    undercutters: dict[str, list[str]] = {}
    for spec in arguments:
        if spec.conclusion is not None:
            by_conclusion.setdefault(spec.conclusion, []).append(spec)
        if spec.undercuts is not None:
            undercutters.setdefault(spec.undercuts, []).append(spec.id)
    return CompiledModel(
        calculators,
        conditions,
        arguments,
        {c: tuple(a) for c, a in by_conclusion.items()},
        {a: tuple(u) for a, u in undercutters.items()},
    )


def compiled(kb: KnowledgeBase) -> CompiledModel:
    """Compile once per knowledge base (cached by identity)."""
    model = _COMPILED.get(kb)
    if model is None:
        model = _COMPILED[kb] = _compile(kb)
    return model


def argument_specs(kb: KnowledgeBase) -> tuple[ArgumentSpec, ...]:
    return tuple(
        ArgumentSpec(
            id=arg_id,
            premises=arg.premises,
            conclusion=arg.conclusion,
            stance=arg.stance,
            weight=arg.weight,
            undercuts=arg.undercuts,
        )
        for arg_id, arg in kb.arguments.items()
    )


def evaluate_numbers(
    kb: KnowledgeBase, figures: Mapping[str, np.ndarray]
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Calculator values and condition truth values (1/0/NaN) for arrays of figure values."""
    values: dict[str, np.ndarray] = dict(figures)
    calculators = evaluate_calculators(kb, values)
    return calculators, dict(evaluate_conditions(kb, values))


def evaluate_calculators(kb: KnowledgeBase, values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Calculator values for arrays of figure values in ``values``, which gains them too."""
    calculators: dict[str, np.ndarray] = {}
    for cid, function in compiled(kb).calculators:
        calculators[cid] = values[cid] = function(values)
    return calculators


def evaluate_conditions(
    kb: KnowledgeBase, values: Mapping[str, np.ndarray]
) -> Iterator[tuple[str, np.ndarray]]:
    """(claim id, truth values 1/0/NaN) of each condition, computed as the caller asks for it,
    so that one need not hold every condition's values at once."""
    for claim_id, function in compiled(kb).conditions:
        yield claim_id, function(values)


def condition_labels(truth: np.ndarray, n: int) -> np.ndarray:
    """A condition's truth values (1/0/NaN) as labels: holds, fails, undecided."""
    labels = np.zeros(n, dtype=np.int8)
    labels[truth == 1.0] = 1
    labels[truth == 0.0] = -1
    return labels


def fixed_labels(
    kb: KnowledgeBase,
    conditions: Mapping[str, np.ndarray] | Iterable[tuple[str, np.ndarray]],
    assumptions: Mapping[str, bool],
    n: int,
) -> dict[str, np.ndarray]:
    """Labels decided outside the argument graph: numbers, then authors' and scenarios' assumptions.

    ``conditions``: each condition's truth values by claim id, as a mapping or as pairs (from
    `evaluate_conditions`). An assumption's labels are one value repeated: a read-only broadcast
    view that costs no memory (a large map assumes thousands of claims, each for every sample).
    """
    pairs = conditions.items() if isinstance(conditions, Mapping) else conditions
    fixed = {claim_id: condition_labels(truth, n) for claim_id, truth in pairs}
    for claim_id, claim in kb.claims.items():
        if claim.assumed is not None and claim_id not in fixed:
            fixed[claim_id] = _repeated(HOLDS if claim.assumed else FAILS, n)
    for claim_id, holds in assumptions.items():
        fixed[claim_id] = _repeated(HOLDS if holds else FAILS, n)
    return fixed


def fixed_claim_ids(kb: KnowledgeBase, assumptions: Mapping[str, bool]) -> tuple[str, ...]:
    """The claims `fixed_labels` labels, sorted: those numbers decide (every condition), those
    their author assumes, and the scenario's ``assumptions``. A labelling plan is made per set."""
    assumed = (claim_id for claim_id, claim in kb.claims.items() if claim.assumed is not None)
    return tuple(sorted({*kb.conditions, *assumed, *assumptions}))


def _repeated(value: int, n: int) -> np.ndarray:
    return np.broadcast_to(np.int8(value), (n,))


def label_map(
    kb: KnowledgeBase, conditions: Mapping[str, np.ndarray], assumptions: Mapping[str, bool], n: int
) -> Labelling:
    """Label every claim and argument for n samples."""
    fixed = fixed_labels(kb, conditions, assumptions, n)
    return label(tuple(kb.claims), compiled(kb).arguments, fixed, n)


Basis = Literal["numbers", "assumption", "arguments", "presumption"]
"""How a claim's label was reached (DESIGN §5): its formula, an assumption, its arguments, or
presumption (stated, with no supporting argument and no attack that applies)."""

BASES: tuple[Basis, ...] = ("numbers", "assumption", "arguments", "presumption")


def claim_basis(
    kb: KnowledgeBase, scenario: ScenarioInput, model: CompiledModel, claims: Mapping[str, str]
) -> dict[str, Basis]:
    """The basis of every claim's label, mirroring `fixed_labels`' order of precedence.

    A presumed claim holds only because nothing it stands on was challenged; readers of a
    fact-checking map take a plain "holds" as "verified", so the site and CLI mark it apart.
    """
    basis: dict[str, Basis] = {}
    for claim_id, claim in kb.claims.items():
        if claim_id in scenario.assumptions:
            basis[claim_id] = "assumption"
        elif claim_id in kb.conditions:
            basis[claim_id] = "numbers"
        elif claim.assumed is not None:
            basis[claim_id] = "assumption"
        elif claims[claim_id] == "holds" and not any(
            spec.stance == "pro" for spec in model.by_conclusion.get(claim_id, ())
        ):
            basis[claim_id] = "presumption"
        else:
            basis[claim_id] = "arguments"
    return basis


@dataclass(frozen=True)
class Evaluation:
    """One scenario's numbers, labels and reasons; values are in each item's declared unit."""

    scenario: ScenarioInput
    figures: Mapping[str, float]
    calculators: Mapping[str, float]
    conditions: Mapping[str, float]
    claims: Mapping[str, str]
    arguments: Mapping[str, str]
    basis: Mapping[str, Basis]
    labelling: Labelling = field(repr=False)
    model: CompiledModel = field(repr=False)

    def reason(self, claim_id: str) -> ClaimReason:
        """Which rule gave the claim its label, with the arguments that decided it."""
        return explain_claim(claim_id, self.model.by_conclusion.get(claim_id, ()), self.labelling)

    def value(self, quantity_id: str) -> float:
        """A figure's or calculator's value (NaN when undefined)."""
        if quantity_id in self.calculators:
            return self.calculators[quantity_id]
        return self.figures[quantity_id]

    def undefined(self) -> list[str]:
        return sorted(cid for cid, v in self.calculators.items() if np.isnan(v))


def evaluate(kb: KnowledgeBase, scenario: ScenarioInput) -> Evaluation:
    """Evaluate one resolved scenario."""
    figures = {fid: numeric_setting(kb.figures[fid], scenario.settings[fid]) for fid in kb.figures}
    arrays = {fid: np.array([v], dtype=np.float64) for fid, v in figures.items()}
    calculators, conditions = evaluate_numbers(kb, arrays)
    labelling = label_map(kb, conditions, scenario.assumptions, 1)
    claims = {cid: LABEL_NAMES[int(v[0])] for cid, v in labelling.claims.items()}
    return Evaluation(
        scenario=scenario,
        figures=figures,
        calculators={cid: float(v[0]) for cid, v in calculators.items()},
        conditions={cid: float(v[0]) for cid, v in conditions.items()},
        claims=claims,
        arguments={aid: LABEL_NAMES[int(v[0])] for aid, v in labelling.arguments.items()},
        basis=claim_basis(kb, scenario, compiled(kb), claims),
        labelling=labelling,
        model=compiled(kb),
    )


def evaluate_scenario(
    kb: KnowledgeBase,
    scenario: str | None = None,
    sets: Sequence[str] = (),
    assumes: Sequence[str] = (),
) -> Evaluation:
    """Resolve a scenario (name, file or defaults, plus overrides) and evaluate it."""
    return evaluate(kb, resolve_scenario(kb, scenario, sets, assumes))
