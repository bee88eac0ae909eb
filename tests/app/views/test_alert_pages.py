"""The Alerts tab's table on a hand-made alert list: one rule or all, the rules' own order
(most severe first) unless a column is sorted, pages of 20, values in the rule's unit."""

from __future__ import annotations

import pandas as pd

from app.views.alerts import ALL_RULES, alert_cells, alert_page

ALERTS = pd.DataFrame({
    "campaign": list(range(1, 31)) + [99],
    "project": ["Kings Way"] * 31, "business_user": [1122] * 31,
    "label": ["CPL above threshold"] * 30 + ["CTR below threshold"],
    "value": [float(1000 - i) for i in range(30)] + [0.0042],
    "threshold": [461.2166] * 30 + [0.01],
    "unit": ["money"] * 30 + ["percent"],
})


def test_pages_keep_the_rules_order_and_count_every_row():
    first, rows = alert_page(ALERTS, ALL_RULES, "", 1)
    assert rows == 31 and list(first["campaign"]) == list(range(1, 21))
    second, _ = alert_page(ALERTS, ALL_RULES, "", 2)
    assert list(second["campaign"]) == [*range(21, 31), 99]


def test_one_rule_and_a_sorted_column():
    only, rows = alert_page(ALERTS, "CTR below threshold", "", 1)
    assert rows == 1 and list(only["campaign"]) == [99]
    lowest, rows = alert_page(ALERTS, "CPL above threshold", "value:asc", 1)
    assert rows == 30 and list(lowest["campaign"])[:3] == [30, 29, 28]
    by_id, _ = alert_page(ALERTS, ALL_RULES, "campaign:desc", 1)
    assert list(by_id["campaign"])[:2] == [99, 30]


def test_cells_show_values_in_the_rules_unit():
    cells = alert_cells(ALERTS.iloc[[0, 30]])
    assert cells[0] == ["1", "Kings Way", "1122", "CPL above threshold", "1,000.00", "461.22"]
    assert cells[1][4:] == ["0.42%", "1.0%"]
