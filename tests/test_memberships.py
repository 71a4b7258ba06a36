"""Team membership over time (issue 13): with a memberships export, team and manager figures follow
a rep who moves mid-year; without it, the current team counts for every year and the pages say so."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from generator.build import build, check
from generator.metrics import compute_metrics
from generator.metrics.membership import CURRENT_TEAM_NOTE, DATED_TEAM_NOTE, Membership

REPS = """rep_id,name,team,manager
R1,Rita Mover,B,Mb
R2,Ann Stayer,A,Ma
R3,Ben Stayer,B,Mb
"""

# R1 is in team A (manager Ma) until 30 June 2025 and in team B from 1 July 2025 on; the reps
# export only knows the current team, B.
DEALS = """deal_id,rep_id,client_id,amount,stage,closed
D0,R1,C6,10,won,2024-11-01
D1,R1,C1,100,won,2025-02-10
D2,R1,C2,200,won,2025-06-30
D3,R1,C1,400,won,2025-07-01
D4,R1,C3,50,lost,2025-09-15
D5,R2,C4,1000,won,2025-03-01
D6,R3,C5,3000,won,2025-08-01
"""

MEMBERSHIPS = """rep_id,team,start,manager,end
R1,A,2024-01-01,Ma,2025-06-30
R1,B,2025-07-01,,
R2,A,2020-01-01,,
R3,B,2020-01-01,,
R3,B,2024-06-01,,
R9,A,2024-01-01,,
R2,B,2025-05-01,,2025-04-01
"""


def _export(folder: Path, with_memberships: bool) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "reps.csv").write_text(REPS, encoding="utf-8")
    (folder / "deals.csv").write_text(DEALS, encoding="utf-8")
    (folder / "memberships.csv").write_text(MEMBERSHIPS, encoding="utf-8")
    memberships = "  memberships: {path: memberships.csv}\n" if with_memberships else ""
    config = folder / "salesperf.yaml"
    config.write_text(
        "site: {title: Moves, currency: USD}\n"
        "report: {as_of: 2025-12-31}\n"
        "sources:\n"
        "  deals: {path: deals.csv, won_stages: [won], lost_stages: [lost]}\n"
        "  reps: {path: reps.csv}\n" + memberships,
        encoding="utf-8",
    )
    return config


def _figures(table: pd.DataFrame, key: str, year: int, column: str = "revenue") -> dict[str, float]:
    rows = table[table["year"] == year]
    return {str(k): float(v) for k, v in zip(rows[key], rows[column], strict=True) if v == v}


@pytest.fixture(scope="module")
def moved(tmp_path_factory: pytest.TempPathFactory):
    cfg, inputs = check(_export(tmp_path_factory.mktemp("moved"), with_memberships=True))
    return inputs, compute_metrics(inputs, cfg.config)


@pytest.fixture(scope="module")
def current(tmp_path_factory: pytest.TempPathFactory):
    cfg, inputs = check(_export(tmp_path_factory.mktemp("current"), with_memberships=False))
    return inputs, compute_metrics(inputs, cfg.config)


def test_a_rep_who_moves_on_1_july_takes_later_deals_to_the_new_team(moved) -> None:
    _inputs, metrics = moved
    assert metrics.dated_teams
    # Before July R1's deals (100 + 200) count in A with R2's 1,000; from July (400) in B with R3's 3,000.
    assert _figures(metrics.team_years, "team", 2025) == {"A": 1300.0, "B": 3400.0}
    assert _figures(metrics.team_years, "team", 2024) == {"A": 10.0, "B": 0.0}
    assert _figures(metrics.team_years, "team", 2025, "won_deals") == {"A": 3, "B": 2}
    assert _figures(metrics.team_years, "team", 2025, "lost_deals") == {"A": 0, "B": 1}
    # Managers move with the rep: Ma from the membership row, Mb as team B's manager in the reps export.
    assert _figures(metrics.history.manager_quarters.assign(year=2025).groupby(["manager", "year"])[
        ["revenue"]].sum().reset_index(), "manager", 2025) == {"Ma": 1310.0, "Mb": 3400.0}
    managers = metrics.managers.set_index("manager")["revenue"]
    assert managers.to_dict() == {"Ma": 1300.0, "Mb": 3400.0}
    # A client and its whole lifetime value stay with the team its acquirer was in when won:
    # A holds C6 (10), C1 (100 + 400), C2 (200), C4 (1,000); B holds C5 (3,000).
    assert _figures(metrics.team_years, "team", 2025, "clients") == {"A": 4, "B": 1}
    assert _figures(metrics.team_years, "team", 2025, "mean_client_ltv") == {"A": 1710 / 4, "B": 3000.0}
    # The revenue change compares with the same span of 2024, when R1 (and its 10) was in A.
    assert metrics.team_previous.set_index("team")["revenue"].to_dict() == {"A": 10.0}
    # A rep's own figures follow the rep whatever the team.
    reps = metrics.reps.set_index("rep_id")
    assert reps.loc["R1", "revenue"] == 700.0 and reps.loc["R1", "team"] == "B"


def test_quarters_follow_the_move_and_add_up_to_the_company(moved) -> None:
    _inputs, metrics = moved
    quarters = metrics.history.team_quarters
    q = quarters[quarters["year"] == 2025].set_index(["team", "quarter"])["revenue"]
    assert q[("A", 1)] == 1100.0 and q[("A", 2)] == 200.0 and q[("A", 3)] == 0.0
    assert q[("B", 3)] == 3400.0
    company = metrics.history.company_quarters.set_index(["year", "quarter"])["revenue"]
    by_team = quarters.groupby(["year", "quarter"])["revenue"].sum()
    assert by_team.reindex(company.index, fill_value=0.0).tolist() == pytest.approx(company.tolist())
    by_manager = metrics.history.manager_quarters.groupby(["year", "quarter"])["revenue"].sum()
    assert by_manager.reindex(company.index, fill_value=0.0).tolist() == pytest.approx(company.tolist())
    years = metrics.team_years.groupby("year")["revenue"].sum()
    assert years.to_dict() == metrics.company_years.set_index("year")["revenue"].to_dict()
    monthly = metrics.team_monthly.set_index(["team", "month"])["revenue"]
    assert monthly[("A", pd.Timestamp("2025-06-01"))] == 200.0
    assert monthly[("B", pd.Timestamp("2025-07-01"))] == 400.0


def test_bad_membership_rows_are_reported(moved) -> None:
    inputs, _metrics = moved
    issues = inputs.quality.issues
    found = issues[issues["dataset"] == "memberships"]
    problems = set(found["problem"].astype(str))
    assert "rep not found in reps or deals" in problems  # R9
    assert "ends before it starts" in problems  # R2's backwards row, excluded
    assert "overlaps the rep's previous period" in problems  # R3's second open period
    assert len(inputs.memberships) == 5
    assert set(found["action"].astype(str)) >= {"row not used", "row excluded"}


def test_without_memberships_the_current_team_counts_for_every_year(current) -> None:
    _inputs, metrics = current
    assert not metrics.dated_teams
    assert _figures(metrics.team_years, "team", 2025) == {"A": 1000.0, "B": 3700.0}
    assert _figures(metrics.team_years, "team", 2024) == {"A": 0.0, "B": 10.0}
    assert metrics.team_previous.set_index("team")["revenue"].to_dict() == {"B": 10.0}
    q = metrics.history.team_quarters
    assert q[(q["year"] == 2025) & (q["quarter"] == 1)].set_index("team")["revenue"].to_dict() == {
        "A": 1000.0, "B": 100.0}


@pytest.mark.parametrize("with_memberships", [False, True])
def test_every_team_and_manager_page_says_how_membership_is_known(tmp_path: Path, with_memberships: bool) -> None:
    config = _export(tmp_path / "export", with_memberships)
    site = build(config, tmp_path / "site").out
    note = DATED_TEAM_NOTE if with_memberships else CURRENT_TEAM_NOTE
    pages = [site / "teams" / "index.html", site / "managers" / "index.html",
             *(site / "teams").glob("*/index.html"), *(site / "managers").glob("*/index.html")]
    pages = [p for p in pages if "This page has moved to" not in p.read_text(encoding="utf-8")]  # redirects
    assert len(pages) >= 6
    for page in pages:
        assert note.split(":")[0] in page.read_text(encoding="utf-8"), page
    methodology = (site / "methodology" / "index.html").read_text(encoding="utf-8")
    assert ("on the deal's close" in methodology) == with_memberships


def test_overlapping_periods_the_later_start_counts_then_the_earlier_resumes() -> None:
    periods = pd.DataFrame({
        "rep_id": ["R", "R", "R"], "group": ["Long", "Short", "Late"],
        "start": pd.to_datetime(["2024-01-01", "2024-03-01", "2024-05-01"]),
        "end": pd.to_datetime(["2024-12-31", "2024-03-31", "2024-05-31"]),
    })
    member = Membership(pd.Series({"R": "Now"}, dtype="string"), periods)
    days = pd.Series(pd.to_datetime(["2023-06-01", "2024-02-01", "2024-03-15", "2024-04-15", "2024-05-10",
                                     "2024-06-10", "2025-01-05"]), index=list("abcdefg"))
    found = member.on(pd.Series(["R"] * 7, index=list("abcdefg")), days)
    # Before and after every period: the reps export's current team.
    assert found.tolist() == ["Now", "Long", "Short", "Long", "Late", "Long", "Now"]
    assert found.index.tolist() == list("abcdefg")
