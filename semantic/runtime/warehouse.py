"""Read-only DuckDB access for readers: thread-safe cursors, swap detection, the SQL sandbox.

`Warehouse(path)` gives the file a database instance of its own: an in-memory DuckDB that
ATTACHes the file READ_ONLY (as `wh`, made the default with USE), then locks itself down, in
this order: `SET enable_external_access=false`, `SET lock_configuration=true`. An instance of
its own means the sandbox settings touch nobody else in the process, and DuckDB's in-process
instance cache (which keeps serving a replaced file's old data while any connection to that
path is open) is never involved. The layer's queries and ad-hoc SQL both run in it: no writes
(read-only attach), no files, ATTACH, INSTALL or LOAD (external access off), no SET (locked);
ad-hoc SQL is further limited to one read statement (SELECT, EXPLAIN, DESCRIBE, PRAGMA, CALL).
The compiler's SQL needs none of what the sandbox takes away.

Each query gets a cursor of its own (one connection must not be used from several threads),
taken from a pool of idle cursors, and is fetched fully. Before a query, the file's identity
(device, inode, mtime, size) is compared with the one opened: ingest swaps a new file in with
`os.replace`; then, under a readers-writer lock that lets in-flight queries finish first, the
old connection is closed and the new file attached.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from semantic.builder.migrations import LATEST_RUN
from semantic.errors import (
    AdHocQueryError,
    SandboxRefusedError,
    WarehouseError,
    WarehouseNotFoundError,
)

ALIAS = "wh"  # the attached warehouse's catalog name inside the private instance
_SANDBOX_SETTINGS = ("SET enable_external_access = false", "SET lock_configuration = true")
_READ_STATEMENTS = frozenset({
    duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN, duckdb.StatementType.PRAGMA,
    duckdb.StatementType.CALL,
})
_REFUSALS = ("read-only mode", "configuration has been locked", "disabled by configuration",
             "disabled through configuration")


class _ReadersWriterLock:
    """Many readers or one writer; a waiting writer holds back new readers."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False
        self._writers_waiting = 0

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._cond:
            while self._writer or self._writers_waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._cond:
            self._writers_waiting += 1
            while self._writer or self._readers:
                self._cond.wait()
            self._writers_waiting -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


