"""The parts of an Argdown map that crux reads and writes, in one small model shared by both
directions: crux → model → `.argdown` text, and Argdown CLI JSON → model → crux.

Statements are Argdown's equivalence classes; arguments are either premise-conclusion structures
(`pcs`) or sketched (no `pcs`); relations are the flat list of the CLI's JSON export.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# Argdown writes a tag as `#word` or `#(several words)`.
TAG_PATTERN = re.compile(r"#\([^)]*\)|#[^\s#()\[\]<>{}]+")
LABEL_TAGS = ("holds", "fails", "undecided")


@dataclass(frozen=True)
class Statement:
    title: str
    text: str
    tags: tuple[str, ...] = ()
    data: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class PcsStep:
    """One line of a premise-conclusion structure: a premise or a conclusion, by statement title."""

    role: str  # "premise" | "intermediary-conclusion" | "main-conclusion"
    title: str


@dataclass(frozen=True)
class ArgdownArgument:
    title: str
    text: str = ""
    pcs: tuple[PcsStep, ...] = ()
    data: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def main_conclusion(self) -> str | None:
        return self.pcs[-1].title if self.pcs else None

    def steps(self) -> list[tuple[tuple[str, ...], str]]:
        """The inference steps as (premise titles, conclusion title); a later step also rests on
        the conclusion before it, as Argdown's default inference does."""
        steps: list[tuple[tuple[str, ...], str]] = []
        premises: list[str] = []
        for item in self.pcs:
            if item.role == "premise":
                premises.append(item.title)
                continue
            steps.append((tuple(premises), item.title))
            premises = [item.title]
        return steps


@dataclass(frozen=True)
class Relation:
    type: str  # support | attack | undercut | entails | contrary | contradictory
    source: str
    source_type: str  # equivalence-class | argument
    target: str
    target_type: str  # equivalence-class | argument | inference

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (self.type, self.source, self.source_type, self.target, self.target_type)

    @property
    def bucket(self) -> str:
        """The relation's kind with its ends, e.g. `support(argument->equivalence-class)`."""
        return f"{self.type}({self.source_type}->{self.target_type})"


@dataclass
class ArgdownMap:
    statements: dict[str, Statement] = field(default_factory=dict)
    arguments: dict[str, ArgdownArgument] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    front_matter: dict[str, Any] = field(default_factory=dict)
    made_by: dict[str, tuple[object, ...]] = field(default_factory=dict)
    """For a map made from crux: the structures and relations each crux argument became."""
    sections: int = 0
    tags: int = 0


def strip_tags(text: str) -> str:
    """The text without `#tags`, whitespace collapsed: how two statement texts are compared."""
    return " ".join(TAG_PATTERN.sub(" ", text).split())


def tag_text(tag: str) -> str:
    """A tag as Argdown writes it."""
    return f"#({tag})" if re.search(r"[\s#()\[\]<>{}]", tag) else f"#{tag}"
