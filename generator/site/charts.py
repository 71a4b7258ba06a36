"""Charts: each designed once in Altair, then reused for every entity with its data swapped in.

Building an Altair chart costs milliseconds; copying a finished spec and giving it new rows costs
microseconds, which keeps thousands of rep pages fast (see README, Performance).

Conventions (the methodology page, "Reading the charts", says the same to the reader):

- Every title, axis, legend and tooltip speaks the metric registry's label, money titles name the
  currency, and money axes are written the way the tables write compact money (Babel's compact
  currency: ``$3.8B``, never ``4G``).
- Every value-ratio chart draws break-even (a ratio of 1) and the company's ratio as labelled rules.
- Colours have a stated meaning and are colour-blind safe (Okabe-Ito): series take the category
  palette; good/bad is blue/green against orange/vermillion; more than :data:`MAX_SERIES` lines
  become a few highlighted lines over grey ones.
- No colour of a reference mark is fixed in a spec: marks name a *style* (``sp-break-even``, …) whose
  colours come from :data:`THEMES`, the light or dark theme the browser draws with (written to
  ``assets/chart-themes.js``; ``salesperf.js`` redraws every chart when the palette toggles).
"""

from __future__ import annotations

import contextlib
import html
import json
import math
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from generator.lazy import lazy_module
from generator.metrics.activity import (
    BUSY_PRODUCTIVE,
    BUSY_UNPRODUCTIVE,
    QUADRANTS,
    QUIET_PRODUCTIVE,
    QUIET_UNPRODUCTIVE,
)
from generator.metrics.definitions import Unit, figure, label_of
from generator.site import text
from generator.site.fragments import html_block
from generator.site.tables import records
from generator.site.text import BREAK_EVEN, COMPACT_DIGITS, Markdown
from generator.vocabulary import CROSSES

if TYPE_CHECKING:
    import altair as alt
else:
    alt = lazy_module("altair")  # imported by the process that makes the designs (generator.lazy)

HEIGHT = 220

RATIO_FORMAT = ".3f"
"""Value ratios in tooltips: three decimals, so 0.996 (below break-even) shows as 0.996, never 1.00."""

MAX_SERIES = 8
"""More lines than this in one chart and colours repeat: the rest are drawn grey (see ``highlighted``)."""

HIGHLIGHTED = 3
"""How many of the highest and of the lowest series a many-line chart colours."""

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
"""Okabe & Ito's colour-blind safe palette: the category colours of the light theme."""

OKABE_ITO_DARK = (
    "#56B4E9",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#0072B2",
    "#D55E00",
    "#F0E442",
    "#BBBBBB",
)
"""The same palette for a dark background: sky blue first, light grey instead of black."""

GOOD, GOOD_TOO, BAD, BAD_TOO = "#0072B2", "#009E73", "#E69F00", "#D55E00"
"""Good is blue or bluish green, bad is orange or vermillion (Okabe-Ito; readable on light and dark)."""

QUADRANT_COLOURS = {
    BUSY_PRODUCTIVE: GOOD,
    QUIET_PRODUCTIVE: GOOD_TOO,
    BUSY_UNPRODUCTIVE: BAD,
    QUIET_UNPRODUCTIVE: BAD_TOO,
}
"""Activity quadrants: productive (above the median revenue) in cool colours, unproductive in warm."""

STRONG_CELL = 0.55
"""How far along its colour scale (0 pale, 1 full) a heatmap cell is strong enough for a white label."""

ACTUAL, PROJECTION, INTERVAL = "Actual", "Projection", "80 % interval"
"""The series names of the forecast charts' legend."""


def _styles(
    ink: str, muted: str, company: str, series: str, context: str, background: str
) -> dict[str, dict]:
    """The named mark styles of one theme: reference rules, their labels, intervals, grey context lines."""
    label = {"fontSize": 11, "fontWeight": "bold"}
    return {
        "sp-break-even": {"color": muted, "strokeDash": [6, 4], "strokeWidth": 1.5},
        "sp-break-even-label": {"color": muted, **label},
        "sp-company": {"color": company, "strokeDash": [2, 3], "strokeWidth": 2},
        "sp-company-label": {"color": company, **label},
        "sp-median": {"color": muted, "strokeDash": [4, 3], "strokeWidth": 1},
        "sp-interval": {"color": series, "strokeWidth": 2},
        "sp-estimate": {"color": series, "fill": series},
        "sp-series": {"color": series},
        "sp-context": {"color": context, "strokeWidth": 1},
        "sp-cell-label": {"color": ink, "fontSize": 10},
        # Drawn under a rule's label, in the page's background: the label reads over bars and lines
        # (salesperf.js sets it to the background the page really has).
        "sp-label-halo": {
            "fill": background,
            "stroke": background,
            "strokeWidth": 4,
            "strokeJoin": "round",
            "strokeOpacity": 0.9,
            "fillOpacity": 0.9,
        },
        # Labels on a heatmap's own colours: the cells are the same in both themes, so are these.
        "sp-cell-label-strong": {"color": "#ffffff", "fontSize": 10},
        "sp-cell-label-pale": {"color": "#1a1a1a", "fontSize": 10},
    }


THEMES: dict[str, dict] = {
    "light": {
        "range": {"category": list(OKABE_ITO)},
        "mark": {"color": OKABE_ITO[0]},
        "style": _styles(
            ink="#1a1a1a",
            muted="#616161",
            company="#8a3b74",
            series=OKABE_ITO[0],
            context="#c7c7c7",
            background="#ffffff",
        ),
    },
    "dark": {
        "range": {"category": list(OKABE_ITO_DARK)},
        "mark": {"color": OKABE_ITO_DARK[0]},
        "style": _styles(
            ink="#f0f0f0",
            muted="#b8b8b8",
            company="#f0a6d8",
            series=OKABE_ITO_DARK[0],
            context="#4f5566",
            background="#1e2129",
        ),
    },
}
"""The Vega-Lite config of each palette (Material's ``default`` → light, ``slate`` → dark), merged over
Vega's own ``dark`` theme in the dark palette; every ``sp-*`` style a design names is defined here."""


def theme_script() -> str:
    """``assets/chart-themes.js``: :data:`THEMES` as ``window.salesperfChartThemes`` for salesperf.js."""
    return (
        "/* salesperf chart themes, written by the build from generator/site/charts.py. */\n"
        f"window.salesperfChartThemes = {json.dumps(THEMES, sort_keys=True)};\n"
    )


# --- money on axes: Babel's compact currency, as a Vega expression ------------------------------

_UNITS = (12, 9, 6, 3)
"""Powers of ten with a compact unit in English (T, B, M, K), largest first."""


