"""`crux export FORMAT`: write the knowledge base in another tool's format."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from engine.commands.options import (
    claims_dir,
    file_output_option,
    load,
    samples_option,
    scenario_options,
)
from engine.commands.writing import write_text_atomically


@click.group("export")
def command() -> None:
    """Write the knowledge base in another tool's format.

    Each export writes one file (-o FILE) or standard output, and says on standard error what
    the format could not carry. docs/interop.md gives each format's mapping and losses.

    \b
    Examples:
      crux export argdown claims -o map.argdown --scenario baseline
      crux export aif claims -o map.json          (or xaif)
      crux export graphml claims -o map.graphml   (or gexf)
      crux export json claims -o map.json
    """


@command.command("argdown")
@claims_dir
@file_output_option("argdown")
@scenario_options
def argdown(
    claims_dir: Path,
    output: Path | None,
    scenario: str | None,
    sets: tuple[str, ...],
    assumes: tuple[str, ...],
) -> None:
    """Write DIR as Argdown: claims as statements, arguments as premise-conclusion structures and
    relations, each claim's label under the scenario as a #holds/#fails/#undecided tag, and
    everything Argdown has no place for in inline data and the front matter.

    Example: crux export argdown claims -o map.argdown && npx argdown map map.argdown out/
    """
    from engine.evaluation.evaluate import evaluate_scenario
    from engine.interop.argdown_io import export_argdown

    kb = load(claims_dir)
    evaluation = evaluate_scenario(kb, scenario, sets, assumes)
    text = export_argdown(kb, dict(evaluation.claims), evaluation.scenario.name)
    if output is None:
        sys.stdout.write(text)
    else:
        write_text_atomically(output, text)
        click.echo(
            f"wrote {output} ({len(kb.claims)} claims, {len(kb.arguments)} arguments)", err=True
        )


def _write_or_print(output: Path | None, text: str, what: str) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        write_text_atomically(output, text)
        click.echo(f"wrote {output} ({what})", err=True)


@command.command("json")
@claims_dir
@file_output_option("json")
@click.option(
    "--scenario",
    "-s",
    default=None,
    metavar="NAME|FILE.yaml",
    help="The scenario of the tipping points and P(holds).",
)
@samples_option("Monte Carlo samples for P(holds).")
def json_command(claims_dir: Path, output: Path | None, scenario: str | None, samples: int) -> None:
    """Write the whole evaluated map as one versioned JSON document (`"crux_json": 1`): the
    knowledge base, labels and their basis under every scenario and lens, tipping points and
    P(holds). Its JSON Schema is docs/crux-json.schema.json.

    Example: crux export json claims -o map.json
    """
    import json

    from engine.interop.evaluated_json import evaluated_map

    document = evaluated_map(load(claims_dir), scenario, samples)
    _write_or_print(
        output,
        json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n",
        "crux_json 1",
    )


def _graph_command(kind: str) -> click.Command:
    @click.command(kind)
    @claims_dir
    @file_output_option(kind)
    @click.option(
        "--scenario",
        "-s",
        default=None,
        metavar="NAME|FILE.yaml",
        help="The scenario of `label`, `basis` and `p_holds`.",
    )
    @samples_option("Monte Carlo samples for p_holds.")
    def graph_command(
        claims_dir: Path, output: Path | None, scenario: str | None, samples: int
    ) -> None:
        import io

        import networkx as nx

        from engine.analysis.simulate import simulate
        from engine.interop.graph_export import evaluated_graph
        from engine.knowledge.scenario import resolve_scenario

        kb = load(claims_dir)
        result = simulate(kb, resolve_scenario(kb, scenario, (), ()), samples, 1)
        graph = evaluated_graph(kb, scenario, {c: p.p_holds for c, p in result.claims.items()})
        buffer = io.BytesIO()
        (nx.write_graphml if kind == "graphml" else nx.write_gexf)(graph, buffer)
        _write_or_print(
            output,
            buffer.getvalue().decode("utf-8"),
            f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges",
        )

    graph_command.help = (
        f"Write the evaluated map as {kind.upper()} with typed attributes: node kind, text, label per "
        "scenario, basis, p_holds, value and unit; edge role, stance and weight.\n\n"
        f"Example: crux export {kind} claims -o map.{kind}"
    )
    return graph_command


command.add_command(_graph_command("graphml"))
command.add_command(_graph_command("gexf"))


_FORMAT_NAMES = {"aif": "AIF", "xaif": "xAIF"}


def _aif_command(kind: str) -> click.Command:
    @click.command(kind)
    @claims_dir
    @file_output_option("json")
    @scenario_options
    def aif_command(
        claims_dir: Path,
        output: Path | None,
        scenario: str | None,
        sets: tuple[str, ...],
        assumes: tuple[str, ...],
    ) -> None:
        import json

        from engine.evaluation.evaluate import evaluate_scenario
        from engine.interop.crux_to_aif import lost, to_aif

        kb = load(claims_dir)
        evaluation = evaluate_scenario(kb, scenario, sets, assumes)
        document, counts = to_aif(kb, evaluation, xaif=kind == "xaif")
        summary = ", ".join(
            f"{counts[t]} {t}" for t in ("I", "RA", "CA", "PA", "L") if counts.get(t)
        )
        _write_or_print(
            output, json.dumps(document, indent=1, ensure_ascii=False) + "\n", summary or "empty"
        )
        missing = lost(kb)
        if missing:
            click.echo(f"not in {_FORMAT_NAMES[kind]}: {', '.join(missing)}", err=True)

    aif_command.help = (
        f"Write DIR as {_FORMAT_NAMES[kind]} JSON: claims as I-nodes, pro arguments as RA, con arguments and "
        "undercuts as CA (several premises joined by a generated I-node first), weights as PA "
        "where they order the arguments of one claim, speakers as locutions. A claim the numbers "
        "or an assumption decide under the scenario carries its label in a `crux` key, which "
        "`crux import` reads back as an assumption.\n\n"
        f"Example: crux export {kind} claims -o map.json --scenario baseline"
    )
    return aif_command


command.add_command(_aif_command("aif"))
command.add_command(_aif_command("xaif"))
