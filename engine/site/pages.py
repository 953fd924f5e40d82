"""Page contexts: pure functions from the site model to what each template shows.

Nothing here touches files or formats numbers: values stay numbers (with their units) until a
template filter writes them. A page that shows a diagram names it (`Page.diagram`); the drawing
exists only once the emit step has rendered it (`engine.site.emit`), which then adds the
`diagram` entry of the context (`embed_context`). So these functions stay pure and cheap to test.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from engine.analysis.sensitivity import Tornado
from engine.analysis.simulate import SimulationResult
from engine.evaluation.evaluate import Evaluation
from engine.evaluation.explain import (
    Step,
    claim_summary,
    explain_claim_tree,
    given_text,
    given_view,
    substitute,
)
from engine.knowledge.graph import downstream, kind_of
from engine.knowledge.knowledge_base import KnowledgeBase
from engine.knowledge.settings import Setting, normalise_setting
from engine.knowledge.voices import Speaker, speakers, voices_of
from engine.site import answer, formula_products, urls
from engine.site.analysis import (
    SAMPLES,
    SiteAnalysis,
    cell_chance,
    chance_context,
    tipping_context,
    tornado_context,
)
from engine.site.diagram_fit import alt_text
from engine.site.distributions import calculator_distribution, figure_curve
from engine.site.model import Column, SiteModel

if TYPE_CHECKING:
    from engine.knowledge.schema import Argument, Claim, Figure

Context = dict[str, Any]
EXPLANATION_DEPTH = 40
"""Levels of a claim's derivation the page writes out (each step once, deeper levels folded).
Past it a step links to its own page: the templates draw the tree recursively, and a chain of
hundreds of calculators would exhaust Python's stack (and make a page no one can read)."""


@dataclass(frozen=True)
class DiagramSlot:
    """Where a page shows a diagram, filled in once the diagram is drawn."""

    svg_path: str
    """Which diagram: the path of its standalone SVG."""
    page: str
    """The page the copy-ready embed snippets link to (the index's link to the map page)."""
    alt: str
    """What it shows, for readers who cannot see it."""
    compact: bool = False
    """Inline the drawing with fewer bytes (`compact_svg`): the whole map's page."""


@dataclass(frozen=True)
class Page:
    """One HTML page to write: where, with which template and context (and diagram, if any)."""

    path: str
    template: str
    context: Context
    diagram: DiagramSlot | None = None


@dataclass(frozen=True)
class Embed:
    """A rendered diagram ready for a page: inline SVG plus its standalone files and snippets."""

    svg: Markup
    title: str
    svg_path: str
    png_path: str
    truncated: bool = False
    note: str = ""
    """What the drawing leaves out and why, when it is not the whole of what was asked for."""


def build_note() -> str | None:
    """`Built on YYYY-MM-DD` from `SOURCE_DATE_EPOCH`; otherwise no date, so builds reproduce."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch or not epoch.strip().isdigit():
        return None
    return "Built on " + time.strftime("%Y-%m-%d", time.gmtime(int(epoch)))


def site_context(model: SiteModel, base_url: str = "") -> Context:
    """What every page shares: the question, the build's scenario, counts."""
    kb = model.kb
    central = kb.central_claim
    question = None
    if central is not None:
        question = kb.claims[central].question or kb.claims[central].text
    scenario = model.build.scenario
    return {
        "question": question,
        "central_id": central,
        "scenario": scenario.name,
        "scenario_label": scenario.label,
        "scenario_page": scenario.name if scenario.name in kb.scenarios else None,
        "overridden": sorted(scenario.overridden),
        "basis_of": dict(model.build.basis),
        "build_note": build_note(),
        "base_url": base_url,
        "counts": {
            "claims": len(kb.claims),
            "arguments": len(kb.arguments),
            "figures": len(kb.figures),
            "calculators": len(kb.calculators),
            "sources": len(kb.sources),
            "scenarios": len(kb.scenarios),
        },
    }


