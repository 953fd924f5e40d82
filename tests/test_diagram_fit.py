"""`crux diagram` for writeups: fitted to a column, legible, with alt text and absolute links."""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from engine.cli import cli
from engine.site.diagram_fit import MIN_TEXT_PX
from tests.conftest import EXAMPLES

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = str(ROOT / "claims")
CENTRAL = "tokens_sold_at_loss"
CENTRAL_TEXT = "AI labs sell their tokens for less than the tokens cost them"
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"


def diagram(*args: str) -> Result:
    result = CliRunner().invoke(cli, ["diagram", *args])
    assert result.exit_code == 0, result.output
    return result


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def aspect(width: float, height: float) -> float:
    return max(width / height, height / width)


def smallest_text_px(svg_text: str) -> float:
    """The smallest text in the image at 1×: each font size times the scales around it."""
    root = ET.fromstring(svg_text)
    width = float(root.get("width", "0"))
    view_width = float((root.get("viewBox") or "0 0 1 1").split()[2])
    smallest = float("inf")

    def visit(element: ET.Element, scale: float, size: float | None) -> None:
        nonlocal smallest
        transform = element.get("transform") or ""
        for factor in re.findall(r"scale\(([\d.]+)", transform):
            scale *= float(factor)
        if element.get("font-size"):
            size = float(element.get("font-size", "0"))
        if element.tag == f"{SVG}text" and (element.text or "").strip():
            assert size is not None, "text without a font size"
            smallest = min(smallest, size * scale)
        for child in element:
            visit(child, scale, size)

    visit(root, width / view_width, None)
    return smallest


def test_width_700_gives_a_legible_png_at_most_700_px_wide(tmp_path: Path) -> None:
    out = tmp_path / "x.png"
    diagram(CENTRAL, "--claims", CLAIMS, "--width", "700", "-o", str(out))
    width, height = png_size(out)
    assert width <= 700
    assert aspect(width, height) <= 2.0
    svg_out = tmp_path / "x.svg"
    diagram(CENTRAL, "--claims", CLAIMS, "--width", "700", "-o", str(svg_out))
    svg_text = svg_out.read_text(encoding="utf-8")
    root = ET.fromstring(svg_text)
    assert (int(root.get("width", "0")), int(root.get("height", "0"))) == (width, height)
    assert smallest_text_px(svg_text) >= MIN_TEXT_PX


def test_scale_2_doubles_the_pixels_not_the_layout(tmp_path: Path) -> None:
    one, two = tmp_path / "one.png", tmp_path / "two.png"
    diagram(CENTRAL, "--claims", CLAIMS, "--width", "700", "-o", str(one))
    result = diagram(CENTRAL, "--claims", CLAIMS, "--width", "700", "--scale", "2", "-o", str(two))
    (w1, h1), (w2, h2) = png_size(one), png_size(two)
    assert w2 <= 1400 and aspect(w2, h2) <= 2.0
    assert abs(w2 - 2 * w1) <= 1 and abs(h2 - 2 * h1) <= 1
    assert "(2×; shown at" in result.stdout


def test_default_is_at_most_1400_px_wide_and_2_to_1(tmp_path: Path) -> None:
    out = tmp_path / "x.svg"
    diagram(CENTRAL, "--claims", CLAIMS, "-o", str(out))
    root = ET.fromstring(out.read_text(encoding="utf-8"))
    width, height = int(root.get("width", "0")), int(root.get("height", "0"))
    assert width <= 1400 and aspect(width, height) <= 2.0
    assert smallest_text_px(out.read_text(encoding="utf-8")) >= MIN_TEXT_PX


def test_a_column_too_narrow_says_so_and_suggests_depth(tmp_path: Path) -> None:
    result = diagram(CENTRAL, "--claims", CLAIMS, "--width", "300", "-o", str(tmp_path / "x.png"))
    assert "does not fit 300 px" in result.stderr
    assert "--depth 1" in result.stderr
    assert png_size(tmp_path / "x.png")[0] <= 300


@pytest.mark.parametrize("rankdir", ["TB", "LR"])
def test_rankdir_title_key_and_theme(tmp_path: Path, rankdir: str) -> None:
    out = tmp_path / "x.svg"
    diagram(
        CENTRAL, "--claims", CLAIMS, "--rankdir", rankdir, "--title", "Costs & tokens",
        "--theme", "dark", "-o", str(out),
    )  # fmt: skip
    svg_text = out.read_text(encoding="utf-8")
    assert ">Costs &amp; tokens</text>" in svg_text
    assert 'fill="#111827"' in svg_text  # the dark background
    assert 'class="key"' in svg_text
    dot = tmp_path / "x.dot"
    diagram(CENTRAL, "--claims", CLAIMS, "--rankdir", rankdir, "-o", str(dot))
    assert f"rankdir={rankdir}" in dot.read_text(encoding="utf-8")
    diagram(CENTRAL, "--claims", CLAIMS, "--no-key", "-o", str(out))
    assert 'class="key"' not in out.read_text(encoding="utf-8")


def test_the_key_shows_only_what_the_diagram_holds(tmp_path: Path) -> None:
    out = tmp_path / "x.svg"
    diagram(
        "stand_sells_at_loss",
        "--claims",
        str(EXAMPLES / "lemonade"),
        "--depth",
        "1",
        "-o",
        str(out),
    )
    root = ET.fromstring(out.read_text(encoding="utf-8"))
    key = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "key")
    words = [t.text for t in key.iter(f"{SVG}text")]
    # A claim decided by numbers, with its calculators and figures: no argument, nothing undecided.
    assert "claim" in words and "calculator" in words
    assert "argument" not in words and "? undecided" not in words