def _identity(path: Path) -> tuple[int, int, int, int]:
    st = os.stat(path)
    return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class Warehouse:
    """The warehouse file, opened read-only; safe to share between threads."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(os.path.abspath(path))
        if not self.path.is_file():
            raise WarehouseNotFoundError(
                f"{path}: no warehouse file here; run `campaign-bi ingest SOURCE_DIR` first "
                f"or pass --db"
            )
        self._lock = _ReadersWriterLock()
        self._swap_guard = threading.Lock()
        self._pool_lock = threading.Lock()
        self._idle: list[duckdb.DuckDBPyConnection] = []
        self._con: duckdb.DuckDBPyConnection | None = None
        self._identity: tuple[int, int, int, int] | None = None
        self._meta_version = ""
        self.reconnects = 0
        with self._lock.writing():
            self._open()

    # -- connection lifecycle ------------------------------------------------------------
    def _open(self) -> None:
        identity = _identity(self.path)
        con = duckdb.connect(":memory:")
        try:
            quoted = str(self.path).replace("'", "''")
            con.execute(f"ATTACH '{quoted}' AS {ALIAS} (READ_ONLY)")
            con.execute(f"USE {ALIAS}")
            for setting in _SANDBOX_SETTINGS:
                con.execute(setting)
            has_version = con.sql(
                "SELECT count(*) FROM duckdb_tables() WHERE database_name = $d "
                "AND schema_name = 'meta' AND table_name = 'data_version'",
                params={"d": ALIAS},
            ).fetchall()[0][0]
            rows = con.sql(f"SELECT {LATEST_RUN}").fetchall() \
                if has_version else [(None,)]
        except duckdb.Error as exc:
            con.close()
            raise WarehouseError(f"{self.path}: cannot open the warehouse: "
                                 f"{_first_line(exc)}") from exc
        self._con = con
        self._identity = identity
        self._meta_version = rows[0][0] or ""

    def _close_connection(self) -> None:
        """Close pooled cursors and the connection (caller holds the write lock)."""
        with self._pool_lock:
            idle, self._idle = self._idle, []
        for cur in idle:
            cur.close()
        if self._con is not None:
            self._con.close()
            self._con = None

    def _swapped(self) -> bool:
        try:
            return _identity(self.path) != self._identity
        except FileNotFoundError:  # mid-swap or removed: keep serving what is open
            return False

    def refresh(self) -> bool:
        """Reopen if ingest replaced the file; returns whether it did."""
        if not self._swapped():
            return False
        with self._swap_guard:  # one thread reconnects; the others wait for it, then go on
            if not self._swapped():
                return False
            with self._lock.writing():  # waits for in-flight queries to finish
                self._close_connection()
                self._open()
                self.reconnects += 1
        return True

    def close(self) -> None:
        with self._lock.writing():
            self._close_connection()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- queries -------------------------------------------------------------------------
    #: the SQL dialect compiled queries are printed in for this engine (the layer's engine seam)
    dialect = "duckdb"

    def run(self, compiled) -> pd.DataFrame:
        """A compiled query's rows: its statement with its values bound."""
        return self.query(compiled.statement, compiled.values)

    @property
    def data_version(self) -> str:
        """Changes whenever the file is replaced: use it in cache keys."""
        self.refresh()
        dev, ino, mtime, size = self._identity or (0, 0, 0, 0)
        return f"{self._meta_version or 'unversioned'}@{ino}:{mtime}:{size}"

    def _new_cursor(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            raise WarehouseError(f"{self.path}: the warehouse is closed")
        cur = self._con.cursor()
        cur.execute(f"USE {ALIAS}")
        return cur

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A pooled cursor of its own for one query; no swap happens while it is out."""
        self.refresh()
        with self._lock.reading():
            with self._pool_lock:
                cur = self._idle.pop() if self._idle else None
            if cur is None:
                cur = self._new_cursor()
            healthy = False
            try:
                yield cur
                healthy = True
            finally:
                if healthy:
                    with self._pool_lock:
                        self._idle.append(cur)
                else:
                    cur.close()

    def query(self, sql: str, params: list | dict | None = None) -> pd.DataFrame:
        """Run SQL built by this package (compiled, values inlined or bound); fetch it all."""
        with self.cursor() as cur:
            # execute + fetchdf runs the statement once; `sql(...).df()` binds it first to
            # build a lazy relation (a second planning pass: ~1/3 of a small query's time).
            return cur.execute(sql, params).fetchdf()

    def query_arrays(self, sql: str, params: list | dict | None = None) -> dict:
        """Like `query`, as one NumPy array per column (masked where NULL): cheaper than a
        DataFrame when the caller splits the rows into several frames itself."""
        with self.cursor() as cur:
            return cur.execute(sql, params).fetchnumpy()

    def sandbox(self, sql: str) -> pd.DataFrame:
        """Run ad-hoc SQL text under the sandbox; refusals and failures are one-line errors."""
        if not sql or not sql.strip():
            raise AdHocQueryError("no SQL given")
        self.refresh()
        with self._lock.reading():
            cur = self._new_cursor()  # never pooled: ad-hoc SQL leaves nothing behind
            try:
                self._check_statements(cur, sql)
                relation = cur.sql(sql)
                return relation.df() if relation is not None else pd.DataFrame()
            except duckdb.Error as exc:
                line = _first_line(exc)
                if isinstance(exc, duckdb.PermissionException) or any(
                        r in line for r in _REFUSALS):
                    raise SandboxRefusedError(
                        f"refused by the read-only SQL sandbox (no writes, files, extensions "
                        f"or settings): {line}"
                    ) from None
                raise AdHocQueryError(f"query failed: {line}") from None
            finally:
                cur.close()

    @staticmethod
    def _check_statements(cur: duckdb.DuckDBPyConnection, sql: str) -> None:
        statements = cur.extract_statements(sql)
        if len(statements) != 1:
            raise SandboxRefusedError(
                f"refused by the SQL sandbox: send exactly one query, got {len(statements)} "
                f"statements"
            )
        kind = statements[0].type
        if kind not in _READ_STATEMENTS:
            raise SandboxRefusedError(
                f"refused by the read-only SQL sandbox: only queries (SELECT, EXPLAIN, "
                f"DESCRIBE, ...) run here, not {kind.name}"
            )
