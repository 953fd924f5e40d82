"""Rebase the node links of a Graphviz SVG, changing no other byte.

Diagram nodes link to their pages relative to a folder one level down (`../claims/x.html`, see
`site_plan.link_from_subfolder`). A page at the site root shows them with `claims/x.html`, and a
standalone SVG published with `--base-url` with `https://host/site/claims/x.html`. Only the
`href` and `xlink:href` values of `<a>` start tags change: the same characters elsewhere (a
tooltip or a label quoting `href="../`) stay as they are. The SVG is not re-serialised (an XML
round trip would reorder attributes and re-escape text); expat finds where each `<a` tag starts,
and the attributes of that one tag are rewritten in place.
"""

from __future__ import annotations

import re
from xml.parsers import expat

_ATTRIBUTE = re.compile(rb"""(\s+)([^\s=/>]+)(\s*=\s*)("[^"]*"|'[^']*')""")
"""One attribute of a start tag; an XML attribute value never holds its own quote character."""
_LINKS = (b"href", b"xlink:href")


def rebase_links(svg: str, old: str, new: str) -> str:
    """`svg` with every `<a>` link that starts with `old` starting with `new` instead.

    `new` is written into XML attribute values, so it is escaped (`&` as `&amp;`, quotes).
    """
    if old == new:
        return svg
    data = svg.encode("utf-8")
    old_raw = _escape(old).encode("utf-8")
    new_raw = _escape(new).encode("utf-8")
    pieces: list[bytes] = []
    done = 0
    for start in _link_tag_starts(data):
        end = start + 2  # past `<a`
        pieces.append(data[done:end])
        while (match := _ATTRIBUTE.match(data, end)) is not None:
            space, name, equals, quoted = match.groups()
            value = quoted[1:-1]
            if name in _LINKS and value.startswith(old_raw):
                quote = quoted[:1]
                quoted = quote + new_raw + value[len(old_raw) :] + quote
            pieces.append(space + name + equals + quoted)
            end = match.end()
        done = end
    pieces.append(data[done:])
    return b"".join(pieces).decode("utf-8")


def _link_tag_starts(data: bytes) -> list[int]:
    """Byte offsets of the `<a` of every `<a>` start tag (never text, comments or CDATA)."""
    parser = expat.ParserCreate()
    starts: list[int] = []

    def start(name: str, attributes: dict[str, str]) -> None:
        if name == "a":
            starts.append(parser.CurrentByteIndex)

    parser.StartElementHandler = start
    parser.Parse(data, True)
    return starts


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace('"', "&quot;")
        .replace("'", "&apos;")
    )


__all__ = ["rebase_links"]
