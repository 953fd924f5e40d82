"""Shared fixtures: the example debates under tests/examples/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.knowledge.loader import KnowledgeBase, load_knowledge_base

EXAMPLES = Path(__file__).parent / "examples"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def lemonade() -> KnowledgeBase:
    return load_knowledge_base(EXAMPLES / "lemonade")


@pytest.fixture
def lemonade_copy(tmp_path: Path) -> Path:
    """A writable copy of the lemonade example, for tests that edit it."""
    target = tmp_path / "claims"
    shutil.copytree(EXAMPLES / "lemonade", target)
    return target


# One shared Chromium for the browser tests (tests/browser.py); skipped when none is installed.
from tests.browser import chromium_browser  # noqa: E402, F401
