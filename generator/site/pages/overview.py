"""``/``: headline figures, trends, alerts and data freshness."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from generator.metrics import Metrics
from generator.metrics.definitions import Unit, figure, label_of
from generator.metrics.period import year_label
from generator.metrics.summaries import Headlines, RepGaps, Unranked
from generator.site import text
from generator.site.charts import chart, embed
from generator.site.common import SiteInfo, link
from generator.site.tables import frame_table, html_table
from generator.site.text import Markdown

HERE = "index.md"

NO_COST_DATA = ("No cost data was provided (sources.costs), so no value ratio can be computed: "
                "the ratio divides client lifetime value by what a rep costs.")


@dataclass(frozen=True)
class OverviewPage:
    """``/``: headline figures, trends, alerts and data freshness (template ``overview.md.j2``)."""

    site: SiteInfo
    headlines: Markdown
    """Company figures of the reporting year and their change (data/headlines.csv)."""
    revenue_by_year: Markdown
    revenue_by_month: Markdown
    ratio_distribution: Markdown | None
    """Histogram of rep value ratios; None when no rep has one, or ratios are banded."""
    top_reps: Markdown | None
    """The five highest value ratios of the ranked reps, with their clients (n) and 95 % interval;
    None when no rep is ranked."""
    bottom_reps: Markdown | None
    min_clients: int
    """rankings.min_clients: the clients a current rep needs to be ranked."""
    ranked_count: int
    """How many reps are ranked (and the headline median is over)."""
    unranked: Unranked
    """Reps with a ratio left out of the rankings: former, or too few clients."""
    interval_note: str
    """Why the interval column is missing ("" when it is shown)."""
    alerts: tuple[Markdown, ...]
    freshness: Markdown
    """Rows read and used, and the latest date, per dataset."""
    no_ratio_reason: str
    """Why there is no value ratio at all ("" when there is one)."""


def headline_rows(headlines: Headlines) -> list[dict[str, object]]:
    """data/headlines.csv: figure, value, same span last year (the median ratio has no previous)."""
    def cell(name: str, value: object) -> object:
        # A count stays an integer in a column that also holds money (SPEC §6: 855, not 855.0).
        if figure(name).unit is Unit.COUNT and value is not None and not pd.isna(value):  # type: ignore[call-overload]
            return int(value)  # type: ignore[call-overload]
        return value

    rows: list[dict[str, object]] = [
        {"figure": h.figure, "value": cell(h.figure, h.value), "same_span_last_year": cell(h.figure, h.previous)}
        for h in headlines.figures]
    rows.append({"figure": "median_rep_value_ratio", "value": headlines.median_ratio, "same_span_last_year": None})
    return rows


def headline_table(info: SiteInfo, headlines: Headlines, min_clients: int) -> Markdown:
    """The headline figures as the overview shows them."""
    cells = []
    for h in headlines.figures:
        fmt = {"revenue": text.short_money, "mean_client_ltv": text.short_money, "win_rate": text.percent}.get(
            h.figure, text.integer)
        delta = text.points(h.change) if h.in_points else text.change(h.change)
        cells.append(f'<tr><td>{label_of(h.figure)}</td><td class="sp-num">{fmt(h.value)}</td>'
                     f'<td class="sp-num">{delta}</td></tr>')
    cells.append(f'<tr><td>Median rep value ratio (median over {headlines.reps_with_ratio} current reps with '
                 f'≥ {min_clients} clients)</td>'
                 f'<td class="sp-num">{text.ratio(headlines.median_ratio)}</td><td class="sp-num">{text.EMPTY}</td></tr>')
    columns = [info.column("figure"), info.column("value", "{period}", numeric=True),
               info.column("change", numeric=True)]
    return html_table(columns, cells, "data/headlines.csv", sortable=False)


def alerts(warnings: int, gaps: RepGaps) -> tuple[Markdown, ...]:
    """The overview's alerts: data-quality warnings, reps without cost data or clients."""
    found = []
    if warnings:
        found.append(Markdown(f"**{warnings:,} data-quality warning(s)** in the inputs: rows excluded or values "
                              f"left empty. See [Data quality](data-quality.md)."))
    if gaps.without_cost:
        found.append(Markdown(f"**{gaps.without_cost} rep(s) have no cost data**, so no value ratio: "
                              f"see the [reps table](reps/index.md)."))
    if gaps.without_clients:
        found.append(Markdown(f"**{gaps.without_clients} rep(s) have not acquired a client yet**; their value ratio "
                              "is empty, not zero (a mean over no clients is undefined)."))
    return tuple(found)


