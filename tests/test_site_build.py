"""`crux build`: atomic, deterministic, careful with folders it did not make, links that resolve."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner

from engine.cli import cli
from engine.errors import CruxError, UsageError
from engine.site import graphviz_render, pages
from engine.site.build import chunk_size
from engine.site.writer import MARKER, MARKER_TEXT, SiteWriter
from tests.conftest import EXAMPLES
from tests.site_helpers import Page, build

LEMONADE = EXAMPLES / "lemonade"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(LEMONADE, tmp_path_factory.mktemp("built") / "site")


def test_two_builds_are_byte_identical(site: Path, tmp_path: Path) -> None:
    again = build(LEMONADE, tmp_path / "again")
    first, second = snapshot(site), snapshot(again)
    assert sorted(first) == sorted(second)
    different = [name for name in first if first[name] != second[name]]
    assert different == []
    assert any(name.endswith(".png") for name in first) and any(
        name.endswith(".svg") for name in first
    )


def test_bad_claims_leave_the_previous_site_untouched(lemonade_copy: Path, tmp_path: Path) -> None:
    target = build(lemonade_copy, tmp_path / "site")
    before = snapshot(target)
    (lemonade_copy / "model.yaml").write_text("claims:\n  broken: [\n", encoding="utf-8")
    with pytest.raises(CruxError):
        build(lemonade_copy, target)
    assert snapshot(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["claims", "site"]  # no half-built folder


def test_a_crash_midway_leaves_the_previous_site_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = build(LEMONADE, tmp_path / "site")
    before = snapshot(target)

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(pages, "claim_page", explode)
    with pytest.raises(RuntimeError, match="boom"):
        build(LEMONADE, target)
    assert snapshot(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_refuses_a_non_empty_folder_crux_did_not_make(tmp_path: Path) -> None:
    target = tmp_path / "notes"
    target.mkdir()
    (target / "thesis.md").write_text("precious", encoding="utf-8")
    with pytest.raises(UsageError, match="not built by crux"):
        build(LEMONADE, target)
    assert (target / "thesis.md").read_text(encoding="utf-8") == "precious"
    result = CliRunner().invoke(cli, ["build", str(LEMONADE), "-o", str(target)])
    assert result.exit_code == 2
    assert "refusing to replace it" in result.output


def test_empty_folder_and_previous_site_are_fine(tmp_path: Path) -> None:
    target = tmp_path / "site"
    target.mkdir()
    build(LEMONADE, target)
    assert (target / MARKER).is_file()
    build(LEMONADE, target)  # replaces its own output
    assert (target / "index.html").is_file()


def test_cli_build_reports_and_uses_the_default_scenario(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["build", str(LEMONADE), "-o", str(tmp_path / "out"), "--scenario", "washout"]
    )
    assert result.exit_code == 0, result.output
    assert "pages" in result.output
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "Scenario" in index and "washout" in index


LINK = re.compile(r'(?:href|src|xlink:href)="([^"]*)"')


def _targets(file: Path) -> list[str]:
    text = file.read_text(encoding="utf-8")
    if file.suffix == ".html":
        page = Page(text)
        found = []
        for element in page.elements:
            for attribute in ("href", "src", "xlink:href"):
                if attribute in element.attrs:
                    found.append(element.attrs[attribute])
        return found
    return LINK.findall(text)


def test_every_internal_link_and_asset_resolves(site: Path) -> None:
    broken = []
    ids: dict[Path, set[str]] = {}
    for file in sorted(site.rglob("*")):
        if file.suffix not in (".html", ".svg", ".css"):
            continue
        for link in _targets(file):
            parts = urlsplit(link)
            if parts.scheme in ("http", "https", "mailto"):
                continue
            assert parts.scheme == "", f"{file}: unexpected link {link}"
            target = (file.parent / unquote(parts.path)).resolve() if parts.path else file
            if not target.is_file():
                broken.append(f"{file.relative_to(site)} -> {link}")
                continue
            if parts.fragment and target.suffix == ".html":
                if target not in ids:
                    ids[target] = {
                        e.attrs["id"]
                        for e in Page(target.read_text("utf-8")).elements
                        if "id" in e.attrs
                    }
                if parts.fragment not in ids[target]:
                    broken.append(f"{file.relative_to(site)} -> {link} (no such anchor)")
    assert broken == []


def test_no_local_paths_and_no_external_assets(site: Path) -> None:
    for file in sorted(site.rglob("*")):
        if not file.is_file() or file.suffix == ".png":
            continue
        text = file.read_text(encoding="utf-8")
        assert (
            str(site.parent) not in text and str(Path.cwd()) not in text and "file:///" not in text
        ), file
        if file.suffix in (".css", ".js"):
            assert not re.search(r"https?://", text), f"{file} refers to the network"
        if file.suffix == ".svg":
            assert not re.search(r'(?:href|src)="https?://', text)
            assert "<script" not in text
    for file in site.rglob("*.html"):
        page = Page(file.read_text(encoding="utf-8"))
        for element in page.find("script") + page.find("link") + page.find("img"):
            source = element.attrs.get("src") or element.attrs.get("href") or ""
            assert not urlsplit(source).scheme, f"{file}: external asset {source}"


def test_standalone_diagrams_exist_with_stable_names(site: Path) -> None:
    for name in ("map", "stand_is_thriving", "rain_all_month"):
        svg = (site / "diagrams" / f"{name}.svg").read_text(encoding="utf-8")
        assert svg.startswith("<?xml") and 'id="node&#45;' in svg
        assert (site / "diagrams" / f"{name}.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert 'xlink:href="../claims/stand_is_thriving.html"' in (
        site / "diagrams" / "map.svg"
    ).read_text("utf-8")


def test_static_files_are_copied(site: Path) -> None:
    assert (site / "static" / "crux.css").is_file() and (site / "static" / "site.js").is_file()


def test_source_date_epoch_is_the_only_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    target = build(LEMONADE, tmp_path / "dated")
    assert "Built on 2026-01-01" in (target / "index.html").read_text(encoding="utf-8")


def test_unchanged_files_are_linked_from_the_previous_site_and_changed_ones_written(
    tmp_path: Path,
) -> None:
    target = tmp_path / "site"
    with SiteWriter(target) as writer:
        writer.write_text("same.html", "unchanged")
        writer.write_text("edited.html", "before")
        writer.write_text("grown.html", "short")
    old_same = target / "same.html"
    old_inode = os.stat(old_same).st_ino
    with SiteWriter(target) as writer:
        writer.write_text("same.html", "unchanged")
        writer.write_text("edited.html", "after!")  # same size, other bytes
        writer.write_text("grown.html", "much longer")
        writer.write_text("new.html", "new")
        staged = writer.folder
        assert os.path.samefile(staged / "same.html", old_same)
        assert not os.path.samefile(staged / "edited.html", target / "edited.html")
        assert writer.reused == 1
    assert os.stat(target / "same.html").st_ino == old_inode
    assert snapshot(target) == {
        MARKER: MARKER_TEXT.encode(),
        "edited.html": b"after!",
        "grown.html": b"much longer",
        "new.html": b"new",
        "same.html": b"unchanged",
    }


def test_a_previous_file_that_is_a_symlink_is_never_linked(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("secret", encoding="utf-8")
    target = tmp_path / "site"
    with SiteWriter(target) as writer:
        writer.write_text("page.html", "secret")
    (target / "page.html").unlink()
    (target / "page.html").symlink_to(outside)
    with SiteWriter(target) as writer:
        writer.write_text("page.html", "secret")
        assert writer.reused == 0
    assert not (target / "page.html").is_symlink()


def test_a_failed_rebuild_leaves_linked_files_unchanged(tmp_path: Path) -> None:
    target = tmp_path / "site"
    with SiteWriter(target) as writer:
        writer.write_text("page.html", "kept")
    before = snapshot(target)
    with pytest.raises(RuntimeError), SiteWriter(target) as writer:
        writer.write_text("page.html", "kept")
        raise RuntimeError("template error halfway")
    assert snapshot(target) == before
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_a_rebuild_with_every_diagram_cached_never_starts_graphviz(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRUX_CACHE_DIR", str(tmp_path / "cache"))
    first = snapshot(build(LEMONADE, tmp_path / "first"))

    def no_graphviz(*args: object) -> None:
        raise AssertionError("Graphviz was started although every render was cached")

    monkeypatch.setattr(graphviz_render, "WasmDot", no_graphviz)
    monkeypatch.setattr(graphviz_render, "SystemDot", no_graphviz)
    assert snapshot(build(LEMONADE, tmp_path / "second")) == first


@pytest.mark.parametrize(
    ("claims", "workers", "expected"), [(54, 2, 7), (10_000, 2, 25), (3, 2, 1), (0, 2, 1)]
)
def test_claims_are_shared_out_in_chunks_both_workers_can_finish_together(
    claims: int, workers: int, expected: int
) -> None:
    assert chunk_size(claims, workers) == expected


def test_a_build_works_without_a_writable_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The analysis is handed to the workers through a temporary file when it can be."""
    import tempfile

    def no_temporary_files(*args: object, **kwargs: object) -> None:
        raise PermissionError("read-only temporary folder")

    expected = snapshot(build(LEMONADE, tmp_path / "normal"))
    monkeypatch.setattr(tempfile, "mkstemp", no_temporary_files)
    site = tmp_path / "site"
    site.mkdir()  # SiteWriter's own folder comes from mkdtemp, which still works
    assert snapshot(build(LEMONADE, site, jobs=2)) == expected


