"""Charts in headless Chromium: each page of the example draws every chart without a console error
(one page of each entity layout, every other page), toggling the palette redraws every chart with
the other theme, and a dark start draws dark."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.site import charts
from tests.browser import Site, Tab, wait_for_charts

DARK, LIGHT = charts.THEMES["dark"]["style"], charts.THEMES["light"]["style"]
BLACK = {"#000", "#000000", "black", "rgb(0, 0, 0)"}

_STATE = """() => [...document.querySelectorAll('div.sp-chart')].map(d => {
  const svg = d.querySelector('svg');
  const strokes = (selector) => svg ? [...svg.querySelectorAll(selector)].map(e => (e.getAttribute('stroke') || '').toLowerCase()) : [];
  return {
    id: d.getAttribute('data-spec'),
    scheme: d.getAttribute('data-scheme'),
    draws: Number(d.getAttribute('data-draws') || 0),
    svgs: d.querySelectorAll('svg').length,
    background: svg ? getComputedStyle(svg).backgroundColor : '',
    labels: svg ? [...new Set([...svg.querySelectorAll('.role-axis-label text')].map(t => t.getAttribute('fill')))] : [],
    rules: strokes('g.mark-rule path, g.mark-rule line'),
    texts: svg ? [...svg.querySelectorAll('.role-mark text')].map(t => [t.textContent, t.getAttribute('fill')]) : [],
  };
})"""


def chart_state(tab: Tab) -> list[dict]:
    return tab.page.evaluate(_STATE)


def wait_for_scheme(tab: Tab, scheme: str, draws: dict[str, int] | None = None) -> list[dict]:
    """Wait until every chart is drawn (again, when ``draws`` gives the counts before) in ``scheme``."""
    tab.page.wait_for_function(
        """([scheme, draws]) => [...document.querySelectorAll('div.sp-chart')].every(d =>
             d.getAttribute('data-scheme') === scheme && d.querySelector('svg')
             && d.querySelector('svg').querySelectorAll('g.role-mark > *').length > 0
             && (!draws || Number(d.getAttribute('data-draws')) > draws[d.getAttribute('data-spec')]))""",
        arg=[scheme, draws],
    )
    return chart_state(tab)


def toggle_palette(tab: Tab) -> None:
    """Click Material's light/dark toggle (the visible one)."""
    tab.page.locator('form[data-md-component="palette"] label:visible').first.click()


def first_rep(tab: Tab) -> str:
    tab.goto("/reps/")
    href = tab.page.evaluate(
        "() => [...document.querySelectorAll('article table a[href]')].map(a => a.pathname)"
        ".find(p => /^\\/reps\\/[^/]+\\/$/.test(p))"
    )
    assert href, "/reps/ links to no rep page"
    return href


# --- the palette toggle ------------------------------------------------------------------------------

PAGES = ["/", "/regions/", "/forecast/", "/activity/", "/managers/", "/goals/", "rep"]


@pytest.mark.parametrize("path", PAGES)
def test_toggling_the_palette_redraws_every_chart(
    path: str, example_site: Site, open_tab: Callable[[Site], Tab]
) -> None:
    tab = open_tab(example_site)
    if path == "rep":
        path = first_rep(tab)
    tab.goto(path)
    light = wait_for_scheme(tab, "light")
    assert light and all(c["svgs"] == 1 for c in light)
    assert {c["background"] for c in light} == {"rgb(255, 255, 255)"}

    toggle_palette(tab)
    tab.page.wait_for_function(
        "() => document.body.getAttribute('data-md-color-scheme') === 'slate'"
    )
    dark = wait_for_scheme(tab, "dark", {c["id"]: c["draws"] for c in light})
    assert [c["id"] for c in dark] == [c["id"] for c in light]
    body = tab.page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    for before, after in zip(light, dark, strict=True):
        assert after["draws"] == before["draws"] + 1, (
            f"{path} {after['id']}: drawn {after['draws']} times"
        )
        assert after["svgs"] == 1, f"{path} {after['id']}: the old drawing was not replaced"
        assert after["background"] == body != before["background"]
        assert after["labels"] and set(after["labels"]).isdisjoint(before["labels"]), after["id"]
        assert not BLACK & set(after["rules"]), (
            f"{path} {after['id']}: black rules on a dark background"
        )
    reference = {
        t
        for c in dark
        for t, fill in c["texts"]
        if t.startswith(("Break-even", "Company", "Target"))
        and fill.lower()
        in (DARK["sp-break-even-label"]["color"].lower(), DARK["sp-company-label"]["color"].lower())
    }
    if path in ("/", "/regions/", "/goals/") or path.startswith("/reps/"):
        assert reference, f"{path}: no reference rule labelled in the dark theme's colours"

    toggle_palette(tab)
    again = wait_for_scheme(tab, "light", {c["id"]: c["draws"] for c in dark})
    assert [c["labels"] for c in again] == [c["labels"] for c in light]
    tab.assert_clean()


