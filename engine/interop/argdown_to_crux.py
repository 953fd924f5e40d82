"""An Argdown map → the YAML data of a crux claims folder, with a report of every lossy mapping.

The mapping follows `docs/interop.md`:
- each statement (equivalence class) becomes a claim; its title is kept when it is not a valid id;
- each inference step of a premise-conclusion structure becomes a pro argument;
- a statement-to-statement support or attack becomes a one-premise pro or con argument;
- a sketched argument (no premise-conclusion structure) becomes an argument whose one premise is an
  implicit claim standing in for its unstated reasons;
- an undercut becomes an undercutting argument;
- relations crux cannot represent are mapped as close as it can and reported: strict-mode
  `entails` becomes support, `contrary` and `contradictory` a con argument each way, an attack on an
  argument an undercut, and a support of an argument a support of its conclusion.

What the exporter wrote for a crux map comes back whole: claims' fields from the statements'
`{crux: …}` data, and figures, calculators, sources, scenarios and arguments from the front matter.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from engine.interop.argdown_model import (
    LABEL_TAGS,
    ArgdownMap,
    Relation,
    strip_tags,
)
from engine.interop.ids import IdMaker
from engine.knowledge.schema import Argument, Claim

SECTIONS = ("sources", "figures", "calculators", "claims", "arguments", "scenarios")


@dataclass
class ImportReport:
    """What an import read and what it could not carry over exactly."""

    statements: int = 0
    arguments: int = 0
    pcs: int = 0
    relations: int = 0
    relation_types: Counter[str] = field(default_factory=Counter)
    claims: int = 0
    crux_arguments: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Builder:
    source: ArgdownMap
    name: str
    report: ImportReport
    ids: IdMaker = field(default_factory=IdMaker)
    claims: dict[str, dict[str, Any]] = field(default_factory=dict)
    arguments: dict[str, dict[str, Any]] = field(default_factory=dict)
    claim_of: dict[str, str] = field(default_factory=dict)  # statement title → claim id
    step_ids: dict[str, list[str]] = field(default_factory=dict)  # argument title → step ids
    stand_ins: dict[str, str] = field(default_factory=dict)  # sketched title → premise claim

    def warn(self, message: str) -> None:
        self.report.warnings.append(f"{self.name}: {message}")


def to_crux(source: ArgdownMap, name: str) -> tuple[dict[str, dict[str, Any]], ImportReport]:
    """The sections of a claims folder for `source`, and the import report. `name` (the file's
    name) prefixes every warning."""
    report = ImportReport(
        statements=len(source.statements),
        arguments=len(source.arguments),
        pcs=sum(1 for a in source.arguments.values() if a.pcs),
        relations=len(source.relations),
        relation_types=Counter(r.bucket for r in source.relations),
    )
    matter = source.front_matter.get("crux")
    crux: dict[str, Any] = matter if isinstance(matter, dict) else {}
    builder = _Builder(source, name, report)
    builder.ids.taken.update(str(k) for k in (crux.get("arguments") or {}))
    _claims(builder)
    if crux.get("arguments"):
        _arguments_from_front_matter(builder, crux)
    else:
        _steps(builder)
        # Relations between statements and from arguments first, so that every argument an
        # undercut or an argument-support points at exists by then.
        for relation in sorted(
            source.relations, key=lambda r: r.target_type != "equivalence-class"
        ):
            _relation(builder, relation)
    data: dict[str, dict[str, Any]] = {
        section: dict(crux.get(section) or {})
        for section in ("sources", "figures", "calculators", "scenarios")
    }
    data["claims"] = builder.claims
    data["arguments"] = builder.arguments
    report.claims = len(builder.claims)
    report.crux_arguments = len(builder.arguments)
    return {k: v for k, v in data.items() if v}, report


def _claims(b: _Builder) -> None:
    for title, statement in b.source.statements.items():
        crux = statement.data.get("crux") if isinstance(statement.data.get("crux"), dict) else None
        if crux and crux.get("generated"):
            continue  # a conclusion the exporter made up for a con argument: not a claim
        fields = dict(crux or {})
        claim_id = str(fields.pop("id", "") or "") or None
        fields.pop("label", None)
        claim_id = b.ids.make(title, "statement") if claim_id is None else claim_id
        b.ids.taken.add(claim_id)
        tags = [t for t in statement.tags if not (crux is not None and t in LABEL_TAGS)]
        claim: dict[str, Any] = {"text": strip_tags(statement.text) or title}
        if title != claim_id:
            claim["title"] = title
        if tags:
            claim["tags"] = tags
        other = {k: v for k, v in statement.data.items() if k not in ("crux", "isCanonical")}
        if other and not crux:
            claim["notes"] = f"Argdown data: {other}"
            b.warn(f"statement [{title}]: its data {other} is kept only as a note")
        claim.update(fields)
        b.claims[claim_id] = claim
        b.claim_of[title] = claim_id


def _steps(b: _Builder) -> None:
    """One pro argument per inference step of every premise-conclusion structure."""
    for title, arg in b.source.arguments.items():
        steps = arg.steps()
        if not steps:
            continue
        base = b.ids.make(title, "argument")
        ids = [
            base if i == len(steps) - 1 else b.ids.make(f"{base}_step_{i + 1}")
            for i in range(len(steps))
        ]
        b.step_ids[title] = ids
        for index, ((premises, conclusion), arg_id) in enumerate(zip(steps, ids, strict=True)):
            entry: dict[str, Any] = {
                "label": title,
                "premises": [b.claim_of[p] for p in premises],
                "conclusion": b.claim_of[conclusion],
            }
            if len(steps) > 1:
                entry["argdown"] = {"step": index + 1}
            if arg.text and index == len(steps) - 1:
                entry["text"] = arg.text
            if not premises:
                b.warn(f"argument <{title}>: an inference step has no premises; it was skipped")
                continue
            b.arguments[arg_id] = entry


def _stand_in(b: _Builder, title: str, what: str, text: str) -> str:
    """An implicit claim that stands for what a sketched argument leaves unstated."""
    key = f"{what}\0{title}"
    if key not in b.stand_ins:
        claim_id = b.ids.make(f"{title} {what}", what)
        b.claims[claim_id] = {
            "text": text,
            "implicit": True,
            "notes": f"Stands for the unstated {what} of a sketched Argdown argument.",
        }
        b.stand_ins[key] = claim_id
    return b.stand_ins[key]


def _reasons(b: _Builder, title: str) -> str:
    return _stand_in(b, title, "reasons", f"The reasons of <{title}> hold.")


def _source_premises(b: _Builder, r: Relation) -> tuple[list[str], dict[str, Any]] | None:
    """The premises and Argdown origin of an argument made from relation `r`'s source."""
    if r.source_type == "equivalence-class":
        return [b.claim_of[r.source]], {}
    arg = b.source.arguments.get(r.source)
    if arg is None:
        return None
    if arg.pcs:
        main = arg.main_conclusion
        assert main is not None
        return [b.claim_of[main]], {"from_argument": True}
    return [_reasons(b, arg.title)], {"from_argument": True, "sketched": True}


