"""The seeded company model: reps in teams, their clients and deals, drawn together from one
generator so that who sells what to whom hangs together; the other exports are drawn from it.

No clock is read and no file is written here: the same arguments give the same tables.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from generator.sample.activities import draw_activities
from generator.sample.catalog import (
    CATEGORIES,
    CATEGORY_SIZE,
    CATEGORY_WEIGHTS,
    METHOD_SIZE,
    METHOD_WEIGHTS,
    METHOD_WIN,
    METHODS,
    OPEN_STAGE_WEIGHTS,
    PRODUCT_SIZE,
    PRODUCT_WEIGHTS,
    PRODUCTS,
    REGION_WEIGHTS,
    REGIONS,
    STAGES,
)
from generator.sample.clients import account_names
from generator.sample.coaching import coaching_table, draw_coaching
from generator.sample.costs import draw_costs
from generator.sample.draw import (
    argsort_keys,
    ids,
    strings,
    timestamps,
    uniform_int,
    weekday_back,
    weighted,
)
from generator.sample.goals import draw_goals
from generator.sample.reps import person_names

MONTH_FACTOR = (0.80, 0.85, 1.10, 0.90, 0.95, 1.10, 0.70, 0.65, 1.00, 1.05, 1.20, 1.45)
"""Seasonality of closing deals, January to December (strong Q4, weak summer)."""

BASE_AMOUNT = 80_000.0
"""Median deal amount for an average rep, client and product."""

NEW_BUSINESS_WIN = 0.8
"""A first sale to a client is harder than the rep's usual win rate..."""
REPEAT_WIN_BOOST = 0.35
"""...and a client who already bought buys again more easily (added to the win probability)."""

TEAM_WORDS = (
    "Falcons", "Orcas", "Lynx", "Ravens", "Wolves", "Otters", "Cobras", "Pumas", "Herons", "Bisons",
    "Foxes", "Hawks", "Tigers", "Eagles", "Sharks", "Bears", "Stags", "Condors", "Jaguars", "Owls",
    "Panthers", "Rhinos", "Badgers", "Mustangs", "Kestrels", "Marlins", "Cougars", "Ospreys", "Huskies", "Bobcats",
)  # fmt: skip


@dataclass(frozen=True)
class World:
    """One generated company: every dataset as a canonical Arrow table, plus export-only columns."""

    tables: dict[str, pa.Table]
    deal_client: np.ndarray
    """Row of each deal's client in the clients table (for the opportunity names)."""
    end: dt.date


def _period_start(end: dt.date, years: int) -> dt.date:
    """First day of the ``years`` years that end on ``end``."""
    day = min(end.day, 28) if end.month == 2 else end.day
    return dt.date(end.year - years, end.month, day) + dt.timedelta(days=1)


