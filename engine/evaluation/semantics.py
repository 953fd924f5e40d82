"""Grounded labelling of claims and arguments (DESIGN §5), vectorised over samples.

Every label is a ``numpy.int8`` array of shape ``(n,)``: ``1`` holds (an argument *applies*),
``-1`` fails (*does not apply*), ``0`` undecided. The rules and their proofs are in
``docs/semantics.md``; ``templates/static/crux-semantics.js`` is a scalar port that must give
identical labels.

The fixed point is written by hand: it is three-valued over weighted pro/con edges, which no
graph library computes, and it has to run on a million Monte Carlo samples at once. networkx
supplies the strongly connected components that order the evaluation, once per map and set of
fixed claims: the model cache keeps each scenario's plan (`seed_plan`), so a warm run labels
without importing networkx.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

import numpy as np

HOLDS = 1
FAILS = -1
UNDECIDED = 0
LABEL_NAMES: Mapping[int, str] = MappingProxyType({1: "holds", -1: "fails", 0: "undecided"})

# Sums of weights are compared with this relative tolerance so that 0.1 + 0.2 ties 0.3. The only
# definition: the site's model.js carries it to crux-semantics.js, so ties label the same there.
TOLERANCE = 1e-9

# Samples are labelled in blocks of about this many (row, sample) cells so that the float
# temporaries stay small at n = 1,000,000. Blocks are independent: every sample is its own
# fixed point.
_CHUNK_CELLS = 1 << 22


@dataclass(frozen=True)
class ArgumentSpec:
    """One argument: if all ``premises`` hold it supports (pro) or attacks (con) ``conclusion``.

    ``undercuts`` names another argument whose inference this one attacks: while this argument
    applies, the undercut one does not.
    """

    id: str
    premises: tuple[str, ...]
    conclusion: str | None
    stance: Literal["pro", "con"]
    weight: float = 1.0
    undercuts: str | None = None


@dataclass(frozen=True)
class Labelling:
    """Labels per claim and per argument, each an int8 array of shape ``(n,)`` (read-only).

    ``rounds`` counts the evaluations of groups of rules (see docs/semantics.md, a diagnostic).
    ``fixed`` lists the claims labelled from outside.
    """

    claims: Mapping[str, np.ndarray]
    arguments: Mapping[str, np.ndarray]
    rounds: int
    fixed: frozenset[str] = frozenset()


@dataclass(frozen=True)
class _Ragged:
    """One list of (row, factor) entries per target, stored column by column.

    Targets are sorted longest list first, so the j-th entries of all lists that have one
    belong to the first ``rows[j].size`` sorted targets: a loop over j touches every entry once
    and adds each target's entries in list order, as the scalar JavaScript port does.
    """

    inverse: np.ndarray  # position of each target in the sorted order
    rows: tuple[np.ndarray, ...]  # j-th entry of each list that has one
    factors: tuple[np.ndarray, ...]  # its factor, shape (k, 1)

    @classmethod
    def build(cls, lists: list[list[tuple[int, float]]], dtype: type) -> _Ragged:
        order = sorted(range(len(lists)), key=lambda t: -len(lists[t]))
        depth = len(lists[order[0]]) if lists else 0
        columns = [[lists[t][j] for t in order if len(lists[t]) > j] for j in range(depth)]
        return cls(
            inverse=np.argsort(np.array(order, dtype=np.intp)),
            rows=tuple(np.array([r for r, _ in col], dtype=np.intp) for col in columns),
            factors=tuple(np.array([[f] for _, f in col], dtype=dtype) for col in columns),
        )

    def kleene_and(self, labels: np.ndarray) -> np.ndarray:
        """Per target: the minimum of label * factor over its entries (+1 if none)."""
        out = np.ones((self.inverse.size, labels.shape[1]), dtype=np.int8)
        for rows, signs in zip(self.rows, self.factors, strict=True):
            head = out[: rows.size]
            np.minimum(head, labels[rows] * signs, out=head)
        return out[self.inverse]

    def weights(self, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per target: total factor of entries labelled holds, and of those not labelled fails."""
        holds = np.zeros((self.inverse.size, labels.shape[1]))
        not_fails = np.zeros_like(holds)
        for rows, weights in zip(self.rows, self.factors, strict=True):
            entries = labels[rows]
            head = holds[: rows.size]
            np.add(head, weights, out=head, where=entries == HOLDS)
            head = not_fails[: rows.size]
            np.add(head, weights, out=head, where=entries != FAILS)
        return holds[self.inverse], not_fails[self.inverse]


