"""An AIF or xAIF graph → claims-folder data (docs/interop.md, "AIF and xAIF").

- an I-node (a proposition) becomes a claim;
- an RA (inference) becomes a pro argument from the I-nodes pointing to it to the one it points
  to; a CA (conflict) becomes a con argument against the I-node it points to, or an undercut
  when it points to an RA or another CA (an attack on the inference itself);
- a PA (preference) between two arguments of one conclusion becomes weights: each argument
  weighs one more than the heaviest argument it is preferred to;
- a locution (L-node) that asserts an I-node (L → YA "Asserting" → I) gives the claim its
  `speaker` (the locution's participant) and `quote` (the locution's words); an argument anchored
  in a locution (YA "Arguing") gets that locution's speaker;
- MA (rephrase), TA (transitions between locutions) and illocutions other than asserting
  (questioning, hypothesising, ...) have no crux equivalent: they are counted in the report, and
  rephrases and non-asserting illocutions are noted on the claims they concern.

A node id that is already a valid crux id (as crux's own export writes) is kept as the claim's or
argument's id, so a crux map comes back from AIF under its own ids; other claims are named after
their first words.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from engine.interop.aif_read import AifGraph, AifNode
from engine.interop.ids import IdMaker

VALID_ID = re.compile(r"^[a-z][a-z0-9_]{0,79}$")
ARGUMENT_TYPES = ("RA", "CA")
DIALOGUE_TYPES = ("L", "YA", "TA")
KNOWN_TYPES = ("I", "RA", "CA", "MA", "PA", *DIALOGUE_TYPES)
# Illocutions by which a speaker commits to the proposition (IAT; "Default Illocuting" is the
# argument-mining pipelines' unspecified one).
ASSERTING = ("asserting", "default illocuting", "restating")
DEFAULT_SCHEMES = ("", "default inference", "default conflict", "default preference")
ID_WORDS = 8
SPEAKER_PREFIX = re.compile(r"^\s*([^:]{1,60}?)\s*:\s+(.*)$", re.DOTALL)


@dataclass
class AifReport:
    """What the import read, what it made of it, and what crux has no place for."""

    node_types: Counter[str] = field(default_factory=Counter)
    claims: int = 0
    pro: int = 0
    con: int = 0
    undercuts: int = 0
    weighted: int = 0
    speakers: int = 0
    non_asserting: Counter[str] = field(default_factory=Counter)
    unlinked_locutions: int = 0
    warnings: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        order = [t for t in KNOWN_TYPES if self.node_types[t]] + sorted(
            t for t in self.node_types if t not in KNOWN_TYPES
        )
        read = ", ".join(f"{self.node_types[t]} {t}" for t in order) or "no nodes"
        made = (
            f"made {_count(self.claims, 'claim')} (I), {_count(self.pro, 'pro argument')} (RA), "
            f"{_count(self.con, 'con argument')} and {_count(self.undercuts, 'undercut')} (CA)"
        )
        if self.node_types["PA"]:
            made += f", {_count(self.weighted, 'weight')} from preferences (PA)"
        made += f"; {self.speakers} with a speaker"
        lost = []
        if self.node_types["MA"]:
            lost.append(f"{self.node_types['MA']} MA (rephrases, noted on the claims)")
        if self.node_types["TA"]:
            lost.append(f"{self.node_types['TA']} TA (transitions between locutions)")
        if self.non_asserting:
            kinds = ", ".join(f"{name} {n}" for name, n in sorted(self.non_asserting.items()))
            count = sum(self.non_asserting.values())
            lost.append(f"{count} non-asserting illocutions ({kinds}; noted on the claims)")
        if self.unlinked_locutions:
            lost.append(f"{self.unlinked_locutions} locutions linked to nothing")
        lines = [f"read {read}", made]
        if lost:
            lines.append("not carried over: " + ", ".join(lost))
        return lines


def _count(number: int, noun: str) -> str:
    """`1 pro argument`, `2 pro arguments`: the report reads as prose."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _short(text: str) -> str:
    return " ".join(text.split()[:ID_WORDS])


def _is_default(scheme: str) -> bool:
    return scheme.strip().lower() in DEFAULT_SCHEMES


