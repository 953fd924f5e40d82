"""The debate's knowledge base (claims/): sources, verbatim quotes, reproduced figures, verdicts.

These tests guard the truthfulness of the map, not the engine: every figure is sourced, every
quote is the thread's own words, the published numbers are reproduced from their inputs, and
every scenario's recorded verdicts still hold.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from engine.evaluation.evaluate import evaluate_scenario
from engine.knowledge.loader import KnowledgeBase, load_knowledge_base

REPO = Path(__file__).resolve().parent.parent
CLAIMS = REPO / "claims"
THREAD = CLAIMS / "thread.txt"
SEED = REPO.parent / "shared" / "seed" / "debate-thread.txt"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base(CLAIMS)


@pytest.fixture(scope="module")
def thread() -> str:
    return THREAD.read_text(encoding="utf-8")


def test_thread_copy_is_byte_for_byte() -> None:
    if not SEED.exists():
        pytest.skip("the shared seed thread is not available on this machine")
    assert THREAD.read_bytes() == SEED.read_bytes()


def test_thread_has_eight_turns_on_27_lines(thread: str) -> None:
    assert len(thread.splitlines()) == 27


def test_every_figure_has_a_source_with_url(kb: KnowledgeBase) -> None:
    missing = []
    for fid, figure in kb.figures.items():
        urls = [kb.sources[c.source].url for c in figure.sources if c.source in kb.sources]
        if not any(url.startswith(("http://", "https://")) for url in urls):
            missing.append(fid)
    assert missing == []


def test_every_citation_names_a_known_source(kb: KnowledgeBase) -> None:
    items = [*kb.figures.items(), *kb.claims.items()]
    unknown = [
        (iid, c.source) for iid, item in items for c in item.sources if c.source not in kb.sources
    ]
    assert unknown == []


def test_asserted_figures_sit_next_to_evidence(kb: KnowledgeBase) -> None:
    """A commenter's unsourced number is marked asserted and has a speaker and verbatim quote."""
    asserted = {fid: f for fid, f in kb.figures.items() if f.confidence == "asserted"}
    assert "claimed_inference_to_training_ratio" in asserted
    for figure in asserted.values():
        assert figure.speaker and figure.quote


def test_quotes_are_verbatim_from_the_thread(kb: KnowledgeBase, thread: str) -> None:
    quoted = [
        *((cid, c.quote) for cid, c in kb.claims.items() if c.quote),
        *((aid, a.quote) for aid, a in kb.arguments.items() if a.quote),
        *((fid, f.quote) for fid, f in kb.figures.items() if f.quote),
    ]
    assert len(quoted) > 40
    not_found = [(iid, q) for iid, q in quoted if q not in thread]
    assert not_found == []


def test_thread_claims_have_a_turn_and_a_quote(kb: KnowledgeBase) -> None:
    for cid, claim in kb.claims.items():
        if claim.speaker is not None:
            assert claim.speaker.startswith("turn "), cid
            assert 1 <= int(claim.speaker.split()[1]) <= 8, cid
            assert claim.quote, f"{cid} has a speaker but no quote"
        if claim.implicit:
            assert claim.quote is None, cid


def test_one_central_question(kb: KnowledgeBase) -> None:
    central = [cid for cid, c in kb.claims.items() if c.role == "central"]
    assert central == ["tokens_sold_at_loss"]


def test_deepseek_cost_profit_margin_reproduces_545_percent(kb: KnowledgeBase) -> None:
    """545% from nodes, GPUs, hours, GPU price, tokens by kind and R1 prices.

    Inputs as published: 226.75 nodes × 8 GPUs × 24 h × $2; 608B input tokens of which 56.3% hit
    the cache; 168B output tokens; $0.14 / $0.55 / $2.19 per million.
    """
    ev = evaluate_scenario(kb, "deepseek_disclosure")
    assert ev.calculators["deepseek_daily_cost_usd"] == pytest.approx(87_072, abs=0.5)
    assert ev.calculators["deepseek_daily_revenue_usd"] == pytest.approx(562_027, rel=1e-3)
    margin = ev.calculators["deepseek_cost_profit_margin"]
    assert abs(margin - 5.45) <= 0.005  # within half a percentage point of the published 545%
    published_ratio = (562_027 - 87_072) / 87_072  # DeepSeek's own revenue over cost
    assert abs(margin - published_ratio) <= 0.001


