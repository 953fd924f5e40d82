"""When Python's cyclic garbage collector runs during a `crux` command.

Starting a command (importing the engine and its libraries, unpickling a cached model) makes a
few hundred thousand objects that live as long as the process and are never garbage. Their
allocation keeps triggering the collector, which walks all of them again each time: about a
sixth of a warm `crux build`. And when the interpreter exits it collects again before it frees
the modules, a quarter of a second after a site build, to find nothing.

So `main` pauses the collector (`pause_for_start_up`); once the knowledge base is loaded,
`start_up_done` freezes every object made so far (the collector never walks them again) and
resumes collecting, so what a command makes while it works is collected as usual. Before exit,
`freeze_for_exit` spares the last walk. Only the first start-up of a process is paused: a
long-running `crux serve --watch` reloads with the collector running, so no garbage of one
rebuild is ever frozen.
"""

from __future__ import annotations

import gc

_paused = False
_started = False


def pause_for_start_up() -> None:
    global _paused
    if not _started and gc.isenabled():
        gc.disable()
        _paused = True


def start_up_done() -> None:
    """Freeze what start-up made and resume collecting (once per process)."""
    global _paused, _started
    _started = True
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()


def freeze_for_exit() -> None:
    """Nothing made so far needs collecting: the process is about to exit."""
    gc.freeze()
