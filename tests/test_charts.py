"""Chart specs through ``to_dict()``: reference rules, titles from the registry, money axes written as
Babel writes compact money, colours from the theme, legends, and many series highlighted."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import vl_convert
from altair.vegalite.v6.schema.core import TopLevelSpec
from babel.numbers import format_compact_currency

from generator.metrics.activity import (
    BUSY_PRODUCTIVE,
    BUSY_UNPRODUCTIVE,
    QUIET_PRODUCTIVE,
    QUIET_UNPRODUCTIVE,
)
from generator.metrics.period import year_label
from generator.site import charts, text
from generator.site.charts import ChartContext, ChartSpec, chart_context
from tests.conftest import Computed

CONTEXT = ChartContext("USD", (("2024", 2.1), ("2025", 2.32)), "2025")


def spec_of(design: str, rows: list[dict], context: ChartContext = CONTEXT) -> dict:
    """One design's spec with ``rows``, made inside a build's chart context."""
    with chart_context(context):
        return ChartSpec(design, rows).to_dict()


def layers(spec: dict) -> Iterator[dict]:
    """Every view of a spec (the spec itself, its layers, their layers)."""
    yield spec
    for layer in spec.get("layer", []):
        yield from layers(layer)


def mark(view: dict) -> dict:
    m = view.get("mark", {})
    return {"type": m} if isinstance(m, str) else m


def svg_texts(spec: dict) -> list[str]:
    """The text of every ``<text>`` element of the spec drawn by vl-convert (Vega itself)."""
    svg = vl_convert.vegalite_to_svg(spec)
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


# --- reference rules --------------------------------------------------------------------------------

RATIO_DESIGNS = {
    "value_ratio_by_year": "y",
    "value_ratio_distribution": "x",
    "segment_ratio_interval": "x",
    "value_ratio_by_group_year": "y",
    "value_ratio_by_group_year_many": "y",
}


def test_every_value_ratio_chart_is_in_the_list() -> None:
    plotted = {
        name
        for name in charts.designs_for("USD")
        if any(
            v.get("encoding", {}).get(axis, {}).get("field") == "value_ratio"
            for v in layers(charts.design(name, "USD"))
            for axis in ("x", "y")
        )
    }
    assert plotted == set(RATIO_DESIGNS)


@pytest.mark.parametrize(("design", "axis"), sorted(RATIO_DESIGNS.items()))
def test_value_ratio_charts_draw_break_even_and_the_company(design: str, axis: str) -> None:
    spec = spec_of(design, [{"year": "2025", "value_ratio": 1.5, "group": "A", "highlight": True}])
    views = list(layers(spec))
    rules = [v for v in views if mark(v).get("style") == "sp-break-even"]
    assert [v["encoding"][axis] for v in rules] == [{"datum": 1.0}]
    labels = [mark(v).get("text") for v in views if mark(v).get("style") == "sp-break-even-label"]
    assert labels == ["Break-even 1.0"]
    company = [v for v in views if mark(v).get("style") == "sp-company"]
    assert len(company) == 1 and company[0]["encoding"][axis]["field"] == "value_ratio"
    source = company[0]["data"]["name"]
    if source == "company":  # by year: the company's line, one point a year
        assert spec["datasets"]["company"] == [
            {"year": "2024", "value_ratio": 2.1},
            {"year": "2025", "value_ratio": 2.32},
        ]
    else:  # the reporting year: one rule, labelled with the ratio as the tables write it
        assert source == "company_now"
        assert spec["datasets"]["company_now"] == [{"value_ratio": 2.32, "label": "Company 2.32"}]
    assert any(mark(v).get("style") == "sp-company-label" for v in views)


def histogram_rows(values: list[float], keep: tuple[float, ...] = ()) -> list[dict]:
    return charts.records(charts.ratio_histogram(values, keep))


def styles(view: dict) -> list[str]:
    style = mark(view).get("style", [])
    return [style] if isinstance(style, str) else list(style)


def test_reference_rules_are_drawn_once_and_labelled_in_the_picture() -> None:
    spec = spec_of("value_ratio_distribution", histogram_rows([0.5, 0.8, 1.2, 1.9, 2.6, 3.1]))
    for view in layers(spec):
        if any(s.startswith("sp-break-even") for s in styles(view)):
            assert spec["datasets"][view["data"]["name"]] == [{}], "one rule, not one per row"
    texts = svg_texts(spec)
    # Each label twice: its halo (in the background's colour, underneath) and itself.
    assert texts.count("Break-even 1.0") == 2 and texts.count("Company 2.32") == 2


def big_company_ratios() -> list[float]:
    """848 ratios like the 1,000-rep trial's: most between 0.2 and 7, a long tail, one rep at 77.96."""
    import numpy as np

    ratios = np.random.default_rng(14).lognormal(mean=0.65, sigma=0.7, size=847)
    return [*ratios.round(4).tolist(), 77.96]