NONE_UNRANKED = Unranked(former=0, few_clients=0)


def _interval(row: pd.Series) -> str:
    low, high = row["ratio_low"], row["ratio_high"]
    return text.EMPTY if text.missing(low) or text.missing(high) else f"{text.ratio(low)} – {text.ratio(high)}"


def overview_page(info: SiteInfo, metrics: Metrics, headlines: Headlines, ranked: pd.DataFrame,
                  alert_list: tuple[Markdown, ...], datasets: pd.DataFrame, *, min_clients: int = 3,
                  unranked: Unranked = NONE_UNRANKED) -> OverviewPage:
    """The overview's context. ``ranked``: the ranked reps, highest first, with their page ``slug``
    (``summaries.ranked_by_ratio``); ``datasets``: ``summaries.dataset_usage``; ``min_clients``:
    rankings.min_clients; ``unranked``: ``summaries.unranked``."""
    company = metrics.company_years.assign(year=metrics.company_years["year"].map(
        lambda y: year_label(int(y), metrics.period.fiscal_year_start)))
    ranked = ranked.assign(href=[link(HERE, f"reps/{s}/") for s in ranked["slug"]],
                           interval=[_interval(r) for _i, r in ranked.iterrows()])
    # The interval is withheld with banded ratios (it would give the exact ratio back).
    with_interval = not info.ratio_bands
    top_cols = [info.column("name", link="href"), info.column("team"), info.column("clients", "Clients (n)"),
                info.column("mean_client_ltv"), info.column("value_ratio"),
                *([info.column("interval", numeric=True)] if with_interval else [])]
    freshness = frame_table(datasets, [
        info.column("dataset"), info.column("files"), info.column("rows_read"), info.column("rows_used"),
        info.column("rows_excluded", "Excluded"), info.column("latest"),
    ], "data/datasets.csv", sortable=False)
    return OverviewPage(
        site=info,
        headlines=headline_table(info, headlines, min_clients),
        revenue_by_year=embed("chart-company-revenue-year", chart("revenue_by_year", company, ["year", "revenue"]),
                              "Company revenue by year"),
        revenue_by_month=embed("chart-company-revenue-month",
                               chart("revenue_by_month", metrics.company_monthly, ["month", "revenue", "won_deals"]),
                               "Company revenue by month"),
        ratio_distribution=embed("chart-ratio-distribution", chart("value_ratio_distribution", ranked, ["value_ratio"]),
                                 "Distribution of the ranked reps' value ratios") if len(ranked) and not info.ratio_bands else None,
        top_reps=frame_table(ranked.head(5), top_cols, "data/reps.csv", sortable=False) if len(ranked) else None,
        bottom_reps=frame_table(ranked.tail(5).iloc[::-1], top_cols, "data/reps.csv", sortable=False)
        if len(ranked) else None,
        min_clients=min_clients,
        ranked_count=len(ranked),
        unranked=unranked,
        interval_note="" if with_interval else ("No interval is shown: ratios are published as bands "
                                                "(privacy.rep_value_ratios), and an interval would give the "
                                                "exact ratio back."),
        alerts=alert_list,
        freshness=freshness,
        no_ratio_reason="" if metrics.has_costs else NO_COST_DATA,
    )
