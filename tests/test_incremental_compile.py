"""An edited knowledge base reuses the formulas the edit did not touch (engine.site.formula_cache),
and what it prints and draws is exactly what a load with an empty cache gives."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import cli
from engine.site import cache
from tests.conftest import REPO

CLAIM = "tokens_sold_at_loss"
PRICE = "claims/figures/subscriptions.yaml"
"""Declares `subscription_plan_price_usd_per_month` (200 USD/month), read by the formulas of
`subscription_margin` and `claude_code_average_user_margin` in CLAIM's neighbourhood."""
MARGIN = "claims/calculators.yaml"


def _replace(folder: Path, relative: str, old: str, new: str, after: str = "") -> None:
    """Replace ``old`` (once, and after the line ``after`` when given) in one file of the copy."""
    path = folder / relative.removeprefix("claims/")
    text = path.read_text(encoding="utf-8")
    start = text.index(after) if after else 0
    assert text.count(old, start) >= 1 and (after or text.count(old) == 1), f"{old!r} in {path}"
    at = text.index(old, start)
    path.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")


def edit_claim_text(folder: Path) -> None:
    path = folder / "debate" / "claims.yaml"
    if not path.exists():
        path = next(p for p in folder.rglob("*.yaml") if f"  {CLAIM}:\n" in p.read_text())
    text = path.read_text(encoding="utf-8")
    start = text.index(f"  {CLAIM}:\n")
    line = text.index("text: ", start)
    end = text.index("\n", line)
    path.write_text(text[:end] + " (edited)" + text[end:], encoding="utf-8")


def edit_figure_value(folder: Path) -> None:
    _replace(
        folder,
        PRICE,
        "    value: 200\n    unit: USD/month\n",
        "    value: 400\n    unit: USD/month\n",
        after="  subscription_plan_price_usd_per_month:\n",
    )


def edit_formula(folder: Path) -> None:
    _replace(
        folder,
        MARGIN,
        "    formula: (subscription_plan_price_usd_per_month - heavy_user_serving_cost_usd_per_month) "
        "/ subscription_plan_price_usd_per_month\n",
        "    formula: 1 - heavy_user_serving_cost_usd_per_month / (2 * "
        "subscription_plan_price_usd_per_month)\n",
    )


def edit_unit(folder: Path) -> None:
    # The same number in another unit of the same dimension: every formula reading the price
    # converts differently, so a formula reused across this edit would print wrong numbers.
    _replace(
        folder,
        PRICE,
        "    value: 200\n    unit: USD/month\n",
        "    value: 200\n    unit: USD/week\n",
        after="  subscription_plan_price_usd_per_month:\n",
    )


EDITS: dict[str, Callable[[Path], None]] = {
    "claim text": edit_claim_text,
    "figure value": edit_figure_value,
    "formula": edit_formula,
    "unit": edit_unit,
}


@pytest.fixture
def claims_copy(tmp_path: Path) -> Path:
    target = tmp_path / "claims"
    shutil.copytree(REPO / "claims", target)
    return target


def _outputs(
    claims: Path, cache_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, bytes]:
    """`crux eval --format json` and the SVG of `crux diagram CLAIM`, with this cache folder."""
    monkeypatch.setenv("CRUX_CACHE_DIR", str(cache_folder))
    runner = CliRunner()
    evaluated = runner.invoke(cli, ["eval", str(claims), "--format", "json"])
    assert evaluated.exit_code == 0, evaluated.output
    svg = claims.parent / "diagram.svg"
    drawn = runner.invoke(cli, ["diagram", CLAIM, "--claims", str(claims), "-o", str(svg)])
    assert drawn.exit_code == 0, drawn.output
    return evaluated.stdout, svg.read_bytes()


def _formula_entries(cache_folder: Path) -> set[str]:
    return {p.name for p in (cache_folder / "formulas").glob("*.pickle")}


