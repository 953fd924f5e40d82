"""Read a claims folder into a validated, compiled `KnowledgeBase` (the pipeline's first stage).

Errors are collected per stage and raised together as one `CruxError`, each with `path:line:col`:
YAML syntax first, then the schema of each file, then everything that needs the whole folder
(duplicate ids, references, units, formulas, calculator cycles, scenarios).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
from pydantic import ValidationError

from engine.errors import CruxError, Location, Problem, did_you_mean
from engine.formula.syntax import CONSTANTS, FormulaError, symbol_names
from engine.knowledge.checks import (
    check_claims,
    check_figure_bounds,
    check_ids,
    scenario_problems,
    schema_problems,
)
from engine.knowledge.formula_keys import CompiledForms, FormulaKeys, units_key
from engine.knowledge.knowledge_base import KnowledgeBase, Table
from engine.knowledge.schema import (
    SECTIONS,
    Argument,
    Calculator,
    Claim,
    Correlation,
    Figure,
    KnowledgeFile,
    Scenario,
    Source,
    TableRow,
)
from engine.knowledge.yaml_source import Path_, SourceDocument, YamlProblems, read_yaml

__all__ = ["KnowledgeBase", "Table", "given_texts", "load_knowledge_base", "table_rows"]

if TYPE_CHECKING:
    # Imported where formulas are compiled: a knowledge base read back from the cache
    # (engine.site.model_cache) has `PortableFormula`s and never needs sympy or pint.
    from engine.formula import units
    from engine.formula.compiled import CompiledFormula, Symbol
    from engine.formula.tree import PortableFormula, SymbolSpec

    Formula = CompiledFormula | PortableFormula


def load_knowledge_base(
    folder: Path | str, *, compiled: CompiledForms | None = None
) -> KnowledgeBase:
    """Load every `*.yaml` under `folder`; raise `CruxError` listing every problem found.

    ``compiled`` holds formulas compiled by earlier loads (`engine.knowledge.formula_keys`):
    each one found there is reused, and each one compiled here is added to it. A load that
    finds them all, and its units check, never imports sympy or pint.
    """
    root = Path(folder)
    if not root.is_dir():
        found = "a file" if root.is_file() else "no such folder"
        raise CruxError(
            [Problem(Location(str(folder)), f"expected a claims folder, found {found}")],
            "arguments",
        )
    files = sorted(p for p in root.rglob("*.yaml") if p.is_file())
    if not files:
        raise CruxError(
            [Problem(Location(str(folder)), "expected YAML files, found none")], "the claims folder"
        )
    documents = _read_all(files, root)
    parsed = _validate_files(documents)
    return _assemble(root, documents, parsed, compiled)


def display_path(path: Path, root: Path) -> str:
    """Paths in messages are relative to the working directory when possible, for clickable output."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _read_all(files: Iterable[Path], root: Path) -> dict[str, SourceDocument]:
    documents: dict[str, SourceDocument] = {}
    problems: list[Problem] = []
    for file in files:
        name = display_path(file, root)
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(Location(name), f"cannot read file: {exc}"))
            continue
        try:
            documents[name] = read_yaml(text, name)
        except YamlProblems as exc:
            problems.extend(exc.problems)
    if problems:
        raise CruxError(problems, "YAML syntax")
    return documents


def _validate_files(documents: Mapping[str, SourceDocument]) -> dict[str, KnowledgeFile]:
    parsed: dict[str, KnowledgeFile] = {}
    problems: list[Problem] = []
    for name, doc in documents.items():
        if not isinstance(doc.data, dict):
            problems.append(
                Problem(
                    doc.locate(()),
                    f"expected a mapping of sections, found {type(doc.data).__name__}",
                )
            )
            continue
        try:
            parsed[name] = KnowledgeFile.model_validate(doc.data)
        except ValidationError as exc:
            problems.extend(schema_problems(exc, doc))
    if problems:
        raise CruxError(problems, "the schema")
    return parsed


