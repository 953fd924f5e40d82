"""The last stage: write the site into a fresh folder beside the target, then swap it in.

A build that fails for any reason (bad claims, a template error, Ctrl-C) deletes its half-written
folder and leaves the previous site exactly as it was. Only folders that crux made are replaced:
each build leaves a marker file, and a non-empty folder without one is refused.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from types import TracebackType

from engine.scenario import UsageError

MARKER = ".crux-site"
MARKER_TEXT = "This folder is built by `crux build`; the next build replaces all of it.\n"


def check_target(target: Path) -> None:
    """Refuse to replace anything but a missing folder, an empty one, or a crux site."""
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise UsageError(
            f"expected a folder to build the site into, found a file at '{target}'", "-o"
        )
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).is_file():
        raise UsageError(
            f"'{target}' is not empty and was not built by crux (no {MARKER} file); "
            "refusing to replace it: choose another folder with -o, or empty it",
            "-o",
        )


class SiteWriter:
    """Collects the site in a temporary folder beside `target`; `commit()` swaps it in."""

    def __init__(self, target: Path) -> None:
        check_target(target)
        self.target = target
        target.parent.mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
        os.chmod(self.folder, 0o755)  # mkdtemp makes it private; a site is for reading
        self._made: set[Path] = {self.folder}

    def path(self, relative: str) -> Path:
        """Where a file of the site goes in the temporary folder (its parent folders made)."""
        full = self.folder / relative
        parent = full.parent
        if parent not in self._made:
            parent.mkdir(parents=True, exist_ok=True)
            self._made.add(parent)
        return full

    def write_text(self, relative: str, text: str) -> None:
        self.path(relative).write_bytes(text.encode("utf-8"))

    def write_bytes(self, relative: str, data: bytes) -> None:
        self.path(relative).write_bytes(data)

    def copy_tree(self, source: Path, relative: str) -> None:
        """Copy every file under `source` (sorted, contents only: no timestamps or permissions)."""
        for file in sorted(p for p in source.rglob("*") if p.is_file()):
            if file.name.startswith(".") or file.suffix in (".pyc",):
                continue
            self.write_bytes(f"{relative}/{file.relative_to(source).as_posix()}", file.read_bytes())

    def commit(self) -> None:
        """Swap the new site in: rename the old one aside, rename the new one in, delete the old."""
        self.write_text(MARKER, MARKER_TEXT)
        check_target(self.target)  # the folder may have changed while we built
        old: Path | None = None
        if self.target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.old-", dir=self.target.parent))
            old.rmdir()
            os.replace(self.target, old)
        try:
            os.replace(self.folder, self.target)
        except OSError:
            if old is not None:
                os.replace(old, self.target)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> SiteWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()