def test_one_outlier_does_not_squeeze_the_ratio_histogram() -> None:
    values = big_company_ratios()
    bins = charts.ratio_histogram(values, keep=(2.86,))
    regular, last = bins[~bins["overflow"]], bins[bins["overflow"]]
    steps = (bins["bin_end"] - bins["bin_start"]).round(9).unique()
    assert len(steps) == 1 and steps[0] in (0.25, 0.5)
    assert 8 <= len(regular) <= charts.RATIO_BINS
    assert bins["reps"].sum() == len(values)
    assert bins["reps"].max() < 0.3 * len(values), "no bar holds most reps"
    # The last bin gathers everything from the clip (≥ the 95th percentile) up, and says so.
    assert len(last) == 1 and last["range"].iloc[0] == f"≥ {last['bin_start'].iloc[0]:.2f}"
    assert last["bin_start"].iloc[0] >= max(3.0, float(pd.Series(values).quantile(0.95))) - 0.5
    assert last["reps"].iloc[0] == sum(v >= last["bin_start"].iloc[0] for v in values)
    assert bins["bin_end"].max() < 20, "the axis ends near the clip, not at 80"
    # Drawn: the last bar's label is in the picture; the company's rule stays on a regular bin.
    spec = spec_of(
        "value_ratio_distribution",
        charts.records(bins),
        ChartContext("USD", (("2025", 2.86),), "2025"),
    )
    assert last["range"].iloc[0] in svg_texts(spec)
    assert regular["bin_start"].min() <= 2.86 < regular["bin_end"].max()


def test_ratio_histogram_without_outliers_or_ratios() -> None:
    bins = charts.ratio_histogram([0.5, 1.2, 1.9, 2.2])
    assert not bins["overflow"].any() and bins["reps"].sum() == 4
    assert bins["bin_start"].min() <= 0.5 and bins["bin_end"].max() > 2.2
    assert charts.ratio_histogram([]).empty
    # The company's ratio above every rep's stays inside the regular bins.
    assert charts.ratio_histogram([0.5, 1.2], keep=(4.2,))["bin_end"].max() > 4.2


def label_boxes(spec: dict, width: int) -> dict[str, tuple[float, float, float, float]]:
    """The box of each rule label as Vega draws it (x1, y1, x2, y2), from its anchor, alignment and an
    upper bound of its width (bold 11 px: under 7.5 px a character)."""
    boxes = {}
    for group in scene_marks(spec, width):
        if group.get("marktype") != "text" or group.get("role") != "mark":
            continue
        for item in group["items"]:
            label = str(item.get("text", ""))
            if not (label.startswith("Break-even") or label.startswith("Company")):
                continue
            w, h = 7.5 * len(label), 13
            x = item["x"] + item.get("dx", 0)
            x1 = {"left": x, "right": x - w, "center": x - w / 2}[item.get("align", "left")]
            y = item["y"] + item.get("dy", 0)
            y1 = {"top": y, "bottom": y - h, "middle": y - h / 2}.get(
                item.get("baseline", "alphabetic"), y - h
            )
            boxes[label] = (x1, y1, x1 + w, y1 + h)
    return boxes


def ratio_rows(design: str, ratio: float) -> list[dict]:
    if design == "value_ratio_distribution":
        return histogram_rows([0.6, 0.9, 1.0, 1.02, 1.1, 1.3, 2.0, 3.0], keep=(ratio,))
    if design == "segment_ratio_interval":
        return [
            {
                "segment": s,
                "value_ratio": r,
                "ratio_low": r - 0.2,
                "ratio_high": r + 0.2,
                "clients": 9,
            }
            for s, r in (("North", 0.9), ("South", 1.1), ("East", 1.4))
        ]
    return [
        {"year": y, "group": g, "value_ratio": r, "highlight": True}
        for y, r in (("2024", 1.0), ("2025", 1.02))
        for g in ("A", "B")
    ]


