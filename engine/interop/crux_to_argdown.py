"""A crux knowledge base → an Argdown map (`engine.interop.argdown_model`).

- Claims become statements titled with their id (or their imported `title`), their tags as
  `#tags`, the computed label of the chosen scenario as one more tag, and every other field as
  inline data `{crux: …}`.
- A one-premise argument without a name becomes a relation between statements (`+>` or `->`).
- Other pro arguments become premise-conclusion structures; a con argument with several premises
  concludes a generated statement that attacks the target.
- Undercuts become `_>`; a sketched argument (see `ArgdownOrigin.sketched`) is written as `<name>`
  with its relations.
- Arguments that came from an Argdown import are written back the way `argdown` records them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.interop.argdown_model import (
    ArgdownArgument,
    ArgdownMap,
    PcsStep,
    Relation,
    Statement,
)
from engine.knowledge.schema import Argument, Claim

EC = "equivalence-class"
ARG = "argument"


def argdown_of(
    claims: Mapping[str, Claim],
    arguments: Mapping[str, Argument],
    labels: Mapping[str, str] | None = None,
) -> ArgdownMap:
    """The Argdown map of these claims and (expanded) arguments; `labels` adds a verdict tag."""
    result = ArgdownMap()
    # Claims that only stand in for what a sketched argument leaves unstated are not statements.
    stand_ins = {
        arg.premises[0]
        for arg in arguments.values()
        if arg.argdown and arg.argdown.sketched and arg.premises
    } | {arg.conclusion for arg in arguments.values() if arg.argdown and arg.argdown.unconcluded}
    title = {cid: (c.title or cid) for cid, c in claims.items()}
    for claim_id, claim in claims.items():
        if claim_id in stand_ins:
            continue
        data = claim.model_dump(
            mode="json", exclude_defaults=True, exclude={"text", "title", "tags"}
        )
        if claim.title and claim.title != claim_id:
            data["id"] = claim_id
        tags = list(claim.tags)
        if labels and claim_id in labels:
            tags.insert(0, labels[claim_id])  # Argdown colours a statement by its first tag
            data["label"] = labels[claim_id]
        result.statements[title[claim_id]] = Statement(
            title=title[claim_id],
            text=claim.text,
            tags=tuple(tags),
            data={"crux": data} if data else {},
        )
    undercut: set[str] = {a.undercuts for a in arguments.values() if a.undercuts}
    names = _argument_names(arguments, undercut)
    chains: dict[str, list[tuple[int, str, Argument]]] = {}
    for arg_id, arg in arguments.items():
        if arg.argdown and arg.argdown.step is not None and arg.label:
            chains.setdefault(arg.label, []).append((arg.argdown.step, arg_id, arg))
    for label, steps in chains.items():
        before = _marks(result)
        _chain(result, label, [a for _, _, a in sorted(steps, key=lambda s: s[0])], title)
        for _, arg_id, _ in steps:
            result.made_by[arg_id] = _made_since(result, before)
    in_chain = {arg_id for steps in chains.values() for _, arg_id, _ in steps}
    for arg_id, arg in arguments.items():
        if arg_id in in_chain or (arg.argdown and arg.argdown.mirror):
            continue
        before = _marks(result)
        _argument(result, arg_id, arg, names, title, arguments)
        result.made_by[arg_id] = _made_since(result, before)
    return result


def _marks(result: ArgdownMap) -> tuple[set[str], int]:
    return set(result.arguments), len(result.relations)


def _made_since(result: ArgdownMap, before: tuple[set[str], int]) -> tuple[object, ...]:
    """What one crux argument wrote: the structures and relations that are new since `before`."""
    names, count = before
    made: list[object] = [
        ("pcs", *_pcs_key(result.arguments[n]))
        for n in result.arguments
        if n not in names and result.arguments[n].pcs
    ]
    made += [r.key for r in result.relations[count:]]
    return tuple(made)


def _pcs_key(arg: ArgdownArgument) -> tuple[object, ...]:
    return (arg.title, tuple(s.title for s in arg.pcs))


def expanded_arguments(
    claims: Mapping[str, Claim], declared: Mapping[str, Argument]
) -> dict[str, Argument]:
    """`declared` plus the one-premise arguments of the claims' `supports`/`attacks`, named as
    the loader names them (`<claim>_supports_<target>`)."""
    arguments = dict(declared)
    for claim_id, claim in claims.items():
        for field_name, stance in (("supports", "pro"), ("attacks", "con")):
            for target in getattr(claim, field_name):
                arguments[f"{claim_id}_{field_name}_{target}"] = Argument(
                    premises=(claim_id,), conclusion=target, stance=stance, speaker=claim.speaker
                )
    return arguments


def _argument_names(arguments: Mapping[str, Argument], undercut: set[str]) -> dict[str, str | None]:
    """The Argdown argument title of each crux argument, or None when it is written as a bare
    relation between two statements."""
    names: dict[str, str | None] = {}
    for arg_id, arg in arguments.items():
        origin = arg.argdown
        if origin is not None and (origin.from_argument or origin.sketched or origin.step):
            names[arg_id] = arg.label or arg_id
        elif origin is not None and arg_id not in undercut:
            names[arg_id] = None  # an imported statement-to-statement relation
        elif arg.label or arg_id in undercut or len(arg.premises) != 1:
            names[arg_id] = arg.label or arg_id
        else:
            names[arg_id] = None
    return names


def _chain(result: ArgdownMap, label: str, steps: list[Argument], title: Mapping[str, str]) -> None:
    pcs: list[PcsStep] = []
    previous: str | None = None
    for index, arg in enumerate(steps):
        for premise in arg.premises:
            if premise != previous:
                pcs.append(PcsStep("premise", title[premise]))
        assert arg.conclusion is not None
        role = "main-conclusion" if index == len(steps) - 1 else "intermediary-conclusion"
        pcs.append(PcsStep(role, title[arg.conclusion]))
        previous = arg.conclusion
    result.arguments[label] = ArgdownArgument(
        title=label, text=steps[-1].text or "", pcs=tuple(pcs)
    )


def _argument(
    result: ArgdownMap,
    arg_id: str,
    arg: Argument,
    names: Mapping[str, str | None],
    title: Mapping[str, str],
    arguments: Mapping[str, Argument],
) -> None:
    origin = arg.argdown
    name = names[arg_id]
    if origin is not None and origin.unconcluded:
        _sketched(result, name or arg_id, arg)  # only the argument: its conclusion is a stand-in
        return
    kind = _relation_type(arg)
    if arg.undercuts is not None or (origin is not None and origin.to_argument):
        source, source_type = _source(result, arg, name, title)
        if arg.undercuts is not None:
            target_arg = arguments[arg.undercuts]
            target = (
                (origin.to_argument if origin else None) or names[arg.undercuts] or arg.undercuts
            )
            sketched = bool(target_arg.argdown and target_arg.argdown.sketched)
            target_type = "inference" if kind == "undercut" and not sketched else ARG
        else:
            assert origin is not None and origin.to_argument is not None
            target, target_type = origin.to_argument, ARG
        result.relations.append(Relation(kind, source, source_type, target, target_type))
        return
    assert arg.conclusion is not None
    conclusion = title[arg.conclusion]
    if name is None or (origin is not None and (origin.from_argument or origin.sketched)):
        source, source_type = _source(result, arg, name, title)
        result.relations.append(Relation(kind, source, source_type, conclusion, EC))
        return
    if arg.stance == "pro":
        pcs = [PcsStep("premise", title[p]) for p in arg.premises] + [
            PcsStep("main-conclusion", conclusion)
        ]
        result.arguments[name] = ArgdownArgument(title=name, text=arg.text or "", pcs=tuple(pcs))
        return
    source, source_type = _source(result, arg, name, title)
    result.relations.append(Relation("attack", source, source_type, conclusion, EC))


def _relation_type(arg: Argument) -> str:
    if arg.argdown is not None and arg.argdown.relation is not None:
        return arg.argdown.relation
    if arg.undercuts is not None:
        return "undercut"
    return "support" if arg.stance == "pro" else "attack"


def _sketched(result: ArgdownMap, name: str, arg: Argument) -> None:
    if name not in result.arguments:
        result.arguments[name] = ArgdownArgument(title=name, text=arg.text or "")


def _source(
    result: ArgdownMap, arg: Argument, name: str | None, title: Mapping[str, str]
) -> tuple[str, str]:
    """Where a relation made from `arg` starts: its premise statement, or an argument (defined
    here as a sketched argument, or as a structure concluding a generated statement, if needed)."""
    origin = arg.argdown
    if origin is not None and origin.sketched:
        assert name is not None
        _sketched(result, name, arg)
        return name, ARG
    if origin is not None and origin.from_argument:
        assert name is not None
        return name, ARG
    if name is None:
        return title[arg.premises[0]], EC
    if name not in result.arguments:
        # Argdown relations start at statements or arguments, so a crux argument with several
        # premises concludes a statement made for it, which the importer recognises and drops.
        generated = f"{name} (conclusion)"
        result.statements[generated] = Statement(
            title=generated,
            text=f"The premises of <{name}> hold together.",
            data={"crux": {"generated": True}},
        )
        pcs = [PcsStep("premise", title[p]) for p in arg.premises] + [
            PcsStep("main-conclusion", generated)
        ]
        result.arguments[name] = ArgdownArgument(title=name, text=arg.text or "", pcs=tuple(pcs))
    return name, ARG


def front_matter(kb_sections: Mapping[str, Any], scenario: str | None) -> dict[str, Any]:
    """The front matter that carries what Argdown has no place for, and colours by verdict."""
    return {
        "title": kb_sections.get("title") or "crux map",
        "color": {"tagColors": dict(VERDICT_COLOURS)},
        "crux": {
            "format": 1,
            "scenario": scenario,
            **{k: v for k, v in kb_sections.items() if k != "title"},
        },
    }


VERDICT_COLOURS = {"holds": "#1a7f37", "fails": "#cf222e", "undecided": "#8c959f"}
