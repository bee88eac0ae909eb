"""Time zones of an ingest: the zone the export writes its timestamps in and the zone the
reports count days, weeks, months and hours in (IANA names). By default they are the same and
nothing is converted. When they differ, every timestamp (lead arrivals, status changes, planned
campaign runs) is stored converted to the reporting zone, so every derived day and hour follows
it; insight days are dates as Meta reports them and are kept as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

from semantic.builder.migrations import LATEST_RUN
from semantic.errors import UnusableInputError

_NAME = re.compile(r"^[A-Za-z0-9_+\-/]+$")


@dataclass(frozen=True)
class Zones:
    export_tz: str | None = None
    report_tz: str | None = None

    @property
    def converts(self) -> bool:
        return bool(self.export_tz and self.report_tz and self.export_tz != self.report_tz)

    def timestamp(self, expr: str) -> str:
        """SQL converting a timestamp written in the export's zone to the reporting zone's
        wall clock (names are checked by `checked`, so they are safe as literals)."""
        if not self.converts:
            return expr
        return f"timezone('{self.report_tz}', timezone('{self.export_tz}', {expr}))"


def checked(export_tz: str | None, report_tz: str | None) -> Zones:
    """Zones from settings: each an IANA name known to DuckDB's time-zone database, or None
    (the same as the other one)."""
    names = {}
    for label, value in (("export", export_tz), ("reporting", report_tz)):
        if value in (None, ""):
            continue
        known = _NAME.match(value) and duckdb.connect().execute(
            "SELECT count(*) FROM pg_timezone_names() WHERE name = ?", [value]).fetchall()[0][0]
        if not known:
            raise UnusableInputError(
                f"{label} time zone {value!r} is not an IANA time-zone name "
                f"(e.g. Africa/Cairo, UTC)")
        names[label] = value
    export_tz = names.get("export") or names.get("reporting")
    report_tz = names.get("reporting") or names.get("export")
    return Zones(export_tz, report_tz)


def recorded(con: duckdb.DuckDBPyConnection) -> Zones | None:
    """The zones the warehouse was built with (its latest run), None if none were recorded
    (also by a warehouse built before they were, sql/021)."""
    if not con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = "
                       "'meta' AND table_name = 'time_zones'").fetchall()[0][0]:
        return None
    rows = con.execute(f"SELECT export_tz, report_tz FROM meta.time_zones "
                       f"WHERE run_id = {LATEST_RUN}").fetchall()
    return Zones(*rows[0]) if rows else None
