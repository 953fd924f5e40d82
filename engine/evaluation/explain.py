"""Explanations: the derivation behind a label, as a tree in which every step appears once.

The model
---------
`explain_claim_tree` returns a `Step`: a tree of immutable nodes, in reading order. A node is

- ``kind``: ``claim`` | ``argument`` | ``condition`` (a claim's ``holds_when``) | ``calculator`` |
  ``figure``;
- ``id``: the item's id (a condition carries its claim's id);
- ``label``: ``holds`` | ``fails`` | ``undecided`` for claims, arguments (``holds`` = applies) and
  conditions (``holds`` = true); None for quantities;
- ``text``: what the item says in words: a claim's text, an argument's name, a quantity's label,
  a condition's formula;
- ``summary``: for claims, one sentence saying why the claim has its label (None when the
  claim's condition says it), for arguments their role (``for``, ``against``, ``undercuts X``);
- ``formula`` and ``substituted``: for calculators and conditions, the formula as the scenario
  computed it (only the taken branch of each ``if``) and the same with every figure or
  calculator replaced by its value; ``value``: the formatted result (``7.5 GUSD``, ``true``);
- ``choices``: the ``if`` conditions that chose those branches (``lens == 'marginal' is false``);
- ``facts``: short notes on a figure (its confidence, sources, "set on the command line");
- ``ref``: ``"above"`` or ``"below"`` when the node is shown in full elsewhere in the same tree:
  renderers print one line ("see cost_of_revenue_usd above") and the node has no children;
- ``more``: True when the depth limit hid this node's children;
- ``level``: how deep the node sits: the root claim is 0; an argument is one level below its
  conclusion and its premises share the argument's level; a claim's condition shares the claim's;
  each quantity is one level below what uses it. ``depth`` limits this number.

A sub-derivation that several branches share is written out once, at its shallowest place (the
first one in reading order among those), and everywhere else is a reference. Cycles need no
special case: a claim that reaches itself meets its own reference. The tree is built and walked
with explicit stacks, never recursion, so a chain of any length explains without a
`RecursionError`.

`crux explain` renders it as wrapped text (`engine.evaluation.explain_text`), the site as nested
HTML lists (`templates/_macros.html`), and `crux eval --format json` uses `claim_summary`.
"""

from __future__ import annotations

import io
import tokenize
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from engine.evaluation.branches import taken_form
from engine.evaluation.evaluate import Evaluation, evaluate_calculators
from engine.evaluation.semantics import LABEL_NAMES
from engine.formatting import format_quantity, format_setting
from engine.formula.to_numpy import tree_function
from engine.knowledge.knowledge_base import KnowledgeBase

ARGUMENT_STATES = {"holds": "applies", "fails": "does not apply", "undecided": "undecided"}


#: How many levels `explain_claim_tree` writes out by default: the claim, its arguments and their
#: premises with their conditions. `crux explain --full` lifts the limit.
DEFAULT_EXPLAIN_DEPTH = 1


@dataclass(frozen=True)
class Step:
    """One node of a derivation and the nodes beneath it (see the module docstring)."""

    kind: str
    id: str
    label: str | None
    text: str
    children: tuple[Step, ...] = ()
    summary: str | None = None
    formula: str | None = None
    substituted: str | None = None
    value: str | None = None
    choices: tuple[str, ...] = ()
    facts: tuple[str, ...] = ()
    ref: str | None = None
    more: bool = False
    level: int = 0

    def walk(self) -> Iterator[Step]:
        """Every node of the tree in reading order (iterative: safe on any depth)."""
        stack: list[Step] = [self]
        while stack:
            step = stack.pop()
            yield step
            stack.extend(reversed(step.children))


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
    skip_until = -1
    depth = 0
    at_depth: list[int] = []  # paren depths of the at( calls we are inside
    for index, token in enumerate(tokens):
        if token.type == tokenize.OP and token.string in "([":
            depth += 1
        elif token.type == tokenize.OP and token.string in ")]":
            if at_depth and at_depth[-1] == depth:
                at_depth.pop()
            depth -= 1
        if token.type != tokenize.NAME or index <= skip_until:
            continue
        following = tokens[index + 1 : index + 3]
        if token.string == "at" and following and following[0].string == "(":
            at_depth.append(depth + 1)
        # Inside at(...) names take other values than the scenario's: keep them as written.
        if at_depth:
            continue
        name, last = token.string, token
        if (
            len(following) == 2
            and following[0].string == "."
            and following[1].type == tokenize.NAME
            and f"{token.string}.{following[1].string}" in kb.figures
        ):
            # `table.option`: one row of a lookup table
            name, last, skip_until = (
                f"{token.string}.{following[1].string}",
                following[1],
                index + 2,
            )
        if name not in kb.figures and name not in kb.calculators:
            continue
        begin = starts[token.start[0] - 1] + token.start[1]
        end = starts[last.end[0] - 1] + last.end[1]
        parts.extend((formula[cursor:begin], name))
        cursor = end
    parts.append(formula[cursor:])
    return parts