@pytest.mark.parametrize("width", [320, 700])
@pytest.mark.parametrize("company", [1.02, 1.08, 2.86])
@pytest.mark.parametrize("design", sorted(RATIO_DESIGNS))
def test_break_even_and_company_labels_never_overlap(
    design: str, company: float, width: int
) -> None:
    """Break-even 1.0 and the company's label never run into each other ("BrCompany 2.86"), even with
    the company right beside break-even and at a phone's width; each has a halo underneath."""
    context = ChartContext("USD", (("2024", company), ("2025", company)), "2025")
    spec = spec_of(design, ratio_rows(design, company), context)
    boxes = label_boxes(spec, width)
    assert "Break-even 1.0" in boxes and any(k.startswith("Company") for k in boxes), boxes
    (a1, b1, a2, b2), (c1, d1, c2, d2) = boxes.pop("Break-even 1.0"), boxes.popitem()[1]
    assert a2 <= c1 or c2 <= a1 or b2 <= d1 or d2 <= b1, (
        f"labels overlap: {(a1, b1, a2, b2)} {(c1, d1, c2, d2)}"
    )
    for x1, _y1, x2, _y2 in label_boxes(spec, width).values():
        assert x1 >= -1 and x2 <= width + 1, "a label runs past the plot's edge"
    halos = [v for v in layers(spec) if "sp-label-halo" in styles(v)]
    assert len(halos) == 2
    for theme in charts.THEMES.values():
        assert theme["style"]["sp-label-halo"]["stroke"] == theme["style"]["sp-label-halo"]["fill"]


def test_no_company_line_without_a_company_ratio() -> None:
    spec = spec_of(
        "value_ratio_by_year", [{"year": "2025", "value_ratio": 1.5}], ChartContext("USD")
    )
    assert spec["datasets"]["company"] == []
    assert "Break-even 1.0" in svg_texts(spec)


def test_company_context_is_the_published_company_ratio(example_metrics: Computed) -> None:
    metrics = example_metrics.metrics
    fy = metrics.period.fiscal_year_start
    years = metrics.company_years
    labels = {int(y): year_label(int(y), fy) for y in years["year"]}
    context = charts.company_context("USD", years, labels, metrics.period.year)
    expected = years[years["value_ratio"].notna()]
    assert [r for _y, r in context.company_ratios] == pytest.approx(
        expected["value_ratio"].tolist()
    )
    assert context.current_year == year_label(metrics.period.year, fy)
    now = float(years.set_index("year").loc[metrics.period.year, "value_ratio"])
    assert context.company_now() == [
        {"value_ratio": pytest.approx(now), "label": f"Company {now:.2f}"}
    ]


def test_goal_charts_mark_the_target() -> None:
    for design, axis in (("attainment_distribution", "x"), ("attainment_by_year", "y")):
        views = list(
            layers(
                spec_of(
                    design,
                    [{"attainment": 0.9, "scope": "rep", "year": "2025", "metric": "revenue"}],
                )
            )
        )
        assert [v["encoding"][axis] for v in views if mark(v).get("style") == "sp-break-even"] == [
            {"datum": 1.0}
        ]
        assert [
            mark(v)["text"] for v in views if mark(v).get("style") == "sp-break-even-label"
        ] == ["Target"]


LEGEND_CHANNELS = ("color", "fill", "stroke", "strokeDash", "shape", "xOffset", "yOffset")


def embedded_specs(site: Path) -> Iterator[tuple[str, dict]]:
    """(page and chart id, spec) of every chart embedded in a built site."""
    for page in sorted(site.rglob("index.html")):
        for chart_id, body in re.findall(
            r'<script type="application/json" id="([^"]+)">(.*?)</script>',
            page.read_text(encoding="utf-8"),
            re.S,
        ):
            yield f"{page.relative_to(site).parent}#{chart_id}", json.loads(body)


