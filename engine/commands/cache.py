"""`crux cache info|clear|prune`: where the cache folder is, how big, and emptying or trimming it."""

from __future__ import annotations

import click

from engine.site import cache

DESCRIPTIONS = {
    "models": "compiled knowledge bases",
    "formulas": "compiled formulas, one by one",
    "renders": "rendered diagrams (SVG and PNG)",
    "analysis": "site analyses (tipping points, P(holds))",
    "jinja": "compiled templates",
    "graphviz": "compiled WebAssembly Graphviz",
}


@click.group("cache")
def command() -> None:
    """Show, clear or prune the cache folder (compiled models, diagrams, analyses).

    The folder is $CRUX_CACHE_DIR, else $XDG_CACHE_HOME/crux, else ~/.cache/crux. It is kept
    under $CRUX_CACHE_SIZE (default 200MB) by removing the least recently used entries.
    """


@command.command("info")
def info() -> None:
    """Where the cache is, how big, and its entries by kind."""
    usage = cache.usage()
    click.echo(f"folder: {usage.folder}")
    click.echo(
        f"size:   {cache.format_size(usage.total)} of at most {cache.format_size(usage.limit)}"
        f" (${cache.SIZE_VARIABLE})"
    )
    for kind in cache.KINDS:
        count, size = usage.by_kind[kind]
        click.echo(
            f"  {kind:<9} {count:>6} files {cache.format_size(size):>10}  {DESCRIPTIONS[kind]}"
        )


@command.command("clear")
def clear() -> None:
    """Remove every entry (the next run of each verb rebuilds what it needs)."""
    freed = cache.clear()
    click.echo(f"cleared {cache.cache_dir()}: {cache.format_size(freed)} freed")


@command.command("prune")
@click.option(
    "--max-size",
    metavar="SIZE",
    default=None,
    help="Trim to this size (e.g. 50MB) instead of $CRUX_CACHE_SIZE.",
)
def prune(max_size: str | None) -> None:
    """Remove the least recently used entries until the cache is within its cap."""
    limit = cache.size_limit()
    if max_size is not None:
        try:
            limit = cache.parse_size(max_size)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--max-size") from None
    freed = cache.prune(limit)
    click.echo(
        f"pruned {cache.cache_dir()} to at most {cache.format_size(limit)}: "
        f"{cache.format_size(freed)} freed"
    )