@dataclass(frozen=True)
class _Stratum:
    """Rows that depend only on earlier strata and, when ``cyclic``, on each other.

    Rows index the stacked label array: claims first, then arguments.
    """

    rows: np.ndarray
    cyclic: bool
    # Rule 1: an argument's label is the Kleene AND (minimum) of its premises' labels and of
    # its undercutters' negated labels.
    arg_rows: np.ndarray
    terms: _Ragged
    # Rule 2: weights of the pro and con arguments of each claim.
    claim_rows: np.ndarray
    pro: _Ragged
    con: _Ragged
    has_pro: np.ndarray  # bool, shape (len(claim_rows), 1)
    tolerance: np.ndarray  # float64, shape (len(claim_rows), 1)

    def step(self, labels: np.ndarray) -> None:
        """Apply rules 1 and 2 once to this stratum's rows of ``labels``, in place."""
        if self.arg_rows.size:
            labels[self.arg_rows] = self.terms.kleene_and(labels)
        if self.claim_rows.size:
            pro_min, pro_max = self.pro.weights(labels)
            con_min, con_max = self.con.weights(labels)
            tol = self.tolerance
            weighed = _sign(pro_min > con_max + tol, pro_max <= con_min + tol)
            presumed = _sign(con_max == 0, con_min > 0)
            labels[self.claim_rows] = np.where(self.has_pro, weighed, presumed)


def _sign(holds: np.ndarray, fails: np.ndarray) -> np.ndarray:
    return holds.view(np.int8) - fails.view(np.int8)


@dataclass(frozen=True)
class LabellingPlan:
    """Everything about one map and set of fixed claims that does not depend on the samples:
    the rows, and the strata in the order the labeller walks them."""

    n_claims: int
    claim_row: Mapping[str, int]
    fixed_rows: np.ndarray
    source_rows: np.ndarray  # rows with no inputs: they start at holds (rule 2 or rule 1)
    strata: tuple[_Stratum, ...]
    # What the strata were built from, to build strata over part of the map (`Relabeller`).
    terms: Mapping[int, list[tuple[int, int]]]
    support: Mapping[int, list[tuple[int, str, float]]]
    edges: tuple[np.ndarray, np.ndarray]  # (input row, row it feeds) of every dependency


def _plan(
    claims: Sequence[str], arguments: Sequence[ArgumentSpec], fixed: Sequence[str]
) -> LabellingPlan:
    n_claims = len(claims)
    claim_row = _index(claims, "claim")
    arg_row = {a: n_claims + i for a, i in _index([a.id for a in arguments], "argument").items()}
    fixed_rows = [_lookup(claim_row, c, "fixed", "claim") for c in fixed]
    fixed_set = set(fixed_rows)

    # terms[argument row]: (premise row, +1) and (undercutter row, -1), for rule 1.
    # support[claim row]: (argument row, stance, weight) for rule 2; none for fixed claims.
    terms: dict[int, list[tuple[int, int]]] = {row: [] for row in arg_row.values()}
    support: dict[int, list[tuple[int, str, float]]] = {}
    for a in arguments:
        row = arg_row[a.id]
        try:
            terms[row].extend((claim_row[p], 1) for p in a.premises)
        except KeyError as missing:
            raise ValueError(
                f"argument {a.id!r} premise: unknown claim id {missing.args[0]!r}"
            ) from None
        if a.undercuts is not None:
            target = _lookup(arg_row, a.undercuts, f"argument {a.id!r} undercuts", "argument")
            terms[target].append((row, -1))
        if not (a.weight > 0 and math.isfinite(a.weight)):
            raise ValueError(f"argument {a.id!r}: weight must be a positive number, got {a.weight}")
        if a.conclusion is not None:
            if a.stance not in ("pro", "con"):
                raise ValueError(
                    f"argument {a.id!r}: stance must be 'pro' or 'con', got {a.stance!r}"
                )
            concl = _lookup(claim_row, a.conclusion, f"argument {a.id!r} conclusion", "claim")
            if concl not in fixed_set:
                support.setdefault(concl, []).append((row, a.stance, a.weight))

    # Dependency graph (input -> row), its strongly connected components, and the longest
    # path to each component: rows of equal level never depend on each other across components.
    src = [r for row, ts in terms.items() for r, _ in ts] + [
        r for row, ss in support.items() for r, _, _ in ss
    ]
    dst = [row for row, ts in terms.items() for _ in ts] + [
        row for row, ss in support.items() for _ in ss
    ]
    n_rows = n_claims + len(arguments)
    n_comp, comp = _strong_components(n_rows, src, dst)
    comp_size = np.bincount(comp, minlength=n_comp)
    self_loop = np.zeros(n_comp, dtype=bool)
    self_loop[comp[[s for s, d in zip(src, dst, strict=True) if s == d]]] = True
    cyclic = (comp_size > 1) | self_loop

    edge_src, edge_dst = comp[np.array(src, dtype=np.intp)], comp[np.array(dst, dtype=np.intp)]
    across = edge_src != edge_dst
    edge_src, edge_dst = edge_src[across], edge_dst[across]
    level = np.zeros(n_comp, dtype=np.intp)
    while True:  # longest-path relaxation; one pass per level of the condensation
        deeper = level.copy()
        np.maximum.at(deeper, edge_dst, level[edge_src] + 1)
        if np.array_equal(deeper, level):
            break
        level = deeper

    has_input = np.zeros(n_rows, dtype=bool)
    has_input[dst] = True
    is_fixed = np.zeros(n_rows, dtype=bool)
    is_fixed[fixed_rows] = True
    sources = np.flatnonzero(~has_input & ~is_fixed)

    groups: dict[tuple[int, bool], list[int]] = {}
    inner = np.flatnonzero(has_input)
    keys = zip(level[comp[inner]].tolist(), cyclic[comp[inner]].tolist(), strict=True)
    for row, key in zip(inner.tolist(), keys, strict=True):
        groups.setdefault(key, []).append(row)
    strata = tuple(
        _stratum(rows, n_claims, terms, support, cyclic=key[1])
        for key, rows in sorted(groups.items())
    )
    return LabellingPlan(
        n_claims=n_claims,
        claim_row=claim_row,
        fixed_rows=np.array(fixed_rows, dtype=np.intp),
        source_rows=sources,
        strata=strata,
        terms=terms,
        support=support,
        edges=(np.array(src, dtype=np.intp), np.array(dst, dtype=np.intp)),
    )


