"""Entity pages' sections made HTML before MkDocs: the same site, byte for byte, as when MkDocs
converts each page whole, with each distinct section converted once."""

from __future__ import annotations

import filecmp
import json
from pathlib import Path
from typing import Any

import pytest

from generator.build import build
from generator.errors import BuildError
from generator.publish.mkdocs_build import mkdocs_build
from generator.site import prerender as prerendering
from generator.site import render as rendering
from generator.site.fragments import (
    OPEN,
    html_block,
    pack,
    page_file,
    split_blocks,
    split_toc,
    unpack,
)
from generator.site.prerender import paragraph, prerender


def early(page: str) -> tuple[str, list[str], list[dict[str, Any]] | None]:
    """``page`` (marked blocks) with its sections made HTML, if it can be."""
    return prerender(*split_blocks(page))


TABLE = '<div class="sp-table">\n<table><tr><td>REP&#45;9</td><td>1,234</td></tr></table>\n</div>'
CHART = '<div class="sp-chart" data-spec="c1"></div>\n<script type="application/json" id="c1">{}</script>'
MENU = '<details class="sp-downloads"><summary>Download data</summary>\n<ul><li>x.csv</li></ul>\n</details>'


def rep_page(name: str, clients: int) -> str:
    """A rep page as the templates render it: front matter, title, lead, then sections with prose,
    notes, lists, blocks, a sentence with a figure, an empty section and a sub-heading."""
    sentence = paragraph(
        f"{clients} client(s) whose first won deal was this rep's.", html_block(TABLE)
    )
    return (
        f'---\ntitle: "{name}"\n---\n\n# {name}\n\n'
        f"<strong>Rep id:</strong> REP&#45;{clients} · <strong>Team:</strong> "
        f'<a href="../../teams/t/">Team &amp; Co</a> · all [reps](../index.md)\n\n'
        f"{html_block(MENU)}\n\n"
        "## 2025 at a glance\n\n"
        f"{html_block(TABLE)}\n\n"
        '!!! note "Not ranked"\n    Not ranked: a *former* rep, see <a href="../../goals/">goals</a>.\n\n'
        "## Revenue\n\n"
        f"{html_block(CHART)}\n\n{html_block(TABLE)}\n\n"
        "Each year's ratio uses the lifetime value of clients acquired up to that year,\n"
        "as of its end.\n\n"
        "## Clients acquired\n\n"
        f"{sentence}\n\n"
        "## Goals\n\n"
        "## History\n\n"
        "- one\n- two\n\n"
        "### By quarter\n\n"
        f"Every quarter <em>from</em> the first deal.\n\n{html_block(CHART)}\n\n"
        "## Last\n\n   \n"
    )


def write_docs(docs: Path, pages: dict[str, str]) -> None:
    for path, text in {"index.md": "# Overview\n\nAll reps.\n", **pages}.items():
        (docs / path).parent.mkdir(parents=True, exist_ok=True)
        (docs / path).write_text(text, encoding="utf-8")


def build_docs(tmp_path: Path, name: str, pages: dict[str, str]) -> Path:
    docs, site = tmp_path / f"{name}-docs", tmp_path / f"{name}-site"
    write_docs(docs, pages)
    mkdocs_build(docs, site, site_name="T", site_url=None, nav=[{"Overview": "index.md"}])
    return site


def same_files(one: Path, two: Path) -> list[str]:
    """Paths under ``one`` whose bytes differ in ``two`` (or are missing there), and the reverse."""
    names = {p.relative_to(one) for p in one.rglob("*") if p.is_file()}
    names |= {p.relative_to(two) for p in two.rglob("*") if p.is_file()}
    return sorted(
        str(n)
        for n in names
        if not ((one / n).exists() and (two / n).exists())
        or not filecmp.cmp(one / n, two / n, shallow=False)
    )


