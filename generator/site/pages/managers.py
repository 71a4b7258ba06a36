"""``/managers/`` and the management section of every team page: per manager and year, the team's
revenue and value ratio, how their reps' ratios moved, and who left, each with the reps behind it."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from generator.metrics.coaching import FELL, ROSE
from generator.metrics.period import year_label
from generator.site import text
from generator.site.charts import ChartSpec, embed, group_chart
from generator.site.common import (
    Section,
    SiteContext,
    SiteInfo,
    Topic,
    link,
    manager_links,
    membership_note,
    pick,
    positions_by,
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
    long_list,
    records,
    table_rows,
    tabs,
)
from generator.site.text import Markdown

HERE = "managers.md"


@dataclass(frozen=True)
class ManagerPage:
    """``/managers/<slug>/``: one manager's record (a permalink derived from the name alone)."""

    site: SiteInfo
    manager: str
    teams: Markdown
    revenue_by_year: Markdown
    ratio_by_year: Markdown | None
    revenue_by_quarter: Markdown
    history: Markdown
    leavers: Markdown
    membership_note: str = ""
    """How team membership over time is known (``metrics.membership``: dated or current team)."""
    dated_membership: bool = False
    """True with a memberships export: every figure counts each rep under the manager of the time."""
    coaching: str = ""
    """The coaching verdict over this manager's reps (plain text, escaped), empty without coaching data."""
    coaching_href: str = ""
    """The link from this page to /coaching/ (as HTML, not a Markdown link: the page's sections are
    converted before MkDocs, which would rewrite it)."""
    downloads: Markdown | str = ""
    """One "Download data" menu: every table's CSV on the page (no link under each table)."""


@dataclass(frozen=True)
class ManagersPage:
    """``/managers/``: every manager's record, year by year."""

    site: SiteInfo
    current: Markdown
    ratio_by_year: Markdown | None
    revenue_by_year: Markdown
    history: Markdown
    leavers: Markdown
    has_managers: bool
    coaching_page: bool = False
    """True when the build has a /coaching/ page to link to."""
    membership_note: str = ""
    """How team membership over time is known (``metrics.membership``: dated or current team)."""
    dated_membership: bool = False
    """True with a memberships export: every figure counts each rep under the manager of the time."""
    coaching: Markdown | None = None
    """Per manager, the coaching verdict over their reps (None without coaching data)."""
    downloads: Markdown | str = ""
    """One "Download data" menu: every table's CSV on the page (no link under each table)."""


def _signed_ratio(value: object) -> str:
    """A change of value ratio with its sign."""
    return text.EMPTY if text.missing(value) else f"{float(value):+.2f}"  # type: ignore[arg-type]


def manager_columns(info: SiteInfo, with_manager: bool = True) -> list[Column]:
    """The columns of a manager-by-year table; every figure is followed by the reps behind it."""
    return [
        *([replace(info.column("manager", link="href"), key=True)] if with_manager else []),
        replace(info.column("year", field="label"), key=True),
        replace(info.column("value_ratio"), key=True),
        replace(info.column("revenue", "Team revenue"), key=True),
        *([replace(info.column("teams"), key=True)] if with_manager else []),
        replace(info.column("reps"), key=True),
        info.column("reps_with_cost"),
        replace(info.column("mean_ratio_change", fmt=_signed_ratio), key=True),
        info.column("reps_improved"),
        info.column("reps_compared"),
        info.column("reps_at_start"),
        info.column("reps_left"),
        replace(info.column("retention"), key=True),
        info.column("leavers_mean_ratio"),
        info.column("team_goal_attainment"),
        info.column("team_goals"),
        info.column("rep_goals_met"),
        info.column("rep_goals"),
        info.column("coaching_events"),
        info.column("coached_reps"),
    ]


