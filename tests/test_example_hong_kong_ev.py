"""The second shipped example, examples/hong_kong_ev: a real debate from another field.

It must pass `crux check --strict` with its scenario files, and its central claim must take the
labels the debate's sides predict under each lens and scenario (the README and the scenarios'
`expect:` say the same). The site it builds is searched for the shipped debate's wording in
tests/test_site_own_wording.py.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from engine.cli import cli
from engine.evaluation.evaluate import evaluate_scenario
from engine.knowledge.loader import KnowledgeBase, load_knowledge_base
from tests.conftest import REPO

EXAMPLE = REPO / "examples" / "hong_kong_ev"
SCENARIO_FILES = sorted((EXAMPLE / "scenarios").glob("*.yaml"))
CENTRAL = "ev_greener_in_hong_kong"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base(EXAMPLE / "claims")


def test_check_strict_passes_with_every_scenario_file_and_expectation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(EXAMPLE)
    args = ["check", "--strict"]
    for path in SCENARIO_FILES:
        args += ["--scenario", str(path.relative_to(EXAMPLE))]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert len(SCENARIO_FILES) >= 2
    assert result.stdout.strip() == (
        "ok: 21 sources, 20 figures, 14 calculators, 36 claims, 23 arguments, 7 scenarios; "
        "28 expectations hold."
    )


def test_the_map_has_the_size_and_shape_the_readme_describes(kb: KnowledgeBase) -> None:
    assert 20 <= len(kb.claims) <= 40
    assert [i for i, c in kb.claims.items() if c.role == "central"] == [CENTRAL]
    lenses = {i: list(f.choices) for i, f in kb.figures.items() if f.choices}
    assert lenses == {
        "scope_lens": ["tailpipe", "driving", "lifecycle"],
        "grid_lens": ["hk_electric", "clp"],
        "fuel_lens": ["official_test", "real_world"],
    }
    # every figure that is not a lens cites a source, with the quote it rests on
    for figure_id, figure in kb.figures.items():
        assert figure.sources, figure_id
        if not figure.choices:
            assert all(s.quote for s in figure.sources), figure_id


@pytest.mark.parametrize(
    ("settings", "label"),
    [
        ((), "holds"),  # defaults: lifecycle, CLP's grid, real-world petrol consumption
        (("grid_lens=hk_electric",), "fails"),  # Bernstein's grid
        (("fuel_lens=official_test",), "fails"),  # the brochure figure
        (("scope_lens=tailpipe",), "holds"),
        (("scope_lens=driving",), "holds"),
        (("scope_lens=driving", "grid_lens=hk_electric", "fuel_lens=official_test"), "fails"),
        (("scope_lens=driving", "grid_lens=hk_electric"), "holds"),
        (("scope_lens=tailpipe", "grid_lens=hk_electric", "fuel_lens=official_test"), "holds"),
        (("battery_co2_per_kwh=61", "fuel_lens=official_test"), "holds"),  # IVL 2019, low end
        (("battery_co2_per_kwh=106", "fuel_lens=official_test"), "fails"),  # IVL 2019, high end
    ],
)
def test_the_central_claim_under_each_lens(
    kb: KnowledgeBase, settings: tuple[str, ...], label: str
) -> None:
    assert evaluate_scenario(kb, None, settings).claims[CENTRAL] == label


@pytest.mark.parametrize(
    ("scenario", "label"),
    [
        ("bernstein_case", "fails"),
        ("letter_writer_case", "holds"),
        ("clp_with_test_figures", "fails"),
        ("roadside_view", "holds"),
        ("driving_on_coal", "fails"),
        ("newer_batteries", "holds"),
        ("clp_grid_2019", "fails"),
        (str(EXAMPLE / "scenarios" / "stapleton.yaml"), "fails"),
        (str(EXAMPLE / "scenarios" / "thirsty_petrol_car.yaml"), "fails"),
    ],
)
def test_the_central_claim_in_each_scenario(kb: KnowledgeBase, scenario: str, label: str) -> None:
    assert evaluate_scenario(kb, scenario).claims[CENTRAL] == label


def test_the_lifetime_totals_are_the_ones_the_readme_quotes(kb: KnowledgeBase) -> None:
    defaults = evaluate_scenario(kb)
    assert defaults.value("ev_lifetime_co2") == pytest.approx(31.9, abs=0.05)
    assert defaults.value("petrol_lifetime_co2") == pytest.approx(38.5, abs=0.1)
    bernstein = evaluate_scenario(kb, "bernstein_case")
    assert bernstein.value("ev_lifetime_co2") > bernstein.value("petrol_lifetime_co2")


def test_a_setting_in_mpg_is_inverted_into_litres_per_100_km(kb: KnowledgeBase) -> None:
    ev = evaluate_scenario(kb, str(EXAMPLE / "scenarios" / "thirsty_petrol_car.yaml"))
    assert ev.value("petrol_official_consumption") == pytest.approx(235.215 / 30, rel=1e-3)


def test_the_example_folder_is_laid_out_as_crux_init_makes_one() -> None:
    assert (EXAMPLE / "claims").is_dir()
    assert (EXAMPLE / ".gitignore").read_text(encoding="utf-8").split() == ["site/"]
    readme = (EXAMPLE / "README.md").read_text(encoding="utf-8")
    assert "crux check --strict" in readme and "## Sources" in readme
    for path in sorted((EXAMPLE / "claims").glob("*.yaml")) + SCENARIO_FILES:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        schema = first.removeprefix("# yaml-language-server: $schema=")
        assert (path.parent / schema).resolve() == REPO / "docs" / "crux.schema.json", path