def test_the_analysis_reaches_workers_through_a_file_or_inline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pickle
    import tempfile

    from engine.site.build import SharedAnalysis

    analysis: Any = {"stands in for": "a SiteAnalysis"}
    handed = SharedAnalysis(analysis)
    assert handed.path and pickle.loads(pickle.dumps(handed)).inline is None  # only the path
    SharedAnalysis._loaded.clear()  # as in a worker: read from the file
    assert pickle.loads(pickle.dumps(handed)).get() == analysis
    handed.remove()
    assert not Path(handed.path).exists()

    def no_temporary_files(*args: object, **kwargs: object) -> None:
        raise PermissionError("read-only temporary folder")

    monkeypatch.setattr(tempfile, "mkstemp", no_temporary_files)
    inline = SharedAnalysis(analysis)
    assert pickle.loads(pickle.dumps(inline)).get() == analysis


def _plan_lemonade() -> Any:
    """The whole site of the lemonade example planned at once (`plan_site`), as the build would."""
    from engine.knowledge.loader import load_knowledge_base
    from engine.site.analysis import column_chances, site_analysis
    from engine.site.model import site_model
    from engine.site.render import templates_dir
    from engine.site.site_plan import plan_site

    model = site_model(load_knowledge_base(LEMONADE), None, (), ())
    shared = pages.site_context(model)
    analysis, tornadoes = site_analysis(model)
    chances = column_chances(model)
    static = templates_dir() / "static"
    return plan_site(model, shared, analysis, tornadoes, chances, depth=2, static=static)


