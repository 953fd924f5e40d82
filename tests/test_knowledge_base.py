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
