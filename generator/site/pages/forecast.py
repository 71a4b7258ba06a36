"""``/forecast/`` and the projection section of every rep and team page: point forecast, 80 %
interval, backtest accuracy beside the seasonal-naive baseline, reconciliation and open pipeline."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import pandas as pd

from generator.metrics import Metrics
from generator.metrics.compute import reps_by_id
from generator.metrics.forecast import (
    CAP,
    MIN_MONTHS,
    NOT_ENOUGH,
    SEASONAL_NAIVE,
    SHARE_GROWTH_CAP,
)
from generator.metrics.period import year_label
from generator.metrics.segments import DIMENSIONS
from generator.site import text
from generator.site.charts import ChartSpec, chart, embed
from generator.site.common import (
    Section,
    SiteContext,
    SiteInfo,
    Topic,
    figure_table,
    link,
    pick,
    positions_by,
    put_table,
    with_download_menu,
)
from generator.site.prerender import paragraph
from generator.site.render import render
from generator.site.tables import Column, frame_table, index_table, records, to_csv
from generator.site.text import Markdown

HERE = "forecast.md"
POOR_COVERAGE = 0.6
"""Below this backtest coverage, the page warns that the 80 % intervals have been too narrow."""


@dataclass(frozen=True)
class ForecastPage:
    """``/forecast/``: projections of the company, teams, regions and reps."""

    site: SiteInfo
    start_month: str
    horizons: tuple[str, ...]
    company: Markdown
    company_verdict: Markdown
    company_path: Markdown
    company_backtest: Markdown
    teams_chart: Markdown
    teams: Markdown
    former_share: str
    """Teams whose last 12 months' revenue came in part from reps who have left (escaped text; ""
    when none: ``former_reps_share``)."""
    regions_chart: Markdown
    regions: Markdown
    reps: Markdown
    reps_without: int
    remainders: Markdown
    intervals: Markdown
    """Per level: the backtest errors behind the 80 % intervals, their multipliers and measured coverage."""
    flagged: int
    """Projections capped at ``cap`` × the last 12 months."""
    cap: float
    min_months: int
    downloads: Markdown | str = ""
    """One "Download data" menu: every table's CSV on the page (no link under each table)."""


def _interval_basis(row: dict) -> str:
    """What an entity's 80 % interval rests on: the level's backtest, or (seasonal naive) no backtest."""
    if row["method"] == SEASONAL_NAIVE:
        return (
            "no backtest yet: a normal-width interval, never narrower than the spread of the year's "
            "number of won deals"
        )
    return (
        f"intervals made this way held the actual in {text.percent(row['level_coverage'])} of the "
        f"backtest origins of all {row['level']}s"
    )


FORMER_SHARE_SHOWN = 0.05
"""A team is named when at least this share of its last 12 months' revenue came from reps who have left."""


def former_reps_share(metrics: Metrics) -> pd.Series:
    """Per team (the reps export's team, as the projections group reps): the share of its revenue in
    the 12 complete months up to the forecast's last month won by reps who have left by as_of
    (``status`` former). The projections keep that revenue in the team's history."""
    last = metrics.forecast.last_month
    monthly = metrics.rep_monthly
    if not len(monthly) or "rep_id" not in monthly:
        return pd.Series(dtype="float64")
    window = monthly[
        (monthly["month"] > last - pd.DateOffset(months=12)) & (monthly["month"] <= last)
    ]
    reps = reps_by_id(metrics.reps)
    ids = window["rep_id"].astype("string")
    team = ids.map(reps["team"])
    former = (ids.map(reps["status"]) == "former").fillna(False).astype(bool)
    total = window["revenue"].groupby(team).sum()
    gone = window.loc[former, "revenue"].groupby(team[former]).sum()
    share = (gone.reindex(total.index).fillna(0.0) / total.where(total > 0)).dropna()
    share.index = share.index.astype("string")
    return share.sort_values(ascending=False, kind="stable")


def _former_share_text(share: pd.Series) -> str:
    """ "West 33.0 %, South 20.1 %" for the teams at or above FORMER_SHARE_SHOWN; "" for none."""
    shown = share[share >= FORMER_SHARE_SHOWN]
    return ", ".join(f"{text.escape(str(t))} {text.percent(v)}" for t, v in shown.items())


