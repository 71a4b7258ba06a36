"""The site assembler: every page's context gathered first (topic sections included), then each
page rendered once by its template, with the data files beside it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

import pandas as pd

from generator.config import LoadedConfig
from generator.metrics import REP_COLUMNS, REP_EXTRA_COLUMNS, Metrics, dashboard, summaries
from generator.metrics.period import year_label
from generator.metrics.segments import DIMENSIONS
from generator.parallel import in_background
from generator.quality import ISSUE_COLUMNS, WARNING, QualityReport
from generator.site import charts
from generator.site.common import (
    Section,
    SiteContext,
    SiteInfo,
    Topic,
    membership_note,
    public,
    put_table,
    segment_slugs,
    with_download_menu,
)
from generator.site.pages import (
    activity,
    coaching,
    data_quality,
    forecast,
    goals,
    managers,
    methodology,
    overview,
    reps,
    segments,
    teams,
    trends,
)
from generator.site.permalinks import redirect_pages
from generator.site.prerender import markdown_settings
from generator.site.privacy import band_rank, publishable_findings, publishable_metrics
from generator.site.render import render
from generator.site.search_ids import ID_MAP, id_map
from generator.site.text import entity_slugs


@dataclass(frozen=True)
class Output:
    """Everything the site stage writes into the docs folder: path → text."""

    files: dict[str, str]
    nav: list[dict[str, str]]
    pages: int


TOPICS: tuple[Callable[[SiteContext], Topic], ...] = (
    goals.topic,
    coaching.topic,
    activity.topic,
    trends.topic,
    managers.topic,
    forecast.topic,
)
"""The topics that contribute sections to rep, team and segment pages, in navigation order (after
the segments, which only receive sections)."""

TOPICS_ELSEWHERE: tuple[Callable[[SiteContext], Topic], ...] = (trends.topic, forecast.topic)
"""Topics made in a second process while the build's own one makes the data tables and the other
topics: about half the work each (0.9 s and 0.8 s at 1,000 reps)."""


def site_info(cfg: LoadedConfig, metrics: Metrics) -> SiteInfo:
    """What every page knows about the build."""
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


def site_context(cfg: LoadedConfig, info: SiteInfo, metrics: Metrics) -> SiteContext:
    """The config, metrics and every page's slug, as the page modules get them."""
    reps_table = metrics.reps.copy()
    reps_table["slug"] = reps_table["rep_id"].map(
        entity_slugs(reps_table["rep_id"].tolist(), kind="rep")
    )
    team_slugs = entity_slugs(metrics.teams["team"].dropna().tolist(), kind="team")
    manager_slugs = entity_slugs(
        sorted(metrics.manager_history.years["manager"].dropna().unique()), kind="manager"
    )
    reps_table["team_slug"] = reps_table["team"].map(team_slugs)
    return SiteContext(
        cfg=cfg,
        info=info,
        metrics=metrics,
        reps=reps_table,
        rep_slugs=dict(zip(reps_table["rep_id"], reps_table["slug"], strict=True)),
        team_slugs=team_slugs,
        manager_slugs=manager_slugs,
        segment_slugs={
            dim: segment_slugs(list(table[dim].unique()), dim)
            for dim, table in metrics.segments.history.items()
        },
    )


def build_site(cfg: LoadedConfig, metrics: Metrics, quality: QualityReport) -> Output:
    """Every page, chart and data file of the site, as text keyed by path in the docs folder."""
    published = publishable_metrics(metrics, cfg.config.privacy)
    fy = published.period.fiscal_year_start
    labels = {int(y): year_label(int(y), fy) for y in published.company_years["year"]}
    context = charts.company_context(
        cfg.config.site.currency, published.company_years, labels, published.period.year
    )
    with charts.chart_context(context):
        output = _build_site(cfg, published, quality)
    output.files["assets/chart-themes.js"] = charts.theme_script()
    return output


