"""The overview dashboard: one compact money format (Babel), the KPI cards and the "Needs attention"
list, computed on the bundled example and checked against its published tables."""

from __future__ import annotations

import dataclasses
import html
import math
import re

import babel.numbers
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.metrics import dashboard, summaries
from generator.metrics.dashboard import Flag, YearPoint
from generator.metrics.summaries import RepGaps
from generator.site import assemble, text
from generator.site.pages import overview
from generator.site.privacy import band_rank, publishable_metrics
from tests.conftest import Computed

# ---------------------------------------------------------------------------------------------
# 1. Money: one format, through Babel


@pytest.mark.parametrize(
    ("value", "currency", "shown"),
    [
        (3_800_000_000, "USD", "$3.8B"),
        (101_272_100.17, "USD", "$101.3M"),
        (101_300_000, "USD", "$101.3M"),
        (302_563.21, "USD", "$302.6K"),
        (1_250_000, "USD", "$1.2M"),  # half to even
        (1_350_000, "USD", "$1.4M"),
        (1_000_000, "USD", "$1M"),  # no trailing ".0"
        (999_950, "USD", "$1M"),  # carried into the next unit, never "$1000K"
        (999_949, "USD", "$999.9K"),
        (999_960_000, "USD", "$1B"),
        (950, "USD", "$950"),
        (999.6, "USD", "$1K"),  # whole units below 1,000
        (12.5, "USD", "$12"),
        (0, "USD", "$0"),
        (-4_200_000, "USD", "-$4.2M"),
        (3_800_000_000, "EUR", "€3.8B"),
        (3_800_000_000, "GBP", "£3.8B"),
        (3_800_000_000, "SEK", "SEK3.8B"),
        (None, "USD", "—"),
        (float("nan"), "USD", "—"),
        (float("inf"), "USD", "—"),
    ],
)
def test_compact_money(value: object, currency: str, shown: str) -> None:
    assert text.compact_money(value, currency) == shown


def test_compact_steps_match_compact_money() -> None:
    """The units an axis needs are Babel's, and dividing by them gives what compact_money writes."""
    steps = text.compact_steps("USD")
    assert steps == text.CompactSteps(
        "$", ((1_000, "K"), (10**6, "M"), (10**9, "B"), (10**12, "T")), 1
    )
    assert text.compact_steps("EUR").symbol == "€" and text.compact_steps("SEK").symbol == "SEK"
    for value in (4_321.0, 56_789_000.0, 3_800_000_000.0, 7.25e12):
        unit, suffix = max((u, s) for u, s in steps.steps if u <= value)
        number = f"{value / unit:.1f}".removesuffix(".0")
        assert text.compact_money(value, "USD") == f"{steps.symbol}{number}{suffix}"


def test_full_money_with_and_without_currency() -> None:
    assert text.money(1_234_567.8) == "1,234,568"
    assert text.money(1_234_567.8, "USD") == "$1,234,568"
    assert text.money(-1_234.4, "EUR") == "-€1,234"
    assert text.money(None, "USD") == text.EMPTY


@given(st.floats(min_value=-1e13, max_value=1e13, allow_nan=False))
def test_table_money_is_babels_format(value: float) -> None:
    """Table cells are written with a format string for speed; they must equal Babel's en format."""
    assert text.money(value) == babel.numbers.format_decimal(value, "#,##0", locale="en")


@given(
    st.floats(min_value=-1e17, max_value=1e17, allow_nan=False)
    | st.integers(min_value=-(10**6), max_value=10**6).map(lambda n: n / 2),
    st.sampled_from(["USD", "EUR", "SEK", "JPY", "BRL", "XXX"]),
)
def test_money_with_currency_is_babels_format(value: float, currency: str) -> None:
    """Money with its symbol is written with a format string for speed; it must equal Babel's en format
    (halves round to even, a negative amount that rounds to 0 keeps its sign)."""
    assert text.money(value, currency) == babel.numbers.format_currency(
        value, currency, "¤#,##0", locale="en", currency_digits=False
    )


def test_money_with_currency_beyond_exact_floats() -> None:
    for value in (-0.0, -0.4, 0.5, 1.5, 2.5, 2.0**53, 1e23, float("inf"), float("-inf")):
        assert text.money(value, "USD") == babel.numbers.format_currency(
            value, "USD", "¤#,##0", locale="en", currency_digits=False
        )


