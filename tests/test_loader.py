from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import CruxError
from engine.knowledge.loader import KnowledgeBase, load_knowledge_base


def test_shorthand_supports_and_attacks_become_arguments(lemonade: KnowledgeBase) -> None:
    arg = lemonade.arguments["margin_is_healthy_supports_stand_is_thriving"]
    assert arg.premises == ("margin_is_healthy",)
    assert arg.conclusion == "stand_is_thriving"
    assert arg.stance == "pro"
    assert lemonade.arguments["bus_stop_moved_attacks_queue_was_for_the_bus"].stance == "con"


def test_calculators_are_ordered_by_dependency(lemonade: KnowledgeBase) -> None:
    order = lemonade.calculator_order
    assert order.index("rent_per_cup") < order.index("cost_per_cup") < order.index("margin_per_cup")


def test_graph_has_every_kind_of_edge(lemonade: KnowledgeBase) -> None:
    g = lemonade.graph
    assert g.edges["stand_rent_per_day", "rent_per_cup"]["relation"] == "input"
    assert g.edges["cost_per_cup", "stand_sells_at_loss"]["relation"] == "decides"
    assert (
        g.edges["queue_every_day", "queue_every_day_supports_stand_is_thriving"]["relation"]
        == "premise"
    )
    assert g.edges["rain_ruins_trade", "stand_is_thriving"]["relation"] == "con"
    assert (
        g.edges["queue_means_nothing", "queue_every_day_supports_stand_is_thriving"]["relation"]
        == "undercuts"
    )
    assert g.edges["stand_ledger", "cup_price"]["relation"] == "cites"


def test_central_claim(lemonade: KnowledgeBase) -> None:
    assert lemonade.central_claim == "stand_sells_at_loss"


def test_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CruxError) as caught:
        load_knowledge_base(tmp_path / "nope")
    assert "expected a claims folder" in str(caught.value)


def test_empty_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CruxError, match="expected YAML files, found none"):
        load_knowledge_base(tmp_path)


def test_errors_from_several_files_come_together(lemonade_copy: Path) -> None:
    (lemonade_copy / "extra.yaml").write_text("figures:\n  cup_price: {label: Again, value: 1}\n")
    (lemonade_copy / "more.yaml").write_text("claims:\n  x: {text: X, supports: [nowhere]}\n")
    with pytest.raises(CruxError) as caught:
        load_knowledge_base(lemonade_copy)
    messages = [p.message for p in caught.value.problems]
    assert any("duplicate id 'cup_price'" in m for m in messages)
    assert any("unknown claim 'nowhere'" in m for m in messages)


def test_quote_longer_than_25_words_is_refused(lemonade_copy: Path) -> None:
    long_quote = " ".join(["word"] * 26)
    (lemonade_copy / "extra.yaml").write_text(
        f"figures:\n  f:\n    label: F\n    value: 1\n    sources:\n      - source: stand_ledger\n        quote: {long_quote}\n"
    )
    with pytest.raises(CruxError, match="at most 25 words, found 26"):
        load_knowledge_base(lemonade_copy)


def test_lognormal_needs_positive_bounds(lemonade_copy: Path) -> None:
    (lemonade_copy / "extra.yaml").write_text(
        "figures:\n  f: {label: F, value: 1, range: [0, 2], distribution: lognormal}\n"
    )
    with pytest.raises(CruxError, match="lognormal range needs positive bounds"):
        load_knowledge_base(lemonade_copy)
