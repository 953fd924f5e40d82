"""Explanations: each sub-derivation once, only the taken branch, bounded depth, any chain length."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import cli
from engine.evaluation.branches import taken_form
from engine.evaluation.evaluate import evaluate_scenario
from engine.evaluation.explain import explain_claim_tree
from engine.evaluation.explain_text import render_text
from engine.knowledge.loader import KnowledgeBase
from engine.knowledge.loader import load_knowledge_base as load_folder

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = ROOT / "claims"
LEMONADE = Path(__file__).parent / "examples" / "lemonade"
CENTRAL = "tokens_sold_at_loss"


@cache
def load_knowledge_base(folder: Path) -> KnowledgeBase:
    return load_folder(folder)


def explain(*args: str) -> str:
    result = CliRunner().invoke(cli, ["explain", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def written_out(out: str, calculator_id: str) -> int:
    """How many times a calculator's own derivation line (`id = formula ...`) is printed."""
    return sum(
        1
        for line in out.splitlines()
        if re.match(rf"\s*{calculator_id} = ", line) and f"(see {calculator_id} " not in line
    )


def test_central_claim_explains_in_at_most_80_lines() -> None:
    out = explain(CENTRAL, "--claims", str(CLAIMS))
    assert len(out.splitlines()) <= 80
    assert out.count(f"{CENTRAL} ") >= 1
    kb = load_knowledge_base(CLAIMS)
    for calculator_id in kb.calculators:
        assert written_out(out, calculator_id) <= 1, calculator_id


def test_full_writes_each_calculator_out_once_and_refers_back() -> None:
    out = explain(CENTRAL, "--claims", str(CLAIMS), "--full")
    kb = load_knowledge_base(CLAIMS)
    counts = {cid: written_out(out, cid) for cid in kb.calculators}
    assert max(counts.values()) == 1
    assert counts["company_gross_margin"] == 1
    # cost_of_revenue_usd (a figure) is used by many calculators: written once, referred to after.
    assert len(re.findall(r"^\s*cost_of_revenue_usd = 7\.5 GUSD \(OpenAI", out, re.M)) <= 1
    assert "see cost_of_revenue_usd above" in out or "see cost_of_revenue_usd below" in out


def test_each_node_is_written_out_once_in_the_model() -> None:
    kb = load_knowledge_base(CLAIMS)
    ev = evaluate_scenario(kb, "baseline")
    tree = explain_claim_tree(kb, ev, CENTRAL, None)
    full = Counter((step.kind, step.id) for step in tree.walk() if step.ref is None)
    assert max(full.values()) == 1
    refs = [step for step in tree.walk() if step.ref is not None]
    assert refs and all(not step.children for step in refs)
    # Every reference points at a node that is written out somewhere in the same tree.
    assert all((step.kind, step.id) in full for step in refs)


def test_depth_limits_the_levels_and_marks_what_is_hidden() -> None:
    kb = load_knowledge_base(CLAIMS)
    ev = evaluate_scenario(kb, "baseline")
    shallow = explain_claim_tree(kb, ev, CENTRAL, 1)
    assert max(step.level for step in shallow.walk()) == 1
    assert any(step.more for step in shallow.walk())
    deep = explain_claim_tree(kb, ev, CENTRAL, None)
    assert not any(step.more for step in deep.walk())
    assert sum(1 for _ in deep.walk()) > sum(1 for _ in shallow.walk())


@pytest.mark.parametrize(
    ("lens", "kept", "dropped"),
    [
        ("gross_margin", "cost_of_revenue_usd / revenue_usd", "marginal_cost_to_price_ratio"),
        ("marginal", "marginal_cost_to_price_ratio", "fully_loaded_cost_to_revenue"),
        ("fully_loaded", "fully_loaded_cost_to_revenue", "marginal_cost_to_price_ratio"),
    ],
)
def test_only_the_taken_branch_of_an_if_is_shown(lens: str, kept: str, dropped: str) -> None:
    kb = load_knowledge_base(CLAIMS)
    ev = evaluate_scenario(kb, None, [f"lens={lens}"])
    taken = taken_form(kb, ev, kb.calculators["break_even_price_multiple"].formula)
    assert kept in taken.text
    assert dropped not in taken.text and dropped not in taken.names
    assert "lens" in taken.names
    assert any(choice.startswith("lens == 'marginal' is ") for choice in taken.choices)


def test_explanation_wraps_to_the_width_without_splitting_words() -> None:
    kb = load_knowledge_base(CLAIMS)
    ev = evaluate_scenario(kb, "baseline")
    tree = explain_claim_tree(kb, ev, CENTRAL, 2)
    for width in (60, 80, 120):
        lines = render_text(tree, width)
        words = {
            word
            for step in tree.walk()
            if step.kind != "argument"
            for word in (step.id, step.value or "")
            if word
        }
        for line in lines:
            assert len(line) <= width or " " not in line.strip(), line
        text = " ".join(" ".join(lines).split())
        assert all(word in text for word in words)


def test_a_long_chain_explains_without_recursion_error(tmp_path: Path) -> None:
    n = 1500  # past Python's recursion limit (1,000 frames) whatever each level costs
    lines = ["claims:"]
    for i in range(n):
        lines += [f"  c{i}:", f"    text: Step {i} of the chain."]
        if i:
            lines.append(f"    supports: [c{i - 1}]")
        else:
            lines.append("    role: central")
    lines.append("    assumed: true")
    (tmp_path / "chain.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    kb = load_folder(tmp_path)
    ev = evaluate_scenario(kb)
    tree = explain_claim_tree(kb, ev, "c0", None)
    assert sum(1 for _ in tree.walk()) == 2 * n - 1
    lines = render_text(tree, 100)
    assert len(lines) >= n
    # Deep levels stop indenting and say how deep they are instead.
    assert max(len(line) for line in lines) <= 100
    assert any(line.lstrip().startswith(f"(level {n - 1}) ") for line in lines)


def test_a_cycle_of_attacks_ends_in_a_reference(tmp_path: Path) -> None:
    (tmp_path / "cycle.yaml").write_text(
        "claims:\n"
        "  a:\n    text: A.\n    role: central\n    attacks: [b]\n"
        "  b:\n    text: B.\n    attacks: [a]\n",
        encoding="utf-8",
    )
    out = explain("a", "--claims", str(tmp_path), "--full")
    assert "a ? undecided (see a above)" in out