@dataclass(frozen=True)
class Given:
    """A claim's ``given:`` view of a scenario: the settings it replaces, and every value then."""

    changed: tuple[tuple[str, str], ...]
    """(figure, its value as shown), in the order written."""
    settings: Mapping[str, float | str]
    calculators: Mapping[str, float]


def given_view(kb: KnowledgeBase, ev: Evaluation, claim_id: str) -> Given | None:
    """The scenario as the claim's `holds_when` sees it under its `given:`, or None without one."""
    formula = kb.conditions.get(claim_id)
    if formula is None or not formula.given:
        return None
    arrays = {fid: np.array([v], dtype=np.float64) for fid, v in ev.figures.items()}
    arrays.update({cid: np.array([v], dtype=np.float64) for cid, v in ev.calculators.items()})
    settings: dict[str, float | str] = dict(ev.scenario.settings)
    changed: list[tuple[str, str]] = []
    for name, tree in formula.given:
        value = float(tree_function(tree, sorted(tree.symbols()))(arrays)[0])
        arrays[name] = np.array([value], dtype=np.float64)
        figure = kb.figures.get(name)
        if figure is not None and figure.choices is not None:
            settings[name] = figure.choices[int(value)]
            changed.append((name, f"'{settings[name]}'"))
        else:
            settings[name] = value
            changed.append((name, format_quantity(value, kb.unit_of(name))))
    figures_only = {fid: arrays[fid] for fid in kb.figures}
    calculators = evaluate_calculators(kb, figures_only)
    overridden = {name for name, _ in formula.given if name in kb.calculators}
    values = {cid: float(v[0]) for cid, v in calculators.items() if cid not in overridden}
    values.update({cid: float(arrays[cid][0]) for cid in overridden})
    return Given(tuple(changed), settings, values)


def given_text(view: Given) -> str:
    """`given region = 'hills'`: the settings a claim replaces, for explanations."""
    return "given " + ", ".join(f"{name} = {value}" for name, value in view.changed)


def substitute(kb: KnowledgeBase, ev: Evaluation, formula: str, given: Given | None = None) -> str:
    """The formula with each figure or calculator replaced by its value and unit
    (as the claim's `given:` settings see them, with ``given``)."""
    parts = substitution_parts(kb, formula)
    if parts is None:
        return formula
    pieces = [
        _value_text(kb, ev, part, given) if index % 2 else part for index, part in enumerate(parts)
    ]
    return " ".join("".join(pieces).split())


def _value_text(
    kb: KnowledgeBase, ev: Evaluation, quantity_id: str, given: Given | None = None
) -> str:
    settings = given.settings if given is not None else ev.scenario.settings
    calculators = given.calculators if given is not None else ev.calculators
    if quantity_id in kb.figures:
        figure = kb.figures[quantity_id]
        setting = settings[quantity_id]
        if figure.choices is not None:
            return f"'{setting}'"
        return format_setting(setting, figure.unit)
    return format_quantity(calculators[quantity_id], kb.calculators[quantity_id].unit)


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
        view = given_view(kb, ev, claim_id)
        shown = substitute(kb, ev, claim.holds_when, view)
        where = f", {given_text(view)}" if view is not None else ""
        return f"Decided by the numbers: {claim.holds_when} is {state}{where} ({shown})."
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


def explain_claim_tree(
    kb: KnowledgeBase, ev: Evaluation, claim_id: str, depth: int | None = DEFAULT_EXPLAIN_DEPTH
) -> Step:
    """The derivation of a claim's label, down to figures and their sources.

    ``depth`` is how many levels below the claim are written out (None: all of them).
    """
    return _TreeBuilder(kb, ev, depth).build(claim_id)


