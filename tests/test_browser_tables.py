"""Tables in headless Chromium: the value ratio in the first view of ``/reps/``, the filter box, keyboard
sorting with aria-sort, the 390 px layout, and, on the 1,000-rep company, pages under 1 MB and a
``/reps/`` index that is sortable and filterable within 2 s of navigation."""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser import Site, Tab

if TYPE_CHECKING:
    from playwright.sync_api import Locator

RATIO = "th[data-field='value&#95;ratio'], th[data-field='value_ratio']"

_ROWS = """() => [...document.querySelector('.sp-index table').tBodies[0].rows]
  .map(r => r.cells[0].textContent.trim())"""

_CELLS = """(field) => {
  const table = document.querySelector('.sp-index table');
  const index = [...table.tHead.rows[0].cells].findIndex(h => h.dataset.field === field);
  return [...table.tBodies[0].rows].map(r => r.cells[index].getAttribute('data-value'));
}"""


def _fold(name: str) -> str:
    """A name as a locale's collation orders it, roughly: accents dropped, case ignored."""
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)
    ).casefold()
    return plain.translate(str.maketrans({"ø": "o", "æ": "ae", "ł": "l", "đ": "d"}))


def _ratio_header(tab: Tab) -> Locator:
    return tab.page.locator(".sp-index table thead th[data-field='value_ratio']")


def _values(tab: Tab, field: str) -> list[float | None]:
    return [None if v in (None, "") else float(v) for v in tab.page.evaluate(_CELLS, field)]


def test_value_ratio_is_in_the_first_view(
    example_site: Site, open_tab: Callable[[Site], Tab]
) -> None:
    tab = open_tab(example_site)
    tab.page.set_viewport_size({"width": 1440, "height": 900})
    tab.goto("/reps/")
    box = _ratio_header(tab).bounding_box()
    assert box is not None
    print(
        f"\nvalue ratio header at x={box['x']:.0f}..{box['x'] + box['width']:.0f}, y={box['y']:.0f} (1,440 × 900)"
    )
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1440
    assert box["y"] >= 0 and box["y"] + box["height"] <= 900
    # Sorted by value ratio by default: the ranked reps highest first, then the reps in no ranking
    # (marked), then the empty ratios.
    ratios = _values(tab, "value_ratio")
    known = [r for r in ratios if r is not None]
    assert ratios[: len(known)] == known, "an empty ratio sorts before a known one"
    marked = tab.page.evaluate(
        "() => [...document.querySelectorAll('.sp-index tbody tr')]"
        ".map(r => Boolean(r.querySelector('.sp-unranked')))"
    )[: len(known)]
    ranked = [r for r, m in zip(known, marked, strict=True) if not m]
    others = [r for r, m in zip(known, marked, strict=True) if m]
    assert known == ranked + others and len(ranked) > 1
    assert ranked == sorted(ranked, reverse=True) and others == sorted(others, reverse=True)
    assert _ratio_header(tab).get_attribute("aria-sort") == "descending"
    tab.assert_clean()


