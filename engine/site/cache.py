"""The cache folder: where it is, reading and writing entries, and the size cap that prunes it.

Everything crux keeps between runs lives under one folder, one subfolder per kind of entry:
compiled models (`models/`), compiled formulas one by one (`formulas/`), rendered diagrams (`renders/`), site analyses (`analysis/`), compiled
templates (`jinja/`). (Earlier versions also kept a compiled WebAssembly Graphviz there,
`graphviz-*.cwasm`; `kind_of` still knows it, so `crux cache clear` removes it.) Every entry is
an optimisation: a missing, unreadable or unwritable one only costs time.

The folder is `$CRUX_CACHE_DIR`, else `$XDG_CACHE_HOME/crux`, else `~/.cache/crux`. It is kept
under `$CRUX_CACHE_SIZE` (default 200 MB; `500MB`, `1.5GB`, `0` for no cache kept) by removing
the least recently used entries: reading an entry through `read_bytes` marks it used.

This module imports only the standard library: `crux cache` and every verb's start-up use it.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SIZE_VARIABLE = "CRUX_CACHE_SIZE"
DEFAULT_LIMIT = 200 * 1000**2
KINDS = ("models", "formulas", "renders", "analysis", "jinja", "graphviz")
"""Every kind of entry crux writes; `clear` removes these and nothing else it finds there."""

_UNITS = {"": 1, "b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3, "kib": 1024, "mib": 1024**2}
_UNITS["gib"] = 1024**3
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$", re.IGNORECASE)
_STALE_PARTIAL = 3600.0
"""Seconds after which a half-written `*.tmp` (from a killed process) is removed by pruning."""

_written = False
"""Whether this process wrote an entry, so pruning runs once at the end only when needed."""


def cache_dir() -> Path:
    """`$CRUX_CACHE_DIR`, else `$XDG_CACHE_HOME/crux`, else `~/.cache/crux`."""
    if os.environ.get("CRUX_CACHE_DIR"):
        return Path(os.environ["CRUX_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "crux"


def parse_size(text: str) -> int:
    """`200MB`, `1.5 GB`, `512KiB` or a number of bytes, as bytes; ValueError otherwise."""
    match = _SIZE.match(text)
    if match is None or match.group(2).lower() not in _UNITS:
        raise ValueError(f"expected a size such as 200MB or 1GB, found '{text}'")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def size_limit() -> int:
    """The cap from `$CRUX_CACHE_SIZE`, or the default when it is unset or unreadable."""
    text = os.environ.get(SIZE_VARIABLE, "").strip()
    if not text:
        return DEFAULT_LIMIT
    try:
        return parse_size(text)
    except ValueError:
        return DEFAULT_LIMIT


def read_bytes(path: Path) -> bytes | None:
    """An entry's bytes, marking it as just used; None when it is missing or unreadable."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    touch(path)
    return data


def touch(path: Path) -> None:
    """Mark an entry as used now, so pruning keeps it over entries not used since."""
    with contextlib.suppress(OSError):  # a read-only cache is never pruned by us either
        os.utime(path)


def write_bytes(path: Path, data: bytes) -> bool:
    """Write an entry atomically (readers see the old entry or the new one, never half of one).

    False when the cache cannot be written, which callers may ignore.
    """
    global _written
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(data)
        os.replace(partial, path)
    except OSError:
        partial.unlink(missing_ok=True)
        return False
    _written = True
    return True


# Sealed entries: bytes that crux will later unpickle or execute (a site analysis, a compiled
# model's numpy code) carry an HMAC-SHA256 of their content, keyed with a random secret that is
# made once per cache folder and readable only by its owner. A corrupted file, one copied from
# another machine or written by another user cannot carry a valid seal, so `read_sealed` hands
# back only bytes this user's crux wrote: unpickling them is as safe as running crux itself.
_SEAL = b"crux-sealed-1\n"
_SECRET_NAME = "secret"


def _secret(create: bool) -> bytes | None:
    path = cache_dir() / _SECRET_NAME
    try:
        data = path.read_bytes()
        if len(data) == 32:
            return data
    except OSError:
        pass
    if not create:
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)  # a secret of the wrong length: never used
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(os.urandom(32))
    except FileExistsError:
        pass  # another process made it just now: use theirs
    except OSError:
        return None
    return _secret(create=False)


def _seal(secret: bytes, data: bytes) -> bytes:
    return hmac.new(secret, data, hashlib.sha256).digest()


