"""An Argdown map (`engine.interop.argdown_model`) → `.argdown` text that the Argdown CLI reads.

Every statement is defined once at the top level, arguments follow, then every relation as its own
small paragraph, so the text reads in a stable order and diffs cleanly.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from engine.interop.argdown_model import ArgdownMap, Relation, tag_text

# Characters Argdown reads as markup inside a statement's text; a backslash makes each literal.
# Measured with the Argdown CLI 1.7.5: unescaped `*`, `_` and `<…>` are syntax errors or markup.
MARKUP = re.compile(r"([\\\[\]<>{}#*_@~`])")
OUTGOING = {
    "support": "+>",
    "entails": "+>",
    "attack": "->",
    "contrary": "->",
    "undercut": "_>",
    "contradictory": "><",
}


def escape(text: str) -> str:
    return MARKUP.sub(r"\\\1", " ".join(text.split()))


def _title(title: str) -> str:
    # Titles end at `]`/`>`; Argdown has no escape inside them, so those characters are replaced.
    return title.replace("]", ")").replace("[", "(").replace(">", ")").replace("<", "(")


def _ref(name: str, kind: str) -> str:
    return f"[{_title(name)}]" if kind == "equivalence-class" else f"<{_title(name)}>"


def _data(data: dict[str, Any]) -> str:
    # JSON is YAML flow syntax, which Argdown's inline data accepts; it escapes every quote,
    # newline and brace inside strings, so the data cannot end early.
    return " " + json.dumps(data, ensure_ascii=False, sort_keys=True) if data else ""


def write_argdown(argdown: ArgdownMap) -> str:
    parts: list[str] = []
    if argdown.front_matter:
        matter = yaml.safe_dump(
            argdown.front_matter, sort_keys=False, allow_unicode=True, width=100
        )
        parts.append(f"===\n{matter}===")
    parts.append("// Written by crux (crux export argdown).")
    if not (argdown.statements or argdown.arguments):
        parts.append("# An empty map")  # Argdown refuses a file with no element at all
    for statement in argdown.statements.values():
        body = statement.text if statement.text != statement.title else ""
        tags = " ".join(tag_text(t) for t in statement.tags)
        text = " ".join(x for x in (escape(body), tags) if x)
        head = f"[{_title(statement.title)}]"
        parts.append(
            f"{head}: {text}{_data(statement.data)}" if text else f"{head}{_data(statement.data)}"
        )
    for argument in argdown.arguments.values():
        head = f"<{_title(argument.title)}>"
        definition = f"{head}: {escape(argument.text)}" if argument.text.strip() else head
        lines = []
        for number, step in enumerate(argument.pcs, start=1):
            if step.role != "premise":
                lines.append("----")
            lines.append(f"({number}) [{_title(step.title)}]")
        pcs = "\n\n" + "\n".join(lines) if lines else ""
        parts.append(definition + _data(argument.data) + pcs)
    for relation in argdown.relations:
        parts.append(_relation(relation))
    return "\n\n".join(parts) + "\n"


def _relation(relation: Relation) -> str:
    source = _ref(relation.source, relation.source_type)
    target = _ref(relation.target, relation.target_type)
    return f"{source}\n    {OUTGOING[relation.type]} {target}"