def test_shorthand_arguments_are_named_by_their_premise(tmp_path: Path) -> None:
    out = tmp_path / "x.dot"
    diagram("stand_is_thriving", "--claims", str(EXAMPLES / "lemonade"), "-o", str(out))
    assert "label=\"for: More than half of\\neach cup's price is margin" in out.read_text(
        encoding="utf-8"
    )


def test_alt_text_is_the_claims_text_and_label(tmp_path: Path) -> None:
    out = tmp_path / "x.svg"
    result = diagram(CENTRAL, "--claims", CLAIMS, "--width", "700", "-o", str(out))
    root = ET.fromstring(out.read_text(encoding="utf-8"))
    title = root.find(f"{SVG}title")
    assert title is not None and CENTRAL_TEXT in (title.text or "")
    assert CENTRAL_TEXT in root.get("aria-label", "")
    markdown = next(line for line in result.stdout.splitlines() if line.startswith("Markdown:"))
    html = next(line for line in result.stdout.splitlines() if line.startswith("HTML:"))
    assert f"![Argument map of the claim “{CENTRAL_TEXT}”: ✘ fails" in markdown
    assert re.search(rf'alt="[^"]*{CENTRAL_TEXT}[^"]*fails', html)
    width, height = root.get("width"), root.get("height")
    assert f'width="{width}" height="{height}"' in html
    # Without a published site the snippet says its path is relative and the image has no links.
    assert "no --base-url" in result.stdout
    assert "href" not in out.read_text(encoding="utf-8")


def test_base_url_makes_every_link_absolute(tmp_path: Path) -> None:
    base = "https://example.org/site/"
    out = tmp_path / "x.svg"
    result = diagram(CENTRAL, "--claims", CLAIMS, "--base-url", base, "-o", str(out))
    svg_text = out.read_text(encoding="utf-8")
    links = re.findall(r'(?:xlink:)?href="([^"]*)"', svg_text)
    assert links and all(link.startswith(base) for link in links)
    snippet_links = re.findall(r'(?:href|src)="([^"]*)"|\]\(([^)]*)\)', result.stdout)
    urls = [a or b for a, b in snippet_links]
    assert len(urls) >= 4 and all(url.startswith(base) for url in urls), urls
    assert "no --base-url" not in result.stdout


def test_site_snippets_carry_alt_text_size_and_absolute_urls(tmp_path: Path) -> None:
    from tests.site_helpers import build, read_page

    base = "https://example.org/site/"
    site = build(EXAMPLES / "lemonade", tmp_path / "site", base_url=base)
    page = read_page(site / "claims" / "stand_is_thriving.html")
    markdown = page.find("textarea", id="embed-markdown")[0].text
    html = page.find("textarea", id="embed-html")[0].text
    assert "The stand is a good little business" in markdown and "holds" in markdown
    assert re.search(r'alt="[^"]*The stand is a good little business[^"]*holds', html)
    assert re.search(r'width="\d+" height="\d+"', html)
    urls = re.findall(r'(?:href|src)="([^"]*)"|\]\(([^)]*)\)', markdown + html)
    assert urls and all((a or b).startswith(base) for a, b in urls)
    svg_path = re.search(r'src="([^"]*)"', html)
    assert svg_path is not None
    standalone = (site / svg_path.group(1).removeprefix(base)).read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]*)"', standalone)
    assert links and all(link.startswith(base) for link in links), links[:3]


def test_a_crowded_level_is_staggered_over_rows() -> None:
    import networkx as nx

    from engine.site.diagram import staggered_lengths

    # Nine reasons for one claim, at most four side by side: three rows of three.
    star = nx.DiGraph([(f"r{i}", "claim") for i in range(9)])
    lengths = staggered_lengths(star, 4)
    assert sorted(lengths.values()) == [1, 1, 1, 2, 2, 2, 3, 3, 3]
    # Five arguments take rows 1 and 2; a premise of one of them goes below both, on row 3.
    chain = nx.DiGraph([("p", "a0"), *[(f"a{i}", "claim") for i in range(5)]])
    lengths = staggered_lengths(chain, 4)
    assert sorted(lengths[f"a{i}", "claim"] for i in range(5)) == [1, 1, 1, 2, 2]
    assert lengths["p", "a0"] + lengths["a0", "claim"] == 3
    # A cycle has no levels: Graphviz keeps its own ranks.
    assert staggered_lengths(nx.DiGraph([("a", "b"), ("b", "a")]), 2) == {}


def test_an_unchanged_map_is_drawn_again_without_graphviz(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine.site import graphviz_render

    first = tmp_path / "first.svg"
    diagram(CENTRAL, "--claims", CLAIMS, "-o", str(first))

    def no_graphviz(self: object, dots: object) -> list[str]:
        raise AssertionError("Graphviz started for a map whose layouts are cached")

    monkeypatch.setattr(graphviz_render.WasmDot, "render_many", no_graphviz)
    monkeypatch.setattr(graphviz_render.SystemDot, "render_many", no_graphviz)
    again = tmp_path / "again.svg"
    diagram(CENTRAL, "--claims", CLAIMS, "-o", str(again))
    assert again.read_bytes() == first.read_bytes()
