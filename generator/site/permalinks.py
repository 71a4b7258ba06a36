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

_HEAD = (
    '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
    '<meta name="robots" content="noindex">\n'
)


def redirect_html(target: str, canonical: str) -> str:
    """A static page that sends the browser to ``target`` (relative) at once."""
    return (
        f'{_HEAD}<title>Moved</title>\n<link rel="canonical" href="{escape(canonical)}">\n'
        f'<meta http-equiv="refresh" content="0; url={escape(target)}">\n</head>\n<body>\n'
        f'<p>This page has moved to <a href="{escape(target)}">{escape(target)}</a>.</p>\n</body>\n</html>\n'
    )


CHOICE_STYLE = (
    "body{font:1rem/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1f2328;"
    "background:#fff;margin:0}main{max-width:40rem;margin:3rem auto;padding:0 1rem}"
    "h1{font-size:1.5rem;margin:0 0 1rem}ul{padding-left:1.25rem}li{margin:.5rem 0}"
    "a{color:#0b57d0}a:focus{outline:2px solid #0b57d0;outline-offset:2px}"
    "@media (prefers-color-scheme:dark){body{color:#e6edf3;background:#0d1117}a{color:#7cb4ff}"
    "a:focus{outline-color:#7cb4ff}}"
)
"""The choice page's own style, inline: the page loads nothing else (SPEC §6: no other host, and no
theme asset whose path would depend on the page's depth)."""


def choice_html(choices: list[tuple[str, str]]) -> str:
    """A static page for an old address two of today's entities could have had: a link to each."""
    items = "".join(
        f'<li><a href="{escape(href)}">{escape(label)}</a></li>\n' for href, label in choices
    )
    return (
        f'{_HEAD}<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Which page? This address now has {len(choices)} pages</title>\n"
        f"<style>{CHOICE_STYLE}</style>\n</head>\n<body>\n<main>\n<h1>Which page?</h1>\n"
        "<p>This address belonged to one of these pages before their addresses became distinct. "
        "Choose the one you were looking for, and update your bookmark:</p>\n"
        f'<ul aria-label="Pages that had this address">\n{items}</ul>\n</main>\n</body>\n</html>\n'
    )


def redirect_pages(
    folder: str,
    slugs: dict[str, str],
    kind: str,
    pages: set[str],
    labels: dict[str, str] | None = None,
    base_url: str | None = None,
) -> dict[str, str]:
    """``<folder>/<old slug>/index.html`` for every old address of these ids that is no page of today.

    ``slugs`` maps each id to today's slug, ``pages`` holds the slugs that have a page in ``folder``,
    ``labels`` names the ids on a choice page (default: the id itself).
    """
    files: dict[str, str] = {}
    root = (base_url.rstrip("/") + "/") if base_url else ""
    for old, owners in legacy_slugs(sorted(slugs), prefix=kind).items():
        if old in pages or old in RESERVED_SLUGS or len(old) > LEGACY_MAX:
            continue
        targets = [
            (f"../{slugs[i]}/", (labels or {}).get(i) or i) for i in owners if slugs[i] in pages
        ]
        if len(targets) == 1:
            href = targets[0][0]
            canonical = f"{root}{folder}/{href[3:]}" if root else href
            files[f"{folder}/{old}/index.html"] = redirect_html(href, canonical)
        elif targets:
            files[f"{folder}/{old}/index.html"] = choice_html(targets)
    return files