def test_no_compact_money_written_outside_text() -> None:
    """One function writes compact money: no page module divides by 1e6 or appends "M" itself."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "generator" / "site"
    for path in root.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "short_money" not in source, path
        if path.name != "text.py":
            assert not re.search(r"1e[369]\b", source), (
                f"{path}: compact money outside text.compact_money"
            )


# ---------------------------------------------------------------------------------------------
# 2. What needs attention, on the bundled example


@pytest.fixture(scope="module")
def published(example_metrics: Computed) -> tuple[Computed, dashboard.Attention]:
    cfg = example_metrics.config
    metrics = publishable_metrics(example_metrics.metrics, cfg.config.privacy)
    gaps = summaries.rep_gaps(metrics.reps, metrics.has_costs)
    attention = dashboard.needs_attention(
        metrics,
        warnings=2,
        gaps=gaps,
        min_clients=cfg.config.rankings.min_clients,
        below=overview.below_band,
    )
    return Computed(cfg, example_metrics.inputs, metrics), attention


def test_reps_below_break_even_are_the_ranked_reps_under_one(
    published: tuple[Computed, dashboard.Attention],
) -> None:
    computed, attention = published
    reps = computed.metrics.reps
    assert [f.key for f in attention.below_break_even] == [
        "REP-030",
        "REP-004",
        "REP-012",
        "REP-011",
        "REP-040",
        "REP-033",
    ]
    assert [f.name for f in attention.below_break_even][:2] == ["Clara Moore", "Zainab Murphy"]
    assert attention.below_break_even[0].value == pytest.approx(0.464866, abs=1e-6)
    # The same set the reps table gives: current, at least min_clients clients, ratio under 1.
    expected = reps[
        (reps["status"] == "current") & (reps["clients"] >= 3) & (reps["value_ratio"] < 1)
    ]
    assert {f.key for f in attention.below_break_even} == set(expected["rep_id"])
    # Kenji Tanaka (REP-001) has 2 clients and Rachel Petrov (REP-027) has left: never listed.
    assert not {"REP-001", "REP-027"} & {f.key for f in attention.below_break_even}


def test_goals_missed_are_current_reps_and_teams(
    published: tuple[Computed, dashboard.Attention],
) -> None:
    computed, attention = published
    metrics = computed.metrics
    goals = metrics.goals.goals
    assert attention.goals_year_complete  # as_of 2025-12-31: goals are met or missed
    missed = goals[(goals["year"] == 2025) & (goals["status"] == "missed")]
    current = set(metrics.reps.loc[metrics.reps["status"] == "current", "rep_id"])
    expected = missed[(missed["scope"] == "team") | missed["id"].isin(current)]
    assert len(attention.goals) == len(expected) == 12
    assert {(f.kind, f.key, f.metric) for f in attention.goals} == set(
        zip(expected["scope"], expected["id"], expected["metric"], strict=True)
    )
    first = attention.goals[0]
    assert (first.key, first.name, first.metric, first.status) == (
        "REP-035",
        "Ji-woo Singh",
        "revenue",
        "missed",
    )
    assert first.value == pytest.approx(0.412268, abs=1e-6)
    assert [f.value for f in attention.goals] == sorted(f.value for f in attention.goals)
    assert ("team", "Otters") in {(f.kind, f.key) for f in attention.goals}


def test_weak_segments_with_their_reading(published: tuple[Computed, dashboard.Attention]) -> None:
    computed, attention = published
    segments = computed.metrics.segments
    for dim, table in segments.current.items():
        weak = set(table.loc[table["weak"].astype(bool) & (table[dim] != "Unknown"), dim])
        assert {f.key for f in attention.weak_segments if f.kind == dim} == weak
    by_key = {(f.kind, f.key): f for f in attention.weak_segments}
    # LATAM's ratio (1.95) is under the company's 2.32, but its 95 % interval holds 2.32: noise.
    assert sorted(k for d, k in by_key if d == "region") == ["Nordics"]
    education = by_key[("category", "Education")]
    assert education.value == pytest.approx(0.996022, abs=1e-6) and education.value < 1
    # the company's ratio: the yardstick
    assert education.reference == pytest.approx(2.322197, abs=1e-6)
    assert education.status == dashboard.UNTAPPED  # penetration below the categories' median
    # revenue down
    assert by_key[("category", "Energy")].change == pytest.approx(-0.014963, abs=1e-6)
    assert by_key[("region", "Nordics")].status == dashboard.CUT_LOSSES


def test_falling_teams_and_coaching(published: tuple[Computed, dashboard.Attention]) -> None:
    computed, attention = published
    assert [(f.key, round(f.reference, 4), round(f.value, 4)) for f in attention.falling_teams] == [
        ("Wolves", 2.9874, 2.8801)
    ]
    years = computed.metrics.team_years.pivot(index="team", columns="year", values="value_ratio")
    assert set(years.index[years[2025] < years[2024]]) == {"Wolves"}
    # No coaching kind has a verdict in the example (too few reps or too wide an interval).
    verdicts = computed.metrics.coaching.effects["verdict"]  # type: ignore[union-attr]
    assert set(verdicts) == {"not enough data yet"} and attention.coaching == ()


def test_coaching_verdicts_only_when_checks_passed(example_metrics: Computed) -> None:
    metrics = example_metrics.metrics
    effects = metrics.coaching.effects.copy()  # type: ignore[union-attr]
    effects["verdict"] = [
        "revenue rose",
        "no verdict: a check failed",
        "revenue fell",
        "no clear effect",
    ]
    changed = metrics.__class__(
        **{
            **vars(metrics),
            "coaching": metrics.coaching.__class__(
                **{**vars(metrics.coaching), "effects": effects}
            ),
        }
    )
    flags = dashboard.coaching_verdicts(changed)
    assert [(f.key, f.status) for f in flags] == [
        ("1:1 coaching", "revenue rose"),
        ("Sales training", "revenue fell"),
    ]


def test_median_ratio_series_ends_at_the_headline(example_metrics: Computed) -> None:
    metrics = example_metrics.metrics
    series = dashboard.median_ratio_series(metrics, 3)
    headline = summaries.headline_figures(metrics, banded=False, rank=band_rank).median_ratio
    assert [p.year for p in series] == [2022, 2023, 2024, 2025]
    assert series[-1].value == pytest.approx(headline) == pytest.approx(1.611460, abs=1e-6)
    assert series[-2].value == pytest.approx(1.378225, abs=1e-6)
    revenue = dashboard.company_series(metrics, "revenue")
    assert revenue[-1] == YearPoint(2025, pytest.approx(101_272_100.17))  # type: ignore[arg-type]


def test_banded_ratios_are_below_break_even_only_in_the_lowest_band() -> None:
    assert (
        overview.below_band("<1")
        and not overview.below_band("1–2")
        and not overview.below_band("≥10")
    )
    assert (
        overview.below_band(0.999)
        and not overview.below_band(1.0)
        and not overview.below_band(None)
    )
    reps = pd.DataFrame(
        {
            "rep_id": ["A", "B", "C"],
            "name": ["Ann", "Bo", None],
            "ranked": [True, True, False],
            "value_ratio": ["<1", "1–2", "<1"],
        }
    )
    flags = dashboard.below_break_even(reps, overview.below_band)
    assert [(f.key, f.name) for f in flags] == [("A", "Ann")] and math.isnan(flags[0].value)


# ---------------------------------------------------------------------------------------------
# 3. The items and the cards as the page writes them


def _plain(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", markup)).split())


def test_attention_items_cap_names_and_link(
    published: tuple[Computed, dashboard.Attention],
) -> None:
    computed, attention = published
    context = assemble.site_context(
        computed.config, assemble.site_info(computed.config, computed.metrics), computed.metrics
    )
    items = overview.attention_items(
        attention,
        rep_slugs=context.rep_slugs,
        team_slugs=context.team_slugs,
        segment_slugs=context.segment_slugs,
    )
    assert [i.topic for i in items] == [
        "below_break_even",
        "goals",
        "region",
        "category",
        "channel",
        "falling_teams",
        "data_quality",
    ]
    reps_item = items[0]
    assert len(reps_item.names) == overview.SHOWN_NAMES
    assert (
        reps_item.names[0]
        == f'<a href="reps/{context.rep_slugs["REP-030"]}/">Clara Moore</a> (0.46)'
    )
    assert reps_item.more == '<a href="reps/">1 more</a>'.replace("<a", "and <a")
    assert _plain(reps_item.lead) == "6 rep(s) below break-even"
    goals_item = items[1]
    assert (
        _plain(goals_item.lead) == "12 goal(s) missed" and _plain(goals_item.more) == "and 7 more"
    )
    assert 'href="goals/"' in goals_item.more
    assert _plain(goals_item.names[0]) == "Ji-woo Singh (revenue: 41.2 % of target)"
    categories = items[3]
    assert (
        _plain(categories.names[0])
        == "Education (ratio 0.996; penetration leans to untapped market)"
    )
    assert "a market to leave" in categories.note and "not yet tapped" in categories.note
    assert _plain(items[5].names[0]) == "Wolves (2.99 → 2.88)"
    # A fall that two decimals would hide shows as many as it takes.
    close = dataclasses.replace(
        attention,
        falling_teams=(dashboard.Flag("team", "Wolves", "Wolves", 0.7198, 0.7234),),
    )
    falling = overview.attention_items(
        close,
        rep_slugs=context.rep_slugs,
        team_slugs=context.team_slugs,
        segment_slugs=context.segment_slugs,
    )
    assert _plain(next(i for i in falling if i.topic == "falling_teams").names[0]) == (
        "Wolves (0.723 → 0.720, below break-even)"
    )
    # Segments too: APAC's 0.7521 against the company's 0.7534 read "0.75 … below the company's 0.75".
    weak = dataclasses.replace(
        attention,
        weak_segments=(
            dashboard.Flag("region", "APAC", "APAC", 0.7521, 0.7534, change=-0.2),
            dashboard.Flag("region", "EMEA", "EMEA", 0.41, 0.7534),
        ),
    )
    (regions,) = [
        i
        for i in overview.attention_items(
            weak,
            rep_slugs=context.rep_slugs,
            team_slugs=context.team_slugs,
            segment_slugs=context.segment_slugs,
        )
        if i.topic == "region"
    ]
    assert [_plain(n) for n in regions.names] == [
        "APAC (ratio 0.752; revenue -20.0 %)",
        "EMEA (ratio 0.410)",
    ]
    assert "below the company's 0.753" in _plain(regions.note)
    block = overview.attention_block(items)
    assert block.count("<li ") == 7 and 'href="data-quality/"' in block
    # names are found on their pages
    assert block.startswith('<ul class="sp-attention" data-search-exclude>')


def test_kpi_cards_snapshot(example_metrics: Computed) -> None:
    """The six cards of the example: value in the site's currency, change with arrow and sign."""
    metrics = example_metrics.metrics
    info = assemble.site_info(example_metrics.config, metrics)
    headlines = summaries.headline_figures(metrics, banded=False, rank=band_rank)
    series = {h.figure: dashboard.company_series(metrics, h.figure) for h in headlines.figures}
    cards = overview.kpi_cards(
        info,
        headlines,
        series,
        dashboard.median_ratio_series(metrics, 3),
        year=2025,
        min_clients=3,
        open_end=False,
    )
    shown = [f"{c.label} | {c.shown} | {_plain(c.change)} | {c.note}" for c in cards]
    assert shown == [
        "Revenue | $101.3M | ▲ up +29.2 % on the same span of 2024 ($78.4M) | ",
        "Won deals | 855 | ▲ up +33.4 % on the same span of 2024 (641) | ",
        "Win rate | 45.0 % | ▲ up +7.9 pts on the same span of 2024 (37.0 %) | ",
        "New clients | 254 | ▲ up +1.2 % on the same span of 2024 (251) | ",
        "Mean client LTV | $302.6K | ▲ up +11.3 % on the same span of 2024 ($271.9K) | ",
        "Median value ratio | 1.61 | ▲ up +0.23 on the median at the end of 2024 (1.38) | "
        "median of the 33 ranked reps (current, at least 3 clients)",
    ]
    assert cards[0].spark == (
        '<svg class="sp-spark" role="img" aria-label="Revenue by year: 2022 &#36;61.4M, 2023 &#36;76.9M, '
        '2024 &#36;78.4M, 2025 &#36;101.3M" width="96" height="28" viewBox="0 0 96 28"><title>Revenue by year: '
        '2022 &#36;61.4M, 2023 &#36;76.9M, 2024 &#36;78.4M, 2025 &#36;101.3M</title><g fill="none" '
        'stroke="currentColor" stroke-width="1.5" stroke-linejoin="round"><polyline points="3.0,25.0 33.0,16.4 '
        '63.0,15.6 93.0,3.0"/></g><circle class="sp-spark-end" cx="93.0" cy="3.0" r="2.5"/></svg>'
    )
    block = overview.kpi_block(cards, "data/headlines.csv")
    assert block.startswith(
        '<div class="grid cards sp-kpis" data-search-exclude>\n<ul>\n'
        '<li class="sp-kpi" data-figure="revenue">\n<span class="sp-kpi-label">Revenue</span>\n'
        '<span class="sp-kpi-value">$101.3M</span>\n<span class="sp-kpi-change sp-up">'
    )
    # one raw HTML block for Markdown
    assert block.count('<li class="sp-kpi"') == 6 and "\n\n" not in block