def company_interval(row: dict, currency: str) -> str:
    """The company's 80 % interval with how often such intervals held the actual in the backtest;
    "—" without a projection, and no share of "0 backtest origins" without a backtest."""
    if text.missing(row["forecast_low"]) or text.missing(row["forecast_high"]):
        return text.EMPTY
    interval = f"{text.money(row['forecast_low'], currency)} – {text.money(row['forecast_high'], currency)}"
    origins = 0 if text.missing(row["backtest_origins"]) else int(row["backtest_origins"])
    if not origins:
        return interval + " (no backtest yet: too little history to test it on past years)"
    return interval + (
        f" (held the actual in {text.percent(row['level_coverage'])} of its "
        f"{text.integer(origins)} backtest origins; their twelve-month windows overlap, "
        "so that is about one independent year per twelve origins)"
    )


def mape_pair(mape: object, baseline: object) -> tuple[str, str]:
    """The backtest MAPE and the baseline's, each kept on its side of the other: a projection that
    beats the baseline by 0.03 points shows "22.17 %" against "22.2 %", never "22.2 %" against "22.2 %"
    beside "yes"."""
    if text.missing(mape) or text.missing(baseline):
        return text.percent(mape), text.percent(baseline)
    a, b = float(mape), float(baseline)  # type: ignore[arg-type]
    if not (math.isfinite(a) and math.isfinite(b)):
        return text.percent(a), text.percent(b)
    ours, theirs = text.ordered(a, b, 100, 1)
    return f"{ours} %", f"{theirs} %"


def verdicts(table: pd.DataFrame) -> list[Markdown]:
    """One sentence per row on how the method compares with the naive baseline in the backtest."""
    out = []
    for level, method, origins, mape, base, coverage, level_coverage in zip(
        table["level"],
        table["method"],
        table["backtest_origins"],
        table["mape"],
        table["baseline_mape"],
        table["coverage"],
        table["level_coverage"],
        strict=True,
    ):
        if method == NOT_ENOUGH:
            out.append("Not enough history: a projection needs at least a year of closed deals.")
        elif not origins or pd.isna(mape) or pd.isna(base):
            out.append(
                "Not enough history for a backtest yet (it needs three years): the accuracy is unknown."
            )
        else:
            ours, theirs = mape_pair(mape, base)
            sentence = (
                f"In the backtest ({text.integer(origins)} origin{'s' if origins != 1 else ''}) the projection missed the next 12 months by "
                f"{ours} on average, against {theirs} for the seasonal-naive baseline"
            )
            # HTML, not Markdown emphasis: the sentence is also rendered inside HTML blocks.
            sentence += (
                ": it beats the baseline."
                if mape < base
                else ": <strong>it does not beat the naive baseline</strong>; read it as no better than last year's figure."
            )
            if not pd.isna(coverage) and coverage < POOR_COVERAGE:
                # An entity's own origins are few: say how they compare with its level's, which set
                # the interval's width, so the two percentages never read as a contradiction.
                across = (
                    f" (across all {level}s: {text.percent(level_coverage)})"
                    if level != "company" and not pd.isna(level_coverage)
                    else ""
                )
                sentence += (
                    f" Over these origins its 80 % intervals held the actual value only "
                    f"{text.percent(coverage)} of the time{across}: they are too narrow here."
                )
            out.append(sentence)
    return [Markdown(sentence) for sentence in out]


