"""Write a knowledge base as Argdown text, for timing the Argdown CLI on the same debate.

    python bench/argdown_encoding.py [claims] > debate.argdown

Claims become statements `[id]: text`, arguments `<id>: label`, each premise supports its
argument (`[premise]` then `+> <argument>`), and each argument supports (`+>`), attacks (`->`)
or undercuts (`_>`) what it bears on. That is the graph `crux diagram` draws of the whole map,
with the same nodes and edges, so `argdown map` and `crux diagram` lay out the same debate.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from engine.knowledge.loader import KnowledgeBase, load_knowledge_base  # noqa: E402

# Characters Argdown reads as syntax inside a statement's text (links, tags, emphasis, ranges).
_SPECIAL = re.compile(r"([\[\]<>#*_\\{}()@:+-])")


def _text(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def argdown_text(kb: KnowledgeBase) -> str:
    """The Argdown encoding of every claim and argument of ``kb``, in id order."""
    lines = ["===", "title: " + (kb.central_claim or "argument map"), "===", ""]
    for claim_id, claim in kb.claims.items():
        lines.append(f"[{claim_id}]: {_text(claim.text)}")
        for arg_id, argument in kb.arguments.items():
            if claim_id in argument.premises:
                lines.append(f"  +> <{arg_id}>")
        lines.append("")
    for arg_id, argument in kb.arguments.items():
        label = argument.label or f"{argument.stance} {argument.conclusion or argument.undercuts}"
        lines.append(f"<{arg_id}>: {_text(label)}")
        if argument.undercuts is not None:
            lines.append(f"  _> <{argument.undercuts}>")
        elif argument.conclusion is not None:
            relation = "+>" if argument.stance == "pro" else "->"
            lines.append(f"  {relation} [{argument.conclusion}]")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "claims"
    sys.stdout.write(argdown_text(load_knowledge_base(folder)))
