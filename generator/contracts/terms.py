"""The column vocabulary: every column name that crosses a stage, with its kind, once (SPEC §4–§6).

A name means the same thing in every table it appears in: ``win_rate`` is a fraction in [0, 1]
wherever it is, ``won_deals`` a non-negative integer, ``revenue`` money. Table contracts
(``generator.contracts.tables``) list column names; their types and ranges come from here.
Plain Python: importing this module costs nothing (pandera is imported only to validate).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """What a column holds; each kind has one dtype family and one set of checks (see ``validate``)."""

    ID = "id"
    """Text key, never empty (rep_id, client_id, deal_id, a team or segment name used as a key)."""
    TEXT = "text"
    """Any text, or empty."""
    DATE = "date"
    """A calendar day (datetime64 in memory; YYYY-MM-DD text in published files)."""
    YEAR = "year"
    """A fiscal year, an integer between 1900 and 2200."""
    QUARTER = "quarter"
    """A fiscal quarter, 1 to 4."""
    COUNT = "count"
    """A number of things: an integer ≥ 0, always known (0, never empty)."""
    ROW = "row"
    """A line number in an export file, ≥ 1; empty when the row has no line (a rep only in the deals)."""
    MONEY = "money"
    """Currency units, unrounded, finite (may be negative: credit notes); empty when unknown."""
    RATE = "rate"
    """A fraction of counts in [0, 1] (0.25, never 25); empty when it cannot be computed."""
    NUMBER = "number"
    """Any other finite figure (a ratio, days, hours, a relative change); empty when unknown."""
    FLAG = "flag"
    """True or false; empty when unknown."""


NULLABLE_BY_DEFAULT = frozenset({Kind.TEXT, Kind.DATE, Kind.ROW, Kind.MONEY, Kind.RATE, Kind.NUMBER, Kind.FLAG})
"""Kinds whose cells may be empty unless a table says otherwise; ids, years, quarters and counts may not."""


@dataclass(frozen=True)
class Term:
    """One column name's meaning: its kind and, for numbers, the range it must lie in."""

    kind: Kind
    doc: str = ""
    low: float | None = None
    high: float | None = None


ID, T, D, Y, Q, C, R, M, RT, N, F = (Kind.ID, Kind.TEXT, Kind.DATE, Kind.YEAR, Kind.QUARTER, Kind.COUNT, Kind.ROW,
                                    Kind.MONEY, Kind.RATE, Kind.NUMBER, Kind.FLAG)