def test_no_legend_shows_a_raw_field_name(example_build: Path) -> None:
    """A legend names series as the tables do: the registry's label ("Value ratio"), never the field
    (value_ratio). Scope's rep/team are the words the goal tables write, not field names."""
    from generator.metrics.definitions import label_of

    def raw(value: object) -> bool:
        if not isinstance(value, str):
            return False
        try:
            return label_of(value) != value
        except KeyError:
            return bool(re.fullmatch(r"[a-z]+(_[a-z0-9]+)+", value))

    found = set()
    for where, spec in embedded_specs(example_build):
        rows = spec.get("data", {}).get("values", [])
        for view in layers(spec):
            for channel in LEGEND_CHANNELS:
                field = view.get("encoding", {}).get(channel, {}).get("field")
                if field and field != "scope":
                    found |= {
                        (where.split("#")[1], field, row.get(field))
                        for row in rows
                        if raw(row.get(field))
                    }
    assert found == set()
    goals = next(
        spec for where, spec in embedded_specs(example_build) if where.endswith("#chart-rep-goals")
    )
    assert {row["metric"] for row in goals["data"]["values"]} <= {
        "Revenue",
        "Value ratio",
        "New clients",
    }


def scene_marks(spec: dict, width: int) -> Iterator[dict]:
    """Every mark group of ``spec`` drawn by Vega (vl-convert) at ``width`` px: role, marktype, items."""
    spec = {**json.loads(json.dumps(spec)), "width": width}

    def walk(node: object) -> Iterator[dict]:
        if isinstance(node, dict):
            if "marktype" in node:
                yield node
            for key in ("items", "scenegraph"):
                yield from walk(node.get(key))
        elif isinstance(node, list):
            for item in node:
                yield from walk(item)

    yield from walk(vl_convert.vegalite_to_scenegraph(spec))


MONTHLY = ("revenue_by_month", "coaching_timeline", "forecast_path", "forecast_backtest")


@pytest.mark.parametrize("design", MONTHLY)
def test_monthly_charts_tick_whole_months(design: str) -> None:
    x = next(
        v["encoding"]["x"]
        for v in layers(charts.design(design, "USD"))
        if "x" in v.get("encoding", {})
    )
    assert x["axis"]["format"] == "%b %Y" and x["axis"]["tickMinStep"] >= 28 * 86_400_000
    assert x["scale"]["padding"] >= 8


@pytest.mark.parametrize("width", [320, 700])
def test_a_short_history_shows_month_ticks_and_its_last_point(width: int) -> None:
    """A rep hired four months before as_of: one tick a month ("May 2025"), never "May 04, May 18", and
    the last point drawn whole inside the plot, at a phone's width (390 px page, ~320 px plot) too."""
    rows = [
        {"month": f"2025-{m:02d}-01", "revenue": 1_000.0 * m, "won_deals": 1} for m in range(5, 9)
    ]
    marks = list(scene_marks(spec_of("revenue_by_month", rows), width))
    labels = [
        i["text"]
        for m in marks
        if m.get("role") == "axis-label"
        for i in m["items"]
        if re.fullmatch(r"[A-Z][a-z]{2}.*", str(i["text"]))
    ]
    assert labels == ["May 2025", "Jun 2025", "Jul 2025", "Aug 2025"]
    points = next(m for m in marks if m["marktype"] == "symbol")["items"]
    assert points[0]["x"] >= 4 and points[-1]["x"] <= width - 4


# --- money axes: Babel's compact currency ------------------------------------------------------------

VALUES = [
    0,
    5,
    12.3,
    0.5,
    1.5,
    2.5,
    200,
    950,
    998.5,
    999,
    999.4,
    999.5,
    1_000,
    1_049,
    1_050,
    1_150,
    1_250,
    1_500,
    9_999,
    10_000,
    99_949,
    99_950,
    100_000,
    250_000,
    999_949,
    999_950,
    1_000_000,
    1_050_000,
    1_250_000,
    2_500_000,
    20_000_000,
    101_272_100,
    999_949_999,
    999_950_000,
    3_800_000_000,
    4e9,
    999_949_999_999,
    999_950_000_000,
    2.5e12,
    1e15,
    -1_500,
    -3_800_000,
]


def evaluate_money_labels(currency: str, values: list[float]) -> list[str]:
    """The axis expression of ``currency`` evaluated by Vega (vl-convert) for each value, in order."""
    spec = {
        "data": {"values": [{"value": v, "i": i} for i, v in enumerate(values)]},
        "transform": [{"calculate": charts.money_label_expr(currency), "as": "label"}],
        "mark": "text",
        "encoding": {
            "y": {"field": "i", "type": "ordinal", "axis": None},
            "text": {"field": "label", "type": "nominal"},
        },
    }
    return svg_texts(spec)


@pytest.mark.parametrize("currency", ["USD", "EUR", "GBP", "JPY", "CHF", "SEK"])
def test_money_axis_expression_writes_what_babel_writes(currency: str) -> None:
    assert evaluate_money_labels(currency, VALUES) == [
        charts.compact_money(v, currency) for v in VALUES
    ]


