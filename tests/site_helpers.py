"""Helpers for the site tests: build a site once, read its HTML with the standard parser."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from engine.knowledge.loader import load_knowledge_base
from engine.site.build import build_site


def build(claims: Path, target: Path, **options: Any) -> Path:
    build_site(load_knowledge_base(claims), target, **options)
    return target


class Element:
    """One start tag with its attributes and the text directly and indirectly inside it."""

    def __init__(self, tag: str, attrs: dict[str, str]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.text = ""

    def __repr__(self) -> str:
        return f"<{self.tag} {self.attrs}>{self.text[:40]!r}"


class Page(HTMLParser):
    """Every element of a page in document order, with its text content."""

    VOID = frozenset(
        {
            "area",
            "base",
            "br",
            "col",
            "embed",
            "hr",
            "img",
            "input",
            "link",
            "meta",
            "source",
            "track",
            "wbr",
        }
    )

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.elements.append(element)
        if tag not in self.VOID:
            self._open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                break

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data

    def find(self, tag: str | None = None, **attrs: str) -> list[Element]:
        """Elements with the tag and the attributes given (`class_` matches one class)."""
        found = []
        for element in self.elements:
            if tag is not None and element.tag != tag:
                continue
            ok = True
            for key, value in attrs.items():
                if key == "class_":
                    ok = ok and value in element.attrs.get("class", "").split()
                else:
                    ok = ok and element.attrs.get(key.replace("_", "-")) == value
            if ok:
                found.append(element)
        return found

    def has(self, tag: str | None = None, **attrs: str) -> bool:
        return bool(self.find(tag, **attrs))

    @property
    def text(self) -> str:
        return " ".join(e.text for e in self.elements if e.tag == "html")


def read_page(path: Path) -> Page:
    return Page(path.read_text(encoding="utf-8"))
