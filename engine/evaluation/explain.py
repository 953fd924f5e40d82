"""Explanations: the derivation behind a label, as a tree of readable steps.

The same tree feeds `crux explain` (an indented text tree), `crux eval --format json` (a one-line
summary per claim) and the site (a nested list).
"""

from __future__ import annotations

import io
import tokenize
from dataclasses import dataclass

from engine.evaluation.evaluate import Evaluation
from engine.evaluation.semantics import LABEL_NAMES
from engine.formatting import format_label, format_quantity, format_setting
from engine.knowledge.loader import KnowledgeBase

ARGUMENT_STATES = {"holds": "applies", "fails": "does not apply", "undecided": "undecided"}


@dataclass(frozen=True)
class Step:
    """One line of a derivation and the steps beneath it."""

    kind: str  # claim | argument | condition | calculator | figure | assumption | note
    id: str
    label: str | None
    text: str
    children: tuple[Step, ...] = ()


def substitution_parts(kb: KnowledgeBase, formula: str) -> list[str] | None:
    """The formula cut at every figure or calculator name.

    Even positions are literal text, odd positions are quantity ids. None when the text does not
    tokenize. The what-if panel substitutes values into the same parts in the browser.
    """
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(formula).readline))
    except (tokenize.TokenError, SyntaxError):
        return None
    lines = formula.splitlines(keepends=True) or [""]
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    parts: list[str] = []
    cursor = 0
    for token in tokens:
        if token.type != tokenize.NAME:
            continue
        if token.string not in kb.figures and token.string not in kb.calculators:
            continue
        begin = starts[token.start[0] - 1] + token.start[1]
        end = starts[token.end[0] - 1] + token.end[1]
        parts.extend((formula[cursor:begin], token.string))
        cursor = end
    parts.append(formula[cursor:])
    return parts


def substitute(kb: KnowledgeBase, ev: Evaluation, formula: str) -> str:
    """The formula with each figure or calculator replaced by its value and unit."""
    parts = substitution_parts(kb, formula)
    if parts is None:
        return formula
    pieces = [_value_text(kb, ev, part) if index % 2 else part for index, part in enumerate(parts)]
    return " ".join("".join(pieces).split())


def _value_text(kb: KnowledgeBase, ev: Evaluation, quantity_id: str) -> str:
    if quantity_id in kb.figures:
        figure = kb.figures[quantity_id]
        setting = ev.scenario.settings[quantity_id]
        if figure.choices is not None:
            return f"'{setting}'"
        return format_setting(setting, figure.unit)
    return format_quantity(ev.calculators[quantity_id], kb.calculators[quantity_id].unit)


def lens_summary(kb: KnowledgeBase, ev: Evaluation) -> str:
    """` (lens = marginal)`: the choice figures' settings, for headers; empty without any."""
    lenses = [f"{fid} = {ev.scenario.settings[fid]}" for fid, f in kb.figures.items() if f.choices]
    return f" ({', '.join(lenses)})" if lenses else ""


def argument_name(kb: KnowledgeBase, arg_id: str) -> str:
    """How an argument is named in prose: its label, else its single premise's text, else its id."""
    arg = kb.arguments[arg_id]
    if arg.label:
        return arg.label
    if len(arg.premises) == 1:
        return f"“{kb.claims[arg.premises[0]].text.rstrip('.')}”"
    return arg_id


def claim_summary(kb: KnowledgeBase, ev: Evaluation, claim_id: str) -> str:
    """One sentence saying why the claim has its label."""
    label = ev.claims[claim_id]
    if claim_id in ev.scenario.assumptions:
        verb = "holds" if ev.scenario.assumptions[claim_id] else "fails"
        return f"Assumed in this scenario: the claim {verb}."
    claim = kb.claims[claim_id]
    if claim.holds_when is not None:
        truth = ev.conditions[claim_id]
        state = {1.0: "true", 0.0: "false"}.get(truth, "undefined")
        return f"Decided by the numbers: {claim.holds_when} is {state} ({substitute(kb, ev, claim.holds_when)})."
    if claim.assumed is not None:
        return f"Taken as {'holding' if claim.assumed else 'failing'} by the knowledge base (an assumption)."
    reason = ev.reason(claim_id)
    names = "; ".join(argument_name(kb, arg_id) for arg_id in reason.decisive) or "none"
    sentences = {
        "presumed": "Stated and unchallenged: no attack on it applies.",
        "defeated": f"Presumed, but defeated by an attack that applies ({names}).",
        "contested": f"Presumed, but an attack might apply ({names}), so it is undecided.",
        "supported": f"Its supporting arguments ({names}) outweigh every attack that might apply "
        f"(pro {reason.pro_min:g} > con {reason.con_max:g}).",
        "unsupported": "None of its supporting arguments applies.",
        "outweighed": f"Attacks that apply ({names}) weigh at least as much as its support "
        f"(con {reason.con_min:g} ≥ pro {reason.pro_max:g}).",
        "unresolved": f"Neither side surely wins while these are undecided: {names}.",
        "fixed": f"The claim {label}.",
    }
    return sentences[reason.rule]


