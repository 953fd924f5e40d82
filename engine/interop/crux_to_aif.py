"""A crux knowledge base → AIF or xAIF JSON (docs/interop.md, "AIF and xAIF").

- a claim becomes an I-node whose nodeID is the claim's id;
- a pro argument becomes an RA (premises → RA → conclusion), a con argument a CA, an undercut a
  CA that points at the undercut argument's RA or CA; the argument's id is the node's id;
- a con argument or undercut with several premises joins them first: the premises → an RA → a
  generated I-node ("A, and B") → the CA. AIF's conflicts have one attacker; the generated node is
  marked `"crux": {"generated": true}` so crux reads the attack back as one argument;
- weights become PA nodes where they order the arguments of one claim: every argument is
  preferred to each argument of that claim at the next lower weight;
- a speaker becomes a participant and a locution ("Speaker : quote") asserting the I-node
  (YA "Asserting"), or arguing for the RA (YA "Arguing");
- under `--scenario`, an I-node whose label the numbers or an assumption decide carries it as
  `"crux": {"label", "basis"}`: AIF has no formulas, so crux reads it back as an assumption.

Figures, calculators, sources, scenarios, tags and notes have no place in AIF; `lost` says how
many of each were left out.
"""

from __future__ import annotations

import datetime
import itertools
import os
from collections import Counter
from typing import Any

from engine.evaluation.evaluate import Evaluation
from engine.knowledge.loader import KnowledgeBase
from engine.knowledge.schema import Argument, Claim


def _timestamp() -> str:
    # Reproducible output: SOURCE_DATE_EPOCH when set (as builds honour it), else a fixed date.
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (
        datetime.datetime.fromtimestamp(int(epoch), datetime.UTC)
        if epoch and epoch.isdigit()
        else datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    )
    return moment.strftime("%Y-%m-%d %H:%M:%S")


class _Writer:
    def __init__(self, kb: KnowledgeBase, evaluation: Evaluation | None) -> None:
        self.kb = kb
        self.evaluation = evaluation
        self.nodes: list[dict[str, Any]] = []
        self.edges: list[dict[str, Any]] = []
        self.locutions: list[dict[str, Any]] = []
        self.people: dict[str, int] = {}
        self.stamp = _timestamp()
        self.spans: list[str] = []

    def node(self, node_id: str, kind: str, text: str, **extra: Any) -> str:
        self.nodes.append(
            {"nodeID": node_id, "text": text, "type": kind, "timestamp": self.stamp, **extra}
        )
        return node_id

    def edge(self, source: str, target: str) -> None:
        self.edges.append(
            {
                "edgeID": str(len(self.edges) + 1),
                "fromID": source,
                "toID": target,
                "formEdgeID": None,
            }
        )

    def person(self, speaker: str) -> int:
        return self.people.setdefault(speaker, len(self.people) + 1)

    def locution(self, owner: str, speaker: str, words: str, force: str, number: int = 1) -> None:
        """`speaker` says `words`: an L-node, its locution entry, and the illocution to `owner`."""
        suffix = "" if number == 1 else str(number)
        said = self.node(f"{owner}.L{suffix}", "L", f"{speaker} : {words}")
        self.locutions.append(
            {
                "nodeID": said,
                "personID": str(self.person(speaker)),
                "timestamp": self.stamp,
                "start": None,
                "end": None,
                "source": None,
            }
        )
        self.spans.append(f'<span class="highlighted" id="node{said}">{_escape(words)}</span>')
        illocution = self.node(f"{owner}.YA{suffix}", "YA", force)
        self.edge(said, illocution)
        self.edge(illocution, owner)

    def claims(self) -> None:
        for cid, claim in sorted(self.kb.claims.items()):
            extra: dict[str, Any] = {}
            if self.evaluation is not None:
                basis = self.evaluation.basis[cid]
                if basis in ("numbers", "assumption"):
                    extra["crux"] = {"label": self.evaluation.claims[cid], "basis": basis}
            self.node(cid, "I", claim.text, **extra)
            for number, (speaker, quote) in enumerate(_voices(claim), start=1):
                self.locution(cid, speaker, quote or claim.text, "Asserting", number)

    def inference(self, aid: str, arg: Argument, target: str) -> None:
        """The RA or CA for one argument, from its premises (joined first where AIF needs one
        attacker) to `target`."""
        attack = arg.stance == "con" or arg.undercuts is not None
        sources = list(arg.premises)
        if attack and len(sources) > 1:
            texts = [self.kb.claims[p].text.rstrip(".") for p in sources]
            joined = self.node(
                f"{aid}.premises", "I", ", and ".join(texts) + ".", crux={"generated": True}
            )
            link = self.node(f"{aid}.link", "RA", "Default Inference")
            for premise in sources:
                self.edge(premise, link)
            self.edge(link, joined)
            sources = [joined]
        kind, text = ("CA", "Default Conflict") if attack else ("RA", "Default Inference")
        self.node(aid, kind, arg.label or text)
        for premise in sources:
            self.edge(premise, aid)
        self.edge(aid, target)
        for number, (speaker, quote) in enumerate(_voices(arg), start=1):
            # A locution has words: the argument's quote, else what it argues from.
            words = quote or premise_words(self.kb, arg)
            self.locution(aid, speaker, words, "Arguing", number)

    def arguments(self) -> None:
        for aid, arg in sorted(self.kb.arguments.items()):
            target = arg.conclusion if arg.conclusion is not None else arg.undercuts
            if target is not None:
                self.inference(aid, arg, target)

    def preferences(self) -> int:
        """PA nodes where weights order the arguments bearing on one claim (or one inference)."""
        rivals: dict[str, list[tuple[float, str]]] = {}
        for aid, arg in sorted(self.kb.arguments.items()):
            target = arg.conclusion if arg.conclusion is not None else arg.undercuts
            if target is not None:
                rivals.setdefault(target, []).append((arg.weight, aid))
        count = 0
        for _target, members in sorted(rivals.items()):
            levels = sorted({weight for weight, _ in members}, reverse=True)
            for high, low in itertools.pairwise(levels):
                for _, better in [m for m in members if m[0] == high]:
                    for _, worse in [m for m in members if m[0] == low]:
                        count += 1
                        pa = self.node(f"{better}.over.{worse}", "PA", "Default Preference")
                        self.edge(better, pa)
                        self.edge(pa, worse)
        return count

    def participants(self) -> list[dict[str, Any]]:
        result = []
        for speaker, number in self.people.items():
            first, _, rest = speaker.partition(" ")
            result.append({"participantID": str(number), "firstname": first, "surname": rest})
        return result


