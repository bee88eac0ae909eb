"""Human number formatting: "–" for anything undefined, compact money and counts, percents
with enough digits to be told apart, hours as a person reads them."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from app.views import format as fmt

MISSING = [None, float("nan"), pd.NA, pd.NaT, math.inf]


@pytest.mark.parametrize("formatter", [fmt.compact, fmt.integer, fmt.money, fmt.percent,
                                       fmt.hours, fmt.change], ids=lambda f: f.__name__)
@pytest.mark.parametrize("value", MISSING, ids=["None", "nan", "NA", "NaT", "inf"])
def test_undefined_values_show_a_dash(formatter, value):
    assert formatter(value) == "–"
    assert fmt.date(value if value is not math.inf else None) == "–"


@pytest.mark.parametrize(("value", "text"), [
    (0, "0"), (999, "999"), (1000, "1K"), (12_345, "12.3K"), (999_960, "1M"),
    (1_234_567, "1.2M"), (-2_500_000, "-2.5M"), (3.5e9, "3.5B"), (0.5, "0.5"),
])
def test_compact(value, text):
    assert fmt.compact(value) == text


@pytest.mark.parametrize(("value", "compact_form", "text"), [
    (1234.5, False, "1,234.50"), (0.01, False, "0.01"), (9_999.99, True, "9,999.99"),
    (24_934_644.09, True, "24.93M"), (24_934_644.09, False, "24,934,644.09"),
    (12_500, True, "12.5K"),
])
def test_money(value, compact_form, text):
    assert fmt.money(value, compact_form) == text


@pytest.mark.parametrize(("value", "text"), [
    (0.031, "3.1%"), (0.0042, "0.42%"), (0, "0.0%"), (1.5, "150.0%"), (0.99999, "100.0%"),
])
def test_percent(value, text):
    assert fmt.percent(value) == text


@pytest.mark.parametrize(("value", "text"), [
    (0.4, "24 min"), (1, "1.0 h"), (21.5, "21.5 h"), (47.9, "47.9 h"), (100, "4.2 days"),
])
def test_hours(value, text):
    assert fmt.hours(value) == text


@pytest.mark.parametrize(("current", "previous", "change", "text"), [
    (110, 100, 0.1, "+10.0%"), (90, 100, -0.1, "−10.0%"), (100, 100, 0.0, "±0.0%"),
    (5, 0, None, "–"), (None, 100, None, "–"), (-50, -100, 0.5, "+50.0%"),
])
def test_relative_change(current, previous, change, text):
    got = fmt.relative_change(current, previous)
    assert got == (pytest.approx(change) if change is not None else None)
    assert fmt.change(got) == text


@pytest.mark.parametrize(("value", "unit", "text"), [
    (22_934_644.09, "money", "22.93M"), (402.61, "money", "402.61"),
    (56_965, "count", "56,965"), (160_430_000, "count", "160.43M"),
    (0.038, "percent", "3.8%"), (42.5, "hours", "42.5 h"), (float("nan"), "money", "–"),
])
def test_by_unit(value, unit, text):
    assert fmt.by_unit(value, unit) == text


def test_dates():
    assert fmt.date(dt.date(2024, 7, 1)) == "2024-07-01"
    assert fmt.date(pd.Timestamp("2024-07-01 13:00")) == "2024-07-01"
    assert fmt.date("2024-07-01 13:00:00") == "2024-07-01"
