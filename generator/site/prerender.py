"""Entity pages' sections as HTML before MkDocs: Python-Markdown converts each distinct section once.

A rep, team, manager or segment page is thousands of pages of the same few sections around the
page's tables and charts (already HTML blocks, see ``generator.site.fragments``). MkDocs would run
Python-Markdown over every page whole: 3–5 ms a page, most of the MkDocs stage at 5,000 reps. Here
everything from a page's first second-level heading on is converted in the render stage, by
Python-Markdown with the site's own extensions (read from ``mkdocs.yml`` the way MkDocs reads them),
one section at a time and once per distinct section text: the same sentence under the same heading
on 1,000 pages is converted once. The page keeps its title and lead (what search indexes) as
Markdown, followed by one HTML block holding the rest; the headings' table-of-contents entries travel
with the page (``fragments.page_file``) and the MkDocs plugin hands them to MkDocs, so the page, its
table of contents and the search index are the same bytes as when MkDocs converts the page whole.

A page is converted whole by MkDocs instead (``prerender`` returns it unchanged) whenever a section
could read differently on its own than inside the page: a Markdown link in a section (MkDocs
rewrites links to other pages; the lead's stay Markdown), an attribute list, fenced code or a
``[TOC]`` marker, content tabs (numbered across the page), a heading inside a quote, list or note, a
second title, an HTML block opened in the lead (it could run past the first section's heading), or
a title whose anchor could collide with a section's.
"""

from __future__ import annotations

import html
import itertools
import re
import unicodedata
from functools import cache, lru_cache
from typing import Any

import markdown as python_markdown
import yaml

from generator.site.fragments import CLOSE, OPEN, PLACEHOLDER, html_block, placeholder
from generator.site.text import Markdown

_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
_UNSAFE_TEXT = ("{", "```", "~~~", "[TOC]")
_UNSAFE_LINE = re.compile(r"^(?:===|\?\?\?|[ \t]+#|[ \t]*[=-]+[ \t]*$)", re.MULTILINE)
"""Markdown that an extension reads across the page, or that hides a heading: attribute lists (ids
shared with the headings), fences, a table-of-contents marker, content tabs (numbered per page),
setext underlines, details blocks' and admonitions' headings."""
_LINKS = ("](", "][", "]:", "![", "<http", "<mailto:")
"""Links MkDocs rewrites (or checks) in the pages it converts: left to it, in a section."""


_SETTINGS: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {}
"""The Markdown settings of the ``mkdocs.yml`` text last read (one entry)."""


