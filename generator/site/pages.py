"""Page contexts: one frozen dataclass per page kind, built from metrics, then rendered by a template."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

import pandas as pd

from generator.config import Config, LoadedConfig
from generator.metrics import REP_COLUMNS, REP_EXTRA_COLUMNS, Metrics, rep_history_shown
from generator.metrics.compute import trailing_change
from generator.metrics.definitions import FIGURES, figure, label_of
from generator.metrics.period import year_label
from generator.quality import ISSUE_COLUMNS, QualityReport
from generator.schema import DATASETS
from generator.site import activity, coaching, forecast, goals, managers, segments, text, trends
from generator.site.charts import ChartSpec, chart, embed
from generator.site.common import (
    Section,
    SiteContext,
    SiteInfo,
    Topic,
    cost_and_ratio,
    deal_columns,
    figure_table,
    link,
    pick,
    positions_by,
    public,
    put_table,
    segment_slugs,
)
from generator.site.permalinks import redirect_pages
from generator.site.privacy import RATIO_BANDS, band_rank, publishable_findings, publishable_metrics
from generator.site.render import render
from generator.site.tables import (
    Column,
    csv_lines,
    frame_table,
    html_table,
    records,
    table_rows,
    to_csv,
    to_json,
)
from generator.site.text import Markdown, entity_slugs

ISSUES_ON_PAGE = 2000
"""Findings listed on /data-quality/ itself; all of them are always in data/data_quality.csv."""

CLIENTS_ON_PAGE = 10
"""Clients listed on a rep's page (the most valuable); all of them are in the rep's CSV."""



@dataclass(frozen=True)
class OverviewPage:
    """``/``: headline figures, trends, alerts and data freshness."""

    site: SiteInfo
    headlines: Markdown
    revenue_by_year: Markdown
    revenue_by_month: Markdown
    ratio_distribution: Markdown | None
    top_reps: Markdown | None
    bottom_reps: Markdown | None
    alerts: tuple[Markdown, ...]
    freshness: Markdown
    no_ratio_reason: str


@dataclass(frozen=True)
class RepsIndexPage:
    """``/reps/``: every rep, current and former."""

    site: SiteInfo
    table: Markdown
    counts: dict[str, int]


@dataclass(frozen=True)
class RepPage:
    """``/reps/<slug>/``: one rep's figures, history and clients."""

    site: SiteInfo
    rep_id: str
    name: str
    facts: Markdown
    kpis: Markdown
    ratio_note: str
    revenue_by_year: Markdown
    revenue_by_month: Markdown
    ratio_by_year: Markdown | None
    history: Markdown
    clients: Markdown
    client_count: int
    sections: tuple[Section, ...] = ()
    """Added by topics (goals, coaching, …), after the clients."""


@dataclass(frozen=True)
class TeamsIndexPage:
    """``/teams/``: every team and manager."""

    site: SiteInfo
    teams: Markdown
    managers: Markdown
    has_teams: bool


@dataclass(frozen=True)
class TeamPage:
    """``/teams/<slug>/``: a team, its manager and members."""

    site: SiteInfo
    team: str
    manager: str
    kpis: Markdown
    members: Markdown
    revenue_by_member: Markdown
    revenue_by_year: Markdown
    revenue_by_month: Markdown
    history: Markdown
    sections: tuple[Section, ...] = ()
    """Added by topics (goals, managers, …), after the history."""


@dataclass(frozen=True)
class DataQualityPage:
    """``/data-quality/``: every finding with file, row and column."""

    site: SiteInfo
    summary: Markdown
    grouped: Markdown
    findings: Markdown
    counts: dict[str, int]
    listed: int
    total: int
    grouped_csv: str
    """data/data_quality_summary.csv: the problems by kind."""
    grouped_json: str
    """data/data_quality_summary.json: the same rows."""