_Key = tuple[str, str]


@dataclass
class _Draft:
    """A node while the tree is being built; frozen into a `Step` at the end."""

    key: _Key
    level: int
    ref: str | None = None
    more: bool = False
    children: list[_Draft] = field(default_factory=list)


class _TreeBuilder:
    def __init__(self, kb: KnowledgeBase, ev: Evaluation, depth: int | None) -> None:
        self.kb = kb
        self.ev = ev
        self.depth = depth
        self._children: dict[_Key, tuple[tuple[_Key, int], ...]] = {}

    def children(self, key: _Key) -> tuple[tuple[_Key, int], ...]:
        """What a node's derivation is made of, in reading order, with each step's level cost."""
        if key not in self._children:
            self._children[key] = self._find_children(key)
        return self._children[key]

    def _find_children(self, key: _Key) -> tuple[tuple[_Key, int], ...]:
        # Level costs: an argument is one level below its conclusion and its premises sit on the
        # argument's level (they are what it says); a claim's condition is part of the claim;
        # each quantity is one level below what uses it.
        kind, item_id = key
        kb, ev = self.kb, self.ev
        if kind == "claim":
            if item_id in ev.scenario.assumptions:
                return ()
            found: list[tuple[_Key, int]] = []
            if kb.claims[item_id].holds_when is not None:
                found.append((("condition", item_id), 0))
            found.extend(
                (("argument", spec.id), 1) for spec in ev.model.by_conclusion.get(item_id, ())
            )
            return tuple(found)
        if kind == "argument":
            premises = [(("claim", p), 0) for p in kb.arguments[item_id].premises]
            undercutters = [(("argument", a), 1) for a in ev.model.undercutters.get(item_id, ())]
            return (*premises, *undercutters)
        if kind == "condition":
            if given_view(kb, ev, item_id) is not None:
                # Its quantities take other values under `given:` than in the scenario (which
                # is what the shared nodes show): the substituted formula says them instead.
                return ()
            text = kb.claims[item_id].holds_when or ""
        elif kind == "calculator" and item_id in kb.tables:
            table = kb.tables[item_id]
            row = table.rows[str(ev.scenario.settings[table.by])]
            return ((_quantity_key(kb, row), 1),)  # only the chosen row
        elif kind == "calculator":
            text = kb.calculators[item_id].formula
        else:
            return ()
        return tuple((_quantity_key(kb, name), 1) for name in taken_form(kb, ev, text).names)

    def shallowest(self, root: _Key) -> dict[_Key, int]:
        """Each node's least level below the root (0-1 breadth-first search)."""
        levels = {root: 0}
        queue = deque([root])
        while queue:
            key = queue.popleft()
            for child, cost in self.children(key):
                level = levels[key] + cost
                if level < levels.get(child, level + 1):
                    levels[child] = level
                    if cost:
                        queue.append(child)
                    else:
                        queue.appendleft(child)
        return levels

    def build(self, claim_id: str) -> Step:
        root_key: _Key = ("claim", claim_id)
        shallowest = self.shallowest(root_key)
        written: set[_Key] = set()
        root = _Draft(root_key, 0)
        stack = [root]
        while stack:
            draft = stack.pop()
            # Write a node out at its shallowest place, the first one in reading order.
            if draft.key in written or shallowest[draft.key] < draft.level:
                draft.ref = "above" if draft.key in written else "below"
                continue
            written.add(draft.key)
            for child, cost in self.children(draft.key):
                level = draft.level + cost
                if self.depth is not None and level > self.depth:
                    draft.more = True
                else:
                    draft.children.append(_Draft(child, level))
            stack.extend(reversed(draft.children))
        return self._freeze(root)

    def _freeze(self, root: _Draft) -> Step:
        # Post-order without recursion: a node is frozen once all its children are.
        frozen: dict[int, Step] = {}
        stack: list[tuple[_Draft, bool]] = [(root, False)]
        while stack:
            draft, ready = stack.pop()
            if not ready:
                stack.append((draft, True))
                stack.extend((child, False) for child in draft.children)
                continue
            children = tuple(frozen.pop(id(child)) for child in draft.children)
            frozen[id(draft)] = self._step(draft, children)
        return frozen[id(root)]

    def _step(self, draft: _Draft, children: tuple[Step, ...]) -> Step:
        content = self._content(draft.key)
        return replace(
            content, children=children, ref=draft.ref, more=draft.more, level=draft.level
        )

    def _content(self, key: _Key) -> Step:
        """What a node says, whatever its place in the tree."""
        kind, item_id = key
        kb, ev = self.kb, self.ev
        if kind == "claim":
            claim = kb.claims[item_id]
            numeric = claim.holds_when is not None and item_id not in ev.scenario.assumptions
            summary = None if numeric else claim_summary(kb, ev, item_id)
            return Step(kind, item_id, ev.claims[item_id], claim.text, summary=summary)
        if kind == "argument":
            arg = kb.arguments[item_id]
            role = (
                {"pro": "for", "con": "against"}[arg.stance]
                if arg.conclusion
                else f"undercuts {arg.undercuts}"
            )
            name = arg.label or argument_name(kb, item_id)
            return Step(kind, item_id, ev.arguments[item_id], name, summary=role)
        if kind == "condition":
            text = kb.claims[item_id].holds_when or ""
            truth = ev.conditions[item_id]
            label = {1.0: "holds", 0.0: "fails"}.get(truth, "undecided")
            view = given_view(kb, ev, item_id)
            if view is not None:
                plain = " ".join(text.split())
                return Step(
                    kind,
                    item_id,
                    label,
                    plain,
                    formula=plain,
                    substituted=substitute(kb, ev, text, view),
                    value={1.0: "true", 0.0: "false"}.get(truth, "undefined"),
                    choices=(given_text(view),),
                )
            taken = taken_form(kb, ev, text)
            return Step(
                kind,
                item_id,
                label,
                " ".join(text.split()),
                formula=taken.text,
                substituted=substitute(kb, ev, taken.text),
                value={1.0: "true", 0.0: "false"}.get(truth, "undefined"),
                choices=taken.choices,
            )
        if kind == "calculator" and item_id in kb.tables:
            calc = kb.calculators[item_id]
            table = kb.tables[item_id]
            option = str(ev.scenario.settings[table.by])
            row = table.rows[option]
            return Step(
                kind,
                item_id,
                None,
                calc.label,
                formula=row,
                substituted=row,  # the row's value is the result: no need to write it twice
                value=format_quantity(ev.calculators[item_id], calc.unit),
                choices=(f"{table.by} is '{option}'",),
            )
        if kind == "calculator":
            calc = kb.calculators[item_id]
            taken = taken_form(kb, ev, calc.formula)
            return Step(
                kind,
                item_id,
                None,
                calc.label,
                formula=taken.text,
                substituted=substitute(kb, ev, taken.text),
                value=format_quantity(ev.calculators[item_id], calc.unit),
                choices=taken.choices,
            )
        figure = kb.figures[item_id]
        return Step(
            kind,
            item_id,
            None,
            figure.label,
            value=format_setting(ev.scenario.settings[item_id], figure.unit),
            facts=_figure_facts(kb, ev, item_id),
        )


def _quantity_key(kb: KnowledgeBase, name: str) -> _Key:
    return ("figure" if name in kb.figures else "calculator", name)


def _figure_facts(kb: KnowledgeBase, ev: Evaluation, figure_id: str) -> tuple[str, ...]:
    figure = kb.figures[figure_id]
    facts: list[str] = []
    if figure_id in ev.scenario.overridden:
        facts.append("set on the command line")
    if figure.confidence:
        facts.append(figure.confidence)
    # A figure may cite one source several times (one quote each): name it once.
    titles = dict.fromkeys(kb.sources[c.source].title for c in figure.sources)
    if titles:
        facts.append("source: " + "; ".join(titles))
    return tuple(facts)


def render_tree(step: Step, width: int | None = None) -> list[str]:
    """The derivation as wrapped text lines (see `engine.evaluation.explain_text`)."""
    from engine.evaluation.explain_text import render_text

    return render_text(step, width)


__all__ = [
    "DEFAULT_EXPLAIN_DEPTH",
    "LABEL_NAMES",
    "Step",
    "claim_summary",
    "explain_claim_tree",
    "render_tree",
    "substitute",
]
