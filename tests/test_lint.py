"""Warnings: each suspicious pattern with its exact message, allow comments, and --strict."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import cli
from engine.knowledge.lint import lint
from engine.knowledge.loader import KnowledgeBase, load_knowledge_base

SUSPICIOUS = """\
sources:
  ledger: {title: The till roll, url: "https://example.org/till", kind: primary}
  nobody_cites_me: {title: A pamphlet, url: "https://example.org/p", kind: press}
figures:
  price: {label: Price, value: 2, unit: USD, sources: [ledger]}
  cost: {label: Cost, value: 1, unit: USD, range: [0.5, 1.5]}
  forgotten: {label: A number nobody uses, value: 3}
calculators:
  margin: {label: Margin, formula: price - cost, unit: USD}
  spare: {label: A calculator nobody uses, formula: price * 2, unit: USD}
claims:
  at_loss:
    text: Sold at a loss.
    holds_when: margin < 0
  lonely:
    text: Nothing links to this claim.
  says_so:
    text: The neighbour says so.
    supports: [at_loss]
"""

EXPECTED = [
    "kb.yaml:3:3: warning: source 'nobody_cites_me' is cited by no figure and no claim [unused]",
    "kb.yaml:6:44: warning: figure 'cost' has a range but no distribution, so `crux simulate` "
    "cannot sample it (add distribution: lognormal | normal | uniform) [no-distribution]",
    "kb.yaml:7:3: warning: figure 'forgotten' is used by no formula and no holds_when [unused]",
    "kb.yaml:10:3: warning: calculator 'spare' is used by no formula and no holds_when [unused]",
    "kb.yaml:15:3: warning: claim 'lonely' is linked to nothing: no argument uses it or "
    "concludes it, and no holds_when decides it [orphan]",
    "kb.yaml:19:16: warning: argument 'says_so_supports_at_loss' is inert: its conclusion "
    "'at_loss' is decided by its numbers (holds_when), so the argument can never change its "
    "label [inert]",
]


def write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kb.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def check(folder: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["check", str(folder), *args])
    return result.exit_code, result.stdout, result.stderr


def warnings_of(folder: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.chdir(folder)
    return [str(w) for w in lint(load_knowledge_base("."))]


def test_each_warning_has_its_exact_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, SUSPICIOUS)
    assert warnings_of(tmp_path, monkeypatch) == EXPECTED


def test_check_prints_warnings_and_passes_without_strict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, SUSPICIOUS)
    monkeypatch.chdir(tmp_path)
    code, out, err = check(Path("."))
    assert code == 0
    assert out.startswith("ok: 2 sources, 3 figures, 2 calculators, 3 claims, 1 argument,")
    assert err.splitlines() == [
        *EXPECTED,
        "6 warnings (`--strict` makes them errors; '# crux: allow CODE: reason' on the line "
        "silences one)",
    ]


def test_strict_makes_warnings_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, SUSPICIOUS)
    monkeypatch.chdir(tmp_path)
    code, out, err = check(Path("."), "--strict")
    assert code == 1
    assert out == ""
    lines = err.splitlines()
    assert lines[:-1] == [line.replace(": warning: ", ": ", 1) for line in EXPECTED]
    assert (
        lines[-1] == "6 errors in the check (--strict makes warnings errors); nothing was changed."
    )


def test_assumed_conclusion_makes_an_argument_inert(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        tmp_path,
        """\
        claims:
          given: {text: Taken as given., assumed: true}
          reason: {text: A reason., supports: [given]}
        """,
    )
    assert warnings_of(tmp_path, monkeypatch) == [
        "kb.yaml:3:40: warning: argument 'reason_supports_given' is inert: its conclusion "
        "'given' is decided by an assumption (assumed: true), so the argument can never change "
        "its label [inert]"
    ]


ALLOWED = """\
claims:
  at_loss: {text: Sold at a loss., holds_when: price < 1}
  says_so:
    text: The neighbour says so.
    supports: [at_loss]  # crux: allow inert: kept to show the neighbour's reason
  also_says_so:
    text: So does the baker.
    # crux: allow inert: the baker's reason, shown on the claim's page
    # even though the numbers decide the claim.
    supports: [at_loss]
figures:
  price: {label: Price, value: 2}
"""


def test_allow_comments_silence_one_warning_on_their_line_or_below(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write(tmp_path, ALLOWED)
    assert warnings_of(tmp_path, monkeypatch) == []
    code, _, err = check(tmp_path, "--strict")
    assert code == 0, err


def test_bad_and_stale_allow_comments_are_warnings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        tmp_path,
        """\
        claims:
          at_loss: {text: Sold at a loss., holds_when: price < 1}
          says_so:
            text: The neighbour says so.
            supports: [at_loss]  # crux: allow inert
          other:
            text: Another.  # crux: allow inret: typo in the code
            supports: [at_loss]  # crux: allow unused: wrong code for this line
        figures:
          price: {label: Price, value: 2}  # crux: deny everything
        """,
    )
    assert warnings_of(tmp_path, monkeypatch) == [
        "kb.yaml:5:16: warning: argument 'says_so_supports_at_loss' is inert: its conclusion "
        "'at_loss' is decided by its numbers (holds_when), so the argument can never change its "
        "label [inert]",
        "kb.yaml:5:26: warning: an allow comment needs a reason: expected "
        "'# crux: allow inert: why', found none [allow]",
        "kb.yaml:7:21: warning: unknown warning code 'inret' (did you mean 'inert'?); expected "
        "one of unused, orphan, inert, no-distribution [allow]",
        "kb.yaml:8:16: warning: argument 'other_supports_at_loss' is inert: its conclusion "
        "'at_loss' is decided by its numbers (holds_when), so the argument can never change its "
        "label [inert]",
        "kb.yaml:8:26: warning: this allow comment silences no 'unused' warning [allow]",
        "kb.yaml:10:36: warning: expected '# crux: allow CODE: reason', found "
        "'# crux: deny everything' [allow]",
    ]


def test_a_url_fragment_is_not_a_comment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(
        tmp_path,
        """\
        sources:
          s: {title: T, url: "https://example.org/#crux:allow", kind: press}
        claims:
          c: {text: A claim., sources: [s], holds_when: x > 0}
        figures:
          x: {label: X, value: 1}
        """,
    )
    assert warnings_of(tmp_path, monkeypatch) == []


def test_a_clean_map_has_no_warnings(lemonade: KnowledgeBase) -> None:
    assert lint(lemonade) == []
