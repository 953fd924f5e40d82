"""The jinja2 environment: autoescape on, undefined names are errors, numbers only via filters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import (
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    pass_context,
)
from jinja2.runtime import Context
from markupsafe import Markup

from engine.evaluation.explain import ARGUMENT_STATES
from engine.formatting import (
    BASIS_TEXT,
    LABEL_SYMBOLS,
    format_label,
    format_number,
    format_quantity,
    format_setting,
)
from engine.site import urls


def templates_dir() -> Path:
    """`templates/` of a source checkout, or the copy packaged inside the wheel."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "templates", here / "_templates"):
        if (candidate / "base.html").is_file():
            return candidate
    raise FileNotFoundError("crux templates not found (expected templates/base.html)")


@pass_context
def url_for(context: Context, kind: str, item_id: str, anchor: str | None = None) -> str:
    """A relative link from the current page to an item's page."""
    return urls.relative(context["path"], urls.page_path(kind, item_id), anchor)


@pass_context
def url_to(context: Context, target: str, anchor: str | None = None) -> str:
    """A relative link from the current page to any file of the site (`index.html`, `static/crux.css`)."""
    return urls.relative(context["path"], target, anchor)


def label_text(label: str, basis: str | None = None) -> str:
    """`✔ holds` for a claim label; `○ presumed` for one that holds by presumption."""
    return format_label(label, basis)


def argument_state(label: str) -> str:
    """`✔ applies` for an argument label."""
    return f"{LABEL_SYMBOLS[label]} {ARGUMENT_STATES[label]}"


def number(value: float | None) -> str:
    return "—" if value is None else format_number(value)


def probability(value: float, digits: int = 3) -> str:
    """`0.604` with `digits` decimals; never rounds a possible outcome to 0 or 1 (`<0.001`)."""
    if value <= 0 or value >= 1:
        return "0" if value <= 0 else "1"
    step = 10.0**-digits
    if value < step / 2:
        return f"<{step:.{digits}f}"
    if value > 1 - step / 2:
        return f">{1 - step:.{digits}f}"
    return f"{value:.{digits}f}"


def percent(value: float) -> str:
    """`60.4%`, for the width of a bar (CSS reads it, people read `probability`)."""
    return f"{value * 100:.1f}%"


def quantity(value: float, unit: str) -> str:
    return format_quantity(value, unit)


def setting(value: float | str, unit: str) -> str:
    return format_setting(value, unit)


def unit_text(unit: str) -> str:
    return "" if unit in ("dimensionless", "1", "") else unit


def words(identifier: str) -> str:
    """`margin_per_cup` → `margin per cup`, for headings made from ids."""
    return identifier.replace("_", " ")


def trusted(markup: str) -> Markup:
    """Mark engine-made markup (MathML, Graphviz SVG) as safe; both escape every author text."""
    return Markup(markup)


def _bytecode_cache() -> FileSystemBytecodeCache | None:
    """Compiled templates cached on disk: compiling them is a fifth of a small build."""
    from engine.site import cache

    folder = cache.cache_dir() / "jinja"
    cache.note_written()  # jinja writes its own entries: prune after this command
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return FileSystemBytecodeCache(str(folder))


def make_environment(folder: Path | None = None) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(folder or templates_dir())),
        bytecode_cache=_bytecode_cache(),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    filters: dict[str, Any] = {
        "label_text": label_text,
        "basis_text": lambda basis: BASIS_TEXT[basis],
        "argument_state": argument_state,
        "number": number,
        "probability": probability,
        "percent": percent,
        "quantity": quantity,
        "setting": setting,
        "unit_text": unit_text,
        "words": words,
        "symbol": lambda label: LABEL_SYMBOLS[label],
    }
    env.filters.update(filters)
    env.globals.update(
        {
            "url_for": url_for,
            "url_to": url_to,
            "anchor_for": urls.scenario_anchor,
            "claim_anchor": urls.claim_anchor,
        }
    )
    return env
