"""Segments (SPEC §4–§5): regions, business categories and acquisition channels measured like reps.

Pure: no clock, no files, no printing. The bootstrap is seeded from each segment's name, so the same
inputs give the same intervals on every build.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from generator import vocabulary
from generator.load.loader import SEGMENT_PLACEHOLDERS
from generator.metrics.compute import _codes, _first_deals, ratio
from generator.vocabulary import CROSSES, WON

UNKNOWN = "Unknown"
"""The segment of a deal or client whose value is missing or blank."""

DIMENSIONS = {name: d.folder for name, d in vocabulary.DIMENSIONS.items()}
"""Segment dimension → its pages' folder and data file name (SPEC §6)."""

SEGMENT_COLUMNS = [
    "year",
    "revenue",
    "won_deals",
    "lost_deals",
    "win_rate",
    "avg_deal_size",
    "sales_cycle_days",
    "new_clients",
    "clients",
    "mean_client_ltv",
    "rep_equivalents",
    "revenue_per_rep",
    "allocated_cost",
    "reps_with_cost",
    "cost_per_rep",
    "value_ratio",
    "share_of_revenue",
    "revenue_change",
]
"""Per segment and year, after the segment's own column(s)."""

CURRENT_COLUMNS = [
    "deals",
    "ratio_low",
    "ratio_high",
    "market_size",
    "penetration",
    "few_deals",
    "weak",
]
"""Further columns of the reporting-year table of a dimension."""

CROSS_COLUMNS = [
    "revenue",
    "won_deals",
    "lost_deals",
    "deals",
    "win_rate",
    "clients",
    "mean_client_ltv",
    "allocated_cost",
    "reps_with_cost",
    "value_ratio",
    "few_deals",
]
"""Per cell of a cross view (reporting year), after the two segment columns."""

CONFIDENCE = 0.95
BOOTSTRAP_MAX_CLIENTS = 2000
"""Above this many clients the percentile bootstrap of a mean is practically the normal interval
(mean ± 1.96 standard errors), which is used instead to keep large exports fast."""


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
    names = [
        UNKNOWN if " ".join(str(c).split()).casefold() in SEGMENT_PLACEHOLDERS | {""} else str(c)
        for c in values.cat.categories
    ]
    labels = pd.Index(sorted(set(names) | {UNKNOWN}))
    new_code = labels.get_indexer(pd.Index(names))
    codes = values.cat.codes.to_numpy()
    # labels are unique: one position (pandas-stubs allow a mask)
    unknown = cast(int, labels.get_loc(UNKNOWN))
    mapped = np.where(
        codes >= 0, new_code[np.maximum(codes, 0)] if len(new_code) else unknown, unknown
    )
    categorical = pd.Categorical.from_codes(mapped, categories=labels.astype("string"))
    return pd.Series(categorical, index=values.index).cat.remove_unused_categories()


@dataclass(frozen=True)
class _Coded:
    """Deals, clients and costs as integer codes: every sum is one ``np.bincount`` over
    segment × year cells, which keeps a million deals and many segment crossings fast."""

    categories: dict[str, pd.Index]
    """dimension → segment names; a segment's code is its position."""
    years: list[int]
    deal: dict[str, np.ndarray]
    """dimension → segment code of each counted deal."""
    deal_year: np.ndarray
    deal_rep: np.ndarray
    won_amount: np.ndarray
    won: np.ndarray
    lost: np.ndarray
    cycle: np.ndarray
    client: dict[str, np.ndarray]
    """dimension → segment code of each client (the segment of its first won deal)."""
    client_year: np.ndarray
    client_ltv: np.ndarray
    credit_client: np.ndarray
    """Client (position) of every won deal with a client, credited to its client's segment."""
    credit_year: np.ndarray
    credit_amount: np.ndarray
    cost: np.ndarray
    """Annual cost per rep code × year position (NaN: no cost record)."""


def _cells(coded: _Coded, keys: list[str], per: dict[str, np.ndarray]) -> tuple[np.ndarray, int]:
    """One integer per segment (the crossing of ``keys``), and how many there can be."""
    code = np.zeros(len(next(iter(per.values()))), dtype=np.int64)
    size = 1
    for key in keys:
        n = len(coded.categories[key])
        code = code * n + per[key]
        size *= n
    return code, size


