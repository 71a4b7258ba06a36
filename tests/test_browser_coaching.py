"""/coaching/, /activity/ and a coached rep's page in headless Chromium: charts drawn with marks,
no console error, nothing loaded from another host."""

from __future__ import annotations

import csv
from collections.abc import Callable

import pytest

from tests.browser import Site, Tab, h1_text, wait_for_charts

pytestmark = pytest.mark.browser


def _coached_slug(site: Site) -> str:
    """The page slug of a rep with a coaching engagement that has both windows."""
    with (site.root / "data" / "coaching_events.csv").open(encoding="utf-8", newline="") as f:
        events = [row for row in csv.DictReader(f) if row["included"] == "True"]
    slugs = {row["rep_id"]: row["url"].split("/")[1] for row in site.reps()}
    return slugs[events[0]["rep_id"]]


def _drawn(tab: Tab, minimum: int, *ids: str) -> list[dict]:
    """Every chart drawn with marks, including those with the ``ids`` given (vega-embed replaces
    the aria-label, so charts are found by their spec id)."""
    charts = wait_for_charts(tab.page, minimum=minimum)
    for chart in charts:
        assert chart["marks"] > 0, f"chart {chart['label']!r} drew no marks"
    for element_id in ids:
        marks = tab.page.locator(
            f'div.sp-chart[data-spec="{element_id}"] svg g.role-mark > *'
        ).count()
        assert marks > 0, f"{element_id}: not drawn"
    return charts


def test_coaching_page(example_site: Site, open_tab: Callable[[Site], Tab]) -> None:
    tab = open_tab(example_site)
    tab.goto("/coaching/")
    assert h1_text(tab.page) == "Does coaching pay?"
    _drawn(tab, 1, "chart-coaching-effect")
    verdicts = tab.page.locator("article ul li").all_inner_texts()
    assert any(
        "All" not in v and ("Not enough data yet" in v or "Revenue" in v or "No clear effect" in v)
        for v in verdicts
    )
    assert tab.page.locator('a[href$="data/coaching_effect.csv"]').count() == 1
    tab.assert_clean()


def test_activity_page(example_site: Site, open_tab: Callable[[Site], Tab]) -> None:
    tab = open_tab(example_site)
    tab.goto("/activity/")
    assert h1_text(tab.page) == "Activity versus performance"
    _drawn(tab, 2, "chart-activity-scatter", "chart-activity-correlation")
    assert "not performance" in tab.page.locator("article").inner_text()
    # The per-rep table is in name order, never in activity order.
    names = tab.page.evaluate(
        "() => [...[...document.querySelectorAll('.sp-sortable table')].at(-1).tBodies[0].rows]"
        ".map(r => r.cells[0].textContent.trim())"
    )
    assert len(names) > 10 and names == sorted(names)
    assert tab.page.locator('a[href$="data/activity.csv"]').count() == 1
    tab.assert_clean()


def test_rep_page_shows_coaching_timeline_and_activity_mix(
    example_site: Site, open_tab: Callable[[Site], Tab]
) -> None:
    tab = open_tab(example_site)
    tab.goto(f"/reps/{_coached_slug(example_site)}/")
    _drawn(tab, 4, "chart-rep-coaching", "chart-rep-activity")
    # The coaching periods are drawn as shaded rectangles on the revenue line.
    assert tab.page.locator('div[data-spec="chart-rep-coaching"] svg g.mark-rect path').count() >= 1
    assert tab.page.locator('div[data-spec="chart-rep-coaching"] svg g.mark-line path').count() == 1
    text = tab.page.locator("article").inner_text()
    assert "Anecdotal: one rep is not evidence" in text
    assert "Activity mix" in text
    tab.assert_clean()
