"""The what-if panel in a real Chromium (Playwright): it must agree with the engine.

Opt-in layer: skipped when no Chromium is installed. The site is built once per knowledge base
and opened from `file://`; the differential test sends hundreds of random scenarios through
`CruxWhatIf.evaluate` in one round trip, and a handful go through the real inputs.
"""

from __future__ import annotations

import dataclasses
import json
import math
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.analysis.flips import Crossing, find_flips
from engine.errors import CruxError
from engine.evaluation.evaluate import Evaluation, evaluate
from engine.evaluation.explain import claim_summary, substitute
from engine.formatting import format_label, format_quantity, format_tipping_point
from engine.knowledge.loader import KnowledgeBase, load_knowledge_base
from engine.knowledge.scenario import resolve_scenario
from engine.site.whatif_model import slider_bounds
from tests.browser import chromium_path

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = Path(__file__).parent / "examples"
NO_CHROMIUM = "no Chromium found: install Debian's chromium to run browser tests"
pytestmark = [pytest.mark.browser, pytest.mark.skipif(chromium_path() is None, reason=NO_CHROMIUM)]


@pytest.fixture(scope="module")
def browser(chromium_browser: Any) -> Any:
    """The session's one Chromium (tests/browser.py): Playwright's sync API allows one at a time."""
    return chromium_browser


def _build(kb: KnowledgeBase, target: Path) -> Path:
    from engine.site.build import build_site

    build_site(kb, target, jobs=1)
    if not (target / "static" / "crux-semantics.js").is_file():
        pytest.skip("templates/static/crux-semantics.js is not there yet")
    return target


@pytest.fixture(scope="module")
def lemonade_kb() -> KnowledgeBase:
    return load_knowledge_base(EXAMPLES / "lemonade")


