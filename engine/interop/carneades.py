"""Carneades 4 argument graphs (YAML, or the ground graph Carneades computes) → claims-folder data.

The translation (docs/interop.md, "Carneades"):
- a statement becomes a claim; its Carneades id, which may be a ground term like `¬app(a1)`, is
  made a valid id (`not_app_a1`) and kept as the claim's `title`;
- an assumption becomes `assumed: true`, and a statement that no argument concludes and that is
  not assumed becomes `assumed: false`: Carneades' closed world, where crux would presume it;
- an argument becomes a pro argument (a `convergent` one, one argument per premise); premise roles
  go to its notes; a `constant` weight becomes its weight;
- an undercutter becomes an undercutting argument whose premise is the undercutter statement;
- an issue's positions exclude each other: every argument for a position is also a con argument
  against each rival position;
- `tests:` becomes the scenario `carneades_tests`, with in/out/undecided as holds/fails/undecided.

What crux cannot express is reported by name: cumulative, factorized, criteria and preference
weighing, the CCE and BRD proof standards, and rule schemes (which need the ground graph that
Carneades' own inference computes: import `computed/<name>.json` for those).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from engine.errors import CruxError, Location, Problem
from engine.interop.ids import IdMaker

LABELS = {"in": "holds", "out": "fails", "undecided": "undecided"}
UNSUPPORTED_WEIGHING = ("cumulative", "factorized", "criteria", "preference")
NEGATION = re.compile(r"^[¬~]")


@dataclass
class CarneadesReport:
    statements: int = 0
    arguments: int = 0
    expectations: int = 0
    warnings: list[str] = field(default_factory=list)


def read_carneades(path: Path) -> dict[str, Any]:
    """The graph in a Carneades YAML file, or in a computed ground-graph JSON file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CruxError(
            [Problem(Location(str(path)), f"cannot read the file: {exc.strerror}")]
        ) from None
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise CruxError(
            [Problem(Location(str(path), exc.lineno, exc.colno), f"expected JSON, found {exc.msg}")]
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = Location(str(path), mark.line + 1, mark.column + 1) if mark else Location(str(path))
        raise CruxError(
            [
                Problem(
                    where, f"expected Carneades YAML, found {getattr(exc, 'problem', None) or exc}"
                )
            ]
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("statements", {}), dict):
        raise CruxError(
            [
                Problem(
                    Location(str(path)),
                    "expected a Carneades graph: a mapping with statements, arguments, issues, assumptions and tests",
                )
            ]
        )
    return data


def mangle(term: str) -> str:
    """A Carneades ground term as readable words before it becomes an id: `¬app(a1)` → `not app a1`."""
    return NEGATION.sub("not ", term)


def to_crux(graph: dict[str, Any], name: str) -> tuple[dict[str, dict[str, Any]], CarneadesReport]:
    report = CarneadesReport()
    ground = "labels" in graph and "expected" in graph  # Carneades' computed output
    statements = _statements(graph, ground)
    ids = IdMaker()
    claim_of = {sid: ids.make(mangle(sid), "statement") for sid in statements}
    arguments = _arguments(graph, ground)
    schemes = _schemes(graph)
    weighing = _report_unsupported(graph, schemes, ground, name, report)
    assumptions = set(graph.get("assumptions") or []) | {
        s for s, v in statements.items() if v["assumed"]
    }
    concluded = {a["conclusion"] for a in arguments.values()}
    claims: dict[str, dict[str, Any]] = {}
    for sid, item in statements.items():
        claim: dict[str, Any] = {"text": item["text"] or sid}
        if claim_of[sid] != sid:
            claim["title"] = sid
        if sid in assumptions:
            claim["assumed"] = True
        elif sid not in concluded:
            claim["assumed"] = False  # Carneades' closed world: unsupported means out
        claims[claim_of[sid]] = claim
    out: dict[str, dict[str, Any]] = {}
    arg_ids = IdMaker(set(claims))
    positions = _positions(graph)
    for aid, arg in arguments.items():
        premises = [p for p, _ in arg["premises"]]
        roles = [f"{role}: {p}" for p, role in arg["premises"] if role]
        weight = weighing.get(aid)
        base: dict[str, Any] = {}
        if roles:
            base["notes"] = "Premise roles: " + "; ".join(roles)
        if weight is not None:
            base["weight"] = weight
        if not premises:
            # Carneades applies an argument without premises; crux needs one, so a stand-in
            # premise that holds by assumption takes their place.
            stand_in = arg_ids.make(f"{aid} has no premises")
            claims[stand_in] = {
                "text": f"Argument {aid} has no premises, so it applies.",
                "implicit": True,
                "assumed": True,
            }
            premises = [stand_in]
            claim_of[stand_in] = stand_in
        groups = [[p] for p in premises] if arg["scheme"] == "convergent" else [premises]
        made: list[str] = []
        for index, group in enumerate(groups):
            crux_id = arg_ids.make(aid if len(groups) == 1 else f"{aid} {index + 1}", "argument")
            out[crux_id] = {
                "label": aid,
                "premises": [claim_of[p] for p in group],
                "conclusion": claim_of[arg["conclusion"]],
                **base,
            }
            made.append(crux_id)
            for rival in positions.get(arg["conclusion"], ()):
                against = arg_ids.make(f"{crux_id} against {rival}")
                made.append(against)  # the same inference, so the same undercutter defeats it
                out[against] = {
                    "label": f"{aid} (against the rival position {rival})",
                    "premises": [claim_of[p] for p in group],
                    "conclusion": claim_of[rival],
                    "stance": "con",
                    **base,
                }
        undercutter = arg["undercutter"]
        if undercutter:
            if undercutter not in claim_of:
                claim_of[undercutter] = ids.make(mangle(undercutter))
                claims[claim_of[undercutter]] = {
                    "text": undercutter,
                    "title": undercutter,
                    "assumed": False,
                }
            for target in made:
                out[arg_ids.make(f"{undercutter} undercuts {target}")] = {
                    "premises": [claim_of[undercutter]],
                    "undercuts": target,
                }
    report.statements = len(statements)
    report.arguments = len(arguments)
    data: dict[str, dict[str, Any]] = {"claims": claims}
    if out:
        data["arguments"] = out
    tests = graph.get("tests") if not ground else _expected_as_tests(graph.get("expected") or {})
    expect = {
        claim_of[s]: LABELS[label]
        for label, members in (tests or {}).items()
        if label in LABELS
        for s in members or []
        if s in claim_of
    }
    if expect:
        report.expectations = len(expect)
        data["scenarios"] = {
            "carneades_tests": {
                "label": "Carneades' own tests",
                "description": f"The labels {name} expects, from its tests: section (in = holds, out = fails).",
                "expect": dict(sorted(expect.items())),
            }
        }
    return data, report


def _statements(graph: dict[str, Any], ground: bool) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = {}
    for sid, value in (graph.get("statements") or {}).items():
        if isinstance(value, dict):
            text, assumed = value.get("text") or "", bool(value.get("assumed", False))
        else:
            text, assumed = str(value or ""), False
        result[str(sid)] = {"text": " ".join(str(text).split()), "assumed": assumed}
    for arg in (graph.get("arguments") or {}).values():
        for sid in [
            arg.get("conclusion"),
            arg.get("undercutter"),
            *_premise_ids(arg.get("premises")),
        ]:
            if sid and str(sid) not in result:
                result[str(sid)] = {"text": "", "assumed": False}
    return result


def _premise_ids(premises: Any) -> list[str]:
    return [p for p, _ in _premise_pairs(premises)]


def _premise_pairs(premises: Any) -> list[tuple[str, str]]:
    """(statement, role) pairs from a list, a role → statement map, or the ground graph's list."""
    if isinstance(premises, dict):
        return [(str(stmt), str(role)) for role, stmt in premises.items()]
    pairs = []
    for item in premises or []:
        if isinstance(item, dict):
            pairs.append((str(item.get("stmt")), str(item.get("role") or "")))
        else:
            pairs.append((str(item), ""))
    return pairs


def _arguments(graph: dict[str, Any], ground: bool) -> dict[str, dict[str, Any]]:
    result = {}
    for aid, arg in (graph.get("arguments") or {}).items():
        result[str(aid)] = {
            "conclusion": str(arg.get("conclusion")),
            "premises": _premise_pairs(arg.get("premises")),
            "undercutter": str(arg.get("undercutter") or "") or None,
            "scheme": str(arg.get("scheme") or "linked"),
        }
    return result


def _schemes(graph: dict[str, Any]) -> dict[str, dict[str, Any]]:
    schemes = graph.get("argument_schemes") or []
    if isinstance(schemes, dict):
        return {str(k): dict(v or {}) for k, v in schemes.items()}
    return {str(s.get("id")): dict(s) for s in schemes if isinstance(s, dict)}


def _report_unsupported(
    graph: dict[str, Any],
    schemes: dict[str, dict[str, Any]],
    ground: bool,
    name: str,
    report: CarneadesReport,
) -> dict[str, float]:
    """Constant weights per argument, and a warning for every feature crux cannot express."""
    weights: dict[str, float] = {}
    for aid, arg in (graph.get("arguments") or {}).items():
        scheme = schemes.get(str(arg.get("scheme") or ""), {})
        weight = scheme.get("weight")
        if isinstance(weight, dict) and "constant" in weight:
            value = float(weight["constant"])
            if value > 0:
                weights[str(aid)] = value
            else:
                report.warnings.append(
                    f"{name}: argument {aid}: constant weight {value} ≤ 0 has no crux equivalent; it weighs 1"
                )
        kind = weight if isinstance(weight, str) else str(arg.get("scheme") or "")
        if isinstance(weight, dict):
            kind = next(iter(weight), "")
        if kind in UNSUPPORTED_WEIGHING or kind in (graph.get("weighing_functions") or {}):
            report.warnings.append(
                f"{name}: argument {aid}: {kind} weighing is not expressible in crux; it weighs as linked"
            )
    for scheme_id, scheme in schemes.items():
        weight = scheme.get("weight")
        kind = (
            weight
            if isinstance(weight, str)
            else next(iter(weight), "")
            if isinstance(weight, dict)
            else ""
        )
        if kind in UNSUPPORTED_WEIGHING:
            report.warnings.append(
                f"{name}: scheme {scheme_id}: {kind} weighing is not expressible in crux; arguments weigh as linked"
            )
    for function_name, function in (graph.get("weighing_functions") or {}).items():
        kinds = [
            k for k in ("criteria", "preference") if isinstance(function, dict) and k in function
        ]
        for kind in kinds or ["custom"]:
            report.warnings.append(
                f"{name}: weighing function {function_name}: {kind} weighing is not expressible in crux; arguments weigh as linked"
            )
    for issue_id, issue in (graph.get("issues") or {}).items():
        standard = (issue or {}).get("standard", "PE")
        if standard in ("CCE", "BRD"):
            report.warnings.append(
                f"{name}: issue {issue_id}: the {standard} proof standard is not expressible in crux; compared as PE"
            )
    rules = [s for s, v in schemes.items() if v.get("conclusions")]
    if rules and not ground:
        report.warnings.append(
            f"{name}: rule schemes {', '.join(sorted(rules))} need Carneades' inference; import its ground graph (computed/<name>.json) instead"
        )
    if graph.get("issue_schemes") and not ground:
        report.warnings.append(f"{name}: issue schemes are not expressible in crux")
    return weights


def _positions(graph: dict[str, Any]) -> dict[str, list[str]]:
    """Each position of an issue, with its rival positions."""
    rivals: dict[str, list[str]] = {}
    for issue in (graph.get("issues") or {}).values():
        positions = [str(p) for p in (issue or {}).get("positions") or []]
        for position in positions:
            rivals.setdefault(position, []).extend(p for p in positions if p != position)
    return rivals


def _expected_as_tests(expected: dict[str, str]) -> dict[str, list[str]]:
    tests: dict[str, list[str]] = {}
    for statement, label in expected.items():
        tests.setdefault(label, []).append(statement)
    return tests
