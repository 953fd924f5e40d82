"""Argdown both ways (docs/interop.md), checked against Argdown's own corpus and CLI.

The corpus lives at `../shared/corpora/argdown/` (never copied here) and the Argdown CLI in
`~/.cache/crux-argdown` (`.ci/run` installs it). Tests that need either skip with the reason when
it is absent, except under CI, where a missing Argdown CLI is a failure.
"""

from __future__ import annotations

import collections
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from engine.cli import cli
from engine.errors import CruxError
from engine.evaluation.evaluate import evaluate_scenario
from engine.interop.argdown_cli import find_cli
from engine.interop.argdown_io import export_argdown, import_argdown
from engine.interop.argdown_model import strip_tags
from engine.interop.argdown_read import argdown_map, read_json_file
from engine.interop.argdown_to_crux import to_crux
from engine.interop.argdown_write import write_argdown
from engine.interop.crux_to_argdown import argdown_of
from engine.knowledge.loader import load_knowledge_base
from engine.knowledge.schema import Argument, Claim
from tests.conftest import EXAMPLES, REPO

CORPUS = REPO.parent / "shared" / "corpora" / "argdown"
STRICT = {"contrary": "attack", "contradictory": "attack", "entails": "support"}
LOSSY = {"entails", "contrary", "contradictory"}

needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"the Argdown corpus is not at {CORPUS} (../shared/corpora/argdown)"
)


def _manifest() -> list[dict[str, Any]]:
    if not CORPUS.is_dir():
        return []
    files: list[dict[str, Any]] = json.loads((CORPUS / "MANIFEST.json").read_text())["files"]
    return files


VALID = [f for f in _manifest() if f["expected"]]
INVALID = [f for f in _manifest() if not f["expected"]]


@pytest.fixture(scope="module")
def argdown_cli() -> str:
    cli_path = find_cli()
    if cli_path is None:
        message = "no Argdown CLI: npm install --prefix ~/.cache/crux-argdown @argdown/cli@1.7.5"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the Argdown checks: {message}")
        pytest.skip(message)
    return cli_path


def _json_of(entry: dict[str, Any]) -> Path:
    return CORPUS / entry["file"].replace(".argdown", ".json")


def _model(sections: dict[str, Any]) -> tuple[dict[str, Claim], dict[str, Argument]]:
    claims = {k: Claim(**v) for k, v in sections.get("claims", {}).items()}
    arguments = {k: Argument(**v) for k, v in sections.get("arguments", {}).items()}
    return claims, arguments


# --- counts (A1) and reported losses (A5) ------------------------------------------------------


@needs_corpus
@pytest.mark.parametrize("entry", VALID, ids=[f["file"] for f in VALID])
def test_import_gives_the_manifest_counts_and_a_valid_claims_folder(
    entry: dict[str, Any], tmp_path: Path
) -> None:
    source = argdown_map(read_json_file(_json_of(entry)))
    sections, report = to_crux(source, entry["file"])
    expected = entry["expected"]
    assert report.statements == expected["statements"]
    assert report.arguments == expected["arguments"]
    assert report.relations == expected["relations"]
    assert report.pcs == expected["pcs"]
    assert dict(report.relation_types) == expected["relation_types"]
    assert source.tags == expected["tags"] and source.sections == expected["sections"]
    # Every statement is a claim, plus stand-ins for what sketched arguments leave unstated.
    real_claims = [c for c in sections.get("claims", {}).values() if not c.get("implicit")]
    assert len(real_claims) == expected["statements"]
    # The written folder passes `crux check`.
    code, _, err = _run("import", "argdown", str(_json_of(entry)), "-o", str(tmp_path / "kb"))
    assert code == 0, err
    load_knowledge_base(tmp_path / "kb")


@needs_corpus
@pytest.mark.parametrize("entry", VALID, ids=[f["file"] for f in VALID])
def test_every_lossy_relation_is_reported_by_name(entry: dict[str, Any]) -> None:
    source = argdown_map(read_json_file(_json_of(entry)))
    _, report = to_crux(source, entry["file"])
    for relation in source.relations:
        lossy = relation.type in LOSSY or (
            relation.target_type == "argument" and relation.type in ("support", "attack")
        )
        if lossy:
            assert any(
                relation.type in w
                and relation.source in w
                and relation.target in w
                and entry["file"] in w
                for w in report.warnings
            ), relation


