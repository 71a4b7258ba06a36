"""Fiscal years and the reporting period (SPEC §5)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd


def fiscal_year(dates: pd.Series, start_month: int) -> pd.Series:
    """The fiscal year of each date, named by the calendar year in which it ends (Int64)."""
    years = dates.dt.year.astype("Int64")
    if start_month == 1:
        return years
    return years + (dates.dt.month >= start_month).astype("Int64")


def fiscal_year_of(day: dt.date, start_month: int) -> int:
    """The fiscal year containing one date."""
    return day.year + (1 if start_month != 1 and day.month >= start_month else 0)


@dataclass(frozen=True)
class Period:
    """The reporting period: the fiscal year that contains ``as_of``."""

    as_of: dt.date
    year: int
    fiscal_year_start: int

    @classmethod
    def containing(cls, as_of: dt.date, fiscal_year_start: int) -> Period:
        return cls(as_of, fiscal_year_of(as_of, fiscal_year_start), fiscal_year_start)

    def start_of(self, year: int) -> dt.date:
        """First day of a fiscal year."""
        if self.fiscal_year_start == 1:
            return dt.date(year, 1, 1)
        return dt.date(year - 1, self.fiscal_year_start, 1)

    def end_of(self, year: int) -> dt.date:
        """Last day of a fiscal year."""
        return self.start_of(year + 1) - dt.timedelta(days=1)

    @property
    def start(self) -> dt.date:
        return self.start_of(self.year)

    @property
    def end(self) -> dt.date:
        return self.end_of(self.year)

    @property
    def label(self) -> str:
        """How the site names the reporting year (FY2025, or 2025 for calendar years)."""
        return year_label(self.year, self.fiscal_year_start)


def year_label(year: int, fiscal_year_start: int) -> str:
    """A year as shown on the site."""
    return str(year) if fiscal_year_start == 1 else f"FY{year}"
