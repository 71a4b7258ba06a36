"""Pure metric computations (SPEC §5): no clock, no files, no printing; same inputs, same outputs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from generator.metrics.membership import Membership
from generator.metrics.period import Period, fiscal_year
from generator.vocabulary import LOST, OPEN, WON

PERFORMANCE_COLUMNS = [
    "revenue",
    "won_deals",
    "lost_deals",
    "win_rate",
    "avg_deal_size",
    "sales_cycle_days",
]


def reps_by_id(reps: pd.DataFrame) -> pd.DataFrame:
    """``reps`` (any table with a ``rep_id`` column) with one row per rep, the first, indexed by the
    rep id as text: for looking a rep's fields up by id (``ids.map(reps_by_id(reps)["left"])``)."""
    return reps.drop_duplicates("rep_id").set_index(
        reps["rep_id"].drop_duplicates().astype("string")
    )


def counted_deals(deals: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Won and lost deals closed on or before ``as_of``, with their fiscal year and month."""
    closed = deals[(deals["status"] != OPEN) & (deals["closed"] <= pd.Timestamp(period.as_of))]
    months = closed["closed"].to_numpy().astype("datetime64[M]").astype("datetime64[s]")
    won = closed["status"] == WON
    cycle = (closed["closed"] - closed["created"]).dt.days
    return closed.assign(
        fiscal_year=fiscal_year(closed["closed"], period.fiscal_year_start),
        month=pd.Series(months, index=closed.index),
        # Per-deal terms of the performance sums, computed once for every grouping.
        won_amount=closed["amount"].where(won, 0.0).fillna(0.0),
        won=won.astype("int64"),
        lost=(closed["status"] == LOST).astype("int64"),
        cycle=cycle.where(won & (cycle >= 0)).astype("float64"),
    )


METRIC_DEAL_FIELDS = (
    "deal_id",
    "rep_id",
    "client_id",
    "amount",
    "closed",
    "created",
    "acquisition",
    "status",
)
"""The deals' fields the metrics read (``created`` and ``acquisition`` when the export has them): the
others (stage, product, currency, file and line) would only be copied by every filter."""


def with_id_categories(deals: pd.DataFrame) -> pd.DataFrame:
    """Deals with the fields the metrics read (METRIC_DEAL_FIELDS), and categorical rep and client
    ids: grouping and looking up a million rows by text is several times slower than by category
    codes."""
    return deals[[name for name in METRIC_DEAL_FIELDS if name in deals]].astype(
        {"rep_id": "category", "client_id": "category", "status": "category"}
    )


def _by_code(codes: np.ndarray, values: pd.Series, index: pd.Index) -> pd.Series:
    """Per-row values from per-code ``values`` (code −1 is missing), as a categorical."""
    value_codes, uniques = pd.factorize(values, use_na_sentinel=True)
    per_row = (
        np.where(codes >= 0, value_codes[np.maximum(codes, 0)], -1)
        if len(value_codes)
        else np.full(len(codes), -1)
    )
    return pd.Series(
        pd.Categorical.from_codes(per_row, categories=pd.Index(uniques).astype("string")),
        index=index,
    )


def deal_segments(
    deals: pd.DataFrame, clients: pd.DataFrame | None, reps: pd.DataFrame
) -> pd.DataFrame:
    """Add region (client's, else rep's), category (client's) and acquisition (deal's, else client's).

    Client fields are looked up once per distinct client, then spread to the deals by code.
    """
    rep_codes, rep_ids = _codes(deals["rep_id"])
    rep_region = _by_code(rep_codes, _Lookup(rep_ids, reps, "rep_id").field("region"), deals.index)
    if clients is None:
        missing = pd.Series(
            pd.Categorical([None] * len(deals), categories=pd.Index([], dtype="string")),
            index=deals.index,
        )
        return deals.assign(
            region=rep_region, category=missing, acquisition=deals["acquisition"].astype("category")
        )
    codes, ids = _codes(deals["client_id"])
    lookup = _Lookup(ids, clients, "client_id")

    def client(field: str) -> pd.Series:
        return _by_code(codes, lookup.field(field), deals.index)

    def combine(first: pd.Series, fallback: pd.Series) -> pd.Series:
        """``first`` where present, else ``fallback``: on category codes, never on text."""
        first, fallback = first.astype("category"), fallback.astype("category")
        categories = first.cat.categories.union(fallback.cat.categories)
        a = first.cat.set_categories(categories).cat.codes.to_numpy()
        b = fallback.cat.set_categories(categories).cat.codes.to_numpy()
        return pd.Series(
            pd.Categorical.from_codes(np.where(a >= 0, a, b), categories=categories),
            index=first.index,
        )

    return deals.assign(
        region=combine(client("region"), rep_region),
        category=client("category"),
        acquisition=combine(deals["acquisition"], client("acquisition")),
    )


def performance(deals: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Revenue, won/lost counts, win rate, average deal size and median sales cycle per group of ``keys``
    (``deals`` as returned by counted_deals)."""
    frame = deals[[*keys, "won_amount", "won", "lost", "cycle"]]
    grouped = frame.groupby(keys, observed=True, sort=True).agg(
        revenue=("won_amount", "sum"),
        won_deals=("won", "sum"),
        lost_deals=("lost", "sum"),
        sales_cycle_days=("cycle", "median"),
    )
    return finish_performance(grouped).reset_index()


def finish_performance(grouped: pd.DataFrame) -> pd.DataFrame:
    """Derived rates from summed counts: empty (NaN) where there is nothing to divide by."""
    closed = grouped["won_deals"] + grouped["lost_deals"]
    out = grouped.assign(
        won_deals=grouped["won_deals"].astype("int64"),
        lost_deals=grouped["lost_deals"].astype("int64"),
        win_rate=(grouped["won_deals"] / closed).where(closed > 0),
        avg_deal_size=(grouped["revenue"] / grouped["won_deals"]).where(grouped["won_deals"] > 0),
    )
    return out[PERFORMANCE_COLUMNS]


def _deal_order(deal_ids: pd.Series) -> pd.Series:
    """Sort key for tie-breaks by the smaller deal id: numeric when every id is a number."""
    numeric = pd.to_numeric(deal_ids.astype("string"), errors="coerce")
    return numeric if numeric.notna().all() else deal_ids.astype("string")


def _codes(ids: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes of rep or client ids, and the ids they stand for (grouping by code is fast)."""
    if isinstance(ids.dtype, pd.CategoricalDtype):
        return ids.cat.codes.to_numpy(), ids.cat.categories
    codes, uniques = pd.factorize(ids)
    return codes, pd.Index(uniques)


def _first_deals(won: pd.DataFrame, codes: np.ndarray) -> pd.DataFrame:
    """Each client's first won deal (earliest close date, then the smaller deal id), with its ``code``.

    Only clients with several deals on their first day need the (slower) id comparison.
    """
    closed = won["closed"].to_numpy()
    first_day = pd.Series(closed).groupby(codes).transform("min").to_numpy()
    is_first_day = closed == first_day
    candidates = won[is_first_day].assign(code=codes[is_first_day])
    tied = candidates["code"].duplicated(keep=False)
    if not tied.any():
        return candidates
    resolved = (
        candidates[tied]
        .assign(_order=_deal_order(candidates.loc[tied, "deal_id"]))
        .sort_values(["_order"], kind="stable")
        .drop_duplicates("code")
        .drop(columns="_order")
    )
    return pd.concat([candidates[~tied], resolved])


class _Lookup:
    """Rows of ``table`` matched to ``ids`` on ``table[key]``, found once, then any field taken."""

    def __init__(self, ids: pd.Index, table: pd.DataFrame, key: str) -> None:
        self.rows = table.drop_duplicates(key, keep="last")
        # Object arrays hash quickly; pyarrow-backed indexes would convert on every lookup.
        keys = pd.Index(self.rows[key].to_numpy(dtype=object))
        self.positions = keys.get_indexer(ids.to_numpy(dtype=object))

    def field(self, name: str) -> pd.Series:
        values = self.rows[name].to_numpy(dtype=object)
        if not len(values):
            return pd.Series([None] * len(self.positions), dtype="string")
        taken = values[np.maximum(self.positions, 0)]
        taken[self.positions < 0] = None
        return pd.Series(taken, dtype="string")


def client_values(
    counted: pd.DataFrame, clients: pd.DataFrame | None, gross_margin: float, attribution: str
) -> pd.DataFrame:
    """One row per client with a won deal: its acquirer, acquisition date and lifetime value.

    LTV (historical) = gross_margin × sum of the client's won amounts closed ≤ as_of (``counted``
    already stops at as_of). The acquirer won the first deal (earliest close, then smaller deal id);
    with ``attribution: owner`` the client's owner_rep_id is used instead.
    """
    needed = counted[["deal_id", "client_id", "rep_id", "closed", "fiscal_year", "amount"]]
    won = needed[(counted["status"] == WON) & counted["client_id"].notna()]
    codes, ids = _codes(won["client_id"])
    counts = np.bincount(codes, minlength=len(ids))
    ltv = (
        np.bincount(codes, weights=won["amount"].to_numpy(dtype="float64"), minlength=len(ids))
        * gross_margin
    )
    first = _first_deals(won, codes).sort_values("code")
    present = first["code"].to_numpy()
    client_ids = ids[present].astype("string")
    table = pd.DataFrame(
        {
            "client_id": client_ids,
            "acquired": first["closed"].to_numpy(),
            "acquired_year": first["fiscal_year"].to_numpy(dtype="int64"),
            "acquirer": first["rep_id"].astype("string").to_numpy(),
            "won_deals": counts[present].astype("int64"),
            "ltv": ltv[present],
        }
    )
    if clients is not None:
        lookup = _Lookup(client_ids, clients, "client_id")
        table["name"] = lookup.field("name").to_numpy()
        if attribution == "owner":
            table["acquirer"] = lookup.field("owner_rep_id").to_numpy()
    else:
        table["name"] = pd.Series(pd.NA, index=table.index, dtype="string")
    table = table.astype({"client_id": "string", "acquirer": "string", "name": "string"})
    if ids.is_monotonic_increasing:  # categories are sorted already
        return table
    return table.sort_values("client_id", kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class ClientValue:
    """What group LTVs per year are built from: each won deal with a client, credited to the rep
    who acquired that client, and each client's acquirer and acquisition year."""

    deals: pd.DataFrame
    """client_id, acquirer, fiscal_year, amount (× gross margin) of every won deal with a client."""
    clients: pd.DataFrame
    """client_id, acquirer, acquired (date), acquired_year of every client."""


def client_value_by_year(
    counted: pd.DataFrame, values: pd.DataFrame, gross_margin: float
) -> ClientValue:
    """Credit every won deal with a client to that client's acquirer (see group_years)."""
    won = counted.loc[
        (counted["status"] == WON) & counted["client_id"].notna(),
        ["client_id", "fiscal_year", "amount"],
    ]
    acquirer = values.set_index("client_id")["acquirer"]
    deals = pd.DataFrame(
        {
            "client_id": won["client_id"].astype("string"),
            "acquirer": won["client_id"].map(acquirer).astype("string"),
            "fiscal_year": won["fiscal_year"].astype("int64"),
            "amount": won["amount"] * gross_margin,
        }
    )
    return ClientValue(
        deals=deals, clients=values[["client_id", "acquirer", "acquired", "acquired_year"]]
    )


def annual_costs(
    costs: pd.DataFrame | None,
    coaching: pd.DataFrame | None,
    years: list[int],
    fiscal_year_start: int,
    include_coaching: bool,
) -> pd.DataFrame:
    """Annual cost per rep and year: mean of (salary+taxes+expenses+other) over cost years ≤ year,
    plus that year's coaching cost when ``include_coaching`` (coaching dated by its start)."""
    empty = pd.DataFrame(
        {
            "rep_id": pd.Series(dtype="string"),
            "year": pd.Series(dtype="int64"),
            "base_cost": pd.Series(dtype="float64"),
            "coaching_cost": pd.Series(dtype="float64"),
            "annual_cost": pd.Series(dtype="float64"),
            "cost_year": pd.Series(dtype="bool"),
        }
    )
    if costs is None or not len(costs):
        return empty
    base = costs.assign(
        total=costs["salary"] + costs[["taxes", "expenses", "other"]].fillna(0.0).sum(axis=1)
    )
    coaching_by_year = pd.Series(dtype="float64")
    if coaching is not None and len(coaching):
        coached = coaching.assign(year=fiscal_year(coaching["start"], fiscal_year_start))
        coaching_by_year = coached.groupby(["rep_id", "year"])["cost"].sum(min_count=1).fillna(0.0)
    parts = []
    for year in years:
        upto = base[base["year"] <= year]
        if not len(upto):
            continue
        mean = upto.groupby("rep_id")["total"].mean()
        has_row = set(upto.loc[upto["year"] == year, "rep_id"])
        frame = pd.DataFrame(
            {"rep_id": mean.index.astype("string"), "year": year, "base_cost": mean.to_numpy()}
        )
        keys = pd.MultiIndex.from_arrays([frame["rep_id"], frame["year"]])
        coach = (
            coaching_by_year.reindex(keys).fillna(0.0).to_numpy() if len(coaching_by_year) else 0.0
        )
        frame["coaching_cost"] = coach
        frame["annual_cost"] = frame["base_cost"] + (
            frame["coaching_cost"] if include_coaching else 0.0
        )
        frame["cost_year"] = frame["rep_id"].isin(has_row)
        parts.append(frame)
    if not parts:
        return empty
    return pd.concat(parts, ignore_index=True)[list(empty.columns)]


def ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator ÷ denominator, empty where either is missing or the denominator is not positive."""
    return (numerator / denominator).where(
        numerator.notna() & denominator.notna() & (denominator > 0)
    )


def _cumulative(
    frame: pd.DataFrame, key: str, value: str, how: str, years: list[int]
) -> pd.DataFrame:
    """Per group and year, the running total (over years) of ``value`` summed or counted per year."""
    grouped = frame.groupby([key, "year"], observed=True)[value]
    per_year = (grouped.sum() if how == "sum" else grouped.size()).unstack(fill_value=0)
    running = per_year.reindex(columns=years, fill_value=0).cumsum(axis=1)
    # One level of columns stacks to a Series (pandas-stubs also allow a DataFrame).
    return (
        cast(pd.Series, running.stack())
        .rename(value)
        .reset_index()
        .rename(columns={"level_1": "year"})
    )


def group_years(
    counted: pd.DataFrame,
    client_value: ClientValue,
    costs: pd.DataFrame,
    member_of: pd.Series | Membership,
    key: str,
    years: list[int],
) -> pd.DataFrame:
    """Per group and year: performance, new clients, mean client LTV, mean annual cost, value ratio.

    ``member_of`` maps rep_id → group, or is a ``Membership`` (groups over time). A group's clients
    at the end of a year are those its reps acquired up to then (while in the group, with dated
    membership); their mean LTV is the sum of every won deal with them up to that year (a client's
    deals all come on or after its acquisition) over their number. A group's value ratio is that
    mean over the mean annual cost of its reps paid that year (each rep's cost in the group it was
    in on the year's last day). With dated membership a deal counts in its rep's group on its close date.
    """
    terms = counted[["fiscal_year", "won_amount", "won", "lost", "cycle"]]
    acquired = client_value.clients
    credited = client_value.deals
    if isinstance(member_of, Membership):
        deal_group = member_of.on(counted["rep_id"], counted["closed"])
        client_group = member_of.on(acquired["acquirer"], acquired["acquired"])
        credited_group = credited["client_id"].map(
            pd.Series(
                client_group.to_numpy(), index=acquired["client_id"].astype("string").to_numpy()
            )
        )
        cost_group = member_of.in_year(costs["rep_id"], costs["year"])
        groups = member_of.groups()
    else:
        deal_group = counted["rep_id"].map(member_of)
        client_group = acquired["acquirer"].map(member_of)
        credited_group = credited["acquirer"].map(member_of)
        cost_group = costs["rep_id"].map(member_of)
        groups = pd.Index(member_of.dropna().unique()).astype("string")
    deals = terms.assign(**{key: deal_group}).dropna(subset=[key])
    perf = performance(deals, [key, "fiscal_year"]).rename(columns={"fiscal_year": "year"})
    credited = pd.DataFrame(
        {key: credited_group, "year": credited["fiscal_year"], "amount": credited["amount"]}
    ).dropna(subset=[key])
    acquired = pd.DataFrame(
        {key: client_group, "year": acquired["acquired_year"], "client": 1}
    ).dropna(subset=[key])
    value_sum = _cumulative(credited, key, "amount", "sum", years)
    client_count = _cumulative(acquired, key, "client", "count", years).rename(
        columns={"client": "clients"}
    )
    new = acquired.groupby([key, "year"]).size().rename("new_clients").reset_index()
    paid = costs[costs["cost_year"]].assign(**{key: cost_group}).dropna(subset=[key])
    cost_stats = (
        paid.groupby([key, "year"])
        .agg(annual_cost=("annual_cost", "mean"), reps_with_cost=("rep_id", "size"))
        .reset_index()
    )
    groups = groups.rename(key)
    grid = pd.MultiIndex.from_product([groups, years], names=[key, "year"]).to_frame(index=False)
    out = _keyed(grid, key)
    for part in (perf, client_count, value_sum, new, cost_stats):
        out = out.merge(_keyed(part, key), on=[key, "year"], how="left")
    out["revenue"] = out["revenue"].fillna(0.0)
    for column in ("won_deals", "lost_deals", "clients", "new_clients", "reps_with_cost"):
        out[column] = out[column].fillna(0).astype("int64")
    out["mean_client_ltv"] = (out["amount"] / out["clients"]).where(out["clients"] > 0)
    out["value_ratio"] = ratio(out["mean_client_ltv"], out["annual_cost"])
    out[key] = out[key].astype("string")
    columns = [
        key,
        "year",
        "revenue",
        "won_deals",
        "lost_deals",
        "win_rate",
        "avg_deal_size",
        "sales_cycle_days",
        "clients",
        "mean_client_ltv",
        "new_clients",
        "annual_cost",
        "reps_with_cost",
        "value_ratio",
    ]
    return out.sort_values([key, "year"]).reset_index(drop=True)[columns]


def _keyed(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Join keys with one dtype on every side: the group as text, the year as int64."""
    return frame.astype({key: "string", "year": "int64"})


def rep_years(
    counted: pd.DataFrame,
    reps: pd.DataFrame,
    client_value: ClientValue,
    costs: pd.DataFrame,
    years: list[int],
) -> pd.DataFrame:
    """Per rep and year: performance, new clients, clients, mean client LTV, annual cost, value ratio."""
    member_of = pd.Series(reps["rep_id"].to_numpy(), index=reps["rep_id"].to_numpy())
    table = group_years(
        counted, client_value, costs.assign(cost_year=True), member_of, "rep_id", years
    )
    # A rep's own annual cost exists from its first cost year on, paid that year or not.
    own = costs.set_index(["rep_id", "year"])["annual_cost"]
    # A Series maps by its index; pandas-stubs leave Series out of Index.map's mappers.
    keys = pd.MultiIndex.from_arrays([table["rep_id"], table["year"]])
    table["annual_cost"] = keys.map(own).astype("float64")  # type: ignore[arg-type]
    table["value_ratio"] = ratio(table["mean_client_ltv"], table["annual_cost"])
    return table.drop(columns=["reps_with_cost"])


def monthly_revenue(
    counted: pd.DataFrame, key: str | None, last_month: pd.Timestamp
) -> pd.DataFrame:
    """Won revenue and deal counts per month (and per ``key``), with months without a sale as 0,
    from the first closed deal (of each key) to ``last_month``, so charts never bridge a gap."""
    keys = ([key] if key else []) + ["month"]
    won = counted.loc[counted["status"] == WON, [*keys, "amount"]]
    sums = won.groupby(keys, observed=True).agg(
        revenue=("amount", "sum"), won_deals=("amount", "size")
    )
    if not len(counted):
        return sums.reset_index()
    if key:
        # Grouped by two keys: a MultiIndex (pandas-stubs type every DataFrame.index as Index, and
        # refuse an Index as a level's new values).
        grouped = cast(pd.MultiIndex, sums.index)
        sums.index = grouped.set_levels(grouped.levels[0].astype("string"), level=0)  # type: ignore[call-overload]
        first = counted.groupby(key, observed=True)["month"].min()
        first.index = first.index.astype("string")
    else:
        first = pd.Series({None: counted["month"].min()})
    months = pd.date_range(first.min(), last_month, freq="MS")
    if key:
        grid = pd.MultiIndex.from_product([first.index, months], names=[key, "month"]).to_frame(
            index=False
        )
        grid = grid[grid["month"] >= grid[key].map(first)]
        index: pd.Index = pd.MultiIndex.from_frame(grid)
    else:
        index = pd.Index(months, name="month")
    out = sums.reindex(index).fillna({"revenue": 0.0, "won_deals": 0}).reset_index()
    out["won_deals"] = out["won_deals"].astype("int64")
    return out


def trailing_change(current: float, previous: float) -> float:
    """Relative change; NaN when the previous value is missing or zero."""
    if previous is None or not np.isfinite(previous) or previous == 0 or not np.isfinite(current):
        return float("nan")
    return current / previous - 1.0
