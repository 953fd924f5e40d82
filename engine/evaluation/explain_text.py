"""A derivation (`engine.evaluation.explain.Step`) as plain text, wrapped to a width.

Each node is one paragraph, indented two spaces per level; long paragraphs wrap under
themselves, never inside an id or a number. Nodes written out elsewhere print one line that
points there ("see above"). Plain ASCII indentation only, so the text survives a pipe.
"""

from __future__ import annotations

import textwrap

from engine.evaluation.explain import ARGUMENT_STATES, Step
from engine.formatting import format_label

INDENT = "  "
HANGING = "    "
#: Deeper nodes stop moving right and say their level instead, so a long chain stays readable
#: (and the text linear in its length).
MAX_INDENT = 12
MORE = "[+]"
MORE_NOTE = "[+] has more below: raise --depth, or use --full for everything."


def render_text(root: Step, width: int | None = None) -> list[str]:
    """The lines of ``root``'s derivation, each at most ``width`` columns where words allow."""
    lines: list[str] = []
    stack: list[tuple[Step, int]] = [(root, 0)]
    while stack:
        step, indent = stack.pop()
        merged = _merged_premise(step)
        prefix = INDENT * min(indent, MAX_INDENT)
        for number, (paragraph, extra) in enumerate(_paragraphs(step, merged)):
            if indent > MAX_INDENT and number == 0:
                paragraph = f"(level {indent}) {paragraph}"
            lines.extend(_wrap(paragraph, prefix + extra, width))
        children = list(step.children)
        if merged is not None:
            # The premise shares the argument's line: its own children come next.
            children = list(merged.children) + children[1:]
            for paragraph, extra in _paragraphs(merged, None)[1:]:
                lines.extend(_wrap(paragraph, prefix + extra, width))
        stack.extend((child, indent + 1) for child in reversed(children))
    if any(step.more for step in root.walk()):
        lines.extend(["", *_wrap(MORE_NOTE, "", width)])
    return lines


def _merged_premise(step: Step) -> Step | None:
    """An unlabelled one-premise argument is named by its premise: print them as one line."""
    if step.kind != "argument" or step.ref or not step.children:
        return None
    first = step.children[0]
    if first.kind == "claim" and step.text == f"“{first.text.rstrip('.')}”":
        return first
    return None


def _paragraphs(step: Step, merged: Step | None) -> list[tuple[str, str]]:
    """(text, extra indent) of each paragraph of a node; the first is its headline."""
    more = f" {MORE}" if step.more else ""
    if step.kind == "claim":
        head = f"{step.id} {format_label(step.label or '')}"
        if step.ref:
            return [(f"{head} (see {step.id} {step.ref})", "")]
        paragraphs = [(f"{head}: {step.text}{more}", "")]
        if step.summary:
            paragraphs.append((step.summary, INDENT))
        return paragraphs
    if step.kind == "argument":
        state = ARGUMENT_STATES.get(step.label or "", step.label or "")
        head = f"{step.summary}, {state}:"
        if merged is not None:
            claim_head = _paragraphs(merged, None)[0][0]
            return [(f"{head} {claim_head}", "")]
        see = f" (see {step.id} {step.ref})" if step.ref else ""
        return [(f"{head} {step.text}{see}{more}", "")]
    if step.kind == "figure":
        if step.ref:
            return [(f"{step.id} = {step.value} (see {step.id} {step.ref})", "")]
        facts = f" [{'; '.join(step.facts)}]" if step.facts else ""
        return [(f"{step.id} = {step.value}: {step.text}{facts}", "")]
    if step.kind == "calculator":
        if step.ref:
            return [(f"{step.id} = {step.value} (see {step.id} {step.ref})", "")]
        worked = f"{step.formula} = {step.substituted}"
        if step.substituted == step.formula:
            worked = step.formula or ""
        paragraphs = [(f"{step.id} = {worked} = {step.value} ({step.text}){more}", "")]
        paragraphs.extend((f"because {choice}", INDENT) for choice in step.choices)
        return paragraphs
    # A claim's condition.
    paragraphs = [(f"holds when {step.formula}: {step.substituted}, {step.value}{more}", "")]
    paragraphs.extend((f"because {choice}", INDENT) for choice in step.choices)
    return paragraphs


def _wrap(text: str, indent: str, width: int | None) -> list[str]:
    if width is None:
        return [indent + text]
    return textwrap.wrap(
        text,
        width=max(width, len(indent) + 20),
        initial_indent=indent,
        subsequent_indent=indent + HANGING,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent]
