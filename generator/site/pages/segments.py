"""Regions, categories and channels pages (SPEC §6): an index and one page per segment, per dimension."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from generator import vocabulary
from generator.metrics import summaries
from generator.metrics.definitions import label_of
from generator.metrics.period import year_label
from generator.metrics.segments import CROSSES, DIMENSIONS, UNKNOWN, Segments
from generator.site import text
from generator.site.charts import ChartSpec, chart, embed, heatmap_design
from generator.site.common import (
    Section,
    SiteContext,
    SiteInfo,
    Topic,
    deal_columns,
    figure_table,
    link,
    pick,
    positions_by,
    public,
    put_table,
    with_download_menu,
)
from generator.site.render import render
from generator.site.tables import (
    Column,
    by_ratio,
    csv_lines,
    frame_table,
    html_table,
    index_table,
    records,
    table_rows,
)
from generator.site.text import Markdown

TITLES = {name: (d.title, d.heading, d.words) for name, d in vocabulary.DIMENSIONS.items()}
"""dimension → (page title, singular heading, words used in sentences)."""

CROSS_FILES = {
    ("region", "category"): "region_category",
    ("channel", "category"): "channel_category",
}


@dataclass(frozen=True)
class SegmentsIndexPage:
    """``/regions/``, ``/categories/``, ``/channels/``: every segment of one dimension."""

    site: SiteInfo
    title: str
    noun: str
    table: Markdown
    ranked: Markdown
    revenue_chart: Markdown
    ratio_chart: Markdown | None
    heatmaps: tuple[tuple[str, Markdown, Markdown, Markdown], ...]
    """(title, revenue heatmap, value-ratio heatmap, cell table) per cross view this dimension is in."""
    weak: tuple[tuple[str, str, Markdown], ...]
    """(segment, href, the two readings) of each weak segment."""
    unknown: int
    """Closed deals of the reporting year in the "Unknown" segment."""
    all_unknown: bool
    """Every closed deal of the year is Unknown: the exports give no value (or no column) for it."""
    unallocated_cost: str
    resamples: int
    min_deals: int
    company_ratio: str = ""
    """The company's value ratio this year (the yardstick of the value-ratio maps), "" without one."""
    downloads: Markdown | str = ""
    """One "Download data" menu: every table's CSV on the page (no link under each table)."""

    @property
    def a_noun(self) -> str:
        """The noun with its article: "a region", "an acquisition method"."""
        return ("an " if self.noun[:1] in "aeiou" else "a ") + self.noun


@dataclass(frozen=True)
class SegmentPage:
    """``/regions/<slug>/`` and the like: one segment's figures, history and breakdown."""

    site: SiteInfo
    noun: str
    name: str
    index_href: str
    kpis: Markdown
    readings: Markdown | None
    revenue_by_year: Markdown
    ratio_by_year: Markdown | None
    history: Markdown
    breakdowns: tuple[tuple[str, Markdown], ...]
    few_deals: bool
    min_deals: int
    sections: tuple[Section, ...] = ()
    """Sections topics (trends, forecast) contribute, after the breakdowns, in topic order."""
    downloads: Markdown | str = ""
    """One "Download data" menu: every table's CSV on the page (no link under each table)."""


SegmentSections = dict[str, dict[str, tuple[Section, ...]]]
"""dimension → segment name → the sections topics contribute to its page."""


def _interval_text(low: float, high: float) -> str:
    return (
        text.EMPTY if pd.isna(low) or pd.isna(high) else f"{text.ratio(low)} – {text.ratio(high)}"
    )


def _penetration(value: object) -> str:
    """Market penetration is often a fraction of a percent: three significant digits."""
    return text.EMPTY if text.missing(value) else f"{float(value) * 100:.3g} %"  # type: ignore[arg-type]


def _columns(
    info: SiteInfo,
    dim: str,
    has_market: bool,
    link_field: str | None = "href",
    revenue_label: str | None = None,
) -> list[Column]:
    market = [info.column("penetration", fmt=_penetration)] if has_market else []
    return info.columns(
        replace(info.column(dim, link=link_field), key=True),
        replace(info.column("value_ratio"), key=True),
        replace(info.column("revenue", revenue_label or "Revenue {period}"), key=True),
        info.column("share_of_revenue"),
        info.column("revenue_change"),
        *deal_columns(info),
        info.column("new_clients"),
        info.column("mean_client_ltv"),
        info.column("revenue_per_rep"),
        "allocated_cost",
        "cost_per_rep",
        info.column("interval"),
        *market,
        info.column("deals"),
        few_deals_column(info),
    )