def test_a_prerendered_page_builds_to_the_bytes_markdown_gives_toc_and_search_included(
    tmp_path: Path,
) -> None:
    pages = {
        f"reps/{slug}.md": rep_page(name, n)
        for slug, name, n in [
            ("ann", "Ann Lee", 38),
            ("bo", "Bo Ek", 2),
            ("revenue-1", "Revenue 2", 5),
        ]
    }
    made = {path: early(page) for path, page in pages.items()}
    assert all(toc is not None for _text, _blocks, toc in made.values())
    tokens = made["reps/ann.md"][2]
    assert [t["id"] for t in tokens] == [
        "2025-at-a-glance",
        "revenue",
        "clients-acquired",
        "goals",
        "history",
        "last",
    ]
    assert tokens[-2]["children"][0]["id"] == "by-quarter"
    plain = build_docs(tmp_path, "plain", {p: pack(page) for p, page in pages.items()})
    html = build_docs(tmp_path, "early", {p: page_file(*made[p]) for p in pages})
    assert same_files(plain, html) == []
    ann = (html / "reps" / "ann" / "index.html").read_text(encoding="utf-8")
    # the table of contents lists the sections, nested as in the page
    assert 'href="#clients-acquired"' in ann and 'href="#by-quarter"' in ann
    assert "<em>former</em>" in ann and "<li>one</li>" in ann and "sp-html" not in ann
    index = json.loads((html / "search" / "search_index.json").read_text(encoding="utf-8"))
    entry = next(d for d in index["docs"] if d["location"] == "reps/ann/")
    assert "REP&#45;38" in entry["text"] or "REP-38" in entry["text"]
    assert "lifetime value" not in json.dumps(index)  # sections are not indexed, as before


def test_each_distinct_section_is_converted_once_however_many_pages_hold_it() -> None:
    prerendering._section.cache_clear()
    for n in range(40):
        early(rep_page(f"Rep {n}", n))
    # one conversion per distinct non-empty section (five: "Goals" is empty), not 200: the sentence
    # with a figure is a block of its own, so its section reads the same on every page
    assert prerendering._section.cache_info().misses == 5


@pytest.mark.parametrize(
    "change",
    [
        ("## Revenue\n", "## Revenue\n\nSee [trends](../../trends/).\n"),  # MkDocs rewrites links
        ("## Revenue\n", "## Revenue\n\nA note {: .wide }\n"),  # attribute lists share the ids
        ("## Goals\n", '## Goals\n\n=== "2025"\n\n    Tab\n'),  # tabs are numbered per page
        ("## Goals\n", "## Goals\n\n# Another title\n"),  # a second title
        ("## Goals\n", "## Goals\n\n```\ncode\n```\n"),  # fenced code
        ("## Goals\n", "## Goals\n\nSetext\n------\n"),  # a heading Markdown finds another way
        ("## Goals\n", "## Goals\n\n!!! note\n    # hidden heading\n"),  # a heading in a note
        ("## Goals\n", "## Goals\n\n> ## Quoted\n"),  # a heading in a quote
        ("## Goals\n", "## Goals\n\n- ## In a list\n"),  # a heading in a list
        ("## Goals\n", "## Goals\n\n#1 rep in the region.\n"),  # "#1": a title to Markdown
        ("## 2025 at a glance\n", "#1 rep of the region.\n\n## 2025 at a glance\n"),  # in the lead
        ("## Goals\n", "## Goals\n\n[TOC]\n"),  # the page's table of contents, not the section's
        # an HTML block opened in the lead runs on past the first section's heading
        ("## 2025 at a glance\n", '<div class="x">\n\n## 2025 at a glance\n\n</div>\n'),
        ("# Ann Lee\n", "# Revenue\n"),  # the title's anchor would push a section's to revenue_1
        ("# Ann Lee\n", "# 2025 at a glance!\n"),
    ],
)
def test_a_page_that_could_read_differently_in_pieces_is_left_to_mkdocs_whole(
    change: tuple[str, str],
) -> None:
    text, blocks = split_blocks(rep_page("Ann Lee", 3).replace(*change))
    assert prerender(text, blocks) == (text, blocks, None)


def test_a_page_without_sections_or_title_is_left_as_it_is() -> None:
    for page in ["# Ann\n\nJust a lead.\n", "## Only a section\n\nText.\n", "No title.\n"]:
        assert prerender(page, []) == (page, [], None)


def test_a_paragraph_with_its_next_block_is_the_html_markdown_would_give() -> None:
    sentence = (
        'In 2025: 3.4 activities a month (<em>busy &#38; productive</em>), see <a href="x/">x</a>.'
    )
    made = paragraph(sentence, html_block(CHART))
    assert made == html_block(f"<p>{sentence}</p>\n{CHART}")
    converter = prerendering._converter()
    assert made.strip(OPEN + "\ue001") == converter.convert(f"{sentence}\n\n<!--x-->").replace(
        "<!--x-->", CHART
    )
    # Markdown syntax, a bare ampersand, a list start or no single block after it: left as Markdown
    for text, then in [
        ("a *b*", html_block(CHART)),
        ("R&D", html_block(CHART)),
        ("1. first", html_block(CHART)),
        ("fine", ""),
        ("fine", "plain Markdown"),
        ("fine", html_block(CHART) + html_block(TABLE)),
    ]:
        assert OPEN not in paragraph(text, then).split("\n\n")[0]


