"""Entry module served by `panel serve app/dashboard.py` (placeholder until the dashboard lands)."""

import os

import panel as pn

db = os.environ.get("CAMPAIGN_BI_DB", "data/warehouse.duckdb")
pn.pane.Markdown(
    f"# campaign-bi\n\nThe sample warehouse is ready at `{db}`. The dashboard is being built."
).servable(title="campaign-bi")
