"""Scenarios: which numbers and assumptions an evaluation uses.

A scenario comes from the knowledge base (`scenarios:`), from a scenario YAML file (what the
site's "Download scenario" writes), or is the figures' own values ("defaults"). Command-line
`--set figure=value [unit]` and `--assume claim=true|false` override it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from engine.errors import CruxError, UsageError, did_you_mean
from engine.formula import units
from engine.knowledge.checks import document_locator, scenario_problems, schema_problems
from engine.knowledge.loader import KnowledgeBase
from engine.knowledge.schema import Scenario
from engine.knowledge.settings import (
    Setting,
    check_setting,
    normalise_setting,
    numeric_setting,
)
from engine.knowledge.yaml_source import YamlProblems, read_yaml

DEFAULTS = "defaults"


@dataclass(frozen=True)
class ScenarioInput:
    """Resolved settings: a value for every figure, plus assumptions and expectations."""

    name: str
    label: str
    settings: Mapping[str, Setting]
    """Every figure's setting as an author writes it: a number in the figure's unit, or a choice name."""
    assumptions: Mapping[str, bool]
    expectations: Mapping[str, str]
    overridden: frozenset[str]
    """Figures and claims set by `--set`/`--assume` on top of the scenario."""

    def value(self, kb: KnowledgeBase, figure_id: str) -> float:
        """The numeric value the engine computes with (a choice becomes its option index)."""
        return numeric_setting(kb.figures[figure_id], self.settings[figure_id])


def scenario_chain(kb: KnowledgeBase, scenario: Scenario) -> list[Scenario]:
    """The scenario and those it extends, most basic first."""
    chain = [scenario]
    while chain[-1].extends is not None:
        chain.append(kb.scenarios[chain[-1].extends])
    return list(reversed(chain))


def resolve_scenario(
    kb: KnowledgeBase,
    scenario: str | None = None,
    sets: Sequence[str] = (),
    assumes: Sequence[str] = (),
) -> ScenarioInput:
    """Resolve a scenario name or file plus overrides into settings for every figure."""
    if scenario is None or scenario == DEFAULTS:
        name, base = DEFAULTS, Scenario(label="The figures' own values")
    elif scenario in kb.scenarios:
        name, base = scenario, kb.scenarios[scenario]
    elif scenario.endswith((".yaml", ".yml")) or Path(scenario).is_file():
        name, base = scenario, load_scenario_file(kb, Path(scenario))
    else:
        hint = did_you_mean(scenario, kb.scenarios)
        known = ", ".join(sorted(kb.scenarios)) or "none"
        raise UsageError(
            f"unknown scenario '{scenario}'{hint}; known scenarios: {known}", "--scenario"
        )

    settings: dict[str, Setting] = {
        fid: normalise_setting(fig, fig.value) for fid, fig in kb.figures.items()
    }
    assumptions: dict[str, bool] = {}
    expectations: dict[str, str] = {}
    for step in scenario_chain(kb, base):
        for fid, value in step.set.items():
            settings[fid] = normalise_setting(kb.figures[fid], value)
        assumptions.update(step.assume)
    # Expectations are the scenario's own tests: a scenario that extends another inherits its
    # settings, not its verdicts.
    expectations.update(base.expect)

    overridden: set[str] = set()
    for text in sets:
        fid, value = parse_set(kb, text)
        settings[fid] = value
        overridden.add(fid)
    for text in assumes:
        cid, holds = parse_assume(kb, text)
        assumptions[cid] = holds
        overridden.add(cid)
    return ScenarioInput(
        name=name,
        label=base.label,
        settings=settings,
        assumptions=dict(sorted(assumptions.items())),
        expectations=dict(sorted(expectations.items())),
        overridden=frozenset(overridden),
    )


def parse_set(kb: KnowledgeBase, text: str) -> tuple[str, Setting]:
    """Parse `figure=value` or `figure=value unit` (converted to the figure's unit)."""
    fid, sep, raw = text.partition("=")
    fid, raw = fid.strip(), raw.strip()
    if not sep or not fid or not raw:
        raise UsageError(f"expected figure=value, found '{text}'", "--set")
    if fid not in kb.figures:
        raise UsageError(f"unknown figure '{fid}'{did_you_mean(fid, kb.figures)}", "--set")
    figure = kb.figures[fid]
    if figure.choices is not None:
        if raw not in figure.choices:
            raise UsageError(
                f"{fid}: expected one of {', '.join(figure.choices)}, found '{raw}'", "--set"
            )
        return fid, raw
    number_text, _, unit_text = raw.partition(" ")
    try:
        number = float(number_text.replace("_", ""))
    except ValueError:
        raise UsageError(f"{fid}: expected a number, found '{raw}'", "--set") from None
    if not math.isfinite(number):
        raise UsageError(f"{fid}: expected a finite number, found '{raw}'", "--set")
    if unit_text.strip():
        try:
            number = units.convert(
                number, units.parse_unit(unit_text.strip()), units.parse_unit(figure.unit)
            )
        except units.UnitError as exc:
            raise UsageError(f"{fid}: {exc}", "--set") from None
    why = check_setting(figure, int(number) if figure.switch and number in (0.0, 1.0) else number)
    if why is not None:
        raise UsageError(f"{fid}: {why}", "--set")
    return fid, number


def parse_assume(kb: KnowledgeBase, text: str) -> tuple[str, bool]:
    """Parse `claim=true|false`."""
    cid, sep, raw = text.partition("=")
    cid, raw = cid.strip(), raw.strip().lower()
    if not sep or cid not in kb.claims:
        hint = did_you_mean(cid, kb.claims) if sep else ""
        raise UsageError(
            f"expected claim=true|false with a known claim, found '{text}'{hint}", "--assume"
        )
    if raw not in ("true", "false"):
        raise UsageError(f"{cid}: expected true or false, found '{raw}'", "--assume")
    return cid, raw == "true"


def load_scenario_file(kb: KnowledgeBase, path: Path) -> Scenario:
    """Read a scenario YAML file (one scenario's fields at the top level) and check it against `kb`."""
    shown = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read scenario file: {exc.strerror or exc}", shown) from None
    try:
        doc = read_yaml(text, shown)
    except YamlProblems as exc:
        raise CruxError(exc.problems, "the scenario file") from None
    data = doc.data if isinstance(doc.data, dict) else {}
    if "label" not in data:
        data = {"label": path.stem, **data}
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise CruxError(schema_problems(exc, doc, Scenario), "the scenario file") from None
    problems = scenario_problems(
        path.stem, scenario, document_locator(doc), kb.figures, kb.claims, kb.scenarios
    )
    if problems:
        raise CruxError(problems, "the scenario file")
    return scenario
