"""Table HTML as small snapshots: column order, ``data-value`` cells, default order, wide tables,
index tables loaded lazily at scale, top-and-bottom lists, content tabs and the download menu."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from generator.site import tables
from generator.site.common import Section, SiteInfo, with_download_menu
from generator.site.fragments import plain
from generator.site.pages import reps as reps_pages
from generator.site.pages.figures import rep_columns
from generator.site.render import render
from generator.site.tables import (
    Column,
    by_ratio,
    download_menu,
    html_table,
    index_table,
    long_list,
    shown_order,
    sort_value,
    split_downloads,
    table_rows,
    tabs,
)
from generator.site.text import Markdown

INFO = SiteInfo(
    title="T",
    currency="USD",
    period_label="2024",
    as_of="2024-12-31",
    show_compensation=False,
    has_costs=True,
)


def _reps(n: int = 4) -> pd.DataFrame:
    """``n`` reps; rep 2 has no ratio (it must sort last), the others ratios 1.5, 4.25, 0.5, …"""
    ratios = [1.5, np.nan, 4.25, 0.5, *([2.0] * max(0, n - 4))][:n]
    return pd.DataFrame(
        {
            "rep_id": [f"R{i}" for i in range(n)],
            "name": [f"Rep {i}" for i in range(n)],
            "slug": [f"r{i}" for i in range(n)],
            "team": ["East", "West", "East", "West", *(["North"] * max(0, n - 4))][:n],
            "region": ["N"] * n,
            "status": ["current", "current", "former", "current", *(["current"] * max(0, n - 4))][
                :n
            ],
            "revenue": [1234567.891, 0.0, 50.5, np.nan, *([10.0] * max(0, n - 4))][:n],
            "won_deals": [3, 0, 1, 0, *([1] * max(0, n - 4))][:n],
            "lost_deals": [1] * n,
            "win_rate": [0.75, np.nan, 0.5, 0.0, *([0.5] * max(0, n - 4))][:n],
            "clients": [2] * n,
            "mean_client_ltv": [1000.0] * n,
            "annual_cost": [100.0] * n,
            "value_ratio": ratios,
        }
    )


def _headers(html: str) -> list[str]:
    return re.findall(r'<th [^>]*data-field="([^"]*)"', html)


def test_reps_index_columns_default_order_and_data_values() -> None:
    page, rows = reps_pages.reps_index_page(INFO, _reps(), (3, 1))
    html = str(page.table)
    assert rows == {}
    # Name, value ratio and revenue first; compensation hidden; key columns before the rest.
    assert _headers(html) == [
        "name",
        "value&#95;ratio",
        "revenue",
        "team",
        "region",
        "status",
        "win&#95;rate",
        "won&#95;deals",
        "lost&#95;deals",
        "clients",
        "mean&#95;client&#95;ltv",
    ]
    assert 'data-field="value&#95;ratio" data-type="number" aria-sort="descending"' in html
    assert html.count("data-facet") == 3  # team, region, status
    assert 'class="sp-table sp-sortable sp-index sp-long" data-noun="reps" data-keys="7"' in html
    assert "Show all 11 columns (4 more)" in html
    # Highest ratio first, the rep without a ratio last.
    names = re.findall(r'<a href="[^"]*">(Rep \d)</a>', html)
    assert names == ["Rep 2", "Rep 0", "Rep 3", "Rep 1"]
    first = html.split("<tbody>")[1].split("</tr>")[0]
    assert first == (
        '\n<tr data-terms="R2"><td><a href="r2/">Rep 2</a></td><td data-value="4.25">4.25</td>'
        '<td data-value="50.5">50</td><td>East</td><td>N</td><td>former</td>'
        '<td data-value="0.5">50.0 %</td><td data-value="1">1</td><td data-value="1">1</td>'
        '<td data-value="2">2</td><td data-value="1000">1,000</td>'
    )
    last = html.split("</tbody>")[0].rsplit("<tr>", 1)[1]
    assert '<td data-value="">—</td>' in last  # no ratio: an empty data-value, shown as a dash


def test_reps_index_puts_ranked_reps_first_and_marks_the_others() -> None:
    reps = _reps().assign(ranked=[True, False, False, True])
    page, _rows = reps_pages.reps_index_page(INFO, reps, (3, 1))
    html = str(page.table)
    # Ranked by ratio (Rep 0 1.5, Rep 3 0.5), then the former Rep 2 (4.25, marked), then no ratio.
    assert re.findall(r'<a href="[^"]*">(Rep \d)</a>', html) == ["Rep 0", "Rep 3", "Rep 2", "Rep 1"]
    assert html.count('class="sp-unranked"') == 1
    assert '<td data-value="4.25">4.25 <span class="sp-unranked"' in html


def test_sort_value_is_the_raw_number() -> None:
    assert sort_value(1234567.891) == "1234567.89"
    assert sort_value(np.int64(855)) == "855"
    assert sort_value(np.nan) == sort_value(None) == sort_value(pd.NA) == ""
    assert sort_value(float("inf")) == ""
    assert sort_value(True) == ""
    assert sort_value("1–2") == "1" and sort_value("≥10") == "5"  # a privacy band sorts by its rank
    assert sort_value("text") == ""


def test_by_ratio_puts_empty_last_and_orders_bands() -> None:
    frame = pd.DataFrame({"name": ["b", "a", "c", "d"], "value_ratio": [2.0, 2.0, np.nan, 7.5]})
    assert by_ratio(frame, "name")["name"].tolist() == ["d", "a", "b", "c"]
    banded = pd.DataFrame(
        {"name": ["x", "y", "z"], "value_ratio": ["1–2", None, "5–10"]}, dtype=object
    )
    assert by_ratio(banded, "name")["name"].tolist() == ["z", "x", "y"]


def test_narrow_tables_show_every_column() -> None:
    columns = [Column("a", "A"), Column("b", "B", numeric=True)]
    html = plain(
        html_table(columns, table_rows(pd.DataFrame({"a": ["x"], "b": [1]}), columns), "t.csv")
    )
    assert "data-keys" not in html and "sp-more-toggle" not in html
    assert html.endswith('<p class="sp-download"><a href="t.csv" download>Download CSV</a></p>')


def test_wide_table_writes_key_columns_first() -> None:
    columns = [Column(f"c{i}", f"C{i}") for i in range(10)]
    columns[8] = replace(columns[8], key=True)
    ordered, keys = shown_order(columns)
    assert [c.field for c in ordered] == [
        "c0",
        "c1",
        "c2",
        "c3",
        "c4",
        "c8",
        "c5",
        "c6",
        "c7",
        "c9",
    ]
    assert keys == 6
    frame = pd.DataFrame({f"c{i}": [str(i)] for i in range(10)})
    assert table_rows(frame, columns) == [
        "<tr>" + "".join(f"<td>{i}</td>" for i in (0, 1, 2, 3, 4, 8, 5, 6, 7, 9)) + "</tr>"
    ]


def test_index_table_moves_rows_to_a_fragment_at_scale(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = _reps(130).assign(href=lambda t: [f"{s}/" for s in t["slug"]])
    frame = by_ratio(frame, "name")
    monkeypatch.setattr(tables, "INLINE_BYTES", 10_000)
    built = index_table(
        frame, rep_columns(INFO), "../data/reps.csv", here="reps/index.md", name="reps", noun="reps"
    )
    assert list(built.files) == ["data/rows/reps.json"]
    fragment = "\n".join(json.loads(built.files["data/rows/reps.json"]))
    assert fragment.count("<tr>") == 130
    assert built.html.count("<tr>") == 1 + tables.PAGE_SIZE  # the header row and the first page
    assert 'data-rows-src="../data/rows/reps.json" data-total="130"' in built.html
    # The page's rows are the fragment's first rows, in the same (default) order.
    page_rows = re.findall(r"<tr><td>.*?</tr>", built.html)
    assert page_rows == re.findall(r"<tr><td>.*?</tr>", fragment)[: tables.PAGE_SIZE]


def test_long_list_shows_top_and_bottom() -> None:
    frame = pd.DataFrame(
        {"name": [f"n{i:02d}" for i in range(30)], "score": list(range(30, 0, -1))}
    )
    columns = [Column("name", "Name"), Column("score", "Score", numeric=True)]
    html = long_list(frame, columns, "all.csv", "are on the reps' pages")
    names = re.findall(r"<td>(n\d\d)</td>", html)
    assert names == [f"n{i:02d}" for i in (*range(10), *range(20, 30))]
    assert (
        "… 10 more between the top 10 and the bottom 10 (all 30 are on the reps&#39; pages and in the CSV)"
        in (html.replace("'", "&#39;"))
    )
    assert "sp-sortable" not in html  # a cut list is not re-sorted
    short = long_list(frame.head(20), columns, None, "x")
    assert short.count("<tr><td>") == 20 and "more between" not in short


def test_tabs_markup() -> None:
    html = plain(tabs("goals", [("2024", "<p>a</p>"), ("2023 <b>", "<p>b</p>")]))
    assert html.startswith(
        '<div class="tabbed-set tabbed-alternate" data-tabs="2">'
        '<input checked id="sp-tabs-goals-0" name="sp-tabs-goals" type="radio">'
        '<input id="sp-tabs-goals-1" name="sp-tabs-goals" type="radio">'
    )
    assert '<label for="sp-tabs-goals-1">2023 &#60;b&#62;</label>' in html
    assert html.count('<div class="tabbed-block">') == 2
    assert tabs("x", []) == ""


def test_download_menu_gathers_the_links() -> None:
    body = html_table([Column("a", "A")], ["<tr><td>1</td></tr>"], "../data/x-1.csv")
    stripped, hrefs = split_downloads(body + "\n\n" + body.replace("x&#45;1", "y"))
    assert hrefs == ["../data/x-1.csv", "../data/y.csv"]
    assert "Download CSV" not in stripped and stripped.count("<table>") == 2
    menu = plain(download_menu([*hrefs, "../data/y.csv"], (("All (JSON)", "../data/all.json"),)))
    assert menu == (
        '<details class="sp-downloads abstract"><summary>Download data (3 files)</summary>\n<ul>'
        '<li><a href="../data/x&#45;1.csv" download>x&#45;1.csv</a></li>'
        '<li><a href="../data/y.csv" download>y.csv</a></li>'
        '<li><a href="../data/all.json" download>All (JSON)</a></li></ul>\n</details>'
    )
    assert download_menu([]) == ""


def test_download_links_are_taken_out_with_the_line_break_before_them() -> None:
    link = '<p class="sp-download"><a href="a&#45;1.csv" download>Download CSV</a></p>'
    body, hrefs = split_downloads(f"{link}x\n{link}\n\n{link}y{link}")
    assert (body, hrefs) == ("x\ny", ["a-1.csv"] * 4)
    assert split_downloads("no table") == ("no table", [])


def _awkward_frame() -> pd.DataFrame:
    """Text with commas, quotes, line breaks, formulas and a %; missing and infinite numbers; mixed cells."""
    return pd.DataFrame(
        {
            "name": pd.Series(
                ['a, "b"', "=1+1", None, "line\nbreak", "cr\r", "%s"], dtype="string"
            ),
            "note": pd.Series(["", "é ü", " x ", "", None, '"'], dtype="string"),
            "amount %": [1.5, np.nan, float("inf"), -0.0, 1e23, 0.1 + 0.2],
            "count": [1, 2, 3, 4, 5, 6],
            "flag": [True, False, True, True, False, False],
            "day": pd.to_datetime(
                ["2024-01-31", None, "2024-02-29", "2024-03-01", "2024-04-01", "2024-05-01"]
            ),
            "mixed": pd.Series([1, 2.5, "x,y", None, np.int64(7), np.float64("nan")], dtype=object),
            "late": pd.Series([1, None, 3, 4, 5, 6], dtype="Int64"),
        }
    )


def test_json_download_is_json_dumps_of_the_records() -> None:
    frame = _awkward_frame()
    for part in (frame, frame.iloc[:0], frame[["count"]], frame[["name", "mixed"]]):
        expected = (
            json.dumps(tables.records(part), ensure_ascii=False, indent=None, separators=(",", ":"))
            + "\n"
        )
        assert tables.to_json(part) == expected


def test_csv_cells_are_the_csv_modules() -> None:
    import csv
    import io

    for frame in (_awkward_frame(), _awkward_frame()[["note"]]):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(frame.columns)
        for row in tables.records(frame):
            writer.writerow(
                [
                    ""
                    if v is None
                    else "'" + v
                    if isinstance(v, str) and v.startswith(tables.FORMULA_START)
                    else repr(v)
                    if isinstance(v, float)
                    else v
                    for v in row.values()
                ]
            )
        assert tables.to_csv(frame) == buffer.getvalue()


def test_rep_page_has_one_download_menu() -> None:
    page = reps_pages.RepPage(
        site=INFO,
        name="n",
        facts=Markdown(""),
        rank_note="",
        kpis=html_table([Column("a", "A")], ["<tr><td>1</td></tr>"], "s.csv"),
        ratio_note="",
        revenue_by_year=Markdown(""),
        revenue_by_month=Markdown(""),
        ratio_by_year=None,
        history=html_table([Column("a", "A")], ["<tr><td>1</td></tr>"], "h.csv"),
        clients=html_table([Column("a", "A")], ["<tr><td>1</td></tr>"], "c.csv"),
        client_count=1,
        sections=(
            Section(
                "Goals", Markdown(html_table([Column("a", "A")], ["<tr><td>1</td></tr>"], "g.csv"))
            ),
        ),
    )
    menu = with_download_menu(page)
    assert re.findall(r'<a href="([^"]*)" download>', str(menu.downloads)) == [
        "s.csv",
        "h.csv",
        "c.csv",
        "g.csv",
    ]
    rendered = render("rep.md.j2", page=menu)
    assert "Download CSV" not in rendered and rendered.count("Download data (4 files)") == 1
