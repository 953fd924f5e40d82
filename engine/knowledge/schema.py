"""The knowledge base's YAML, as pydantic models (DESIGN §3).

Models are frozen and forbid unknown fields, so a typo is an error rather than a silently ignored
key. Every field carries a description: `crux schema` turns them into a JSON Schema that YAML
editors use for completion and hover help.
"""

from __future__ import annotations

import datetime
import math
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    field_validator,
    model_validator,
)

from engine.knowledge.records import FigureProperties

Id = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9_]*$",
        max_length=80,
        description="A snake_case id, unique across the whole knowledge base.",
    ),
]
SettingId = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9_]*(\.[A-Za-z0-9_-]+)?$",
        max_length=160,
        description="A figure id, or a lookup table's row as table.option.",
    ),
]


def _real_date(text: str) -> str:
    """`2026-13-45` matches the pattern but is no date; refuse it rather than print it."""
    parts = [int(part) for part in text.split("-")]
    year, month, day = [*parts, 1, 1][:3]
    try:
        datetime.date(year, month, day)
    except ValueError:
        raise ValueError(
            f"expected a real date as YYYY, YYYY-MM or YYYY-MM-DD, found {text!r}"
        ) from None
    return text


DateText = Annotated[
    str,
    BeforeValidator(lambda value: str(value) if isinstance(value, int) else value),
    Field(
        pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$",
        description="A date as YYYY, YYYY-MM or YYYY-MM-DD.",
    ),
    AfterValidator(_real_date),
]
Label = Literal["holds", "fails", "undecided"]
MAX_QUOTE_WORDS = 25


class _Model(BaseModel):
    # `defer_build`: a model's validators are built when it first validates, not on import. A
    # warm command gets its models unpickled from the cache and never validates, so it never
    # pays for them.
    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, defer_build=True
    )


class Source(_Model):
    """A publication, filing, post or thread that figures and claims cite."""

    title: str = Field(min_length=1, description="Title of the source as published.")
    url: str = Field(pattern=r"^https?://\S+$", description="Where a reader can check it.")
    publisher: str | None = Field(None, description="Who published it (company, outlet, author).")
    date: DateText | None = Field(None, description="Publication date.")
    kind: Literal["primary", "press", "analysis", "forum"] = Field(
        description="primary: the company or paper itself; press: reporting; "
        "analysis: an analyst's or blogger's model; forum: a comment thread."
    )
    notes: str | None = Field(
        None, description="Caveats about this source (mirrors, secondary copies)."
    )


class Citation(_Model):
    """A citation of a source, with the words that support the figure or claim."""

    source: Id = Field(description="Id of a source under `sources:`.")
    quote: str | None = Field(
        None, description=f"Words copied from the source, at most {MAX_QUOTE_WORDS} words."
    )

    @field_validator("quote")
    @classmethod
    def _short_quote(cls, quote: str | None) -> str | None:
        if quote is not None and len(quote.split()) > MAX_QUOTE_WORDS:
            raise ValueError(
                f"expected a quote of at most {MAX_QUOTE_WORDS} words, found {len(quote.split())}"
            )
        return quote


def _citations(items: object) -> object:
    """Accept `- source_id` as shorthand for `- {source: source_id}`."""
    if isinstance(items, list):
        return [{"source": item} if isinstance(item, str) else item for item in items]
    return items


