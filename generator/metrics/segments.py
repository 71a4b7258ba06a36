"""Segments (SPEC §4–§5): regions, business categories and acquisition channels measured like reps.

Pure: no clock, no files, no printing. The bootstrap is seeded from each segment's name, so the same
inputs give the same intervals on every build.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from generator.load.loader import SEGMENT_PLACEHOLDERS, WON
from generator.metrics.compute import _codes, _first_deals, performance, ratio

UNKNOWN = "Unknown"
"""The segment of a deal or client whose value is missing or blank."""

DIMENSIONS = {"region": "regions", "category": "categories", "channel": "channels"}
"""Segment dimension → its pages' folder and data file name (SPEC §6)."""

CROSSES = (("region", "category"), ("channel", "category"))
"""The cross views shown as heatmaps."""

SEGMENT_COLUMNS = [
    "year", "revenue", "won_deals", "lost_deals", "win_rate", "avg_deal_size", "sales_cycle_days",
    "new_clients", "clients", "mean_client_ltv", "rep_equivalents", "revenue_per_rep", "allocated_cost",
    "cost_per_rep", "value_ratio", "share_of_revenue", "revenue_change",
]
"""Per segment and year, after the segment's own column(s)."""

CURRENT_COLUMNS = [
    "deals", "ratio_low", "ratio_high", "market_size", "penetration", "few_deals", "weak",
]
"""Further columns of the reporting-year table of a dimension."""

CROSS_COLUMNS = [
    "revenue", "won_deals", "lost_deals", "deals", "win_rate", "clients", "mean_client_ltv",
    "allocated_cost", "value_ratio", "few_deals",
]
"""Per cell of a cross view (reporting year), after the two segment columns."""

CONFIDENCE = 0.95
BOOTSTRAP_MAX_CLIENTS = 2000
"""Above this many clients the bootstrap of a mean equals its normal approximation to the cent; the
normal interval (mean ± 1.96 standard errors) is used instead, to keep large exports fast."""


@dataclass(frozen=True)
class Segments:
    """Every segment table the regions, categories and channels pages show."""

    history: dict[str, pd.DataFrame]
    """dimension → one row per segment and year (``dimension`` column, then SEGMENT_COLUMNS)."""
    current: dict[str, pd.DataFrame]
    """dimension → one row per segment for the reporting year, with interval, penetration and flags."""
    crosses: dict[tuple[str, str], pd.DataFrame]
    """(dimension, dimension) → one row per cell for the reporting year (CROSS_COLUMNS)."""
    company: pd.DataFrame
    """The company as one segment, per year (SEGMENT_COLUMNS): the yardstick of "weak"."""
    unallocated_cost: float
    """Annual cost of reps who won nothing in the reporting year: no revenue share to allocate it by."""
    resamples: int
    min_deals: int
    has_market_size: bool


def segment_labels(values: pd.Series) -> pd.Series:
    """Segment names as a categorical: a missing, blank or placeholder value ("n/a", "unknown", …) becomes
    "Unknown"; other values are kept exactly as written (spelling variants are reported on
    /data-quality/, not merged)."""
    values = values.astype("category")
    names = [UNKNOWN if " ".join(str(c).split()).casefold() in SEGMENT_PLACEHOLDERS | {""} else str(c)
             for c in values.cat.categories]
    labels = pd.Index(sorted(set(names) | {UNKNOWN}))
    new_code = labels.get_indexer(names)
    codes = values.cat.codes.to_numpy()
    unknown = labels.get_loc(UNKNOWN)
    mapped = np.where(codes >= 0, new_code[np.maximum(codes, 0)] if len(new_code) else unknown, unknown)
    categorical = pd.Categorical.from_codes(mapped, categories=labels.astype("string"))
    return pd.Series(categorical, index=values.index).cat.remove_unused_categories()


