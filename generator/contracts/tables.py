"""Table contracts: the columns of every table that crosses a stage, declared once (issue 12).

Three stages, three groups: ``INPUTS`` (load → metrics: the ``Inputs`` tables), ``METRICS``
(metrics → site: every DataFrame of ``Metrics``, nested ones included) and ``PUBLISHED``
(``site/data/*.csv`` and ``.json``). Where the code already names a table's columns in a list
(``REP_COLUMNS``, ``SEGMENT_COLUMNS``, …) the contract is built from that list, so the column
names live in one place; each name's type and range come from ``terms.TERMS``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from generator.contracts.terms import Kind, Term, term
from generator.load.loader import FILE, LINE
from generator.metrics import REP_COLUMNS, REP_EXTRA_COLUMNS
from generator.metrics.activity import ACTIVITY_COLUMNS, CORRELATION_COLUMNS, MIX_COLUMNS
from generator.metrics.coaching import (
    EFFECT_COLUMNS,
    EVENT_COLUMNS,
    MANAGER_COACHING_COLUMNS,
    MISSED_COLUMNS,
)
from generator.metrics.compute import PERFORMANCE_COLUMNS
from generator.metrics.forecast import FORECAST_COLUMNS, INTERVAL_COLUMNS, PATH_COLUMNS
from generator.metrics.goals import CALIBRATION_COLUMNS, GOAL_COLUMNS, TEAM_ATTAINMENT_COLUMNS
from generator.metrics.history import HISTORY_COLUMNS, QUARTER_COLUMNS, TEAM_MEMBER_COLUMNS
from generator.metrics.managers import LEAVER_COLUMNS, MANAGER_YEAR_COLUMNS
from generator.metrics.segments import (
    CROSS_COLUMNS,
    CROSSES,
    CURRENT_COLUMNS,
    DIMENSIONS,
    SEGMENT_COLUMNS,
)
from generator.quality import ISSUE_COLUMNS
from generator.schema import DATASETS
from generator.site.common import PRIVATE_COLUMNS
from generator.site.pages.teams import MEMBER_COUNT_COLUMNS, MEMBERSHIP_COLUMNS
from generator.vocabulary import GOAL_METRICS, LOST, OPEN, WON


@dataclass(frozen=True, eq=False)  # identity: one object per contract, hashable for caching
class Table:
    """One table's contract: its columns in order, its key, and where it differs from the vocabulary."""

    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...] = ()
    """Columns that identify a row: never empty, unique together."""
    optional: frozenset[str] = frozenset()
    """Columns that may be absent (e.g. ``annual_cost`` when compensation is private)."""
    nullable: frozenset[str] = frozenset()
    """Columns that may be empty although their kind is not (e.g. ``quarter`` on a year's row)."""
    required: frozenset[str] = frozenset()
    """Columns that are never empty although their kind may be (e.g. ``revenue``: 0, not empty)."""
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Columns whose cells come from a fixed vocabulary (e.g. status: won, lost, open)."""
    banded: frozenset[str] = frozenset()
    """Columns that hold a value-ratio band (``1–2``) instead of a number when
    ``privacy.rep_value_ratios`` is ``band`` (published files only)."""
    overrides: dict[str, Term] = field(default_factory=dict)
    """Columns whose meaning here is not the vocabulary's (e.g. ``value`` of a headline figure)."""
    doc: str = ""

    @property
    def private(self) -> frozenset[str]:
        """Compensation columns: published only with ``privacy.show_compensation: true`` (SPEC §3)."""
        return frozenset(self.columns) & PRIVATE_COLUMNS

    def term(self, column: str) -> Term:
        return self.overrides.get(column) or term(column)

    def is_nullable(self, column: str) -> bool:
        from generator.contracts.terms import NULLABLE_BY_DEFAULT

        if column in self.nullable:
            return True
        if column in self.key or column in self.required:
            return False
        return self.term(column).kind in NULLABLE_BY_DEFAULT