def compact_money(value: float, currency: str) -> str:
    """Compact money as the pages write it (``text.compact_money``, Babel): 3_800_000_000 → ``$3.8B``."""
    return text.compact_money(value, currency)


@cache
def _affixes(currency: str) -> dict[int, tuple[str, str]]:
    """Power of ten → (text before, text after) the number in the pages' compact form, read from it."""
    out = {}
    for power in (0, *_UNITS):
        before, _, after = compact_money(10**power, currency).partition("1")
        out[power] = (before, after)
    return out


def money_label_expr(currency: str, value: str = "datum.value") -> str:
    """A Vega expression writing ``value`` exactly as :func:`compact_money` does: whole units below
    1,000, else one decimal of the unit; half to even, as Babel rounds the decimal (``1,250,000`` →
    ``$1.2M``), carrying into the next unit (``999,950`` → ``$1M``, ``999.5`` → ``$1K``)."""
    affixes = _affixes(currency)
    size = f"abs({value})"
    sign = f"({value} < 0 ? '-' : '')"

    def half_even(x: str) -> str:
        # A tie is exact here: an amount that is a whole number (or a half) ÷ a power of ten.
        return f"({x} - floor({x}) == 0.5 ? floor({x}) + floor({x}) % 2 : round({x}))"

    def unit_text(power: int) -> str:
        tenths = f"({size} / {10 ** (power - COMPACT_DIGITS)})"
        before, after = affixes[power]
        return f"{sign} + {json.dumps(before)} + ({half_even(tenths)} / {10**COMPACT_DIGITS}) + {json.dumps(after)}"

    before, after = affixes[0]
    expr = f"{sign} + {json.dumps(before)} + {half_even(size)} + {json.dumps(after)}"
    for power in reversed(_UNITS):
        # From the amount that rounds up to 1,000 of the unit below (999,950 → 1M; 999.5 → 1K).
        start = 999.5 if power == 3 else 10**power - 5 * 10 ** (power - 3 - COMPACT_DIGITS - 1)
        expr = f"{size} >= {start} ? {unit_text(power)} : {expr}"
    return expr


# --- the site's facts a chart needs: currency, company ratio -------------------------------------


@dataclass(frozen=True)
class ChartContext:
    """Site-wide facts every chart of one build shares."""

    currency: str = "USD"
    company_ratios: tuple[tuple[str, float], ...] = ()
    """(year label, company value ratio) for each year with a ratio, oldest first."""
    current_year: str = ""
    """The reporting year's label: the company ratio of the current-year charts."""

    def company_rows(self) -> list[dict[str, object]]:
        """The company's ratio by year, as the ``company`` dataset of ratio-by-year charts."""
        return [{"year": year, "value_ratio": ratio} for year, ratio in self.company_ratios]

    def company_now(self) -> list[dict[str, object]]:
        """The company's ratio in the reporting year (none without one), for current-year charts."""
        return [
            {"value_ratio": r, "label": f"Company {text.ratio(r)}"}
            for y, r in self.company_ratios
            if y == self.current_year
        ]


# ChartContext is frozen and holds tuples: sharing the default is safe.
_CONTEXT: ContextVar[ChartContext] = ContextVar("salesperf_chart_context", default=ChartContext())  # noqa: B039


@contextlib.contextmanager
def chart_context(context: ChartContext) -> Iterator[ChartContext]:
    """Every ChartSpec made inside the block uses this build's currency and company ratio."""
    token = _CONTEXT.set(context)
    try:
        yield context
    finally:
        _CONTEXT.reset(token)


def company_context(
    currency: str, company_years: pd.DataFrame, year_labels: dict[int, str], current_year: int
) -> ChartContext:
    """A ChartContext from the company table (year, value_ratio) and the year labels of the site."""
    rows = (
        company_years[company_years["value_ratio"].notna()]
        if "value_ratio" in company_years
        else company_years.iloc[:0]
    )
    ratios = tuple(
        (year_labels.get(int(y), str(int(y))), float(r))
        for y, r in zip(rows["year"], rows["value_ratio"], strict=True)
    )
    return ChartContext(currency, ratios, year_labels.get(current_year, str(current_year)))


# --- the designs ---------------------------------------------------------------------------------


def _title(name: str, currency: str, label: str | None = None) -> str:
    """A figure's axis/legend title from the registry: its label, money titles with the currency."""
    entry = figure(name)
    text = label or entry.label
    return f"{text} ({currency})" if entry.unit is Unit.MONEY else text


def _base() -> alt.Chart:
    return alt.Chart(alt.Data(name="rows")).properties(width="container", height=HEIGHT)


def _layers(*layers: alt.Chart | alt.LayerChart) -> alt.LayerChart | alt.FacetChart:
    """Layers drawn from one named data source (set once at the top, so one rows list feeds all)."""
    return alt.layer(*layers, data=alt.Data(name="rows")).properties(
        width="container", height=HEIGHT
    )


def _ratio_rules(
    axis: Literal["x", "y"], *, company: Literal["now", "years", "none"], title: str | None = None
) -> list[alt.Chart]:
    """Break-even (a ratio of 1) and the company's ratio as labelled rules on the ``axis`` of a ratio
    (whose title the company's layer repeats, so that Vega-Lite merges the two into one)."""
    title = title or label_of("value_ratio")
    at = alt.X if axis == "x" else alt.Y
    # The two labels never share a line: on vertical rules break-even's is on the plot's first line and
    # the company's on the second (whatever the two ratios, however narrow the chart); on horizontal
    # rules break-even's is at the left end and the company's at the right end.
    break_even: dict[str, Any] = {axis: at(datum=BREAK_EVEN)}
    company_at: dict[str, Any] = {axis: at("value_ratio:Q", title=title)}
    layers = [
        _once().mark_rule(style="sp-break-even").encode(**break_even),
        *_haloed(
            lambda style: alt.Chart(
                _once_data(), mark=_label(style, axis, "Break-even 1.0", end="start")
            ).encode(**break_even, **_label_position(axis, line=0, end="start")),
            "sp-break-even-label",
        ),
    ]
    ratio = alt.Tooltip("value_ratio:Q", title="Company value ratio", format=RATIO_FORMAT)
    if company == "now":
        now = alt.Data(name="company_now")
        layers += [
            alt.Chart(now).mark_rule(style="sp-company").encode(**company_at, tooltip=[ratio]),
            *_haloed(
                lambda style: alt.Chart(now, mark=_label(style, axis, end="end")).encode(
                    **company_at,
                    **_label_position(axis, line=1, end="end"),
                    text=alt.Text("label:N"),
                ),
                "sp-company-label",
            ),
        ]
    elif company == "years":
        years = alt.Data(name="company")
        x = alt.X("year:O", title="Year")
        layers += [
            alt.Chart(years)
            .mark_line(style="sp-company", point=False)
            .encode(
                x=x,
                y=alt.Y("value_ratio:Q", title=title),
                tooltip=[alt.Tooltip("year:O", title="Year"), ratio],
            ),
            # "Company" ends just left of the newest point, above the line: never past the plot's right edge.
            *_haloed(
                lambda style: (
                    alt.Chart(years)
                    .transform_window(
                        newest="row_number()", sort=[alt.SortField("year", "descending")]
                    )
                    .transform_filter("datum.newest === 1")
                    .mark_text(style=style, align="right", dx=-4, dy=-8)
                    .encode(x=x, y=alt.Y("value_ratio:Q", title=title), text=alt.value("Company"))
                ),
                "sp-company-label",
            ),
        ]
    return layers


