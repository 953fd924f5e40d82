"""Carneades and Dung frameworks in; GraphML, GEXF and the versioned JSON out (docs/interop.md).

The Carneades corpus lives at `../shared/corpora/carneades/` (never copied here); tests that need
it skip with the reason when it is absent.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import networkx as nx
import pytest
from click.testing import CliRunner

from engine.cli import cli
from engine.evaluation.evaluate import evaluate_scenario
from engine.interop.evaluated_json import evaluated_map, json_schema, runs
from engine.interop.graph_export import evaluated_graph
from engine.knowledge.loader import load_knowledge_base
from tests.conftest import EXAMPLES, REPO

CARNEADES = REPO.parent / "shared" / "corpora" / "carneades"
needs_corpus = pytest.mark.skipif(
    not CARNEADES.is_dir(),
    reason=f"the Carneades corpus is not at {CARNEADES} (../shared/corpora/carneades)",
)

# The tested files whose expected labels crux's semantics reproduce (measured in the corpus
# README, "Which tests can crux's semantics reproduce?"), and rebuttal, which needs constant
# weights as crux weights.
REPRODUCED = [
    "bachelor",
    "caminada1",
    "dung-attack-cycle",
    "dung-reinstatement",
    "even-loop",
    "frisian",
    "independent-support-loop",
    "jogging2",
    "linked-convergent",
    "odd-loop",
    "paraconsistency",
    "pollock-red-light",
    "prakken-sartor-murder",
    "reinstatement",
    "risky-operation",
    "self-defeat",
    "sherlock",
    "snake",
    "support-loop",
    "tandem",
    "toulmin",
    "trivial",
    "tweety",
    "unreliable-witness",
    "unsupported",
    "unsupported2",
    "vacation",
    "rebuttal",
]
# Rule schemes: only Carneades' own inference grounds them, so these import its ground graph.
FROM_GROUND_GRAPH = ["basic_event_calculus"]
NEEDS = {
    "jogging": "factorized weighing",
    "library": "factorized weighing",
    "mandatory-sentences": "cumulative weighing (an argument applies although some premises are out)",
    "lex": "preference weighing by scheme metadata (lex superior, lex posterior)",
    "mcda-porsche": "criteria weighing (multi-criteria decision analysis)",
}
CRUX_MAPS = [
    REPO / "claims",
    EXAMPLES / "lemonade",
    EXAMPLES / "analysis" / "toy",
    EXAMPLES / "analysis" / "montecarlo",
]


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def _import_and_check(source: Path, folder: Path) -> tuple[int, str]:
    code, _, err = _run("import", "carneades", str(source), "-o", str(folder))
    assert code == 0, err
    code, out, err = _run("check", str(folder))
    return code, out + err


@needs_corpus
@pytest.mark.parametrize("name", REPRODUCED)
def test_carneades_tests_pass_as_crux_expectations(name: str, tmp_path: Path) -> None:
    code, output = _import_and_check(CARNEADES / "yaml" / f"{name}.yml", tmp_path / "kb")
    assert code == 0, output
    assert re.search(r"\d+ expectations? holds?\.", output), output


@needs_corpus
@pytest.mark.parametrize("name", FROM_GROUND_GRAPH)
def test_rule_scheme_graphs_pass_from_their_ground_graph(name: str, tmp_path: Path) -> None:
    code, output = _import_and_check(CARNEADES / "computed" / f"{name}.json", tmp_path / "kb")
    assert code == 0, output
    _, _, err = _run(
        "import", "carneades", str(CARNEADES / "yaml" / f"{name}.yml"), "-o", str(tmp_path / "yaml")
    )
    assert "need Carneades' inference; import its ground graph" in err


@needs_corpus
@pytest.mark.parametrize("name", sorted(NEEDS))
def test_graphs_needing_other_weighing_are_reported_and_expected_to_fail(
    name: str, tmp_path: Path
) -> None:
    _, _, err = _run(
        "import", "carneades", str(CARNEADES / "yaml" / f"{name}.yml"), "-o", str(tmp_path / "kb")
    )
    assert "is not expressible in crux" in err, f"{name} needs {NEEDS[name]} and must say so"
    code, _output = _import_and_check(CARNEADES / "yaml" / f"{name}.yml", tmp_path / "again")
    if code == 0:
        pytest.fail(f"{name} now passes: move it from NEEDS to REPRODUCED")
    pytest.xfail(f"needs {NEEDS[name]}")


@needs_corpus
def test_every_tested_file_is_either_reproduced_or_listed() -> None:
    import yaml

    tested = {
        p.stem
        for p in (CARNEADES / "yaml").glob("*.yml")
        if (yaml.safe_load(p.read_text()) or {}).get("tests")
    }
    assert tested == set(REPRODUCED) | set(FROM_GROUND_GRAPH) | set(NEEDS)


@needs_corpus
def test_ground_graphs_agree_with_carneades_on_every_statement_where_the_semantics_agree(
    tmp_path: Path,
) -> None:
    from engine.interop.carneades import read_carneades, to_crux

    equal = 0
    for path in sorted((CARNEADES / "computed").glob("*.json")):
        graph = read_carneades(path)
        sections, _ = to_crux(graph, path.name)
        folder = tmp_path / path.stem
        folder.mkdir()
        import yaml

        (folder / "kb.yaml").write_text(yaml.safe_dump(sections, allow_unicode=True))
        kb = load_knowledge_base(folder)
        labels = evaluate_scenario(kb).claims
        by_title = {claim.title or cid: cid for cid, claim in kb.claims.items()}
        names = {"in": "holds", "out": "fails", "undecided": "undecided"}
        equal += all(labels[by_title[s]] == names[label] for s, label in graph["labels"].items())
    assert equal == 35  # the corpus README's measurement for translation T: 35 of 43


@needs_corpus
def test_dung_frameworks_give_the_grounded_labelling(tmp_path: Path) -> None:
    expected = json.loads((CARNEADES / "tgf" / "grounded-labellings.json").read_text())
    assert len(expected) == 8
    names = {"IN": "holds", "OUT": "fails", "UNDEC": "undecided"}
    for file_name, framework in expected.items():
        folder = tmp_path / file_name
        code, _, err = _run("import", "tgf", str(CARNEADES / "tgf" / file_name), "-o", str(folder))
        assert code == 0, err
        kb = load_knowledge_base(folder)
        labels = evaluate_scenario(kb).claims
        by_title = {claim.title: cid for cid, claim in kb.claims.items()}
        got = {node: labels[by_title[node]] for node in framework["arguments"]}
        want = {node: names[key] for key, nodes in framework["grounded"].items() for node in nodes}
        assert got == want, file_name


def test_tgf_errors_name_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tgf"
    bad.write_text("a\nb\n#\na c\n")
    code, _, err = _run("import", "tgf", str(bad), "-o", str(tmp_path / "kb"))
    assert code == 1
    assert err.startswith(
        f"{bad}:4:1: expected an attack 'x y' between listed arguments, found 'a c'"
    )
    assert not (tmp_path / "kb").exists()


def test_carneades_errors_name_the_position(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("statements:\n  p: [unclosed\n")
    code, _, err = _run("import", "carneades", str(bad), "-o", str(tmp_path / "kb"))
    assert code == 1 and "Traceback" not in err
    assert err.startswith(f"{bad}:3:1: expected Carneades YAML")
    assert not (tmp_path / "kb").exists()


@pytest.mark.parametrize("folder", CRUX_MAPS, ids=lambda p: p.name)
@pytest.mark.parametrize("kind", ["graphml", "gexf"])
def test_graph_exports_read_back_with_networkx(folder: Path, kind: str, tmp_path: Path) -> None:
    kb = load_knowledge_base(folder)
    graph = evaluated_graph(kb, None, None)
    target = tmp_path / f"map.{kind}"
    code, _, err = _run("export", kind, str(folder), "-o", str(target), "--samples", "50")
    assert code == 0, err
    back = nx.read_graphml(target) if kind == "graphml" else nx.read_gexf(target)
    assert set(back.nodes) == set(graph.nodes)
    assert set(back.edges) == set(graph.edges)
    for node, attrs in graph.nodes(data=True):
        for key, value in attrs.items():
            assert (
                back.nodes[node][key] == pytest.approx(value)
                if isinstance(value, float)
                else back.nodes[node][key] == value
            )
        assert "p_holds" in back.nodes[node] or attrs["kind"] != "claim"
    for u, v, attrs in graph.edges(data=True):
        for key, value in attrs.items():
            assert back.edges[u, v][key] == value


def test_graph_export_carries_meaning_in_typed_keys(tmp_path: Path) -> None:
    target = tmp_path / "map.graphml"
    assert (
        _run("export", "graphml", str(EXAMPLES / "lemonade"), "-o", str(target), "-n", "50")[0] == 0
    )
    back = nx.read_graphml(target)
    node = back.nodes["stand_sells_at_loss"]
    assert node["kind"] == "claim" and node["label"] == "fails" and node["basis"] == "numbers"
    assert node["label_summer"] == "fails" and 0.0 <= node["p_holds"] <= 1.0
    assert back.nodes["cup_price"]["unit"] == "USD" and back.nodes["cup_price"]["value"] == 2.0


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    published = json.loads((REPO / "docs" / "crux-json.schema.json").read_text())
    assert published == json.loads(json.dumps(json_schema())), (
        "regenerate docs/crux-json.schema.json"
    )
    return published


@pytest.mark.parametrize("folder", CRUX_MAPS, ids=lambda p: p.name)
def test_json_export_validates_and_matches_eval(folder: Path, schema: dict[str, Any]) -> None:
    kb = load_knowledge_base(folder)
    document = json.loads(json.dumps(evaluated_map(kb, None, 100), allow_nan=False))
    from referencing import Registry, Resource

    kb_schema = json.loads((REPO / "docs" / "crux.schema.json").read_text())
    registry = Registry().with_resource("crux.schema.json", Resource.from_contents(kb_schema))
    jsonschema.Draft202012Validator(schema, registry=registry).validate(document)
    assert document["crux_json"] == 1
    for name, scenario, sets in runs(kb):
        args = [
            "eval",
            str(folder),
            "--format",
            "json",
            *(["--scenario", scenario] if scenario else []),
        ]
        for setting in sets:
            args += ["--set", setting]
        code, out, err = _run(*args)
        assert code == 0, err
        labels = {cid: c["label"] for cid, c in json.loads(out)["claims"].items()}
        assert document["evaluations"][name]["labels"] == labels, name


def test_json_export_cli_writes_the_document(tmp_path: Path) -> None:
    target = tmp_path / "map.json"
    code, _, err = _run(
        "export", "json", str(EXAMPLES / "lemonade"), "-o", str(target), "-n", "100"
    )
    assert code == 0, err
    document = json.loads(target.read_text())
    assert document["evaluations"]["summer"]["basis"]["stand_is_thriving"] in (
        "arguments",
        "presumption",
    )
    assert set(document["p_holds"]["claims"]) == set(document["claims"])
