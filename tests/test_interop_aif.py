"""AIF and xAIF in and out (docs/interop.md, "AIF and xAIF"), checked against the corpus and
against arguebuf, an independent reader of AIF.

The corpus lives at `../shared/corpora/aif/` (never copied here); tests that need it skip with
the reason when it is absent.
"""

from __future__ import annotations

import json
import time
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from engine.cli import cli
from engine.evaluation.evaluate import evaluate_scenario
from engine.interop.aif_read import read_aif
from engine.interop.aif_to_crux import to_crux
from engine.knowledge.loader import load_knowledge_base
from tests.conftest import EXAMPLES, REPO

AIF = REPO.parent / "shared" / "corpora" / "aif"
MANIFEST = json.loads((AIF / "MANIFEST.json").read_text()) if AIF.is_dir() else {"files": []}
FILES = {Path(entry["file"]).stem: entry for entry in MANIFEST["files"]}
LARGE = "arguebuf-ts-xAifTestFile"
needs_corpus = pytest.mark.skipif(
    not AIF.is_dir(), reason=f"the AIF corpus is not at {AIF} (../shared/corpora/aif)"
)
corpus_files = pytest.mark.parametrize("name", sorted(FILES) or ["(no corpus)"])


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def _import(source: Path, folder: Path, kind: str = "xaif") -> str:
    code, _, err = _run("import", kind, str(source), "-o", str(folder))
    assert code == 0, err
    return err


def _export(folder: Path, target: Path, kind: str, *more: str) -> str:
    code, _, err = _run("export", kind, str(folder), "-o", str(target), *more)
    assert code == 0, err
    return err


def _kb_sections(folder: Path) -> dict[str, Any]:
    (file,) = folder.glob("*.yaml")
    return yaml.safe_load(file.read_text(encoding="utf-8"))


def _arguebuf(path: Path, kind: str) -> tuple[int, Counter[str], Counter[tuple[Any, ...]]]:
    """What arguebuf reads: its atom nodes, its scheme nodes by kind, and each support or attack
    as (kind, premise texts, target text) — the target of an attack on an inference is the
    inference's own conclusion, marked."""
    import arguebuf

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        obj = json.loads(path.read_text(encoding="utf-8"))
        graph = arguebuf.load.xaif(obj) if kind == "xaif" else arguebuf.load.aif(obj)
    kinds: Counter[str] = Counter()
    relations: Counter[tuple[Any, ...]] = Counter()

    def text(node: Any) -> str:
        if hasattr(node, "plain_text"):
            return " ".join(str(node.plain_text).split())  # crux collapses runs of spaces
        conclusions = sorted(text(n) for n in graph.outgoing_nodes(node))
        return "inference to " + " / ".join(conclusions)

    for node in graph.scheme_nodes.values():
        kind_name = type(node.scheme).__name__
        kinds[kind_name] += 1
        premises = tuple(sorted(text(n) for n in graph.incoming_nodes(node)))
        for target in graph.outgoing_nodes(node):
            relations[(kind_name, premises, text(target))] += 1
    return len(graph.atom_nodes), kinds, relations


# --- F1: counts ---


@needs_corpus
@corpus_files
def test_import_gives_the_manifest_counts_and_passes_check(name: str, tmp_path: Path) -> None:
    expected = FILES[name]["expected"]["raw_node_types"]
    source = AIF / FILES[name]["file"]
    report = _import(source, tmp_path / "kb")
    sections = _kb_sections(tmp_path / "kb")
    claims, arguments = sections.get("claims") or {}, sections.get("arguments") or {}
    assert len(claims) == expected.get("I", 0)
    pro = [a for a in arguments.values() if a.get("conclusion") and a.get("stance", "pro") == "pro"]
    con = [a for a in arguments.values() if a.get("stance") == "con"]
    undercuts = [a for a in arguments.values() if a.get("undercuts")]
    assert len(pro) == expected.get("RA", 0)
    assert len(con) + len(undercuts) == expected.get("CA", 0)
    plural = lambda n: "" if n == 1 else "s"  # noqa: E731
    assert (
        f"made {len(claims)} claim{plural(len(claims))} (I), {len(pro)} pro argument"
        f"{plural(len(pro))} (RA), {len(con)} con argument{plural(len(con))} and "
        f"{len(undercuts)} undercut{plural(len(undercuts))} (CA)" in report
    )
    code, out, err = _run("check", str(tmp_path / "kb"))
    assert code == 0, out + err