def _beats(value: object) -> str:
    """Whether the backtest beat the seasonal-naive baseline, said in words (empty: not measured)."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return text.EMPTY
    return "yes" if bool(value) else "<strong>no</strong>: use the baseline"


def _columns(info: SiteInfo, shown_as: str, link_field: str | None) -> list[Column]:
    """Columns of a forecast table whose ``id`` is a team, region or rep (``shown_as``: the figure it is)."""
    return [
        info.column(shown_as, field="id", link=link_field),
        replace(info.column("year", field="label"), facet=True),
        info.column("method"),
        info.column("history_months"),
        info.column("forecast"),
        info.column("forecast_low"),
        info.column("forecast_high"),
        info.column("reconciled"),
        info.column("baseline"),
        info.column("mape", field="mape_text", fmt=text.escape, numeric=True),
        info.column("baseline_mape", field="baseline_mape_text", fmt=text.escape, numeric=True),
        info.column("coverage"),
        info.column("beats_baseline", fmt=_beats),
        info.column("flag"),
        info.column("open_pipeline"),
        info.column("expected_pipeline"),
    ]


def _label(table: pd.DataFrame, fy: int) -> pd.Series:
    return pd.Series(
        [
            f"{year_label(int(y), fy)}" + (" (booked + rest)" if h != "next year" else "")
            for y, h in zip(table["fiscal_year"], table["horizon"], strict=True)
        ],
        index=table.index,
    )


def topic(context: SiteContext) -> Topic:
    """The forecast page, data/forecast.csv, and a projection section on rep and team pages."""
    info, metrics = context.info, context.metrics
    forecast = metrics.forecast
    fy = metrics.period.fiscal_year_start
    pairs = [
        mape_pair(a, b)
        for a, b in zip(forecast.table["mape"], forecast.table["baseline_mape"], strict=True)
    ]
    table = forecast.table.assign(
        label=lambda t: _label(t, fy),
        mape_text=[p[0] for p in pairs],
        baseline_mape_text=[p[1] for p in pairs],
    )
    files: dict[str, str] = {}
    put_table(files, "forecast", forecast.table)
    put_table(files, "forecast_paths", forecast.paths)
    put_table(files, "forecast_backtest", forecast.company_backtest)
    put_table(files, "forecast_remainders", forecast.remainders)
    put_table(files, "forecast_intervals", forecast.intervals)

    company = table[table["level"] == "company"]
    items: list[tuple[str, str]] = []
    for row in company.to_dict("records"):
        label = row["label"]
        items += [
            (
                f"Projected revenue {text.escape(label)}",
                f"<strong>{text.money(row['forecast'], info.currency)}</strong>",
            ),
            ("80 % interval", company_interval(row, info.currency)),
            ("Seasonal-naive baseline", text.money(row["baseline"], info.currency)),
        ]
        if row["flag"]:
            items.append(("Flag", f"<strong>{text.escape(row['flag'])}</strong>"))
        if row["booked"]:
            # Booked to the end of the last complete month: the overview's revenue also counts
            # the days since, up to as_of.
            through = forecast.last_month.strftime("%B %Y")
            month_end = forecast.last_month + pd.offsets.MonthEnd(0)
            since = (
                f" (the overview's revenue also counts the days since, to {info.as_of})"
                if pd.Timestamp(metrics.period.as_of) > month_end
                else ""
            )
            items.append(
                (
                    f"of which booked to the end of {through}",
                    text.money(row["booked"], info.currency) + since,
                )
            )
    first = company.iloc[0] if len(company) else None
    if first is not None:
        items += [
            (
                "Method",
                f"{text.escape(first['method'])} ({int(first['history_months'])} months of history)",
            ),
            ("Backtest MAPE (baseline)", f"{first['mape_text']} ({first['baseline_mape_text']})"),
            (
                "Backtest 80 % coverage (baseline)",
                f"{text.percent(first['coverage'])} ({text.percent(first['baseline_coverage'])})",
            ),
            (
                "Open pipeline",
                f"{text.money(first['open_pipeline'], info.currency)} in {text.integer(first['open_deals'])} open deals",
            ),
            (
                "Open pipeline × win rate",
                f"{text.money(first['expected_pipeline'], info.currency)} "
                f"(historical win rate {text.percent(first['win_rate'])})",
            ),
        ]
    company_paths = forecast.paths[forecast.paths["level"] == "company"]
    backtest = forecast.company_backtest
    teams = _linked(table[table["level"] == "team"], context.team_slugs, "teams")
    regions = table[table["level"] == "region"].assign(href=None)
    rep_slugs = context.rep_slugs
    names = dict(zip(context.reps["rep_id"], context.reps["name"], strict=True))
    reps = _linked(table[table["level"] == "rep"], rep_slugs, "reps").assign(
        id=lambda t: [names.get(i, i) for i in t["id"]]
    )
    reps = reps.sort_values(["reconciled", "id"], ascending=[False, True], na_position="last")
    remainders = forecast.remainders.assign(
        label=lambda t: [year_label(int(y), fy) for y in t["fiscal_year"]]
    )
    team_chart = table[(table["level"] == "team") & (table["horizon"] == "next year")]
    region_chart = table[(table["level"] == "region") & (table["horizon"] == "next year")]
    # Long lists of teams and reps: filterable, paged, and loaded from a fragment file at scale.
    teams_table = index_table(
        teams,
        _columns(info, "team", "href"),
        link(HERE, "data/forecast.csv"),
        here=HERE,
        name="forecast-teams",
        noun="team projections",
        sorted_by=None,
    )
    reps_table = index_table(
        reps,
        _columns(info, "name", "href"),
        link(HERE, "data/forecast.csv"),
        here=HERE,
        name="forecast-reps",
        noun="rep projections",
        sorted_by="reconciled",
    )
    files.update(teams_table.files)
    files.update(reps_table.files)
    page = ForecastPage(
        site=info,
        start_month=forecast.last_month.strftime("%Y-%m"),
        horizons=tuple(
            f"{year_label(h.fiscal_year, fy)}"
            + (
                " (the whole year: what is booked plus the months left)"
                if h.name != "next year"
                else ""
            )
            for h in forecast.horizons
        ),
        company=figure_table(items, link(HERE, "data/forecast.csv")),
        company_verdict=verdicts(company.head(1))[0] if len(company) else Markdown(""),
        company_path=embed(
            "chart-forecast-company",
            chart("forecast_path", company_paths, ["month", "kind", "revenue", "low", "high"]),
            "Company revenue by month: actual and projected",
        ),
        company_backtest=embed(
            "chart-forecast-backtest",
            chart(
                "forecast_backtest",
                backtest,
                ["month", "actual", "forecast", "baseline", "low", "high"],
            ),
            "Backtest: next 12 months' revenue, projected at each origin vs actual",
        ),
        teams_chart=embed(
            "chart-forecast-teams",
            chart(
                "forecast_by_entity",
                team_chart,
                ["id", "reconciled", "reconciled_low", "reconciled_high"],
            ),
            "Projected revenue by team",
        ),
        teams=teams_table.html,
        former_share=_former_share_text(former_reps_share(metrics)),
        regions_chart=embed(
            "chart-forecast-regions",
            chart(
                "forecast_by_entity",
                region_chart,
                ["id", "reconciled", "reconciled_low", "reconciled_high"],
            ),
            "Projected revenue by region",
        ),
        regions=frame_table(
            regions, _columns(info, "region", None), link(HERE, "data/forecast.csv")
        ),
        reps=reps_table.html,
        # Reps (by id: two may share a name), not rows: a rep has one row per horizon.
        reps_without=int(
            table.loc[(table["level"] == "rep") & (table["method"] == NOT_ENOUGH), "id"]
            .loc[lambda ids: ids.isin(list(rep_slugs))]
            .nunique()
        ),
        remainders=frame_table(
            remainders,
            [
                info.column("level"),
                info.column("year", field="label"),
                info.column("remainder"),
                info.column("factor"),
                info.column("reconciled", "Remainder after scaling"),
            ],
            link(HERE, "data/forecast_remainders.csv"),
            sortable=False,
        ),
        intervals=frame_table(
            forecast.intervals,
            [
                info.column("level"),
                info.column("backtest_origins"),
                info.column("calibration_errors"),
                info.column("calibration_low"),
                info.column("calibration_high"),
                info.column("level_coverage"),
            ],
            link(HERE, "data/forecast_intervals.csv"),
            sortable=False,
        ),
        flagged=int((table["flag"].fillna("") != "").sum()),
        cap=CAP,
        min_months=MIN_MONTHS,
    )
    files[HERE] = render("forecast.md.j2", page=with_download_menu(page))
    rep_sections, rep_files = _sections(
        info, table[table["level"] == "rep"], forecast.paths, "rep", rep_slugs, "reps"
    )
    team_sections, team_files = _sections(
        info, table[table["level"] == "team"], forecast.paths, "team", context.team_slugs, "teams"
    )
    files.update(rep_files)
    files.update(team_files)
    region_slugs = context.segment_slugs.get("region", {})
    region_sections, region_files = _sections(
        info,
        table[table["level"] == "region"],
        forecast.paths,
        "region",
        region_slugs,
        DIMENSIONS["region"],
    )
    files.update(region_files)
    return Topic(
        files=files,
        nav=[{"Forecast": HERE}],
        rep_sections=rep_sections,
        team_sections=team_sections,
        segment_sections={"region": region_sections},
        methodology=("methodology_forecast.md.j2",),
    )


def _linked(frame: pd.DataFrame, slugs: dict[str, str], folder: str) -> pd.DataFrame:
    here_depth = link(HERE, "")
    # pandas-stubs refuse None (no page, no link) in a list column.
    return frame.assign(
        href=[f"{here_depth}{folder}/{slugs[i]}/" if i in slugs else None for i in frame["id"]]  # type: ignore[misc]
    )


def _common_factors(table: pd.DataFrame) -> dict[str, float]:
    """Per horizon, the factor that scales a level's projections to the company's: reconciled ÷
    projection of most of them (the median; a part held back by the reconciliation's growth cap has
    a smaller one)."""
    projected = table[table["forecast"].notna() & (table["forecast"] > 0)]
    ratio = projected["reconciled"] / projected["forecast"]
    return {str(h): float(r) for h, r in ratio.groupby(projected["horizon"]).median().items()}


def _held_back(row: dict, factors: dict[str, float]) -> str:
    """Why a reconciled projection is well below projection × the common factor: the part grew
    faster than SHARE_GROWTH_CAP × its level's median growth, and counts at that growth."""
    factor = factors.get(str(row["horizon"]))
    forecast, reconciled = row["forecast"], row["reconciled"]
    if factor is None or text.missing(forecast) or text.missing(reconciled) or forecast <= 0:
        return ""
    if reconciled >= 0.99 * factor * forecast:
        return ""
    return (
        f" (this projection grows more than {SHARE_GROWTH_CAP:g}× as fast as the median of its "
        "level, so it counts at that growth when the parts are scaled to the company's projection)"
    )


