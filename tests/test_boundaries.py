"""Figures beside a decision are never rounded across its boundary (issue 13, display): coaching
checks, goal actuals against their target, backtest MAPE against the baseline, a segment's value
ratio against the company's, and value-ratio tooltips."""

from __future__ import annotations

import html

import pandas as pd
import pytest

from generator.site import text
from generator.site.charts import RATIO_FORMAT, design
from generator.site.pages.forecast import _common_factors, _held_back, mape_pair, verdicts
from generator.site.pages.goals import _value
from generator.site.pages.segments import _readings


def test_a_change_is_never_shown_as_zero_on_the_wrong_side() -> None:
    assert text.change(0.000004) == "+0.0004 %" and text.change(-0.0004) == "-0.04 %"
    assert (
        text.change(0.0) == "+0.0 %"
        and text.change(-0.0) == "+0.0 %"
        and text.change(0.1234) == "+12.3 %"
    )
    assert text.points(-0.00004) == "-0.004 pts" and text.points(0.05) == "+5.0 pts"


def test_goal_actual_keeps_its_side_of_the_target() -> None:
    """A value-ratio goal of 0.8986 missed at 0.8985: "0.8986", "0.8985", never "0.90 0.90 … missed"."""
    assert _value("value_ratio", 0.8986) == "0.8986"
    assert _value("value_ratio", 0.8985, 0.8986) == "0.8985"
    assert _value("value_ratio", 0.8986, 0.8986) == "0.8986"
    assert _value("value_ratio", 1.5, 2.0) == "1.50" and _value("value_ratio", 2.0) == "2.00"
    assert _value("revenue", 99_999.6, 100_000.0) == "99,999.6"
    assert (
        _value("revenue", 1_234_567.4, 1_000_000.0) == "1,234,567"
        and _value("revenue", 100_000.0) == "100,000"
    )
    assert (
        _value("won_deals", 11.0, 12.0) == "11"
        and _value("value_ratio", float("nan"), 1.0) == text.EMPTY
    )


def test_backtest_mape_and_baseline_show_in_their_true_order() -> None:
    """0.221698 beats 0.22203: "22.17 %" against "22.20 %", never "22.2 % / 22.2 % / yes"."""
    assert mape_pair(0.221698, 0.22203) == ("22.17 %", "22.20 %")
    assert mape_pair(0.3, 0.2) == ("30.0 %", "20.0 %") and mape_pair(0.25, 0.25) == (
        "25.0 %",
        "25.0 %",
    )
    assert mape_pair(None, 0.1) == (text.EMPTY, "10.0 %")


def test_not_beating_the_baseline_is_bold_not_escaped_asterisks() -> None:
    table = pd.DataFrame(
        {
            "level": ["rep"],
            "method": ["damped trend"],
            "backtest_origins": [4],
            "mape": [0.30],
            "baseline_mape": [0.2],
            "coverage": [0.8],
            "level_coverage": [0.8],
        }
    )
    said = verdicts(table)[0]
    assert isinstance(said, text.Markdown)
    assert "<strong>it does not beat the naive baseline</strong>" in said and "*" not in said
    assert "missed the next 12 months by 30.0 % on average, against 20.0 %" in said


def test_an_entitys_poor_coverage_is_set_beside_its_levels() -> None:
    """A rep page said its interval's kind held the actual 78.5 % of the time, then that its
    intervals held it only 28.6 %: both true, of all reps' origins and of the rep's own seven."""
    table = pd.DataFrame(
        {
            "level": ["rep", "company"],
            "method": ["Holt-Winters"] * 2,
            "backtest_origins": [7, 13],
            "mape": [0.3, 0.1],
            "baseline_mape": [0.4, 0.2],
            "coverage": [2 / 7, 0.5],
            "level_coverage": [0.785, 0.5],
        }
    )
    rep, company = verdicts(table)
    assert rep.endswith(
        "Over these origins its 80 % intervals held the actual value only 28.6 % of the time "
        "(across all reps: 78.5 %): they are too narrow here."
    )
    assert company.endswith(
        "Over these origins its 80 % intervals held the actual value only 50.0 % of the time: "
        "they are too narrow here."
    )


def test_a_projection_held_back_by_the_reconciliation_says_why() -> None:
    """A rep page showed "Reconciled with the company $79,302" beside a projection of $158,675 with
    a common factor of 1.0035, and no word on why."""
    table = pd.DataFrame(
        {
            "horizon": ["next year"] * 3,
            "forecast": [100.0, 200.0, 158_675.0],
            "reconciled": [100.35, 200.7, 79_302.0],
        }
    )
    factors = _common_factors(table)
    assert factors == {"next year": pytest.approx(1.0035)}
    rows = table.to_dict("records")
    assert _held_back(rows[0], factors) == "" and _held_back(rows[1], factors) == ""
    assert _held_back(rows[2], factors) == (
        " (this projection grows more than 1.5× as fast as the median of its level, so it counts "
        "at that growth when the parts are scaled to the company's projection)"
    )


def test_segment_ratio_is_never_shown_equal_to_the_company_it_is_below() -> None:
    row = {
        "value_ratio": 1.226,
        "ratio_high": 1.2335,
        "revenue_change": float("nan"),
        "penetration": float("nan"),
    }
    said = html.unescape(_readings(row, "region", float("nan"), 1.234, False))
    assert "its value ratio 1.226 is below the company's 1.234" in said
    assert "and so is its whole 95 % interval (up to 1.2335)" in said
    below = html.unescape(
        _readings(
            {**row, "value_ratio": 0.996, "ratio_high": 1.1}, "region", float("nan"), 1.2, False
        )
    )
    assert "its value ratio 0.996 is below the company's 1.200" in below


def test_ratio_tooltips_have_three_decimals() -> None:
    assert RATIO_FORMAT == ".3f"
    for name in (
        "value_ratio_by_year",
        "revenue_by_member",
        "segment_ratio_interval",
        "heatmap_value_ratio_region_category",
        "heatmap_value_ratio_channel_category",
    ):
        spec = str(design(name))
        assert "'format': '.2f'" not in spec and "'format': '.3f'" in spec, name
    coaching = str(design("coaching_effect"))
    assert "effect_text" in coaching and "interval_text" in coaching and "+.1%" not in coaching
