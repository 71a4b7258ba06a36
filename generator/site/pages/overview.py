"""``/``: headline figures, trends, alerts and data freshness."""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from generator.metrics import Metrics, dashboard
from generator.metrics.dashboard import CUT_LOSSES, UNTAPPED, Attention, Flag, YearPoint
from generator.metrics.definitions import Unit, figure, label_of
from generator.metrics.goals import MISSED
from generator.metrics.period import year_label
from generator.metrics.segments import DIMENSIONS
from generator.metrics.summaries import Headlines, Unranked
from generator.site import text
from generator.site.charts import ChartSpec, chart, embed, ratio_histogram
from generator.site.common import SiteInfo, link
from generator.site.privacy import RATIO_BANDS
from generator.site.tables import frame_table, records
from generator.site.text import Markdown, escape

HERE = "index.md"

NO_COST_DATA = (
    "No cost data was provided (sources.costs), so no value ratio can be computed: "
    "the ratio divides client lifetime value by what a rep costs."
)


@dataclass(frozen=True)
class OverviewPage:
    """``/``: headline figures, trends, alerts and data freshness (template ``overview.md.j2``)."""

    site: SiteInfo
    kpis: Markdown
    """The six headline cards (Material grid cards): figure, change on last year, sparkline by year
    (data/headlines.csv)."""
    revenue_by_year: Markdown
    revenue_by_month: Markdown
    ratio_distribution: Markdown | None
    """Histogram of rep value ratios; None when no rep has one, or ratios are banded."""
    top_reps: Markdown | None
    """The five highest value ratios of the ranked reps, with their clients (n) and 95 % interval;
    None when no rep is ranked."""
    bottom_reps: Markdown | None
    min_clients: int
    """rankings.min_clients: the clients a current rep needs to be ranked."""
    ranked_count: int
    """How many reps are ranked (and the headline median is over)."""
    unranked: Unranked
    """Reps with a ratio left out of the rankings: former, or too few clients."""
    interval_note: str
    """Why the interval column is missing ("" when it is shown)."""
    attention: Markdown
    """The "Needs attention" list (``attention_items``), each item linking to its page; "" when
    nothing needs attention."""
    freshness: Markdown
    """Rows read and used, and the latest date, per dataset."""
    no_ratio_reason: str
    """Why there is no value ratio at all ("" when there is one)."""


def headline_rows(headlines: Headlines, min_clients: int = 3) -> list[dict[str, object]]:
    """data/headlines.csv: figure, value, same span last year (the median ratio has no previous) and
    ``over``: who a figure covers (the company; the median: how many ranked reps)."""

    def cell(name: str, value: object) -> object:
        # A count stays an integer in a column that also holds money (SPEC §6: 855, not 855.0).
        if figure(name).unit is Unit.COUNT and value is not None and not pd.isna(value):  # type: ignore[call-overload]
            return int(value)  # type: ignore[call-overload]
        return value

    rows: list[dict[str, object]] = [
        {
            "figure": h.figure,
            "value": cell(h.figure, h.value),
            "same_span_last_year": cell(h.figure, h.previous),
            "over": "company",
        }
        for h in headlines.figures
    ]
    rows.append(
        {
            "figure": "median_rep_value_ratio",
            "value": headlines.median_ratio,
            "same_span_last_year": None,
            "over": f"{headlines.reps_with_ratio} ranked reps (current, at least {min_clients} clients)",
        }
    )
    return rows


SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 96, 28, 3
"""A sparkline's size in CSS pixels, and the room kept around its line for the end dot."""


