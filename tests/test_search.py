"""Search and pre-rendered HTML: placeholders in the page files, HTML back in the built pages, a
search index of names, ids, headings and prose (never table cells or chart specs); and the MkDocs
plugin's other duty, the theme's templates compiled once per process."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from generator.errors import BuildError
from generator.publish.mkdocs_build import mkdocs_build, salesperf_plugin
from generator.publish.plugin import LUNR_KEY_FIX, lead, summary_only
from generator.site.fragments import (
    TRAILER,
    html_block,
    pack,
    placeholder,
    plain,
    substitute,
    unpack,
)
from generator.site.render import render
from generator.site.search_ids import id_map
from generator.site.tables import Column, frame_table

TABLE = (
    '<table>\n<tbody>\n<tr><td>REP&#45;9</td><td class="sp-num">1,234</td></tr>\n</tbody>\n</table>'
)
NOTE_TABLE = "<table><tr><td>*not emphasis*</td></tr></table>"
CHART = '<div class="sp-chart" data-spec="c1"></div>\n<script type="application/json" id="c1">{"a":"x\\u003c/y"}</script>'


# --- the page files: placeholders and the blocks after a trailer ---------------------------------


def test_pack_replaces_each_block_by_a_placeholder_and_appends_the_blocks() -> None:
    page = f"# Ann\n\nProse.\n\n{html_block(TABLE)}\n\n## Chart\n\n{html_block(CHART)}\n"
    packed = pack(page)
    markdown, blocks = unpack(packed)
    assert markdown == f"# Ann\n\nProse.\n\n{placeholder(0)}\n\n## Chart\n\n{placeholder(1)}\n"
    assert blocks == [TABLE, CHART]
    assert "1,234" not in markdown and "sp-chart" not in markdown  # Markdown never sees them
    assert packed.startswith(markdown + TRAILER) and packed.endswith("\n-->\n")
    # the blocks' own "<" and ">" are escaped in the file, so no "-->" can end the comment early
    assert "<tr>" not in packed.partition(TRAILER)[2]


def test_pack_leaves_a_page_without_blocks_untouched() -> None:
    page = "# Methodology\n\n<p>inline HTML written by a template stays</p>\n"
    assert pack(page) == page
    assert unpack(page) == (page, [])


def test_a_block_that_looks_like_the_end_of_a_comment_survives() -> None:
    block = "<p>a --> b <!-- c --></p>"
    markdown, blocks = unpack(pack(f"x\n\n{html_block(block)}\n"))
    assert blocks == [block]
    assert substitute(markdown, blocks) == f"x\n\n{block}\n"


def test_a_block_inside_a_block_is_one_block() -> None:
    inner = html_block("<td>1</td>")
    outer = html_block(f"<table><tr>{inner}</tr></table>")
    assert unpack(pack(outer))[1] == ["<table><tr><td>1</td></tr></table>"]
    assert plain(outer) == "<table><tr><td>1</td></tr></table>"


def test_render_packs_tables_built_by_the_site_stage() -> None:
    table = frame_table(
        pd.DataFrame({"rep_id": ["REP-9"]}), [Column("rep_id", "Rep id")], "data/x.csv"
    )
    markdown, blocks = unpack(
        render("membership_note.md.j2", page=SimpleNamespace(membership_note=table))
    )
    assert markdown == f'\n!!! info "Team membership"\n    {placeholder(0)}\n'
    assert "<td>REP&#45;9</td>" in blocks[0] and 'href="data/x.csv"' in blocks[0]


def test_substitute_puts_each_block_back_in_its_place() -> None:
    html = f"<h1>Ann</h1>\n{placeholder(1)}\n<p>between</p>\n{placeholder(0)}"
    assert (
        substitute(html, ["<b>zero</b>", "<i>one</i>"])
        == "<h1>Ann</h1>\n<i>one</i>\n<p>between</p>\n<b>zero</b>"
    )
    assert substitute("<p>no blocks</p>", []) == "<p>no blocks</p>"


def test_a_placeholder_without_its_block_is_an_error() -> None:
    with pytest.raises(
        BuildError,
        match=r"reps/a\.md: placeholder <!--sp-html:2--> has no HTML block \(the page has 1\)",
    ):
        substitute(f"{placeholder(0)}{placeholder(2)}", ["<b>0</b>"], "reps/a.md")


def test_a_block_whose_placeholder_was_lost_is_an_error() -> None:
    with pytest.raises(BuildError, match=r"HTML block\(s\) 1 lost their placeholder"):
        substitute(placeholder(0), ["<b>0</b>", "<b>1</b>"])


def test_a_cut_short_trailer_is_an_error() -> None:
    packed = pack(f"x\n{html_block(TABLE)}\n")
    with pytest.raises(BuildError, match="cut short"):
        unpack(packed[: -len("-->\n")])


# --- the plugin, event by event ------------------------------------------------------------------


def _page(src_uri: str) -> tuple[Page, MkDocsConfig]:
    config = MkDocsConfig()
    config.load_dict({"site_name": "t", "docs_dir": "/tmp/docs", "site_dir": "/tmp/site"})
    file = File(src_uri, "/tmp/docs", "/tmp/site", use_directory_urls=True)
    return Page(None, file, config), config


def test_plugin_substitutes_the_blocks_after_markdown() -> None:
    plugin = salesperf_plugin()
    page, config = _page("reps/ann.md")
    source = pack(f"# Ann\n\n{html_block(TABLE)}\n")
    markdown = plugin.on_page_markdown(source, page=page, config=config, files=Files([]))
    assert markdown == f"# Ann\n\n{placeholder(0)}\n"
    out = plugin.on_post_page(
        f"<html><h1>Ann</h1>\n{placeholder(0)}\n</html>", page=page, config=config
    )
    assert out == f"<html><h1>Ann</h1>\n{TABLE}\n</html>"


def test_plugin_leaves_a_page_without_blocks_untouched() -> None:
    plugin = salesperf_plugin()
    page, config = _page("methodology.md")
    assert (
        plugin.on_page_markdown("# M\n\ntext\n", page=page, config=config, files=Files([]))
        == "# M\n\ntext\n"
    )
    assert plugin.on_post_page("<p>text</p>", page=page, config=config) == "<p>text</p>"


def test_plugin_fails_on_a_missing_placeholder_key() -> None:
    plugin = salesperf_plugin()
    page, config = _page("reps/ann.md")
    plugin.on_page_markdown(
        pack(f"{html_block(TABLE)}\n"), page=page, config=config, files=Files([])
    )
    with pytest.raises(
        PluginError, match=r"reps/ann\.md: placeholder <!--sp-html:1--> has no HTML block"
    ):
        plugin.on_post_page(f"{placeholder(0)}{placeholder(1)}", page=page, config=config)


def test_entity_pages_are_indexed_by_title_and_first_paragraph() -> None:
    folders = ["reps", "teams"]
    assert summary_only("reps/rep-1-abc.md", folders) and summary_only("teams/x.md", folders)
    assert not summary_only("reps/index.md", folders) and not summary_only(
        "methodology.md", folders
    )
    content = (
        '<h1 id="ann">Ann</h1>\n<p><strong>Rep id:</strong> REP-1 · Team: East</p>\n<p>A note every rep '
        'page repeats.</p>\n<h2 id="revenue">Revenue</h2>\n<p>more</p>'
    )
    assert (
        lead(content) == '<h1 id="ann">Ann</h1>\n<p><strong>Rep id:</strong> REP-1 · Team: East</p>'
    )
    assert lead('<h1>T</h1>\n<h2 id="a">A</h2><p>x</p>') == "<h1>T</h1>\n"


def test_plugin_indexes_the_lead_and_renders_the_whole_page() -> None:
    plugin = salesperf_plugin()
    page, config = _page("reps/ann.md")
    whole = '<h1>Ann</h1>\n<p>REP-1</p>\n<h2 id="r">Revenue</h2>'
    page.content = whole
    before, after = plugin.on_page_context.methods  # type: ignore[attr-defined]
    before({}, page=page, config=config, nav=None)
    assert page.content == "<h1>Ann</h1>\n<p>REP-1</p>"  # what the search plugin indexes
    after({}, page=page, config=config, nav=None)
    assert page.content == whole  # what the theme renders
    page.content = '<h1>Ann</h1>\n<div data-search-exclude="true">x</div>'
    before({}, page=page, config=config, nav=None)
    after({}, page=page, config=config, nav=None)
    # as the search plugin leaves a page it indexed
    assert page.content == "<h1>Ann</h1>\n<div>x</div>"


def test_plugin_appends_the_lunr_key_fix_to_the_search_worker_once() -> None:
    plugin = salesperf_plugin()
    worker = File(
        "assets/javascripts/workers/search.0123abcd.min.js",
        None,
        "/tmp/site",
        use_directory_urls=True,
    )
    worker.content_string = "self.lunr=lunr;"
    other = File(
        "assets/javascripts/bundle.0123abcd.min.js", None, "/tmp/site", use_directory_urls=True
    )
    other.content_string = "bundle"
    files = Files([worker, other])
    plugin.on_files(files, config=MkDocsConfig())
    plugin.on_files(files, config=MkDocsConfig())
    assert worker.content_string == "self.lunr=lunr;" + LUNR_KEY_FIX
    assert other.content_string == "bundle"


# --- the plugin inside a real MkDocs build -------------------------------------------------------


def test_a_real_build_shows_the_blocks_and_indexes_only_prose(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "reps").mkdir(parents=True)
    (docs / "index.md").write_text(
        pack(
            f"# Overview\n\nRevenue grew.\n\n{html_block(TABLE)}\n\n## Charts\n\n"
            f"Monthly revenue.\n\n{html_block(CHART)}\n\n"
            f'!!! note "In a note"\n    {html_block(NOTE_TABLE)}\n'
        ),
        encoding="utf-8",
    )
    (docs / "reps" / "index.md").write_text("# Reps\n\nEvery rep.\n", encoding="utf-8")
    (docs / "reps" / "ann.md").write_text(
        pack(
            f'---\ntitle: "Ann Archer"\ntags: ["REP-9"]\n---\n\n# Ann Archer\n\n'
            f"Rep id: REP-9 · Team: East\n\nA note.\n\n## Revenue\n\n"
            f"{html_block(TABLE)}\n"
        ),
        encoding="utf-8",
    )
    site = tmp_path / "site"
    mkdocs_build(
        docs,
        site,
        site_name="T",
        site_url=None,
        nav=[{"Overview": "index.md"}, {"Reps": "reps/index.md"}],
    )
    overview = (site / "index.html").read_text(encoding="utf-8")
    assert TABLE in overview and CHART in overview and "sp-html" not in overview
    # a block, not in a <p>
    assert f'<p class="admonition-title">In a note</p>\n{NOTE_TABLE}\n</div>' in overview
    rep = (site / "reps" / "ann" / "index.html").read_text(encoding="utf-8")
    # tags are not shown
    assert TABLE in rep and '<h2 id="revenue">' in rep and "REP-9</span>" not in rep
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    docs_by_location = {doc["location"]: doc for doc in index["docs"]}
    text = json.dumps(index["docs"])
    # no cell, no spec
    assert "1,234" not in text and "sp-chart" not in text and "\\u003c/y" not in text
    assert docs_by_location[""]["text"] == "<p>Revenue grew.</p>"
    assert (
        # prose, no cell
        docs_by_location["#charts"]["text"] == "<p>Monthly revenue.</p> <p>In a note</p>"
    )
    assert docs_by_location["reps/ann/"] == {
        "location": "reps/ann/",
        "title": "Ann Archer",
        "text": "<p>Rep id: REP-9 · Team: East</p>",
        "tags": ["REP-9"],
    }
    assert not any(
        # no sections
        location.startswith("reps/ann/#")
        for location in docs_by_location
    )
    worker = next((site / "assets" / "javascripts" / "workers").glob("search.*.min.js"))
    assert worker.read_text(encoding="utf-8").endswith(LUNR_KEY_FIX)


def test_a_lost_placeholder_fails_the_build(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    # The block's placeholder was edited away: the table would silently vanish from the page.
    packed = pack(f"# Overview\n\n{html_block(TABLE)}\n").replace(placeholder(0), "")
    (docs / "index.md").write_text(packed, encoding="utf-8")
    with pytest.raises(BuildError, match=r"index\.md: HTML block\(s\) 0 lost their placeholder"):
        mkdocs_build(
            docs, tmp_path / "site", site_name="T", site_url=None, nav=[{"Overview": "index.md"}]
        )


# --- the id map ----------------------------------------------------------------------------------


def test_id_map_points_each_rep_id_at_its_page() -> None:
    reps = pd.DataFrame(
        {
            "rep_id": ["REP-001", "a", "A", "Z"],
            "slug": ["rep-001-x", "a-1", "a-2", "z-3"],
            "name": ["Kenji Tanaka", "Ann", "Al", None],
        }
    )
    assert json.loads(id_map(reps)) == {
        "a": [["a", "reps/a-1/", "Ann"], ["A", "reps/a-2/", "Al"]],
        "rep-001": [["REP-001", "reps/rep-001-x/", "Kenji Tanaka"]],
        "z": [["Z", "reps/z-3/", "Z"]],
    }


# --- the theme's compiled templates --------------------------------------------------------------


def test_the_theme_is_compiled_once_per_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Jinja compiles Material's templates (~0.1 s a build): once per process, so that
    ``salesperf serve``'s rebuilds skip it, and the pages are the same byte for byte."""
    import jinja2

    from generator.publish.plugin import TemplateCache

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Overview\n\nRevenue grew.\n", encoding="utf-8")
    compiled: list[str | None] = []
    real = jinja2.Environment.compile

    def counted(self: jinja2.Environment, source: str, name: str | None = None, *a, **k):  # type: ignore[no-untyped-def]
        compiled.append(name)
        return real(self, source, name, *a, **k)

    monkeypatch.setattr(jinja2.Environment, "compile", counted)
    monkeypatch.setattr(TemplateCache, "compiled", {})  # a new process: nothing kept yet

    def theme() -> list[str | None]:
        """Compiled by the build's environment: not the language partials that Material's search
        plugin compiles in an environment of its own (``on_config``, before ``on_env``)."""
        return [name for name in compiled if not (name or "").startswith("partials/language")]

    def build_once(site: str) -> bytes:
        compiled.clear()
        mkdocs_build(
            docs, tmp_path / site, site_name="T", site_url=None, nav=[{"Overview": "index.md"}]
        )
        return (tmp_path / site / "index.html").read_bytes()

    first = build_once("one")
    assert "main.html" in theme() and len(TemplateCache.compiled) == len(set(compiled))
    assert build_once("two") == first and theme() == []


