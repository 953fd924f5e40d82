"""The one place that decides where every page and diagram lives and how pages link to each other.

Every link in the site is relative (``../claims/x.html``), so the output works from ``file://``, from
any static server and under any URL prefix. Paths are POSIX paths relative to the site root.
"""

from __future__ import annotations

import functools

KINDS = ("claim", "argument", "figure", "calculator", "source", "scenario")
"""Item kinds that have a page each, in the order the site lists them."""

FOLDERS = {kind: f"{kind}s" for kind in KINDS}

INDEX = "index.html"
MAP = "map.html"
PATTERNS = "patterns.html"
SENSITIVITY = "sensitivity.html"
MAP_DIAGRAM = "diagrams/map"
"""The whole map's standalone diagram, without the `.svg`/`.png` suffix."""

STATIC = "static"


def page_path(kind: str, item_id: str) -> str:
    """Where the page of one item lives, e.g. ``claims/margin_is_healthy.html``."""
    if kind not in FOLDERS:
        raise ValueError(f"no pages for kind {kind!r}")
    return f"{FOLDERS[kind]}/{item_id}.html"


def speaker_path(slug: str) -> str:
    """A speaker's "who said what" page, ``speakers/<slug>.html`` (see `engine.knowledge.voices`)."""
    return f"speakers/{slug}.html"


def diagram_path(item_id: str | None, suffix: str = "svg") -> str:
    """A standalone diagram: ``diagrams/map.svg`` for the whole map, ``diagrams/<id>.svg`` otherwise.

    Ids are snake_case, so ``map-claim`` can never collide with another id; it names the diagram
    of a claim whose id happens to be ``map``.
    """
    if item_id is None:
        return f"{MAP_DIAGRAM}.{suffix}"
    name = "map-claim" if item_id == "map" else item_id
    return f"diagrams/{name}.{suffix}"


def tornado_path(claim_id: str) -> str:
    """A claim's tornado chart, ``diagrams/tornado-<id>.svg`` (ids have no ``-``: no collisions)."""
    return f"diagrams/tornado-{claim_id}.svg"


def static_path(name: str) -> str:
    return f"{STATIC}/{name}"


def root_of(path: str) -> str:
    """The relative prefix from a page to the site root: ``""`` or ``"../"``."""
    depth = path.count("/")
    return "../" * depth


def relative(from_path: str, to_path: str, anchor: str | None = None) -> str:
    """A link from the page at `from_path` to `to_path` (both relative to the site root)."""
    if from_path == to_path and anchor:
        return f"#{anchor}"
    link = _relpath(to_path, from_path.rpartition("/")[0])
    return f"{link}#{anchor}" if anchor else link


@functools.lru_cache(maxsize=65536)
def _relpath(to_path: str, from_dir: str) -> str:
    """`posixpath.relpath` for site-relative paths, which never hold `.` or `..`.

    A build computes tens of thousands of links; relpath's abspath calls made them a tenth of it.
    """
    if not from_dir:
        return to_path
    source = from_dir.split("/")
    target = to_path.split("/")
    common = 0
    while common < min(len(source), len(target) - 1) and source[common] == target[common]:
        common += 1
    return "/".join([".."] * (len(source) - common) + target[common:])


def claim_anchor(claim_id: str) -> str:
    """The anchor of one claim's section on a page that lists many (the sensitivity page)."""
    return f"claim-{claim_id}"


def scenario_anchor(column_key: str) -> str:
    """The anchor of one scenario's (or lens's) explanation on a claim page."""
    return f"scenario-{column_key}"


_URL_SAFE = ":/?#[]@!$&()*+,;=%~"
"""Characters kept as they are in a base URL; the rest (quotes, `<`, spaces) are %-encoded."""


def checked_base_url(text: str) -> str:
    """A `--base-url` made safe for links: http(s) or a relative path, %-encoded, no trailing `/`.

    Raises ValueError (with a message for the author) for anything else: a `javascript:` or
    `data:` URL, a protocol-relative `//host`, or control characters, which browsers strip
    (`java\\tscript:` is `javascript:` to them).
    """
    import urllib.parse

    stripped = text.strip()
    if not stripped:
        return ""
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in stripped):
        raise ValueError(
            f"expected an http(s) URL or a relative path, found control characters in {stripped!r}"
        )
    parts = urllib.parse.urlsplit(stripped)
    if parts.scheme:
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            raise ValueError(
                f"expected an http(s) URL or a relative path, found a '{parts.scheme}:' URL"
            )
    elif parts.netloc or stripped.startswith(("//", "\\")):
        raise ValueError(
            f"expected an http(s) URL or a relative path, found '{stripped}' (write https:{stripped})"
        )
    elif ":" in stripped.split("/", 1)[0]:
        raise ValueError(f"expected an http(s) URL or a relative path, found '{stripped}'")
    return urllib.parse.quote(stripped, safe=_URL_SAFE).rstrip("/")