@pytest.fixture(scope="module")
def lemonade_site(lemonade_kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(lemonade_kb, tmp_path_factory.mktemp("lemonade-site"))


@pytest.fixture(scope="module")
def shipped_kb() -> KnowledgeBase:
    try:
        return load_knowledge_base(REPO / "claims")
    except CruxError as exc:
        pytest.skip(f"the shipped knowledge base does not load yet: {exc.summary()}")


@pytest.fixture(scope="module")
def shipped_site(shipped_kb: KnowledgeBase, shipped_site_once: Path) -> Path:
    return shipped_site_once


class Page:
    """A browser tab that records console errors and uncaught exceptions."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context(accept_downloads=True)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, site: Path, page: str = "index.html", query: str = "") -> Any:
        self.page.goto((site / page).as_uri() + query)
        self.page.wait_for_selector(".whatif-ready", timeout=10_000)
        return self.page


@pytest.fixture
def tab(browser: Any) -> Iterator[Page]:
    page = Page(browser)
    yield page
    page.context.close()
    assert page.errors == [], "console errors"


# --- the engine, for comparison ----------------------------------------------------------------------


def engine_eval(
    kb: KnowledgeBase, scenario: str, sets: dict[str, Any], assumes: dict[str, bool]
) -> Evaluation:
    base = resolve_scenario(kb, scenario)
    settings = {
        **base.settings,
        **{k: (v if isinstance(v, str) else float(v)) for k, v in sets.items()},
    }
    return evaluate(
        kb,
        dataclasses.replace(base, settings=settings, assumptions={**base.assumptions, **assumes}),
    )


def random_cases(kb: KnowledgeBase, count: int, seed: int) -> list[dict[str, Any]]:
    """Scenarios with figures inside and far outside their ranges, lenses and assumptions."""
    rng = random.Random(seed)
    numbers = [fid for fid, f in kb.figures.items() if f.kind == "number"]
    options = {fid: f.options for fid, f in kb.figures.items() if f.kind != "number"}
    scenarios = ["defaults", *kb.scenarios]
    claims = list(kb.claims)
    cases = []
    for _ in range(count):
        sets: dict[str, Any] = {}
        for fid in rng.sample(numbers, k=rng.randint(1, min(len(numbers), 10))):
            value = kb.figures[fid].numeric_value()
            low, high = kb.figures[fid].range or (value * 0.5, value * 1.5)
            roll = rng.random()
            if roll < 0.45:
                sets[fid] = rng.uniform(low, high)
            elif roll < 0.55:
                sets[fid] = 0.0  # division by zero, log(0)
            elif roll < 0.65:
                sets[fid] = -rng.uniform(0.0, abs(high) + 1.0)  # log and sqrt of negatives
            elif roll < 0.8:
                sets[fid] = (high or 1.0) * 10 ** rng.uniform(1, 12)
            elif roll < 0.9:
                sets[fid] = (low or 1.0) * 10 ** -rng.uniform(1, 12)
            else:
                sets[fid] = rng.choice([1e300, -1e300, 1e-300, 5e-324, 1e15, 123456.789])
        for fid, names in options.items():
            if rng.random() < 0.6:
                pick = rng.choice(names)
                sets[fid] = pick if kb.figures[fid].kind == "choice" else int(pick)
        assumes = {}
        if rng.random() < 0.35:
            for cid in rng.sample(claims, k=min(len(claims), rng.randint(1, 3))):
                assumes[cid] = rng.random() < 0.5
        cases.append({"scenario": rng.choice(scenarios), "set": sets, "assume": assumes})
    return cases


BATCH = """cases => cases.map(c => {
  const r = CruxWhatIf.evaluate(c.set, c.assume, c.scenario);
  const calculators = {};
  for (const k of Object.keys(r.calculators)) {
    const v = r.calculators[k];
    calculators[k] = Number.isNaN(v) ? null : v;
  }
  return {claims: r.claims, arguments: r.arguments, calculators};
})"""


def assert_same_as_engine(
    kb: KnowledgeBase, cases: list[dict[str, Any]], results: list[dict[str, Any]]
) -> None:
    failures = []
    undefined = 0
    for index, (case, got) in enumerate(zip(cases, results, strict=True)):
        ev = engine_eval(kb, case["scenario"], case["set"], case["assume"])
        if got["claims"] != dict(ev.claims) or got["arguments"] != dict(ev.arguments):
            wrong = {
                c: (ev.claims[c], got["claims"].get(c))
                for c in ev.claims
                if got["claims"].get(c) != ev.claims[c]
            }
            failures.append(
                f"case {index}: labels differ (engine, browser): {wrong} for {json.dumps(case)}"
            )
        for cid, expected in ev.calculators.items():
            value = got["calculators"][cid]
            if math.isnan(expected):
                undefined += 1
                if value is not None:
                    failures.append(
                        f"case {index}: {cid} = {value} in the browser, undefined in the engine"
                    )
            elif value is None or not math.isclose(value, expected, rel_tol=1e-9, abs_tol=1e-300):
                failures.append(
                    f"case {index}: {cid} = {value} in the browser, {expected} in the engine"
                )
    assert failures == [], "\n".join(failures[:20])
    assert undefined > 0, "the random cases never hit an undefined quantity"


# --- differential tests ------------------------------------------------------------------------------


def test_browser_agrees_with_engine_on_lemonade(
    tab: Page, lemonade_site: Path, lemonade_kb: KnowledgeBase
) -> None:
    page = tab.open(lemonade_site)
    cases = random_cases(lemonade_kb, 400, seed=1)
    assert_same_as_engine(lemonade_kb, cases, page.evaluate(BATCH, cases))


def test_browser_agrees_with_engine_on_shipped_kb(
    tab: Page, shipped_site: Path, shipped_kb: KnowledgeBase
) -> None:
    page = tab.open(shipped_site)
    cases = random_cases(shipped_kb, 400, seed=2)
    assert_same_as_engine(shipped_kb, cases, page.evaluate(BATCH, cases))


def page_labels(page: Any) -> dict[str, str]:
    """Every live claim label on the page; all copies of one claim must agree."""
    pairs = page.eval_on_selector_all(
        "[data-claim][data-label]",
        "els => els.map(e => [e.dataset.claim, e.dataset.label, e.textContent])",
    )
    labels: dict[str, str] = {}
    for cid, label, text in pairs:
        assert labels.setdefault(cid, label) == label, f"{cid} shows two labels"
        assert text.startswith(format_label(label)), (cid, text)
    return labels


def drive(page: Any, kb: KnowledgeBase, sets: dict[str, Any]) -> None:
    """Set figures through the panel's own inputs, as a reader would."""
    for fid, value in sets.items():
        figure = kb.figures[fid]
        selector = f'[name="{fid}"]'
        if figure.kind == "choice":
            page.select_option(selector, str(value))
        elif figure.kind == "switch":
            page.set_checked(selector, bool(value))
        else:
            page.fill(selector, repr(float(value)))


def test_dom_inputs_give_the_engines_labels(
    tab: Page, shipped_site: Path, shipped_kb: KnowledgeBase
) -> None:
    page = tab.open(shipped_site)
    inputs = set(page.eval_on_selector_all("[data-whatif] [name]", "els => els.map(e => e.name)"))
    rng = random.Random(5)
    for case in random_cases(shipped_kb, 6, seed=3):
        page.click('button[name="reset"]')
        sets = {}
        for fid, value in case["set"].items():
            if fid not in inputs:
                continue
            if shipped_kb.figures[fid].kind == "number":  # inputs refuse out-of-bounds values
                value = rng.uniform(*slider_bounds(shipped_kb.figures[fid]))
            sets[fid] = value
        drive(page, shipped_kb, sets)
        ev = engine_eval(shipped_kb, page.input_value('[name="scenario"]'), sets, {})
        for cid, label in page_labels(page).items():
            assert label == ev.claims[cid], (cid, sets)
        for cid, text in page.eval_on_selector_all(
            "[data-explanation]", "els => els.map(e => [e.dataset.explanation, e.textContent])"
        ):
            assert text == claim_summary(shipped_kb, ev, cid)


# --- behaviour a reader sees ----------------------------------------------------------------------------


def url_settled(page: Any) -> str:
    """The page URL once the panel has written its state there (it waits for edits to pause)."""
    page.wait_for_function(
        "() => { const q = document.querySelector('.whatif-link').getAttribute('href').split('#')[0];"
        " return (q === '?' ? '' : q) === location.search; }"
    )
    return str(page.url)


def node_style(page: Any, claim_id: str) -> tuple[str, str]:
    return tuple(
        page.eval_on_selector(
            f'svg g.node[id="node-{claim_id}"]',
            "g => [g.getAttribute('class'), g.querySelector('path, polygon').getAttribute('fill')]",
        )
    )


def test_editing_a_figure_flips_a_claim_and_recolours_its_node(
    tab: Page, lemonade_site: Path
) -> None:
    page = tab.open(lemonade_site, "claims/stand_sells_at_loss.html")
    badge = '.item-label [data-claim="stand_sells_at_loss"]'
    assert page.get_attribute(badge, "data-label") == "fails"
    assert node_style(page, "stand_sells_at_loss") == ("node claim fails", "#f7d4d0")
    svg_before = page.eval_on_selector(
        "svg g.node[id='node-stand_sells_at_loss'] path, svg g.node[id='node-stand_sells_at_loss'] polygon",
        "p => p.getAttribute('d') || p.getAttribute('points')",
    )

    page.select_option('[name="cost_view"]', "everything")
    page.fill('[name="cups_per_day"]', "10")  # rent 50/day over 10 cups: 5.60 USD a cup
    assert page.get_attribute(badge, "data-label") == "holds"
    assert page.text_content(badge) == "✔ holds"
    assert node_style(page, "stand_sells_at_loss") == ("node claim holds", "#d7f0dd")
    svg_after = page.eval_on_selector(
        "svg g.node[id='node-stand_sells_at_loss'] path, svg g.node[id='node-stand_sells_at_loss'] polygon",
        "p => p.getAttribute('d') || p.getAttribute('points')",
    )
    assert svg_after == svg_before  # recoloured, not re-laid out
    status = page.eval_on_selector(
        "svg g.node[id='node-stand_sells_at_loss']",
        "g => [...g.querySelectorAll('text')].pop().textContent",
    )
    assert status == "✔ holds"
    assert page.text_content('.lead[data-explanation="stand_sells_at_loss"]') == (
        "Decided by the numbers: cost_per_cup > cup_price is true (5.6 USD > 2 USD)."
    )
    assert page.is_visible(".whatif-modified")


def test_matrix_follows_the_readers_numbers(
    tab: Page, lemonade_site: Path, lemonade_kb: KnowledgeBase
) -> None:
    page = tab.open(lemonade_site)
    page.fill('[name="cup_price"]', "0.5")
    cells = page.eval_on_selector_all(
        "[data-matrix-claim]",
        "els => els.map(e => [e.dataset.matrixClaim, e.dataset.columnScenario, e.dataset.columnLens || null,"
        " e.dataset.columnOption || null, e.dataset.scenarioLabel])",
    )
    assert cells
    for claim_id, scenario, lens, option, label in cells:
        sets: dict[str, Any] = {"cup_price": 0.5}
        if lens:
            sets[lens] = option
            scenario = "defaults"
        assert label == engine_eval(lemonade_kb, scenario, sets, {}).claims[claim_id], (
            claim_id,
            scenario,
            lens,
        )


def test_claim_page_updates_formulas_and_quantities(
    tab: Page, lemonade_site: Path, lemonade_kb: KnowledgeBase
) -> None:
    page = tab.open(lemonade_site, "claims/margin_is_healthy.html")
    names = page.eval_on_selector_all("[data-whatif] [name]", "els => els.map(e => e.name)")
    figures = sorted(n for n in names if n in lemonade_kb.figures)
    assert figures == [
        "cost_view",
        "cup_price",
        "cups_per_day",
        "lemons_per_cup_usd",
        "stand_rent_per_day",
    ]
    page.fill('[name="lemons_per_cup_usd"]', "1.25")
    ev = engine_eval(lemonade_kb, "defaults", {"lemons_per_cup_usd": 1.25}, {})
    assert (
        page.get_attribute('.item-label [data-claim="margin_is_healthy"]', "data-label")
        == ev.claims["margin_is_healthy"]
        == "fails"
    )
    assert page.text_content('[data-formula-claim="margin_is_healthy"]') == substitute(
        lemonade_kb, ev, "margin_per_cup > 0.5"
    )
    for qid, text in page.eval_on_selector_all(
        "[data-quantity]", "els => els.map(e => [e.dataset.quantity, e.textContent])"
    ):
        if qid in lemonade_kb.calculators:
            assert text == format_quantity(ev.calculators[qid], lemonade_kb.calculators[qid].unit)


def test_url_carries_the_state_both_ways(tab: Page, lemonade_site: Path) -> None:
    page = tab.open(lemonade_site)
    page.select_option('[name="scenario"]', "summer")
    page.fill('[name="cups_per_day"]', "12.5")
    page.select_option('[name="cost_view"]', "everything")
    page.locator(".whatif-assume summary").click()
    page.select_option('[name="assume.stand_is_thriving"]', "false")
    query = "?scenario=summer&cost_view=everything&cups_per_day=12.5&assume.stand_is_thriving=false"
    assert url_settled(page).endswith("index.html" + query)
    labels = page_labels(page)

    other = tab.context.new_page()
    other.goto((lemonade_site / "index.html").as_uri() + query)
    other.wait_for_selector(".whatif-ready")
    assert other.input_value('[name="cups_per_day"]') == "12.5"
    assert other.input_value('[name="cost_view"]') == "everything"
    assert other.input_value('[name="scenario"]') == "summer"
    assert other.input_value('[name="assume.stand_is_thriving"]') == "false"
    assert other.is_visible(".whatif-modified")
    assert other.is_visible('[data-figure="cups_per_day"] .whatif-changed-mark')
    assert page_labels(other) == labels
    assert other.get_attribute('[data-claim="stand_is_thriving"]', "data-label") == "fails"

    other.click('button[name="reset"]')
    assert url_settled(other).endswith("index.html")
    assert not other.is_visible(".whatif-modified")


def test_hand_edited_link_with_bad_values(tab: Page, lemonade_site: Path) -> None:
    page = tab.open(lemonade_site, query="?cup_price=-3&cups_per_day=30&bogus=1")
    assert page.get_attribute('[name="cup_price"]', "aria-invalid") == "true"
    assert "at least 0" in page.text_content("#whatif-cup_price-error")
    assert page.input_value('[name="cups_per_day"]') == "30"
    assert "bogus" in page.text_content(".whatif-status")


def test_downloaded_scenario_evaluates_to_the_same_labels(
    tab: Page, lemonade_site: Path, tmp_path: Path
) -> None:
    page = tab.open(lemonade_site)
    page.select_option('[name="scenario"]', "summer")
    page.fill('[name="cup_price"]', "1.1")
    page.select_option('[name="cost_view"]', "everything")
    page.locator(".whatif-assume summary").click()
    page.select_option('[name="assume.queue_every_day"]', "false")
    shown = page.evaluate("() => CruxWhatIf.panel.last.claims")
    with page.expect_download() as download:
        page.click('button[name="download"]')
    path = tmp_path / "whatif.yaml"
    download.value.save_as(path)
    text = path.read_text(encoding="utf-8")
    assert (
        "extends: summer" in text and "cup_price: 1.1" in text and "queue_every_day: false" in text
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "engine",
            "eval",
            str(EXAMPLES / "lemonade"),
            "--scenario",
            str(path),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    result = json.loads(done.stdout)
    assert {cid: c["label"] for cid, c in result["claims"].items()} == shown


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter a number."),
        ("abc", "Not a number"),
        ("-2", "Must be at least 0"),
        ("1e30", "Too large"),
    ],
)
def test_bad_input_keeps_the_last_good_labels(
    tab: Page, lemonade_site: Path, text: str, message: str
) -> None:
    page = tab.open(lemonade_site)
    page.select_option('[name="cost_view"]', "everything")
    page.fill('[name="cups_per_day"]', "10")
    good = page_labels(page)
    url = url_settled(page)
    page.fill('[name="cups_per_day"]', text)
    assert page.get_attribute('[name="cups_per_day"]', "aria-invalid") == "true"
    error = page.locator("#whatif-cups_per_day-error")
    assert error.is_visible() and message in error.text_content()
    assert (
        page.get_attribute('[name="cups_per_day"]', "aria-describedby")
        == "whatif-cups_per_day-error"
    )
    assert page_labels(page) == good
    page.wait_for_timeout(300)
    assert page.url == url
    page.fill('[name="cups_per_day"]', "40")
    assert page.get_attribute('[name="cups_per_day"]', "aria-invalid") is None
    assert not error.is_visible()