class TableRow(_Model):
    """One row of a lookup table: the figure's value when its choice picks this option."""

    value: float = Field(description="The value in the table figure's `unit`.")
    range: tuple[float, float] | None = Field(
        None, description="A 90% interval [low, high] for this row."
    )
    distribution: Literal["lognormal", "normal", "uniform"] | None = Field(
        None, description="How this row's `range` is sampled. Never guessed."
    )
    as_of: DateText | None = Field(None, description="When this row's value was true.")
    confidence: Literal["reported", "estimated", "rumoured", "asserted"] | None = Field(
        None, description="How sure this row's value is (as for a figure)."
    )
    sources: tuple[Citation, ...] = Field(
        (), description="Citations for this row: a source id or {source, quote}."
    )
    notes: str | None = Field(None, description="Caveats about this row.")

    _sources_shorthand = field_validator("sources", mode="before")(_citations)

    @model_validator(mode="after")
    def _consistent(self) -> TableRow:
        if not math.isfinite(self.value):
            raise ValueError(f"expected a finite number for value, found {self.value!r}")
        if self.range is not None:
            low, high = self.range
            if not (math.isfinite(low) and math.isfinite(high)) or low > high:
                raise ValueError(f"expected [low, high] with low <= high, found {list(self.range)}")
            if self.distribution == "lognormal" and low <= 0:
                raise ValueError(f"a lognormal range needs positive bounds, found low = {low}")
        if self.distribution is not None and self.range is None:
            raise ValueError("a distribution needs a range to describe")
        return self


class Figure(_Model, FigureProperties):
    """A cited number, a 0/1 switch, a choice between named options (a lens), or a lookup table."""

    label: str = Field(min_length=1, description="What the number is, for a newcomer.")
    value: StrictBool | float | str | None = Field(
        None,
        description="The value in `unit`; for a switch 0 or 1; for a choice one of `choices`. "
        "Required, except for a lookup table (`by`).",
    )
    unit: str = Field(
        "dimensionless",
        description="A unit, e.g. USD, USD/day, kWh/(100 km), gCO2/kWh (docs/units.md lists them).",
    )
    by: Id | None = Field(
        None,
        description="A lookup table: the choice figure whose option picks this figure's value "
        "from `values`.",
    )
    values: dict[str, TableRow] | None = Field(
        None,
        description="A lookup table's rows: for each option of the `by` choice, "
        "{value, range, confidence, sources}.",
    )
    range: tuple[float, float] | None = Field(
        None, description="A 90% interval [low, high] where sources disagree."
    )
    distribution: Literal["lognormal", "normal", "uniform"] | None = Field(
        None, description="How `range` is sampled; lognormal needs positive bounds. Never guessed."
    )
    minimum: float | None = Field(
        None,
        allow_inf_nan=False,
        description="Physical lower bound (a price cannot be negative); defaults to 0 for positive figures.",
    )
    maximum: float | None = Field(
        None, allow_inf_nan=False, description="Physical upper bound, e.g. 1 for a utilisation."
    )
    as_of: DateText | None = Field(None, description="When the figure was true.")
    confidence: Literal["reported", "estimated", "rumoured", "asserted"] | None = Field(
        None,
        description="reported: primary or press of documents; estimated: a model or derived arithmetic; "
        "rumoured: anonymous or contradicted; asserted: a commenter's unsourced number.",
    )
    sources: tuple[Citation, ...] = Field(
        (), description="Citations: a source id or {source, quote}."
    )
    accepts_reciprocal: StrictBool = Field(
        False,
        description="Take a setting in the reciprocal unit and invert it, e.g. "
        "`--set fuel=40 mpg` for a figure in L/(100 km).",
    )
    switch: StrictBool = Field(False, description="A 0/1 switch, e.g. whether a cost item counts.")
    choices: tuple[str, ...] | None = Field(
        None,
        description="Named options of a choice figure (a lens); formulas test `lens == 'name'`.",
    )
    speaker: str | None = Field(
        None, description="Who put this number forward in the debate, e.g. `turn 8`."
    )
    quote: str | None = Field(
        None, description="The speaker's exact words, when the number is theirs."
    )
    notes: str | None = Field(
        None, description="Why this value, arithmetic for derived figures, caveats."
    )

    _sources_shorthand = field_validator("sources", mode="before")(_citations)

    @field_validator("range")
    @classmethod
    def _ordered(cls, bounds: tuple[float, float] | None) -> tuple[float, float] | None:
        if bounds is not None and not all(math.isfinite(b) for b in bounds):
            raise ValueError(f"expected finite bounds, found {list(bounds)}")
        if bounds is not None and not bounds[0] <= bounds[1]:
            raise ValueError(
                f"expected [low, high] with low <= high, found [{bounds[0]:g}, {bounds[1]:g}]"
            )
        return bounds

    @model_validator(mode="after")
    def _consistent(self) -> Figure:
        if self.accepts_reciprocal and (self.choices is not None or self.switch):
            raise ValueError("only a number figure accepts_reciprocal, not a switch or a choice")
        if (self.by is None) != (self.values is None):
            raise ValueError("a lookup table needs both `by` (a choice figure) and `values`")
        if self.by is not None:
            extra = [
                name
                for name in ("value", "range", "distribution", "choices", "as_of", "confidence")
                if getattr(self, name) not in (None, ())
            ]
            if self.switch:
                extra.append("switch")
            if self.sources:
                extra.append("sources")
            if extra:
                raise ValueError(
                    f"a lookup table (by: {self.by}) takes {', '.join(extra)} from each row "
                    "of `values`, not from the figure"
                )
            return self
        if self.value is None:
            raise ValueError("expected a value (or a lookup table: `by` and `values`)")
        if self.choices is not None:
            if self.switch:
                raise ValueError("a figure is either a switch or has choices, not both")
            if len(set(self.choices)) != len(self.choices) or len(self.choices) < 2:
                raise ValueError("expected at least two distinct choices")
            if self.value not in self.choices:
                raise ValueError(
                    f"expected value to be one of {list(self.choices)}, found {self.value!r}"
                )
        elif self.switch:
            if self.value not in (0, 1, True, False):
                raise ValueError(f"expected a switch value of 0 or 1, found {self.value!r}")
        elif isinstance(self.value, str | bool):
            raise ValueError(f"expected a number for value, found {self.value!r}")
        elif not math.isfinite(self.value):
            raise ValueError(f"expected a finite number for value, found {self.value!r}")
        if self.range is not None:
            low, _ = self.range
            if self.distribution == "lognormal" and low <= 0:
                raise ValueError(f"a lognormal range needs positive bounds, found low = {low}")
        if self.distribution is not None and self.range is None:
            raise ValueError("a distribution needs a range to describe")
        return self