class _Collector:
    """Gathers the problems of the whole-folder stage."""

    def __init__(self, documents: Mapping[str, SourceDocument]) -> None:
        self.documents = documents
        self.origins: dict[str, tuple[str, Path_]] = {}
        self.problems: list[Problem] = []

    def at(self, item_id: str, *fields: str | int, key: bool = False) -> Location:
        doc_path, at = self.origins[item_id]
        return self.documents[doc_path].locate((*at, *fields), key=key)

    def add(self, location: Location, message: str) -> None:
        self.problems.append(Problem(location, message))


def _assemble(
    root: Path,
    documents: Mapping[str, SourceDocument],
    parsed: Mapping[str, KnowledgeFile],
    compiled: CompiledForms | None = None,
) -> KnowledgeBase:
    out = _Collector(documents)
    sections: dict[str, dict[str, Any]] = {name: {} for name in SECTIONS}
    for doc_path in sorted(parsed):
        kfile = parsed[doc_path]
        for section in SECTIONS:
            for item_id, item in getattr(kfile, section).items():
                if item_id in out.origins:
                    first_doc, first_at = out.origins[item_id]
                    first = documents[first_doc].locate(first_at, key=True)
                    out.add(
                        documents[doc_path].locate((section, item_id), key=True),
                        f"duplicate id '{item_id}': already defined as a {str(first_at[0])[:-1]} at {first}",
                    )
                    continue
                out.origins[item_id] = (doc_path, (section, item_id))
                sections[section][item_id] = item

    sources: dict[str, Source] = sections["sources"]
    figures: dict[str, Figure] = sections["figures"]
    calculators: dict[str, Calculator] = sections["calculators"]
    claims: dict[str, Claim] = sections["claims"]
    scenarios: dict[str, Scenario] = sections["scenarios"]
    arguments = _expand_arguments(sections["arguments"], claims, out)
    tables = _expand_tables(figures, calculators, out)

    check_ids(out.origins, out)
    check_figure_bounds(figures, out)
    check_claims(claims, out)
    _check_citations(sources, figures, claims, out)
    _check_voices(sources, claims, sections["arguments"], out)
    _check_arguments(arguments, claims, out)
    _check_scenarios(scenarios, figures, claims, out, tables)
    correlations: dict[str, Correlation] = sections["correlations"]
    _check_correlations(correlations, figures, sources, out, tables)
    declared = _DeclaredUnits(figures, calculators, out)
    declared.check(compiled)
    formulas, conditions, order = _compile_formulas(
        figures, calculators, claims, declared, out, tables, compiled
    )
    if out.problems:
        raise CruxError(out.problems, "the knowledge base")

    return KnowledgeBase(
        root=root,
        sources=dict(sorted(sources.items())),
        figures=dict(sorted(figures.items())),
        calculators=dict(sorted(calculators.items())),
        claims=dict(sorted(claims.items())),
        arguments=dict(sorted(arguments.items())),
        scenarios=dict(sorted(scenarios.items())),
        formulas=formulas,
        conditions=conditions,
        calculator_order=order,
        documents=documents,
        origins=out.origins,
        tables=dict(sorted(tables.items())),
        correlations=dict(sorted(correlations.items())),
    )


def _expand_tables(
    figures: dict[str, Figure], calculators: dict[str, Calculator], out: _Collector
) -> dict[str, Table]:
    """Each lookup-table figure becomes a figure per row and a calculator picking the row."""
    tables: dict[str, Table] = {}
    for fid, fig in sorted(figures.items()):
        if fig.by is None or fig.values is None:
            continue
        del figures[fid]
        choice = figures.get(fig.by)
        if choice is None or choice.choices is None:
            what = "not a choice figure" if choice is not None else "unknown"
            hint = "" if choice is not None else did_you_mean(fig.by, figures)
            out.add(
                out.at(fid, "by"),
                f"by: expected a choice figure (one with `choices`), found {what} '{fig.by}'{hint}",
            )
            continue
        missing = [option for option in choice.choices if option not in fig.values]
        if missing:
            out.add(
                out.at(fid, "values"),
                f"values: expected a row for every option of '{fig.by}', missing "
                + ", ".join(f"'{option}'" for option in missing),
            )
        unknown = [option for option in fig.values if option not in choice.choices]
        for option in unknown:
            out.add(
                out.at(fid, "values", option, key=True),
                f"values: '{option}' is not an option of '{fig.by}'"
                f"{did_you_mean(option, choice.choices)}; expected one of "
                + ", ".join(choice.choices),
            )
        if missing or unknown:
            continue
        rows: dict[str, str] = {}
        for option in choice.choices:
            row_id = f"{fid}.{option}"
            if row_id in out.origins:
                out.add(out.at(fid, "values", option, key=True), f"duplicate id '{row_id}'")
                continue
            figures[row_id] = _row_figure(fig, option, fig.values[option])
            out.origins[row_id] = (out.origins[fid][0], (*out.origins[fid][1], "values", option))
            rows[option] = row_id
        calculators[fid] = Calculator(
            label=fig.label,
            formula=f"{fid}.{{{fig.by}}}",
            unit=fig.unit,
            notes=fig.notes,
        )
        tables[fid] = Table(by=fig.by, rows=rows, figure=fig)
    return tables


