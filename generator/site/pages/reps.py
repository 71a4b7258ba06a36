"""``/reps/`` and ``/reps/<slug>/``: every rep, current and former, and one page per rep."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from generator.metrics.period import year_label
from generator.metrics.summaries import missing_ratio, with_revenue_change
from generator.site import text
from generator.site.charts import ChartSpec, embed
from generator.site.common import (
    Section,
    SiteInfo,
    link,
    pick,
    positions_by,
    public,
    with_download_menu,
)
from generator.site.pages.figures import (
    RATIO_NOTES,
    history_columns,
    kpi_csv,
    kpi_table,
    kpis,
    rep_columns,
)
from generator.site.tables import (
    by_ratio,
    csv_lines,
    html_table,
    index_table,
    records,
    table_rows,
)
from generator.site.text import Markdown

CLIENTS_ON_PAGE = 10
"""Clients listed on a rep's page (the most valuable); all of them are in the rep's CSV."""


@dataclass(frozen=True)
class RepsIndexPage:
    """``/reps/``: every rep, current and former (template ``reps_index.md.j2``)."""

    site: SiteInfo
    table: Markdown
    current: int
    """Reps still employed on ``as_of``."""
    former: int
    downloads: Markdown | str = ""
    """One "Download data" menu: every table's CSV on the page (no link under each table)."""


@dataclass(frozen=True)
class RepPage:
    """``/reps/<slug>/``: one rep's figures, history and clients (template ``rep.md.j2``)."""

    site: SiteInfo
    name: str
    facts: Markdown
    """Rep id, team, manager, region, status, hire and leave dates, on one line."""
    kpis: Markdown
    ratio_note: str
    """Why the value ratio is empty ("" when there is one)."""
    rank_note: str
    """Why a ratio is in no ranking (a former rep, or fewer than rankings.min_clients clients); "" when ranked."""
    revenue_by_year: Markdown
    revenue_by_month: Markdown
    ratio_by_year: Markdown | None
    """None without cost data, or when ratios are banded."""
    history: Markdown
    clients: Markdown
    client_count: int
    """Clients the rep acquired (the table lists the ``CLIENTS_ON_PAGE`` most valuable)."""
    clients_listed: int = CLIENTS_ON_PAGE
    """The most clients the table lists; the page says so when the rep has more."""
    sections: tuple[Section, ...] = ()
    """Sections topics (goals, coaching, …) contribute, after the clients, in topic order."""
    downloads: Markdown | str = ""
    """One "Download data" menu: every table's CSV on the page (no link under each table)."""
    rep_id: str = ""
    """The rep's id: a search tag of the page (shown nowhere on it; see the README, Search)."""


@dataclass(frozen=True)
class RepPages:
    """Every rep page's context, keyed by docs path, and the per-rep CSV files."""

    pages: dict[str, RepPage]
    files: dict[str, str]


def reps_index_page(
    info: SiteInfo, reps: pd.DataFrame, counts: tuple[int, int]
) -> tuple[RepsIndexPage, dict[str, str]]:
    """The reps index, by value ratio (highest first, empty last), and the fragment file of its rows
    at scale. ``reps``: metrics.reps with ``slug``; ``counts``: (current, former)."""
    here = "reps/index.md"
    table = reps.assign(
        href=[link(here, f"reps/{s}/") for s in reps["slug"]],
        filter_terms=reps["rep_id"],
        not_ranked=[
            UNRANKED_MARK if not ranked and not text.missing(ratio) else ""
            for ranked, ratio in zip(reps["ranked"].fillna(False), reps["value_ratio"], strict=True)
        ]
        if "ranked" in reps
        else "",
    )
    table = by_ratio(table.sort_values(["name", "rep_id"], kind="stable"), "name")
    columns = [
        replace(c, suffix="not_ranked") if c.field == "value_ratio" else c
        for c in rep_columns(info)
    ]
    index = index_table(
        table, columns, link(here, "data/reps.csv"), here=here, name="reps", noun="reps"
    )
    page = RepsIndexPage(info, index.html, *counts)
    return with_download_menu(
        page, (("All reps (JSON)", link(here, "data/reps.json")),)
    ), index.files


