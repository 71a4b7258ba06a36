"""``/trends/`` and the quarterly history of every rep and team page: the same SPEC §5 figures for
every fiscal year and quarter, restated under the current definitions at every build."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from generator.metrics import Metrics, rep_history_shown, rep_quarters_shown
from generator.metrics.history import long_history
from generator.metrics.period import year_label
from generator.metrics.segments import DIMENSIONS
from generator.site.charts import ChartSpec, chart, embed, group_chart
from generator.site.common import (
    Section,
    SiteContext,
    SiteInfo,
    Topic,
    cost_and_ratio,
    deal_columns,
    link,
    pick,
    positions_by,
    public,
    put_table,
    with_download_menu,
)
from generator.site.render import render
from generator.site.tables import Column, csv_lines, frame_table, html_table, records, table_rows
from generator.site.text import Markdown

HERE = "trends.md"


@dataclass(frozen=True)
class DefinitionChangeRow:
    """One dated definition change, as shown."""

    date: str
    change: str


@dataclass(frozen=True)
class TrendsPage:
    """``/trends/``: the company's figures by year and quarter, and the regions by year."""

    site: SiteInfo
    revenue_by_quarter: Markdown
    win_rate_by_quarter: Markdown
    ratio_by_year: Markdown | None
    revenue_by_region: Markdown
    years: Markdown
    quarters: Markdown
    regions: Markdown
    changes: tuple[DefinitionChangeRow, ...]
    downloads: Markdown | str = ""
    """One "Download data" menu: every table's CSV on the page (no link under each table)."""


def quarter_columns(info: SiteInfo) -> list[Column]:
    """The columns of a quarterly history table."""
    return [
        info.column("period"),
        info.column("revenue"),
        *deal_columns(info),
    ]


QUARTERS_IN_TABLE = 8
"""Quarters listed in an entity page's table (two years); the chart and the CSV carry every quarter."""

QUARTER_FIELDS = [
    "year",
    "quarter",
    "period",
    "revenue",
    "won_deals",
    "lost_deals",
    "win_rate",
    "avg_deal_size",
    "sales_cycle_days",
]


def _quarter_sections(
    info: SiteInfo,
    quarters: pd.DataFrame,
    key: str,
    folder: str,
    slugs: dict[str, str],
    chart_id: str,
) -> tuple[dict[str, list[Section]], dict[str, str]]:
    """A "History by quarter" section for every entity (rows formatted once, sliced per entity),
    and each entity's data/<folder>/<slug>-quarters.csv."""
    table = quarters[quarters[key].isin(list(slugs))].reset_index(drop=True)
    at = positions_by(table, key)
    columns = quarter_columns(info)
    rows = table_rows(table, columns)
    header, lines = csv_lines(table[[key, *QUARTER_FIELDS]])
    points = records(table[["period", "revenue", "won_deals", "win_rate"]])
    depth = link(f"{folder}/x.md", "")
    sections: dict[str, list[Section]] = {}
    files: dict[str, str] = {}
    for entity, slug in slugs.items():
        mine = at.get(entity)
        if not mine:
            continue
        csv_name = f"data/{folder}/{slug}-quarters.csv"
        body = "\n\n".join(
            [
                "Every quarter from the first closed deal, with the definitions of the reporting year "
                f'(see <a href="{depth}trends/">trends</a> and the methodology). The table lists the last '
                f"{QUARTERS_IN_TABLE} quarters; the chart and the CSV have them all.",
                embed(
                    f"{chart_id}-quarters",
                    ChartSpec("revenue_by_quarter", pick(points, mine)),
                    "Revenue by quarter",
                ),
                html_table(
                    columns, pick(rows, mine[-QUARTERS_IN_TABLE:]), depth + csv_name, sortable=False
                ),
            ]
        )
        sections[entity] = [Section("History by quarter", Markdown(body))]
        files[csv_name] = header + "".join(pick(lines, mine))
    return sections, files