@pytest.mark.parametrize("edit", EDITS, ids=list(EDITS))
def test_an_edit_loads_incrementally_and_prints_and_draws_what_an_empty_cache_gives(
    edit: str, claims_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warm = tmp_path / "warm-cache"
    before = _outputs(claims_copy, warm, monkeypatch)
    kept = _formula_entries(warm)
    assert len(kept) > 20, "the first load keeps every formula compiled"

    EDITS[edit](claims_copy)
    incremental = _outputs(claims_copy, warm, monkeypatch)
    fresh = _outputs(claims_copy, tmp_path / "empty-cache", monkeypatch)

    assert incremental[0] == fresh[0], "crux eval --format json differs from a fresh compile"
    assert incremental[1] == fresh[1], "the diagram differs from a fresh compile's"
    assert incremental != before, "the edit shows"
    added = _formula_entries(warm) - kept
    if edit in ("claim text", "figure value"):
        assert added == set(), "no formula was compiled again"
    else:
        # The edited formula (or those reading the figure whose unit changed) and what uses
        # them were compiled again; the rest was reused.
        assert 0 < len(added) < len(kept) // 2


def test_what_an_edit_recompiles_shows_in_the_numbers(
    claims_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warm = tmp_path / "cache"
    monkeypatch.setenv("CRUX_CACHE_DIR", str(warm))

    def margin() -> float:
        result = CliRunner().invoke(cli, ["eval", str(claims_copy), "--format", "json"])
        assert result.exit_code == 0, result.output
        return float(json.loads(result.stdout)["calculators"]["subscription_margin"]["value"])

    assert margin() == pytest.approx(-9.0)
    edit_unit(claims_copy)  # 200 USD a week is about 869 a month: the heavy user still loses money
    assert margin() == pytest.approx(1 - 2000 / (200 * 52.1775 / 12), rel=1e-3)
    edit_formula(claims_copy)
    assert margin() == pytest.approx(1 - 2000 / (2 * 200 * 52.1775 / 12), rel=1e-3)


def test_an_edited_claim_text_imports_neither_sympy_nor_pint(
    claims_copy: Path, tmp_path: Path
) -> None:
    env = {**os.environ, "CRUX_CACHE_DIR": str(tmp_path / "cache")}
    svg = str(tmp_path / "x.svg")
    verbs = [
        ["eval", str(claims_copy), "--format", "json"],
        ["diagram", CLAIM, "--claims", str(claims_copy), "-o", svg],
    ]
    script = textwrap.dedent(
        f"""
        import json, sys
        from click.testing import CliRunner
        from engine.cli import cli
        for words in {verbs!r}:
            result = CliRunner().invoke(cli, words)
            assert result.exit_code == 0, (words, result.output)
        print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("sympy", "pint")
                                or m == "engine.formula.compiled")))
        """
    )

    def modules() -> list[str]:
        result = subprocess.run(
            [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        loaded: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
        return loaded

    assert "sympy" in modules(), "the first load compiles"
    edit_claim_text(claims_copy)
    assert modules() == []
    assert "(edited)" in Path(svg).read_text(encoding="utf-8")
    edit_figure_value(claims_copy)
    assert modules() == []


def test_a_damaged_or_mismatched_formula_entry_is_compiled_again(
    claims_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warm = tmp_path / "cache"
    _outputs(claims_copy, warm, monkeypatch)
    first, second, *_ = sorted((warm / "formulas").glob("*.pickle"))
    good = first.read_bytes()
    first.write_bytes(good[: len(good) // 2] + b"\0garbage" + good[len(good) // 2 + 8 :])
    # A sealed entry under another entry's name: its seal is good, its key is not this one's.
    second.write_bytes(good)
    assert cache.read_sealed(first) is None

    edit_claim_text(claims_copy)
    incremental = _outputs(claims_copy, warm, monkeypatch)
    assert incremental == _outputs(claims_copy, tmp_path / "empty-cache", monkeypatch)
    monkeypatch.setenv("CRUX_CACHE_DIR", str(warm))  # whose secret seals its entries
    assert cache.read_sealed(first) is not None, "the damaged entry was written again"
    assert second.read_bytes() != good, "the mismatched entry was written again"