UNRANKED_MARK = (
    ' <span class="sp-unranked" title="In no ranking: a former rep, or too few clients to compare">'
    "not ranked</span>"
)
"""Written after a ratio that is in no ranking, in the reps index (the rep's page says why)."""


def rank_note(rep: dict, min_clients: int) -> str:
    """Why a rep's value ratio is in no ranking ("" when it is ranked or there is no ratio)."""
    if rep.get("ranked") or pd.isna(rep.get("value_ratio")):
        return ""
    if rep["status"] != "current":
        return (
            "Not ranked: a former rep. Their clients keep buying after they left, so the ratio keeps "
            "rising with nobody to credit; it is shown, never compared in a ranking."
        )
    count = int(rep["clients"])
    return (
        f"Not ranked: {count} client{'' if count == 1 else 's'}, and rankings need at least {min_clients}. "
        "A mean over so few clients is an anecdote, not a comparison."
    )


class RepPageMaker:
    """Rep pages and their CSV files. Tables, CSV lines and chart rows are formatted once for all
    reps (here), then sliced per rep (``pages``): a per-rep pandas call would cost milliseconds ×
    thousands of reps.

    ``reps``: metrics.reps with ``slug`` and ``team_slug``; ``history``: the rows shown
    (``summaries.rep_history``); ``clients``, ``monthly``: metrics.clients and metrics.rep_monthly;
    ``manager_slugs``: manager → slug of their page (a rep's manager links there). The topics' sections
    (``pages``) are not needed before the pages: the tables are formatted while the topics are made."""

    def __init__(
        self,
        info: SiteInfo,
        reps: pd.DataFrame,
        history: pd.DataFrame,
        clients: pd.DataFrame,
        monthly: pd.DataFrame,
        fy_start: int,
        *,
        min_clients: int = 3,
        manager_slugs: dict[str, str] | None = None,
    ) -> None:
        manager_slugs = manager_slugs or {}
        history = history.assign(label=[year_label(int(y), fy_start) for y in history["year"]])
        hist_at = positions_by(history, "rep_id")
        hist_columns = history_columns(info, fy_start)
        hist_rows = table_rows(history, hist_columns)
        hist_header, hist_csv = csv_lines(public(history.drop(columns="label"), info))
        year_points = records(
            history[["label", "revenue", "value_ratio"]].rename(columns={"label": "year"})
        )

        clients = clients.sort_values(
            ["acquirer", "ltv", "client_id"], ascending=[True, False, True]
        )
        clients = clients.reset_index(drop=True)
        client_at = positions_by(clients, "acquirer")
        client_cols = [
            info.column("client_id"),
            info.column("name", "Name"),
            info.column("acquired"),
            info.column("won_deals", "Won deals"),
            info.column("ltv"),
        ]
        shown = clients.groupby("acquirer", sort=False).head(CLIENTS_ON_PAGE).reset_index(drop=True)
        shown_at = positions_by(shown, "acquirer")
        client_rows = table_rows(shown, client_cols)
        client_header, client_csv = csv_lines(
            clients[["client_id", "name", "acquired", "won_deals", "ltv"]]
        )

        monthly = monthly.reset_index(drop=True)
        month_at = positions_by(monthly, "rep_id")
        month_points = records(monthly[["month", "revenue", "won_deals"]])

        self.info, self.min_clients, self.manager_slugs = info, min_clients, manager_slugs
        self.hist_at, self.hist_columns, self.hist_rows = hist_at, hist_columns, hist_rows
        self.hist_header, self.hist_csv, self.year_points = hist_header, hist_csv, year_points
        self.client_at, self.client_cols, self.shown_at, self.client_rows = (
            client_at,
            client_cols,
            shown_at,
            client_rows,
        )
        self.client_header, self.client_csv = client_header, client_csv
        self.month_at, self.month_points = month_at, month_points
        self.records = with_revenue_change(reps).to_dict("records")

    def pages(
        self, sections: dict[str, tuple[Section, ...]], part: int = 0, parts: int = 1
    ) -> RepPages:
        """The pages of part ``part`` (0 … ``parts`` − 1) of ``parts`` contiguous parts of the reps, in the
        reps table's order (all of them by default); a part past the last reps is empty. ``sections``:
        rep id → the topics' sections on that rep's page, in topic order."""
        size = -(-len(self.records) // parts)
        pages: dict[str, RepPage] = {}
        files: dict[str, str] = {}
        for rep in self.records[part * size : (part + 1) * size]:
            rep_id, slug = rep["rep_id"], rep["slug"]
            here = f"reps/{slug}.md"
            at = self.hist_at.get(rep_id)
            mine = self.client_at.get(rep_id) or []
            items = kpis(self.info, rep)
            team = (
                f'<a href="{link(here, "teams/" + rep["team_slug"] + "/")}">{text.escape(rep["team"])}</a>'
                if isinstance(rep["team_slug"], str)
                else text.EMPTY
            )
            manager = rep["manager"]
            manager = (
                f'<a href="{link(here, "managers/" + self.manager_slugs[manager] + "/")}">{text.escape(manager)}</a>'
                if isinstance(manager, str) and manager in self.manager_slugs
                else text.escape(manager) or text.EMPTY
            )
            facts = [
                ("Rep id", text.escape(rep_id)),
                ("Team", team),
                ("Manager", manager),
                ("Region", text.escape(rep["region"]) or text.EMPTY),
                ("Status", text.escape(rep["status"])),
                ("Hired", text.day(rep["hired"])),
                ("Left", text.day(rep["left"])),
            ]
            points = pick(self.year_points, at)
            reason = missing_ratio(rep, self.info.has_costs)
            page = RepPage(
                site=self.info,
                name=rep["name"],
                facts=Markdown(" · ".join(f"<strong>{k}:</strong> {v}" for k, v in facts)),
                kpis=kpi_table(items, link(here, f"data/reps/{slug}-summary.csv")),
                ratio_note=RATIO_NOTES[reason] if reason else "",
                rank_note=rank_note(rep, self.min_clients),
                revenue_by_year=embed(
                    "chart-rep-revenue-year",
                    ChartSpec("revenue_by_year", points),
                    "Revenue by year",
                ),
                revenue_by_month=embed(
                    "chart-rep-revenue-month",
                    ChartSpec(
                        "revenue_by_month", pick(self.month_points, self.month_at.get(rep_id))
                    ),
                    "Revenue by month",
                ),
                ratio_by_year=embed(
                    "chart-rep-ratio-year",
                    ChartSpec("value_ratio_by_year", points),
                    "Value ratio by year",
                )
                if self.info.has_costs and not self.info.ratio_bands
                else None,
                history=html_table(
                    self.hist_columns,
                    pick(self.hist_rows, at),
                    link(here, f"data/reps/{slug}-history.csv"),
                    sortable=False,
                ),
                clients=html_table(
                    self.client_cols,
                    pick(self.client_rows, self.shown_at.get(rep_id)),
                    link(here, f"data/reps/{slug}-clients.csv"),
                ),
                client_count=len(mine),
                sections=sections.get(rep_id, ()),
                rep_id=rep_id,
            )
            pages[here] = with_download_menu(
                page,
                (
                    ("All reps (CSV)", link(here, "data/reps.csv")),
                    ("All reps (JSON)", link(here, "data/reps.json")),
                ),
            )
            files[f"data/reps/{slug}-summary.csv"] = kpi_csv(items)
            files[f"data/reps/{slug}-history.csv"] = self.hist_header + "".join(
                pick(self.hist_csv, at)
            )
            files[f"data/reps/{slug}-clients.csv"] = self.client_header + "".join(
                pick(self.client_csv, mine)
            )
        return RepPages(pages, files)