def build_world(n_reps: int, n_deals: int, years: int, seed: int, end: dt.date) -> World:
    """Draw the whole company: reps, clients, deals and the HR, finance and activity records."""
    rng = np.random.default_rng(seed)
    start = _period_start(end, years)
    start64 = np.datetime64(start, "D")
    n_days = (end - start).days + 1
    days64 = start64 + np.arange(n_days)
    weekday = (days64.astype(np.int64) + 3) % 7  # Monday = 0
    month = days64.astype("datetime64[M]").astype(np.int64) % 12
    to_month_end = ((days64.astype("datetime64[M]") + 1).astype("datetime64[D]") - days64).astype(
        np.int64
    )

    # Daily closing weight: seasons, weekends, quarter-end push, 10% yearly growth.
    weight = np.asarray(MONTH_FACTOR)[month] * np.where(weekday >= 5, 0.06, 1.0)
    weight *= np.where((month % 3 == 2) & (to_month_end <= 10), 1.35, 1.0)
    weight *= 1.10 ** (np.arange(n_days) / 365.25)
    cum = np.cumsum(weight)
    cum_before = cum - weight

    # ---- reps: teams, regions, tenure, skill
    n_teams = max(1, round(n_reps / 6.67))
    team_of = rng.permutation(n_reps) % n_teams
    team_region = np.empty(n_teams, dtype=np.int64)
    first = min(n_teams, len(REGIONS))
    team_region[:first] = rng.permutation(len(REGIONS))[:first]
    team_region[first:] = weighted(rng, n_teams - first, REGION_WEIGHTS)
    rep_region = np.where(
        rng.random(n_reps) < 0.9, team_region[team_of], weighted(rng, n_reps, REGION_WEIGHTS)
    )
    team_names = [
        TEAM_WORDS[t % len(TEAM_WORDS)]
        + (f" {t // len(TEAM_WORDS) + 1}" if t >= len(TEAM_WORDS) else "")
        for t in range(n_teams)
    ]
    people = person_names(rng, n_reps + n_teams)
    rep_names, manager_names = people[:n_reps], people[n_reps:]

    status = rng.permutation(n_reps)
    n_left = round(0.15 * n_reps)
    n_new = round(0.15 * n_reps)
    leavers, joiners = status[:n_left], status[n_left : n_left + n_new]
    hire = -uniform_int(
        rng, np.full(n_reps, 30), np.full(n_reps, 365 * 8)
    )  # day index; < 0 is before start
    hire[joiners] = uniform_int(
        rng, np.full(n_new, min(60, n_days // 6)), np.full(n_new, max(n_days - 150, n_days // 2))
    )
    has_left = np.zeros(n_reps, dtype=bool)
    has_left[leavers] = True
    left = np.full(n_reps, n_days - 1, dtype=np.int64)  # last active day index
    left[leavers] = uniform_int(
        rng, np.maximum(hire[leavers] + 90, min(120, n_days // 4)), np.full(n_left, n_days - 30)
    )
    left = np.minimum(left, n_days - 1)
    active_from = np.maximum(hire, 0)
    active_to = left
    current = ~has_left

    win_rate = 0.15 + 0.30 * rng.beta(2.0, 2.0, n_reps)
    size_skill = rng.lognormal(0.0, 0.7, n_reps)
    volume = rng.lognormal(0.0, 0.25, n_reps)

    # ---- coaching first: it lifts the win rate of deals closed after it
    coaching, coached_from = draw_coaching(rng, n_reps, win_rate, active_from, active_to, weekday)

    # ---- deals: owner rep and dates
    n_open = round(0.07 * n_deals) if current.any() else 0
    n_closed = n_deals - n_open
    mass = cum[active_to] - cum_before[active_from]
    p = volume * mass
    rep_c = rng.choice(n_reps, size=n_closed, p=p / p.sum())
    lo, hi = cum_before[active_from[rep_c]], cum[active_to[rep_c]]
    closed_c = np.searchsorted(cum, lo + rng.random(n_closed) * (hi - lo))
    closed_c = np.clip(closed_c, active_from[rep_c], active_to[rep_c])

    cur_idx = np.flatnonzero(current)
    rep_o = (
        cur_idx[rng.choice(len(cur_idx), size=n_open, p=volume[cur_idx] / volume[cur_idx].sum())]
        if n_open
        else np.zeros(0, np.int64)
    )
    recent = rng.random(n_open) < 0.85
    open_lo = np.where(recent, np.maximum(active_from[rep_o], n_days - 150), active_from[rep_o])
    created_o = weekday_back(
        uniform_int(rng, open_lo, np.full(n_open, n_days - 1)), weekday, open_lo, n_days
    )

    rep = np.concatenate([rep_c, rep_o]).astype(np.int64)
    is_open = np.concatenate([np.zeros(n_closed, bool), np.ones(n_open, bool)])
    n = n_deals

    # ---- clients: each rep works its own book; ~15% of deals go to anyone's client
    per_rep = np.bincount(rep, minlength=n_reps)
    book = np.where(per_rep > 0, np.maximum(1, np.round(per_rep * 0.31)), 0).astype(np.int64)
    n_clients = int(book.sum())
    book_start = np.cumsum(book) - book
    owner = np.repeat(np.arange(n_reps), book)
    client_weight = rng.lognormal(0.0, 0.7, n_clients)
    client_size = rng.lognormal(0.0, 0.35, n_clients)
    is_big = np.zeros(n_clients, dtype=bool)
    n_big = min(n_clients, max(3, round(0.006 * n_clients)))
    is_big[rng.choice(n_clients, size=n_big, replace=False)] = True
    client_weight[is_big] *= 6.0
    client_size[is_big] *= 10.0
    client_region = np.where(
        rng.random(n_clients) < 0.85, rep_region[owner], weighted(rng, n_clients, REGION_WEIGHTS)
    )
    client_category = weighted(rng, n_clients, CATEGORY_WEIGHTS)
    client_method = weighted(rng, n_clients, METHOD_WEIGHTS)
    client_size *= (
        np.asarray(CATEGORY_SIZE)[client_category] * np.asarray(METHOD_SIZE)[client_method]
    )

    order = argsort_keys(rng, rep)
    rep_sorted = rep[order]
    rank = np.arange(n) - (np.cumsum(per_rep) - per_rep)[rep_sorted]
    wcum = np.cumsum(client_weight)
    wcum_before = wcum - client_weight
    u = rng.random(n)
    own = rng.random(n) < 0.85
    client_sorted = book_start[rep_sorted] + rank  # each client's first deal is with its own rep
    rows = np.flatnonzero((rank >= book[rep_sorted]) & own)
    lo_w = wcum_before[book_start[rep_sorted[rows]]]
    hi_w = wcum[book_start[rep_sorted[rows]] + book[rep_sorted[rows]] - 1]
    client_sorted[rows] = np.clip(
        np.searchsorted(wcum, lo_w + u[rows] * (hi_w - lo_w)),
        book_start[rep_sorted[rows]], book_start[rep_sorted[rows]] + book[rep_sorted[rows]] - 1,
    )  # fmt: skip
    rows = np.flatnonzero((rank >= book[rep_sorted]) & ~own)
    client_sorted[rows] = np.minimum(np.searchsorted(wcum, u[rows] * wcum[-1]), n_clients - 1)
    client = np.empty(n, dtype=np.int64)
    client[order] = client_sorted

    # ---- amounts
    product = weighted(rng, n, PRODUCT_WEIGHTS)
    amount = (
        BASE_AMOUNT
        * rng.lognormal(0.0, 0.55, n)
        * size_skill[rep]
        * client_size[client]
        * np.asarray(PRODUCT_SIZE)[product]
    )
    amount = np.maximum(amount, 500.0)
    amount = np.where(rng.random(n) < 0.6, np.round(amount, -2), np.round(amount, 2))

    # ---- outcome of closed deals; repeat business wins more often
    closed = np.concatenate([closed_c, np.full(n_open, -1)]).astype(np.int64)
    p_win = (
        win_rate[rep]
        * np.asarray(METHOD_WIN)[client_method[client]]
        * np.where(is_big[client], 1.2, 1.0)
    )
    p_win *= np.where(closed - hire[rep] < 120, 0.65, 1.0)  # ramp-up of new hires
    p_win += np.where(closed > coached_from[rep], 0.04, 0.0)  # after coaching
    won = ~is_open & (rng.random(n) < np.clip(p_win * NEW_BUSINESS_WIN, 0.03, 0.9))
    first_won = np.full(n_clients, np.iinfo(np.int64).max)
    np.minimum.at(first_won, client[won], closed[won])
    repeat = ~is_open & (closed > first_won[client])
    redraw = rng.random(n) < np.clip(p_win + REPEAT_WIN_BOOST, 0.05, 0.93)
    won = np.where(repeat, redraw, won)

    # ---- created dates (sales cycle) and open-deal details
    cycle = (
        np.round(rng.lognormal(np.log(35.0), 0.6, n) * (amount / BASE_AMOUNT) ** 0.15).astype(
            np.int64
        )
        + 1
    )
    lowest = np.maximum(hire[rep], -400)
    created = np.where(
        is_open, np.concatenate([np.zeros(n_closed, np.int64), created_o]), closed - cycle
    )
    created = np.maximum(created, lowest)
    created = np.where(is_open, created, weekday_back(created, weekday, lowest, n_days))
    created = np.minimum(created, np.where(is_open, created, closed))
    open_dated = is_open & (rng.random(n) < 0.15)  # a few open deals carry an expected close date
    closed = np.where(open_dated, uniform_int(rng, created, np.full(n, n_days - 1)), closed)
    has_closed = ~is_open | open_dated
    amount = np.where(is_open & (rng.random(n) < 0.05), np.nan, amount)
    stage = np.where(won, 0, 1)
    stage = np.where(is_open, 2 + weighted(rng, n, OPEN_STAGE_WEIGHTS), stage)
    deal_method = np.where(
        rng.random(n) < 0.8, client_method[client], weighted(rng, n, METHOD_WEIGHTS)
    )
    has_method = rng.random(n) < 0.3

    # Deal ids follow creation order.
    order = argsort_keys(rng, created - created.min())
    rep, client, amount, stage, closed, created = (
        a[order] for a in (rep, client, amount, stage, closed, created)
    )
    has_closed, product, deal_method, has_method, won, is_open = (
        a[order] for a in (has_closed, product, deal_method, has_method, won, is_open)
    )

    # ---- what the deals say about the clients
    idx = np.flatnonzero(won)
    by_client = idx[argsort_keys(None, client[idx], closed[idx])]
    first_rows = (
        by_client[np.r_[True, client[by_client][1:] != client[by_client][:-1]]] if idx.size else idx
    )
    acquired = np.full(n_clients, -1, dtype=np.int64)
    acquired[client[first_rows]] = closed[first_rows]
    last_won = np.full(n_clients, -1, dtype=np.int64)
    np.maximum.at(last_won, client[won], closed[won])
    dormant = (last_won >= 0) & (last_won < n_days - 450)
    churns = (last_won >= 0) & (rng.random(n_clients) < np.where(dormant, 0.5, 0.03))
    churned = np.where(
        churns, last_won + uniform_int(rng, np.full(n_clients, 60), np.full(n_clients, 400)), -1
    )
    churned = np.where(churned > n_days - 1, -1, churned)

    account_owner = owner.copy()
    for r in np.flatnonzero(has_left):  # a leaver's accounts go to a current teammate
        mine = np.flatnonzero(owner == r)
        mates = np.flatnonzero(current & (team_of == team_of[r]))
        mates = mates if mates.size else cur_idx
        if mine.size and mates.size:
            account_owner[mine] = mates[rng.integers(0, mates.size, mine.size)]

    segment_size = np.round(
        rng.lognormal(np.log(60e6), 0.8, (len(REGIONS), len(CATEGORIES)))
        * np.asarray(CATEGORY_SIZE),
        -5,
    ).astype(np.int64)
    market = segment_size[client_region, client_category]
    has_market = rng.random(n_clients) < 0.75
    client_names = account_names(rng, client_category)

    # ---- tables
    rep_ids = ids("REP-", n_reps, 3)
    client_ids = ids("ACC-", n_clients, 5)
    deal_ids = ids("OPP-", n, 6)
    tables: dict[str, pa.Table] = {}
    tables["deals"] = pa.table(
        {
            "deal_id": deal_ids,
            "rep_id": rep_ids.take(pa.array(rep)),
            "amount": pa.array(amount, type=pa.float64(), from_pandas=True),
            "stage": pa.array(STAGES).take(pa.array(stage)),
            "closed": timestamps(start64, closed, has_closed),
            "client_id": client_ids.take(pa.array(client)),
            "created": timestamps(start64, created),
            "acquisition": strings(METHODS, deal_method, has_method),
            "product": pa.array(PRODUCTS).take(pa.array(product)),
        }
    )
    tables["clients"] = pa.table(
        {
            "client_id": client_ids,
            "name": client_names,
            "region": pa.array(REGIONS).take(pa.array(client_region)),
            "category": pa.array(CATEGORIES).take(pa.array(client_category)),
            "acquisition": pa.array(METHODS).take(pa.array(client_method)),
            "owner_rep_id": rep_ids.take(pa.array(account_owner)),
            "acquired": timestamps(start64, acquired, acquired >= 0),
            "churned": timestamps(start64, churned, churned >= 0),
            "market_size": pa.array(market.astype(float), mask=~has_market),
        }
    )
    tables["reps"] = pa.table(
        {
            "rep_id": rep_ids,
            "name": pa.array(rep_names),
            "team": pa.array(team_names).take(pa.array(team_of)),
            "manager": pa.array(manager_names).take(pa.array(team_of)),
            "region": pa.array(REGIONS).take(pa.array(rep_region)),
            "hired": timestamps(start64, hire),
            "left": timestamps(start64, left, has_left),
        }
    )
    years_list = list(range(start.year, end.year + 1))
    year_start = np.array([(dt.date(y, 1, 1) - start).days for y in years_list], dtype=np.int64)
    year_end = np.array([(dt.date(y, 12, 31) - start).days for y in years_list], dtype=np.int64)
    employed = (active_from[:, None] <= year_end[None, :]) & (
        active_to[:, None] >= year_start[None, :]
    )
    employed &= (year_end[None, :] >= 0) & (year_start[None, :] <= n_days - 1)
    tables["costs"] = draw_costs(rng, rep_ids, employed, years_list, hire, size_skill, rep_region)
    tables["goals"] = draw_goals(
        rng, rep_ids, team_names, team_of, employed, years_list, year_start, year_end,
        active_from, active_to, has_left, rep, amount, closed, won, first_rows,
    )  # fmt: skip
    tables["coaching"] = coaching_table(rep_ids, coaching, start64)
    tables["activities"] = draw_activities(
        rng, rep_ids, volume, active_from, active_to, days64, weekday, month
    )
    _recent_hire(tables, end, seed)

    return World(tables, client, end)


RECENT_HIRE_DAYS = 240
"""The latest-hired current rep joined this many days before the end: under a year of history."""


def _recent_hire(tables: dict[str, pa.Table], end: dt.date, seed: int) -> None:
    """Make the latest-hired current rep a recent hire, so the sample shows a rep with under a year
    of history ("not enough history" on /forecast/). Their deals created before the new hire date go to
    a current teammate, and their cost, goal, coaching and activity rows from before it are dropped
    (a separate seeded generator, drawn after everything else, so no other rep's rows change)."""
    reps = tables["reps"].to_pandas()
    current = reps[reps["left"].isna() & reps["hired"].notna()]
    if len(current) < 2:
        return
    newcomer = current.sort_values(["hired", "rep_id"]).iloc[-1]
    hired = np.datetime64(end - dt.timedelta(days=RECENT_HIRE_DAYS), "ms")
    if newcomer["hired"] >= hired:
        return
    mates = current[
        (current["team"] == newcomer["team"]) & (current["rep_id"] != newcomer["rep_id"])
    ]
    mates = mates if len(mates) else current[current["rep_id"] != newcomer["rep_id"]]
    rng = np.random.default_rng([seed, 606])
    mate = mates["rep_id"].to_numpy()[rng.integers(0, len(mates))]
    rep_column = tables["reps"].column("rep_id").to_numpy(zero_copy_only=False)
    hired_column = tables["reps"].column("hired").to_numpy(zero_copy_only=False).copy()
    hired_column[rep_column == newcomer["rep_id"]] = hired
    tables["reps"] = tables["reps"].set_column(
        tables["reps"].schema.get_field_index("hired"),
        "hired",
        pa.array(hired_column, type=pa.timestamp("ms"), mask=np.isnat(hired_column)),
    )
    deals = tables["deals"]
    deal_rep = deals.column("rep_id").to_numpy(zero_copy_only=False)
    created = deals.column("created").to_numpy(zero_copy_only=False)
    moved = (deal_rep == newcomer["rep_id"]) & (created < hired)
    deal_rep = np.where(moved, mate, deal_rep)
    tables["deals"] = deals.set_column(
        deals.schema.get_field_index("rep_id"), "rep_id", pa.array(deal_rep, pa.string())
    )
    hire_year = int(str(hired)[:4])  # the sample's fiscal years are calendar years
    for name, column, before in (
        ("costs", "year", hire_year),
        ("coaching", "start", hired),
        ("activities", "date", hired),
    ):
        table = tables[name]
        mine = table.column("rep_id").to_numpy(zero_copy_only=False) == newcomer["rep_id"]
        early = table.column(column).to_numpy(zero_copy_only=False) < before
        tables[name] = table.filter(pa.array(~(mine & early)))
    goals = tables["goals"]
    early_goal = (
        (goals.column("scope").to_numpy(zero_copy_only=False) == "rep")
        & (goals.column("id").to_numpy(zero_copy_only=False) == newcomer["rep_id"])
        & (goals.column("year").to_numpy(zero_copy_only=False) < hire_year)
    )
    tables["goals"] = goals.filter(pa.array(~early_goal))
