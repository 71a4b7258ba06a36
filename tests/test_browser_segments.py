"""Browser checks of the segment and goals pages: charts drawn with marks, downloads, nothing off localhost."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from generator.site.text import slug
from tests.browser import Site, Tab, h1_text, wait_for_charts

pytestmark = pytest.mark.browser


def _chart_ids(tab: Tab) -> list[str]:
    return tab.page.evaluate(
        "() => [...document.querySelectorAll('div.sp-chart')].map(d => d.dataset.spec)"
    )


def _downloads_work(tab: Tab, path: str) -> None:
    # under a table, or in the page's "Download data" menu
    downloads = tab.page.locator("a[download]")
    assert downloads.count() >= 1, f"{path}: no CSV download"
    for href in [downloads.nth(i).evaluate("(a) => a.href") for i in range(downloads.count())]:
        response = tab.page.request.get(href)
        assert response.status == 200, f"{path}: download {href}: HTTP {response.status}"
        assert response.text().strip(), f"{path}: download {href} is empty"


@pytest.mark.parametrize("folder", ["regions", "categories", "channels"])
def test_segment_index_draws_charts_and_heatmaps(
    folder: str, example_site: Site, open_tab: Callable[[Site], Tab]
) -> None:
    tab = open_tab(example_site)
    tab.goto(f"/{folder}/")
    assert h1_text(tab.page) == folder.capitalize()
    # Revenue bars, the ranked ratio with intervals, and two heatmaps per cross view.
    charts = wait_for_charts(tab.page, minimum=4)
    assert all(chart["marks"] > 0 for chart in charts), charts
    ids = _chart_ids(tab)
    assert f"chart-{folder}-revenue" in ids and f"chart-{folder}-ratio" in ids
    assert any(i.endswith("_category-revenue") for i in ids) and any(
        i.endswith("_category-ratio") for i in ids
    )
    nav = tab.page.evaluate(
        "() => [...document.querySelectorAll('nav a')].map(a => a.textContent.trim())"
    )
    assert folder.capitalize() in nav and "Goals" in nav
    _downloads_work(tab, folder)
    tab.page.wait_for_load_state("networkidle")
    tab.assert_clean()


def test_a_region_page_from_its_index(example_site: Site, open_tab: Callable[[Site], Tab]) -> None:
    tab = open_tab(example_site)
    tab.goto("/regions/")
    hrefs = tab.page.evaluate(
        "() => [...document.querySelectorAll('article table a[href]')].map(a => a.getAttribute('href'))"
    )
    regions = sorted({h for h in hrefs if re.fullmatch(r"[a-z0-9-]+/", h)})
    emea = slug("EMEA")
    assert f"{emea}/" in regions
    tab.goto(f"/regions/{emea}/")
    assert h1_text(tab.page) == "EMEA"
    charts = wait_for_charts(tab.page, minimum=2)
    assert all(chart["marks"] > 0 for chart in charts)
    assert tab.page.get_by_role("heading", name=re.compile("By business category")).count() == 1
    _downloads_work(tab, f"/regions/{emea}/")
    tab.page.wait_for_load_state("networkidle")
    tab.assert_clean()


def test_goals_page(example_site: Site, open_tab: Callable[[Site], Tab]) -> None:
    tab = open_tab(example_site)
    tab.goto("/goals/")
    assert h1_text(tab.page) == "Goals and rewards"
    charts = wait_for_charts(tab.page, minimum=2)
    assert all(chart["marks"] > 0 for chart in charts)
    body = tab.page.locator("article").inner_text()
    # The example's as_of is the year's last day: its goals are met or missed, not paced.
    for words in (
        "The year has ended",
        "missed",
        "nobody reaches it",
        "everybody beats it",
        "Rewards earned",
    ):
        assert words in body, words
    _downloads_work(tab, "/goals/")
    tab.page.wait_for_load_state("networkidle")
    tab.assert_clean()


def test_rep_and_team_pages_show_goals(example_site: Site, open_tab: Callable[[Site], Tab]) -> None:
    tab = open_tab(example_site)
    for path in (f"/reps/{slug('REP-003')}/", "/teams/"):
        tab.goto(path)
        if path == "/teams/":
            href = tab.page.locator("article table a[href]").first.get_attribute("href")
            tab.goto(f"/teams/{href}")
        assert tab.page.get_by_role("heading", name=re.compile("^Goals")).count() == 1
        charts = wait_for_charts(tab.page, minimum=3)
        ids = _chart_ids(tab)
        scope = "rep" if path.startswith("/reps/") else "team"
        assert charts[ids.index(f"chart-{scope}-goals")]["marks"] > 0
    tab.page.wait_for_load_state("networkidle")
    tab.assert_clean()


def test_segment_pages_of_the_hostile_fixture(
    hostile_site: Site, open_tab: Callable[[Site], Tab]
) -> None:
    tab = open_tab(hostile_site)
    tab.goto("/regions/")
    wait_for_charts(tab.page, minimum=1)
    tab.goto("/goals/")
    tab.page.wait_for_load_state("networkidle")
    tab.assert_clean()