def sparkline(
    points: Sequence[YearPoint],
    label: str,
    fmt: Callable[[float], str],
    *,
    open_end: bool,
    fy_start: int = 1,
) -> Markdown:
    """A tiny inline SVG line of ``points`` (oldest first), its last point a dot (hollow when that year is
    still running: ``open_end``). Drawn in ``currentColor``, so it follows the light or dark palette,
    with every value in its accessible name; empty when fewer than two points have a value."""
    known = [(i, p) for i, p in enumerate(points) if not math.isnan(p.value)]
    if len(known) < 2:
        return Markdown("")
    values = [p.value for _i, p in known]
    low, high = min(values), max(values)
    span_x = (SPARK_WIDTH - 2 * SPARK_PAD) / max(len(points) - 1, 1)
    span_y = SPARK_HEIGHT - 2 * SPARK_PAD

    def xy(i: int, value: float) -> tuple[float, float]:
        share = 0.5 if high == low else (value - low) / (high - low)
        return SPARK_PAD + i * span_x, SPARK_PAD + (1 - share) * span_y

    # A year without a value breaks the line instead of being drawn as zero.
    runs: list[list[str]] = []
    previous = None
    for i, p in known:
        if previous is None or i != previous + 1:
            runs.append([])
        x, y = xy(i, p.value)
        runs[-1].append(f"{x:.1f},{y:.1f}")
        previous = i
    lines = "".join(f'<polyline points="{" ".join(run)}"/>' for run in runs if len(run) > 1)
    end_x, end_y = xy(*[(i, p.value) for i, p in known][-1])
    said = ", ".join(
        f"{year_label(p.year, fy_start)} {fmt(p.value)}" for p in points if not math.isnan(p.value)
    )
    name = escape(
        f"{label} by year: {said}" + (" (the last year up to the as-of date)" if open_end else "")
    )
    dot = "sp-spark-open" if open_end else "sp-spark-end"
    return Markdown(
        f'<svg class="sp-spark" role="img" aria-label="{name}" width="{SPARK_WIDTH}" height="{SPARK_HEIGHT}" '
        f'viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}"><title>{name}</title>'
        f'<g fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round">{lines}</g>'
        f'<circle class="{dot}" cx="{end_x:.1f}" cy="{end_y:.1f}" r="2.5"/></svg>'
    )


def _digits_apart(values: list[float], reference: float, digits: int = 2) -> int:
    """The fewest decimals from ``digits`` that show every one of ``values`` apart from
    ``reference`` at once, in their true order (one number of decimals for the whole list: one that
    separates a pair can merge another); ``digits`` when the reference is unknown."""
    if not math.isfinite(reference):
        return digits
    others = [v for v in values if math.isfinite(v) and v != reference]

    def shown(value: float, places: int) -> Decimal:
        return Decimal(f"{value:.{places}f}")

    for places in range(digits, MAX_APART_DIGITS):
        mark = shown(reference, places)
        if all(
            (shown(v, places) < mark) == (v < reference) and shown(v, places) != mark
            for v in others
        ):
            return places
    return MAX_APART_DIGITS


MAX_APART_DIGITS = 9
"""The most decimals ``_digits_apart`` gives."""


def trend(change: float, shown: str, compared: str) -> Markdown:
    """A change with its arrow and sign, never colour alone: ``▲ +29.2 %`` up, ``▼ -3.1 %`` down,
    ``■ +0.0 %`` level; ``compared`` says against what. The class (sp-up, sp-down) only adds colour."""
    if math.isnan(change):
        return Markdown(f'<span class="sp-kpi-change">{text.EMPTY} {compared}</span>')
    arrow, word, css = (
        ("▲", "up", "sp-up")
        if change > 0
        else ("▼", "down", "sp-down")
        if change < 0
        else ("■", "level", "sp-level")
    )
    return Markdown(
        f'<span class="sp-kpi-change {css}"><span aria-hidden="true">{arrow}</span>'
        f'<span class="sp-sr"> {word}</span> {shown} {compared}</span>'
    )


@dataclass(frozen=True)
class KpiCard:
    """One headline card of the overview."""

    figure: str
    """Registry name (``revenue``, …, ``median_value_ratio``)."""
    label: str
    shown: str
    """The value as the card writes it (escaped HTML)."""
    change: Markdown
    """Arrow, signed change and what it compares with."""
    note: str
    """What the figure covers (escaped HTML; may be empty)."""
    spark: Markdown
    """Inline SVG sparkline by year ("" when there are fewer than two years)."""