def _row_figure(table: Figure, option: str, row: TableRow) -> Figure:
    return Figure(
        label=f"{table.label} ({option})",
        value=row.value,
        unit=table.unit,
        range=row.range,
        distribution=row.distribution,
        minimum=table.minimum,
        maximum=table.maximum,
        as_of=row.as_of,
        confidence=row.confidence,
        sources=row.sources,
        notes=row.notes,
    )


def _expand_arguments(
    declared: dict[str, Argument], claims: Mapping[str, Claim], out: _Collector
) -> dict[str, Argument]:
    """Turn each claim's `supports`/`attacks` shorthand into one-premise arguments."""
    arguments = dict(declared)
    for claim_id, claim in sorted(claims.items()):
        for field_name, stance in (("supports", "pro"), ("attacks", "con")):
            for index, target in enumerate(getattr(claim, field_name)):
                arg_id = f"{claim_id}_{field_name}_{target}"
                where = out.at(claim_id, field_name, index)
                if target not in claims:
                    out.add(
                        where,
                        f"{field_name}: unknown claim '{target}'{did_you_mean(target, claims)}",
                    )
                    continue
                if arg_id in out.origins:
                    out.add(
                        where,
                        f"duplicate id '{arg_id}': the shorthand's argument id is already used at {out.at(arg_id, key=True)}",
                    )
                    continue
                arguments[arg_id] = Argument(
                    premises=(claim_id,),
                    conclusion=target,
                    stance=stance,
                    speaker=claim.speaker,
                )
                out.origins[arg_id] = (
                    out.origins[claim_id][0],
                    (*out.origins[claim_id][1], field_name, index),
                )
    return arguments


def _check_citations(
    sources: Mapping[str, Source],
    figures: Mapping[str, Figure],
    claims: Mapping[str, Claim],
    out: _Collector,
) -> None:
    cited: list[tuple[str, Figure | Claim]] = [*figures.items(), *claims.items()]
    for item_id, item in sorted(cited, key=lambda pair: pair[0]):
        for index, citation in enumerate(item.sources):
            if citation.source not in sources:
                out.add(
                    out.at(item_id, "sources", index),
                    f"unknown source '{citation.source}'{did_you_mean(citation.source, sources)}",
                )


def _check_voices(
    sources: Mapping[str, Source],
    claims: Mapping[str, Claim],
    arguments: Mapping[str, Argument],
    out: _Collector,
) -> None:
    """Each voice's `source` is a source of the knowledge base."""
    voiced: list[tuple[str, Claim | Argument]] = [*claims.items(), *arguments.items()]
    for item_id, item in sorted(voiced, key=lambda pair: pair[0]):
        for index, voice in enumerate(item.voices):
            if voice.source is not None and voice.source not in sources:
                out.add(
                    out.at(item_id, "voices", index, "source"),
                    f"voices: unknown source '{voice.source}'{did_you_mean(voice.source, sources)}",
                )


