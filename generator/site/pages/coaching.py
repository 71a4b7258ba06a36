"""/coaching/: does coaching pay? The effect per kind with its interval and verdict, the reps who
missed a goal and were coached, every engagement; and each coached rep's timeline on their page."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from generator.metrics.coaching import (
    ALL_KINDS,
    BASE,
    CHECK_FAILED,
    FELL,
    NOT_ENOUGH,
    ROSE,
    check_outcomes,
)
from generator.metrics.definitions import Unit
from generator.metrics.period import year_label
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
    public,
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
)
from generator.site.text import Markdown

HERE = "coaching.md"
TIMELINE_MIN_DAYS = 20
"""A one-day workshop is drawn this many days wide on the timeline, so it can be seen and hovered."""


@dataclass(frozen=True)
class CoachingPage:
    """``/coaching/``: the coaching effect per kind, the verdicts, the flagged reps, every engagement."""

    site: SiteInfo
    window_months: int
    base_months: int
    match_k: int
    min_reps: int
    min_clusters: int
    max_interval_width: float
    verdicts: tuple[Markdown, ...]
    effect_chart: Markdown
    effects: Markdown
    missed: Markdown
    missed_count: int
    events: Markdown
    event_count: int
    included_count: int
    downloads: Markdown | str = ""
    """One "Download data" menu: every table's CSV on the page (no link under each table)."""


def _signed_money(value: object, currency: str) -> str:
    if pd.isna(value):  # type: ignore[call-overload]
        return text.EMPTY
    amount = float(value)  # type: ignore[arg-type]
    return ("+" if amount >= 0 else "") + text.money(amount, currency)


def _interval_words(low: object, high: object) -> str:
    return (
        "no interval"
        if text.missing(low) or text.missing(high)
        else f"95 % interval {text.change(low)} to {text.change(high)}"
    )


def _reps(count: object) -> str:
    return f"{text.integer(count)} rep" + ("" if count == 1 else "s")


def _checks_sentence(row: dict) -> str:
    """Every check of a row in words (passed, failed and what that means, not run), whatever the
    verdict, each with its figure, interval and n."""
    figures = {
        "pre-trend": ""
        if pd.isna(row["pre_trend"])
        else f"pre-trend {text.change(row['pre_trend'])}, {_interval_words(row['pre_trend_low'], row['pre_trend_high'])}, "
        f"{_reps(row['pre_trend_reps'])}",
        "placebo": ""
        if pd.isna(row["placebo_pct"])
        else f"placebo {text.change(row['placebo_pct'])}, {_interval_words(row['placebo_pct_low'], row['placebo_pct_high'])}, "
        f"{_reps(row['placebo_reps'])}",
        "influence": ""
        if pd.isna(row["influence_pct"])
        else f"without the most influential {row['influence_by']}, {row['influence_left_out']}: "
        f"{text.change(row['influence_pct'])}, "
        f"{_interval_words(row['influence_pct_low'], row['influence_pct_high'])}",
    }
    said = []
    for name, _, words in check_outcomes(row):
        sentence = words[0].upper() + words[1:]
        said.append(f"{sentence} — {figures[name]}." if figures[name] else f"{sentence}.")
    return "Checks: " + " ".join(said)


def resampled_words(row: dict) -> str:
    """How this row's interval was resampled: whole teams, or single reps when too few teams."""
    if row["cluster_by"] == "team":
        return f"in {text.integer(row['clusters'])} teams resampled whole"
    if row["cluster_by"] == "rep":
        return "resampled one by one (too few teams to resample teams)"
    return "too few to resample"


