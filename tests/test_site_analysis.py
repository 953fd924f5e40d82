"""The analysis on the built site: tipping points, P(holds), the matrix and the sensitivity page.

HTML facts checked against the engine's own analysis functions, with the build's seed.
"""

from __future__ import annotations

import re
from pathlib import Path

import networkx as nx
import pytest

from engine.analysis.flips import find_flips
from engine.analysis.sensitivity import sensitivity
from engine.analysis.simulate import simulate
from engine.formatting import format_tipping_point
from engine.knowledge.loader import KnowledgeBase, load_knowledge_base
from engine.knowledge.scenario import resolve_scenario
from engine.site.analysis import SAMPLES, SEED, _fingerprint
from engine.site.answer import merge_identical
from engine.site.model import site_model
from engine.site.render import probability
from tests.conftest import EXAMPLES
from tests.site_helpers import build, read_page

LEMONADE = EXAMPLES / "lemonade"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base(LEMONADE)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(LEMONADE, tmp_path_factory.mktemp("analysis") / "site")


def words(text: str) -> str:
    return " ".join(text.split())


def test_claim_page_lists_the_tipping_points_of_find_flips(site: Path, kb: KnowledgeBase) -> None:
    report = find_flips(kb, resolve_scenario(kb, None))
    for claim_id, flips in report.claims.items():
        page = read_page(site / "claims" / f"{claim_id}.html")
        items = {
            e.attrs["data-tip-figure"]: words(e.text)
            for e in page.find("li")
            if "data-tip-figure" in e.attrs
        }
        assert len(items) == len(flips.crossings), claim_id
        for crossing in flips.crossings:
            shown = items[crossing.figure]
            assert format_tipping_point(crossing) in shown, (shown, format_tipping_point(crossing))
        nearest = report.nearest(claim_id)
        if nearest is not None:
            (marked,) = page.find("li", class_="tip-nearest")
            assert format_tipping_point(nearest) in words(marked.text) and "nearest" in marked.text
    page = read_page(site / "claims" / "stand_sells_at_loss.html")
    text = words(page.text)
    assert "✔ holds if cup_price falls below 0.6 USD (now 2)" in text
    assert "cost_view: fails under every option" in text  # a lens that does not flip it
    # a lens that does is enumerated, not searched
    healthy = words(read_page(site / "claims" / "margin_is_healthy.html").text)
    assert "Under cost_view = ingredients (now): ✔ holds; everything: ✘ fails" in healthy
    assert page.has("a", href="../figures/cup_price.html")
    assert page.has("a", href="../sensitivity.html#claim-stand_sells_at_loss")


def test_claim_page_shows_p_holds_of_simulate_with_the_builds_seed(
    site: Path, kb: KnowledgeBase
) -> None:
    result = simulate(kb, resolve_scenario(kb, None), SAMPLES, SEED)
    p = result.claims["margin_is_healthy"]
    assert 0 < p.p_holds < 1  # a probability worth showing
    page = read_page(site / "claims" / "margin_is_healthy.html")
    (holds,) = page.find("div", class_="chance-holds")
    assert words(holds.text) == (
        f"P(holds) {probability(p.p_holds)} ± {probability(p.stderr_holds)}"
    )
    (fails,) = page.find("div", class_="chance-fails")
    assert words(fails.text) == f"P(fails) {probability(p.p_fails)}"
    text = words(page.text)
    assert "20,000 random draws" in text and f"seed {SEED}" in text
    # claims no sampled figure bears on show no probability
    assert not read_page(site / "claims" / "queue_every_day.html").has("dl", class_="chances")


def test_matrix_cells_show_p_holds_per_column(site: Path, kb: KnowledgeBase) -> None:
    model = site_model(kb)
    page = read_page(site / "index.html")
    shown = [e for e in page.find("span", class_="p-holds") if "data-p-holds" in e.attrs]
    cells = page.find("td", class_="cell")
    assert len(shown) > 0
    # one value per cell, in the row-major order of the table
    values = iter(shown)
    checked = 0
    for claim_id in model.rows:
        for group in merge_identical(model.columns, model.rows):
            column = group.shown
            result = simulate(kb, column.evaluation.scenario, SAMPLES, SEED)
            upstream_figures = {f for f in kb.figures if nx.has_path(kb.graph, f, claim_id)}
            if not upstream_figures & set(result.sampled):
                continue
            span = next(values)
            assert span.attrs["data-p-holds"] == claim_id
            assert words(span.text) == f"P {probability(result.claims[claim_id].p_holds, 2)}"
            checked += 1
    assert checked == len(shown) <= len(cells)


def test_sensitivity_page_has_one_static_chart_per_claim_decided_by_numbers(
    site: Path, kb: KnowledgeBase
) -> None:
    tornadoes = sensitivity(kb, resolve_scenario(kb, None))
    charted = sorted(cid for cid, t in tornadoes.items() if t.bars)
    assert charted == ["margin_is_healthy", "stand_is_thriving", "stand_sells_at_loss"]
    page = read_page(site / "sensitivity.html")
    images = page.find("img")
    assert (
        sorted(
            i.attrs["src"].removeprefix("diagrams/tornado-").removesuffix(".svg") for i in images
        )
        == charted
    )
    for image in images:
        assert image.attrs["alt"].startswith("Tornado chart of ")
        svg = (site / image.attrs["src"]).read_text(encoding="utf-8")
        assert "<text" in svg and "<script" not in svg and "<title" in svg
        assert not re.search(r"(?:href|src)=", svg)
    (section,) = [
        s for s in page.find("section") if s.attrs.get("id") == "claim-stand_sells_at_loss"
    ]
    assert "moves it most" in section.text and "flip" in section.text
    # reachable from every page's navigation and from the index
    assert read_page(site / "index.html").has("a", href="sensitivity.html")
    assert read_page(site / "claims" / "stand_is_thriving.html").has(
        "a", href="../sensitivity.html"
    )


def _fingerprint_of(folder: Path) -> str:
    return _fingerprint(site_model(load_knowledge_base(folder), None, (), ()), "site_analysis")


def test_rewording_a_claim_keeps_the_cached_analysis_but_changing_a_number_does_not(
    lemonade_copy: Path,
) -> None:
    model_file = lemonade_copy / "model.yaml"
    original = model_file.read_text(encoding="utf-8")
    before = _fingerprint_of(lemonade_copy)

    model_file.write_text(
        original.replace("sells each cup at a loss.", "sells every cup below cost."),
        encoding="utf-8",
    )
    assert _fingerprint_of(lemonade_copy) == before

    model_file.write_text(
        original.replace("holds_when: margin_per_cup > 0.5", "holds_when: margin_per_cup > 0.6"),
        encoding="utf-8",
    )
    assert _fingerprint_of(lemonade_copy) != before

    figures = lemonade_copy / "figures.yaml"
    model_file.write_text(original, encoding="utf-8")
    text = figures.read_text(encoding="utf-8")
    first_value = re.search(r"value: ([\d.]+)", text)
    assert first_value is not None
    figures.write_text(
        text.replace(first_value.group(0), f"value: {float(first_value.group(1)) * 1.1:g}", 1),
        encoding="utf-8",
    )
    assert _fingerprint_of(lemonade_copy) != before