def test_starting_dark_draws_with_the_dark_theme(
    example_site: Site, open_tab: Callable[[Site], Tab]
) -> None:
    tab = open_tab(example_site)
    tab.page.emulate_media(color_scheme="dark")
    for path in ("/regions/", "/forecast/", "/activity/"):
        tab.goto(path)
        assert tab.page.locator("body").get_attribute("data-md-color-scheme") == "slate"
        dark = wait_for_scheme(tab, "dark")
        body = tab.page.evaluate("() => getComputedStyle(document.body).backgroundColor")
        assert body != "rgb(255, 255, 255)"
        for chart in dark:
            assert chart["background"] == body, chart["id"]
            assert not BLACK & set(chart["rules"]), (
                f"{path} {chart['id']}: black rules on a dark background"
            )
        rules = {s for c in dark for s in c["rules"]}
        if path == "/regions/":  # the interval bars of the ranked regions and the break-even rule
            assert DARK["sp-interval"]["color"].lower() in rules
            assert DARK["sp-break-even"]["color"].lower() in rules
            assert LIGHT["sp-interval"]["color"].lower() not in rules
        if path == "/activity/":  # the correlation chart's "no correlation" rule
            assert DARK["sp-break-even"]["color"].lower() in rules
    tab.assert_clean()


# --- every page --------------------------------------------------------------------------------------

REDIRECT = re.compile(r'<meta http-equiv="refresh" content="0; url=([^"]+)">')
CHART_DIV = re.compile(r'<div class="sp-chart"[^>]*\bdata-spec="([^"]+)"')
SPEC_SCRIPT = re.compile(r'<script type="application/json" id="([^"]+)">(.*?)</script>', re.S)
ENTITY_KINDS = ("reps", "teams", "managers", "regions", "categories", "channels")
"""The folders of the pages made once per entity (``/reps/<slug>/``…): many pages of one layout."""


@dataclass(frozen=True)
class SitePage:
    """A page of a built site: its URL path and the ids of its chart divs, in page order."""

    url: str
    charts: tuple[str, ...]

    @property
    def kind(self) -> str | None:
        """The entity kind of a page made once per entity (``reps``…), else None."""
        parts = self.url.strip("/").split("/")
        return parts[0] if len(parts) == 2 and parts[0] in ENTITY_KINDS else None


def site_pages(root: Path) -> tuple[list[SitePage], list[tuple[Path, str]]]:
    """Every page of a built site, and every redirect stub (its file and the URL it sends to).

    Each chart div must name a spec the page holds, and every spec must parse: checked here for
    every page, walked in the browser or not."""
    pages, redirects = [], []
    for file in sorted(root.rglob("*.html")):
        text = file.read_text(encoding="utf-8")
        relative = file.relative_to(root).as_posix()
        url = "/" + (
            relative[: -len("index.html")] if relative.endswith("index.html") else relative
        )
        target = REDIRECT.search(text)
        if target:
            redirects.append((file, target.group(1)))
            continue
        charts_here = tuple(CHART_DIV.findall(text))
        assert len(charts_here) == text.count('class="sp-chart"'), url
        specs = {spec_id: body for spec_id, body in SPEC_SCRIPT.findall(text)}
        for spec_id in charts_here:
            assert spec_id in specs, f"{url}: chart {spec_id} has no spec on the page"
            assert json.loads(specs[spec_id])["$schema"], f"{url}: {spec_id}"
        pages.append(SitePage(url, charts_here))
    return pages, redirects