class Calculator(_Model):
    """A derived quantity: a formula over figures and other calculators."""

    label: str = Field(min_length=1, description="What the quantity is, for a newcomer.")
    formula: str = Field(
        min_length=1,
        description="An expression over figure and calculator ids. It may use quantities with a "
        "unit in brackets (`50000[mile]`, `5[USD]`), `at(expr, figure=value, …)` to evaluate "
        "`expr` with figures replaced, `never` (+∞) and `crossing(gap, rate)` (the distance at "
        "which `rate` makes up `gap`; `never` if it does not). Claims cannot appear in formulas.",
    )
    unit: str = Field(
        "dimensionless", description="The unit the result is reported in (pint syntax)."
    )
    notes: str | None = Field(None, description="One line on what it means.")


class Voice(_Model):
    """One person or publication making a claim or an argument, in their words."""

    speaker: str = Field(min_length=1, description="Who said it, e.g. a name or `turn 4`.")
    quote: str | None = Field(None, description="Their exact words.")
    source: Id | None = Field(None, description="Id of the source where they said it.")


class Claim(_Model):
    """A proposition from the debate, or an implicit premise its arguments need."""

    text: str = Field(min_length=1, description="The proposition in plain English.")
    title: str | None = Field(
        None,
        description="A short display title, e.g. the statement title of an imported Argdown map.",
    )
    role: Literal["central", "conclusion"] | None = Field(
        None,
        description="central: the question the map answers (one); conclusion: a main answer under it.",
    )
    question: str | None = Field(None, description="The central claim's question, e.g. 'Are …?'.")
    speaker: str | None = Field(None, description="Who said it, e.g. `turn 4`.")
    quote: str | None = Field(
        None, description="The speaker's exact words, verbatim from the thread."
    )
    implicit: StrictBool = Field(False, description="An unstated premise that an argument needs.")
    voices: tuple[Voice, ...] = Field(
        (),
        description="Everyone who makes this claim: [{speaker, quote, source}]. "
        "`speaker` and `quote` are the one-voice shorthand.",
    )
    holds_when: str | None = Field(
        None,
        description="A condition over figures and calculators: the numbers decide. Same syntax "
        "as a calculator's formula (`break_even_distance < 100000[km]`, `x == never`).",
    )
    given: dict[Id, StrictBool | float | str] = Field(
        {},
        description="Evaluate `holds_when` with these figures replaced: a number in the "
        "figure's unit, a quantity such as '50000[mile]', another figure's id, or a choice's "
        "option ('coal'). Other figures keep the scenario's values.",
    )
    assumed: StrictBool | None = Field(
        None, description="For leaf claims: taken to hold (true) or fail (false)."
    )
    sources: tuple[Citation, ...] = Field((), description="Evidence bearing on the claim.")
    tags: tuple[str, ...] = Field((), description="Topics, for grouping on the site.")
    supports: tuple[Id, ...] = Field(
        (), description="Shorthand: a one-premise pro argument for each claim listed."
    )
    attacks: tuple[Id, ...] = Field(
        (), description="Shorthand: a one-premise con argument against each claim listed."
    )
    notes: str | None = Field(None, description="Editorial notes on how the claim is encoded.")

    _sources_shorthand = field_validator("sources", mode="before")(_citations)

    @model_validator(mode="after")
    def _consistent(self) -> Claim:
        if self.question is not None and self.role != "central":
            raise ValueError("only the central claim (role: central) has a question")
        if self.implicit and (self.quote is not None or self.voices):
            raise ValueError("an implicit premise has no quote")
        if self.given and self.holds_when is None:
            raise ValueError("`given` settings need a `holds_when` condition to apply to")
        return self


