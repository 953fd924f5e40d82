"""The cache folder: its size cap, least-recently-used pruning, sealed entries, `crux cache`."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import cli
from engine.site import cache
from engine.site.graphviz_render import RenderCache


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv("CRUX_CACHE_DIR", str(root))
    monkeypatch.delenv(cache.SIZE_VARIABLE, raising=False)
    return root


def _entry(path: Path, size: int, age: float) -> Path:
    """A cache file of `size` bytes last used `age` seconds ago."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    when = time.time() - age
    os.utime(path, (when, when))
    return path


def test_cache_folder_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CRUX_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere")
    assert cache.cache_dir() == Path("/somewhere/crux")
    monkeypatch.setenv("CRUX_CACHE_DIR", "/elsewhere")
    assert cache.cache_dir() == Path("/elsewhere")


@pytest.mark.parametrize(
    ("text", "size"),
    [("200MB", 200_000_000), ("1.5 GB", 1_500_000_000), ("512KiB", 524_288), ("0", 0)],
)
def test_sizes_read_as_people_write_them(text: str, size: int) -> None:
    assert cache.parse_size(text) == size


def test_a_bad_size_is_refused_and_the_cap_falls_back_to_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(ValueError, match="expected a size such as 200MB"):
        cache.parse_size("lots")
    monkeypatch.setenv(cache.SIZE_VARIABLE, "lots")
    assert cache.size_limit() == cache.DEFAULT_LIMIT == 200_000_000
    monkeypatch.setenv(cache.SIZE_VARIABLE, "3MB")
    assert cache.size_limit() == 3_000_000


def test_pruning_removes_the_least_recently_used_first(folder: Path) -> None:
    oldest = _entry(folder / "renders" / "aa" / "oldest.svg", 400, age=300)
    old = _entry(folder / "renders" / "bb" / "old.svg", 400, age=200)
    recent = _entry(folder / "analysis" / "recent.pickle", 400, age=100)
    # Reading the oldest entry makes it the most recently used.
    assert cache.read_bytes(oldest) == b"x" * 400
    freed = cache.prune(limit=900)
    assert freed == 400
    assert oldest.exists() and recent.exists()
    assert not old.exists()


def test_pruning_within_the_cap_removes_nothing(folder: Path) -> None:
    entry = _entry(folder / "models" / "m.json", 1000, age=1e6)
    assert cache.prune(limit=1000) == 0
    assert entry.exists()


def test_pruning_removes_half_written_files_of_killed_processes(folder: Path) -> None:
    stale = _entry(folder / "renders" / "aa" / "x.svg.123.tmp", 10, age=7200)
    fresh = _entry(folder / "renders" / "aa" / "y.svg.124.tmp", 10, age=1)
    cache.prune(limit=10**9)
    assert not stale.exists()
    assert fresh.exists()


def test_clear_removes_crux_entries_and_leaves_other_files(folder: Path) -> None:
    _entry(folder / "renders" / "aa" / "x.svg", 10, age=0)
    _entry(folder / "graphviz-abc.cwasm", 10, age=0)
    foreign = _entry(folder / "notes.txt", 10, age=0)
    assert cache.clear() == 20
    assert not (folder / "renders").exists()
    assert not (folder / "graphviz-abc.cwasm").exists()
    assert foreign.exists()


def test_a_render_cache_hit_marks_the_entry_used(folder: Path) -> None:
    store = RenderCache()
    store.put("digraph { a }", "<svg/>", b"png")
    svg = next((folder / "renders").rglob("*.svg"))
    long_ago = time.time() - 10_000
    os.utime(svg, (long_ago, long_ago))
    assert store.get("digraph { a }") == ("<svg/>", b"png")
    assert svg.stat().st_mtime > long_ago + 9_000


def test_sealed_entries_round_trip(folder: Path) -> None:
    path = folder / "analysis" / "a.pickle"
    assert cache.write_sealed(path, b"payload")
    assert cache.read_sealed(path) == b"payload"
    assert (folder / "secret").stat().st_mode & 0o077 == 0, "the secret is the owner's only"


def test_a_tampered_or_foreign_sealed_entry_is_not_trusted(folder: Path) -> None:
    path = folder / "analysis" / "a.pickle"
    cache.write_sealed(path, b"payload")
    raw = path.read_bytes()
    path.write_bytes(raw[:-1] + b"X")
    assert cache.read_sealed(path) is None
    # The same bytes under another cache's secret (copied from elsewhere) are refused too.
    path.write_bytes(raw)
    (folder / "secret").write_bytes(b"k" * 32)
    assert cache.read_sealed(path) is None
    path.write_bytes(b"not sealed at all")
    assert cache.read_sealed(path) is None


def test_crux_cache_info_and_clear(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _entry(folder / "renders" / "aa" / "x.svg", 1500, age=0)
    _entry(folder / "renders" / "aa" / "x.png", 1500, age=0)
    monkeypatch.setenv(cache.SIZE_VARIABLE, "50MB")
    result = CliRunner().invoke(cli, ["cache", "info"])
    assert result.exit_code == 0
    assert f"folder: {folder}" in result.stdout
    assert "3.0 kB of at most 50.0 MB" in result.stdout
    assert re.search(r"renders +2 files +3\.0 kB", result.stdout)
    result = CliRunner().invoke(cli, ["cache", "clear"])
    assert result.exit_code == 0
    assert "3.0 kB freed" in result.stdout
    assert cache.usage().total == 0


def test_crux_cache_prune_takes_a_size(folder: Path) -> None:
    _entry(folder / "renders" / "aa" / "old.svg", 2000, age=100)
    _entry(folder / "renders" / "aa" / "new.svg", 2000, age=1)
    result = CliRunner().invoke(cli, ["cache", "prune", "--max-size", "3kB"])
    assert result.exit_code == 0, result.output
    assert "2.0 kB freed" in result.stdout
    assert [p.name for p in (folder / "renders").rglob("*.svg")] == ["new.svg"]
    result = CliRunner().invoke(cli, ["cache", "prune", "--max-size", "lots"])
    assert result.exit_code == 2
    assert "expected a size such as 200MB or 1GB, found 'lots'" in result.stderr


def test_a_command_that_writes_the_cache_keeps_it_under_the_cap(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = _entry(folder / "renders" / "aa" / "old.svg", 5000, age=1000)
    monkeypatch.setenv(cache.SIZE_VARIABLE, "4kB")
    monkeypatch.setattr(cache, "_written", True)
    result = CliRunner().invoke(cli, ["cache", "info"])
    assert result.exit_code == 0
    assert not old.exists()