def _once_data() -> alt.InlineData:
    """The data of a layer drawn once (a reference rule or its label), not once per row of the chart."""
    return alt.InlineData(values=[{}])


def _once() -> alt.Chart:
    """A layer drawn once (a reference rule or its label), not once per row of the chart's data."""
    return alt.Chart(_once_data())


LINE = 15
"""Pixels between the two lines of rule labels at the top of a plot (11 px bold text and its halo)."""

LABEL_ROOM = 90
"""Pixels a rule's label ("Company 12.34", bold 11 px) needs beside its rule."""


def _label(
    style: str | list[str],
    axis: Literal["x", "y"],
    text: str | None = None,
    *,
    end: Literal["start", "end"] = "start",
) -> alt.MarkDef:
    """The text mark labelling a rule on ``axis``. A vertical rule's label starts just right of it, on
    the plot's first line (``line`` 0) or the next; a horizontal rule's sits just above it, at the plot's
    left (``end`` "start") or right end."""
    content = text if text else alt.Undefined
    if axis == "x" and end == "end":
        # Right of its rule, unless that would run past the plot's right edge: then left of it.
        near_edge = f"scale('x', datum.value_ratio) > width - {LABEL_ROOM}"
        return alt.MarkDef(
            type="text",
            style=style,
            text=content,
            baseline="top",
            dy=2,
            align=alt.ExprRef(f"{near_edge} ? 'right' : 'left'"),
            dx=alt.ExprRef(f"{near_edge} ? -3 : 3"),
        )
    if axis == "x":
        return alt.MarkDef(
            type="text", style=style, text=content, align="left", baseline="top", dx=3, dy=2
        )
    if end == "start":
        return alt.MarkDef(
            type="text", style=style, text=content, align="left", baseline="bottom", dx=3, dy=-2
        )
    return alt.MarkDef(
        type="text", style=style, text=content, align="right", baseline="bottom", dx=-2, dy=-2
    )


def _label_position(
    axis: Literal["x", "y"], *, line: int, end: Literal["start", "end"]
) -> dict[str, Any]:
    """Where a rule's label sits along the rule: its line at the top of a vertical one, an end of a
    horizontal one."""
    if axis == "x":
        return {"y": alt.value(line * LINE)}
    return {"x": alt.value(0 if end == "start" else "width")}


def _haloed(layer: Any, style: str) -> list[alt.Chart]:
    """A label layer twice: first in the background's colour with a wide stroke (``sp-label-halo``), then
    itself on top, so it reads over bars, lines and grid in either theme."""
    return [layer([style, "sp-label-halo"]), layer(style)]


def _literal(name: str) -> str:
    """A Vega expression for the text ``name`` (a constant series name, shown in the legend)."""
    return json.dumps(name)


def _money(currency: str) -> alt.Axis:
    return alt.Axis(labelExpr=money_label_expr(currency))


MONTH_MS = 28 * 24 * 3600 * 1000
"""The shortest month in milliseconds: the least step between two ticks of a monthly time axis."""


def _months(field: str, title: str) -> alt.X:
    """The time axis of a monthly chart: ticks on whole months ("May 2025"), never on days or weeks
    however short the history (a rep hired a few months before as_of), fewer on a narrow chart, and
    12 px of padding so the first and last points are not cut at the plot's edges."""
    return alt.X(
        f"{field}:T",
        title=title,
        scale=alt.Scale(padding=12),
        axis=alt.Axis(
            format="%b %Y", tickMinStep=MONTH_MS, tickCount=alt.ExprRef("ceil(width / 70)")
        ),
    )


_MADE: dict[str, dict[str, dict]] = {}
"""Chart designs made in this process (or handed to it by ``prepare_designs``), by currency."""


def designs_for(currency: str) -> dict[str, dict]:
    """Every chart design as a Vega-Lite dict with a named, empty data source, for one currency:
    ``chart_designs(currency)``, made once per process and currency and kept (a forked child
    inherits them, so a rebuild in the same process, e.g. ``salesperf serve``, does not make them
    again). The dicts are shared by every build of the process: read them, never modify them."""
    made = _MADE.get(currency)
    if made is None:
        made = _MADE[currency] = chart_designs(currency)
    return made


