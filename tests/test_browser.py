"""The built site in a real browser: headless Chromium (Playwright) against a site served on 127.0.0.1.

Two sites are built once per module: the bundled example (``config/example.yaml``) and the hostile
CRM fixture of ``tests/conftest.py`` (a rep named ``<script>alert(1)</script>``, one named with a
spreadsheet formula). Every page opened records requests that leave the local server, console
errors, uncaught page errors, failed local responses and dialogs (a dialog means a script ran).

Skipped only when Chromium is absent; with ``SALESPERF_REQUIRE_BROWSER=1`` (set by ``.ci/run``) a
missing Chromium fails instead, so CI can never pass without running these tests.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import shutil
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from generator.build import build
from generator.site.text import slug
from tests.conftest import FORMULA_NAME, XSS_NAME, write_crm_export

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CONFIG = ROOT / "config" / "example.yaml"
REQUIRE_BROWSER = os.environ.get("SALESPERF_REQUIRE_BROWSER", "") not in ("", "0")


def _find_chromium() -> str | None:
    override = os.environ.get("SALESPERF_CHROMIUM")
    if override:
        return override if Path(override).is_file() else None
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


CHROMIUM = _find_chromium()
if CHROMIUM is None:
    _reason = (
        f"Chromium not found at SALESPERF_CHROMIUM={os.environ['SALESPERF_CHROMIUM']}"
        if os.environ.get("SALESPERF_CHROMIUM")
        else "Chromium is not installed (no /usr/bin/chromium, no chromium on PATH; "
        "apt-get install chromium)"
    )
    if REQUIRE_BROWSER:
        pytest.fail(f"SALESPERF_REQUIRE_BROWSER is set but {_reason}", pytrace=False)
    pytest.skip(_reason, allow_module_level=True)

from playwright.sync_api import Browser, Page, Response, sync_playwright  # noqa: E402
from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 15_000
REPS_HEADER = "rep_id,name,team,region,clients,mean_client_ltv"
SLUG = re.compile(r"^[a-z0-9-]+$")

# ---------------------------------------------------------------------------------------------
# Serving a built site


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A browser dropping a keep-alive connection is not a failure; anything else is shown.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def _serve(root: Path) -> Iterator[str]:
    server = _Server(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, name=f"serve {root}", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass(frozen=True)
class Site:
    """A built site and the origin serving it (``http://127.0.0.1:<port>``, no trailing slash)."""

    root: Path
    origin: str

    def url(self, path: str) -> str:
        return self.origin + path

    def reps(self) -> list[dict[str, str]]:
        """The data rows of ``data/reps.csv``, as published."""
        with (self.root / "data" / "reps.csv").open(encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    if not EXAMPLE_CONFIG.is_file():
        pytest.skip(
            f"{EXAMPLE_CONFIG.relative_to(ROOT)} is missing (make it with "
            "`salesperf sample --out data/sample --config config/example.yaml`)"
        )
    result = build(EXAMPLE_CONFIG, tmp_path_factory.mktemp("example") / "site")
    with _serve(result.out) as origin:
        yield Site(result.out, origin)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    result = build(write_crm_export(tmp_path_factory.mktemp("hostile") / "export"))
    with _serve(result.out) as origin:
        yield Site(result.out, origin)


# ---------------------------------------------------------------------------------------------
# The browser and watched pages


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _is_external(url: str, origin: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return False
    return f"{parts.scheme}://{parts.netloc}" != origin


@dataclass
class Tab:
    """One page of one site, with everything suspicious it did recorded."""

    page: Page
    site: Site
    external: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    bad_responses: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def goto(self, path: str) -> Response:
        response = self.page.goto(self.site.url(path))
        assert response is not None, path
        assert response.status == 200, f"{path}: HTTP {response.status}"
        return response

    def assert_clean(self) -> None:
        assert self.dialogs == [], "a dialog opened: a script from the data was executed"
        assert self.external == [], f"requests left {self.site.origin}"
        assert self.page_errors == [], "uncaught JavaScript errors"
        assert self.console_errors == [], "console errors"
        assert self.bad_responses == [], "local requests failed"


@pytest.fixture
def open_tab(browser: Browser) -> Iterator[Callable[[Site], Tab]]:
    """``open_tab(site)``: a fresh page (own context: no shared storage) that records everything."""
    pages: list[Page] = []

    def open_(site: Site) -> Tab:
        page = browser.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        pages.append(page)
        tab = Tab(page, site)

        def on_dialog(dialog: Any) -> None:
            tab.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        def on_console(message: Any) -> None:
            if message.type == "error":
                tab.console_errors.append(f"{message.text} ({message.location.get('url')})")

        def on_response(response: Any) -> None:
            if response.status >= 400 and not _is_external(response.url, site.origin):
                tab.bad_responses.append(f"{response.status} {response.url}")

        page.on("dialog", on_dialog)
        page.on("console", on_console)
        page.on("pageerror", lambda error: tab.page_errors.append(str(error)))
        page.on("response", on_response)
        page.on(
            "request",
            lambda request: (
                _is_external(request.url, site.origin) and tab.external.append(request.url)
            ),
        )
        return tab

    yield open_
    for page in pages:
        page.context.close()


# ---------------------------------------------------------------------------------------------
# What is on a page

_CHARTS_SETTLED = """(minimum) => {
  const divs = [...document.querySelectorAll('div.sp-chart')];
  return divs.length >= minimum
    && divs.every(d => d.querySelector('svg') || d.textContent.includes('could not be drawn'));
}"""

_CHARTS = """() => [...document.querySelectorAll('div.sp-chart')].map(d => {
  const svg = d.querySelector('svg');
  return {
    label: d.getAttribute('aria-label') || d.getAttribute('data-spec'),
    error: svg ? '' : d.textContent.trim(),
    width: svg ? svg.getBoundingClientRect().width : 0,
    marks: svg ? svg.querySelectorAll('g.role-mark > *').length : 0,
    background: svg ? getComputedStyle(svg).backgroundColor : '',
  };
})"""

_H1_TEXT = """(h1) => [...h1.childNodes]
  .filter(n => !(n.nodeType === 1 && n.classList.contains('headerlink')))
  .map(n => n.textContent).join('').trim()"""


def wait_for_charts(page: Page, minimum: int) -> list[dict[str, Any]]:
    """Wait until every ``div.sp-chart`` holds an SVG (or gave up); every one must have drawn."""
    page.wait_for_function(_CHARTS_SETTLED, arg=minimum)
    charts = page.evaluate(_CHARTS)
    assert len(charts) >= minimum
    for chart in charts:
        assert chart["error"] == "", (
            f"{page.url}: chart {chart['label']!r} failed: {chart['error']}"
        )
        assert chart["width"] > 0, f"{page.url}: chart {chart['label']!r} has no size"
    return charts


def h1_text(page: Page) -> str:
    """The page title as a reader sees it (without the ¶ permalink)."""
    return page.locator("article h1").first.evaluate(_H1_TEXT)


def number(text: str) -> float | None:
    """A table cell as a number: ``1,234`` → 1234, ``46.2 %`` → 46.2, ``—`` or empty → None."""
    cleaned = re.sub(r"[,%\s\u00a0]", "", text)
    return None if cleaned in ("", "—") else float(cleaned)


def column(page: Page, index: int) -> list[str]:
    return page.evaluate(
        "(i) => [...document.querySelector('.sp-sortable table').tBodies[0].rows]"
        ".map(r => r.cells[i].textContent.trim())",
        index,
    )


def search(page: Page, text: str) -> list[str]:
    """Type ``text`` into Material's search box like a user; the result links (path and hash)."""
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially(text)
    page.wait_for_function(
        "() => (document.querySelector('.md-search-result__meta') || {}).textContent"
        " && document.querySelector('.md-search-result__meta').textContent.includes('match')"
    )
    return page.evaluate(
        "() => [...document.querySelectorAll('.md-search-result__item a[href]')]"
        ".map(a => a.pathname + a.hash)"
    )


def wait_for_result(page: Page, path: str) -> None:
    """Wait until a search result links to ``path`` (results may arrive after the first render)."""
    try:
        page.wait_for_function(
            "(path) => [...document.querySelectorAll('.md-search-result__item a[href]')]"
            ".some(a => a.pathname === path)",
            arg=path,
            timeout=10_000,
        )
    except PlaywrightTimeout:
        links = page.evaluate(
            "() => [...document.querySelectorAll('.md-search-result__item a[href]')].map(a => a.href)"
        )
        meta = page.locator(".md-search-result__meta").inner_text()
        pytest.fail(f"no search result links to {path}; {meta!r}: {links}")


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
    link = tab.page.get_by_role("link", name="Download CSV")
    assert link.count() >= 1, "no Download CSV link on /reps/"
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

    downloads = tab.page.get_by_role("link", name="Download CSV")
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
