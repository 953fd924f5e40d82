"""The uncertainty pictures in a real Chromium: figure pages' chance curves, the panel's
histograms, and labels that stay readable and apart.

The browser draws the curves as Python does (the same SVG from the same numbers), redraws a
figure page's curves and the panel's histograms after an edit, and puts close thresholds' labels
where they do not overlap (measured bounding boxes) in text no smaller than 11 CSS pixels on a
375-pixel screen.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.knowledge.loader import load_knowledge_base
from tests.browser import requires_chromium

EXAMPLES = Path(__file__).parent / "examples"
pytestmark = [pytest.mark.browser, requires_chromium]

DONE = "() => !document.querySelector('.chance-updating') && document.querySelector('.chance-status').textContent.startsWith('P(holds) from')"
CURVE_DONE = "() => document.querySelector('figure.chance-curve[data-curve-live]:not(.chance-updating)') !== null"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from engine.site.build import build_site

    target = tmp_path_factory.mktemp("pictures-lemonade") / "site"
    build_site(load_knowledge_base(EXAMPLES / "lemonade"), target, jobs=1)
    return target


class Tab:
    def __init__(self, browser: Any, width: int) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, site: Path, page: str) -> Any:
        self.page.goto((site / page).as_uri())
        self.page.wait_for_selector(".whatif-ready", timeout=10_000)
        return self.page


@pytest.fixture
def tab(chromium_browser: Any) -> Any:
    opened = Tab(chromium_browser, 1280)
    yield opened
    opened.context.close()
    assert opened.errors == [], "console errors"


@pytest.fixture
def phone(chromium_browser: Any) -> Any:
    opened = Tab(chromium_browser, 375)
    yield opened
    opened.context.close()
    assert opened.errors == [], "console errors"


def test_browser_draws_the_builds_curve_from_the_same_numbers(site: Path, tab: Any) -> None:
    from engine.site.chance_curve_svg import Tip, curve_svg

    page = tab.open(site, "figures/cup_price.html")
    values = [0.5 + 0.1 * k for k in range(25)]
    series = [[min(1.0, k / 20) for k in range(25)], [max(0.0, 1 - k / 11) for k in range(25)]]
    tips = [(0, 1.7), (1, 1.55), (1, 9.0)]
    expected = curve_svg("cup_price", "USD", values, series, 2.35, [Tip(s, at) for s, at in tips])
    got = page.evaluate(
        "([v, s, t]) => CruxCurve.svg('cup_price', 'USD', v, s, 2.35, t)",
        [values, series, [list(t) for t in tips]],
    )
    assert got == expected
    # a name and unit too long for one line go on two, the same in both drawings
    long_id, long_unit = "heavy_user_serving_cost_usd_per_month", "USD/month"
    expected = curve_svg(long_id, long_unit, values, series[:1], 9.0, [])
    got = page.evaluate(
        "([id, unit, v, s]) => CruxCurve.svg(id, unit, v, s, 9.0, [])",
        [long_id, long_unit, values, series[:1]],
    )
    assert got == expected and ">(USD/month)</text>" in got
    hist = page.evaluate(
        "([id, unit]) => CruxHistogram.svg(id, unit, Float64Array.from([1, 2, 3, 4]), []).svg",
        [long_id, long_unit],
    )
    assert f">{long_id}</text>" in hist and ">(USD/month)</text>" in hist


def test_figure_page_curve_redraws_after_an_edit_and_reset_restores_it(
    site: Path, tab: Any
) -> None:
    page = tab.open(site, "figures/cup_price.html")
    built = page.inner_html("figure.chance-curve")
    lines = page.locator("figure.chance-curve polyline.curve-line")
    assert lines.count() >= 1
    before = [lines.nth(i).get_attribute("points") for i in range(lines.count())]
    page.fill("[name='range.cup_price.low']", "1")
    page.fill("[name='range.cup_price.high']", "6")
    page.wait_for_function(CURVE_DONE, timeout=20_000)
    after = [lines.nth(i).get_attribute("points") for i in range(lines.count())]
    assert after != before and len(after) == len(before)
    assert "in your browser" in page.inner_text("[data-curve-basis]")
    # the axis follows the reader's wider range
    ticks = page.locator("figure.chance-curve svg text").all_text_contents()
    assert any(t in ("5", "6") for t in ticks), ticks
    page.click("button[name='reset']")
    page.wait_for_function("() => !document.querySelector('figure.chance-curve[data-curve-live]')")
    assert page.inner_html("figure.chance-curve") == built


def _boxes(page: Any, selector: str) -> list[dict[str, float]]:
    boxes: list[dict[str, float]] = page.evaluate(
        """(sel) => Array.from(document.querySelectorAll(sel)).map((t) => {
             const b = t.getBoundingClientRect();
             return {x: b.x, y: b.y, w: b.width, h: b.height, text: t.textContent,
                     size: parseFloat(getComputedStyle(t).fontSize) * b.height / (b.height || 1),
                     scale: t.ownerSVGElement.getBoundingClientRect().width / t.ownerSVGElement.viewBox.baseVal.width};
           })""",
        selector,
    )
    return boxes


def _overlapping(boxes: list[dict[str, float]]) -> list[tuple[str, str]]:
    out = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if (
                a["x"] < b["x"] + b["w"]
                and b["x"] < a["x"] + a["w"]
                and a["y"] < b["y"] + b["h"]
                and b["y"] < a["y"] + a["h"]
            ):
                out.append((str(a["text"]), str(b["text"])))
    return out


def test_close_thresholds_labels_do_not_overlap_and_text_is_readable_on_a_phone(
    site: Path, phone: Any
) -> None:
    page = phone.open(site, "calculators/margin_per_cup.html")
    # thresholds at one value (two claims), a hair apart, and close together, both ways round
    page.evaluate(
        """() => {
          const values = Float64Array.from({length: 4000}, (_, i) => i / 400);
          const thresholds = [
            {claim: 'a', op: '>', value: 5}, {claim: 'b', op: '>', value: 5},
            {claim: 'c', op: '<', value: 5.05}, {claim: 'd', op: '>=', value: 5.3},
            {claim: 'e', op: '>', value: 0.2}, {claim: 'f', op: '<', value: 9.9},
          ];
          const node = document.querySelector('figure.histogram svg');
          const holder = document.createElement('div');
          holder.innerHTML = CruxHistogram.svg('margin_per_cup', 'dimensionless', values, thresholds).svg;
          node.replaceWith(holder.firstChild);
        }"""
    )
    labels = _boxes(
        page, "figure.histogram .hist-threshold text, figure.histogram .hist-quantiles text"
    )
    assert len(labels) == 2 * 5 + 3  # a and b share a label
    assert _overlapping(labels) == []
    svg = page.locator("figure.histogram svg").bounding_box()
    outside = [
        b
        for b in labels
        if not svg["x"] - 1 <= b["x"] <= b["x"] + b["w"] <= svg["x"] + svg["width"] + 1
    ]
    assert outside == [], (svg, [(b["text"], b["x"], b["w"]) for b in outside])
    everything = _boxes(page, "figure.histogram svg text")
    assert min(b["scale"] * 14 for b in everything) >= 11
    assert _overlapping(_boxes(page, "figure.histogram .hist-axis text")) == []


@pytest.mark.parametrize("path", ["calculators/margin_per_cup.html", "figures/cup_price.html"])
def test_chart_text_is_at_least_11_css_pixels_at_375(site: Path, phone: Any, path: str) -> None:
    page = phone.open(site, path)
    sizes = page.evaluate(
        """() => Array.from(document.querySelectorAll('figure svg text')).map((t) => {
             const svg = t.ownerSVGElement;
             const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
             return parseFloat(getComputedStyle(t).fontSize) * scale;
           })"""
    )
    assert sizes and min(sizes) >= 11, sizes


PANEL = "[data-panel-histograms]"


def test_panel_shows_a_histogram_per_calculator_and_redraws_it_after_an_edit(
    site: Path, tab: Any
) -> None:
    kb = load_knowledge_base(EXAMPLES / "lemonade")
    page = tab.open(site, "index.html")
    page.wait_for_selector(f"{PANEL}[data-drawn]", state="attached", timeout=20_000)
    page.click(f"{PANEL} > summary")
    shown = page.eval_on_selector_all(
        f"{PANEL} figure[data-histogram]", "(nodes) => nodes.map((n) => n.dataset.histogram)"
    )
    # every calculator the index's claims rest on that a ranged figure feeds, each drawn
    assert shown and set(shown) <= set(kb.calculators)
    assert "margin_per_cup" in shown
    first = f"{PANEL} figure[data-histogram='margin_per_cup']"
    assert page.locator(f"{first} svg rect").count() >= 20
    texts = page.locator(f"{first} svg text").all_text_contents()
    assert {"5%", "50%", "95%", "margin_per_cup"} <= set(texts)
    # the threshold of the claim it decides, with the share of draws on each side
    marks = page.locator(f"{first} .hist-threshold").all()
    assert [m.get_attribute("data-claim") for m in marks] == ["margin_is_healthy"]
    assert any(t.startswith("\u2714 ") for t in texts)
    as_built = page.inner_html(first)
    quantiles = page.inner_text(f"{first} [data-hist-quantiles]")
    page.fill("[name='range.cup_price.low']", "1")
    page.fill("[name='range.cup_price.high']", "4")
    page.wait_for_function(DONE, timeout=20_000)
    assert page.inner_html(f"{first} svg") != as_built
    assert page.inner_text(f"{first} [data-hist-quantiles]") != quantiles
    page.click("button[name='reset']")
    assert page.inner_html(first) == as_built


def test_a_closed_panels_histograms_are_drawn_from_the_latest_run_when_it_opens(
    site: Path, tab: Any
) -> None:
    """While the panel's distributions are closed an edit does not draw them (nobody sees them);
    opening them shows the edit's samples, as an open panel would have drawn them."""
    page = tab.open(site, "index.html")
    page.wait_for_selector(f"{PANEL}[data-drawn]", state="attached", timeout=20_000)
    first = f"{PANEL} figure[data-histogram='margin_per_cup']"
    as_built = page.inner_html(first)
    page.fill("[name='range.cup_price.low']", "1")
    page.fill("[name='range.cup_price.high']", "4")
    page.wait_for_function(DONE, timeout=20_000)
    assert page.inner_html(first) == as_built, "drawn while closed"
    quantiles = page.inner_text(f"{first} [data-hist-quantiles]")
    page.click(f"{PANEL} > summary")
    page.wait_for_function(
        "([selector, before]) => document.querySelector(selector).textContent !== before",
        arg=[f"{first} [data-hist-quantiles]", quantiles],
    )
    opened = page.inner_html(f"{first} svg")
    # the same drawing an open panel makes after the same edit
    page.click("button[name='reset']")
    page.fill("[name='range.cup_price.low']", "1")
    page.fill("[name='range.cup_price.high']", "4")
    page.wait_for_function(DONE, timeout=20_000)
    assert page.inner_html(f"{first} svg") == opened != as_built
