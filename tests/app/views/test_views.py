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


def test_segment_bars_best_first_missing_after_other_last():
    import numpy as np

    from app.views import format as fmt
    from app.views.segments import bar_columns

    frame = pd.DataFrame({"business_user": [7, 8, 9, "Other (3)"], "cpl": [5.0, np.nan, 2.0, 9.0],
                          "ctr": [0.01, 0.03, np.nan, 0.02], "spend": [1.0, 2.0, 3.0, 4.0],
                          "leads": [1, 0, 2, 3], "qualified_leads": [0, 0, 1, 1]})
    cpl = bar_columns(frame, "business_user", "cpl", fmt.money, "#c00")
    assert cpl["name"] == ["User 9", "User 7", "User 8", "Other (3)"]  # lowest cost first
    assert cpl["value"] == ["2.00", "5.00", "–", "9.00"] and cpl["_value"][2] == 0.0
    assert cpl["_color"] == ["#c00", "#c00", "#c00", "#9aa5b1"]
    ctr = bar_columns(frame, "business_user", "ctr", fmt.percent, "#00c")
    assert ctr["name"] == ["User 8", "User 7", "User 9", "Other (3)"]  # highest CTR first
