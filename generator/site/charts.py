"""Charts: each designed once in Altair, then reused for every entity with its data swapped in.

Building an Altair chart costs milliseconds; copying a finished spec and giving it new rows costs
microseconds, which keeps thousands of rep pages fast (see README, Performance).
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from functools import cache
from typing import Literal

import altair as alt
import pandas as pd

from generator.metrics.definitions import label_of
from generator.site.fragments import html_block
from generator.site.tables import records
from generator.site.text import Markdown

HEIGHT = 220

RATIO_FORMAT = ".3f"
"""Value ratios in tooltips: three decimals, so 0.996 (below break-even) shows as 0.996, never 1.00."""


def _base() -> alt.Chart:
    return alt.Chart(alt.Data(name="rows")).properties(width="container", height=HEIGHT)


@cache
def _designs() -> dict[str, dict]:
    """Every chart design as a Vega-Lite dict with a named, empty data source."""
    money = alt.Axis(format="~s")
    designs = {
        "revenue_by_year": _base().mark_bar().encode(
            x=alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("revenue:Q", title=label_of("revenue"), axis=money),
            tooltip=[alt.Tooltip("year:O", title="Year"), alt.Tooltip("revenue:Q", title=label_of("revenue"), format=",.0f")],
        ),
        "revenue_by_month": _base().mark_line(point=True).encode(
            x=alt.X("month:T", title="Month"),
            y=alt.Y("revenue:Q", title=label_of("revenue"), axis=money),
            tooltip=[alt.Tooltip("month:T", title="Month", format="%Y-%m"),
                     alt.Tooltip("revenue:Q", title=label_of("revenue"), format=",.0f"),
                     alt.Tooltip("won_deals:Q", title=label_of("won_deals"))],
        ),
        "value_ratio_by_year": _base().mark_line(point=True).encode(
            x=alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("value_ratio:Q", title=label_of("value_ratio")),
            tooltip=[alt.Tooltip("year:O", title="Year"), alt.Tooltip("value_ratio:Q", title=label_of("value_ratio"), format=RATIO_FORMAT)],
        ),
        "value_ratio_distribution": _base().mark_bar().encode(
            x=alt.X("value_ratio:Q", bin=alt.Bin(maxbins=20), title=label_of("value_ratio")),
            y=alt.Y("count():Q", title="Reps"),
            tooltip=[alt.Tooltip("count():Q", title="Reps")],
        ),
        "revenue_by_member": _base().mark_bar().encode(
            x=alt.X("revenue:Q", title=label_of("revenue"), axis=money),
            y=alt.Y("name:N", title=None, sort="-x"),
            tooltip=[alt.Tooltip("name:N", title="Rep"), alt.Tooltip("revenue:Q", title=label_of("revenue"), format=",.0f"),
                     alt.Tooltip("value_ratio:Q", title=label_of("value_ratio"), format=RATIO_FORMAT)],
        ),
        **_segment_designs(money),
        **_goal_designs(),
        **_history_designs(money),
    }
    designs.update(_coaching_and_activity_designs(money))
    return {name: chart.to_dict() for name, chart in designs.items()}


def _segment_designs(money: alt.Axis) -> dict[str, alt.TopLevelMixin]:
    """Regions, categories and channels: revenue share, ranked ratio with its interval, heatmaps."""
    segment = alt.Y("segment:N", title=None, sort="-x")
    ranked = alt.Y("segment:N", title=None, sort=alt.EncodingSortField("value_ratio", order="descending"))
    interval = alt.layer(
        alt.Chart().mark_rule(strokeWidth=2).encode(x=alt.X("ratio_low:Q", title="Value ratio (95 % interval)"),
                                                   x2="ratio_high:Q"),
        alt.Chart().mark_point(filled=True, size=60).encode(x="value_ratio:Q"),
        data=alt.Data(name="rows"),
    ).encode(
        y=ranked,
        tooltip=[alt.Tooltip("segment:N", title="Segment"), alt.Tooltip("value_ratio:Q", title=label_of("value_ratio"), format=RATIO_FORMAT),
                 alt.Tooltip("ratio_low:Q", title="Low", format=RATIO_FORMAT), alt.Tooltip("ratio_high:Q", title="High", format=RATIO_FORMAT),
                 alt.Tooltip("clients:Q", title=label_of("clients"))],
    ).properties(width="container", height=HEIGHT)

    def heatmap(measure: str, title: str, fmt: str, scheme: Literal["blues", "greens"]) -> alt.LayerChart:
        tooltip = [alt.Tooltip("row:N", title="Row"), alt.Tooltip("column:N", title="Column"),
                   alt.Tooltip(f"{measure}:Q", title=title, format=fmt), alt.Tooltip("deals:Q", title=label_of("deals"))]
        cells = alt.Chart().mark_rect().encode(
            color=alt.Color(f"{measure}:Q", title=title, scale=alt.Scale(scheme=scheme)),
            opacity=alt.condition("datum.few_deals", alt.value(0.35), alt.value(1.0)),
        )
        counts = alt.Chart().mark_text(fontSize=10).encode(text=alt.Text("deals:Q", format="d"))
        return alt.layer(cells, counts, data=alt.Data(name="rows")).encode(
            x=alt.X("column:N", title=None, axis=alt.Axis(labelAngle=-30)), y=alt.Y("row:N", title=None),
            tooltip=tooltip,
        ).properties(width="container", height=HEIGHT + 60)

    return {
        "segment_revenue": _base().mark_bar().encode(
            x=alt.X("revenue:Q", title=label_of("revenue"), axis=money), y=segment,
            tooltip=[alt.Tooltip("segment:N", title="Segment"), alt.Tooltip("revenue:Q", title=label_of("revenue"), format=",.0f"),
                     alt.Tooltip("share_of_revenue:Q", title="Share", format=".1%")],
        ),
        "segment_ratio_interval": interval,
        "heatmap_revenue": heatmap("revenue", "Revenue", ",.0f", "blues"),
        "heatmap_ratio": heatmap("value_ratio", label_of("value_ratio"), RATIO_FORMAT, "greens"),
    }


def _goal_designs() -> dict[str, alt.TopLevelMixin]:
    """Goals: the distribution of attainment, and one entity's attainment by year."""
    return {
        # Binned in Python (one row per bin and scope, not per goal): the page stays small at 5,000 reps.
        "attainment_distribution": _base().mark_bar().encode(
            x=alt.X("bin_start:Q", bin="binned", title="Attainment (1 = target met)"),
            x2="bin_end:Q",
            y=alt.Y("sum(goals):Q", title="Goals"),
            color=alt.Color("scope:N", title="Scope"),
            tooltip=[alt.Tooltip("sum(goals):Q", title="Goals"), alt.Tooltip("scope:N", title="Scope"),
                     alt.Tooltip("bin_start:Q", title="From", format=".0%"),
                     alt.Tooltip("bin_end:Q", title="To", format=".0%")],
        ),
        "attainment_by_year": _base().mark_bar().encode(
            x=alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("metric:N"),
            y=alt.Y("attainment:Q", title="Attainment (1 = target met)", axis=alt.Axis(format="%")),
            color=alt.Color("metric:N", title="Metric"),
            tooltip=[alt.Tooltip("year:O", title="Year"), alt.Tooltip("metric:N", title="Metric"),
                     alt.Tooltip("attainment_text:N", title=label_of("attainment")),
                     alt.Tooltip("status:N", title="Status")],
        ),
    }


