"""`KnowledgeBase`: everything in a claims folder, validated and compiled (what the loader makes).

Kept apart from the loader so that reading one back from the model cache
(`engine.site.model_cache`) needs none of the loader's machinery: no PyYAML, no pydantic
validators, no networkx. The graph is derived from the items on first use, so a command that
never walks it (`crux eval`) never imports networkx.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.errors import Location
from engine.knowledge.source_document import Path_, SourceDocument

if TYPE_CHECKING:
    import networkx as nx

    from engine.formula.compiled import CompiledFormula
    from engine.formula.tree import PortableFormula
    from engine.knowledge.schema import (
        Argument,
        Calculator,
        Claim,
        Correlation,
        Figure,
        Scenario,
        Source,
    )

    Formula = CompiledFormula | PortableFormula


@dataclass(frozen=True)
class Table:
    """A lookup-table figure: ``by`` picks one row figure (``rows``: option → row figure id).

    The loader turns ``figure: {by, values}`` into one figure per row (``figure.option``,
    with the row's own range and sources) and a calculator ``figure`` that picks the row.
    """

    by: str
    rows: Mapping[str, str]
    figure: Figure


@dataclass(frozen=True, eq=False)
class KnowledgeBase:
    """Everything in a claims folder, validated, with compiled formulas and the graph.

    Compared and hashed by identity, so derived artefacts (compiled numpy functions) can be
    cached per knowledge base. Its dependency graph is derived from the items (`graph`).
    """

    root: Path
    sources: Mapping[str, Source]
    figures: Mapping[str, Figure]
    calculators: Mapping[str, Calculator]
    claims: Mapping[str, Claim]
    arguments: Mapping[str, Argument]
    scenarios: Mapping[str, Scenario]
    formulas: Mapping[str, Formula]
    """Compiled calculator formulas, by calculator id."""
    conditions: Mapping[str, Formula]
    """Compiled `holds_when` conditions, by claim id."""
    calculator_order: tuple[str, ...]
    documents: Mapping[str, SourceDocument] = field(repr=False)
    origins: Mapping[str, tuple[str, Path_]] = field(repr=False)
    tables: Mapping[str, Table] = field(default_factory=dict)
    """Lookup tables by id: each is a calculator here, and one figure per row."""
    correlations: Mapping[str, Correlation] = field(default_factory=dict)
    """Declared rank correlations between figures, by id (`engine.knowledge.correlations`)."""

    @cached_property
    def graph(self) -> nx.DiGraph:
        """Every item as a node and every dependency as an edge (`engine.knowledge.graph`)."""
        from engine.knowledge.graph import build_graph

        return build_graph(
            self.figures,
            self.calculators,
            self.claims,
            self.arguments,
            self.formulas,
            self.conditions,
            self.sources,
        )

    def __getstate__(self) -> dict[str, Any]:
        # Cached derived values (the graph) are rebuilt after unpickling, not stored.
        return {name: value for name, value in self.__dict__.items() if name != "graph"}

    def locate(self, item_id: str, *fields: str | int, key: bool = False) -> Location:
        """Where an item (or one of its fields) is written, for error messages."""
        doc_path, at = self.origins[item_id]
        return self.documents[doc_path].locate((*at, *fields), key=key)

    def unit_of(self, quantity_id: str) -> str:
        item = self.figures.get(quantity_id) or self.calculators[quantity_id]
        return item.unit

    @property
    def central_claim(self) -> str | None:
        return next((cid for cid, c in sorted(self.claims.items()) if c.role == "central"), None)