@needs_corpus
def test_strict_mode_and_all_relation_kinds_warn() -> None:
    for name in ("docs/syntax__42.json", "docs/guide-colorizing-maps__11.json"):
        _, report = to_crux(argdown_map(read_json_file(CORPUS / name)), name)
        assert report.warnings, name
    _, report = to_crux(
        argdown_map(read_json_file(CORPUS / "docs/guide-colorizing-maps__11.json")), "x"
    )
    assert (
        "x: contrary from [s2] to [s1]: crux has no strict-mode contrary; mapped to a con argument each way"
        in report.warnings
    )
    assert (
        "x: support from <a3> to <a1>: crux cannot support an argument; mapped to a support of its conclusion"
        in report.warnings
    )


# --- round trip through Argdown (A2) -----------------------------------------------------------


def _facts(data: dict[str, Any], strict: bool) -> tuple[object, object, object]:
    statements = {}
    for title, ec in data["statements"].items():
        members = [
            m
            for m in ec.get("members") or []
            if not m.get("isReference") and (m.get("text") or "").strip()
        ]
        canonical = [m for m in members if (m.get("data") or {}).get("isCanonical")]
        chosen = canonical[-1] if canonical else (members[-1] if members else None)
        statements[title] = strip_tags(chosen["text"]) if chosen else ""
    relations: collections.Counter[tuple[str, ...]] = collections.Counter()
    for r in data["relations"]:
        kind = STRICT.get(r["relationType"], r["relationType"]) if strict else r["relationType"]
        relations[(kind, r["from"], r["fromType"], r["to"], r["toType"])] += 1
    pcs = {
        title: (
            tuple(p["title"] for p in a["pcs"] if p["role"] == "premise"),
            a["pcs"][-1]["title"],
        )
        for title, a in data["arguments"].items()
        if a.get("pcs")
    }
    return statements, relations, pcs