def few_deals_column(info: SiteInfo) -> Column:
    """The caution column: "few deals" on a row of fewer than segments.min_deals closed deals."""
    return info.column("few_deals", fmt=lambda few: "few deals" if few else "")


def _ranked_columns(dim: str) -> list[Column]:
    return [
        Column.of("rank"),
        Column.of(dim, link="href"),
        Column.of("value_ratio"),
        Column.of("interval"),
        Column.of("clients", "Clients (sample)"),
        Column.of("deals"),
    ]


def _readings(
    row: dict, dim: str, median_penetration: float, yardstick: float, has_market: bool
) -> Markdown:
    """The two readings of a weak segment, and what penetration says between them."""
    noun = TITLES[dim][2]
    why = []
    if not pd.isna(row["ratio_high"]) and not pd.isna(yardstick) and row["ratio_high"] < yardstick:
        # Never "below the company's 1.23" beside its own 1.23: the two show in their true order.
        ours, company = text.ordered(
            float(row["value_ratio"]), float(yardstick), 1, 2, (text.BREAK_EVEN,)
        )
        high, _company = text.ordered(
            float(row["ratio_high"]), float(yardstick), 1, 2, (text.BREAK_EVEN,)
        )
        why.append(
            f"its value ratio {ours} is below the company's {company}, and so is its whole 95 % "
            f"interval (up to {high})"
        )
    if not pd.isna(row["revenue_change"]) and row["revenue_change"] < 0:
        why.append(
            f"its revenue changed by {text.change(row['revenue_change'])} on the same span last year"
        )
    lines = [
        f"<p><strong>Why it is flagged:</strong> {' and '.join(why)}.</p>",
        "<ul>",
        f"<li><strong>Cut losses:</strong> this {noun} returns less per unit of sales cost than the company as "
        "a whole; moving effort elsewhere may pay more.</li>",
        f"<li><strong>Untapped market:</strong> the {noun} may be young, under-staffed or under-served; "
        "more effort may be what it needs.</li>",
        "</ul>",
    ]
    if has_market and not pd.isna(row["penetration"]):
        low = not pd.isna(median_penetration) and row["penetration"] < median_penetration
        lines.append(
            f"<p><strong>Market penetration</strong> {_penetration(row['penetration'])} "
            f"(revenue ÷ market size; median of all {TITLES[dim][0].lower()} {_penetration(median_penetration)}): "
            + (
                "low — the market is large against what we sell, which supports the <em>untapped market</em> "
                "reading.</p>"
                if low
                else "at or above the median — this market is already well covered compared with the others, "
                "which gives the <em>cut losses</em> reading more weight.</p>"
            )
        )
    else:
        lines.append(
            "<p>No market size is known for it (clients export field <code>market_size</code>), so the "
            "data cannot tell the two readings apart.</p>"
        )
    return Markdown("\n".join(lines))