def explain_claim_tree(kb: KnowledgeBase, ev: Evaluation, claim_id: str, depth: int = 8) -> Step:
    """The derivation of a claim's label, down to figures and their sources."""
    return _claim(kb, ev, claim_id, depth, set())


def _claim(kb: KnowledgeBase, ev: Evaluation, claim_id: str, depth: int, seen: set[str]) -> Step:
    claim = kb.claims[claim_id]
    label = ev.claims[claim_id]
    header = f"{claim.text}"
    if claim_id in seen or depth <= 0:
        # `seen` holds this path's ancestors only, so a repeat means the arguments loop.
        note = "(loops back: explained above)" if claim_id in seen else "(raise --depth to unfold)"
        return Step("claim", claim_id, label, header, (Step("note", claim_id, None, note),))
    seen = seen | {claim_id}
    children: list[Step] = [Step("note", claim_id, None, claim_summary(kb, ev, claim_id))]
    if claim_id in ev.scenario.assumptions:
        return Step("claim", claim_id, label, header, tuple(children))
    if claim.holds_when is not None:
        formula = kb.conditions[claim_id]
        inputs = tuple(_quantity(kb, ev, name, depth - 1) for name in formula.names)
        state = {1.0: "true", 0.0: "false"}.get(ev.conditions[claim_id], "undefined")
        children.append(
            Step("condition", claim_id, None, f"{claim.holds_when}  →  {state}", inputs)
        )
    for spec in ev.model.by_conclusion.get(claim_id, ()):
        children.append(_argument(kb, ev, spec.id, depth - 1, seen))
    return Step("claim", claim_id, label, header, tuple(children))


def _argument(kb: KnowledgeBase, ev: Evaluation, arg_id: str, depth: int, seen: set[str]) -> Step:
    arg = kb.arguments[arg_id]
    state = ARGUMENT_STATES[ev.arguments[arg_id]]
    role = (
        {"pro": "for", "con": "against"}[arg.stance]
        if arg.conclusion
        else f"undercuts {arg.undercuts}"
    )
    name = arg.label or arg_id
    children = [_claim(kb, ev, premise, depth - 1, seen) for premise in arg.premises]
    for other_id in ev.model.undercutters.get(arg_id, ()):
        children.append(_argument(kb, ev, other_id, depth - 1, seen))
    return Step(
        "argument",
        arg_id,
        ev.arguments[arg_id],
        f"argument {role}: {name} ({state})",
        tuple(children),
    )


def _quantity(kb: KnowledgeBase, ev: Evaluation, quantity_id: str, depth: int) -> Step:
    if quantity_id in kb.figures:
        figure = kb.figures[quantity_id]
        value = format_setting(ev.scenario.settings[quantity_id], figure.unit)
        extra: list[str] = []
        if figure.confidence:
            extra.append(figure.confidence)
        cited = [kb.sources[c.source].title for c in figure.sources]
        if cited:
            extra.append("source: " + "; ".join(cited))
        if quantity_id in ev.scenario.overridden:
            extra.append("set on the command line")
        note = f" [{', '.join(extra)}]" if extra else ""
        return Step("figure", quantity_id, None, f"{quantity_id} = {value}  ({figure.label}){note}")
    calc = kb.calculators[quantity_id]
    formula = kb.formulas[quantity_id]
    value = format_quantity(ev.calculators[quantity_id], calc.unit)
    children: tuple[Step, ...] = ()
    if depth > 0:
        children = tuple(_quantity(kb, ev, name, depth - 1) for name in formula.names)
    text = f"{quantity_id} = {calc.formula} = {substitute(kb, ev, calc.formula)} = {value}  ({calc.label})"
    return Step("calculator", quantity_id, None, text, children)


def render_tree(step: Step, indent: str = "") -> list[str]:
    """An indented text rendering of a derivation."""
    if step.kind == "claim":
        line = f"{step.id}: {format_label(step.label or '')} — {step.text}"
    elif step.kind == "argument":
        line = step.text
    else:
        line = step.text
    lines = [indent + line]
    for child in step.children:
        lines.extend(render_tree(child, indent + "  "))
    return lines


__all__ = [
    "LABEL_NAMES",
    "Step",
    "claim_summary",
    "explain_claim_tree",
    "render_tree",
    "substitute",
]
