"""One YAML file as plain data with the position of every node, for `path:line:col` messages.

Kept apart from the reader (`engine.knowledge.yaml_source`) so that a knowledge base read back
from the model cache can locate its items without importing PyYAML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.errors import Location

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Directive:
    """A `# crux: ...` comment: where it is, and what follows `crux:`."""

    location: Location
    body: str
    target_line: int
    """The line it speaks about: its own, or for a comment alone on its line the next line that
    is neither blank nor a comment (so a reason may run over several comment lines)."""


@dataclass(frozen=True)
class ScalarSpan:
    """Where a scalar's text starts, and how it was quoted, so offsets inside it map to columns."""

    line: int
    col: int
    style: str | None


@dataclass
class SourceDocument:
    """One YAML file as data plus a position index keyed by the path to each node."""

    path: str
    data: Any
    value_at: dict[Path_, Location] = field(default_factory=dict)
    key_at: dict[Path_, Location] = field(default_factory=dict)
    scalar_at: dict[Path_, ScalarSpan] = field(default_factory=dict)
    directives: tuple[Directive, ...] = ()

    def locate(self, path: Path_, *, key: bool = False) -> Location:
        """The most precise location known for `path`, walking up to a parent if needed."""
        index = self.key_at if key else self.value_at
        probe = tuple(path)
        while probe:
            if probe in index:
                return index[probe]
            if probe in self.value_at:
                return self.value_at[probe]
            probe = probe[:-1]
        return self.value_at.get((), Location(self.path, 1, 1))

    def locate_in_scalar(self, path: Path_, offset: int, text: str) -> Location:
        """The location of character `offset` inside the scalar at `path` (e.g. a formula)."""
        span = self.scalar_at.get(tuple(path))
        if span is None:
            return self.locate(path)
        if span.style in (None, "", "'", '"') and "\n" not in text:
            quote = 1 if span.style in ("'", '"') else 0
            return Location(self.path, span.line, span.col + quote + offset)
        if span.style in ("|", ">"):
            # A block scalar starts on the line after its indicator; its lines keep their indent.
            before = text[:offset]
            line = span.line + 1 + before.count("\n")
            col_in_line = offset - (before.rfind("\n") + 1)
            return Location(self.path, line, span.col + 2 + col_in_line)
        return Location(self.path, span.line, span.col)