def test_deepseek_marginal_ratio_matches_its_own_cost_over_revenue(kb: KnowledgeBase) -> None:
    """The per-GPU throughput route gives the same cost/revenue as DeepSeek's daily totals."""
    ev = evaluate_scenario(kb, "deepseek_disclosure")
    published = 87_072 / 562_027
    assert ev.calculators["marginal_cost_to_price_ratio"] == pytest.approx(published, rel=0.01)


def test_openai_fy2025_gross_margin_from_revenue_and_cost_of_revenue(kb: KnowledgeBase) -> None:
    ev = evaluate_scenario(kb, "openai_fy2025")
    assert abs(ev.calculators["company_gross_margin"] - (13.07 - 7.50) / 13.07) < 1e-9
    # operating margin from the four cost lines (they sum to 33.98 against the reported 34.0)
    assert ev.calculators["company_operating_margin"] == pytest.approx(
        (13.07 - 33.98) / 13.07, abs=1e-9
    )


def test_alderson_serving_costs_reproduced_in_as_argued(kb: KnowledgeBase) -> None:
    """$2/hour at 180 output, 180,000 input tokens per GPU-second: $3.08 and $0.003 per million."""
    ev = evaluate_scenario(kb, "as_argued")
    assert ev.calculators["serving_cost_per_mtok_output"] == pytest.approx(3.08, abs=0.01)
    assert ev.calculators["serving_cost_per_mtok_input"] == pytest.approx(0.003, abs=0.0005)


def test_subscription_margin_matches_semianalysis_minus_900_percent(kb: KnowledgeBase) -> None:
    ev = evaluate_scenario(kb, "baseline")
    assert ev.calculators["subscription_margin"] == pytest.approx(-9.0, abs=1e-9)


def test_fully_loaded_costs_never_double_count_training(kb: KnowledgeBase) -> None:
    for scenario in kb.scenarios:
        ev = evaluate_scenario(kb, scenario)
        assert ev.calculators["fully_loaded_cost_usd"] == pytest.approx(
            ev.calculators["company_total_costs_usd"]
        )


@pytest.mark.parametrize(
    ("lens", "label"), [("marginal", "fails"), ("gross_margin", "fails"), ("fully_loaded", "holds")]
)
def test_thesis_depends_on_the_lens(kb: KnowledgeBase, lens: str, label: str) -> None:
    ev = evaluate_scenario(kb, "baseline", sets=[f"lens={lens}"])
    assert ev.claims["tokens_sold_at_loss"] == label


def test_thesis_agrees_with_break_even_multiple(kb: KnowledgeBase) -> None:
    """The argument map and the single-number summary give the same verdict in every scenario."""
    for scenario in kb.scenarios:
        for lens in ("marginal", "gross_margin", "fully_loaded"):
            ev = evaluate_scenario(kb, scenario, sets=[f"lens={lens}"])
            multiple = ev.calculators["break_even_price_multiple"]
            assert math.isfinite(multiple)
            expected = "holds" if multiple > 1 else "fails"
            assert ev.claims["tokens_sold_at_loss"] == expected, (scenario, lens, multiple)


def test_every_scenario_expectation_holds(kb: KnowledgeBase) -> None:
    failures = []
    for scenario in kb.scenarios:
        ev = evaluate_scenario(kb, scenario)
        for claim, expected in ev.scenario.expectations.items():
            if ev.claims[claim] != expected:
                failures.append((scenario, claim, expected, ev.claims[claim]))
    assert failures == []


