"""End-to-end builds of small exports: the site a user gets, its files and its failure modes."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from generator.build import build
from generator.errors import BuildError, ConfigError, DataError
from generator.site.text import slug
from tests.conftest import (
    CANARY_SALARY,
    FORMULA_NAME,
    XSS_NAME,
    read_reps_csv,
    write_crm_export,
    write_exports,
)

PINNED = [
    "rep_id",
    "name",
    "team",
    "region",
    "clients",
    "mean_client_ltv",
    "annual_cost",
    "value_ratio",
    "revenue",
    "won_deals",
    "lost_deals",
    "win_rate",
]


def _tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _failed_rebuild(
    config: Path, site: Path, error: type[Exception] = BuildError, *, force: bool = True
) -> str:
    """Build ``config`` into ``site`` again: it must fail with ``error`` and leave the published
    site as it was, byte for byte. Returns the error's text."""
    before = _tree_digest(site)
    with pytest.raises(error) as failed:
        build(config, site, force=force)
    assert _tree_digest(site) == before
    return str(failed.value)


@pytest.fixture
def crm_site(hostile_build: Path) -> Path:
    """The CRM fixture's site, built once per session (conftest); tests only read it."""
    return hostile_build


def test_reps_csv_pinned_columns_and_worked_example(crm_site: Path) -> None:
    reps = read_reps_csv(crm_site).set_index("rep_id")
    assert [c for c in PINNED if c != "annual_cost"] == reps.reset_index().columns.tolist()[:11]
    assert "annual_cost" not in reps.columns  # show_compensation: false
    assert reps.loc["A", "value_ratio"] == 5
    assert reps.loc["B", "value_ratio"] == 2
    assert reps.loc["A", "revenue"] == 1_000_000
    assert reps.loc["A", "win_rate"] == 0.75
    assert pd.isna(reps.loc["X", "win_rate"])  # empty cell, not 0 or NaN text
    raw = (crm_site / "data" / "reps.csv").read_text(encoding="utf-8")
    assert non_finite_cells(crm_site / "data" / "reps.csv") == []  # no NaN text in any column
    assert ",,," in raw  # missing figures are empty cells


NOT_A_FIGURE = {
    "nan",
    "NaN",
    "-nan",
    "inf",
    "-inf",
    "+inf",
    "Infinity",
    "-Infinity",
    "<NA>",
    "NaT",
    "None",
}
"""What Python, numpy and pandas write for a missing or infinite number; SPEC §6 wants an empty cell."""


def non_finite_cells(path: Path) -> list[tuple[str, int, str, str]]:
    """Every cell of a CSV or JSON data file written as NaN, inf or a null placeholder: (file, row, column, cell)."""
    found: list[tuple[str, int, str, str]] = []
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":

        def refuse(constant: str) -> float:
            found.append((path.name, 0, "", constant))
            return 0.0

        rows = json.loads(text, parse_constant=refuse)
        for number, row in enumerate(rows, start=1):
            found += [
                (path.name, number, k, v)
                for k, v in row.items()
                if isinstance(v, str) and v in NOT_A_FIGURE
            ]
        return found
    lines = list(csv.reader(io.StringIO(text)))
    header = lines[0] if lines else []
    for number, cells in enumerate(lines[1:], start=2):
        found += [
            (path.name, number, c, v)
            for c, v in zip(header, cells, strict=True)
            if v.strip() in NOT_A_FIGURE
        ]
    return found


def test_no_data_file_has_nan_or_inf_in_any_column(crm_site: Path) -> None:
    files = sorted(p for p in (crm_site / "data").rglob("*") if p.suffix in (".csv", ".json"))
    assert len(files) > 20
    assert [cell for path in files for cell in non_finite_cells(path)] == []


def test_the_nan_check_sees_every_column(tmp_path: Path) -> None:
    planted = tmp_path / "t.csv"
    for row in ("nan,1,2", "1,NaN,2", "1,2,inf", "1,-Infinity,2"):
        planted.write_text(f"a,b,c\n{row}\n", encoding="utf-8")
        assert len(non_finite_cells(planted)) == 1, row
    planted = tmp_path / "t.json"
    planted.write_text('[{"a": 1, "b": NaN}, {"a": "nan", "b": 2}]', encoding="utf-8")
    assert len(non_finite_cells(planted)) == 2


def test_every_rep_has_a_stable_page(crm_site: Path) -> None:
    for rep_id in ("A", "B", "X", "Y"):
        assert (crm_site / "reps" / slug(rep_id, "rep") / "index.html").exists()
        assert (
            crm_site / "reps" / rep_id.lower() / "index.html"
            # the 0.1 address redirects
        ).exists()
    assert (crm_site / "teams" / slug("East", "team") / "index.html").exists()
    for page in ("data-quality", "methodology", "reps", "teams"):
        assert (crm_site / page / "index.html").exists()