def _segment_years(coded: _Coded, keys: list[str]) -> pd.DataFrame:
    """Per segment (``keys``) and year: performance, clients, mean LTV, allocated cost and value ratio.

    SPEC §5: each rep's annual cost of a year is split across segments by the rep's share of its
    won revenue in each segment that year (``allocated_cost``). ``rep_equivalents`` = Σ of those
    shares, so ``cost_per_rep`` = allocated_cost ÷ Σ shares of the reps with a cost record is the
    revenue-weighted mean annual cost of the reps who sold there, and value_ratio = mean client LTV
    ÷ cost_per_rep reads like a rep's ratio.
    """
    n_years = len(coded.years)
    seg, n_seg = _cells(coded, keys, coded.deal)
    cell = seg * n_years + coded.deal_year
    cells = n_seg * n_years

    def total(weights: np.ndarray | None = None, where: np.ndarray = cell) -> np.ndarray:
        return np.bincount(where, weights=weights, minlength=cells).astype("float64")

    revenue, won, lost = total(coded.won_amount), total(coded.won), total(coded.lost)
    timed = ~np.isnan(coded.cycle)
    cycle = (
        pd.Series(coded.cycle[timed]).groupby(cell[timed]).median().reindex(range(cells)).to_numpy()
    )

    # Revenue shares: each (rep, segment, year) of positive won revenue over the rep's total that year.
    sold = coded.won_amount > 0
    rep, amount = coded.deal_rep[sold].astype(np.int64), coded.won_amount[sold]
    pair = rep * cells + cell[sold]
    n_pairs = (int(rep.max()) + 1) * cells if len(rep) else 0
    if n_pairs <= 1 << 24:  # a direct count is faster than sorting a million keys
        spread = np.bincount(pair, weights=amount, minlength=n_pairs)
        unique = np.flatnonzero(spread)
        by_rep = spread[unique]
    else:
        unique, inverse = np.unique(pair, return_inverse=True)
        by_rep = np.bincount(inverse, weights=amount)
    rep_of, cell_of = unique // cells, unique % cells
    year_of = cell_of % n_years
    rep_total = np.bincount(
        rep * n_years + coded.deal_year[sold],
        weights=amount,
        minlength=(int(rep.max()) + 1 if len(rep) else 0) * n_years,
    )
    share = by_rep / rep_total[rep_of * n_years + year_of]
    cost = coded.cost[rep_of, year_of] if len(coded.cost) else np.full(len(share), np.nan)
    costed = ~np.isnan(cost)
    equivalents = total(share, cell_of)
    costed_equivalents = total(np.where(costed, share, 0.0), cell_of)
    allocated = total(np.where(costed, share * np.nan_to_num(cost), 0.0), cell_of)
    # reps with a cost who sold in the cell
    reps_with_cost = total(costed.astype("float64"), cell_of)
    allocated[reps_with_cost == 0] = np.nan

    client_seg, _ = _cells(coded, keys, coded.client)
    acquired = np.bincount(client_seg * n_years + coded.client_year, minlength=cells).reshape(
        n_seg, n_years
    )
    credit_cell = client_seg[coded.credit_client] * n_years + coded.credit_year
    value: np.ndarray = np.bincount(
        credit_cell, weights=coded.credit_amount, minlength=cells
    ).reshape(n_seg, n_years)
    clients = acquired.cumsum(axis=1).ravel()
    value = value.cumsum(axis=1).ravel()

    seen = np.union1d(np.unique(seg), np.unique(client_seg))
    rows = (seen[:, None] * n_years + np.arange(n_years)).ravel()
    out = pd.DataFrame(index=range(len(rows)))
    rest = np.repeat(seen, n_years)
    for key in reversed(keys):
        n = len(coded.categories[key])
        out[key] = pd.array(coded.categories[key].to_numpy()[rest % n], dtype="string")
        rest = rest // n
    out = out[keys]
    out["year"] = np.tile(np.asarray(coded.years, dtype=np.int64), len(seen))
    closed = won[rows] + lost[rows]
    out["revenue"] = revenue[rows]
    out["won_deals"] = won[rows].astype("int64")
    out["lost_deals"] = lost[rows].astype("int64")
    out["win_rate"] = np.where(closed > 0, won[rows] / np.where(closed > 0, closed, 1), np.nan)
    out["avg_deal_size"] = np.where(
        won[rows] > 0, revenue[rows] / np.where(won[rows] > 0, won[rows], 1), np.nan
    )
    out["sales_cycle_days"] = cycle[rows]
    out["new_clients"] = acquired.ravel()[rows].astype("int64")
    out["clients"] = clients[rows].astype("int64")
    out["mean_client_ltv"] = ratio(pd.Series(value[rows]), out["clients"])
    out["rep_equivalents"] = equivalents[rows]
    out["revenue_per_rep"] = ratio(out["revenue"], out["rep_equivalents"])
    out["allocated_cost"] = allocated[rows]
    out["reps_with_cost"] = reps_with_cost[rows].astype("int64")
    out["cost_per_rep"] = ratio(out["allocated_cost"], pd.Series(costed_equivalents[rows]))
    out["value_ratio"] = ratio(out["mean_client_ltv"], out["cost_per_rep"])
    company = revenue.reshape(n_seg, n_years).sum(axis=0)
    out["share_of_revenue"] = ratio(out["revenue"], pd.Series(np.tile(company, len(seen))))
    previous = pd.Series(np.where(out["year"] > coded.years[0], revenue[rows - 1], np.nan))
    out["revenue_change"] = (out["revenue"] / previous - 1.0).where(previous > 0)
    return out.sort_values([*keys, "year"]).reset_index(drop=True)