def test_trend_and_sparkline_edge_cases() -> None:
    assert _plain(overview.trend(-0.031, "-3.1 %", "on 2024")) == "▼ down -3.1 % on 2024"
    assert _plain(overview.trend(0.0, "+0.0 %", "on 2024")) == "■ level +0.0 % on 2024"
    assert _plain(overview.trend(float("nan"), "", "no cost data")) == "— no cost data"
    one = (YearPoint(2025, 5.0),)
    assert overview.sparkline(one, "Revenue", str, open_end=False) == ""
    gap = (
        YearPoint(2022, 1.0),
        YearPoint(2023, float("nan")),
        YearPoint(2024, 2.0),
        YearPoint(2025, 3.0),
    )
    spark = overview.sparkline(gap, "Won deals", lambda v: f"{v:.0f}", open_end=True)
    assert spark.count("<polyline") == 1  # 2022 stands alone: the missing year breaks the line
    assert 'class="sp-spark-open"' in spark and "2022 1, 2024 2, 2025 3" in spark


def test_flag_is_frozen() -> None:
    flag = Flag("rep", "A", "Ann", 0.5)
    with pytest.raises(AttributeError):
        flag.value = 1.0  # type: ignore[misc]
    assert RepGaps(0, 0) == RepGaps(without_cost=0, without_clients=0)


