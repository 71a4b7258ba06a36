"""Page contexts: one frozen dataclass per page kind, built from metrics, then rendered by a template."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd

from generator.config import LoadedConfig
from generator.metrics import REP_COLUMNS, REP_EXTRA_COLUMNS, Metrics
from generator.metrics.compute import trailing_change
from generator.metrics.period import year_label
from generator.quality import ISSUE_COLUMNS, QualityReport
from generator.schema import DATASETS
from generator.site import text
from generator.site.charts import chart, embed
from generator.site.render import render
from generator.site.tables import Column, markdown_table, to_csv, to_json
from generator.site.text import Markdown, stable_slugs

ISSUES_ON_PAGE = 2000
"""Findings listed on /data-quality/ itself; all of them are always in data/data_quality.csv."""


@dataclass(frozen=True)
class Headline:
    """One headline figure with its change on the previous year."""

    label: str
    value: Markdown
    change: Markdown
    note: str = ""


@dataclass(frozen=True)
class SiteInfo:
    """What every page needs to know about the build."""

    title: str
    currency: str
    period_label: str
    as_of: str
    show_compensation: bool
    has_costs: bool


@dataclass(frozen=True)
class OverviewPage:
    """``/``: headline figures, trends, alerts and data freshness."""

    site: SiteInfo
    headlines: tuple[Headline, ...]
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


@dataclass(frozen=True)
class TeamsIndexPage:
    """``/teams/``: every team and manager."""

    site: SiteInfo
    teams: Markdown
    managers: Markdown


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
    )


def _money_col(field: str, label: str, currency: str) -> Column:
    return Column(field, f"{label} ({currency})", text.money, numeric=True)


def _rep_columns(info: SiteInfo, link: str | None = "href") -> list[Column]:
    cols = [
        Column("name", "Rep", link=link),
        Column("team", "Team"),
        Column("region", "Region"),
        Column("status", "Status"),
        _money_col("revenue", f"Revenue {info.period_label}", info.currency),
        Column("won_deals", "Won", text.integer, numeric=True),
        Column("lost_deals", "Lost", text.integer, numeric=True),
        Column("win_rate", "Win rate", text.percent, numeric=True),
        Column("clients", "Clients", text.integer, numeric=True),
        _money_col("mean_client_ltv", "Mean client LTV", info.currency),
    ]
    if info.show_compensation:
        cols.append(_money_col("annual_cost", "Annual cost", info.currency))
    cols.append(Column("value_ratio", "Value ratio", text.ratio, numeric=True))
    return cols


def _public(frame: pd.DataFrame, info: SiteInfo) -> pd.DataFrame:
    """Drop every compensation figure unless privacy.show_compensation is true."""
    if info.show_compensation:
        return frame
    private = [c for c in frame.columns if c in {"annual_cost", "base_cost", "coaching_cost", "salary", "allocated_cost"}]
    return frame.drop(columns=private)


def _headlines(metrics: Metrics) -> tuple[Headline, ...]:
    now, before = metrics.company(metrics.period.year), metrics.company_previous

    def pick(row: pd.Series, field: str) -> float:
        return float(row[field]) if field in row and not pd.isna(row[field]) else float("nan")

    def item(label: str, field: str, fmt, points: bool = False) -> Headline:
        current, previous = pick(now, field), pick(before, field)
        delta = text.points(current - previous) if points else text.change(trailing_change(current, previous))
        return Headline(label, Markdown(fmt(current)), Markdown(delta))

    reps = metrics.reps
    median_ratio = reps["value_ratio"].median()
    return (
        item("Revenue", "revenue", text.short_money),
        item("Won deals", "won_deals", text.integer),
        item("Win rate", "win_rate", text.percent, points=True),
        item("New clients", "new_clients", text.integer),
        item("Mean client LTV", "mean_client_ltv", text.short_money),
        Headline("Median rep value ratio", Markdown(text.ratio(median_ratio)), Markdown(text.EMPTY),
                 f"{int(reps['value_ratio'].notna().sum())} reps with a ratio"),
    )


def _no_ratio_reason(metrics: Metrics) -> str:
    if not metrics.has_costs:
        return ("No cost data was provided (sources.costs), so no value ratio can be computed: "
                "the ratio divides client lifetime value by what a rep costs.")
    return ""


def build_site(cfg: LoadedConfig, metrics: Metrics, quality: QualityReport) -> Output:
    """Every page, chart and data file of the site, as text keyed by path in the docs folder."""
    info = _site_info(cfg, metrics)
    files: dict[str, str] = {}
    reps = metrics.reps.copy()
    rep_slugs = stable_slugs(reps["rep_id"].tolist(), prefix="rep")
    reps["slug"] = reps["rep_id"].map(rep_slugs)
    team_names = metrics.teams["team"].dropna().tolist()
    team_slugs = stable_slugs(team_names, prefix="team")
    reps["team_slug"] = reps["team"].map(team_slugs)

    public_reps = _public(reps[REP_COLUMNS + REP_EXTRA_COLUMNS], info).assign(url=("reps/" + reps["slug"] + "/"))
    files["data/reps.csv"] = to_csv(public_reps)
    files["data/reps.json"] = to_json(public_reps)
    history = _public(metrics.rep_years, info)
    files["data/rep_history.csv"] = to_csv(history)
    files["data/rep_history.json"] = to_json(history)
    teams_public = _public(metrics.teams, info)
    files["data/teams.csv"] = to_csv(teams_public)
    files["data/teams.json"] = to_json(teams_public)
    team_hist = _public(metrics.team_years, info)
    files["data/team_history.csv"] = to_csv(team_hist)
    files["data/team_history.json"] = to_json(team_hist)
    company = _public(metrics.company_years, info)
    files["data/company_history.csv"] = to_csv(company)
    files["data/company_history.json"] = to_json(company)
    managers = _public(metrics.managers, info)
    files["data/managers.csv"] = to_csv(managers)
    files["data/managers.json"] = to_json(managers)
    issues = quality.issues[ISSUE_COLUMNS]
    files["data/data_quality.csv"] = to_csv(issues)
    files["data/data_quality.json"] = to_json(issues)

    files["index.md"] = render("overview.md.j2", page=_overview(info, metrics, reps, quality))
    files["reps/index.md"] = render("reps_index.md.j2", page=_reps_index(info, reps))
    for page, slug, extra in _rep_pages(info, metrics, reps):
        files[f"reps/{slug}.md"] = render("rep.md.j2", page=page)
        files.update(extra)
    files["teams/index.md"] = render("teams_index.md.j2", page=_teams_index(info, metrics, team_slugs))
    for page, slug, extra in _team_pages(info, metrics, reps, team_slugs):
        files[f"teams/{slug}.md"] = render("team.md.j2", page=page)
        files.update(extra)
    files["data-quality.md"] = render("data_quality.md.j2", page=_data_quality(info, quality))
    files["methodology.md"] = render("methodology.md.j2", page=_methodology(info, cfg, metrics))
    nav = [
        {"Overview": "index.md"},
        {"Reps": "reps/index.md"},
        {"Teams": "teams/index.md"},
        {"Data quality": "data-quality.md"},
        {"Methodology": "methodology.md"},
    ]
    pages = sum(1 for name in files if name.endswith(".md"))
    return Output(files=files, nav=nav, pages=pages)


def _overview(info: SiteInfo, metrics: Metrics, reps: pd.DataFrame, quality: QualityReport) -> OverviewPage:
    company = metrics.company_years.assign(year=metrics.company_years["year"].map(
        lambda y: year_label(int(y), metrics.period.fiscal_year_start)))
    ranked = reps[reps["value_ratio"].notna()].assign(href="reps/" + reps["slug"] + ".md")
    ranked = ranked.sort_values(["value_ratio", "rep_id"], ascending=[False, True])
    top_cols = [Column("name", "Rep", link="href"), Column("team", "Team"),
                Column("clients", "Clients", text.integer, numeric=True),
                _money_col("mean_client_ltv", "Mean client LTV", info.currency),
                Column("value_ratio", "Value ratio", text.ratio, numeric=True)]
    alerts = []
    warnings, errors = quality.count("warning"), quality.count("error")
    if warnings or errors:
        alerts.append(Markdown(f"**{warnings:,} data-quality warning(s)** in the inputs: rows excluded or values "
                               f"read by a documented rule. See [Data quality](data-quality.md)."))
    no_cost = int((reps["annual_cost"].isna()).sum())
    if metrics.has_costs and no_cost:
        alerts.append(Markdown(f"**{no_cost} rep(s) have no cost data**, so no value ratio: "
                               f"see the [reps table](reps/index.md)."))
    no_clients = int((reps["clients"] == 0).sum())
    if no_clients:
        alerts.append(Markdown(f"**{no_clients} rep(s) have not acquired a client yet**; their value ratio is empty, "
                               "not zero (a mean over no clients is undefined)."))
    freshness_rows = pd.DataFrame([
        {"dataset": s.dataset, "files": ", ".join(s.files), "rows_read": s.rows_read, "rows_used": s.rows_used,
         "rows_excluded": s.rows_excluded} for s in quality.summaries
    ])
    freshness = markdown_table(freshness_rows, [
        Column("dataset", "Dataset"), Column("files", "Files"),
        Column("rows_read", "Rows read", text.integer, numeric=True),
        Column("rows_used", "Rows used", text.integer, numeric=True),
        Column("rows_excluded", "Excluded", text.integer, numeric=True),
    ], "data/data_quality.csv", sortable=False) if len(freshness_rows) else Markdown("")
    return OverviewPage(
        site=info,
        headlines=_headlines(metrics),
        revenue_by_year=embed("chart-company-revenue-year", chart("revenue_by_year", company, ["year", "revenue"]),
                              "Company revenue by year"),
        revenue_by_month=embed("chart-company-revenue-month",
                               chart("revenue_by_month", metrics.company_monthly, ["month", "revenue", "won_deals"]),
                               "Company revenue by month"),
        ratio_distribution=embed("chart-ratio-distribution", chart("value_ratio_distribution", ranked, ["value_ratio"]),
                                 "Distribution of rep value ratios") if len(ranked) else None,
        top_reps=markdown_table(ranked.head(5), top_cols, "data/reps.csv", sortable=False) if len(ranked) else None,
        bottom_reps=markdown_table(ranked.tail(5).iloc[::-1], top_cols, "data/reps.csv", sortable=False) if len(ranked) else None,
        alerts=tuple(alerts),
        freshness=freshness,
        no_ratio_reason=_no_ratio_reason(metrics),
    )


def _reps_index(info: SiteInfo, reps: pd.DataFrame) -> RepsIndexPage:
    table = reps.assign(href=reps["slug"] + ".md").sort_values(["status", "name", "rep_id"])
    counts = {"current": int((reps["status"] == "current").sum()), "former": int((reps["status"] == "former").sum())}
    return RepsIndexPage(info, markdown_table(table, _rep_columns(info), "../data/reps.csv"), counts)


def _history_columns(info: SiteInfo, fy_start: int) -> list[Column]:
    cols = [
        Column("year", "Year", lambda y: text.escape(year_label(int(y), fy_start))),
        _money_col("revenue", "Revenue", info.currency),
        Column("won_deals", "Won", text.integer, numeric=True),
        Column("lost_deals", "Lost", text.integer, numeric=True),
        Column("win_rate", "Win rate", text.percent, numeric=True),
        _money_col("avg_deal_size", "Avg deal", info.currency),
        Column("sales_cycle_days", "Cycle (days)", text.number, numeric=True),
        Column("new_clients", "New clients", text.integer, numeric=True),
        _money_col("mean_client_ltv", "Mean client LTV", info.currency),
    ]
    if info.show_compensation:
        cols.append(_money_col("annual_cost", "Annual cost", info.currency))
    cols.append(Column("value_ratio", "Value ratio", text.ratio, numeric=True))
    return cols


def _kpis(info: SiteInfo, row: pd.Series, previous_revenue: float) -> Markdown:
    items = [
        ("Revenue", f"{text.money(row['revenue'])} {info.currency} "
                    f"({text.change(trailing_change(row['revenue'], previous_revenue))} on the same span last year)"),
        ("Won / lost deals", f"{text.integer(row['won_deals'])} / {text.integer(row['lost_deals'])}"),
        ("Win rate", text.percent(row["win_rate"])),
        ("Average deal size", f"{text.money(row['avg_deal_size'])} {info.currency}"),
        ("Median sales cycle", f"{text.number(row['sales_cycle_days'])} days"),
        ("Clients acquired (all years)", text.integer(row["clients"])),
        ("Mean client lifetime value", f"{text.money(row['mean_client_ltv'])} {info.currency}"),
    ]
    if info.show_compensation:
        items.append(("Annual cost", f"{text.money(row['annual_cost'])} {info.currency}"))
    items.append(("**Value ratio**", f"**{text.ratio(row['value_ratio'])}**"))
    lines = ["| Figure | Value |", "| :--- | ---: |"] + [f"| {k} | {v} |" for k, v in items]
    return Markdown("\n".join(lines))


def _ratio_note(row: pd.Series, info: SiteInfo) -> str:
    if not pd.isna(row["value_ratio"]):
        return ""
    if not info.has_costs:
        return "No value ratio: no cost data was provided for any rep."
    if pd.isna(row["annual_cost"]):
        return "No value ratio: there is no cost record for this rep up to the reporting year."
    if not row["clients"]:
        return "No value ratio: this rep has not acquired a client yet (a mean over no clients is undefined)."
    return "No value ratio: the annual cost is zero."


def _rep_pages(info: SiteInfo, metrics: Metrics, reps: pd.DataFrame) -> Iterator[tuple[RepPage, str, dict[str, str]]]:
    fy = metrics.period.fiscal_year_start
    history = metrics.rep_years.assign(label=metrics.rep_years["year"].map(lambda y: year_label(int(y), fy)))
    by_rep_history = dict(tuple(history.groupby("rep_id", sort=False)))
    monthly = dict(tuple(metrics.rep_monthly.groupby("rep_id", sort=False)))
    clients = metrics.clients.sort_values(["ltv", "client_id"], ascending=[False, True])
    by_rep_clients = dict(tuple(clients.groupby("acquirer", sort=False)))
    hist_cols = _history_columns(info, fy)
    client_cols = [Column("client_id", "Client id"), Column("name", "Name"), Column("acquired", "Acquired", text.day),
                   Column("won_deals", "Won deals", text.integer, numeric=True),
                   _money_col("ltv", "Lifetime value", info.currency)]
    empty_hist = history.iloc[0:0]
    for row in reps.itertuples(index=False):
        rep = pd.Series(row._asdict())
        slug = rep["slug"]
        hist = by_rep_history.get(rep["rep_id"], empty_hist)
        active = hist[(hist["won_deals"] + hist["lost_deals"] + hist["clients"] > 0) | hist["annual_cost"].notna()]
        hist = active if len(active) else hist
        rep_clients = by_rep_clients.get(rep["rep_id"], clients.iloc[0:0])
        months = monthly.get(rep["rep_id"], metrics.rep_monthly.iloc[0:0])
        extra = {
            f"data/reps/{slug}-history.csv": to_csv(_public(hist.drop(columns="label"), info)),
            f"data/reps/{slug}-clients.csv": to_csv(rep_clients[["client_id", "name", "acquired", "won_deals", "ltv"]]),
        }
        facts = [("Rep id", text.escape(rep["rep_id"])),
                 ("Team", f"[{text.escape(rep['team'])}](../teams/{rep['team_slug']}.md)" if isinstance(rep["team_slug"], str) else text.EMPTY),
                 ("Manager", text.escape(rep["manager"]) or text.EMPTY),
                 ("Region", text.escape(rep["region"]) or text.EMPTY),
                 ("Status", text.escape(rep["status"])),
                 ("Hired", text.day(rep["hired"])), ("Left", text.day(rep["left"]))]
        page = RepPage(
            site=info,
            rep_id=rep["rep_id"],
            name=rep["name"],
            facts=Markdown(" · ".join(f"**{k}:** {v}" for k, v in facts)),
            kpis=_kpis(info, rep, rep["revenue_same_period_last_year"]),
            ratio_note=_ratio_note(rep, info),
            revenue_by_year=embed("chart-rep-revenue-year", chart("revenue_by_year", hist.assign(year=hist["label"]), ["year", "revenue"]),
                                  "Revenue by year"),
            revenue_by_month=embed("chart-rep-revenue-month", chart("revenue_by_month", months, ["month", "revenue", "won_deals"]),
                                   "Revenue by month"),
            ratio_by_year=embed("chart-rep-ratio-year", chart("value_ratio_by_year", hist.assign(year=hist["label"]), ["year", "value_ratio"]),
                                "Value ratio by year") if info.has_costs else None,
            history=markdown_table(hist, hist_cols, f"../data/reps/{slug}-history.csv", sortable=False),
            clients=markdown_table(rep_clients.head(50), client_cols, f"../data/reps/{slug}-clients.csv"),
            client_count=len(rep_clients),
        )
        yield page, slug, extra


def _teams_index(info: SiteInfo, metrics: Metrics, team_slugs: dict[str, str]) -> TeamsIndexPage:
    teams = metrics.teams.assign(href=metrics.teams["team"].map(team_slugs) + ".md")
    cols = [Column("team", "Team", link="href"), Column("manager", "Manager"),
            Column("reps", "Reps", text.integer, numeric=True),
            _money_col("revenue", f"Revenue {info.period_label}", info.currency),
            Column("win_rate", "Win rate", text.percent, numeric=True),
            Column("new_clients", "New clients", text.integer, numeric=True),
            _money_col("mean_client_ltv", "Mean client LTV", info.currency)]
    if info.show_compensation:
        cols.append(_money_col("annual_cost", "Mean annual cost", info.currency))
    cols.append(Column("value_ratio", "Value ratio", text.ratio, numeric=True))
    mcols = [Column("manager", "Manager"), Column("teams", "Teams"), *cols[3:]]
    return TeamsIndexPage(info, markdown_table(teams, cols, "../data/teams.csv"),
                          markdown_table(metrics.managers, mcols, "../data/managers.csv"))


def _team_pages(info: SiteInfo, metrics: Metrics, reps: pd.DataFrame,
                team_slugs: dict[str, str]) -> Iterator[tuple[TeamPage, str, dict[str, str]]]:
    fy = metrics.period.fiscal_year_start
    hist_all = metrics.team_years.assign(label=metrics.team_years["year"].map(lambda y: year_label(int(y), fy)))
    monthly = dict(tuple(metrics.team_monthly.groupby("team", sort=False)))
    for team_row in metrics.teams.itertuples(index=False):
        team = pd.Series(team_row._asdict())
        slug = team_slugs[team["team"]]
        members = reps[reps["team"] == team["team"]].assign(href="../reps/" + reps["slug"] + ".md")
        members = members.sort_values(["status", "name", "rep_id"])
        hist = hist_all[hist_all["team"] == team["team"]]
        extra = {
            f"data/teams/{slug}-members.csv": to_csv(_public(members[REP_COLUMNS + REP_EXTRA_COLUMNS], info)),
            f"data/teams/{slug}-history.csv": to_csv(_public(hist.drop(columns="label"), info)),
        }
        kpi = team.copy()
        kpi["clients"] = hist["clients"].iloc[-1] if len(hist) else 0
        yield TeamPage(
            site=info,
            team=team["team"],
            manager=team["manager"] if isinstance(team["manager"], str) else "",
            kpis=_kpis(info, kpi, float(members["revenue_same_period_last_year"].sum())),
            members=markdown_table(members, _rep_columns(info), f"../data/teams/{slug}-members.csv"),
            revenue_by_member=embed("chart-team-members", chart("revenue_by_member", members, ["name", "revenue", "value_ratio"]),
                                    "Revenue by member"),
            revenue_by_year=embed("chart-team-revenue-year", chart("revenue_by_year", hist.assign(year=hist["label"]), ["year", "revenue"]),
                                  "Team revenue by year"),
            revenue_by_month=embed("chart-team-revenue-month",
                                   chart("revenue_by_month", monthly.get(team["team"], metrics.team_monthly.iloc[0:0]), ["month", "revenue", "won_deals"]),
                                   "Team revenue by month"),
            history=markdown_table(hist, _history_columns(info, fy), f"../data/teams/{slug}-history.csv", sortable=False),
        ), slug, extra


def _data_quality(info: SiteInfo, quality: QualityReport) -> DataQualityPage:
    issues = quality.issues
    summary_rows = pd.DataFrame([
        {"dataset": s.dataset, "files": ", ".join(s.files), "rows_read": s.rows_read, "rows_used": s.rows_used,
         "rows_excluded": s.rows_excluded,
         "warnings": int(((issues["dataset"] == s.dataset) & (issues["severity"] == "warning")).sum())}
        for s in quality.summaries
    ])
    summary = markdown_table(summary_rows, [
        Column("dataset", "Dataset"), Column("files", "Files"),
        Column("rows_read", "Rows read", text.integer, numeric=True),
        Column("rows_used", "Rows used", text.integer, numeric=True),
        Column("rows_excluded", "Rows excluded", text.integer, numeric=True),
        Column("warnings", "Warnings", text.integer, numeric=True),
    ], None, sortable=False) if len(summary_rows) else Markdown("")
    keys = ["severity", "dataset", "file", "column", "problem", "action"]
    grouped = (issues.fillna({"file": "", "column": ""}).groupby(keys, dropna=False, sort=False)
               .agg(count=("problem", "size"), first_row=("row", "min")).reset_index()
               .sort_values(["count"], ascending=False, kind="stable"))
    grouped_md = markdown_table(grouped, [
        Column("severity", "Severity"), Column("dataset", "Dataset"), Column("file", "File"),
        Column("column", "Column"), Column("problem", "Problem"), Column("action", "Action"),
        Column("count", "Count", text.integer, numeric=True), Column("first_row", "First row", text.integer, numeric=True),
    ], "data/data_quality.csv")
    listed = issues.head(ISSUES_ON_PAGE)
    findings = markdown_table(listed, [
        Column("severity", "Severity"), Column("file", "File"), Column("row", "Row", text.integer, numeric=True),
        Column("column", "Column"), Column("value", "Value"), Column("problem", "Problem"), Column("action", "Action"),
    ], "data/data_quality.csv")
    counts = {s: quality.count(s) for s in ("error", "warning", "info")}
    return DataQualityPage(info, summary, grouped_md, findings, counts, len(listed), len(issues))


def _methodology(info: SiteInfo, cfg: LoadedConfig, metrics: Metrics) -> MethodologyPage:
    config = cfg.config
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
    )
