"""Pure view helpers: what a chart is given to draw."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from app.views.trends import complete_periods


def test_trend_periods_without_data_are_zero_not_bridged():
    frame = pd.DataFrame({
        "period": pd.to_datetime(["2024-09-01", "2024-12-01"]),
        "leads": [28, 4], "spend": [100.0, 50.0], "status_changes": [3, 1], "cpl": [100 / 28, 12.5],
    })
    out = complete_periods(frame, "month", dt.date(2024, 7, 15), dt.date(2025, 1, 10))
    assert out["period"].dt.strftime("%Y-%m").tolist() == [
        "2024-07", "2024-08", "2024-09", "2024-10", "2024-11", "2024-12", "2025-01"]
    assert out["leads"].tolist() == [0, 0, 28, 0, 0, 4, 0]
    assert out["spend"].tolist() == [0, 0, 100.0, 0, 0, 50.0, 0]
    # CPL is undefined without leads: a gap in the line, never 0 or an interpolation.
    assert out["cpl"].isna().tolist() == [True, True, False, True, True, False, True]


def test_weeks_start_on_monday_and_days_cover_the_range():
    frame = pd.DataFrame({"period": pd.to_datetime(["2024-07-01"]), "leads": [1], "spend": [1.0],
                          "status_changes": [0], "cpl": [1.0]})
    weeks = complete_periods(frame, "week", dt.date(2024, 6, 27), dt.date(2024, 7, 14))
    assert weeks["period"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-06-24", "2024-07-01", "2024-07-08"]
    days = complete_periods(frame, "day", dt.date(2024, 6, 30), dt.date(2024, 7, 2))
    assert days["leads"].tolist() == [0, 1, 0]
