from __future__ import annotations

import pytest

from engine.knowledge.yaml_source import YamlProblems, read_yaml


def test_yaml_12_booleans_only_true_and_false() -> None:
    doc = read_yaml("a: no\nb: on\nc: yes\nd: true\ne: False\n", "f.yaml")
    assert doc.data == {"a": "no", "b": "on", "c": "yes", "d": True, "e": False}


def test_dates_stay_strings() -> None:
    assert read_yaml("as_of: 2026-03-01\n", "f.yaml").data == {"as_of": "2026-03-01"}


def test_positions_of_keys_and_values_are_one_based() -> None:
    doc = read_yaml("figures:\n  price:\n    value: 2\n", "f.yaml")
    assert str(doc.locate(("figures", "price", "value"))) == "f.yaml:3:12"
    assert str(doc.locate(("figures", "price", "value"), key=True)) == "f.yaml:3:5"


def test_offset_inside_a_quoted_formula_maps_to_its_column() -> None:
    doc = read_yaml('f: "a + b"\n', "f.yaml")
    assert str(doc.locate_in_scalar(("f",), 4, "a + b")) == "f.yaml:1:9"


def test_duplicate_keys_cite_both_places() -> None:
    with pytest.raises(YamlProblems) as caught:
        read_yaml("a: 1\nb: 2\na: 3\n", "f.yaml")
    assert (
        str(caught.value.problems[0])
        == "f.yaml:3:1: duplicate key 'a' (first defined at f.yaml:1:1)"
    )


def test_syntax_error_has_a_location() -> None:
    with pytest.raises(YamlProblems) as caught:
        read_yaml("a: [1, 2\n", "f.yaml")
    assert str(caught.value.problems[0]).startswith("f.yaml:2:1: YAML syntax:")