def walked_pages(pages: list[SitePage]) -> list[SitePage]:
    """The pages the browser walk draws: every page that is not one of an entity's, and of each
    entity kind the first page holding each set of charts (a rep with coaching, one without
    activity…) and the last page.

    Pages of one kind and one set of charts differ only in their data, whose every spec is parsed
    and checked in Python (``site_pages``, test_charts); drawing all 40 rep pages cost 19 s of
    the 40 s walk, and the browser found nothing there that the first of each layout did not."""
    chosen: dict[str, SitePage] = {}
    seen: set[tuple[str, frozenset[str]]] = set()
    last: dict[str, SitePage] = {}
    for page in pages:
        if page.kind is None:
            chosen[page.url] = page
            continue
        layout = (page.kind, frozenset(page.charts))
        if layout not in seen:
            seen.add(layout)
            chosen[page.url] = page
        last[page.kind] = page
    for page in last.values():
        chosen.setdefault(page.url, page)
    return [page for page in pages if page.url in chosen]


def test_the_walk_draws_one_page_of_each_layout_and_every_other_page(example_build: Path) -> None:
    """The selection itself: every chart design of the site is drawn somewhere in the walk, each
    layout of rep pages (coached or not, with or without activity) once, every other page whole."""
    pages, _redirects = site_pages(example_build)
    walked = walked_pages(pages)
    assert {c for p in walked for c in p.charts} == {c for p in pages for c in p.charts}
    layouts = {(p.kind, frozenset(p.charts)) for p in pages if p.kind}
    assert {(p.kind, frozenset(p.charts)) for p in walked if p.kind} == layouts
    assert [p for p in pages if p.kind is None and p not in walked] == []
    reps = [p for p in pages if p.kind == "reps"]
    assert len(reps) == 40 and reps[0] in walked and reps[-1] in walked
    assert 4 <= len([p for p in walked if p.kind == "reps"]) < len(reps)
    assert len(walked) < len(pages) * 0.6


def test_each_layout_draws_every_chart_without_a_console_error(
    example_build: Path, example_site: Site, open_tab: Callable[[Site], Tab]
) -> None:
    pages, redirects = site_pages(example_build)
    assert len(pages) > 80 and sum(len(p.charts) for p in pages) > 300
    for file, target in redirects:  # a stub is only a link: its target is one of the walked pages
        assert (file.parent / target / "index.html").resolve().is_file(), (
            f"{file}: {target} is missing"
        )
    walked = walked_pages(pages)
    assert any(p.kind == "reps" and p.charts for p in walked), "rep pages with charts are walked"
    tab = open_tab(example_site)
    failures = []
    for page in walked:
        tab.goto(page.url)
        expected = len(page.charts)
        drawn = wait_for_charts(tab.page, minimum=expected) if expected else []
        state = chart_state(tab)
        if len(drawn) != expected or any(c["svgs"] != 1 for c in state):
            failures.append(f"{page.url}: {len(drawn)} of {expected} charts drawn")
        problems = tab.console_errors + tab.page_errors + tab.bad_responses + tab.external
        if problems:
            failures.append(f"{page.url}: {problems}")
        (
            tab.console_errors.clear(),
            tab.page_errors.clear(),
            tab.bad_responses.clear(),
            tab.external.clear(),
        )
    assert failures == []
    tab.assert_clean()


def test_toggling_twice_quickly_leaves_one_drawing_per_chart(
    example_site: Site, open_tab: Callable[[Site], Tab]
) -> None:
    tab = open_tab(example_site)
    tab.goto("/")
    light = wait_for_scheme(tab, "light")
    toggle_palette(tab)
    toggle_palette(tab)
    tab.page.wait_for_function(
        "() => document.body.getAttribute('data-md-color-scheme') === 'default'"
    )
    again = wait_for_scheme(tab, "light", {c["id"]: c["draws"] for c in light})
    tab.page.wait_for_timeout(500)  # a drawing still in flight would add its SVG by now
    final = chart_state(tab)
    assert all(c["svgs"] == 1 and c["scheme"] == "light" for c in final)
    assert [c["draws"] for c in final] == [c["draws"] for c in again]
    assert [c["labels"] for c in final] == [c["labels"] for c in light]
    tab.assert_clean()


def test_forecast_charts_keep_their_sort_without_a_vega_lite_warning(
    example_site: Site, open_tab: Callable[[Site], Tab]
) -> None:
    """The projected-revenue bars sort highest first in every layer alike: Vega-Lite keeps the sort
    (no "Dropping sort property … Sort will be set to true" in the console) and draws that order."""
    tab = open_tab(example_site)
    tab.goto("/forecast/")
    wait_for_charts(tab.page, minimum=1)
    assert [w for w in tab.console_warnings if "Dropping" in w or "sort" in w.lower()] == []
    tab.assert_clean()
