"""Checks shared by the claims folder and scenario files, so both word a problem the same way.

* `schema_problems`: pydantic's validation errors as `path:line:col` problems.
* `scenario_problems`: a scenario's references and settings, whether it is written under
  `scenarios:` in the knowledge base or in a scenario file (`--scenario file.yaml`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from engine.errors import Location, Problem, did_you_mean
from engine.knowledge.schema import SECTIONS, Citation, Figure, KnowledgeFile, Scenario
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
