"""``salesperf serve`` in a real browser: MkDocs' reload script runs on our pages without an error,
and a page left open reloads by itself and shows the new figure after an export changes."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.browser import Site, wait_for_charts, watched_tab
from tests.conftest import write_crm_export
from tests.test_serve import REBUILD_BOUND_S, preview

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_an_open_page_reloads_with_the_new_figure(tmp_path: Path, browser: Browser) -> None:
    config = write_crm_export(tmp_path / "export")
    deals = tmp_path / "export" / "deals.csv"
    with preview(config) as served:
        rows = csv.DictReader(io.StringIO(served.get("/data/reps.csv")))
        rep_a = "/" + next(r["url"] for r in rows if r["rep_id"] == "A")
        tab = watched_tab(browser, Site(config.parent / "site", served.origin))
        try:
            console: list[str] = []
            tab.page.on("console", lambda message: console.append(message.text))
            tab.goto(rep_a)
            wait_for_charts(tab.page, minimum=1)
            article = tab.page.locator("article")
            assert "350,000" in article.inner_text() and "361,234" not in article.inner_text()
            tab.page.wait_for_function("() => document.readyState === 'complete'")
            assert "Enabled live reload" in console  # MkDocs' script ran on our page

            changed = time.monotonic()
            deals.write_text(
                deals.read_text(encoding="utf-8").replace('"$350,000.00"', '"$361,234.00"'),
                encoding="utf-8",
            )
            # No click, no navigation by the test: the page reloads itself when the rebuild is published.
            # While it reloads, the document may have no article yet: that is not a failure.
            tab.page.wait_for_function(
                "() => document.querySelector('article')?.innerText.includes('361,234') === true",
                timeout=REBUILD_BOUND_S * 1000,
            )
            print(
                f"export changed -> open page reloaded with the new figure: {time.monotonic() - changed:.1f} s"
            )
            wait_for_charts(tab.page, minimum=1)
            # loaded twice: once by us, once by itself
            assert console.count("Enabled live reload") == 2
            tab.assert_clean()
        finally:
            tab.page.context.close()