def coaching_verdict_words(row: dict, counts: bool = True) -> str:
    """The coaching verdict of one manager's reps in plain words: the effect and its interval only
    when /coaching/'s rule reads "rose" or "fell" (every check passed), otherwise why there is none."""
    engagements = (
        f"{text.integer(row['coached_reps'])} coached rep(s) with both windows, "
        f"{text.integer(row['events'])} engagement(s)"
    )
    if row["verdict"] in (ROSE, FELL):
        way = "rose" if row["verdict"] == ROSE else "fell"
        return (
            f"Revenue {way} after the coaching of these reps: {text.change(row['effect_pct'])} of the revenue "
            f"expected without it, 95 % interval {text.change(row['effect_pct_low'])} to "
            f"{text.change(row['effect_pct_high'])} ({engagements}); pre-trend, placebo and influence checks "
            "passed."
        )
    # No figure beside a withheld verdict: the words and the reason only, as on /coaching/.
    reading = str(row["verdict"])
    return f"{reading[0].upper()}{reading[1:]}: {row['verdict_reason']}" + (
        f" ({engagements})." if counts else "."
    )


def leaver_columns(info: SiteInfo) -> list[Column]:
    """The columns of a list of leavers: who left, when, their ratio then, and their team and manager."""
    return [
        info.column("name", link="href"),
        info.column("left"),
        info.column("value_ratio_when_left"),
        info.column("team"),
        info.column("manager", link="manager_href"),
    ]


def topic(context: SiteContext) -> Topic:
    """The managers page, its data files, and a management section on each team page."""
    info, metrics = context.info, context.metrics
    fy = metrics.period.fiscal_year_start
    years = metrics.manager_history.years
    years = years.assign(label=[year_label(int(y), fy) for y in years["year"]])
    leavers = metrics.manager_history.leavers
    rep_slug = context.rep_slugs
    files: dict[str, str] = {}
    put_table(files, "manager_history", years.drop(columns="label"))
    years = years.reset_index(drop=True)
    put_table(files, "manager_leavers", leavers)

    slugs = context.manager_slugs
    years = years.assign(href=[link(HERE, f"managers/{slugs[m]}/") for m in years["manager"]])
    current = years[years["year"] == metrics.period.year]
    current_cols = [c for c in manager_columns(info) if c.field != "label"]
    current_table = index_table(
        by_ratio(current, "manager"),
        current_cols,
        link(HERE, "data/manager_history.csv"),
        here=HERE,
        name="managers",
        noun="managers",
    )
    files.update(current_table.files)
    past = years[years["year"] < metrics.period.year]
    history_cols = [c for c in manager_columns(info) if c.field != "label"]
    leavers_here = leavers.assign(
        href=[
            link(HERE, f"reps/{rep_slug[r]}/") if r in rep_slug else None  # type: ignore[misc]
            for r in leavers["rep_id"]
        ],
        manager_href=manager_links(HERE, leavers["manager"], slugs),
    )
    plotted = years.rename(columns={"manager": "group", "year": "y", "label": "year"})
    page = ManagersPage(
        site=info,
        current=current_table.html,
        ratio_by_year=embed(
            "chart-managers-ratio",
            group_chart("value_ratio", plotted),
            "Value ratio by manager and year",
        )
        if info.has_costs
        else None,
        coaching_page=metrics.coaching is not None,
        revenue_by_year=embed(
            "chart-managers-revenue",
            group_chart("revenue", plotted),
            "Team revenue by manager and year",
        ),
        history=Markdown(
            tabs(
                "managers-history",
                [
                    (
                        label,
                        long_list(
                            by_ratio(past[past["label"] == label], "manager"),
                            history_cols,
                            None,
                            "are on the managers' pages",
                        ),
                    )
                    for label in past.sort_values("year", ascending=False)["label"].unique()
                ],
            )
            + f'\n<p class="sp-download"><a href="{link(HERE, "data/manager_history.csv")}" download>Download CSV</a></p>'
        ),
        leavers=long_list(
            by_ratio(leavers_here, "name", "value_ratio_when_left"),
            leaver_columns(info),
            link(HERE, "data/manager_leavers.csv"),
            "are on the managers' pages",
        ),
        has_managers=bool(len(years)),
        membership_note=membership_note(metrics),
        dated_membership=metrics.dated_teams,
        coaching=_coaching_table(context, slugs, files),
    )
    files[HERE] = render("managers.md.j2", page=with_download_menu(page))
    files.update(_manager_pages(context, years, leavers, slugs))
    team_sections, team_files = _team_sections(context, years, leavers, slugs)
    files.update(team_files)
    return Topic(files=files, nav=[{"Managers": HERE}], team_sections=team_sections)