def test_cards_without_cost_data_and_with_banded_ratios() -> None:
    from generator.site.common import SiteInfo

    nan = float("nan")
    headlines = summaries.Headlines(
        (summaries.Headline("revenue", 2_500_000.0, 0.0, nan, False),), None, 0
    )
    no_costs = SiteInfo("T", "EUR", "2025", "2025-06-30", show_compensation=False, has_costs=False)
    revenue, ratio = overview.kpi_cards(
        no_costs,
        headlines,
        {"revenue": (YearPoint(2024, 0.0), YearPoint(2025, 2.5e6))},
        (),
        year=2025,
        min_clients=3,
        open_end=True,
    )
    assert revenue.shown == "€2.5M"
    assert _plain(revenue.change) == "— nothing to compare with on the same span of 2024"
    assert 'class="sp-spark-open"' in revenue.spark  # the year is still running
    assert (ratio.shown, _plain(ratio.change), ratio.spark) == (
        "—",
        "— no cost data, so no value ratio",
        "",
    )
    banded = SiteInfo(
        "T",
        "USD",
        "2025",
        "2025-12-31",
        show_compensation=False,
        has_costs=True,
        rep_value_ratios="band",
    )
    (card,) = overview.kpi_cards(
        banded, summaries.Headlines((), "1–2", 5), {}, (), year=2025, min_clients=3, open_end=False
    )
    assert card.shown == "1–2" and card.spark == ""
    assert _plain(card.change) == "— no comparison: ratios are published as bands"
    assert card.note == "middle band of the 5 ranked reps (ratios are published as bands)"


