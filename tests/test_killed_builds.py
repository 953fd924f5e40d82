"""A build killed outright leaves no running workers, and its folder is cleared by the next build."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from tests.conftest import EXAMPLES
from tests.site_helpers import build

ROOT = Path(__file__).resolve().parent.parent
LEMONADE = EXAMPLES / "lemonade"


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split(") ")[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_pool_workers_exit_when_the_build_is_killed() -> None:
    # The build's pool, as engine.site.build makes it: fork, with exit_with_parent.
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                """
                import multiprocessing, time
                from engine.site.orphans import exit_with_parent
                pool = multiprocessing.get_context("fork").Pool(2, initializer=exit_with_parent)
                print(" ".join(str(p._popen.pid) for p in pool._pool), flush=True)
                time.sleep(120)
                """
            ),
        ],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert parent.stdout is not None
    workers = [int(pid) for pid in parent.stdout.readline().split()]
    assert len(workers) == 2 and all(_alive(pid) for pid in workers)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 20
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)


def test_next_build_removes_dead_builds_folders_only(tmp_path: Path) -> None:
    site = tmp_path / "site"
    # A dead build's folder: its lock file is there, and nobody holds it.
    dead = tmp_path / ".site.building-999999-abc"
    (dead / "claims").mkdir(parents=True)
    (dead / ".crux-building.lock").write_text("", encoding="utf-8")
    (dead / "claims" / "half.html").write_text("<p>half", encoding="utf-8")
    # A dead build's old site, named with a process id that is not running.
    old = tmp_path / ".site.old-999999-xyz"
    old.mkdir()
    # A running build's folder: another process holds its lock.
    live = tmp_path / ".site.building-1-live"
    live.mkdir()
    (live / ".crux-building.lock").write_text("", encoding="utf-8")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\n"
            f"fd = os.open({str(live / '.crux-building.lock')!r}, os.O_WRONLY)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\nprint('locked', flush=True)\ntime.sleep(120)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    # A folder without a lock (older crux, or a build in its last step) is not ours to judge.
    unknown = tmp_path / ".site.building-legacy"
    unknown.mkdir()
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        build(LEMONADE, site)
        assert not dead.exists()
        assert not old.exists()
        assert live.is_dir() and (live / ".crux-building.lock").exists()
        assert unknown.is_dir()
        assert (site / "index.html").is_file()
        assert not (site / ".crux-building.lock").exists()
    finally:
        holder.kill()
        holder.wait()


def test_a_running_build_holds_its_lock(tmp_path: Path) -> None:
    from engine.site.writer import LOCK, SiteWriter

    writer = SiteWriter(tmp_path / "site")
    try:
        lock = os.open(writer.folder / LOCK, os.O_WRONLY)
        try:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                taken = True
            except BlockingIOError:
                taken = False
        finally:
            os.close(lock)
        assert not taken
        assert str(os.getpid()) in writer.folder.name
    finally:
        writer.discard()
    assert not writer.folder.exists()