def test_a_kept_template_is_compiled_again_when_its_source_or_its_environment_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Jinja checks the source's checksum before it uses a kept template, and the key holds the
    environment's setup: an override edited while ``salesperf serve`` runs, or a filter that now
    takes the context (compiled into the calling code), is compiled again, not reused wrongly."""
    import jinja2

    from generator.publish.plugin import TemplateCache

    monkeypatch.setattr(TemplateCache, "compiled", {})
    sources = {"page.html": "Revenue {{ amount | money }}"}

    def render(money: object) -> str:
        env = jinja2.Environment(loader=jinja2.DictLoader(sources))
        env.filters["money"] = money
        env.bytecode_cache = TemplateCache(env)
        return env.get_template("page.html").render(amount=5)

    def plain(value: int) -> str:
        return f"${value}"

    @jinja2.pass_context
    def with_context(context: jinja2.runtime.Context, value: int) -> str:
        return f"USD {value}"

    assert render(plain) == "Revenue $5" and len(TemplateCache.compiled) == 1
    kept = dict(TemplateCache.compiled)
    assert render(plain) == "Revenue $5" and TemplateCache.compiled == kept  # reused
    assert render(with_context) == "Revenue USD 5" and len(TemplateCache.compiled) == 2
    sources["page.html"] = "Income {{ amount | money }}"
    (key,) = kept
    assert render(plain) == "Income $5" and len(TemplateCache.compiled) == 2
    assert TemplateCache.compiled[key] != kept[key]  # compiled again, kept in its place


def test_the_compile_setup_tells_apart_what_changes_the_compiled_code() -> None:
    """``finalize``, async, a sandbox and a plain filter replaced by another (run on constants while
    compiling) each change Jinja's compiled code, so each gives another key; a like environment
    gives the same one, so a rebuild reuses its templates."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    from generator.publish.plugin import compile_setup

    def dollars(value: int) -> str:
        return f"${value}"

    def pounds(value: int) -> str:
        return f"£{value}"

    def with_money(money: object, **options: Any) -> jinja2.Environment:
        env = jinja2.Environment(**options)
        env.filters["money"] = money
        return env

    setups = [
        compile_setup(env)
        for env in (
            with_money(dollars),
            with_money(pounds),
            with_money(dollars, finalize=lambda value: "" if value is None else value),
            with_money(dollars, enable_async=True),
            SandboxedEnvironment(),
        )
    ]
    assert len(set(setups)) == len(setups)
    assert compile_setup(with_money(dollars)) == setups[0]
