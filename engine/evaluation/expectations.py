"""Expectations: the labels a scenario's `expect:` promises, checked like tests.

`crux check` makes a failed expectation an error; `eval`, `build` and `diagram` warn about one in a
scenario they use, so a wrong expectation is never silently ignored.
"""

from __future__ import annotations

from collections.abc import Iterable

from engine.errors import Location, Problem
from engine.evaluation.evaluate import Evaluation, evaluate_scenario
from engine.knowledge.knowledge_base import KnowledgeBase


def failed_expectations(kb: KnowledgeBase, ev: Evaluation) -> list[Problem]:
    """Every expectation of the evaluated scenario that its labels contradict, where it is written."""
    scenario = ev.scenario
    problems = []
    for claim_id, expected in sorted(scenario.expectations.items()):
        actual = ev.claims[claim_id]
        if actual != expected:
            where = scenario.expectation_at.get(claim_id, Location(scenario.name))
            problems.append(
                Problem(
                    where,
                    f"scenario '{scenario.name}': expected '{claim_id}' to be {expected}, "
                    f"found {actual}",
                )
            )
    return problems


def check_expectations(
    kb: KnowledgeBase, scenarios: Iterable[str] | None = None
) -> tuple[list[Problem], int]:
    """Failed expectations of the named scenarios (default: every scenario of `kb` with
    expectations; a name may be a scenario file), and how many expectations were checked."""
    names = [sid for sid, s in kb.scenarios.items() if s.expect] if scenarios is None else scenarios
    problems: list[Problem] = []
    checked = 0
    for name in names:
        ev = evaluate_scenario(kb, name)
        checked += len(ev.scenario.expectations)
        problems.extend(failed_expectations(kb, ev))
    return problems, checked


def warn_about(problems: Iterable[Problem]) -> list[str]:
    """Failed expectations as warning lines, for commands that go on regardless."""
    return [f"{p.location}: warning: {p.message}" for p in problems]


def evaluation_warnings(kb: KnowledgeBase, ev: Evaluation) -> list[str]:
    """Warnings for the failed expectations of the scenario an evaluation used.

    With `--set` or `--assume` on top, the numbers are no longer the scenario's, so its
    expectations say nothing about them and are not checked.
    """
    if ev.scenario.overridden:
        return []
    return warn_about(failed_expectations(kb, ev))
