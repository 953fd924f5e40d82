"""Warnings: what is suspicious in a knowledge base that loads, but probably not what was meant.

Errors (engine/knowledge/loader.py) stop a load; warnings do not, unless `--strict` asks them to,
as `mkdocs build --strict` does. Each warning has a code. A comment on the warned line, or alone on
the line just above it, silences one when the author has a reason::

    supports: [cost_is_all_costs]  # crux: allow inert: records turn 1's reason for the lens

An allow comment without a reason, with an unknown code, or that silences nothing is itself a
warning, so stale justifications do not pile up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from engine.errors import Location, Problem, did_you_mean
from engine.knowledge.knowledge_base import KnowledgeBase
from engine.knowledge.source_document import Directive

CODES: Mapping[str, str] = {
    "unused": "a figure, calculator or source that nothing uses",
    "orphan": "a claim linked to nothing",
    "inert": "an argument whose conclusion its numbers or an assumption decide",
    "no-distribution": "a figure with a range but no distribution",
}
"""The warning codes an allow comment may name, and what each flags."""

_ALLOW = re.compile(r"^allow\s+(?P<code>[A-Za-z][\w-]*)\s*(?:[:—–]|--?)?\s*(?P<reason>.*)$")


@dataclass(frozen=True, order=True)
class Warning:
    """One suspicious thing: where it is, its code and what is wrong."""

    location: Location
    message: str
    code: str

    def problem(self) -> Problem:
        """The warning as a `Problem` (what `--strict` raises)."""
        return Problem(self.location, f"{self.message} [{self.code}]")

    def __str__(self) -> str:
        return f"{self.location}: warning: {self.message} [{self.code}]"


def lint(kb: KnowledgeBase) -> list[Warning]:
    """Every warning about `kb`, minus those an allow comment silences, in file order."""
    found = [
        *_unused(kb),
        *_orphans(kb),
        *_inert_arguments(kb),
        *_ranges_without_distribution(kb),
    ]
    allows, bad = _allow_comments(kb)
    kept: list[Warning] = []
    used: set[Location] = set()
    for warning in found:
        allow = _matching_allow(allows, warning)
        if allow is None:
            kept.append(warning)
        else:
            used.add(allow.location)
    unused_allows = [
        Warning(a.location, f"this allow comment silences no '{a.code}' warning", "allow")
        for a in allows
        if a.location not in used
    ]
    return sorted({*kept, *bad, *unused_allows})


def _unused(kb: KnowledgeBase) -> Iterable[Warning]:
    graph = kb.graph
    for fid in kb.figures:
        if graph.out_degree(fid) == 0:
            yield Warning(
                kb.locate(fid, key=True),
                f"figure '{fid}' is used by no formula and no holds_when",
                "unused",
            )
    for cid in kb.calculators:
        if graph.out_degree(cid) == 0:
            yield Warning(
                kb.locate(cid, key=True),
                f"calculator '{cid}' is used by no formula and no holds_when",
                "unused",
            )
    # A source a voice or a correlation cites is used too (neither is an edge of the graph).
    voiced = {voice.source for claim in kb.claims.values() for voice in claim.voices}
    voiced |= {voice.source for arg in kb.arguments.values() for voice in arg.voices}
    voiced |= {c.source for corr in kb.correlations.values() for c in corr.sources}
    for sid in kb.sources:
        if graph.out_degree(sid) == 0 and sid not in voiced:
            yield Warning(
                kb.locate(sid, key=True),
                f"source '{sid}' is cited by no figure and no claim",
                "unused",
            )


def _orphans(kb: KnowledgeBase) -> Iterable[Warning]:
    graph = kb.graph
    for claim_id in kb.claims:
        linked = [
            n
            for n in (*graph.predecessors(claim_id), *graph.successors(claim_id))
            if graph.nodes[n]["kind"] != "source"
        ]
        if not linked:
            yield Warning(
                kb.locate(claim_id, key=True),
                f"claim '{claim_id}' is linked to nothing: no argument uses it or concludes it, "
                "and no holds_when decides it",
                "orphan",
            )


def _inert_arguments(kb: KnowledgeBase) -> Iterable[Warning]:
    for arg_id, arg in kb.arguments.items():
        if arg.conclusion is None:
            continue
        conclusion = kb.claims[arg.conclusion]
        if conclusion.holds_when is not None:
            decided_by = "its numbers (holds_when)"
        elif conclusion.assumed is not None:
            decided_by = f"an assumption (assumed: {str(conclusion.assumed).lower()})"
        else:
            continue
        yield Warning(
            kb.locate(arg_id, key=True),
            f"argument '{arg_id}' is inert: its conclusion '{arg.conclusion}' is decided by "
            f"{decided_by}, so the argument can never change its label",
            "inert",
        )


def _ranges_without_distribution(kb: KnowledgeBase) -> Iterable[Warning]:
    for fid, fig in kb.figures.items():
        if fig.range is not None and fig.distribution is None:
            yield Warning(
                kb.locate(fid, "range", key=True),
                f"figure '{fid}' has a range but no distribution, so `crux simulate` cannot "
                "sample it (add distribution: lognormal | normal | uniform)",
                "no-distribution",
            )


@dataclass(frozen=True)
class _Allow:
    location: Location
    code: str
    target_line: int


def _allow_comments(kb: KnowledgeBase) -> tuple[list[_Allow], list[Warning]]:
    allows: list[_Allow] = []
    bad: list[Warning] = []
    for doc in kb.documents.values():
        for directive in doc.directives:
            parsed = _parse_allow(directive)
            if isinstance(parsed, Warning):
                bad.append(parsed)
            else:
                allows.append(parsed)
    return allows, bad


def _parse_allow(directive: Directive) -> _Allow | Warning:
    match = _ALLOW.match(directive.body)
    if match is None:
        return Warning(
            directive.location,
            f"expected '# crux: allow CODE: reason', found '# crux: {directive.body}'",
            "allow",
        )
    code = match["code"]
    if code not in CODES:
        return Warning(
            directive.location,
            f"unknown warning code '{code}'{did_you_mean(code, CODES)}; "
            f"expected one of {', '.join(CODES)}",
            "allow",
        )
    if not match["reason"].strip():
        return Warning(
            directive.location,
            f"an allow comment needs a reason: expected '# crux: allow {code}: why', found none",
            "allow",
        )
    return _Allow(directive.location, code, directive.target_line)


def _matching_allow(allows: Iterable[_Allow], warning: Warning) -> _Allow | None:
    """The allow comment on the warning's line, or in the comment lines just above it."""
    where = warning.location
    for allow in allows:
        if (allow.code, allow.location.path, allow.target_line) == (
            warning.code,
            where.path,
            where.line,
        ):
            return allow
    return None


def format_summary(warnings: Iterable[Warning]) -> str:
    """One line counting the warnings, saying how to make them errors or silence one."""
    count = len(list(warnings))
    noun = "warning" if count == 1 else "warnings"
    return (
        f"{count} {noun} (`--strict` makes them errors; "
        "'# crux: allow CODE: reason' on the line silences one)"
    )
