"""What every page module shares: site facts, links, common columns, and the Topic contract.

A *topic* (goals, coaching, activity, trends, managers, forecast) is a module of ``site/pages/``
with a function ``topic(context: SiteContext) -> Topic``: the pages and data files it adds, its
navigation entries, and the sections it contributes to rep, team and segment pages.
``assemble.build_site`` gathers every topic's sections first, then builds each rep, team and segment
page with its sections in its context, and renders it once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import TypeVar

import pandas as pd

from generator.config import LoadedConfig
from generator.metrics import Metrics, definitions
from generator.metrics.definitions import Unit
from generator.metrics.membership import CURRENT_TEAM_NOTE, DATED_TEAM_NOTE
from generator.site.tables import (
    Column,
    download_menu,
    html_table,
    split_downloads,
    to_csv,
    to_json,
)
from generator.site.text import Markdown, entity_slugs

PRIVATE_COLUMNS = definitions.PRIVATE
"""Compensation figures, published only with privacy.show_compensation: true (the registry's private flag)."""


def page_url(md_path: str) -> str:
    """The URL (relative to the site root) MkDocs gives a Markdown file: reps/x.md → reps/x/."""
    if md_path == "index.md":
        return ""
    stem = md_path[: -len(".md")]
    return stem[: -len("index")] if stem.endswith("/index") else stem + "/"


def link(from_md: str, target: str) -> str:
    """A link from one page to a site path (``reps/x/`` or ``data/reps.csv``), relative, as MkDocs writes them."""
    here = page_url(from_md).split("/")[:-1]  # the page's folders
    parts = target.split("/")
    common = 0
    while common < min(len(here), len(parts) - 1) and here[common] == parts[common]:
        common += 1
    return ("../" * (len(here) - common) + "/".join(parts[common:])) or "./"


def manager_links(from_md: str, managers: pd.Series, slugs: dict[str, str]) -> pd.Series:
    """The link from a page to each manager's page (None where there is no manager or no page)."""
    return pd.Series(
        [
            link(from_md, f"managers/{slugs[m]}/") if isinstance(m, str) and m in slugs else None
            for m in managers.tolist()
        ],
        index=managers.index,
        dtype="object",
    )


@dataclass(frozen=True)
class SiteInfo:
    """What every page needs to know about the build."""

    title: str
    currency: str
    period_label: str
    as_of: str
    show_compensation: bool
    has_costs: bool
    rep_value_ratios: str = "exact"
    """privacy.rep_value_ratios: ``band`` shows a rep's ratio only as its band."""
    min_group_size: int = 3
    """privacy.min_group_size: fewer reps with cost data and a group's ratio is withheld (pay hidden)."""

    @property
    def ratio_bands(self) -> bool:
        """True when rep ratios are published as bands."""
        return self.rep_value_ratios == "band"

    @property
    def withholds_groups(self) -> bool:
        """True when small groups' ratios are withheld (compensation hidden, cost data present)."""
        return self.has_costs and not self.show_compensation

    def column(
        self,
        name: str,
        header: str | None = None,
        *,
        fmt: Callable[[object], str] | None = None,
        link: str | None = None,
        field: str | None = None,
        unit: Unit | None = None,
        numeric: bool | None = None,
    ) -> Column:
        """The table column of a registry figure, money headers in this site's currency (see ``Column.of``)."""
        return Column.of(
            name,
            header,
            currency=self.currency,
            period=self.period_label,
            fmt=fmt,
            link=link,
            field=field,
            unit=unit,
            numeric=numeric,
        )

    def shows(self, name: str) -> bool:
        """True when the figure may be published: not compensation, or privacy.show_compensation is true."""
        return self.show_compensation or not definitions.figure(name).private

    def columns(self, *names: str | Column) -> list[Column]:
        """Table columns (a name: its registry column), without compensation unless it may be shown."""
        out = [self.column(c) if isinstance(c, str) else c for c in names]
        return out if self.show_compensation else [c for c in out if not c.private]


def membership_note(metrics: Metrics) -> str:
    """What every team and manager page says about team membership over time."""
    return DATED_TEAM_NOTE if metrics.dated_teams else CURRENT_TEAM_NOTE


def deal_columns(info: SiteInfo) -> list[Column]:
    """Won and lost deals, win rate, average deal size and sales cycle: the columns that follow revenue
    in every table of figures per period (SPEC §5)."""
    return info.columns("won_deals", "lost_deals", "win_rate", "avg_deal_size", "sales_cycle_days")


def cost_and_ratio(info: SiteInfo, cost_header: str | None = None) -> list[Column]:
    """The cost column (only when compensation may be shown) and the value ratio that follows it."""
    return info.columns(info.column("annual_cost", cost_header), "value_ratio")


def public(frame: pd.DataFrame, info: SiteInfo) -> pd.DataFrame:
    """Drop every compensation figure unless privacy.show_compensation is true."""
    if info.show_compensation:
        return frame
    return frame.drop(columns=[c for c in frame.columns if c in PRIVATE_COLUMNS])


FIGURE_COLUMNS = [Column.of("figure"), replace(Column.of("value"), numeric=True)]
"""A figure/value table's columns: the values arrive formatted, right-aligned as numbers."""


def figure_table(items: list[tuple[str, str]], csv_href: str | None) -> Markdown:
    """A two-column figure/value table; values are already formatted and escaped."""
    rows = [f'<tr><td>{label}</td><td class="sp-num">{value}</td></tr>' for label, value in items]
    return html_table(FIGURE_COLUMNS, rows, csv_href, sortable=False)


Page = TypeVar("Page")


def _without_downloads(value: object, hrefs: list[str]) -> object:
    """``value`` (Markdown, a section, or tuples of them) with its tables' CSV links taken out into ``hrefs``."""
    if isinstance(value, Markdown):
        body, found = split_downloads(value)
        hrefs += found
        return body
    if isinstance(value, Section):
        body, found = split_downloads(value.body)
        hrefs += found
        return value if body is value.body else replace(value, body=body)
    if isinstance(value, tuple):
        return tuple(_without_downloads(v, hrefs) for v in value)
    return value


def with_download_menu(page: Page, extra: tuple[tuple[str, str], ...] = ()) -> Page:
    """``page`` (a page dataclass with a ``downloads`` field) with the CSV link under each of its
    tables, its sections' included, gathered into one "Download data" menu; ``extra``: (label, href)
    links listed after them."""
    hrefs: list[str] = []
    changes = {
        item.name: _without_downloads(getattr(page, item.name), hrefs)
        for item in fields(page)  # type: ignore[arg-type]
        if item.name != "downloads"
    }
    return replace(page, **changes, downloads=download_menu(hrefs, extra))  # type: ignore[type-var]


def put_table(files: dict[str, str], name: str, frame: pd.DataFrame) -> None:
    """Publish ``frame`` as data/<name>.csv and data/<name>.json (SPEC §6)."""
    files[f"data/{name}.csv"] = to_csv(frame)
    files[f"data/{name}.json"] = to_json(frame)


def positions_by(frame: pd.DataFrame, key: str) -> dict[str, list[int]]:
    """Row positions of each key (an id or a name), in frame order."""
    return (
        {str(k): list(v) for k, v in frame.groupby(key, sort=False).indices.items()}
        if len(frame)
        else {}
    )


def pick(items: list, positions: list[int] | None) -> list:
    """The items at ``positions`` (none when there are none)."""
    return [items[i] for i in positions] if positions else []


@dataclass(frozen=True)
class Section:
    """A section a topic contributes to a rep, team or segment page: a level-2 heading and its body,
    rendered by the page's template after the page's own sections."""

    title: str
    body: Markdown


@dataclass(frozen=True)
class SiteContext:
    """What a topic is given: the config, the metrics, and the slugs every page links with."""

    cfg: LoadedConfig
    info: SiteInfo
    metrics: Metrics
    reps: pd.DataFrame
    """metrics.reps with ``slug`` and ``team_slug`` columns."""
    rep_slugs: dict[str, str]
    """rep_id → slug of the rep's page (the ``slug`` column, as a lookup)."""
    team_slugs: dict[str, str]
    """team → slug of its page."""
    manager_slugs: dict[str, str] = field(default_factory=dict)
    """manager → slug of their page."""
    segment_slugs: dict[str, dict[str, str]] = field(default_factory=dict)
    """dimension (region, category, channel) → segment name → slug of its page."""


@dataclass(frozen=True)
class Topic:
    """What one topic adds to the site."""

    files: dict[str, str]
    """Markdown pages and data files, keyed by path in the docs folder."""
    nav: list[dict[str, str]] = field(default_factory=list)
    """Navigation entries, placed between Teams and Data quality."""
    rep_sections: dict[str, list[Section]] = field(default_factory=dict)
    """rep_id → sections added at the end of that rep's page."""
    team_sections: dict[str, list[Section]] = field(default_factory=dict)
    """team → sections added at the end of that team's page."""
    segment_sections: dict[str, dict[str, list[Section]]] = field(default_factory=dict)
    """dimension (region, category, channel) → segment name → sections added at the end of its page."""
    methodology: tuple[str, ...] = ()
    """Templates included in /methodology/ (each gets ``page``, the MethodologyPage)."""


def segment_slugs(names: list[str], dimension: str) -> dict[str, str]:
    """Slugs of a dimension's segment pages, from each name alone (SPEC §6)."""
    return entity_slugs(sorted(names), kind=dimension)