@needs_corpus
@corpus_files
def test_every_asserting_locution_gives_its_claim_a_speaker(name: str) -> None:
    source = AIF / FILES[name]["file"]
    raw = json.loads(source.read_text())["AIF"]
    types = {str(n["nodeID"]): n for n in raw["nodes"]}
    asserted = {
        str(e2["toID"])
        for e1 in raw["edges"]
        for e2 in raw["edges"]
        if types[str(e1["fromID"])]["type"] == "L"
        and str(e1["toID"]) == str(e2["fromID"])
        and types[str(e2["fromID"])]["type"] == "YA"
        and types[str(e2["fromID"])]["text"] in ("Asserting", "Default Illocuting")
        and types[str(e2["toID"])]["type"] == "I"
    }
    sections, _ = to_crux(read_aif(source), source.name)
    # Texts repeat (a source cited twice), so compare the spoken claims' texts as multisets.
    spoken = Counter(c["text"] for c in sections["claims"].values() if c.get("speaker"))
    assert spoken == Counter(" ".join(types[n]["text"].split()) for n in asserted)


@needs_corpus
def test_speaker_and_quote_come_from_the_participant_and_the_locution(tmp_path: Path) -> None:
    sections, _ = to_crux(
        read_aif(AIF / FILES[LARGE]["file"]), "large.json"
    )  # L "team otway00219 : …", person 17 = team otway00219
    claim = next(
        c for c in sections["claims"].values() if c["text"].startswith("There is no mention of")
    )
    assert claim["speaker"] == "team otway00219"
    assert claim["quote"].startswith("There is no mention of Jeffries declaring")
    small, _ = to_crux(read_aif(AIF / FILES["xaif-pypi-tutorial-basic"]["file"]), "basic.json")
    speakers = sorted(c.get("speaker") for c in small["claims"].values())
    # Person 2 has a locution but no participant entry: named by number rather than dropped.
    assert speakers == ["Speaker 1", "Speaker 2", "person 2"]


# --- F4: the large file ---


@needs_corpus
def test_the_large_file_imports_quickly_and_reports_what_it_leaves(tmp_path: Path) -> None:
    source = AIF / FILES[LARGE]["file"]
    start = time.perf_counter()
    _sections, report = to_crux(read_aif(source), source.name)
    elapsed = time.perf_counter() - start
    # bench/bench_aif.py measures it (docs/benchmarks.md); this bound only catches a blow-up.
    assert elapsed < 5, f"{elapsed:.2f} s"
    lines = "\n".join(report.lines())
    assert "3 MA (rephrases" in lines and "102 TA (transitions" in lines
    assert "17 non-asserting illocutions (Hypothesising 17" in lines
    err = _import(source, tmp_path / "kb", "aif")
    assert "3 MA" in err and "102 TA" in err
    labels = evaluate_scenario(load_knowledge_base(tmp_path / "kb")).claims
    assert len(labels) == 123 and set(labels.values()) <= {"holds", "fails", "undecided"}


# --- F2: arguebuf reads the export as it reads the original ---


@needs_corpus
@corpus_files
@pytest.mark.parametrize("kind", ["aif", "xaif"])
def test_arguebuf_reads_the_export_as_it_reads_the_original(
    name: str, kind: str, tmp_path: Path
) -> None:
    source = AIF / FILES[name]["file"]
    oracle = FILES[name]["expected"]["arguebuf_2.7.2"]
    atoms, kinds, relations = _arguebuf(source, "xaif")
    assert atoms == oracle["atom_nodes"]
    _import(source, tmp_path / "kb")
    _export(tmp_path / "kb", tmp_path / "out.json", kind)
    back_atoms, back_kinds, back_relations = _arguebuf(tmp_path / "out.json", kind)
    assert back_atoms == atoms
    for scheme in ("Support", "Attack"):
        assert (
            back_kinds[scheme]
            == kinds[scheme]
            == sum(n for key, n in oracle["schemes"].items() if key.startswith(scheme))
        )
    # Not only as many: the same premises supporting and attacking the same propositions.
    assert {k: n for k, n in back_relations.items() if k[0] != "Rephrase"} == {
        k: n for k, n in relations.items() if k[0] != "Rephrase"
    }


# --- F3: AIF → crux → AIF → crux ---