def chart_designs(currency: str) -> dict[str, dict]:
    """Every chart design as a Vega-Lite dict with a named, empty data source, for one currency,
    made now (about 0.3 s of Altair): ``{design name: Vega-Lite dict}``, plain JSON values."""
    money = _money(currency)
    revenue = _title("revenue", currency)
    ratio = label_of("value_ratio")
    year = alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0))
    designs: dict[str, alt.TopLevelMixin] = {
        "revenue_by_year": _base()
        .mark_bar()
        .encode(
            x=year,
            y=alt.Y("revenue:Q", title=revenue, axis=money),
            tooltip=[
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("revenue:Q", title=revenue, format=",.0f"),
            ],
        ),
        "revenue_by_month": _base()
        .mark_line(point=True)
        .encode(
            x=_months("month", "Month"),
            y=alt.Y("revenue:Q", title=revenue, axis=money),
            tooltip=[
                alt.Tooltip("month:T", title="Month", format="%Y-%m"),
                alt.Tooltip("revenue:Q", title=revenue, format=",.0f"),
                alt.Tooltip("won_deals:Q", title=label_of("won_deals")),
            ],
        ),
        "value_ratio_by_year": _layers(
            alt.Chart()
            .mark_line(point=True, style="sp-series")
            .encode(
                x=year,
                y=alt.Y("value_ratio:Q", title=ratio),
                tooltip=[
                    alt.Tooltip("year:O", title="Year"),
                    alt.Tooltip("value_ratio:Q", title=ratio, format=RATIO_FORMAT),
                ],
            ),
            *_ratio_rules("y", company="years"),
        ),
        # Binned in Python (ratio_histogram): steps of 0.25 or 0.5 up to the 95th percentile, the few
        # ratios above it in one last, paler "≥ X" bar that says so, so one outlier never squeezes the rest.
        "value_ratio_distribution": _layers(
            alt.Chart()
            .mark_bar()
            .encode(
                x=alt.X("bin_start:Q", bin="binned", title=ratio),
                x2="bin_end:Q",
                y=alt.Y("reps:Q", title="Reps"),
                opacity=alt.condition("datum.overflow", alt.value(0.55), alt.value(1.0)),
                tooltip=[alt.Tooltip("range:N", title=ratio), alt.Tooltip("reps:Q", title="Reps")],
            ),
            alt.Chart()
            .transform_filter("datum.overflow")
            .mark_text(style="sp-cell-label", baseline="bottom", dy=-3)
            .encode(
                x=alt.X("mid:Q", title=ratio),
                y=alt.Y("reps:Q", title="Reps"),
                text=alt.Text("range:N"),
            ),
            *_ratio_rules("x", company="now"),
        ),
        "revenue_by_member": _base()
        .mark_bar()
        .encode(
            x=alt.X("revenue:Q", title=revenue, axis=money),
            y=alt.Y("name:N", title=None, sort="-x"),
            tooltip=[
                alt.Tooltip("name:N", title="Rep"),
                alt.Tooltip("revenue:Q", title=revenue, format=",.0f"),
                alt.Tooltip("value_ratio:Q", title=ratio, format=RATIO_FORMAT),
            ],
        ),
        **_segment_designs(currency, money),
        **_goal_designs(),
        **_history_designs(currency, money),
        **_coaching_and_activity_designs(currency, money),
    }
    # Not validated here: tests/test_charts.py validates every design against the Vega-Lite schema,
    # which at build time cost a sixth of a second for the same dicts.
    return {name: chart.to_dict(validate=False) for name, chart in designs.items()}


def _segment_designs(currency: str, money: alt.Axis) -> dict[str, alt.TopLevelMixin]:
    """Regions, categories and channels: revenue share, ranked ratio with its interval, heatmaps."""
    revenue = _title("revenue", currency)
    ratio = label_of("value_ratio")
    segment = alt.Y("segment:N", title=None, sort="-x")
    ranked = alt.Y(
        "segment:N", title=None, sort=alt.EncodingSortField("value_ratio", order="descending")
    )
    tooltip = [
        alt.Tooltip("segment:N", title="Segment"),
        alt.Tooltip("value_ratio:Q", title=ratio, format=RATIO_FORMAT),
        alt.Tooltip("ratio_low:Q", title="95 % interval from", format=RATIO_FORMAT),
        alt.Tooltip("ratio_high:Q", title="to", format=RATIO_FORMAT),
        alt.Tooltip("clients:Q", title=label_of("clients")),
    ]
    interval = _layers(
        alt.Chart()
        .mark_rule(style="sp-interval")
        .encode(
            x=alt.X("ratio_low:Q", title=f"{ratio} (dot) and its 95 % interval (bar)"),
            x2="ratio_high:Q",
            y=ranked,
            tooltip=tooltip,
        ),
        alt.Chart()
        .mark_point(filled=True, size=60, style="sp-estimate")
        .encode(
            x=alt.X("value_ratio:Q", title=f"{ratio} (dot) and its 95 % interval (bar)"),
            y=ranked,
            tooltip=tooltip,
        ),
        *_ratio_rules("x", company="now", title=f"{ratio} (dot) and its 95 % interval (bar)"),
    )

    def heatmap(
        pair: tuple[str, str], measure: str, title: str, fmt: str, scale: alt.Scale
    ) -> alt.LayerChart:
        tooltip = [
            alt.Tooltip("row:N", title=label_of(pair[0])),
            alt.Tooltip("column:N", title=label_of(pair[1])),
            alt.Tooltip(f"{measure}:Q", title=title, format=fmt),
            alt.Tooltip("deals:Q", title=label_of("deals")),
        ]
        cells = (
            alt.Chart()
            .mark_rect()
            .encode(
                color=alt.Color(f"{measure}:Q", title=title, scale=scale),
                opacity=alt.condition("datum.few_deals", alt.value(0.35), alt.value(1.0)),
            )
        )
        # Each count is written in a colour that reads on its cell: white on a strong colour, dark on a
        # pale one, and the theme's ink on a faded cell (which shows the page's background through it).
        v = f"datum.{measure}"
        strength = (
            f"{v} / max(datum.sp_max, 1e-9)"
            if measure == "revenue"
            else f"{v} >= 1 ? ({v} - 1) / max(datum.sp_max - 1, 1e-9) : (1 - {v}) / max(1 - datum.sp_min, 1e-9)"
        )
        text = alt.Text("deals:Q", format="d")
        counts = [
            alt.Chart()
            .transform_joinaggregate(sp_max=f"max({measure})", sp_min=f"min({measure})")
            .transform_calculate(sp_strong=f"!datum.few_deals && ({strength}) > {STRONG_CELL}")
            .transform_filter(f"datum.few_deals == {few} && datum.sp_strong == {strong}")
            .mark_text(style=style)
            .encode(text=text)
            for few, strong, style in (
                ("true", "false", "sp-cell-label"),
                ("false", "true", "sp-cell-label-strong"),
                ("false", "false", "sp-cell-label-pale"),
            )
        ]
        return (
            alt.layer(cells, *counts, data=alt.Data(name="rows"))
            .encode(
                x=alt.X("column:N", title=None, axis=alt.Axis(labelAngle=-30)),
                y=alt.Y("row:N", title=None),
                tooltip=tooltip,
            )
            .properties(width="container", height=HEIGHT + 60)
        )

    return {
        "segment_revenue": _base()
        .mark_bar()
        .encode(
            x=alt.X("revenue:Q", title=revenue, axis=money),
            y=segment,
            tooltip=[
                alt.Tooltip("segment:N", title="Segment"),
                alt.Tooltip("revenue:Q", title=revenue, format=",.0f"),
                alt.Tooltip("share_of_revenue:Q", title=label_of("share_of_revenue"), format=".1%"),
            ],
        ),
        "segment_ratio_interval": interval,
        **{
            heatmap_design("revenue", pair): heatmap(
                pair, "revenue", revenue, ",.0f", alt.Scale(scheme="blues")
            )
            for pair in CROSSES
        },
        # Diverging at break-even: orange below 1 (clients worth less than a year's cost), blue above.
        **{
            heatmap_design("value_ratio", pair): heatmap(
                pair,
                "value_ratio",
                f"{ratio} (1 = break-even)",
                RATIO_FORMAT,
                alt.Scale(
                    scheme="blueorange",
                    reverse=True,
                    domain=alt.DomainUnionWith(unionWith=[BREAK_EVEN]),
                    domainMid=BREAK_EVEN,
                ),
            )
            for pair in CROSSES
        },
    }