def test_footer_rows_listed_as_excluded(crm_site: Path) -> None:
    quality = pd.read_csv(crm_site / "data" / "data_quality.csv")
    footer = quality[quality["problem"].str.startswith("report footer")]
    assert footer["row"].tolist() == [13, 14, 15, 16]  # the blank footer line is not a row
    assert set(footer["action"]) == {"row excluded"}
    page = (crm_site / "data-quality" / "index.html").read_text(encoding="utf-8")
    assert "Grand Totals (10 records)" in page
    assert "report footer" in page


def test_data_text_is_escaped_everywhere(crm_site: Path) -> None:
    # Pages and the search index (read by the browser as HTML) carry only escaped text; the
    # data/*.json downloads keep the exact text, as data.
    for path in [*crm_site.rglob("*.html"), crm_site / "search" / "search_index.json"]:
        text = path.read_text(encoding="utf-8")
        assert "<script>alert(1)" not in text, path
    page = (crm_site / "reps" / slug("X", "rep") / "index.html").read_text(encoding="utf-8")
    assert "&#60;script&#62;alert(1)&#60;/script&#62;" in page
    csv = (crm_site / "data" / "reps.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK(" in csv  # formula neutralised
    assert XSS_NAME in csv  # CSV keeps the text as text
    reps = read_reps_csv(crm_site).set_index("rep_id")
    assert reps.loc["Y", "name"] == "'" + FORMULA_NAME


def test_negative_numbers_stay_numbers() -> None:
    from generator.site.tables import to_csv

    frame = pd.DataFrame(
        {"name": pd.array(["-x", "@y", "ok"], dtype="string"), "amount": [-5.0, 1.0, None]}
    )
    assert to_csv(frame) == "name,amount\n'-x,-5.0\n'@y,1.0\nok,\n"


def test_compensation_canary_never_published(crm_site: Path) -> None:
    canary = {f"{CANARY_SALARY}", f"{CANARY_SALARY:,.0f}", "987654", "987,654"}
    for path in crm_site.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".json", ".csv", ".xml", ".md"}:
            text = path.read_text(encoding="utf-8")
            assert not any(c in text for c in canary), path


def test_compensation_shown_when_allowed(tmp_path: Path) -> None:
    config = write_crm_export(tmp_path / "export", show_compensation=True)
    site = build(config).out
    reps = read_reps_csv(site).set_index("rep_id")
    assert reps.reset_index().columns.tolist()[:12] == PINNED
    assert reps.loc["A", "annual_cost"] == 100_000
    assert reps.loc["X", "annual_cost"] == CANARY_SALARY


def test_no_remote_assets(crm_site: Path) -> None:
    for path in crm_site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for attribute in (
            'src="http',
            "src='http",
            'href="http',
            "fonts.googleapis",
            "cdn.jsdelivr",
            "unpkg.com",
        ):
            if attribute.startswith("href"):
                continue  # links the user may click (e.g. the Material footer) load nothing by themselves
            assert attribute not in text, (path, attribute)
        assert 'rel="stylesheet" href="http' not in text
        assert "fonts.gstatic" not in text
    assert (crm_site / "assets" / "vega.js").stat().st_size > 100_000


def test_deals_only_export(tmp_path: Path) -> None:
    (tmp_path / "deals.csv").write_text(
        "deal_id,rep_id,client_id,amount,stage,closed\n"
        "1,r1,c1,100,Won,2024-01-10\n"
        "2,r1,,,Open,\n"
        "3,r2,c2,,Lost,2024-02-10\n"
        "4,r2,,,Negotiation,\n",
        encoding="utf-8",
    )
    (tmp_path / "c.yaml").write_text("sources:\n  deals: {path: deals.csv}\n", encoding="utf-8")
    site = build(tmp_path / "c.yaml", tmp_path / "out").out
    reps = read_reps_csv(site).set_index("rep_id")
    assert reps["value_ratio"].isna().all()
    assert reps.loc["r1", "revenue"] == 100
    assert reps.loc["r2", "win_rate"] == 0
    assert reps.loc["r1", "name"] == "r1"  # named by the id
    overview = (site / "index.html").read_text(encoding="utf-8")
    assert "No cost data was provided" in overview
    # Without ratios nobody can be below break-even: the overview must not say all is well.
    assert (
        '<li data-topic="no_cost_data"><a href="methodology/"><strong>No cost data for any rep'
        in overview
    )
    assert "so none can be found below break-even" in overview
    assert "Nothing needs attention" not in overview
    rep_page = (site / "reps" / "r1" / "index.html").read_text(encoding="utf-8")
    assert "no cost record for any rep" in rep_page
    assert "gives no team for any rep" in (site / "teams" / "index.html").read_text(
        encoding="utf-8"
    )
    for folder, noun in (("regions", "region"), ("categories", "business category")):
        page = (site / folder / "index.html").read_text(encoding="utf-8")
        # no row to list: the page must not send the reader to the data-quality page for them
        assert f"The exports give no {noun} for any of the 2 closed deal(s)" in page, folder
        assert "every such row is listed" not in page, folder


