"""Diagram links rebased for root pages and `--base-url`: link targets only, every other byte kept."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from engine.site.svg_links import rebase_links
from tests.conftest import EXAMPLES
from tests.site_helpers import build, read_page

XLINK = "{http://www.w3.org/1999/xlink}href"

SVG = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!-- <a xlink:href="../in_a_comment.html"> -->
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">
<g id="node1" class="node"><title>a_claim</title>
<g id="a_node1"><a xlink:href="../claims/a_claim.html" xlink:title="says xlink:href=&quot;../x&quot;" target="_top">
<text x="1" y="2">He wrote xlink:href="../x" and href='../y' — ünïcode</text>
</a></g></g>
<a href='../claims/other.html' target="_top"><text>other</text></a>
<a xlink:href="https://example.org/../elsewhere"><text>outside</text></a>
</svg>
"""


def test_only_the_links_of_a_elements_change() -> None:
    rebased = rebase_links(SVG, "../", "https://host/site/")
    expected = SVG.replace(
        '<a xlink:href="../claims/a_claim.html"',
        '<a xlink:href="https://host/site/claims/a_claim.html"',
    ).replace("<a href='../claims/other.html'", "<a href='https://host/site/claims/other.html'")
    assert rebased == expected
    # What the old `str.replace('href="../', ...)` over the whole text got wrong:
    assert 'He wrote xlink:href="../x"' in rebased
    assert '<!-- <a xlink:href="../in_a_comment.html"> -->' in rebased


def test_links_for_a_page_at_the_root_and_escaped_base_urls() -> None:
    root = rebase_links(SVG, "../", "")
    assert '<a xlink:href="claims/a_claim.html"' in root and "<a href='claims/other.html'" in root
    assert 'He wrote xlink:href="../x"' in root
    query = rebase_links(SVG, "../", "https://host/?a=1&b=2/")
    links = [
        a.get(XLINK) or a.get("href")
        for a in ET.fromstring(query.split("\n", 2)[2]).iter("{http://www.w3.org/2000/svg}a")
    ]
    assert links[:2] == [
        "https://host/?a=1&b=2/claims/a_claim.html",
        "https://host/?a=1&b=2/claims/other.html",
    ]
    assert rebase_links(SVG, "../", "../") == SVG


def test_the_shipped_map_s_diagrams_rebase_as_before(shipped_site_once: Path) -> None:
    """Graphviz never writes `href="../` outside a link, so for real drawings the result is
    byte for byte what the former whole-text replacement gave."""
    svgs = sorted((shipped_site_once / "diagrams").glob("*.svg"))
    drawings = [p.read_text(encoding="utf-8") for p in svgs if not p.name.startswith("tornado-")]
    assert len(drawings) > 10
    for svg in drawings:
        base = "https://example.org/debate/"
        assert rebase_links(svg, "../", base) == svg.replace('href="../', f'href="{base}')
        assert rebase_links(svg, "../", "") == svg.replace('xlink:href="../', 'xlink:href="')


@pytest.fixture
def quoting_claims(tmp_path: Path) -> Path:
    """The lemonade example with a claim whose text quotes a link."""
    folder = tmp_path / "claims"
    shutil.copytree(EXAMPLES / "lemonade", folder)
    model = folder / "model.yaml"
    text = model.read_text(encoding="utf-8")
    quoted = '    text: \'The neighbour wrote <a href="../x">a loss</a>, and href="../y".\'\n'
    text = text.replace("    text: The lemonade stand sells each cup at a loss.\n", quoted, 1)
    model.write_text(text, encoding="utf-8")
    return folder


def test_a_claim_quoting_a_link_keeps_its_text_while_node_links_become_absolute(
    quoting_claims: Path, tmp_path: Path
) -> None:
    site = build(quoting_claims, tmp_path / "site", base_url="https://example.org/lemonade")
    svg = (site / "diagrams" / "stand_sells_at_loss.svg").read_text(encoding="utf-8")
    tree = ET.fromstring(re.sub(r"^<\?xml[^>]*>\s*(<!DOCTYPE[^>]*>\s*)?", "", svg))
    words = " ".join("".join(t.itertext()) for t in tree.iter("{http://www.w3.org/2000/svg}text"))
    assert 'href="../x"' in words and 'href="../y"' in words
    titles = [
        a.get("{http://www.w3.org/1999/xlink}title", "")
        for a in tree.iter("{http://www.w3.org/2000/svg}a")
    ]
    assert any('<a href="../x">a loss</a>, and href="../y"' in t for t in titles)
    links = [a.get(XLINK) for a in tree.iter("{http://www.w3.org/2000/svg}a") if a.get(XLINK)]
    assert links and all(link.startswith("https://example.org/lemonade/") for link in links)
    assert "https://example.org/lemonade/claims/stand_sells_at_loss.html" in links
    # The drawing inside the claim page keeps relative links.
    page = read_page(site / "claims" / "stand_sells_at_loss.html")
    inline = [
        e.attrs["xlink:href"] for e in page.elements if e.tag == "a" and "xlink:href" in e.attrs
    ]
    assert inline and all(link.startswith("../") for link in inline)