@needs_corpus
@corpus_files
def test_aif_to_crux_and_back_is_idempotent(name: str, tmp_path: Path) -> None:
    source = AIF / FILES[name]["file"]
    _import(source, tmp_path / "first")
    _export(tmp_path / "first", tmp_path / "first.json", "aif")
    _import(tmp_path / "first.json", tmp_path / "second", "aif")
    first, second = _kb_sections(tmp_path / "first"), _kb_sections(tmp_path / "second")

    def without_notes(section: dict[str, Any] | None) -> dict[str, Any]:
        return {
            k: {f: v for f, v in item.items() if f != "notes"}
            for k, item in (section or {}).items()
        }

    # Notes hold what AIF has no place for (rephrases, hypotheses): the import's own words.
    assert without_notes(second.get("claims")) == without_notes(first.get("claims"))
    assert second.get("arguments") == first.get("arguments")
    labels = [
        evaluate_scenario(load_knowledge_base(tmp_path / folder)).claims
        for folder in ("first", "second")
    ]
    assert labels[0] == labels[1]
    _export(tmp_path / "second", tmp_path / "second.json", "aif")
    assert (tmp_path / "second.json").read_text() == (tmp_path / "first.json").read_text()


# --- crux maps out and back ---

SMALL_MAP = {
    "claims": {
        "verdict": {
            "text": "The bridge should be rebuilt.",
            "speaker": "Ada Lovelace",
            "quote": "Rebuild it.",
        },
        "cracks": {
            "text": "The bridge has cracks.",
            "voices": [{"speaker": "Cy Young", "quote": "I saw cracks."}, {"speaker": "Di"}],
        },
        "old": {"text": "The bridge is old."},
        "cheap": {"text": "Repairs are cheap."},
        "quick": {"text": "Repairs are quick."},
        "paint": {"text": "The cracks are only in the paint.", "speaker": "Bob"},
    },
    "arguments": {
        "unsafe": {"premises": ["cracks", "old"], "conclusion": "verdict", "weight": 3},
        "repair": {
            "premises": ["cheap", "quick"],
            "conclusion": "verdict",
            "stance": "con",
            "speaker": "Bob",
        },
        "surface": {"premises": ["paint", "cheap"], "undercuts": "unsafe"},
    },
}


def _write_map(folder: Path, sections: dict[str, Any]) -> Path:
    folder.mkdir()
    (folder / "map.yaml").write_text(yaml.safe_dump(sections, sort_keys=False))
    return folder


def test_several_premise_attacks_and_weights_go_out_as_aif_requires(tmp_path: Path) -> None:
    folder = _write_map(tmp_path / "kb", SMALL_MAP)
    _export(folder, tmp_path / "map.json", "aif")
    document = json.loads((tmp_path / "map.json").read_text())
    nodes = {n["nodeID"]: n for n in document["nodes"]}
    edges = {(e["fromID"], e["toID"]) for e in document["edges"]}
    # The con argument's two premises are joined by a generated I-node, the only attacker.
    assert nodes["repair"]["type"] == "CA"
    attackers = [s for s, t in edges if t == "repair" and nodes[s]["type"] == "I"]
    assert attackers == ["repair.premises"]
    assert nodes["repair.premises"]["text"] == "Repairs are cheap, and Repairs are quick."
    assert {
        ("cheap", "repair.link"),
        ("quick", "repair.link"),
        ("repair.link", "repair.premises"),
    } <= edges
    # The undercut attacks the RA itself.
    assert nodes["surface"]["type"] == "CA" and ("surface", "unsafe") in edges
    # Weight 3 against weight 1 at the same claim: a preference, RA over CA.
    (pa,) = [n for n in nodes.values() if n["type"] == "PA"]
    assert ("unsafe", pa["nodeID"]) in edges and (pa["nodeID"], "repair") in edges
    # The speaker asserts the claim through a locution, and is a participant.
    assert nodes["verdict.L"]["text"] == "Ada Lovelace : Rebuild it."
    assert {("verdict.L", "verdict.YA"), ("verdict.YA", "verdict")} <= edges
    names = {(p["firstname"], p["surname"]) for p in document["participants"]}
    assert names == {("Ada", "Lovelace"), ("Bob", ""), ("Cy", "Young"), ("Di", "")}
    # Several voices: a locution each, each asserting the claim.
    said = sorted(
        n["text"]
        for n in nodes.values()
        if n["type"] == "L" and ".L" in n["nodeID"] and n["nodeID"].startswith("cracks")
    )
    assert said == ["Cy Young : I saw cracks.", "Di : The bridge has cracks."]