def _table(
    name: str,
    columns: Iterable[str],
    *,
    key: tuple[str, ...] = (),
    optional: Iterable[str] = (),
    nullable: Iterable[str] = (),
    required: Iterable[str] = (),
    banded: Iterable[str] = (),
    values: dict[str, tuple[str, ...]] | None = None,
    overrides: dict[str, Term] | None = None,
    doc: str = "",
) -> Table:
    """A contract whose column sets may be given as any iterable of names."""
    table = Table(
        name,
        tuple(columns),
        key=key,
        optional=frozenset(optional),
        nullable=frozenset(nullable),
        required=frozenset(required),
        values=values or {},
        banded=frozenset(banded),
        overrides=overrides or {},
        doc=doc,
    )
    for column in table.columns:
        table.term(column)  # every column has a meaning
    return table


def _by_name(tables: Iterable[Table]) -> dict[str, Table]:
    out: dict[str, Table] = {}
    for t in tables:
        if t.name in out:
            raise ValueError(f"two contracts named {t.name}")
        out[t.name] = t
    return out


# ---------------------------------------------------------------------------------------------
# load → metrics: the Inputs tables (canonical fields of SPEC §4 plus what loading adds)

_KEYS = {
    "deals": ("deal_id",),
    "reps": ("rep_id",),
    "clients": ("client_id",),
    "costs": ("rep_id", "year"),
    "goals": ("scope", "id", "year", "metric"),
}
_ADDED = {"deals": ("status",), "reps": ("in_reps_file",)}


def _input(name: str) -> Table:
    """A loaded dataset: its canonical fields (``generator.schema``) and the provenance columns."""
    dataset = DATASETS[name]
    provenance = (FILE, LINE)
    # Rows missing a required value are excluded on loading, except where SPEC §4 allows it:
    # open deals may lack an amount and a close date (checked row by row, see validate).
    required = {f.name for f in dataset.fields if f.required} - {"amount", "closed"}
    values: dict[str, tuple[str, ...]] = {}
    if name == "deals":
        values["status"] = (WON, LOST, OPEN)
    if name == "goals":
        values["scope"], values["metric"] = ("rep", "team"), GOAL_METRICS
    # Reps gain their provenance last: the reps file's rows, then the reps known only from deals.
    order = (
        (*provenance, *dataset.field_names, *_ADDED.get(name, ()))
        if name != "reps"
        else (*dataset.field_names, *provenance, *_ADDED[name])
    )
    return _table(
        f"inputs.{name}",
        order,
        key=_KEYS.get(name, ()),
        required=required | {FILE},
        values=values,
        doc=dataset.doc,
    )


INPUTS = _by_name(_input(name) for name in DATASETS)
"""``Inputs`` field → contract (``inputs.deals`` …)."""


# ---------------------------------------------------------------------------------------------
# metrics → site: every DataFrame of Metrics

_GROUP_YEAR = [
    "year",
    *PERFORMANCE_COLUMNS,
    "clients",
    "mean_client_ltv",
    "new_clients",
    "annual_cost",
    "reps_with_cost",
    "value_ratio",
]
"""Per group and year (``compute.group_years``), after the group's own column."""

_REP_YEAR = [c for c in _GROUP_YEAR if c != "reps_with_cost"]

_COMPANY_PREVIOUS = [*PERFORMANCE_COLUMNS, "new_clients", "mean_client_ltv"]