def heatmap_design(measure: Literal["revenue", "value_ratio"], pair: tuple[str, str]) -> str:
    """The design name of the ``measure`` heatmap of two dimensions (rows ``pair[0]``, columns ``pair[1]``)."""
    return f"heatmap_{measure}_{pair[0]}_{pair[1]}"


def _goal_designs() -> dict[str, alt.TopLevelMixin]:
    """Goals: the distribution of attainment, and one entity's attainment by year."""
    attainment = f"{label_of('attainment')} (100 % = target met)"
    target = [
        _once().mark_rule(style="sp-break-even").encode(x=alt.X(datum=BREAK_EVEN)),
        _once()
        .mark_text(
            style="sp-break-even-label", text="Target", align="left", baseline="top", dx=3, dy=2
        )
        .encode(x=alt.X(datum=BREAK_EVEN), y=alt.value(0)),
    ]
    return {
        # Binned in Python (one row per bin and scope, not per goal): the page stays small at 5,000 reps.
        "attainment_distribution": _layers(
            alt.Chart()
            .mark_bar()
            .encode(
                x=alt.X("bin_start:Q", bin="binned", title=attainment, axis=alt.Axis(format="%")),
                x2="bin_end:Q",
                y=alt.Y("sum(goals):Q", title="Goals"),
                color=alt.Color("scope:N", title=label_of("scope")),
                tooltip=[
                    alt.Tooltip(
                        "bin_start:Q", title=f"{label_of('attainment')} from", format=".0%"
                    ),
                    alt.Tooltip("bin_end:Q", title="to", format=".0%"),
                    alt.Tooltip("sum(goals):Q", title="Goals"),
                    alt.Tooltip("scope:N", title=label_of("scope")),
                ],
            ),
            *target,
        ),
        "attainment_by_year": _layers(
            alt.Chart()
            .mark_bar()
            .encode(
                x=alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0)),
                xOffset=alt.XOffset("metric:N"),
                y=alt.Y("attainment:Q", title=attainment, axis=alt.Axis(format="%")),
                color=alt.Color("metric:N", title=label_of("metric")),
                tooltip=[
                    alt.Tooltip("year:O", title="Year"),
                    alt.Tooltip("metric:N", title=label_of("metric")),
                    alt.Tooltip("attainment_text:N", title=label_of("attainment")),
                    alt.Tooltip("status:N", title=label_of("status")),
                ],
            ),
            _once().mark_rule(style="sp-break-even").encode(y=alt.Y(datum=BREAK_EVEN)),
            _once()
            .mark_text(
                style="sp-break-even-label",
                text="Target",
                align="right",
                baseline="bottom",
                dx=-2,
                dy=-2,
            )
            .encode(y=alt.Y(datum=BREAK_EVEN), x=alt.value("width")),
        ),
    }


def _interval_design(
    value: str,
    low: str,
    high: str,
    label: str,
    axis: alt.Axis,
    tooltip: list[alt.Tooltip],
    zero_label: str,
    domain: list[float] | None = None,
) -> alt.LayerChart | alt.FacetChart:
    """A point per row (y = its ``kind``) with a bar from ``low`` to ``high`` and a labelled rule at 0."""
    scale = alt.Scale(domain=domain) if domain else alt.Undefined
    y = alt.Y("kind:N", title=None, sort=None)
    title = f"{label} (dot) and its 95 % interval (bar)"
    return _layers(
        alt.Chart()
        .mark_point(filled=True, size=80, style="sp-estimate")
        .encode(x=alt.X(f"{value}:Q", title=title, axis=axis, scale=scale), y=y, tooltip=tooltip),
        alt.Chart()
        .mark_rule(style="sp-interval")
        .encode(
            x=alt.X(f"{low}:Q", title=title, axis=axis, scale=scale),
            x2=f"{high}:Q",
            y=y,
            tooltip=tooltip,
        ),
        _once().mark_rule(style="sp-break-even").encode(x=alt.X(datum=0)),
        _once()
        .mark_text(
            style="sp-break-even-label", text=zero_label, align="left", baseline="top", dx=3, dy=2
        )
        .encode(x=alt.X(datum=0), y=alt.value(0)),
    )


