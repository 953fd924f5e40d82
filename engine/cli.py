"""The `crux` command line: one click group, one module per verb under `engine/commands/`.

Bad input files exit with status 1 and bad usage with status 2; both print every problem as
`path:line:col: message` and a one-line summary, with no traceback unless `--debug`.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from engine import __version__, collector
from engine.errors import CruxError, UsageError

# Each verb lives in engine/commands/<module>.py and is imported only when it runs, so
# `crux check` does not pay for the site's or the analysis's imports.
COMMANDS = {
    "cache": "cache",
    "init": "init",
    "check": "check",
    "eval": "evaluate",
    "explain": "explain",
    "schema": "schema",
    "build": "build",
    "serve": "serve",
    "diagram": "diagram",
    "flips": "flips",
    "sensitivity": "sensitivity",
    "simulate": "simulate",
    "export": "export",
    "import": "import_",
}


class CruxGroup(click.Group):
    """Loads verbs lazily and turns `CruxError` into clean messages and exit codes."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = COMMANDS.get(cmd_name)
        if module_name is None:
            return None
        module = importlib.import_module(f"engine.commands.{module_name}")
        command: click.Command = module.command
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CruxError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            click.echo(exc.summary(), err=True)
            ctx.exit(2 if isinstance(exc, UsageError) else 1)
        finally:
            # Keep the cache folder under its cap; nothing to do when this run wrote nothing,
            # and a run that never imported the cache module wrote nothing (so `--help` need
            # not import it).
            cache = sys.modules.get("engine.site.cache")
            if cache is not None:
                cache.prune_if_written()


@click.group(cls=CruxGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="crux")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """crux: quantified argument maps. Claims, cited figures and formulas, evaluated and explained."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def main() -> None:
    """Entry point of the `crux` console script."""
    debug = "--debug" in sys.argv[1:]
    # numpy's OpenBLAS starts a thread per core when numpy is imported, which costs a warm
    # `crux eval` about a seventh of its time; crux multiplies only small matrices (a few
    # figures' correlations), and a site build already runs a process per core. A reader's own
    # setting wins.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    collector.pause_for_start_up()
    try:
        cli.main(prog_name="crux", standalone_mode=True)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # a bug, not bad input: say so briefly, trace only on --debug
        if debug:
            raise
        click.echo(f"crux: internal error: {type(exc).__name__}: {exc}", err=True)
        click.echo("Run again with --debug for the traceback, and please report it.", err=True)
        sys.exit(3)
    finally:
        collector.freeze_for_exit()
