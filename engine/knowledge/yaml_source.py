"""Read YAML into plain Python while remembering where every key and value came from.

PyYAML follows YAML 1.1, where `no`, `on` and `yes` are booleans and `2026-03-01` is a date; an
author writing `speaker: no` or `as_of: 2026-03` means a string. We resolve only YAML 1.2's
`true`/`false` as booleans and keep dates as strings. Duplicate keys, which PyYAML silently
overwrites, are errors here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from engine.errors import Location, Problem

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_BOOL_TAG = "tag:yaml.org,2002:bool"
_DROPPED_TAGS = {_BOOL_TAG, "tag:yaml.org,2002:timestamp"}


class _Loader(_BaseLoader):
    """A safe loader with YAML 1.2 booleans and no implicit dates."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _DROPPED_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
# YAML 1.2 floats: `342e9` is a number (YAML 1.1 needed a dot). Integers keep matching first.
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$"),
    list("-+.0123456789"),
)
_Loader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)

Path_ = tuple[str | int, ...]

# PyYAML drops comments, so `# crux: ...` directives are found by scanning lines. YAML starts a
# comment only at a line's start or after whitespace, which keeps `url: https://x/page#crux:`
# out; a directive inside a quoted string is the one case this cannot tell apart.
_DIRECTIVE = re.compile(r"(?:^|\s)#\s*crux:\s*(?P<body>.*?)\s*$")


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
        if span.style in (None, "'", '"') and "\n" not in text:
            quote = 1 if span.style in ("'", '"') else 0
            return Location(self.path, span.line, span.col + quote + offset)
        if span.style in ("|", ">"):
            # A block scalar starts on the line after its indicator; its lines keep their indent.
            before = text[:offset]
            line = span.line + 1 + before.count("\n")
            col_in_line = offset - (before.rfind("\n") + 1)
            return Location(self.path, line, span.col + 2 + col_in_line)
        return Location(self.path, span.line, span.col)


class YamlProblems(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(map(str, problems)))


def _loc(path: str, mark: Any) -> Location:
    return Location(path, mark.line + 1, mark.column + 1)


def read_yaml(text: str, path: str) -> SourceDocument:
    """Parse YAML text; raise YamlProblems with `path:line:col` locations on any error."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = _loc(path, mark) if mark is not None else Location(path, 1, 1)
        what = " ".join(part for part in (exc.context, exc.problem) if part)
        raise YamlProblems([Problem(where, f"YAML syntax: {what}")]) from None
    except yaml.YAMLError as exc:
        raise YamlProblems([Problem(Location(path, 1, 1), f"YAML syntax: {exc}")]) from None
    finally:
        loader.dispose()
    doc = SourceDocument(path=path, data=None, directives=find_directives(text, path))
    if node is None:
        doc.data = {}
        return doc
    problems: list[Problem] = []
    doc.data = _convert(node, (), doc, loader, problems)
    if problems:
        raise YamlProblems(problems)
    return doc


def find_directives(text: str, path: str) -> tuple[Directive, ...]:
    """Every `# crux: ...` comment in `text`, in order."""
    lines = text.splitlines()
    found = []
    for index, line in enumerate(lines):
        match = _DIRECTIVE.search(line)
        if match is None:
            continue
        col = line.index("#", match.start()) + 1
        target = index
        if not line[: col - 1].strip():
            target += 1
            while target < len(lines) and lines[target].strip()[:1] in ("", "#"):
                target += 1
        found.append(Directive(Location(path, index + 1, col), match["body"], target + 1))
    return tuple(found)


def _convert(
    node: Any, at: Path_, doc: SourceDocument, loader: Any, problems: list[Problem]
) -> Any:
    doc.value_at[at] = _loc(doc.path, node.start_mark)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        first_seen: dict[Any, Location] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(
                    Problem(
                        _loc(doc.path, key_node.start_mark),
                        "expected a plain key, found a collection",
                    )
                )
                continue
            key = loader.construct_object(key_node)
            key = str(key) if not isinstance(key, str) else key
            key_loc = _loc(doc.path, key_node.start_mark)
            if key in first_seen:
                problems.append(
                    Problem(key_loc, f"duplicate key '{key}' (first defined at {first_seen[key]})")
                )
                continue
            first_seen[key] = key_loc
            doc.key_at[(*at, key)] = key_loc
            result[key] = _convert(value_node, (*at, key), doc, loader, problems)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, (*at, i), doc, loader, problems) for i, item in enumerate(node.value)
        ]
    doc.scalar_at[at] = ScalarSpan(node.start_mark.line + 1, node.start_mark.column + 1, node.style)
    return loader.construct_object(node)