def test_goals_coaching_and_activities_without_a_reps_export(tmp_path: Path) -> None:
    """Every dataset but deals is optional (SPEC §4): without a reps file the reps made from the deals
    have the reps file's column types, so the coaching, activity and team-goal steps that read a
    hiring date build (they stopped with a traceback: ``.dt`` of a text column)."""
    files = {
        "deals.csv": "deal_id,rep_id,client_id,amount,stage,closed\n"
        "D1,R1,C1,100,Won,2024-03-01\nD2,R1,C2,200,Lost,2024-04-01\nD3,R2,C3,300,Won,2024-05-01\n",
        "coaching.csv": "rep_id,start\nR1,2024-02-01\n",
        "activities.csv": "rep_id,date,kind\nR1,2024-02-01,Call\n",
        "goals.csv": "scope,id,year,target\nrep,R1,2024,1000\n",
    }
    site = build(write_exports(tmp_path, files), tmp_path / "out").out
    reps = read_reps_csv(site).set_index("rep_id")
    assert reps.loc["R1", "revenue"] == 100 and reps.loc["R2", "revenue"] == 300
    for page in ("coaching", "activity", "goals"):
        assert (site / page / "index.html").is_file(), page
    goals = (site / "data" / "goals.csv").read_text(encoding="utf-8")
    assert "R1" in goals


def test_an_activities_export_with_no_row_in_the_year_builds_and_says_so(tmp_path: Path) -> None:
    """A header-only activities export (with its count column), or one whose every row is excluded,
    stopped the build with a traceback (a string-typed division in the activity mix)."""
    (tmp_path / "deals.csv").write_text(
        "deal_id,rep_id,stage,closed,amount\nD1,R1,Won,2024-01-01,100\nD2,R1,Lost,2024-01-05,50\n",
        encoding="utf-8",
    )
    (tmp_path / "activities.csv").write_text("rep_id,date,kind,count\n", encoding="utf-8")
    (tmp_path / "c.yaml").write_text(
        "sources: {deals: {path: deals.csv}, activities: {path: activities.csv}}\n",
        encoding="utf-8",
    )
    site = build(tmp_path / "c.yaml", tmp_path / "out").out
    page = (site / "activity" / "index.html").read_text(encoding="utf-8")
    assert "No rep with revenue logged any activity in 2024 up to 2024&#45;01&#45;05" in page
    assert "The quadrants split the 0 reps" not in page
    assert (site / "data" / "activity_mix.csv").read_text(encoding="utf-8").count("\n") == 1


def test_failed_build_leaves_previous_site_untouched(tmp_path: Path) -> None:
    config = write_crm_export(tmp_path / "export")
    site = build(config).out
    (tmp_path / "export" / "deals.csv").write_text(
        "Opportunity ID,Stage\n" + "x,Closed Won\n" * 8, encoding="utf-8"
    )
    message = _failed_rebuild(config, site, DataError, force=False)
    assert re.search(r'sources.deals.columns.amount: column "Amount" not found', message)


def test_mkdocs_failure_keeps_old_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = write_crm_export(tmp_path / "export")
    site = build(config).out

    def broken(*_args: object, **_kwargs: object) -> None:
        raise BuildError("MkDocs build failed: simulated")

    monkeypatch.setattr("generator.build.mkdocs_build", broken)
    _failed_rebuild(config, site)
    assert not [p for p in site.parent.iterdir() if ".new-" in p.name]


def test_chart_designs_are_made_once_per_process_and_a_forked_build_child_reuses_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Making the designs costs ~0.3 s of Altair: a rebuild in the same process (salesperf serve)
    # must not pay it again, nor the second process that prepares the charts while exports load.
    from functools import partial

    from generator.build import chart_assets
    from generator.parallel import in_background
    from generator.site import charts

    made: list[str] = []
    real = charts.chart_designs

    def counted(currency: str) -> dict[str, dict]:
        made.append(currency)
        return real(currency)

    monkeypatch.setattr(charts, "_MADE", {})
    monkeypatch.setattr(charts, "chart_designs", counted)
    first, _ = chart_assets("GBP", tmp_path / "cache")
    assert chart_assets("GBP", tmp_path / "cache")[0] is first and made == ["GBP"]

    def gone(currency: str) -> dict[str, dict]:
        raise AssertionError(f"chart designs for {currency} made again")

    monkeypatch.setattr(charts, "chart_designs", gone)
    with in_background(
        partial(chart_assets, "GBP", tmp_path / "cache"), "preparing the charts", fork=True
    ) as pending:
        assert pending.result()[0] == first
    assert set(charts._MADE) == {"GBP"}  # the child's work is not the parent's
    # another currency is made afresh
    with pytest.raises(AssertionError, match="for EUR made again"):
        chart_assets("EUR", tmp_path / "cache")


