"""Make a build's worker processes exit when the build itself dies.

A `crux build` killed with SIGKILL cannot stop its pool, and forked workers would otherwise
keep drawing diagrams for nobody. On Linux the kernel sends each worker SIGTERM when its parent
dies (`PR_SET_PDEATHSIG`); elsewhere a daemon thread notices the parent is gone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1
POLL_SECONDS = 0.5


def exit_with_parent() -> None:
    """Pool initializer: end this worker as soon as the process that started it is gone."""
    parent = os.getppid()
    if sys.platform.startswith("linux") and _set_parent_death_signal():
        # The parent may have died between the fork and the call above.
        if os.getppid() != parent:
            os._exit(1)
        return
    threading.Thread(target=_watch, args=(parent,), daemon=True).start()


def _set_parent_death_signal() -> bool:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return bool(libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(POLL_SECONDS)
    os._exit(1)