def _page(
    path: str,
    template: str,
    kind: str,
    title: str,
    shared: Context,
    claim_ids: Iterable[str],
    diagram: DiagramSlot | None = None,
    **extra: Any,
) -> Page:
    context: Context = {
        **shared,
        "path": path,
        "root": urls.root_of(path),
        "page_kind": kind,
        "title": title,
        "claim_ids_on_page": sorted(set(claim_ids)),
        **extra,
    }
    return Page(path, template, context, diagram)


def embed_context(
    embed: Embed | None, page_path: str, base_url: str, alt: str | None = None
) -> Context | None:
    """The diagram and its copy-ready Markdown and HTML snippets.

    ``alt`` says what the diagram shows (the claim's text and label); the HTML snippet carries
    the image's size so a page reserves its space before it loads.
    """
    if embed is None:
        return None
    base = base_url.rstrip("/") + "/" if base_url else ""
    svg_url = base + embed.svg_path
    page_url = base + page_path
    alt_text = alt or embed.title
    markdown_alt = alt_text.replace("]", ")").replace("[", "(")
    markdown = f"[![{markdown_alt}]({svg_url})]({page_url})"
    size = _svg_size(str(embed.svg))
    dimensions = f' width="{size[0]}" height="{size[1]}"' if size else ""
    html_snippet = (
        f'<a href="{page_url}"><img src="{svg_url}"{dimensions} alt="{_attr(alt_text)}"></a>'
    )
    return {
        "svg": embed.svg,
        "title": embed.title,
        "svg_path": embed.svg_path,
        "png_path": embed.png_path,
        "markdown": markdown,
        "html": html_snippet,
        "relative_note": not base,
        "truncated": embed.truncated,
        "note": embed.note,
    }


def _svg_size(svg: str) -> tuple[int, int] | None:
    """An SVG's size in CSS pixels (Graphviz writes points; 3 pt make 4 px)."""
    match = re.search(r'<svg[^>]*?width="([\d.]+)(pt|px)?"[^>]*?height="([\d.]+)(pt|px)?"', svg)
    if match is None:
        return None
    factor = 4 / 3 if match.group(2) == "pt" else 1.0
    return round(float(match.group(1)) * factor), round(float(match.group(3)) * factor)


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


# --- small views -------------------------------------------------------------------------------


def claim_ref(kb: KnowledgeBase, ev: Evaluation, claim_id: str) -> Context:
    return {
        "id": claim_id,
        "text": kb.claims[claim_id].text,
        "label": ev.claims[claim_id],
        "basis": ev.basis[claim_id],
    }


def argument_title(kb: KnowledgeBase, arg_id: str) -> str:
    """What an argument is called: its label, else what its premises say (never its id)."""
    arg = kb.arguments[arg_id]
    if arg.label:
        return arg.label
    texts = [kb.claims[p].text.rstrip(".") for p in arg.premises]
    if not texts:
        return arg_id.replace("_", " ")
    joined = "; and ".join(texts)
    # A premise that ends in its own punctuation (a question, say) keeps it alone.
    return joined if joined.endswith(("?", "!")) else joined + "."


def argument_outcome(kb: KnowledgeBase, ev: Evaluation, arg_id: str) -> str | None:
    """Why an argument that applies did not carry its conclusion, in words; None otherwise."""
    arg = kb.arguments[arg_id]
    if arg.conclusion is None or ev.arguments[arg_id] != "holds":
        return None
    conclusion = ev.claims[arg.conclusion]
    wanted = "holds" if arg.stance == "pro" else "fails"
    if conclusion == wanted or arg.conclusion in ev.scenario.assumptions:
        return None
    if kb.claims[arg.conclusion].holds_when is not None:
        return f"It applies, but its conclusion {conclusion}: the numbers decide that claim."
    reason = ev.reason(arg.conclusion)
    if reason.rule == "outweighed":
        return (
            f"It applies, but its conclusion fails: it was outweighed. The attacks that apply "
            f"weigh {reason.con_min:g} in all, at least as much as all the support that might "
            f"apply ({reason.pro_max:g}); a tie fails."
        )
    if reason.rule == "supported":
        return (
            f"It applies, but the claim still holds: the support that applies weighs "
            f"{reason.pro_min:g}, more than every attack that might apply ({reason.con_max:g})."
        )
    return (
        f"It applies, but its conclusion is {conclusion}: {claim_summary(kb, ev, arg.conclusion)}"
    )