@pytest.fixture(scope="module")
def reexported(argdown_cli: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every corpus file imported, exported again, and read back by `argdown json` in one run."""
    folder = tmp_path_factory.mktemp("argdown-roundtrip")
    (folder / "in").mkdir()
    for entry in VALID:
        sections, _ = to_crux(argdown_map(read_json_file(_json_of(entry))), entry["file"])
        claims, arguments = _model(sections)
        name = entry["file"].replace("/", "__")
        (folder / "in" / name).write_text(write_argdown(argdown_of(claims, arguments)))
    done = subprocess.run(
        [argdown_cli, "json", str(folder / "in" / "*.argdown"), str(folder / "out")],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert "syntax error" not in (done.stdout + done.stderr).lower(), done.stdout + done.stderr
    return folder / "out"


@needs_corpus
@pytest.mark.parametrize("entry", VALID, ids=[f["file"] for f in VALID])
def test_round_trip_through_argdown_keeps_statements_relations_and_structures(
    entry: dict[str, Any], reexported: Path
) -> None:
    original = json.loads(_json_of(entry).read_text())
    again_path = reexported / Path(entry["file"].replace("/", "__")).with_suffix(".json").name
    assert again_path.is_file(), f"the Argdown CLI did not read crux's export of {entry['file']}"
    again = json.loads(again_path.read_text())
    strict = any(r["relationType"] in STRICT for r in original["relations"])
    before, after = _facts(original, strict), _facts(again, strict)
    assert after[0] == before[0], "statements (title, text)"
    assert after[1] == before[1], "relations"
    assert after[2] == before[2], "premise-conclusion structures"


# --- crux maps round trip (A3) ------------------------------------------------------------------

CRUX_MAPS = [
    REPO / "claims",
    EXAMPLES / "lemonade",
    EXAMPLES / "analysis" / "toy",
    EXAMPLES / "analysis" / "montecarlo",
]


def _settings(kb: Any) -> list[tuple[str | None, tuple[str, ...]]]:
    """Every scenario, and every option of every lens (choice figure) on top of the defaults."""
    runs: list[tuple[str | None, tuple[str, ...]]] = [(None, ())]
    runs += [(name, ()) for name in kb.scenarios]
    for fid, figure in kb.figures.items():
        runs += [(None, (f"{fid}={option}",)) for option in figure.choices or ()]
    return runs


@pytest.mark.parametrize("folder", CRUX_MAPS, ids=lambda p: p.name)
def test_crux_map_survives_export_argdown_json_import(
    folder: Path, argdown_cli: str, tmp_path: Path
) -> None:
    kb = load_knowledge_base(folder)
    labels = dict(evaluate_scenario(kb).claims)
    exported = tmp_path / "map.argdown"
    exported.write_text(export_argdown(kb, labels, None))
    _, report = import_argdown(exported)
    assert report.warnings == []
    code, _, err = _run("import", "argdown", str(exported), "-o", str(tmp_path / "back"))
    assert code == 0, err
    back = load_knowledge_base(tmp_path / "back")
    assert dict(back.claims) == dict(kb.claims)
    assert dict(back.arguments) == dict(kb.arguments)
    for section in ("figures", "calculators", "scenarios", "sources"):
        assert dict(getattr(back, section)) == dict(getattr(kb, section)), section
    for scenario, sets in _settings(kb):
        assert (
            evaluate_scenario(back, scenario, sets).claims
            == evaluate_scenario(kb, scenario, sets).claims
        )


def test_export_tags_labels_and_colours_by_verdict() -> None:
    code, out, _ = _run("export", "argdown", str(EXAMPLES / "lemonade"), "--scenario", "summer")
    assert code == 0
    assert out.startswith("===\n") and "tagColors:" in out and "holds: '#" in out
    assert "[stand_sells_at_loss]: The lemonade stand sells each cup at a loss. #fails" in out
    assert '"holds_when": "cost_per_cup > cup_price"' in out


def test_export_escapes_argdown_markup() -> None:
    claims = {"a": Claim(text="Costs <x> [y] {z} #no *bold* _it_ @me")}
    text = write_argdown(argdown_of(claims, {}))
    assert r"[a]: Costs \<x\> \[y\] \{z\} \#no \*bold\* \_it\_ \@me" in text


# --- errors (A4 and the house style) ------------------------------------------------------------


@needs_corpus
@pytest.mark.parametrize("entry", INVALID, ids=[f["file"] for f in INVALID])
def test_invalid_argdown_fails_at_the_clis_line(
    entry: dict[str, Any], argdown_cli: str, tmp_path: Path
) -> None:
    source = CORPUS / entry["file"]
    expected = (CORPUS / entry["file"].replace(".argdown", ".errors.txt")).read_text()
    at = expected.split("At ", 1)[1].split()[0]
    code, _, err = _run("import", "argdown", str(source), "-o", str(tmp_path / "kb"))
    assert code == 1
    assert err.startswith(f"{source}:{at}: Argdown syntax error: ")
    assert not (tmp_path / "kb").exists()


def test_bad_json_is_an_error_at_its_position(tmp_path: Path) -> None:
    bad = tmp_path / "map.json"
    bad.write_text('{"statements": {,}}')
    code, _, err = _run("import", "argdown", str(bad), "-o", str(tmp_path / "kb"))
    assert code == 1
    assert err.startswith(f"{bad}:1:17: expected Argdown's JSON export, found invalid JSON")
    assert "Traceback" not in err and not (tmp_path / "kb").exists()


def test_import_never_overwrites_a_folder_with_files(tmp_path: Path) -> None:
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "mine.yaml").write_text("claims: {}\n")
    source = tmp_path / "m.json"
    source.write_text(
        '{"statements": {"A": {"members": [{"text": "a"}]}}, "arguments": {}, "relations": []}'
    )
    code, _, err = _run("import", "argdown", str(source), "-o", str(tmp_path / "kb"))
    assert code == 2
    assert "expected a new or empty folder" in err
    assert (tmp_path / "kb" / "mine.yaml").read_text() == "claims: {}\n"


def test_missing_cli_says_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRUX_ARGDOWN", str(tmp_path / "no-such-argdown"))
    source = tmp_path / "m.argdown"
    source.write_text("[A]: a\n")
    with pytest.raises(CruxError) as raised:
        import_argdown(source)
    assert "npm install --prefix ~/.cache/crux-argdown @argdown/cli@1.7.5" in str(
        raised.value.problems[0]
    )


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr
