"""Turning other tools' titles into crux ids (`^[a-z][a-z0-9_]*$`, at most 80 characters)."""

from __future__ import annotations

import keyword
import re
import unicodedata

MAX_ID_LENGTH = 80


def slug(text: str, fallback: str = "item") -> str:
    """A valid crux id spelled like `text`: ASCII, lower case, underscores between words.

    >>> slug("Price war (2024)!")
    'price_war_2024'
    >>> slug("¬flies")
    'flies'
    >>> slug("42 reasons")
    'n42_reasons'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")
    if not words:
        words = fallback
    if not words[0].isalpha():
        words = f"n{words}"
    words = words[:MAX_ID_LENGTH].rstrip("_")
    # Formulas are Python expressions, so a keyword could never be named in one.
    return f"{words}_" if keyword.iskeyword(words) else words


class IdMaker:
    """Hands out unique ids: the slug of a title, then `_2`, `_3`, … on collisions."""

    def __init__(self, taken: set[str] | None = None) -> None:
        self.taken: set[str] = set(taken or ())

    def make(self, title: str, fallback: str = "item") -> str:
        base = slug(title, fallback)
        candidate, number = base, 1
        while candidate in self.taken:
            number += 1
            suffix = f"_{number}"
            candidate = base[: MAX_ID_LENGTH - len(suffix)] + suffix
        self.taken.add(candidate)
        return candidate
