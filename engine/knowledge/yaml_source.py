"""Read YAML into plain Python while remembering where every key and value came from.

PyYAML follows YAML 1.1, where `no`, `on` and `yes` are booleans and `2026-03-01` is a date; an
author writing `speaker: no` or `as_of: 2026-03` means a string. We resolve only YAML 1.2's
`true`/`false` as booleans and keep dates as strings. Duplicate keys, which PyYAML silently
overwrites, are errors here.

Maps are shared and built in CI from other people's pull requests, so the reader refuses what the
data model never needs and an attacker could use: anchors and aliases (a few hundred bytes of
nested aliases expand to gigabytes), `<<` merge keys, explicit tags (`!!python/...`, `!!binary`,
`!!float abc`) and nesting deeper than `MAX_DEPTH`. Each is reported at `path:line:col` before
anything is built.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from engine.errors import Location, Problem
from engine.knowledge.source_document import Directive, Path_, ScalarSpan, SourceDocument

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

MAX_DEPTH = 32
"""Deepest nesting of maps and lists accepted; the data model needs six."""
_MERGE_TAG = "tag:yaml.org,2002:merge"
_INT_TAG = "tag:yaml.org,2002:int"

# PyYAML drops comments, so `# crux: ...` directives are found by scanning lines. YAML starts a
# comment only at a line's start or after whitespace, which keeps `url: https://x/page#crux:`
# out; a directive inside a quoted string is the one case this cannot tell apart.
_DIRECTIVE = re.compile(r"(?:^|\s)#\s*crux:\s*(?P<body>.*?)\s*$")


class YamlProblems(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(map(str, problems)))


def _loc(path: str, mark: Any) -> Location:
    return Location(path, mark.line + 1, mark.column + 1)


def _syntax_problem(exc: yaml.YAMLError, path: str) -> YamlProblems:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        where = _loc(path, mark) if mark is not None else Location(path, 1, 1)
        what = " ".join(part for part in (exc.context, exc.problem) if part)
        return YamlProblems([Problem(where, f"YAML syntax: {what}")])
    return YamlProblems([Problem(Location(path, 1, 1), f"YAML syntax: {exc}")])


def _refused_features(text: str, path: str) -> list[Problem]:
    """Anchors, aliases, explicit tags and over-deep nesting, found from the event stream.

    Events are read without building anything, so a billion-laughs file costs its own size.
    The first anchor and the first alias of a file are reported, with a count of the others.
    """
    problems: list[Problem] = []
    first: dict[str, Problem] = {}
    counts: dict[str, int] = {"anchor": 0, "alias": 0}
    depth = 0
    loader = _Loader(text)
    try:
        while (event := loader.get_event()) is not None:
            if isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            if not isinstance(event, yaml.NodeEvent):
                continue
            where = _loc(path, event.start_mark)
            if isinstance(event, yaml.AliasEvent):
                counts["alias"] += 1
                first.setdefault("alias", Problem(where, f"YAML alias '*{event.anchor}'"))
                continue
            if event.anchor is not None:
                counts["anchor"] += 1
                first.setdefault("anchor", Problem(where, f"YAML anchor '&{event.anchor}'"))
            tag = getattr(event, "tag", None)
            if tag is not None:
                problems.append(
                    Problem(
                        where,
                        f"YAML tag '{tag}': expected a plain value, found an explicit tag "
                        "(tags are not supported)",
                    )
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    problems.append(
                        Problem(
                            where,
                            f"expected at most {MAX_DEPTH} levels of nested maps and lists, "
                            "found more",
                        )
                    )
                    break
    except yaml.YAMLError as exc:
        raise _syntax_problem(exc, path) from None
    finally:
        loader.dispose()
    for kind, problem in first.items():
        others = counts[kind] - 1
        more = f"; {others} more in this file" if others else ""
        problems.append(
            Problem(
                problem.location,
                f"{problem.message}: expected the value written out, found an {kind} "
                f"(anchors and aliases are not supported{more})",
            )
        )
    return problems


def read_yaml(text: str, path: str) -> SourceDocument:
    """Parse YAML text; raise YamlProblems with `path:line:col` locations on any error."""
    refused = _refused_features(text, path)
    if refused:
        raise YamlProblems(refused)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as exc:
        raise _syntax_problem(exc, path) from None
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
            if key_node.tag == _MERGE_TAG:
                problems.append(
                    Problem(
                        _loc(doc.path, key_node.start_mark),
                        "YAML merge key '<<': expected the keys written out, found a merge "
                        "(merge keys are not supported)",
                    )
                )
                continue
            key = _construct_scalar(key_node, doc.path, loader, problems)
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
    return _construct_scalar(node, doc.path, loader, problems)


def _construct_scalar(node: Any, path: str, loader: Any, problems: list[Problem]) -> Any:
    """The scalar's value; a number Python refuses to read (5,000 digits, `0b_`) is a problem."""
    try:
        return loader.construct_object(node)
    except (ValueError, OverflowError, yaml.YAMLError):
        digits = sum(ch.isdigit() for ch in node.value)
        found = f"{digits} digits" if digits > 60 else repr(node.value)
        kind = "an integer" if node.tag == _INT_TAG else "a value"
        problems.append(
            Problem(
                _loc(path, node.start_mark),
                f"expected a finite number, found {kind} that cannot be read ({found})",
            )
        )
        return None
