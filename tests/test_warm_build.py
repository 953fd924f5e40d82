"""A warm `crux build` (files unchanged since the last build) needs none of sympy, pint, scipy,
pydantic and PyYAML, and writes the same bytes as the cold one.

Formulas' MathML and JavaScript are stored with the cached model by the first build
(`engine.site.formula_products`), the analysis comes from its own cache, and the analysis
cache's fingerprint reads library versions from package metadata.
"""

from __future__ import annotations

import filecmp
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_BUILD_AND_REPORT = """
import json, sys
from click.testing import CliRunner
from engine.cli import cli
result = CliRunner().invoke(cli, ["build", sys.argv[1], "-o", sys.argv[2]])
heavy = sorted(m for m in ("sympy", "pint", "scipy", "pydantic", "yaml") if m in sys.modules)
print(json.dumps({"code": result.exit_code, "output": result.output, "heavy": heavy}))
"""


def build(claims: Path, site: Path, cache: Path) -> dict[str, object]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CRUX_CACHE_DIR": str(cache),
        "SOURCE_DATE_EPOCH": "1700000000",
    }
    done = subprocess.run(
        [sys.executable, "-c", _BUILD_AND_REPORT, str(claims), str(site)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["code"] == 0, report["output"]
    return report


def same_tree(left: Path, right: Path) -> bool:
    comparison = filecmp.dircmp(left, right)
    stack = [comparison]
    while stack:
        current = stack.pop()
        if current.left_only or current.right_only or current.funny_files:
            return False
        _, mismatch, errors = filecmp.cmpfiles(
            current.left, current.right, current.common_files, shallow=False
        )
        if mismatch or errors:
            return False
        stack.extend(current.subdirs.values())
    return True


def test_a_warm_build_imports_none_of_the_loaders_libraries_and_writes_the_same_site(
    lemonade_copy: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    cold = build(lemonade_copy, tmp_path / "cold", cache)
    # The first build reads YAML, validates, compiles every formula.
    assert {"pint", "pydantic", "sympy", "yaml"} <= set(cold["heavy"])
    warm = build(lemonade_copy, tmp_path / "warm", cache)
    assert warm["heavy"] == []  # nor pydantic: the cached items are records
    assert same_tree(tmp_path / "cold", tmp_path / "warm")


def test_an_edited_file_builds_with_sympy_again_and_shows_the_edit(
    lemonade_copy: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    build(lemonade_copy, tmp_path / "site", cache)
    model = lemonade_copy / "model.yaml"
    model.write_text(
        model.read_text(encoding="utf-8").replace(
            "formula: stand_rent_per_day / cups_per_day",
            "formula: 2 * stand_rent_per_day / cups_per_day",
        ),
        encoding="utf-8",
    )
    again = build(lemonade_copy, tmp_path / "site", cache)
    assert {"pint", "sympy"} <= set(again["heavy"])
    page = (tmp_path / "site" / "calculators" / "rent_per_cup.html").read_text(encoding="utf-8")
    assert "<mn>2</mn>" in page  # the MathML was made afresh from the edited formula
