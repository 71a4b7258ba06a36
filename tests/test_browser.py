"""The built site in a real browser: headless Chromium (Playwright) against a site served on 127.0.0.1.

Two sites, built once per test session (``tests/conftest.py``): the bundled example
(``config/example.yaml``) and the hostile CRM fixture (a rep named ``<script>alert(1)</script>``,
one named with a spreadsheet formula). Every page opened records requests that leave the local
server, console errors, uncaught page errors, failed local responses and dialogs (a dialog means a
script ran).

Skipped only when Chromium is absent; with ``SALESPERF_REQUIRE_BROWSER=1`` (set by ``.ci/run``) a
missing Chromium fails instead, so CI can never pass without running these tests (``tests/browser.py``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest

from generator.site.text import slug
from tests.browser import (
    Site,
    Tab,
    column,
    h1_text,
    number,
    search,
    wait_for_charts,
    wait_for_result,
)
from tests.conftest import FORMULA_NAME, XSS_NAME

pytestmark = pytest.mark.browser

REPS_HEADER = "rep_id,name,team,region,clients,mean_client_ltv"
SLUG = re.compile(r"^[a-z0-9-]+$")


# ---------------------------------------------------------------------------------------------
# 1. Overview


def test_overview_draws_charts_locally(example_site: Site, open_tab: Callable[[Site], Tab]) -> None:
    tab = open_tab(example_site)
    tab.goto("/")
    tab.page.wait_for_selector("div.sp-chart svg")
    charts = wait_for_charts(tab.page, minimum=2)
    assert len(charts) >= 2
    for chart in charts:
        assert chart["marks"] > 0, f"chart {chart['label']!r} drew no data marks"
    tab.page.wait_for_load_state("networkidle")
    tab.assert_clean()


# 2. Reps index and a rep page


def test_reps_index_lists_every_rep_and_links_to_their_pages(
    example_site: Site, open_tab: Callable[[Site], Tab]
) -> None:
    reps = example_site.reps()
    assert reps, "reps.csv has no rows"
    tab = open_tab(example_site)
    tab.goto("/reps/")
    rows = tab.page.locator(".sp-sortable table tbody tr")
    assert rows.count() == len(reps)
    linked = tab.page.evaluate(
        "() => [...document.querySelectorAll('.sp-sortable table tbody tr')]"
        ".map(r => r.querySelector('a[href]').pathname)"
    )
    assert sorted(linked) == sorted(f"/{rep['url']}" for rep in reps)

    first = rows.first.locator("a[href]").first
    link_text = first.inner_text().strip()
    first.click()
    tab.page.wait_for_url(re.compile(r"/reps/[a-z0-9-]+/$"))
    path = urlsplit(tab.page.url).path
    rep_slug = path.split("/")[-2]
    assert SLUG.match(rep_slug)
    by_url = {rep["url"]: rep for rep in reps}
    assert f"reps/{rep_slug}/" in by_url, f"{path} is not a rep in reps.csv"
    name = by_url[f"reps/{rep_slug}/"]["name"]
    assert h1_text(tab.page) == name == link_text
    charts = wait_for_charts(tab.page, minimum=1)
    assert any(chart["marks"] > 0 for chart in charts)
    tab.assert_clean()


# 3. Sorting


def test_reps_table_sorts_numerically(example_site: Site, open_tab: Callable[[Site], Tab]) -> None:
    tab = open_tab(example_site)
    tab.goto("/reps/")
    headers = [h.strip() for h in tab.page.locator(".sp-sortable table thead th").all_inner_texts()]
    index = next((i for i, h in enumerate(headers) if h.startswith("Value ratio")), None)
    assert index is not None, f"no 'Value ratio' column in {headers}"
    header = tab.page.locator(".sp-sortable table thead th").nth(index)
    before = column(tab.page, index)
    values = [number(v) for v in before]
    assert len({v for v in values if v is not None}) > 1, "nothing to sort"

    header.click()
    ascending = column(tab.page, index)
    numbers = [n for n in map(number, ascending) if n is not None]
    assert numbers == sorted(numbers)
    assert sorted(ascending) == sorted(before), "sorting lost or changed cells"
    assert header.get_attribute("aria-sort") == "ascending"

    header.click()
    descending = column(tab.page, index)
    numbers = [n for n in map(number, descending) if n is not None]
    assert numbers == sorted(numbers, reverse=True)
    assert sorted(descending) == sorted(before)
    assert header.get_attribute("aria-sort") == "descending"
    tab.assert_clean()


# 4. Search


def test_search_finds_a_rep_by_name(example_site: Site, open_tab: Callable[[Site], Tab]) -> None:
    reps = example_site.reps()
    rep = reps[2] if len(reps) > 2 else reps[0]
    tab = open_tab(example_site)
    tab.goto("/")
    search(tab.page, rep["name"])
    wait_for_result(tab.page, f"/{rep['url']}")
    tab.assert_clean()


# 5. CSV download


def test_reps_csv_download(example_site: Site, open_tab: Callable[[Site], Tab]) -> None:
    reps = example_site.reps()
    tab = open_tab(example_site)
    tab.goto("/reps/")
    tab.page.locator("details.sp-downloads summary").click()  # the page's "Download data" menu
    link = tab.page.get_by_role("link", name="reps.csv")
    assert link.count() >= 1, "no reps.csv download on /reps/"
    href = link.first.evaluate("(a) => a.href")
    response = tab.page.request.get(href)
    assert response.status == 200, f"{href}: HTTP {response.status}"
    text = response.text()
    assert text.splitlines()[0].startswith(REPS_HEADER), text.splitlines()[0]
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(reps)
    assert [r["rep_id"] for r in rows] == [r["rep_id"] for r in reps]
    tab.assert_clean()


# 6. Hostile names


def test_hostile_names_are_shown_as_text(
    hostile_site: Site, open_tab: Callable[[Site], Tab]
) -> None:
    tab = open_tab(hostile_site)
    tab.goto("/reps/")
    assert tab.page.locator(f'.sp-sortable table a[href="{slug("X")}/"]').inner_text() == XSS_NAME

    tab.goto(f"/reps/{slug('X')}/")
    assert h1_text(tab.page) == XSS_NAME
    wait_for_charts(tab.page, minimum=0)
    live = tab.page.evaluate(
        "() => [...document.scripts].filter(s => s.type !== 'application/json'"
        " && s.textContent.includes('alert(1)')).length"
    )
    assert live == 0, "the name ended up inside an executable <script>"
    assert tab.dialogs == []

    # Search results render page titles as HTML: the rep's page must come back as plain text.
    search(tab.page, "script")
    wait_for_result(tab.page, f"/reps/{slug('X')}/")  # the escaped name is still found by its words
    tab.page.wait_for_timeout(300)
    assert tab.dialogs == []
    tab.page.locator("input.md-search__input").fill("")
    search(tab.page, "Wim")
    wait_for_result(tab.page, f"/reps/{slug('X')}/")
    titles = tab.page.locator(".md-search-result__item h1").all_inner_texts()
    assert XSS_NAME in titles

    tab.goto(f"/reps/{slug('Y')}/")
    title = h1_text(tab.page)
    assert title.startswith("=HYPERLINK(")
    assert title == FORMULA_NAME
    tab.assert_clean()


# 7. Every top-level page, and the dark palette

PAGES = ["/", "/reps/", "/teams/", "/data-quality/", "/methodology/", "team"]


@pytest.mark.parametrize("which", ["example", "hostile"])
@pytest.mark.parametrize("path", PAGES)
def test_page_loads_cleanly(
    which: str, path: str, request: pytest.FixtureRequest, open_tab: Callable[[Site], Tab]
) -> None:
    site: Site = request.getfixturevalue(f"{which}_site")
    tab = open_tab(site)
    if path == "team":
        tab.goto("/teams/")
        hrefs = tab.page.evaluate(
            "() => [...document.querySelectorAll('article table a[href]')].map(a => a.getAttribute('href'))"
        )
        teams = [h for h in hrefs if re.fullmatch(r"[a-z0-9-]+/", h)]
        assert teams, f"/teams/ links to no team page: {hrefs}"
        path = f"/teams/{teams[0]}"
    tab.goto(path)
    # The overview and a team page have charts; the other top-level pages may have none.
    wait_for_charts(tab.page, minimum=1 if path == "/" or re.fullmatch(r"/teams/.+/", path) else 0)

    # under a table, or in the page's "Download data" menu
    downloads = tab.page.locator("a[download]")
    for href in [downloads.nth(i).evaluate("(a) => a.href") for i in range(downloads.count())]:
        response = tab.page.request.get(href)
        assert response.status == 200, f"{path}: download {href}: HTTP {response.status}"
        assert response.text().strip(), f"{path}: download {href} is empty"
    tab.page.wait_for_load_state("networkidle")
    tab.assert_clean()


def test_dark_palette_survives_reload(example_site: Site, open_tab: Callable[[Site], Tab]) -> None:
    tab = open_tab(example_site)
    tab.goto("/")
    page = tab.page
    light = wait_for_charts(page, minimum=1)
    assert page.locator("body").get_attribute("data-md-color-scheme") == "default"
    toggle = page.locator('label[for="__palette_1"]')
    if toggle.count() == 0:
        toggle = page.locator('[data-md-component="palette"] label').first
    assert toggle.count() >= 1, "no light/dark toggle"
    toggle.first.click()
    page.wait_for_function("() => document.body.getAttribute('data-md-color-scheme') === 'slate'")

    page.reload()
    assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"
    dark = wait_for_charts(page, minimum=len(light))
    assert all(chart["marks"] > 0 for chart in dark)
    # salesperf.js draws with Vega's dark theme in the slate scheme: no white chart boxes.
    assert {chart["background"] for chart in light} == {"rgb(255, 255, 255)"}
    assert "rgb(255, 255, 255)" not in {chart["background"] for chart in dark}
    tab.assert_clean()
