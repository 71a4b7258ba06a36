"""/activity/: is busy productive? Activity per month next to revenue and value ratio, quadrants,
correlations by kind; and each rep's activity mix on their page. No table is ordered by activity."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from generator.metrics.activity import QUADRANTS
from generator.site import text
from generator.site.charts import ChartSpec, embed
from generator.site.common import (
    Section,
    SiteContext,
    SiteInfo,
    Topic,
    link,
    pick,
    positions_by,
    put_table,
    with_download_menu,
)
from generator.site.prerender import paragraph
from generator.site.render import render
from generator.site.tables import (
    Column,
    csv_lines,
    frame_table,
    html_table,
    index_table,
    records,
    table_rows,
)
from generator.site.text import Markdown

HERE = "activity.md"


@dataclass(frozen=True)
class ActivityPage:
    """``/activity/``: activity against revenue, per rep and per activity kind."""

    site: SiteInfo
    scatter: Markdown
    activity_median: float
    revenue_median: float
    plotted: int
    quadrant_counts: tuple[tuple[str, int], ...]
    correlation_chart: Markdown
    correlations: Markdown
    reps: Markdown
    mix_csv: str
    downloads: Markdown | str = ""
    """One "Download data" menu: every table's CSV on the page (no link under each table)."""


def _rep_columns(info: SiteInfo) -> list[Column]:
    return [
        info.column("name", link="href"),
        info.column("team"),
        info.column("months"),
        info.column("revenue_per_month"),
        info.column("revenue", "Revenue {period}"),
        info.column("win_rate"),
        info.column("value_ratio"),
        info.column("activities_per_month"),
        info.column("quadrant"),
    ]


def topic(context: SiteContext) -> Topic:
    """The activity page, its data files, and an activity-mix section on every rep page with activity."""
    tables = context.metrics.activity
    if tables is None:
        return Topic(files={})
    info = context.info
    files: dict[str, str] = {}
    put_table(files, "activity", tables.reps)
    put_table(files, "activity_mix", tables.mix)
    put_table(files, "activity_correlation", tables.correlation)

    slug_of = context.rep_slugs
    # Ordered by name, never by activity: activity is not performance.
    # pandas-stubs refuse None (no page, no link) in a list column.
    reps = tables.reps.assign(
        href=[
            link(HERE, f"reps/{slug_of[r]}/") if r in slug_of else None  # type: ignore[misc]
            for r in tables.reps["rep_id"]
        ]
    )
    reps = reps.sort_values(["name", "rep_id"], kind="stable")
    plotted = reps[reps["quadrant"].notna()]
    medians = tables.medians.iloc[0]
    counts = plotted["quadrant"].value_counts()
    correlations = tables.correlation.assign(
        interval=[
            text.EMPTY if pd.isna(a) else f"{text.number(a, 2)} to {text.number(b, 2)}"
            for a, b in zip(
                tables.correlation["correlation_low"],
                tables.correlation["correlation_high"],
                strict=True,
            )
        ]
    )
    # One row per rep: filterable, paged, and loaded from a fragment file at scale.
    reps_table = index_table(
        reps,
        _rep_columns(info),
        link(HERE, "data/activity.csv"),
        here=HERE,
        name="activity-reps",
        noun="reps",
        sorted_by=None,
    )
    files.update(reps_table.files)
    page = ActivityPage(
        site=info,
        scatter=embed(
            "chart-activity-scatter",
            ChartSpec(
                "activity_scatter",
                records(plotted[["name", "activities_per_month", "revenue_per_month", "quadrant"]]),
            ),
            "Activities a month against revenue a month, split at the medians",
        ),
        activity_median=float(medians["activities_per_month"]),
        revenue_median=float(medians["revenue_per_month"]),
        plotted=len(plotted),
        quadrant_counts=tuple((q, int(counts.get(q, 0))) for q in QUADRANTS),
        correlation_chart=embed(
            "chart-activity-correlation",
            ChartSpec(
                "activity_correlation",
                records(tables.correlation[tables.correlation["correlation"].notna()]),
            ),
            "Correlation of each activity kind with revenue, with 95 % intervals",
        ),
        correlations=frame_table(
            correlations,
            [
                info.column("kind", "Activity"),
                info.column("reps", "Reps (n)"),
                info.column("correlation"),
                info.column("interval", numeric=True),
            ],
            link(HERE, "data/activity_correlation.csv"),
            sortable=False,
        ),
        reps=reps_table.html,
        mix_csv=link(HERE, "data/activity_mix.csv"),
    )
    files[HERE] = render("activity.md.j2", page=with_download_menu(page))
    return Topic(
        files=files,
        nav=[{"Activity": HERE}],
        rep_sections=_rep_sections(context, files),
        methodology=("methodology_activity.md.j2",),
    )


def _rep_sections(context: SiteContext, files: dict[str, str]) -> dict[str, list]:
    """Each rep's activity by kind against the median rep, next to their results: formatted once,
    sliced per rep."""
    tables = context.metrics.activity
    assert tables is not None
    mix = tables.mix
    if not len(mix):
        return {}
    at = positions_by(mix, "rep_id")
    columns = [
        Column.of("kind", "Activity"),
        Column.of("count"),
        Column.of("per_month"),
        Column.of("share"),
        Column.of("median_rep_per_month"),
    ]
    rows = table_rows(mix, columns)
    header, lines = csv_lines(mix)
    points = records(mix[["kind", "per_month", "median_rep_per_month"]])
    slug_of = context.rep_slugs
    info = context.info
    results = {row["rep_id"]: row for row in tables.reps.to_dict("records")}
    sections: dict[str, list] = {}
    for rep_id, mine in at.items():
        slug = slug_of.get(rep_id)
        if slug is None:
            continue
        here = f"reps/{slug}.md"
        me = results.get(rep_id, {})
        quadrant = me.get("quadrant")
        summary = (
            f"In {text.escape(info.period_label)} so far: {text.number(me.get('activities_per_month'), 1)} activities "
            f"a month, next to {text.money(me.get('revenue_per_month'), info.currency)} of revenue a month, "
            f"a win rate of {text.percent(me.get('win_rate'))} and a value ratio of {text.ratio(me.get('value_ratio'))}"
            + (
                f" (<em>{text.escape(quadrant)}</em> against the medians)."
                if isinstance(quadrant, str)
                else "."
            )
        )
        files[f"data/reps/{slug}-activity.csv"] = header + "".join(pick(lines, mine))
        body = Markdown(
            paragraph(
                f"{summary} Activity is what a rep does, not what it brings in: see "
                f'<a href="{link(here, "activity/")}">activity versus performance</a>.',
                embed(
                    "chart-rep-activity",
                    ChartSpec("activity_mix", pick(points, mine)),
                    "Activities a month by kind; the red tick is the median rep",
                ),
            )
            + "\n\n"
            + html_table(
                columns,
                pick(rows, mine),
                link(here, f"data/reps/{slug}-activity.csv"),
                sortable=False,
            )
        )
        sections[rep_id] = [Section("Activity mix", body)]
    return sections