def _coaching_table(
    context: SiteContext, slugs: dict[str, str], files: dict[str, str]
) -> Markdown | None:
    """Each manager's coaching verdict (metrics.coaching.by_manager), published as coaching_by_manager."""
    coaching = context.metrics.coaching
    if coaching is None:
        return None
    by_manager = coaching.by_manager
    put_table(files, "coaching_by_manager", by_manager)
    shown = by_manager.assign(
        href=[
            link(HERE, f"managers/{slugs[m]}/") if m in slugs else None  # type: ignore[misc]
            for m in by_manager["manager"]
        ],
        coaching_verdict=[
            coaching_verdict_words(row, counts=False) for row in by_manager.to_dict("records")
        ],
    )
    info = context.info
    columns = [
        info.column("manager", link="href"),
        info.column("coached_reps"),
        info.column("events"),
        info.column("coaching_verdict"),
    ]
    return frame_table(shown, columns, link(HERE, "data/coaching_by_manager.csv"))


def _team_sections(
    context: SiteContext, years: pd.DataFrame, leavers: pd.DataFrame, slugs: dict[str, str]
) -> tuple[dict[str, list[Section]], dict[str, str]]:
    """Each team page: its manager's record by year and the team's leavers (formatted once, sliced)."""
    info = context.info
    depth = link("teams/x.md", "")
    columns = manager_columns(info, with_manager=False)
    year_at = positions_by(years, "manager")
    year_rows = table_rows(years, columns)
    year_header, year_csv = csv_lines(years.drop(columns="label"))
    rep_slug = context.rep_slugs
    # pandas-stubs refuse None (no page, no link) in a list column.
    leavers = leavers.assign(
        href=[f"{depth}reps/{rep_slug[r]}/" if r in rep_slug else None for r in leavers["rep_id"]],  # type: ignore[misc]
        manager_href=[
            f"{depth}managers/{slugs[m]}/" if m in slugs else None  # type: ignore[misc]
            for m in leavers["manager"]
        ],
    )
    leaver_at = positions_by(leavers, "team")
    leaver_rows = table_rows(leavers, leaver_columns(info))
    leaver_header, leaver_csv = csv_lines(leavers.drop(columns=["href", "manager_href"]))
    sections: dict[str, list[Section]] = {}
    files: dict[str, str] = {}
    for team in context.metrics.teams.to_dict("records"):
        manager, slug = team["manager"], context.team_slugs[team["team"]]
        if not isinstance(manager, str):
            continue
        name = f"data/teams/{slug}-manager.csv"
        body = [
            f'<a href="{depth}managers/{slugs[manager]}/"><strong>{text.escape(manager)}</strong></a>, year by year, '
            + (
                f'over all the reps they managed each year, by the memberships export (see <a href="{depth}managers/">managers</a>).'
                if context.metrics.dated_teams
                else f'over all the reps the reps export places under them (see <a href="{depth}managers/">managers</a>).'
            ),
            html_table(
                columns, pick(year_rows, year_at.get(manager)), depth + name, sortable=False
            ),
            "Reps of this team who left:",
            html_table(
                leaver_columns(info),
                pick(leaver_rows, leaver_at.get(team["team"])),
                f"{depth}data/teams/{slug}-leavers.csv",
                sortable=False,
            ),
        ]
        sections[team["team"]] = [Section("Management", Markdown("\n\n".join(body)))]
        files[name] = year_header + "".join(pick(year_csv, year_at.get(manager)))
        files[f"data/teams/{slug}-leavers.csv"] = leaver_header + "".join(
            pick(leaver_csv, leaver_at.get(team["team"]))
        )
    return sections, files