def test_the_plan_describes_every_file_and_touches_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("CRUX_CACHE_DIR", str(cache))
    target = build(LEMONADE, tmp_path / "site")
    site_before, cache_before = snapshot(target), snapshot(cache)

    def no_writing(*args: object, **kwargs: object) -> None:
        raise AssertionError("the plan step wrote a file")

    for method in ("__init__", "write_bytes", "write_text", "copy_tree", "commit"):
        monkeypatch.setattr(SiteWriter, method, no_writing)
    monkeypatch.setattr(graphviz_render, "WasmDot", no_writing)
    monkeypatch.setattr(graphviz_render, "SystemDot", no_writing)
    plan = _plan_lemonade()

    assert snapshot(target) == site_before
    assert snapshot(cache) == cache_before  # no render, no analysis written again
    planned = {page.path for page in plan.pages} | {file.path for file in plan.files}
    for diagram in plan.diagrams:
        planned |= {diagram.svg_path, diagram.png_path}
    planned |= {plan.map.svg_path, plan.map.png_path}
    copied = {name for name in site_before if name.startswith("static/")} - {"static/model.js"}
    assert planned == set(site_before) - copied - {MARKER}
    assert plan.static is not None and {"crux.css", "site.js"} <= {
        p.name for p in plan.static.iterdir()
    }
    assert all(page.diagram is not None for page in plan.pages if page.template == "claim.html")


def test_emitting_the_whole_plan_gives_the_site_the_build_writes(tmp_path: Path) -> None:
    """The build plans and emits in parts over its workers; the parts make the same site."""
    from engine.site.emit import Emitter
    from engine.site.render import make_environment

    built = snapshot(build(LEMONADE, tmp_path / "built"))
    with SiteWriter(tmp_path / "emitted") as writer:
        Emitter(writer, make_environment()).emit(_plan_lemonade())
    assert snapshot(tmp_path / "emitted") == built


def test_a_failure_while_emitting_leaves_the_previous_site_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine.site import emit

    target = build(LEMONADE, tmp_path / "site")
    before = snapshot(target)

    def graphviz_fails(*args: object, **kwargs: object) -> None:
        raise graphviz_render.RenderFailure("Graphviz crashed")

    monkeypatch.setattr(emit, "render_all", graphviz_fails)
    with pytest.raises(graphviz_render.RenderFailure):
        build(LEMONADE, target)
    assert snapshot(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_build_in_worker_processes_equals_one_in_this_process(
    shipped_site_once: Path, tmp_path: Path
) -> None:
    """The shipped debate (more claims than `PARALLEL_FROM`) built by two workers, byte for
    byte the build made without a pool."""
    from tests.conftest import REPO

    pooled = snapshot(build(REPO / "claims", tmp_path / "pooled", jobs=2))
    alone = snapshot(shipped_site_once)
    assert sorted(pooled) == sorted(alone)
    assert [name for name in pooled if pooled[name] != alone[name]] == []
