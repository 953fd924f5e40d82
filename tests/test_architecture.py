"""The layout: every module is documented, and no layer imports from a layer above it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ENGINE = REPO / "engine"

# Lowest first: a module may import from its own layer and the ones before it, never after.
LAYERS = (
    ("engine", "engine.errors", "engine.formatting"),
    ("engine.formula",),
    ("engine.knowledge",),
    ("engine.evaluation",),
    ("engine.analysis",),
    ("engine.interop",),
    ("engine.site",),
    ("engine.commands", "engine.cli", "engine.__main__", "engine.api"),
)


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> int:
    """The layer of `module`: the longest prefix among `LAYERS` that names it or a parent."""
    best, depth = -1, -1
    for index, names in enumerate(LAYERS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and name.count(".") > depth:
                best, depth = index, name.count(".")
    assert best >= 0, f"{module} is in no layer"
    return best


def engine_modules() -> list[Path]:
    return sorted(ENGINE.rglob("*.py"))


def imported_engine_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every `engine.*` import in the file, including ones inside functions."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # `from engine.site import urls` imports engine.site.urls: judge the fuller name.
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        found += [(node.lineno, name) for name in names if name.split(".")[0] == "engine"]
    return found


def test_every_module_is_described_in_the_architecture_doc() -> None:
    doc = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = [
        str(path.relative_to(REPO))
        for path in engine_modules()
        if path.name != "__init__.py" and f"`{path.relative_to(REPO).as_posix()}`" not in doc
    ]
    assert not missing, f"docs/architecture.md does not describe: {', '.join(missing)}"


def test_the_architecture_doc_names_no_module_that_does_not_exist() -> None:
    doc = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = {word.strip("`") for word in doc.split() if word.startswith("`engine/")}
    stale = sorted(name for name in named if name.endswith(".py") and not (REPO / name).exists())
    assert not stale, f"docs/architecture.md names modules that do not exist: {stale}"


def _is_the_api_door(module: str, name: str) -> bool:
    """`engine.load` is the Python API's front door: the package imports `engine.api` (inside
    the function, so `import engine` stays light) and nothing else from above."""
    return module == "engine" and name.startswith("engine.api.")


@pytest.mark.parametrize("path", engine_modules(), ids=lambda path: module_name(path))
def test_no_module_imports_from_a_layer_above_its_own(path: Path) -> None:
    own = layer_of(module_name(path))
    upward = [
        f"line {line}: {name}"
        for line, name in imported_engine_modules(path)
        if layer_of(name) > own and not _is_the_api_door(module_name(path), name)
    ]
    assert not upward, f"{module_name(path)} imports from a higher layer: {upward}"


def test_the_layer_check_sees_upward_imports(tmp_path: Path) -> None:
    """The check itself: an import inside a function, from a higher layer, is found."""
    source = tmp_path / "engine" / "formula" / "bad.py"
    source.parent.mkdir(parents=True)
    source.write_text("def f():\n    from engine.site import urls\n", encoding="utf-8")
    assert imported_engine_modules(source) == [(2, "engine.site.urls")]
    assert layer_of("engine.site.urls") > layer_of("engine.formula.bad")