def test_filter_leaves_the_named_rep(example_site: Site, open_tab: Callable[[Site], Tab]) -> None:
    reps = example_site.reps()
    rep = reps[len(reps) // 2]
    tab = open_tab(example_site)
    tab.goto("/reps/")
    before = tab.page.evaluate(_ROWS)
    assert len(before) == len(reps)
    tab.page.locator(".sp-index input.sp-filter").press_sequentially(rep["name"])
    tab.page.wait_for_function(
        "(n) => Number(document.querySelector('.sp-index').dataset.shown) < n", arg=len(reps)
    )
    after = tab.page.evaluate(_ROWS)
    assert rep["name"] in after
    assert len(after) < len(before)
    texts = tab.page.evaluate(
        "() => [...document.querySelectorAll('.sp-index tbody tr')].map(r => r.textContent)"
    )
    assert all(rep["name"].lower() in t.lower() for t in texts)
    print(f"\nfilter {rep['name']!r}: {len(after)} of {len(before)} rows left")
    assert "of" in tab.page.locator(".sp-index .sp-count").inner_text()
    # Clearing the box brings every rep back.
    tab.page.locator(".sp-index input.sp-filter").fill("")
    tab.page.wait_for_function(
        "(n) => document.querySelector('.sp-index').dataset.shown === String(n)", arg=len(reps)
    )
    assert sorted(tab.page.evaluate(_ROWS)) == sorted(before)
    tab.assert_clean()


def test_filter_finds_a_rep_by_id(example_site: Site, open_tab: Callable[[Site], Tab]) -> None:
    """No column shows the id, yet the box says "name, id, team or region": REP-001 leaves its rep."""
    rep = next(r for r in example_site.reps() if r["rep_id"] == "REP-001")
    tab = open_tab(example_site)
    tab.goto("/reps/")
    tab.page.locator(".sp-index input.sp-filter").press_sequentially("rep-001")
    tab.page.wait_for_function("() => document.querySelector('.sp-index').dataset.shown === '1'")
    assert tab.page.evaluate(_ROWS) == [rep["name"]]
    tab.assert_clean()


def test_filter_ignores_accents(example_site: Site, open_tab: Callable[[Site], Tab]) -> None:
    import unicodedata

    rep = next(r for r in example_site.reps() if not r["name"].isascii())
    plain = "".join(
        c for c in unicodedata.normalize("NFD", rep["name"]) if not unicodedata.combining(c)
    ).lower()
    tab = open_tab(example_site)
    tab.goto("/reps/")
    tab.page.locator(".sp-index input.sp-filter").press_sequentially(plain)
    tab.page.wait_for_function("() => document.querySelector('.sp-index').dataset.shown === '1'")
    assert tab.page.evaluate(_ROWS) == [rep["name"]]
    tab.assert_clean()


def test_ranked_reps_come_first_and_the_others_are_marked(
    example_site: Site, open_tab: Callable[[Site], Tab]
) -> None:
    reps = {r["name"]: r for r in example_site.reps()}
    tab = open_tab(example_site)
    tab.goto("/reps/")
    names = tab.page.evaluate(_ROWS)
    ranked = [reps[n]["ranked"] == "True" for n in names]
    assert ranked == sorted(ranked, reverse=True) and any(ranked) and not all(ranked)
    marked = tab.page.evaluate(
        "() => [...document.querySelectorAll('.sp-index tbody tr')]"
        ".filter(r => r.querySelector('.sp-unranked')).length"
    )
    with_ratio = [n for n in names if reps[n]["value_ratio"] not in ("", None)]
    assert marked == sum(reps[n]["ranked"] != "True" for n in with_ratio)
    tab.assert_clean()


def test_team_select_narrows_the_rows(example_site: Site, open_tab: Callable[[Site], Tab]) -> None:
    reps = example_site.reps()
    team = sorted({r["team"] for r in reps if r["team"]})[0]
    tab = open_tab(example_site)
    tab.goto("/reps/")
    tab.page.locator(".sp-index select[data-field='team']").select_option(team)
    tab.page.wait_for_function(
        "(n) => document.querySelector('.sp-index').dataset.shown === String(n)",
        arg=sum(1 for r in reps if r["team"] == team),
    )
    shown = set(tab.page.evaluate(_ROWS))
    assert shown == {r["name"] for r in reps if r["team"] == team}
    tab.assert_clean()


def test_sorting_by_keyboard_sets_aria_sort(
    example_site: Site, open_tab: Callable[[Site], Tab]
) -> None:
    tab = open_tab(example_site)
    tab.goto("/reps/")
    header = tab.page.locator(".sp-index table thead th[data-field='revenue']")
    button = header.locator("button.sp-sort")
    assert button.count() == 1, "the header is not a button"
    button.focus()
    tab.page.keyboard.press("Enter")
    assert header.get_attribute("aria-sort") == "descending"
    assert _ratio_header(tab).get_attribute("aria-sort") is None
    revenue = [v for v in _values(tab, "revenue") if v is not None]
    assert revenue == sorted(revenue, reverse=True) and len(revenue) > 1
    tab.page.keyboard.press("Space")
    assert header.get_attribute("aria-sort") == "ascending"
    values = _values(tab, "revenue")
    revenue = [v for v in values if v is not None]
    assert revenue == sorted(revenue)
    assert values[: len(revenue)] == revenue  # empty last in either direction
    # Text columns sort by their text.
    name = tab.page.locator(".sp-index table thead th[data-field='name'] button")
    name.focus()
    tab.page.keyboard.press("Enter")
    names = tab.page.evaluate(_ROWS)
    folded = [_fold(n) for n in names]
    assert folded == sorted(folded), names
    tab.assert_clean()


def test_name_and_ratio_visible_at_390px(
    example_site: Site, open_tab: Callable[[Site], Tab]
) -> None:
    tab = open_tab(example_site)
    tab.page.set_viewport_size({"width": 390, "height": 844})
    tab.goto("/reps/")
    for field in ("name", "value_ratio"):
        box = tab.page.locator(f".sp-index table thead th[data-field='{field}']").bounding_box()
        assert box is not None, field
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (field, box)
        cell = (
            tab.page.locator(".sp-index table tbody tr")
            .first.locator("td")
            .nth(0 if field == "name" else 1)
            .bounding_box()
        )
        assert cell is not None and cell["x"] + cell["width"] <= 390, (field, cell)
    # Scrolled sideways, the name column stays put (sticky).
    tab.page.evaluate(
        "() => { const w = document.querySelector('.sp-index .md-typeset__scrollwrap');"
        " w.scrollLeft = w.scrollWidth; }"
    )
    first = tab.page.locator(".sp-index table tbody tr").first.locator("td").first.bounding_box()
    assert first is not None and first["x"] >= 0 and first["x"] < 60
    tab.assert_clean()


def test_more_columns_toggle(example_site: Site, open_tab: Callable[[Site], Tab]) -> None:
    tab = open_tab(example_site)
    tab.goto("/reps/")
    hidden = tab.page.locator(".sp-index table thead th[data-field='mean_client_ltv']")
    assert not hidden.is_visible()
    tab.page.locator(".sp-index .sp-more-toggle input").check()
    assert hidden.is_visible()
    tab.assert_clean()


def test_rep_page_has_one_download_menu(
    example_site: Site, open_tab: Callable[[Site], Tab]
) -> None:
    rep = example_site.reps()[0]
    tab = open_tab(example_site)
    tab.goto("/" + rep["url"])
    assert tab.page.get_by_role("link", name="Download CSV").count() == 0
    menu = tab.page.locator("details.sp-downloads")
    assert menu.count() == 1
    menu.locator("summary").click()
    links = menu.locator("a[download]")
    assert links.count() >= 3
    for href in [links.nth(i).evaluate("(a) => a.href") for i in range(links.count())]:
        response = tab.page.request.get(href)
        assert response.status == 200 and response.text().strip(), href
    # The manager's name links to their page.
    assert tab.page.locator("article p a[href*='managers/']").count() == 1
    tab.assert_clean()


# --- the 1,000-rep company -----------------------------------------------------------------------

MEGABYTE = 1_000_000


def test_no_page_over_a_megabyte_at_scale(scale_build: Path) -> None:
    pages = sorted(scale_build.rglob("*.html"))
    assert len(pages) > 1_000
    sizes = {str(p.relative_to(scale_build)): p.stat().st_size for p in pages}
    largest = sorted(sizes.items(), key=lambda item: -item[1])[:5]
    print("\nlargest pages:", ", ".join(f"{name} {size / 1e3:,.0f} kB" for name, size in largest))
    assert [name for name, size in sizes.items() if size > MEGABYTE] == []
    goals = sizes["goals/index.html"]
    assert goals < MEGABYTE / 2, f"/goals/ is {goals:,} bytes"


def test_reps_index_is_interactive_quickly_at_scale(
    scale_site: Site, open_tab: Callable[[Site], Tab]
) -> None:
    reps = scale_site.reps()
    assert len(reps) >= 1_000
    rep = reps[len(reps) // 3]
    tab = open_tab(scale_site)
    start = time.perf_counter()
    tab.goto("/reps/")
    box = tab.page.locator(".sp-index input.sp-filter")
    box.fill(rep["name"])
    tab.page.wait_for_function(
        "(name) => { const t = document.querySelector('.sp-index');"
        " return t.dataset.loaded === '1' || !t.dataset.rowsSrc ? "
        " [...t.querySelectorAll('tbody tr')].some(r => r.cells[0].textContent.trim() === name) &&"
        " Number(t.dataset.shown) < 50 : false; }",
        arg=rep["name"],
    )
    elapsed = tab.page.evaluate("() => performance.now()") / 1000
    wall = time.perf_counter() - start
    print(
        f"\n/reps/ at {len(reps):,} reps: first successful filter {elapsed:.2f} s after navigation start "
        f"({wall:.2f} s wall clock)"
    )
    assert elapsed < 2.0 * 3, "generous bound (2 s target) for a shared CI machine"
    names = tab.page.evaluate(_ROWS)
    assert rep["name"] in names and len(names) < 50

    # Every rep is reachable (not just the first page): clear the filter, show all.
    box.fill("")
    tab.page.wait_for_function(
        "(n) => document.querySelector('.sp-index').dataset.shown === String(n)", arg=len(reps)
    )
    assert tab.page.locator(".sp-index tbody tr").count() <= 100  # paginated
    # Sorting reorders every row, not only the visible page: the lowest revenue comes first.
    header = tab.page.locator(".sp-index table thead th[data-field='revenue']")
    sort_start = time.perf_counter()
    header.locator("button").click()
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    lowest = min(float(r["revenue"]) for r in reps if r["revenue"] != "")
    first = _values(tab, "revenue")[0]
    print(f"two sorts of {len(reps):,} rows: {time.perf_counter() - sort_start:.2f} s")
    assert first == pytest.approx(lowest, rel=1e-8)
    tab.page.locator(".sp-pager button", has_text="Show all").click()
    assert tab.page.locator(".sp-index tbody tr").count() == len(reps)
    tab.assert_clean()


def test_goals_history_in_year_tabs(example_site: Site, open_tab: Callable[[Site], Tab]) -> None:
    tab = open_tab(example_site)
    tab.page.set_viewport_size({"width": 1440, "height": 900})
    tab.goto("/goals/")
    labels = tab.page.locator(".tabbed-set .tabbed-labels label")
    assert labels.count() >= 2
    years = labels.all_inner_texts()
    assert years == sorted(years, reverse=True), "the latest year first"
    blocks = tab.page.locator(".tabbed-set .tabbed-content > .tabbed-block")
    assert blocks.nth(0).is_visible() and not blocks.nth(1).is_visible()
    labels.nth(1).click()
    assert blocks.nth(1).is_visible() and not blocks.nth(0).is_visible()
    # Each year lists at most its top and bottom ten goals (and a line saying how many more).
    rows = blocks.nth(1).locator("tbody tr:not(.sp-gap)").count()
    assert 0 < rows <= 20
    height = tab.page.evaluate("document.documentElement.scrollHeight")
    print(f"\n/goals/ is {height:,} px tall at 1,440 px")
    assert height < 15_000
    tab.assert_clean()


_BOXES = """() => [...document.querySelectorAll('.sp-table')].map(t => {
  const box = t.querySelector('.md-typeset__scrollwrap') || t;
  return {long: t.classList.contains('sp-long'), rows: t.querySelectorAll('tbody tr').length,
          maxHeight: getComputedStyle(box).maxHeight, inner: box.scrollHeight - box.clientHeight};
})"""


@pytest.mark.parametrize("path", ["/goals/", "/"])
def test_short_lists_show_whole_rows_without_an_inner_scroll_box(
    example_site: Site, open_tab: Callable[[Site], Tab], path: str
) -> None:
    """A top-and-bottom list (goals, overview) at a phone's width has no max-height and no inner
    vertical scroll: no row is cut in half at the bottom of a box."""
    tab = open_tab(example_site)
    tab.page.set_viewport_size({"width": 390, "height": 844})
    tab.goto(path)
    tab.page.wait_for_selector(".sp-table .md-typeset__scrollwrap", state="attached")
    boxes = tab.page.evaluate(_BOXES)
    short = [b for b in boxes if not b["long"]]
    assert short, f"{path} has short tables"
    for box in short:
        assert box["maxHeight"] == "none" and box["inner"] <= 1, box
    if path == "/goals/":
        assert any(b["rows"] >= 20 for b in short), "the goals' top and bottom 10 is a short list"