def test_compact_money_is_the_pages_and_babels() -> None:
    for value in (1_000, 1_250, 99_950, 3_800_000_000, -3_800_000, 2.5e12):
        assert (
            charts.compact_money(value, "USD")
            == text.compact_money(value, "USD")
            == format_compact_currency(
                value, "USD", locale="en", fraction_digits=text.COMPACT_DIGITS
            )
        )
    assert charts.compact_money(12.3, "USD") == "$12"  # under 1,000 the pages write whole units
    assert charts.compact_money(3_800_000_000, "USD") == "$3.8B"
    assert charts.compact_money(101_272_100, "USD") == "$101.3M"
    assert charts.compact_money(999_950, "USD") == "$1M"
    assert charts.compact_money(2_500, "EUR") == "€2.5K"


def test_money_axes_in_a_drawn_chart_never_say_g() -> None:
    rows = [{"year": str(2020 + i), "revenue": r} for i, r in enumerate([1.2e9, 2.4e9, 3.8e9])]
    texts = svg_texts(spec_of("revenue_by_year", rows))
    assert {"$0", "$1B", "$2B", "$3B"} <= set(texts)
    assert not any(re.fullmatch(r"[\d.]+G", t) for t in texts)
    assert "Revenue (USD)" in texts


def test_every_money_axis_uses_the_site_currency() -> None:
    for currency, symbol in (("USD", "$"), ("EUR", "€")):
        for name, spec in charts.designs_for(currency).items():
            for view in layers(spec):
                for channel in ("x", "y"):
                    enc = view.get("encoding", {}).get(channel, {})
                    assert enc.get("axis", {}).get("format") != "~s", name
                    title = enc.get("title") or ""
                    if (
                        f"({currency})" in title
                        and enc.get("type") == "quantitative"
                        and "axis" in enc
                    ):
                        assert enc["axis"]["labelExpr"] == charts.money_label_expr(currency), (
                            name,
                            channel,
                        )
        assert evaluate_money_labels(currency, [2e6]) == [f"{symbol}2M"]


# --- titles: from the registry, never a field name ---------------------------------------------------

SNAKE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)+")
SHOWN = ("x", "y", "color", "fill", "stroke", "size", "shape", "strokeDash", "opacity")
"""Channels whose title a reader sees (an axis or a legend) unless the axis or legend is switched off."""


def titles(spec: dict) -> Iterator[tuple[str, str | None, set[str]]]:
    """(where, title, the spec's field names) for every title a reader of ``spec`` can see."""
    fields: set[str] = set()

    def collect(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("field"), str):
                fields.add(node["field"])
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(spec)
    for view in layers(spec):
        for channel, enc in view.get("encoding", {}).items():
            for item in enc if isinstance(enc, list) else [enc]:
                if not isinstance(item, dict):
                    continue
                if channel == "tooltip":
                    yield "tooltip", item.get("title", MISSING), fields
                elif channel in SHOWN and ("field" in item or "aggregate" in item):
                    guide = item.get("axis" if channel in ("x", "y") else "legend", {})
                    if guide is None or "condition" in item:
                        continue
                    yield channel, guide.get("title", item.get("title", MISSING)), fields


MISSING = object()
"""A title not given: Vega-Lite then shows the field name (``null`` deliberately shows none)."""


def check_titles(name: str, spec: dict) -> list[str]:
    """Every seen title that is missing (Vega-Lite then shows the field name) or a field name."""
    bad = []
    for where, title, fields in titles(spec):
        if title is MISSING or (where == "tooltip" and not title):
            bad.append(f"{name}: {where} has no title")
        elif title is None:
            continue
        elif SNAKE.fullmatch(title) or title in fields:
            bad.append(f"{name}: {where} title {title!r} is a field name")
    return bad


def test_every_design_titles_its_axes_legends_and_tooltips() -> None:
    problems = [
        p for name, spec in charts.designs_for("USD").items() for p in check_titles(name, spec)
    ]
    assert problems == []


def test_the_title_check_catches_raw_field_names() -> None:
    spec = {
        "mark": "point",
        "encoding": {
            "x": {"field": "value_ratio", "type": "quantitative"},
            "color": {"field": "kind", "type": "nominal", "title": "kind"},
            "tooltip": [{"field": "ratio_low", "type": "quantitative"}],
        },
    }
    assert check_titles("t", spec) == [
        "t: x has no title",
        "t: color title 'kind' is a field name",
        "t: tooltip has no title",
    ]