def test_chart_assets_make_the_designs_and_bundle_and_a_bundle_error_is_reported_when_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from generator import build as build_module
    from generator.build import chart_assets
    from generator.site import charts

    monkeypatch.setenv("SALESPERF_CACHE_DIR", str(tmp_path / "shared"))  # made from nothing
    designs, bundle = chart_assets("EUR", tmp_path / "cache")
    assert designs == charts.chart_designs("EUR") and "revenue_by_year" in designs
    # and cached in the build folder and in the shared cache folder, each alone there
    for cache_dir in (tmp_path / "cache", tmp_path / "shared"):
        assert bundle is not None and [p.read_bytes() for p in cache_dir.glob("*.js")] == [bundle]
        assert sorted(p.suffix for p in cache_dir.iterdir()) == [".js", ".sha256"]
    (tmp_path / "not-a-folder").write_text("", encoding="utf-8")
    assert chart_assets("EUR", tmp_path / "not-a-folder") == (designs, None)
    # A bundle the second process could not make (a file-system error): the write stage makes it
    # again, and its error stops the build there, naming the path, the published site unchanged.
    config = write_crm_export(tmp_path / "export")
    site = build(config).out
    # the designs kept for the next build of this process came through the build unchanged
    assert charts.designs_for("USD") == charts.chart_designs("USD")
    cache = site.parent / ".salesperf-build" / "cache"

    def disk_full(cache_dir: Path) -> bytes:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(cache_dir / "vega.js"))

    monkeypatch.setattr(build_module, "vega_bundle", disk_full)
    assert _failed_rebuild(config, site) == (
        f"{cache / 'vega.js'}: No space left on device "
        "(while writing the pages; the published site is unchanged)"
    )


def test_the_vega_bundle_is_made_once_per_machine_and_an_unusable_user_cache_only_costs_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build into a new folder takes the bundle from the shared cache folder instead of making it
    again (about 2 s of CPU); a damaged bundle is made again; a shared cache that cannot be found or
    written still builds; a save deletes other versions' bundles and old half-written files."""
    import platformdirs
    import vl_convert

    from generator.publish import vega
    from generator.publish.vega import shared_cache_dir, vega_bundle

    monkeypatch.delenv(vega.CACHE_VARIABLE)
    if sys.platform.startswith("linux"):  # the user's cache folder, where XDG says
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
        assert shared_cache_dir() == tmp_path / "xdg" / "salesperf"
    shared = tmp_path / "shared"
    monkeypatch.setenv(vega.CACHE_VARIABLE, f" {shared} ")  # set: it wins
    assert shared_cache_dir() == shared
    # Left by an earlier version and by a build killed while writing (an hour ago, and just now).
    shared.mkdir()
    for old in ("vega-1.0.0-vl5.1.js", "vega-1.0.0-vl5.1.js.sha256", ".vega-x.js.a.tmp"):
        (shared / old).write_text("old", encoding="utf-8")
    os.utime(shared / ".vega-x.js.a.tmp", (time.time() - 7200, time.time() - 7200))
    (shared / ".vega-x.js.b.tmp").write_text("being written", encoding="utf-8")
    made = vega_bundle(tmp_path / "first")
    assert b"window.vegaEmbed=" in made[-4096:] and len(made) > 500_000
    name = next((tmp_path / "first").glob("*.js")).name
    assert sorted(p.name for p in shared.iterdir()) == sorted(
        [".vega-x.js.b.tmp", name, name + ".sha256"]
    )

    def not_again(**_kwargs: object) -> str:
        raise AssertionError("the bundle was made again")

    make = vl_convert.javascript_bundle
    monkeypatch.setattr(vl_convert, "javascript_bundle", not_again)
    assert vega_bundle(tmp_path / "second") == made  # from the shared cache: not made again
    assert [p.read_bytes() for p in (tmp_path / "second").glob("*.js")] == [made]
    monkeypatch.setattr(vl_convert, "javascript_bundle", make)

    # A damaged bundle in the shared cache (cut short by a crash, a block of zeros from a bad disk,
    # its checksum missing) is made again, whole, and replaces the damaged one.
    cached = shared / name
    checksum = cached.with_name(name + ".sha256")
    for damage in ("cut", "zeros", "no checksum"):
        if damage == "cut":
            cached.write_bytes(made[:-53])  # still ends with "window.vegaEmbed=…"
        elif damage == "zeros":
            cached.write_bytes(made[:400_000] + bytes(4096) + made[404_096:])
        else:
            checksum.unlink()
        assert vega_bundle(tmp_path / damage) == made == cached.read_bytes(), damage
    # and likewise in the build folder's cache
    (tmp_path / "cut" / name).write_bytes(b"")
    assert vega_bundle(tmp_path / "cut") == made == (tmp_path / "cut" / name).read_bytes()

    (tmp_path / "blocked").write_text("", encoding="utf-8")  # where the shared cache should go
    monkeypatch.setenv(vega.CACHE_VARIABLE, str(tmp_path / "blocked"))
    assert vega_bundle(tmp_path / "third") == made
    assert (tmp_path / "blocked").read_text(encoding="utf-8") == ""

    def no_home(*_args: object, **_kwargs: object) -> str:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv(vega.CACHE_VARIABLE)
    monkeypatch.setattr(platformdirs, "user_cache_dir", no_home)
    assert shared_cache_dir() is None
    assert vega_bundle(tmp_path / "homeless") == made


