"""Team membership over time (issue 13): with a memberships export, team and manager figures follow
a rep who moves mid-year; without it, the current team counts for every year and the pages say so."""

from __future__ import annotations

import datetime as dt
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
    assert _figures(
        metrics.history.manager_quarters.assign(year=2025)
        .groupby(["manager", "year"])[["revenue"]]
        .sum()
        .reset_index(),
        "manager",
        2025,
    ) == {"Ma": 1310.0, "Mb": 3400.0}
    managers = metrics.managers.set_index("manager")["revenue"]
    assert managers.to_dict() == {"Ma": 1300.0, "Mb": 3400.0}
    # A client and its whole lifetime value stay with the team its acquirer was in when won:
    # A holds C6 (10), C1 (100 + 400), C2 (200), C4 (1,000); B holds C5 (3,000).
    assert _figures(metrics.team_years, "team", 2025, "clients") == {"A": 4, "B": 1}
    assert _figures(metrics.team_years, "team", 2025, "mean_client_ltv") == {
        "A": 1710 / 4,
        "B": 3000.0,
    }
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
    assert by_team.reindex(company.index, fill_value=0.0).tolist() == pytest.approx(
        company.tolist()
    )
    by_manager = metrics.history.manager_quarters.groupby(["year", "quarter"])["revenue"].sum()
    assert by_manager.reindex(company.index, fill_value=0.0).tolist() == pytest.approx(
        company.tolist()
    )
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
        "A": 1000.0,
        "B": 100.0,
    }


@pytest.mark.parametrize("with_memberships", [False, True])
def test_every_team_and_manager_page_says_how_membership_is_known(
    tmp_path: Path, with_memberships: bool
) -> None:
    config = _export(tmp_path / "export", with_memberships)
    site = build(config, tmp_path / "site").out
    note = DATED_TEAM_NOTE if with_memberships else CURRENT_TEAM_NOTE
    pages = [
        site / "teams" / "index.html",
        site / "managers" / "index.html",
        *(site / "teams").glob("*/index.html"),
        *(site / "managers").glob("*/index.html"),
    ]
    # redirects
    pages = [p for p in pages if "This page has moved to" not in p.read_text(encoding="utf-8")]
    assert len(pages) >= 6
    for page in pages:
        assert note.split(":")[0] in page.read_text(encoding="utf-8"), page
    methodology = (site / "methodology" / "index.html").read_text(encoding="utf-8")
    assert ("on the deal's close" in methodology) == with_memberships


def test_overlapping_periods_the_later_start_counts_then_the_earlier_resumes() -> None:
    periods = pd.DataFrame(
        {
            "rep_id": ["R", "R", "R"],
            "group": ["Long", "Short", "Late"],
            "start": pd.to_datetime(["2024-01-01", "2024-03-01", "2024-05-01"]),
            "end": pd.to_datetime(["2024-12-31", "2024-03-31", "2024-05-31"]),
        }
    )
    member = Membership(pd.Series({"R": "Now"}, dtype="string"), periods)
    days = pd.Series(
        pd.to_datetime(
            [
                "2023-06-01",
                "2024-02-01",
                "2024-03-15",
                "2024-04-15",
                "2024-05-10",
                "2024-06-10",
                "2025-01-05",
            ]
        ),
        index=list("abcdefg"),
    )
    found = member.on(pd.Series(["R"] * 7, index=list("abcdefg")), days)
    # Before and after every period: the reps export's current team.
    assert found.tolist() == ["Now", "Long", "Short", "Long", "Late", "Long", "Now"]
    assert found.index.tolist() == list("abcdefg")


# A second export for goals, member lists and managers. R1 moves from team A (manager Ma) to team B
# (manager Mb) on 1 July 2025; R4 stays in A and leaves on 30 September 2025; R5 joins B on 1 March.
STAFF = """rep_id,name,team,manager,hired,left
R1,Rita Mover,B,Mb,2020-01-01,
R2,Ann Stayer,A,Ma,2020-01-01,
R3,Ben Stayer,B,Mb,2020-01-01,
R4,Cat Leaver,A,Ma,2020-01-01,2025-09-30
R5,Dan Late,B,Mb,2025-03-01,
"""