def _build_site(cfg: LoadedConfig, metrics: Metrics, quality: QualityReport) -> Output:
    """``build_site`` inside its chart context, from the publishable metrics."""
    quality = replace(quality, issues=publishable_findings(quality.issues, cfg.config.privacy))
    info = site_info(cfg, metrics)
    context = site_context(cfg, info, metrics)
    fy = metrics.period.fiscal_year_start

    # Gather: every topic's pages and the sections it contributes to rep, team and segment pages. The
    # topics in TOPICS_ELSEWHERE are made in a second process (``generator.parallel``) meanwhile.
    # Made once, before the second process starts, so that both use them (a build hands in the
    # designs its first worker made, generator.build.chart_assets; other callers make them here).
    charts.prepare_designs(info.currency)
    # Likewise the entity pages' Markdown converter (the extensions MkDocs' option loads).
    markdown_settings()
    with in_background(
        lambda: [make(context) for make in TOPICS_ELSEWHERE], "rendering pages"
    ) as pending:
        # What the pages show, computed in the metrics stage's terms.
        history = summaries.rep_history(metrics)
        datasets = summaries.dataset_usage(quality.summaries, quality.issues)
        by_reason = summaries.findings_by_reason(quality.issues)
        headlines = summaries.headline_figures(metrics, banded=info.ratio_bands, rank=band_rank)
        ranked = summaries.ranked_by_ratio(context.reps, banded=info.ratio_bands, rank=band_rank)

        files: dict[str, str] = {}
        put_table(
            files,
            "reps",
            public(context.reps[REP_COLUMNS + REP_EXTRA_COLUMNS], info).assign(
                url="reps/" + context.reps["slug"] + "/"
            ),
        )
        put_table(files, "rep_history", public(history, info))
        put_table(files, "teams", public(metrics.teams, info))
        put_table(files, "team_history", public(metrics.team_years, info))
        put_table(files, "company_history", public(metrics.company_years, info))
        put_table(files, "managers", public(metrics.managers, info))
        if metrics.dated_teams:
            put_table(files, "team_members", metrics.team_members)
        put_table(files, "data_quality", quality.issues[ISSUE_COLUMNS])
        put_table(files, "datasets", datasets)
        put_table(
            files,
            "headlines",
            pd.DataFrame(
                overview.headline_rows(headlines, cfg.config.rankings.min_clients), dtype=object
            ),
        )
        put_table(files, "data_quality_summary", by_reason)
        files[ID_MAP] = id_map(context.reps)

        made = {make: make(context) for make in TOPICS if make not in TOPICS_ELSEWHERE}
        # The rep pages' tables, formatted for every rep at once; the topics' sections come later.
        rep_pages = reps.RepPageMaker(
            info,
            context.reps,
            history,
            metrics.clients,
            metrics.rep_monthly,
            fy,
            min_clients=cfg.config.rankings.min_clients,
            manager_slugs=context.manager_slugs,
        )
        made.update(zip(TOPICS_ELSEWHERE, pending.result(), strict=True))
    topics = [made[make] for make in TOPICS]
    segment_sections = {
        dim: _merge_sections(topic.segment_sections.get(dim, {}) for topic in topics)
        for dim in DIMENSIONS
    }
    topics.insert(0, segments.topic(context, segment_sections))
    rep_sections = _merge_sections(topic.rep_sections for topic in topics)

    def team_files() -> dict[str, str]:
        team_pages = teams.team_pages(
            info,
            summaries.team_figures(metrics),
            context.reps,
            metrics.team_years,
            metrics.team_monthly,
            fy,
            context.team_slugs,
            _merge_sections(topic.team_sections for topic in topics),
            membership_note(metrics),
            metrics.team_members if metrics.dated_teams else None,
            metrics.period.year,
            manager_slugs=context.manager_slugs,
        )
        return {
            **{path: render("team.md.j2", page=page) for path, page in team_pages.pages.items()},
            **team_pages.files,
        }

    # The second half of the rep pages and the team pages are made and rendered in a second process
    # meanwhile: about the same work as the first half and the overview, index and quality pages below.
    with in_background(
        lambda: (_rendered_rep_pages(rep_pages, rep_sections, 1), team_files()), "rendering pages"
    ) as elsewhere:
        rep_files = _rendered_rep_pages(rep_pages, rep_sections, 0)
        gaps = summaries.rep_gaps(context.reps, metrics.has_costs)

        # Render: each page once, from its context.
        min_clients = cfg.config.rankings.min_clients
        attention = dashboard.needs_attention(
            metrics,
            warnings=quality.count(WARNING),
            gaps=gaps,
            min_clients=min_clients,
            below=overview.below_band,
        )
        attention_items = overview.attention_items(
            attention,
            rep_slugs=context.rep_slugs,
            team_slugs=context.team_slugs,
            segment_slugs=context.segment_slugs,
            ratio_bands=info.ratio_bands,
            has_costs=info.has_costs,
        )
        overview_md = render(
            "overview.md.j2",
            page=overview.overview_page(
                info,
                metrics,
                headlines,
                ranked,
                attention_items,
                datasets,
                min_clients=min_clients,
                unranked=summaries.unranked(context.reps, cfg.config.rankings.min_clients),
            ),
        )
        reps_index, reps_rows = reps.reps_index_page(
            info, context.reps, summaries.status_counts(context.reps)
        )
        reps_index_md = render("reps_index.md.j2", page=reps_index)
        teams_index, team_rows = teams.teams_index_page(
            info,
            metrics.teams,
            metrics.managers,
            context.team_slugs,
            membership_note(metrics),
            context.manager_slugs,
        )
        teams_index_md = render("teams_index.md.j2", page=teams_index)
        second_half, team_page_files = elsewhere.result()
    rep_files.update(second_half)
    files["index.md"] = overview_md
    files["reps/index.md"] = reps_index_md
    files.update(reps_rows)
    files.update(rep_files)
    files["teams/index.md"] = teams_index_md
    files.update(team_rows)
    files.update(team_page_files)
    for topic in topics:
        files.update(topic.files)
    files["data-quality.md"] = render(
        "data_quality.md.j2",
        page=with_download_menu(data_quality.data_quality_page(info, quality, datasets, by_reason)),
    )
    files["methodology.md"] = render(
        "methodology.md.j2",
        page=methodology.methodology_page(
            info,
            cfg,
            tuple(name for topic in topics for name in topic.methodology),
            files,
            datasets,
        ),
    )
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


