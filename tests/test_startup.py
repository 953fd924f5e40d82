"""Start-up: help pages import nothing heavy, and an unchanged knowledge base loads warm."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import COMMANDS, cli
from engine.commands import diagram
from engine.knowledge.loader import load_knowledge_base
from engine.site import cache
from engine.site import diagram as site_diagram
from tests.conftest import EXAMPLES, REPO

HEAVY = ("sympy", "pint", "numpy", "scipy", "networkx", "pydantic", "jinja2", "rich", "yaml")


def modules_after(script: str, env: dict[str, str] | None = None) -> list[str]:
    """The heavy top-level packages a fresh interpreter has imported after running `script`."""
    probe = textwrap.dedent(script) + textwrap.dedent(
        f"""
        import json, sys
        heavy = {HEAVY!r}
        print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}} & set(heavy))))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    loaded: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


def test_help_pages_import_nothing_heavy() -> None:
    verbs = [[], *([verb] for verb in sorted(COMMANDS)), ["cache", "info"], ["--version"]]
    script = f"""
        from click.testing import CliRunner
        from engine.cli import cli
        for words in {verbs!r}:
            args = words if words == ["--version"] else [*words, "--help"]
            result = CliRunner().invoke(cli, args)
            assert result.exit_code == 0, (words, result.output)
            assert "Usage:" in result.output or "version" in result.output, words
    """
    assert modules_after(script) == []


def test_the_diagram_depth_default_is_the_engines() -> None:
    # Written out in the command so that `crux diagram --help` need not import the site.
    assert diagram.DEFAULT_DEPTH == site_diagram.DEFAULT_DEPTH


# --- the warm path: an unchanged knowledge base loads from the cache --------------------------


@pytest.fixture
def cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("CRUX_CACHE_DIR", str(folder))
    return folder