STAFF_MEMBERSHIPS = """rep_id,team,manager,start,end
R1,A,Ma,2020-01-01,2025-06-30
R1,B,Mb,2025-07-01,
"""

GOALS = """scope,id,year,metric,target
team,A,2025,revenue,2000
team,B,2025,revenue,4000
rep,R1,2024,revenue,5
rep,R1,2025,revenue,600
rep,R4,2025,revenue,100
"""


def _staff_export(folder: Path, memberships: str | None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "reps.csv").write_text(STAFF, encoding="utf-8")
    (folder / "deals.csv").write_text(DEALS, encoding="utf-8")
    (folder / "goals.csv").write_text(GOALS, encoding="utf-8")
    extra = ""
    if memberships is not None:
        (folder / "memberships.csv").write_text(memberships, encoding="utf-8")
        extra = "  memberships: {path: memberships.csv}\n"
    config = folder / "salesperf.yaml"
    config.write_text(
        "site: {title: Moves, currency: USD}\n"
        "report: {as_of: 2025-12-31}\n"
        "sources:\n"
        "  deals: {path: deals.csv, won_stages: [won], lost_stages: [lost]}\n"
        "  reps: {path: reps.csv}\n"
        "  goals: {path: goals.csv}\n" + extra,
        encoding="utf-8",
    )
    return config


def _staff_metrics(folder: Path, memberships: str | None):
    cfg, inputs = check(_staff_export(folder, memberships))
    return compute_metrics(inputs, cfg.config)


@pytest.fixture(scope="module")
def staff_moved(tmp_path_factory: pytest.TempPathFactory):
    return _staff_metrics(tmp_path_factory.mktemp("staff_moved"), STAFF_MEMBERSHIPS)


@pytest.fixture(scope="module")
def staff_current(tmp_path_factory: pytest.TempPathFactory):
    return _staff_metrics(tmp_path_factory.mktemp("staff_current"), None)


def _team_goals(metrics) -> dict[str, tuple[float, float, int]]:
    rows = metrics.goals.team_attainment
    rows = rows[rows["year"] == 2025]
    return {
        str(t): (float(a), float(r), int(m))
        for t, a, r, m in zip(
            rows["team"], rows["actual"], rows["attainment"], rows["members"], strict=True
        )
    }


def _manager_year(metrics, manager: str, year: int) -> pd.Series:
    years = metrics.manager_history.years
    return years[(years["manager"] == manager) & (years["year"] == year)].iloc[0]


def test_a_team_goal_counts_each_deal_with_the_team_of_its_close_date(
    staff_moved, staff_current
) -> None:
    # A: R1's 100 + 200 before July and R2's 1,000 = 1,300 of 2,000; B: R1's 400 from July and
    # R3's 3,000 = 3,400 of 4,000. Members: A had R1, R2, R4 in 2025; B had R1, R3, R5.
    assert _team_goals(staff_moved) == {"A": (1300.0, 0.65, 3), "B": (3400.0, 0.85, 3)}
    # The team goal's actual is the team's revenue on its page.
    years = staff_moved.team_years[staff_moved.team_years["year"] == 2025].set_index("team")[
        "revenue"
    ]
    assert years.to_dict() == {"A": 1300.0, "B": 3400.0}
    # Without memberships R1's 700 all count in B, the current team, and A has R2 and R4.
    assert _team_goals(staff_current) == {"A": (1000.0, 0.5, 2), "B": (3700.0, 0.925, 3)}


