"""The metric registry: every published figure and every table header has one entry, and the
methodology page states each figure's formula from it."""

from __future__ import annotations

import csv
import html
import re
from pathlib import Path

import pytest

from generator.metrics import (
    REP_COLUMNS,
    REP_EXTRA_COLUMNS,
    activity,
    coaching,
    forecast,
    goals,
    history,
    managers,
    segments,
)
from generator.metrics.compute import PERFORMANCE_COLUMNS
from generator.metrics.definitions import FIGURES, PRIVATE, Unit, figure, label_of
from generator.site.common import SiteInfo
from generator.site.pages.methodology import MethodologyPage, glossary, published_columns
from generator.site.tables import Column
from generator.vocabulary import DIMENSIONS, GOAL_METRICS

CURRENCY = re.compile(r" \([A-Z]{3}\)$")


def _data_columns(site: Path) -> dict[str, set[str]]:
    """Column name → the data files (relative paths) that have it."""
    found: dict[str, set[str]] = {}
    for path in sorted((site / "data").rglob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for name in next(csv.reader(handle), []):
                found.setdefault(name, set()).add(str(path.relative_to(site)))
    return found


def _headers(site: Path) -> dict[str, set[str]]:
    """Header text of every table cell ``<th>`` on the site → the pages that show it."""
    found: dict[str, set[str]] = {}
    for page in sorted(site.rglob("*.html")):
        for raw in re.findall(r"<th[^>]*>(.*?)</th>", page.read_text(encoding="utf-8"), flags=re.S):
            found.setdefault(html.unescape(re.sub(r"<[^>]+>", "", raw)).strip(), set()).add(
                str(page.relative_to(site))
            )
    return found


def _declared(header: str) -> bool:
    """True when ``header`` (currency suffix removed) is a header some registry entry declares."""
    bare = CURRENCY.sub("", header)
    for entry in FIGURES.values():
        for declared in entry.headers:
            pattern = re.escape(declared).replace(re.escape("{period}"), r"\S+")
            if re.fullmatch(pattern, bare):
                return True
    return False


def test_every_column_of_every_data_file_has_an_entry(example_build: Path) -> None:
    missing = {
        name: sorted(files)[:3]
        for name, files in _data_columns(example_build).items()
        if name not in FIGURES
    }
    assert not missing, (
        f"columns without a registry entry (generator/metrics/definitions.py): {missing}"
    )


def test_every_table_header_comes_from_the_registry(example_build: Path) -> None:
    headers = _headers(example_build)
    assert len(headers) > 50  # the example has tables on most pages
    undeclared = {h: sorted(pages)[:3] for h, pages in headers.items() if not _declared(h)}
    assert not undeclared, f"table headers no registry entry declares: {undeclared}"


def test_methodology_states_every_figure_of_the_data_files(example_build: Path) -> None:
    page = (example_build / "methodology" / "index.html").read_text(encoding="utf-8")
    for name in _data_columns(example_build):
        entry = figure(name)
        assert (
            f"<code>{name}</code>: <strong>{html.escape(entry.label, quote=False)}</strong>" in page
        ), name


def test_glossary_lists_each_figure_with_its_formula() -> None:
    text = glossary(set(FIGURES))
    for entry in FIGURES.values():
        assert f"- `{entry.name}`: **{entry.label}** ({entry.unit}" in text
        assert entry.formula in text
    assert "compensation" in next(line for line in text.splitlines() if "`annual_cost`" in line)
    assert glossary({"value_ratio"}).count("\n") == 0


def test_published_columns_reads_the_csv_headers_only() -> None:
    files = {
        "data/reps.csv": "rep_id,value_ratio\nR1,2.0\n",
        "data/reps.json": "[]",
        "reps/index.md": "a,b\n",
    }
    assert published_columns(files) == {"rep_id", "value_ratio"}


def test_methodology_formulas_come_from_the_registry() -> None:
    page = MethodologyPage.definition  # the template states these through the registry
    assert page(None, "value_ratio") == f"**Value ratio** = {figure('value_ratio').formula}"  # type: ignore[arg-type]
    template = (
        Path(__file__).resolve().parent.parent / "templates" / "methodology.md.j2"
    ).read_text(encoding="utf-8")
    for name in ("revenue", "win_rate", "avg_deal_size", "sales_cycle_days", "value_ratio"):
        assert f'page.definition("{name}")' in template


def test_a_figure_without_an_entry_fails() -> None:
    with pytest.raises(KeyError, match="no entry in the metric registry"):
        Column.of("no_such_figure")
    with pytest.raises(KeyError, match="no_such_figure"):
        label_of("no_such_figure")


def test_a_header_the_registry_does_not_declare_fails() -> None:
    with pytest.raises(ValueError, match="not a header of 'value_ratio'"):
        Column.of("value_ratio", "Ratio")


def test_column_takes_header_format_and_alignment_from_the_registry() -> None:
    ratio = Column.of("value_ratio")
    assert (ratio.field, ratio.label, ratio.numeric, ratio.fmt(2.5)) == (
        "value_ratio",
        "Value ratio",
        True,
        "2.50",
    )
    revenue = Column.of("revenue", "Revenue {period}", currency="EUR", period="FY2025")
    assert (revenue.label, revenue.fmt(1234.5)) == ("Revenue FY2025 (EUR)", "1,234")
    assert Column.of("won_deals").label == "Won"
    assert Column.of("win_rate").fmt(0.25) == "25.0 %"
    assert Column.of("year", field="label").field == "label"
    assert Column.of("annual_cost").private


@pytest.mark.parametrize("show", [True, False])
def test_compensation_columns_follow_the_private_flag(show: bool) -> None:
    info = SiteInfo("t", "USD", "2025", "2025-06-30", show_compensation=show, has_costs=True)
    fields = [
        c.field for c in info.columns("revenue", "annual_cost", "allocated_cost", "value_ratio")
    ]
    assert fields == (
        ["revenue", "annual_cost", "allocated_cost", "value_ratio"]
        if show
        else ["revenue", "value_ratio"]
    )
    assert info.shows("annual_cost") is show and info.shows("value_ratio")


def test_the_compensation_figures() -> None:
    assert {
        "annual_cost",
        "allocated_cost",
        "cost_per_rep",
        "coaching_cost",
        "mean_coaching_cost",
        "cost_per_point",
        "payback_months",
    } == PRIVATE


@pytest.mark.parametrize(
    "columns",
    [
        REP_COLUMNS,
        REP_EXTRA_COLUMNS,
        PERFORMANCE_COLUMNS,
        history.HISTORY_COLUMNS,
        history.QUARTER_COLUMNS,
        segments.SEGMENT_COLUMNS,
        segments.CURRENT_COLUMNS,
        segments.CROSS_COLUMNS,
        coaching.EFFECT_COLUMNS,
        coaching.EVENT_COLUMNS,
        coaching.MISSED_COLUMNS,
        managers.MANAGER_YEAR_COLUMNS,
        managers.LEAVER_COLUMNS,
        goals.TEAM_ATTAINMENT_COLUMNS,
        goals.CALIBRATION_COLUMNS,
        forecast.FORECAST_COLUMNS,
        forecast.PATH_COLUMNS,
        activity.ACTIVITY_COLUMNS,
        activity.MIX_COLUMNS,
        activity.CORRELATION_COLUMNS,
    ],
    ids=lambda c: c[0],
)
def test_every_column_list_of_the_metrics_names_registered_figures(columns: list[str]) -> None:
    assert [c for c in columns if c not in FIGURES] == []


def test_vocabulary_names_registered_figures() -> None:
    assert set(GOAL_METRICS) <= set(FIGURES)
    assert set(DIMENSIONS) <= set(FIGURES)
    assert all(FIGURES[d].label == DIMENSIONS[d].heading for d in DIMENSIONS)


def test_each_label_names_one_figure() -> None:
    labels = [entry.label for entry in FIGURES.values()]
    assert len(labels) == len(set(labels))


def test_every_entry_is_complete() -> None:
    for entry in FIGURES.values():
        assert entry.label and entry.formula and entry.spec.startswith("§"), entry.name
        assert isinstance(entry.unit, Unit)


def test_contract_kinds_come_from_the_registry() -> None:
    """A published figure's column kind is the registry's: declared once, read by the contracts."""
    from generator.contracts import terms

    assert not set(terms._OWN) & set(FIGURES), "a figure is declared again in the contracts"
    for name, fig in FIGURES.items():
        expected = fig.kind or terms._UNIT_KIND[fig.unit.value].value
        assert terms.TERMS[name].kind.value == expected, name
        assert (terms.TERMS[name].low, terms.TERMS[name].high) == (fig.low, fig.high), name
    assert terms.TERMS["win_rate"].kind is terms.Kind.RATE