def _metrics_tables() -> list[Table]:
    tables = [
        _table(
            "reps",
            [*REP_COLUMNS, *REP_EXTRA_COLUMNS],
            key=("rep_id",),
            required={"revenue", "open_pipeline"},
            doc="one row per rep, current and former: the reporting year",
        ),
        _table("rep_years", ["rep_id", *_REP_YEAR], key=("rep_id", "year"), required={"revenue"}),
        _table(
            "teams",
            ["team", *_GROUP_YEAR[1:], "manager", "reps"],
            key=("team",),
            required={"revenue"},
        ),
        _table("team_years", ["team", *_GROUP_YEAR], key=("team", "year"), required={"revenue"}),
        _table(
            "team_previous",
            ["team", "revenue"],
            key=("team",),
            required={"team", "revenue"},
            doc="each team over the same span of the previous year",
        ),
        _table(
            "managers",
            ["manager", *_GROUP_YEAR[1:], "teams"],
            key=("manager",),
            required={"revenue"},
        ),
        _table("company_years", [*_GROUP_YEAR, "reps"], key=("year",), required={"revenue"}),
        _table(
            "company_previous",
            _COMPANY_PREVIOUS,
            required={"revenue"},
            doc="a Series (figure → value): checked as one row",
        ),
        _table(
            "clients",
            ["client_id", "acquired", "acquired_year", "acquirer", "won_deals", "ltv", "name"],
            key=("client_id",),
            required={"acquired", "acquirer", "ltv"},
        ),
        _table(
            "rep_monthly",
            ["rep_id", "month", "revenue", "won_deals"],
            key=("rep_id", "month"),
            required={"month", "revenue"},
        ),
        _table(
            "team_members",
            TEAM_MEMBER_COLUMNS,
            key=("team", "year", "rep_id"),
            required={"revenue"},
            doc="with a memberships export: each team's members per year and their revenue in the team",
        ),
        _table(
            "team_monthly",
            ["team", "month", "revenue", "won_deals"],
            key=("team", "month"),
            required={"month", "revenue"},
        ),
        _table(
            "company_monthly",
            ["month", "revenue", "won_deals"],
            key=("month",),
            required={"revenue"},
        ),
        _table("segments.company", SEGMENT_COLUMNS, key=("year",), required={"revenue"}),
        _table(
            "goals.goals",
            GOAL_COLUMNS,
            required={"scope", "id", "metric", "target", "status"},
            values={"scope": ("rep", "team"), "metric": GOAL_METRICS},
        ),
        _table(
            "goals.team_attainment", TEAM_ATTAINMENT_COLUMNS, required={"team", "metric", "target"}
        ),
        _table("goals.calibration", CALIBRATION_COLUMNS, key=("year", "scope", "metric")),
        _table(
            "history.rep_quarters", ["rep_id", *QUARTER_COLUMNS], key=("rep_id", "year", "quarter")
        ),
        _table(
            "history.team_quarters", ["team", *QUARTER_COLUMNS], key=("team", "year", "quarter")
        ),
        _table(
            "history.manager_quarters",
            ["manager", *QUARTER_COLUMNS],
            key=("manager", "year", "quarter"),
        ),
        _table("history.company_quarters", QUARTER_COLUMNS, key=("year", "quarter")),
        _table(
            "history.region_years", ["region", "year", *PERFORMANCE_COLUMNS], key=("region", "year")
        ),
        _table(
            "history.region_quarters",
            ["region", *QUARTER_COLUMNS],
            key=("region", "year", "quarter"),
        ),
        _table("manager_history.years", MANAGER_YEAR_COLUMNS, key=("manager", "year")),
        _table("manager_history.leavers", LEAVER_COLUMNS, key=("rep_id",), required={"left"}),
        _table(
            "forecast.table",
            FORECAST_COLUMNS,
            key=("level", "id", "horizon"),
            required={"level", "horizon", "method", "booked", "open_pipeline", "expected_pipeline"},
        ),
        _table(
            "forecast.paths",
            PATH_COLUMNS,
            key=("level", "id", "month", "kind"),
            required={"level", "kind", "revenue"},
        ),
        _table(
            "forecast.remainders",
            ["level", "horizon", "fiscal_year", "remainder", "reconciled", "factor"],
            key=("level", "horizon"),
        ),
        _table(
            "forecast.company_backtest",
            [
                "origin",
                "actual",
                "forecast",
                "low",
                "high",
                "baseline",
                "baseline_low",
                "baseline_high",
                "month",
            ],
            key=("origin",),
            overrides={"actual": Term(Kind.MONEY)},
        ),
        _table("forecast.intervals", INTERVAL_COLUMNS, key=("level",)),
        _table("coaching.effects", EFFECT_COLUMNS, key=("kind",), required={"verdict"}),
        _table("coaching.events", EVENT_COLUMNS, required={"rep_id", "start", "included"}),
        _table("coaching.missed_goals", MISSED_COLUMNS, required={"rep_id", "year"}),
        _table(
            "coaching.by_manager",
            MANAGER_COACHING_COLUMNS,
            key=("manager",),
            required={"manager", "verdict"},
        ),
        _table("activity.reps", ACTIVITY_COLUMNS, key=("rep_id",)),
        _table("activity.mix", MIX_COLUMNS, key=("rep_id", "kind")),
        _table("activity.correlation", CORRELATION_COLUMNS, key=("kind",)),
        _table("activity.medians", ["activities_per_month", "revenue_per_month", "reps"]),
    ]
    for dimension in DIMENSIONS:
        tables.append(
            _table(
                f"segments.history[{dimension}]",
                [dimension, *SEGMENT_COLUMNS],
                key=(dimension, "year"),
                required={"revenue"},
            )
        )
        tables.append(
            _table(
                f"segments.current[{dimension}]",
                [dimension, *SEGMENT_COLUMNS, *CURRENT_COLUMNS],
                key=(dimension,),
                required={"revenue"},
            )
        )
        tables.append(
            _table(
                f"history.segment_quarters[{dimension}]",
                [dimension, *QUARTER_COLUMNS],
                key=(dimension, "year", "quarter"),
            )
        )
    for rows, columns in CROSSES:
        tables.append(
            _table(
                f"segments.crosses[{rows},{columns}]",
                [rows, columns, *CROSS_COLUMNS],
                key=(rows, columns),
                required={"revenue"},
            )
        )
    return tables


