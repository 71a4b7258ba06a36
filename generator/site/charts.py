"""Charts: each designed once in Altair, then reused for every entity with its data swapped in.

Building an Altair chart costs milliseconds; copying a finished spec and giving it new rows costs
microseconds, which keeps thousands of rep pages fast (see README, Performance).
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from functools import cache

import altair as alt
import pandas as pd

from generator.site.tables import records
from generator.site.text import Markdown

HEIGHT = 220


def _base() -> alt.Chart:
    return alt.Chart(alt.Data(name="rows")).properties(width="container", height=HEIGHT)


@cache
def _designs() -> dict[str, dict]:
    """Every chart design as a Vega-Lite dict with a named, empty data source."""
    money = alt.Axis(format="~s")
    designs = {
        "revenue_by_year": _base().mark_bar().encode(
            x=alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("revenue:Q", title="Revenue", axis=money),
            tooltip=[alt.Tooltip("year:O", title="Year"), alt.Tooltip("revenue:Q", title="Revenue", format=",.0f")],
        ),
        "revenue_by_month": _base().mark_line(point=True).encode(
            x=alt.X("month:T", title="Month"),
            y=alt.Y("revenue:Q", title="Revenue", axis=money),
            tooltip=[alt.Tooltip("month:T", title="Month", format="%Y-%m"),
                     alt.Tooltip("revenue:Q", title="Revenue", format=",.0f"),
                     alt.Tooltip("won_deals:Q", title="Won deals")],
        ),
        "value_ratio_by_year": _base().mark_line(point=True).encode(
            x=alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("value_ratio:Q", title="Value ratio"),
            tooltip=[alt.Tooltip("year:O", title="Year"), alt.Tooltip("value_ratio:Q", title="Value ratio", format=".2f")],
        ),
        "value_ratio_distribution": _base().mark_bar().encode(
            x=alt.X("value_ratio:Q", bin=alt.Bin(maxbins=20), title="Value ratio"),
            y=alt.Y("count():Q", title="Reps"),
            tooltip=[alt.Tooltip("count():Q", title="Reps")],
        ),
        "revenue_by_member": _base().mark_bar().encode(
            x=alt.X("revenue:Q", title="Revenue", axis=money),
            y=alt.Y("name:N", title=None, sort="-x"),
            tooltip=[alt.Tooltip("name:N", title="Rep"), alt.Tooltip("revenue:Q", title="Revenue", format=",.0f"),
                     alt.Tooltip("value_ratio:Q", title="Value ratio", format=".2f")],
        ),
        **_history_designs(money),
    }
    return {name: chart.to_dict() for name, chart in designs.items()}


def _history_designs(money: alt.Axis) -> dict[str, alt.TopLevelMixin]:
    """Trends, managers and projections (issue 6)."""
    quarter = alt.X("period:O", title="Quarter", sort=None, axis=alt.Axis(labelAngle=-45))
    month = alt.X("month:T", title="Month")
    band = alt.Chart().mark_area(opacity=0.25).encode(
        x=month, y=alt.Y("low:Q", title="Revenue", axis=money), y2="high:Q",
        tooltip=[alt.Tooltip("month:T", title="Month", format="%Y-%m"),
                 alt.Tooltip("low:Q", title="80 % low", format=",.0f"),
                 alt.Tooltip("high:Q", title="80 % high", format=",.0f")])
    path = alt.Chart().mark_line(point=True).encode(
        x=month, y=alt.Y("revenue:Q", title="Revenue", axis=money),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(domain=["actual", "forecast"])),
        strokeDash=alt.StrokeDash("kind:N", legend=None, scale=alt.Scale(domain=["actual", "forecast"])),
        tooltip=[alt.Tooltip("month:T", title="Month", format="%Y-%m"), alt.Tooltip("kind:N", title="Kind"),
                 alt.Tooltip("revenue:Q", title="Revenue", format=",.0f")])
    sums = alt.X("month:T", title="Forecast made at the end of")
    backtest_band = alt.Chart().mark_area(opacity=0.25).encode(
        x=sums, y=alt.Y("low:Q", title="Next 12 months' revenue", axis=money), y2="high:Q")
    backtest_lines = alt.Chart().transform_fold(["actual", "forecast", "baseline"], as_=["series", "value"]).mark_line(
        point=True).encode(
        x=sums, y=alt.Y("value:Q", title="Next 12 months' revenue", axis=money),
        color=alt.Color("series:N", title=None, scale=alt.Scale(domain=["actual", "forecast", "baseline"])),
        tooltip=[alt.Tooltip("month:T", title="Origin", format="%Y-%m"), alt.Tooltip("series:N", title="Series"),
                 alt.Tooltip("value:Q", title="Revenue", format=",.0f")])
    entity = alt.Y("id:N", title=None, sort="-x")
    bars = alt.Chart().mark_bar(opacity=0.7).encode(
        x=alt.X("reconciled:Q", title="Projected revenue (reconciled)", axis=money), y=entity,
        tooltip=[alt.Tooltip("id:N", title="Name"), alt.Tooltip("reconciled:Q", title="Projection", format=",.0f"),
                 alt.Tooltip("reconciled_low:Q", title="80 % low", format=",.0f"),
                 alt.Tooltip("reconciled_high:Q", title="80 % high", format=",.0f")])
    whiskers = alt.Chart().mark_rule().encode(x="reconciled_low:Q", x2="reconciled_high:Q", y=entity)

    def layer(*charts: alt.Chart) -> alt.LayerChart:
        return alt.layer(*charts, data=alt.Data(name="rows")).properties(width="container", height=HEIGHT)

    return {
        "revenue_by_quarter": _base().mark_bar().encode(
            x=quarter, y=alt.Y("revenue:Q", title="Revenue", axis=money),
            tooltip=[alt.Tooltip("period:O", title="Quarter"), alt.Tooltip("revenue:Q", title="Revenue", format=",.0f"),
                     alt.Tooltip("won_deals:Q", title="Won deals"),
                     alt.Tooltip("win_rate:Q", title="Win rate", format=".1%")],
        ),
        "win_rate_by_quarter": _base().mark_line(point=True).encode(
            x=quarter, y=alt.Y("win_rate:Q", title="Win rate", axis=alt.Axis(format="%")),
            tooltip=[alt.Tooltip("period:O", title="Quarter"), alt.Tooltip("win_rate:Q", title="Win rate", format=".1%")],
        ),
        "revenue_by_group_year": _base().mark_bar().encode(
            x=alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("revenue:Q", title="Revenue", axis=money, stack=True),
            color=alt.Color("group:N", title=None),
            tooltip=[alt.Tooltip("year:O", title="Year"), alt.Tooltip("group:N", title="Group"),
                     alt.Tooltip("revenue:Q", title="Revenue", format=",.0f")],
        ),
        "ratio_by_group_year": _base().mark_line(point=True).encode(
            x=alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("value_ratio:Q", title="Value ratio"),
            color=alt.Color("group:N", title=None),
            tooltip=[alt.Tooltip("year:O", title="Year"), alt.Tooltip("group:N", title="Group"),
                     alt.Tooltip("value_ratio:Q", title="Value ratio", format=".2f")],
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

    def spec(self) -> dict:
        base = design(self.design)
        return {**base, "datasets": {"rows": self.rows}} if "datasets" in base else {**base, "data": {"values": self.rows}}


def chart(design_name: str, frame: pd.DataFrame, fields: list[str]) -> ChartSpec:
    """A chart of ``frame`` using only ``fields`` (Vega-Lite embeds every column it is given)."""
    return ChartSpec(design_name, records(frame[fields]))


def _measure(design_name: str) -> str | None:
    """The quantitative field a design plots (a chart with no value for it has nothing to show)."""
    spec = design(design_name)
    encoding = spec["encoding"] if "encoding" in spec else spec["layer"][0]["encoding"]  # a layer: its first
    for channel in ("y", "x"):
        spec = encoding.get(channel, {})
        if spec.get("type") == "quantitative" and "field" in spec:
            return spec["field"]
    return None


def embed(element_id: str, spec: ChartSpec, caption: str = "") -> Markdown:
    """The HTML that draws a chart in the browser: an empty div and its spec as inert JSON."""
    measure = _measure(spec.design)
    if not spec.rows or (measure and all(row.get(measure) is None for row in spec.rows)):
        return Markdown(f'<p class="sp-empty"><em>{html.escape(caption or "Chart")}: no data to show yet.</em></p>')
    text = json.dumps(spec.spec(), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    label = f' aria-label="{html.escape(caption, quote=True)}"' if caption else ""
    return Markdown(
        f'<div class="sp-chart" data-spec="{element_id}"{label}></div>\n'
        f'<script type="application/json" id="{element_id}">{text}</script>'
    )
