"""The garbage collector is paused while a command starts, and runs again once the model is loaded.

Each check runs in a fresh interpreter: freezing objects is process-wide, and a test must not
freeze pytest's own.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from tests.conftest import EXAMPLES, REPO


def run_probe(script: str) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    report: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return report


def test_a_command_collects_again_once_its_knowledge_base_is_loaded(tmp_path) -> None:
    claims = EXAMPLES / "lemonade"
    report = run_probe(
        f"""
        import gc, json, os, sys
        os.environ["CRUX_CACHE_DIR"] = {str(tmp_path)!r}
        from engine import cli
        from engine.commands import options
        seen = {{}}
        load = options.load
        def watched(claims):
            seen["paused while loading"] = not gc.isenabled()
            kb = load(claims)
            seen["collecting after loading"] = gc.isenabled()
            seen["frozen after loading"] = gc.get_freeze_count() > 0
            return kb
        options.load = watched
        sys.argv = ["crux", "check", {str(claims)!r}]
        try:
            cli.main()
        except SystemExit as exit:
            seen["exit"] = exit.code
        print(json.dumps(seen))
        """
    )
    assert report == {
        "paused while loading": True,
        "collecting after loading": True,
        "frozen after loading": True,
        "exit": 0,
    }


def test_only_the_first_start_up_of_a_process_is_paused() -> None:
    # `crux serve --watch` loads again on every change: those loads must run with the collector
    # on and must not freeze what the last rebuild left to collect.
    report = run_probe(
        """
        import gc, json
        from engine import collector
        collector.pause_for_start_up()
        first_paused = not gc.isenabled()
        collector.start_up_done()
        frozen = gc.get_freeze_count()
        collector.pause_for_start_up()
        again_paused = not gc.isenabled()
        collector.start_up_done()
        print(json.dumps({"first": first_paused, "again": again_paused,
                          "enabled": gc.isenabled(),
                          "frozen again": gc.get_freeze_count() != frozen}))
        """
    )
    assert report == {"first": True, "again": False, "enabled": True, "frozen again": False}