def verdict_sentence(row: dict, currency: str) -> Markdown:
    """The plain-language verdict of one effect row, with the numbers, every check in words and the n behind it."""
    kind = (
        "every kind of coaching together" if row["kind"] == ALL_KINDS else text.escape(row["kind"])
    )
    pct = text.change(row["effect_pct"])
    interval = _interval_words(row["effect_pct_low"], row["effect_pct_high"])
    behind = (
        f"{text.integer(row['coached_reps'])} coached rep(s) {resampled_words(row)}, "
        f"{text.integer(row['control_reps'])} matched comparison reps, {text.integer(row['rep_months'])} rep-months"
    )
    checks = text.escape(_checks_sentence(row))
    if row["verdict"] == NOT_ENOUGH:
        said = (
            f"<strong>Not enough data yet</strong> for {kind}: {text.escape(row['verdict_reason'])}"
        )
        if not pd.isna(row["effect_pct"]):
            said += f" (estimate so far {pct}, {interval}; {behind}). {checks}"
            return Markdown(said)
        return Markdown(said + ".")
    money = _signed_money(row["effect_per_month"], currency)
    if row["verdict"] in (ROSE, FELL):
        way = "rose" if row["verdict"] == ROSE else "fell"
        return Markdown(
            f"<strong>Revenue {way}</strong> after {kind}: {pct} of the monthly revenue expected without "
            f"coaching ({money} a month) compared with reps on a like trajectory, {interval} "
            f"({behind}). {checks}"
        )
    if row["verdict"] == CHECK_FAILED:
        return Markdown(
            f"<strong>No verdict: a check failed</strong> for {kind}. The estimate is {pct} ({money} a "
            f"month), {interval} ({behind}), on one side of 0, but a check says it cannot be read as "
            f"coaching's effect. {checks}"
        )
    return Markdown(
        f"<strong>No clear effect</strong> of {kind}: {pct} ({money} a month), but the {interval} "
        f"includes zero ({behind}). {checks}"
    )


NO_RISE = "— (no verdict of a rise)"
"""Cost per point and payback beside any verdict but "revenue rose": they would price an effect not shown."""


def _if_rose(values: pd.Series, verdicts: pd.Series, fmt) -> list[str]:
    return [
        fmt(v) if verdict == ROSE else NO_RISE
        for v, verdict in zip(values.tolist(), verdicts.tolist(), strict=True)
    ]


def _effect_columns(info: SiteInfo) -> list[Column]:
    return info.columns(
        info.column("kind"),
        info.column("coached_reps"),
        info.column("events"),
        info.column("rep_months"),
        info.column("control_reps"),
        info.column("clusters"),
        info.column(
            "cluster_by",
            fmt=lambda v: {"team": "teams", "rep": "reps one by one"}.get(str(v), text.EMPTY),
        ),
        info.column("pre_revenue_per_month"),
        info.column("counterfactual_per_month"),
        info.column("effect_per_month"),
        info.column("effect_range", numeric=True),
        info.column("effect_pct"),
        info.column("effect_pct_range", numeric=True),
        info.column("pre_trend_reps"),
        info.column("pre_trend_range", numeric=True),
        info.column("placebo_reps"),
        info.column("placebo_range", numeric=True),
        info.column("influence_range", numeric=True),
        info.column("win_rate_reps"),
        info.column("win_rate_effect"),
        info.column("win_rate_range", numeric=True),
        "mean_coaching_cost",
        info.column("cost_per_point", field="cost_per_point_shown", fmt=text.escape),
        # payback × effect a month gives back the cost: private, like the cost
        info.column("payback_months", field="payback_shown", fmt=text.escape),
        "verdict",
    )


def _range(low: pd.Series, high: pd.Series, fmt) -> list[str]:
    return [
        text.EMPTY if pd.isna(a) or pd.isna(b) else f"{fmt(a)} to {fmt(b)}"
        for a, b in zip(low.tolist(), high.tolist(), strict=True)
    ]


def _event_columns(info: SiteInfo, with_rep: bool) -> list[Column]:
    rep = [info.column("name", link="href")] if with_rep else []
    return info.columns(
        *rep,
        "kind",
        "start",
        "end",
        "hours",
        "coaching_cost",
        "base_revenue_per_month",
        "pre_revenue_per_month",
        "post_revenue_per_month",
        "control_change",
        info.column("effect_per_month", "Difference-in-differences"),
        "placebo_effect_per_month",
        "pre_trend_per_month",
        "pre_win_rate",
        "post_win_rate",
        "control_group",
        "controls",
        "note",
    )


def by_effect(frame: pd.DataFrame) -> pd.DataFrame:
    """Coaching rows from the largest difference-in-differences effect to the smallest (none last):
    the top and the bottom of a long list."""
    return frame.sort_values("effect_per_month", ascending=False, na_position="last", kind="stable")


