"""``/teams/`` and ``/teams/<slug>/``: every team and manager, and one page per team."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from generator.metrics import REP_COLUMNS, REP_EXTRA_COLUMNS
from generator.metrics.compute import reps_by_id
from generator.metrics.period import year_label
from generator.site.charts import ChartSpec, embed
from generator.site.common import (
    Section,
    SiteInfo,
    cost_and_ratio,
    link,
    manager_links,
    pick,
    positions_by,
    public,
    with_download_menu,
)
from generator.site.pages.figures import history_columns, kpi_csv, kpi_table, kpis, rep_columns
from generator.site.tables import by_ratio, csv_lines, html_table, index_table, records, table_rows
from generator.site.text import Markdown


@dataclass(frozen=True)
class TeamsIndexPage:
    """``/teams/``: every team and manager (template ``teams_index.md.j2``)."""

    site: SiteInfo
    teams: Markdown
    managers: Markdown
    has_teams: bool
    """False when the reps export gives no team for any rep."""
    membership_note: str = ""
    """How team membership over time is known (``metrics.membership``: dated or current team)."""
    downloads: Markdown | str = ""
    """One "Download data" menu: every table's CSV on the page (no link under each table)."""


@dataclass(frozen=True)
class TeamPage:
    """``/teams/<slug>/``: a team, its manager and members (template ``team.md.j2``)."""

    site: SiteInfo
    team: str
    manager: str
    """"" when the team has no manager."""
    kpis: Markdown
    members: Markdown
    revenue_by_member: Markdown
    revenue_by_year: Markdown
    revenue_by_month: Markdown
    history: Markdown
    sections: tuple[Section, ...] = ()
    """Sections topics (goals, managers, …) contribute, after the history, in topic order."""
    membership_note: str = ""
    """How team membership over time is known (``metrics.membership``: dated or current team)."""
    members_by_year: Markdown | None = None
    """With dated membership: every year's members with what they sold while in the team, and the
    member count per year (None: ``members`` lists the current members, full-year figures)."""
    manager_href: str = ""
    """Link to the manager's page ("" when there is none)."""
    downloads: Markdown | str = ""
    """One "Download data" menu: every table's CSV on the page (no link under each table)."""


@dataclass(frozen=True)
class TeamPages:
    """Every team page's context, keyed by docs path, and the per-team CSV files."""

    pages: dict[str, TeamPage]
    files: dict[str, str]


def teams_index_page(
    info: SiteInfo,
    teams: pd.DataFrame,
    managers: pd.DataFrame,
    team_slugs: dict[str, str],
    membership_note: str = "",
    manager_slugs: dict[str, str] | None = None,
) -> tuple[TeamsIndexPage, dict[str, str]]:
    """The teams index: metrics.teams and metrics.managers by value ratio, linked to the team and
    manager pages, and the fragment files of their rows at scale."""
    here = "teams/index.md"
    manager_slugs = manager_slugs or {}
    teams = teams.assign(
        href=[link(here, f"teams/{team_slugs[t]}/") for t in teams["team"]],
        manager_href=manager_links(here, teams["manager"], manager_slugs),
    )
    managers = managers.assign(href=manager_links(here, managers["manager"], manager_slugs))
    figures = [
        info.column("win_rate"),
        info.column("new_clients"),
        info.column("mean_client_ltv"),
        *(c for c in cost_and_ratio(info, "Mean annual cost") if c.field != "value_ratio"),
    ]
    first = [replace(info.column("revenue", "Revenue {period}"), key=True)]
    ratio = [replace(c, key=True) for c in cost_and_ratio(info) if c.field == "value_ratio"]
    cols = [
        replace(info.column("team", link="href"), key=True),
        *ratio,
        *first,
        replace(info.column("manager", link="manager_href"), key=True, facet=True),
        info.column("reps"),
        *figures,
    ]
    manager_cols = [
        replace(info.column("manager", link="href"), key=True),
        *ratio,
        *first,
        info.column("teams"),
        *figures,
    ]
    team_table = index_table(
        by_ratio(teams, "team"),
        cols,
        link(here, "data/teams.csv"),
        here=here,
        name="teams",
        noun="teams",
    )
    manager_table = index_table(
        by_ratio(managers, "manager"),
        manager_cols,
        link(here, "data/managers.csv"),
        here=here,
        name="managers-by-team",
        noun="managers",
    )
    page = TeamsIndexPage(
        info,
        team_table.html,
        manager_table.html,
        has_teams=bool(len(teams)),
        membership_note=membership_note,
    )
    return with_download_menu(page), {**team_table.files, **manager_table.files}


MEMBERSHIP_COLUMNS = [
    "year",
    "rep_id",
    "name",
    "status",
    "revenue",
    "won_deals",
    "lost_deals",
    "win_rate",
]
"""Columns of data/teams/<slug>-membership.csv: the team's members each year (dated membership)."""