def example_specs(site: Path) -> Iterator[tuple[str, dict]]:
    """(page and chart id, spec) of every chart embedded in a built site."""
    pattern = re.compile(r'<script type="application/json" id="(chart-[^"]+)">(.*?)</script>', re.S)
    for page in sorted(site.rglob("*.html")):
        for element_id, source in pattern.findall(page.read_text(encoding="utf-8")):
            yield f"{page.relative_to(site)}#{element_id}", json.loads(source)


def test_no_chart_of_the_example_shows_a_field_name_as_a_title(example_build: Path) -> None:
    specs = list(example_specs(example_build))
    assert len(specs) > 100  # every page with a chart, rep pages included
    problems = [p for name, spec in specs for p in check_titles(name, spec)]
    assert problems == []
    money = [s for _n, s in specs if "labelExpr" in json.dumps(s)]
    assert money and all('"~s"' not in json.dumps(s) for _n, s in specs)


# --- colour: from the theme, with a meaning ---------------------------------------------------------

COLOUR_KEYS = ("color", "fill", "stroke")


@pytest.mark.parametrize("currency", ["USD", "SEK"])
def test_every_design_is_valid_vega_lite(currency: str) -> None:
    """The build writes the designs without Altair's validation: the schema is checked here."""
    for spec in charts.designs_for(currency).values():
        TopLevelSpec.validate(spec)


def test_marks_name_theme_styles_instead_of_fixed_colours() -> None:
    named: set[str] = set()
    for name, spec in charts.designs_for("USD").items():
        for view in layers(spec):
            m = mark(view)
            assert not set(COLOUR_KEYS) & set(m), f"{name}: a fixed colour in {m}"
            named.update(styles(view))
            for channel in COLOUR_KEYS:
                assert "value" not in view.get("encoding", {}).get(channel, {}), (
                    f"{name}: fixed {channel}"
                )
    assert named <= set(charts.THEMES["light"]["style"]) == set(charts.THEMES["dark"]["style"])
    assert {"sp-break-even", "sp-company", "sp-interval", "sp-context", "sp-label-halo"} <= named


def test_dark_theme_draws_reference_marks_light_on_dark() -> None:
    def luminance(colour: str) -> float:
        r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = charts.THEMES["light"]["style"], charts.THEMES["dark"]["style"]
    for style in ("sp-break-even", "sp-company", "sp-interval", "sp-median", "sp-cell-label"):
        assert luminance(dark[style]["color"]) > 0.45 > luminance(light[style]["color"]) - 0.2, (
            style
        )
    assert "#000000" not in charts.THEMES["dark"]["range"]["category"]
    assert charts.THEMES["light"]["range"]["category"] == list(charts.OKABE_ITO)
    script = charts.theme_script()
    assert json.loads(script.split("=", 1)[1].strip().rstrip(";")) == charts.THEMES


def test_quadrants_are_cool_when_productive_and_warm_when_not() -> None:
    spec = charts.design("activity_scatter", "USD")
    scale = spec["layer"][0]["encoding"]["color"]["scale"]
    colour = dict(zip(scale["domain"], scale["range"], strict=True))
    assert {colour[BUSY_PRODUCTIVE], colour[QUIET_PRODUCTIVE]} == {charts.GOOD, charts.GOOD_TOO}
    assert {colour[BUSY_UNPRODUCTIVE], colour[QUIET_UNPRODUCTIVE]} == {charts.BAD, charts.BAD_TOO}
    assert set(colour.values()) <= set(charts.OKABE_ITO)
    assert spec["layer"][0]["encoding"]["color"]["title"] == "Against the medians (dashed)"


def test_the_median_tick_is_in_the_legend() -> None:
    spec = spec_of(
        "activity_mix", [{"kind": "Call", "per_month": 3.0, "median_rep_per_month": 4.0}]
    )
    bars, ticks = spec["layer"]
    assert mark(ticks)["type"] == "tick"
    assert bars["encoding"]["color"]["scale"]["domain"] == ["This rep", "Median rep"]
    assert bars["transform"] == [{"calculate": '"This rep"', "as": "series"}]
    assert ticks["transform"] == [{"calculate": '"Median rep"', "as": "series"}]
    assert {"This rep", "Median rep"} <= set(svg_texts(spec))