METRICS = _by_name(_metrics_tables())
"""Path of a DataFrame inside ``Metrics`` (``segments.history[region]``) → contract."""


# ---------------------------------------------------------------------------------------------
# site/data/: published files (CSV and JSON carry the same columns)

_FIGURE_VALUE = {
    "value": Term(Kind.NUMBER, "the figure's value; a count is an integer, a rate a fraction"),
    "over": Term(Kind.TEXT, "who the figure covers: the company, or how many ranked reps"),
}
_PERENTITY_FORECAST = [
    "fiscal_year",
    "horizon",
    "method",
    "history_months",
    "booked",
    "forecast",
    "forecast_low",
    "forecast_high",
    "baseline",
    "reconciled",
    "mape",
    "coverage",
    "level_coverage",
    "baseline_mape",
    "flag",
    "open_pipeline",
    "expected_pipeline",
]


def _from(
    metrics: str,
    name: str,
    *,
    add: Iterable[str] = (),
    drop: Iterable[str] = (),
    optional: Iterable[str] = (),
    banded: Iterable[str] = (),
) -> Table:
    """A published table cut from a Metrics table: its columns (less ``drop``) plus ``add``."""
    source = METRICS[metrics]
    dropped = set(drop)
    columns = [c for c in source.columns if c not in dropped] + list(add)
    return _table(
        name,
        columns,
        key=source.key,
        optional=set(optional) | set(source.optional),
        nullable=source.nullable,
        required=source.required,
        banded=banded,
        values=source.values,
        overrides=source.overrides,
    )