def _figure_format(name: str, currency: str) -> Callable[[object], str]:
    if figure(name).unit is Unit.MONEY:
        return lambda v: text.compact_money(v, currency)
    return {"win_rate": text.percent}.get(name, text.integer)


def kpi_cards(
    info: SiteInfo,
    headlines: Headlines,
    series: Mapping[str, Sequence[YearPoint]],
    ratio_series: Sequence[YearPoint],
    *,
    year: int,
    min_clients: int,
    open_end: bool,
    fy_start: int = 1,
) -> tuple[KpiCard, ...]:
    """The six headline cards: the five company figures of ``headlines`` (``series``: each one by year,
    from ``dashboard.company_series``) and the median value ratio of the ranked reps
    (``ratio_series``: ``dashboard.median_ratio_series``; empty with banded ratios). ``year``: the
    reporting year; ``open_end``: it is still running (``as_of`` before its last day)."""
    previous_span = f"on the same span of {year_label(year - 1, fy_start)}"
    cards = []
    for h in headlines.figures:
        fmt = _figure_format(h.figure, info.currency)
        shown_change = text.points(h.change) if h.in_points else text.change(h.change)
        was = f"({fmt(h.previous)})" if not text.missing(h.previous) else ""
        cards.append(
            KpiCard(
                h.figure,
                label_of(h.figure),
                fmt(h.value),
                trend(
                    _nan(h.change),
                    shown_change,
                    f"{previous_span} {was}".strip()
                    if not text.missing(h.change)
                    else f"nothing to compare with {previous_span}",
                ),
                "",
                sparkline(
                    series.get(h.figure, ()),
                    label_of(h.figure),
                    fmt,
                    open_end=open_end,
                    fy_start=fy_start,
                ),
            )
        )
    cards.append(_ratio_card(info, headlines, ratio_series, min_clients, open_end, fy_start))
    return tuple(cards)


def _nan(value: object) -> float:
    return float("nan") if text.missing(value) else float(value)  # type: ignore[arg-type]


def _ratio_card(
    info: SiteInfo,
    headlines: Headlines,
    ratio_series: Sequence[YearPoint],
    min_clients: int,
    open_end: bool,
    fy_start: int,
) -> KpiCard:
    """The median value ratio: over the ranked reps, compared with the same median at the end of last year."""
    median = headlines.median_ratio
    note = (
        f"median of the {headlines.reps_with_ratio} ranked reps (current, at least {min_clients} "
        "clients)"
    )
    if info.ratio_bands:
        note = f"middle band of the {headlines.reps_with_ratio} ranked reps (ratios are published as bands)"
    change: float = float("nan")
    compared = (
        "no comparison: ratios are published as bands"
        if info.ratio_bands
        else "no ranked reps at the end of last year to compare with"
    )
    if len(ratio_series) >= 2 and not text.missing(median) and not isinstance(median, str):
        before = ratio_series[-2]
        if not math.isnan(before.value):
            change = float(median) - before.value  # type: ignore[arg-type]
            compared = (
                f"on the median at the end of {year_label(before.year, fy_start)} "
                f"({text.ratio(before.value)})"
            )
    if not info.has_costs:
        compared = "no cost data, so no value ratio"
    shown_change = f"{change:+.2f}" if not math.isnan(change) else ""
    return KpiCard(
        "median_value_ratio",
        "Median value ratio",
        text.ratio(median),
        trend(change, shown_change, compared),
        note,
        sparkline(
            ratio_series, "Median value ratio", text.ratio, open_end=open_end, fy_start=fy_start
        ),
    )


