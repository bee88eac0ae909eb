"""What every ingest, full or append, does at its end (`finish`: record the run, its files,
reconciliation, time zones and data version), and the named points between its stages
(`checkpoint`), where tests inject failures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from semantic.builder.ingest import reconcile
from semantic.builder.ingest.loader import FileSummary
from semantic.builder.ingest.zones import Zones


def checkpoint(stage: str) -> None:
    """A named point in the ingest; tests replace it to inject failures between stages."""


def finish(con, run_id: str, started: dt.datetime, source_dir: Path,
           summaries: list[FileSummary], zones: Zones) -> None:
    """Record the run (files, reconciliation, time zones) and its data version; make the file
    final."""
    finished = dt.datetime.now()
    con.execute("INSERT INTO meta.time_zones VALUES (?, ?, ?)",
                [run_id, zones.export_tz, zones.report_tz])
    for s in summaries:
        con.execute(
            "INSERT INTO meta.ingest_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [f"{run_id}:{s.file}", str(source_dir.resolve()), started, finished, s.file,
             s.read, s.loaded, s.duplicates, s.rejected, s.warnings],
        )
    reconcile.record(con, run_id, [t for s in summaries for t in s.tallies])
    con.execute("INSERT INTO meta.data_version VALUES (?, ?)", [run_id, finished])
    con.execute("CHECKPOINT")
