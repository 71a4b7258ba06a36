"""Trends, managers and projections in a real browser: every new page and section draws its charts
locally, with no console error and no request to another host (issue 6)."""

from __future__ import annotations

import csv
from collections.abc import Callable

import pytest

from tests.browser import Site, Tab, h1_text, wait_for_charts

pytestmark = pytest.mark.browser


def _rows(site: Site, name: str) -> list[dict[str, str]]:
    with (site.root / "data" / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _drawn(tab: Tab, minimum: int) -> set[str]:
    """Wait for every chart; each must draw data marks. Returns the charts' ids (data-spec)."""
    charts = wait_for_charts(tab.page, minimum=minimum)
    for chart in charts:
        assert chart["marks"] > 0, f"{tab.page.url}: chart {chart['label']!r} drew no data marks"
    return set(
        tab.page.evaluate(
            "() => [...document.querySelectorAll('div.sp-chart')].map(d => d.dataset.spec)"
        )
    )


def test_trends_page(example_site: Site, open_tab: Callable[[Site], Tab]) -> None:
    tab = open_tab(example_site)
    tab.goto("/trends/")
    assert h1_text(tab.page) == "Trends"
    assert {"chart-trends-quarters", "chart-trends-win-rate", "chart-trends-regions"} <= _drawn(
        tab, minimum=4
    )
    body = tab.page.locator("article").inner_text()
    assert "2025 Q4" in body and "same definitions" in body
    assert "attribution changed from account owner" in body  # metrics.definition_changes, dated
    history = _rows(example_site, "history.csv")
    assert {r["level"] for r in history} == {
        "company",
        "team",
        "manager",
        "region",
        "category",
        "channel",
        "rep",
    }
    tab.page.wait_for_load_state("networkidle")
    tab.assert_clean()


def test_managers_page(example_site: Site, open_tab: Callable[[Site], Tab]) -> None:
    tab = open_tab(example_site)
    tab.goto("/managers/")
    assert h1_text(tab.page) == "Managers"
    _drawn(tab, minimum=2)
    managers = {r["manager"] for r in _rows(example_site, "manager_history.csv")}
    tab.page.locator(
        ".sp-more-toggle input"
        # every column of the wide tables, all tabs
    ).first.check()
    tab.page.evaluate(
        "() => document.querySelectorAll('.sp-more-toggle input').forEach(i => { i.checked = true; })"
    )
    body = tab.page.locator("article").inner_text()
    assert managers and all(m in body for m in managers)
    assert "Reps compared" in body and "Retention" in body
    leavers = _rows(example_site, "manager_leavers.csv")
    assert leavers and leavers[0]["name"] in body
    tab.page.wait_for_load_state("networkidle")
    tab.assert_clean()


def test_forecast_page(example_site: Site, open_tab: Callable[[Site], Tab]) -> None:
    tab = open_tab(example_site)
    tab.goto("/forecast/")
    assert h1_text(tab.page) == "Forecast"
    assert {
        "chart-forecast-company",
        "chart-forecast-backtest",
        "chart-forecast-teams",
        "chart-forecast-regions",
    } <= _drawn(tab, minimum=4)
    body = tab.page.locator("article").inner_text()
    assert "not enough history" in body
    assert "beats the baseline" in body or "does not beat the naive baseline" in body
    company = next(r for r in _rows(example_site, "forecast.csv") if r["level"] == "company")
    # the figure on the page is the one in the CSV
    assert f"{float(company['forecast']):,.0f}" in body
    tab.page.wait_for_load_state("networkidle")
    tab.assert_clean()


def test_rep_with_short_history_shows_no_number(
    example_site: Site, open_tab: Callable[[Site], Tab]
) -> None:
    short = [
        r
        for r in _rows(example_site, "forecast.csv")
        if r["level"] == "rep" and r["method"] == "not enough history"
    ]
    assert short, "the example has no rep with under a year of history"
    assert short[0]["forecast"] == ""  # an empty cell, never 0
    rep = next(r for r in example_site.reps() if r["rep_id"] == short[0]["id"])
    tab = open_tab(example_site)
    tab.goto("/" + rep["url"])
    section = tab.page.locator("article").inner_text()
    assert "Not enough history" in section
    assert "History by quarter" in section
    _drawn(tab, minimum=3)
    tab.assert_clean()


def test_rep_and_team_pages_show_history_and_projection(
    example_site: Site, open_tab: Callable[[Site], Tab]
) -> None:
    projected = next(
        r
        for r in _rows(example_site, "forecast.csv")
        if r["level"] == "rep" and r["method"] == "Holt-Winters"
    )
    rep = next(r for r in example_site.reps() if r["rep_id"] == projected["id"])
    tab = open_tab(example_site)
    tab.goto("/" + rep["url"])
    assert {"chart-rep-quarters", "chart-rep-forecast"} <= _drawn(tab, minimum=4)
    tab.assert_clean()

    tab.goto("/teams/")
    tab.page.locator(".sp-sortable table tbody tr a[href]").first.click()
    tab.page.wait_for_url("**/teams/*/")
    assert {"chart-team-quarters", "chart-team-forecast"} <= _drawn(tab, minimum=5)
    body = tab.page.locator("article").inner_text()
    assert "Management" in body and "Projection" in body
    tab.assert_clean()


def test_methodology_documents_history_managers_and_projections(
    example_site: Site, open_tab: Callable[[Site], Tab]
) -> None:
    tab = open_tab(example_site)
    tab.goto("/methodology/")
    headings = tab.page.locator("article h2").all_inner_texts()
    for title in ("Consistent history", "Management", "Projections"):
        assert any(h.strip().startswith(title) for h in headings), headings
    body = tab.page.locator("article").inner_text()
    assert "2024-01-01" in body and "proportional" in body and "seasonal-naive" in body
    tab.assert_clean()


def test_manager_permalink_page(example_site: Site, open_tab: Callable[[Site], Tab]) -> None:
    tab = open_tab(example_site)
    tab.goto("/managers/")
    first = tab.page.locator(".sp-sortable table tbody tr a[href]").first
    name = first.inner_text().strip()
    first.click()
    tab.page.wait_for_url("**/managers/*/")
    assert h1_text(tab.page) == name
    assert {"chart-manager-revenue", "chart-manager-quarters"} <= _drawn(tab, minimum=3)
    tab.assert_clean()