def _coaching_and_activity_designs(currency: str, money: alt.Axis) -> dict[str, alt.TopLevelMixin]:
    """The designs of /coaching/, /activity/ and their rep-page sections."""
    pct = alt.Axis(format="+.0%")
    revenue = _title("revenue", currency)
    per_month = _title("revenue_per_month", currency)
    activities = label_of("activities_per_month")
    rep, median = "This rep", "Median rep"
    return {
        "coaching_effect": _interval_design(
            "effect_pct",
            "effect_pct_low",
            "effect_pct_high",
            "Effect on monthly revenue (% of before)",
            pct,
            # The page's own texts: a change is never shown as +0.0 % on the wrong side of 0.
            [
                alt.Tooltip("kind:N", title="Coaching"),
                alt.Tooltip("effect_text:N", title="Effect"),
                alt.Tooltip("interval_text:N", title="95 % interval"),
                alt.Tooltip("coached_reps:Q", title=label_of("coached_reps")),
                alt.Tooltip("verdict:N", title=label_of("verdict")),
            ],
            "No effect",
        ),
        "coaching_timeline": _layers(
            alt.Chart()
            .transform_filter("datum.layer === 'coaching'")
            .mark_rect(opacity=0.3)
            .encode(
                x=_months("start", "Month"),
                x2="end:T",
                color=alt.Color("kind:N", title="Coaching (shaded)"),
                tooltip=[
                    alt.Tooltip("kind:N", title="Coaching"),
                    alt.Tooltip("start:T", title="Start", format="%Y-%m-%d"),
                    alt.Tooltip("end:T", title="End", format="%Y-%m-%d"),
                    alt.Tooltip("hours:Q", title=label_of("hours")),
                ],
            ),
            alt.Chart()
            .transform_filter("datum.layer === 'revenue'")
            .mark_line(point=True, style="sp-series")
            .encode(
                x=_months("month", "Month"),
                y=alt.Y("revenue:Q", title=revenue, axis=money),
                tooltip=[
                    alt.Tooltip("month:T", title="Month", format="%Y-%m"),
                    alt.Tooltip("revenue:Q", title=revenue, format=",.0f"),
                ],
            ),
        ),
        "activity_scatter": _layers(
            alt.Chart()
            .mark_circle(size=60, opacity=0.85)
            .encode(
                x=alt.X("activities_per_month:Q", title=activities),
                y=alt.Y("revenue_per_month:Q", title=per_month, axis=money),
                color=alt.Color(
                    "quadrant:N",
                    title="Against the medians (dashed)",
                    scale=alt.Scale(
                        domain=list(QUADRANTS), range=[QUADRANT_COLOURS[q] for q in QUADRANTS]
                    ),
                ),
                tooltip=[
                    alt.Tooltip("name:N", title="Rep"),
                    alt.Tooltip("quadrant:N", title=label_of("quadrant")),
                    alt.Tooltip("activities_per_month:Q", title=activities, format=",.1f"),
                    alt.Tooltip("revenue_per_month:Q", title=per_month, format=",.0f"),
                ],
            ),
            alt.Chart()
            .mark_rule(style="sp-median")
            .encode(
                x=alt.X("median(activities_per_month):Q", title=activities),
                tooltip=[
                    alt.Tooltip(
                        "median(activities_per_month):Q",
                        title=f"Median rep, {activities.lower()}",
                        format=",.1f",
                    )
                ],
            ),
            alt.Chart()
            .mark_rule(style="sp-median")
            .encode(
                y=alt.Y("median(revenue_per_month):Q", title=per_month),
                tooltip=[
                    alt.Tooltip(
                        "median(revenue_per_month):Q",
                        title=f"Median rep, {per_month.lower()}",
                        format=",.0f",
                    )
                ],
            ),
        ),
        "activity_correlation": _interval_design(
            "correlation",
            "correlation_low",
            "correlation_high",
            "Correlation with revenue a month",
            alt.Axis(format=".1f"),
            [
                alt.Tooltip("kind:N", title="Activity"),
                alt.Tooltip("correlation:Q", title="r", format=".2f"),
                alt.Tooltip("correlation_low:Q", title="95 % interval from", format=".2f"),
                alt.Tooltip("correlation_high:Q", title="to", format=".2f"),
                alt.Tooltip("reps:Q", title="Reps"),
            ],
            "No correlation",
            domain=[-1, 1],
        ),
        "activity_mix": _layers(
            alt.Chart()
            .transform_calculate(series=_literal(rep))
            .mark_bar()
            .encode(
                x=alt.X("per_month:Q", title="Activities a month"),
                y=alt.Y("kind:N", title=None, sort=None),
                color=alt.Color("series:N", title=None, scale=alt.Scale(domain=[rep, median])),
                tooltip=[
                    alt.Tooltip("kind:N", title="Activity"),
                    alt.Tooltip("per_month:Q", title="This rep, a month", format=",.1f"),
                    alt.Tooltip(
                        "median_rep_per_month:Q", title="Median rep, a month", format=",.1f"
                    ),
                ],
            ),
            alt.Chart()
            .transform_calculate(series=_literal(median))
            .mark_tick(thickness=3)
            .encode(
                x=alt.X("median_rep_per_month:Q", title="Activities a month"),
                y=alt.Y("kind:N", sort=None, title=None),
                color=alt.Color("series:N", title=None, scale=alt.Scale(domain=[rep, median])),
                tooltip=[
                    alt.Tooltip("kind:N", title="Activity"),
                    alt.Tooltip(
                        "median_rep_per_month:Q", title="Median rep, a month", format=",.1f"
                    ),
                ],
            ),
        ),
    }


def _groups(
    value: str, title: str, axis: alt.Axis | None, fmt: str
) -> dict[str, alt.TopLevelMixin]:
    """``{value}_by_group_year`` as coloured lines for a few groups, and ``…_many``: the highlighted few
    (rows with ``highlight``) coloured over every other group in grey, each line named in its tooltip."""
    year = alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0))
    y = alt.Y(f"{value}:Q", title=title, axis=axis if axis is not None else alt.Undefined)
    tooltip = [
        alt.Tooltip("group:N", title="Name"),
        alt.Tooltip("year:O", title="Year"),
        alt.Tooltip(f"{value}:Q", title=title, format=fmt),
    ]
    rules = _ratio_rules("y", company="years") if value == "value_ratio" else []
    few = (
        alt.Chart()
        .mark_line(point=True)
        .encode(x=year, y=y, color=alt.Color("group:N", title=None), tooltip=tooltip)
    )
    grey = (
        alt.Chart()
        .transform_filter("!datum.highlight")
        .mark_line(style="sp-context")
        .encode(x=year, y=y, detail="group:N", tooltip=tooltip)
    )
    coloured = (
        alt.Chart()
        .transform_filter("datum.highlight")
        .mark_line(point=True)
        .encode(
            x=year,
            y=y,
            color=alt.Color("group:N", title=f"Highest and lowest {HIGHLIGHTED} (others grey)"),
            tooltip=tooltip,
        )
    )
    return {
        f"{value}_by_group_year": _layers(few, *rules) if rules else _layers(few),
        f"{value}_by_group_year_many": _layers(grey, coloured, *rules),
    }


def _interval_band(
    x: alt.X, month_title: str, y_title: str, money: alt.Axis, scale: alt.Scale
) -> alt.Chart:
    """The 80 % interval of a projection as a shaded band from ``low`` to ``high`` by ``month``."""
    return (
        alt.Chart()
        .transform_calculate(series=_literal(INTERVAL))
        .mark_area(opacity=0.25)
        .encode(
            x=x,
            y=alt.Y("low:Q", title=y_title, axis=money),
            y2="high:Q",
            color=alt.Color("series:N", title=None, scale=scale),
            tooltip=[
                alt.Tooltip("month:T", title=month_title, format="%Y-%m"),
                alt.Tooltip("low:Q", title="80 % interval from", format=",.0f"),
                alt.Tooltip("high:Q", title="to", format=",.0f"),
            ],
        )
    )


