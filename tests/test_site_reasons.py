"""What the reader's site says about arguments and sensitivity, read from the built shipped site."""

from __future__ import annotations

from pathlib import Path

from engine.evaluation.evaluate import evaluate_scenario
from engine.knowledge.loader import load_knowledge_base
from tests.conftest import REPO
from tests.site_helpers import read_page


def test_shorthand_argument_pages_are_titled_from_the_premises_text(
    shipped_site_once: Path,
) -> None:
    kb = load_knowledge_base(REPO / "claims")
    for claim_id, claim in sorted(kb.claims.items()):
        for target in claim.supports:
            page = read_page(shipped_site_once / "arguments" / f"{claim_id}_supports_{target}.html")
            assert page.find("h1")[0].text.strip() == claim.text
            assert f"{claim_id}_supports_{target}" not in page.find("h1")[0].text


def test_an_argument_that_applies_while_its_conclusion_fails_says_it_was_outweighed(
    shipped_site_once: Path,
) -> None:
    kb = load_knowledge_base(REPO / "claims")
    ev = evaluate_scenario(kb, "baseline")
    outweighed = [
        arg_id
        for arg_id, arg in sorted(kb.arguments.items())
        if arg.stance == "pro"
        and arg.conclusion
        and ev.arguments[arg_id] == "holds"
        and ev.claims[arg.conclusion] == "fails"
        # decided by its arguments, not fixed by numbers or an assumption
        and kb.claims[arg.conclusion].holds_when is None
        and kb.claims[arg.conclusion].assumed is None
    ]
    assert outweighed, "the shipped map has a supporting argument that applies but loses"
    for arg_id in outweighed:
        text = " ".join(read_page(shipped_site_once / "arguments" / f"{arg_id}.html").text.split())
        assert "outweighed" in text, arg_id


def test_sensitivity_lists_what_flips_the_central_claim_and_says_no_effect(
    shipped_site_once: Path,
) -> None:
    text = " ".join(read_page(shipped_site_once / "sensitivity.html").text.split())
    assert "What flips it" in text
    assert "distance to the threshold" in text
    assert "no effect" in text.lower()
    # The central claim flips when revenue falls below cost of revenue (a figure, tested by the
    # knowledge-base tests), and under the fully-loaded lens option.
    central = text[text.find("AI labs sell their tokens") :]
    assert "revenue_usd" in central and "fully_loaded" in central