def _target_argument(b: _Builder, title: str) -> str | None:
    """The crux argument that stands for Argdown argument `title` as a relation's target."""
    if title in b.step_ids:
        return b.step_ids[title][-1]
    arg = b.source.arguments.get(title)
    if arg is None:
        return None
    existing = [
        k for k, v in b.arguments.items() if v.get("label") == title and "undercuts" not in v
    ]
    if existing:
        return existing[0]
    # A sketched argument with no conclusion of its own: crux needs one to attach relations to,
    # so it gets stand-ins for its reasons and its conclusion, which the exporter leaves out.
    body: dict[str, Any] = {
        "label": title,
        "premises": [_reasons(b, title)],
        "conclusion": _stand_in(b, title, "conclusion", f"What <{title}> argues for."),
        "argdown": {"sketched": True, "unconcluded": True},
    }
    if arg.text:
        body["text"] = arg.text
    arg_id = b.ids.make(title, "argument")
    b.arguments[arg_id] = body
    return arg_id


def _relation(b: _Builder, r: Relation) -> None:
    what = f"{r.type} from {_name(r.source, r.source_type)} to {_name(r.target, r.target_type)}"
    known = b.source.arguments if r.source_type == "argument" else b.claim_of
    if r.source not in known or (
        r.target_type == "equivalence-class" and r.target not in b.claim_of
    ):
        b.warn(f"{what}: it starts or ends at a statement crux made up for export; skipped")
        return
    target_arg = None
    if r.target_type != "equivalence-class":
        target_arg = _target_argument(b, r.target)
        if target_arg is None:
            b.warn(f"{what}: unknown target argument; skipped")
            return
    made = _source_premises(b, r)
    assert made is not None
    premises, origin = made
    label = r.source if r.source_type == "argument" else None
    entry: dict[str, Any] = {"premises": premises}
    if label:
        entry["label"] = label
        text = b.source.arguments[r.source].text
        if text and origin.get("sketched"):
            entry["text"] = text
    if target_arg is None:
        entry["conclusion"] = b.claim_of[r.target]
        entry["stance"] = "pro" if r.type in ("support", "entails") else "con"
        if r.type in ("entails", "contrary", "contradictory"):
            origin["relation"] = r.type
            mapped = "support" if r.type == "entails" else "a con argument each way"
            b.warn(f"{what}: crux has no strict-mode {r.type}; mapped to {mapped}")
        _add(b, label or f"{r.source} {r.type} {r.target}", entry, origin)
        if r.type in ("contrary", "contradictory") and r.source_type == "equivalence-class":
            mirror = {
                "premises": [b.claim_of[r.target]],
                "conclusion": b.claim_of[r.source],
                "stance": "con",
            }
            _add(b, f"{r.target} {r.type} {r.source}", mirror, {"relation": r.type, "mirror": True})
        return
    origin["to_argument"] = r.target
    if r.type == "support":
        entry["conclusion"] = b.arguments[target_arg]["conclusion"]
        origin["relation"] = "support"
        b.warn(f"{what}: crux cannot support an argument; mapped to a support of its conclusion")
    else:
        entry["undercuts"] = target_arg
        if r.type != "undercut":
            origin["relation"] = r.type
            b.warn(f"{what}: crux cannot attack an argument as such; mapped to an undercut")
    _add(b, label or f"{r.source} {r.type} {r.target}", entry, origin)


