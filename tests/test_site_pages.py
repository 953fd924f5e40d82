"""HTML facts a reader would check on the built lemonade site (parsed, not snapshotted)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.knowledge.loader import KnowledgeBase, load_knowledge_base
from engine.site.answer import merge_identical
from engine.site.model import site_model
from tests.conftest import EXAMPLES
from tests.site_helpers import build, read_page


def lemonade_kb() -> KnowledgeBase:
    return load_knowledge_base(EXAMPLES / "lemonade")


QUOTE = "Every single morning there is a line down the block."


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The lemonade example with a quote on one claim, built once for the module."""
    claims = tmp_path_factory.mktemp("kb") / "claims"
    shutil.copytree(EXAMPLES / "lemonade", claims)
    model = claims / "model.yaml"
    text = model.read_text(encoding="utf-8")
    text = text.replace(
        "    speaker: the owner\n    assumed: true\n",
        f'    speaker: the owner\n    quote: "{QUOTE}"\n    assumed: true\n',
    )
    model.write_text(text, encoding="utf-8")
    return build(claims, tmp_path_factory.mktemp("out") / "site")


def test_claim_page_shows_label_quote_and_speaker(site: Path) -> None:
    page = read_page(site / "claims" / "queue_every_day.html")
    badges = page.find(data_claim="queue_every_day")
    assert badges and all(b.attrs["data-label"] == "holds" for b in badges)
    assert "✔ holds" in badges[0].text
    quote = page.find("blockquote")[0]
    assert quote.text.strip() == QUOTE
    assert "the owner" in page.find("figcaption")[0].text


def test_claim_page_links_to_its_arguments_with_their_labels(site: Path) -> None:
    page = read_page(site / "claims" / "stand_is_thriving.html")
    links = {a.attrs.get("href") for a in page.find("a")}
    assert "../arguments/rain_ruins_trade.html" in links
    assert "../arguments/queue_every_day_supports_stand_is_thriving.html" in links
    states = {
        e.attrs["data-argument"]: e.attrs["data-label"]
        for e in page.elements
        if "data-argument" in e.attrs
    }
    assert states["rain_ruins_trade"] == "fails"
    assert states["margin_is_healthy_supports_stand_is_thriving"] == "holds"


def test_claim_decided_by_numbers_shows_substituted_formula_and_mathml(site: Path) -> None:
    page = read_page(site / "claims" / "stand_sells_at_loss.html")
    formula = page.find(data_formula_claim="stand_sells_at_loss")
    assert formula and formula[0].text == "0.6 USD > 2 USD"
    assert page.has("math")
    assert page.find(data_explanation="stand_sells_at_loss")[0].text.startswith(
        "Decided by the numbers"
    )


def test_claim_page_has_an_explanation_anchor_per_matrix_column(site: Path) -> None:
    page = read_page(site / "claims" / "stand_is_thriving.html")
    anchors = {e.attrs["id"] for e in page.elements if "id" in e.attrs}
    assert {
        "scenario-summer",
        "scenario-washout",
        "scenario-everything_counted",
        "scenario-defaults",
    } <= anchors
    assert page.has("li", class_="step-argument")
    svg = page.find("svg")
    assert len(svg) == 1 and page.has("g", id="node-stand_is_thriving")