def test_forecast_has_a_legend_for_actual_projection_and_interval() -> None:
    rows = [
        {"month": "2025-01-01", "kind": "actual", "revenue": 5.0, "low": None, "high": None},
        {"month": "2025-02-01", "kind": "forecast", "revenue": 6.0, "low": 4.0, "high": 8.0},
        {"month": "2025-03-01", "kind": "forecast", "revenue": 7.0, "low": 5.0, "high": 9.0},
    ]
    spec = spec_of("forecast_path", rows)
    band, path = spec["layer"]
    for view in (band, path):
        assert view["encoding"]["color"]["scale"]["domain"] == [
            "Actual",
            "Projection",
            "80 % interval",
        ]
    assert {"Actual", "Projection", "80 % interval"} <= set(svg_texts(spec))
    entity = spec_of(
        "forecast_by_entity",
        [{"id": "A", "reconciled": 5.0, "reconciled_low": 3.0, "reconciled_high": 7.0}],
    )
    assert {"Projection", "80 % interval"} <= set(svg_texts(entity))


def test_forecast_by_entity_sorts_every_layer_alike_with_a_unionable_op() -> None:
    """Vega-Lite unions the y domains of the bar and whisker layers: only count/min/max sorts survive that
    (any other is dropped with a console warning), and both layers must ask for the same order."""
    spec = spec_of(
        "forecast_by_entity",
        [
            {"id": "A", "reconciled": 5.0, "reconciled_low": 3.0, "reconciled_high": 7.0},
            {"id": "B", "reconciled": 9.0, "reconciled_low": 8.0, "reconciled_high": 10.0},
        ],
    )
    sorts = [view["encoding"]["y"]["sort"] for view in spec["layer"]]
    assert sorts == [{"field": "reconciled", "op": "max", "order": "descending"}] * 2
    svg = vl_convert.vegalite_to_svg(spec)
    assert svg.index(">B</text>") < svg.index(">A</text>"), (
        "the highest projection is drawn first (top)"
    )


# --- many series -----------------------------------------------------------------------------------


def groups_frame(count: int) -> pd.DataFrame:
    rows = [
        {
            "group": f"M{g:03d}",
            "year": str(year),
            "value_ratio": g / 10 + (year - 2024) / 100,
            "revenue": 1_000.0 * g,
        }
        for g in range(count)
        for year in (2024, 2025)
    ]
    return pd.DataFrame(rows)


def test_a_few_series_are_coloured_lines() -> None:
    spec = charts.group_chart("value_ratio", groups_frame(charts.MAX_SERIES))
    assert spec.design == "value_ratio_by_group_year"
    assert {r["group"] for r in spec.rows} == {f"M{g:03d}" for g in range(charts.MAX_SERIES)}


def test_many_series_highlight_the_highest_and_lowest_over_grey() -> None:
    spec = charts.group_chart("value_ratio", groups_frame(150))
    assert spec.design == "value_ratio_by_group_year_many"
    shown = {r["group"] for r in spec.rows if r["highlight"]}
    assert shown == {"M000", "M001", "M002", "M147", "M148", "M149"}
    grey, coloured = spec_of(spec.design, spec.rows)["layer"][:2]
    assert mark(grey)["style"] == "sp-context" and grey["encoding"]["detail"]["field"] == "group"
    assert grey["transform"] == [{"filter": "!datum.highlight"}]
    assert coloured["transform"] == [{"filter": "datum.highlight"}]
    assert coloured["encoding"]["color"]["title"] == "Highest and lowest 3 (others grey)"
    for view in (grey, coloured):  # every line names itself on hover
        assert view["encoding"]["tooltip"][0] == {
            "field": "group",
            "type": "nominal",
            "title": "Name",
        }
    revenue = charts.group_chart("revenue", groups_frame(150))
    assert (
        revenue.design == "revenue_by_group_year_many"
        and sum(r["highlight"] for r in revenue.rows) == 12
    )


def test_managers_page_uses_the_many_series_design_beyond_eight(example_build: Path) -> None:
    specs = dict(example_specs(example_build))
    ratio = specs["managers/index.html#chart-managers-ratio"]
    managers = {r["group"] for r in ratio["data"]["values"]}
    many = len(managers) > charts.MAX_SERIES
    assert ("highlight" in ratio["data"]["values"][0]) == many


