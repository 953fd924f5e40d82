"""User-facing errors: every problem is `path:line:col: message`, reported all at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Location:
    """A place in a source file; line and column are 1-based as editors show them."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.path
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True, order=True)
class Problem:
    """One error: where it is and what was expected versus found."""

    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class CruxError(Exception):
    """The one exception for bad user input; carries every problem found in a stage."""

    def __init__(self, problems: Iterable[Problem], stage: str = "input") -> None:
        self.problems = tuple(sorted(set(problems)))
        self.stage = stage
        super().__init__("\n".join(str(p) for p in self.problems))

    def summary(self) -> str:
        count = len(self.problems)
        noun = "error" if count == 1 else "errors"
        return f"{count} {noun} in {self.stage}; nothing was changed."


class UsageError(CruxError):
    """Bad command-line usage (exit status 2), as opposed to bad input files (exit status 1)."""

    def __init__(self, message: str, subject: str) -> None:
        super().__init__([Problem(Location(subject), message)], "the command line")


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """A ` (did you mean 'x'?)` suffix for the closest candidate, or an empty string."""
    import difflib

    close = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
