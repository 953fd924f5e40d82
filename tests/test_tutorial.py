"""docs/tutorial.md is run like a doctest: every command in it runs, in order, in an empty folder,
and prints exactly what the page shows.

The page uses three markers, invisible when it is rendered:

* `<!-- tutorial: write PATH -->` before a fenced block: the reader creates PATH with that text;
* `<!-- tutorial: excerpt PATH -->` before a fenced block: the text is part of PATH as it is;
* `<!-- tutorial: exit N -->` before a console block: its last command exits with status N
  (every other command exits with 0).

In a console block, `$ ` starts a command (`cd DIR` or `crux ...`) and the lines up to the next
command are its output. In expected output, a line `...` stands for any number of lines and `...`
inside a line for any text (timings, the Graphviz renderer).
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import cli

TUTORIAL = Path(__file__).resolve().parent.parent / "docs" / "tutorial.md"

_MARKER = re.compile(r"<!-- tutorial: (write|excerpt|exit) (\S+) -->")
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.S | re.M)


@dataclass
class Step:
    kind: str  # write | excerpt | console
    text: str
    line: int
    path: str = ""
    exit: int = 0
    commands: list[tuple[str, list[str]]] = field(default_factory=list)


def steps(markdown: str) -> list[Step]:
    found: list[Step] = []
    for fence in _FENCE.finditer(markdown):
        line = markdown.count("\n", 0, fence.start()) + 1
        before = markdown[: fence.start()].rstrip().rsplit("\n", 1)[-1]
        marker = _MARKER.fullmatch(before.strip())
        language, body = fence.group(1), fence.group(2)
        if language == "console":
            step = Step("console", body, line)
            if marker and marker.group(1) == "exit":
                step.exit = int(marker.group(2))
            for chunk in re.split(r"^\$ ", body, flags=re.M)[1:]:
                command, _, output = chunk.partition("\n")
                step.commands.append((command, output.splitlines()))
            found.append(step)
        elif marker and marker.group(1) in ("write", "excerpt"):
            found.append(Step(marker.group(1), body, line, path=marker.group(2)))
    return found


def matches(expected: list[str], actual: list[str]) -> bool:
    """Line-wise comparison where a `...` line is any lines and `...` in a line is any text."""
    pattern = ""
    for line in expected:
        if line.strip() == "...":
            pattern += r"(?:.*\n)*?"
        else:
            pattern += ".*?".join(re.escape(part) for part in line.split("...")) + r"\n"
    return re.fullmatch(pattern, "".join(f"{line}\n" for line in actual)) is not None


def run_command(command: str, cwd: Path) -> tuple[Path, int, list[str]]:
    words = shlex.split(command)
    if words[0] == "cd":
        return (cwd / words[1]).resolve(), 0, []
    assert words[0] == "crux", f"the tutorial may run only cd and crux, found: {command}"
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, words[1:])
    finally:
        os.chdir(previous)
    lines = [line.rstrip() for line in result.output.splitlines()]
    return cwd, result.exit_code, lines


def test_the_tutorial_has_commands_and_edits() -> None:
    found = steps(TUTORIAL.read_text(encoding="utf-8"))
    kinds = {s.kind for s in found}
    assert kinds == {"console", "write", "excerpt"}
    commands = [c for s in found if s.kind == "console" for c, _ in s.commands]
    assert commands[0] == "crux init bakery"
    assert {"crux check --strict", "crux eval", "crux build"} <= set(commands)


def test_every_command_in_the_tutorial_prints_what_it_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRUX_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    cwd = tmp_path
    for step in steps(TUTORIAL.read_text(encoding="utf-8")):
        where = f"docs/tutorial.md:{step.line}"
        if step.kind == "write":
            (cwd / step.path).write_text(step.text, encoding="utf-8")
        elif step.kind == "excerpt":
            assert step.text in (cwd / step.path).read_text(encoding="utf-8"), (
                f"{where}: the excerpt is not in {step.path} as crux init writes it"
            )
        else:
            for index, (command, expected) in enumerate(step.commands):
                cwd, code, actual = run_command(command, cwd)
                last = index == len(step.commands) - 1
                wanted = step.exit if last else 0
                assert code == wanted, f"{where}: `{command}` exited {code}:\n" + "\n".join(actual)
                assert matches(expected, actual), f"{where}: `{command}` printed:\n" + "\n".join(
                    actual
                )


@pytest.mark.parametrize(
    ("expected", "actual", "same"),
    [
        (["a", "b"], ["a", "b"], True),
        (["a", "b"], ["a", "c"], False),
        (["wrote ... in ... s"], ["wrote site: 3 pages in 0.4 s"], True),
        (["a", "...", "z"], ["a", "b", "c", "z"], True),
        (["a", "...", "z"], ["a", "b"], False),
        (["a"], ["a", "extra"], False),
    ],
)
def test_the_output_comparison(expected: list[str], actual: list[str], same: bool) -> None:
    assert matches(expected, actual) is same