@pytest.mark.parametrize(
    "sentence",
    [
        "In 2025: 3.4 activities a month.",
        'See <a href="../../x/">x</a> and <strong>this</strong> (<em>busy &#38; quiet</em>).',
        "Two\nlines of it.",
        "$12,000 of revenue, 33.3 % win rate; ratio 2.50 — up.",
        "a *b*",
        "x_y_z",
        "R&D",
        "1. first",
        "1) first",
        "- item",
        "+ item",
        "> quoted",
        "# heading",
        "Total of 3\n{: .big }",
        "3 deals\n??? note",
        "3 deals\n!!! note",
        "code `x`",
        "a | b",
        "~~~",
        "x  \ny",
        " leading space",
        "trailing space ",
        "a <b>bold</b>",
        "see [x](y)",
        "line\n\nparagraphs",
        "Term\n: definition",
    ],
)
def test_paragraph_is_python_markdowns_html_or_left_to_it(sentence: str) -> None:
    made = paragraph(sentence, html_block(CHART))
    if made.startswith(OPEN):
        converted = prerendering._converter().convert(f"{sentence}\n\n<!--x-->")
        assert made == html_block(converted.replace("<!--x-->", CHART))
    else:
        assert made == f"{sentence}\n\n{html_block(CHART)}"


def test_a_broken_table_of_contents_trailer_is_an_error_not_a_wrong_page(tmp_path: Path) -> None:
    text, blocks, toc = early(rep_page("Ann Lee", 3))
    good = page_file(text, blocks, toc)
    with pytest.raises(BuildError, match="table of contents is not a list of headings"):
        split_toc(unpack(good.replace('"level":2', '"level":"2"', 1))[0])
    with pytest.raises(BuildError, match="table of contents is not valid JSON"):
        split_toc(unpack(good.replace('"level":2', '"level":', 1))[0])
    docs = tmp_path / "docs"
    write_docs(docs, {"reps/ann.md": good.replace("\n-->\n", "\n", 1)})
    with pytest.raises(BuildError, match=r"reps/ann\.md: the page's table of contents is"):
        mkdocs_build(docs, tmp_path / "site", site_name="T", site_url=None, nav=[{"O": "index.md"}])


def test_the_example_site_is_the_same_with_its_sections_made_html_before_mkdocs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = Path(__file__).resolve().parent.parent / "config" / "example.yaml"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    html = build(config, tmp_path / "early", force=True).out
    monkeypatch.setattr(rendering, "PRERENDERED", frozenset())
    whole = build(config, tmp_path / "whole", force=True).out
    assert same_files(whole, html) == []
    docs = tmp_path / ".salesperf-build" / "early" / "docs"
    assert (
        sum("salesperf:toc" in p.read_text(encoding="utf-8") for p in docs.glob("reps/*.md")) >= 40
    )


def test_a_changed_mkdocs_yml_is_read_again_and_its_conversions_forgotten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``salesperf serve`` rebuilds in one process: after an edit of the Markdown settings the
    sections are converted again (a stale permalink sign stayed on the sections' headings)."""
    page = rep_page("Ann Lee", 3)
    prerendering.markdown_settings()
    assert "&para;</a></h2>" in early(page)[1][-1]
    edited = tmp_path / "mkdocs.yml"
    source = rendering.resource("mkdocs.yml").read_text(encoding="utf-8")
    edited.write_text(source.replace("permalink: true", 'permalink: "§"'), encoding="utf-8")
    real = rendering.resource
    monkeypatch.setattr(
        rendering, "resource", lambda name: edited if name == "mkdocs.yml" else real(name)
    )
    prerendering.markdown_settings()  # as each build's render stage does
    assert "§</a></h2>" in early(page)[1][-1] and "&para;" not in early(page)[1][-1]
    monkeypatch.undo()
    prerendering.markdown_settings()
    assert "&para;</a></h2>" in early(page)[1][-1]