def _strong_components(
    n_rows: int, src: Sequence[int], dst: Sequence[int]
) -> tuple[int, np.ndarray]:
    """(number of components, each row's component) of the graph of edges ``src → dst``.

    networkx rather than scipy's csgraph: every evaluation plans a labelling, and importing
    scipy.sparse cost each command 0.12 s, more than this takes on a 20,000-row map.
    """
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(range(n_rows))
    graph.add_edges_from(zip(src, dst, strict=True))
    comp = np.zeros(n_rows, dtype=np.intp)
    count = 0
    for count, members in enumerate(nx.strongly_connected_components(graph), start=1):
        comp[list(members)] = count - 1
    return count, comp


@functools.lru_cache(maxsize=32)
def _cached_plan(
    claims: tuple[str, ...], arguments: tuple[ArgumentSpec, ...], fixed: tuple[str, ...]
) -> LabellingPlan:
    # Scenarios, what-if sweeps and flip searches label the same map many times.
    return _plan(claims, arguments, fixed)


def _stratum(
    rows: list[int],
    n_claims: int,
    terms: Mapping[int, list[tuple[int, int]]],
    support: Mapping[int, list[tuple[int, str, float]]],
    *,
    cyclic: bool,
) -> _Stratum:
    arg_rows = [r for r in rows if r >= n_claims]
    claim_rows = [r for r in rows if r < n_claims]
    pro = [[(a, w) for a, stance, w in support[r] if stance == "pro"] for r in claim_rows]
    con = [[(a, w) for a, stance, w in support[r] if stance == "con"] for r in claim_rows]
    total_weight = np.array([sum(w for _, _, w in support[r]) for r in claim_rows])
    return _Stratum(
        rows=np.array(arg_rows + claim_rows, dtype=np.intp),
        cyclic=cyclic,
        arg_rows=np.array(arg_rows, dtype=np.intp),
        terms=_Ragged.build([[(t, float(s)) for t, s in terms[r]] for r in arg_rows], np.int8),
        claim_rows=np.array(claim_rows, dtype=np.intp),
        pro=_Ragged.build(pro, np.float64),
        con=_Ragged.build(con, np.float64),
        has_pro=np.array([[bool(p)] for p in pro], dtype=bool).reshape(-1, 1),
        tolerance=(TOLERANCE * np.maximum(total_weight, 1.0)).reshape(-1, 1),
    )