def _dimension(
    context: SiteContext,
    segments: Segments,
    dim: str,
    files: dict[str, str],
    sections: dict[str, tuple[Section, ...]],
) -> None:
    """The index page, entity pages and data files of one dimension."""
    info, fy = context.info, context.metrics.period.fiscal_year_start
    folder, (title, _heading, noun) = DIMENSIONS[dim], TITLES[dim]
    current, history = segments.current[dim], segments.history[dim]
    slugs = context.segment_slugs[dim]
    has_market = segments.has_market_size
    company = segments.company
    yardstick = summaries.company_ratio(company, context.metrics.period.year)

    put_table(
        files,
        folder,
        public(current, info).assign(url=[f"{folder}/{slugs[s]}/" for s in current[dim]]),
    )
    put_table(files, f"{folder}_history", public(history, info))

    here = f"{folder}/index.md"
    table = current.assign(
        href=[link(here, f"{folder}/{slugs[s]}/") for s in current[dim]],
        interval=[
            _interval_text(a, b)
            for a, b in zip(current["ratio_low"], current["ratio_high"], strict=True)
        ],
        segment=current[dim],
    )
    table = table.sort_values("revenue", ascending=False)
    ranked = summaries.ranked_segments(table, dim)
    median_pen = summaries.median_penetration(current, has_market)

    heatmaps = []
    for pair in CROSSES:
        if dim not in pair:
            continue
        cells = segments.crosses[pair]
        name = CROSS_FILES[pair]
        put_table(files, name, public(cells, info))
        points = cells.rename(columns={pair[0]: "row", pair[1]: "column"})
        cell_cols = [
            info.column(pair[0]),
            info.column(pair[1]),
            info.column("revenue"),
            info.column("deals"),
            info.column("clients"),
            info.column("value_ratio"),
        ]
        caption = f"{TITLES[pair[0]][1]} × {TITLES[pair[1]][2]}"
        heatmaps.append(
            (
                caption,
                embed(
                    f"chart-{name}-revenue",
                    chart(
                        heatmap_design("revenue", pair),
                        points,
                        ["row", "column", "revenue", "deals", "few_deals"],
                    ),
                    f"Revenue by {caption}",
                ),
                embed(
                    f"chart-{name}-ratio",
                    chart(
                        heatmap_design("value_ratio", pair),
                        points,
                        ["row", "column", "value_ratio", "deals", "few_deals"],
                    ),
                    f"Value ratio by {caption}",
                ),
                frame_table(cells, cell_cols, link(here, f"data/{name}.csv")),
            )
        )

    weak = tuple(
        (row[dim], row["href"], _readings(row, dim, median_pen, yardstick, has_market))
        for row in table[table["weak"]].to_dict("records")
    )
    unknown = current.loc[current[dim] == UNKNOWN, "deals"]
    index = index_table(
        by_ratio(table, "segment"),
        _columns(info, dim, has_market),
        link(here, f"data/{folder}.csv"),
        here=here,
        name=folder,
        noun=TITLES[dim][0].lower(),
    )
    files.update(index.files)
    page = SegmentsIndexPage(
        site=info,
        title=title,
        noun=noun,
        table=index.html,
        ranked=frame_table(
            ranked, _ranked_columns(dim), link(here, f"data/{folder}.csv"), sortable=False
        ),
        revenue_chart=embed(
            f"chart-{folder}-revenue",
            chart("segment_revenue", table, ["segment", "revenue", "share_of_revenue"]),
            f"Revenue by {noun}",
        ),
        ratio_chart=embed(
            f"chart-{folder}-ratio",
            chart(
                "segment_ratio_interval",
                ranked,
                ["segment", "value_ratio", "ratio_low", "ratio_high", "clients"],
            ),
            f"Value ratio by {noun}, with its interval",
        )
        if info.has_costs and len(ranked)
        else None,
        heatmaps=tuple(heatmaps),
        weak=weak,
        unknown=int(unknown.iloc[0]) if len(unknown) else 0,
        all_unknown=bool(len(unknown)) and len(current) == 1,
        unallocated_cost=text.money(segments.unallocated_cost, info.currency),
        resamples=segments.resamples,
        min_deals=segments.min_deals,
        company_ratio="" if pd.isna(yardstick) else text.ratio(yardstick),
    )
    files[here] = render("segments_index.md.j2", page=with_download_menu(page))
    _entity_pages(
        context, segments, dim, slugs, table, history, files, median_pen, yardstick, fy, sections
    )