@dataclass(frozen=True)
class MethodologyPage:
    """``/methodology/``: what is tracked, each formula, the reading rules and the limits."""

    site: SiteInfo
    won_stages: tuple[str, ...]
    lost_stages: tuple[str, ...]
    gross_margin: float
    attribution: str
    include_coaching_cost: bool
    fiscal_year_start: int
    ltv_method: str
    datasets: tuple[str, ...]
    config: Config
    """The whole config, for the topics' methodology sections."""
    topics: tuple[str, ...] = ()
    """Templates of the topics' methodology sections, included in order."""
    pages: frozenset[str] = frozenset()
    """Docs paths of the pages this build makes: links go only to those."""
    usage: Markdown | None = None
    """Rows read, used and excluded per dataset (the table of /data-quality/, without the warnings)."""
    glossary: Markdown | None = None
    """Every column of this build's data files with its registry definition (see ``glossary``)."""

    def definition(self, name: str) -> Markdown:
        """A figure's formula as the registry states it: ``**Win rate** = won ÷ (won + lost), …``."""
        entry = figure(name)
        return Markdown(f"**{entry.label}** = {entry.formula}")


@dataclass(frozen=True)
class Output:
    """Everything the site stage writes into the docs folder: path → text."""

    files: dict[str, str]
    nav: list[dict[str, str]]
    pages: int


def _site_info(cfg: LoadedConfig, metrics: Metrics) -> SiteInfo:
    config = cfg.config
    return SiteInfo(
        title=config.site.title,
        currency=config.site.currency,
        period_label=metrics.period.label,
        as_of=metrics.period.as_of.isoformat(),
        show_compensation=config.privacy.show_compensation,
        has_costs=metrics.has_costs,
        rep_value_ratios=config.privacy.rep_value_ratios,
        min_group_size=config.privacy.min_group_size,
    )


def _rep_columns(info: SiteInfo) -> list[Column]:
    return [
        info.column("name", link="href"),
        info.column("team"),
        info.column("region"),
        info.column("status"),
        info.column("revenue", "Revenue {period}"),
        info.column("won_deals"),
        info.column("lost_deals"),
        info.column("win_rate"),
        info.column("clients"),
        info.column("mean_client_ltv"),
        *cost_and_ratio(info),
    ]


def _headlines(info: SiteInfo, metrics: Metrics) -> tuple[list[dict[str, object]], Markdown]:
    """Headline figures with their change on the same span of last year: (CSV rows, page table)."""
    now, before = metrics.company(metrics.period.year), metrics.company_previous

    def pick(row: pd.Series, field: str) -> float:
        return float(row[field]) if field in row and not pd.isna(row[field]) else float("nan")

    rows, cells = [], []
    for field, fmt, points in (
        ("revenue", text.short_money, False),
        ("won_deals", text.integer, False),
        ("win_rate", text.percent, True),
        ("new_clients", text.integer, False),
        ("mean_client_ltv", text.short_money, False),
    ):
        name = label_of(field)
        current, previous = pick(now, field), pick(before, field)
        delta = text.points(current - previous) if points else text.change(trailing_change(current, previous))
        rows.append({"figure": field, "value": current, "same_span_last_year": previous})
        cells.append(f'<tr><td>{name}</td><td class="sp-num">{fmt(current)}</td><td class="sp-num">{delta}</td></tr>')
    ratios = metrics.reps["value_ratio"]
    # With bands, the median band: the exact median is one rep's ratio when the count is odd.
    median = _median_band(ratios) if info.ratio_bands else ratios.median()
    rows.append({"figure": "median_rep_value_ratio", "value": median, "same_span_last_year": None})
    cells.append(f'<tr><td>Median rep value ratio ({int(ratios.notna().sum())} reps with a ratio)</td>'
                 f'<td class="sp-num">{text.ratio(median)}</td><td class="sp-num">{text.EMPTY}</td></tr>')
    columns = [info.column("figure"), info.column("value", "{period}", numeric=True),
               info.column("change", numeric=True)]
    return rows, html_table(columns, cells, "data/headlines.csv", sortable=False)


