"""Tables for the terminal that never cut a number, an id or a percentage.

Written by hand rather than with rich's tables: rich shrinks columns to the console and then
ellipsises or splits their cells, and it has no fallback layout. Here only the columns marked
``wrap`` (prose) may wrap, and only between words; every other cell keeps its full width. When
even that cannot fit, each row becomes a record, one `name: value` line per column.

On an interactive terminal the table is drawn with box-drawing rules; in a pipe or a file it is
plain text, `PIPE_WIDTH` wide whatever the caller's terminal (`engine.terminal`).
"""

from __future__ import annotations

import csv
import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field

MIN_WRAP = 16
"""The narrowest a prose column may get before the table turns into records."""


@dataclass(frozen=True)
class Column:
    """A column: its heading, whether its cells are prose that may wrap, and its alignment."""

    name: str
    wrap: bool = False
    right: bool = False


@dataclass(frozen=True)
class Table:
    """A titled table of already formatted cells, with notes printed under it."""

    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...] = field(default=())


def render(table: Table, width: int, fancy: bool) -> list[str]:
    """The table as lines at most ``width`` wide (wherever words allow), or as records."""
    table = _without_empty_columns(table)
    lines = [*wrap_text(table.title, width), ""] if table.title else []
    widths = _widths(table, width, 3 if fancy else 2)
    if widths is None:
        lines.extend(_records(table, width))
    else:
        lines.extend(_grid(table, widths, fancy))
    for note in table.notes:
        lines.extend(wrap_text(note, width))
    return lines


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Rows as CSV with a header line (numbers in full precision, blanks for missing values)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return buffer.getvalue()


def wrap_text(text: str, width: int, indent: str = "", hanging: str = "  ") -> list[str]:
    """Prose wrapped between words only: an id or a number is never split."""
    return textwrap.wrap(
        text,
        width=width,
        initial_indent=indent,
        subsequent_indent=indent + hanging,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent]


def _without_empty_columns(table: Table) -> Table:
    keep = [i for i in range(len(table.columns)) if i == 0 or any(row[i] for row in table.rows)]
    if len(keep) == len(table.columns):
        return table
    columns = tuple(table.columns[i] for i in keep)
    rows = tuple(tuple(row[i] for i in keep) for row in table.rows)
    return Table(table.title, columns, rows, table.notes)


def _widths(table: Table, width: int, gap: int) -> list[int] | None:
    natural = [
        max([len(column.name), *(len(row[i]) for row in table.rows)])
        for i, column in enumerate(table.columns)
    ]
    heading_words = {
        i: max(len(word) for word in column.name.split())
        for i, column in enumerate(table.columns)
        if column.wrap
    }
    total = sum(natural) + gap * (len(natural) - 1)
    if total <= width:
        return natural
    wrapping = [i for i, column in enumerate(table.columns) if column.wrap]
    fixed = sum(natural[i] for i in range(len(natural)) if i not in wrapping)
    spare = width - fixed - gap * (len(natural) - 1)
    if not wrapping or spare < MIN_WRAP * len(wrapping):
        return None
    # Each prose column needs at least its longest word; share the rest in proportion.
    longest = {
        i: max([heading_words[i], *(len(w) for row in table.rows for w in row[i].split())])
        for i in wrapping
    }
    if sum(max(longest[i], MIN_WRAP) for i in wrapping) > spare:
        return None
    widths = list(natural)
    share = spare // len(wrapping)
    for i in wrapping:
        widths[i] = max(min(natural[i], share), longest[i], MIN_WRAP)
    return widths


def _grid(table: Table, widths: list[int], fancy: bool) -> list[str]:
    gap = " │ " if fancy else "  "
    rule = ("─┼─" if fancy else "  ").join(("─" if fancy else "-") * w for w in widths)
    header = tuple(c.name for c in table.columns)
    lines = [*_row_lines(header, widths, table.columns, gap), rule]
    for row in table.rows:
        lines.extend(_row_lines(row, widths, table.columns, gap))
    return lines


def _row_lines(
    row: Sequence[str], widths: Sequence[int], columns: Sequence[Column], gap: str
) -> list[str]:
    cells = [
        wrap_text(cell, widths[i], hanging="") if column.wrap else [cell]
        for i, (cell, column) in enumerate(zip(row, columns, strict=True))
    ]
    return [
        _line([c[depth] if depth < len(c) else "" for c in cells], widths, columns, gap)
        for depth in range(max(len(c) for c in cells))
    ]


def _line(parts: Sequence[str], widths: Sequence[int], columns: Sequence[Column], gap: str) -> str:
    padded = [
        part.rjust(w) if column.right else part.ljust(w)
        for part, w, column in zip(parts, widths, columns, strict=True)
    ]
    return gap.join(padded).rstrip()


def _records(table: Table, width: int) -> list[str]:
    lines: list[str] = []
    first, *others = table.columns
    for row in table.rows:
        lines.extend(wrap_text(f"{first.name}: {row[0]}", width))
        for column, cell in zip(others, row[1:], strict=True):
            if cell:
                lines.extend(
                    wrap_text(f"{column.name}: {cell}", width, indent="  ", hanging="    ")
                )
        lines.append("")
    return lines


def echo(table: Table) -> None:
    """Print a table for where standard output goes: a terminal, or a pipe or file."""
    import click

    from engine.terminal import is_terminal, output_width

    click.echo("\n".join(render(table, output_width(), is_terminal())))


def echo_text(text: str) -> None:
    """Print prose wrapped for where standard output goes (never inside a word)."""
    import click

    from engine.terminal import output_width

    click.echo("\n".join(wrap_text(text, output_width())))