@pytest.mark.parametrize("where", [".salesperf-build/cache", ".salesperf-build/site"])
@pytest.mark.parametrize("kind", ["file", "broken link"])
def test_a_file_in_the_way_of_the_build_folders_stops_the_build_before_loading(
    tmp_path: Path, where: str, kind: str
) -> None:
    """A file (or a link to nothing) where the build folder or its cache goes: one line naming it,
    before the exports are read, and the published site unchanged."""
    config = write_crm_export(tmp_path / "export")
    site = build(config).out
    blocker = site.parent / where
    shutil.rmtree(blocker)
    if kind == "file":
        blocker.write_text("in the way", encoding="utf-8")
    else:
        blocker.symlink_to(tmp_path / "nothing-here")
    assert _failed_rebuild(config, site) == (
        f"{blocker}: is a {'file' if kind == 'file' else 'broken symbolic link'} where salesperf "
        "needs a folder; move or delete it (while preparing the output folder)"
    )


def test_refuses_to_replace_a_folder_it_did_not_build(tmp_path: Path) -> None:
    config = write_crm_export(tmp_path / "export")
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(ConfigError, match="not a site built by salesperf"):
        build(config, precious)
    assert (precious / "thesis.txt").read_text(encoding="utf-8") == "keep me"


def test_reproducible_with_source_date_epoch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    config = write_crm_export(tmp_path / "export")
    first = _tree_digest(build(config, tmp_path / "one").out)
    second = _tree_digest(build(config, tmp_path / "two").out)
    assert first == second


def test_slugs_stable_and_distinct() -> None:
    from generator.site.text import entity_slugs

    slugs = entity_slugs(["R001", "r001", "A B", "<>", "", "Zoë"])
    assert slugs["r001"] == "r001"
    assert slugs["R001"].startswith("r001-") and slugs["R001"] != "r001"
    assert (
        slugs["<>"].startswith("id-") and slugs[""].startswith("id-") and slugs["<>"] != slugs[""]
    )
    assert len(set(slugs.values())) == len(slugs)
    # same id, same slug, whatever the other ids
    assert entity_slugs(["R001"])["R001"] == slugs["R001"]
    assert all(set(s) <= set("abcdefghijklmnopqrstuvwxyz0123456789-") for s in slugs.values())
    assert os.sep not in "".join(slugs.values())


def test_unchanged_exports_reuse_pages_and_changes_rebuild(tmp_path: Path) -> None:
    config = write_crm_export(tmp_path / "export")
    first = build(config)
    assert not first.reused
    # Nothing changed, the published site untouched: nothing runs after the fingerprint.
    second = build(config)
    assert second.reused and second.skipped
    assert [t.stage for t in second.timings] == ["load"]
    # A file of the published site touched (or removed): the reused pages go through MkDocs again.
    (second.out / "index.html").touch()
    (second.out / "reps" / "index.html").unlink()
    again = build(config)
    assert again.reused and not again.skipped
    assert [t.stage for t in again.timings] == ["load", "mkdocs", "publish"]
    assert (again.out / "reps" / "index.html").is_file()
    assert build(config).skipped
    assert read_reps_csv(again.out).set_index("rep_id").loc["A", "value_ratio"] == 5
    deals = tmp_path / "export" / "deals.csv"
    deals.write_text(
        deals.read_text(encoding="utf-8").replace('"$400,000.00"', '"$900,000.00"'),
        encoding="utf-8",
    )
    third = build(config)
    assert not third.reused
    assert read_reps_csv(third.out).set_index("rep_id").loc["A", "mean_client_ltv"] == 750_000
    assert third.write.written < third.files  # only what changed is rewritten


def test_a_published_site_is_reused_only_under_the_same_source_date_epoch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_crm_export(tmp_path / "export")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    build(config)
    assert build(config).skipped
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    changed = build(config)
    assert changed.reused and not changed.skipped


