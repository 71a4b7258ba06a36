"""The metric registry: every figure the site publishes, defined once (SPEC §5–§6).

One :class:`Figure` per column name of a published table or data file: its label, unit, whether it
is compensation (private), its formula in words and the SPEC section behind it. Table headers,
number formats, privacy filtering, the methodology page's list of figures and the docs tests all
read this registry. Adding a figure is one entry here plus its computation; a table that shows a
name without an entry fails at once (``figure(name)`` raises ``KeyError``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from generator.vocabulary import DIMENSIONS, GOAL_METRICS


class Unit(StrEnum):
    """How a figure is measured, and so how a page writes it (the data files keep the exact value)."""

    MONEY = "money"
    """Currency units: whole units with separators on pages, the currency in the header."""
    FRACTION = "fraction"
    """A rate or share, 0.25 in the files, 25.0 % on pages."""
    CHANGE = "change"
    """A relative change, 0.1 in the files, +10.0 % on pages."""
    POINTS = "points"
    """A difference of two rates, 0.02 in the files, +2.0 pts on pages."""
    COUNT = "count"
    """A whole number of things."""
    DAYS = "days"
    """A number of days."""
    RATIO = "ratio"
    """A ratio of two figures, two decimals on pages (or a band, under privacy.rep_value_ratios: band)."""
    NUMBER = "number"
    """A plain number, shown with ``digits`` decimals."""
    TEXT = "text"
    """An id, a name or a word from the data or the build."""
    DATE = "date"
    """A day, YYYY-MM-DD."""
    FLAG = "flag"
    """True or false."""


@dataclass(frozen=True)
class Figure:
    """One published figure: a column of a table on the site and of its data file."""

    name: str
    """The column name in every table and data file (``value_ratio``)."""
    label: str
    """What the figure is called in sentences and on the methodology page (``Value ratio``)."""
    unit: Unit
    formula: str
    """What it is, in words (a formula where there is one); Markdown."""
    spec: str = ""
    """The SPEC section that pins it, when one does (``§5``)."""
    private: bool = False
    """Compensation: published only with ``privacy.show_compensation: true``."""
    header: str = ""
    """Default table header when shorter than the label (``Won`` for won deals); else the label."""
    aliases: tuple[str, ...] = ()
    """Other headers a table may show it under. ``{period}`` stands for the reporting period's name."""
    digits: int = 0
    """Decimals of a ``number`` on pages."""
    page_only: bool = False
    """Shown in page tables only (a text built for display), never a column of a data file."""
    kind: str = ""
    """What its data-file column holds, where the unit does not say it (``rate``: a fraction of counts
    in [0, 1]; ``id``, ``year``, ``quarter``, ``row``); read by the table contracts (``generator.contracts``)."""
    low: float | None = None
    """Smallest valid value, where one is known (checked by the table contracts)."""
    high: float | None = None
    """Largest valid value, where one is known."""

    @property
    def heading(self) -> str:
        """The table header used unless a table picks one of the aliases."""
        return self.header or self.label

    @property
    def headers(self) -> tuple[str, ...]:
        """Every header a table may show this figure under."""
        return (self.heading, self.label, *self.aliases)

    @property
    def numeric(self) -> bool:
        """True when pages right-align it as a number."""
        return self.unit not in (Unit.TEXT, Unit.DATE, Unit.FLAG)


M, F, CH, PT, C, D, R, N, T, DT, B = (
    Unit.MONEY,
    Unit.FRACTION,
    Unit.CHANGE,
    Unit.POINTS,
    Unit.COUNT,
    Unit.DAYS,
    Unit.RATIO,
    Unit.NUMBER,
    Unit.TEXT,
    Unit.DATE,
    Unit.FLAG,
)