def argument_ref(kb: KnowledgeBase, ev: Evaluation, arg_id: str) -> Context:
    arg = kb.arguments[arg_id]
    return {
        "id": arg_id,
        "name": argument_title(kb, arg_id),
        # An unnamed (shorthand) argument is titled from its premises: do not list them twice.
        "named": bool(arg.label),
        "stance": arg.stance,
        "state": ev.arguments[arg_id],
        "weight": arg.weight,
        "conclusion": arg.conclusion,
        "undercuts": arg.undercuts,
        "premises": [claim_ref(kb, ev, p) for p in arg.premises],
        "speaker": arg.speaker,
        "quote": arg.quote,
    }


def quantity_ref(kb: KnowledgeBase, ev: Evaluation, quantity_id: str) -> Context:
    if quantity_id in kb.figures:
        figure = kb.figures[quantity_id]
        return {
            "id": quantity_id,
            "kind": "figure",
            "label": figure.label,
            "setting": ev.scenario.settings[quantity_id],
            "unit": figure.unit,
        }
    calc = kb.calculators[quantity_id]
    return {
        "id": quantity_id,
        "kind": "calculator",
        "label": calc.label,
        "setting": ev.calculators[quantity_id],
        "unit": calc.unit,
    }


def citations(kb: KnowledgeBase, items: Iterable[Any]) -> list[Context]:
    return [
        {
            "source": c.source,
            "title": kb.sources[c.source].title,
            "url": kb.sources[c.source].url,
            "publisher": kb.sources[c.source].publisher,
            "quote": c.quote,
        }
        for c in items
    ]


def source_ref(kb: KnowledgeBase, source_id: str | None) -> Context | None:
    if source_id is None:
        return None
    return {"id": source_id, "title": kb.sources[source_id].title}


def voices_context(kb: KnowledgeBase, item: Claim | Argument | Figure) -> list[Context]:
    """Everyone who puts an item forward, each linking to their "who said what" page."""
    slugs = {name: speaker.slug for name, speaker in speakers(kb).items()}
    return [
        {
            "speaker": voice.speaker,
            "path": urls.speaker_path(slugs[voice.speaker]),
            "quote": voice.quote,
            "source": source_ref(kb, voice.source),
        }
        for voice in voices_of(item)
    ]


def speaker_refs(kb: KnowledgeBase) -> list[Context]:
    """Every speaker with their page and how many items they put forward, by name."""
    return [
        {"name": s.name, "slug": s.slug, "path": urls.speaker_path(s.slug), "count": len(s.said)}
        for s in speakers(kb).values()
    ]


def used_by(kb: KnowledgeBase, item_id: str) -> Context:
    """What builds on an item: direct users, and the claims further downstream."""
    direct = sorted(kb.graph.successors(item_id))
    later = [n for n in downstream(kb.graph, item_id, frozenset({"claim"})) if n not in direct]
    return {
        "direct": [{"id": n, "kind": kind_of(kb.graph, n)} for n in direct],
        "claims": later,
    }


def mathml(formula: Any) -> Markup:
    """The formula in MathML, made once and kept with the model (`formula_products`)."""
    return Markup(formula_products.mathml(formula))


def explanation(kb: KnowledgeBase, column: Column, claim_id: str, is_build: bool) -> Context:
    ev = column.evaluation
    return {
        "key": column.key,
        "anchor": urls.scenario_anchor(column.key),
        "heading": column.heading,
        "detail": column.detail,
        "label": ev.claims[claim_id],
        "basis": ev.basis[claim_id],
        "summary": claim_summary(kb, ev, claim_id),
        # Only the build's column gets its whole derivation: the others say why in one sentence
        # (each tree once per column made the central claim's page a megabyte).
        "tree": explain_claim_tree(kb, ev, claim_id, EXPLANATION_DEPTH) if is_build else None,
        "explanation_depth": EXPLANATION_DEPTH,
        "is_build": is_build,
        "scenario_page": column.scenario if column.scenario in kb.scenarios else None,
    }


