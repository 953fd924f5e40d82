"""Rank correlations between figures: which sets of them can hold together.

Shared by the loader (correlations declared in the knowledge base, reported with `path:line:col`)
and by sampling (`engine.analysis.sampling`, where `--correlate` may override or add pairs), so a
set of correlations is accepted or refused by one rule wherever it comes from.

Sampling imposes a Spearman rank correlation with the Iman–Conover method, which gives normal
scores a Pearson correlation: Spearman's rho of a bivariate normal with Pearson r is
(6/π)·asin(r/2), so the scores get r = 2·sin(π·rho/6). Both matrices must be positive
semi-definite: no joint distribution has correlations that are not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

Pair = tuple[str, str]


def pair_key(a: str, b: str) -> Pair:
    """A pair of figures in one order (id order), so that `a,b` and `b,a` are the same pair."""
    return (a, b) if a <= b else (b, a)


def correlation_matrix(
    figure_ids: tuple[str, ...], correlations: Mapping[Pair, float]
) -> np.ndarray:
    """The Spearman correlations as a symmetric matrix with a unit diagonal."""
    import numpy as np

    index = {fid: i for i, fid in enumerate(figure_ids)}
    matrix = np.eye(len(figure_ids))
    for (a, b), rho in correlations.items():
        matrix[index[a], index[b]] = matrix[index[b], index[a]] = rho
    return matrix


def scores_correlation(spearman: np.ndarray) -> np.ndarray:
    """The Pearson correlation of normal scores whose rank correlation is ``spearman``."""
    import numpy as np

    return np.asarray(2 * np.sin(np.pi * spearman / 6))


def correlated_figures(correlations: Mapping[Pair, float]) -> tuple[str, ...]:
    """Every figure some pair names, in id order (the rows of the matrices)."""
    return tuple(sorted({fid for pair in correlations for fid in pair}))


def joint_problem(correlations: Mapping[Pair, float]) -> str | None:
    """Why the correlations cannot hold together, or None when they can.

    Expects pairs of distinct figures with values in [-1, 1].
    """
    figure_ids = correlated_figures(correlations)
    if not figure_ids:
        return None
    # numpy only when the knowledge base declares correlations: loading stays light otherwise
    import numpy as np

    spearman = correlation_matrix(figure_ids, correlations)
    smallest = float(np.linalg.eigvalsh(spearman)[0])
    if smallest < -1e-9:
        return (
            "expected correlations that can occur together (a positive semi-definite "
            f"matrix), found a matrix with eigenvalue {smallest:.3g} over {', '.join(figure_ids)}"
        )
    smallest = float(np.linalg.eigvalsh(scores_correlation(spearman))[0])
    if smallest < -1e-9:
        return (
            "expected correlations that normal scores can reach, found a matrix that is not "
            f"positive semi-definite after conversion (eigenvalue {smallest:.3g}) over "
            f"{', '.join(figure_ids)}"
        )
    return None
