"""The index's answer: the central question answered in words, and the matrix without repeats.

The headline is generated from the labels (never written by hand), so it says what the engine
decided: the answer under the build's scenario and lens, then the answer under each lens option.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from engine.site.model import Column, SiteModel, lens_figures

ANSWER_WORDS = {"holds": "Yes", "fails": "No", "undecided": "Undecided"}


def answer_word(label: str, basis: str | None = None) -> str:
    """`Yes`/`No`/`Undecided`; a presumed claim is only `Yes, by presumption`."""
    if label == "holds" and basis == "presumption":
        return "Yes, by presumption"
    return ANSWER_WORDS[label]


@dataclass(frozen=True)
class LensAnswer:
    """Under one lens figure: which options give which answer, in the figure's option order."""

    figure: str
    label: str
    now: str
    groups: tuple[tuple[str, tuple[str, ...]], ...]
    """(label, options with that label), in the order each label first appears."""
    options: tuple[str, ...]
    """Every option with a matrix column, in column order (the what-if regroups them)."""


def headline(model: SiteModel, claim_id: str) -> dict[str, Any]:
    """The central claim's answer under the build, and under each option of each lens."""
    kb, ev = model.kb, model.build
    lenses = []
    for fid in lens_figures(kb):
        by_label: dict[str, list[str]] = {}
        options: list[str] = []
        for column in model.columns:
            if column.lens is not None and column.lens[0] == fid:
                label = column.evaluation.claims[claim_id]
                by_label.setdefault(label, []).append(column.lens[1])
                options.append(column.lens[1])
        lenses.append(
            LensAnswer(
                fid,
                kb.figures[fid].label,
                str(ev.scenario.settings[fid]),
                tuple((label, tuple(options)) for label, options in by_label.items()),
                tuple(options),
            )
        )
    label, basis = ev.claims[claim_id], ev.basis[claim_id]
    return {
        "claim": claim_id,
        "label": label,
        "basis": basis,
        "word": answer_word(label, basis),
        "lenses": [
            {
                "figure": lens.figure,
                "label": lens.label,
                "now": lens.now,
                "options": list(lens.options),
                "groups": [
                    {"label": lab, "word": ANSWER_WORDS[lab], "options": list(options)}
                    for lab, options in lens.groups
                ],
            }
            for lens in lenses
        ],
    }


@dataclass(frozen=True)
class MergedColumn:
    """Matrix columns that agree in every cell, shown once under all their names."""

    columns: tuple[Column, ...]

    @property
    def first(self) -> Column:
        return self.columns[0]

    @property
    def is_build(self) -> bool:
        return any(c.is_build for c in self.columns)

    @property
    def shown(self) -> Column:
        """The column whose evaluation the merged cells link to: the build's if it is one."""
        return next((c for c in self.columns if c.is_build), self.first)


def merge_identical(columns: Sequence[Column], rows: Sequence[str]) -> list[MergedColumn]:
    """Group columns whose label and basis agree on every row, keeping first-seen order."""
    merged: list[list[Column]] = []
    keys: list[tuple[tuple[str, str], ...]] = []
    for column in columns:
        key = tuple((column.evaluation.claims[cid], column.evaluation.basis[cid]) for cid in rows)
        if key in keys:
            merged[keys.index(key)].append(column)
        else:
            keys.append(key)
            merged.append([column])
    return [MergedColumn(tuple(group)) for group in merged]
