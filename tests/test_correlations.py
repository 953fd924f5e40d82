"""Correlations declared in the knowledge base (`correlations:`): loading, and one sampling path.

`tests/examples/correlated` is a made-up bakery whose loaf price follows its flour cost (rank
0.8) and whose energy cost moves a little with the flour (0.3). `crux simulate`, the site's
P(holds) and histograms and the what-if model all impose them through
`sampling.sample_figures`; `--correlate` replaces a declared pair or adds one. The browser's half
is in `test_browser_uncertainty.py`.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import stats

from engine.analysis.sampling import effective_correlations, sample_figures, with_ranges
from engine.analysis.simulate import held_fixed, simulate
from engine.cli import cli
from engine.errors import CruxError
from engine.knowledge.loader import KnowledgeBase, load_knowledge_base
from engine.knowledge.scenario import resolve_scenario
from engine.site.whatif_model import model_data

EXAMPLE = Path(__file__).parent / "examples" / "correlated"
PRICE = ("flour_cost_per_loaf", "loaf_price")
ENERGY = ("energy_cost_per_loaf", "flour_cost_per_loaf")
N = 20_000


@pytest.fixture(scope="module")
def bakery() -> KnowledgeBase:
    return load_knowledge_base(EXAMPLE)


def _stderr(p: float, n: int = N) -> float:
    return float(np.sqrt(max(p * (1 - p), 1 / n) / n))


def test_declared_correlations_load_with_their_reasons(bakery: KnowledgeBase) -> None:
    assert list(bakery.correlations) == ["energy_and_flour", "price_follows_flour"]
    price = bakery.correlations["price_follows_flour"]
    assert price.figures == PRICE and price.rank == 0.8
    assert price.confidence == "asserted" and "reprices" in price.why


def test_simulate_imposes_the_declared_correlations(bakery: KnowledgeBase) -> None:
    scenario = resolve_scenario(bakery, None)
    rng = np.random.Generator(np.random.PCG64(4))
    draws = sample_figures(bakery, scenario.settings, 50_000, rng)
    assert stats.spearmanr(draws[PRICE[0]], draws[PRICE[1]]).statistic == pytest.approx(
        0.8, abs=0.01
    )
    assert stats.spearmanr(draws[ENERGY[0]], draws[ENERGY[1]]).statistic == pytest.approx(
        0.3, abs=0.01
    )
    assert abs(stats.spearmanr(draws["loaves_per_day"], draws["loaf_price"]).statistic) < 0.02

    result = simulate(bakery, scenario, N, seed=1)
    assert result.correlations == {ENERGY: 0.3, PRICE: 0.8}
    assert result.declared == {ENERGY: "energy_and_flour", PRICE: "price_follows_flour"}


def test_a_correlation_moves_p_holds(bakery: KnowledgeBase) -> None:
    """Prices that follow costs steady the margin: P(holds) moves by many standard errors."""
    scenario = resolve_scenario(bakery, None)
    declared = simulate(bakery, scenario, N, seed=1).claims["margin_is_healthy"].p_holds
    off = {PRICE: 0.0, ENERGY: 0.0}
    independent = simulate(bakery, scenario, N, seed=1, correlations=off)
    assert independent.correlations == {ENERGY: 0.0, PRICE: 0.0}
    assert independent.declared == {}
    p_off = independent.claims["margin_is_healthy"].p_holds
    assert declared - p_off > 10 * (_stderr(declared) + _stderr(p_off)), (declared, p_off)


def test_the_command_line_overrides_or_adds(bakery: KnowledgeBase) -> None:
    scenario = resolve_scenario(bakery, None)
    sampled = ("energy_cost_per_loaf", "flour_cost_per_loaf", "loaf_price", "loaves_per_day")
    # a declared pair given in the other order replaces the declared value; a new pair is added
    merged = effective_correlations(
        bakery,
        sampled,
        {("loaf_price", "flour_cost_per_loaf"): 0.2, ("loaves_per_day", "loaf_price"): -0.4},
    )
    assert merged == {
        ENERGY: 0.3,
        ("loaf_price", "flour_cost_per_loaf"): 0.2,
        ("loaves_per_day", "loaf_price"): -0.4,
    }
    rng = np.random.Generator(np.random.PCG64(2))
    draws = sample_figures(
        bakery, scenario.settings, 50_000, rng, {("loaf_price", "flour_cost_per_loaf"): 0.2}
    )
    assert stats.spearmanr(draws[PRICE[0]], draws[PRICE[1]]).statistic == pytest.approx(
        0.2, abs=0.01
    )


def test_a_figure_the_scenario_holds_drops_its_correlations(bakery: KnowledgeBase) -> None:
    scenario = resolve_scenario(bakery, "dear_flour")
    assert "flour_cost_per_loaf" in held_fixed(bakery, scenario)
    result = simulate(bakery, scenario, 2_000, seed=1)
    assert result.correlations == {}
    # asked for on the command line, the same pair is an error: the figure is not sampled
    runner = CliRunner()
    bad = runner.invoke(
        cli,
        [
            "simulate",
            "--claims",
            str(EXAMPLE),
            "--scenario",
            "dear_flour",
            "--correlate",
            "flour_cost_per_loaf,loaf_price=0.5",
        ],
    )
    assert bad.exit_code == 2
    assert (
        "cannot correlate 'flour_cost_per_loaf': it is not sampled (the scenario holds it fixed)"
        in bad.output
    )


def test_simulate_command_says_where_each_correlation_comes_from() -> None:
    runner = CliRunner()
    out = runner.invoke(
        cli,
        ["simulate", "--claims", str(EXAMPLE), "-n", "2000", "--seed", "1",
         "--correlate", "loaves_per_day,loaf_price=-0.2", "--correlate", "loaf_price,flour_cost_per_loaf=0.5"],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    assert (
        "Rank correlation energy_cost_per_loaf ~ flour_cost_per_loaf: 0.3 (declared as energy_and_flour)"
        in out.output
    )
    assert "Rank correlation loaf_price ~ flour_cost_per_loaf: 0.5 (--correlate)" in out.output
    assert "Rank correlation loaves_per_day ~ loaf_price: -0.2 (--correlate)" in out.output
    data = json.loads(
        runner.invoke(
            cli, ["simulate", "--claims", str(EXAMPLE), "-n", "500", "--format", "json"]
        ).output
    )
    assert data["correlations"] == [
        {"figures": list(ENERGY), "spearman": 0.3, "declared": "energy_and_flour"},
        {"figures": list(PRICE), "spearman": 0.8, "declared": "price_follows_flour"},
    ]


def test_an_override_that_cannot_hold_with_the_declared_ones_is_refused() -> None:
    runner = CliRunner()
    bad = runner.invoke(
        cli,
        [
            "simulate",
            "--claims",
            str(EXAMPLE),
            "--correlate",
            "energy_cost_per_loaf,loaf_price=-0.9",
        ],
    )
    assert bad.exit_code == 2
    assert "--correlate: expected correlations that can occur together" in bad.output
    assert "(with the knowledge base's energy_and_flour, price_follows_flour)" in bad.output


def test_the_site_and_the_panel_use_the_same_correlations(bakery: KnowledgeBase) -> None:
    """The build's histograms come from the draws `simulate` makes, correlations included, and the
    what-if model hands the browser the declared pairs."""
    from engine.site.histogram import calculator_samples

    scenario = resolve_scenario(bakery, None)
    fixed = held_fixed(bakery, scenario)
    margins = calculator_samples(bakery, scenario.settings, fixed, N, 1)["margin_per_loaf"]
    rng = np.random.Generator(np.random.PCG64(1))
    draws = sample_figures(bakery, scenario.settings, N, rng, fixed=fixed)
    cost = (
        draws["flour_cost_per_loaf"] + draws["energy_cost_per_loaf"] + 160 / draws["loaves_per_day"]
    )
    np.testing.assert_allclose(margins, (draws["loaf_price"] - cost) / draws["loaf_price"])
    assert model_data(bakery)["correlations"] == [
        ["energy_cost_per_loaf", "flour_cost_per_loaf", 0.3],
        ["flour_cost_per_loaf", "loaf_price", 0.8],
    ]


def test_a_map_without_correlations_exports_none(lemonade: KnowledgeBase) -> None:
    assert lemonade.correlations == {}
    assert "correlations" not in model_data(lemonade)


BAD = """\
figures:
  a: {label: A, value: 1, range: [0.5, 2], distribution: lognormal}
  b: {label: B, value: 1, range: [0.5, 2], distribution: lognormal}
  c: {label: C, value: 1, range: [0.5, 2], distribution: lognormal}
  plain: {label: Plain, value: 1}
  lens: {label: Lens, choices: [x, y], value: x}
