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


def compact_svg(svg: str) -> str:
    """The same drawing with fewer bytes: see the module docstring."""
    text = _TITLE.sub("", svg)
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
    return _GEOMETRY.sub(_round, text)


def _round(match: re.Match[str]) -> str:
    value = _DECIMALS.sub(_whole, match.group(2))
    return f' {match.group(1)}="{value}"'


def _whole(match: re.Match[str]) -> str:
    # Half a point at most: invisible at any zoom the map viewer allows.
    return str(round(float(match.group(0))))
