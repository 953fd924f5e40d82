"""`crux check [DIR]`: validate the knowledge base and verify every scenario's expectations."""

from __future__ import annotations

from pathlib import Path

import click

from engine.commands.options import claims_dir, load
from engine.errors import CruxError, Problem
from engine.evaluation.evaluate import evaluate_scenario
from engine.knowledge.loader import KnowledgeBase


def expectation_problems(kb: KnowledgeBase) -> tuple[list[Problem], int]:
    """Every failed `expect:` as a problem at the expectation, and how many were checked."""
    problems: list[Problem] = []
    checked = 0
    for sid, scenario in kb.scenarios.items():
        if not scenario.expect:
            continue
        ev = evaluate_scenario(kb, sid)
        for claim_id, expected in sorted(ev.scenario.expectations.items()):
            checked += 1
            actual = ev.claims[claim_id]
            if actual != expected:
                where = (
                    kb.locate(sid, "expect", claim_id)
                    if claim_id in scenario.expect
                    else kb.locate(sid)
                )
                problems.append(
                    Problem(
                        where,
                        f"scenario '{sid}': expected '{claim_id}' to be {expected}, found {actual}",
                    )
                )
    return problems, checked


@click.command("check")
@claims_dir
def command(claims_dir: Path) -> None:
    """Validate DIR (default ./claims) and verify every scenario's expectations."""
    kb = load(claims_dir)
    problems, checked = expectation_problems(kb)
    if problems:
        raise CruxError(problems, "the expectations")
    counts = ", ".join(
        f"{len(items)} {name}"
        for name, items in (
            ("sources", kb.sources),
            ("figures", kb.figures),
            ("calculators", kb.calculators),
            ("claims", kb.claims),
            ("arguments", kb.arguments),
            ("scenarios", kb.scenarios),
        )
    )
    click.echo(f"ok: {counts}; {checked} expectations hold.")
