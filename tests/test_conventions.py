"""One convention for every verb: the folder, the default scenario, --depth, examples in --help."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from engine.cli import COMMANDS, cli
from tests.conftest import EXAMPLES

LEMONADE = EXAMPLES / "lemonade"
VERBS = sorted(COMMANDS)


def leaf_commands() -> list[tuple[str, ...]]:
    """Every runnable verb, with groups (`export argdown`) expanded to their subcommands."""
    found: list[tuple[str, ...]] = []
    for verb in VERBS:
        top = cli.get_command(click.Context(cli), verb)
        if isinstance(top, click.Group):
            found.extend((verb, sub) for sub in sorted(top.commands))
        else:
            found.append((verb,))
    return found


# `schema` prints the file format; `import` and `init` write a new folder: none reads one.
WITH_FOLDER = [
    path for path in leaf_commands() if path[0] not in ("schema", "import", "init", "cache")
]


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def command(*path: str) -> click.Command:
    found = cli.get_command(click.Context(cli), path[0])
    for name in path[1:]:
        assert isinstance(found, click.Group)
        found = found.commands[name]
    assert found is not None
    return found


@pytest.fixture
def with_default(tmp_path: Path) -> Path:
    """The lemonade example with `summer` declared as its default scenario."""
    folder = tmp_path / "claims"
    shutil.copytree(LEMONADE, folder)
    model = folder / "model.yaml"
    text = model.read_text(encoding="utf-8")
    model.write_text(
        text.replace("  summer:\n", "  summer:\n    default: true\n", 1), encoding="utf-8"
    )
    return folder


@pytest.mark.parametrize("path", WITH_FOLDER, ids=" ".join)
def test_every_verb_accepts_claims_dir(path: tuple[str, ...]) -> None:
    params = {p.name: p for p in command(*path).params}
    option = next(p for p in params.values() if "--claims" in getattr(p, "opts", []))
    assert option.metavar == "DIR" or option.name in ("dir_option", "claims_dir")


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--claims", str(LEMONADE)],
        ["eval", "--claims", str(LEMONADE)],
        ["explain", "stand_is_thriving", "--claims", str(LEMONADE)],
        ["flips", "--claims", str(LEMONADE)],
        ["sensitivity", "--claims", str(LEMONADE)],
        ["simulate", "-n", "200", "--claims", str(LEMONADE)],
        ["simulate", "-n", "200", str(LEMONADE)],
    ],
)
def test_verbs_run_on_the_folder_given_either_way(args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("verb", ["check", "eval", "build", "serve", "simulate"])
def test_verbs_without_other_positionals_take_dir_positionally(verb: str) -> None:
    names = [p.name for p in command(verb).params if isinstance(p, click.Argument)]
    assert names == ["dir_argument"]


def test_dir_and_a_different_claims_option_is_a_usage_error() -> None:
    result = run("eval", str(LEMONADE), "--claims", "elsewhere")
    assert result.exit_code == 2
    assert "expected the claims folder once" in result.stderr


def test_a_folder_given_as_claim_suggests_claims() -> None:
    result = run("flips", str(LEMONADE))
    assert result.exit_code == 2
    assert f"did you mean --claims {LEMONADE}" in result.stderr


def scenario_of_each_verb(folder: Path, tmp_path: Path) -> dict[str, str]:
    claims = ["--claims", str(folder)]
    found = {
        "eval": json.loads(run("eval", *claims, "--format", "json").stdout)["scenario"],
        "simulate": json.loads(run("simulate", "-n", "100", *claims, "--format", "json").stdout)[
            "scenario"
        ],
    }
    for verb, args in {
        "explain": ["explain", "stand_is_thriving"],
        "flips": ["flips"],
        "sensitivity": ["sensitivity"],
    }.items():
        heading = run(*args, *claims).stdout.splitlines()[0]
        match = re.match(r"Scenario: (\S+) — ", heading)
        assert match, heading
        found[verb] = match.group(1)
    out = run("diagram", "stand_is_thriving", *claims, "-o", str(tmp_path / "x.svg")).stdout
    match = re.search(r"scenario (\S+)", out)
    assert match, out
    found["diagram"] = match.group(1).rstrip(",")
    return found


def test_every_verb_defaults_to_the_declared_default_scenario(
    with_default: Path, tmp_path: Path
) -> None:
    assert set(scenario_of_each_verb(with_default, tmp_path).values()) == {"summer"}


def test_without_a_declared_default_every_verb_uses_the_figures_values(tmp_path: Path) -> None:
    # The lemonade example has no `baseline` and declares no default.
    assert set(scenario_of_each_verb(LEMONADE, tmp_path).values()) == {"defaults"}


def test_the_shipped_map_defaults_to_baseline() -> None:
    out = run("eval", "--format", "json", "--claims", "claims")
    assert json.loads(out.stdout)["scenario"] == "baseline"


def test_two_default_scenarios_are_an_error(with_default: Path) -> None:
    model = with_default / "model.yaml"
    text = model.read_text(encoding="utf-8")
    model.write_text(
        text.replace("  washout:\n", "  washout:\n    default: true\n", 1), encoding="utf-8"
    )
    result = run("check", str(with_default))
    assert result.exit_code == 1
    assert "expected one default scenario, found another in 'summer'" in result.stderr


@pytest.mark.parametrize("verb", ["explain", "diagram", "build"])
def test_depth_has_the_same_range_everywhere(verb: str) -> None:
    depth = next(p for p in command(verb).params if p.name == "depth")
    assert isinstance(depth.type, click.IntRange)
    assert (depth.type.min, depth.type.max) == (1, 10)


# `crux cache` (housekeeping of the cache folder) came later and has no examples yet.
@pytest.mark.parametrize("path", [p for p in leaf_commands() if p[0] != "cache"], ids=" ".join)
def test_help_shows_an_example(path: tuple[str, ...]) -> None:
    result = run(*path, "--help")
    assert result.exit_code == 0
    assert re.search(r"Examples?:\s+crux " + " ".join(path), result.stdout)