TERMS: dict[str, Term] = {
    # Keys and labels
    "rep_id": Term(ID, "the rep's id (drives the permalink)"),
    "deal_id": Term(ID, "the opportunity's id"),
    "client_id": Term(ID, "the client's (account's) id"),
    "id": Term(ID, "the id of the row's entity: a rep id, a team name, Company"),
    "team": Term(T, "a team's name"),
    "manager": Term(T, "a manager's name"),
    "region": Term(T, "a sales region"),
    "category": Term(T, "a business category (industry)"),
    "channel": Term(T, "an acquisition method"),
    "acquisition": Term(T, "how a client or deal was acquired"),
    "name": Term(T, "a display name"),
    "stage": Term(T, "the CRM stage as exported"),
    "status": Term(T, "won/lost/open of a deal; current/former of a rep; a goal's status"),
    "product": Term(T, "product or product line"),
    "currency": Term(T, "an ISO 4217 currency code"),
    "owner_rep_id": Term(T, "the client's owning rep"),
    "acquirer": Term(T, "the rep credited with a client (SPEC §5 attribution)"),
    "scope": Term(T, "rep or team"),
    "metric": Term(T, "a goal's metric: revenue, won_deals, new_clients, value_ratio"),
    "reward": Term(T, "a goal's reward as written"),
    "tier_reward": Term(T, "the reward of the highest tier reached"),
    "reward_earned": Term(T, "the reward earned, when the goal is met"),
    "kind": Term(T, "an activity, coaching or forecast-path kind"),
    "level": Term(T, "company, team, manager, region or rep"),
    "horizon": Term(T, "a forecast horizon"),
    "method": Term(T, "the forecast method used"),
    "period": Term(T, "a period label, e.g. 2025 Q2"),
    "teams": Term(T, "a manager's teams, comma separated"),
    "quadrant": Term(T, "activity quadrant"),
    "verdict": Term(T, "the coaching verdict"),
    "verdict_reason": Term(T, "why the verdict"),
    "control_group": Term(T, "the control group of a coaching event"),
    "note": Term(T, "a note"),
    "flag": Term(T, "a calibration flag"),
    "figure": Term(ID, "a headline figure's name or label"),
    "url": Term(T, "the entity's page, relative to the site root"),
    "href": Term(T, "a link, relative to the page"),
    "severity": Term(T, "error, warning or info"),
    "dataset": Term(T, "a canonical dataset (SPEC §4)"),
    "file": Term(T, "an export file, relative to the config"),
    "files": Term(T, "a dataset's export files"),
    "column": Term(T, "a canonical field name"),
    "value": Term(T, "a cell as written in the export"),
    "problem": Term(T, "what is wrong"),
    "action": Term(T, "what was done about it"),
    "latest": Term(T, "a dataset's latest date (or year)"),
    "change": Term(T, "a change of definition"),
    "_file": Term(T, "provenance: the export file a row came from"),
    # Dates
    "closed": Term(D, "close date"),
    "created": Term(D, "creation date"),
    "acquired": Term(D, "the client's acquisition date (its first won deal)"),
    "churned": Term(D, "date the client left"),
    "hired": Term(D, "hire date"),
    "left": Term(D, "leaving date"),
    "start": Term(D, "first day"),
    "end": Term(D, "last day"),
    "date": Term(D, "a day"),
    "month": Term(D, "the first day of a month"),
    # Years and quarters
    "year": Term(Y, "fiscal year"),
    "fiscal_year": Term(Y, "fiscal year"),
    "acquired_year": Term(Y, "fiscal year of the client's acquisition"),
    "quarter": Term(Q, "fiscal quarter"),
    # Counts
    "won_deals": Term(C), "lost_deals": Term(C), "open_deals": Term(C), "deals": Term(C),
    "clients": Term(C), "new_clients": Term(C), "reps": Term(C), "reps_with_cost": Term(C),
    "months": Term(C), "activities": Term(C), "count": Term(C), "members": Term(C), "goals": Term(C),
    "met": Term(C), "events": Term(C), "coached_reps": Term(C), "rep_months": Term(C), "control_reps": Term(C),
    "win_rate_reps": Term(C), "pre_months": Term(C), "post_months": Term(C), "controls": Term(C),
    "reps_compared": Term(C), "reps_improved": Term(C), "reps_at_start": Term(C), "reps_left": Term(C),
    "leavers_with_ratio": Term(C), "team_goals": Term(C), "rep_goals": Term(C), "rep_goals_met": Term(C),
    "coaching_events": Term(C), "backtest_origins": Term(C), "history_months": Term(C),
    "months_ahead": Term(C), "rows_read": Term(C), "rows_used": Term(C), "rows_excluded": Term(C),
    "warnings": Term(C), "origin": Term(C, "months of history before the backtest origin"),
    # Line numbers
    "_row": Term(R, "provenance: the row's line in its export file"),
    "row": Term(R, "line in the export file"),
    "first_row": Term(R, "first line in the export file"),
    # Money
    "amount": Term(M), "salary": Term(M), "taxes": Term(M), "expenses": Term(M), "other": Term(M),
    "cost": Term(M), "market_size": Term(M), "revenue": Term(M), "ltv": Term(M, "client lifetime value (SPEC §5)"),
    "mean_client_ltv": Term(M), "annual_cost": Term(M), "avg_deal_size": Term(M),
    "revenue_same_period_last_year": Term(M), "open_pipeline": Term(M), "allocated_cost": Term(M),
    "cost_per_rep": Term(M), "revenue_per_rep": Term(M), "revenue_per_month": Term(M),
    "booked": Term(M), "forecast": Term(M), "forecast_low": Term(M), "forecast_high": Term(M),
    "baseline": Term(M), "baseline_low": Term(M), "baseline_high": Term(M), "reconciled": Term(M),
    "reconciled_low": Term(M), "reconciled_high": Term(M), "expected_pipeline": Term(M), "remainder": Term(M),
    "low": Term(M), "high": Term(M), "coaching_cost": Term(M), "mean_coaching_cost": Term(M),
    "pre_revenue_per_month": Term(M), "post_revenue_per_month": Term(M), "control_change": Term(M),
    "effect_per_month": Term(M), "effect_low": Term(M), "effect_high": Term(M),
    "coaching_effect_per_month": Term(M), "cost_per_point": Term(M), "same_span_last_year": Term(N),
    # Fractions of counts
    "win_rate": Term(RT), "pre_win_rate": Term(RT), "post_win_rate": Term(RT), "retention": Term(RT),
    "share_met": Term(RT), "coverage": Term(RT), "baseline_coverage": Term(RT), "expected_share": Term(RT),
    "share": Term(RT, "a kind's share of the rep's activities"),
    # Other numbers
    "value_ratio": Term(N, "mean client LTV ÷ annual cost (SPEC §5)"),
    "value_ratio_when_left": Term(N), "leavers_mean_ratio": Term(N), "ratio_low": Term(N), "ratio_high": Term(N),
    "mean_ratio_change": Term(N), "revenue_change": Term(N, "relative change, 0.1 = +10 %"),
    "share_of_revenue": Term(N, "segment revenue ÷ company revenue (a negative segment can leave [0, 1])"),
    "penetration": Term(N, "revenue ÷ market size", low=0),
    "rep_equivalents": Term(N, low=0), "sales_cycle_days": Term(N, "days from created to closed"),
    "hours": Term(N), "target": Term(N), "actual": Term(N), "attainment": Term(N), "pace": Term(N),
    "team_goal_attainment": Term(N), "next_year_attainment": Term(N), "median_attainment": Term(N),
    "min_attainment": Term(N), "max_attainment": Term(N), "mape": Term(N, low=0), "baseline_mape": Term(N, low=0),
    "factor": Term(N), "effect_pct": Term(N), "effect_pct_low": Term(N), "effect_pct_high": Term(N),
    "win_rate_effect": Term(N, low=-1, high=1), "win_rate_effect_low": Term(N, low=-1, high=1),
    "win_rate_effect_high": Term(N, low=-1, high=1), "payback_months": Term(N),
    "activities_per_month": Term(N, low=0), "per_month": Term(N, low=0), "median_rep_per_month": Term(N, low=0),
    "correlation": Term(N, low=-1, high=1), "correlation_low": Term(N, low=-1, high=1),
    "correlation_high": Term(N, low=-1, high=1),
    # Flags
    "in_reps_file": Term(F), "few_deals": Term(F), "weak": Term(F), "beats_baseline": Term(F), "included": Term(F),
}
"""Every column name used by a contract, and what it means."""


def term(name: str) -> Term:
    """The term of a column name; KeyError names the column (add it to TERMS)."""
    try:
        return TERMS[name]
    except KeyError:
        raise KeyError(f"column {name!r} has no term in generator.contracts.terms.TERMS") from None