def _layers(*layers: alt.Chart) -> alt.LayerChart | alt.FacetChart:
    """Layers drawn from one named data source (set once at the top, so one rows list feeds all)."""
    return alt.layer(*layers, data=alt.Data(name="rows")).properties(width="container", height=HEIGHT)


def _interval_design(value: str, low: str, high: str, label: str, axis: alt.Axis,
                     tooltip: list[alt.Tooltip], domain: list[float] | None = None) -> alt.LayerChart | alt.FacetChart:
    """A point per row (y = its ``kind``) with a bar from ``low`` to ``high`` and a rule at 0."""
    scale = alt.Scale(domain=domain) if domain else alt.Undefined
    y = alt.Y("kind:N", title=None, sort=None)
    return _layers(
        alt.Chart().mark_point(filled=True, size=80).encode(
            x=alt.X(f"{value}:Q", title=label, axis=axis, scale=scale), y=y, tooltip=tooltip),
        alt.Chart().mark_rule(strokeWidth=2).encode(x=f"{low}:Q", x2=f"{high}:Q", y=y, tooltip=tooltip),
        alt.Chart().mark_rule(color="#888", strokeDash=[4, 3]).encode(x=alt.datum(0)),
    )


def _coaching_and_activity_designs(money: alt.Axis) -> dict[str, alt.TopLevelMixin]:
    """The designs of /coaching/, /activity/ and their rep-page sections."""
    pct = alt.Axis(format="+.0%")
    return {
        "coaching_effect": _interval_design(
            "effect_pct", "effect_pct_low", "effect_pct_high", "Effect on monthly revenue (% of before)", pct,
            # The page's own texts: a change is never shown as +0.0 % on the wrong side of 0.
            [alt.Tooltip("kind:N", title="Kind"), alt.Tooltip("effect_text:N", title="Effect"),
             alt.Tooltip("interval_text:N", title="95 % interval"),
             alt.Tooltip("coached_reps:Q", title=label_of("coached_reps")), alt.Tooltip("verdict:N", title=label_of("verdict"))],
        ),
        "coaching_timeline": _layers(
            alt.Chart().transform_filter("datum.layer === 'coaching'").mark_rect(opacity=0.3).encode(
                x=alt.X("start:T", title="Month"), x2="end:T",
                color=alt.Color("kind:N", title="Coaching"),
                tooltip=[alt.Tooltip("kind:N", title="Kind"), alt.Tooltip("start:T", title="Start", format="%Y-%m-%d"),
                         alt.Tooltip("end:T", title="End", format="%Y-%m-%d"), alt.Tooltip("hours:Q", title=label_of("hours"))],
            ),
            alt.Chart().transform_filter("datum.layer === 'revenue'").mark_line(point=True, color="#1f77b4").encode(
                x=alt.X("month:T", title="Month"),
                y=alt.Y("revenue:Q", title=label_of("revenue"), axis=money),
                tooltip=[alt.Tooltip("month:T", title="Month", format="%Y-%m"),
                         alt.Tooltip("revenue:Q", title=label_of("revenue"), format=",.0f")],
            ),
        ),
        "activity_scatter": _layers(
            alt.Chart().mark_circle(size=60, opacity=0.8).encode(
                x=alt.X("activities_per_month:Q", title="Activities per month"),
                y=alt.Y("revenue_per_month:Q", title="Revenue per month", axis=money),
                color=alt.Color("quadrant:N", title="Quadrant"),
                tooltip=[alt.Tooltip("name:N", title="Rep"), alt.Tooltip("quadrant:N", title="Quadrant"),
                         alt.Tooltip("activities_per_month:Q", title="Activities per month", format=",.1f"),
                         alt.Tooltip("revenue_per_month:Q", title="Revenue per month", format=",.0f")],
            ),
            alt.Chart().mark_rule(color="#888", strokeDash=[4, 3]).encode(x="median(activities_per_month):Q"),
            alt.Chart().mark_rule(color="#888", strokeDash=[4, 3]).encode(y="median(revenue_per_month):Q"),
        ),
        "activity_correlation": _interval_design(
            "correlation", "correlation_low", "correlation_high", "Correlation with revenue per month",
            alt.Axis(format=".1f"),
            [alt.Tooltip("kind:N", title="Activity"), alt.Tooltip("correlation:Q", title="r", format=".2f"),
             alt.Tooltip("correlation_low:Q", title="95 % interval from", format=".2f"),
             alt.Tooltip("correlation_high:Q", title="to", format=".2f"), alt.Tooltip("reps:Q", title="Reps")],
            domain=[-1, 1],
        ),
        "activity_mix": _layers(
            alt.Chart().mark_bar().encode(
                x=alt.X("per_month:Q", title="Per month"), y=alt.Y("kind:N", title=None, sort=None),
                tooltip=[alt.Tooltip("kind:N", title="Activity"),
                         alt.Tooltip("per_month:Q", title="This rep, per month", format=",.1f"),
                         alt.Tooltip("median_rep_per_month:Q", title="Median rep, per month", format=",.1f")],
            ),
            alt.Chart().mark_tick(color="#d62728", thickness=3).encode(
                x="median_rep_per_month:Q", y=alt.Y("kind:N", sort=None),
                tooltip=[alt.Tooltip("median_rep_per_month:Q", title="Median rep, per month", format=",.1f")],
            ),
        ),
    }