def _index(ids: Sequence[str], kind: str) -> dict[str, int]:
    rows: dict[str, int] = {}
    for i, x in enumerate(ids):
        if x in rows:
            raise ValueError(f"duplicate {kind} id {x!r}")
        rows[x] = i
    return rows


def _lookup(rows: Mapping[str, int], key: str, where: str, kind: str) -> int:
    try:
        return rows[key]
    except KeyError:
        raise ValueError(f"{where}: unknown {kind} id {key!r}") from None


def _label_block(
    plan: LabellingPlan, fixed_values: np.ndarray, n_rows: int
) -> tuple[np.ndarray, int]:
    """Least fixed point for one block of samples: stacked labels and the number of steps."""
    labels = np.zeros((n_rows, fixed_values.shape[1]), dtype=np.int8)
    labels[plan.fixed_rows] = fixed_values
    labels[plan.source_rows] = HOLDS
    return labels, _settle(plan.strata, labels)


def _settle(strata: Sequence[_Stratum], labels: np.ndarray) -> int:
    """Label the strata's rows in order, each to its fixed point, in place; the number of steps.

    Every row of the strata must start undecided, and every row they read must be final.
    """
    steps = 0
    for stratum in strata:
        if not stratum.cyclic:  # inputs are final, so one application is final too
            stratum.step(labels)
            steps += 1
            continue
        for _ in range(stratum.rows.size + 1):
            before = labels[stratum.rows]
            stratum.step(labels)
            steps += 1
            if np.array_equal(labels[stratum.rows], before):
                break
        else:  # monotone rules decide a label every step, so this is a bug, not bad input
            raise RuntimeError("labelling of a cycle did not converge")
    return steps


PlanKey = tuple[tuple[str, ...], tuple[ArgumentSpec, ...], tuple[str, ...]]
"""(claim ids, arguments, sorted fixed claim ids): what a labelling plan is made from."""

_SEEDED: dict[PlanKey, LabellingPlan] = {}
_MAX_SEEDED = 64


def seed_plan(
    claims: Sequence[str],
    arguments: Sequence[ArgumentSpec],
    fixed_ids: Sequence[str],
    plan: LabellingPlan,
) -> None:
    """Use ``plan``, made earlier by `labelling_plan` with these inputs, instead of planning
    again (the model cache hands back each scenario's plan this way)."""
    key = (tuple(claims), tuple(arguments), tuple(fixed_ids))
    if len(_SEEDED) >= _MAX_SEEDED:
        del _SEEDED[next(iter(_SEEDED))]
    _SEEDED[key] = plan


def labelling_plan(
    claims: Sequence[str], arguments: Sequence[ArgumentSpec], fixed_ids: Sequence[str]
) -> LabellingPlan:
    """The plan `label` follows for these claims and arguments, ``fixed_ids`` (sorted) fixed."""
    key = (tuple(claims), tuple(arguments), tuple(fixed_ids))
    try:
        seeded = _SEEDED.get(key)
        return seeded if seeded is not None else _cached_plan(*key)
    except TypeError:  # unhashable input (a list of premises, say): plan without the cache
        return _plan(*key)


def _fixed_values(fixed_ids: Sequence[str], fixed: Mapping[str, object], n: int) -> np.ndarray:
    """The fixed labels as one int8 array of shape (len(fixed_ids), n), checked."""
    values = np.zeros((len(fixed_ids), n), dtype=np.int8)
    for k, c in enumerate(fixed_ids):
        value = np.asarray(fixed[c])
        if value.shape not in ((), (n,)):
            raise ValueError(f"fixed label of {c!r}: expected shape ({n},), got {value.shape}")
        if value.dtype.kind not in "iu" or (value.size and (value.min() < -1 or value.max() > 1)):
            raise ValueError(f"fixed label of {c!r}: expected integers -1, 0 or 1")
        values[k] = value
    return values