def _sections(
    info: SiteInfo,
    table: pd.DataFrame,
    paths: pd.DataFrame,
    level: str,
    slugs: dict[str, str],
    folder: str,
) -> tuple[dict[str, list[Section]], dict[str, str]]:
    """A "Projection" section per entity: figures, verdict and the monthly path, formatted once."""
    held = _common_factors(table)
    table = table[table["id"].isin(list(slugs))].reset_index(drop=True)
    at = positions_by(table, "id")
    said = verdicts(table)
    rows = table.to_dict("records")
    level_paths = paths[(paths["level"] == level) & paths["id"].isin(list(slugs))].reset_index(
        drop=True
    )
    path_at = positions_by(level_paths, "id")
    points = records(level_paths[["month", "kind", "revenue", "low", "high"]])
    depth = link(f"{folder}/x.md", "")
    header = (
        "fiscal_year,horizon,method,history_months,booked,forecast,forecast_low,forecast_high,baseline,"
        "reconciled,mape,coverage,level_coverage,baseline_mape,flag,open_pipeline,expected_pipeline\n"
    )
    fields = header.strip().split(",")
    lines = to_csv(table[fields]).splitlines(keepends=True)[1:] if len(table) else []
    sections: dict[str, list[Section]] = {}
    files: dict[str, str] = {}
    for entity, slug in slugs.items():
        mine = at.get(entity)
        if not mine:
            continue
        first = rows[mine[0]]
        csv_name = f"data/{folder}/{slug}-forecast.csv"
        parts: list[str] = []
        if first["method"] == NOT_ENOUGH:
            parts.append(
                f"**Not enough history**: {int(first['history_months'])} month(s) of closed deals; a "
                f"projection needs at least {MIN_MONTHS}. No number is shown rather than a guess."
            )
        items: list[tuple[str, str]] = []
        for i in mine:
            row = rows[i]
            if row["method"] == NOT_ENOUGH:
                continue
            items += [
                (
                    f"Projected revenue {text.escape(row['label'])}",
                    f"<strong>{text.money(row['forecast'], info.currency)}</strong> (80 %: {text.money(row['forecast_low'], info.currency)} – "
                    f"{text.money(row['forecast_high'], info.currency)}; {_interval_basis(row)})",
                ),
                (
                    f"Reconciled with the company {text.escape(row['label'])}",
                    text.money(row["reconciled"], info.currency) + _held_back(row, held),
                ),
                *(
                    [("Flag", f"<strong>{text.escape(row['flag'])}</strong>")]
                    if row["flag"]
                    else []
                ),
                (
                    f"Seasonal-naive baseline {text.escape(row['label'])}",
                    text.money(row["baseline"], info.currency),
                ),
            ]
        if items:
            items.append(
                (
                    "Method",
                    f"{text.escape(first['method'])} ({int(first['history_months'])} months of history)",
                )
            )
        items.append(
            (
                "Open pipeline × historical win rate",
                f"{text.money(first['expected_pipeline'], info.currency)} of {text.money(first['open_pipeline'], info.currency)} "
                f"({text.percent(first['win_rate'])})",
            )
        )
        parts.append(figure_table(items, depth + csv_name))
        if first["method"] != NOT_ENOUGH:
            parts.append(
                paragraph(
                    said[mine[0]],
                    embed(
                        f"chart-{level}-forecast",
                        ChartSpec("forecast_path", pick(points, path_at.get(entity))),
                        "Revenue by month: actual and projected",
                    ),
                )
            )
        parts.append(
            f'Method, intervals and reconciliation: <a href="{depth}forecast/">forecast</a>.'
        )
        sections[entity] = [Section("Projection", Markdown("\n\n".join(parts)))]
        files[csv_name] = header + "".join(lines[i] for i in mine)
    return sections, files