def test_every_scenario_has_expectations(kb: KnowledgeBase) -> None:
    assert all(s.expect for s in kb.scenarios.values())


# --- The structure the 2026 audit put in place -----------------------------------------------

# Turn boundaries in claims/thread.txt (1-based line numbers, inclusive); see the thread's notes
# in claims/sources.yaml. Turn 1 is lines 1-5, turn 4 lines 8-15, and so on.
TURN_LINES = {1: (1, 5), 2: (6, 6), 3: (7, 7), 4: (8, 15), 5: (16, 16), 6: (17, 19), 7: (20, 24)}
TURN_LINES[8] = (25, 27)
ALLOW_INERT = "# crux: allow inert:"


def turn_text(thread: str, turn: int) -> str:
    first, last = TURN_LINES[turn]
    return "\n".join(thread.splitlines()[first - 1 : last])


def test_turn_boundaries_cover_the_thread_once(thread: str) -> None:
    covered = [n for first, last in TURN_LINES.values() for n in range(first, last + 1)]
    assert sorted(covered) == list(range(1, len(thread.splitlines()) + 1))


def test_every_speaker_turn_contains_its_quote(kb: KnowledgeBase, thread: str) -> None:
    """A quote is attributed to the turn that says it, not merely found somewhere in the thread."""
    spoken = [
        *((cid, c.speaker, c.quote) for cid, c in kb.claims.items()),
        *((aid, a.speaker, a.quote) for aid, a in kb.arguments.items()),
        *((fid, f.speaker, f.quote) for fid, f in kb.figures.items()),
    ]
    checked, misattributed = 0, []
    for item_id, speaker, quote in spoken:
        if speaker is None or quote is None:
            continue
        checked += 1
        if quote not in turn_text(thread, int(speaker.split()[1])):
            misattributed.append((item_id, speaker, quote))
    assert checked > 40
    assert misattributed == []


def test_the_training_scope_switch_exists_and_both_settings_evaluate(kb: KnowledgeBase) -> None:
    """Turn 8 is tested under its own reading of training and under the R&D-compute reading."""
    scope = kb.figures["training_scope"]
    assert scope.kind == "choice" and set(scope.options) == {"final_runs", "all_rd_compute"}
    final = evaluate_scenario(kb, "baseline", sets=["training_scope=final_runs"])
    all_rd = evaluate_scenario(kb, "baseline", sets=["training_scope=all_rd_compute"])
    assert final.calculators["inference_to_training_ratio"] == pytest.approx(3.6)
    assert all_rd.calculators["inference_to_training_ratio"] == pytest.approx(0.4)
    assert final.claims["training_not_main_loss_driver"] == "holds"
    assert all_rd.claims["training_not_main_loss_driver"] == "fails"
    assert all_rd.claims["training_amortisation_sinks_margin"] == "holds"
    scoped = evaluate_scenario(kb, "training_all_rd")
    assert scoped.calculators["inference_to_training_ratio"] == pytest.approx(0.4)


def test_capex_depreciation_is_quantified_per_serving_hour(kb: KnowledgeBase) -> None:
    """Turn 7's "Capex depreciation": a GPU's price over its useful life (hyperscalers' six
    years, critics' two to three), per hour it serves, against the rental price."""
    life = kb.figures["gpu_useful_life_years"]
    assert life.value == 6 and tuple(life.range or ()) == (2, 6)
    quotes = " ".join(c.quote or "" for c in life.sources)
    assert "six years" in quotes and "three" in quotes and "two to six years" in quotes
    ev = evaluate_scenario(kb, "baseline")
    hours = 6 * 365.25 * 24  # pint's year
    assert ev.calculators["gpu_depreciation_per_used_gpu_hour"] == pytest.approx(
        40_000 / (hours * 0.82)
    )
    claim = "owned_gpu_depreciation_exceeds_rental"
    assert ev.claims[claim] == "fails"  # $0.93 an hour against a $2.35 rental
    assert evaluate_scenario(kb, "baseline", sets=["gpu_useful_life_years=3"]).claims[claim] == (
        "fails"
    )
    assert evaluate_scenario(kb, "baseline", sets=["gpu_useful_life_years=2"]).claims[claim] == (
        "holds"
    )
    # the size of the cost does not decide whether depreciation is a cost
    assert ev.basis["capex_depreciation_is_a_cost"] == "presumption"