def test_heatmap_tooltips_name_the_two_dimensions() -> None:
    seen = {}
    for pair in charts.CROSSES:
        for measure in ("revenue", "value_ratio"):
            spec = charts.design(charts.heatmap_design(measure, pair), "USD")
            seen[(pair, measure)] = [t["title"] for t in spec["encoding"]["tooltip"]][:2]
    assert seen[(("region", "category"), "revenue")] == ["Region", "Category"]
    assert seen[(("channel", "category"), "value_ratio")] == ["Channel", "Category"]
    ratio = charts.design(charts.heatmap_design("value_ratio", ("region", "category")), "USD")
    scale = ratio["layer"][0]["encoding"]["color"]["scale"]
    # Break-even is always in the domain, so the pale middle of the scheme is at 1 on every heatmap.
    assert scale == {
        "scheme": "blueorange",
        "reverse": True,
        "domain": {"unionWith": [1.0]},
        "domainMid": 1.0,
    }
    assert ratio["layer"][0]["encoding"]["color"]["title"] == "Value ratio (1 = break-even)"


def test_the_example_draws_the_published_company_ratio(example_build: Path) -> None:
    company = pd.read_csv(example_build / "data" / "company_history.csv").dropna(
        subset=["value_ratio"]
    )
    specs = dict(example_specs(example_build))
    overview = specs["index.html#chart-ratio-distribution"]
    latest = company.iloc[-1]
    assert overview["datasets"]["company_now"] == [
        {
            "value_ratio": pytest.approx(latest["value_ratio"]),
            "label": f"Company {latest['value_ratio']:.2f}",
        }
    ]
    rep_charts = [
        s
        for name, s in specs.items()
        if name.startswith("reps/") and name.endswith("#chart-rep-ratio-year")
    ]
    assert rep_charts
    for spec in rep_charts:
        assert [r["value_ratio"] for r in spec["datasets"]["company"]] == pytest.approx(
            company["value_ratio"].tolist()
        )
        assert [r["year"] for r in spec["datasets"]["company"]] == [
            str(int(y)) for y in company["year"]
        ]


def test_heatmap_counts_are_written_to_read_on_their_cells() -> None:
    rows = [
        {"row": "A", "column": c, "value_ratio": r, "deals": d, "few_deals": few}
        for c, r, d, few in (
            ("x", 0.2, 21, False),
            ("y", 1.05, 22, False),
            ("z", 4.0, 23, False),
            ("w", 4.0, 5, True),
        )
    ]
    spec = spec_of(charts.heatmap_design("value_ratio", ("region", "category")), rows)
    # as salesperf.js draws it
    svg = vl_convert.vegalite_to_svg({**spec, "config": charts.THEMES["light"]})
    by_count = {
        count: fill.lower()
        for fill, count in re.findall(r'<text[^>]*fill="([^"]+)"[^>]*>(\d+)</text>', svg)
    }
    styles = charts.THEMES["light"]["style"]
    # far below and far above 1
    assert by_count["21"] == by_count["23"] == styles["sp-cell-label-strong"]["color"]
    assert by_count["22"] == styles["sp-cell-label-pale"]["color"]  # near break-even: pale cell
    assert by_count["5"] == styles["sp-cell-label"]["color"]  # faded: the theme's ink
    dark_svg = vl_convert.vegalite_to_svg({**spec, "config": charts.THEMES["dark"]})
    dark = {
        count: fill.lower()
        for fill, count in re.findall(r'<text[^>]*fill="([^"]+)"[^>]*>(\d+)</text>', dark_svg)
    }
    assert dark["5"] == charts.THEMES["dark"]["style"]["sp-cell-label"]["color"] != by_count["5"]
    assert {k: v for k, v in dark.items() if k != "5"} == {
        k: v for k, v in by_count.items() if k != "5"
    }


def test_value_ratio_maps_name_the_company_ratio(example_build: Path) -> None:
    """The heatmaps diverge at break-even; the company's ratio, the yardstick of a weak segment, is
    written beside them (a heatmap has no line to draw it with)."""
    company = pd.read_csv(example_build / "data" / "company_history.csv").set_index("year")[
        "value_ratio"
    ]
    for folder in ("regions", "categories", "channels"):
        page = " ".join((example_build / folder / "index.html").read_text(encoding="utf-8").split())
        assert (
            f"the company as a whole is at <strong>{company.iloc[-1]:.2f}</strong>, the yardstick of a weak"
            in page
        ), folder