# --- pages --------------------------------------------------------------------------------------


def index_page(
    model: SiteModel,
    shared: Context,
    analysis: SiteAnalysis | None = None,
    chances: dict[str, SimulationResult] | None = None,
) -> Page:
    """The question answered in words, its conclusions, and the matrix of labels under each
    scenario and lens (columns identical in every cell merged; P(holds) when `chances` are given)."""
    kb, ev = model.kb, model.build
    merged = answer.merge_identical(model.columns, model.rows)
    slugs = {name: speaker.slug for name, speaker in speakers(kb).items()}
    rows = []
    for claim_id in model.rows:
        cells = []
        for group in merged:
            column = group.shown
            cells.append(
                {
                    "label": column.evaluation.claims[claim_id],
                    "basis": column.evaluation.basis[claim_id],
                    "anchor": urls.scenario_anchor(column.key),
                    "is_build": group.is_build,
                    "column": " = ".join(c.heading for c in group.columns),
                    "scenario": column.scenario,
                    "lens": column.lens,
                    "p_holds": (
                        cell_chance(analysis, column, chances[column.key], claim_id)
                        if analysis is not None and chances is not None
                        else None
                    ),
                }
            )
        rows.append(
            {
                **claim_ref(kb, ev, claim_id),
                "role": kb.claims[claim_id].role,
                "cells": cells,
                "speakers": sorted({slugs[v.speaker] for v in voices_of(kb.claims[claim_id])}),
            }
        )
    columns = [
        {
            "key": group.shown.key,
            "names": [
                {
                    "heading": c.heading,
                    "detail": c.detail,
                    "scenario_page": (
                        c.scenario if c.scenario in kb.scenarios and c.lens is None else None
                    ),
                }
                for c in group.columns
            ],
            "is_build": group.is_build,
            "lens": any(c.lens is not None for c in group.columns),
        }
        for group in merged
    ]
    # the build's column's P(holds), shown on the conclusion cards (and redrawn by the panel)
    build_chance = {
        row["id"]: next((c["p_holds"] for c in row["cells"] if c["is_build"]), None) for row in rows
    }
    conclusions = [
        {
            **claim_ref(kb, ev, cid),
            "summary": claim_summary(kb, ev, cid),
            "role": kb.claims[cid].role,
            "p_holds": build_chance.get(cid),
        }
        for cid in model.rows
    ]
    return _page(
        urls.INDEX,
        "index.html",
        "index",
        shared["question"] or "Argument map",
        shared,
        model.rows,
        diagram=DiagramSlot(urls.diagram_path(None), urls.MAP, alt_text(kb, ev, None)),
        conclusions=conclusions,
        columns=columns,
        rows=rows,
        scenarios=[{"id": sid, "label": s.label} for sid, s in kb.scenarios.items()],
        samples=SAMPLES if chances is not None else None,
        tip_claim=shared["central_id"],
        headline=(answer.headline(model, shared["central_id"]) if shared["central_id"] else None),
        map_counts=_map_counts(kb),
        speakers=speaker_refs(kb),
    )


def _map_counts(kb: KnowledgeBase) -> Context:
    return {
        "claims": len(kb.claims),
        "arguments": len(kb.arguments),
        "figures": len(kb.figures),
        "calculators": len(kb.calculators),
    }