def _history_designs(currency: str, money: alt.Axis) -> dict[str, alt.TopLevelMixin]:
    """Trends, managers and projections (issue 6)."""
    revenue = _title("revenue", currency)
    quarter = alt.X("period:O", title="Quarter", sort=None, axis=alt.Axis(labelAngle=-45))
    month = _months("month", "Month")
    series = alt.Scale(domain=[ACTUAL, PROJECTION, INTERVAL])
    band = _interval_band(month, "Month", revenue, money, series)
    path = (
        alt.Chart()
        .transform_calculate(series=f"datum.kind === 'actual' ? '{ACTUAL}' : '{PROJECTION}'")
        .mark_line(point=True)
        .encode(
            x=month,
            y=alt.Y("revenue:Q", title=revenue, axis=money),
            color=alt.Color("series:N", title=None, scale=series),
            strokeDash=alt.StrokeDash(
                "series:N",
                legend=None,
                scale=alt.Scale(domain=[ACTUAL, PROJECTION], range=[[1, 0], [5, 3]]),
            ),
            tooltip=[
                alt.Tooltip("month:T", title="Month", format="%Y-%m"),
                alt.Tooltip("series:N", title="Series"),
                alt.Tooltip("revenue:Q", title=revenue, format=",.0f"),
            ],
        )
    )
    sums = _months("month", "Forecast made at the end of")
    next_12 = f"Next 12 months' revenue ({currency})"
    baseline = "Baseline (same months last year)"
    backtest_scale = alt.Scale(domain=[ACTUAL, PROJECTION, baseline, INTERVAL])
    backtest_band = _interval_band(sums, "Origin", next_12, money, backtest_scale)
    backtest_lines = (
        alt.Chart()
        .transform_fold(["actual", "forecast", "baseline"], as_=["key", "value"])
        .transform_calculate(
            series=f"{{actual: '{ACTUAL}', forecast: '{PROJECTION}', baseline: '{baseline}'}}[datum.key]"
        )
        .mark_line(point=True)
        .encode(
            x=sums,
            y=alt.Y("value:Q", title=next_12, axis=money),
            color=alt.Color("series:N", title=None, scale=backtest_scale),
            tooltip=[
                alt.Tooltip("month:T", title="Origin", format="%Y-%m"),
                alt.Tooltip("series:N", title="Series"),
                alt.Tooltip("value:Q", title=next_12, format=",.0f"),
            ],
        )
    )
    # Highest projection first. Both layers sort by the same field with "max" (one row per entity, so the
    # value itself): Vega-Lite unions the y domains of layers only with count/min/max, and drops any
    # other sort with a console warning ("-x" sorted each layer by the sum of its own x).
    entity = alt.Y(
        "id:N", title=None, sort=alt.EncodingSortField("reconciled", op="max", order="descending")
    )
    projected = _title("reconciled", currency, "Projected revenue")
    entity_tooltip = [
        alt.Tooltip("id:N", title="Name"),
        alt.Tooltip("reconciled:Q", title=projected, format=",.0f"),
        alt.Tooltip("reconciled_low:Q", title="80 % interval from", format=",.0f"),
        alt.Tooltip("reconciled_high:Q", title="to", format=",.0f"),
    ]
    entity_scale = alt.Scale(domain=[PROJECTION, INTERVAL])
    bars = (
        alt.Chart()
        .transform_calculate(series=_literal(PROJECTION))
        .mark_bar(opacity=0.7)
        .encode(
            x=alt.X("reconciled:Q", title=projected, axis=money),
            y=entity,
            color=alt.Color("series:N", title=None, scale=entity_scale),
            tooltip=entity_tooltip,
        )
    )
    whiskers = (
        alt.Chart()
        .transform_calculate(series=_literal(INTERVAL))
        .mark_rule(strokeWidth=2)
        .encode(
            x=alt.X("reconciled_low:Q", title=projected),
            x2="reconciled_high:Q",
            y=entity,
            color=alt.Color("series:N", title=None, scale=entity_scale),
            tooltip=entity_tooltip,
        )
    )

    return {
        "revenue_by_quarter": _base()
        .mark_bar()
        .encode(
            x=quarter,
            y=alt.Y("revenue:Q", title=revenue, axis=money),
            tooltip=[
                alt.Tooltip("period:O", title="Quarter"),
                alt.Tooltip("revenue:Q", title=revenue, format=",.0f"),
                alt.Tooltip("won_deals:Q", title=label_of("won_deals")),
                alt.Tooltip("win_rate:Q", title=label_of("win_rate"), format=".1%"),
            ],
        ),
        "win_rate_by_quarter": _base()
        .mark_line(point=True)
        .encode(
            x=quarter,
            y=alt.Y("win_rate:Q", title=label_of("win_rate"), axis=alt.Axis(format="%")),
            tooltip=[
                alt.Tooltip("period:O", title="Quarter"),
                alt.Tooltip("win_rate:Q", title=label_of("win_rate"), format=".1%"),
            ],
        ),
        "revenue_by_group_year": _base()
        .mark_bar()
        .encode(
            x=alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("revenue:Q", title=revenue, axis=money, stack=True),
            color=alt.Color("group:N", title=None),
            tooltip=[
                alt.Tooltip("group:N", title="Name"),
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("revenue:Q", title=revenue, format=",.0f"),
            ],
        ),
        "revenue_by_group_year_many": _groups("revenue", revenue, money, ",.0f")[
            "revenue_by_group_year_many"
        ],
        **_groups("value_ratio", label_of("value_ratio"), None, RATIO_FORMAT),
        "forecast_path": _layers(band, path),
        "forecast_backtest": _layers(backtest_band, backtest_lines),
        "forecast_by_entity": _layers(bars, whiskers),
    }


RATIO_STEPS = (0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 2.5, 5.0, 10.0, 25.0, 50.0, 100.0)
"""The widths a value-ratio histogram's bins may have: the first that gives at most RATIO_BINS bins."""

RATIO_BINS = 16
"""The most bins of a value-ratio histogram below its last, open "≥ X" bin."""

RATIO_CLIP_QUANTILE, RATIO_CLIP_FLOOR = 0.95, 3.0
"""Ratios above the 95th percentile (and above 3, and the company's ratio) share the last bin."""

HISTOGRAM_COLUMNS = ["bin_start", "bin_end", "mid", "reps", "range", "overflow"]


def ratio_histogram(values: pd.Series | list[float], keep: tuple[float, ...] = ()) -> pd.DataFrame:
    """The rows of ``value_ratio_distribution``: one per bin (``bin_start``, ``bin_end``, ``mid``, ``reps``,
    ``range`` as the tooltip writes it, ``overflow``). Bins are RATIO_STEPS wide from below the lowest
    ratio up to the clip, the 95th percentile (at least 3, and past every ratio in ``keep``: the
    company's, whose rule must fall on a bin that means what the axis says); every ratio at or above the
    clip is counted in one last bin of the same width whose ``range`` is "≥ clip"."""
    ratios = pd.Series(values, dtype=float).dropna()
    ratios = ratios[ratios.map(lambda v: v == v and abs(v) != float("inf"))]
    if ratios.empty:
        return pd.DataFrame(columns=HISTOGRAM_COLUMNS)
    clip = max(float(ratios.quantile(RATIO_CLIP_QUANTILE)), RATIO_CLIP_FLOOR, *keep)
    top = min(clip, max(float(ratios.max()), *keep, float("-inf")))
    low = min(float(ratios.min()), *keep) if keep else float(ratios.min())
    step = next(
        (s for s in RATIO_STEPS if (top - math.floor(low / s) * s) / s <= RATIO_BINS),
        RATIO_STEPS[-1],
    )
    start = math.floor(low / step) * step
    overflowing = float(ratios.max()) > clip
    if overflowing:
        end = math.ceil(round(clip / step, 9)) * step
        bins = round((end - start) / step)
    else:
        bins = math.floor(round((top - start) / step, 9)) + 1
        end = start + bins * step
    index = ((ratios - start) / step + 1e-9).map(math.floor).clip(upper=bins)
    counts = index.value_counts()
    rows = []
    for i in range(bins + (1 if overflowing else 0)):
        a, b = round(start + i * step, 10), round(start + (i + 1) * step, 10)
        over = overflowing and i == bins
        rows.append(
            {
                "bin_start": a,
                "bin_end": b,
                "mid": round((a + b) / 2, 10),
                "reps": int(counts.get(i, 0)),
                "range": f"≥ {text.ratio(a, ())}"
                if over
                else f"{text.ratio(a, ())}–{text.ratio(b, ())}",
                "overflow": over,
            }
        )
    return pd.DataFrame(rows, columns=HISTOGRAM_COLUMNS)


