"""Browser checks of the overview dashboard: six KPI cards with the currency, their sparklines and the
"Needs attention" links, at a desktop width (1,440 px) and a phone width (390 px), with no console error."""

from __future__ import annotations

import csv
from collections.abc import Callable

import pytest

from tests.browser import Site, Tab

pytestmark = pytest.mark.browser

_CARDS = """() => [...document.querySelectorAll('.grid.cards.sp-kpis > ul > li')].map(li => {
  const box = li.getBoundingClientRect();
  const spark = li.querySelector('svg.sp-spark');
  return {
    figure: li.dataset.figure,
    label: li.querySelector('.sp-kpi-label').textContent,
    value: li.querySelector('.sp-kpi-value').textContent,
    change: li.querySelector('.sp-kpi-change').textContent,
    left: box.left, right: box.right, top: box.top, width: box.width,
    spark: spark ? spark.getBoundingClientRect().width : 0,
    sparkName: spark ? spark.getAttribute('aria-label') : '',
    border: getComputedStyle(li).borderTopStyle,
  };
})"""


@pytest.mark.parametrize(("width", "per_row"), [(1440, 3), (390, 2)])
def test_overview_shows_six_kpi_cards_with_currency(
    example_site: Site, open_tab: Callable[[Site], Tab], width: int, per_row: int
) -> None:
    tab = open_tab(example_site)
    tab.page.set_viewport_size({"width": width, "height": 900})
    tab.goto("/")
    tab.page.wait_for_selector(".grid.cards.sp-kpis")
    cards = tab.page.evaluate(_CARDS)
    assert [c["figure"] for c in cards] == [
        "revenue",
        "won_deals",
        "win_rate",
        "new_clients",
        "mean_client_ltv",
        "median_value_ratio",
    ]
    by_figure = {c["figure"]: c for c in cards}
    # The example's figures, as data/headlines.csv has them, written in the site's one money format.
    with (example_site.root / "data" / "headlines.csv").open(encoding="utf-8") as f:
        headlines = {row["figure"]: row for row in csv.DictReader(f)}
    assert float(headlines["revenue"]["value"]) == pytest.approx(101_272_100.17)
    assert by_figure["revenue"]["value"] == "$101.3M"
    assert by_figure["mean_client_ltv"]["value"] == "$302.6K"
    assert by_figure["won_deals"]["value"] == "855" and by_figure["win_rate"]["value"] == "45.0 %"
    assert by_figure["median_value_ratio"]["value"] == "1.61"
    # The change says its direction in text (arrow and sign), not by colour alone.
    assert by_figure["revenue"]["change"].startswith("▲ up +29.2 %")
    for card in cards:
        assert card["border"] == "solid", "not drawn as a Material grid card"
        assert card["spark"] > 0 and card["sparkName"].startswith(card["label"] + " by year: 2022 ")
        assert card["right"] <= width, f"card {card['figure']} runs off a {width} px screen"
    tops = sorted({round(c["top"]) for c in cards})
    assert len(tops) == 6 // per_row, (
        f"{width} px: {len(tops)} rows of cards, expected {6 // per_row}"
    )
    tab.assert_clean()


def test_needs_attention_links_to_the_pages(
    example_site: Site, open_tab: Callable[[Site], Tab]
) -> None:
    tab = open_tab(example_site)
    tab.page.set_viewport_size({"width": 1440, "height": 900})
    tab.goto("/")
    items = tab.page.locator("ul.sp-attention > li")
    topics = items.evaluate_all("(lis) => lis.map(li => li.dataset.topic)")
    assert topics[:2] == ["below_break_even", "goals"] and "data_quality" in topics
    first = items.first
    assert first.inner_text().startswith("6 rep(s) below break-even: Clara Moore (0.46)")
    # "and 1 more" leads to the full reps table; a name to that rep's page.
    first.get_by_role("link", name="Clara Moore").click()
    tab.page.wait_for_url("**/reps/rep-030-*/")
    assert "Clara Moore" in tab.page.locator("h1").inner_text()
    tab.page.go_back()
    more = tab.page.locator("ul.sp-attention > li").first.get_by_role("link", name="1 more")
    more.click()
    tab.page.wait_for_url("**/reps/")
    tab.assert_clean()