def map_page(model: SiteModel, shared: Context) -> Page:
    kb, ev = model.kb, model.build
    groups: list[tuple[str, str, list[tuple[str, str, str | None]]]] = [
        ("Claims", "claim", [(cid, c.text, ev.claims[cid]) for cid, c in kb.claims.items()]),
        (
            "Arguments",
            "argument",
            [(aid, argument_title(kb, aid), ev.arguments[aid]) for aid in kb.arguments],
        ),
        ("Figures", "figure", [(fid, f.label, None) for fid, f in kb.figures.items()]),
        ("Calculators", "calculator", [(cid, c.label, None) for cid, c in kb.calculators.items()]),
        ("Sources", "source", [(sid, s.title, None) for sid, s in kb.sources.items()]),
        ("Scenarios", "scenario", [(sid, s.label, None) for sid, s in kb.scenarios.items()]),
    ]
    contents = [
        {
            "title": title,
            "kind": kind,
            "entries": [
                {"id": i, "text": t, "label": lab, "basis": ev.basis.get(i)} for i, t, lab in items
            ],
        }
        for title, kind, items in groups
        if items
    ]
    return _page(
        urls.MAP,
        "map.html",
        "map",
        "The whole map",
        shared,
        kb.claims,
        # The page's size budget is 250 KB: the drawing is inlined with fewer bytes.
        diagram=DiagramSlot(
            urls.diagram_path(None), urls.MAP, alt_text(kb, ev, None), compact=True
        ),
        contents=contents,
        speakers=speaker_refs(kb),
    )


def claim_page(
    model: SiteModel,
    shared: Context,
    claim_id: str,
    analysis: SiteAnalysis | None = None,
) -> Page:
    kb, ev = model.kb, model.build
    claim = kb.claims[claim_id]
    path = urls.page_path("claim", claim_id)
    arguments = [argument_ref(kb, ev, spec.id) for spec in ev.model.by_conclusion.get(claim_id, ())]
    premise_of = sorted(kb.graph.successors(claim_id))
    premise_of = [a for a in premise_of if kind_of(kb.graph, a) == "argument"]
    formula = None
    if claim.holds_when is not None:
        compiled = kb.conditions[claim_id]
        view = given_view(kb, ev, claim_id)
        formula = {
            "text": claim.holds_when,
            # The values the condition sees: under its `given:` settings, if it has any.
            "substituted": substitute(kb, ev, claim.holds_when, view),
            "given": given_text(view) if view is not None else None,
            "mathml": mathml(compiled),
            "truth": {1.0: "true", 0.0: "false"}.get(ev.conditions[claim_id], "undefined"),
            "assumed_instead": claim_id in ev.scenario.assumptions,
            "inputs": [quantity_ref(kb, ev, name) for name in compiled.names],
        }
    explanations = [explanation(kb, c, claim_id, c.is_build) for c in model.columns_for(claim_id)]
    on_page = {claim_id}
    on_page.update(p["id"] for a in arguments for p in a["premises"])
    for entry in explanations:
        if entry["tree"] is not None:
            on_page |= _claims_in(entry["tree"])
    return _page(
        path,
        "claim.html",
        "claim",
        claim.text,
        shared,
        on_page,
        diagram=DiagramSlot(urls.diagram_path(claim_id), path, alt_text(kb, ev, claim_id)),
        claim=claim,
        id=claim_id,
        label=ev.claims[claim_id],
        summary=claim_summary(kb, ev, claim_id),
        pros=[a for a in arguments if a["stance"] == "pro"],
        cons=[a for a in arguments if a["stance"] == "con"],
        premise_of=[argument_ref(kb, ev, a) for a in premise_of],
        formula=formula,
        explanations=explanations,
        sources=citations(kb, claim.sources),
        voices=voices_context(kb, claim),
        assumed_here=ev.scenario.assumptions.get(claim_id),
        tipping=tipping_context(model, analysis, claim_id) if analysis is not None else None,
        chance=chance_context(model, analysis, claim_id) if analysis is not None else None,
        charted=analysis is not None and analysis.charted(kb, claim_id),
        tip_claim=claim_id,
    )


def _claims_in(step: Step) -> frozenset[str]:
    return frozenset(node.id for node in step.walk() if node.kind == "claim")


