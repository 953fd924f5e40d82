"""Start-up: help pages import nothing heavy, and an unchanged knowledge base loads warm."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from engine.cli import COMMANDS
from engine.commands import diagram
from engine.site import diagram as site_diagram
from tests.conftest import REPO

HEAVY = ("sympy", "pint", "numpy", "scipy", "networkx", "pydantic", "jinja2", "rich", "yaml")


def modules_after(script: str) -> list[str]:
    """The heavy top-level packages a fresh interpreter has imported after running `script`."""
    probe = textwrap.dedent(script) + textwrap.dedent(
        f"""
        import json, sys
        heavy = {HEAVY!r}
        print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}} & set(heavy))))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True
    )
    loaded: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


def test_help_pages_import_nothing_heavy() -> None:
    verbs = [[], *([verb] for verb in sorted(COMMANDS)), ["cache", "info"], ["--version"]]
    script = f"""
        from click.testing import CliRunner
        from engine.cli import cli
        for words in {verbs!r}:
            args = words if words == ["--version"] else [*words, "--help"]
            result = CliRunner().invoke(cli, args)
            assert result.exit_code == 0, (words, result.output)
            assert "Usage:" in result.output or "version" in result.output, words
    """
    assert modules_after(script) == []


def test_the_diagram_depth_default_is_the_engines() -> None:
    # Written out in the command so that `crux diagram --help` need not import the site.
    assert diagram.DEFAULT_DEPTH == site_diagram.DEFAULT_DEPTH