def _median_band(bands: pd.Series) -> str | None:
    """The median of banded ratios, as a band (the lower middle one: never a mean of two bands)."""
    ranks = sorted(int(band_rank(b)) for b in bands.dropna())
    return RATIO_BANDS[ranks[(len(ranks) - 1) // 2]][1] if ranks else None


def _no_ratio_reason(metrics: Metrics) -> str:
    if not metrics.has_costs:
        return ("No cost data was provided (sources.costs), so no value ratio can be computed: "
                "the ratio divides client lifetime value by what a rep costs.")
    return ""


def build_site(cfg: LoadedConfig, metrics: Metrics, quality: QualityReport) -> Output:
    """Every page, chart and data file of the site, as text keyed by path in the docs folder."""
    metrics = publishable_metrics(metrics, cfg.config.privacy)
    quality = replace(quality, issues=publishable_findings(quality.issues, cfg.config.privacy))
    info = _site_info(cfg, metrics)
    files: dict[str, str] = {}
    reps = metrics.reps.copy()
    reps["slug"] = reps["rep_id"].map(entity_slugs(reps["rep_id"].tolist(), kind="rep"))
    team_slugs = entity_slugs(metrics.teams["team"].dropna().tolist(), kind="team")
    manager_slugs = entity_slugs(sorted(metrics.manager_history.years["manager"].dropna().unique()), kind="manager")
    reps["team_slug"] = reps["team"].map(team_slugs)

    put_table(files, "reps", public(reps[REP_COLUMNS + REP_EXTRA_COLUMNS], info).assign(url="reps/" + reps["slug"] + "/"))
    shown = metrics.rep_years[rep_history_shown(metrics.rep_years, metrics.reps, metrics.period)]
    put_table(files, "rep_history", public(shown, info))
    put_table(files, "teams", public(metrics.teams, info))
    put_table(files, "team_history", public(metrics.team_years, info))
    put_table(files, "company_history", public(metrics.company_years, info))
    put_table(files, "managers", public(metrics.managers, info))
    put_table(files, "data_quality", quality.issues[ISSUE_COLUMNS])
    datasets = pd.DataFrame([
        {"dataset": s.dataset, "files": ", ".join(s.files), "rows_read": s.rows_read, "rows_used": s.rows_used,
         "rows_excluded": s.rows_excluded,
         "warnings": int(((quality.issues["dataset"] == s.dataset) & (quality.issues["severity"] == "warning")).sum()),
         "latest": s.latest}
        for s in quality.summaries
    ], columns=["dataset", "files", "rows_read", "rows_used", "rows_excluded", "warnings", "latest"])
    put_table(files, "datasets", datasets)
    headline_rows, headline_table = _headlines(info, metrics)
    put_table(files, "headlines", pd.DataFrame(headline_rows))

    segment_pages = {dim: segment_slugs(list(table[dim].unique()), dim)
                     for dim, table in metrics.segments.history.items()}
    context = SiteContext(cfg=cfg, info=info, metrics=metrics, reps=reps,
                          rep_slugs=dict(zip(reps["rep_id"], reps["slug"], strict=True)), team_slugs=team_slugs,
                          manager_slugs=manager_slugs, segment_slugs=segment_pages)
    topics = [make(context) for make in TOPICS]
    rep_sections = _merge_sections(topic.rep_sections for topic in topics)
    team_sections = _merge_sections(topic.team_sections for topic in topics)

    files["index.md"] = render("overview.md.j2", page=_overview(info, metrics, reps, quality, datasets, headline_table))
    files["reps/index.md"] = render("reps_index.md.j2", page=_reps_index(info, reps))
    files.update(_rep_pages(info, metrics, reps, rep_sections))
    files["teams/index.md"] = render("teams_index.md.j2", page=_teams_index(info, metrics, team_slugs))
    files.update(_team_pages(info, metrics, reps, team_slugs, team_sections))
    for topic in topics:
        files.update(topic.files)
    for topic in topics:  # after every page exists: sections for pages another topic built
        for path, sections in topic.page_sections.items():
            files[path] = files[path].rstrip("\n") + "\n" + "".join(
                f"\n## {text.escape(section.title)}\n\n{section.body}\n" for section in sections)
    quality_page = _data_quality(info, quality, datasets)
    files["data-quality.md"] = render("data_quality.md.j2", page=quality_page)
    files["data/data_quality_summary.csv"] = quality_page.grouped_csv
    files["data/data_quality_summary.json"] = quality_page.grouped_json
    methodology = tuple(name for topic in topics for name in topic.methodology)
    files["methodology.md"] = render("methodology.md.j2",
                                     page=_methodology(info, cfg, methodology, files, datasets))
    files.update(_redirects(context, files))
    nav = [
        {"Overview": "index.md"},
        {"Reps": "reps/index.md"},
        {"Teams": "teams/index.md"},
        *(entry for topic in topics for entry in topic.nav),
        {"Data quality": "data-quality.md"},
        {"Methodology": "methodology.md"},
    ]
    pages = sum(1 for name in files if name.endswith(".md"))
    return Output(files=files, nav=nav, pages=pages)


TOPICS: tuple[Callable[[SiteContext], Topic], ...] = (
    segments.topic, goals.topic, coaching.topic, activity.topic, trends.topic, managers.topic, forecast.topic,
)
"""The topic modules' page builders, in navigation order."""


def _redirects(context: SiteContext, files: dict[str, str]) -> dict[str, str]:
    """Redirect pages from the addresses older slug schemes published (see ``permalinks``)."""
    def pages_in(folder: str) -> set[str]:
        return {name[len(folder) + 1 : -len(".md")] for name in files
                if name.startswith(folder + "/") and name.endswith(".md") and name.count("/") == 1}

    base_url = context.cfg.config.site.base_url
    names = dict(zip(context.reps["rep_id"], context.reps["name"], strict=True))
    kinds = [("reps", "rep", context.rep_slugs, names), ("teams", "team", context.team_slugs, None),
             ("managers", "manager", context.manager_slugs, None)]
    kinds += [(segments.DIMENSIONS[dim], dim, slugs, None) for dim, slugs in context.segment_slugs.items()]
    redirects: dict[str, str] = {}
    for folder, kind, slugs, labels in kinds:
        redirects.update(redirect_pages(folder, slugs, kind, pages_in(folder), labels, base_url))
    return redirects


def _merge_sections(parts: Iterable[dict[str, list[Section]]]) -> dict[str, tuple[Section, ...]]:
    """Each entity's sections from every topic, in topic order."""
    merged: dict[str, list[Section]] = {}
    for part in parts:
        for key, sections in part.items():
            merged.setdefault(key, []).extend(sections)
    return {key: tuple(sections) for key, sections in merged.items()}


def _overview(info: SiteInfo, metrics: Metrics, reps: pd.DataFrame, quality: QualityReport,
              datasets: pd.DataFrame, headlines: Markdown) -> OverviewPage:
    here = "index.md"
    company = metrics.company_years.assign(year=metrics.company_years["year"].map(
        lambda y: year_label(int(y), metrics.period.fiscal_year_start)))
    ranked = reps[reps["value_ratio"].notna()]
    ranked = ranked.assign(href=[link(here, f"reps/{s}/") for s in ranked["slug"]])
    ranked = ranked.assign(rank=ranked["value_ratio"].map(band_rank))
    ranked = ranked.sort_values(["rank", "name", "rep_id"] if info.ratio_bands else ["rank", "rep_id"],
                                ascending=[False, True, True] if info.ratio_bands else [False, True])
    top_cols = [info.column("name", link="href"), info.column("team"),
                info.column("clients"),
                info.column("mean_client_ltv"),
                info.column("value_ratio")]
    alerts = []
    warnings = quality.count("warning")
    if warnings:
        alerts.append(Markdown(f"**{warnings:,} data-quality warning(s)** in the inputs: rows excluded or values "
                               f"left empty. See [Data quality](data-quality.md)."))
    no_cost = int(reps["annual_cost"].isna().sum())
    if metrics.has_costs and no_cost:
        alerts.append(Markdown(f"**{no_cost} rep(s) have no cost data**, so no value ratio: "
                               f"see the [reps table](reps/index.md)."))
    no_clients = int((reps["clients"] == 0).sum())
    if no_clients:
        alerts.append(Markdown(f"**{no_clients} rep(s) have not acquired a client yet**; their value ratio is empty, "
                               "not zero (a mean over no clients is undefined)."))
    freshness = frame_table(datasets, [
        info.column("dataset"), info.column("files"),
        info.column("rows_read"),
        info.column("rows_used"),
        info.column("rows_excluded", "Excluded"),
        info.column("latest"),
    ], "data/datasets.csv", sortable=False)
    return OverviewPage(
        site=info,
        headlines=headlines,
        revenue_by_year=embed("chart-company-revenue-year", chart("revenue_by_year", company, ["year", "revenue"]),
                              "Company revenue by year"),
        revenue_by_month=embed("chart-company-revenue-month",
                               chart("revenue_by_month", metrics.company_monthly, ["month", "revenue", "won_deals"]),
                               "Company revenue by month"),
        ratio_distribution=embed("chart-ratio-distribution", chart("value_ratio_distribution", ranked, ["value_ratio"]),
                                 "Distribution of rep value ratios") if len(ranked) and not info.ratio_bands else None,
        top_reps=frame_table(ranked.head(5), top_cols, "data/reps.csv", sortable=False) if len(ranked) else None,
        bottom_reps=frame_table(ranked.tail(5).iloc[::-1], top_cols, "data/reps.csv", sortable=False)
        if len(ranked) else None,
        alerts=tuple(alerts),
        freshness=freshness,
        no_ratio_reason=_no_ratio_reason(metrics),
    )


def _reps_index(info: SiteInfo, reps: pd.DataFrame) -> RepsIndexPage:
    here = "reps/index.md"
    table = reps.assign(href=[link(here, f"reps/{s}/") for s in reps["slug"]])
    table = table.sort_values(["status", "name", "rep_id"])
    counts = {"current": int((reps["status"] == "current").sum()), "former": int((reps["status"] == "former").sum())}
    return RepsIndexPage(info, frame_table(table, _rep_columns(info), link(here, "data/reps.csv")), counts)


def _history_columns(info: SiteInfo, fy_start: int) -> list[Column]:
    return [
        info.column("year", fmt=lambda y: text.escape(year_label(int(y), fy_start))),
        info.column("revenue"),
        *deal_columns(info),
        info.column("new_clients"),
        info.column("mean_client_ltv"),
        *cost_and_ratio(info),
    ]


def _kpi_items(info: SiteInfo, row: dict, previous_revenue: float) -> list[tuple[str, str, object]]:
    """(label, shown value, raw value) of the figures at the top of a rep or team page."""
    change = text.change(trailing_change(row["revenue"], previous_revenue))
    items = [
        (label_of("revenue"), f"{text.money(row['revenue'])} {text.escape(info.currency)} ({change} on the same span "
         "last year)", row["revenue"]),
        *((label_of(n), text.integer(row[n]), row[n]) for n in ("won_deals", "lost_deals")),
        (label_of("win_rate"), text.percent(row["win_rate"]), row["win_rate"]),
        (label_of("avg_deal_size"), f"{text.money(row['avg_deal_size'])} {text.escape(info.currency)}", row["avg_deal_size"]),
        ("Median sales cycle (days)", text.number(row["sales_cycle_days"]), row["sales_cycle_days"]),
        ("Clients acquired (all years)", text.integer(row["clients"]), row["clients"]),
        ("Mean client lifetime value", f"{text.money(row['mean_client_ltv'])} {text.escape(info.currency)}",
         row["mean_client_ltv"]),
    ]
    if info.shows("annual_cost"):
        items.append((label_of("annual_cost"), f"{text.money(row['annual_cost'])} {text.escape(info.currency)}",
                      row["annual_cost"]))
    items.append(("<strong>Value ratio</strong>", f"<strong>{text.ratio(row['value_ratio'])}</strong>",
                  row["value_ratio"]))
    return items


def _kpi_csv(items: list[tuple[str, str, object]]) -> str:
    """The figures table of a rep or team page as CSV (figure, value)."""
    lines = ["figure,value\n"]
    for label, _shown, value in items:
        figure = label.replace("<strong>", "").replace("</strong>", "")
        shown = value if isinstance(value, str) else "" if pd.isna(value) else repr(float(value))  # type: ignore[arg-type]
        lines.append(f"{figure},{shown}\n")
    return "".join(lines)


def _ratio_note(row: dict, info: SiteInfo) -> str:
    if not pd.isna(row["value_ratio"]):
        return ""
    if not info.has_costs:
        return "No value ratio: no cost data was provided for any rep."
    if pd.isna(row["annual_cost"]):
        return "No value ratio: there is no cost record for this rep up to the reporting year."
    if not row["clients"]:
        return "No value ratio: this rep has not acquired a client yet (a mean over no clients is undefined)."
    return "No value ratio: the annual cost is zero."


def _rep_pages(info: SiteInfo, metrics: Metrics, reps: pd.DataFrame,
               sections: dict[str, tuple[Section, ...]]) -> dict[str, str]:
    """Every rep page and its CSV files. Tables, CSV lines and chart rows are formatted once for
    all reps, then sliced per rep: a per-rep pandas call would cost milliseconds × thousands of reps."""
    fy = metrics.period.fiscal_year_start
    history = metrics.rep_years
    history = history[rep_history_shown(history, metrics.reps, metrics.period)].reset_index(drop=True)
    history = history.assign(label=[year_label(int(y), fy) for y in history["year"]])
    hist_at = positions_by(history, "rep_id")
    hist_columns = _history_columns(info, fy)
    hist_rows = table_rows(history, hist_columns)
    hist_header, hist_csv = csv_lines(public(history.drop(columns="label"), info))
    year_points = records(history[["label", "revenue", "value_ratio"]].rename(columns={"label": "year"}))

    clients = metrics.clients.sort_values(["acquirer", "ltv", "client_id"], ascending=[True, False, True])
    clients = clients.reset_index(drop=True)
    client_at = positions_by(clients, "acquirer")
    client_cols = [info.column("client_id"), info.column("name", "Name"), info.column("acquired"),
                   info.column("won_deals", "Won deals"),
                   info.column("ltv")]
    shown = clients.groupby("acquirer", sort=False).head(CLIENTS_ON_PAGE).reset_index(drop=True)
    shown_at = positions_by(shown, "acquirer")
    client_rows = table_rows(shown, client_cols)
    client_header, client_csv = csv_lines(clients[["client_id", "name", "acquired", "won_deals", "ltv"]])

    monthly = metrics.rep_monthly.reset_index(drop=True)
    month_at = positions_by(monthly, "rep_id")
    month_points = records(monthly[["month", "revenue", "won_deals"]])

    files: dict[str, str] = {}
    for rep in reps.to_dict("records"):
        rep_id, slug = rep["rep_id"], rep["slug"]
        here = f"reps/{slug}.md"
        at = hist_at.get(rep_id)
        mine = client_at.get(rep_id) or []
        items = _kpi_items(info, rep, rep["revenue_same_period_last_year"])
        team = (f'<a href="{link(here, "teams/" + rep["team_slug"] + "/")}">{text.escape(rep["team"])}</a>'
                if isinstance(rep["team_slug"], str) else text.EMPTY)
        facts = [("Rep id", text.escape(rep_id)), ("Team", team),
                 ("Manager", text.escape(rep["manager"]) or text.EMPTY),
                 ("Region", text.escape(rep["region"]) or text.EMPTY), ("Status", text.escape(rep["status"])),
                 ("Hired", text.day(rep["hired"])), ("Left", text.day(rep["left"]))]
        points = pick(year_points, at)
        page = RepPage(
            site=info,
            rep_id=rep_id,
            name=rep["name"],
            facts=Markdown(" · ".join(f"<strong>{k}:</strong> {v}" for k, v in facts)),
            kpis=figure_table([(label, shown) for label, shown, _v in items], link(here, f"data/reps/{slug}-summary.csv")),
            ratio_note=_ratio_note(rep, info),
            revenue_by_year=embed("chart-rep-revenue-year", ChartSpec("revenue_by_year", points), "Revenue by year"),
            revenue_by_month=embed("chart-rep-revenue-month", ChartSpec("revenue_by_month", pick(month_points, month_at.get(rep_id))),
                                   "Revenue by month"),
            ratio_by_year=embed("chart-rep-ratio-year", ChartSpec("value_ratio_by_year", points), "Value ratio by year")
            if info.has_costs and not info.ratio_bands else None,
            history=html_table(hist_columns, pick(hist_rows, at), link(here, f"data/reps/{slug}-history.csv"), sortable=False),
            clients=html_table(client_cols, pick(client_rows, shown_at.get(rep_id)),
                               link(here, f"data/reps/{slug}-clients.csv")),
            client_count=len(mine),
            sections=sections.get(rep_id, ()),
        )
        files[here] = render("rep.md.j2", page=page)
        files[f"data/reps/{slug}-summary.csv"] = _kpi_csv(items)
        files[f"data/reps/{slug}-history.csv"] = hist_header + "".join(pick(hist_csv, at))
        files[f"data/reps/{slug}-clients.csv"] = client_header + "".join(pick(client_csv, mine))
    return files


def _teams_index(info: SiteInfo, metrics: Metrics, team_slugs: dict[str, str]) -> TeamsIndexPage:
    here = "teams/index.md"
    teams = metrics.teams.assign(href=[link(here, f"teams/{team_slugs[t]}/") for t in metrics.teams["team"]])
    cols = [info.column("team", link="href"), info.column("manager"),
            info.column("reps"),
            info.column("revenue", "Revenue {period}"),
            info.column("win_rate"),
            info.column("new_clients"),
            info.column("mean_client_ltv")]
    cols += cost_and_ratio(info, "Mean annual cost")
    manager_cols = [info.column("manager"), info.column("teams"), *cols[3:]]
    return TeamsIndexPage(info, frame_table(teams, cols, link(here, "data/teams.csv")),
                          frame_table(metrics.managers, manager_cols, link(here, "data/managers.csv")),
                          has_teams=bool(len(teams)))


def _team_pages(info: SiteInfo, metrics: Metrics, reps: pd.DataFrame, team_slugs: dict[str, str],
                sections: dict[str, tuple[Section, ...]]) -> dict[str, str]:
    """Every team page and its CSV files, formatted once for all teams and sliced per team."""
    fy = metrics.period.fiscal_year_start
    depth = link("teams/x.md", "")  # every team page sits at the same depth
    members = reps[reps["team"].notna()].sort_values(["team", "status", "name", "rep_id"]).reset_index(drop=True)
    members = members.assign(href=[f"{depth}reps/{s}/" for s in members["slug"]])
    member_at = positions_by(members, "team")
    member_rows = table_rows(members, _rep_columns(info))
    member_header, member_csv = csv_lines(public(members[REP_COLUMNS + REP_EXTRA_COLUMNS], info))
    member_points = records(members[["name", "revenue", "value_ratio"]])

    history = metrics.team_years.reset_index(drop=True)
    history = history.assign(label=[year_label(int(y), fy) for y in history["year"]])
    hist_at = positions_by(history, "team")
    hist_columns = _history_columns(info, fy)
    hist_rows = table_rows(history, hist_columns)
    hist_header, hist_csv = csv_lines(public(history.drop(columns="label"), info))
    year_points = records(history[["label", "revenue"]].rename(columns={"label": "year"}))
    clients_now = dict(zip(history.loc[history["year"] == metrics.period.year, "team"],
                           history.loc[history["year"] == metrics.period.year, "clients"], strict=True))

    monthly = metrics.team_monthly.reset_index(drop=True)
    month_at = positions_by(monthly, "team")
    month_points = records(monthly[["month", "revenue", "won_deals"]])
    same_span = members.groupby("team")["revenue_same_period_last_year"].sum()

    files: dict[str, str] = {}
    for team in metrics.teams.to_dict("records"):
        name, slug = team["team"], team_slugs[team["team"]]
        here = f"teams/{slug}.md"
        kpi = dict(team, clients=int(clients_now.get(name, 0)))
        items = _kpi_items(info, kpi, float(same_span.get(name, 0.0)))
        mine = member_at.get(name)
        page = TeamPage(
            site=info,
            team=name,
            manager=team["manager"] if isinstance(team["manager"], str) else "",
            kpis=figure_table([(label, shown) for label, shown, _v in items], link(here, f"data/teams/{slug}-summary.csv")),
            members=html_table(_rep_columns(info), pick(member_rows, mine), link(here, f"data/teams/{slug}-members.csv")),
            revenue_by_member=embed("chart-team-members", ChartSpec("revenue_by_member", pick(member_points, mine)),
                                    "Revenue by member"),
            revenue_by_year=embed("chart-team-revenue-year", ChartSpec("revenue_by_year", pick(year_points, hist_at.get(name))),
                                  "Team revenue by year"),
            revenue_by_month=embed("chart-team-revenue-month",
                                   ChartSpec("revenue_by_month", pick(month_points, month_at.get(name))),
                                   "Team revenue by month"),
            history=html_table(hist_columns, pick(hist_rows, hist_at.get(name)),
                               link(here, f"data/teams/{slug}-history.csv"), sortable=False),
            sections=sections.get(name, ()),
        )
        files[here] = render("team.md.j2", page=page)
        files[f"data/teams/{slug}-summary.csv"] = _kpi_csv(items)
        files[f"data/teams/{slug}-members.csv"] = member_header + "".join(pick(member_csv, mine))
        files[f"data/teams/{slug}-history.csv"] = hist_header + "".join(pick(hist_csv, hist_at.get(name)))
    return files


def _data_quality(info: SiteInfo, quality: QualityReport, datasets: pd.DataFrame) -> DataQualityPage:
    here = "data-quality.md"
    issues = quality.issues
    summary = frame_table(datasets, [
        info.column("dataset"), info.column("files"),
        info.column("rows_read"),
        info.column("rows_used"),
        info.column("rows_excluded"),
        info.column("warnings"),
    ], link(here, "data/datasets.csv"), sortable=False)
    keys = ["severity", "dataset", "file", "column", "problem", "action"]
    # A rule applied to many cells is one finding standing for ``count`` cells: counted as cells.
    grouped = (issues.fillna({"file": "", "column": ""}).groupby(keys, dropna=False, sort=False)
               .agg(count=("count", "sum"), first_row=("row", "min")).reset_index()
               .sort_values(["count"], ascending=False, kind="stable"))
    grouped_md = frame_table(grouped, [
        info.column("severity"), info.column("dataset"), info.column("file"),
        info.column("column"), info.column("problem"), info.column("action"),
        info.column("count"), info.column("first_row"),
    ], link(here, "data/data_quality_summary.csv"))
    listed = issues.head(ISSUES_ON_PAGE)
    findings = frame_table(listed, [
        info.column("severity"), info.column("file"), info.column("row"),
        info.column("column"), info.column("value"), info.column("problem"), info.column("action"),
        info.column("count", "Cells"),
    ], link(here, "data/data_quality.csv"))
    counts = {s: quality.count(s) for s in ("error", "warning", "info")}
    return DataQualityPage(info, summary, grouped_md, findings, counts, len(listed), len(issues), to_csv(grouped),
                           to_json(grouped))


def published_columns(files: dict[str, str]) -> set[str]:
    """The column names of every CSV data file in ``files`` (their header lines)."""
    names: set[str] = set()
    for path, content in files.items():
        if path.startswith("data/") and path.endswith(".csv"):
            names.update(next(csv.reader([content.partition("\n")[0]])))
    return names


def glossary(names: set[str]) -> Markdown:
    """One line per figure among ``names``, in registry order: name, label, unit, compensation, formula."""
    lines = []
    for entry in FIGURES.values():
        if entry.name in names:
            private = ", compensation" if entry.private else ""
            lines.append(f"- `{entry.name}`: **{entry.label}** ({entry.unit}{private}). {entry.formula}")
    return Markdown("\n".join(lines))


def _methodology(info: SiteInfo, cfg: LoadedConfig, topics: tuple[str, ...], files: dict[str, str],
                 datasets: pd.DataFrame) -> MethodologyPage:
    config = cfg.config
    usage = frame_table(datasets, [
        info.column("dataset"), info.column("files"),
        info.column("rows_read"),
        info.column("rows_used"),
        info.column("rows_excluded"),
    ], link("methodology.md", "data/datasets.csv"), sortable=False)
    return MethodologyPage(
        site=info,
        won_stages=cfg.won_stages(),
        lost_stages=cfg.lost_stages(),
        gross_margin=config.metrics.gross_margin,
        attribution=config.metrics.attribution,
        include_coaching_cost=config.metrics.include_coaching_cost,
        fiscal_year_start=config.report.fiscal_year_start,
        ltv_method=config.metrics.ltv_method,
        datasets=tuple(name for name in DATASETS if getattr(config.sources, name) is not None),
        config=config,
        topics=topics,
        pages=frozenset(files),
        usage=usage,
        glossary=glossary(published_columns(files)),
    )
