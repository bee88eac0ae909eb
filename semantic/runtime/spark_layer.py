"""The semantic layer answered by Apache Spark over a Parquet lake (docs/SPARK.md).

    import semantic
    layer = semantic.connect(engine="spark", lake="data/lake")           # local Spark
    layer = semantic.connect(engine="spark", lake="s3a://bucket/lake",
                             spark="sc://spark-connect.internal:15002")   # a cluster
    df = layer.query(["spend", "cpl"], ["week"], {"business_user": [199]}, tenant=199)

The same requests as `SemanticLayer` on DuckDB, validated by the same code before any engine is
touched (so a bad request raises the same typed error), compiled by the same compiler to Spark
SQL, and shaped into the same frames (columns, dtypes, order, notes, `attrs["rows"]`).

A `SemanticLayer` (its engine seam: `warehouse.dialect`, `warehouse.run`) over a
`semantic.runtime.spark.SparkExecutor`; `compile` prints Spark SQL unless asked otherwise, and
the time zone and last ingest come from the lake's manifest. What only the DuckDB warehouse
offers (ad-hoc SQL, data health, the dashboard's listings and fast paths) raises `EngineError`.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from semantic.errors import EngineError
from semantic.paths import default_lake
from semantic.runtime.layer import SemanticLayer
from semantic.runtime.spark import SparkExecutor


def _duckdb_only(name: str):
    def refuse(self, *args: Any, **kwargs: Any):
        raise EngineError(f"{name} is answered by the DuckDB engine only; open the warehouse "
                          f"with semantic.connect(path) for it")

    refuse.__name__ = name
    return refuse


class _NoFastPaths:
    def __getattr__(self, name: str):
        raise EngineError(f"layer.fast.{name} is answered by the DuckDB engine only; use "
                          f"layer.query on Spark")


class SparkLayer(SemanticLayer):
    """Metrics by dimensions computed by Spark over a lake; safe to share between threads."""

    def __init__(self, executor: SparkExecutor) -> None:
        super().__init__(executor)  # type: ignore[arg-type]
        self.fast = _NoFastPaths()  # type: ignore[assignment]

    @classmethod
    def open(cls, lake: str | os.PathLike | None = None, spark: Any = None) -> SparkLayer:
        return cls(SparkExecutor(lake or default_lake(), spark))

    @property
    def executor(self) -> SparkExecutor:
        return self.warehouse  # type: ignore[return-value]

    @property
    def spark(self):
        """The Spark session the layer's queries run in."""
        return self.executor.session

    # -- what the lake's manifest says ---------------------------------------------------
    @property
    def time_zone(self) -> str | None:
        """The IANA zone days and hours are reported in (as the warehouse recorded it)."""
        return self.executor.manifest.get("report_tz")

    def last_ingest(self) -> dt.datetime | None:
        """When the ingest that built the exported data finished (as the warehouse says)."""
        stamp = self.executor.manifest.get("loaded_at")
        return dt.datetime.fromisoformat(stamp) if stamp else None

    # -- the DuckDB warehouse's own ------------------------------------------------------
    campaigns = _duckdb_only("campaigns")
    filter_options = _duckdb_only("filter_options")
    option_matches = _duckdb_only("option_matches")
    campaign_leads = _duckdb_only("campaign_leads")
    status_log = _duckdb_only("status_log")
    data_health = _duckdb_only("data_health")
    rejected_rows = _duckdb_only("rejected_rows")
    sql = _duckdb_only("sql (ad-hoc SQL)")
    leads_export_sql = _duckdb_only("leads_export_sql")
