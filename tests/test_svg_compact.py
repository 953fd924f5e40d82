"""The whole map's compact inline SVG: fewer bytes, the same drawing (the browser test
`test_the_compact_map_draws_what_graphviz_drew` compares the two in Chromium)."""

from __future__ import annotations

import re

from engine.site.svg_compact import compact_svg

ROUNDED = (
    '<g id="node&#45;a" class="node claim holds"><g id="a_node&#45;a"><a xlink:href="claims/a.html"'
    ' xlink:title="A">\n<path fill="#d7f0dd" stroke="#1c6e33" stroke-width="1.4" '
    'd="M2556,-837C2556,-837 2433,-837 2433,-837 2427,-837 2421,-831 2421,-825 2421,-825 '
    "2421,-773 2421,-773 2421,-767 2427,-761 2433,-761 2433,-761 2556,-761 2556,-761 2562,-761 "
    '2568,-767 2568,-773 2568,-773 2568,-825 2568,-825 2568,-831 2562,-837 2556,-837"/>\n'
    '<text text-anchor="middle" x="2494" y="-800" font-family="Helvetica,sans-serif" '
    'font-size="11.00">A &#45; b</text>\n</a>\n</g>\n</g>'
)
EDGE = (
    '<g id="edge1" class="edge pro"><path fill="none" stroke="#1c6e33" stroke-width="1.6" '
    'd="M2422.4,-943.2C2431,-950 2443,-958 2453,-965 2484,-984 2518,-1004 2549,-1019"/>\n'
    '<polygon fill="#1c6e33" stroke="#1c6e33" stroke-width="1.6" '
    'points="2547,-1023 2557,-1022 2551,-1014 2547,-1023"/>\n</g>'
)
ARGUMENT = (
    '<g id="node&#45;p_supports_c" class="node argument holds"><g id="a_node&#45;p_supports_c">'
    '<a xlink:href="arguments/p_supports_c.html"><ellipse fill="#d7f0dd" stroke="#1c6e33" '
    'stroke-width="1.4" cx="2395" cy="-920" rx="48" ry="26"/></a></g></g>'
)


def svg(*parts: str) -> str:
    return (
        '<svg width="10pt" height="10pt" viewBox="0 0 10 10" xmlns="http://www.w3.org/2000/svg" '
        'xmlns:xlink="http://www.w3.org/1999/xlink">\n' + "\n".join(parts) + "\n</svg>"
    )


def test_a_rounded_box_becomes_a_rect_with_the_same_outline() -> None:
    out = compact_svg(svg(ROUNDED))
    assert '<rect class="z0" x="2421" y="-837" width="147" height="76" rx="12"/>' in out
    assert "<path" not in out


def test_each_set_of_colours_is_written_once_as_a_class() -> None:
    out = compact_svg(svg(ROUNDED, ARGUMENT, EDGE))
    style = re.search(r"<style>(.*?)</style>", out)
    assert style is not None
    # the claim's box and the argument's ellipse share one class
    assert style.group(1).count("fill:#d7f0dd;stroke:#1c6e33;stroke-width:1.4") == 1
    assert '<ellipse class="z0"' in out and '<rect class="z0"' in out
    assert 'fill="' not in out and 'stroke="' not in out
    # scoped to the drawing: an inline SVG's <style> applies to the whole page
    assert all(rule.startswith("svg.compact-map .z") for rule in style.group(1).split("}")[:-1])
    assert out.startswith('<svg class="compact-map"')


def test_an_edge_curve_is_relative_and_ends_where_it_ended() -> None:
    out = compact_svg(svg(EDGE))
    d = re.search(r' d="M(-?\d+),(-?\d+)c([^"]*)"', out)
    assert d is not None
    x, y = int(d.group(1)), int(d.group(2))
    numbers = [int(n) for n in re.findall(r"-?\d+", d.group(3))]
    assert (x, y) == (2422, -943)
    ends = []
    for i in range(0, len(numbers), 6):
        x, y = x + numbers[i + 4], y + numbers[i + 5]
        ends.append((x, y))
    assert ends == [(2453, -965), (2549, -1019)]


def test_a_polygon_does_not_repeat_its_first_point() -> None:
    assert 'points="2547,-1023 2557,-1022 2551,-1014"' in compact_svg(svg(EDGE))


def test_links_hyphens_and_ids() -> None:
    out = compact_svg(svg(ROUNDED, ARGUMENT))
    assert '<g id="node-a" class="node claim holds"><a href="claims/a.html">' in out
    assert ">A - b</text>" in out
    # an argument node's id (its premise's and conclusion's) goes; its link names it
    assert '<g class="node argument holds"><a href="arguments/p_supports_c.html">' in out
    assert "xlink:" not in out.split(">", 1)[1] and "&#45;" not in out


def test_a_path_that_is_not_a_rounded_box_stays_a_path() -> None:
    bent = ROUNDED.replace("2421,-773 2421,-773", "2400,-773 2421,-773")
    assert "<path" in compact_svg(svg(bent))
