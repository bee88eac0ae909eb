"""Human number formatting for the dashboard. Every formatter shows "–" for a missing value
(None, NaN, NA, NaT): a ratio with a zero denominator is undefined, never 0 or ∞."""

from __future__ import annotations

import datetime as dt
import math
from numbers import Number

import pandas as pd

MISSING = "–"

_SUFFIXES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))


def is_missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _number(value) -> float | None:
    if is_missing(value):
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isinf(x) else x


def compact(value, digits: int = 1) -> str:
    """12_345 → "12.3K", 1_234_567 → "1.2M", 999 → "999", 0.5 → "0.5"."""
    x = _number(value)
    if x is None:
        return MISSING
    for size, suffix in _SUFFIXES:
        if abs(x) >= size * (1 - 0.5 * 10 ** -(digits + 3)):
            scaled = round(x / size, digits)
            if abs(scaled) >= 1000 and suffix != "T":  # 999.96K rounds to 1000.0K → 1.0M
                continue
            return f"{scaled:,.{digits}f}".rstrip("0").rstrip(".") + suffix
    if x == int(x):
        return f"{int(x):,}"
    return f"{x:,.{digits}f}".rstrip("0").rstrip(".")


def integer(value) -> str:
    """12345 → "12,345"."""
    x = _number(value)
    return MISSING if x is None else f"{round(x):,}"


def money(value, compact_form: bool = False) -> str:
    """1234.5 → "1,234.50"; compact: 1_234_567 → "1.23M". No currency symbol: exports do not
    say which currency an account spends in."""
    x = _number(value)
    if x is None:
        return MISSING
    if compact_form and abs(x) >= 10_000:
        return compact(x, digits=2)
    return f"{x:,.2f}"


def percent(value, digits: int = 1) -> str:
    """0.031 → "3.1%"; values under 1% get one more digit (0.0042 → "0.42%")."""
    x = _number(value)
    if x is None:
        return MISSING
    pct = x * 100
    if pct != 0 and abs(pct) < 1:
        digits += 1
    return f"{pct:,.{digits}f}%"


def hours(value) -> str:
    """Hours as a person reads them: 0.4 → "24 min", 21.5 → "21.5 h", 100 → "4.2 days"."""
    x = _number(value)
    if x is None:
        return MISSING
    if abs(x) < 1:
        return f"{round(x * 60)} min"
    if abs(x) < 48:
        return f"{x:,.1f} h"
    return f"{x / 24:,.1f} days"


def change(value) -> str:
    """A relative change: 0.123 → "+12.3%", -0.05 → "−5.0%", None → "–"."""
    x = _number(value)
    if x is None:
        return MISSING
    sign = "+" if x > 0 else "−" if x < 0 else "±"
    return f"{sign}{abs(x) * 100:,.1f}%"


def relative_change(current, previous) -> float | None:
    """(current − previous) / previous; None when either is missing or previous is 0."""
    c, p = _number(current), _number(previous)
    if c is None or p is None or p == 0:
        return None
    return (c - p) / abs(p)


def date(value) -> str:
    if is_missing(value):
        return MISSING
    if isinstance(value, str):
        return value[:10]
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def by_unit(value, unit: str) -> str:
    """Format by a unit name: money, count, percent, hours, ratio."""
    if unit == "money":
        return money(value, compact_form=True)
    if unit == "count":
        x = _number(value)
        if x is not None and abs(x) >= 1_000_000:
            return compact(x, digits=2)
        return integer(value)
    if unit == "percent":
        return percent(value)
    if unit == "hours":
        return hours(value)
    if isinstance(value, Number) and not is_missing(value):
        return f"{float(value):,.2f}"
    return MISSING if is_missing(value) else str(value)