def _check_arguments(
    arguments: Mapping[str, Argument], claims: Mapping[str, Claim], out: _Collector
) -> None:
    for arg_id, arg in sorted(arguments.items()):
        if not arg.premises:
            out.add(
                out.at(arg_id), f"argument '{arg_id}': expected at least one premise, found none"
            )
        if arg.conclusion is None and arg.undercuts is None:
            out.add(
                out.at(arg_id),
                f"argument '{arg_id}': expected a conclusion (or undercuts), found neither",
            )
        if arg.conclusion is not None and arg.undercuts is not None:
            out.add(
                out.at(arg_id, "undercuts"),
                f"argument '{arg_id}': expected a conclusion or undercuts, found both",
            )
        for index, premise in enumerate(arg.premises):
            if premise not in claims:
                out.add(
                    out.at(arg_id, "premises", index),
                    f"unknown claim '{premise}'{did_you_mean(premise, claims)}",
                )
        if arg.conclusion is not None and arg.conclusion not in claims:
            out.add(
                out.at(arg_id, "conclusion"),
                f"unknown claim '{arg.conclusion}'{did_you_mean(arg.conclusion, claims)}",
            )
        if arg.undercuts is not None and arg.undercuts not in arguments:
            out.add(
                out.at(arg_id, "undercuts"),
                f"unknown argument '{arg.undercuts}'{did_you_mean(arg.undercuts, arguments)}",
            )


def _check_correlations(
    correlations: Mapping[str, Correlation],
    figures: Mapping[str, Figure],
    sources: Mapping[str, Source],
    out: _Collector,
    tables: Mapping[str, Table],
) -> None:
    """Each correlation joins two distinct sampled figures, once; together they can hold."""
    from engine.knowledge.correlations import joint_problem, pair_key

    usable: dict[tuple[str, str], float] = {}
    first: dict[tuple[str, str], str] = {}
    for cid, corr in sorted(correlations.items()):
        ok = True
        for index, fid in enumerate(corr.figures):
            where = out.at(cid, "figures", index)
            figure = figures.get(fid)
            if fid in tables:
                row = next(iter(tables[fid].rows.values()))
                out.add(
                    where,
                    f"correlation '{cid}': '{fid}' is a lookup table; correlate one of its rows, "
                    f"such as '{row}'",
                )
            elif figure is None:
                out.add(
                    where,
                    f"correlation '{cid}': unknown figure '{fid}'{did_you_mean(fid, figures)}",
                )
            elif figure.kind != "number":
                out.add(
                    where,
                    f"correlation '{cid}': expected a number figure with a range, found the "
                    f"{figure.kind} '{fid}'",
                )
            elif figure.range is None:
                out.add(
                    where,
                    f"correlation '{cid}': expected a figure with a range, found '{fid}' without "
                    "one (only sampled figures can move together)",
                )
            else:
                continue
            ok = False
        a, b = corr.figures
        if a == b:
            out.add(out.at(cid, "figures"), f"correlation '{cid}': '{a}' is paired with itself")
            ok = False
        for index, citation in enumerate(corr.sources):
            if citation.source not in sources:
                out.add(
                    out.at(cid, "sources", index),
                    f"unknown source '{citation.source}'{did_you_mean(citation.source, sources)}",
                )
        key = pair_key(a, b)
        if key in first:
            out.add(
                out.at(cid, "figures"),
                f"correlation '{cid}': {a} and {b} are already correlated by '{first[key]}' at "
                f"{out.at(first[key], key=True)}",
            )
            ok = False
        elif ok:
            first[key] = cid
            usable[key] = corr.rank
    problem = joint_problem(usable)
    if problem is not None:
        involved = sorted(first.values())
        out.add(
            out.at(involved[0], "rank"),
            f"correlations {', '.join(repr(cid) for cid in involved)}: {problem}",
        )