_ENTRIES: tuple[Figure, ...] = (
    # Who and where: the keys of the tables (SPEC §4).
    Figure("rep_id", "Rep id", T, "The rep's id in the exports.", "§4", kind="id"),
    Figure(
        "name",
        "Name",
        T,
        "The rep's (or client's) name from the exports; a rep missing from the reps export "
        "is named by their id.",
        "§4",
        header="Rep",
    ),
    Figure("team", "Team", T, "The rep's team (the team at the time, with memberships).", "§4"),
    Figure("manager", "Manager", T, "The team's manager.", "§4"),
    Figure(
        "region",
        DIMENSIONS["region"].heading,
        T,
        "A deal's region is its client's region, else its rep's; blank → Unknown.",
        "§4",
    ),
    Figure(
        "category",
        DIMENSIONS["category"].heading,
        T,
        "The client's business category; blank → Unknown.",
        "§4",
    ),
    Figure(
        "channel",
        DIMENSIONS["channel"].heading,
        T,
        "The acquisition method: a deal's own, else its client's; blank → Unknown.",
        "§4",
    ),
    Figure(
        "status",
        "Status",
        T,
        "A rep's: current or former (a leaving date on or before as_of). A goal's: met, missed, "
        "on track, at risk, behind, not started, no data, or rep left (not met, and the rep left "
        "before the goal's year ended, by as_of); see goals.",
        "§6",
    ),
    Figure("hired", "Hired", DT, "The rep's hiring date.", "§4"),
    Figure("left", "Left", DT, "The rep's leaving date.", "§4"),
    Figure("client_id", "Client id", T, "The client's id in the exports.", "§4", kind="id"),
    Figure("acquired", "Acquired", DT, "Close date of the client's first won deal.", "§5"),
    Figure("teams", "Teams", T, "The teams a manager leads (a count in a year's row).", "§6"),
    Figure("id", "Id", T, "The rep id, team, manager or segment a row is about.", "§6", kind="id"),
    Figure(
        "level",
        "Level",
        T,
        "What a row is about: company, team, manager, region, category, channel or rep.",
        "§6",
    ),
    Figure("url", "Page", T, "The row's page, relative to the site root.", "§6"),
    Figure("href", "Page link", T, "The row's page, relative to the file's folder.", "§6"),
    # Periods.
    Figure(
        "year",
        "Year",
        T,
        "Fiscal year (named by the calendar year in which it ends).",
        "§5",
        aliases=("Goal year",),
        kind="year",
    ),
    Figure(
        "fiscal_year", "Fiscal year", T, "The fiscal year a projection is for.", "§5", kind="year"
    ),
    Figure(
        "quarter", "Quarter number", C, "Quarter (1–4) of the fiscal year.", "§5", kind="quarter"
    ),
    Figure(
        "period", "Period", T, "The year or quarter a row covers (2025 Q1).", "§5", header="Quarter"
    ),
    Figure("month", "Month", DT, "First day of the month a row covers.", "§5"),
    Figure("date", "Date", DT, "The day a definition changed.", "§5"),
    Figure("months", "Months", C, "Months of the reporting year the rep was employed.", "§5"),
    # Sales (SPEC §5).
    Figure(
        "revenue",
        "Revenue",
        M,
        "sum of the amounts of won deals closed in the reporting year (per rep, team, "
        "manager or the company).",
        "§5",
        aliases=("Revenue {period}", "Team revenue", "Revenue in the team"),
    ),
    Figure("won_deals", "Won deals", C, "Won deals closed in the period.", "§5", header="Won"),
    Figure("lost_deals", "Lost deals", C, "Lost deals closed in the period.", "§5", header="Lost"),
    Figure("deals", "Closed deals", C, "won + lost deals closed in the reporting year.", "§5"),
    Figure(
        "win_rate",
        "Win rate",
        F,
        "won ÷ (won + lost), over deals closed in the reporting year; empty when there are none.",
        "§5",
        kind="rate",
    ),
    Figure(
        "avg_deal_size", "Average deal size", M, "revenue ÷ won deals.", "§5", header="Avg deal"
    ),
    Figure(
        "sales_cycle_days",
        "Sales cycle",
        D,
        "the median number of days from creation to close of the won "
        "deals (deals without a creation date, or created after they closed, are left out of the median).",
        "§5",
        header="Cycle (days)",
    ),
    Figure("open_deals", "Open deals", C, "Deals neither won nor lost.", "§5"),
    Figure("open_pipeline", "Open pipeline", M, "Sum of the amounts of open deals.", "§5"),
    Figure(
        "revenue_same_period_last_year",
        "Revenue, same span last year",
        M,
        "Revenue of the previous fiscal year up to the same day as as_of; empty for a rep not "
        "employed at any time of that span.",
        "§5",
    ),
    Figure(
        "same_span_last_year",
        "Same span last year",
        N,
        "The figure over the previous year up to the same day.",
        "§5",
    ),
    Figure(
        "over",
        "Covers",
        T,
        "Who a headline figure covers: the company, or the ranked reps behind the median "
        "value ratio (current, at least rankings.min_clients clients).",
        "§3",
    ),
    Figure(
        "revenue_change",
        "Revenue change",
        CH,
        "revenue ÷ revenue over the same span last year − 1.",
        "§5",
        header="Change",
    ),
    Figure(
        "share_of_revenue",
        "Share of revenue",
        F,
        "the segment's revenue ÷ the company's revenue.",
        "§5",
        header="Share",
    ),
    # Clients and value (SPEC §5).
    Figure(
        "clients",
        "Clients",
        C,
        "The rep's clients: those whose first won deal the rep won (attribution: "
        "acquirer) or owns (attribution: owner).",
        "§5",
        aliases=("Clients (sample)", "Clients (n)"),
    ),
    Figure(
        "new_clients", "New clients", C, "Clients whose first won deal closed in the period.", "§5"
    ),
    Figure(
        "ltv",
        "Client lifetime value",
        M,
        "gross_margin × sum of the amounts of the client's won deals closed "
        "on or before as_of, all years.",
        "§5",
        header="Lifetime value",
    ),
    Figure(
        "median_rep_value_ratio",
        "Median rep value ratio",
        R,
        "the median value ratio of the ranked reps "
        "(current reps with at least rankings.min_clients clients).",
        "§5",
        page_only=True,
    ),
    Figure("mean_client_ltv", "Mean client LTV", M, "mean lifetime value of the clients.", "§5"),
    Figure(
        "annual_cost",
        "Annual cost",
        M,
        "the mean, over the rep's cost years up to the reporting year, of "
        "salary + taxes + expenses + other, plus that year's coaching cost when include_coaching_cost is true.",
        "§5",
        private=True,
        aliases=("Mean annual cost",),
    ),
    Figure(
        "reps_with_cost",
        "Reps with a cost",
        C,
        "Reps with cost data behind a group's cost and ratio.",
        "§3",
    ),
    Figure(
        "value_ratio",
        "Value ratio",
        R,
        "mean client LTV of the rep's clients ÷ annual cost. A rep costing "
        "100,000 a year whose clients average 500,000 in lifetime value has ratio 5; one costing 40,000 whose "
        "clients average 80,000 has ratio 2. The ratio is empty (never 0) when the rep has no clients or no "
        "cost.",
        "§5",
    ),
    Figure(
        "reps",
        "Reps",
        C,
        "Reps in the group (a team, manager, the company, or behind a correlation); for a team in the "
        "reporting year, the members its page lists.",
        "§6",
        aliases=("Reps (n)",),
    ),
    # Segments (SPEC §5).
    Figure(
        "rep_equivalents",
        "Rep equivalents",
        N,
        "Σ over reps of the share of their revenue won in the segment.",
        "§5",
        low=0,
    ),
    Figure("revenue_per_rep", "Revenue per rep", M, "revenue ÷ rep equivalents.", "§5"),
    Figure(
        "allocated_cost",
        "Allocated cost",
        M,
        "Σ over reps of annual cost × the share of their revenue won in the segment.",
        "§5",
        private=True,
    ),
    Figure(
        "cost_per_rep",
        "Cost per rep",
        M,
        "allocated cost ÷ rep equivalents of the reps with cost data (a rep without any is left out "
        "of both, so this may differ from allocated cost ÷ all rep equivalents).",
        "§5",
        private=True,
    ),
    Figure(
        "ratio_low",
        "Value ratio, 95 % low",
        R,
        "Lower end of the 95 % bootstrap interval of the value ratio (clients resampled, seeded).",
        "§5",
    ),
    Figure("ratio_high", "Value ratio, 95 % high", R, "Upper end of the same interval.", "§5"),
    Figure(
        "market_size",
        "Market size",
        M,
        "Sum of the clients' addressable market (clients.market_size).",
        "§4",
    ),
    Figure("penetration", "Penetration", F, "revenue ÷ market size.", "§5", low=0),
    Figure(
        "few_deals",
        "Caution",
        B,
        "fewer closed deals than segments.min_deals: read with caution.",
        "§5",
    ),
    Figure(
        "weak",
        "Weak",
        B,
        "The whole 95 % interval of the value ratio below the company's ratio, or revenue down on "
        "the same span of last year, in the reporting year.",
        "§5",
    ),
    Figure("interval", "95 % interval", T, "The 95 % interval, low–high.", "§5", page_only=True),
    Figure(
        "ranked",
        "Ranked",
        B,
        "Listed in rankings and the headline median: a current rep (employed on as_of) "
        "with at least rankings.min_clients clients and a value ratio.",
        "§3",
    ),
    Figure("rank", "Rank", C, "Place in the ranking by value ratio.", "§6", page_only=True),
    # Goals (SPEC §4).
    Figure("scope", "Scope", T, "rep or team.", "§4"),
    Figure("owner", "Owner", T, "The rep or team a goal belongs to.", "§4", page_only=True),
    Figure(
        "metric", "Metric", T, "The figure a goal targets: " + ", ".join(GOAL_METRICS) + ".", "§4"
    ),
    Figure("target", "Target", N, "The goal's target value.", "§4", aliases=("Revenue goal",)),
    Figure("actual", "Actual", N, "The goal's metric as reached in its year.", "§5"),
    Figure("attainment", "Attainment", F, "actual ÷ target.", "§5", aliases=("Attained",)),
    Figure("members", "Members", C, "Reps in the team that year.", "§5"),
    Figure(
        "expected_share",
        "Expected share",
        F,
        "Share of the target due by as_of under goals.pacing (for a rep hired during the year, "
        "of the part of the year from the hiring day).",
        "§5",
        kind="rate",
    ),
    Figure("pace", "Pace", F, "actual ÷ (target × expected share).", "§5"),
    Figure("tier_reward", "Tier reward", T, "The highest goals.reward_tiers tier reached.", "§5"),
    Figure(
        "reward",
        "Reward",
        T,
        "The goal's reward from the goals export.",
        "§4",
        header="Goal's reward",
    ),
    Figure(
        "reward_earned",
        "Reward earned",
        T,
        "The goal's reward when the goal is met.",
        "§5",
        header="Goal's reward earned",
    ),
    Figure("goals", "Goals", C, "Goals set.", "§5"),
    Figure("met", "Met", C, "Goals met (attainment ≥ 100 %).", "§5"),
    Figure("share_met", "Share met", F, "met ÷ goals.", "§5", kind="rate"),
    Figure("median_attainment", "Median attainment", F, "Median attainment of the goals.", "§5"),
    Figure(
        "min_attainment",
        "Lowest attainment",
        F,
        "Lowest attainment of the goals.",
        "§5",
        header="Lowest",
    ),
    Figure(
        "max_attainment",
        "Highest attainment",
        F,
        "Highest attainment of the goals.",
        "§5",
        header="Highest",
    ),
    Figure(
        "flag",
        "Flag",
        T,
        "Why a figure needs care: a year's goals look too easy or too hard; a projection "
        "was capped at 3× the last 12 months.",
        "§5",
    ),
    # Managers.
    Figure(
        "mean_ratio_change",
        "Mean ratio change on last year",
        R,
        "Mean change of the value ratio of the reps compared (in the team both years).",
        "§5",
    ),
    Figure(
        "reps_compared",
        "Reps compared",
        C,
        "Reps with a value ratio both this year and last.",
        "§5",
    ),
    Figure("reps_improved", "Reps improved", C, "Reps compared whose value ratio rose.", "§5"),
    Figure(
        "reps_at_start",
        "Reps at start",
        C,
        "Reps in the manager's teams at the start of the year.",
        "§5",
    ),
    Figure(
        "reps_left", "Reps left", C, "Reps at start who left during the year.", "§5", header="Left"
    ),
    Figure("retention", "Retention", F, "1 − reps left ÷ reps at start.", "§5", kind="rate"),
    Figure(
        "leavers_with_ratio",
        "Leavers with a ratio",
        C,
        "Leavers with a value ratio when they left.",
        "§5",
    ),
    Figure(
        "leavers_mean_ratio",
        "Leavers' mean ratio",
        R,
        "Mean value ratio of the leavers when they left.",
        "§5",
    ),
    Figure(
        "value_ratio_when_left",
        "Value ratio when they left",
        R,
        "The rep's value ratio in their last year.",
        "§5",
    ),
    Figure("team_goals", "Team goals", C, "Team revenue goals of the manager's teams.", "§5"),
    Figure(
        "team_goal_attainment",
        "Team revenue goals: attainment",
        F,
        "Σ actual ÷ Σ target of those goals.",
        "§5",
    ),
    Figure("rep_goals", "Rep goals", C, "Goals of the manager's reps.", "§5"),
    Figure("rep_goals_met", "Rep goals met", C, "Of those, goals met.", "§5"),
    Figure(
        "coaching_events",
        "Coaching engagements",
        C,
        "Coaching engagements of the manager's reps that year.",
        "§5",
    ),
    Figure(
        "coaching_verdict",
        "Coaching verdict",
        T,
        "The verdict of /coaching/ over the manager's reps' "
        "engagements (every kind, all years), with its effect % and interval when it is revenue rose or fell; "
        "otherwise why there is none.",
        "§5",
        page_only=True,
    ),
    # Coaching.
    Figure(
        "kind",
        "Kind",
        T,
        "The kind of coaching engagement or of activity.",
        "§4",
        aliases=("Activity", "Coaching"),
    ),
    Figure("start", "Start", DT, "First day of the coaching engagement.", "§4"),
    Figure("end", "End", DT, "Last day of the coaching engagement.", "§4"),
    Figure("hours", "Hours", N, "Hours of coaching.", "§4", digits=1),
    Figure(
        "coaching_cost",
        "Coaching cost",
        M,
        "The engagement's cost.",
        "§4",
        private=True,
        header="Cost",
    ),
    Figure("coached_reps", "Coached reps", C, "Reps coached.", "§5"),
    Figure("events", "Engagements", C, "Coaching engagements behind the effect.", "§5"),
    Figure("rep_months", "Rep-months", C, "Months of coached reps' revenue compared.", "§5"),
    Figure("control_reps", "Comparison reps", C, "Distinct reps compared with.", "§5"),
    Figure(
        "controls",
        "Comparison reps of the engagement",
        C,
        "Reps compared with for one engagement.",
        "§5",
        header="Comparison reps",
    ),
    Figure(
        "control_group",
        "Compared with",
        T,
        "How the comparison reps were chosen: matched on their own trajectory before the start.",
        "§5",
    ),
    Figure(
        "control_change",
        "Comparison reps' change",
        M,
        "Change of the matched reps' revenue a month over "
        "the same windows, corrected to the coached rep's trajectory.",
        "§5",
    ),
    Figure(
        "clusters", "Clusters resampled", C, "Teams (or single reps) the bootstrap resamples.", "§5"
    ),
    Figure(
        "cluster_by",
        "Resampled by",
        T,
        "team: whole teams of coached reps are resampled; rep: single reps (too few teams).",
        "§5",
    ),
    Figure(
        "base_revenue_per_month",
        "Revenue a month, base",
        M,
        "Revenue a month in the base months before the window before: the rep's own normal level.",
        "§5",
    ),
    Figure(
        "counterfactual_per_month",
        "Expected without coaching",
        M,
        "Revenue a month after, less the "
        "effect: what the coached reps would have sold without coaching.",
        "§5",
    ),
    Figure(
        "placebo_effect_per_month",
        "Placebo effect a month",
        M,
        "The same estimate at a fake start one window before the real one (should be near 0).",
        "§5",
    ),
    Figure(
        "pre_trend_per_month",
        "Pre-trend a month",
        M,
        "Slope a month of the gap to the matched reps over "
        "the window before the start (should be near 0).",
        "§5",
    ),
    Figure(
        "pre_trend_reps",
        "Reps in the pre-trend",
        C,
        "Coached reps behind the pre-trend check.",
        "§5",
    ),
    Figure(
        "pre_trend",
        "Pre-trend",
        CH,
        "Drift of the gap to the matched reps over the window before the start, "
        "÷ the coached reps' base revenue.",
        "§5",
    ),
    Figure("pre_trend_low", "Pre-trend, 95 % low", CH, "Lower end of its interval.", "§5"),
    Figure("pre_trend_high", "Pre-trend, 95 % high", CH, "Upper end of its interval.", "§5"),
    Figure(
        "placebo_reps", "Reps in the placebo", C, "Coached reps behind the placebo check.", "§5"
    ),
    Figure(
        "placebo_pct",
        "Placebo effect %",
        CH,
        "The placebo's effect ÷ expected revenue without it.",
        "§5",
    ),
    Figure("placebo_pct_low", "Placebo %, 95 % low", CH, "Lower end of its interval.", "§5"),
    Figure("placebo_pct_high", "Placebo %, 95 % high", CH, "Upper end of its interval.", "§5"),
    Figure(
        "influence_by",
        "Left out",
        T,
        "What the influence check leaves out: rep (the most influential coached "
        "rep) or team (the most influential team, when whole teams are resampled).",
        "§5",
    ),
    Figure(
        "influence_left_out",
        "Most influential",
        T,
        "The rep (by name) or team whose leaving out moves the effect furthest toward 0.",
        "§5",
    ),
    Figure(
        "influence_pct",
        "Effect % without it",
        CH,
        "Effect % with the most influential rep or team left out.",
        "§5",
    ),
    Figure("influence_pct_low", "Without it, 95 % low", CH, "Lower end of its interval.", "§5"),
    Figure("influence_pct_high", "Without it, 95 % high", CH, "Upper end of its interval.", "§5"),
    Figure(
        "influence_range",
        "Influence, 95 % interval",
        T,
        "Effect % without the most influential rep or team, with its interval.",
        "§5",
        header="Without the most influential (95 % interval)",
        page_only=True,
    ),
    Figure(
        "checks",
        "Checks",
        T,
        "Pre-trend, placebo and influence, each in words: passed, failed (and what "
        "that means), not run, or (influence) not needed when the interval already contains 0.",
        "§5",
    ),
    Figure(
        "pre_trend_range",
        "Pre-trend, 95 % interval",
        T,
        "pre-trend low – high.",
        "§5",
        header="Pre-trend (95 % interval)",
        page_only=True,
    ),
    Figure(
        "placebo_range",
        "Placebo, 95 % interval",
        T,
        "placebo % low – high.",
        "§5",
        header="Placebo (95 % interval)",
        page_only=True,
    ),
    Figure("pre_months", "Months before", C, "Months in the window before the start.", "§5"),
    Figure("post_months", "Months after", C, "Months in the window after the start.", "§5"),
    Figure(
        "pre_revenue_per_month",
        "Revenue a month before",
        M,
        "Revenue a month in the window before the start.",
        "§5",
    ),
    Figure(
        "post_revenue_per_month",
        "Revenue a month after",
        M,
        "Revenue a month in the window after the start.",
        "§5",
    ),
    Figure(
        "effect_per_month",
        "Effect a month",
        M,
        "(after − before) − the matched reps' corrected change: the difference-in-differences.",
        "§5",
        aliases=("Difference-in-differences",),
    ),
    Figure(
        "effect_low",
        "Effect, 95 % low",
        M,
        "Lower end of the bootstrap interval of the effect.",
        "§5",
    ),
    Figure("effect_high", "Effect, 95 % high", M, "Upper end of that interval.", "§5"),
    Figure(
        "effect_pct",
        "Effect %",
        CH,
        "effect a month ÷ revenue a month expected without coaching.",
        "§5",
    ),
    Figure("effect_pct_low", "Effect %, 95 % low", CH, "Lower end of its interval.", "§5"),
    Figure("effect_pct_high", "Effect %, 95 % high", CH, "Upper end of its interval.", "§5"),
    Figure(
        "pre_win_rate",
        "Win rate before",
        F,
        "Win rate in the window before the start.",
        "§5",
        kind="rate",
    ),
    Figure(
        "post_win_rate",
        "Win rate after",
        F,
        "Win rate in the window after the start.",
        "§5",
        kind="rate",
    ),
    Figure(
        "effect_range",
        "Effect, 95 % interval",
        T,
        "effect low – effect high.",
        "§5",
        header="95 % interval",
        page_only=True,
    ),
    Figure(
        "effect_pct_range",
        "Effect %, 95 % interval",
        T,
        "effect % low – effect % high.",
        "§5",
        header="95 % interval (%)",
        page_only=True,
    ),
    Figure(
        "win_rate_range",
        "Win-rate effect, 95 % interval",
        T,
        "win-rate effect low – high.",
        "§5",
        header="95 % interval (pts)",
        page_only=True,
    ),
    Figure(
        "win_rate_reps",
        "Reps with a win rate",
        C,
        "Coached reps with closed deals before and after: the n behind the win-rate effect.",
        "§5",
        header="Reps (win rate)",
    ),
    Figure(
        "win_rate_effect",
        "Win-rate effect",
        PT,
        "(after − before) − the matched reps' change, in win rate.",
        "§5",
        low=-1,
        high=1,
    ),
    Figure(
        "win_rate_effect_low",
        "Win-rate effect, 95 % low",
        PT,
        "Lower end of its interval.",
        "§5",
        low=-1,
        high=1,
    ),
    Figure(
        "win_rate_effect_high",
        "Win-rate effect, 95 % high",
        PT,
        "Upper end of its interval.",
        "§5",
        low=-1,
        high=1,
    ),
    Figure("mean_coaching_cost", "Mean cost", M, "Mean cost of an engagement.", "§5", private=True),
    Figure(
        "cost_per_point",
        "Cost per +1 % point",
        M,
        "mean cost ÷ effect % in points; only when the verdict is revenue rose.",
        "§5",
        private=True,
    ),
    Figure(
        "payback_months",
        "Payback (months)",
        N,
        "mean cost ÷ effect a month; only when the verdict is revenue rose.",
        "§5",
        private=True,
        digits=1,
    ),
    Figure(
        "verdict",
        "Verdict",
        T,
        "revenue rose, revenue fell, no clear effect, not enough data yet, or no "
        "verdict: a check failed.",
        "§5",
    ),
    Figure("verdict_reason", "Why", T, "What the verdict rests on.", "§5"),
    Figure("included", "Included", B, "Whether the engagement counts in the effect.", "§5"),
    Figure("note", "Note", T, "Why an engagement is left out.", "§5"),
    Figure(
        "next_year_attainment",
        "Attained the next year",
        F,
        "Attainment of the rep's revenue goal the next year, once that year has ended (empty "
        "while it runs: part of a year would read as a goal missed).",
        "§5",
    ),
    # Activity.
    Figure("activities", "Activities", C, "Activities logged in the reporting year.", "§4"),
    Figure(
        "activities_per_month",
        "Activities a month",
        N,
        "activities ÷ months employed.",
        "§5",
        digits=1,
        low=0,
    ),
    Figure("revenue_per_month", "Revenue a month", M, "revenue ÷ months employed.", "§5"),
    Figure(
        "quadrant",
        "Quadrant",
        T,
        "busy or quiet (activities a month against the median) & productive or "
        "unproductive (revenue a month against the median).",
        "§5",
    ),
    Figure(
        "count",
        "Count",
        C,
        "How many: activities of a kind, or cells with one problem.",
        "§4",
        aliases=("Cells",),
    ),
    Figure("per_month", "A month", N, "count ÷ months employed.", "§5", digits=1, low=0),
    Figure("share", "Share", F, "count ÷ the rep's activities.", "§5", kind="rate"),
    Figure(
        "median_rep_per_month",
        "Median rep, a month",
        N,
        "The median rep's count a month.",
        "§5",
        digits=1,
        low=0,
    ),
    Figure(
        "correlation",
        "Correlation r",
        N,
        "Pearson r between activities a month and revenue a month over the reps.",
        "§5",
        digits=2,
        low=-1,
        high=1,
    ),
    Figure(
        "correlation_low",
        "Correlation, 95 % low",
        N,
        "Lower end of its 95 % interval.",
        "§5",
        digits=2,
        low=-1,
        high=1,
    ),
    Figure(
        "correlation_high",
        "Correlation, 95 % high",
        N,
        "Upper end of its 95 % interval.",
        "§5",
        digits=2,
        low=-1,
        high=1,
    ),
    # Forecast.
    Figure("horizon", "Horizon", T, "this year or next year.", "§6"),
    Figure("months_ahead", "Months ahead", C, "Months from as_of to the horizon's end.", "§6"),
    Figure("method", "Method", T, "Holt-Winters, seasonal naive, or not enough history.", "§6"),
    Figure(
        "history_months",
        "History (months)",
        C,
        "Months of revenue the projection learns from.",
        "§6",
    ),
    Figure(
        "booked",
        "Booked",
        M,
        "Revenue already won in the fiscal year, up to the last complete month of data (deals won "
        "since then are in the projected months).",
        "§6",
    ),
    Figure(
        "forecast", "Projection", M, "booked + projected revenue of the remaining months.", "§6"
    ),
    Figure(
        "forecast_low", "80 % low", M, "Lower end of the 80 % interval of the projection.", "§6"
    ),
    Figure("forecast_high", "80 % high", M, "Upper end of that interval.", "§6"),
    Figure(
        "baseline", "Baseline", M, "Seasonal naive projection: the same months last year.", "§6"
    ),
    Figure("baseline_low", "Baseline, 80 % low", M, "Lower end of the baseline's interval.", "§6"),
    Figure(
        "baseline_high", "Baseline, 80 % high", M, "Upper end of the baseline's interval.", "§6"
    ),
    Figure(
        "reconciled",
        "Reconciled",
        M,
        "The projection scaled so that the parts sum to the whole.",
        "§6",
        aliases=("Remainder after scaling",),
    ),
    Figure(
        "reconciled_low", "Reconciled, 80 % low", M, "Lower end of the reconciled interval.", "§6"
    ),
    Figure(
        "reconciled_high", "Reconciled, 80 % high", M, "Upper end of the reconciled interval.", "§6"
    ),
    Figure(
        "backtest_origins",
        "Backtest origins",
        C,
        "Past months the projection was backtested from.",
        "§6",
    ),
    Figure(
        "mape",
        "Backtest MAPE",
        F,
        "mean of |projection − actual| ÷ actual over the backtests.",
        "§6",
        low=0,
    ),
    Figure(
        "coverage",
        "80 % coverage",
        F,
        "Share of backtests whose actual fell in the 80 % interval.",
        "§6",
        kind="rate",
    ),
    Figure(
        "baseline_mape",
        "Baseline MAPE",
        F,
        "The baseline's MAPE over the same backtests.",
        "§6",
        low=0,
    ),
    Figure(
        "baseline_coverage",
        "Baseline coverage",
        F,
        "The baseline's coverage over the same backtests.",
        "§6",
        kind="rate",
    ),
    Figure(
        "level_coverage",
        "Level 80 % coverage",
        F,
        "Share of every backtest of this level (all its entities) "
        "whose actual fell in the calibrated 80 % interval.",
        "§6",
        kind="rate",
    ),
    Figure(
        "calibration_errors",
        "Calibration errors",
        C,
        "Backtest errors the 80 % interval is calibrated on.",
        "§6",
    ),
    Figure(
        "calibration_low",
        "Low multiplier",
        N,
        "10th percentile of the backtest's (actual − projection) ÷ σ.",
        "§6",
        digits=2,
    ),
    Figure(
        "calibration_high",
        "High multiplier",
        N,
        "90th percentile of the backtest's (actual − projection) ÷ σ.",
        "§6",
        digits=2,
    ),
    Figure("beats_baseline", "Beats the baseline", B, "MAPE below the baseline's.", "§6"),
    Figure("expected_pipeline", "Pipeline × win rate", M, "open pipeline × win rate.", "§6"),
    Figure("origin", "Origin", C, "Months of history at the backtest's start.", "§6"),
    Figure("low", "Low", M, "Lower end of the 80 % interval.", "§6"),
    Figure("high", "High", M, "Upper end of the 80 % interval.", "§6"),
    Figure(
        "remainder",
        "Remainder before scaling",
        M,
        "Parent's projection − Σ of its parts' projections.",
        "§6",
    ),
    Figure(
        "factor",
        "Scaling factor",
        N,
        "What the parts are scaled by to sum to the parent.",
        "§6",
        digits=3,
    ),
    # Headline figures and definitions.
    Figure(
        "figure",
        "Figure",
        T,
        "The name of a headline figure (a name in this list).",
        "§6",
        kind="id",
    ),
    Figure(
        "value",
        "Value",
        T,
        "A headline figure's value, or the raw cell a finding is about.",
        "§6",
        aliases=("{period}",),
    ),
    Figure(
        "change",
        "Change",
        T,
        "What changed: a definition's change, or a headline's change on last year.",
        "§5",
    ),
    # Data quality (SPEC §7).
    Figure("dataset", "Dataset", T, "The dataset a file or finding belongs to.", "§7"),
    Figure("files", "Files", T, "The files read for the dataset.", "§7"),
    Figure("rows_read", "Rows read", C, "Data rows read.", "§7"),
    Figure("rows_used", "Rows used", C, "Rows used in the figures.", "§7"),
    Figure(
        "rows_excluded",
        "Rows excluded",
        C,
        "Rows excluded, each listed on /data-quality/.",
        "§7",
        aliases=("Excluded",),
    ),
    Figure("warnings", "Warnings", C, "Warnings found in the dataset.", "§7"),
    Figure("latest", "Latest date", T, "The latest plausible date in the dataset.", "§7"),
    Figure("severity", "Severity", T, "error, warning or info.", "§7"),
    Figure("file", "File", T, "The file a finding is about.", "§7"),
    Figure("row", "Row", C, "The row of the file (1 is the header row).", "§7", kind="row"),
    Figure("column", "Column", T, "The canonical field a finding is about.", "§7"),
    Figure("problem", "Problem", T, "What is wrong.", "§7"),
    Figure("action", "Action", T, "What was done about it.", "§7"),
    Figure("first_row", "First row", C, "The first row with the problem.", "§7", kind="row"),
)

FIGURES: dict[str, Figure] = {f.name: f for f in _ENTRIES}
"""Every published figure by column name."""

if len(FIGURES) != len(_ENTRIES):  # pragma: no cover - a duplicated entry is a programming error
    raise ValueError("metric registry: a figure is defined twice")

PRIVATE = frozenset(name for name, f in FIGURES.items() if f.private)
"""Compensation figures, published only with privacy.show_compensation: true (SPEC §3)."""


def figure(name: str) -> Figure:
    """The registry entry of a column name; KeyError names the missing figure."""
    try:
        return FIGURES[name]
    except KeyError:
        raise KeyError(
            f"{name!r} has no entry in the metric registry (generator/metrics/definitions.py)"
        ) from None


def label_of(name: str) -> str:
    """What a figure is called in sentences: ``label_of("win_rate")`` → ``Win rate``."""
    return figure(name).label


def published(names: list[str] | tuple[str, ...], show_compensation: bool) -> list[str]:
    """``names`` without the compensation figures unless they may be shown."""
    return list(names) if show_compensation else [n for n in names if n not in PRIVATE]