def test_members_are_listed_per_year_with_the_revenue_made_in_the_team(
    staff_moved, staff_current
) -> None:
    members = staff_moved.team_members
    listed = {
        (t, int(y)): dict(zip(g["rep_id"], g["revenue"], strict=True))
        for (t, y), g in members.groupby(["team", "year"])
    }
    assert listed == {
        ("A", 2024): {"R1": 10.0, "R2": 0.0, "R4": 0.0},
        ("B", 2024): {"R3": 0.0},
        ("A", 2025): {"R1": 300.0, "R2": 1000.0, "R4": 0.0},
        ("B", 2025): {"R1": 400.0, "R3": 3000.0, "R5": 0.0},
    }
    # Each team's members add up to the team's revenue, every year.
    sums = members.groupby(["team", "year"])["revenue"].sum()
    team_years = staff_moved.team_years.set_index(["team", "year"])["revenue"]
    assert sums.to_dict() == team_years.reindex(sums.index).to_dict()
    # Without memberships: each employed rep in the current team, with the full year (not shown on pages).
    current = staff_current.team_members
    assert {
        (t, int(y)): dict(zip(g["rep_id"], g["revenue"], strict=True))
        for (t, y), g in current[current["year"] == 2025].groupby(["team", "year"])
    } == {
        ("A", 2025): {"R2": 1000.0, "R4": 0.0},
        ("B", 2025): {"R1": 700.0, "R3": 3000.0, "R5": 0.0},
    }
    r1 = members[(members["rep_id"] == "R1") & (members["year"] == 2025)].set_index("team")
    assert r1[["won_deals", "lost_deals"]].to_dict("index") == {
        "A": {"won_deals": 2, "lost_deals": 0},
        "B": {"won_deals": 1, "lost_deals": 1},
    }


def test_manager_figures_follow_the_manager_of_the_time(staff_moved) -> None:
    ma, mb = _manager_year(staff_moved, "Ma", 2025), _manager_year(staff_moved, "Mb", 2025)
    # Ma had R1 (to June), R2 and R4; Mb had R1 (from July), R3 and R5 (hired in March).
    assert (ma["reps"], mb["reps"]) == (3, 3)
    # On 1 January Ma had R1, R2, R4 and Mb only R3; R4 left Ma, R1's move is not a departure.
    assert (ma["reps_at_start"], ma["reps_left"]) == (3, 1)
    assert ma["retention"] == pytest.approx(2 / 3)
    assert (mb["reps_at_start"], mb["reps_left"], mb["retention"]) == (1, 0, 1.0)
    assert (ma["teams"], mb["teams"]) == ("A", "B")
    # Team goals by that year's manager of the team.
    assert (ma["team_goals"], ma["team_goal_attainment"]) == (1, 0.65)
    assert (mb["team_goals"], mb["team_goal_attainment"]) == (1, 0.85)
    # Rep goals under the manager the rep ended the year with: R1's 2025 goal (700 of 600, met) is
    # Mb's; R4's (0 of 100) would be Ma's, but R4 left in 2025 ("rep left": not counted); R1's 2024
    # goal (10 of 5) is Ma's, when R1 was in A.
    assert (ma["rep_goals"], ma["rep_goals_met"], mb["rep_goals"], mb["rep_goals_met"]) == (
        0,
        0,
        1,
        1,
    )
    ma24, mb24 = _manager_year(staff_moved, "Ma", 2024), _manager_year(staff_moved, "Mb", 2024)
    assert (ma24["rep_goals"], ma24["rep_goals_met"], mb24["rep_goals"]) == (1, 1, 0)
    assert (ma24["reps"], mb24["reps"]) == (3, 1)
    leavers = staff_moved.manager_history.leavers
    assert leavers[["manager", "team", "rep_id", "year"]].values.tolist() == [
        ["Ma", "A", "R4", 2025]
    ]
    assert staff_moved.managers.set_index("manager")["teams"].to_dict() == {"Ma": "A", "Mb": "B"}


