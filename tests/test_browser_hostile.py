"""Hostile what-if links, and ids that are names of Object.prototype, in a real Chromium.

Names in a link (`?scenario=`, `assume.<claim>`, `<figure>=`) are looked up as own properties
only, so `__proto__`, `constructor` and `toString` are reported as unknown names, like any
other, and a knowledge base whose ids are `constructor` works like any other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.knowledge.loader import load_knowledge_base
from tests.test_browser_whatif import NO_CHROMIUM, Page, _build, chromium_path

pytestmark = [pytest.mark.browser, pytest.mark.skipif(chromium_path() is None, reason=NO_CHROMIUM)]

PROTOTYPE_KB = """
figures:
  constructor: {label: A figure named like Object's constructor, value: 3, unit: USD, range: [2, 4], distribution: uniform}
  limit: {label: Limit, value: 5, unit: USD}
claims:
  constructor_holds:
    text: The constructor figure is under the limit.
    holds_when: constructor < limit
  has_own:
    text: Names are looked up as own properties.
    assumed: true
    supports: [constructor_holds]
scenarios:
  expensive:
    label: Expensive
    set: {constructor: 9}
    expect: {constructor_holds: fails}
"""


@pytest.fixture(scope="module")
def browser(chromium_browser: Any) -> Any:
    return chromium_browser


@pytest.fixture(scope="module")
def prototype_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("prototype-kb")
    (folder / "kb.yaml").write_text(PROTOTYPE_KB, encoding="utf-8")
    return _build(load_knowledge_base(folder), tmp_path_factory.mktemp("prototype-site"))


@pytest.fixture
def tab(browser: Any) -> Any:
    page = Page(browser)
    yield page
    page.context.close()


@pytest.mark.parametrize(
    ("query", "reported"),
    [
        ("?scenario=__proto__", "Unknown scenario '__proto__' in the link."),
        ("?scenario=constructor", "Unknown scenario 'constructor' in the link."),
        ("?scenario=toString", "Unknown scenario 'toString' in the link."),
        ("?assume.__proto__=true", "Unknown claim '__proto__' in the link."),
        ("?assume.constructor=true", "Unknown claim 'constructor' in the link."),
        ("?toString=1", "Unknown setting 'toString' in the link was ignored."),
        ("?hasOwnProperty=1", "Unknown setting 'hasOwnProperty' in the link was ignored."),
    ],
)
def test_prototype_names_in_a_link_are_unknown_names(
    tab: Page, prototype_site: Path, query: str, reported: str
) -> None:
    page = tab.open(prototype_site, query=query)
    assert tab.errors == []
    assert reported in page.text_content(".whatif-status")
    assert page.evaluate("Object.prototype.x === undefined && ({}).constructor === Object")


def test_a_figure_named_constructor_works_like_any_other(tab: Page, prototype_site: Path) -> None:
    page = tab.open(prototype_site, query="?constructor=7")
    assert tab.errors == []
    labels = page.evaluate(
        "[CruxWhatIf.evaluate({constructor: 7}, {}).claims.constructor_holds,"
        " CruxWhatIf.evaluate({constructor: 3}, {}).claims.constructor_holds]"
    )
    assert labels == ["fails", "holds"]
    assert page.input_value('[name="constructor"]') == "7"
    page = tab.open(prototype_site, query="?scenario=expensive")
    assert tab.errors == []
    assert "Unknown" not in (page.text_content(".whatif-status") or "")