def test_reused_build_keeps_strict_and_quality(tmp_path: Path) -> None:
    (tmp_path / "deals.csv").write_text(
        "deal_id,rep_id,amount,stage,closed\n1,r1,100,Won,2024-01-01\n2,r1,x,Won,2024-01-02\n",
        encoding="utf-8",
    )
    (tmp_path / "c.yaml").write_text("sources:\n  deals: {path: deals.csv}\n", encoding="utf-8")
    first = build(tmp_path / "c.yaml", tmp_path / "site")
    # The cache keeps its own copy of the report (the published data_quality.json may withhold values).
    (tmp_path / "site" / "index.html").touch()  # the published site changed: MkDocs runs again
    again = build(tmp_path / "c.yaml", tmp_path / "site")
    assert again.reused and not again.skipped
    # bad amount, no client
    assert again.quality.count("warning") == first.quality.count("warning") == 2
    pd.testing.assert_frame_equal(
        again.quality.issues.reset_index(drop=True),
        first.quality.issues.reset_index(drop=True),
        check_dtype=False,
    )
    with pytest.raises(DataError, match="--strict"):
        build(tmp_path / "c.yaml", tmp_path / "site", strict=True)


def test_sharded_mkdocs_build_matches_a_single_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    config = write_crm_export(tmp_path / "export")
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("currency: USD}", 'currency: USD, base_url: "https://sales.example.com/"}'),
        encoding="utf-8",
    )
    monkeypatch.setenv("SALESPERF_MKDOCS_JOBS", "1")
    single = build(config, tmp_path / "single").out
    monkeypatch.setenv("SALESPERF_MKDOCS_JOBS", "2")
    sharded = build(config, tmp_path / "sharded").out
    # Byte for byte, the merged search index and sitemap included (in single-build order).
    assert _tree_digest(single) == _tree_digest(sharded)

    def urls(site: Path) -> list[str]:
        return re.findall(
            r"<url>.*?</url>", (site / "sitemap.xml").read_text(encoding="utf-8"), re.DOTALL
        )

    # 11 + regions, categories, channels (index + 1 segment each), goals, /trends/, /managers/, /forecast/
    # and two /managers/<slug>/
    assert len(urls(single)) == 23


def test_stale_staging_folders_of_killed_builds_are_removed(tmp_path: Path) -> None:
    config = write_crm_export(tmp_path / "export")
    site = build(config).out
    stale = site.parent / f".{site.name}.new-999999999"
    stale.mkdir()
    (stale / "index.html").write_text("half a site", encoding="utf-8")
    build(config)
    assert not stale.exists()


def test_data_freshness_per_dataset(crm_site: Path) -> None:
    datasets = pd.read_csv(crm_site / "data" / "datasets.csv", dtype=str).set_index("dataset")
    # the latest created date of an open deal
    assert datasets.loc["deals", "latest"] == "2024-10-05"
    assert datasets.loc["costs", "latest"] == "2024"
    assert datasets.loc["deals", ["rows_read", "rows_used", "rows_excluded"]].tolist() == [
        "14",
        "10",
        "4",
    ]
    assert "Latest date" in (crm_site / "index.html").read_text(encoding="utf-8")


def test_mkdocs_shards_balance_markdown_across_processes(tmp_path: Path) -> None:
    from generator.publish.mkdocs_build import PAGE_OVERHEAD_BYTES, _balanced

    sizes = {
        "shared.md": 60_000,
        "reps/a.md": 50_000,
        "reps/b.md": 10_000,
        "reps/c.md": 10_000,
        "managers/m.md": 30_000,
        "regions/r.md": 5_000,
    }
    for name, size in sizes.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x" * size, encoding="utf-8")
    entities = sorted(n for n in sizes if "/" in n)
    first, second = _balanced(tmp_path, entities, ["shared.md"], 2)
    assert (
        sorted(first + second) == entities and first == sorted(first) and second == sorted(second)
    )
    # Largest first, each to the lighter shard; the first shard starts with the shared page's weight.
    assert first == ["reps/b.md", "reps/c.md"]
    assert second == ["managers/m.md", "regions/r.md", "reps/a.md"]
    loads = [
        sum(sizes[n] + PAGE_OVERHEAD_BYTES for n in shard)
        for shard in (["shared.md", *first], second)
    ]
    assert abs(loads[0] - loads[1]) <= max(sizes.values()) + PAGE_OVERHEAD_BYTES