def _grid(parts: list[pd.DataFrame], keys: list[str], years: list[int]) -> pd.DataFrame:
    """Every observed segment (of any part) × every year."""
    present = [p[keys] for p in parts if len(p)]
    if not present:
        return pd.DataFrame({**{k: pd.Series(dtype="string") for k in keys}, "year": pd.Series(dtype="int64")})
    seen = pd.concat(present, ignore_index=True).drop_duplicates()
    seen = seen.astype({k: "string" for k in keys})
    return seen.merge(pd.DataFrame({"year": years}), how="cross")


def _cumulative(frame: pd.DataFrame, keys: list[str], value: str, years: list[int]) -> pd.DataFrame:
    """Running total over the years of ``value`` per segment."""
    if not len(frame):
        return pd.DataFrame(columns=[*keys, "year", value])
    per_year = frame.groupby([*keys, "year"], observed=True)[value].sum().unstack("year", fill_value=0)
    running = per_year.reindex(columns=years, fill_value=0).cumsum(axis=1)
    running.columns.name = "year"
    return running.stack().rename(value).reset_index()


def _typed(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return frame.astype({**{k: "string" for k in keys}, "year": "int64"})


def _segment_years(deals: pd.DataFrame, credited: pd.DataFrame, clients: pd.DataFrame, costs: pd.DataFrame,
                   keys: list[str], years: list[int]) -> pd.DataFrame:
    """Per segment (``keys``) and year: performance, clients, mean LTV, allocated cost and value ratio.

    SPEC §5: each rep's annual cost of a year is split across segments by the rep's share of its
    won revenue in each segment that year (``allocated_cost``). ``rep_equivalents`` = Σ of those
    shares (reps with a cost record), so ``cost_per_rep`` = allocated_cost ÷ rep_equivalents is the
    revenue-weighted mean annual cost of the reps who sold there, and value_ratio = mean client LTV
    ÷ cost_per_rep is read like a rep's ratio.
    """
    perf = performance(deals, [*keys, "fiscal_year"]).rename(columns={"fiscal_year": "year"})

    sold = deals.loc[deals["won_amount"] > 0, ["rep_id", "fiscal_year", *keys, "won_amount"]]
    by_rep = sold.groupby(["rep_id", "fiscal_year", *keys], observed=True)["won_amount"].sum().reset_index()
    total = by_rep.groupby(["rep_id", "fiscal_year"], observed=True)["won_amount"].transform("sum")
    by_rep["share"] = by_rep["won_amount"] / total
    cost = costs.set_index(["rep_id", "year"])["annual_cost"]
    by_rep["cost"] = pd.MultiIndex.from_arrays(
        [by_rep["rep_id"].astype("string"), by_rep["fiscal_year"].astype("int64")]).map(cost).astype("float64")
    by_rep["allocated_cost"] = by_rep["share"] * by_rep["cost"]
    by_rep["costed_share"] = by_rep["share"].where(by_rep["cost"].notna())
    by_rep = by_rep.rename(columns={"fiscal_year": "year"})
    allocation = by_rep.groupby([*keys, "year"], observed=True).agg(
        rep_equivalents=("share", "sum"), costed_equivalents=("costed_share", "sum"),
        allocated_cost=("allocated_cost", lambda s: s.sum(min_count=1)),
    ).reset_index()

    value = _cumulative(credited, keys, "amount", years)
    count = _cumulative(clients.assign(clients=1), keys, "clients", years)
    new = clients.groupby([*keys, "year"], observed=True).size().rename("new_clients").reset_index()

    parts = [perf, allocation, value, count, new]
    out = _grid(parts, keys, years)
    for part in parts:
        if len(part):
            out = out.merge(_typed(part, keys), on=[*keys, "year"], how="left")
        else:
            out = out.assign(**{c: np.nan for c in part.columns if c not in (*keys, "year")})
    out["revenue"] = out["revenue"].fillna(0.0)
    for column in ("won_deals", "lost_deals", "clients", "new_clients"):
        out[column] = out[column].fillna(0).astype("int64")
    out["rep_equivalents"] = out["rep_equivalents"].fillna(0.0)
    out["mean_client_ltv"] = (out["amount"] / out["clients"]).where(out["clients"] > 0)
    out["revenue_per_rep"] = ratio(out["revenue"], out["rep_equivalents"])
    out["cost_per_rep"] = ratio(out["allocated_cost"], out["costed_equivalents"])
    out["value_ratio"] = ratio(out["mean_client_ltv"], out["cost_per_rep"])
    company = out.groupby("year")["revenue"].transform("sum")
    out["share_of_revenue"] = ratio(out["revenue"], company)
    previous = out.groupby(keys)["revenue"].shift(1)
    out["revenue_change"] = (out["revenue"] / previous - 1.0).where(previous > 0)
    return out.sort_values([*keys, "year"]).reset_index(drop=True)


def _interval(ltv: np.ndarray, cost_per_rep: float, resamples: int, seed_text: str) -> tuple[float, float]:
    """95 % percentile bootstrap interval of mean LTV ÷ cost_per_rep, resampling the clients.

    All resamples are drawn in one array (resamples × clients); the cost is held fixed.
    """
    n = len(ltv)
    if n < 2 or not np.isfinite(cost_per_rep) or cost_per_rep <= 0:
        return float("nan"), float("nan")
    tail = (1 - CONFIDENCE) / 2
    if n > BOOTSTRAP_MAX_CLIENTS:
        se = ltv.std(ddof=1) / np.sqrt(n)
        z = 1.959963984540054
        return (ltv.mean() - z * se) / cost_per_rep, (ltv.mean() + z * se) / cost_per_rep
    rng = np.random.default_rng(zlib.crc32(seed_text.encode("utf-8")))
    means = ltv[rng.integers(0, n, size=(resamples, n))].mean(axis=1)
    low, high = np.quantile(means, [tail, 1 - tail])
    return float(low) / cost_per_rep, float(high) / cost_per_rep


def compute_segments(counted: pd.DataFrame, clients_export: pd.DataFrame | None, costs: pd.DataFrame,
                     years: list[int], reporting_year: int, same_span_end: pd.Timestamp,
                     gross_margin: float, min_deals: int, resamples: int) -> Segments:
    """Every segment table (see Segments). ``counted`` comes from counted_deals after deal_segments:
    a deal's region is its client's, else its rep's; its channel is its own acquisition, else its
    client's. A client's segment is that of its first won deal."""
    deals = counted[["deal_id", "rep_id", "client_id", "status", "closed", "fiscal_year", "amount", "won_amount",
                     "won", "lost", "cycle"]].assign(
        region=segment_labels(counted["region"]), category=segment_labels(counted["category"]),
        channel=segment_labels(counted["acquisition"]), company="Company")
    won = deals[(deals["status"] == WON) & deals["client_id"].notna()]
    codes, ids = _codes(won["client_id"])
    first = _first_deals(won, codes).sort_values("code")
    dims = [*DIMENSIONS, "company"]
    per_code = {d: pd.Series(first[d].to_numpy(), index=first["code"].to_numpy()) for d in dims}
    credited = pd.DataFrame({"year": won["fiscal_year"].to_numpy(dtype="int64"),
                             "amount": won["amount"].to_numpy(dtype="float64") * gross_margin})
    clients = pd.DataFrame({"client_id": ids[first["code"].to_numpy()].astype("string"),
                            "year": first["fiscal_year"].to_numpy(dtype="int64")})
    for d in dims:
        credited[d] = per_code[d].reindex(codes).to_numpy()
        clients[d] = per_code[d].to_numpy()
    ltv = np.bincount(codes, weights=won["amount"].to_numpy(dtype="float64"), minlength=len(ids)) * gross_margin
    clients["ltv"] = ltv[first["code"].to_numpy()]

    company = _segment_years(deals, credited, clients, costs, ["company"], years).drop(columns="company")
    span = deals[(deals["fiscal_year"] == reporting_year - 1) & (deals["closed"] <= same_span_end)]
    market = _market(clients, clients_export)

    history, current = {}, {}
    for dim in DIMENSIONS:
        table = _segment_years(deals, credited, clients, costs, [dim], years)
        before = span.groupby(dim, observed=True)["won_amount"].sum()
        before.index = before.index.astype("string")
        now = table["year"] == reporting_year
        same_span = table.loc[now, dim].map(before).astype("float64")
        table.loc[now, "revenue_change"] = (table.loc[now, "revenue"] / same_span - 1.0).where(same_span > 0)
        history[dim] = table[[dim, *SEGMENT_COLUMNS]]
        current[dim] = _current(table[now].reset_index(drop=True), dim, clients, market, company, reporting_year,
                                min_deals, resamples)

    crosses = {}
    for pair in CROSSES:
        cells = _segment_years(deals, credited, clients, costs, list(pair), years)
        cells = cells[cells["year"] == reporting_year].assign(deals=lambda f: f["won_deals"] + f["lost_deals"])
        cells = cells[(cells["deals"] > 0) | (cells["clients"] > 0)]
        cells = cells.assign(few_deals=cells["deals"] < min_deals)
        crosses[pair] = cells[[*pair, *CROSS_COLUMNS]].reset_index(drop=True)

    paid = costs[costs["year"] == reporting_year].set_index("rep_id")["annual_cost"].dropna()
    sellers = deals.loc[(deals["fiscal_year"] == reporting_year) & (deals["won_amount"] > 0), "rep_id"]
    unallocated = float(paid[~paid.index.isin(sellers.astype("string").unique())].sum())
    return Segments(history=history, current=current, crosses=crosses, company=company,
                    unallocated_cost=unallocated, resamples=resamples, min_deals=min_deals,
                    has_market_size=bool(market is not None))


def _market(clients: pd.DataFrame, export: pd.DataFrame | None) -> pd.DataFrame | None:
    """Each listed client's market size and segments: the segments of its first won deal, else the
    clients export's own values (a client without a won deal)."""
    if export is None or not export["market_size"].notna().any():
        return None
    listed = export[["client_id", "region", "category", "acquisition", "market_size"]].rename(
        columns={"acquisition": "channel"}).drop_duplicates("client_id", keep="last")
    own = clients.set_index("client_id")
    out = pd.DataFrame({"market_size": listed["market_size"].to_numpy(dtype="float64")})
    for dim in DIMENSIONS:
        raw = segment_labels(listed[dim].astype("string")).astype("string").to_numpy()
        found = pd.Series(own[dim].astype("string")).reindex(listed["client_id"].astype("string")).to_numpy()
        out[dim] = np.where(pd.isna(found), raw, found)
    return out


def _current(table: pd.DataFrame, dim: str, clients: pd.DataFrame, market: pd.DataFrame | None,
             company: pd.DataFrame, year: int, min_deals: int, resamples: int) -> pd.DataFrame:
    """The reporting year of one dimension, with the ratio interval, penetration and flags."""
    table = table.assign(deals=table["won_deals"] + table["lost_deals"])
    upto = clients[clients["year"] <= year]
    ltvs = {str(k): g.to_numpy() for k, g in upto.groupby(dim, observed=True)["ltv"]}
    bounds = [_interval(ltvs.get(name, np.empty(0)), cost, resamples, f"{dim}:{name}")
              for name, cost in zip(table[dim], table["cost_per_rep"], strict=True)]
    table["ratio_low"] = [b[0] for b in bounds]
    table["ratio_high"] = [b[1] for b in bounds]
    if market is not None:
        size = market.groupby(dim)["market_size"].sum(min_count=1)
        table["market_size"] = table[dim].map(size).astype("float64")
    else:
        table["market_size"] = np.nan
    table["penetration"] = ratio(table["revenue"], table["market_size"])
    table["few_deals"] = table["deals"] < min_deals
    reference = company.loc[company["year"] == year, "value_ratio"]
    yardstick = float(reference.iloc[0]) if len(reference) else float("nan")
    below = table["value_ratio"] < yardstick
    shrinking = table["revenue_change"] < 0
    table["weak"] = (below.fillna(False) | shrinking.fillna(False)).astype(bool)
    return table[[dim, *SEGMENT_COLUMNS, *CURRENT_COLUMNS]]
