"""Node.js for the tests that run the site's JavaScript: skipped with a reason on a developer's
machine without it, a failure in CI (`CI` set), where skipping would hide a broken browser port."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import Any

import pytest

NODE = shutil.which("node")
REASON = "node is not installed, so the site's JavaScript cannot be run (install Node.js)"


def require_node(node: str | None = NODE) -> str:
    """The node executable; otherwise fail under CI and skip elsewhere."""
    if node is not None:
        return node
    if os.environ.get("CI"):
        pytest.fail(f"{REASON}; CI must run the JavaScript tests", pytrace=False)
    pytest.skip(REASON)


needs_node = pytest.mark.usefixtures("node")
"""Mark a test (or a module, as `pytestmark`) that runs JavaScript in node."""


def run_json(script: str, cases: Any, timeout: float = 120) -> Any:
    """Run `script` in node with `cases` as JSON on stdin; what it prints, parsed as JSON."""
    assert NODE is not None
    done = subprocess.run(
        [NODE, "-e", script],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=True,
        timeout=timeout,
    )
    return json.loads(done.stdout)