def ratio_interval(
    ltv: np.ndarray, cost_per_rep: float, resamples: int, seed_text: str
) -> tuple[float, float]:
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


def _encode(
    counted: pd.DataFrame, costs: pd.DataFrame, years: list[int], gross_margin: float
) -> tuple[_Coded, pd.Index]:
    """The counted deals as codes (see _Coded), and the client id of each client position."""
    labels = {
        dim: segment_labels(counted[d.deal_field]) for dim, d in vocabulary.DIMENSIONS.items()
    }
    labels["company"] = pd.Series(
        pd.Categorical.from_codes(
            np.zeros(len(counted), dtype=np.int8), categories=pd.Index(["Company"])
        ),
        index=counted.index,
    )
    categories = {d: pd.Index(v.cat.categories.astype("string")) for d, v in labels.items()}
    deal = {d: v.cat.codes.to_numpy().astype(np.int64) for d, v in labels.items()}
    year = counted["fiscal_year"].to_numpy(dtype=np.int64) - years[0]
    rep_codes, rep_ids = _codes(counted["rep_id"])

    is_won = (counted["status"] == WON).to_numpy() & counted["client_id"].notna().to_numpy()
    won = counted[is_won]
    client_codes, ids = _codes(won["client_id"])
    first = _first_deals(won[["deal_id", "closed"]], client_codes).sort_values("code")
    # the first deals' positions among the counted deals
    at = counted.index.get_indexer(first.index)
    ltv = (
        np.bincount(
            client_codes, weights=won["amount"].to_numpy(dtype="float64"), minlength=len(ids)
        )
        * gross_margin
    )
    present = first["code"].to_numpy()
    # Client positions 0…n-1 in code order; a code without a first deal cannot occur (every code has won deals).
    position = np.full(len(ids), -1, dtype=np.int64)
    position[present] = np.arange(len(present))

    cost = np.full((len(rep_ids), len(years)), np.nan)
    if len(costs):
        rep_at = pd.Index(rep_ids.astype(object)).get_indexer(costs["rep_id"].astype(object))
        year_at = costs["year"].to_numpy(dtype=np.int64) - years[0]
        ok = (rep_at >= 0) & (year_at >= 0) & (year_at < len(years))
        cost[rep_at[ok], year_at[ok]] = costs["annual_cost"].to_numpy(dtype="float64")[ok]
    coded = _Coded(
        categories=categories,
        years=years,
        deal=deal,
        deal_year=year,
        deal_rep=rep_codes,
        won_amount=counted["won_amount"].to_numpy(dtype="float64"),
        won=counted["won"].to_numpy(dtype="float64"),
        lost=counted["lost"].to_numpy(dtype="float64"),
        cycle=counted["cycle"].to_numpy(dtype="float64"),
        client={d: codes[at] for d, codes in deal.items()},
        client_year=year[at],
        client_ltv=ltv[present],
        credit_client=position[client_codes],
        credit_year=year[is_won],
        credit_amount=won["amount"].to_numpy(dtype="float64") * gross_margin,
        cost=cost,
    )
    return coded, ids[present]