def _check_scenarios(
    scenarios: Mapping[str, Scenario],
    figures: Mapping[str, Figure],
    claims: Mapping[str, Claim],
    out: _Collector,
    tables: Mapping[str, Table] | None = None,
) -> None:
    for sid, scenario in sorted(scenarios.items()):
        for fid in scenario.set:
            if tables and fid in tables:
                table = tables[fid]
                out.add(
                    out.at(sid, "set", fid, key=True),
                    f"scenario '{sid}' sets '{fid}', a lookup table by '{table.by}': "
                    f"set '{table.by}', or one row such as '{next(iter(table.rows.values()))}'",
                )
        if tables and set(scenario.set) & set(tables):
            kept = {fid: value for fid, value in scenario.set.items() if fid not in tables}
            scenario = scenario.model_copy(update={"set": kept})
        out.problems.extend(
            scenario_problems(
                sid,
                scenario,
                functools.partial(out.at, sid),
                figures,
                claims,
                scenarios,
            )
        )
    declared = [sid for sid, scenario in sorted(scenarios.items()) if scenario.default]
    for sid in declared[1:]:
        out.add(
            out.at(sid, "default"),
            f"scenario '{sid}': expected one default scenario, found another in '{declared[0]}'",
        )
    # extends chains must not loop
    for sid in sorted(scenarios):
        seen = [sid]
        current = scenarios[sid].extends
        while current is not None and current in scenarios:
            if current in seen:
                out.add(
                    out.at(sid, "extends"),
                    f"scenario '{sid}' extends itself through {' -> '.join([*seen, current])}",
                )
                break
            seen.append(current)
            current = scenarios[current].extends


class _DeclaredUnits:
    """The units declared by figures and calculators: checked, and parsed with pint when a
    formula has to be compiled here.

    A units check that passed before with the same key (`units_key`) is not run again, so an
    edit that declares no new unit loads without pint.
    """

    def __init__(
        self, figures: Mapping[str, Figure], calculators: Mapping[str, Calculator], out: _Collector
    ) -> None:
        self.figures = figures
        self.calculators = calculators
        self.out = out
        self.valid: set[str] = set()
        """The figures and calculators whose unit parses."""
        self._parsed: dict[str, units.Unit] | None = None

    def check(self, compiled: CompiledForms | None) -> None:
        key = units_key(self.figures, self.calculators)
        if compiled is not None and compiled.units_checked(key):
            self.valid = set(self.figures) | set(self.calculators)
            return
        before = len(self.out.problems)
        self._parsed = _check_units(self.figures, self.calculators, self.out)
        self.valid = set(self._parsed)
        if compiled is not None and len(self.out.problems) == before:
            compiled.note_units_checked(key)

    @property
    def parsed(self) -> dict[str, units.Unit]:
        """Every valid unit, parsed (importing pint the first time)."""
        if self._parsed is None:
            # Checked without problems by an earlier load: a scratch collector keeps the
            # problems of this load as they are.
            scratch = _Collector(self.out.documents)
            scratch.origins = self.out.origins
            self._parsed = _check_units(self.figures, self.calculators, scratch)
        return self._parsed


def _check_units(
    figures: Mapping[str, Figure], calculators: Mapping[str, Calculator], out: _Collector
) -> dict[str, units.Unit]:
    from engine.formula import units

    unit_of: dict[str, units.Unit] = {}
    declared: list[tuple[str, Figure | Calculator]] = [*figures.items(), *calculators.items()]
    for item_id, item in sorted(declared, key=lambda pair: pair[0]):
        try:
            unit_of[item_id] = units.parse_unit(item.unit)
        except units.UnitError as exc:
            out.add(out.at(item_id, "unit"), f"unit: {exc}")
    for fid, fig in sorted(figures.items()):
        if (
            fig.kind != "number"
            and fid in unit_of
            and not units.same_dimension(unit_of[fid], units.parse_unit("dimensionless"))
        ):
            out.add(out.at(fid, "unit"), f"a {fig.kind} is dimensionless, found unit '{fig.unit}'")
    return unit_of


def _formula_problem(
    out: _Collector, item_id: str, field_name: str, text: str, exc: FormulaError
) -> None:
    from engine.formula.compiled import GivenError

    doc_path, at = out.origins[item_id]
    path: tuple[str | int, ...] = (*at, field_name)
    if isinstance(exc, GivenError):
        path, text = (*at, "given", exc.figure), exc.text
    where = out.documents[doc_path].locate_in_scalar(path, exc.offset, text)
    hint = (
        f" (did you mean '{exc.suggestion}'?)"
        if exc.suggestion and "did you mean" not in exc.message
        else ""
    )
    prefix = {"syntax": "formula syntax: ", "forbidden": "formula not allowed: "}.get(exc.kind, "")
    if isinstance(exc, GivenError):
        prefix = f"given: {exc.figure}: {prefix}"
    out.add(where, f"{prefix}{exc.message}{hint}")