def test_implied_training_is_capped_at_rd_compute_not_at_all_of_rd(kb: KnowledgeBase) -> None:
    """Uncapped, R&D compute read as training would be $18.75B: 98% of R&D, salaries included."""
    ev = evaluate_scenario(kb, "training_all_rd")
    ceiling = ev.calculators["rd_compute_ceiling_usd"]
    assert ceiling == pytest.approx(19.18 - 2 * 2.5)
    assert ev.calculators["implied_training_compute_usd"] == pytest.approx(ceiling)
    assert ev.calculators["implied_training_compute_usd"] < 0.8 * ev.figures["rd_usd"]


def test_the_ratio_claim_says_its_evidence_is_an_annual_spend_ratio(kb: KnowledgeBase) -> None:
    assert "annual spend ratio" in kb.claims["training_ratio_10_to_1"].text
    assert not kb.claims["training_ratio_10_to_1"].sources  # counter-evidence attacks instead
    attackers = [
        a.premises
        for a in kb.arguments.values()
        if a.conclusion == "training_cost_estimates_exist" and a.stance == "con"
    ]
    assert attackers == [("published_estimates_below_10_to_1",)]


def test_no_argument_is_inert_unless_marked(kb: KnowledgeBase) -> None:
    """An argument into a claim its numbers (or an assumption) fix can never change a label.

    Such an argument must be marked `# crux: allow inert: <reason>` on the line that declares
    it (the argument's id, or the claim's `supports:`/`attacks:` line for the shorthand).
    """
    inert = sorted(
        aid
        for aid, argument in kb.arguments.items()
        if argument.conclusion is not None
        and (
            kb.claims[argument.conclusion].holds_when is not None
            or kb.claims[argument.conclusion].assumed is not None
        )
    )
    unmarked = []
    for aid in inert:
        where = kb.locate(aid, key=True)
        line = (REPO / where.path).read_text(encoding="utf-8").splitlines()[where.line - 1]
        reason = line.partition(ALLOW_INERT)[2].strip()
        if len(reason) < 20:
            unmarked.append(str(where))
    assert unmarked == []
    assert len(inert) <= 14  # the audit cut 24 inert arguments to 14 marked ones


def test_marked_arguments_are_really_inert(kb: KnowledgeBase) -> None:
    """A stale mark, on a line that declares no inert argument, would hide a live argument."""
    fixed = {cid for cid, c in kb.claims.items() if c.holds_when or c.assumed is not None}
    declared_on: dict[tuple[str, int], list[str]] = {}
    for aid, argument in kb.arguments.items():
        where = kb.locate(aid, key=True)
        declared_on.setdefault((where.path, where.line), []).append(argument.conclusion or "")
    for path in CLAIMS.rglob("*.yaml"):
        rel = str(path.relative_to(REPO))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if ALLOW_INERT in line:
                conclusions = declared_on.get((rel, n), [])
                assert conclusions and all(c in fixed for c in conclusions), f"{rel}:{n}"


def test_open_weights_rebuttal_covers_billed_tokens_only(kb: KnowledgeBase) -> None:
    """DeepSeek's 545% is per billed token; free web and app use undercuts the rebuttal."""
    for lens in ("marginal", "gross_margin", "fully_loaded"):
        ev = evaluate_scenario(kb, "deepseek_disclosure", sets=[f"lens={lens}"])
        assert ev.claims["deepseek_serving_profitable_at_list_prices"] == "holds"
        assert ev.claims["deepseek_free_use_not_monetised"] == "holds"
        for rebuttal in (
            "deepseek_serving_rebuts_cost_shifting",
            "deepseek_gross_margin_rebuts_cost_shifting",
        ):
            assert ev.arguments[rebuttal] == "fails", (lens, rebuttal)