def kpi_block(cards: Sequence[KpiCard], csv_href: str) -> Markdown:
    """The cards as Material grid cards (``grid cards``: one card per list item), with the CSV link."""
    items = []
    for card in cards:
        note = f'<span class="sp-kpi-note">{card.note}</span>' if card.note else ""
        items.append(
            f'<li class="sp-kpi" data-figure="{html.escape(card.figure)}">\n'
            f'<span class="sp-kpi-label">{escape(card.label)}</span>\n'
            f'<span class="sp-kpi-value">{card.shown}</span>\n{card.change}\n'
            + (f"{note}\n" if note else "")
            + f"{card.spark}\n</li>"
        )
    # Figures, not prose: kept out of the search index (Material's data-search-exclude).
    return Markdown(
        '<div class="grid cards sp-kpis" data-search-exclude>\n<ul>\n'
        + "\n".join(items)
        + "\n</ul>\n</div>\n"
        f'<p class="sp-download"><a href="{escape(csv_href)}" download>Download CSV</a></p>'
    )


NO_TEXT = Markdown("")

SHOWN_NAMES = 5
"""Names an attention item lists before "and N more" (which links to the full page)."""


@dataclass(frozen=True)
class AttentionItem:
    """One line of the overview's "Needs attention" list."""

    topic: str
    """``below_break_even``, ``goals``, ``region``/``category``/``channel`` (weak segments),
    ``falling_teams``, ``coaching``, ``data_quality``, ``no_cost_data`` (no cost for any rep),
    ``without_cost`` (some reps), ``without_clients``."""
    lead: Markdown
    """The bold count and what it means, linking to the page that lists them all."""
    names: tuple[Markdown, ...]
    """Up to SHOWN_NAMES linked names, each with its figure."""
    more: Markdown
    """"and N more" linking to the full page ("" when every name is shown)."""
    note: Markdown = NO_TEXT
    """What the item means, after the names (one sentence or two)."""


def below_band(value: object) -> bool:
    """True for a rep ratio below break-even: a number under 1, or a band whose upper bound is at most 1."""
    if isinstance(value, str):
        return any(label == value and upper <= 1.0 for upper, label in RATIO_BANDS)
    return not text.missing(value) and float(value) < 1.0  # type: ignore[arg-type]


def _anchor(href: str, label: str) -> str:
    """A link to a site path of salesperf's own (slugs are ``[a-z0-9-]``; quoted all the same)."""
    return f'<a href="{html.escape(href)}">{label}</a>'


def _item(
    topic: str, lead: str, page: str, flags: Sequence[Flag], name: Callable[[Flag], str]
) -> AttentionItem:
    """An item: the lead linking to ``page``, the first SHOWN_NAMES names, then "and N more"."""
    rest = len(flags) - SHOWN_NAMES
    more = Markdown(f"and {_anchor(page, f'{rest} more')}") if rest > 0 else Markdown("")
    return AttentionItem(
        topic,
        Markdown(_anchor(page, lead)),
        tuple(Markdown(name(f)) for f in flags[:SHOWN_NAMES]),
        more,
    )


def _metric(name: str) -> str:
    try:
        return escape(label_of(name).lower())
    except KeyError:
        return escape(name)


def _goal_figure(flag: Flag) -> str:
    """``41.2 % of target`` for a missed goal; ``behind, pace 62.0 %`` while the year runs."""
    if flag.status == MISSED:
        return f"{text.percent(flag.value)} of target"
    return f"{escape(flag.status)}, pace {text.percent(flag.value)}"