def _history_designs(money: alt.Axis) -> dict[str, alt.TopLevelMixin]:
    """Trends, managers and projections (issue 6)."""
    quarter = alt.X("period:O", title="Quarter", sort=None, axis=alt.Axis(labelAngle=-45))
    month = alt.X("month:T", title="Month")
    band = alt.Chart().mark_area(opacity=0.25).encode(
        x=month, y=alt.Y("low:Q", title=label_of("revenue"), axis=money), y2="high:Q",
        tooltip=[alt.Tooltip("month:T", title="Month", format="%Y-%m"),
                 alt.Tooltip("low:Q", title="80 % low", format=",.0f"),
                 alt.Tooltip("high:Q", title="80 % high", format=",.0f")])
    path = alt.Chart().mark_line(point=True).encode(
        x=month, y=alt.Y("revenue:Q", title=label_of("revenue"), axis=money),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(domain=["actual", "forecast"])),
        strokeDash=alt.StrokeDash("kind:N", legend=None, scale=alt.Scale(domain=["actual", "forecast"])),
        tooltip=[alt.Tooltip("month:T", title="Month", format="%Y-%m"), alt.Tooltip("kind:N", title="Kind"),
                 alt.Tooltip("revenue:Q", title=label_of("revenue"), format=",.0f")])
    sums = alt.X("month:T", title="Forecast made at the end of")
    backtest_band = alt.Chart().mark_area(opacity=0.25).encode(
        x=sums, y=alt.Y("low:Q", title="Next 12 months' revenue", axis=money), y2="high:Q")
    backtest_lines = alt.Chart().transform_fold(["actual", "forecast", "baseline"], as_=["series", "value"]).mark_line(
        point=True).encode(
        x=sums, y=alt.Y("value:Q", title="Next 12 months' revenue", axis=money),
        color=alt.Color("series:N", title=None, scale=alt.Scale(domain=["actual", "forecast", "baseline"])),
        tooltip=[alt.Tooltip("month:T", title="Origin", format="%Y-%m"), alt.Tooltip("series:N", title="Series"),
                 alt.Tooltip("value:Q", title=label_of("revenue"), format=",.0f")])
    entity = alt.Y("id:N", title=None, sort="-x")
    bars = alt.Chart().mark_bar(opacity=0.7).encode(
        x=alt.X("reconciled:Q", title="Projected revenue (reconciled)", axis=money), y=entity,
        tooltip=[alt.Tooltip("id:N", title="Name"), alt.Tooltip("reconciled:Q", title=label_of("forecast"), format=",.0f"),
                 alt.Tooltip("reconciled_low:Q", title="80 % low", format=",.0f"),
                 alt.Tooltip("reconciled_high:Q", title="80 % high", format=",.0f")])
    whiskers = alt.Chart().mark_rule().encode(x="reconciled_low:Q", x2="reconciled_high:Q", y=entity)

    def layer(*charts: alt.Chart) -> alt.LayerChart | alt.FacetChart:
        return alt.layer(*charts, data=alt.Data(name="rows")).properties(width="container", height=HEIGHT)

    return {
        "revenue_by_quarter": _base().mark_bar().encode(
            x=quarter, y=alt.Y("revenue:Q", title=label_of("revenue"), axis=money),
            tooltip=[alt.Tooltip("period:O", title="Quarter"), alt.Tooltip("revenue:Q", title=label_of("revenue"), format=",.0f"),
                     alt.Tooltip("won_deals:Q", title=label_of("won_deals")),
                     alt.Tooltip("win_rate:Q", title=label_of("win_rate"), format=".1%")],
        ),
        "win_rate_by_quarter": _base().mark_line(point=True).encode(
            x=quarter, y=alt.Y("win_rate:Q", title=label_of("win_rate"), axis=alt.Axis(format="%")),
            tooltip=[alt.Tooltip("period:O", title="Quarter"), alt.Tooltip("win_rate:Q", title=label_of("win_rate"), format=".1%")],
        ),
        "revenue_by_group_year": _base().mark_bar().encode(
            x=alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("revenue:Q", title=label_of("revenue"), axis=money, stack=True),
            color=alt.Color("group:N", title=None),
            tooltip=[alt.Tooltip("year:O", title="Year"), alt.Tooltip("group:N", title="Group"),
                     alt.Tooltip("revenue:Q", title=label_of("revenue"), format=",.0f")],
        ),
        "ratio_by_group_year": _base().mark_line(point=True).encode(
            x=alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("value_ratio:Q", title=label_of("value_ratio")),
            color=alt.Color("group:N", title=None),
            tooltip=[alt.Tooltip("year:O", title="Year"), alt.Tooltip("group:N", title="Group"),
                     alt.Tooltip("value_ratio:Q", title=label_of("value_ratio"), format=RATIO_FORMAT)],
        ),
        "forecast_path": layer(path, band),
        "forecast_backtest": layer(backtest_band, backtest_lines),
        "forecast_by_entity": layer(bars, whiskers),
    }


