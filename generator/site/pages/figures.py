"""What rep and team pages share: their table columns and the figures table at the top of the page."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, replace

import pandas as pd

from generator.metrics.definitions import label_of
from generator.metrics.period import year_label
from generator.metrics.summaries import NO_CLIENTS, NO_COST_DATA, NO_COST_RECORD, ZERO_COST
from generator.site import text
from generator.site.common import SiteInfo, cost_and_ratio, deal_columns, figure_table
from generator.site.tables import Column
from generator.site.text import Markdown

RATIO_NOTES = {
    NO_COST_DATA: "No value ratio: there is no cost record for any rep.",
    NO_COST_RECORD: "No value ratio: there is no cost record for this rep up to the reporting year.",
    NO_CLIENTS: "No value ratio: this rep has not acquired a client yet (a mean over no clients is undefined).",
    ZERO_COST: "No value ratio: the annual cost is zero.",
}
"""What a rep page says for each reason a value ratio is empty (``summaries.missing_ratio``)."""


def rep_columns(info: SiteInfo) -> list[Column]:
    """The columns of every table listing reps (the reps index, a team's members): the name, the value
    ratio and revenue first; team, region and status offer selects; the rest sit behind "all columns"."""
    ratio = [replace(c, key=True) for c in cost_and_ratio(info) if c.field == "value_ratio"]
    return [
        replace(info.column("name", link="href"), key=True),
        *ratio,
        replace(info.column("revenue", "Revenue {period}"), key=True),
        *(
            replace(info.column(name), key=True, facet=True)
            for name in ("team", "region", "status")
        ),
        replace(info.column("win_rate"), key=True),
        info.column("won_deals"),
        info.column("lost_deals"),
        info.column("clients"),
        info.column("mean_client_ltv"),
        *(replace(c, key=False) for c in cost_and_ratio(info) if c.field != "value_ratio"),
    ]


def history_columns(info: SiteInfo, fy_start: int) -> list[Column]:
    """The columns of a rep's or team's history by fiscal year."""
    return [
        info.column("year", fmt=lambda y: text.escape(year_label(int(y), fy_start))),  # type: ignore[call-overload]
        info.column("revenue"),
        *deal_columns(info),
        info.column("new_clients"),
        info.column("mean_client_ltv"),
        *cost_and_ratio(info),
    ]


@dataclass(frozen=True)
class Kpi:
    """One line of the figures table at the top of a rep or team page."""

    label: str
    """The figure's label (HTML: the value ratio's is bold)."""
    shown: str
    """The value as the page shows it (formatted, escaped HTML)."""
    value: object
    """The value as the page's summary CSV has it: a number, a band (str), or missing."""
    count: bool = False
    """A count (SPEC §6: written as an integer, ``855`` not ``855.0``)."""


def kpis(info: SiteInfo, row: Mapping[Hashable, object]) -> tuple[Kpi, ...]:
    """The figures at the top of a rep or team page, from its row of the reps or teams table."""

    def money(name: str) -> str:
        return text.money(row[name], info.currency)

    change = text.change(row["revenue_change"])
    items = [
        Kpi(
            label_of("revenue"),
            Markdown(f"{money('revenue')} ({change} on the same span last year)"),
            row["revenue"],
        ),
        *(
            Kpi(label_of(n), text.integer(row[n]), row[n], count=True)
            for n in ("won_deals", "lost_deals")
        ),
        Kpi(label_of("win_rate"), text.percent(row["win_rate"]), row["win_rate"]),
        Kpi(label_of("avg_deal_size"), money("avg_deal_size"), row["avg_deal_size"]),
        Kpi(
            f"{label_of('sales_cycle_days')} (days)",
            text.number(row["sales_cycle_days"]),
            row["sales_cycle_days"],
        ),
        Kpi(label_of("clients"), text.integer(row["clients"]), row["clients"], count=True),
        Kpi(label_of("mean_client_ltv"), money("mean_client_ltv"), row["mean_client_ltv"]),
    ]
    if info.shows("annual_cost"):
        items.append(Kpi(label_of("annual_cost"), money("annual_cost"), row["annual_cost"]))
    items.append(
        Kpi(
            f"<strong>{label_of('value_ratio')}</strong>",
            f"<strong>{text.ratio(row['value_ratio'])}</strong>",
            row["value_ratio"],
        )
    )
    return tuple(items)


def kpi_table(items: tuple[Kpi, ...], csv_href: str) -> Markdown:
    """The figures table of a rep or team page."""
    return figure_table([(k.label, k.shown) for k in items], csv_href)


def kpi_csv(items: tuple[Kpi, ...]) -> str:
    """The figures table of a rep or team page as CSV (figure, value)."""
    lines = ["figure,value\n"]
    for item in items:
        name = item.label.replace("<strong>", "").replace("</strong>", "")
        value = item.value
        shown = (
            value
            if isinstance(value, str)
            else ""
            if pd.isna(value)  # type: ignore[call-overload]
            else csv_number(value, item.count)
        )
        lines.append(f"{name},{shown}\n")
    return "".join(lines)


def csv_number(value: object, count: bool) -> str:
    """A number as a data file has it: a count as an integer, any other figure unrounded."""
    number = float(value)  # type: ignore[arg-type]
    return str(int(number)) if count and number.is_integer() else repr(number)
