"""Grounded labelling (engine/evaluation/semantics.py) against Dung's semantics and the rules in
docs/semantics.md."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.evaluation import semantics
from engine.evaluation.semantics import ArgumentSpec, explain_claim, label

IN, OUT, UNDEC = 1, -1, 0


# --- helpers --------------------------------------------------------------------------------


def attack_graph(nodes: Iterable[str], attacks: Iterable[tuple[str, str]]):
    """A Dung framework as a crux map: node x is a claim, x attacks y is a con argument."""
    claims = sorted(nodes)
    args = [
        ArgumentSpec(f"{x}>{y}", premises=(x,), conclusion=y, stance="con")
        for x, y in sorted(set(attacks))
    ]
    return claims, args


def labels_of(claims, args, fixed=None, n=1, index=0) -> dict[str, int]:
    result = label(claims, args, fixed or {}, n)
    return {c: int(v[index]) for c, v in result.claims.items()}


def arg_labels_of(claims, args, fixed=None) -> dict[str, int]:
    result = label(claims, args, fixed or {}, 1)
    return {a: int(v[0]) for a, v in result.arguments.items()}


def pro(id, premises, conclusion, weight=1.0, undercuts=None):
    return ArgumentSpec(id, tuple(premises), conclusion, "pro", weight, undercuts)


def con(id, premises, conclusion, weight=1.0, undercuts=None):
    return ArgumentSpec(id, tuple(premises), conclusion, "con", weight, undercuts)


def undercut(id, premises, target):
    return ArgumentSpec(id, tuple(premises), None, "con", undercuts=target)


def one(value: int) -> np.ndarray:
    return np.array([value], dtype=np.int8)


# --- a deliberately naive Dung grounded extension (pure Python sets, nothing shared) ---------


def naive_grounded(nodes: set[str], attacks: set[tuple[str, str]]) -> dict[str, int]:
    attackers = {a: {x for x, y in attacks if y == a} for a in nodes}

    def attacked_by(s: set[str]) -> set[str]:
        return {y for x, y in attacks if x in s}

    def characteristic(s: set[str]) -> set[str]:
        defeated = attacked_by(s)
        return {a for a in nodes if attackers[a] <= defeated}

    extension: set[str] = set()
    while (following := characteristic(extension)) != extension:
        extension = following
    out = attacked_by(extension)
    return {a: IN if a in extension else OUT if a in out else UNDEC for a in nodes}


# --- a naive scalar reading of the rules in docs/semantics.md (pure Python, no numpy) ---------


def naive_rules(claims, args, fixed: Mapping[str, int]) -> tuple[dict, dict]:
    claim_label = {c: fixed.get(c, 0) for c in claims}
    arg_label = {a.id: 0 for a in args}
    while True:
        new_args = {}
        for a in args:
            premises = [claim_label[p] for p in a.premises]
            cutters = [arg_label[u.id] for u in args if u.undercuts == a.id]
            if all(p == 1 for p in premises) and all(u == -1 for u in cutters):
                new_args[a.id] = 1
            elif any(p == -1 for p in premises) or any(u == 1 for u in cutters):
                new_args[a.id] = -1
            else:
                new_args[a.id] = 0
        new_claims = dict(claim_label)
        for c in claims:
            if c in fixed:
                continue
            pros = [a for a in args if a.conclusion == c and a.stance == "pro"]
            cons = [a for a in args if a.conclusion == c and a.stance == "con"]

            def total(group, allowed, labels=new_args):
                return sum(a.weight for a in group if labels[a.id] in allowed)

            pro_min, pro_max = total(pros, {1}), total(pros, {1, 0})
            con_min, con_max = total(cons, {1}), total(cons, {1, 0})
            if not pros:
                new_claims[c] = 1 if con_max == 0 else -1 if con_min > 0 else 0
            else:
                new_claims[c] = 1 if pro_min > con_max else -1 if pro_max <= con_min else 0
        if new_args == arg_label and new_claims == claim_label:
            return claim_label, arg_label
        claim_label, arg_label = new_claims, new_args


# --- classic Dung frameworks ----------------------------------------------------------------


def test_chain_alternates():
    # a attacks b attacks c: a is unattacked, so b is out and c is reinstated.
    assert labels_of(*attack_graph("abc", [("a", "b"), ("b", "c")])) == {
        "a": IN,
        "b": OUT,
        "c": IN,
    }


def test_reinstatement():
    # b attacks a, c attacks b: c defends a.
    assert labels_of(*attack_graph("abc", [("b", "a"), ("c", "b")])) == {
        "a": IN,
        "b": OUT,
        "c": IN,
    }


def test_reinstatement_needs_every_attacker_defeated():
    # a is attacked by b and d; c defeats b but nothing defeats d.
    assert labels_of(*attack_graph("abcd", [("b", "a"), ("d", "a"), ("c", "b")])) == {
        "a": OUT,
        "b": OUT,
        "c": IN,
        "d": IN,
    }


def test_nixon_diamond():
    # Quaker and republican attack each other and both bear on pacifist.
    claims, args = attack_graph(
        ["quaker", "republican", "pacifist"],
        [("quaker", "republican"), ("republican", "quaker"), ("republican", "pacifist")],
    )
    assert labels_of(claims, args) == {"quaker": UNDEC, "republican": UNDEC, "pacifist": UNDEC}


def test_odd_cycle_is_undecided():
    assert labels_of(*attack_graph("abc", [("a", "b"), ("b", "c"), ("c", "a")])) == {
        "a": UNDEC,
        "b": UNDEC,
        "c": UNDEC,
    }


def test_even_cycle_is_undecided_in_grounded_semantics():
    cycle = [("a", "b"), ("b", "c"), ("c", "d"), ("d", "a")]
    assert set(labels_of(*attack_graph("abcd", cycle)).values()) == {UNDEC}


def test_self_attack_is_undecided_and_so_is_its_target():
    assert labels_of(*attack_graph("ab", [("a", "a"), ("a", "b")])) == {"a": UNDEC, "b": UNDEC}


def test_unattacked_attacker_breaks_a_cycle():
    # d is unattacked and attacks a, so the 3-cycle unravels: a out, b in, c out.
    attacks = [("a", "b"), ("b", "c"), ("c", "a"), ("d", "a")]
    assert labels_of(*attack_graph("abcd", attacks)) == {"a": OUT, "b": IN, "c": OUT, "d": IN}


@st.composite
def attack_graphs(draw):
    size = draw(st.integers(min_value=1, max_value=9))
    nodes = [f"n{i}" for i in range(size)]
    pairs = [(x, y) for x in nodes for y in nodes]
    density = draw(st.sampled_from([0.05, 0.15, 0.3, 0.5]))
    attacks = {p for p in pairs if draw(st.floats(0, 1)) < density}
    return set(nodes), attacks


@settings(max_examples=300, deadline=None)
@given(attack_graphs())
def test_pure_attack_graphs_match_dung_grounded(graph):
    nodes, attacks = graph
    assert labels_of(*attack_graph(nodes, attacks)) == naive_grounded(nodes, attacks)


# --- weights, presumption, undercutters, fixed claims ----------------------------------------


def test_claim_without_arguments_is_presumed():
    assert labels_of(["a"], []) == {"a": IN}


def test_weighted_pro_outweighs_lighter_con():
    args = [pro("p", [], "c", weight=2), con("k", [], "c", weight=1)]
    assert labels_of(["c"], args)["c"] == IN


def test_equal_weights_tie_fails():
    # A claim with support must surely outweigh its attacks; a tie is not enough.
    args = [pro("p", [], "c", weight=1), con("k", [], "c", weight=1)]
    assert labels_of(["c"], args)["c"] == OUT


def test_weights_add_up_exactly_despite_floating_point():
    args = [pro("p1", [], "c", 0.1), pro("p2", [], "c", 0.2), con("k", [], "c", 0.3)]
    assert labels_of(["c"], args)["c"] == OUT  # 0.1 + 0.2 ties 0.3, it does not exceed it


def test_several_cons_outweigh_one_pro():
    args = [pro("p", [], "c", 2), con("k1", [], "c", 1.5), con("k2", [], "c", 1)]
    assert labels_of(["c"], args)["c"] == OUT


def test_undecided_con_leaves_claim_undecided_only_if_it_could_tip_the_balance():
    # x is undecided (a 3-cycle): its con argument may or may not apply.
    claims, args = attack_graph("xyz", [("x", "y"), ("y", "z"), ("z", "x")])
    heavy = [*args, pro("p", [], "c", 2), con("k", ["x"], "c", 3)]
    light = [*args, pro("p", [], "c", 2), con("k", ["x"], "c", 1)]
    assert labels_of([*claims, "c"], heavy)["c"] == UNDEC
    assert labels_of([*claims, "c"], light)["c"] == IN


def test_pro_argument_with_failed_premise_leaves_claim_unsupported():
    args = [pro("p", ["e"], "c")]
    assert labels_of(["c", "e"], args, {"e": one(OUT)})["c"] == OUT


def test_presumed_claim_defeated_by_an_applying_con_whatever_its_weight():
    args = [con("k", [], "c", weight=0.01)]
    assert labels_of(["c"], args)["c"] == OUT


def test_multi_premise_argument_needs_every_premise():
    args = [pro("p", ["a", "b"], "c")]
    claims = ["a", "b", "c"]
    both = labels_of(claims, args, {"a": one(IN), "b": one(IN)})
    one_fails = labels_of(claims, args, {"a": one(IN), "b": one(OUT)})
    one_undecided = labels_of(claims, args, {"a": one(IN), "b": one(UNDEC)})
    assert (both["c"], one_fails["c"], one_undecided["c"]) == (IN, OUT, UNDEC)
    assert arg_labels_of(claims, args, {"a": one(IN), "b": one(OUT)}) == {"p": OUT}


def test_undercutter_stops_an_argument_from_applying():
    claims = ["c", "e"]
    args = [pro("p", [], "c"), undercut("u", ["e"], "p")]
    assert arg_labels_of(claims, args) == {"p": OUT, "u": IN}
    assert labels_of(claims, args)["c"] == OUT


def test_undercutter_whose_premise_fails_restores_the_argument():
    claims = ["c", "e"]
    args = [pro("p", [], "c"), undercut("u", ["e"], "p")]
    fixed = {"e": one(OUT)}
    assert arg_labels_of(claims, args, fixed) == {"p": IN, "u": OUT}
    assert labels_of(claims, args, fixed)["c"] == IN


def test_undercut_undercutter_reinstates():
    claims = ["c"]
    args = [pro("p", [], "c"), undercut("u", [], "p"), undercut("v", [], "u")]
    assert arg_labels_of(claims, args) == {"p": IN, "u": OUT, "v": IN}


def test_self_undercutting_argument_is_undecided():
    claims = ["c"]
    args = [pro("p", [], "c", undercuts="p")]
    assert arg_labels_of(claims, args) == {"p": UNDEC}
    assert labels_of(claims, args)["c"] == UNDEC


def test_fixed_claims_override_arguments():
    args = [con("k", [], "c"), pro("p", [], "d", weight=5)]
    fixed = {"c": one(IN), "d": one(OUT)}
    result = labels_of(["c", "d"], args, fixed)
    assert result == {"c": IN, "d": OUT}
    assert arg_labels_of(["c", "d"], args, fixed) == {"k": IN, "p": IN}


def test_fixed_undecided_stays_undecided():
    assert labels_of(["c"], [pro("p", [], "c")], {"c": one(UNDEC)})["c"] == UNDEC


def test_fixed_claim_breaks_a_cycle():
    claims, args = attack_graph("ab", [("a", "b"), ("b", "a")])
    assert labels_of(claims, args, {"a": one(OUT)}) == {"a": OUT, "b": IN}


def test_scalar_fixed_label_is_broadcast():
    result = label(["a"], [], {"a": -1}, 3)
    assert result.claims["a"].tolist() == [-1, -1, -1]


def test_labels_are_read_only_int8():
    result = label(["a"], [pro("p", [], "a")], {}, 4)
    assert result.claims["a"].dtype == np.int8
    assert result.claims["a"].shape == (4,)
    with pytest.raises(ValueError):
        result.claims["a"][0] = 0


def test_rounds_are_bounded_by_the_size_of_the_map():
    claims, args = attack_graph("abcdef", [("a", "b"), ("b", "c"), ("c", "d"), ("e", "f")])
    result = label(claims, args, {}, 1)
    assert 1 <= result.rounds <= len(claims) + len(args) + 1


@pytest.mark.parametrize(
    ("claims", "args", "fixed", "message"),
    [
        (["a"], [pro("p", ["x"], "a")], {}, "argument 'p' premise: unknown claim id 'x'"),
        (["a"], [pro("p", [], "x")], {}, "argument 'p' conclusion: unknown claim id 'x'"),
        (["a"], [undercut("u", [], "q")], {}, "argument 'u' undercuts: unknown argument id 'q'"),
        (["a"], [], {"x": one(1)}, "fixed: unknown claim id 'x'"),
        (["a", "a"], [], {}, "duplicate claim id 'a'"),
        (["a"], [pro("p", [], "a"), pro("p", [], "a")], {}, "duplicate argument id 'p'"),
        (["a"], [pro("p", [], "a", weight=0)], {}, "weight must be a positive number"),
        (["a"], [], {"a": np.array([2])}, "expected integers -1, 0 or 1"),
        (["a"], [], {"a": np.array([1, 1])}, "expected shape (1,), got (2,)"),
    ],
)
def test_programming_errors_raise_value_error(claims, args, fixed, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        label(claims, args, fixed, 1)


# --- against the naive reading of the rules, and vectorised against one sample at a time -----


def random_map(rng: random.Random, size: int):
    claims = [f"c{i}" for i in range(size)]
    args = []
    for j in range(rng.randint(0, 2 * size)):
        premises = tuple(rng.sample(claims, min(size, rng.choice([0, 1, 1, 1, 2, 3]))))
        undercuts = f"a{rng.randrange(j + 3)}" if rng.random() < 0.15 else None
        conclusion = None if undercuts and rng.random() < 0.5 else rng.choice(claims)
        args.append(
            ArgumentSpec(
                f"a{j}",
                premises,
                conclusion,
                rng.choice(["pro", "con"]),
                rng.choice([0.5, 1.0, 1.0, 1.5, 2.0, 3.0]),
                undercuts,
            )
        )
    known = {a.id for a in args}
    args = [
        a
        if a.undercuts in known or a.undercuts is None
        else ArgumentSpec(a.id, a.premises, a.conclusion or claims[0], a.stance, a.weight, None)
        for a in args
    ]
    return claims, args


@pytest.mark.parametrize("seed", range(150))
def test_matches_naive_reading_of_the_rules(seed):
    rng = random.Random(seed)
    claims, args = random_map(rng, rng.randint(1, 8))
    fixed = {c: rng.choice([IN, OUT, UNDEC]) for c in claims if rng.random() < 0.25}
    expected_claims, expected_args = naive_rules(claims, args, fixed)
    result = label(claims, args, {c: one(v) for c, v in fixed.items()}, 1)
    assert {c: int(v[0]) for c, v in result.claims.items()} == expected_claims
    assert {a: int(v[0]) for a, v in result.arguments.items()} == expected_args


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("chunk_cells", [semantics._CHUNK_CELLS, 7])
def test_vectorised_equals_one_sample_at_a_time(seed, chunk_cells, monkeypatch):
    monkeypatch.setattr(semantics, "_CHUNK_CELLS", chunk_cells)  # 7: many tiny blocks
    rng = random.Random(seed)
    np_rng = np.random.default_rng(seed)
    n = 40
    claims, args = random_map(rng, rng.randint(2, 10))
    fixed_ids = rng.sample(claims, rng.randint(0, len(claims) // 2))
    fixed = {c: np_rng.integers(-1, 2, n).astype(np.int8) for c in fixed_ids}
    together = label(claims, args, fixed, n)
    for i in range(n):
        alone = label(claims, args, {c: v[i : i + 1] for c, v in fixed.items()}, 1)
        for c in claims:
            assert together.claims[c][i] == alone.claims[c][0], (c, i)
        for a in args:
            assert together.arguments[a.id][i] == alone.arguments[a.id][0], (a.id, i)


@pytest.mark.parametrize("seed", range(40))
def test_relabeller_equals_labelling_everything(seed):
    rng = random.Random(seed)
    np_rng = np.random.default_rng(seed)
    n = 30
    claims, args = random_map(rng, rng.randint(2, 12))
    fixed_ids = rng.sample(claims, rng.randint(1, len(claims)))
    base = {c: rng.choice([IN, OUT, UNDEC]) for c in fixed_ids}
    relabeller = semantics.Relabeller(claims, args, {c: np.int8(v) for c, v in base.items()})
    for _ in range(3):
        moved = rng.sample(fixed_ids, rng.randint(0, len(fixed_ids)))
        varying = {c: np_rng.integers(-1, 2, n).astype(np.int8) for c in moved}
        expected = label(claims, args, {**base, **varying}, n)
        got = relabeller.claim_labels(varying, n)
        assert got.shape == (len(claims), n)
        for row, c in enumerate(claims):
            assert got[row].tolist() == expected.claims[c].tolist(), (c, moved)


def test_relabeller_varies_fixed_claims_only():
    relabeller = semantics.Relabeller(["a", "b"], [], {"a": 1})
    with pytest.raises(ValueError, match="'b' not fixed"):
        relabeller.claim_labels({"b": np.array([1], dtype=np.int8)}, 1)


# --- explanations ------------------------------------------------------------------------------


def test_explain_fixed_claim():
    args = [con("k", [], "c")]
    result = label(["c"], args, {"c": one(IN)}, 1)
    reason = explain_claim("c", args, result)
    assert (reason.rule, reason.label, reason.con_min) == ("fixed", IN, 1.0)


def test_explain_presumed_and_defeated():
    claims = ["c", "e"]
    args = [con("k", ["e"], "c", weight=2)]
    presumed = explain_claim("c", args, label(claims, args, {"e": one(OUT)}, 1))
    defeated = explain_claim("c", args, label(claims, args, {"e": one(IN)}, 1))
    contested = explain_claim("c", args, label(claims, args, {"e": one(UNDEC)}, 1))
    assert (presumed.rule, presumed.decisive, presumed.con_max) == ("presumed", ("k",), 0.0)
    assert (defeated.rule, defeated.decisive, defeated.con_min) == ("defeated", ("k",), 2.0)
    assert (contested.rule, contested.con_min, contested.con_max) == ("contested", 0.0, 2.0)


def test_explain_weighed_claims():
    claims = ["c", "e"]
    args = [pro("p", ["e"], "c", 2), con("k", [], "c", 1)]
    supported = explain_claim("c", args, label(claims, args, {"e": one(IN)}, 1))
    unsupported = explain_claim("c", args, label(claims, args, {"e": one(OUT)}, 1))
    unresolved = explain_claim("c", args, label(claims, args, {"e": one(UNDEC)}, 1))
    assert (supported.rule, supported.decisive) == ("supported", ("p",))
    assert (supported.pro_min, supported.pro_max, supported.con_min) == (2.0, 2.0, 1.0)
    assert (unsupported.rule, unsupported.pro_max) == ("unsupported", 0.0)
    assert (unresolved.rule, unresolved.decisive) == ("unresolved", ("p",))
    assert unresolved.pro == (semantics.ArgumentStatus("p", UNDEC, 2.0),)


def test_explain_outweighed_picks_the_sample():
    claims = ["c", "e"]
    args = [pro("p", [], "c", 1), con("k", ["e"], "c", 1)]
    result = label(claims, args, {"e": np.array([OUT, IN], dtype=np.int8)}, 2)
    assert explain_claim("c", args, result, index=0).rule == "supported"
    outweighed = explain_claim("c", args, result, index=1)
    assert (outweighed.rule, outweighed.decisive, outweighed.label) == ("outweighed", ("k",), OUT)