def markdown_settings() -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The Markdown extensions and their settings exactly as MkDocs builds them from the bundled
    ``mkdocs.yml`` (its built-in ``toc``, ``tables`` and ``fenced_code`` first): MkDocs' own option
    reads the list, so a page converted here and one converted by MkDocs use the same converter.

    Read again on each call (the render stage makes one a build): when the file changed since the
    last call (``salesperf serve`` rebuilding after an edit), every section converted under the old
    settings is forgotten."""
    from mkdocs.config.defaults import MkDocsConfig

    from generator.site.render import resource

    source = resource("mkdocs.yml").read_text(encoding="utf-8")
    if source not in _SETTINGS:
        raw = yaml.safe_load(source) or {}
        option = MkDocsConfig.markdown_extensions
        config = MkDocsConfig()
        config["markdown_extensions"] = option.validate(raw.get("markdown_extensions", []))
        option.post_validation(config, "markdown_extensions")
        _SETTINGS.clear()
        _section.cache_clear()
        _headings.cache_clear()
        _block_level.cache_clear()
        _SETTINGS[source] = tuple(config["markdown_extensions"]), dict(config["mdx_configs"] or {})
    return _SETTINGS[source]


def _converter() -> python_markdown.Markdown:
    """A new converter, as MkDocs makes one per page (no state carried between conversions), with
    the settings last read (``markdown_settings``)."""
    extensions, configs = next(iter(_SETTINGS.values())) if _SETTINGS else markdown_settings()
    return python_markdown.Markdown(extensions=list(extensions), extension_configs=configs)


_SENTINEL = "\ue003"
"""A paragraph put after a section: what Python-Markdown writes before it is what separates the
section from the next heading (a raw HTML block is followed by a blank line, a paragraph is not)."""


@lru_cache(maxsize=16384)
def _section(text: str, last: bool) -> tuple[str, ...] | None:
    """One section's Markdown (no heading; its blocks as ``<!--sp-html:N-->``, numbered in order) as
    HTML, followed by what separates it from the next heading unless it is the ``last``, split around
    its blocks (text, block number, text, …); None when the converter found a heading in it (in a
    quote or a list: its table-of-contents entry would be lost), dropped, repeated or reordered a
    block, or the sentinel paragraph did not come out last and whole."""
    converter = _converter()
    if last:
        out = converter.convert(text)
    else:
        out, found, after = converter.convert(f"{text}\n\n{_SENTINEL}").rpartition(
            f"<p>{_SENTINEL}</p>"
        )
        if not found or after:
            return None
    if getattr(converter, "toc_tokens", []):
        return None
    split = tuple(PLACEHOLDER.split(out))
    if [int(n) for n in split[1::2]] != list(range(len(PLACEHOLDER.findall(text)))):
        return None
    return split


@lru_cache(maxsize=1024)
def _headings(
    lines: tuple[str, ...],
) -> tuple[tuple[str, ...], list[dict[str, Any]], frozenset[str]] | None:
    """Each heading line as HTML, their table-of-contents tokens (nested as Python-Markdown nests
    them) and the loose forms of their anchors (``_loose``, with and without a ``_2`` suffix); None
    when the converter does not give one HTML line per heading."""
    converter = _converter()
    out = converter.convert("\n\n".join(lines)).split("\n")
    if len(out) != len(lines) or not all(line.startswith("<h") for line in out):
        return None
    tokens = getattr(converter, "toc_tokens", [])
    anchors = _ids(tokens)
    loose = {_loose(a) for a in anchors} | {_loose(re.sub(r"_\d+$", "", a)) for a in anchors}
    return tuple(out), tokens, frozenset(loose)


_TAG = re.compile(r"</?(?:a|strong|em|span|code|abbr)(?:\s[^<>]*)?>")
_ENTITY = re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_MARKDOWN_INLINE = re.compile(
    r"[\\`*_\[\]<>&|{~]|  \n|\n\s*\n|^\s|\s$|^(?:[#>+=:-]|\d+[.)]|!!!|\?\?\?)", re.MULTILINE
)
"""What Python-Markdown could read in a paragraph's text once its tags and entities are set aside:
escapes, code, emphasis, links, table cells, attribute lists, fences, a bare ``<`` or ``&``, a line
break, a blank line, or a line start that makes another block (a heading, quote, list, rule, note,
details block)."""


def paragraph(text: str, then: str) -> Markdown:
    """A paragraph of salesperf's own words (HTML tags and entities allowed, no Markdown syntax)
    and the block ``then`` after it (an ``html_block``), as the one HTML block Python-Markdown would
    make of the two, ``<p>…</p>`` and ``then`` on the next line. A sentence with a figure in it
    differs on every page; as a block it leaves its section the same text on every page
    (``prerender`` converts each distinct section once). The block after it is needed: a paragraph
    of HTML is followed by a blank line, a Markdown paragraph is not. Text Markdown could read
    otherwise, or a ``then`` that is not one block, gives the paragraph as Markdown for Python-Markdown."""
    one_block = then.startswith(OPEN) and then.endswith(CLOSE) and then.count(OPEN) == 1
    if not one_block or _MARKDOWN_INLINE.search(_ENTITY.sub("x", _TAG.sub("", text))):
        return Markdown(f"{text}\n\n{then}" if then else text)
    return html_block(f"<p>{text}</p>\n{then}")


def _loose(text: str) -> str:
    """The letters and digits an anchor made from ``text`` could keep (tags and entities read as
    text, accents dropped): two titles whose anchors could be equal have the same loose form."""
    plain = html.unescape(re.sub(r"<[^>]*>", "", text))
    ascii_text = unicodedata.normalize("NFKD", plain).encode("ascii", "ignore").decode()
    return re.sub(r"[^0-9a-z]", "", ascii_text.lower())


def _opens_html_block(lines: list[str]) -> bool:
    """Whether a line of the lead starts an HTML block other than a placeholder: Python-Markdown
    reads such a block up to its closing tag, which may come after the first section's heading."""
    return any(
        line.startswith("<") and not PLACEHOLDER.fullmatch(line.strip()) and _block_tag(line)
        for line in lines
    )