def _unknown_name(
    name: str, offset: int, claims: Mapping[str, Claim], figures: Mapping[str, Figure]
) -> FormulaError | None:
    """A clearer message for a claim id or a bare choice option used as a name."""
    if name in claims:
        return FormulaError(
            "reference",
            offset,
            f"'{name}' is a claim, and claims cannot appear in formulas: combine them with an "
            f"argument (premises: [{name}, …])",
        )
    for fid, fig in sorted(figures.items()):
        if fig.choices and name in fig.choices:
            return FormulaError(
                "reference",
                offset,
                f"unknown name '{name}': an option of the choice '{fid}' is written in quotes, "
                f"as in {fid} == '{name}'",
            )
    return None


def given_texts(
    claim: Claim, figures: Mapping[str, Figure], calculators: Mapping[str, Calculator]
) -> dict[str, str]:
    """Each `given:` value as formula text: a number is in the figure's own unit."""
    texts: dict[str, str] = {}
    for name, value in claim.given.items():
        target = figures.get(name) or calculators.get(name)
        if isinstance(value, bool) or (
            isinstance(value, (int, float))
            and target is not None
            and target.unit.strip() in ("", "1", "dimensionless")
        ):
            texts[name] = repr(float(value)) if not isinstance(value, bool) else str(int(value))
        elif isinstance(value, (int, float)):
            unit = target.unit if target is not None else ""
            texts[name] = f"{float(value)!r}[{unit}]"
        elif getattr(target, "choices", None):  # a choice figure's option
            texts[name] = repr(value)
        else:
            texts[name] = value
    return texts