def _rendered_rep_pages(
    maker: reps.RepPageMaker, sections: dict[str, tuple[Section, ...]], half: int
) -> dict[str, str]:
    """Half ``half`` (0 or 1) of the rep pages, with ``sections`` (rep id → the topics' sections),
    rendered, and their CSV files, by docs path."""
    made = maker.pages(sections, half, 2)
    return {
        **{path: render("rep.md.j2", page=page) for path, page in made.pages.items()},
        **made.files,
    }


def _redirects(context: SiteContext, files: dict[str, str]) -> dict[str, str]:
    """Redirect pages from the addresses older slug schemes published (see ``permalinks``)."""

    def pages_in(folder: str) -> set[str]:
        return {
            name[len(folder) + 1 : -len(".md")]
            for name in files
            if name.startswith(folder + "/") and name.endswith(".md") and name.count("/") == 1
        }

    base_url = context.cfg.config.site.base_url
    names = dict(zip(context.reps["rep_id"], context.reps["name"], strict=True))
    kinds = [
        ("reps", "rep", context.rep_slugs, names),
        ("teams", "team", context.team_slugs, None),
        ("managers", "manager", context.manager_slugs, None),
    ]
    kinds += [(DIMENSIONS[dim], dim, slugs, None) for dim, slugs in context.segment_slugs.items()]
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
