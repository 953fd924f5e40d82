"""Who says what: the voices of claims, arguments and figures, and every speaker's items.

A claim or an argument lists its voices (`voices: [{speaker, quote, source}]`); `speaker` and
`quote` on the item are the one-voice shorthand and come first. A figure has the shorthand only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from engine.knowledge.records import make_record

if TYPE_CHECKING:
    from engine.knowledge.knowledge_base import KnowledgeBase
    from engine.knowledge.schema import Argument, Claim, Figure, Voice

__all__ = ["Said", "Speaker", "speakers", "voices_of"]


def voices_of(item: Claim | Argument | Figure) -> tuple[Voice, ...]:
    """Everyone who puts ``item`` forward: the shorthand speaker first, then `voices`."""
    # The shorthand as a record, not a `Voice` model: a site built from the cached knowledge
    # base must not import pydantic for it (`engine.knowledge.records`).
    shorthand: tuple[Voice, ...] = (
        (
            make_record(
                "engine.knowledge.schema:Voice",
                {"speaker": item.speaker, "quote": item.quote, "source": None},
                written=("speaker", "quote"),
            ),  # type: ignore[assignment]  # a record reads as its model does
        )
        if item.speaker
        else ()
    )
    listed: tuple[Voice, ...] = getattr(item, "voices", ())  # a figure has the shorthand only
    return shorthand + tuple(listed)


@dataclass(frozen=True)
class Said:
    """One item a speaker puts forward, in their words when they are quoted."""

    kind: str
    """``claim``, ``argument`` or ``figure``."""
    id: str
    quote: str | None
    source: str | None


@dataclass(frozen=True)
class Speaker:
    """A speaker, the page-safe name of their page, and what they said in knowledge-base order."""

    name: str
    slug: str
    said: tuple[Said, ...]

    def ids(self, kind: str) -> list[str]:
        return [s.id for s in self.said if s.kind == kind]


def _items(kb: KnowledgeBase) -> Iterator[tuple[str, str, Claim | Argument | Figure]]:
    yield from (("claim", cid, claim) for cid, claim in kb.claims.items())
    yield from (("argument", aid, arg) for aid, arg in kb.arguments.items())
    yield from (("figure", fid, fig) for fid, fig in kb.figures.items())


_SPEAKERS: WeakKeyDictionary[KnowledgeBase, Mapping[str, Speaker]] = WeakKeyDictionary()
"""`speakers` of each knowledge base alive: every page's voices look it up, and collecting it
walks the whole map (a site of 1,000 claims spent three quarters of its page contexts here)."""


def speakers(kb: KnowledgeBase) -> Mapping[str, Speaker]:
    """Every speaker by name, sorted by name, each with a distinct slug for their page."""
    found = _SPEAKERS.get(kb)
    if found is None:
        found = _SPEAKERS[kb] = MappingProxyType(_collect(kb))
    return found


def _collect(kb: KnowledgeBase) -> dict[str, Speaker]:
    said: dict[str, list[Said]] = {}
    for kind, item_id, item in _items(kb):
        for voice in voices_of(item):
            entries = said.setdefault(voice.speaker, [])
            if not any(s.kind == kind and s.id == item_id for s in entries):
                entries.append(Said(kind, item_id, voice.quote, voice.source))
    out: dict[str, Speaker] = {}
    taken: set[str] = set()
    for name in sorted(said, key=lambda n: (n.casefold(), n)):
        slug = _slug(name)
        base, n = slug, 2
        while slug in taken:  # "Turn 4" and "turn-4" must not share a page
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        out[name] = Speaker(name, slug, tuple(said[name]))
    return out


def _slug(name: str) -> str:
    """`The Baker (2024)` -> `the-baker-2024`; a name of symbols only becomes `speaker`."""
    ascii_name = name.casefold().encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")[:60].strip("-")
    return slug or "speaker"