def _compile_formulas(
    figures: Mapping[str, Figure],
    calculators: Mapping[str, Calculator],
    claims: Mapping[str, Claim],
    declared: _DeclaredUnits,
    out: _Collector,
    tables: Mapping[str, Table] | None = None,
    compiled: CompiledForms | None = None,
) -> tuple[dict[str, Formula], dict[str, Formula], tuple[str, ...]]:
    tables = tables or {}
    quantities = set(figures) | set(calculators)
    depends: dict[str, set[str]] = {}
    skip: set[str] = set()  # calculators already reported; compiling them would repeat the error
    for cid, calc in sorted(calculators.items()):
        if cid in tables:
            depends[cid] = set()
            continue
        try:
            names = symbol_names(calc.formula) - set(CONSTANTS)
        except FormulaError as exc:
            _formula_problem(out, cid, "formula", calc.formula, exc)
            continue
        unknown = sorted(names - quantities)
        if unknown:
            skip.add(cid)
        for name in unknown:
            found = re.search(rf"\b{re.escape(name)}\b", calc.formula)
            offset = max(found.start() if found else 0, 0)
            message = f"unknown name '{name}': expected a figure or calculator"
            error = _unknown_name(name, offset, claims, figures) or FormulaError(
                "reference", offset, message, _closest(name, quantities)
            )
            base, dot, option = name.partition(".")
            if dot and base in tables:
                rows = [row.partition(".")[2] for row in tables[base].rows.values()]
                error = FormulaError(
                    "reference",
                    offset,
                    f"unknown row '{option}' of the table '{base}': expected one of "
                    + ", ".join(rows),
                    f"{base}.{close}" if (close := _closest(option, rows)) else None,
                )
            elif dot:
                error = FormulaError(
                    "forbidden", offset + len(base), "attribute access is not allowed in formulas"
                )
            _formula_problem(out, cid, "formula", calc.formula, error)
        depends[cid] = names & set(calculators)

    order = _calculator_order(depends, out)
    if order is None:
        return {}, {}, ()

    symbols = _Symbols(figures, calculators, declared)
    keys = FormulaKeys(figures, calculators, tables)
    kept = _Kept(figures, calculators, compiled) if compiled is not None else None
    formulas: dict[str, Formula] = {}
    for cid in order:
        calc = calculators[cid]
        if cid not in declared.valid or cid in skip or cid not in depends:
            continue
        table = tables.get(cid)
        table_spec = None if table is None else (table.by, table_rows(table, figures))
        key = keys.calculator(cid) if kept is not None else None
        reused = kept.formula(key) if kept is not None else None
        if reused is not None:
            formulas[cid] = reused
        else:
            try:
                if table is not None:
                    formulas[cid] = _table_formula(calc, table, figures, declared.parsed[cid])
                else:
                    formulas[cid] = _compile(
                        calc.formula,
                        symbols,
                        expected_unit=declared.parsed[cid],
                        boolean=False,
                    )
            except FormulaError as exc:
                if (
                    exc.kind == "unit"
                    and "unit" not in calc.model_fields_set
                    and exc.message.startswith("unit mismatch: expected a plain number")
                ):
                    found_unit = exc.message.rsplit("found ", 1)[-1]
                    exc = FormulaError(
                        "unit", exc.offset, f"no unit declared; add `unit: {found_unit}`"
                    )
                _formula_problem(out, cid, "formula", calc.formula, exc)
                continue
        # Later formulas may evaluate this one under other settings (`at`): keep its tree.
        symbols.define(cid, formulas[cid])
        if kept is not None:
            kept.define(cid, key, formulas[cid], calc.unit, table_spec)
    conditions: dict[str, Formula] = {}
    for claim_id, claim in sorted(claims.items()):
        if claim.holds_when is None:
            continue
        given = given_texts(claim, figures, calculators)
        key = keys.condition(claim.holds_when, given) if kept is not None else None
        reused = kept.formula(key) if kept is not None else None
        if reused is not None:
            conditions[claim_id] = reused
            continue
        try:
            conditions[claim_id] = _compile(
                claim.holds_when,
                symbols,
                expected_unit=None,
                boolean=True,
                given=given or None,
            )
        except FormulaError as exc:
            if exc.kind == "reference" and exc.message.startswith("unknown name '"):
                name = exc.message.split("'")[1]
                exc = _unknown_name(name, exc.offset, claims, figures) or exc
            _formula_problem(out, claim_id, "holds_when", claim.holds_when, exc)
            continue
        if kept is not None:
            kept.keep(key, conditions[claim_id], None, given_text=given)
    return formulas, conditions, order


def _compile(
    text: str,
    symbols: Mapping[str, Symbol],
    *,
    expected_unit: units.Unit | None,
    boolean: bool,
    given: Mapping[str, str] | None = None,
) -> CompiledFormula:
    from engine.formula.compiled import compile_formula  # sympy: only when one is compiled

    return compile_formula(text, symbols, expected_unit=expected_unit, boolean=boolean, given=given)


class _Symbols(Mapping[str, "Symbol"]):
    """What formulas compiled here may name: every figure and calculator with a valid unit.

    Each `Symbol` (a pint unit, a calculator's sympy tree) is made when a formula compiled here
    first names it, so a load whose formulas all come from `CompiledForms` makes none.
    """

    def __init__(
        self,
        figures: Mapping[str, Figure],
        calculators: Mapping[str, Calculator],
        declared: _DeclaredUnits,
    ) -> None:
        self.figures = figures
        self.calculators = calculators
        self.declared = declared
        self.names = [n for n in (*figures, *calculators) if n in declared.valid]
        self.definitions: dict[str, Formula] = {}
        self.made: dict[str, Symbol] = {}

    def define(self, cid: str, formula: Formula) -> None:
        """Calculator ``cid`` compiled: formulas after it may inline its tree."""
        self.definitions[cid] = formula
        self.made.pop(cid, None)

    def __getitem__(self, name: str) -> Symbol:
        made = self.made.get(name)
        if made is not None:
            return made
        if name not in self.declared.valid:
            raise KeyError(name)
        from engine.formula.compiled import Symbol

        unit = self.declared.parsed[name]
        figure = self.figures.get(name)
        if figure is not None:
            made = Symbol(unit=unit, choices=figure.choices or ())
        elif name in self.calculators:
            formula = self.definitions.get(name)
            made = (
                Symbol(unit=unit)
                if formula is None
                else Symbol(unit=unit, definition=formula.expr, unbounded=formula.unbounded)
            )
        else:
            raise KeyError(name)
        self.made[name] = made
        return made

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    def __contains__(self, name: object) -> bool:
        return name in self.declared.valid and (name in self.figures or name in self.calculators)


