"""`crux serve [DIR]`: build the site, serve it on 127.0.0.1, and rebuild on change with --watch."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import click

from engine.commands.build import output_option, run_build
from engine.commands.options import claims_dir, scenario_options
from engine.errors import UsageError

REBUILD_LIMIT = 900.0
"""Seconds a rebuild may take before it is stopped (the previous site stays served)."""


@click.command(
    "serve",
    epilog="""\b
Example:
  crux serve my_claims --watch --port 8001""",
)
@claims_dir
@output_option
@scenario_options
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port (0: any free port).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--watch/--no-watch",
    default=False,
    help="Rebuild when claims or templates change, and reload open pages.",
)
def command(
    claims_dir: Path,
    output: Path,
    scenario: str | None,
    sets: tuple[str, ...],
    assumes: tuple[str, ...],
    port: int,
    host: str,
    watch: bool,
) -> None:
    """Build DIR (default ./claims) into -o and serve it locally."""
    from engine.site.render import templates_dir
    from engine.site.serve import BuildCounter, make_server, watch_and_rebuild

    run_build(claims_dir, output, scenario, sets, assumes)

    def rebuild() -> None:
        rebuild_in_child(claims_dir, output, scenario, sets, assumes)

    counter = BuildCounter() if watch else None
    try:
        server = make_server(output, host, port, counter)
    except OSError as exc:
        raise UsageError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}", "--port"
        ) from None
    stop = threading.Event()
    if counter is not None:
        folders = [claims_dir, templates_dir()]
        threading.Thread(
            target=watch_and_rebuild, args=(folders, rebuild, counter, stop), daemon=True
        ).start()
    shown_host = f"[{host}]" if ":" in host else host
    click.echo(
        f"serving {output} at http://{shown_host}:{server.server_address[1]}/ (Ctrl-C to stop)"
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()


def rebuild_in_child(
    claims_dir: Path,
    output: Path,
    scenario: str | None,
    sets: tuple[str, ...],
    assumes: tuple[str, ...],
) -> None:
    """Rebuild in a child `crux build`, so nothing in an edited map can freeze the server.

    A rebuild in this process would share the interpreter with the server's threads: a long
    computation there (before units were bounded, `USD**9**9**9`) stopped every answer and
    Ctrl-C. A child process can be waited on, stopped after `REBUILD_LIMIT` and interrupted.
    """
    from engine.site.serve import RebuildFailed

    args = [sys.executable, "-m", "engine", "build", str(claims_dir), "-o", str(output)]
    if scenario is not None:
        args += ["--scenario", scenario]
    for text in sets:
        args += ["--set", text]
    for text in assumes:
        args += ["--assume", text]
    try:
        done = subprocess.run(args, timeout=REBUILD_LIMIT, check=False)
    except subprocess.TimeoutExpired:
        raise RebuildFailed(
            f"stopped after {REBUILD_LIMIT:.0f} s; the previous site is still served"
        ) from None
    if done.returncode != 0:
        raise RebuildFailed(
            f"crux build exited with status {done.returncode}; the previous site is still served"
        )
