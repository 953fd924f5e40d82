"""Generate a synthetic knowledge base of a given size, for benchmarks.

The shape mimics a real debate: figures with ranges and sources, calculators that chain (each
uses figures and earlier calculators), claims decided by numbers at the bottom, and layers of
claims linked by pro/con arguments (with some undercutters) above them.
"""

from __future__ import annotations

import random
from pathlib import Path

import yaml


def synthetic_kb(
    claims: int = 1000, figures: int = 300, calculators: int = 300, seed: int = 0
) -> dict[str, dict]:
    """The knowledge base as one YAML-ready mapping of sections."""
    rng = random.Random(seed)
    doc: dict[str, dict] = {
        "sources": {
            "synthetic_source": {
                "title": "Synthetic source",
                "url": "https://example.org/synthetic",
                "kind": "analysis",
            }
        },
        "figures": {},
        "calculators": {},
        "claims": {},
        "arguments": {},
        "scenarios": {},
    }
    units = ["USD", "USD/Mtok", "token/GPU/second", "dimensionless"]
    figure_ids = [f"f{i:04d}" for i in range(figures)]
    for i, fid in enumerate(figure_ids):
        value = round(rng.uniform(1, 10), 3)
        doc["figures"][fid] = {
            "label": f"Synthetic figure {i}",
            "value": value,
            "unit": "USD",
            "range": [round(value * 0.5, 3), round(value * 1.5, 3)],
            "distribution": rng.choice(["lognormal", "normal", "uniform"]),
            "confidence": "estimated",
            "sources": [{"source": "synthetic_source", "quote": "A synthetic quote."}],
        }
    del units
    calc_ids = [f"c{i:04d}" for i in range(calculators)]
    for i, cid in enumerate(calc_ids):
        a, b = rng.sample(figure_ids, 2)
        terms = [a, b]
        if i > 0:
            terms.append(calc_ids[rng.randrange(i)])
        op = rng.choice(["+", "-"])
        formula = f"({terms[0]} {op} {terms[1]})"
        if len(terms) == 3:
            formula = f"max({formula}, {terms[2]} * 0.5)"
        doc["calculators"][cid] = {
            "label": f"Synthetic calculator {i}",
            "formula": formula,
            "unit": "USD",
        }
    claim_ids = [f"k{i:05d}" for i in range(claims)]
    numeric = max(1, claims // 5)
    for i, kid in enumerate(claim_ids):
        claim: dict = {
            "text": f"Synthetic claim number {i} about the numbers.",
            "speaker": f"turn {i % 8 + 1}",
        }
        if i < numeric:
            quantity = rng.choice(calc_ids + figure_ids)
            threshold = rng.choice(figure_ids)
            claim["holds_when"] = f"{quantity} > {threshold}"
        doc["claims"][kid] = claim
    for i in range(numeric, claims):
        kid = claim_ids[i]
        for j in range(rng.choice([1, 1, 2])):
            premises = rng.sample(claim_ids[:i], min(i, rng.choice([1, 1, 2])))
            doc["arguments"][f"a{i:05d}_{j}"] = {
                "premises": premises,
                "conclusion": kid,
                "stance": rng.choice(["pro", "pro", "con"]),
                "weight": rng.choice([1, 1, 2]),
            }
        if i % 25 == 0 and doc["arguments"]:
            target = rng.choice(sorted(doc["arguments"]))
            doc["arguments"][f"u{i:05d}"] = {
                "premises": [rng.choice(claim_ids[:i])],
                "undercuts": target,
            }
    doc["scenarios"]["base"] = {"label": "Synthetic base", "set": {figure_ids[0]: 5.0}}
    return doc


def write_synthetic_kb(
    folder: Path, claims: int = 1000, figures: int = 300, calculators: int = 300, seed: int = 0
) -> Path:
    """Write the synthetic knowledge base into `folder` as a few topic files; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    doc = synthetic_kb(claims, figures, calculators, seed)
    for section, items in doc.items():
        (folder / f"{section}.yaml").write_text(
            yaml.safe_dump({section: items}, sort_keys=True), encoding="utf-8"
        )
    return folder