MEMBER_COUNT_COLUMNS = ["year", "members"]
"""Columns of data/teams/<slug>-member-counts.csv: how many reps were in the team each year."""


def team_membership_rows(team_members: pd.DataFrame, reps: pd.DataFrame) -> pd.DataFrame:
    """``metrics.team_members`` with each rep's name, status and page slug, newest year first, then by
    revenue in the team (highest first) and name."""
    people = reps_by_id(reps)
    ids = team_members["rep_id"].astype("string")
    out = team_members.assign(
        name=ids.map(people["name"]).fillna(ids).astype("string"),
        status=ids.map(people["status"]).astype("string"),
        slug=ids.map(people["slug"]).astype("string"),
    )
    return out.sort_values(
        ["team", "year", "revenue", "name", "rep_id"], ascending=[True, False, False, True, True]
    ).reset_index(drop=True)


def team_pages(
    info: SiteInfo,
    teams: pd.DataFrame,
    reps: pd.DataFrame,
    history: pd.DataFrame,
    monthly: pd.DataFrame,
    fy_start: int,
    team_slugs: dict[str, str],
    sections: dict[str, tuple[Section, ...]],
    membership_note: str = "",
    team_members: pd.DataFrame | None = None,
    year: int | None = None,
    *,
    manager_slugs: dict[str, str] | None = None,
    menu: bool = True,
) -> TeamPages:
    """Every team page and its CSV files, formatted once for all teams and sliced per team.

    ``teams``: ``summaries.team_figures``; ``reps``: metrics.reps with ``slug``; ``history``,
    ``monthly``: metrics.team_years and metrics.team_monthly. ``team_members`` (metrics.team_members,
    dated membership only) and the reporting ``year``: members are listed by each year's membership
    with the revenue they made while in the team; without it, the current members with their
    reporting-year figures. ``manager_slugs``: manager → slug of their page (the manager links there);
    ``menu``: gather each page's CSV links into its "Download data" menu."""
    manager_slugs = manager_slugs or {}
    depth = link("teams/x.md", "")  # every team page sits at the same depth
    if team_members is not None:
        return _dated_team_pages(
            info,
            teams,
            reps,
            history,
            monthly,
            fy_start,
            team_slugs,
            sections,
            membership_note,
            team_members,
            year,
            manager_slugs,
        )
    members = (
        reps[reps["team"].notna()]
        .sort_values(["team", "status", "name", "rep_id"])
        .reset_index(drop=True)
    )
    members = members.assign(href=[f"{depth}reps/{s}/" for s in members["slug"]])
    member_at = positions_by(members, "team")
    member_rows = table_rows(members, rep_columns(info))
    member_header, member_csv = csv_lines(public(members[REP_COLUMNS + REP_EXTRA_COLUMNS], info))
    member_points = records(members[["name", "revenue", "value_ratio"]])

    history = history.reset_index(drop=True)
    history = history.assign(label=[year_label(int(y), fy_start) for y in history["year"]])
    hist_at = positions_by(history, "team")
    hist_columns = history_columns(info, fy_start)
    hist_rows = table_rows(history, hist_columns)
    hist_header, hist_csv = csv_lines(public(history.drop(columns="label"), info))
    year_points = records(history[["label", "revenue"]].rename(columns={"label": "year"}))

    monthly = monthly.reset_index(drop=True)
    month_at = positions_by(monthly, "team")
    month_points = records(monthly[["month", "revenue", "won_deals"]])

    pages: dict[str, TeamPage] = {}
    files: dict[str, str] = {}
    for team in teams.to_dict("records"):
        name, slug = team["team"], team_slugs[team["team"]]
        here = f"teams/{slug}.md"
        items = kpis(info, team)
        mine = member_at.get(name)
        page = TeamPage(
            site=info,
            team=name,
            manager=team["manager"] if isinstance(team["manager"], str) else "",
            kpis=kpi_table(items, link(here, f"data/teams/{slug}-summary.csv")),
            members=html_table(
                rep_columns(info),
                pick(member_rows, mine),
                link(here, f"data/teams/{slug}-members.csv"),
            ),
            revenue_by_member=embed(
                "chart-team-members",
                ChartSpec("revenue_by_member", pick(member_points, mine)),
                "Revenue by member",
            ),
            revenue_by_year=embed(
                "chart-team-revenue-year",
                ChartSpec("revenue_by_year", pick(year_points, hist_at.get(name))),
                "Team revenue by year",
            ),
            revenue_by_month=embed(
                "chart-team-revenue-month",
                ChartSpec("revenue_by_month", pick(month_points, month_at.get(name))),
                "Team revenue by month",
            ),
            history=html_table(
                hist_columns,
                pick(hist_rows, hist_at.get(name)),
                link(here, f"data/teams/{slug}-history.csv"),
                sortable=False,
            ),
            sections=sections.get(name, ()),
            membership_note=membership_note,
            manager_href=link(here, f"managers/{manager_slugs[team['manager']]}/")
            if team["manager"] in manager_slugs
            else "",
        )
        pages[here] = _with_menu(page, here) if menu else page
        files[f"data/teams/{slug}-summary.csv"] = kpi_csv(items)
        files[f"data/teams/{slug}-members.csv"] = member_header + "".join(pick(member_csv, mine))
        files[f"data/teams/{slug}-history.csv"] = hist_header + "".join(
            pick(hist_csv, hist_at.get(name))
        )
    return TeamPages(pages, files)