def test_without_memberships_managers_keep_the_current_manager(staff_current) -> None:
    ma, mb = _manager_year(staff_current, "Ma", 2025), _manager_year(staff_current, "Mb", 2025)
    assert (ma["reps"], ma["reps_at_start"], ma["reps_left"], ma["retention"]) == (2, 2, 1, 0.5)
    assert (mb["reps"], mb["reps_at_start"], mb["reps_left"], mb["retention"]) == (3, 2, 0, 1.0)
    assert (ma["team_goal_attainment"], mb["team_goal_attainment"]) == (0.5, 0.925)
    # R4's goal (0 of 100) is not Ma's to count: R4 left in 2025 ("rep left").
    assert (ma["rep_goals"], mb["rep_goals"], mb["rep_goals_met"]) == (0, 1, 1)
    mb24 = _manager_year(staff_current, "Mb", 2024)
    assert (mb24["rep_goals"], mb24["rep_goals_met"], mb24["reps"]) == (1, 1, 2)


def test_memberships_that_repeat_the_current_teams_change_nothing(
    tmp_path: Path, staff_current
) -> None:
    """A memberships export saying what the reps export says (one open period from before the data)
    gives the same goals and manager counts as no memberships at all."""
    same = "rep_id,team,manager,start,end\n" + "".join(
        f"{r},{t},{m},2019-01-01,\n"
        for r, t, m in (
            ("R1", "B", "Mb"),
            ("R2", "A", "Ma"),
            ("R3", "B", "Mb"),
            ("R4", "A", "Ma"),
            ("R5", "B", "Mb"),
        )
    )
    dated = _staff_metrics(tmp_path / "same", same)
    assert dated.dated_teams
    assert _team_goals(dated) == _team_goals(staff_current)
    counts = [
        "manager",
        "year",
        "teams",
        "reps",
        "reps_at_start",
        "reps_left",
        "retention",
        "team_goals",
        "team_goal_attainment",
        "rep_goals",
        "rep_goals_met",
        "revenue",
    ]
    pd.testing.assert_frame_equal(
        dated.manager_history.years[counts], staff_current.manager_history.years[counts]
    )
    pd.testing.assert_frame_equal(
        dated.manager_history.leavers, staff_current.manager_history.leavers
    )


@pytest.fixture(scope="module")
def staff_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("staff_site")
    return build(_staff_export(folder / "export", STAFF_MEMBERSHIPS), folder / "site").out


def _team_csv(site: Path, team: str, kind: str) -> pd.DataFrame:
    (found,) = (site / "data" / "teams").glob(f"{team.lower()}-*-{kind}.csv")
    return pd.read_csv(found)


def test_team_pages_list_each_years_members_with_their_revenue_in_the_team(
    staff_site: Path,
) -> None:
    a, b = _team_csv(staff_site, "A", "membership"), _team_csv(staff_site, "B", "membership")
    assert a[a["year"] == 2025][["rep_id", "revenue"]].values.tolist() == [
        ["R2", 1000.0],
        ["R1", 300.0],
        ["R4", 0.0],
    ]
    assert b[b["year"] == 2025][["rep_id", "revenue"]].values.tolist() == [
        ["R3", 3000.0],
        ["R1", 400.0],
        ["R5", 0.0],
    ]
    counts = _team_csv(staff_site, "A", "member-counts")
    assert counts.values.tolist() == [[2025, 3], [2024, 3]]
    page = next(p for p in (staff_site / "teams").glob("a-*/index.html")).read_text(
        encoding="utf-8"
    )
    assert "Rita Mover" in page and "Members per year" in page and "Revenue in the team" in page
    goals = pd.read_csv(staff_site / "data" / "team_goals.csv").set_index("team")
    assert goals.loc["A", "actual"] == 1300.0 and goals.loc["B", "actual"] == 3400.0


def test_without_memberships_team_pages_list_current_members(tmp_path: Path) -> None:
    site = build(_staff_export(tmp_path / "export", None), tmp_path / "site").out
    assert not list((site / "data" / "teams").glob("*-membership.csv"))
    assert not (site / "data" / "team_members.csv").exists()
    members = _team_csv(site, "B", "members")
    assert sorted(members["rep_id"]) == ["R1", "R3", "R5"]
    assert members.set_index("rep_id").loc["R1", "revenue"] == 700.0
    page = next(p for p in (site / "teams").glob("b-*/index.html")).read_text(encoding="utf-8")
    assert "Members per year" not in page