def test_a_crux_map_comes_back_from_aif_with_its_structure(tmp_path: Path) -> None:
    folder = _write_map(tmp_path / "kb", SMALL_MAP)
    _export(folder, tmp_path / "map.json", "xaif")
    _import(tmp_path / "map.json", tmp_path / "back")
    back = _kb_sections(tmp_path / "back")
    assert set(back["claims"]) == set(SMALL_MAP["claims"])
    for cid, claim in SMALL_MAP["claims"].items():
        assert back["claims"][cid] == claim
    arguments = back["arguments"]
    assert set(arguments) == {"unsafe", "repair", "surface"}
    assert arguments["repair"] == {
        "speaker": "Bob",
        "premises": ["cheap", "quick"],
        "conclusion": "verdict",
        "stance": "con",
    }
    assert arguments["surface"] == {"premises": ["paint", "cheap"], "undercuts": "unsafe"}
    # The order survives, the number does not: AIF preferences say only which is stronger.
    assert arguments["unsafe"]["weight"] == 2 and "weight" not in arguments["repair"]


@pytest.mark.parametrize(
    "folder", [REPO / "claims", EXAMPLES / "lemonade", EXAMPLES / "library"], ids=lambda p: p.name
)
def test_shipped_maps_come_back_with_their_claims_and_arguments(
    folder: Path, tmp_path: Path
) -> None:
    if not folder.is_dir():
        pytest.skip(f"{folder} is not in this checkout")
    kb = load_knowledge_base(folder)
    err = _export(folder, tmp_path / "map.json", "aif")
    if kb.figures:
        assert f"{len(kb.figures)} figures" in err  # what AIF cannot carry is said
    _import(tmp_path / "map.json", tmp_path / "back", "aif")
    back = load_knowledge_base(tmp_path / "back")
    assert {c: x.text for c, x in back.claims.items()} == {c: x.text for c, x in kb.claims.items()}
    assert {c: x.speaker for c, x in back.claims.items()} == {
        c: x.speaker for c, x in kb.claims.items()
    }
    shape = lambda a: (a.premises, a.conclusion, a.stance, a.undercuts, a.speaker)  # noqa: E731
    assert Counter(map(shape, back.arguments.values())) == Counter(
        map(shape, kb.arguments.values())
    )
    # Ids come back, except the shorthand's generated ones longer than an id may be.
    kept = {a for a in kb.arguments if len(a) <= 80}
    assert {a: shape(back.arguments[a]) for a in kept} == {a: shape(kb.arguments[a]) for a in kept}


def test_claims_the_numbers_decide_come_back_as_assumptions(tmp_path: Path) -> None:
    folder = EXAMPLES / "lemonade"
    _export(folder, tmp_path / "map.json", "aif", "--scenario", "summer")
    _import(tmp_path / "map.json", tmp_path / "back", "aif")
    kb, back = load_knowledge_base(folder), load_knowledge_base(tmp_path / "back")
    labels = evaluate_scenario(kb, "summer").claims
    for cid in kb.conditions:
        if labels[cid] != "undecided":
            assert back.claims[cid].assumed == (labels[cid] == "holds"), cid


# --- PA on import ---


def _aif_file(tmp_path: Path, preferred: str | None) -> Path:
    nodes = [
        {"nodeID": "1", "text": "The road is open.", "type": "I"},
        {"nodeID": "2", "text": "The sign says open.", "type": "I"},
        {"nodeID": "3", "text": "A tree fell on it.", "type": "I"},
        {"nodeID": "4", "text": "Default Inference", "type": "RA"},
        {"nodeID": "5", "text": "Default Conflict", "type": "CA"},
    ]
    edges = [("2", "4"), ("4", "1"), ("3", "5"), ("5", "1")]
    if preferred:
        other = "5" if preferred == "4" else "4"
        nodes.append({"nodeID": "6", "text": "Default Preference", "type": "PA"})
        edges += [(preferred, "6"), ("6", other)]
    path = tmp_path / f"road-{preferred}.json"
    path.write_text(
        json.dumps(
            {
                "nodes": nodes,
                "edges": [
                    {"edgeID": str(i), "fromID": a, "toID": b} for i, (a, b) in enumerate(edges)
                ],
                "locutions": [],
            }
        )
    )
    return path