def _crux(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def _entries(cache_folder: Path) -> list[Path]:
    return sorted((cache_folder / "models").glob("*.pickle"))


KNOWLEDGE_BASES = [REPO / "claims", *sorted(p for p in EXAMPLES.iterdir() if p.is_dir())]


@pytest.mark.parametrize("folder", KNOWLEDGE_BASES, ids=lambda p: p.name)
def test_cold_and_warm_eval_json_are_byte_identical(folder: Path, cache_folder: Path) -> None:
    scenarios = [None, *load_knowledge_base(folder).scenarios]
    for scenario in scenarios:
        args = ["eval", str(folder), "--format", "json", *(["-s", scenario] if scenario else [])]
        shutil.rmtree(cache_folder, ignore_errors=True)
        cold = _crux(*args)
        assert len(_entries(cache_folder)) == 1, "the cold run caches the compiled model"
        warm = _crux(*args)
        assert warm == cold, scenario


def test_warm_explain_and_check_match_cold(cache_folder: Path) -> None:
    claims = str(REPO / "claims")
    cold = (_crux("explain", "tokens_sold_at_loss", "--claims", claims), _crux("check", claims))
    assert len(_entries(cache_folder)) == 1
    warm = (_crux("explain", "tokens_sold_at_loss", "--claims", claims), _crux("check", claims))
    assert warm == cold


def test_warm_verbs_import_neither_sympy_nor_pint(tmp_path: Path) -> None:
    env = {**os.environ, "CRUX_CACHE_DIR": str(tmp_path / "cache")}
    claims = str(REPO / "claims")
    subprocess.run(  # the cold run, which fills the cache
        [sys.executable, "-m", "engine", "eval", claims, "--format", "json"],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
    )
    verbs = [
        ["eval", claims, "--format", "json"],
        ["eval", claims, "-s", "baseline", "--set", "gpu_hour_usd=3"],
        ["check", claims],
        ["explain", "tokens_sold_at_loss", "--claims", claims],
        ["diagram", "tokens_sold_at_loss", "--claims", claims, "-o", str(tmp_path / "x.dot")],
    ]
    script = f"""
        import sys
        from click.testing import CliRunner
        from engine.cli import cli
        for words in {verbs!r}:
            result = CliRunner().invoke(cli, words)
            assert result.exit_code == 0, (words, result.output)
        assert "engine.formula.compiled" not in sys.modules, "compiled formulas were rebuilt"
    """
    loaded = modules_after(script, env)
    assert "sympy" not in loaded
    assert "pint" not in loaded
    assert "numpy" in loaded, "the probe evaluated something"


LIGHT_EVAL_NEVER = ("sympy", "pint", "scipy", "networkx", "pydantic", "jinja2", "yaml")
"""What a warm `crux eval` of an unchanged knowledge base must not import (numpy it needs)."""


def test_warm_eval_imports_only_numpy_and_click(tmp_path: Path) -> None:
    # The cached model holds plain records, each scenario's labelling plan and numpy trees: the
    # schema (pydantic), the graph (networkx), the YAML reader and the formula compiler stay out.
    env = {**os.environ, "CRUX_CACHE_DIR": str(tmp_path / "cache")}
    claims = str(REPO / "claims")
    subprocess.run(  # the cold run, which fills the cache
        [sys.executable, "-m", "engine", "eval", claims],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
    )
    scenarios = list(load_knowledge_base(REPO / "claims").scenarios)
    assert len(scenarios) >= 2, "the shipped map has scenarios to evaluate"
    runs = [
        ["eval", claims],
        ["eval", claims, "--format", "json"],
        ["eval", claims, "--format", "csv"],
        *(["eval", claims, "-s", name] for name in scenarios),
    ]
    for words in runs:
        script = f"""
            from click.testing import CliRunner
            from engine.cli import cli
            result = CliRunner().invoke(cli, {words!r})
            assert result.exit_code == 0, result.output
            assert "holds" in result.output, result.output
        """
        loaded = modules_after(script, env)
        assert "numpy" in loaded, "the probe evaluated something"
        assert not set(loaded) & set(LIGHT_EVAL_NEVER), (words, loaded)


def test_a_warm_knowledge_base_derives_the_same_graph(cache_folder: Path) -> None:
    from engine.site.model_cache import load_cached

    folder = REPO / "claims"
    cold = load_knowledge_base(folder)
    load_cached(folder)  # fills the cache
    warm = load_cached(folder)
    assert "graph" not in vars(warm), "the graph is derived on first use, not read back"
    assert sorted(warm.graph.nodes(data=True)) == sorted(cold.graph.nodes(data=True))
    assert sorted(warm.graph.edges(data=True)) == sorted(cold.graph.edges(data=True))


@pytest.mark.parametrize("folder", KNOWLEDGE_BASES, ids=lambda p: p.name)
def test_the_cached_plans_are_those_each_scenario_labels_with(folder: Path) -> None:
    from engine.evaluation.evaluate import evaluate_scenario
    from engine.site.model_cache import labelling_plans

    kb = load_knowledge_base(folder)
    plans = labelling_plans(kb)
    for scenario in [None, *kb.scenarios]:
        fixed = tuple(sorted(evaluate_scenario(kb, scenario).labelling.fixed))
        assert fixed in plans, scenario


def test_installed_versions_agree_with_the_package_metadata() -> None:
    from importlib import metadata

    from engine.site.model_cache import installed_versions

    for library in ("numpy", "PyYAML", "pydantic", "click"):
        assert installed_versions(library)[0] == metadata.version(library)
    assert installed_versions("no-such-library-anywhere") == []


def test_the_engine_is_known_by_its_modules_sizes_and_times(tmp_path: Path) -> None:
    """An edited or reinstalled module (new size or time) makes the engine another, so every
    cached model it made is left behind; files that are not modules do not count."""
    import os

    from engine.site.model_cache import _modules

    (tmp_path / "pkg").mkdir()
    module = tmp_path / "pkg" / "semantics.py"
    module.write_text("HOLDS = 1\n")
    (tmp_path / "notes.txt").write_text("not a module")
    first = [(relative, s.st_size, s.st_mtime_ns) for relative, s in _modules(str(tmp_path))]
    assert [relative for relative, *_ in first] == ["pkg/semantics.py"]
    os.utime(module, ns=(1, 1))
    touched = [(relative, s.st_size, s.st_mtime_ns) for relative, s in _modules(str(tmp_path))]
    assert touched != first


@pytest.mark.parametrize(("given", "used"), [(None, "1"), ("2", "2")])
def test_the_command_runs_one_blas_thread_unless_told_otherwise(
    given: str | None, used: str
) -> None:
    """OpenBLAS starting a thread per core cost every warm command a seventh of its time."""
    probe = textwrap.dedent(
        """
        import os, sys
        sys.argv = ["crux", "--version"]
        from engine.cli import main
        try:
            main()
        except SystemExit:
            pass
        print(os.environ["OPENBLAS_NUM_THREADS"])
        """
    )
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if given is not None:
        env["OPENBLAS_NUM_THREADS"] = given
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == used


def test_a_changed_file_falls_back_to_the_full_load(
    lemonade_copy: Path, cache_folder: Path
) -> None:
    before = json.loads(_crux("eval", str(lemonade_copy), "--format", "json"))
    assert before["figures"]["cup_price"]["value"] == 2.0
    figures = next(p for p in lemonade_copy.rglob("*.yaml") if "cup_price:" in p.read_text())
    text = figures.read_text()
    assert "    value: 2.0\n" in text
    figures.write_text(text.replace("    value: 2.0\n", "    value: 2.5\n", 1))
    after = json.loads(_crux("eval", str(lemonade_copy), "--format", "json"))
    assert after["figures"]["cup_price"]["value"] == 2.5
    assert len(_entries(cache_folder)) == 2, "the new content is cached beside the old"


def test_a_corrupt_cache_entry_is_rebuilt(cache_folder: Path) -> None:
    args = ("eval", str(EXAMPLES / "lemonade"), "--format", "json")
    cold = _crux(*args)
    (entry,) = _entries(cache_folder)
    good = entry.read_bytes()
    entry.write_bytes(good[: len(good) // 2] + b"\0garbage" + good[len(good) // 2 + 8 :])
    assert cache.read_sealed(entry) is None
    assert _crux(*args) == cold
    assert cache.read_sealed(entry) is not None, "the entry was written again"
    assert _crux(*args) == cold


def test_a_foreign_cache_entry_is_never_unpickled(cache_folder: Path, tmp_path: Path) -> None:
    args = ("eval", str(EXAMPLES / "lemonade"), "--format", "json")
    cold = _crux(*args)
    (entry,) = _entries(cache_folder)
    marker = tmp_path / "unpickled"
    # A pickle that would run code if loaded: crux must refuse it (it carries no valid seal).
    entry.write_bytes(pickle.dumps(_Trap(str(marker))))
    assert _crux(*args) == cold
    assert not marker.exists()


class _Trap:
    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (Path.touch, (Path(self.marker),))  # type: ignore[return-value]
