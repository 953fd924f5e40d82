"""The Python API, for notebooks and scripts: load a knowledge base, evaluate, explain, draw.

>>> from engine import load
>>> kb = load("tests/examples/lemonade")
>>> result = kb.evaluate(scenario="summer", set={"cups_per_day": 10})
>>> result.label("stand_sells_at_loss")
'fails'
>>> result.value("rent_per_cup")
5.0
>>> result.unit("rent_per_cup")
'USD'
>>> print(result.explain("stand_sells_at_loss"))  # doctest: +ELLIPSIS
stand_sells_at_loss ✘ fails: The lemonade stand sells each cup at a loss.
  holds when cost_per_cup > cup_price: 0.6 USD > 2 USD, false
    cost_per_cup = lemons_per_cup_usd + 0 = 0.6 USD + 0 = 0.6 USD (Cost of one cup under the chosen
        view of costs) [+]
      because cost_view == 'everything' is false
...

Objects display themselves in Jupyter: a `KnowledgeBase` and a `Result` as HTML tables of the
claims and their labels, an `Explanation` as text, a `Diagram` as an inline SVG.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path

from engine.errors import did_you_mean
from engine.evaluation.evaluate import Evaluation, evaluate
from engine.evaluation.explain import DEFAULT_EXPLAIN_DEPTH, Step, explain_claim_tree
from engine.evaluation.explain_text import render_text
from engine.formatting import format_label
from engine.knowledge import loader
from engine.knowledge.scenario import default_scenario_name, resolve_scenario, scenario_heading

Setting = float | int | str | bool
TEXT_WIDTH = 100
"""Explanations printed from Python wrap at this width."""


def load(folder: str | os.PathLike[str] = "claims") -> KnowledgeBase:
    """Load and check a claims folder; raises `engine.errors.CruxError` listing every problem.

    >>> kb = load("tests/examples/lemonade")
    >>> kb.central_claim
    'stand_sells_at_loss'
    >>> kb.default_scenario
    'defaults'
    """
    return KnowledgeBase(loader.load_knowledge_base(Path(folder)))


@dataclass(frozen=True)
class KnowledgeBase:
    """A loaded knowledge base: its claims, figures and scenarios, ready to evaluate."""

    kb: loader.KnowledgeBase

    @property
    def claims(self) -> list[str]:
        """Every claim id, sorted."""
        return list(self.kb.claims)

    @property
    def figures(self) -> list[str]:
        """Every figure id, sorted."""
        return list(self.kb.figures)

    @property
    def scenarios(self) -> list[str]:
        """Every scenario id, sorted (`defaults`, the figures' own values, is always there too)."""
        return list(self.kb.scenarios)

    @property
    def central_claim(self) -> str | None:
        """The claim the map is about (`role: central`), if any."""
        return self.kb.central_claim

    @property
    def default_scenario(self) -> str:
        """The scenario used when none is named, the same as every `crux` verb's."""
        return default_scenario_name(self.kb)

    def evaluate(
        self,
        scenario: str | None = None,
        set: Mapping[str, Setting] | None = None,
        assume: Mapping[str, bool] | None = None,
    ) -> Result:
        """Evaluate under a scenario (default: `default_scenario`), with figures set and claims assumed.

        Values in ``set`` are in each figure's unit, or a string with another unit
        (``"2.5 EUR"``), or a choice's name.

        >>> kb = load("tests/examples/lemonade")
        >>> kb.evaluate(set={"cost_view": "everything", "cups_per_day": 10}).label(
        ...     "stand_sells_at_loss"
        ... )
        'holds'
        >>> kb.evaluate(assume={"stand_sells_at_loss": True}).label("stand_sells_at_loss")
        'holds'
        """
        sets = [f"{fid}={_setting_text(value)}" for fid, value in (set or {}).items()]
        assumes = [f"{cid}={'true' if holds else 'false'}" for cid, holds in (assume or {}).items()]
        evaluation = evaluate(self.kb, resolve_scenario(self.kb, scenario, sets, assumes))
        return Result(self, evaluation)

    def diagram(
        self,
        claim: str | None = None,
        depth: int = 2,
        *,
        width: int | None = None,
        scenario: str | None = None,
        title: str | None = None,
        key: bool = True,
        theme: str = "light",
    ) -> Diagram:
        """The neighbourhood of ``claim`` (or the whole map) as a diagram, as `crux diagram` draws it.

        >>> kb = load("tests/examples/lemonade")
        >>> picture = kb.diagram("stand_sells_at_loss", depth=1, width=500)
        >>> picture.width <= 500 and picture.svg.startswith("<?xml")
        True
        """
        return self.evaluate(scenario).diagram(
            claim, depth, width=width, title=title, key=key, theme=theme
        )

    def _repr_html_(self) -> str:
        counts = ", ".join(
            f"{len(items)} {name}"
            for name, items in (
                ("claims", self.kb.claims),
                ("arguments", self.kb.arguments),
                ("figures", self.kb.figures),
                ("calculators", self.kb.calculators),
                ("scenarios", self.kb.scenarios),
            )
        )
        return f"<p>Knowledge base <code>{escape(str(self.kb.root))}</code>: {counts}.</p>" + (
            self.evaluate()._repr_html_()
        )


@dataclass(frozen=True)
class Result:
    """One scenario's labels and numbers."""

    source: KnowledgeBase
    evaluation: Evaluation

    @property
    def scenario(self) -> str:
        """The scenario's name (`defaults` for the figures' own values)."""
        return self.evaluation.scenario.name

    def label(self, claim: str) -> str:
        """A claim's label: ``'holds'``, ``'fails'`` or ``'undecided'``."""
        return self.evaluation.claims[self._claim(claim)]

    def labels(self) -> dict[str, str]:
        """Every claim's label, by id."""
        return dict(self.evaluation.claims)

    def value(self, quantity: str) -> float:
        """A figure's or calculator's value in its own unit (NaN when undefined)."""
        kb = self.source.kb
        if quantity not in kb.figures and quantity not in kb.calculators:
            hint = did_you_mean(quantity, [*kb.figures, *kb.calculators])
            raise KeyError(f"unknown figure or calculator '{quantity}'{hint}")
        return float(self.evaluation.value(quantity))

    def unit(self, quantity: str) -> str:
        """The unit a figure or calculator is given in."""
        self.value(quantity)
        return self.source.kb.unit_of(quantity)

    def explain(self, claim: str, depth: int | None = DEFAULT_EXPLAIN_DEPTH) -> Explanation:
        """Why the claim has its label, each step once (``depth=None`` for every level)."""
        tree = explain_claim_tree(self.source.kb, self.evaluation, self._claim(claim), depth)
        return Explanation(tree)

    def diagram(
        self,
        claim: str | None = None,
        depth: int = 2,
        *,
        width: int | None = None,
        title: str | None = None,
        key: bool = True,
        theme: str = "light",
    ) -> Diagram:
        """The claim's neighbourhood (or the whole map) under this result's scenario."""
        from engine.site.diagram_fit import fit_diagram
        from engine.site.graphviz_render import CachedLayouts, make_renderer

        if claim is not None:
            self._claim(claim)
        fitted = fit_diagram(
            self.source.kb,
            self.evaluation,
            claim,
            lambda kind, item_id: None,
            CachedLayouts(make_renderer()),
            depth=depth,
            width=width,
            title=title,
            key=key,
            theme=theme,
        )
        return Diagram(fitted.svg, fitted.width, fitted.height, fitted.alt)

    def _claim(self, claim: str) -> str:
        if claim not in self.source.kb.claims:
            raise KeyError(f"unknown claim '{claim}'{did_you_mean(claim, self.source.kb.claims)}")
        return claim

    def _repr_html_(self) -> str:
        kb, ev = self.source.kb, self.evaluation
        rows = "".join(
            f"<tr><td><code>{escape(cid)}</code></td><td>{escape(format_label(label))}</td>"
            f"<td>{escape(kb.claims[cid].text)}</td></tr>"
            for cid, label in ev.claims.items()
        )
        return (
            f"<p>{escape(scenario_heading(kb, ev.scenario))}</p>"
            f"<table><thead><tr><th>claim</th><th>label</th><th>text</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )

    def __repr__(self) -> str:
        return f"<Result scenario={self.scenario!r}: {len(self.evaluation.claims)} claims>"


@dataclass(frozen=True)
class Explanation:
    """A derivation; ``tree`` is the model the CLI and the site render (`engine.evaluation.explain`)."""

    tree: Step

    def __str__(self) -> str:
        return "\n".join(render_text(self.tree, TEXT_WIDTH))

    def _repr_html_(self) -> str:
        return f"<pre>{escape(str(self))}</pre>"


@dataclass(frozen=True)
class Diagram:
    """A diagram as a standalone SVG; Jupyter shows it inline."""

    svg: str
    width: int
    """CSS pixels at 1×."""
    height: int
    alt: str

    def _repr_svg_(self) -> str:
        return self.svg

    def save(self, path: str | os.PathLike[str], scale: int = 1) -> Path:
        """Write the diagram as `.svg` or `.png` (``scale`` 1, 2 or 3 for a PNG)."""
        target = Path(path)
        if target.suffix.lower() == ".png":
            from engine.site.graphviz_render import svg_to_png

            target.write_bytes(svg_to_png(self.svg, scale))
        elif target.suffix.lower() == ".svg":
            target.write_text(self.svg, encoding="utf-8")
        else:
            raise ValueError(f"expected a path ending in .svg or .png, found '{target.name}'")
        return target


def _setting_text(value: Setting) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
