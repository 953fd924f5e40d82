"""crux: quantified argument maps.

The Python API (documented in `engine.api` and docs/python-api.md)::

    from engine import load
    kb = load("claims")
    result = kb.evaluate(scenario="baseline", set={"some_figure": 2.5})
    result.label("some_claim"), result.value("some_calculator"), result.explain("some_claim")
    kb.diagram("some_claim", depth=2)

`import engine` stays light: `load` imports the engine only when called.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.api import KnowledgeBase

__version__ = "0.1.0"
__all__ = ["__version__", "load"]


def load(folder: str | os.PathLike[str] = "claims") -> KnowledgeBase:
    """Load and check a claims folder (see `engine.api.load`)."""
    from engine.api import load as load_folder

    return load_folder(folder)