def attention_items(
    attention: Attention,
    *,
    rep_slugs: Mapping[str, str],
    team_slugs: Mapping[str, str],
    segment_slugs: Mapping[str, Mapping[str, str]],
    ratio_bands: bool = False,
    has_costs: bool = True,
) -> tuple[AttentionItem, ...]:
    """The "Needs attention" list of the overview (links relative to ``/``), from ``dashboard.needs_attention``.

    Without cost data (``has_costs`` False) no value ratio exists, so nothing can be found below
    break-even: the list says so first instead of looking clear."""

    def rep(flag: Flag, figure: str) -> str:
        slug = rep_slugs.get(flag.key)
        label = escape(flag.name)
        return (_anchor(f"reps/{slug}/", label) if slug else label) + f" ({figure})"

    def team(flag: Flag, figure: str) -> str:
        slug = team_slugs.get(flag.key)
        label = escape(flag.name)
        return (_anchor(f"teams/{slug}/", label) if slug else label) + f" ({figure})"

    items: list[AttentionItem] = []
    a = attention
    if a.below_break_even:
        n = len(a.below_break_even)
        items.append(
            _item(
                "below_break_even",
                f"<strong>{n} rep(s) below break-even</strong>",
                "reps/",
                a.below_break_even,
                lambda f: rep(f, "below 1" if ratio_bands else text.ratio(f.value)),
            )
        )
        items[-1] = _with_note(
            items[-1],
            f"Value ratio under 1: their clients are worth less than one year of "
            f"their cost (current reps with at least {a.min_clients} clients).",
        )
    if a.goals:
        year_word = "missed" if a.goals_year_complete else "missed, behind or at risk"
        items.append(
            _item(
                "goals",
                f"<strong>{len(a.goals)} goal(s) {year_word}</strong>",
                "goals/",
                a.goals,
                lambda f: (
                    rep(f, f"{_metric(f.metric)}: {_goal_figure(f)}")
                    if f.kind == "rep"
                    else team(f, f"team {_metric(f.metric)}: {_goal_figure(f)}")
                ),
            )
        )
        items[-1] = _with_note(
            items[-1], "In the reporting year: team goals, and the goals of current reps."
        )
    for dim, folder in DIMENSIONS.items():
        flags = [f for f in a.weak_segments if f.kind == dim]
        if not flags:
            continue
        slugs = segment_slugs.get(dim, {})
        yardstick = flags[0].reference
        # As many decimals as keep every flagged ratio apart from the company's (0.752 below 0.753,
        # never "0.75 below the company's 0.75").
        digits = _digits_apart([f.value for f in flags], yardstick)

        def segment(
            flag: Flag, folder: str = folder, slugs: Mapping[str, str] = slugs, digits: int = digits
        ) -> str:
            slug = slugs.get(flag.key)
            label = _anchor(f"{folder}/{slug}/", escape(flag.name)) if slug else escape(flag.name)
            said = (
                [f"ratio {text.side_safe(flag.value, 1, digits, (text.BREAK_EVEN,))}"]
                if math.isfinite(flag.value)
                else []
            )
            if not math.isnan(flag.change) and flag.change < 0:
                said.append(f"revenue {text.change(flag.change)}")
            if flag.status:
                said.append(f"penetration leans to <em>{escape(flag.status)}</em>")
            return f"{label} ({'; '.join(said)})"

        against = (
            f"the company's {text.side_safe(yardstick, 1, digits, (text.BREAK_EVEN,))}"
            if math.isfinite(yardstick)
            else "the company's"
        )
        items.append(
            _item(
                dim,
                f"<strong>{len(flags)} weak {escape(folder)}</strong>",
                f"{folder}/",
                flags,
                segment,
            )
        )
        items[-1] = _with_note(
            items[-1],
            f"Value ratio below {against} or revenue down on last year: a market to "
            f"leave (<em>{CUT_LOSSES}</em>) or one not yet tapped (<em>{UNTAPPED}</em>).",
        )
    if a.falling_teams:
        items.append(
            _item(
                "falling_teams",
                f"<strong>{len(a.falling_teams)} team(s) whose value ratio fell</strong>",
                "teams/",
                a.falling_teams,
                lambda f: team(
                    f,
                    # in their true order: a fall from 0.7234 to 0.7198 is not "0.72 → 0.72"
                    " → ".join(text.ordered(f.reference, f.value, 1, 2, (text.BREAK_EVEN,)))
                    + (", below break-even" if f.value < 1 else ""),
                ),
            )
        )
        items[-1] = _with_note(
            items[-1], "Value ratio of the reporting year against the year before."
        )
    if a.coaching:
        items.append(
            _item(
                "coaching",
                f"<strong>{len(a.coaching)} coaching verdict(s)</strong>",
                "coaching/",
                a.coaching,
                lambda f: f"{escape(f.name)}: {escape(f.status)} ({text.change(f.value)})",
            )
        )
        items[-1] = _with_note(items[-1], "Verdicts that passed the pre-trend and placebo checks.")
    if a.warnings:
        items.append(
            AttentionItem(
                "data_quality",
                Markdown(
                    _anchor(
                        "data-quality/", f"<strong>{a.warnings:,} data-quality warning(s)</strong>"
                    )
                ),
                (),
                Markdown(""),
                Markdown("Rows excluded or values left empty in the inputs."),
            )
        )
    if not has_costs:
        items.insert(
            0,
            AttentionItem(
                "no_cost_data",
                Markdown(_anchor("methodology/", "<strong>No cost data for any rep</strong>")),
                (),
                Markdown(""),
                Markdown(
                    "No rep, team or segment has a value ratio, so none can be found below "
                    "break-even: give the reps' costs in a costs export (<code>sources.costs</code>) "
                    "whose rep ids match the deals'."
                ),
            ),
        )
    if a.gaps.without_cost:
        items.append(
            AttentionItem(
                "without_cost",
                Markdown(
                    _anchor(
                        "reps/", f"<strong>{a.gaps.without_cost} rep(s) have no cost data</strong>"
                    )
                ),
                (),
                Markdown(""),
                Markdown("They have no value ratio."),
            )
        )
    if a.gaps.without_clients:
        items.append(
            AttentionItem(
                "without_clients",
                Markdown(
                    _anchor(
                        "reps/",
                        f"<strong>{a.gaps.without_clients} rep(s) have not acquired a client yet</strong>",
                    )
                ),
                (),
                Markdown(""),
                Markdown(
                    "Their value ratio is empty, not zero: a mean over no clients is undefined."
                ),
            )
        )
    return tuple(items)