def argument_page(model: SiteModel, shared: Context, arg_id: str) -> Page:
    kb, ev = model.kb, model.build
    arg = kb.arguments[arg_id]
    ref = argument_ref(kb, ev, arg_id)
    undercutters = [argument_ref(kb, ev, a) for a in ev.model.undercutters.get(arg_id, ())]
    target = None
    if arg.conclusion is not None:
        target = claim_ref(kb, ev, arg.conclusion)
    undercut = argument_ref(kb, ev, arg.undercuts) if arg.undercuts is not None else None
    claim_ids = [p["id"] for p in ref["premises"]] + ([target["id"]] if target else [])
    return _page(
        urls.page_path("argument", arg_id),
        "argument.html",
        "argument",
        ref["name"],
        shared,
        claim_ids,
        argument=ref,
        voices=voices_context(kb, arg),
        outcome=argument_outcome(kb, ev, arg_id),
        notes=arg.notes,
        target=target,
        undercut=undercut,
        undercutters=undercutters,
    )


def figure_page(
    model: SiteModel, shared: Context, figure_id: str, analysis: SiteAnalysis | None = None
) -> Page:
    """A figure's page; with the analysis, its chance curves (P(holds) against its value)."""
    kb, ev = model.kb, model.build
    figure = kb.figures[figure_id]
    per_scenario = [
        {
            "id": sid,
            "label": kb.scenarios[sid].label,
            "setting": sev.scenario.settings[figure_id],
            "differs": sev.scenario.settings[figure_id] != ev.scenario.settings[figure_id],
        }
        for sid, sev in model.scenarios.items()
    ]
    users = used_by(kb, figure_id)
    return _page(
        urls.page_path("figure", figure_id),
        "figure.html",
        "figure",
        figure.label,
        shared,
        users["claims"],
        figure=figure,
        id=figure_id,
        table_row=table_of_row(kb, figure_id),
        setting=ev.scenario.settings[figure_id],
        figure_overridden=figure_id in ev.scenario.overridden,
        sources=citations(kb, figure.sources),
        voices=voices_context(kb, figure),
        used_by=users,
        per_scenario=per_scenario,
        curve=figure_curve(model, analysis, figure_id) if analysis is not None else None,
        correlations=figure_correlations(kb, figure_id),
    )


def figure_correlations(kb: KnowledgeBase, figure_id: str) -> list[Context]:
    """The declared correlations of a figure, each with the other figure, its reason and sources."""
    out = []
    for cid, corr in kb.correlations.items():
        if figure_id not in corr.figures:
            continue
        other = corr.figures[1] if corr.figures[0] == figure_id else corr.figures[0]
        out.append(
            {
                "id": cid,
                "other": other,
                "other_label": kb.figures[other].label,
                "rank": corr.rank,
                "why": corr.why,
                "confidence": corr.confidence,
                "notes": corr.notes,
                "sources": citations(kb, corr.sources),
            }
        )
    return out


def table_context(kb: KnowledgeBase, ev: Evaluation, table_id: str) -> Context | None:
    """A cited lookup table: every row with its value, range and sources; the chosen one marked."""
    table = kb.tables.get(table_id)
    if table is None:
        return None
    chosen = ev.scenario.settings[table.by]
    rows = []
    for option, row_id in table.rows.items():
        row = kb.figures[row_id]
        rows.append(
            {
                "option": option,
                "id": row_id,
                "setting": ev.scenario.settings[row_id],
                "unit": row.unit,
                "range": row.range,
                "distribution": row.distribution,
                "confidence": row.confidence,
                "as_of": row.as_of,
                "sources": citations(kb, row.sources),
                "chosen": option == chosen,
            }
        )
    return {
        "by": table.by,
        "by_label": kb.figures[table.by].label,
        "chosen": chosen,
        "rows": rows,
    }


def table_of_row(kb: KnowledgeBase, figure_id: str) -> Context | None:
    """The lookup table a row figure belongs to, and its option; None for another figure."""
    for table_id, table in kb.tables.items():
        for option, row_id in table.rows.items():
            if row_id == figure_id:
                return {
                    "id": table_id,
                    "label": table.figure.label,
                    "option": option,
                    "by": table.by,
                }
    return None