ArgdownRelationType = Literal[
    "support", "attack", "undercut", "entails", "contrary", "contradictory"
]


class ArgdownOrigin(_Model):
    """How an argument was written in an imported Argdown map, so `crux export argdown` can write
    it back the same way. crux's own semantics never read it."""

    relation: ArgdownRelationType | None = Field(
        None,
        description="The Argdown relation this argument encodes; absent for a premise-conclusion structure.",
    )
    from_argument: StrictBool = Field(
        False, description="The relation starts at the argument named `label`, not at its premise."
    )
    to_argument: str | None = Field(
        None,
        description="The title of the Argdown argument the relation ends at, if not a statement.",
    )
    step: int | None = Field(
        None, ge=1, description="The inference step of a multi-step premise-conclusion structure."
    )
    mirror: StrictBool = Field(
        False, description="The second half of a symmetric relation (contrary, contradictory)."
    )
    sketched: StrictBool = Field(
        False,
        description="A sketched argument: its one premise stands in for reasons the map leaves unstated.",
    )
    unconcluded: StrictBool = Field(
        False,
        description="The Argdown argument has no conclusion of its own; `conclusion` is a stand-in.",
    )


class Argument(_Model):
    """An inference from premises to a conclusion (pro or con), or an undercutter of another argument."""

    label: str | None = Field(None, description="A short readable name of the inference.")
    text: str | None = Field(
        None, description="The argument in words, e.g. an Argdown description."
    )
    premises: tuple[Id, ...] = Field(
        description="Claim ids that must all hold for the argument to apply."
    )
    conclusion: Id | None = Field(None, description="The claim the argument bears on.")
    stance: Literal["pro", "con"] = Field(
        "pro", description="pro supports the conclusion, con attacks it."
    )
    weight: float = Field(
        1.0,
        gt=0,
        allow_inf_nan=False,
        description="Relative strength when pro and con arguments meet.",
    )
    undercuts: Id | None = Field(None, description="An argument whose inference this one attacks.")
    speaker: str | None = Field(None, description="Who made the argument, e.g. `turn 7`.")
    quote: str | None = Field(None, description="The speaker's exact words.")
    voices: tuple[Voice, ...] = Field(
        (),
        description="Everyone who makes this argument: [{speaker, quote, source}]. "
        "`speaker` and `quote` are the one-voice shorthand.",
    )
    notes: str | None = Field(None, description="Editorial notes.")
    argdown: ArgdownOrigin | None = Field(
        None,
        description="How the argument was written in an imported Argdown map (kept for export).",
    )


