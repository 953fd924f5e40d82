"""Writing command output files so that a failure never leaves half a file or half a folder."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from engine.errors import CruxError, Location, Problem, UsageError


def write_text_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file in the same folder, then rename it."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"cannot write: the folder {folder} does not exist", str(path))
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except OSError as exc:
        raise CruxError([Problem(Location(str(path)), f"cannot write: {exc.strerror}")]) from None


def write_folder_atomically(folder: Path, files: Mapping[str, str]) -> None:
    """Create `folder` holding `files` (name → text), all at once: build it beside, then rename.
    Refuses to touch a folder that already exists and is not empty."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UsageError(
            "expected a new or empty folder, found one with files in it (nothing was changed)",
            str(folder),
        )
    parent = folder.parent if str(folder.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"cannot write: the folder {parent} does not exist", str(folder))
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.importing-", dir=parent))
    try:
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8")
        if folder.exists():
            folder.rmdir()
        os.replace(staging, folder)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise CruxError([Problem(Location(str(folder)), f"cannot write: {exc.strerror}")]) from None
