"""Reading a JSON file so that problems in it can be reported at `path:line:col`.

The standard `json` module parses fast but forgets where each value was. Positions matter only
when something is wrong, so a file is parsed once with the C parser, and only when its contents
turn out to be invalid is it parsed again with the pure-Python scanner, recording where each
object starts. Problems name the JSON path of the offending value (`("AIF", "edges", 3,
"toID")`); `Locator.location` turns the path into a line and column.
"""

from __future__ import annotations

import json
import json.decoder
import json.scanner
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.errors import CruxError, Location, Problem

MAX_BYTES = 64 * 1024 * 1024
"""The largest file read. AIFdb's and OVA's maps are kilobytes to a few megabytes; a bigger file
is refused before it is read rather than filling memory."""

JsonPath = tuple[str | int, ...]


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def read_json(path: Path, what: str) -> tuple[Any, str]:
    """The parsed contents and the text of `path`, or a `CruxError` at the position of the
    first syntax error. `what` names the expected content, e.g. "AIF JSON"."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise CruxError(
                [
                    Problem(
                        Location(str(path)),
                        f"expected {what} of at most {MAX_BYTES // 2**20} MiB, "
                        f"found {size / 2**20:.0f} MiB",
                    )
                ]
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise CruxError(
            [Problem(Location(str(path)), f"cannot read the file: {exc.strerror}")]
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, col = _line_col(raw[: exc.start].decode("utf-8", "replace"), exc.start)
        raise CruxError(
            [
                Problem(
                    Location(str(path), line, col),
                    f"expected {what} in UTF-8, found byte 0x{raw[exc.start]:02x}",
                )
            ]
        ) from None
    try:
        return json.loads(text), text
    except json.JSONDecodeError as exc:
        found = repr(text[exc.pos : exc.pos + 20]) if exc.pos < len(text) else "the end of the file"
        raise CruxError(
            [
                Problem(
                    Location(str(path), exc.lineno, exc.colno),
                    f"expected {what}, found invalid JSON ({exc.msg}) at {found}",
                )
            ]
        ) from None
    except RecursionError:
        raise CruxError(
            [Problem(Location(str(path)), f"expected {what}, found JSON nested too deeply to read")]
        ) from None


@dataclass
class Locator:
    """Turns JSON paths in one file's text into `Location`s (parsing again on first use)."""

    path: Path
    text: str
    _starts: dict[int, int] = field(default_factory=dict, repr=False)
    _tree: Any = field(default=None, repr=False)
    _parsed: bool = field(default=False, repr=False)

    def _parse(self) -> None:
        starts = self._starts
        # The pure-Python pieces of `json` (not in its type stubs) take hooks the C parser does not.
        json_object = getattr(json.decoder, "JSONObject")  # noqa: B009
        json_array = getattr(json.decoder, "JSONArray")  # noqa: B009

        def parse_object(s_and_end: tuple[str, int], *args: Any) -> tuple[Any, int]:
            result, end = json_object(s_and_end, *args)
            starts[id(result)] = s_and_end[1] - 1
            return result, end

        def parse_array(s_and_end: tuple[str, int], scan_once: Any) -> tuple[Any, int]:
            result, end = json_array(s_and_end, scan_once)
            starts[id(result)] = s_and_end[1] - 1
            return result, end

        decoder = json.JSONDecoder()
        setattr(decoder, "parse_object", parse_object)  # noqa: B010
        setattr(decoder, "parse_array", parse_array)  # noqa: B010
        setattr(decoder, "scan_once", getattr(json.scanner, "py_make_scanner")(decoder))  # noqa: B009, B010
        try:
            self._tree = decoder.decode(self.text)
        except (ValueError, RecursionError):
            self._tree = None
        self._parsed = True

    def location(self, json_path: Sequence[str | int]) -> Location:
        """Where the value at `json_path` is written: the object or array that holds it, and
        within an object the key, if it is there."""
        if not self._parsed:
            self._parse()
        node, offset = self._tree, self._starts.get(id(self._tree), 0)
        key_offset = None
        for step in json_path:
            try:
                child = node[step]
            except (KeyError, IndexError, TypeError):
                break
            if isinstance(step, str) and id(node) in self._starts:
                key_offset = self._key_offset(offset, step)
            elif isinstance(step, int) and isinstance(node, list):
                key_offset = self._element_offset(offset, step)
            if id(child) in self._starts:
                node, offset, key_offset = child, self._starts[id(child)], None
            else:
                node = child
                break
        line, col = _line_col(self.text, key_offset if key_offset is not None else offset)
        return Location(str(self.path), line, col)

    def _key_offset(self, start: int, key: str) -> int | None:
        # The key of a direct member: the first `"key"` after the object's brace. A nested
        # object could hold the same key earlier, so only keys before any nested brace count.
        quoted = json.dumps(key)
        at = self.text.find(quoted, start)
        nested = self.text.find("{", start + 1)
        return at if at >= 0 and (nested < 0 or at < nested) else None

    def _element_offset(self, start: int, index: int) -> int | None:
        """Where item `index` of the array opening at `start` begins (a scalar has no recorded
        start): step over the items before it."""
        decoder, at = json.JSONDecoder(), start + 1
        try:
            for _ in range(index + 1):
                while self.text[at] in " \t\r\n,":
                    at += 1
                if _ == index:
                    return at
                at = decoder.raw_decode(self.text, at)[1]
        except (ValueError, IndexError):
            return None
        return None

    def problem(self, json_path: Sequence[str | int], message: str) -> Problem:
        return Problem(self.location(json_path), message)


def describe(value: Any) -> str:
    """A found value, briefly, for an `expected X, found Y` message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        shown = value if len(value) <= 30 else value[:27] + "..."
        return f"the text {shown!r}" if value else "an empty text"
    return f"the number {value}"
