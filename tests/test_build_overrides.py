"""`crux build` and `crux serve` with `--set`, `--assume` and a scenario file.

A figure page once shadowed the list of overridden figures that every page's scenario bar joins,
so any `--set` stopped the build with a TypeError: these builds must succeed and say what changed.
"""

from __future__ import annotations

import http.client
import re
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from engine.cli import cli
from tests.conftest import EXAMPLES, REPO
from tests.site_helpers import read_page

LEMONADE = EXAMPLES / "lemonade"
SCENARIO_FILE = "label: Dear lemons\nset: {lemons_per_cup_usd: 2.5}\n"


def build(tmp_path: Path, *args: str) -> Path:
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", *args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def scenario_bar(page: Path) -> str:
    bars = read_page(page).find("div", class_="scenario-bar")
    assert bars, f"{page} has no scenario bar"
    return " ".join(bars[0].text.split())


def test_set_on_the_example_marks_the_figure_and_every_page(tmp_path: Path) -> None:
    out = build(tmp_path, str(LEMONADE), "--set", "stand_rent_per_day=120")
    figure = read_page(out / "figures" / "stand_rent_per_day.html")
    assert "120" in figure.find("p", class_="big-value")[0].text
    assert "set on the command line" in figure.text
    for page in ("index.html", "figures/cup_price.html", "claims/stand_is_thriving.html"):
        assert "overridden: stand_rent_per_day" in scenario_bar(out / page)


def test_assume_on_the_example_changes_the_label(tmp_path: Path) -> None:
    out = build(tmp_path, str(LEMONADE), "--assume", "rain_all_month=true")
    page = read_page(out / "claims" / "rain_all_month.html")
    assert page.find("span", class_="badge")[0].attrs["data-label"] == "holds"
    assert "overridden: rain_all_month" in scenario_bar(out / "index.html")


def test_scenario_file_on_the_example(tmp_path: Path) -> None:
    scenario = tmp_path / "dear.yaml"
    scenario.write_text(SCENARIO_FILE, encoding="utf-8")
    out = build(tmp_path, str(LEMONADE), "--scenario", str(scenario))
    assert "Dear lemons" in scenario_bar(out / "index.html")
    central = read_page(out / "claims" / "stand_sells_at_loss.html")
    assert central.find("span", class_="badge")[0].attrs["data-label"] == "holds"


def test_shipped_map_builds_with_set_assume_and_a_scenario_file(tmp_path: Path) -> None:
    scenario = tmp_path / "dear.yaml"
    scenario.write_text("label: Dear compute\nset: {gpu_hour_usd: 4}\n", encoding="utf-8")
    out = build(
        tmp_path,
        str(REPO / "claims"),
        "--scenario",
        str(scenario),
        "--set",
        "gpu_hour_usd=100",
        "--assume",
        "api_priced_above_serving_cost=false",
    )
    bar = scenario_bar(out / "figures" / "gpu_hour_usd.html")
    assert "Dear compute" in bar
    assert "overridden: api_priced_above_serving_cost, gpu_hour_usd" in bar
    assert (
        "100"
        in read_page(out / "figures" / "gpu_hour_usd.html").find("p", class_="big-value")[0].text
    )


def test_serve_with_set_serves_the_overridden_site(tmp_path: Path) -> None:
    out = tmp_path / "served"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "engine",
            "serve",
            str(LEMONADE),
            "-o",
            str(out),
            "--port",
            "0",
            "--set",
            "stand_rent_per_day=120",
            "--assume",
            "rain_all_month=true",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert found, (
            f"serve did not start: {line}{process.stdout.read() if process.poll() is not None else ''}"
        )
        connection = http.client.HTTPConnection("127.0.0.1", int(found.group(1)), timeout=10)
        connection.request("GET", "/figures/stand_rent_per_day.html")
        response = connection.getresponse()
        body = response.read().decode("utf-8")
        assert response.status == 200
        assert "overridden: rain_all_month, stand_rent_per_day" in " ".join(body.split())
    finally:
        process.terminate()
        deadline = time.monotonic() + 10
        while process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        if process.poll() is None:
            process.kill()
        process.wait()