def _entity_pages(
    context: SiteContext,
    segments: Segments,
    dim: str,
    slugs: dict[str, str],
    table: pd.DataFrame,
    history: pd.DataFrame,
    files: dict[str, str],
    median_pen: float,
    yardstick: float,
    fy: int,
    sections: dict[str, tuple[Section, ...]],
) -> None:
    """One page per segment; tables and CSV lines formatted once, sliced per segment."""
    info, folder = context.info, DIMENSIONS[dim]
    hist = summaries.segment_history_shown(history)
    hist = hist.assign(label=[year_label(int(y), fy) for y in hist["year"]])
    hist_at = positions_by(hist, dim)
    hist_cols = [
        info.column("year", field="label"),
        *_columns(info, dim, False, None, "Revenue")[1:],
    ]
    hist_cols = [c for c in hist_cols if c.field not in ("interval", "deals", "few_deals")]
    hist_rows = table_rows(hist, hist_cols)
    hist_header, hist_csv = csv_lines(public(hist.drop(columns="label"), info))
    points = records(hist[["label", "revenue", "value_ratio"]].rename(columns={"label": "year"}))

    breakdowns = []
    for pair in CROSSES:
        if dim not in pair:
            continue
        other = pair[1] if pair[0] == dim else pair[0]
        cells = (
            segments.crosses[pair]
            .sort_values([dim, "revenue"], ascending=[True, False])
            .reset_index(drop=True)
        )
        cols = [
            info.column(other),
            info.column("revenue"),
            info.column("won_deals"),
            info.column("deals"),
            info.column("win_rate"),
            info.column("clients"),
            info.column("mean_client_ltv"),
            info.column("value_ratio"),
            few_deals_column(info),  # as in the index table
        ]
        header, lines = csv_lines(public(cells, info))
        breakdowns.append(
            (other, cols, positions_by(cells, dim), table_rows(cells, cols), header, lines)
        )

    for row in table.to_dict("records"):
        name, slug = row[dim], slugs[row[dim]]
        here = f"{folder}/{slug}.md"
        items = [
            (label_of("revenue"), text.money(row["revenue"], info.currency)),
            (label_of("share_of_revenue"), text.percent(row["share_of_revenue"])),
            (label_of("revenue_change"), text.change(row["revenue_change"])),
            *((label_of(n), text.integer(row[n])) for n in ("won_deals", "lost_deals")),
            (label_of("win_rate"), text.percent(row["win_rate"])),
            (label_of("avg_deal_size"), text.money(row["avg_deal_size"], info.currency)),
            (f"{label_of('sales_cycle_days')} (days)", text.number(row["sales_cycle_days"])),
            (label_of("new_clients"), text.integer(row["new_clients"])),
            (label_of("clients"), text.integer(row["clients"])),
            (label_of("mean_client_ltv"), text.money(row["mean_client_ltv"], info.currency)),
            (label_of("rep_equivalents"), text.number(row["rep_equivalents"], 2)),
            (label_of("revenue_per_rep"), text.money(row["revenue_per_rep"], info.currency)),
        ]
        if info.shows("allocated_cost"):
            items += [
                (label_of("allocated_cost"), text.money(row["allocated_cost"], info.currency)),
                (label_of("cost_per_rep"), text.money(row["cost_per_rep"], info.currency)),
            ]
        items += [
            (
                f"<strong>{label_of('value_ratio')}</strong>",
                f"<strong>{text.ratio(row['value_ratio'])}</strong>",
            ),
            (label_of("interval"), row["interval"]),
        ]
        if segments.has_market_size:
            items += [
                (label_of("market_size"), text.money(row["market_size"], info.currency)),
                (label_of("penetration"), _penetration(row["penetration"])),
            ]
        at = hist_at.get(name)
        page = SegmentPage(
            site=info,
            noun=TITLES[dim][2],
            name=name,
            index_href=link(here, f"{folder}/"),
            kpis=figure_table(items, link(here, f"data/{folder}.csv")),
            readings=_readings(row, dim, median_pen, yardstick, segments.has_market_size)
            if row["weak"]
            else None,
            revenue_by_year=embed(
                f"chart-{folder}-revenue-year",
                ChartSpec("revenue_by_year", pick(points, at)),
                "Revenue by year",
            ),
            ratio_by_year=embed(
                f"chart-{folder}-ratio-year",
                ChartSpec("value_ratio_by_year", pick(points, at)),
                "Value ratio by year",
            )
            if info.has_costs
            else None,
            history=html_table(
                hist_cols,
                pick(hist_rows, at),
                link(here, f"data/{folder}/{slug}-history.csv"),
                sortable=False,
            ),
            breakdowns=tuple(
                (
                    f"By {TITLES[other][2]}",
                    html_table(
                        cols,
                        pick(rows, where.get(name)),
                        link(here, f"data/{folder}/{slug}-by-{other}.csv"),
                    ),
                )
                for other, cols, where, rows, _h, _l in breakdowns
            ),
            few_deals=bool(row["few_deals"]),
            min_deals=segments.min_deals,
            sections=sections.get(name, ()),
        )
        files[here] = render("segment.md.j2", page=with_download_menu(page))
        files[f"data/{folder}/{slug}-history.csv"] = hist_header + "".join(pick(hist_csv, at))
        for other, _cols, where, _rows, header, lines in breakdowns:
            files[f"data/{folder}/{slug}-by-{other}.csv"] = header + "".join(
                pick(lines, where.get(name))
            )


def topic(context: SiteContext, sections: SegmentSections) -> Topic:
    """The regions, categories and channels pages, each segment page with the sections other topics
    contribute to it (gathered first: see ``Topic.segment_sections``)."""
    segments = context.metrics.segments
    files: dict[str, str] = {}
    for dim in DIMENSIONS:
        _dimension(context, segments, dim, files, sections.get(dim, {}))
    nav = [{TITLES[dim][0]: f"{DIMENSIONS[dim]}/index.md"} for dim in DIMENSIONS]
    return Topic(files=files, nav=nav, methodology=("methodology_segments.md.j2",))
