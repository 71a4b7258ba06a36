"""Pre-rendered HTML (tables, chart specs) kept out of Python-Markdown and out of the search index.

Tables and charts are HTML that salesperf writes itself. Passing them through Python-Markdown costs
most of the MkDocs build, and the search plugin would index every cell and every chart's JSON: a
6.7 MB index at 1,000 reps, made of numbers nobody searches for. So the site stage marks each such
block (``html_block``), and ``pack`` replaces it in the rendered page by a short HTML comment,
``<!--sp-html:3-->``, with the blocks themselves appended to the page file after a trailer line.
The MkDocs plugin (``generator.publish.plugin``) cuts the trailer off before Markdown runs
(``unpack``) and puts each block back into the finished HTML (``substitute``), after the search
plugin has indexed the page: the page reads exactly as before, the index holds its prose.
"""

from __future__ import annotations

import json
import re
from typing import Any

from generator.errors import BuildError
from generator.site.text import Markdown

OPEN, CLOSE = "\ue000", "\ue001"
"""Private-use characters around a block of HTML inside rendered Markdown (never in data text:
``escape`` writes no such character, and a block's own markers are removed when it is wrapped)."""

TRAILER = "\n<!--salesperf:html-blocks\n"
"""Starts the page file's last part: the JSON list of the page's HTML blocks, then ``-->``."""

TOC_TRAILER = "\n<!--salesperf:toc\n"
"""Starts the part before it on a page whose sections are already HTML (``generator.site.prerender``):
the JSON list of those headings' table-of-contents tokens, then ``-->``."""

_BLOCK = re.compile(f"{OPEN}([^{CLOSE}]*){CLOSE}")
"""A marked block: its HTML is the group (a character class, not a lazy ``.*?``: Python's ``re`` tests
a lazy match's end at every character of a 50 kB chart spec)."""
PLACEHOLDER = re.compile(r"<!--sp-html:(\d+)-->")


def placeholder(key: int) -> str:
    """The comment that stands for block number ``key`` of a page."""
    return f"<!--sp-html:{key}-->"


def html_block(html: str) -> Markdown:
    """``html`` marked as a block of pre-rendered HTML (a block inside it is merged into it)."""
    return Markdown(OPEN + html.replace(OPEN, "").replace(CLOSE, "") + CLOSE)


def plain(markdown: str) -> str:
    """Markdown with the block markers dropped (the blocks stay inline, as HTML)."""
    return markdown.replace(OPEN, "").replace(CLOSE, "")


def _comment_json(value: object) -> str:
    """``value`` as JSON that can stand inside an HTML comment (``<`` and ``>`` escaped: no ``-->``)."""
    data = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return data.replace("<", "\\u003c").replace(">", "\\u003e")


def split_blocks(markdown: str) -> tuple[str, list[str]]:
    """A rendered page's Markdown with each marked block replaced by its placeholder (numbered in
    order), and the blocks."""
    parts = _BLOCK.split(markdown)  # text, block, text, block, …, text
    text = "".join(part if i % 2 == 0 else placeholder(i // 2) for i, part in enumerate(parts))
    if OPEN in text or CLOSE in text:
        raise BuildError(
            "a block of pre-rendered HTML was cut in two while rendering a page (unbalanced markers)"
        )
    return text, parts[1::2]


def page_file(text: str, blocks: list[str], toc: list[dict[str, Any]] | None = None) -> str:
    """A page file: ``text`` (Markdown with placeholders), then the blocks after ``TRAILER`` as one
    JSON list (``<`` and ``>`` escaped, so no ``-->``); a page whose sections are already HTML
    (``generator.site.prerender``) has their table-of-contents tokens (``toc``) before that, after
    ``TOC_TRAILER``."""
    if toc is not None:
        text += TOC_TRAILER + _comment_json(toc) + "\n-->\n"
    if not blocks:
        return text
    return text + TRAILER + _comment_json(blocks) + "\n-->\n"


def pack(markdown: str) -> str:
    """A rendered page as its file holds it: each marked block replaced by a placeholder, and the
    blocks appended after ``TRAILER`` (``split_blocks``, ``page_file``)."""
    return page_file(*split_blocks(markdown))


def _trailer(source: str, trailer: str, what: str) -> tuple[str, object]:
    """``source`` before its last ``trailer``, and the JSON after it (up to ``-->``); ``(source,
    None)`` without one. BuildError when the JSON is cut short or is not JSON (``what``: what it
    holds, for the message)."""
    text, found, data = source.rpartition(trailer)
    if not found:
        return source, None
    data = data.rstrip()
    if not data.endswith("-->"):
        raise BuildError(f"the page's {what} is cut short (no closing -->): rebuild the pages")
    try:
        return text, json.loads(data[: -len("-->")])
    except ValueError:
        raise BuildError(f"the page's {what} is not valid JSON: rebuild the pages") from None


def unpack(source: str) -> tuple[str, list[str]]:
    """A page file's Markdown (without the trailer) and its HTML blocks (``[]`` without a trailer).
    Raises BuildError when the blocks are cut short or not a list of strings."""
    markdown, blocks = _trailer(source, TRAILER, "HTML blocks")
    if blocks is None:
        return source, []
    if not isinstance(blocks, list) or not all(isinstance(b, str) for b in blocks):
        raise BuildError("the page's HTML blocks are not a list of strings: rebuild the pages")
    return markdown, blocks


def _is_token(token: object) -> bool:
    """A table-of-contents token as Python-Markdown's ``toc`` makes it (the fields MkDocs reads)."""
    return (
        isinstance(token, dict)
        and isinstance(token.get("name"), str)
        and isinstance(token.get("id"), str)
        and isinstance(token.get("level"), int)
        and isinstance(token.get("children"), list)
        and all(_is_token(child) for child in token["children"])
    )


def split_toc(markdown: str) -> tuple[str, list[dict[str, Any]] | None]:
    """``unpack``'s Markdown without its table-of-contents trailer, and the tokens (None without
    one). Raises BuildError when they are cut short or not a list of tokens (``name``, ``id``,
    ``level``, ``children``)."""
    text, toc = _trailer(markdown, TOC_TRAILER, "table of contents")
    if toc is None:
        return markdown, None
    if not isinstance(toc, list) or not all(_is_token(token) for token in toc):
        raise BuildError(
            "the page's table of contents is not a list of headings: rebuild the pages"
        )
    return text, toc


def substitute(html: str, blocks: list[str], where: str = "page") -> str:
    """``html`` with each placeholder replaced by its block; a placeholder without a block, or a
    block whose placeholder is missing (Markdown dropped or changed it), is a BuildError."""
    used: set[int] = set()

    def block(match: re.Match[str]) -> str:
        key = int(match.group(1))
        if key >= len(blocks):
            raise BuildError(
                f"{where}: placeholder {match.group(0)} has no HTML block "
                f"(the page has {len(blocks)})"
            )
        used.add(key)
        return blocks[key]

    out = PLACEHOLDER.sub(block, html)
    missing = sorted(set(range(len(blocks))) - used)
    if missing:
        raise BuildError(
            f"{where}: HTML block(s) {', '.join(map(str, missing))} lost their placeholder "
            "on the way through Markdown (a placeholder must stand on its own line)"
        )
    return out
