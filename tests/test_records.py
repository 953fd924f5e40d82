"""Records: a cached knowledge base's items read exactly as the pydantic models they stand for."""

from __future__ import annotations

import pickle
import subprocess
import sys

import pytest

from engine.knowledge.loader import KnowledgeBase, load_knowledge_base
from engine.knowledge.records import FigureRecord, Record, as_model, as_record
from engine.knowledge.schema import Claim, Figure
from engine.knowledge.voices import voices_of
from tests.conftest import EXAMPLES, REPO


@pytest.fixture(scope="module")
def shipped() -> KnowledgeBase:
    return load_knowledge_base(REPO / "claims")


def _items(kb: KnowledgeBase) -> list[object]:
    sections = (kb.sources, kb.figures, kb.calculators, kb.claims, kb.arguments, kb.scenarios)
    items = [item for section in sections for item in section.values()]
    return [*items, *kb.correlations.values(), *(t.figure for t in kb.tables.values())]


@pytest.mark.parametrize("folder", [REPO / "claims", EXAMPLES / "correlated", EXAMPLES / "vans"])
def test_every_item_reads_and_dumps_as_its_model(folder: object) -> None:
    kb = load_knowledge_base(folder)  # type: ignore[arg-type]
    for model in _items(kb):
        record = as_record(model)
        assert isinstance(record, Record)
        for name in type(model).model_fields:  # type: ignore[attr-defined]
            value = getattr(record, name)
            assert as_model(value) == getattr(model, name), name
        assert record.model_fields_set == model.model_fields_set  # type: ignore[attr-defined]
        assert record.model_dump(mode="json") == model.model_dump(mode="json")  # type: ignore[attr-defined]
        assert record.model() == model and record == model and record == as_record(model)


def test_a_figure_record_derives_what_the_figure_derives(shipped: KnowledgeBase) -> None:
    kinds = set()
    for figure in shipped.figures.values():
        record = as_record(figure)
        assert isinstance(record, FigureRecord)
        assert (record.kind, record.options, record.setting, record.numeric_value()) == (
            figure.kind,
            figure.options,
            figure.setting,
            figure.numeric_value(),
        )
        kinds.add(figure.kind)
    assert {"number", "choice"} <= kinds, "the shipped map has numbers and a lens"


def test_nested_items_are_records_and_voices_read_alike(shipped: KnowledgeBase) -> None:
    cited = next(c for c in shipped.claims.values() if c.sources)
    record = as_record(cited)
    assert all(isinstance(citation, Record) for citation in record.sources)
    assert record.sources[0].source == cited.sources[0].source
    for item in [*shipped.claims.values(), *shipped.arguments.values(), *shipped.figures.values()]:
        assert [as_model(v) for v in voices_of(as_record(item))] == list(voices_of(item))


def test_a_record_is_frozen_and_names_a_missing_field() -> None:
    record = as_record(Claim(text="Water is wet."))
    with pytest.raises(AttributeError, match="frozen"):
        record.text = "changed"
    with pytest.raises(AttributeError, match="Claim has no field 'txt'"):
        _ = record.txt
    assert getattr(record, "choices", None) is None  # a claim has no choices, as with the model


def test_a_pickled_record_leaves_its_model_behind() -> None:
    record = as_record(Figure(label="cups", value=3.0, range=(1.0, 5.0)))
    assert record.model_copy(update={"value": 4.0}).value == 4.0  # builds the model
    assert record._model is not None
    revived = pickle.loads(pickle.dumps(record))
    assert isinstance(revived, FigureRecord) and revived._model is None
    assert revived == record and hash(revived) == hash(record)


def test_reading_records_back_imports_no_pydantic(shipped: KnowledgeBase) -> None:
    data = pickle.dumps(as_record(dict(shipped.figures)))
    probe = f"""
import pickle, sys
figures = pickle.loads({data!r})
print(sorted(f.kind for f in figures.values())[0], "pydantic" in sys.modules)
"""
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == [sorted(f.kind for f in shipped.figures.values())[0], "False"]
