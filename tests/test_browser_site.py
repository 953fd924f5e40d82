"""The built site in a real browser (Chromium via Playwright): clicks, console, XSS, accessibility."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.browser import requires_chromium
from tests.conftest import EXAMPLES
from tests.site_helpers import build

pytestmark = [pytest.mark.browser, requires_chromium]

PAGE_KINDS = {
    "index": "index.html",
    "map": "map.html",
    "patterns": "patterns.html",
    "claim": "claims/stand_is_thriving.html",
    "numeric claim": "claims/stand_sells_at_loss.html",
    "argument": "arguments/queue_means_nothing.html",
    "figure": "figures/stand_rent_per_day.html",
    "calculator": "calculators/rent_per_cup.html",
    "source": "sources/neighbour_post.html",
    "scenario": "scenarios/everything_counted.html",
    "sensitivity": "sensitivity.html",
}
SCRIPT = "<script>window.__pwned = 1</script>"
IMG = '<img src=x onerror="window.__pwned = 1">'
JS_LINK = '<a href="javascript:window.__pwned = 1">click me</a>'


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(EXAMPLES / "lemonade", tmp_path_factory.mktemp("browser") / "site")


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The lemonade example with markup payloads in a claim's text and quote and a figure's label."""
    claims = tmp_path_factory.mktemp("hostile") / "claims"
    shutil.copytree(EXAMPLES / "lemonade", claims)
    model = claims / "model.yaml"
    text = model.read_text(encoding="utf-8").replace(
        "    text: It rained all month.\n    speaker: the neighbour\n",
        f"    text: 'It rained {SCRIPT} all month {JS_LINK}'\n    speaker: the neighbour\n    quote: '{IMG}'\n",
    )
    model.write_text(text, encoding="utf-8")
    figures = claims / "figures.yaml"
    figures.write_text(
        figures.read_text(encoding="utf-8").replace(
            "label: Rent of the stand's pitch per day", f"label: 'Rent {IMG} {SCRIPT}'"
        ),
        encoding="utf-8",
    )
    return build(claims, tmp_path_factory.mktemp("hostile-out") / "site")


def open_page(browser: Any, url: str, **options: Any) -> tuple[Any, list[str]]:
    page = browser.new_page(**options)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(url)
    return page, problems


def test_clicking_a_node_in_the_map_opens_its_claim(chromium_browser: Any, site: Path) -> None:
    page, _ = open_page(chromium_browser, (site / "map.html").as_uri())
    page.locator("#node-stand_is_thriving a").first.click()
    page.wait_for_url("**/claims/stand_is_thriving.html")
    assert page.locator("h1").inner_text() == "The stand is a good little business."
    page.close()


@pytest.mark.parametrize("kind", sorted(PAGE_KINDS))
def test_no_console_errors(chromium_browser: Any, site: Path, kind: str) -> None:
    page, problems = open_page(chromium_browser, (site / PAGE_KINDS[kind]).as_uri())
    page.wait_for_load_state("load")
    page.close()
    assert problems == []


def test_payloads_render_as_inert_text(chromium_browser: Any, hostile_site: Path) -> None:
    for path in (
        "claims/rain_all_month.html",
        "figures/stand_rent_per_day.html",
        "index.html",
        "map.html",
    ):
        page, _ = open_page(chromium_browser, (hostile_site / path).as_uri())
        page.wait_for_load_state("load")
        assert page.evaluate("window.__pwned") is None, path
        assert page.locator("a[href^='javascript:'], [onerror]").count() == 0, path
        assert page.locator("main script").count() == 0, path
        page.close()
    page, _ = open_page(chromium_browser, (hostile_site / "claims/rain_all_month.html").as_uri())
    heading = page.locator("h1").inner_text()
    assert SCRIPT in heading and JS_LINK in heading
    assert IMG in page.locator("blockquote").first.inner_text()
    page.close()


@pytest.mark.parametrize("kind", sorted(PAGE_KINDS))
def test_no_serious_accessibility_violations(chromium_browser: Any, site: Path, kind: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page, _ = open_page(chromium_browser, (site / PAGE_KINDS[kind]).as_uri())
    results = Axe().run(page)
    page.close()
    serious = [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
    assert serious == []


@pytest.mark.parametrize(
    "path",
    [
        "index.html",
        "claims/stand_is_thriving.html",
        "claims/margin_is_healthy.html",
        "figures/cup_price.html",
        "sensitivity.html",
    ],
)
def test_fits_a_phone_without_sideways_scrolling(
    chromium_browser: Any, site: Path, path: str
) -> None:
    page, _ = open_page(
        chromium_browser, (site / path).as_uri(), viewport={"width": 375, "height": 800}
    )
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    page.close()
    assert overflow <= 0


def test_keyboard_focus_is_visible(chromium_browser: Any, site: Path) -> None:
    page, _ = open_page(chromium_browser, (site / "index.html").as_uri())
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    page.close()
    assert outline != "none"