def topic(context: SiteContext) -> Topic:
    """The trends page, data/history.csv and the quarterly section of rep and team pages."""
    info, metrics = context.info, context.metrics
    fy = metrics.period.fiscal_year_start
    history = metrics.history
    rep_quarters = rep_quarters_shown(history.rep_quarters, metrics.reps, metrics.period)
    files: dict[str, str] = {}
    company_years = metrics.company_years
    table = long_history(
        {
            "company": (company_years, history.company_quarters, None),
            "team": (metrics.team_years, history.team_quarters, "team"),
            "manager": (_manager_years(metrics), history.manager_quarters, "manager"),
            **{
                dim: (metrics.segments.history[dim], history.segment_quarters[dim], dim)
                for dim in history.segment_quarters
            },
            "rep": (
                metrics.rep_years[
                    rep_history_shown(metrics.rep_years, metrics.reps, metrics.period)
                ],
                rep_quarters,
                "rep_id",
            ),
        },
        fy,
    )
    put_table(files, "history", public(table, info))
    changes = sorted(context.cfg.config.metrics.definition_changes, key=lambda c: c.date)
    put_table(
        files,
        "definition_changes",
        pd.DataFrame(
            {"date": [c.date.isoformat() for c in changes], "change": [c.change for c in changes]},
            dtype="string",
        ),
    )

    labelled = company_years.assign(label=[year_label(int(y), fy) for y in company_years["year"]])
    year_cols = [
        info.column("year", field="label"),
        info.column("revenue"),
        info.column("won_deals"),
        info.column("lost_deals"),
        info.column("win_rate"),
        info.column("avg_deal_size"),
        info.column("new_clients"),
        info.column("mean_client_ltv"),
        *cost_and_ratio(info, "Mean annual cost"),
        info.column("reps"),
    ]
    quarters = history.company_quarters
    regions = history.region_years.assign(
        label=[year_label(int(y), fy) for y in history.region_years["year"]]
    )
    region_cols = [
        info.column("region"),
        info.column("year", field="label"),
        info.column("revenue"),
        info.column("won_deals"),
        info.column("lost_deals"),
        info.column("win_rate"),
        info.column("avg_deal_size"),
    ]
    put_table(files, "company_quarters", quarters)
    put_table(files, "region_history", regions.drop(columns="label"))
    change_rows = tuple(DefinitionChangeRow(c.date.isoformat(), c.change) for c in changes)
    page = TrendsPage(
        site=info,
        revenue_by_quarter=embed(
            "chart-trends-quarters",
            chart("revenue_by_quarter", quarters, ["period", "revenue", "won_deals", "win_rate"]),
            "Company revenue by quarter",
        ),
        win_rate_by_quarter=embed(
            "chart-trends-win-rate",
            chart("win_rate_by_quarter", quarters, ["period", "win_rate"]),
            "Company win rate by quarter",
        ),
        ratio_by_year=embed(
            "chart-trends-ratio",
            chart(
                "value_ratio_by_year",
                labelled.rename(columns={"year": "y", "label": "year"}),
                ["year", "value_ratio"],
            ),
            "Company value ratio by year",
        )
        if info.has_costs
        else None,
        revenue_by_region=embed(
            "chart-trends-regions",
            group_chart(
                "revenue", regions.rename(columns={"region": "group", "year": "y", "label": "year"})
            ),
            "Revenue by region and year",
        ),
        years=frame_table(
            labelled, year_cols, link(HERE, "data/company_history.csv"), sortable=False
        ),
        quarters=frame_table(
            quarters, quarter_columns(info), link(HERE, "data/company_quarters.csv"), sortable=False
        ),
        regions=frame_table(regions, region_cols, link(HERE, "data/region_history.csv")),
        changes=change_rows,
    )
    files[HERE] = render("trends.md.j2", page=with_download_menu(page))

    rep_slugs = context.rep_slugs
    rep_sections, rep_files = _quarter_sections(
        info, rep_quarters, "rep_id", "reps", rep_slugs, "chart-rep"
    )
    team_sections, team_files = _quarter_sections(
        info, history.team_quarters, "team", "teams", context.team_slugs, "chart-team"
    )
    files.update(rep_files)
    files.update(team_files)
    segment_sections: dict[str, dict[str, list[Section]]] = {}
    for dim, quarters in history.segment_quarters.items():
        slugs = context.segment_slugs.get(dim, {})
        folder = DIMENSIONS[dim]
        sections, segment_files = _quarter_sections(
            info, quarters, dim, folder, slugs, f"chart-{dim}"
        )
        files.update(segment_files)
        segment_sections[dim] = sections
    return Topic(
        files=files,
        nav=[{"Trends": HERE}],
        rep_sections=rep_sections,
        team_sections=team_sections,
        segment_sections=segment_sections,
        methodology=("methodology_history.md.j2",),
    )


def _manager_years(metrics: Metrics) -> pd.DataFrame:
    """Managers' yearly figures, from the management history (revenue, value ratio, reps)."""
    years = metrics.manager_history.years
    return years[["manager", "year", "revenue", "value_ratio"]]
