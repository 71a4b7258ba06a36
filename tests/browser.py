"""Helpers of the browser tests: headless Chromium (Playwright) against a built site served on 127.0.0.1.

Importing this module skips the importing test module when Chromium is absent; with
``SALESPERF_REQUIRE_BROWSER=1`` (set by ``.ci/run``) a missing Chromium fails instead, so CI can
never pass without running the browser tests. The fixtures that use these helpers (``browser``,
``example_site``, ``hostile_site``, ``open_tab``) live in ``tests/conftest.py``, once per session.
"""

from __future__ import annotations

import contextlib
import csv
import os
import re
import shutil
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

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

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 15_000

# ---------------------------------------------------------------------------------------------
# Serving a built site, launching Chromium


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A browser dropping a keep-alive connection is not a failure; anything else is shown.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


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


@contextlib.contextmanager
def serve(root: Path) -> Iterator[Site]:
    """``root`` served read-only on a free port of 127.0.0.1 until the block ends."""
    server = _Server(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, name=f"serve {root}", daemon=True)
    thread.start()
    try:
        yield Site(root, f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextlib.contextmanager
def launch() -> Iterator[Browser]:
    """Headless Chromium, closed when the block ends."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


# ---------------------------------------------------------------------------------------------
# Watched pages


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
    console_warnings: list[str] = field(default_factory=list)
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


def watched_tab(browser: Browser, site: Site) -> Tab:
    """A fresh page (own context: no shared storage) that records requests leaving ``site``, console
    errors, uncaught page errors, failed local responses and dialogs (a dialog means a script ran)."""
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    tab = Tab(page, site)

    def on_dialog(dialog: Any) -> None:
        tab.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def on_console(message: Any) -> None:
        if message.type == "error":
            tab.console_errors.append(f"{message.text} ({message.location.get('url')})")
        elif message.type == "warning":
            tab.console_warnings.append(f"{message.text} ({message.location.get('url')})")

    def on_response(response: Any) -> None:
        if response.status >= 400 and not _is_external(response.url, site.origin):
            tab.bad_responses.append(f"{response.status} {response.url}")

    page.on("dialog", on_dialog)
    page.on("console", on_console)
    page.on("pageerror", lambda error: tab.page_errors.append(str(error)))
    page.on("response", on_response)
    page.on(
        "request",
        lambda request: _is_external(request.url, site.origin) and tab.external.append(request.url),
    )
    return tab


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
    """A table cell as a number: ``1,234`` → 1234, ``46.2 %`` → 46.2, ``4.63 not ranked`` → 4.63,
    ``—`` or empty → None."""
    cleaned = re.sub(r"[,%\s\u00a0]", "", text.replace("not ranked", ""))
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
