"""How wide terminal output may be: the terminal's width, or a fixed one when piped."""

from __future__ import annotations

import os
import sys

#: Plain text written to a pipe or a file uses this width, whatever the caller's terminal.
PIPE_WIDTH = 120
#: Narrower terminals are treated as this wide (every layout is designed to fit it).
MIN_WIDTH = 60


def is_terminal() -> bool:
    """Whether standard output is an interactive terminal (not a pipe, a file or a test)."""
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def output_width() -> int:
    """The width to lay text out for."""
    if not is_terminal():
        return PIPE_WIDTH
    try:
        columns = os.get_terminal_size(sys.stdout.fileno()).columns
    except (OSError, ValueError, AttributeError):
        columns = 0
    if columns <= 0:
        columns = int(os.environ.get("COLUMNS", "80") or 80)
    return max(columns, MIN_WIDTH)
