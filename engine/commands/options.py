"""Options shared by several verbs, so they read the same everywhere."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from engine.knowledge.loader import KnowledgeBase

from engine import collector
from engine.errors import CruxError, UsageError, did_you_mean

F = Callable[..., Any]
MAX_DEPTH = 10
"""The deepest `--depth` any verb takes."""


CLAIMS_DEFAULT = "claims"


def claims_dir(function: F) -> F:
    """The claims folder as a positional `[DIR]`, with `--claims DIR` accepted as well.

    For verbs with no other positional argument. The command receives ``claims_dir``.
    """

    @functools.wraps(function)
    def command(
        *args: Any, dir_argument: Path | None, dir_option: Path | None, **kwargs: Any
    ) -> Any:
        if dir_argument is not None and dir_option is not None and dir_argument != dir_option:
            raise UsageError(
                f"expected the claims folder once, found DIR '{dir_argument}' and "
                f"--claims '{dir_option}'",
                "--claims",
            )
        folder = dir_argument or dir_option or Path(CLAIMS_DEFAULT)
        return function(*args, claims_dir=folder, **kwargs)

    wrapped: F = click.option(
        "--claims",
        "dir_option",
        default=None,
        type=click.Path(path_type=Path),
        metavar="DIR",
        help=f"The claims folder (default ./{CLAIMS_DEFAULT}); the same as the DIR argument.",
    )(command)
    return click.argument(
        "dir_argument", required=False, type=click.Path(path_type=Path), metavar="[DIR]"
    )(wrapped)


def claims_option(function: F) -> F:
    """The claims folder as `--claims DIR`, for verbs whose positional arguments are claims."""
    return click.option(
        "--claims",
        "claims_dir",
        default=CLAIMS_DEFAULT,
        show_default=True,
        type=click.Path(path_type=Path),
        metavar="DIR",
        help="The claims folder.",
    )(function)


def depth_option(default: int, help_text: str) -> Callable[[F], F]:
    """`--depth N`: the same range (1 to `MAX_DEPTH`) in every verb that draws or explains."""
    return click.option(
        "--depth",
        default=default,
        show_default=True,
        type=click.IntRange(1, MAX_DEPTH),
        help=help_text,
    )


def scenario_options(function: F) -> F:
    function = click.option(
        "--assume",
        "assumes",
        multiple=True,
        metavar="CLAIM=true|false",
        help="Take a claim as holding or failing (repeatable).",
    )(function)
    function = click.option(
        "--set",
        "sets",
        multiple=True,
        metavar="FIGURE=VALUE[ UNIT]",
        help="Override a figure, optionally in another unit (repeatable), e.g. --set 'price=2.5 USD'.",
    )(function)
    function = click.option(
        "--scenario",
        "-s",
        default=None,
        metavar="NAME|FILE.yaml",
        help="A scenario of the knowledge base, or a scenario YAML file.",
    )(function)
    return function


def strict_option(function: F) -> F:
    return click.option(
        "--strict",
        is_flag=True,
        help="Treat warnings (unused items, orphan claims, inert arguments, ...) as errors.",
    )(function)


def format_option(function: F) -> F:
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(["table", "json", "csv"]),
        default="table",
        show_default=True,
        help="table: for reading (plain text when piped); json: every number in full; "
        "csv: one line per row.",
    )(function)


def central_first(kb: KnowledgeBase, claim_ids: Iterable[str]) -> list[str]:
    """The central claim first, then the conclusions, then the rest, each group by id."""
    rank = {"central": 0, "conclusion": 1}
    return sorted(claim_ids, key=lambda cid: (rank.get(kb.claims[cid].role or "", 2), cid))


def require_claims(kb: KnowledgeBase, claim_ids: Iterable[str | None]) -> None:
    """A usage error for the first CLAIM argument the knowledge base does not have."""
    for claim_id in claim_ids:
        if claim_id is not None and claim_id not in kb.claims:
            hint = did_you_mean(claim_id, kb.claims)
            if not hint and Path(claim_id).is_dir():
                hint = f" (a folder: did you mean --claims {claim_id}?)"
            raise UsageError(f"unknown claim '{claim_id}'{hint}", "CLAIM")


def base_url_option(help_text: str) -> Callable[[F], F]:
    """`--base-url`: http(s) or a relative path only, %-encoded (a diagram is embedded elsewhere)."""

    def checked(ctx: click.Context, param: click.Parameter, value: str) -> str:
        from engine.site.urls import checked_base_url

        try:
            return checked_base_url(value)
        except ValueError as exc:
            raise UsageError(str(exc), "--base-url") from None

    return click.option("--base-url", default="", metavar="URL", callback=checked, help=help_text)


def output_option(help_text: str) -> Callable[[F], F]:
    """`-o/--output PATH`: where an import writes its folder or an export its file."""
    return click.option(
        "-o", "--output", type=click.Path(path_type=Path), default=None, help=help_text
    )


def file_output_option(suffix: str) -> Callable[[F], F]:
    """An export's `-o FILE`, printing to standard output without it."""
    return output_option(f"The .{suffix} file (default: standard output).")


folder_output_option = output_option(
    "The new claims folder (default: the file's name without its extension)."
)
"""An import's `-o DIR`: a new (or empty) folder, never one with files in it."""


def samples_option(help_text: str) -> Callable[[F], F]:
    """`-n/--samples N`: Monte Carlo samples, in the range every verb accepts."""
    return click.option(
        "--samples",
        "-n",
        default=2000,
        show_default=True,
        type=click.IntRange(1, 1_000_000),
        help=help_text,
    )


def output_failed(exc: OSError, path: Path, option: str = "-o") -> CruxError:
    """A usage error saying why `path` could not be written, in the author's words."""

    reason = exc.strerror or type(exc).__name__
    if isinstance(exc, FileNotFoundError) and not path.parent.exists():
        why = f"the folder '{path.parent}' does not exist (create it first)"
    elif isinstance(exc, FileExistsError | NotADirectoryError):
        why = f"a file is in the way ({reason}): choose another name"
    elif isinstance(exc, IsADirectoryError):
        why = "it is a folder: give a file name"
    else:
        why = reason.lower() if reason[:1].isupper() and reason[1:2].islower() else reason
    return UsageError(f"cannot write '{path}': {why}", option)


def load(claims: Path) -> KnowledgeBase:
    """Load the knowledge base, turning a missing folder into a usage error."""
    if not claims.exists():
        raise UsageError(f"expected a claims folder, found nothing at '{claims}'", str(claims))
    if not claims.is_dir():
        hint = (
            f" (give the folder that holds it, '{claims.parent}', or check a scenario file "
            f"with --scenario {claims})"
            if claims.suffix in (".yaml", ".yml")
            else ""
        )
        raise UsageError(f"expected a claims folder, found a file{hint}", str(claims))
    # An unchanged folder loads from the cache, without sympy or pint (engine.site.model_cache).
    from engine.site.model_cache import load_cached

    try:
        return load_cached(claims)
    finally:
        collector.start_up_done()


__all__ = [
    "CruxError",
    "base_url_option",
    "central_first",
    "claims_dir",
    "claims_option",
    "depth_option",
    "file_output_option",
    "folder_output_option",
    "format_option",
    "load",
    "output_failed",
    "output_option",
    "require_claims",
    "samples_option",
    "scenario_options",
    "strict_option",
]
