"""Jinja2 environment for the Markdown templates: every value is escaped unless salesperf built it."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import jinja2

from generator.site import text
from generator.site.fragments import page_file, split_blocks
from generator.site.prerender import paragraph, prerender
from generator.site.text import Markdown

PACKAGE = Path(__file__).resolve().parent.parent


def resource(name: str) -> Path:
    """A bundled resource (``templates``, ``mkdocs.yml``): inside the wheel, or in the checkout."""
    for candidate in (PACKAGE / "_bundled" / name, PACKAGE.parent / name):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"salesperf resource {name!r} not found next to {PACKAGE}")


def _finalize(value: object) -> object:
    if isinstance(value, Markdown):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return text.escape(value)


@cache
def environment(templates: Path | None = None) -> jinja2.Environment:
    """The template environment (cached: templates are compiled once per build)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates or resource("templates"))),
        finalize=_finalize,
        autoescape=False,  # the output is Markdown; _finalize escapes every data value instead
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        money=lambda v, currency=None: Markdown(text.money(v, currency)),
        compact_money=lambda v, currency: Markdown(text.compact_money(v, currency)),
        ratio=lambda v: Markdown(text.ratio(v)),
        percent=lambda v: Markdown(text.percent(v)),
        change=lambda v: Markdown(text.change(v)),
        integer=lambda v: Markdown(text.integer(v)),
        day=lambda v: Markdown(text.day(v)),
        number=lambda v, d=0: Markdown(text.number(v, d)),
        # Data text as a YAML string for the front matter (a JSON string is one), never as HTML.
        yaml_string=lambda v: Markdown(json.dumps(str(v), ensure_ascii=False)),
        # A sentence with figures in it, as the HTML block it would become (see prerender).
        paragraph=paragraph,
    )
    return env


PRERENDERED = frozenset({"rep.md.j2", "team.md.j2", "manager.md.j2", "segment.md.j2"})
"""The entity pages' templates (pages search indexes by their lead): their sections become HTML in the
render stage (``generator.site.prerender``), not in MkDocs."""


def render(template: str, **context: object) -> str:
    """Render one template to a page file: Markdown, its tables and charts as placeholders, and the
    HTML of those after a trailer (see ``generator.site.fragments``); an entity page's sections are
    one such block already (``PRERENDERED``)."""
    text, blocks = split_blocks(environment().get_template(template).render(**context))
    if template in PRERENDERED:
        return page_file(*prerender(text, blocks))
    return page_file(text, blocks)
