"""The lake: the tables the compiler reads, exported from the warehouse as Parquet for Spark.

    campaign-bi export-parquet data/lake --db data/warehouse.duckdb

Which tables: every table a compiled query may read, found from the catalog (each fact's table,
its by-day copy and lookups, the campaign x day mart and its by-day copy, the campaigns table),
plus the status rules (core.status_stages, core.stages) that define the stage dimension. Views
of the warehouse (core.ad_insights, core.campaign_days, ...) are written as their rows.

Layout of OUT (`docs/SPARK.md`):

    manifest.json                         data version, created time, per table: rows, schema,
                                          files, partitioning
    core/leads/part-0.parquet             sorted by business user (tenant scopes skip row groups)
    marts/leads_by_day/part_month=2024-07-01/data_0.parquet
                                          by-day copies and facts without one: one folder per
                                          month of the fact's date (Hive-style partitions)

Values are read from the warehouse opened read-only (DuckDB `COPY ... TO`, never through
Python). Unsigned integers (the mart's `facts` bitmask) become the next wider signed type:
Spark has no unsigned types. Timestamps stay naive (Parquet `isAdjustedToUTC=false`): the
warehouse holds reporting-zone wall clocks, and Spark reads them as TIMESTAMP_NTZ.

A re-run replaces the lake atomically: it is written to `OUT.tmp-<id>` beside OUT and then
exchanged with OUT in one `renameat2(RENAME_EXCHANGE)` (Linux; elsewhere two renames with a
moment without OUT), so a reader sees the old lake or the new one, never a half-written one.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
import json
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
from sqlglot import exp

from semantic import catalog
from semantic.builder.migrations import LATEST_RUN
from semantic.errors import LakeError, WarehouseNotFoundError

MANIFEST = "manifest.json"
FORMAT = 1  # the manifest's layout version
PARTITION_COLUMN = "part_month"
#: the status rules: not read by compiled queries (core.leads carries their flags), exported
#: so the stage dimension's values and order can be read beside the facts
REFERENCE_TABLES = ("core.status_stages", "core.stages")
_WIDER = {"UTINYINT": "SMALLINT", "USMALLINT": "INTEGER", "UINTEGER": "BIGINT",
          "UBIGINT": "DECIMAL(20, 0)", "HUGEINT": "DECIMAL(38, 0)"}


@dataclass(frozen=True)
class LakeTable:
    name: str  # schema.table, as the compiler names it
    #: the date column whose month partitions it (None: one file, in the warehouse's order)
    partition_date: str | None = None

    @property
    def folder(self) -> str:
        schema, _, table = self.name.partition(".")
        return f"{schema}/{table}"


def lake_tables() -> tuple[LakeTable, ...]:
    """What compiled queries read, from the catalog. Copies sorted by day (and facts without
    one) are partitioned by month of their date; the tables sorted by business user are not
    (one file, whose row groups a tenant's scope skips)."""
    found: dict[str, LakeTable] = {}

    def add(name: str | None, date_column: str | None = None) -> None:
        if name and name not in found:
            found[name] = LakeTable(name, date_column)

    for fact in catalog.FACTS.values():
        if fact.by_day_table:
            add(fact.table)
            add(fact.by_day_table, fact.date_column)
        else:
            add(fact.table, fact.date_column)
    mart = catalog.MART
    add(mart.table)
    add(mart.by_day_table, mart.date_column)
    add(catalog.CAMPAIGNS_TABLE)
    for fact in catalog.FACTS.values():  # lookups: tables of other facts, already there
        for lookup in fact.lookups:
            add(lookup.table)
    for name in REFERENCE_TABLES:
        add(name)
    return tuple(found.values())


def _quote(text: str) -> str:
    """A path as a SQL string literal, escaped by sqlglot (COPY takes no bound parameters)."""
    return exp.Literal.string(text).sql("duckdb")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return [(row[0], row[1]) for row in con.execute(f"DESCRIBE {table}").fetchall()]


def _select(table: LakeTable, columns: list[tuple[str, str]]) -> str:
    items = [f"CAST({_ident(c)} AS {_WIDER[t]}) AS {_ident(c)}" if t in _WIDER else _ident(c)
             for c, t in columns]
    if table.partition_date:
        items.append(f"CAST(date_trunc('month', {_ident(table.partition_date)}) AS DATE) "
                     f"AS {PARTITION_COLUMN}")
        return (f"SELECT {', '.join(items)} FROM {table.name} "
                f"ORDER BY {_ident(table.partition_date)}")
    return f"SELECT {', '.join(items)} FROM {table.name}"  # the warehouse's (sorted) order


def _write(con: duckdb.DuckDBPyConnection, table: LakeTable, root: Path) -> dict:
    columns = _columns(con, table.name)
    target = root / table.folder
    target.parent.mkdir(parents=True, exist_ok=True)
    options = "FORMAT parquet, COMPRESSION zstd"
    if table.partition_date:
        options += f", PARTITION_BY ({PARTITION_COLUMN})"
        destination = target
    else:
        target.mkdir()
        destination = target / "part-0.parquet"
    con.execute(f"COPY ({_select(table, columns)}) TO {_quote(str(destination))} ({options})")
    files = sorted(p.relative_to(root).as_posix() for p in target.rglob("*.parquet"))
    counted = con.execute(
        f"SELECT CAST(count(*) AS BIGINT) FROM read_parquet({_quote(str(target))} || '/**/*.parquet'"
        f", hive_partitioning = {str(bool(table.partition_date)).lower()})").fetchall()[0][0]
    schema = _columns(con, f"(SELECT * FROM read_parquet({_quote(str(target))} || "
                           f"'/**/*.parquet', hive_partitioning = false) LIMIT 0)")
    return {"path": table.folder, "rows": int(counted), "files": files,
            "partitioned_by": ({"column": PARTITION_COLUMN,
                                "month_of": table.partition_date}
                               if table.partition_date else None),
            "schema": [{"name": n, "type": t} for n, t in schema]}


def _version(con: duckdb.DuckDBPyConnection) -> tuple[str | None, str | None, str | None]:
    """(data version, when it was loaded, reporting time zone) of the warehouse."""
    have = {row[0] for row in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'meta'").fetchall()}
    version = loaded = zone = None
    if "data_version" in have:
        rows = con.execute(f"SELECT version, loaded_at FROM meta.data_version "
                           f"WHERE version = {LATEST_RUN}").fetchall()
        if rows:
            version, stamp = rows[0]
            loaded = stamp.isoformat() if stamp is not None else None
    if "time_zones" in have and version is not None:
        rows = con.execute("SELECT report_tz FROM meta.time_zones WHERE run_id = ?",
                           [version]).fetchall()
        zone = rows[0][0] if rows else None
    return version, loaded, zone


def export_parquet(db_path: str | os.PathLike, out: str | os.PathLike,
                   progress: Callable[[str], None] | None = None) -> dict:
    """Write the lake of the warehouse `db_path` to the folder `out` (replacing it atomically)
    and return its manifest."""
    db_path, out = Path(db_path), Path(os.path.abspath(out))
    say = progress or (lambda _msg: None)
    if not db_path.is_file():
        raise WarehouseNotFoundError(f"{db_path}: no warehouse file here; run `campaign-bi "
                                     f"ingest SOURCE_DIR` first or pass --db")
    if out.exists() and not (out.is_dir() and ((out / MANIFEST).is_file()
                                               or not any(out.iterdir()))):
        raise LakeError(f"{out}: exists and is not a lake (no {MANIFEST}); choose another "
                        f"folder or remove it")
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(out)
    tmp = out.with_name(f"{out.name}.tmp-{uuid.uuid4().hex[:12]}")
    tmp.mkdir()
    try:
        con = duckdb.connect(":memory:")
        try:
            con.execute(f"ATTACH {_quote(str(db_path.resolve()))} AS wh (READ_ONLY)")
            con.execute("USE wh")
            con.execute("SET preserve_insertion_order = true")
            version, loaded, zone = _version(con)
            tables = {}
            for table in lake_tables():
                tables[table.name] = _write(con, table, tmp)
                say(f"{table.name}: {tables[table.name]['rows']:,} rows, "
                    f"{len(tables[table.name]['files'])} file(s)")
        except duckdb.Error as exc:
            raise LakeError(f"{db_path}: exporting the lake failed: "
                            f"{str(exc).strip().splitlines()[0]}") from None
        finally:
            con.close()
        manifest = {
            "format": FORMAT,
            "data_version": version,
            "loaded_at": loaded,
            "report_tz": zone,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "source": str(db_path.resolve()),
            "partition_column": PARTITION_COLUMN,
            "tables": tables,
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
        _fsync_tree(tmp)
        _swap(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # after a swap: the previous lake
    return manifest


def read_manifest(lake: str | os.PathLike) -> dict:
    """The manifest of a lake folder, or a LakeError saying how to make one."""
    path = Path(lake) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LakeError(f"{lake}: no lake here (no {MANIFEST}); write one with "
                        f"`campaign-bi export-parquet {lake}`") from None
    except (OSError, ValueError) as exc:
        raise LakeError(f"{path}: unreadable manifest: {exc}") from None
    if manifest.get("format") != FORMAT:
        raise LakeError(f"{path}: lake format {manifest.get('format')!r}, expected {FORMAT}; "
                        f"export it again")
    return manifest


def _remove_stale(out: Path) -> None:
    """Temporary folders of killed runs (a running export's is younger than a day: kept)."""
    horizon = dt.datetime.now().timestamp() - 86_400
    for stale in out.parent.glob(f"{out.name}.tmp-*"):
        if stale.is_dir() and stale.stat().st_mtime < horizon:
            shutil.rmtree(stale, ignore_errors=True)


def _fsync_tree(root: Path) -> None:
    for path in (*root.rglob("*"), root):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux renameat2); False where that is not available."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: the file system cannot
        return False
    raise OSError(errno, os.strerror(errno), str(b))


def _swap(new: Path, out: Path) -> None:
    """Put `new` at `out`; the previous lake (if any) ends at `new`, removed by the caller."""
    if not out.exists():
        os.rename(new, out)
    elif not _exchange(new, out):
        old = out.with_name(f"{out.name}.old-{uuid.uuid4().hex[:12]}")
        os.rename(out, old)
        os.rename(new, out)
        os.rename(old, new)
    fd = os.open(out.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
