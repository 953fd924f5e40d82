"""Smaller inline SVG for the whole map, so its page stays within the size budget.

Graphviz writes every text's font family, a `<title>` per node (the link's `xlink:title`
already gives the tooltip), `xml:space` on every text, ids on every link and edge, and
coordinates to two decimals. On a
large map that is a third of the page. The same drawing, to the nearest point, needs none of it.
"""

from __future__ import annotations

import re
from collections import Counter

_TITLE = re.compile(r"\n?<title>[^<]*</title>")
_SPACE = re.compile(r' xml:space="preserve"')
_HOISTED = ("font-family", "font-size", "text-anchor")
_LINK_ID = re.compile(r' id="a_[^"]*"')
_EDGE_ID = re.compile(r'<g id="edge[^"]*" class="edge')
_GEOMETRY = re.compile(r' (d|points|x|y|cx|cy|rx|ry)="([^"]*)"')
_DECIMALS = re.compile(r"(\d+)\.\d+")
_TARGET = re.compile(r' target="_top"')
_ANY_TITLE = re.compile(r' xlink:title="[^"]*"')
_EDGE_FILL = re.compile(r'(<g class="edge[^"]*">(?:<g>)?(?:<a>)?<path) fill="none"')
_BARE_LINK = re.compile(r"<a>((?:(?!</a>).)*)</a>", re.S)


def compact_svg(svg: str) -> str:
    """The same drawing with fewer bytes: see the module docstring."""
    text = _TITLE.sub("", svg)
    # The map page is the top frame already, and its tooltips repeat the words drawn in each
    # node or the page the node links to: together a tenth of a large map's bytes. The
    # standalone SVG files keep them.
    text = _TARGET.sub("", text)
    text = _ANY_TITLE.sub("", text)
    text = _SPACE.sub("", text)
    text = _LINK_ID.sub("", text)
    # Edge ids (`edge-a--b`, for the standalone files) are a tenth of a large map's bytes.
    text = _EDGE_ID.sub('<g class="edge', text)
    for name in _HOISTED:
        values = Counter(re.findall(f' {name}="([^"]*)"', text))
        if not values:
            continue
        common, _ = values.most_common(1)[0]
        # A presentation attribute on the root is inherited by every element that has none.
        text = text.replace(f' {name}="{common}"', "")
        text = text.replace("<svg ", f'<svg {name}="{common}" ', 1)
    # A link left with no target or tooltip (edges, the background) is no link at all.
    text = _BARE_LINK.sub(r"\1", text)
    # One element per line is for people reading the file; the browser needs no line breaks.
    text = text.replace(">\n<", "><")
    # An edge's line is never filled; the site's stylesheet says so once (crux.css).
    text = _EDGE_FILL.sub(r"\1", text)
    return _GEOMETRY.sub(_round, text)


def _round(match: re.Match[str]) -> str:
    value = _DECIMALS.sub(_whole, match.group(2))
    return f' {match.group(1)}="{value}"'


def _whole(match: re.Match[str]) -> str:
    # Half a point at most: invisible at any zoom the map viewer allows.
    return str(round(float(match.group(0))))