def _block_tag(line: str) -> bool:
    match = re.match(r"</?([A-Za-z][A-Za-z0-9-]*)|<!--|<\?|<!", line)
    if match is None:
        return False
    name = match.group(1)
    return name is None or name.lower() in _block_level()


@cache
def _block_level() -> frozenset[str]:
    """The tags Python-Markdown reads as the start of an HTML block."""
    return frozenset(_converter().block_level_elements)


def _ids(tokens: list[dict[str, Any]]) -> list[str]:
    return [i for t in tokens for i in (t["id"], *_ids(t["children"]))]


def prerender(text: str, blocks: list[str]) -> tuple[str, list[str], list[dict[str, Any]] | None]:
    """An entity page (front matter, ``# title``, lead, sections; ``text`` with its HTML ``blocks``
    as placeholders, ``fragments.split_blocks``) with every section from the first ``##`` heading on
    made one HTML block, the last, and the table-of-contents tokens of those headings; ``(text,
    blocks, None)`` when the page must go through Python-Markdown whole (see the module docstring)."""
    whole = text, blocks, None
    front = _FRONT_MATTER.match(text)
    start = front.end() if front else 0
    body = text[start:]
    if any(s in body for s in _UNSAFE_TEXT) or _UNSAFE_LINE.search(body) or _SENTINEL in body:
        return whole
    lines = body.split("\n")
    # Python-Markdown reads every line starting with "#" as a heading (no space needed: "#1 rep").
    headings = [i for i, line in enumerate(lines) if line.startswith("#")]
    if (
        len(headings) < 2
        or not lines[headings[0]].startswith("# ")
        or any(line.strip() for line in lines[: headings[0]])
        or not lines[headings[1]].startswith("## ")
        or any(not lines[i].startswith("##") for i in headings[2:])  # a second title
    ):
        return whole
    lead_end = start + sum(len(line) + 1 for line in lines[: headings[1]])
    sections = text[lead_end:]
    if any(s in sections for s in _LINKS) or _opens_html_block(
        lines[headings[0] + 1 : headings[1]]
    ):
        return whole
    converted = _headings(tuple(lines[i] for i in headings[1:]))
    if converted is None:
        return whole
    heading_html, tokens, anchors = converted
    title = _loose(lines[headings[0]][2:])
    if not title or title in anchors:
        return whole  # the title's anchor could take a section's
    lead_blocks = len(PLACEHOLDER.findall(text, 0, lead_end))
    used = lead_blocks  # blocks are numbered in order: the sections' come after the lead's
    out: list[str] = []
    bounds = [*headings[1:], len(lines)]
    for number, (first, end) in enumerate(itertools.pairwise(bounds)):
        last = end == len(lines)
        section = "\n".join(lines[first + 1 : end]).strip("\n")
        if not section.strip():
            out.append(heading_html[number] + ("" if last else "\n"))
            continue
        pieces = PLACEHOLDER.split(section)  # text, block number, text, …
        mine = [int(n) for n in pieces[1::2]]
        if mine != list(range(used, used + len(mine))):
            return whole
        used += len(mine)
        pieces[1::2] = [placeholder(i) for i in range(len(mine))]
        split = _section("".join(pieces), last)
        if split is None:
            return whole
        out.append(heading_html[number] + "\n")
        out.extend(p if i % 2 == 0 else blocks[mine[int(p)]] for i, p in enumerate(split))
    if used != len(blocks):
        return whole
    lead = text[:lead_end].rstrip("\n")
    return f"{lead}\n\n{placeholder(lead_blocks)}\n", [*blocks[:lead_blocks], "".join(out)], tokens