def test_hidden_compensation_hides_rewards_and_payback_on_the_example(tmp_path: Path) -> None:
    """Goal rewards ("$3,000 bonus") and the coaching payback (payback × effect = cost) are
    compensation: with show_compensation false neither appears in any published file."""
    root = Path(__file__).resolve().parent.parent
    (tmp_path / "data").symlink_to(root / "data")
    (tmp_path / "config").mkdir()
    text = (root / "config" / "example.yaml").read_text(encoding="utf-8")
    assert "show_compensation: true" in text
    config = tmp_path / "config" / "example.yaml"
    config.write_text(
        text.replace("show_compensation: true", "show_compensation: false"), encoding="utf-8"
    )
    site = build(config, tmp_path / "site").out
    rewards = {
        r for r in pd.read_csv(root / "data" / "sample" / "goals.csv", sep=";")["Reward"].dropna()
    }
    assert any("$" in r for r in rewards)
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".json", ".csv", ".md"}:
            published = path.read_text(encoding="utf-8")
            assert not any(r in published for r in rewards if "$" in r or "salary" in r), path
            assert "payback_months" not in published and "Payback (months)" not in published, path
    goals = pd.read_csv(site / "data" / "goals.csv")
    assert (
        goals["reward"].isna().all()
        and goals["tier_reward"].dropna().str.startswith("tier from").all()
    )


# --- rankings: current reps with enough clients only (SPEC §3 rankings) --------------------------

FORMER_NAME, SOLO_NAME = "Fiona Formerly", "Sam Soloclient"
"""A former rep with the highest ratio of all, and a current rep whose one client is worth the most."""


def _write_ranking_export(folder: Path, seed: int = 13) -> Path:
    """Seeded exports: eight current reps with 3–6 clients each, a rep who left in 2023 with the
    top ratio, a current rep with one very valuable client, and a 2023 goal attained at 99.99 %."""
    import numpy as np

    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    deals, reps, costs = [], [], []
    n = 0

    def won(rep: str, client: str, amount: float, day: str) -> None:
        nonlocal n
        n += 1
        deals.append(f"D{n:04d},{rep},{client},{amount:.2f},Won,{day}")

    for i in range(1, 9):
        rep = f"R{i:02d}"
        reps.append(f"{rep},Rep {chr(64 + i)}ardy,North,EMEA,2020-01-01,")
        costs += [
            f"{rep},2023,{rng.integers(60_000, 120_000)}",
            f"{rep},2024,{rng.integers(60_000, 120_000)}",
        ]
        for c in range(int(rng.integers(3, 7))):
            won(
                rep,
                f"{rep}-C{c}",
                float(rng.uniform(20_000, 300_000)),
                f"2024-{rng.integers(1, 12):02d}-15",
            )
    won("R01", "R01-OLD", 99_990.0, "2023-05-01")  # 2023 revenue 99,990 against a 100,000 target
    reps.append(f"FORMER,{FORMER_NAME},North,EMEA,2019-01-01,2023-06-30")
    costs.append("FORMER,2023,50000")
    for c in range(5):
        won("FORMER", f"F-C{c}", 12_000_000.0 + c, "2023-03-01")
    reps.append(f"SOLO,{SOLO_NAME},North,EMEA,2021-01-01,")
    costs.append("SOLO,2024,50000")
    won("SOLO", "S-C0", 9_000_000.0, "2024-03-01")
    deals.append("D9999,R02,R02-C0,1000.00,Lost,2024-11-30")
    (folder / "deals.csv").write_text(
        "deal_id,rep_id,client_id,amount,stage,closed\n" + "\n".join(deals) + "\n", encoding="utf-8"
    )
    (folder / "reps.csv").write_text(
        "rep_id,name,team,region,hired,left\n" + "\n".join(reps) + "\n", encoding="utf-8"
    )
    (folder / "costs.csv").write_text(
        "rep_id,year,salary\n" + "\n".join(costs) + "\n", encoding="utf-8"
    )
    (folder / "goals.csv").write_text(
        "scope,id,year,target\nrep,R01,2023,100000\n", encoding="utf-8"
    )
    (folder / "c.yaml").write_text(
        "sources:\n  deals: {path: deals.csv}\n  reps: {path: reps.csv}\n  costs: {path: costs.csv}\n"
        "  goals: {path: goals.csv}\nprivacy: {show_compensation: true}\nrankings: {min_clients: 3}\n",
        encoding="utf-8",
    )
    return folder / "c.yaml"


RANKING_HEADING = re.compile(
    r"<h[1-6][^>]*>([^<]*(?:highest|lowest|best|worst|top|bottom|rank)[^<]*)<", re.IGNORECASE
)


def _ranking_tables(page: str) -> list[tuple[str, str]]:
    """(heading, table HTML) of every table that follows a heading naming a ranking."""
    found = []
    for match in RANKING_HEADING.finditer(page):
        start = page.find("<table", match.end())
        nxt = re.compile(r"<h[1-6]").search(page, match.end())
        if start >= 0 and (nxt is None or start < nxt.start()):
            found.append((match.group(1), page[start : page.find("</table>", start)]))
    return found


@pytest.fixture(scope="module")
def ranking_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("rankings")
    return build(_write_ranking_export(folder), folder / "site").out