def _manager_pages(
    context: SiteContext, years: pd.DataFrame, leavers: pd.DataFrame, slugs: dict[str, str]
) -> dict[str, str]:
    """One page per manager: the record by year and quarter, and the leavers (formatted once, sliced)."""
    info, metrics = context.info, context.metrics
    depth = link("managers/x.md", "")
    columns = manager_columns(info, with_manager=False)
    year_at = positions_by(years, "manager")
    year_rows = table_rows(years, columns)
    year_points = records(
        years[["label", "revenue", "value_ratio"]].rename(columns={"label": "year"})
    )
    quarters = metrics.history.manager_quarters.reset_index(drop=True)
    quarter_at = positions_by(quarters, "manager")
    quarter_points = records(quarters[["period", "revenue", "won_deals", "win_rate"]])
    rep_slug = context.rep_slugs
    # pandas-stubs refuse None (no page, no link) in a list column.
    leavers = leavers.assign(
        href=[f"{depth}reps/{rep_slug[r]}/" if r in rep_slug else None for r in leavers["rep_id"]],  # type: ignore[misc]
        manager_href=[
            f"{depth}managers/{slugs[m]}/" if m in slugs else None  # type: ignore[misc]
            for m in leavers["manager"]
        ],
    )
    leaver_at = positions_by(leavers, "manager")
    leaver_rows = table_rows(leavers, leaver_columns(info))
    team_links: dict[str, list[str]] = {}
    for team in metrics.teams.to_dict("records"):
        if isinstance(team["manager"], str):
            team_links.setdefault(team["manager"], []).append(
                f'<a href="{depth}teams/{context.team_slugs[team["team"]]}/">{text.escape(team["team"])}</a>'
            )
    files: dict[str, str] = {}
    coaching = context.metrics.coaching
    verdicts = (
        {
            row["manager"]: coaching_verdict_words(row)
            for row in coaching.by_manager.to_dict("records")
        }
        if coaching is not None
        else {}
    )
    for manager, slug in slugs.items():
        at = year_at.get(manager)
        points = pick(year_points, at)
        page = ManagerPage(
            site=info,
            manager=manager,
            teams=Markdown(", ".join(team_links.get(manager, [])) or text.EMPTY),
            revenue_by_year=embed(
                "chart-manager-revenue",
                ChartSpec("revenue_by_year", points),
                "Team revenue by year",
            ),
            ratio_by_year=embed(
                "chart-manager-ratio",
                ChartSpec("value_ratio_by_year", points),
                "Value ratio by year",
            )
            if info.has_costs
            else None,
            revenue_by_quarter=embed(
                "chart-manager-quarters",
                ChartSpec("revenue_by_quarter", pick(quarter_points, quarter_at.get(manager))),
                "Team revenue by quarter",
            ),
            history=html_table(
                columns, pick(year_rows, at), depth + "data/manager_history.csv", sortable=False
            ),
            leavers=html_table(
                leaver_columns(info),
                pick(leaver_rows, leaver_at.get(manager)),
                depth + "data/manager_leavers.csv",
                sortable=False,
            ),
            membership_note=membership_note(metrics),
            dated_membership=metrics.dated_teams,
            coaching=text.escape(verdicts.get(manager, "")),
            coaching_href=depth + "coaching/",
        )
        files[f"managers/{slug}.md"] = render("manager.md.j2", page=with_download_menu(page))
    return files
