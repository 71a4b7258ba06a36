"""Every relative link of every built page leads to a file of the site, whichever optional datasets a
build has (SPEC §4: a page exists only when its data does, and no page links to one that does not)."""

from __future__ import annotations

import logging
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from generator.build import build
from generator.config import load_config
from generator.site.permalinks import choice_html
from tests.conftest import write_crm_export

OPTIONAL = ("reps", "clients", "costs", "goals", "coaching", "activities")
"""Each build variant adds the next dataset to the deals: deals only, +reps, …, +activities."""

EXTRA_SOURCES = {
    "clients": (
        "clients.csv",
        "client_id,name,region,category\nC1,One,North,Retail\nC2,Two,South,Finance\n"
        "C3,Three,North,Retail\nC4,Four,,Finance\n",
    ),
    "goals": (
        "goals.csv",
        "scope,id,year,target,reward\nrep,A,2024,500000,Bonus\nteam,East,2024,900000,\n",
    ),
    "coaching": (
        "coaching.csv",
        "rep_id,start,end,kind,hours,cost\nA,2024-03-01,2024-03-02,Course,8,2000\n",
    ),
    "activities": (
        "activities.csv",
        "rep_id,date,kind,count\nA,2024-03-04,Call,20\nB,2024-03-04,Call,5\n"
        "A,2024-06-03,Email,12\n",
    ),
}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.targets.append(value)


def broken_links(site: Path, base_path: str | None = None) -> list[str]:
    """``page: link`` for every relative href or src of an HTML page that names no file of the site.

    With ``base_path`` (the path of site.base_url, e.g. ``/reports/``), links from the site's root
    (``/reports/assets/…``, as the 404 page writes them) are checked too: each must lie under it."""
    broken = []
    for page in sorted(site.rglob("*.html")):
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for target in parser.targets:
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not parts.path:
                continue  # another host (there are none: test_browser checks), or an anchor on the page
            if target.startswith("/"):
                if base_path is None:
                    continue
                if not parts.path.startswith(base_path):
                    broken.append(f"{page.relative_to(site)}: {target}")
                    continue
                resolved = (site / unquote(parts.path[len(base_path) :])).resolve()
            else:
                resolved = (page.parent / unquote(parts.path)).resolve()
            if parts.path.endswith("/") or resolved.is_dir():
                resolved = resolved / "index.html"
            if site.resolve() not in resolved.parents or not resolved.is_file():
                broken.append(f"{page.relative_to(site)}: {target}")
    return broken


CRM_SOURCES = {
    "deals": """  deals:
    path: deals.csv
    columns: {deal_id: Opportunity ID, rep_id: Opportunity Owner ID, client_id: Account ID,
              amount: Amount, stage: Stage, closed: Close Date, created: Created Date}
    options: {date_format: "%m/%d/%Y", skip_footer: 5}
""",
    "reps": """  reps:
    path: users.xlsx
    columns: {rep_id: User ID, name: Full Name, team: Team, manager: Manager, region: Region}
""",
    "costs": """  costs:
    path: costs.xlsx
    columns: {rep_id: Employee ID, year: Fiscal Year, salary: Base Salary, taxes: Payroll Taxes}
""",
}


def _variant(folder: Path, datasets: tuple[str, ...]) -> Path:
    """The CRM fixture's files with only the deals and ``datasets`` configured."""
    config = write_crm_export(folder)
    sources = CRM_SOURCES["deals"]
    for name in datasets:
        if name in EXTRA_SOURCES:
            filename, content = EXTRA_SOURCES[name]
            (folder / filename).write_text(content, encoding="utf-8")
            sources += f"  {name}: {{path: {filename}}}\n"
        else:
            sources += CRM_SOURCES[name]
    config.write_text(f"sources:\n{sources}", encoding="utf-8")
    return config


