"""A loaded knowledge base kept in the cache folder, so an unchanged one loads without sympy or pint.

`load_cached` fingerprints the claims folder (every YAML file's path and bytes) together with the
engine (its modules' sizes and modification times, its version, the libraries' versions) and the
working directory (error messages show paths relative to it). When an entry with that fingerprint
exists it is the `KnowledgeBase` the full load gave last time, with each formula kept as a
`PortableFormula`: its text, names and numpy tree, with units already folded in. Evaluating,
explaining and drawing need nothing else, so they never import sympy or pint; anything that needs a
formula's sympy tree (tipping points, MathML, JavaScript) compiles it again from the text on first
use. A changed file changes the fingerprint: the full load runs, and its result is cached in turn.

Entries are pickles, sealed with an HMAC by `engine.site.cache`: a damaged, foreign or tampered
entry fails the seal check and is ignored and replaced, never unpickled.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import re
import sys
import weakref
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from engine import __version__
from engine.knowledge.knowledge_base import KnowledgeBase
from engine.site import cache as cache_folder

if TYPE_CHECKING:
    # Imported where an entry is read or written: `entry_path` alone (whether the map changed,
    # asked by `crux diagram` before anything else) must not pay for numpy and networkx.
    from engine.evaluation.branches import TestTree
    from engine.evaluation.semantics import LabellingPlan
    from engine.site.formula_cache import FormulaCache

FORMAT = 2
"""Bumped when what an entry holds changes shape."""

_LIBRARIES = ("sympy", "pint", "numpy", "pydantic", "networkx", "PyYAML")
_LOADED: weakref.WeakKeyDictionary[KnowledgeBase, Path] = weakref.WeakKeyDictionary()
"""The entry each knowledge base of this process was loaded from or stored to (`remember`)."""
_FORMULAS: weakref.WeakKeyDictionary[KnowledgeBase, FormulaCache] = weakref.WeakKeyDictionary()
"""The formula store each knowledge base of this process was compiled with (`remember`)."""


@cache
def engine_identity() -> bytes:
    """What a compiled model depends on besides the claims: the engine's code and libraries.

    The code is known by each module's path, size and modification time, as Python itself knows
    whether a module's `.pyc` is stale: reading and hashing every module's bytes cost a warm run
    a tenth of its time, and an edited or reinstalled module changes its time.
    """
    digest = hashlib.sha256(f"{FORMAT}|{__version__}|{sys.version}".encode())
    engine_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    digest.update(f"{engine_dir}\0".encode())
    for relative, status in _modules(engine_dir):
        digest.update(f"{relative}\0{status.st_size}\0{status.st_mtime_ns}\0".encode())
    for library in _LIBRARIES:
        digest.update(f"{library}={','.join(installed_versions(library)) or '-'}\0".encode())
    return digest.digest()


def _modules(folder: str) -> list[tuple[str, os.stat_result]]:
    """Every `.py` file under ``folder``, by its path relative to it, in a stable order.

    `os.walk` rather than `Path.rglob`, which took three times as long here."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(root, name)
                found.append((os.path.relpath(path, folder), os.stat(path)))
    return found


def installed_versions(library: str) -> list[str]:
    """The versions of ``library`` installed on the import path, from their `.dist-info` folders'
    names (`numpy-2.1.0.dist-info`), in path order.

    `importlib.metadata` would say the same, but importing it costs a warm run 40 ms of its
    0.3 s; listing each path entry once costs about a millisecond.
    """
    wanted = _normalised(library)
    return [version for project, version in _dist_infos(tuple(sys.path)) if project == wanted]