def test_with_memberships_every_table_holds_its_contract(staff_moved, staff_site: Path) -> None:
    from generator.contracts import validate as v
    from generator.contracts.tables import published_contract

    # The tables memberships change (the tiny export breaks others: integer amounts, no forecast).
    ours = (
        "metrics.team_members",
        "metrics.goals",
        "metrics.manager",
        "metrics.managers",
        "metrics.team_years",
        "data/team_members",
        "data/team_goals",
        "data/manager",
        "data/teams/",
    )
    assert [p for p in v.metrics_problems(staff_moved) if p.startswith(ours)] == []
    files = v.site_files(staff_site)
    assert [p for p in files if published_contract(p) is None] == []
    published = v.published_problems(files, show_compensation=False, banded=False)
    assert [p for p in published if p.startswith(ours) and "forecast" not in p] == []
    assert any(str(p).endswith("-membership.csv") for p in files)


def test_coaching_counts_under_the_manager_on_its_start_date() -> None:
    """manager_history by hand: R1 is Ma's until 30 June 2025 and Mb's from 1 July; an engagement
    starting in March counts for Ma, one starting in August for Mb (the reps export says Mb)."""
    import datetime as dt

    from generator.metrics.managers import manager_history
    from generator.metrics.membership import manager_membership, membership_spells, team_membership
    from generator.metrics.period import Period

    reps = pd.DataFrame(
        {
            "rep_id": ["R1", "R2"],
            "name": ["Rita", "Ann"],
            "team": ["B", "A"],
            "manager": ["Mb", "Ma"],
            "hired": pd.to_datetime([None, None]),
            "left": pd.to_datetime([None, None]),
        }
    )
    memberships = pd.DataFrame(
        {
            "rep_id": ["R1", "R1"],
            "team": ["A", "B"],
            "manager": ["Ma", "Mb"],
            "start": pd.to_datetime(["2020-01-01", "2025-07-01"]),
            "end": pd.to_datetime(["2025-06-30", None]),
        }
    )
    period = Period.containing(dt.date(2025, 12, 31), 1)
    ends = {2025: pd.Timestamp("2025-12-31")}
    teams = team_membership(reps, memberships, ends)
    managers = manager_membership(reps, memberships, ends)
    spells = membership_spells(
        reps, teams, managers, {2025: (pd.Timestamp("2025-01-01"), ends[2025])}
    )
    assert spells[spells["rep_id"] == "R1"][
        ["day", "team", "manager", "at_start", "at_end"]
    ].values.tolist() == [
        [pd.Timestamp("2025-01-01"), "A", "Ma", True, False],
        [pd.Timestamp("2025-07-01"), "B", "Mb", False, True],
    ]
    rep_years = pd.DataFrame(
        {
            "rep_id": pd.Series(["R1", "R2"], dtype="string"),
            "year": [2025, 2025],
            "value_ratio": [1.0, 2.0],
            "clients": 5,
        }
    )
    manager_years = pd.DataFrame(
        {
            "manager": ["Ma", "Mb"],
            "year": [2025, 2025],
            "revenue": [1.0, 2.0],
            "reps_with_cost": [0, 0],
            "value_ratio": [None, None],
        }
    )
    events = pd.DataFrame(
        {
            "rep_id": pd.Series(["R1", "R1", "R2"], dtype="string"),
            "start": pd.to_datetime(["2025-03-01", "2025-08-01", "2025-05-01"]),
            "included": [True, True, True],
            "effect_per_month": [10.0, 30.0, 50.0],
        }
    )
    result = manager_history(
        reps, rep_years, manager_years, period, [2025], None, events, spells, managers
    )
    rows = result.years.set_index("manager")
    assert rows.loc["Ma", ["coaching_events", "coached_reps"]].tolist() == [2, 2]
    assert rows.loc["Mb", ["coaching_events", "coached_reps"]].tolist() == [1, 1]
    # no unchecked effect: see metrics.coaching's by_manager
    assert "coaching_effect_per_month" not in rows
    assert rows.loc["Ma", "reps"] == 2 and rows.loc["Mb", "reps"] == 1
    assert (rows.loc["Ma", "teams"], rows.loc["Mb", "teams"]) == ("A", "B")
    # The ratio change counts under the manager the rep ended the year with: R1 (1 → 3) under Mb,
    # R2 (2 → 1.5) under Ma; in 2024 R1 was Ma's.
    ratios = pd.DataFrame(
        {
            "rep_id": pd.Series(["R1", "R1", "R2", "R2"], dtype="string"),
            "year": [2024, 2025, 2024, 2025],
            "value_ratio": [1.0, 3.0, 2.0, 1.5],
            "clients": 5,
        }
    )
    spans = {y: (pd.Timestamp(f"{y}-01-01"), pd.Timestamp(f"{y}-12-31")) for y in (2024, 2025)}
    two_years = manager_history(
        reps,
        ratios,
        manager_years,
        period,
        [2024, 2025],
        None,
        None,
        membership_spells(reps, teams, managers, spans),
        managers,
    ).years
    change = two_years[two_years["year"] == 2025].set_index("manager")
    assert change.loc["Mb", ["reps_compared", "reps_improved", "mean_ratio_change"]].tolist() == [
        1,
        1,
        2.0,
    ]
    assert change.loc["Ma", ["reps_compared", "reps_improved", "mean_ratio_change"]].tolist() == [
        1,
        0,
        -0.5,
    ]
    first = two_years[two_years["year"] == 2024].set_index("manager")
    assert (first.loc["Ma", "reps"], first.loc["Mb", "reps"]) == (2, 0)
    # Without the memberships every engagement of R1 is Mb's.
    plain = manager_history(
        reps, rep_years, manager_years, period, [2025], None, events
    ).years.set_index("manager")
    assert plain.loc["Mb", "coaching_events"] == 2


