"""Scenarios: which numbers and assumptions an evaluation uses.

A scenario comes from the knowledge base (`scenarios:`), from a scenario YAML file (what the
site's "Download scenario" writes), or is the figures' own values ("defaults"). Command-line
`--set figure=value [unit]` and `--assume claim=true|false` override it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from engine.errors import CruxError, Location, Problem, UsageError, did_you_mean
from engine.knowledge.knowledge_base import KnowledgeBase
from engine.knowledge.settings import (
    Setting,
    SettingError,
    check_setting,
    choice_value,
    normalise_setting,
    numeric_setting,
    quantity_value,
)

if TYPE_CHECKING:
    # The schema, its checks and the YAML reader are imported where a scenario file is read or
    # the figures' own values are made into a scenario: resolving one of the knowledge base's
    # scenarios needs none of them, so a warm `crux eval` imports neither pydantic nor PyYAML.
    from engine.knowledge.schema import Scenario
    from engine.knowledge.source_document import SourceDocument

DEFAULTS = "defaults"
"""The figures' own values, as a scenario name."""
OWN_VALUES_LABEL = "The figures' own values"
"""The label of the `defaults` scenario: every figure at the value the knowledge base gives it."""
BASELINE = "baseline"


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
    expectation_at: Mapping[str, Location] = field(default_factory=dict)
    """Where each expectation is written (in the knowledge base or the scenario file)."""

    def value(self, kb: KnowledgeBase, figure_id: str) -> float:
        """The numeric value the engine computes with (a choice becomes its option index)."""
        return numeric_setting(kb.figures[figure_id], self.settings[figure_id])


def default_scenario_name(kb: KnowledgeBase) -> str:
    """The scenario every verb uses when none is named.

    The knowledge base's declared default (`default: true`), else `baseline` if it exists, else the
    figures' own values (`defaults`).
    """
    declared = [sid for sid, scenario in kb.scenarios.items() if scenario.default]
    if declared:
        return declared[0]
    return BASELINE if BASELINE in kb.scenarios else DEFAULTS


def scenario_heading(kb: KnowledgeBase, scenario: ScenarioInput) -> str:
    """How every verb names its scenario: `Scenario: baseline — Best estimates (lens = x)`."""
    lenses = [f"{fid} = {scenario.settings[fid]}" for fid, f in kb.figures.items() if f.choices]
    lens = f" ({', '.join(lenses)})" if lenses else ""
    overrides = " with command-line overrides" if scenario.overridden else ""
    return f"Scenario: {scenario.name} — {scenario.label}{lens}{overrides}"


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
    """Resolve a scenario name or file plus overrides into settings for every figure.

    ``None`` means the knowledge base's default scenario (`default_scenario_name`).
    """
    expectation_at: dict[str, Location] = {}
    if scenario is None:
        scenario = default_scenario_name(kb)
    # The figures' own values: no scenario item, nothing set, assumed or expected on top.
    base: Scenario | None = None
    name = DEFAULTS
    if scenario == DEFAULTS:
        pass
    elif scenario in kb.scenarios:
        name, base = scenario, kb.scenarios[scenario]
        expectation_at = {cid: kb.locate(name, "expect", cid) for cid in base.expect}
    elif Path(scenario).is_dir():
        raise UsageError(
            f"expected a scenario name or a scenario YAML file, found the folder '{scenario}'",
            "--scenario",
        )
    elif scenario.endswith((".yaml", ".yml")) or Path(scenario).is_file():
        base, doc = read_scenario_file(kb, Path(scenario))
        name = scenario
        expectation_at = {cid: doc.locate(("expect", cid)) for cid in base.expect}
    else:
        hint = did_you_mean(scenario, kb.scenarios)
        known = ", ".join(sorted(kb.scenarios)) or "none"
        raise UsageError(
            f"unknown scenario '{scenario}'{hint}; known scenarios: {known}", "--scenario"
        )

    settings: dict[str, Setting] = {
        fid: normalise_setting(fig, fig.setting) for fid, fig in kb.figures.items()
    }
    assumptions: dict[str, bool] = {}
    expectations: dict[str, str] = {}
    for step in scenario_chain(kb, base) if base is not None else ():
        for fid, value in step.set.items():
            settings[fid] = normalise_setting(kb.figures[fid], value)
        assumptions.update(step.assume)
    # Expectations are the scenario's own tests: a scenario that extends another inherits its
    # settings, not its verdicts.
    expectations.update(base.expect if base is not None else {})

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
        label=base.label if base is not None else OWN_VALUES_LABEL,
        settings=settings,
        assumptions=dict(sorted(assumptions.items())),
        expectations=dict(sorted(expectations.items())),
        overridden=frozenset(overridden),
        expectation_at=expectation_at,
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
    try:
        if figure.choices is not None:
            return fid, choice_value(figure, raw)
        number = quantity_value(figure, raw)
    except SettingError as exc:
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
    return read_scenario_file(kb, path)[0]


def read_scenario_file(kb: KnowledgeBase, path: Path) -> tuple[Scenario, SourceDocument]:
    """A checked scenario file, and its source document for locating what is in it."""
    from pydantic import ValidationError

    from engine.knowledge.checks import document_locator, scenario_problems, schema_problems
    from engine.knowledge.schema import Scenario
    from engine.knowledge.yaml_source import YamlProblems, read_yaml

    shown = str(path)
    if path.is_dir():
        raise UsageError(
            "expected a scenario YAML file, found a folder (a claims folder is the DIR argument)",
            shown,
        )
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read scenario file: {exc.strerror or exc}", shown) from None
    try:
        doc = read_yaml(text, shown)
    except YamlProblems as exc:
        raise CruxError(exc.problems, "the scenario file") from None
    if not isinstance(doc.data, dict):
        found = "an empty file" if doc.data is None else _kind_of(doc.data)
        raise CruxError(
            [
                Problem(
                    doc.locate(()),
                    f"expected a mapping with label/set/assume/expect, found {found}",
                )
            ],
            "the scenario file",
        )
    data = doc.data
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
    return scenario, doc


def _kind_of(data: object) -> str:
    """How a YAML value reads to an author: a list, a text, a number."""
    if isinstance(data, list):
        return "a list"
    if isinstance(data, str):
        return "a text"
    if isinstance(data, bool):
        return "a boolean"
    return "a number" if isinstance(data, int | float) else type(data).__name__