def test_former_and_few_client_reps_are_in_the_tables_but_never_ranked(ranking_site: Path) -> None:
    reps = read_reps_csv(ranking_site).set_index("rep_id")
    # The planted truths: both have the highest ratios, and both keep their row and ratio.
    assert reps["value_ratio"].nlargest(2).index.tolist() == ["FORMER", "SOLO"]
    assert reps.loc["FORMER", "status"] == "former" and reps.loc["SOLO", "clients"] == 1
    assert not reps.loc["FORMER", "ranked"] and not reps.loc["SOLO", "ranked"]
    assert reps.loc[[f"R{i:02d}" for i in range(1, 9)], "ranked"].all()
    pages = list(ranking_site.rglob("*.html"))
    tables = [
        (p, heading, table)
        for p in pages
        for heading, table in _ranking_tables(p.read_text(encoding="utf-8"))
    ]
    overview = ranking_site / "index.html"
    assert {h for p, h, _t in tables if p == overview} >= {
        "Highest value ratios",
        "Lowest value ratios",
    }
    for path, heading, table in tables:
        for name in (FORMER_NAME, SOLO_NAME):
            assert name not in table, f"{path.relative_to(ranking_site)}: {heading} lists {name}"
    headlines = pd.read_csv(ranking_site / "data" / "headlines.csv").set_index("figure")
    assert (
        headlines.loc["median_rep_value_ratio", "over"]
        == "8 ranked reps (current, at least 3 clients)"
    )
    assert headlines.loc["revenue", "over"] == "company"
    text = overview.read_text(encoding="utf-8")
    card = text.split('data-figure="median_value_ratio"')[1].split("</li>")[0]
    assert "median of the 8 ranked reps (current, at least 3 clients)" in card
    ranked = reps[reps["ranked"].astype(bool)]
    assert f'<span class="sp-kpi-value">{ranked["value_ratio"].median():.2f}</span>' in card
    # The distribution chart counts the ranked reps' ratios only (binned in Python, one row a bin).
    spec = re.search(
        r'<script type="application/json" id="chart-ratio-distribution">(.*?)</script>', text, re.S
    )
    assert spec is not None
    bins = json.loads(spec.group(1))["data"]["values"]
    assert sum(b["reps"] for b in bins) == len(ranked)
    for value in ranked["value_ratio"]:
        assert (
            sum(
                b["bin_start"] <= value + 1e-9 and (value < b["bin_end"] or b["overflow"])
                for b in bins
            )
            >= 1
        )


def test_an_unranked_rep_page_says_why_its_ratio_is_in_no_ranking(ranking_site: Path) -> None:
    pages = [p.read_text(encoding="utf-8") for p in (ranking_site / "reps").glob("*/index.html")]

    def page_of(rep_id: str) -> str:
        return next(page for page in pages if f"<strong>Rep id:</strong> {rep_id} " in page)

    assert "Not ranked: a former rep." in page_of("FORMER")
    assert "Not ranked: 1 client, and rankings need at least 3." in page_of("SOLO")
    assert "Not ranked" not in page_of("R01")


def test_ranked_reps_show_n_and_an_interval_around_the_ratio(ranking_site: Path) -> None:
    reps = read_reps_csv(ranking_site).set_index("rep_id")
    ranked = reps[reps["ranked"].astype(bool)]
    assert (ranked["ratio_low"] <= ranked["value_ratio"]).all() and (
        ranked["value_ratio"] <= ranked["ratio_high"]
    ).all()
    top = _ranking_tables((ranking_site / "index.html").read_text(encoding="utf-8"))[0][1]
    assert "Clients (n)" in top and "95 % interval" in top
    best = ranked["value_ratio"].idxmax()
    assert f"{ranked.loc[best, 'ratio_low']:.2f} – {ranked.loc[best, 'ratio_high']:.2f}" in top


def test_attainment_just_under_target_is_not_shown_as_met(ranking_site: Path) -> None:
    goals = (ranking_site / "goals" / "index.html").read_text(encoding="utf-8")
    # The history shows each year in a content tab: the tabs' labels, then one block per label.
    history = goals[goals.index('id="history"') :]
    labels = re.findall(r'<label for="sp-tabs-goals-history-\d+">([^<]*)</label>', history)
    blocks = history.split('<div class="tabbed-block">')[1:]
    year = blocks[labels.index("2023")]
    rows = [r for r in re.findall(r"<tr>(.*?)</tr>", year, re.S) if "R01" in r]
    assert rows, "the 2023 goal of R01 is on /goals/"
    for row in rows:
        assert "99.99 %" in row and "missed" in row and "100.0 %" not in row


def test_force_rebuilds_every_page_when_nothing_changed(tmp_path: Path) -> None:
    config = write_crm_export(tmp_path / "export")
    build(config)
    forced = build(config, force=True)
    assert not forced.reused and not forced.skipped
    assert [t.stage for t in forced.timings] == [
        "load",
        "metrics",
        "render",
        "write",
        "mkdocs",
        "publish",
    ]
