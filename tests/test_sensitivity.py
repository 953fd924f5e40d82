"""Tornadoes: margins over each figure's range, label changes, and the static SVG."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.analysis.sensitivity import sensitivity
from engine.cli import cli
from engine.knowledge.loader import KnowledgeBase, load_knowledge_base
from engine.knowledge.scenario import resolve_scenario
from engine.site.tornado_svg import tornado_svg

TOY = Path(__file__).parent / "examples" / "analysis" / "toy"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def toy() -> KnowledgeBase:
    return load_knowledge_base(TOY)


def test_margin_of_a_comparison_in_its_unit(toy: KnowledgeBase) -> None:
    tornado = sensitivity(toy, resolve_scenario(toy))["profitable"]
    assert tornado.comparison == "daily_profit > 0"
    assert tornado.margin_unit == "USD/day"
    assert tornado.margin_now == pytest.approx(-10)
    volume = next(bar for bar in tornado.bars if bar.figure == "volume")
    # daily_profit = volume × (4 − 2) − 30 over volume ∈ [5, 20]
    assert (volume.margin_low, volume.margin_high) == (pytest.approx(-20), pytest.approx(10))
    assert volume.crossings == (pytest.approx(15),) and volume.flips
    assert (volume.label_low, volume.label_high) == ("fails", "holds")
    assert tornado.not_swept == ("fixed_cost", "include_fixed")


def test_bars_are_ranked_by_swing(toy: KnowledgeBase) -> None:
    tornado = sensitivity(toy, resolve_scenario(toy))["profitable"]
    swings = [bar.swing for bar in tornado.bars]
    assert swings == sorted(swings, reverse=True)
    assert [bar.figure for bar in tornado.bars][
        -1
    ] == "price"  # 20 USD/day, against 30 for the others


def test_less_than_margin_is_positive_when_it_holds(toy: KnowledgeBase) -> None:
    tornado = sensitivity(toy, resolve_scenario(toy))["between_roots"]
    assert tornado.comparison == "quad < 0"
    assert tornado.margin_now == pytest.approx(0.25)  # -(1.5² - 4.5 + 2)
    [bar] = tornado.bars
    assert bar.margin_max == pytest.approx(0.25) and not bar.flips


def test_and_picks_the_comparison_with_least_relative_slack(toy: KnowledgeBase) -> None:
    tornado = sensitivity(toy, resolve_scenario(toy))["both"]
    # margin 2 vs floor 1 (relative 1/3) against volume 10 vs floor 8 (relative 1/9)
    assert tornado.comparison == "volume > volume_floor"
    assert tornado.margin_unit == "Mtok/day"
    cost = next(bar for bar in tornado.bars if bar.figure == "cost")
    assert cost.flips and cost.crossings == (pytest.approx(3.0),)


def test_claims_decided_by_arguments_show_labels(toy: KnowledgeBase) -> None:
    tornado = sensitivity(toy, resolve_scenario(toy, "no_fixed"))["viable"]
    assert tornado.comparison is None and tornado.margin_now is None
    assert tornado.bars[0].flips  # figures that flip the label come first
    cost = next(bar for bar in tornado.bars if bar.figure == "cost")
    assert (cost.label_low, cost.label_high) == ("holds", "fails")


def test_lemonade_tornado(lemonade: KnowledgeBase) -> None:
    tornado = sensitivity(lemonade, resolve_scenario(lemonade, "everything_counted"))[
        "stand_sells_at_loss"
    ]
    assert tornado.comparison == "cost_per_cup > cup_price" and tornado.margin_unit == "USD"
    assert tornado.bars[0].figure == "cups_per_day"
    assert tornado.bars[0].crossings == (pytest.approx(50 / 1.4),)


def test_svg_is_static_readable_and_deterministic(toy: KnowledgeBase) -> None:
    tornadoes = sensitivity(toy, resolve_scenario(toy))
    for tornado in tornadoes.values():
        text = tornado_svg(tornado)
        assert text == tornado_svg(tornado)
        root = ET.fromstring(text)
        assert root.tag == f"{SVG}svg"
        assert root.find(f"{SVG}title") is not None
        assert not list(root.iter(f"{SVG}script"))
        assert "href" not in text and "http://" not in text.replace(
            "http://www.w3.org/2000/svg", ""
        )
        texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
        assert tornado.claim in texts
        for bar in tornado.bars:
            assert bar.figure in texts
        panel = root.find(f"{SVG}rect")
        assert panel is not None and panel.get("fill") == "#ffffff"  # readable on dark pages


def test_cli_sensitivity_json_and_svg(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "sensitivity",
            "profitable",
            "--claims",
            str(TOY),
            "--format",
            "json",
            "--svg",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert list(data) == ["profitable"]
    assert data["profitable"]["bars"][0]["figure"] in {"cost", "volume"}
    assert (tmp_path / "profitable.svg").read_text().startswith("<svg")
    table = runner.invoke(cli, ["sensitivity", "--claims", str(TOY)])
    assert table.exit_code == 0 and "daily_profit > 0" in table.output
