"""The campaign table's cells as the page shows them: each column written as its unit says
(money and counts with separators, percents of ratios, days, ids as plain numbers, no value as
a dash), in COLUMNS order, and the highlighted cells exactly those of firing alert rules."""

from __future__ import annotations

import numpy as np
import pandas as pd

from app.views.campaigns import COLUMNS, alert_sets, grid_columns, hot_cells, page_cells


def page() -> pd.DataFrame:
    return pd.DataFrame({
        "campaign": [2933, 7], "project": ["<b>Kings</b> Way", "Silver Oasis"],
        "business_user": [983, 1122],
        "start_time": pd.to_datetime(["2024-10-29 00:00", "2024-01-02 13:45"]),
        "stop_time": [pd.Timestamp("2025-01-27"), pd.NaT],
        "spend": [242474.99, 0.0], "leads": [1, 0], "cpl": [242474.99, np.nan],
        "budget_utilization": [0.2219, 1.5], "ctr": [0.02617, np.nan], "cpc": [3.8149, np.nan],
        "qualified_leads": [0, 0], "daily_budget": [1000.0, None], "budget": [1234567.5, 10.0],
        "impressions": [2_400_001, 0], "clicks": [62_870, 0], "reach": [1_999_999, 0],
    })[list(COLUMNS)]


def test_cells_are_written_by_unit_in_column_order():
    first, second = page_cells(page())
    cell = dict(zip(COLUMNS, first, strict=True))
    assert cell == {
        "campaign": "2933", "project": "<b>Kings</b> Way", "business_user": "983",
        "start_time": "2024-10-29", "stop_time": "2025-01-27", "spend": "242,474.99",
        "leads": "1", "cpl": "242,474.99", "budget_utilization": "22.19%", "ctr": "2.62%",
        "cpc": "3.81", "qualified_leads": "0", "daily_budget": "1,000.00",
        "budget": "1,234,567.50", "impressions": "2,400,001", "clicks": "62,870",
        "reach": "1,999,999"}
    cell = dict(zip(COLUMNS, second, strict=True))
    # no CPL without leads, no CTR without impressions, no stop day, no daily budget: a dash
    assert [cell[f] for f in ("cpl", "ctr", "cpc", "stop_time", "daily_budget")] == ["–"] * 5
    assert cell["start_time"] == "2024-01-02" and cell["budget_utilization"] == "150.00%"


def test_numbers_are_right_aligned_and_keys_are_not():
    numeric = {c["field"]: c["numeric"] for c in grid_columns()}
    assert [f for f, n in numeric.items() if not n] == ["campaign", "project", "business_user",
                                                        "start_time", "stop_time"]
    assert [c["title"] for c in grid_columns()] == list(COLUMNS.values())


def test_hot_cells_are_the_alerting_campaigns_cells():
    alerts = pd.DataFrame({"rule": ["cpl_high", "overspend", "ctr_low", "overspend"],
                           "campaign": [2933, 7, 99, 2933]})
    fields = list(COLUMNS)
    assert hot_cells(page(), alert_sets(alerts)) == sorted([
        [0, fields.index("cpl")], [1, fields.index("budget_utilization")],
        [0, fields.index("budget_utilization")]])
    assert hot_cells(page(), alert_sets(None)) == []
    assert hot_cells(page().iloc[:0], alert_sets(alerts)) == []


def test_chosen_columns_keep_the_campaign_id_and_move_the_highlights():
    from app.views.campaigns import shown_fields

    fields = shown_fields(["cpl", "project"])
    assert fields == ("campaign", "project", "cpl")  # table order, the id always first
    assert [c["title"] for c in grid_columns(fields)] == ["Campaign", "Project", "CPL"]
    assert page_cells(page(), fields)[0] == ["2933", "<b>Kings</b> Way", "242,474.99"]
    alerts = pd.DataFrame({"campaign": [2933, 7], "rule": ["cpl_high", "overspend"]})
    assert hot_cells(page(), alert_sets(alerts), fields) == [[0, 2]]  # CPL is now column 2
    assert hot_cells(page(), alert_sets(alerts), shown_fields([])) == []  # its column hidden


def test_the_table_shows_only_the_chosen_columns_and_keeps_them_across_pages(tmp_path):
    from factories import build_warehouse, campaign, insight

    import semantic
    from app.state.store import DashboardState
    from app.views.campaigns import CampaignTable

    path = build_warehouse(tmp_path / "w.duckdb", campaigns=[campaign(i) for i in (1, 2, 3)],
                           insights=[insight(i, "2024-07-01", spend=str(10 * i))
                                     for i in (1, 2, 3)])
    with semantic.connect(path) as layer:
        table = CampaignTable(store=DashboardState(layer))
        table.page_size = 25
        assert len(table._grid.page["rows"][0]) == len(COLUMNS)
        table.shown = ["spend", "project"]
        assert [c["field"] for c in table._grid.columns] == ["campaign", "project", "spend"]
        assert table._grid.page["rows"] == [["3", "P", "30.00"], ["2", "P", "20.00"],
                                            ["1", "P", "10.00"]]
        table.ascending = True  # a new order keeps the chosen columns
        assert table._grid.page["rows"][0] == ["1", "P", "10.00"]
