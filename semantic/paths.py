"""Where the warehouse is when nobody says: one definition for the CLI, the Python API and the
dashboard (no heavy imports: the command line reads it before anything else)."""

from __future__ import annotations

import os

DEFAULT_DB = "data/warehouse.duckdb"
DB_ENV = "CAMPAIGN_BI_DB"


def default_db() -> str:
    """$CAMPAIGN_BI_DB, or data/warehouse.duckdb."""
    return os.environ.get(DB_ENV, DEFAULT_DB)


#: the Parquet lake Spark reads (`campaign-bi export-parquet`, docs/SPARK.md)
DEFAULT_LAKE = "data/lake"
LAKE_ENV = "CAMPAIGN_BI_LAKE"


def default_lake() -> str:
    """$CAMPAIGN_BI_LAKE, or data/lake."""
    return os.environ.get(LAKE_ENV, DEFAULT_LAKE)