def test_distillation_subsidy_is_a_weighed_tie(kb: KnowledgeBase) -> None:
    ev = evaluate_scenario(kb, "baseline")
    share = (
        ev.figures["deepseek_distillation_exchanges"] / ev.figures["alleged_distillation_exchanges"]
    )
    assert share == pytest.approx(150_000 / 16_000_000)
    assert ev.claims["deepseek_share_of_distillation_small"] == "holds"
    assert ev.claims["us_labs_subsidise_open_models"] == "fails"  # one support, one attack: a tie
    heavier = evaluate_scenario(kb, "baseline", sets=["alleged_distillation_exchanges=1000000"])
    assert heavier.claims["us_labs_subsidise_open_models"] == "holds"


def test_claude_code_product_claim_uses_the_average_user(kb: KnowledgeBase) -> None:
    ev = evaluate_scenario(kb, "baseline")
    assert ev.calculators["claude_code_average_user_margin"] == pytest.approx(1 - 200 * 0.25 / 200)
    assert ev.claims["claude_code_loses_money_overall"] == "fails"
    assert ev.claims["claude_code_heavy_users_at_loss"] == "holds"
    costly = evaluate_scenario(
        kb, "baseline", sets=["claude_code_average_api_cost_usd_per_month=900"]
    )
    assert costly.claims["claude_code_loses_money_overall"] == "holds"


def test_gross_margin_verdicts_name_their_company_and_year(kb: KnowledgeBase) -> None:
    assert "OpenAI's FY2025" in kb.claims["inference_gross_margin_positive"].text
    by_scenario = {
        "openai_fy2025": "holds",
        "openai_q1_2026": "holds",
        "anthropic_2024": "fails",
    }
    for scenario, label in by_scenario.items():
        assert evaluate_scenario(kb, scenario).claims["inference_gross_margin_positive"] == label
    q1 = evaluate_scenario(kb, "openai_q1_2026")
    assert q1.calculators["company_gross_margin"] == pytest.approx(0.39, abs=1e-3)


def test_reported_views_are_marked_as_such(kb: KnowledgeBase) -> None:
    for cid in (
        "inference_gross_margin_negative",
        "tokens_sold_below_serving_cost",
        "prices_must_rise_orders_of_magnitude",
        "open_weights_inference_cheap",
    ):
        claim = kb.claims[cid]
        assert "reported_view" in claim.tags and claim.text.startswith("Reported view"), cid


def test_dated_2026_figures_sit_beside_the_thread_era_values(kb: KnowledgeBase) -> None:
    """as_argued keeps the thread's numbers; later data points are their own dated figures."""
    later = {"gpu_hour_usd_jun2026": 2.65, "api_output_price_2026_per_mtok": 30}
    for fid, value in later.items():
        figure = kb.figures[fid]
        assert figure.value == value and figure.as_of is not None and figure.as_of >= "2026"
    as_argued = evaluate_scenario(kb, "as_argued")
    assert (
        as_argued.figures["gpu_hour_usd"] == 2
        and as_argued.figures["api_output_price_per_mtok"] == 15
    )
    latest = evaluate_scenario(kb, "latest_2026")
    assert (
        latest.figures["gpu_hour_usd"] == 2.65 and latest.figures["api_output_price_per_mtok"] == 30
    )


def test_the_shipped_map_passes_check_strict(kb: KnowledgeBase) -> None:
    """No warning survives: inert arguments and unused evidence are marked with their reasons."""
    from engine.knowledge.lint import lint

    assert [str(w) for w in lint(kb)] == []
