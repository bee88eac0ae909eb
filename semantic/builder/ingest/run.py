"""Atomic ingest: build a new warehouse file beside the target, then swap it in.

Readers keep the last good file until `os.replace`; a failure or a kill at any point before it
leaves the previous warehouse untouched (a stale temporary file is removed by the next run).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import shutil
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import duckdb

from semantic.builder import migrations
from semantic.builder.ingest import reconcile, record
from semantic.builder.ingest.contract import SOURCES
from semantic.builder.ingest.header import read_header
from semantic.builder.ingest.loader import FileSummary, load_file
from semantic.builder.ingest.newlines import readable_copy
from semantic.builder.ingest.quality import record_findings
from semantic.builder.ingest.zones import Zones, checked
from semantic.errors import UnusableInputError

_LARGE_FILE = 50 * 1024 * 1024


def ingest(
    source_dir: str | Path,
    db_path: str | Path,
    *,
    append: bool = False,
    export_tz: str | None = None,
    report_tz: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[FileSummary]:
    """Build the warehouse from a full export (all four files), or with `append` merge a partial
    export (any of the four files) into the existing warehouse (semantic/builder/ingest/append.py).
    Either way a new file is built beside the target and swapped in when complete.
    `export_tz`/`report_tz`: IANA zones of the export's timestamps and of the reports
    (semantic/builder/ingest/zones.py); an append keeps the warehouse's."""
    source_dir, db_path = Path(source_dir), Path(db_path)
    zones = checked(export_tz, report_tz)
    say = progress or (lambda _msg: None)
    if not source_dir.is_dir():
        raise UnusableInputError(f"{source_dir}: not a directory of CSV exports")
    sources = SOURCES
    if append:
        sources = tuple(s for s in SOURCES if (source_dir / s.name).exists())
        if not sources:
            raise UnusableInputError(
                f"{source_dir}: no export file to append (expected any of "
                f"{', '.join(s.name for s in SOURCES)})")
        if not db_path.is_file():
            raise UnusableInputError(
                f"{db_path}: no warehouse to append to; run a full ingest first")
    headers = {s.name: read_header(source_dir / s.name, s) for s in sources}
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(db_path):
        _remove_stale(db_path)
        run_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
        tmp = db_path.with_name(f"{db_path.name}.tmp-{run_id}")
        workdir = tmp.with_name(tmp.name + ".d")
        try:
            workdir.mkdir()
            if append:
                from semantic.builder.ingest.append import append_into

                say("copying the warehouse…")
                shutil.copyfile(db_path, tmp)
                record.checkpoint("after-copy")
                files = Files(source_dir, workdir, sources, headers, zones)
                summaries = append_into(tmp, files, run_id, say,
                                        explicit=bool(export_tz or report_tz))
            else:
                summaries = _build(tmp, Files(source_dir, workdir, sources, headers, zones),
                                   run_id, say)
            record.checkpoint("before-swap")
            _fsync(tmp)
            os.replace(tmp, db_path)
            _fsync(db_path.parent)
            record.checkpoint("after-swap")
        finally:
            for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
                leftover.unlink(missing_ok=True)
            shutil.rmtree(workdir, ignore_errors=True)
    return summaries


class Files:
    """The export files of one run, each read through a copy with normalized line endings when
    it needs one (semantic/builder/ingest/newlines.py)."""

    def __init__(self, source_dir: Path, workdir: Path, sources: tuple, headers: dict,
                 zones: Zones):
        self.source_dir, self.workdir = source_dir, workdir
        self.sources, self.headers, self.zones = sources, headers, zones

    def load(self, con, source, run_id: str, say, **options) -> FileSummary:
        path = self.source_dir / source.name
        size = path.stat().st_size
        if size > _LARGE_FILE:
            say(f"reading {source.name} ({size / 1e6:,.0f} MB)…")
        t0 = time.perf_counter()
        readable = readable_copy(path, self.workdir)
        summary = load_file(con, readable, source, self.headers[source.name][0], run_id,
                            zones=self.zones, **options)
        if readable != path:
            readable.unlink()
        summary.warnings = self.headers[source.name][1]
        reconcile.check(summary.tallies)  # before anything else is built on it
        say(f"{source.name}: {summary.loaded:,} loaded of {summary.read:,} read "
            f"in {time.perf_counter() - t0:.1f}s")
        record.checkpoint(f"after-{source.name}")
        return summary


def _build(tmp: Path, files: Files, run_id: str, say) -> list[FileSummary]:
    started = dt.datetime.now()
    con = duckdb.connect(str(tmp))
    try:
        # Staged rows are numbered by rowid, which follows file order only with this setting.
        con.execute("SET preserve_insertion_order = true")
        migrations.apply(con, through=migrations.LANDING_VERSION)
        record.checkpoint("after-landing-migrations")
        summaries = [files.load(con, source, run_id, say) for source in files.sources]
        say("building views and campaign x day facts…")
        migrations.apply(con)
        record.checkpoint("after-migrations")
        record_findings(con, run_id)
        record.finish(con, run_id, started, files.source_dir, summaries, files.zones)
    finally:
        con.close()
    return summaries


class _exclusive:
    """One ingest per target at a time (a lock file beside it; released if the process dies)."""

    def __init__(self, db_path: Path):
        self.lock_path = db_path.with_name(f".{db_path.name}.ingest.lock")

    def __enter__(self):
        self.handle = self.lock_path.open("w")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.close()
            raise UnusableInputError(
                f"{self.lock_path.parent}: another ingest into this warehouse is running"
            ) from None
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


def _remove_stale(db_path: Path) -> None:
    for stale in db_path.parent.glob(f"{db_path.name}.tmp-*"):
        if stale.is_dir():  # a killed run's normalized copies
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def print_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