def topic(context: SiteContext) -> Topic:
    """The coaching page, its data files, and a coaching section on every coached rep's page."""
    coaching = context.metrics.coaching
    if coaching is None:
        return Topic(files={})
    info = context.info
    settings = context.cfg.config.coaching
    files: dict[str, str] = {}
    put_table(files, "coaching_effect", public(coaching.effects, info))
    put_table(files, "coaching_events", public(coaching.events, info))
    put_table(files, "coaching_missed_goals", coaching.missed_goals)

    table = coaching.effects
    effects = coaching.effects.assign(
        influence_range=[
            text.EMPTY if pd.isna(v) else f"{who}: {text.change(v)} ({r})"
            for who, v, r in zip(
                table["influence_left_out"].tolist(),
                table["influence_pct"].tolist(),
                _range(table["influence_pct_low"], table["influence_pct_high"], text.change),
                strict=True,
            )
        ],
        cost_per_point_shown=_if_rose(table["cost_per_point"], table["verdict"], text.money),
        payback_shown=_if_rose(
            table["payback_months"], table["verdict"], lambda v: text.number(v, 1)
        ),
        effect_range=_range(
            coaching.effects["effect_low"], coaching.effects["effect_high"], text.money
        ),
        effect_pct_range=_range(
            coaching.effects["effect_pct_low"], coaching.effects["effect_pct_high"], text.change
        ),
        win_rate_range=_range(
            coaching.effects["win_rate_effect_low"],
            coaching.effects["win_rate_effect_high"],
            text.points,
        ),
        pre_trend_range=[
            text.EMPTY if pd.isna(v) else f"{text.change(v)} ({r})"
            for v, r in zip(
                coaching.effects["pre_trend"].tolist(),
                _range(
                    coaching.effects["pre_trend_low"],
                    coaching.effects["pre_trend_high"],
                    text.change,
                ),
                strict=True,
            )
        ],
        placebo_range=[
            text.EMPTY if pd.isna(v) else f"{text.change(v)} ({r})"
            for v, r in zip(
                coaching.effects["placebo_pct"].tolist(),
                _range(
                    coaching.effects["placebo_pct_low"],
                    coaching.effects["placebo_pct_high"],
                    text.change,
                ),
                strict=True,
            )
        ],
    )
    slug_of = context.rep_slugs
    name_of = dict(zip(context.reps["rep_id"], context.reps["name"], strict=True))
    events = coaching.events.assign(
        name=coaching.events["rep_id"].map(name_of),
        # pandas-stubs refuse None (no page, no link) in a list column.
        href=[
            link(HERE, f"reps/{slug_of[r]}/") if r in slug_of else None  # type: ignore[misc]
            for r in coaching.events["rep_id"]
        ],
    )
    fy = context.metrics.period.fiscal_year_start
    missed = coaching.missed_goals.assign(
        name=coaching.missed_goals["rep_id"].map(name_of),
        # pandas-stubs refuse None (no page, no link) in a list column.
        href=[
            link(HERE, f"reps/{slug_of[r]}/") if r in slug_of else None  # type: ignore[misc]
            for r in coaching.missed_goals["rep_id"]
        ],
        label=[year_label(int(y), fy) for y in coaching.missed_goals["year"]],
    )
    missed_columns = [
        info.column("name", link="href"),
        info.column("year", "Goal year", field="label"),
        info.column("target", "Revenue goal", unit=Unit.MONEY),
        info.column("revenue"),
        info.column("attainment", "Attained"),
        info.column("kind", "Coaching"),
        info.column("start"),
        info.column("pre_revenue_per_month"),
        info.column("post_revenue_per_month"),
        info.column("effect_per_month", "Difference-in-differences"),
        info.column("next_year_attainment"),
    ]
    chart_rows = effects[effects["effect_pct"].notna()]
    chart_rows = chart_rows.assign(
        effect_text=[text.change(v) for v in chart_rows["effect_pct"]],
        interval_text=_range(
            chart_rows["effect_pct_low"], chart_rows["effect_pct_high"], text.change
        ),
    )
    page = CoachingPage(
        site=info,
        window_months=settings.window_months,
        base_months=(BASE - 1) * settings.window_months,
        match_k=settings.match_k,
        min_reps=settings.min_reps,
        min_clusters=settings.min_clusters,
        max_interval_width=settings.max_interval_width,
        verdicts=tuple(verdict_sentence(row, info.currency) for row in effects.to_dict("records")),
        effect_chart=embed(
            "chart-coaching-effect",
            ChartSpec(
                "coaching_effect",
                records(
                    chart_rows[
                        [
                            "kind",
                            "effect_pct",
                            "effect_pct_low",
                            "effect_pct_high",
                            "effect_text",
                            "interval_text",
                            "coached_reps",
                            "verdict",
                        ]
                    ]
                ),
            ),
            "Coaching effect on monthly revenue expected without coaching, with 95 % intervals",
        ),
        effects=frame_table(
            effects, _effect_columns(info), link(HERE, "data/coaching_effect.csv"), sortable=False
        ),
        missed=long_list(
            by_effect(missed),
            missed_columns,
            link(HERE, "data/coaching_missed_goals.csv"),
            "are on the reps' pages",
        ),
        missed_count=len(missed),
        events=long_list(
            by_effect(events),
            _event_columns(info, with_rep=True),
            link(HERE, "data/coaching_events.csv"),
            "are on the reps' pages",
        ),
        event_count=len(events),
        included_count=int(events["included"].sum()),
    )
    files[HERE] = render("coaching.md.j2", page=with_download_menu(page))
    return Topic(
        files=files,
        nav=[{"Coaching": HERE}],
        rep_sections=_rep_sections(context, files),
        methodology=("methodology_coaching.md.j2",),
    )


