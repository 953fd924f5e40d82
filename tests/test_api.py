"""The Python API: its doctests, and how its objects display in a notebook."""

from __future__ import annotations

import doctest
import math
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import engine
import engine.api
from engine import load

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def at_repository_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def test_the_api_doctests_pass() -> None:
    for module in (engine.api, engine):
        failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert failures == 0
    assert doctest.testmod(engine.api).attempted >= 8


def test_load_evaluate_label_value_explain_on_the_shipped_map() -> None:
    kb = load("claims")
    central = kb.central_claim
    assert central is not None
    result = kb.evaluate(scenario="baseline", set={"gpu_hour_usd": 3.0})
    assert result.scenario == "baseline"
    assert result.label(central) in ("holds", "fails", "undecided")
    assert result.value("gpu_hour_usd") == 3.0
    assert not math.isnan(result.value("marginal_cost_to_price_ratio"))
    explanation = str(result.explain(central))
    assert explanation.startswith(f"{central} ")
    assert len(explanation.splitlines()) <= 80
    with pytest.raises(KeyError, match="did you mean 'gpu_hour_usd'"):
        result.value("gpu_hour_use")


def test_a_notebook_shows_diagrams_and_results_inline() -> None:
    kb = load("claims")
    picture = kb.diagram(kb.central_claim, depth=2)
    svg = picture._repr_svg_()
    root = ET.fromstring(svg.split("?>", 1)[1])
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert int(root.get("width", "0")) == picture.width <= 1400
    title = root.find("{http://www.w3.org/2000/svg}title")
    assert title is not None and kb.kb.claims[kb.central_claim or ""].text.rstrip(".") in (
        title.text or ""
    )
    html = kb.evaluate()._repr_html_()
    assert "<table>" in html and "Scenario: baseline" in html
    assert "<pre>" in kb.evaluate().explain(kb.central_claim or "")._repr_html_()


def test_diagram_save_writes_svg_and_png(tmp_path: Path) -> None:
    picture = load("tests/examples/lemonade").diagram("stand_is_thriving", width=600)
    assert picture.save(tmp_path / "x.svg").read_text(encoding="utf-8") == picture.svg
    png = picture.save(tmp_path / "x.png", scale=2).read_bytes()
    assert png.startswith(b"\x89PNG")
    with pytest.raises(ValueError, match=r"\.svg or \.png"):
        picture.save(tmp_path / "x.gif")


def test_import_engine_stays_light() -> None:
    code = "import sys, engine; print(','.join(m for m in ('numpy', 'sympy', 'pydantic') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