@cache
def _dist_infos(path: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Every `.dist-info` folder on ``path`` as (normalised project name, version), in order."""
    found = []
    for entry in path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in sorted(names):
            if name.endswith(".dist-info"):
                project, _, rest = name.partition("-")
                found.append((_normalised(project), rest.removesuffix(".dist-info")))
    return tuple(found)


def _normalised(project: str) -> str:
    """A project name as packaging compares them (PEP 503): `PyYAML`, `pyyaml` and `py_yaml` alike."""
    return re.sub(r"[-_.]+", "-", project).lower()


def fingerprint(folder: Path) -> str:
    """The cache key of loading ``folder`` from the working directory."""
    digest = hashlib.sha256(engine_identity())
    digest.update(f"{os.getcwd()}\0{folder.resolve()}\0{folder}\0".encode())
    for path in sorted(p for p in folder.rglob("*.yaml") if p.is_file()):
        data = path.read_bytes()
        digest.update(f"{path.relative_to(folder).as_posix()}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def entry_path(folder: Path) -> Path:
    return cache_folder.cache_dir() / "models" / f"{fingerprint(folder)}.pickle"


def load_cached(folder: Path) -> KnowledgeBase:
    """`load_knowledge_base(folder)`, from the cache when the folder has not changed."""
    try:
        path: Path | None = entry_path(folder)
    except OSError:
        path = None  # a file vanished while hashing: the full load reports what is wrong
    if path is not None:
        entry = _read(path)
        if entry is not None:
            from engine.evaluation.branches import seed_if_tests
            from engine.evaluation.evaluate import argument_specs
            from engine.evaluation.semantics import seed_plan

            kb = dataclasses.replace(entry.kb, root=folder)
            seed_if_tests(kb, entry.tests)
            claims, arguments = tuple(kb.claims), argument_specs(kb)
            for fixed_ids, plan in entry.plans.items():
                seed_plan(claims, arguments, fixed_ids, plan)
            _LOADED[kb] = path
            return kb
    from engine.knowledge.loader import load_knowledge_base
    from engine.site.formula_cache import FormulaCache

    # The files changed, but most formulas most likely did not: those are read back compiled.
    formulas = FormulaCache()
    kb = load_knowledge_base(folder, compiled=formulas)
    _FORMULAS[kb] = formulas
    if path is not None:
        _write(path, kb)
        _LOADED[kb] = path
    return kb


def remember(kb: KnowledgeBase) -> None:
    """Store ``kb`` again under the fingerprint it was loaded with, with what was made since
    (its formulas' `extras`: MathML and JavaScript), so that the next run reads them.

    The fingerprint is the one taken when it was loaded, not one of the files as they are now:
    an author may have edited them meanwhile. A knowledge base not loaded by `load_cached` is
    left alone."""
    path = _LOADED.get(kb)
    if path is not None:
        _write(path, kb)
    formulas = _FORMULAS.get(kb)
    if formulas is not None:
        formulas.store_extras()


@dataclasses.dataclass(frozen=True)
class Entry:
    """What a cache entry holds: the portable knowledge base, its `if` tests compiled, and the
    labelling plan of each of its scenarios by the claims it fixes."""

    kb: KnowledgeBase
    tests: Mapping[str, TestTree]
    plans: Mapping[tuple[str, ...], LabellingPlan]


def _read(path: Path) -> Entry | None:
    data = cache_folder.read_sealed(path)
    if data is None:
        return None
    try:
        # Safe: `read_sealed` returns only bytes whose HMAC this cache folder's secret made, that
        # is bytes this user's crux pickled itself in `_write`.
        entry = pickle.loads(data)
    except Exception:  # written by an engine whose classes have since changed: rebuild
        return None
    return entry if isinstance(entry, Entry) and isinstance(entry.kb, KnowledgeBase) else None


def _write(path: Path, kb: KnowledgeBase) -> None:
    from engine.site.formula_cache import if_test_trees

    try:
        entry = Entry(portable(kb), if_test_trees(kb), labelling_plans(kb))
        data = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return  # something unpicklable: this knowledge base is simply loaded in full each time
    cache_folder.write_sealed(path, data)


def labelling_plans(kb: KnowledgeBase) -> dict[tuple[str, ...], LabellingPlan]:
    """The labelling plan of every scenario of ``kb`` and of the figures' own values, by the
    claims each fixes: the claims numbers decide, and those a scenario or its author assumes.

    A warm `eval`, `check` or `explain` under one of them then labels without planning, so
    without networkx.
    """
    from engine.errors import CruxError
    from engine.evaluation.evaluate import argument_specs, fixed_claim_ids
    from engine.evaluation.semantics import labelling_plan
    from engine.knowledge.scenario import DEFAULTS, resolve_scenario

    claims, arguments = tuple(kb.claims), argument_specs(kb)
    plans: dict[tuple[str, ...], LabellingPlan] = {}
    for name in (DEFAULTS, *kb.scenarios):
        try:
            fixed_ids = fixed_claim_ids(kb, resolve_scenario(kb, name).assumptions)
        except CruxError:  # a scenario the full load let through but that cannot be resolved
            continue
        if fixed_ids not in plans:
            plans[fixed_ids] = labelling_plan(claims, arguments, fixed_ids)
    return plans


def portable(kb: KnowledgeBase) -> KnowledgeBase:
    """``kb`` with every formula as a `PortableFormula` (no sympy or pint object left in it) and
    every schema item as a `Record` (no pydantic model left in it).

    Calculators go in evaluation order, each becoming the definition that later formulas'
    ``at(...)`` and ``given:`` inline, as the loader compiled them.
    """
    from engine.formula.tree import PortableFormula, SymbolSpec
    from engine.knowledge.loader import given_texts, table_rows
    from engine.knowledge.records import as_record

    specs = {fid: SymbolSpec(fig.unit, fig.choices or ()) for fid, fig in kb.figures.items()}
    specs.update({cid: SymbolSpec(calc.unit) for cid, calc in kb.calculators.items()})
    formulas: dict[str, PortableFormula] = {}
    order = [*kb.calculator_order, *(cid for cid in kb.formulas if cid not in kb.calculator_order)]
    for cid in order:
        table = kb.tables.get(cid)
        formulas[cid] = PortableFormula.of(
            kb.formulas[cid],
            kb.calculators[cid].unit,
            specs,
            table=None if table is None else (table.by, table_rows(table, kb.figures)),
        )
        specs[cid] = SymbolSpec(kb.calculators[cid].unit, definition=formulas[cid])
    return dataclasses.replace(
        kb,
        # Every schema item as a record: reading the entry back then needs no pydantic.
        sources=as_record(kb.sources),
        figures=as_record(kb.figures),
        calculators=as_record(kb.calculators),
        claims=as_record(kb.claims),
        arguments=as_record(kb.arguments),
        scenarios=as_record(kb.scenarios),
        tables={
            tid: dataclasses.replace(table, figure=as_record(table.figure))
            for tid, table in kb.tables.items()
        },
        correlations=as_record(kb.correlations),
        formulas=formulas,
        conditions={
            claim_id: PortableFormula.of(
                formula,
                None,
                specs,
                given_text=given_texts(kb.claims[claim_id], kb.figures, kb.calculators),
            )
            for claim_id, formula in kb.conditions.items()
        },
    )
