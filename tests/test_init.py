"""`crux init`: a starter map that passes `check --strict`, builds, and is never overwritten."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import cli
from engine.commands.init import starter_files
from engine.knowledge.lint import lint
from engine.knowledge.loader import load_knowledge_base
from engine.knowledge.schema import SECTIONS, json_schema


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def started(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    code, out, err = run("init", "bakery")
    assert code == 0, err
    assert out == (
        "created a starter map in bakery/:\n"
        "  bakery/claims/map.yaml\n"
        "  bakery/crux.schema.json\n"
        "  bakery/.gitignore\n"
        "  bakery/README.md\n"
        "next: cd bakery && crux check --strict && crux eval && crux build\n"
    )
    return tmp_path / "bakery"


def test_init_output_passes_check_strict(started: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(started)
    code, out, err = run("check", "--strict")
    assert (code, err) == (0, "")
    assert out == (
        "ok: 1 source, 5 figures, 3 calculators, 5 claims, 3 arguments, 1 scenario; "
        "2 expectations hold.\n"
    )


def test_init_output_builds(started: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(started)
    code, out, err = run("build", "--strict")
    assert (code, err) == (0, "")
    assert out.startswith("wrote site: ")
    index = (started / "site" / "index.html").read_text(encoding="utf-8")
    assert "Does the bakery sell its loaves at a loss?" in index
    assert (started / ".gitignore").read_text(encoding="utf-8") == "site/\n"


def test_starter_shows_each_section_once_with_comments(started: Path) -> None:
    text = (started / "claims" / "map.yaml").read_text(encoding="utf-8")
    for section in SECTIONS:
        assert text.count(f"\n{section}:\n") == 1, section
        assert f"# {section.capitalize()}:" in text, f"no comment introducing {section}"
    kb = load_knowledge_base(started / "claims")
    assert lint(kb) == []
    assert kb.central_claim == "loaf_sold_at_loss"
    assert any(f.choices for f in kb.figures.values()), "the starter shows a lens"


def test_modeline_points_at_the_written_schema(started: Path) -> None:
    first = (started / "claims" / "map.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../crux.schema.json"
    schema = json.loads((started / "crux.schema.json").read_text(encoding="utf-8"))
    assert schema == json.loads(json.dumps(json_schema()))


def test_readme_says_the_next_three_commands(started: Path) -> None:
    readme = (started / "README.md").read_text(encoding="utf-8")
    for command in ("crux check --strict", "crux eval", "crux build"):
        assert f"\n{command} " in readme


def test_starter_is_not_about_the_shipped_debate() -> None:
    files = starter_files()
    schema = files.pop("crux.schema.json").lower()
    text = "\n".join(files.values()).lower()
    for word in ("token", "gpu", "openai", "anthropic", "inference", " ai ", " labs "):
        assert word not in text, word
    for word in ("token", "gpu", "openai", "mtok"):
        assert word not in schema, word


def test_init_refuses_to_overwrite(started: Path) -> None:
    map_file = started / "claims" / "map.yaml"
    map_file.write_text("# my own work\n", encoding="utf-8")
    code, out, err = run("init", "bakery")
    assert code == 2
    assert out == ""
    assert err.splitlines()[0] == (
        "bakery: expected a folder without a map, found bakery/claims/map.yaml, "
        "bakery/crux.schema.json, bakery/.gitignore, bakery/README.md; crux init never "
        "overwrites (choose a new folder)"
    )
    assert map_file.read_text(encoding="utf-8") == "# my own work\n"


def test_init_refuses_a_folder_with_claims_already(tmp_path: Path) -> None:
    (tmp_path / "claims").mkdir()
    (tmp_path / "claims" / "mine.yaml").write_text("claims: {}\n", encoding="utf-8")
    code, _, err = run("init", str(tmp_path))
    assert code == 2
    assert f"found {tmp_path / 'claims'};" in err
    assert not (tmp_path / "README.md").exists()


def test_init_into_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("init")
    assert code == 0
    assert out.splitlines()[0] == "created a starter map in this folder:"
    assert out.splitlines()[-1] == "next: crux check --strict && crux eval && crux build"
    assert (tmp_path / "claims" / "map.yaml").is_file()
