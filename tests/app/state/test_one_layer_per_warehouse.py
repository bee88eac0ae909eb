"""Sessions share one semantic layer per warehouse: `panel serve` runs app/dashboard.py afresh
for every session, so the layer cache must live in an imported module (app/state/layers.py)."""

from __future__ import annotations

import runpy
from pathlib import Path

from factories import build_warehouse, campaign, insight

DASHBOARD = Path(__file__).resolve().parents[3] / "app" / "dashboard.py"


def test_two_runs_of_the_app_script_share_one_layer(tmp_path):
    path = build_warehouse(tmp_path / "w.duckdb", campaigns=[campaign(1)],
                           insights=[insight(1, "2024-07-01", spend="3")])
    layers = []
    for _ in range(2):  # as two sessions: the script's globals are new each time
        script = runpy.run_path(str(DASHBOARD), run_name="app_session_script")
        state, _ = script["build"](path, served=False)
        layers.append(state.layer)
        assert state.data.kpis["spend"] == 3
    assert layers[0] is layers[1]