def label(
    claims: Sequence[str],
    arguments: Sequence[ArgumentSpec],
    fixed: Mapping[str, np.ndarray],
    n: int,
) -> Labelling:
    """Label every claim and argument for ``n`` independent samples.

    ``fixed`` gives claims labelled outside the argument graph (by ``holds_when`` or an
    assumption), each an integer array of shape ``(n,)`` or an integer scalar, with values
    -1, 0, 1; they keep that label whatever the arguments say.

    Examples
    --------
    >>> attack = ArgumentSpec("x", premises=("a",), conclusion="b", stance="con")
    >>> result = label(["a", "b"], [attack], fixed={}, n=1)
    >>> int(result.claims["a"][0]), int(result.claims["b"][0]), int(result.arguments["x"][0])
    (1, -1, 1)
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    fixed_ids = sorted(fixed)
    plan = labelling_plan(claims, arguments, fixed_ids)
    fixed_values = _fixed_values(fixed_ids, fixed, n)

    n_rows = plan.n_claims + len(arguments)
    labels = np.empty((n_rows, n), dtype=np.int8)
    rounds = 0
    block = max(1, _CHUNK_CELLS // max(1, n_rows))
    for start in range(0, n, block):
        cols = slice(start, min(n, start + block))
        labels[:, cols], steps = _label_block(plan, fixed_values[:, cols], n_rows)
        rounds = max(rounds, steps)

    labels.setflags(write=False)
    arg_order = sorted(range(len(arguments)), key=lambda i: arguments[i].id)
    return Labelling(
        claims=MappingProxyType({c: labels[plan.claim_row[c]] for c in sorted(claims)}),
        arguments=MappingProxyType({arguments[i].id: labels[plan.n_claims + i] for i in arg_order}),
        rounds=rounds,
        fixed=frozenset(fixed_ids),
    )


class Relabeller:
    """Labels of one map while a few of its fixed claims vary and the others keep their labels.

    A tipping-point search moves one figure at a time: only the claims its conditions decide
    vary, and only the rows they reach through arguments can change. Every other row keeps its
    label from one labelling of the fixed labels given here, so each call recomputes only the
    rows downstream of the varying claims. The labels equal those of `label` with the same
    fixed labels, bit for bit: each sample is its own fixed point, reached by the same rules
    from the same inputs, and a row outside the recomputed part sees the same inputs in every
    sample.
    """

    def __init__(
        self,
        claims: Sequence[str],
        arguments: Sequence[ArgumentSpec],
        fixed: Mapping[str, np.ndarray | int],
    ) -> None:
        """``fixed`` as for `label` with ``n = 1``: the labels that hold unless varied."""
        fixed_ids = sorted(fixed)
        self._plan = labelling_plan(claims, arguments, fixed_ids)
        self._fixed = frozenset(fixed_ids)
        self._n_rows = len(claims) + len(arguments)
        labels, _ = _label_block(self._plan, _fixed_values(fixed_ids, fixed, 1), self._n_rows)
        self._base = labels[:, 0]
        self._reach: dict[frozenset[str], _Reach] = {}
        self._graph: Any = None  # scipy sparse adjacency, made on the first reach query

    def claim_labels(self, varying: Mapping[str, np.ndarray], n: int) -> np.ndarray:
        """Every claim's label (rows in ``claims`` order) in each of ``n`` samples, in which the
        fixed claims in ``varying`` take the labels given there (int8 arrays of shape (n,))."""
        reach = self._reached_from(varying)
        labels = np.repeat(self._base[:, np.newaxis], n, axis=1)
        for c in sorted(varying):
            labels[self._plan.claim_row[c]] = _fixed_values([c], varying, n)[0]
        for stratum in reach.strata:
            labels[stratum.rows] = UNDECIDED
        _settle(reach.strata, labels)
        return labels[: self._plan.n_claims]

    def claims_reached(self, varying: Collection[str]) -> np.ndarray:
        """The rows (in ``claims`` order, ascending) of the claims whose labels can differ from
        the base labels when the fixed claims ``varying`` vary, these included."""
        return self._reached_from(varying).claim_rows

    def _reached_from(self, varying: Collection[str]) -> _Reach:
        key = frozenset(varying)
        reach = self._reach.get(key)
        if reach is None:
            unknown = sorted(key - self._fixed)
            if unknown:
                raise ValueError(f"varying: {', '.join(map(repr, unknown))} not fixed")
            rows = [self._plan.claim_row[c] for c in key]
            reach = self._reach[key] = self._reach_of(rows)
        return reach

    def _reach_of(self, rows: Sequence[int]) -> _Reach:
        """Everything ``rows`` reach: the plan's strata cut down to those rows, in order.

        A cycle is reached whole or not at all, so a cut-down stratum still holds whole cycles.
        """
        from scipy.sparse import csr_array
        from scipy.sparse.csgraph import breadth_first_order

        plan = self._plan
        if self._graph is None:
            src, dst = plan.edges
            self._graph = csr_array(
                (np.ones(len(src)), (src, dst)), shape=(self._n_rows, self._n_rows)
            )
        reached = np.zeros(self._n_rows, dtype=bool)
        for row in rows:
            reached[breadth_first_order(self._graph, row, return_predecessors=False)] = True
        strata: list[_Stratum] = []
        for stratum in plan.strata:
            inside = reached[stratum.rows]
            if inside.all():
                strata.append(stratum)
            elif inside.any():
                kept = sorted(stratum.rows[inside].tolist())
                cut = _stratum(kept, plan.n_claims, plan.terms, plan.support, cyclic=stratum.cyclic)
                strata.append(cut)
        return _Reach(tuple(strata), np.flatnonzero(reached[: plan.n_claims]))


@dataclass(frozen=True)
class _Reach:
    """What some varying fixed claims reach: the strata to relabel and the claims that may change."""

    strata: tuple[_Stratum, ...]
    claim_rows: np.ndarray


# --- explanations -------------------------------------------------------------------------

Rule = Literal[
    "fixed",  # labelled outside the argument graph (numbers or an assumption)
    "presumed",  # no pro arguments, and no con argument can apply: holds
    "defeated",  # no pro arguments, and some con argument applies: fails
    "contested",  # no pro arguments, a con argument is undecided and none applies: undecided
    "supported",  # pro arguments that apply surely outweigh every con that might: holds
    "unsupported",  # no pro argument applies or can: fails
    "outweighed",  # the con arguments that apply weigh at least all pro that might: fails
    "unresolved",  # pro arguments exist but neither side surely wins: undecided
]


@dataclass(frozen=True)
class ArgumentStatus:
    """One argument bearing on a claim, as seen in one sample."""

    id: str
    label: int
    weight: float


@dataclass(frozen=True)
class ClaimReason:
    """Why a claim got its label in one sample; ``decisive`` lists the arguments that decided."""

    claim: str
    label: int
    rule: Rule
    pro: tuple[ArgumentStatus, ...]
    con: tuple[ArgumentStatus, ...]
    pro_min: float
    pro_max: float
    con_min: float
    con_max: float
    decisive: tuple[str, ...]


def explain_claim(
    claim: str, arguments: Sequence[ArgumentSpec], labelling: Labelling, index: int = 0
) -> ClaimReason:
    """Name the rule that gave ``claim`` its label in sample ``index``.

    The rule is read off the label itself (so it always agrees with ``label``); the sums say
    which case of the rule applied.
    """
    if claim not in labelling.claims:
        raise ValueError(f"unknown claim id {claim!r}")
    value = int(labelling.claims[claim][index])

    def status(stance: str) -> tuple[ArgumentStatus, ...]:
        return tuple(
            ArgumentStatus(a.id, int(labelling.arguments[a.id][index]), a.weight)
            for a in sorted(arguments, key=lambda a: a.id)
            if a.conclusion == claim and a.stance == stance
        )

    pro, con = status("pro"), status("con")

    def weigh(items: tuple[ArgumentStatus, ...], labels: tuple[int, ...]) -> float:
        return float(sum(s.weight for s in items if s.label in labels))

    def ids(items: tuple[ArgumentStatus, ...], wanted: int) -> tuple[str, ...]:
        return tuple(s.id for s in items if s.label == wanted)

    pro_min, pro_max = weigh(pro, (HOLDS,)), weigh(pro, (HOLDS, UNDECIDED))
    con_min, con_max = weigh(con, (HOLDS,)), weigh(con, (HOLDS, UNDECIDED))

    rule: Rule
    decisive: tuple[str, ...]
    if claim in labelling.fixed:
        rule, decisive = "fixed", ()
    elif not pro:
        presumption: dict[int, tuple[Rule, tuple[str, ...]]] = {
            HOLDS: ("presumed", ids(con, FAILS)),
            FAILS: ("defeated", ids(con, HOLDS)),
            UNDECIDED: ("contested", ids(con, UNDECIDED)),
        }
        rule, decisive = presumption[value]
    elif value == HOLDS:
        rule, decisive = "supported", ids(pro, HOLDS)
    elif value == FAILS and pro_max == 0:
        rule, decisive = "unsupported", tuple(s.id for s in pro)
    elif value == FAILS:
        rule, decisive = "outweighed", ids(con, HOLDS)
    else:
        rule, decisive = "unresolved", ids(pro, UNDECIDED) + ids(con, UNDECIDED)
    return ClaimReason(
        claim=claim,
        label=value,
        rule=rule,
        pro=pro,
        con=con,
        pro_min=pro_min,
        pro_max=pro_max,
        con_min=con_min,
        con_max=con_max,
        decisive=decisive,
    )