class _Kept:
    """Formulas reused from, and added to, a `CompiledForms` store, each kept as the model
    cache keeps it (`PortableFormula`, with the same symbols: `engine.site.model_cache.portable`)."""

    def __init__(
        self,
        figures: Mapping[str, Figure],
        calculators: Mapping[str, Calculator],
        store: CompiledForms,
    ) -> None:
        from engine.formula.tree import SymbolSpec

        self.store = store
        self.calculators = calculators
        self.specs: dict[str, SymbolSpec] = {
            fid: SymbolSpec(fig.unit, fig.choices or ()) for fid, fig in figures.items()
        }
        self.specs.update({cid: SymbolSpec(calc.unit) for cid, calc in calculators.items()})

    def formula(self, key: str | None) -> PortableFormula | None:
        return None if key is None else self.store.formula(key)

    def keep(
        self,
        key: str | None,
        formula: Formula,
        unit: str | None,
        *,
        given_text: Mapping[str, str] | None = None,
        table: tuple[str, tuple[tuple[str, str], ...]] | None = None,
    ) -> PortableFormula:
        from engine.formula.tree import PortableFormula

        portable = PortableFormula.of(formula, unit, self.specs, given_text=given_text, table=table)
        if key is not None and portable is not formula:
            self.store.keep(key, portable)
        return portable

    def define(
        self,
        cid: str,
        key: str | None,
        formula: Formula,
        unit: str,
        table: tuple[str, tuple[tuple[str, str], ...]] | None,
    ) -> None:
        """Calculator ``cid`` compiled (or found): keep it, and let later formulas inline it."""
        from engine.formula.tree import SymbolSpec

        portable = self.keep(key, formula, unit, table=table)
        self.specs[cid] = SymbolSpec(unit, definition=portable)


def _table_formula(
    calc: Calculator, table: Table, figures: Mapping[str, Figure], unit: units.Unit
) -> CompiledFormula:
    """The row picked by the table's choice, as a piecewise tree over the row figures."""
    from engine.formula.compiled import compile_table

    return compile_table(calc.formula, table.by, table_rows(table, figures), unit)


def table_rows(table: Table, figures: Mapping[str, Figure]) -> tuple[tuple[str, str], ...]:
    """(option, row figure) for each option of the table's choice, in the choice's order."""
    return tuple((option, table.rows[option]) for option in figures[table.by].choices or ())


def _closest(name: str, candidates: Iterable[str]) -> str | None:
    hint = did_you_mean(name, candidates)
    return hint.split("'")[1] if hint else None


def _calculator_order(depends: Mapping[str, set[str]], out: _Collector) -> tuple[str, ...] | None:
    """Calculators in dependency order; a cycle is reported one line per edge."""
    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(depends))
    for cid in sorted(depends):
        for dep in sorted(depends[cid]):
            graph.add_edge(dep, cid)
    cycles = list(nx.simple_cycles(graph)) if not nx.is_directed_acyclic_graph(graph) else []
    if cycles:
        reported: set[tuple[str, str]] = set()
        for found in cycles:
            # Edges run input -> user; list the ring in "uses" order, from its smallest id, so the
            # message is the same on every run.
            uses = list(reversed(found))
            start = uses.index(min(uses))
            ring = uses[start:] + uses[:start]
            text = " -> ".join([*ring, ring[0]])
            for index, user in enumerate(ring):
                used = ring[(index + 1) % len(ring)]
                if (user, used) not in reported:
                    reported.add((user, used))
                    out.add(
                        out.at(user, "formula"),
                        f"calculator cycle: '{user}' uses '{used}' (cycle {text})",
                    )
        return None
    return tuple(nx.lexicographical_topological_sort(graph))