def test_a_coaching_verdict_is_listed_and_links_to_coaching(
    published: tuple[Computed, dashboard.Attention],
) -> None:
    """The example has no verdict (too few coached reps): one passed verdict put through the page's
    functions gives its line, linking to /coaching/."""
    import dataclasses

    computed, attention = published
    context = assemble.site_context(
        computed.config, assemble.site_info(computed.config, computed.metrics), computed.metrics
    )
    rose = dashboard.Flag("coaching", "All kinds", "All kinds", 0.123, status="revenue rose")
    items = overview.attention_items(
        dataclasses.replace(attention, coaching=(rose,)),
        rep_slugs=context.rep_slugs,
        team_slugs=context.team_slugs,
        segment_slugs=context.segment_slugs,
    )
    (item,) = [i for i in items if i.topic == "coaching"]
    assert _plain(item.lead) == "1 coaching verdict(s)" and 'href="coaching/"' in item.lead
    assert _plain(item.names[0]) == "All kinds: revenue rose (+12.3 %)"
    assert '<li data-topic="coaching">' in overview.attention_block(items)


def test_no_ratio_says_whether_costs_were_missing_or_unusable() -> None:
    """30 cost rows keyed by employee id, reps keyed by name: the overview said "No cost data was
    provided (sources.costs)"."""
    read = pd.DataFrame({"dataset": ["deals", "costs"], "rows_read": [10, 30]})
    assert overview.no_cost_reason(read).startswith(
        "No row of the costs export (sources.costs; 30 read) could be used"
    )
    assert overview.no_cost_reason(read[read["dataset"] == "deals"]) == overview.NO_COST_DATA


def test_one_number_of_decimals_keeps_every_flagged_ratio_apart_from_the_company() -> None:
    """3 decimals separate 0.7262 from 0.7251 but merge 0.7249 with it ("0.725 … below 0.725")."""
    assert overview._digits_apart([0.7249, 0.7262], 0.7251) == 4
    assert overview._digits_apart([0.41, 0.5], 0.7534) == 2
    assert overview._digits_apart([0.7534], 0.7534) == 2  # equal values are never apart
    assert overview._digits_apart([0.5], float("nan")) == 2