def _voice_fields(voices: list[tuple[str | None, str | None]], own_text: str) -> dict[str, Any]:
    """`speaker` and `quote` for one voice, `voices` for several; a quote that only repeats the
    item's own text is left out."""
    if not voices:
        return {}
    kept = [(speaker, quote if quote and quote != own_text else None) for speaker, quote in voices]
    if len(kept) == 1:
        speaker, quote = kept[0]
        return {k: v for k, v in (("speaker", speaker), ("quote", quote)) if v}
    return {
        "voices": [
            {"speaker": speaker or "an unnamed speaker", **({"quote": quote} if quote else {})}
            for speaker, quote in kept
        ]
    }


class _Importer:
    def __init__(self, graph: AifGraph, name: str) -> None:
        self.graph = graph
        self.name = name
        self.nodes = graph.nodes
        self.succ = graph.successors()
        self.pred = graph.predecessors()
        self.report = AifReport(node_types=Counter(n.type for n in graph.nodes.values()))
        self.ids = IdMaker()
        self.claims: dict[str, dict[str, Any]] = {}
        self.arguments: dict[str, dict[str, Any]] = {}
        self.claim_of: dict[str, str] = {}
        self.arguments_of: dict[str, list[str]] = {}
        self.notes: dict[str, list[str]] = {}
        self.reserved: dict[str, str] = {}

    def typed(self, ids: list[str], *types: str) -> list[str]:
        return [n for n in ids if self.nodes[n].type in types]

    def warn(self, node: AifNode, message: str) -> None:
        self.report.warnings.append(f"{self.name}: {node.type} node {node.id!r}: {message}")

    # --- generated intermediate I-nodes (crux's export of several-premise attacks) ---

    def linked_premises(self) -> dict[str, list[str]]:
        """Each I-node crux's export generated to join a several-premise attack, with the
        premises of the RA that concludes it: the attack is read back as one argument."""
        result = {}
        for node in self.nodes.values():
            if node.type != "I" or not node.crux.get("generated"):
                continue
            links = self.typed(self.pred[node.id], "RA")
            if len(links) == 1 and self.typed(self.succ[links[0]], "I") == [node.id]:
                result[node.id] = self.typed(self.pred[links[0]], "I")
        return result

    # --- claims ---

    def make_claims(self, skipped: set[str]) -> None:
        propositions = [n for n in self.nodes.values() if n.type == "I" and n.id not in skipped]
        arguments = [n for n in self.nodes.values() if n.type in ARGUMENT_TYPES]
        for node in [*propositions, *arguments]:
            if VALID_ID.match(node.id) and node.id not in self.ids.taken:
                self.ids.taken.add(node.id)
                self.reserved[node.id] = node.id
        for node in propositions:
            cid = self.reserved.get(node.id) or self.ids.make(_short(node.text), "claim")
            self.claim_of[node.id] = cid
            claim: dict[str, Any] = {"text": node.text}
            if not node.text:
                claim["text"] = f"(The AIF proposition {node.id} has no text.)"
                self.warn(node, "has no text")
            self.add_voices(node, claim)
            label, basis = node.crux.get("label"), node.crux.get("basis")
            if basis in ("numbers", "assumption") and label in ("holds", "fails"):
                claim["assumed"] = label == "holds"  # decided outside the map by crux's export
            self.claims[cid] = claim

    def speaker_of(self, locution: str) -> tuple[str | None, str | None]:
        """The speaker and the words of a locution, from its participant and its text
        (`Speaker : words`)."""
        text = self.nodes[locution].text
        name = self.graph.speakers.get(locution)
        if name:
            prefix = re.match(rf"^\s*{re.escape(name)}\s*:\s*", text)
            quote = text[prefix.end() :] if prefix else text
            return name, quote or None
        match = SPEAKER_PREFIX.match(text)
        if match and len(match.group(1).split()) <= 5:
            return match.group(1), match.group(2) or None
        person = self.graph.persons.get(locution)
        return (f"person {person}" if person else None), text or None

    def add_voices(self, node: AifNode, claim: dict[str, Any]) -> None:
        voices: list[tuple[str | None, str | None]] = []
        for illocution in self.typed(self.pred[node.id], "YA"):
            force = self.nodes[illocution].text
            for locution in self.typed(self.pred[illocution], "L"):
                speaker, quote = self.speaker_of(locution)
                if force.lower() in ASSERTING:
                    if (speaker, quote) not in voices:
                        voices.append((speaker, quote))
                else:
                    who = speaker or "someone"
                    self.notes.setdefault(node.id, []).append(
                        f"AIF: {who} ({force.lower() or 'unnamed illocution'}): {quote or node.text}"
                    )
        if voices:
            self.report.speakers += 1
            claim.update(_voice_fields(voices, node.text))

    # --- arguments ---

    def argument_voices(self, node: AifNode) -> list[tuple[str | None, str | None]]:
        """The speakers of the locutions an inference or conflict is anchored in, with their
        words when anchored directly (L → YA → RA); through a transition (TA → YA → RA) the
        speaker is the one of the TA's later locution."""
        voices: list[tuple[str | None, str | None]] = []
        for illocution in self.typed(self.pred[node.id], "YA"):
            for source in self.pred[illocution]:
                found: list[tuple[str | None, str | None]] = []
                if self.nodes[source].type == "L":
                    found = [self.speaker_of(source)]
                elif self.nodes[source].type == "TA":
                    found = [
                        (self.speaker_of(locution)[0], None)
                        for locution in self.typed(self.succ[source], "L")
                    ]
                for voice in found:
                    if voice[0] and voice not in voices:
                        voices.append(voice)
        return voices

    def argument_id(self, node: AifNode, words: str, single: bool) -> str:
        if single and self.reserved.get(node.id):
            return node.id
        return self.ids.make(words, "argument")

    def premises(self, node: AifNode, linked: dict[str, list[str]]) -> list[str]:
        found: list[str] = []
        for source in self.typed(self.pred[node.id], "I"):
            for premise in linked.get(source, [source]):
                claim = self.claim_of.get(premise)
                if claim and claim not in found:
                    found.append(claim)
        return found

    def base(self, node: AifNode, premises: list[str]) -> dict[str, Any]:
        base: dict[str, Any] = {}
        scheme = node.scheme or node.text
        if not _is_default(scheme):
            base["label"] = scheme
        # crux's export words an unquoted argument's locution with its premises: not a quote.
        grounds = "; ".join(self.claims[p]["text"] for p in premises)
        base.update(_voice_fields(self.argument_voices(node), grounds))
        return base

    def make_arguments(self, linked: dict[str, list[str]], links: set[str]) -> None:
        undercuts: list[tuple[AifNode, list[str], str]] = []
        for node in self.nodes.values():
            if node.type not in ARGUMENT_TYPES or node.id in links:
                continue
            premises = self.premises(node, linked)
            targets = [
                t for t in self.succ[node.id] if self.nodes[t].type not in (*DIALOGUE_TYPES, "PA")
            ]
            if not premises:
                self.warn(node, "has no premise (no I-node points to it): skipped")
                continue
            if not targets:
                self.warn(node, "has no conclusion (it points to no node): skipped")
                continue
            made: list[str] = []
            for target in targets:
                kind = self.nodes[target].type
                if kind == "I" and target in self.claim_of:
                    conclusion = self.claim_of[target]
                    pro = node.type == "RA"
                    aid = self.argument_id(
                        node, f"{'for' if pro else 'against'} {conclusion}", len(targets) == 1
                    )
                    self.arguments[aid] = {
                        **self.base(node, premises),
                        "premises": premises,
                        "conclusion": conclusion,
                        **({} if pro else {"stance": "con"}),
                    }
                    made.append(aid)
                    if pro:
                        self.report.pro += 1
                    else:
                        self.report.con += 1
                elif kind in ARGUMENT_TYPES and node.type == "CA":
                    undercuts.append((node, premises, target))
                else:
                    self.warn(
                        node,
                        f"points to the {kind} node {target!r}, which crux cannot attach it to: that link is skipped",
                    )
            self.arguments_of[node.id] = made
        self.make_undercuts(undercuts)

    def make_undercuts(self, pending: list[tuple[AifNode, list[str], str]]) -> None:
        # An attack on an attack needs its target's arguments first: resolve in rounds.
        while pending:
            waiting = []
            for node, premises, target in pending:
                if target not in self.arguments_of:
                    waiting.append((node, premises, target))
                    continue
                single = (
                    len(self.arguments_of[target]) == 1
                    and len([t for t in self.succ[node.id] if self.nodes[t].type != "PA"]) == 1
                )
                for victim in self.arguments_of[target]:
                    aid = self.argument_id(node, f"undercuts {victim}", single)
                    self.arguments[aid] = {
                        **self.base(node, premises),
                        "premises": premises,
                        "undercuts": victim,
                    }
                    self.arguments_of.setdefault(node.id, []).append(aid)
                    self.report.undercuts += 1
            if len(waiting) == len(pending):
                for node, _, target in waiting:
                    self.warn(
                        node, f"attacks {target!r} in a circle of attacks on attacks: skipped"
                    )
                return
            pending = waiting

    # --- preferences, rephrases ---

    def weigh(self) -> None:
        """PA nodes as weights: one more than the heaviest argument the preferred one beats."""
        order = nx.DiGraph()
        for node in self.nodes.values():
            if node.type != "PA":
                continue
            better = [s for s in self.pred[node.id] if self.nodes[s].type != "YA"]
            worse = self.succ[node.id]
            if any(self.nodes[n].type not in ARGUMENT_TYPES for n in [*better, *worse]):
                self.warn(node, "a preference between propositions has no crux equivalent: skipped")
                continue
            for high in better:
                for low in worse:
                    for a in self.arguments_of.get(high, []):
                        for b in self.arguments_of.get(low, []):
                            if self.rivals(a) != self.rivals(b):
                                self.warn(
                                    node,
                                    f"prefers {a} to {b}, which bear on different claims: crux weighs only arguments of one claim against each other; skipped",
                                )
                            else:
                                order.add_edge(a, b)
        cyclic = [c for c in nx.strongly_connected_components(order) if len(c) > 1]
        for component in cyclic:
            self.report.warnings.append(
                f"{self.name}: preferences in a circle ({', '.join(sorted(component))}): skipped"
            )
            order.remove_edges_from(
                [(a, b) for a, b in list(order.edges) if a in component and b in component]
            )
        rank: dict[str, int] = {}
        for aid in reversed(list(nx.topological_sort(order))):
            rank[aid] = 1 + max((rank[low] for low in order.successors(aid)), default=0)
        for aid, weight in rank.items():
            if weight > 1:
                self.arguments[aid]["weight"] = weight
                self.report.weighted += 1

    def rivals(self, aid: str) -> tuple[str, str]:
        arg = self.arguments[aid]
        return (
            ("claim", arg["conclusion"]) if "conclusion" in arg else ("argument", arg["undercuts"])
        )

    def note_rephrases(self) -> None:
        for node in self.nodes.values():
            if node.type != "MA":
                continue
            sources = [
                self.claim_of[s] for s in self.typed(self.pred[node.id], "I") if s in self.claim_of
            ]
            for target in self.typed(self.succ[node.id], "I"):
                if target in self.claim_of and sources:
                    self.notes.setdefault(target, []).append(f"AIF: rephrases {', '.join(sources)}")

    def count_dialogue(self) -> None:
        """Illocutions that commit nobody to a proposition (questions, hypotheses, reported
        speech) and locutions linked to nothing: counted, so the report says what was left."""
        for node in self.nodes.values():
            if node.type == "YA" and node.text.lower() not in ASSERTING:
                anchors = self.typed(self.succ[node.id], "RA", "CA", "MA", "PA")
                if not anchors:
                    self.report.non_asserting[node.text or "unnamed"] += 1
            elif node.type == "L" and not self.succ[node.id] and not self.pred[node.id]:
                self.report.unlinked_locutions += 1
            elif node.type not in KNOWN_TYPES:
                self.warn(node, "is of a type AIF does not define: skipped")


def to_crux(graph: AifGraph, name: str) -> tuple[dict[str, dict[str, Any]], AifReport]:
    """The claims folder's sections for an AIF graph, and the report of what was carried over."""
    importer = _Importer(graph, name)
    linked = importer.linked_premises()
    links = {r for g in linked for r in importer.typed(importer.pred[g], "RA")}
    importer.make_claims(set(linked))
    importer.make_arguments(linked, links)
    importer.weigh()
    importer.note_rephrases()
    importer.count_dialogue()
    for node_id, lines in importer.notes.items():
        if node_id in importer.claim_of:
            importer.claims[importer.claim_of[node_id]]["notes"] = "\n".join(lines)
    importer.report.claims = len(importer.claims)
    data: dict[str, dict[str, Any]] = {"claims": importer.claims}
    if importer.arguments:
        data["arguments"] = importer.arguments
    return data, importer.report
