"""``/goals/`` (attainment, pacing, rewards, calibration) and the Goals section of rep and team pages."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal

import pandas as pd

from generator.config import GoalsConfig
from generator.metrics.definitions import label_of
from generator.metrics.goals import (
    AT_RISK,
    BEHIND,
    LEFT,
    MET,
    MISSED,
    ON_TRACK,
    TOLERANCE,
    Goals,
)
from generator.metrics.period import year_label
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
from generator.site.render import render
from generator.site.tables import (
    Column,
    csv_lines,
    frame_table,
    html_table,
    long_list,
    records,
    table_rows,
    tabs,
)
from generator.site.text import Markdown
from generator.vocabulary import GOAL_METRICS

METRIC_LABELS = {metric: label_of(metric) for metric in GOAL_METRICS}
"""Goal metric → its name on the page (the registry's label)."""


@dataclass(frozen=True)
class GoalsPage:
    """``/goals/``: this year's attainment and pacing, rewards, history and calibration."""

    site: SiteInfo
    has_goals: bool
    year_complete: bool
    """The reporting year has ended by as_of: its goals are met or missed, not paced."""
    pacing: str
    expected_share: str
    at_risk_from: str
    tiers: tuple[tuple[str, str], ...]
    """(attainment, reward) of each configured tier."""
    status_counts: Markdown
    current_chart: Markdown
    current: Markdown
    rewards: Markdown
    history: Markdown
    calibration_chart: Markdown
    calibration: Markdown
    flagged: tuple[str, ...]
    downloads: Markdown | str = ""
    """One "Download data" menu: every table's CSV on the page (no link under each table)."""


TARGET_DECIMALS = 6
"""Most decimals a target is written with: 0.8986 shows as 0.8986, never as 0.90."""


def _value(metric: str, value: object, target: object = None) -> str:
    """A goal's target (``target`` None) or actual. The target shows every decimal it has (up to
    TARGET_DECIMALS); the actual is never rounded across its target: met exactly when attainment +
    TOLERANCE ≥ 1 (the status's rule), so 0.8985 against 0.8986 shows as 0.8985, not 0.90."""
    if text.missing(value):
        return text.EMPTY
    if isinstance(value, str):  # a value ratio shown as its band (privacy.rep_value_ratios: band)
        return text.ratio(value)
    number = float(value)  # type: ignore[arg-type]
    digits = 2 if metric == "value_ratio" else 0
    if target is None:
        return f"{number:,.{_places(number, digits)}f}"
    if text.missing(target) or float(target) <= 0:  # type: ignore[arg-type]
        return (
            text.ratio(value)
            if metric == "value_ratio"
            else text.money(value)
            if metric == "revenue"
            else text.integer(value)
        )
    goal = float(target)  # type: ignore[arg-type]
    shown = text.side_safe(number, 1, _places(goal, digits), (goal,), TOLERANCE * goal)
    return f"{Decimal(shown):,}"


def _places(number: float, digits: int) -> int:
    """``digits``, or the decimals ``number`` has (up to TARGET_DECIMALS) when it has more."""
    exact = f"{number:.{TARGET_DECIMALS}f}".rstrip("0")
    return max(digits, len(exact.split(".")[1]))


def _prepared(context: SiteContext, goals: Goals, here_depth: str) -> pd.DataFrame:
    """The goals table with display texts and owner links (relative from a page ``here_depth`` deep)."""
    table = goals.goals.copy()
    rep_slug = context.rep_slugs
    rep_name = dict(zip(context.reps["rep_id"], context.reps["name"], strict=True))
    is_rep = table["scope"] == "rep"
    # "Name (id)", or the id alone when it is the name (reps keyed by name): not "Ann (Ann)".
    table["owner"] = [
        (f"{rep_name.get(i, i)} ({i})" if str(rep_name.get(i, i)) != str(i) else str(i)) if r else i
        for i, r in zip(table["id"], is_rep, strict=True)
    ]
    table["href"] = [
        f"{here_depth}reps/{rep_slug[i]}/"
        if r and i in rep_slug
        else (
            f"{here_depth}teams/{context.team_slugs[i]}/"
            if not r and i in context.team_slugs
            else None
        )
        for i, r in zip(table["id"], is_rep, strict=True)
    ]
    fy = context.metrics.period.fiscal_year_start
    table["label"] = [year_label(int(y), fy) for y in table["year"]]
    table["metric_label"] = table["metric"].map(METRIC_LABELS)
    table["target_text"] = [
        _value(m, v) for m, v in zip(table["metric"], table["target"], strict=True)
    ]
    table["actual_text"] = [
        _value(m, v, t)
        for m, v, t in zip(table["metric"], table["actual"], table["target"], strict=True)
    ]
    if not context.info.show_compensation:
        table = _without_reward_texts(table, context.cfg.config.goals.reward_tiers)
    return table


def _without_reward_texts(table: pd.DataFrame, tiers: tuple) -> pd.DataFrame:
    """Rewards are compensation ("$3,000 bonus"): with privacy.show_compensation false, the site says
    which tier was reached and whether the goal's reward was earned, never what the reward is."""
    level = {tier.reward: tier.attainment for tier in tiers}
    tier = pd.Series(
        [
            None if pd.isna(r) else f"tier from {text.percent(level.get(r))}"
            for r in table["tier_reward"]
        ],
        index=table.index,
        dtype="string",
    )
    earned = pd.Series(
        ["yes" if isinstance(r, str) else None for r in table["reward_earned"]],
        index=table.index,
        dtype="string",
    )
    hidden = pd.Series(pd.NA, index=table.index, dtype="string")
    return table.assign(tier_reward=tier, reward=hidden, reward_earned=earned)


def attainment_format(cfg: GoalsConfig) -> Callable[[object], str]:
    """How attainment and pace are written: never rounded across a line a status word or tier is drawn
    at (100 %, each reward tier, ``at_risk_from``), compared as the goals stage compares them."""
    return text.percent_against(
        (cfg.at_risk_from, *(t.attainment for t in cfg.reward_tiers)), TOLERANCE
    )


def _columns(owner: bool, shown: Callable[[object], str] = text.percent) -> list[Column]:
    first = (
        [Column.of("owner", link="href"), replace(Column.of("scope"), key=False)] if owner else []
    )
    return [
        replace(Column.of("year", field="label"), key=True),
        *first,
        Column.of("metric", field="metric_label"),
        replace(Column.of("target", field="target_text", fmt=text.escape), value="target"),
        replace(Column.of("actual", field="actual_text", fmt=text.escape), value="actual"),
        # Money targets are in the site currency (stated above the tables).
        replace(Column.of("attainment", fmt=shown), key=True),
        replace(Column.of("status"), key=True),
        Column.of("tier_reward"),
        Column.of("reward"),
        Column.of("reward_earned"),
    ]


CSV_COLUMNS = [
    "scope",
    "id",
    "year",
    "metric",
    "target",
    "actual",
    "attainment",
    "members",
    "expected_share",
    "pace",
    "status",
    "tier_reward",
    "reward",
    "reward_earned",
]


CHART_CAP = 2.0
"""Attainment above 200 % is drawn in the last bar, so one outlier does not flatten the chart."""


BIN = 0.1
"""Width of an attainment bar (10 points of attainment)."""


def attainment_bins(goals: pd.DataFrame) -> pd.DataFrame:
    """Goals counted per attainment bin and scope (``bin_start``, ``bin_end``, ``scope``, ``goals``),
    anything above ``CHART_CAP`` in the last bin: the chart's rows, one per bar, not one per goal."""
    known = goals[goals["attainment"].notna()]
    steps = (
        known["attainment"].clip(upper=CHART_CAP - BIN / 2).astype("float64") / BIN + 1e-9
    ).map(math.floor)
    start = (steps * BIN).round(10)
    bins = (
        known.assign(bin_start=start)
        .groupby(["bin_start", "scope"], as_index=False, sort=True)
        .size()
        .rename(columns={"size": "goals"})
    )
    return bins.assign(bin_end=(bins["bin_start"] + BIN).round(10))[
        ["bin_start", "bin_end", "scope", "goals"]
    ]


def by_attainment(goals: pd.DataFrame) -> pd.DataFrame:
    """Goals from the highest attainment to the lowest (none last), then by owner and metric: the top
    and the bottom of a long list."""
    return goals.sort_values(
        ["attainment", "owner", "metric"],
        ascending=[False, True, True],
        na_position="last",
        kind="stable",
    )


EVERY_GOAL = "are on the rep and team pages"
"""Where a goals list cut to its top and bottom says every goal is."""


def _page(context: SiteContext, goals: Goals, table: pd.DataFrame) -> GoalsPage:
    info, cfg = context.info, context.cfg.config.goals
    year = context.metrics.period.year
    here = "goals.md"
    now = table[table["year"] == year]
    past = table[table["year"] < year]
    completed = table[table["year"] <= year] if goals.year_complete else past
    # As in the calibration table: a leaver's goal not met says nothing about the bar.
    completed = completed[completed["status"] != LEFT]
    counts = now["status"].value_counts()
    statuses = (
        (("Met", MET), ("Missed", MISSED))
        if goals.year_complete
        else (
            ("Met already", MET),
            ("On track", ON_TRACK),
            ("At risk", AT_RISK),
            ("Behind", BEHIND),
        )
    )
    if counts.get(LEFT, 0):  # shown only when a rep left before the year ended, a goal not met
        statuses = (*statuses, ("Rep left", LEFT))
    status_items = [(label, text.integer(int(counts.get(key, 0)))) for label, key in statuses]
    shown = attainment_format(cfg)
    cols = [c for c in _columns(True, shown) if c.field != "label"]
    current_cols = [*cols[:6], replace(info.column("pace", fmt=shown), key=True), *cols[6:]]
    rewarded = table[table["tier_reward"].notna() | table["reward_earned"].notna()]
    calibration = goals.calibration.assign(
        label=[
            year_label(int(y), context.metrics.period.fiscal_year_start)
            for y in goals.calibration["year"]
        ],
        metric_label=goals.calibration["metric"].map(METRIC_LABELS),
    )
    flagged = tuple(
        f"{row['label']}, {row['scope']} goals on {row['metric_label'].lower()}: {row['flag']} "
        f"({row['met']} of {row['goals']} met)"
        for row in calibration[calibration["flag"].notna()].to_dict("records")
    )
    return GoalsPage(
        site=info,
        has_goals=goals.has_goals,
        pacing=cfg.pacing,
        expected_share=text.percent(goals.expected_share),
        at_risk_from=text.percent(cfg.at_risk_from),
        tiers=tuple(
            (
                text.percent(t.attainment),
                t.reward
                if info.show_compensation
                else "a reward (not published: privacy.show_compensation is false)",
            )
            for t in cfg.reward_tiers
        ),
        status_counts=figure_table(status_items, link(here, "data/goals.csv")),
        year_complete=goals.year_complete,
        current_chart=embed(
            "chart-goals-current",
            chart(
                "attainment_distribution",
                attainment_bins(now),
                ["bin_start", "bin_end", "scope", "goals"],
            ),
            f"Attainment of the {info.period_label} goals"
            + ("" if goals.year_complete else " so far"),
        ),
        current=long_list(
            by_attainment(now), current_cols, link(here, "data/goals.csv"), EVERY_GOAL
        ),
        rewards=long_list(
            by_attainment(rewarded),
            [c for c in _columns(True, shown) if c.field not in ("status",)],
            link(here, "data/goals.csv"),
            EVERY_GOAL,
        ),
        history=Markdown(
            tabs(
                "goals-history",
                [
                    (
                        label,
                        long_list(
                            by_attainment(past[past["label"] == label]), cols, None, EVERY_GOAL
                        ),
                    )
                    for label in past.sort_values("year", ascending=False)["label"].unique()
                ],
            )
            + f'\n<p class="sp-download"><a href="{link(here, "data/goals.csv")}" download>Download CSV</a></p>'
        ),
        calibration_chart=embed(
            "chart-goals-calibration",
            chart(
                "attainment_distribution",
                attainment_bins(completed),
                ["bin_start", "bin_end", "scope", "goals"],
            ),
            "Attainment of the goals of completed years",
        ),
        calibration=frame_table(
            calibration,
            [
                info.column("year", field="label"),
                info.column("scope"),
                info.column("metric", field="metric_label"),
                info.column("goals"),
                info.column("met"),
                info.column("share_met"),
                info.column("median_attainment", fmt=shown),
                info.column("min_attainment", fmt=shown),
                info.column("max_attainment", fmt=shown),
                info.column("flag"),
            ],
            link(here, "data/goals_calibration.csv"),
            sortable=False,
        ),
        flagged=flagged,
    )


def _sections(
    context: SiteContext, prepared: pd.DataFrame, scope: str
) -> tuple[dict[str, list[Section]], dict[str, str]]:
    """A Goals section per rep or team with goals, and its CSV file; formatted once, sliced per owner.
    ``prepared``: every goal as ``_prepared`` writes it for a page two folders deep."""
    table = (
        prepared[prepared["scope"] == scope]
        .sort_values(["id", "year", "metric"])
        .reset_index(drop=True)
    )
    at = positions_by(table, "id")
    shown = attainment_format(context.cfg.config.goals)
    cols = _columns(False, shown)
    rows = table_rows(table, cols)
    header, lines = csv_lines(table[CSV_COLUMNS])
    # The tooltip shows the page's text of attainment, so it agrees with the status beside it; the legend
    # and tooltip name each metric as the table does (the registry's label: "Value ratio", not value_ratio).
    points = records(
        table[["label", "metric_label", "attainment", "status"]]
        .rename(columns={"label": "year", "metric_label": "metric"})
        .assign(attainment_text=[shown(v) for v in table["attainment"]])
    )
    folder = "reps" if scope == "rep" else "teams"
    slugs = context.rep_slugs if scope == "rep" else context.team_slugs
    sections: dict[str, list[Section]] = {}
    files: dict[str, str] = {}
    note = (
        "Team attainment counts the members employed at some point in each year (the reps export "
        "gives each rep's current team). "
        if scope == "team"
        else ""
    )
    for owner, where in at.items():
        slug = slugs.get(owner)
        if slug is None:
            continue
        here = f"{folder}/{slug}.md"
        body = (
            f'<p>{note}Attainment = actual ÷ target; see <a href="{link(here, "goals/")}">goals</a>.</p>\n'
            + embed(
                f"chart-{scope}-goals",
                ChartSpec("attainment_by_year", pick(points, where)),
                "Attainment by year",
            )
            + "\n\n"
            + html_table(
                cols,
                pick(rows, where),
                link(here, f"data/{folder}/{slug}-goals.csv"),
                sortable=False,
            )
        )
        sections[owner] = [Section("Goals", Markdown(body))]
        files[f"data/{folder}/{slug}-goals.csv"] = header + "".join(pick(lines, where))
    return sections, files


def topic(context: SiteContext) -> Topic:
    """/goals/ and the rep and team Goals sections."""
    goals = context.metrics.goals
    files: dict[str, str] = {}
    table = _prepared(context, goals, "../")
    put_table(files, "goals", table[CSV_COLUMNS])
    put_table(files, "goals_calibration", goals.calibration)
    put_table(files, "team_goals", goals.team_attainment)
    files["goals.md"] = render("goals.md.j2", page=with_download_menu(_page(context, goals, table)))
    deep = _prepared(context, goals, "../../")
    rep_sections, rep_files = _sections(context, deep, "rep")
    team_sections, team_files = _sections(context, deep, "team")
    files.update(rep_files)
    files.update(team_files)
    return Topic(
        files=files,
        nav=[{"Goals": "goals.md"}],
        rep_sections=rep_sections,
        team_sections=team_sections,
        methodology=("methodology_goals.md.j2",),
    )
