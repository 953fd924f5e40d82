"""Several voices, "who said what" pages and cited lookup tables on the built site (issue #13).

The vans example (tests/examples/vans) has claims with several voices, a lookup table by region
and a claim with `given:`; one build serves every test here. The browser tests use the speaker
filters of the index's matrix and of the what-if panel in Chromium.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from engine.cli import cli
from engine.knowledge.loader import load_knowledge_base
from engine.knowledge.voices import speakers, voices_of
from tests.browser import requires_chromium
from tests.site_helpers import build, read_page

VANS = Path(__file__).parent / "examples" / "vans"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(VANS, tmp_path_factory.mktemp("vans") / "site")


# --- the model ----------------------------------------------------------------------------------


def test_voices_put_the_shorthand_first_and_list_everyone() -> None:
    kb = load_knowledge_base(VANS)
    assert [v.speaker for v in voices_of(kb.claims["pays_back"])] == ["the baker", "the dealer"]
    assert [v.speaker for v in voices_of(kb.claims["never_pays_back"])] == ["a neighbour"]
    said = speakers(kb)
    assert list(said) == ["a neighbour", "the baker", "the dealer"]
    # In the knowledge base's order of claims (by id).
    assert said["the baker"].ids("claim") == [
        "pays_back",
        "pays_back_within_five_years",
        "van_choice",
    ]
    assert said["the dealer"].ids("claim") == ["pays_back", "pays_back_in_hills"]


def test_speakers_whose_names_read_alike_get_pages_of_their_own(tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "model.yaml").write_text(
        textwrap.dedent(
            """\
            claims:
              a: {text: One., speaker: Turn 4}
              b: {text: Two., speaker: turn-4}
              c: {text: Three., voices: [{speaker: "!!"}]}
            """
        ),
        encoding="utf-8",
    )
    said = speakers(load_knowledge_base(folder))
    assert [s.slug for s in said.values()] == ["speaker", "turn-4", "turn-4-2"]


def test_a_voice_citing_an_unknown_source_is_an_error_with_its_position(tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "model.yaml").write_text(
        textwrap.dedent(
            """\
            sources:
              minutes: {title: Council minutes, url: "https://example.org/m", kind: primary}
            claims:
              a:
                text: The bridge opens in May.
                voices:
                  - {speaker: the mayor, source: minutes}
                  - {speaker: the clerk, source: minute}
            """
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["check", str(folder)])
    assert result.exit_code == 1
    assert "model.yaml:8:38: voices: unknown source 'minute' (did you mean 'minutes'?)" in (
        result.output
    )


def test_a_source_cited_only_by_a_voice_is_not_unused() -> None:
    result = CliRunner().invoke(cli, ["check", str(VANS)])
    assert result.exit_code == 0, result.output
    assert "bakery_thread" not in result.output


# --- who said what ------------------------------------------------------------------------------


def test_each_speaker_has_a_page_listing_their_claims_with_labels_and_words(site: Path) -> None:
    assert sorted(p.name for p in (site / "speakers").iterdir()) == [
        "a-neighbour.html",
        "the-baker.html",
        "the-dealer.html",
    ]
    page = read_page(site / "speakers" / "the-baker.html")
    texts = {claim.text for claim in load_knowledge_base(VANS).claims.values()}
    links = [a.attrs["href"] for a in page.find("a") if a.text in texts]
    assert links == [
        "../claims/pays_back.html",
        "../claims/pays_back_within_five_years.html",
        "../claims/van_choice.html",
    ]
    labels = {
        b.attrs["data-claim"]: b.attrs["data-label"] for b in page.find("span", class_="badge")
    }
    assert labels == {
        "van_choice": "holds",
        "pays_back": "holds",
        "pays_back_within_five_years": "holds",
    }
    assert "It is greener after a few years." in page.text
    assert "Town forum thread on the bakery's new van" in page.text


def test_every_voice_on_a_claim_page_links_to_its_speaker(site: Path) -> None:
    page = read_page(site / "claims" / "pays_back.html")
    speakers_shown = {a.text: a.attrs["href"] for a in page.find("a", class_="speaker")}
    assert speakers_shown == {
        "the baker": "../speakers/the-baker.html",
        "the dealer": "../speakers/the-dealer.html",
    }
    assert "It is greener after a few years." in page.text
    # The map lists every speaker; the index's matrix rows say who said them.
    map_page = read_page(site / "map.html")
    assert [a.text for a in map_page.find("a", class_="speaker")] == [
        "a neighbour",
        "the baker",
        "the dealer",
    ]
    index = read_page(site / "index.html")
    assert [r.attrs["data-speakers"] for r in index.find("tr") if "data-speakers" in r.attrs] == [
        "the-baker"
    ]


# --- lookup tables and given: -------------------------------------------------------------------


def test_a_lookup_table_shows_every_row_with_units_sources_and_the_chosen_one(site: Path) -> None:
    page = read_page(site / "calculators" / "grid_intensity.html")
    table = page.find("table", class_="lookup-table")
    assert len(table) == 1
    text = table[0].text
    assert "250 g/kWh" in text and "700 g/kWh" in text
    assert "230 g/kWh to 280 g/kWh" in text and "650 g/kWh to 760 g/kWh" in text
    assert "Valley network: 250 grams per kilowatt-hour." in text
    chosen = page.find("tr", class_="chosen")
    assert len(chosen) == 1 and "valley" in chosen[0].text and "chosen" in chosen[0].text
    row = read_page(site / "figures" / "grid_intensity.valley.html")
    assert "of the lookup table Carbon intensity of the grid" in row.text


def test_a_table_page_marks_the_row_another_scenario_picks(tmp_path: Path) -> None:
    built = build(VANS, tmp_path / "site", scenario="hills")
    chosen = read_page(built / "calculators" / "grid_intensity.html").find("tr", class_="chosen")
    assert len(chosen) == 1 and "hills" in chosen[0].text


def test_a_given_claim_page_substitutes_the_given_settings(site: Path) -> None:
    page = read_page(site / "claims" / "pays_back_in_hills.html")
    code = page.find("code", data_formula_claim="pays_back_in_hills")[0]
    # Under the hills grid: 8 t / (170 - 700 × 0.18) g/km, not the build's valley's 64,000 km.
    assert code.text == "181,818 km < 100000[km]"
    assert "given region = 'hills'" in page.text


# --- in the browser -----------------------------------------------------------------------------


@pytest.fixture
def open_page(chromium_browser: Any) -> Iterator[Any]:
    contexts: list[Any] = []
    errors: list[str] = []

    def opener(path: Path, width: int = 1280) -> Any:
        context = chromium_browser.new_context(viewport={"width": width, "height": 800})
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        return page

    yield opener
    for context in contexts:
        context.close()
    assert errors == [], "console errors"


@pytest.mark.browser
@requires_chromium
@pytest.mark.parametrize("width", [1280, 375])
def test_speaker_filters_in_the_matrix_and_the_what_if_panel(
    site: Path, open_page: Any, width: int
) -> None:
    page = open_page(site / "index.html", width)
    row = page.locator("tr[data-speakers]")
    page.select_option("#speaker-filter-matrix", "a-neighbour")
    assert row.is_hidden()
    assert "0 of 1 claims" in page.locator(".speaker-filter-status").first.inner_text()
    page.select_option("#speaker-filter-matrix", "the-baker")
    assert row.is_visible()

    page = open_page(site / "claims" / "van_choice.html", width)
    page.wait_for_selector("[data-assume]", state="attached")
    page.select_option("#speaker-filter-whatif", "a-neighbour")
    # The neighbour says the van never pays back: that claim and the figures that move it (the
    # assumptions sit in a closed <details>, so "shown" is "not hidden by the filter").
    kept = "els => els.filter(e => !e.hidden).map(e => e.getAttribute('data-{0}'))"
    assert page.eval_on_selector_all("[data-assume]", kept.format("assume")) == ["never_pays_back"]

    # The dealer speaks of the break-even distance, not of years: the yearly distance goes.
    page = open_page(site / "claims" / "pays_back_within_five_years.html", width)
    page.wait_for_selector(".whatif-field[data-figure]", state="attached")
    figures = ".whatif-field[data-figure]"
    everything = set(page.eval_on_selector_all(figures, kept.format("figure")))
    assert {"yearly_distance", "battery_footprint"} <= everything
    page.select_option("#speaker-filter-whatif", "the-dealer")
    shown = set(page.eval_on_selector_all(figures, kept.format("figure")))
    assert "battery_footprint" in shown and "yearly_distance" not in shown
    assert f"{len(shown)} shown" in page.locator(".speaker-filter-status").inner_text()
    page.select_option("#speaker-filter-whatif", "the-baker")
    assert "yearly_distance" in page.eval_on_selector_all(figures, kept.format("figure"))
    page.select_option("#speaker-filter-whatif", "")
    assert set(page.eval_on_selector_all(figures, kept.format("figure"))) == everything