def test_matrix_has_one_cell_per_conclusion_and_column(site: Path) -> None:
    page = read_page(site / "index.html")
    table = page.find("table", class_="matrix")
    assert table
    headings = [th for th in page.find("th", scope="col")][1:]
    names = [" ".join(h.text.split()) for h in headings]
    # defaults (the build), three scenarios, and the two options of the only choice figure,
    # with columns that agree in every cell shown once under all their names
    groups = merge_identical(site_model(lemonade_kb()).columns, site_model(lemonade_kb()).rows)
    assert len(names) == len(groups) < 6
    assert any("cost_view: ingredients" in n for n in names)
    for group, name in zip(groups, names, strict=True):
        for column in group.columns:
            assert column.heading in name
    merged = next(n for n in names if " = " in n)
    assert merged.count(" = ") >= 1
    rows = page.find("th", scope="row")
    assert [" ".join(r.text.split()) for r in rows] == [
        "The lemonade stand sells each cup at a loss.",
        "The stand is a good little business.",
    ]
    cells = page.find("td", class_="cell")
    assert len(cells) == len(rows) * len(names)
    links = [
        a
        for a in page.find("a", class_="badge")
        if "data-scenario-label" in a.attrs or "data-claim" in a.attrs
    ]
    assert len(links) == len(cells)
    assert "../" not in links[0].attrs["href"] and "#scenario-" in links[0].attrs["href"]
    thriving = [a for a in links if a.attrs["href"].startswith("claims/stand_is_thriving.html#")]
    assert {a.attrs.get("data-scenario-label", a.attrs.get("data-label")) for a in thriving} == {
        "holds",
        "fails",
    }
    live = [a for a in links if "data-claim" in a.attrs]
    assert len(live) == len(rows)  # only the build's column is recoloured by the what-if panel


def test_index_answers_the_question_and_links_to_the_whole_map(site: Path) -> None:
    page = read_page(site / "index.html")
    assert page.find("h1")[0].text == "Does the lemonade stand sell cups at a loss?"
    assert page.has(data_claim="stand_is_thriving")
    headline = " ".join(page.find("p", class_="answer-headline")[0].text.split())
    # generated from the labels: the central claim fails under the build's scenario and lens
    assert (
        headline.startswith("No.")
        and "defaults" in headline
        and "cost_view = ingredients" in headline
    )
    lens = " ".join(page.find("p", class_="answer-lens")[0].text.split())
    assert "No under ingredients (this build) and everything" in lens
    card = page.find("section", class_="map-card")
    assert card and "map.html" in [a.attrs.get("href") for a in page.find("a")]
    # no thumbnail of the whole map with unreadable text on the index
    assert not page.has("g", id="node-stand_is_thriving")


def test_figure_page_shows_value_range_sources_and_users(site: Path) -> None:
    page = read_page(site / "figures" / "stand_rent_per_day.html")
    assert page.find(data_quantity="stand_rent_per_day")[0].text == "50 USD/day"
    text = " ".join(page.text.split())
    assert "asserted" in text and "2026-07" in text
    assert "They must pay fifty a day for that corner." in text
    assert page.has("a", href="../calculators/rent_per_cup.html")
    ranged = " ".join(read_page(site / "figures" / "cup_price.html").text.split())
    assert "1.5 USD to 2.5 USD, uniform" in ranged


def test_calculator_page_shows_mathml_inputs_and_value(site: Path) -> None:
    page = read_page(site / "calculators" / "rent_per_cup.html")
    assert page.has("math")
    assert page.find(data_quantity="rent_per_cup")[0].text == "1.25 USD"
    assert page.find(data_formula_calculator="rent_per_cup")[0].text == "50 USD/day / 40 1/day"
    assert page.has("a", href="../figures/cups_per_day.html")


def test_source_page_lists_what_cites_it(site: Path) -> None:
    page = read_page(site / "sources" / "neighbour_post.html")
    assert page.has("a", href="../figures/stand_rent_per_day.html")
    assert page.has("a", href="https://example.org/forum/lemonade-thread")


def test_scenario_page_shows_settings_and_expectation_results(site: Path) -> None:
    page = read_page(site / "scenarios" / "everything_counted.html")
    text = " ".join(page.text.split())
    assert "cups_per_day" in text and "20 1/day" in text
    rows = page.find("tr", class_="met")
    assert len(rows) == 2
    assert not page.has("tr", class_="unmet")


def test_every_page_knows_its_kind_and_root(site: Path) -> None:
    for path, kind in [
        ("index.html", "index"),
        ("claims/rain_all_month.html", "claim"),
        ("map.html", "map"),
    ]:
        page = read_page(site / path)
        assert page.find("body")[0].attrs["class"].split()[0] == f"page-{kind}"
        css = page.find("link", rel="stylesheet")[0].attrs["href"]
        assert (site / Path(path).parent / css).resolve().is_file()
