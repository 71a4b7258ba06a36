"""Permalinks that never move (SPEC §6): redirect pages for the addresses older builds published.

Slugs are a function of the id alone (``text.slug``). Up to salesperf 0.1 they were not: a slug could
change when another id arrived, and ids such as ``REP-001`` had the plain form ``rep-001``. Each such
old address gets a static page in the folder where the old page lived: a redirect with a canonical
link and a ``meta refresh`` (relative, so the site works from any folder), or, when two of today's
ids could have had the address, a page that links to both.
"""

from __future__ import annotations

from html import escape

from generator.site.text import RESERVED_SLUGS, legacy_slugs

LEGACY_MAX = 235
"""Longer old slugs were never published: their data files' names passed the 255-byte limit and the build failed."""

_HEAD = ('<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
         '<meta name="robots" content="noindex">\n')


def redirect_html(target: str, canonical: str) -> str:
    """A static page that sends the browser to ``target`` (relative) at once."""
    return (f'{_HEAD}<title>Moved</title>\n<link rel="canonical" href="{escape(canonical)}">\n'
            f'<meta http-equiv="refresh" content="0; url={escape(target)}">\n</head>\n<body>\n'
            f'<p>This page has moved to <a href="{escape(target)}">{escape(target)}</a>.</p>\n</body>\n</html>\n')


def choice_html(choices: list[tuple[str, str]]) -> str:
    """A static page for an old address two of today's entities could have had: a link to each."""
    items = "".join(f'<li><a href="{escape(href)}">{escape(label)}</a></li>\n' for href, label in choices)
    return (f"{_HEAD}<title>Which page?</title>\n</head>\n<body>\n"
            "<p>This address belonged to one of these pages before their addresses became distinct:</p>\n"
            f"<ul>\n{items}</ul>\n</body>\n</html>\n")


def redirect_pages(folder: str, slugs: dict[str, str], kind: str, pages: set[str],
                   labels: dict[str, str] | None = None, base_url: str | None = None) -> dict[str, str]:
    """``<folder>/<old slug>/index.html`` for every old address of these ids that is no page of today.

    ``slugs`` maps each id to today's slug, ``pages`` holds the slugs that have a page in ``folder``,
    ``labels`` names the ids on a choice page (default: the id itself).
    """
    files: dict[str, str] = {}
    root = (base_url.rstrip("/") + "/") if base_url else ""
    for old, owners in legacy_slugs(sorted(slugs), prefix=kind).items():
        if old in pages or old in RESERVED_SLUGS or len(old) > LEGACY_MAX:
            continue
        targets = [(f"../{slugs[i]}/", (labels or {}).get(i) or i) for i in owners if slugs[i] in pages]
        if len(targets) == 1:
            href = targets[0][0]
            canonical = f"{root}{folder}/{href[3:]}" if root else href
            files[f"{folder}/{old}/index.html"] = redirect_html(href, canonical)
        elif targets:
            files[f"{folder}/{old}/index.html"] = choice_html(targets)
    return files