def _with_note(item: AttentionItem, note: str) -> AttentionItem:
    return AttentionItem(item.topic, item.lead, item.names, item.more, Markdown(note))


def attention_block(items: Sequence[AttentionItem]) -> Markdown:
    """The "Needs attention" list as HTML (one ``<li>`` per item)."""
    lines = []
    for item in items:
        names = ", ".join(item.names)
        if item.more:
            names = f"{names}, {item.more}" if names else item.more
        said = f"{item.lead}: {names}." if names else f"{item.lead}."
        lines.append(
            f'<li data-topic="{html.escape(item.topic)}">{said}'
            + (f" {item.note}" if item.note else "")
            + "</li>"
        )
    # Kept out of the search index like the cards: every name is found on its own page.
    return (
        Markdown('<ul class="sp-attention" data-search-exclude>\n' + "\n".join(lines) + "\n</ul>")
        if lines
        else Markdown("")
    )


NONE_UNRANKED = Unranked(former=0, few_clients=0)


def _interval(row: pd.Series) -> str:
    low, high = row["ratio_low"], row["ratio_high"]
    return (
        text.EMPTY
        if text.missing(low) or text.missing(high)
        else f"{text.ratio(low)} – {text.ratio(high)}"
    )


def _company_now(metrics: Metrics) -> tuple[float, ...]:
    """The company's value ratio in the reporting year (none without one): the histogram keeps it in
    its regular bins, under the company's rule."""
    years = metrics.company_years
    if "value_ratio" not in years:
        return ()
    now = years.loc[years["year"] == metrics.period.year, "value_ratio"].dropna()
    return tuple(float(r) for r in now if math.isfinite(float(r)))