def _with_menu(page: TeamPage, here: str) -> TeamPage:
    """A team page with its CSVs in one "Download data" menu, and the company-wide team files."""
    return with_download_menu(
        page,
        (
            ("All teams (CSV)", link(here, "data/teams.csv")),
            ("All teams (JSON)", link(here, "data/teams.json")),
        ),
    )


def _dated_team_pages(
    info: SiteInfo,
    teams: pd.DataFrame,
    reps: pd.DataFrame,
    history: pd.DataFrame,
    monthly: pd.DataFrame,
    fy_start: int,
    team_slugs: dict[str, str],
    sections: dict[str, tuple[Section, ...]],
    membership_note: str,
    team_members: pd.DataFrame,
    year: int | None,
    manager_slugs: dict[str, str],
) -> TeamPages:
    """``team_pages`` with dated membership: a rep who moved is listed in each team they were in that
    year, with the part of the year's revenue made there."""
    depth = link("teams/x.md", "")
    rows = team_membership_rows(team_members, reps)
    # pandas-stubs refuse None (no page, no link) in a list column.
    rows = rows.assign(
        href=[f"{depth}reps/{s}/" if isinstance(s, str) else None for s in rows["slug"]],  # type: ignore[misc]
        label=[year_label(int(y), fy_start) for y in rows["year"]],
    )
    member_columns = [
        info.column("year", field="label"),
        info.column("name", link="href"),
        info.column("status"),
        info.column("revenue", "Revenue in the team"),
        info.column("won_deals"),
        info.column("lost_deals"),
        info.column("win_rate"),
    ]
    member_at = positions_by(rows, "team")
    member_rows = table_rows(rows, member_columns)
    member_header, member_csv = csv_lines(rows[MEMBERSHIP_COLUMNS])
    now = rows[rows["year"] == year] if year is not None else rows.iloc[:0]
    now_at = positions_by(now.reset_index(drop=True), "team")
    ratio_of = reps_by_id(reps)["value_ratio"]
    now = now.assign(
        value_ratio=now["rep_id"].astype("string").map(ratio_of).to_numpy()
    ).reset_index(drop=True)
    now_points = records(now[["name", "revenue", "value_ratio"]])

    counts = rows.groupby(["team", "year"]).size().rename("members").reset_index()
    counts = counts.sort_values(["team", "year"], ascending=[True, False]).reset_index(drop=True)
    counts = counts.assign(label=[year_label(int(y), fy_start) for y in counts["year"]])
    count_columns = [info.column("year", field="label"), info.column("members")]
    count_at = positions_by(counts, "team")
    count_rows = table_rows(counts, count_columns)
    count_header, count_csv = csv_lines(counts[MEMBER_COUNT_COLUMNS])

    plain = team_pages(
        info,
        teams,
        reps,
        history,
        monthly,
        fy_start,
        team_slugs,
        sections,
        membership_note,
        manager_slugs=manager_slugs,
        menu=False,
    )
    pages: dict[str, TeamPage] = {}
    files = {name: body for name, body in plain.files.items() if not name.endswith("-members.csv")}
    for here, page in plain.pages.items():
        name, slug = page.team, team_slugs[page.team]
        mine = member_at.get(name)
        pages[here] = _with_menu(
            replace(
                page,
                members=html_table(
                    member_columns,
                    pick(member_rows, mine),
                    link(here, f"data/teams/{slug}-membership.csv"),
                ),
                revenue_by_member=embed(
                    "chart-team-members",
                    ChartSpec("revenue_by_member", pick(now_points, now_at.get(name))),
                    "Revenue by member while in the team",
                ),
                members_by_year=html_table(
                    count_columns,
                    pick(count_rows, count_at.get(name)),
                    link(here, f"data/teams/{slug}-member-counts.csv"),
                    sortable=False,
                ),
            ),
            here,
        )
        files[f"data/teams/{slug}-membership.csv"] = member_header + "".join(pick(member_csv, mine))
        files[f"data/teams/{slug}-member-counts.csv"] = count_header + "".join(
            pick(count_csv, count_at.get(name))
        )
    return TeamPages(pages, files)