calculators:
  total: {label: Total, formula: a + b + c + plain + (1 if lens == 'x' else 0)}
claims:
  big: {text: Big., holds_when: total > 4}
correlations:
  typo: {figures: [a, bb], rank: 0.5, why: Shared cause.}
  no_range: {figures: [a, plain], rank: 0.5, why: Shared cause.}
  a_lens: {figures: [lens, b], rank: 0.5, why: Shared cause.}
  itself: {figures: [c, c], rank: 0.5, why: Shared cause.}
  ab: {figures: [a, b], rank: 0.9, why: Shared cause.}
  ba_again: {figures: [b, a], rank: 0.9, why: Shared cause.}
  ac: {figures: [a, c], rank: 0.9, why: Shared cause.}
  bc: {figures: [b, c], rank: -0.9, why: Opposite cause.}
  bad_source: {figures: [a, c], rank: 0.5, why: x, sources: [nowhere]}
"""


def test_bad_correlations_are_reported_where_they_are_written(tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "map.yaml").write_text(BAD, encoding="utf-8")
    with pytest.raises(CruxError) as info:
        load_knowledge_base(folder)
    path = str(folder / "map.yaml")
    messages = [f"{p.location}: {p.message}".replace(path, "map.yaml") for p in info.value.problems]
    assert messages == [
        "map.yaml:12:23: correlation 'typo': unknown figure 'bb' (did you mean 'b'?)",
        "map.yaml:13:27: correlation 'no_range': expected a figure with a range, found 'plain' "
        "without one (only sampled figures can move together)",
        "map.yaml:14:22: correlation 'a_lens': expected a number figure with a range, found the "
        "choice 'lens'",
        "map.yaml:15:21: correlation 'itself': 'c' is paired with itself",
        "map.yaml:16:31: correlations 'ab', 'ac', 'bc': expected correlations that can occur "
        "together (a positive semi-definite matrix), found a matrix with eigenvalue -0.8 over a, b, c",
        "map.yaml:17:23: correlation 'ba_again': b and a are already correlated by 'ab' at "
        "map.yaml:16:3",
        "map.yaml:20:25: correlation 'bad_source': a and c are already correlated by 'ac' at "
        "map.yaml:18:3",
        "map.yaml:20:62: unknown source 'nowhere'",
    ]
    runner = CliRunner()
    result = runner.invoke(cli, ["check", str(folder)])
    assert result.exit_code == 1
    assert "map.yaml:12:23: correlation 'typo': unknown figure 'bb'" in result.output


def test_rank_outside_minus_one_to_one_is_a_schema_error(tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    text = (
        BAD.split("correlations:")[0]
        + "correlations:\n  ab: {figures: [a, b], rank: 1.5, why: x}\n"
    )
    (folder / "map.yaml").write_text(text, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["check", str(folder)])
    assert result.exit_code == 1
    assert (
        "map.yaml:12:31: rank: input should be less than or equal to 1, found 1.5" in result.output
    )


def test_schema_describes_correlations() -> None:
    from engine.knowledge.schema import json_schema

    schema = json_schema()
    assert "correlations" in schema["properties"]  # type: ignore[operator]
    fields = schema["$defs"]["Correlation"]["properties"]  # type: ignore[index]
    assert {"figures", "rank", "why", "confidence", "sources", "notes"} == set(fields)
    assert all("description" in spec for spec in fields.values())


def test_imposed_correlations_widen_the_monte_carlo_error(bakery: KnowledgeBase) -> None:
    """Iman–Conover pairs each figure's sorted draws by the ranks of correlated scores, so the noise
    of both reaches P(holds): it varies from seed to seed more than sqrt(p(1-p)/n), here (wide
    ranges, rank 0.8) 1.6 times as much, but less than twice: the factor the browser's differential
    test allows (`CORRELATED_ERROR`) and what `crux simulate` notes when it imposes correlations."""
    wide = with_ranges(bakery, {"loaf_price": (0.55, 4.75), "flour_cost_per_loaf": (0.2, 3.5)})
    scenario = resolve_scenario(wide, None)
    n = 10_000

    def spread(correlations: dict[tuple[str, str], float] | None) -> float:
        chances = np.array(
            [
                simulate(wide, scenario, n, s, correlations).claims["margin_is_healthy"].p_holds
                for s in range(80)
            ]
        )
        nominal = np.sqrt(chances.mean() * (1 - chances.mean()) / n)
        return float(chances.std(ddof=1) / nominal)

    assert 1.3 < spread(None) < 2.0
    assert spread({PRICE: 0.0, ENERGY: 0.0}) < 1.25  # no correlation: the usual error


def test_figure_pages_say_what_each_figure_moves_with(
    bakery: KnowledgeBase, tmp_path: Path
) -> None:
    from engine.site.build import build_site
    from tests.site_helpers import Page

    build_site(bakery, tmp_path / "site", jobs=1)
    flour = Page((tmp_path / "site" / "figures" / "flour_cost_per_loaf.html").read_text("utf-8"))
    section = flour.find("section", **{"aria-labelledby": "correlations-heading"})[0]
    assert "Moves with" in section.text
    entries = {div.attrs["id"]: div.text for div in flour.find("div", class_="correlation")}
    assert set(entries) == {"correlation-energy_and_flour", "correlation-price_follows_flour"}
    price = entries["correlation-price_follows_flour"]
    assert "Price of one loaf" in price and "rank correlation 0.8" in price
    assert "asserted" in price and "reprices the loaf" in price
    rent = (tmp_path / "site" / "figures" / "rent_per_day.html").read_text("utf-8")
    assert "correlations-heading" not in rent