def highlighted(frame: pd.DataFrame, value: str, n: int = HIGHLIGHTED) -> pd.DataFrame:
    """``frame`` (group, year, ``value``) with ``highlight``: True for the ``n`` highest and ``n`` lowest
    groups by their latest year's ``value``, whose lines a many-series chart colours."""
    latest = (
        frame.dropna(subset=[value])
        .sort_values("year")
        .groupby("group")[value]
        .last()
        .sort_values(kind="stable")
    )
    chosen = set(latest.index[:n]) | set(latest.index[-n:]) if len(latest) else set()
    return frame.assign(highlight=frame["group"].isin(chosen))


def group_chart(value: Literal["value_ratio", "revenue"], frame: pd.DataFrame) -> ChartSpec:
    """Lines (or stacked bars, for revenue) by group and year: each group coloured when there are at most
    :data:`MAX_SERIES`, else the highest and lowest few coloured over the others in grey."""
    fields = ["year", "group", value]
    if frame["group"].nunique() <= MAX_SERIES:
        return chart(f"{value}_by_group_year", frame, fields)
    return chart(f"{value}_by_group_year_many", highlighted(frame, value), [*fields, "highlight"])


def prepare_designs(currency: str, made: dict[str, dict] | None = None) -> None:
    """Make every chart design for ``currency`` now (they are kept), or take ``made``, the same
    designs made by ``designs_for`` in another process: before the site's pages are made in two
    processes, so that both use them and neither makes them again."""
    if made is not None:
        _MADE[currency] = made
    designs_for(currency)


def design(name: str, currency: str | None = None) -> dict:
    """One chart design (a Vega-Lite dict without data), its money axes in ``currency`` (the build's);
    shared (``designs_for``): copy it before changing it."""
    return designs_for(currency or _CONTEXT.get().currency)[name]


def _datasets(spec: dict) -> set[str]:
    """The named data sources a spec's layers read besides ``rows``."""
    names = set()
    for layer in spec.get("layer", []):
        name = layer.get("data", {}).get("name")
        if name in ("company", "company_now"):
            names.add(name)
    return names


@dataclass(frozen=True)
class ChartSpec:
    """A chart design with one entity's rows (and the build's currency and company ratio)."""

    design: str
    rows: list[dict[str, object]]
    context: ChartContext = field(default_factory=_CONTEXT.get)

    def to_dict(self) -> dict:
        """The Vega-Lite spec with this entity's rows (as ``alt.Chart.to_dict()`` gives it)."""
        base = design(self.design, self.context.currency)
        extra = {"company": self.context.company_rows, "company_now": self.context.company_now}
        datasets = {
            **base.get("datasets", {}),
            **{name: extra[name]() for name in sorted(_datasets(base))},
        }
        spec = {**base, "data": {"values": self.rows}}
        if datasets:
            spec["datasets"] = datasets
        return spec

    def spec(self) -> dict:
        """The same as ``to_dict``."""
        return self.to_dict()

    def to_json(self) -> str:
        """``to_dict`` as :func:`inert_json` writes it. The design's members are written once a build
        (:func:`_design_json`), only the data per chart: a design is most of a rep page's charts."""
        spec = self.to_dict()
        members = dict(_design_json(self.design, self.context.currency))
        members.update({key: _member_json(key, spec[key]) for key in _DATA_KEYS if key in spec})
        return "{" + ",".join(members[key] for key in sorted(members)) + "}"


def inert_json(value: object) -> str:
    """``value`` as compact JSON, keys sorted, that is inert in a ``<script>`` element (no ``<``, ``>``
    or ``&``: each is written as its ``\\u`` escape)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_DATA_KEYS = ("data", "datasets")
"""The members of a spec that hold a chart's own data; every other member is its design's."""


def _member_json(key: str, value: object) -> str:
    """One member of a JSON object, ``"key":value``, as :func:`inert_json` writes it inside the object."""
    return f"{inert_json(key)}:{inert_json(value)}"


@cache
def _design_json(name: str, currency: str) -> dict[str, str]:
    """Each member of a design but its data, as ``_member_json`` text, by key."""
    return {
        key: _member_json(key, value)
        for key, value in designs_for(currency)[name].items()
        if key not in _DATA_KEYS
    }


def chart(design_name: str, frame: pd.DataFrame, fields: list[str]) -> ChartSpec:
    """A chart of ``frame`` using only ``fields`` (Vega-Lite embeds every column it is given)."""
    return ChartSpec(design_name, records(frame[fields]))


@cache
def _measure(design_name: str, currency: str) -> str | None:
    """The quantitative field a design plots (a chart with no value for it has nothing to show)."""
    spec = design(design_name, currency)
    for encoding in [
        spec.get("encoding", {}),
        *(layer.get("encoding", {}) for layer in spec.get("layer", [])),
    ]:
        for channel in ("y", "x"):
            field_ = encoding.get(channel, {})
            if (
                field_.get("type") == "quantitative"
                and "field" in field_
                and "aggregate" not in field_
            ):
                return field_["field"]
    return None


def embed(element_id: str, spec: ChartSpec, caption: str = "") -> Markdown:
    """The HTML that draws a chart in the browser: an empty div and its spec as inert JSON."""
    measure = _measure(spec.design, spec.context.currency)
    if not spec.rows or (measure and all(row.get(measure) is None for row in spec.rows)):
        return Markdown(
            f'<p class="sp-empty"><em>{html.escape(caption or "Chart")}: no data to show yet.</em></p>'
        )
    text = spec.to_json()
    label = f' aria-label="{html.escape(caption, quote=True)}"' if caption else ""
    return html_block(
        f'<div class="sp-chart" data-spec="{element_id}"{label}></div>\n'
        f'<script type="application/json" id="{element_id}">{text}</script>'
    )