def overview_page(
    info: SiteInfo,
    metrics: Metrics,
    headlines: Headlines,
    ranked: pd.DataFrame,
    attention: Sequence[AttentionItem],
    datasets: pd.DataFrame,
    *,
    min_clients: int = 3,
    unranked: Unranked = NONE_UNRANKED,
) -> OverviewPage:
    """The overview's context. ``ranked``: the ranked reps, highest first, with their page ``slug``
    (``summaries.ranked_by_ratio``); ``attention``: ``attention_items``; ``datasets``:
    ``summaries.dataset_usage``; ``min_clients``: rankings.min_clients; ``unranked``: ``summaries.unranked``."""
    fy = metrics.period.fiscal_year_start
    series = {h.figure: dashboard.company_series(metrics, h.figure) for h in headlines.figures}
    cards = kpi_cards(
        info,
        headlines,
        series,
        dashboard.median_ratio_series(metrics, min_clients),
        year=metrics.period.year,
        min_clients=min_clients,
        open_end=metrics.period.as_of < metrics.period.end,
        fy_start=fy,
    )
    company = metrics.company_years.assign(
        year=metrics.company_years["year"].map(
            lambda y: year_label(int(y), metrics.period.fiscal_year_start)
        )
    )
    ranked = ranked.assign(
        href=[link(HERE, f"reps/{s}/") for s in ranked["slug"]],
        interval=[_interval(r) for _i, r in ranked.iterrows()],
    )
    # The interval is withheld with banded ratios (it would give the exact ratio back).
    with_interval = not info.ratio_bands
    top_cols = [
        info.column("name", link="href"),
        info.column("team"),
        info.column("clients", "Clients (n)"),
        info.column("mean_client_ltv"),
        info.column("value_ratio"),
        *([info.column("interval", numeric=True)] if with_interval else []),
    ]
    freshness = frame_table(
        datasets,
        [
            info.column("dataset"),
            info.column("files"),
            info.column("rows_read"),
            info.column("rows_used"),
            info.column("rows_excluded", "Excluded"),
            info.column("latest"),
        ],
        "data/datasets.csv",
        sortable=False,
    )
    return OverviewPage(
        site=info,
        kpis=kpi_block(cards, "data/headlines.csv"),
        revenue_by_year=embed(
            "chart-company-revenue-year",
            chart("revenue_by_year", company, ["year", "revenue"]),
            "Company revenue by year",
        ),
        revenue_by_month=embed(
            "chart-company-revenue-month",
            chart("revenue_by_month", metrics.company_monthly, ["month", "revenue", "won_deals"]),
            "Company revenue by month",
        ),
        ratio_distribution=embed(
            "chart-ratio-distribution",
            ChartSpec(
                "value_ratio_distribution",
                records(ratio_histogram(ranked["value_ratio"], _company_now(metrics))),
            ),
            "Distribution of the ranked reps' value ratios",
        )
        if len(ranked) and not info.ratio_bands
        else None,
        top_reps=frame_table(ranked.head(5), top_cols, "data/reps.csv", sortable=False)
        if len(ranked)
        else None,
        bottom_reps=frame_table(
            ranked.tail(5).iloc[::-1], top_cols, "data/reps.csv", sortable=False
        )
        if len(ranked)
        else None,
        min_clients=min_clients,
        ranked_count=len(ranked),
        unranked=unranked,
        interval_note=""
        if with_interval
        else (
            "No interval is shown: ratios are published as bands "
            "(privacy.rep_value_ratios), and an interval would give the "
            "exact ratio back."
        ),
        attention=attention_block(attention),
        freshness=freshness,
        no_ratio_reason="" if metrics.has_costs else no_cost_reason(datasets),
    )


def no_cost_reason(datasets: pd.DataFrame) -> str:
    """Why no value ratio can be computed: no costs export, or one none of whose rows was used
    (``datasets``: ``summaries.dataset_usage``, one row per configured dataset)."""
    costs = datasets[datasets["dataset"] == "costs"] if len(datasets) else datasets
    if not len(costs) or not int(costs["rows_read"].iloc[0]):
        return NO_COST_DATA
    read = text.integer(int(costs["rows_read"].iloc[0]))
    return (
        f"No row of the costs export (sources.costs; {read} read) could be used: the data-quality "
        "page says why (rep ids that are not those of the deals and the reps file, unreadable "
        "salaries…). So no value ratio can be computed: the ratio divides client lifetime value by "
        "what a rep costs."
    )
