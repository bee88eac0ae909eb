"""Where the warehouse is when nobody says: one definition for the CLI, the Python API and the
dashboard (no heavy imports: the command line reads it before anything else)."""

from __future__ import annotations

import os

DEFAULT_DB = "data/warehouse.duckdb"
DB_ENV = "CAMPAIGN_BI_DB"


def default_db() -> str:
    """$CAMPAIGN_BI_DB, or data/warehouse.duckdb."""
    return os.environ.get(DB_ENV, DEFAULT_DB)
