"""Benchmark the analysis layer on the shipped knowledge base (a script, not a timed test).

Measures in one process, on ``claims/``:

* Monte Carlo: ``simulate`` with 1,000,000 samples end to end (sampling, every calculator and
  condition, labels of every claim). Goal: ≤ 2 s.
* The engine's vectorised evaluation of every calculator and condition on those samples, against
  hand-written numpy of the same formulas (below, written by reading ``claims/``) on the same
  arrays. Goal: engine ≤ 1.5 × hand-written. The hand-written results are checked against the
  engine's, so a formula edited in ``claims/`` without updating this file is reported.
* Tipping points of every claim under the default scenario (and each named scenario). Goal: ≤ 1 s.

    python bench/bench_analysis.py [--claims claims] [-n 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

from engine.analysis.flips import find_flips
from engine.analysis.sampling import sample_figures
from engine.analysis.simulate import simulate
from engine.evaluation.evaluate import evaluate_numbers
from engine.knowledge.loader import KnowledgeBase, load_knowledge_base
from engine.knowledge.scenario import resolve_scenario

Arrays = Mapping[str, np.ndarray]

# Unit factors the engine inlines, worked out by hand.
PER_HOUR_PER_SECOND_TO_PER_MTOK = 1e6 / 3600  # (USD/hour) / (token/second) → USD/Mtok
GB_PER_TB = 1e-3
PER_MTOK = 1e-6  # token × USD/Mtok → USD


def hand_written(f: Arrays) -> dict[str, np.ndarray]:
    """The shipped calculators and conditions in plain numpy, in declared units."""
    c: dict[str, np.ndarray] = {}
    revenue, cost_of_revenue, rd = f["revenue_usd"], f["cost_of_revenue_usd"], f["rd_usd"]
    sm, ga = f["sales_marketing_usd"], f["general_admin_usd"]
    c["company_gross_margin"] = (revenue - cost_of_revenue) / revenue
    c["company_total_costs_usd"] = cost_of_revenue + rd + sm + ga
    c["company_operating_margin"] = (revenue - c["company_total_costs_usd"]) / revenue
    c["decode_cost_floor_per_mtok"] = (
        f["gpu_hour_usd"]
        * f["decode_weight_gb_per_step"]
        * GB_PER_TB
        / f["hbm_bandwidth_per_gpu"]
        / f["decode_batch_tokens"]
        * PER_HOUR_PER_SECOND_TO_PER_MTOK
    )
    c["deepseek_daily_cost_usd"] = (
        f["deepseek_avg_nodes"]
        * f["deepseek_gpus_per_node"]
        * f["deepseek_hours_per_day"]
        * f["deepseek_gpu_hour_usd"]
    )
    hit = f["deepseek_cache_hit_share"]
    c["deepseek_daily_revenue_usd"] = PER_MTOK * (
        f["deepseek_input_tokens"] * hit * f["deepseek_price_cache_hit"]
        + f["deepseek_input_tokens"] * (1 - hit) * f["deepseek_price_cache_miss"]
        + f["deepseek_output_tokens"] * f["deepseek_price_output"]
    )
    ds_rev, ds_cost = c["deepseek_daily_revenue_usd"], c["deepseek_daily_cost_usd"]
    c["deepseek_cost_profit_margin"] = (ds_rev - ds_cost) / ds_cost
    c["deepseek_theoretical_gross_margin"] = (ds_rev - ds_cost) / ds_rev
    c["heavy_user_serving_cost_usd_per_month"] = (
        f["heavy_user_api_equivalent_usd_per_month"] * f["provider_cost_share_of_api_price"]
    )
    ratio = f["inference_to_training_ratio"]
    c["implied_training_compute_usd"] = np.minimum(cost_of_revenue / ratio, rd)
    c["openai_2024_inference_to_final_runs_ratio"] = (
        f["openai_2024_inference_compute_usd"] / f["openai_2024_final_training_runs_usd"]
    )
    c["openai_2024_inference_to_rd_compute_ratio"] = (
        f["openai_2024_inference_compute_usd"] / f["openai_2024_rd_compute_usd"]
    )
    c["openai_2025_cost_of_revenue_to_rd_ratio"] = cost_of_revenue / rd
    c["other_research_usd"] = rd - c["implied_training_compute_usd"]
    c["fully_loaded_cost_usd"] = (
        cost_of_revenue
        + f["count_training"] * c["implied_training_compute_usd"]
        + f["count_other_research"] * c["other_research_usd"]
        + f["count_sales_and_admin"] * (sm + ga)
    )
    c["fully_loaded_cost_to_revenue"] = c["fully_loaded_cost_usd"] / revenue
    c["fully_loaded_cost_per_mtok"] = (
        f["api_output_price_per_mtok"] * c["fully_loaded_cost_to_revenue"]
    )
    gpu, util = f["gpu_hour_usd"], f["gpu_utilization"]
    c["serving_cost_per_mtok_input"] = (
        gpu / (f["input_tokens_per_gpu_second"] * util) * PER_HOUR_PER_SECOND_TO_PER_MTOK
    )
    price_in, price_out = f["api_input_price_per_mtok"], f["api_output_price_per_mtok"]
    c["api_gross_margin_input"] = (price_in - c["serving_cost_per_mtok_input"]) / price_in
    c["serving_cost_per_mtok_output"] = (
        gpu / (f["output_tokens_per_gpu_second"] * util) * PER_HOUR_PER_SECOND_TO_PER_MTOK
    )
    c["amortised_training_cost_per_mtok_output"] = c["serving_cost_per_mtok_output"] / ratio
    c["api_gross_margin_output"] = (price_out - c["serving_cost_per_mtok_output"]) / price_out
    mix = f["input_tokens_per_output_token"]
    c["marginal_cost_to_price_ratio"] = (
        c["serving_cost_per_mtok_input"] * mix + c["serving_cost_per_mtok_output"]
    ) / (price_in * mix + price_out)
    lens = f["lens"]  # marginal, gross_margin, fully_loaded → 0, 1, 2
    c["break_even_price_multiple"] = np.where(
        lens == 0,
        c["marginal_cost_to_price_ratio"],
        np.where(lens == 1, cost_of_revenue / revenue, c["fully_loaded_cost_to_revenue"]),
    )
    plan = f["subscription_plan_price_usd_per_month"]
    c["subscription_margin"] = (plan - c["heavy_user_serving_cost_usd_per_month"]) / plan
    c["training_cost_to_revenue"] = c["implied_training_compute_usd"] / revenue
    c["gross_margin_after_training"] = c["company_gross_margin"] - c["training_cost_to_revenue"]
    c["training_share_of_token_cost"] = 1 / (1 + ratio)

    ratio_mc = c["marginal_cost_to_price_ratio"]
    conditions = {
        "ai_has_large_base_costs": rd > cost_of_revenue,
        "api_margins_80_percent_or_more": ratio_mc <= 0.2,
        "api_priced_above_serving_cost": ratio_mc < 1,
        "capex_and_rd_drive_losses": (rd > cost_of_revenue) & (rd > sm + ga),
        "claude_code_heavy_users_at_loss": c["subscription_margin"] < 0,
        "cost_is_all_costs": lens == 2,
        "cost_is_cost_of_revenue": lens == 1,
        "cost_is_marginal_compute": lens == 0,
        "deepseek_serving_profitable_at_list_prices": c["deepseek_cost_profit_margin"] > 0,
        "inference_gross_margin_negative": c["company_gross_margin"] < 0,
        "inference_gross_margin_positive": c["company_gross_margin"] > 0,
        "labs_lose_money_all_costs": c["fully_loaded_cost_to_revenue"] > 1,
        "labs_profitable_all_costs": c["fully_loaded_cost_to_revenue"] < 1,
        "prices_must_rise_orders_of_magnitude": np.maximum(ratio_mc, cost_of_revenue / revenue)
        >= 100,
        "tokens_sold_below_serving_cost": ratio_mc > 1,
        "training_amortisation_sinks_margin": c["gross_margin_after_training"] < 0,
        "training_not_main_loss_driver": c["gross_margin_after_training"] > 0,
        "training_ratio_10_to_1": ratio >= 10,
    }
    c.update({f"condition:{k}": v.astype(np.float64) for k, v in conditions.items()})
    return c


def best_of(repeat: int, function: Callable[[], object]) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def check_hand_written(
    kb: KnowledgeBase, engine: Mapping[str, np.ndarray], hand: Mapping[str, np.ndarray]
) -> list[str]:
    """Ids whose hand-written values differ from the engine's (or are missing)."""
    stale = []
    for key, values in engine.items():
        mine = hand.get(key)
        if mine is None or not np.allclose(values, mine, rtol=1e-9, atol=0, equal_nan=True):
            stale.append(key)
    return stale


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--claims", type=Path, default=Path("claims"))
    parser.add_argument("-n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    n = args.n

    kb = load_knowledge_base(args.claims)
    scenario = resolve_scenario(kb)
    print(
        f"knowledge base {args.claims}: {len(kb.figures)} figures, {len(kb.calculators)} calculators, "
        f"{len(kb.claims)} claims, {len(kb.arguments)} arguments"
    )
    simulate(kb, scenario, 1000, seed=0)  # compile once: a process start-up cost, not per run

    seconds, result = best_of(args.repeat, lambda: simulate(kb, scenario, n, seed=1))
    print(f"simulate, {n:,} samples end to end:   {seconds:6.3f} s   (goal ≤ 2 s)")

    rng = np.random.Generator(np.random.PCG64(1))
    figures = sample_figures(kb, scenario.settings, n, rng)

    def engine() -> dict[str, np.ndarray]:
        calculators, conditions = evaluate_numbers(kb, figures)
        return {**calculators, **{f"condition:{k}": v for k, v in conditions.items()}}

    # Interleaved, so that both sides run in the same state of the allocator and caches: timed
    # one after the other, whichever went second was up to a fifth faster.
    engine_seconds, hand_seconds = math.inf, math.inf
    engine_values, hand_values = engine(), hand_written(figures)  # warm-up, and the results
    for _ in range(args.repeat):
        engine_seconds = min(engine_seconds, best_of(1, engine)[0])
        hand_seconds = min(hand_seconds, best_of(1, lambda: hand_written(figures))[0])
    assert isinstance(engine_values, dict) and isinstance(hand_values, dict)
    stale = check_hand_written(kb, engine_values, hand_values)
    ratio = engine_seconds / hand_seconds
    print(f"engine evaluation of {len(engine_values)} formulas:   {engine_seconds:6.3f} s")
    print(f"hand-written numpy, same formulas:     {hand_seconds:6.3f} s")
    print(f"ratio engine / hand-written:           {ratio:6.2f}    (goal ≤ 1.5)")
    if stale:
        print(f"note: hand-written formulas disagree with claims/ for: {', '.join(stale)}")
        print("      (the bench's copy of the formulas is out of date; update hand_written())")

    find_flips(kb, scenario)  # warm sympy's caches once, like any second call in a process
    for name in [None, *kb.scenarios]:
        resolved = resolve_scenario(kb, name)
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            report = find_flips(kb, resolved)
            times.append(time.perf_counter() - start)
        count = sum(len(flips.crossings) for flips in report.claims.values())
        pairs = sum(len(flips.entries()) for flips in report.claims.values())
        print(
            f"tipping points, scenario {resolved.name:<22} {min(times):6.3f} s  "
            f"({len(report.claims)} claims, {pairs} claim×figure, {count} crossings; median "
            f"{statistics.median(times):.3f} s; goal ≤ 1 s)"
        )

    start = time.perf_counter()
    cold = find_flips(load_knowledge_base(args.claims), scenario)
    print(
        f"tipping points on a freshly loaded kb: {time.perf_counter() - start:6.3f} s "
        f"({sum(len(f.crossings) for f in cold.claims.values())} crossings)"
    )
    assert result is not None
    synthetic_site_analysis()


def synthetic_site_analysis() -> None:
    """The site's whole analysis of bench_engine's synthetic map (1,000 claims, 300 figures with
    ranges, 300 calculators, many with min/max): what a first `crux build` of such a map waits for."""
    import tempfile

    from synthetic import write_synthetic_kb

    from engine.site.analysis import _column_chances, _site_analysis
    from engine.site.model import site_model

    with tempfile.TemporaryDirectory() as tmp:
        kb = load_knowledge_base(write_synthetic_kb(Path(tmp) / "kb"))
    model = site_model(kb, None, (), ())
    start = time.perf_counter()
    analysis, _ = _site_analysis(model)
    _column_chances(model)
    crossings = sum(len(flips.crossings) for flips in analysis.flips.claims.values())
    print(
        f"site analysis of a synthetic map of {len(kb.claims):,} claims, {len(kb.figures)} figures: "
        f"{time.perf_counter() - start:6.2f} s ({crossings:,} crossings)"
    )


if __name__ == "__main__":
    main()