@pytest.mark.parametrize("count", range(len(OPTIONAL) + 1))
def test_no_link_to_a_page_the_build_does_not_make(
    tmp_path: Path, count: int, caplog: pytest.LogCaptureFixture
) -> None:
    datasets = OPTIONAL[:count]
    config = _variant(tmp_path / "export", datasets)
    with caplog.at_level(logging.WARNING, logger="mkdocs"):
        site = build(config, tmp_path / "site").out
    assert not broken_links(site), (datasets, broken_links(site))
    # MkDocs' own link validation agrees: no warning about a missing target.
    assert not [r.getMessage() for r in caplog.records if "not found" in r.getMessage()], datasets


def test_config_text_is_text_on_every_page(tmp_path: Path) -> None:
    """Config text is escaped like data text: a hostile site title or reward shows as typed, and runs nowhere
    (the currency is an ISO code, checked when the config is read)."""
    hostile = "</title><script>alert(1)</script>"
    config = _variant(tmp_path / "export", ("reps", "costs", "goals"))
    text = config.read_text(encoding="utf-8")
    config.write_text(
        f'site: {{title: "{hostile}", currency: USD}}\n'
        "goals: {reward_tiers: [{attainment: 1.0, reward: '<img src=x onerror=alert(2)>'}]}\n"
        "privacy: {show_compensation: true}\n" + text,
        encoding="utf-8",
    )
    site = build(config, tmp_path / "site").out
    pages = sorted(
        p for p in site.rglob("*.html") if "http-equiv" not in p.read_text(encoding="utf-8")
    )
    assert len(pages) > 10
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "<script>alert(1)" not in html and "<img src=x" not in html, page
        assert (
            "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
            or "&#60;/title&#62;" in html
        ), page
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "<title>Overview - &lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>" in index


@pytest.mark.parametrize(
    ("base_url", "base_path"),
    [("https://sales.example.com", "/"), ("https://sales.example.com/reports", "/reports/")],
)
def test_links_hold_with_a_base_url(tmp_path: Path, base_url: str, base_path: str) -> None:
    """With site.base_url (a final / added), every page's links resolve, the 404 page's included: it
    links from the site's root, under the base URL's path, since it answers at any depth."""
    config = _variant(tmp_path / "export", ("reps", "costs"))
    config.write_text(
        f"site: {{base_url: '{base_url}'}}\n" + config.read_text(encoding="utf-8"), encoding="utf-8"
    )
    assert load_config(config).config.site.base_url == base_url + "/"  # normalised
    site = build(config, tmp_path / "site").out
    assert not broken_links(site, base_path)
    missing = _Links()
    missing.feed((site / "404.html").read_text(encoding="utf-8"))
    # styles and scripts from the root
    assert sum(t.startswith(base_path + "assets/") for t in missing.targets) >= 3
    index = (site / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{base_url.rstrip("/")}/">' in index
    assert f"<loc>{base_url.rstrip('/')}/reps/</loc>" in (site / "sitemap.xml").read_text(
        encoding="utf-8"
    )


def test_choice_page_is_a_small_accessible_page() -> None:
    """The page for an old address two ids could have had: language, charset, title, heading, a
    sentence and a list of links, escaped, and nothing loaded from anywhere."""
    html = choice_html(
        [("../j-smith-0a1b2c3d4e/", "J. Smith <sales>"), ("../j-smith-5f6a7b8c9d/", "J_Smith")]
    )
    assert html.startswith('<!doctype html>\n<html lang="en">')
    for part in (
        '<meta charset="utf-8">',
        '<meta name="viewport"',
        "<title>Which page?",
        "<main>",
        "<h1>Which page?</h1>",
        "<p>This address belonged to one of these pages",
        '<li><a href="../j-smith-0a1b2c3d4e/">J. Smith &lt;sales&gt;</a></li>',
        '<li><a href="../j-smith-5f6a7b8c9d/">J_Smith</a></li>',
    ):
        assert part in html, part
    parser = _Links()
    parser.feed(html)
    # no script, image or stylesheet
    assert parser.targets == [
        "../j-smith-0a1b2c3d4e/",
        "../j-smith-5f6a7b8c9d/",
    ]
    assert "http" not in html and "<script" not in html and "@import" not in html