def test_a_team_only_the_memberships_export_knows_gets_its_manager_from_it() -> None:
    """Team C is in no rep's current team: its manager comes from its memberships rows, those open
    on as_of first, else those that started last; a team the reps export knows keeps its manager."""
    from generator.metrics import _membership_managers, _team_table
    from generator.metrics.period import Period

    day = pd.Timestamp
    memberships = pd.DataFrame(
        {
            "rep_id": ["R1", "R2", "R3", "R4", "R5", "R6"],
            "team": ["C", "C", "D", "D", "E", "A"],
            "start": [
                day("2024-01-01"),
                day("2025-01-01"),
                day("2023-01-01"),
                day("2024-03-01"),
                day("2026-01-01"),
                day("2024-01-01"),
            ],
            "end": [
                day("2024-12-31"),
                pd.NaT,
                day("2024-02-28"),
                day("2024-09-30"),
                pd.NaT,
                pd.NaT,
            ],
            "manager": ["Old", "New", "Dee", "Dan", "Later", "Other"],
        }
    )
    managers = _membership_managers(memberships, day("2025-06-30"))
    # C: open on as_of → New; D: nobody in it now, its last period's manager → Dan; E starts later.
    assert managers.to_dict() == {"A": "Other", "C": "New", "D": "Dan"}
    assert _membership_managers(memberships.assign(manager=pd.NA), day("2025-06-30")).empty

    reps = pd.DataFrame({"rep_id": ["R6"], "team": ["A"], "manager": ["Ma"]}).astype("string")
    team_years = pd.DataFrame(
        {"team": ["A", "C", "D"], "year": 2025, "revenue": [1.0, 2.0, 3.0]}
    ).astype({"team": "string"})
    table = _team_table(reps, team_years, Period.containing(dt.date(2025, 6, 30), 1), memberships)
    assert dict(zip(table["team"], table["manager"], strict=True)) == {
        "A": "Ma",  # the reps export wins for a team it knows
        "C": "New",
        "D": "Dan",
    }
