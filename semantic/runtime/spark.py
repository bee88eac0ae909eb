"""Running compiled queries on Apache Spark over the Parquet lake (semantic/builder/lake.py).

The Spark side of the layer's engine seam (`SparkExecutor`: `dialect`, `run(compiled)`,
`data_version`, `close()`, as `Warehouse` offers for DuckDB):

- a session: a local one (`local[2]`, 4 shuffle partitions, no UI, bound to 127.0.0.1) shared
  by the process, each executor in a `newSession()` of it (its own temporary views); or a
  Spark Connect session (`sc://host:15002`) of its own; or a master URL (`spark://…`, `yarn`);
- the lake's tables as temporary views of that session, named `<schema>__<table>`
  (temporary views cannot be schema-qualified; they leave no trace in a shared catalog, so the
  same code runs on a local session and on a cluster's Connect server);
- each compiled shape rendered once for Spark with those view names, its values bound as
  Spark named parameters (`:name`, `spark.sql(text, args=...)`): values never enter the text;
- results fetched as Arrow and made into the frame DuckDB's `fetchdf` would give (decimals as
  float64, dates and timestamps as datetime64[us], text as pandas' default string type).

The lake's manifest is read when the executor opens; a local lake re-exported since (its
manifest replaced) has its views registered again before the next query.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import pandas as pd

from semantic.builder.lake import FORMAT, MANIFEST, read_manifest
from semantic.compiler import Compiled
from semantic.compiler.render import bind_values, date_names, render
from semantic.errors import EngineError, LakeError

#: settings of a classic session this module starts (a local one, or from a master URL)
CLASSIC_CONF = {
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.log.level": "ERROR",
}
#: and of a local one: small data on a few cores, nothing reachable from elsewhere
LOCAL_CONF = {
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.default.parallelism": "2",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
}
LOCAL_MASTER = "local[2]"
#: settings every session gets, local or remote: the semantics the answers depend on.
#: Naive timestamps (the warehouse's wall clocks, written with isAdjustedToUTC=false) are read
#: as TIMESTAMP_NTZ, unshifted; UTC only matters for a timestamp Spark reads as zoned.
SESSION_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.inferTimestampNTZ.enabled": "true",
}
#: rendered statements kept per executor (one per request shape)
STATEMENTS_KEPT = 512

_local_lock = threading.Lock()
_local: Any = None


def java_missing() -> str | None:
    """Why a local Spark cannot start here (no Java runtime), or None."""
    home = os.environ.get("JAVA_HOME")
    if home and Path(home, "bin", "java").is_file():
        return None
    if shutil.which("java"):
        return None
    return ("Spark needs a Java 17 runtime and none was found (no JAVA_HOME, no `java` on "
            "PATH): install one, e.g. `apt-get install -y openjdk-17-jre-headless`")


def _pyspark():
    try:
        import pyspark  # noqa: F401
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineError("the Spark engine needs pyspark: pip install -e '.[spark]'") from None
    import logging

    from pyspark.logger import PySparkLogger

    # PySpark logs a failed query's whole JVM stack on stderr before raising it; the layer
    # raises it as one line (EngineError)
    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        PySparkLogger.getLogger(name).setLevel(logging.CRITICAL)
    return SparkSession


def local_session(master: str | None = None):
    """The process's classic Spark session, started on first use with `master` (default
    `local[2]`), then shared: a process has one SparkContext."""
    global _local
    with _local_lock:
        if _local is not None and not _stopped(_local):
            running = _local.sparkContext.master
            if master is not None and running != master:
                raise EngineError(f"this process already runs Spark on {running}, not "
                                  f"{master}: one SparkContext per process")
            return _local
        reason = java_missing()
        if reason:
            raise EngineError(reason)
        session_type = _pyspark()
        master = master or LOCAL_MASTER
        builder = session_type.builder.master(master).appName("campaign-bi")
        # nothing is written there (the lake is read through temporary views), but Spark makes
        # the folder on first use: not in whatever directory the process runs in
        scratch = Path(tempfile.gettempdir(), "campaign-bi-spark-warehouse")
        conf = {**CLASSIC_CONF, **_quiet_logging(), "spark.sql.warehouse.dir": scratch.as_uri()}
        if master.startswith("local"):
            conf.update(LOCAL_CONF)
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # no "loopback" warning
        for key, value in conf.items():
            builder = builder.config(key, value)
        try:
            _local = builder.getOrCreate()
        except Exception as exc:  # the JVM did not start: a one-line reason
            raise EngineError(f"a local Spark session did not start: {_first_line(exc)}") from None
        return _local


def _quiet_logging() -> dict[str, str]:
    """The driver's log4j2 settings (spark_log4j2.properties beside this module), unless the
    environment has its own."""
    if os.environ.get("SPARK_CONF_DIR") or "log4j" in os.environ.get("JAVA_TOOL_OPTIONS", ""):
        return {}
    config = Path(__file__).with_name("spark_log4j2.properties")
    return {"spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile={config.as_uri()}"}


def _stopped(session) -> bool:
    context = getattr(session, "_sc", None)
    return context is not None and getattr(context, "_jsc", None) is None


def stop_local() -> None:
    """Stop the process's local session (the next local executor starts a new one)."""
    global _local
    with _local_lock:
        if _local is not None:
            _local.stop()
            _local = None


