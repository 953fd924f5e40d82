"""A site built from another knowledge base reads as its own: no word of the shipped debate.

The engine and the templates must not carry the shipped map's wording (its examples, its
speakers' turns, its units in placeholders): every page, script, style and diagram of the
lemonade site, of a second, unrelated knowledge base (`tests/examples/library/`) and of the
second shipped example (`examples/hong_kong_ev/`, a real debate from another field) is searched.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, REPO
from tests.site_helpers import build

# Words only the shipped debate uses; case-insensitive, whole words.
SHIPPED_WORDS = (
    "token",
    "tokens",
    "GPU",
    "GPUs",
    "Mtok",
    "OpenAI",
    "Anthropic",
    "DeepSeek",
    "Claude",
    "AI labs?",
    "inference",
    "gross_margin",
    "fully_loaded",
    "gpu_hour_usd",
    "turn [0-9]+",
    "subscribers?",
)
PATTERN = re.compile(r"\b(" + "|".join(SHIPPED_WORDS) + r")\b", re.IGNORECASE)


KNOWLEDGE_BASES = {
    "lemonade": EXAMPLES / "lemonade",
    "library": EXAMPLES / "library",
    "hong_kong_ev": REPO / "examples" / "hong_kong_ev" / "claims",
}


@pytest.fixture(scope="module", params=sorted(KNOWLEDGE_BASES))
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(KNOWLEDGE_BASES[request.param], tmp_path_factory.mktemp(request.param) / "site")


def test_no_page_script_or_diagram_uses_the_shipped_debates_words(site: Path) -> None:
    files = [p for p in sorted(site.rglob("*")) if p.suffix in (".html", ".js", ".css", ".svg")]
    assert len([p for p in files if p.suffix == ".html"]) > 10
    found = []
    for path in files:
        for match in PATTERN.finditer(path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(site)}: {match.group(0)!r}")
    assert found == []


def test_the_second_knowledge_base_reads_as_its_own(site: Path) -> None:
    index = (site / "index.html").read_text(encoding="utf-8")
    if "library" in str(site):
        assert "Should the village library open on Sundays?" in index
        patterns = (site / "patterns.html").read_text(encoding="utf-8")
        assert "Sunday is the one day families are free." in patterns
        assert "— the librarian" in patterns
    if "hong_kong_ev" in str(site):
        assert "Is an electric car greener than a petrol car in Hong Kong?" in index
        central = (site / "claims" / "ev_greener_in_hong_kong.html").read_text(encoding="utf-8")
        assert "even when powered by dirty coal" in central
        bernstein = (site / "claims" / "ev_lifetime_higher.html").read_text(encoding="utf-8")
        assert "Neil Beveridge (Bernstein)" in bernstein
        assert "scope_lens" in index and "grid_lens" in index and "fuel_lens" in index
