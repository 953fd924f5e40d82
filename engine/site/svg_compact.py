"""Smaller inline SVG for the whole map, so its page stays within the size budget.

Graphviz writes every text's font family, a `<title>` per node (the link's `xlink:title`
already gives the tooltip), `xml:space` on every text, ids on every link and edge, and
coordinates to two decimals. On a
large map that is a third of the page. The same drawing, to the nearest point, needs none of it.

It also writes the same colours on every shape (`fill="#d7f0dd" stroke="#1c6e33"
stroke-width="1.4"`, a fifth of the map) and a rounded box as a 25-point path: the compact
drawing names each set of colours once in a `<style>` and uses a class, and draws a rounded box
as a `<rect>`. Browsers render both the same.
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
_WRAPPED_LINK = re.compile(r"<g>(<a [^>]*>(?:(?!</a>).)*</a>)</g>", re.S)
_SHAPE_PAINT = re.compile(
    r"<(path|polygon|polyline|ellipse|rect)((?: (?:fill|stroke|stroke-width|stroke-dasharray)"
    r'="[^"]*")+)'
)
_PAINT = re.compile(r' ([a-z-]+)="([^"]*)"')
_PATH = re.compile(r'<path([^>]*?) d="M([^"]*)"/>')
_POINT = re.compile(r"(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)")
_CUBIC_PATH = re.compile(r' d="M(-?\d+,-?\d+)C((?:-?\d+,-?\d+ ?)+)"')
_CLOSED_POLYGON = re.compile(r'<polygon([^>]*?) points="(-?\d+,-?\d+) ((?:-?\d+,-?\d+ )+)\2"')
# An argument node's id repeats its premise's and conclusion's ids; its link names it already.
_ARGUMENT_NODE_ID = re.compile(r'<g id="node-[^"]*" (class="node argument[^"]*"><a href=")')
# Graphviz's rounded box: a start point and eight cubic segments, all on the box's outline.
_ROUNDED_BOX_POINTS = 25
# Classes the compact drawing gives its sets of colours; short, and used by nothing else.
_PAINT_CLASS = "z"


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
    text = _GEOMETRY.sub(_round, text)
    text = _PATH.sub(_rounded_box, text)
    text = _CUBIC_PATH.sub(_relative_curve, text)
    # An id's or a label's hyphen needs no escape outside a comment (Graphviz writes none).
    text = text.replace("&#45;", "-")
    # SVG 2 links: every browser the site supports reads a plain href.
    text = text.replace(" xlink:href=", " href=")
    text = _WRAPPED_LINK.sub(r"\1", text)
    text = _ARGUMENT_NODE_ID.sub(r"<g \1", text)
    # A polygon closes itself: Graphviz's repeated first point is drawn over itself.
    text = _CLOSED_POLYGON.sub(
        lambda m: f'<polygon{m.group(1)} points="{m.group(2)} {m.group(3).rstrip()}"', text
    )
    return _paint_classes(text)


def _rounded_box(match: re.Match[str]) -> str:
    """A rounded box's path as a `<rect>`; any other path as it was."""
    points = [(float(x), float(y)) for x, y in _POINT.findall(match.group(2))]
    if len(points) != _ROUNDED_BOX_POINTS or points[0] != points[-1]:
        return match.group(0)
    xs, ys = [x for x, _ in points], [y for _, y in points]
    left, right, top, bottom = min(xs), max(xs), min(ys), max(ys)
    on_outline = all(x in (left, right) or y in (top, bottom) for x, y in points)
    start_x = points[0][0]
    radius = min(start_x - left, right - start_x)
    if not on_outline or not 0 < radius <= min(right - left, bottom - top) / 2:
        return match.group(0)
    box = f'x="{left:g}" y="{top:g}" width="{right - left:g}" height="{bottom - top:g}"'
    return f'<rect{match.group(1)} {box} rx="{radius:g}"/>'


def _relative_curve(match: re.Match[str]) -> str:
    """An edge's curve with each segment's points relative to where the segment starts.

    Small numbers, and a minus sign needs no separator before it: about a third fewer bytes.
    """
    start = [int(v) for v in match.group(1).split(",")]
    points = [[int(v) for v in pair.split(",")] for pair in match.group(2).split()]
    if len(points) % 3:
        return match.group(0)
    numbers: list[int] = []
    x, y = start
    for index in range(0, len(points), 3):
        segment = points[index : index + 3]
        numbers += [v - origin for px, py in segment for v, origin in ((px, x), (py, y))]
        x, y = segment[-1]
    written = "".join(("" if i == 0 or n < 0 else ",") + str(n) for i, n in enumerate(numbers))
    return f' d="M{match.group(1)}c{written}"'


def _paint_classes(svg: str) -> str:
    """Each shape's colours as a class, each set of colours written once in a `<style>`."""
    combos: dict[str, str] = {}

    def classed(match: re.Match[str]) -> str:
        name = combos.setdefault(match.group(2), f"{_PAINT_CLASS}{len(combos)}")
        return f'<{match.group(1)} class="{name}"'

    text = _SHAPE_PAINT.sub(classed, svg)
    if not combos:
        return svg
    rules = "".join(
        f".{name}{{{';'.join(f'{k}:{v}' for k, v in _PAINT.findall(paint))}}}"
        for paint, name in combos.items()
    )
    # Inline SVG's <style> applies to the whole page: every rule is scoped to this drawing.
    scope = "svg.compact-map "
    rules = rules.replace("}.", "}" + scope + ".")
    head = text.index(">", text.index("<svg")) + 1
    opened = text[:head].replace("<svg ", '<svg class="compact-map" ', 1)
    return f"{opened}<style>{scope}{rules}</style>{text[head:]}"


def _round(match: re.Match[str]) -> str:
    value = _DECIMALS.sub(_whole, match.group(2))
    return f' {match.group(1)}="{value}"'


def _whole(match: re.Match[str]) -> str:
    # Half a point at most: invisible at any zoom the map viewer allows.
    return str(round(float(match.group(0))))
