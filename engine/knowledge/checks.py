"""Checks shared by the claims folder and scenario files, so both word a problem the same way.

* `schema_problems`: pydantic's validation errors as `path:line:col` problems.
* `scenario_problems`: a scenario's references and settings, whether it is written under
  `scenarios:` in the knowledge base or in a scenario file (`--scenario file.yaml`).
* `check_figure_bounds`, `check_claims`, `check_ids`: consistency no single field's schema can
  express (bounds that contradict each other or the value they bound, a second central claim, a
  claim both assumed and decided by numbers, ids that formulas could never name).
"""

from __future__ import annotations

import keyword
from collections.abc import Mapping
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from engine.errors import Location, Problem, did_you_mean
from engine.knowledge.schema import SECTIONS, Citation, Claim, Figure, KnowledgeFile, Scenario
from engine.knowledge.settings import check_setting, describe
from engine.knowledge.yaml_source import SourceDocument


class Locate(Protocol):
    """Where a field of the item being checked is written (`key=True`: the key, not its value)."""

    def __call__(self, *fields: str | int, key: bool = False) -> Location: ...


def schema_problems(
    exc: ValidationError, doc: SourceDocument, model: type[BaseModel] = KnowledgeFile
) -> list[Problem]:
    """Every error of validating `doc` against `model`, located in the YAML and reworded."""
    problems = []
    for error in exc.errors():
        loc = tuple(part for part in error["loc"] if not (isinstance(part, str) and "[" in part))
        field_name = str(loc[-1]) if loc else "file"
        if error["type"] == "extra_forbidden":
            allowed = _allowed_fields(model, loc[:-1])
            hint = did_you_mean(field_name, allowed)
            where = doc.locate(loc, key=True)
            what = "section" if model is KnowledgeFile and len(loc) == 1 else "field"
            problems.append(Problem(where, f"unknown {what} '{field_name}'{hint}"))
            continue
        where = doc.locate(loc)
        message = error["msg"]
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        elif error["type"] == "missing":
            problems.append(Problem(doc.locate(loc[:-1]), f"missing required field '{field_name}'"))
            continue
        else:
            message = f"{message[0].lower()}{message[1:]}, found {describe(error.get('input'))}"
            if error["type"] == "bool_type" and isinstance(error.get("input"), str):
                message += " (only true and false are booleans)"
        # In a knowledge file the first two parts are the section and the item's id.
        skip = 2 if model is KnowledgeFile else 0
        subject = ".".join(str(p) for p in loc[skip:]) if len(loc) > skip else field_name
        problems.append(Problem(where, f"{subject}: {message}"))
    return problems


def _allowed_fields(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The field names allowed at `loc` inside `model`, for "did you mean" hints."""
    if model is not KnowledgeFile:
        return list(model.model_fields) if not loc else []
    if len(loc) == 0:
        return list(SECTIONS)
    if len(loc) >= 2 and loc[0] in SECTIONS:
        section_model: type[BaseModel] = SECTIONS[loc[0]]
        if len(loc) >= 4 and loc[2] == "sources":
            section_model = Citation
        return list(section_model.model_fields)
    return []


def scenario_problems(
    name: str,
    scenario: Scenario,
    locate: Locate,
    figures: Mapping[str, Figure],
    claims: Mapping[str, Any],
    scenarios: Mapping[str, Scenario],
) -> list[Problem]:
    """What is wrong with one scenario's `extends`, `set`, `assume` and `expect`.

    Loops through `extends` are the loader's to find: they need every scenario of the folder.
    """
    problems: list[Problem] = []

    def add(where: Location, message: str) -> None:
        problems.append(Problem(where, f"scenario '{name}' {message}"))

    if scenario.extends is not None and scenario.extends not in scenarios:
        add(
            locate("extends"),
            f"extends unknown scenario '{scenario.extends}'{did_you_mean(scenario.extends, scenarios)}",
        )
    for fid, value in scenario.set.items():
        if fid not in figures:
            add(
                locate("set", fid, key=True),
                f"sets unknown figure '{fid}'{did_you_mean(fid, figures)}",
            )
        elif (why := check_setting(figures[fid], value)) is not None:
            add(locate("set", fid), f"sets '{fid}': {why}")
    verbs: dict[str, str] = {"assume": "assumes", "expect": "has an expectation on"}
    for section, verb in verbs.items():
        for cid in getattr(scenario, section):
            if cid not in claims:
                add(
                    locate(section, cid, key=True),
                    f"{verb} unknown claim '{cid}'{did_you_mean(cid, claims)}",
                )
    return problems


def document_locator(doc: SourceDocument, *prefix: str | int) -> Locate:
    """A `Locate` for the item at `prefix` in `doc`."""

    def locate(*fields: str | int, key: bool = False) -> Location:
        return doc.locate((*prefix, *fields), key=key)

    return locate


class Collector(Protocol):
    """Where checks report: the loader's collector of whole-folder problems."""

    def at(self, item_id: str, *fields: str | int, key: bool = False) -> Location: ...

    def add(self, location: Location, message: str) -> None: ...


def check_figure_bounds(figures: Mapping[str, Figure], out: Collector) -> None:
    """minimum <= maximum, and the value and range inside them; the value inside its range."""
    for fid, fig in sorted(figures.items()):
        if fig.kind != "number":
            continue
        low, high = fig.minimum, fig.maximum
        if low is not None and high is not None and low > high:
            out.add(
                out.at(fid, "minimum"),
                f"minimum: expected minimum <= maximum, found minimum {low:g} > maximum {high:g}",
            )
            continue
        value = float(fig.numeric_value())
        for name, bound, outside in (
            ("minimum", low, lambda x, b: x < b),
            ("maximum", high, lambda x, b: x > b),
        ):
            if bound is None:
                continue
            if outside(value, bound):
                out.add(
                    out.at(fid, "value"),
                    f"value: expected a value within the figure's {name} {bound:g}, found {value:g}",
                )
            if fig.range is not None and any(outside(end, bound) for end in fig.range):
                out.add(
                    out.at(fid, "range"),
                    f"range: expected a range within the figure's {name} {bound:g}, "
                    f"found [{fig.range[0]:g}, {fig.range[1]:g}]",
                )
        if fig.range is not None and not fig.range[0] <= value <= fig.range[1]:
            out.add(
                out.at(fid, "value"),
                f"value: expected a value inside its own range [{fig.range[0]:g}, "
                f"{fig.range[1]:g}], found {value:g}",
            )


def check_claims(claims: Mapping[str, Claim], out: Collector) -> None:
    """One central claim at most; never `assumed` together with `holds_when`."""
    central = [cid for cid, claim in sorted(claims.items()) if claim.role == "central"]
    for cid in central[1:]:
        out.add(
            out.at(cid, "role"),
            f"role: expected one central claim, found another: '{central[0]}' at "
            f"{out.at(central[0], 'role')}",
        )
    for cid, claim in sorted(claims.items()):
        if claim.assumed is not None and claim.holds_when is not None:
            out.add(
                out.at(cid, "assumed"),
                f"claim '{cid}': expected either assumed or holds_when, found both "
                "(the numbers of holds_when would decide it; remove one)",
            )


def check_ids(origins: Mapping[str, object], out: Collector) -> None:
    """Ids that are Python keywords cannot be written in formulas, so no id may be one."""
    for item_id in sorted(origins):
        if keyword.iskeyword(item_id):
            out.add(
                out.at(item_id, key=True),
                f"id '{item_id}': expected a name formulas can use, found the keyword "
                f"'{item_id}' (rename it, e.g. '{item_id}_')",
            )