def open_session(spark: Any = None) -> tuple[Any, bool]:
    """(session, whether the executor stops it when closed) for `spark`: None (the local
    session), a Spark Connect URL (`sc://host:15002`), a master URL (`local[4]`,
    `spark://host:7077`), or a SparkSession to work in."""
    if spark is None or (isinstance(spark, str) and not spark.startswith("sc://")):
        if "SPARK_CONNECT_MODE_ENABLED" in os.environ:
            raise EngineError("this process has opened a Spark Connect session, and PySpark "
                              "then serves no local one: use one kind of Spark per process")
    if spark is None:
        return local_session().newSession(), False
    if isinstance(spark, str):
        if spark.startswith("sc://"):
            session_type = _pyspark()
            try:
                return session_type.builder.remote(spark).create(), True
            except Exception as exc:
                raise EngineError(f"cannot open a Spark Connect session at {spark}: "
                                  f"{_first_line(exc)}") from None
        return local_session(spark).newSession(), False
    if _is_connect(spark):
        return spark, False
    return spark.newSession(), False  # its own temporary views, the same context


def _is_connect(session) -> bool:
    return type(session).__module__.startswith("pyspark.sql.connect")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines() or [type(exc).__name__])[0][:300]


def view_name(table: str) -> str:
    """The temporary view of a lake table: `core.leads` -> `core__leads`."""
    return table.replace(".", "__")


def _is_remote(lake: str) -> bool:
    return "://" in lake and not lake.startswith("file://")


def _local_path(lake: str) -> Path:
    return Path(lake.removeprefix("file://"))


