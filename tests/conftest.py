"""Shared fixtures: the example debates under tests/examples/, a private cache folder, node, and
the Hypothesis profiles."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from engine.knowledge.loader import KnowledgeBase, load_knowledge_base
from tests.node import require_node

# CI runs the property tests derandomised: the same examples on every run, so a red build is
# reproducible and a green one is not luck. Elsewhere each run explores new examples.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)

EXAMPLES = Path(__file__).parent / "examples"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def private_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every test, and every `crux` process a test starts, caches into a temporary folder,
    never into the developer's `~/.cache/crux`: set in the environment, which subprocesses
    inherit."""
    folder = tmp_path_factory.mktemp("crux-cache")
    before = os.environ.get("CRUX_CACHE_DIR")
    os.environ["CRUX_CACHE_DIR"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("CRUX_CACHE_DIR", None)
    else:
        os.environ["CRUX_CACHE_DIR"] = before


@pytest.fixture(scope="session")
def node() -> str:
    """The node executable (`tests.node.needs_node`): skip without it, but fail under CI."""
    return require_node()


@pytest.fixture(scope="session")
def lemonade() -> KnowledgeBase:
    return load_knowledge_base(EXAMPLES / "lemonade")


@pytest.fixture
def lemonade_copy(tmp_path: Path) -> Path:
    """A writable copy of the lemonade example, for tests that edit it."""
    target = tmp_path / "claims"
    shutil.copytree(EXAMPLES / "lemonade", target)
    return target


@pytest.fixture(scope="session")
def shipped_site_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped knowledge base built once for every test module that reads its site."""
    from engine.errors import CruxError
    from engine.site.build import build_site

    try:
        kb = load_knowledge_base(REPO / "claims")
    except CruxError as exc:
        pytest.skip(f"the shipped knowledge base does not load: {exc.summary()}")
    target = tmp_path_factory.mktemp("shipped-site-once") / "site"
    build_site(kb, target, jobs=1)
    return target


# One shared Chromium for the browser tests (tests/browser.py); skipped when none is installed.
from tests.browser import chromium_browser  # noqa: E402, F401