def _rep_sections(context: SiteContext, files: dict[str, str]) -> dict[str, list]:
    """A coached rep's timeline (revenue by month with the coaching periods) and their own
    before/after figures: formatted once for all reps, sliced per rep."""
    info = context.info
    events = context.metrics.coaching.events  # type: ignore[union-attr]
    if not len(events):
        return {}
    at = positions_by(events, "rep_id")
    columns = _event_columns(info, with_rep=False)
    rows = table_rows(events, columns)
    header, lines = csv_lines(public(events, info))
    end = events["end"].fillna(events["start"])
    end = end.where(
        end - events["start"] >= pd.Timedelta(days=TIMELINE_MIN_DAYS),
        events["start"] + pd.Timedelta(days=TIMELINE_MIN_DAYS),
    )
    periods = records(
        pd.DataFrame(
            {
                "layer": "coaching",
                "kind": events["kind"],
                "start": events["start"],
                "end": end,
                "hours": events["hours"],
            }
        )
    )
    monthly = context.metrics.rep_monthly
    monthly = monthly[monthly["rep_id"].isin(at)].reset_index(drop=True)
    month_at = positions_by(monthly, "rep_id")
    months = records(monthly[["month", "revenue"]].assign(layer="revenue"))
    slug_of = context.rep_slugs
    sections: dict[str, list] = {}
    for rep_id, mine in at.items():
        slug = slug_of.get(rep_id)
        if slug is None:
            continue
        here = f"reps/{slug}.md"
        chart = embed(
            "chart-rep-coaching",
            ChartSpec(
                "coaching_timeline", pick(months, month_at.get(rep_id)) + pick(periods, mine)
            ),
            "Revenue by month, with coaching and training periods shaded",
        )
        table = html_table(
            columns, pick(rows, mine), link(here, f"data/reps/{slug}-coaching.csv"), sortable=False
        )
        files[f"data/reps/{slug}-coaching.csv"] = header + "".join(pick(lines, mine))
        body = Markdown(
            f"{chart}\n\n"
            '!!! warning "Anecdotal: one rep is not evidence"\n'
            "    These are this rep's own figures: the average monthly revenue in the "
            f"{context.cfg.config.coaching.window_months} months before and after each start, and the change of "
            "comparable reps over the same months. One rep's months swing for many reasons; whether a kind of "
            f'coaching works is judged over every coached rep on the <a href="{link(here, "coaching/")}">coaching page</a>.'
            f"\n\n{table}"
        )
        sections[rep_id] = [Section("Coaching and training", body)]
    return sections