def calculator_page(model: SiteModel, shared: Context, calc_id: str) -> Page:
    kb, ev = model.kb, model.build
    calc = kb.calculators[calc_id]
    compiled = kb.formulas[calc_id]
    users = used_by(kb, calc_id)
    per_scenario = [
        {"id": sid, "label": kb.scenarios[sid].label, "value": sev.calculators[calc_id]}
        for sid, sev in model.scenarios.items()
    ]
    return _page(
        urls.page_path("calculator", calc_id),
        "calculator.html",
        "calculator",
        calc.label,
        shared,
        users["claims"],
        calculator=calc,
        id=calc_id,
        table=table_context(kb, ev, calc_id),
        value=ev.calculators[calc_id],
        mathml=mathml(compiled),
        substituted=substitute(kb, ev, calc.formula),
        inputs=[quantity_ref(kb, ev, name) for name in compiled.names],
        used_by=users,
        per_scenario=per_scenario,
        distribution=calculator_distribution(model, calc_id),
    )


def source_page(model: SiteModel, shared: Context, source_id: str) -> Page:
    kb, ev = model.kb, model.build
    source = kb.sources[source_id]
    cited_by = []
    for item_id in sorted(kb.graph.successors(source_id)):
        kind = kind_of(kb.graph, item_id)
        if kind == "figure":
            item_sources, text = kb.figures[item_id].sources, kb.figures[item_id].label
        else:
            item_sources, text = kb.claims[item_id].sources, kb.claims[item_id].text
        quotes = [c.quote for c in item_sources if c.source == source_id and c.quote]
        label = ev.claims[item_id] if kind == "claim" else None
        cited_by.append(
            {"id": item_id, "kind": kind, "text": text, "quotes": quotes, "label": label}
        )
    claims_cited = [c["id"] for c in cited_by if c["kind"] == "claim"]
    return _page(
        urls.page_path("source", source_id),
        "source.html",
        "source",
        source.title,
        shared,
        claims_cited,
        source=source,
        id=source_id,
        cited_by=cited_by,
    )


def scenario_page(model: SiteModel, shared: Context, scenario_id: str) -> Page:
    kb = model.kb
    ev = model.scenarios[scenario_id]
    scenario = kb.scenarios[scenario_id]
    settings = [
        {**quantity_ref(kb, ev, fid), "default": kb.figures[fid].value, "own": fid in scenario.set}
        for fid in sorted(kb.figures)
        if ev.scenario.settings[fid] != _default_setting(kb, fid)
    ]
    assumptions = [
        {**claim_ref(kb, ev, cid), "holds": holds} for cid, holds in ev.scenario.assumptions.items()
    ]
    expectations = [
        {**claim_ref(kb, ev, cid), "expected": expected, "met": ev.claims[cid] == expected}
        for cid, expected in ev.scenario.expectations.items()
    ]
    conclusions = [claim_ref(kb, ev, cid) for cid in model.rows]
    claim_ids = [c["id"] for c in assumptions + expectations + conclusions]
    # Labels on this page belong to this scenario, not to the build's: the what-if panel only
    # recolours the build's, so these carry `data-scenario-claim` rather than `data-claim`.
    return _page(
        urls.page_path("scenario", scenario_id),
        "scenario.html",
        "scenario",
        scenario.label,
        shared,
        claim_ids,
        scenario_item=scenario,
        id=scenario_id,
        settings=settings,
        assumptions=assumptions,
        expectations=expectations,
        conclusions=conclusions,
        is_build=scenario_id == model.build.scenario.name,
    )


def _default_setting(kb: KnowledgeBase, figure_id: str) -> Setting:
    figure = kb.figures[figure_id]
    return normalise_setting(figure, figure.setting)


