"""Hostile and careless command lines: each is refused with its exact message and exit code.

The knowledge-base side of the same inputs lives in tests/bad_input/ (one folder per case).
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import cli
from tests.conftest import EXAMPLES

LEMONADE = str(EXAMPLES / "lemonade")
SUMMARY_USAGE = "1 error in the command line; nothing was changed.\n"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output
    assert "internal error" not in result.output
    return result.exit_code, result.stdout, result.stderr


def test_set_with_a_runaway_unit_exponent_is_refused() -> None:
    code, _, err = run("eval", LEMONADE, "--set", "cup_price=3 USD**9**9**9")
    assert code == 2
    assert err == (
        "--set: cup_price: expected unit exponents between -64 and 64, found 'USD**9**9**9'\n"
        + SUMMARY_USAGE
    )


def test_set_below_a_written_minimum_names_the_bound(tmp_path: Path) -> None:
    folder = tmp_path / "claims"
    folder.mkdir()
    (folder / "kb.yaml").write_text(
        "figures:\n  margin: {label: Margin, value: 5, unit: percent, minimum: -10}\n",
        encoding="utf-8",
    )
    code, _, err = run("eval", str(folder), "--set", "margin=-50")
    assert code == 2
    assert err == (
        "--set: margin: expected at least -10 percent (the figure's minimum), found -50\n"
        + SUMMARY_USAGE
    )
    assert run("eval", str(folder), "--set", "margin=-10")[0] == 0


def test_set_below_zero_on_a_positive_figure_agrees_with_the_panel() -> None:
    # The panel refuses "Must be at least 0 USD." for the same value (tests/test_whatif_model.py).
    code, _, err = run("eval", LEMONADE, "--set", "cup_price=-1")
    assert code == 2
    assert err == (
        "--set: cup_price: expected at least 0 USD (the figure is never negative), found -1\n"
        + SUMMARY_USAGE
    )


def test_scenario_bounds_are_the_panels_bounds(lemonade: object) -> None:
    from engine.knowledge.settings import setting_bounds
    from engine.site.whatif_model import figure_bounds

    kb = lemonade
    for figure in kb.figures.values():  # type: ignore[attr-defined]
        assert figure_bounds(figure) == setting_bounds(figure)


@pytest.mark.parametrize(
    ("content", "found"),
    [
        ("root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/bin/sh\n", "a text"),
        ("- label: a list\n- set: {}\n", "a list"),
        ("42\n", "a number"),
    ],
    ids=["passwd", "list", "number"],
)
def test_scenario_file_that_is_not_a_mapping_is_refused(
    tmp_path: Path, content: str, found: str
) -> None:
    scenario = tmp_path / "odd.yaml"
    scenario.write_text(content, encoding="utf-8")
    code, _, err = run("eval", LEMONADE, "--scenario", str(scenario))
    assert code == 1
    assert err == (
        f"{scenario}:1:1: expected a mapping with label/set/assume/expect, found {found}\n"
        "1 error in the scenario file; nothing was changed.\n"
    )


def test_diagram_into_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "dir" / "d.svg"
    code, _, err = run("diagram", "--claims", LEMONADE, "-o", str(target))
    assert code == 2
    assert err == (
        f"-o: cannot write '{target}': the folder '{target.parent}' does not exist "
        "(create it first)\n" + SUMMARY_USAGE
    )


def test_sensitivity_svg_onto_an_existing_file_says_so(tmp_path: Path) -> None:
    existing = tmp_path / "hostname"
    existing.write_text("box\n", encoding="utf-8")
    code, _, err = run("sensitivity", "--claims", LEMONADE, "--svg", str(existing))
    assert code == 2
    assert err == (
        f"--svg: expected a folder for the SVG tornadoes, found a file at '{existing}': "
        "choose another name\n" + SUMMARY_USAGE
    )
    assert existing.read_text(encoding="utf-8") == "box\n"


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("javascript:alert(1)//", "found a 'javascript:' URL"),
        ("JavaScript:alert(1)", "found a 'javascript:' URL"),
        ("data:text/html,<script>alert(1)</script>", "found a 'data:' URL"),
        ("java\tscript:alert(1)", "found control characters in 'java\\tscript:alert(1)'"),
        ("//evil.example/x", "found '//evil.example/x' (write https://evil.example/x)"),
        ("https:", "found a 'https:' URL"),
    ],
)
@pytest.mark.parametrize("verb", ["diagram", "build"])
def test_base_url_accepts_only_http_or_relative(
    tmp_path: Path, verb: str, url: str, why: str
) -> None:
    output = tmp_path / ("d.svg" if verb == "diagram" else "site")
    args = ["--claims", LEMONADE] if verb == "diagram" else [LEMONADE]
    code, _, err = run(verb, *args, "-o", str(output), "--base-url", url)
    assert code == 2
    assert err == f"--base-url: expected an http(s) URL or a relative path, {why}\n" + SUMMARY_USAGE
    assert not output.exists()


def test_base_url_is_escaped_in_the_diagram(tmp_path: Path) -> None:
    output = tmp_path / "d.dot"
    url = 'https://example.org/a b"c<d>/'
    code, _, _ = run(
        "diagram", "stand_sells_at_loss", "--claims", LEMONADE, "-o", str(output), "--base-url", url
    )
    assert code == 0
    dot = output.read_text(encoding="utf-8")
    assert 'URL="https://example.org/a%20b%22c%3Cd%3E/claims/stand_sells_at_loss.html"' in dot
    assert "<d>" not in dot


def test_build_into_the_folder_it_runs_in_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    assert run("build", LEMONADE, "-o", str(site))[0] == 0
    before = sorted(p.name for p in site.iterdir())
    monkeypatch.chdir(site)
    code, _, err = run("build", LEMONADE, "-o", ".")
    assert code == 2
    assert err == (
        "-o: expected a site folder outside the current folder, found '.', which holds it; "
        "the build swaps the whole folder, so run crux build from outside it\n" + SUMMARY_USAGE
    )
    assert sorted(p.name for p in site.iterdir()) == before
    assert not list(tmp_path.glob(".*building*"))


def test_build_onto_a_read_only_file_system_keeps_the_old_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    assert run("build", LEMONADE, "-o", str(site))[0] == 0
    index = (site / "index.html").read_bytes()

    def read_only(*args: object, **kwargs: object) -> str:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(tmp_path / ".site.building-x"))

    monkeypatch.setattr("engine.site.writer.tempfile.mkdtemp", read_only)
    code, _, err = run("build", LEMONADE, "-o", str(site))
    assert code == 2
    assert err == (
        f"-o: cannot write '{tmp_path / '.site.building-x'}': read-only file system\n"
        + SUMMARY_USAGE
    )
    assert (site / "index.html").read_bytes() == index