def _voices(item: Claim | Argument) -> list[tuple[str, str | None]]:
    """Everyone who makes a claim or an argument: the one-voice shorthand, then `voices`."""
    found = [(item.speaker, item.quote)] if item.speaker else []
    return found + [(voice.speaker, voice.quote) for voice in item.voices]


def premise_words(kb: KnowledgeBase, arg: Argument) -> str:
    """What an argument argues from, in words: its premises' texts."""
    return "; ".join(kb.claims[p].text for p in arg.premises)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def lost(kb: KnowledgeBase) -> list[str]:
    """What of the knowledge base AIF has no place for, as 'N things' phrases."""
    counts = Counter(
        {
            "figures": len(kb.figures),
            "calculators": len(kb.calculators),
            "sources": len(kb.sources),
            "scenarios": len(kb.scenarios),
            "holds_when conditions": sum(1 for c in kb.claims.values() if c.holds_when),
            "claims' notes and tags": sum(1 for c in kb.claims.values() if c.notes or c.tags),
            "exact weights (kept as an order)": sum(
                1 for a in kb.arguments.values() if a.weight != 1
            ),
        }
    )
    return [f"{n} {what}" for what, n in counts.items() if n]


def to_aif(
    kb: KnowledgeBase, evaluation: Evaluation | None, xaif: bool
) -> tuple[dict[str, Any], dict[str, int]]:
    """The AIF (or xAIF) document for `kb`, and counts of what it holds."""
    writer = _Writer(kb, evaluation)
    writer.claims()
    writer.arguments()
    preferences = writer.preferences()
    counts = dict(Counter(node["type"] for node in writer.nodes))
    counts["PA"] = preferences
    if not xaif:
        document: dict[str, Any] = {
            "nodes": writer.nodes,
            "edges": writer.edges,
            "locutions": writer.locutions,
            "participants": writer.participants(),
        }
        return document, counts
    return {
        "AIF": {
            "nodes": writer.nodes,
            "edges": writer.edges,
            "schemefulfillments": [],
            "descriptorfulfillments": [],
            "participants": writer.participants(),
            "locutions": writer.locutions,
        },
        "text": "<br>".join(writer.spans),
        "dialog": bool(writer.locutions),
    }, counts
