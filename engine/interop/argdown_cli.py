"""Running the Argdown CLI (`@argdown/cli`, Node) to turn `.argdown` text into its JSON export.

crux does not parse Argdown itself: the CLI is the reference parser, so a file means in crux what
it means in Argdown. It is found as `$CRUX_ARGDOWN` (a path to the `argdown` executable), then
`argdown` on the PATH, then the copy `npm install --prefix ~/.cache/crux-argdown @argdown/cli`
leaves.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from engine.errors import CruxError, Location, Problem

INSTALL_HINT = (
    "install the Argdown CLI with `npm install --prefix ~/.cache/crux-argdown @argdown/cli@1.7.5` "
    "(Node.js 18 or newer), or point $CRUX_ARGDOWN at its `argdown` executable"
)
ERROR_AT = re.compile(r"At (\d+):(\d+)\s*\n(.*?)(?:\n\n|\Z)", re.S)
ANSI = re.compile(r"\x1b\[[0-9;]*m")
TIMEOUT_S = 120


def find_cli() -> str | None:
    """The `argdown` executable, or None when there is none."""
    configured = os.environ.get("CRUX_ARGDOWN")
    if configured:
        return configured if Path(configured).is_file() else None
    on_path = shutil.which("argdown")
    if on_path:
        return on_path
    cached = Path.home() / ".cache" / "crux-argdown" / "node_modules" / ".bin" / "argdown"
    return str(cached) if cached.is_file() else None


def run_json_export(path: Path) -> dict[str, Any]:
    """`argdown json` of the file at `path`, parsed; syntax errors become `CruxError`s at the CLI's
    own `line:col`."""
    cli = find_cli()
    if cli is None:
        raise CruxError(
            [
                Problem(
                    Location(str(path)), f"reading .argdown needs the Argdown CLI: {INSTALL_HINT}"
                )
            ]
        )
    with tempfile.TemporaryDirectory(prefix="crux-argdown-") as out:
        try:
            done = subprocess.run(
                [cli, "json", str(path), out],
                capture_output=True,
                text=True,
                timeout=TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise CruxError(
                [
                    Problem(
                        Location(str(path)), f"the Argdown CLI did not finish within {TIMEOUT_S} s"
                    )
                ]
            ) from None
        output = ANSI.sub("", done.stdout + "\n" + done.stderr)
        problems = [
            Problem(
                Location(str(path), int(line), int(col)),
                "Argdown syntax error: " + " ".join(message.split()),
            )
            for line, col, message in ERROR_AT.findall(output)
        ]
        if problems:
            raise CruxError(problems)
        produced = sorted(Path(out).glob("*.json"))
        if done.returncode != 0 or not produced:
            detail = " ".join(output.split())[:300] or f"exit status {done.returncode}"
            raise CruxError([Problem(Location(str(path)), f"the Argdown CLI failed: {detail}")])
        data: dict[str, Any] = json.loads(produced[0].read_text(encoding="utf-8"))
        return data
