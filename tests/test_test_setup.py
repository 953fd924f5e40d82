"""The test suite's own guarantees: a private cache, node in CI, derandomised CI runs, and
JavaScript that parses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

from tests.node import NODE, needs_node, require_node

STATIC = Path(__file__).resolve().parent.parent / "templates" / "static"
SCRIPTS = sorted(STATIC.rglob("*.js"))

CACHE_DIR_SOURCE = """
try:
    from engine.site.cache import cache_dir
except ImportError:
    from engine.site.graphviz_render import cache_dir
print(cache_dir())
"""


def test_tests_cache_into_a_temporary_folder(private_cache_dir: Path) -> None:
    home_cache = Path.home() / ".cache" / "crux"
    assert os.environ["CRUX_CACHE_DIR"] == str(private_cache_dir)
    assert not private_cache_dir.resolve().is_relative_to(home_cache.resolve())
    # A `crux` process started by a test inherits it.
    done = subprocess.run(
        [sys.executable, "-c", CACHE_DIR_SOURCE], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == str(private_cache_dir)


def test_without_node_the_javascript_tests_skip_but_fail_in_ci(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="node is not installed"):
        require_node(None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must run the JavaScript tests"):
        require_node(None)
    assert require_node("/usr/bin/node") == "/usr/bin/node"


def test_ci_runs_property_tests_derandomised() -> None:
    assert settings.get_profile("ci").derandomize
    if os.environ.get("CI") and not os.environ.get("HYPOTHESIS_PROFILE"):
        assert settings.default.derandomize


def test_every_static_script_is_checked() -> None:
    assert {path.name for path in SCRIPTS} >= {"crux-runtime.js", "crux-semantics.js"}


@needs_node
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.relative_to(STATIC).as_posix())
def test_static_script_parses(script: Path) -> None:
    assert NODE is not None
    done = subprocess.run([NODE, "--check", str(script)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