def write_sealed(path: Path, data: bytes) -> bool:
    """Write an entry with a seal that `read_sealed` checks."""
    secret = _secret(create=True)
    if secret is None:
        return False
    return write_bytes(path, _SEAL + _seal(secret, data) + data)


def read_sealed(path: Path) -> bytes | None:
    """A sealed entry's content if its seal is this cache's own, else None (never trusted)."""
    raw = read_bytes(path)
    secret = _secret(create=False)
    if raw is None or secret is None or not raw.startswith(_SEAL):
        return None
    start = len(_SEAL) + hashlib.sha256().digest_size
    seal, data = raw[len(_SEAL) : start], raw[start:]
    return data if hmac.compare_digest(seal, _seal(secret, data)) else None


def note_written() -> None:
    """Tell the pruner that this process wrote entries through other means (jinja, wasmtime)."""
    global _written
    _written = True


@dataclass(frozen=True)
class Entry:
    path: Path
    kind: str
    size: int
    used: float


def kind_of(relative: Path) -> str | None:
    """The kind of an entry from its path under the cache folder; None for anything foreign."""
    top = relative.parts[0]
    if top in KINDS and len(relative.parts) > 1:
        return top
    if len(relative.parts) == 1 and top.startswith("graphviz-"):  # left by earlier versions
        return "graphviz"
    return None


def entries(folder: Path | None = None) -> Iterator[Entry]:
    """Every file crux wrote under the cache folder (half-written ones included)."""
    root = folder or cache_dir()
    for directory, _, files in os.walk(root):
        for name in files:
            path = Path(directory) / name
            kind = kind_of(path.relative_to(root))
            if kind is None:
                continue
            try:
                status = path.stat()
            except OSError:
                continue  # removed by another process meanwhile
            yield Entry(path, kind, status.st_size, status.st_mtime)


@dataclass(frozen=True)
class Usage:
    folder: Path
    limit: int
    by_kind: dict[str, tuple[int, int]]
    """Kind → (number of files, bytes)."""

    @property
    def total(self) -> int:
        return sum(size for _, size in self.by_kind.values())


def usage(folder: Path | None = None) -> Usage:
    root = folder or cache_dir()
    by_kind = {kind: (0, 0) for kind in KINDS}
    for entry in entries(root):
        count, size = by_kind[entry.kind]
        by_kind[entry.kind] = (count + 1, size + entry.size)
    return Usage(root, size_limit(), by_kind)


def prune(limit: int | None = None, folder: Path | None = None) -> int:
    """Remove least recently used entries until the cache is within `limit`; bytes freed.

    Half-written files older than an hour are removed first: their writer was killed.
    """
    cap = size_limit() if limit is None else limit
    now = time.time()
    kept: list[Entry] = []
    freed = 0
    for entry in entries(folder):
        if entry.path.name.endswith(".tmp") and now - entry.used > _STALE_PARTIAL:
            freed += _remove(entry)
        else:
            kept.append(entry)
    total = sum(entry.size for entry in kept)
    # Oldest first; ties by path so two processes pruning at once pick the same victims.
    for entry in sorted(kept, key=lambda e: (e.used, str(e.path))):
        if total <= cap:
            break
        if entry.path.name.endswith(".tmp"):
            continue  # being written right now
        removed = _remove(entry)
        freed += removed
        total -= entry.size
    return freed


def prune_if_written() -> None:
    """Prune once, at the end of a command that wrote to the cache (cheap when nothing did)."""
    if _written:
        prune()


def clear(folder: Path | None = None) -> int:
    """Remove every entry crux wrote; bytes freed. Files crux does not know are left alone."""
    root = folder or cache_dir()
    freed = sum(_remove(entry) for entry in entries(root))
    for kind in KINDS:
        _remove_empty_folders(root / kind)
    return freed


def _remove_empty_folders(folder: Path) -> None:
    # Only empty folders go: the cache folder may be shared with files that are not crux's.
    for directory, _, _ in sorted(os.walk(folder), key=lambda walked: -len(walked[0])):
        with contextlib.suppress(OSError):
            os.rmdir(directory)


def _remove(entry: Entry) -> int:
    try:
        entry.path.unlink()
    except OSError:
        return 0
    return entry.size


def format_size(size: int) -> str:
    """`12.3 MB`: decimal units, as `$CRUX_CACHE_SIZE` reads them."""
    for unit, factor in (("GB", 1000**3), ("MB", 1000**2), ("kB", 1000)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size} B"