def speaker_page(model: SiteModel, shared: Context, speaker: Speaker) -> Page:
    """Who said what: every claim, argument and figure one speaker puts forward, with labels."""
    kb, ev = model.kb, model.build
    claims = [
        {**claim_ref(kb, ev, s.id), "quote": s.quote, "source": source_ref(kb, s.source)}
        for s in speaker.said
        if s.kind == "claim"
    ]
    arguments = [
        {**argument_ref(kb, ev, s.id), "quote": s.quote, "source": source_ref(kb, s.source)}
        for s in speaker.said
        if s.kind == "argument"
    ]
    figures = [
        {**quantity_ref(kb, ev, s.id), "text": kb.figures[s.id].label, "quote": s.quote}
        for s in speaker.said
        if s.kind == "figure"
    ]
    return _page(
        urls.speaker_path(speaker.slug),
        "speaker.html",
        "speaker",
        speaker.name,
        shared,
        [c["id"] for c in claims],
        speaker=speaker.name,
        claims=claims,
        arguments=arguments,
        figures=figures,
    )


def patterns_page(model: SiteModel, shared: Context) -> Page:
    """Every component once, with sample data, so a change to one is seen everywhere (Datasette)."""
    kb, ev = model.kb, model.build
    sample_claim = model.rows[0] if model.rows else next(iter(kb.claims))
    sample_step = explain_claim_tree(kb, ev, sample_claim, 2)
    # The quote comes from this knowledge base, so the page never shows another debate's words.
    quoted = next((c for _, c in sorted(kb.claims.items()) if c.quote), None)
    return _page(
        urls.PATTERNS,
        "patterns.html",
        "patterns",
        "Patterns",
        shared,
        [sample_claim],
        labels=["holds", "fails", "undecided"],
        sample=claim_ref(kb, ev, sample_claim),
        step=sample_step,
        sample_quote=(
            {"quote": quoted.quote, "speaker": quoted.speaker} if quoted is not None else None
        ),
        quantities=[
            quantity_ref(kb, ev, q) for q in list(kb.figures)[:2] + list(kb.calculators)[:1]
        ],
    )


def sensitivity_page(
    model: SiteModel, shared: Context, tornadoes: dict[str, Tornado], analysis: SiteAnalysis
) -> Page:
    """A tornado chart per claim decided by numbers whose figures have ranges; rows first."""
    kb = model.kb
    order = {cid: i for i, cid in enumerate(model.rows)}
    ids = sorted(tornadoes, key=lambda cid: (order.get(cid, len(order)), cid))
    charts = [
        {
            **tornado_context(kb, tornadoes[cid]),
            "svg_path": urls.tornado_path(cid),
            "anchor": urls.claim_anchor(cid),
            # What flips it: every figure, with or without a range, and every lens option.
            "tipping": tipping_context(model, analysis, cid),
        }
        for cid in ids
        if analysis.charted(kb, cid)
    ]
    unswept = [claim_ref(kb, model.build, cid) for cid in ids if not analysis.charted(kb, cid)]
    return _page(
        urls.SENSITIVITY,
        "sensitivity.html",
        "sensitivity",
        "Sensitivity",
        shared,
        [],
        charts=charts,
        unswept=unswept,
    )


def item_pages(model: SiteModel, shared: Context) -> list[Page]:
    """Every page except the index, the map, the claims (which need diagrams) and the figures
    (which need the analysis: `figure_pages`)."""
    kb = model.kb
    pages = [argument_page(model, shared, a) for a in kb.arguments]
    pages += [calculator_page(model, shared, c) for c in kb.calculators]
    pages += [source_page(model, shared, s) for s in kb.sources]
    pages += [scenario_page(model, shared, s) for s in kb.scenarios]
    pages += [speaker_page(model, shared, s) for s in speakers(kb).values()]
    pages.append(patterns_page(model, shared))
    return pages


def figure_pages(model: SiteModel, shared: Context, analysis: SiteAnalysis) -> list[Page]:
    """Every figure's page, with its chance curves."""
    return [figure_page(model, shared, f, analysis) for f in model.kb.figures]


__all__ = [
    "DiagramSlot",
    "Embed",
    "Page",
    "argument_page",
    "calculator_page",
    "claim_page",
    "figure_page",
    "figure_pages",
    "index_page",
    "item_pages",
    "map_page",
    "patterns_page",
    "scenario_page",
    "sensitivity_page",
    "site_context",
    "source_page",
    "speaker_page",
]