class SparkExecutor:
    """Compiled queries run on Spark over one lake; safe to share between threads."""

    dialect = "spark"

    def __init__(self, lake: str | os.PathLike, spark: Any = None) -> None:
        lake = str(lake)
        self.lake = lake if _is_remote(lake) else os.path.abspath(_local_path(lake))
        self._lock = threading.RLock()
        self._statements: OrderedDict[tuple, str] = OrderedDict()
        self._identity: tuple | None = None
        self._generation = 0  # views registered so far: a query that failed during a swap
        self.session = None
        if not _is_remote(self.lake):
            self.manifest = self._read_manifest()  # a missing lake fails before Spark starts
        self.session, self._owned = open_session(spark)
        try:
            for key, value in SESSION_CONF.items():
                self.session.conf.set(key, value)
            if _is_remote(self.lake):
                self.manifest = self._read_manifest()
            self._register()
        except Exception:
            self.close()
            raise

    # -- the lake ------------------------------------------------------------------------
    def _read_manifest(self) -> dict:
        if _is_remote(self.lake):
            return self._remote_manifest()
        self._identity = self._manifest_identity()
        return read_manifest(self.lake)

    def _remote_manifest(self) -> dict:
        """A lake on shared storage the client cannot read itself: its manifest via Spark."""
        import json

        try:
            rows = self.session.read.option("wholetext", "true").text(
                f"{self.lake.rstrip('/')}/{MANIFEST}").collect()
            manifest = json.loads(rows[0][0])
        except Exception as exc:
            raise LakeError(f"{self.lake}: no readable lake manifest: {_first_line(exc)}") from None
        if manifest.get("format") != FORMAT:
            raise LakeError(f"{self.lake}: lake format {manifest.get('format')!r}, expected "
                            f"{FORMAT}; export it again")
        return manifest

    def _manifest_identity(self) -> tuple | None:
        try:
            st = os.stat(Path(self.lake, MANIFEST))
        except FileNotFoundError:
            return None
        return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)

    def _register(self) -> None:
        root = self.lake.rstrip("/")
        for name, table in self.manifest["tables"].items():
            path = f"{root}/{table['path']}"
            frame = self.session.read.parquet(path)
            frame.createOrReplaceTempView(view_name(name))
        self._views = {name: view_name(name) for name in self.manifest["tables"]}
        self._generation += 1

    def refresh(self) -> bool:
        """Register the views again if the (local) lake was exported anew; whether it was."""
        if _is_remote(self.lake) or self._manifest_identity() == self._identity:
            return False
        with self._lock:
            if self._manifest_identity() == self._identity:
                return False
            self.manifest = self._read_manifest()
            self._register()
            return True

    @property
    def data_version(self) -> str:
        """The warehouse's data version the lake was exported from, and when it was."""
        self.refresh()
        m = self.manifest
        return f"{m.get('data_version') or 'unversioned'}@lake:{m.get('created_at')}"

    # -- queries -------------------------------------------------------------------------
    def statement(self, compiled: Compiled) -> str:
        """The compiled shape as Spark SQL over this executor's views (rendered once per
        shape), to bind `bind_values(compiled.values)` to."""
        dates = date_names(compiled.values)
        key = (compiled.shape.statement, dates, tuple(sorted(self._views.items())))
        with self._lock:
            text = self._statements.get(key)
            if text is not None:
                self._statements.move_to_end(key)
                return text
        text = render(compiled.shape.tree, self.dialect, tables=self._views, dates=dates)
        with self._lock:
            self._statements[key] = text
            while len(self._statements) > STATEMENTS_KEPT:
                self._statements.popitem(last=False)
        return text

    def run(self, compiled: Compiled) -> pd.DataFrame:
        """The compiled query's rows, typed as DuckDB's `fetchdf` would give them."""
        self.refresh()
        generation = self._generation
        args = bind_values(compiled.values)  # Spark makes each a typed literal
        try:
            table = self.session.sql(self.statement(compiled), args=args or None).toArrow()
        except Exception as exc:
            self.refresh()
            if self._generation == generation:
                raise EngineError(f"Spark could not run the query: {_first_line(exc)}") from None
            # the lake was exported anew under the query (its files replaced): once more
            table = self.session.sql(self.statement(compiled), args=args or None).toArrow()
        return arrow_frame(table)

    def close(self) -> None:
        session = getattr(self, "session", None)
        if session is None:
            return
        try:
            if self._owned:
                session.stop()
            else:
                for view in getattr(self, "_views", {}).values():
                    session.catalog.dropTempView(view)
        except Exception:  # a session already gone: nothing left to release
            pass
        self.session = None


def arrow_frame(table) -> pd.DataFrame:
    """An Arrow result as the DataFrame DuckDB's `fetchdf` gives for the same rows: decimals as
    float64 (each the double nearest the exact value), dates and timestamps as
    datetime64[us], integers with NULLs as nullable Int64."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = {}
    for field, column in zip(table.schema, table.columns, strict=True):
        kind = field.type
        if pa.types.is_decimal(kind):
            column = _decimal_to_double(column)
        elif pa.types.is_date(kind):
            column = pc.cast(column, pa.timestamp("us"))
        elif pa.types.is_timestamp(kind) and (kind.unit != "us" or kind.tz is not None):
            column = pc.cast(column, pa.timestamp("us", tz=kind.tz))
        columns[field.name] = column
    frame = pa.table(columns).to_pandas(integer_object_nulls=False)
    for field in table.schema:
        if pa.types.is_integer(field.type) and frame[field.name].dtype.kind == "f":
            frame[field.name] = frame[field.name].astype("Int64")  # as DuckDB: NULLs kept
    return frame


def _decimal_to_double(column):
    """Exact decimal -> the double nearest it. DuckDB divides the unscaled integer by 10^scale,
    both exact doubles (below 2^53), so its result is correctly rounded too: the same double."""
    import pyarrow as pa

    return pa.array([None if v is None else float(v) for v in column.to_pylist()],
                    pa.float64())