@pytest.mark.parametrize(("preferred", "label"), [(None, "fails"), ("4", "holds"), ("5", "fails")])
def test_preferences_decide_between_support_and_attack(
    preferred: str | None, label: str, tmp_path: Path
) -> None:
    _import(_aif_file(tmp_path, preferred), tmp_path / "kb", "aif")
    labels = evaluate_scenario(load_knowledge_base(tmp_path / "kb")).claims
    assert labels["the_road_is_open"] == label


# --- bad input ---


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        (
            '{"nodes": [\n  {"nodeID": "1",,}',
            "2:18",
            "expected AIF or xAIF JSON, found invalid JSON",
        ),
        ('{"edges": []}', "1:1", "expected a list 'nodes' in the AIF object, found none"),
        ('{"AIF": {"nodes": []}}', "1:9", "expected a list 'edges' in the xAIF object, found none"),
        (
            '{"nodes": [{"nodeID": "1", "text": "A", "type": "I"}],\n "edges": [\n  {"edgeID": 1, "fromID": "1", "toID": "9"}]}',
            "3:32",
            "expected toID to name a node, found '9', which no node has",
        ),
        (
            '{"nodes": [{"nodeID": "1", "text": "A", "type": "I"}, 7], "edges": []}',
            "1:55",
            "expected a node object, found the number 7",
        ),
        (
            '{"nodes": [{"text": "A", "type": "I"}], "edges": []}',
            "1:12",
            "expected a nodeID (text or number), found null",
        ),
        (
            '{"nodes": [{"nodeID": "1", "text": "A", "type": "I"},\n {"nodeID": 1, "text": "B", "type": "I"}], "edges": []}',
            "2:3",
            "expected a unique nodeID, found '1' a second time",
        ),
        ("[1, 2]", "1:1", "expected an AIF object with 'nodes' and 'edges', found a list"),
    ],
)
def test_bad_input_is_reported_at_its_position(
    text: str, position: str, message: str, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(text)
    code, _, err = _run("import", "aif", str(bad), "-o", str(tmp_path / "kb"))
    assert code == 1 and "Traceback" not in err
    first = err.splitlines()[0]
    assert first.startswith(f"{bad}:{position}: "), first
    assert message in first
    assert not (tmp_path / "kb").exists()


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"nodes": [{"nodeID": "1", "text": "A", "type": "I"}],\n'
        ' "edges": [{"fromID": "1", "toID": "2"},\n  {"fromID": "3", "toID": "1"}]}'
    )
    code, _, err = _run("import", "xaif", str(bad), "-o", str(tmp_path / "kb"))
    assert code == 1
    assert f"{bad}:2:28: expected toID to name a node, found '2'" in err
    assert f"{bad}:3:4: expected fromID to name a node, found '3'" in err
    assert "2 errors" in err


def test_huge_and_unreadable_files_are_refused(tmp_path: Path) -> None:
    huge = tmp_path / "huge.json"
    with huge.open("wb") as stream:
        stream.truncate(65 * 2**20)  # sparse: refused by its size before it is read
    code, _, err = _run("import", "aif", str(huge), "-o", str(tmp_path / "kb"))
    assert code == 1 and "Traceback" not in err
    assert err.startswith(f"{huge}: expected AIF or xAIF JSON of at most 64 MiB, found 65 MiB")
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    code, _, err = _run("import", "aif", str(deep), "-o", str(tmp_path / "kb"))
    assert code == 1 and "Traceback" not in err and "nested too deeply" in err
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"nodes": [{"text": "caf\xe9"}]}')
    code, _, err = _run("import", "aif", str(latin), "-o", str(tmp_path / "kb"))
    assert code == 1 and err.startswith(f"{latin}:1:25: expected AIF or xAIF JSON in UTF-8")
    code, _, err = _run("import", "aif", str(tmp_path / "missing.json"))
    assert code == 2 and "expected a file, found nothing" in err


def test_import_and_export_help_show_examples() -> None:
    for path in (("import", "aif"), ("import", "xaif"), ("export", "aif"), ("export", "xaif")):
        code, out, _ = _run(*path, "--help")
        assert code == 0
        assert f"Example: crux {' '.join(path)} " in out
    for group in ("import", "export"):
        code, out, _ = _run(group, "--help")
        assert code == 0 and f"crux {group} aif " in out and "(or xaif" in out