def _add(b: _Builder, title: str, entry: dict[str, Any], origin: dict[str, Any]) -> None:
    if origin:
        entry["argdown"] = origin
    b.arguments[b.ids.make(title, "argument")] = entry


def _name(title: str, kind: str) -> str:
    return f"[{title}]" if kind == "equivalence-class" else f"<{title}>"


def _arguments_from_front_matter(b: _Builder, crux: dict[str, Any]) -> None:
    """A crux map's own arguments, written whole in the front matter by the exporter, reconciled
    with the map as Argdown read it: an argument whose relation or structure was deleted in the
    Argdown text is dropped, and a relation added there becomes a new argument."""
    from engine.interop.crux_to_argdown import argdown_of, expanded_arguments

    declared = {str(k): dict(v) for k, v in (crux.get("arguments") or {}).items()}
    try:
        claims = {cid: Claim(**c) for cid, c in b.claims.items()}
        models = expanded_arguments(claims, {k: Argument(**v) for k, v in declared.items()})
    except (ValidationError, TypeError) as exc:
        b.warn(
            f"the front matter's arguments are not valid crux ({exc.__class__.__name__}); they were ignored"
        )
        models = {}
    expected = argdown_of(claims, models)
    # Argdown may record a relation from a reconstructed argument as coming from its main
    # conclusion, so both sides are compared in that form.
    main = {
        a.title: a.main_conclusion
        for a in [*b.source.arguments.values(), *expected.arguments.values()]
        if a.pcs
    }

    def normal(key: object) -> object:
        if (
            isinstance(key, tuple)
            and len(key) == 5
            and key[2] == "argument"
            and main.get(str(key[1]))
        ):
            return (key[0], main[str(key[1])], "equivalence-class", key[3], key[4])
        return key

    present = {normal(r.key) for r in b.source.relations} | {
        ("pcs", a.title, tuple(s.title for s in a.pcs))
        for a in b.source.arguments.values()
        if a.pcs
    }
    accounted: set[object] = set()
    for arg_id, made in expected.made_by.items():
        made = tuple(normal(m) for m in made)
        missing = [m for m in made if m not in present]
        if missing and arg_id in declared:
            b.warn(f"argument '{arg_id}' is no longer in the Argdown map; it was dropped")
            continue
        accounted.update(made)
        if arg_id in declared:
            b.arguments[arg_id] = declared[arg_id]
    for relation in b.source.relations:
        if normal(relation.key) not in accounted:
            b.warn(
                f"{relation.type} from {relation.source} to {relation.target} was added in Argdown; imported as a new argument"
            )
            _relation(b, relation)