def test_without_javascript_the_page_reads_and_the_panel_explains(
    browser: Any, lemonade_site: Path
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((lemonade_site / "index.html").as_uri())
    assert page.is_visible("[data-whatif-note]")
    assert not page.is_visible("[data-whatif-body]")
    assert page.get_attribute('.hero [data-claim="stand_sells_at_loss"]', "data-label") == "fails"
    context.close()


# --- the nearest tipping point ----------------------------------------------------------------------


def python_nearest(
    kb: KnowledgeBase, scenario: str, claim_id: str, sets: dict[str, Any]
) -> Crossing | None:
    """`crux flips`' nearest tipping point with `sets` on top of the scenario."""
    base = resolve_scenario(kb, scenario)
    settings = {**base.settings, **{k: float(v) for k, v in sets.items()}}
    report = find_flips(kb, dataclasses.replace(base, settings=settings), claims=[claim_id])
    return report.nearest(claim_id)


def shown_tip(page: Any, previous: str | None = None) -> tuple[str, float]:
    """The panel's nearest-tipping-point sentence (once it differs from `previous`), and `at`."""
    page.wait_for_function(
        "prev => { const e = document.querySelector('[data-whatif-tip]');"
        " return e && e.dataset.tipText && e.dataset.tipText !== prev"
        " && !e.classList.contains('whatif-tip-pending'); }",
        arg=previous,
    )
    text = page.get_attribute("[data-whatif-tip]", "data-tip-text")
    return text, page.evaluate("() => CruxWhatIf.panel.tip.at")


@pytest.mark.parametrize(
    ("kb_name", "path", "claim_id", "scenario", "edits"),
    [
        (
            "lemonade",
            "claims/margin_is_healthy.html",
            "margin_is_healthy",
            "defaults",
            {"lemons_per_cup_usd": 0.9, "cup_price": 1.9},
        ),
        ("shipped", "index.html", "tokens_sold_at_loss", "baseline", {"revenue_usd": 9.5}),
    ],
)
def test_nearest_tipping_point_follows_the_readers_values(
    tab: Page,
    request: pytest.FixtureRequest,
    kb_name: str,
    path: str,
    claim_id: str,
    scenario: str,
    edits: dict[str, float],
) -> None:
    kb = request.getfixturevalue(f"{kb_name}_kb")
    site = request.getfixturevalue(f"{kb_name}_site")
    page = tab.open(site, path)
    text, at = shown_tip(page)
    expected = python_nearest(kb, scenario, claim_id, {})
    assert expected is not None and text == format_tipping_point(expected)
    # the static list on a claim page marks the same one as nearest
    if path.startswith("claims/"):
        assert format_tipping_point(expected) in " ".join(page.inner_text(".tip-nearest").split())
    sets: dict[str, float] = {}
    for fid, value in edits.items():
        page.fill(f'[name="{fid}"]', repr(value))
        sets[fid] = value
        text, at = shown_tip(page, text)
        expected = python_nearest(kb, scenario, claim_id, sets)
        assert expected is not None
        assert text == format_tipping_point(expected), sets
        assert math.isclose(at, expected.at, rel_tol=1e-9), (at, expected.at)
    assert "from your values" in page.inner_text("[data-whatif-tip]")
    assert page.is_visible(".built-only-note") or not path.startswith("claims/")
    page.fill(f'[name="{next(iter(edits))}"]', "0")  # may leave no tipping point at all
    page.click('button[name="reset"]')
    back = python_nearest(kb, scenario, claim_id, {})
    assert back is not None and shown_tip(page)[0] == format_tipping_point(back)