class Scenario(_Model):
    """Named settings: figure values, claim assumptions and the labels expected under them."""

    label: str = Field(min_length=1, description="A short name for the scenario.")
    description: str | None = Field(None, description="What the scenario represents.")
    extends: Id | None = Field(None, description="Start from another scenario's settings.")
    set: dict[SettingId, StrictBool | float | str] = Field(
        {}, description="Figure values (in each figure's unit)."
    )
    assume: dict[Id, StrictBool] = Field(
        {}, description="Claims taken to hold (true) or fail (false)."
    )
    expect: dict[Id, Label] = Field({}, description="Labels `crux check` verifies, like tests.")
    default: StrictBool = Field(
        False,
        description="The scenario every verb uses when none is named (at most one may say so; "
        "without one, `baseline` if it exists, else the figures' own values).",
    )


class Correlation(_Model):
    """Two figures that move together: a Spearman rank correlation between their ranges.

    A claim about the world like a figure's value, so it carries its reason, confidence and
    sources. Sampling imposes it by Iman–Conover (reordering draws), so each figure keeps its own
    distribution.
    """

    figures: tuple[SettingId, SettingId] = Field(
        description="The two figures (number figures with a range, or table rows as table.option)."
    )
    rank: float = Field(
        ge=-1,
        le=1,
        allow_inf_nan=False,
        description="Spearman rank correlation in [-1, 1]: 0.6 when high values of one tend to "
        "come with high values of the other, negative when they move in opposite directions.",
    )
    why: str = Field(
        min_length=1,
        description="Why the figures move together, for a reader who doubts it "
        "(a shared cause, a mechanism, what the sources say).",
    )
    confidence: Literal["reported", "estimated", "rumoured", "asserted"] | None = Field(
        None,
        description="reported: a source measures it; estimated: derived from a model or data; "
        "rumoured: contested; asserted: the map's own unsourced judgement.",
    )
    sources: tuple[Citation, ...] = Field(
        (), description="Citations: a source id or {source, quote}."
    )
    notes: str | None = Field(None, description="Caveats, how the value was chosen.")

    _sources_shorthand = field_validator("sources", mode="before")(_citations)


SECTIONS: dict[str, type[_Model]] = {
    "sources": Source,
    "figures": Figure,
    "calculators": Calculator,
    "claims": Claim,
    "arguments": Argument,
    "scenarios": Scenario,
    "correlations": Correlation,
}


class KnowledgeFile(_Model):
    """One YAML file of the knowledge base: any of the sections below, each a map of id → item."""

    sources: dict[Id, Source] = Field({}, description="Publications that figures and claims cite.")
    figures: dict[Id, Figure] = Field({}, description="Cited numbers, switches and lenses.")
    calculators: dict[Id, Calculator] = Field({}, description="Derived quantities.")
    claims: dict[Id, Claim] = Field({}, description="Propositions of the debate.")
    arguments: dict[Id, Argument] = Field({}, description="Inferences between claims.")
    scenarios: dict[Id, Scenario] = Field({}, description="Named settings with expectations.")
    correlations: dict[Id, Correlation] = Field(
        {}, description="Figures that move together (rank correlations used when sampling)."
    )


def json_schema() -> dict[str, object]:
    """The JSON Schema of a knowledge-base file, for YAML editors."""
    schema = KnowledgeFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "crux knowledge base file"
    return schema
