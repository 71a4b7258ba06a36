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
    }
    return {name: chart.to_dict() for name, chart in designs.items()}


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
    encoding = design(design_name)["encoding"]
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
