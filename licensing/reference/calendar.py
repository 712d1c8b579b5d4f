"""Business days by the U.S. federal calendar (the `holidays` package keeps it current)."""

import datetime
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _federal_holidays(year: int):
    return holidays.US(years=year)


def is_business_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _federal_holidays(day.year)


def next_business_day(day: datetime.date) -> datetime.date:
    """Return `day` itself if it is a business day, else the first business day after it."""
    while not is_business_day(day):
        day += datetime.timedelta(days=1)
    return day


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        # 29 February in a year that has none becomes 28 February.
        return day.replace(year=day.year + years, day=28)


def licence_expiry(valid_from: datetime.date, years: int = 4) -> datetime.date:
    """Usual licence validity (750.7(g)): `years` on, moved off weekends and federal holidays."""
    return next_business_day(add_years(valid_from, years))