def design(name: str) -> dict:
    """One chart design (a Vega-Lite dict without data)."""
    return _designs()[name]


@dataclass(frozen=True)
class ChartSpec:
    """A chart design with one entity's rows."""

    design: str
    rows: list[dict[str, object]]

    def to_dict(self) -> dict:
        """The Vega-Lite spec with this entity's rows (as ``alt.Chart.to_dict()`` gives it)."""
        base = design(self.design)
        return {**base, "datasets": {"rows": self.rows}} if "datasets" in base else {**base, "data": {"values": self.rows}}

    def spec(self) -> dict:
        """The same as ``to_dict``."""
        return self.to_dict()


def chart(design_name: str, frame: pd.DataFrame, fields: list[str]) -> ChartSpec:
    """A chart of ``frame`` using only ``fields`` (Vega-Lite embeds every column it is given)."""
    return ChartSpec(design_name, records(frame[fields]))


def _measure(design_name: str) -> str | None:
    """The quantitative field a design plots (a chart with no value for it has nothing to show)."""
    spec = design(design_name)
    for encoding in [spec.get("encoding", {}), *(layer.get("encoding", {}) for layer in spec.get("layer", []))]:
        for channel in ("y", "x"):
            field = encoding.get(channel, {})
            if field.get("type") == "quantitative" and "field" in field and "aggregate" not in field:
                return field["field"]
    return None


def embed(element_id: str, spec: ChartSpec, caption: str = "") -> Markdown:
    """The HTML that draws a chart in the browser: an empty div and its spec as inert JSON."""
    measure = _measure(spec.design)
    if not spec.rows or (measure and all(row.get(measure) is None for row in spec.rows)):
        return Markdown(f'<p class="sp-empty"><em>{html.escape(caption or "Chart")}: no data to show yet.</em></p>')
    text = json.dumps(spec.spec(), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    label = f' aria-label="{html.escape(caption, quote=True)}"' if caption else ""
    return html_block(
        f'<div class="sp-chart" data-spec="{element_id}"{label}></div>\n'
        f'<script type="application/json" id="{element_id}">{text}</script>'
    )
