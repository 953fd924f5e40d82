"""The last stage: write the site into a fresh folder beside the target, then swap it in.

A build that fails for any reason (bad claims, a template error, Ctrl-C) deletes its half-written
folder and leaves the previous site exactly as it was. Only folders that crux made are replaced:
each build leaves a marker file, and a non-empty folder without one is refused.

A file whose bytes equal the previous site's file at the same path is hard-linked from there
instead of written again. Creating a file costs far more than linking one on many file systems
(here about 0.5 ms against 15 µs), and a rebuild of a big map rewrites tens of thousands of files
that did not change. Linking never alters the old file, so a failed build still leaves the old site
as it was, and the old site's names are removed only after the swap.

A build killed outright (SIGKILL, a lost CI runner) cannot delete its folder. Each building folder
is named with its process id and holds a lock file that the build keeps locked while it runs (its
forked workers inherit the lock); the next build beside it removes the folders whose lock it can
take, which are those of dead builds, and never one whose build is still running.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import stat
import tempfile
from pathlib import Path
from types import TracebackType

from engine.errors import UsageError

MARKER = ".crux-site"
MARKER_TEXT = "This folder is built by `crux build`; the next build replaces all of it.\n"
LOCK = ".crux-building.lock"
"""Held (flock) by a running build inside its building folder; removed just before the swap."""


def check_target(target: Path) -> None:
    """Refuse to replace anything but a missing folder, an empty one, or a crux site."""
    here = Path.cwd().resolve()
    if target.resolve() == here or target.resolve() in here.parents:
        raise UsageError(
            f"expected a site folder outside the current folder, found '{target}', which holds "
            "it; the build swaps the whole folder, so run crux build from outside it",
            "-o",
        )
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
        remove_stale_folders(target)
        self.folder = Path(
            tempfile.mkdtemp(prefix=f".{target.name}.building-{os.getpid()}-", dir=target.parent)
        )
        os.chmod(self.folder, 0o755)  # mkdtemp makes it private; a site is for reading
        # Locked under another name first, so no sweeping build can see it unlocked.
        self._lock = os.open(self.folder / f"{LOCK}.new", os.O_CREAT | os.O_WRONLY, 0o644)
        fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.replace(self.folder / f"{LOCK}.new", self.folder / LOCK)
        self._made: set[Path] = {self.folder}
        self.previous = target if (target / MARKER).is_file() else None
        self.reused = 0

    def path(self, relative: str) -> Path:
        """Where a file of the site goes in the temporary folder (its parent folders made)."""
        full = self.folder / relative
        parent = full.parent
        if parent not in self._made:
            parent.mkdir(parents=True, exist_ok=True)
            self._made.add(parent)
        return full

    def write_text(self, relative: str, text: str) -> None:
        self.write_bytes(relative, text.encode("utf-8"))

    def write_bytes(self, relative: str, data: bytes) -> None:
        full = self.path(relative)
        if self.previous is not None and self._link_previous(relative, data, full):
            return
        full.write_bytes(data)

    def _link_previous(self, relative: str, data: bytes, full: Path) -> bool:
        """Hard-link the previous site's file to `full` if its bytes are `data`."""
        old = self.previous / relative if self.previous is not None else None
        try:
            if old is None or not _same_bytes(old, data):
                return False
            os.link(old, full)
        except OSError:  # gone, unreadable, or a file system without hard links: write it
            return False
        self.reused += 1
        return True

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
        (self.folder / LOCK).unlink(missing_ok=True)
        old: Path | None = None
        if self.target.exists():
            old = Path(
                tempfile.mkdtemp(
                    prefix=f".{self.target.name}.old-{os.getpid()}-", dir=self.target.parent
                )
            )
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
        self._unlock()

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        self._unlock()

    def _unlock(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._lock)

    def __enter__(self) -> SiteWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()


def remove_stale_folders(target: Path) -> list[Path]:
    """Delete the building folders beside `target` left by builds that are no longer running.

    A folder counts as stale only if its lock file exists and can be locked now: a running
    build (or one of its workers) holds that lock, and the kernel drops it when they die.
    Folders of the previous swap's old site (`.name.old-PID-*`) are removed once that PID is gone.
    """
    removed: list[Path] = []
    for folder in sorted(target.parent.glob(f".{target.name}.building-*")):
        lock_path = folder / LOCK
        try:
            lock = os.open(lock_path, os.O_WRONLY)
        except OSError:
            continue  # no lock: a build about to swap, or not ours to judge
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # locked: its build is running
        finally:
            os.close(lock)
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    for folder in sorted(target.parent.glob(f".{target.name}.old-*-*")):
        pid = folder.name.removeprefix(f".{target.name}.old-").split("-", 1)[0]
        if pid.isascii() and pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def _same_bytes(path: Path, data: bytes) -> bool:
    """Whether `path` is a regular file holding exactly `data` (its size checked first)."""
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode) or info.st_size != len(data):
        return False
    with open(path, "rb") as file:
        return file.read() == data