def _published_tables() -> list[Table]:
    reps_cols = [*REP_COLUMNS, *REP_EXTRA_COLUMNS]
    tables = [
        _from("reps", "reps", add=["url"], banded={"value_ratio"}),
        _from("rep_years", "rep_history", banded={"value_ratio"}),
        _from("teams", "teams"),
        _from("team_years", "team_history"),
        _from("managers", "managers"),
        _from("team_members", "team_members"),
        _from("company_years", "company_history"),
        _from("history.company_quarters", "company_quarters"),
        _from("history.region_years", "region_history"),
        _table(
            "history",
            HISTORY_COLUMNS,
            key=("level", "id", "year", "quarter"),
            nullable={"quarter", "won_deals", "lost_deals", "clients", "new_clients"},
            doc="one row per entity and period: quarter empty on a year's row, yearly figures (clients, "
            "LTV, cost) on a quarter's, counts on a manager's year (SPEC §6: not computed → empty)",
        ),
        _from("goals.goals", "goals", drop=["file", "row"], banded={"actual"}),
        _from("goals.team_attainment", "team_goals"),
        _from("goals.calibration", "goals_calibration"),
        _from("manager_history.years", "manager_history"),
        _from("manager_history.leavers", "manager_leavers", banded={"value_ratio_when_left"}),
        _from("forecast.table", "forecast"),
        _from("forecast.paths", "forecast_paths"),
        _from("forecast.remainders", "forecast_remainders"),
        _from("forecast.company_backtest", "forecast_backtest"),
        _from("forecast.intervals", "forecast_intervals"),
        _from("coaching.effects", "coaching_effect"),
        _from("coaching.events", "coaching_events"),
        _from("coaching.missed_goals", "coaching_missed_goals"),
        _from("coaching.by_manager", "coaching_by_manager"),
        _from("activity.reps", "activity", banded={"value_ratio"}),
        _from("activity.mix", "activity_mix"),
        _from("activity.correlation", "activity_correlation"),
        _table(
            "headlines",
            ["figure", "value", "same_span_last_year", "over"],
            key=("figure",),
            overrides=_FIGURE_VALUE,
            doc="one row per headline figure",
        ),
        _table(
            "datasets",
            ["dataset", "files", "rows_read", "rows_used", "rows_excluded", "warnings", "latest"],
            key=("dataset",),
            required={"dataset"},
        ),
        _table("definition_changes", ["date", "change"], required={"date", "change"}),
        _table(
            "data_quality",
            ISSUE_COLUMNS,
            required={"severity", "dataset", "problem"},
            doc="every finding, with file, row and column (SPEC §7)",
        ),
        _table(
            "data_quality_summary",
            ["severity", "dataset", "file", "column", "problem", "action", "count", "first_row"],
            required={"severity", "dataset", "problem"},
        ),
        # Per-entity files: data/<folder>/<slug>-<kind>.csv, cut from the tables above.
        _from("activity.mix", "reps/*-activity"),
        _table(
            "reps/*-clients",
            ["client_id", "name", "acquired", "won_deals", "ltv"],
            key=("client_id",),
        ),
        _from("coaching.events", "reps/*-coaching"),
        _from("goals.goals", "reps/*-goals", drop=["file", "row"], banded={"actual"}),
        _from("rep_years", "reps/*-history", banded={"value_ratio"}),
        _from("history.rep_quarters", "reps/*-quarters"),
        _table("reps/*-summary", ["figure", "value"], key=("figure",), overrides=_FIGURE_VALUE),
        _from("goals.goals", "teams/*-goals", drop=["file", "row"], banded={"actual"}),
        _from("team_years", "teams/*-history"),
        _from("manager_history.leavers", "teams/*-leavers", banded={"value_ratio_when_left"}),
        _from("manager_history.years", "teams/*-manager", add=["href"]),
        _table("teams/*-members", reps_cols, key=("rep_id",), banded={"value_ratio"}),
        _table(
            "teams/*-membership", MEMBERSHIP_COLUMNS, key=("year", "rep_id"), required={"revenue"}
        ),
        _table("teams/*-member-counts", MEMBER_COUNT_COLUMNS, key=("year",), required={"members"}),
        _from("history.team_quarters", "teams/*-quarters"),
        _table("teams/*-summary", ["figure", "value"], key=("figure",), overrides=_FIGURE_VALUE),
    ]
    for folder in ("reps", "teams", "regions"):
        tables.append(
            _table(
                f"{folder}/*-forecast",
                _PERENTITY_FORECAST,
                key=("horizon",),
                required={"horizon", "method"},
            )
        )
    for dimension, folder in DIMENSIONS.items():
        tables.append(_from(f"segments.current[{dimension}]", folder, add=["url"]))
        tables.append(_from(f"segments.history[{dimension}]", f"{folder}_history"))
        tables.append(_from(f"segments.history[{dimension}]", f"{folder}/*-history"))
        tables.append(_from(f"history.segment_quarters[{dimension}]", f"{folder}/*-quarters"))
    for rows, columns in CROSSES:
        cross = f"segments.crosses[{rows},{columns}]"
        tables.append(_from(cross, f"{rows}_{columns}"))
        tables.append(_from(cross, f"{DIMENSIONS[rows]}/*-by-{columns}"))
        tables.append(_from(cross, f"{DIMENSIONS[columns]}/*-by-{rows}"))
    return tables


PUBLISHED = _by_name(_published_tables())
"""Published table → contract: ``reps`` is data/reps.csv and data/reps.json; ``reps/*-history`` is
every data/reps/<slug>-history.csv."""


def published_contract(path: str) -> Table | None:
    """The contract of a file under site/data/ (``reps.csv``, ``teams/east-1a2b-history.csv``), if any."""
    stem, dot, suffix = path.rpartition(".")
    if not dot or suffix not in ("csv", "json"):
        return None
    if "/" not in stem:
        return PUBLISHED.get(stem)
    folder, _, name = stem.partition("/")
    kinds = sorted((t for t in PUBLISHED if t.startswith(f"{folder}/*-")), key=len, reverse=True)
    for kind in kinds:
        if suffix == "csv" and name.endswith(kind.removeprefix(f"{folder}/*")):
            return PUBLISHED[kind]
    return None