def compute_segments(
    counted: pd.DataFrame,
    clients_export: pd.DataFrame | None,
    costs: pd.DataFrame,
    years: list[int],
    reporting_year: int,
    same_span_end: pd.Timestamp,
    gross_margin: float,
    min_deals: int,
    resamples: int,
    employed: pd.Index,
) -> Segments:
    """Every segment table (see Segments). ``counted`` comes from counted_deals after deal_segments:
    a deal's region is its client's, else its rep's; its channel is its own acquisition, else its
    client's. A client's segment is that of its first won deal. ``employed``: the ids of the reps
    employed at some point of the reporting year (for the cost no segment carries)."""
    coded, client_ids = _encode(counted, costs, years, gross_margin)
    company = _segment_years(coded, ["company"]).drop(columns="company")
    span = (coded.deal_year == reporting_year - 1 - years[0]) & (
        counted["closed"] <= same_span_end
    ).to_numpy()
    market = _market(coded, client_ids, clients_export)

    history, current = {}, {}
    for dim in DIMENSIONS:
        table = _segment_years(coded, [dim])
        names = coded.categories[dim]
        before = pd.Series(
            np.bincount(
                coded.deal[dim][span], weights=coded.won_amount[span], minlength=len(names)
            ),
            index=names,
        )
        now = table["year"] == reporting_year
        same_span = table.loc[now, dim].map(before).astype("float64")
        table.loc[now, "revenue_change"] = (table.loc[now, "revenue"] / same_span - 1.0).where(
            same_span > 0
        )
        history[dim] = table[[dim, *SEGMENT_COLUMNS]]
        current[dim] = _current(
            table[now].reset_index(drop=True),
            dim,
            coded,
            market,
            company,
            reporting_year,
            min_deals,
            resamples,
        )

    crosses = {}
    for pair in CROSSES:
        cells = _segment_years(coded, list(pair))
        cells = cells[cells["year"] == reporting_year].assign(
            deals=lambda f: f["won_deals"] + f["lost_deals"]
        )
        cells = cells[(cells["deals"] > 0) | (cells["clients"] > 0)]
        cells = cells.assign(few_deals=cells["deals"] < min_deals)
        crosses[pair] = cells[[*pair, *CROSS_COLUMNS]].reset_index(drop=True)

    # The annual cost of the reps employed this year who sold nothing this year, on the footing the
    # allocation uses (a rep's annual cost carries on past their last cost row): a rep who left
    # before the year is none, one with no deal at all is.
    sold = counted.loc[
        (counted["fiscal_year"] == reporting_year) & (counted["won_amount"] > 0), "rep_id"
    ].unique()
    employed_now = costs[(costs["year"] == reporting_year) & costs["rep_id"].isin(employed)]
    unallocated = float(employed_now.loc[~employed_now["rep_id"].isin(sold), "annual_cost"].sum())
    return Segments(
        history=history,
        current=current,
        crosses=crosses,
        company=company,
        unallocated_cost=unallocated,
        resamples=resamples,
        min_deals=min_deals,
        has_market_size=bool(market is not None),
    )


def _market(
    coded: _Coded, client_ids: pd.Index, export: pd.DataFrame | None
) -> pd.DataFrame | None:
    """Each listed client's market size and segments: the segments of its first won deal, else the
    clients export's own values (a client without a won deal)."""
    if export is None or not export["market_size"].notna().any():
        return None
    listed = export[export["market_size"].notna()]  # the loader kept one row per client id
    at = pd.Index(client_ids.astype(object)).get_indexer(listed["client_id"].to_numpy(dtype=object))
    out = pd.DataFrame({"market_size": listed["market_size"].to_numpy(dtype="float64")})
    for dim, field in ((dim, d.deal_field) for dim, d in vocabulary.DIMENSIONS.items()):
        codes, uniques = pd.factorize(listed[field])
        names = (
            segment_labels(pd.Series(uniques, dtype="string"))
            .astype("string")
            .to_numpy(dtype=object)
        )
        own = np.where(codes >= 0, names[np.maximum(codes, 0)] if len(names) else UNKNOWN, UNKNOWN)
        names = coded.categories[dim].to_numpy(dtype=object)
        found = names[coded.client[dim][np.maximum(at, 0)]] if len(at) and len(names) else own
        out[dim] = np.where(at >= 0, found, own)
    return out


def _current(
    table: pd.DataFrame,
    dim: str,
    coded: _Coded,
    market: pd.DataFrame | None,
    company: pd.DataFrame,
    year: int,
    min_deals: int,
    resamples: int,
) -> pd.DataFrame:
    """The reporting year of one dimension, with the ratio interval, penetration and flags."""
    table = table.assign(deals=table["won_deals"] + table["lost_deals"])
    upto = coded.client_year <= year - coded.years[0]
    codes, ltv = coded.client[dim][upto], coded.client_ltv[upto]
    order = np.argsort(codes, kind="stable")
    bounds_at = np.searchsorted(codes[order], np.arange(len(coded.categories[dim]) + 1))
    position = {str(name): i for i, name in enumerate(coded.categories[dim])}

    def sample(name: str) -> np.ndarray:
        i = position.get(name)
        return ltv[order[bounds_at[i] : bounds_at[i + 1]]] if i is not None else np.empty(0)

    bounds = [
        ratio_interval(sample(name), cost, resamples, f"{dim}:{name}")
        for name, cost in zip(table[dim], table["cost_per_rep"], strict=True)
    ]
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
    # Below the company only when the whole 95 % interval is: a ratio a little under the company's
    # whose interval holds it is noise, not a market to leave (no interval: too few clients to judge).
    below = table["ratio_high"] < yardstick
    shrinking = table["revenue_change"] < 0
    table["weak"] = (below.fillna(False) | shrinking.fillna(False)).astype(bool)
    return table[[dim, *SEGMENT_COLUMNS, *CURRENT_COLUMNS]]
