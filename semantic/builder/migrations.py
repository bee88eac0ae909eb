"""Versioned SQL migrations: `sql/NNN_name.sql`, applied in order, recorded with a checksum.

Re-applying is a no-op; a migration edited after it was applied is refused, because the
warehouse would no longer match the SQL that describes it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from semantic.errors import MigrationError

SQL_DIR = Path(__file__).resolve().parents[2] / "sql"
_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")

#: Migrations up to this version create the landing tables; ingest loads data after them and
#: applies the rest (views and facts materialized from the loaded rows; the status rules of
#: 003 among them: generated from the catalog, recomputed like any derived table).
LANDING_VERSION = 2
#: The ingest run whose data the warehouse holds: the newest in meta.data_version (an append
#: adds a run; two within a second are ordered by their ids).
LATEST_RUN = ("(SELECT version FROM meta.data_version ORDER BY loaded_at DESC, version DESC "
              "LIMIT 1)")


@dataclass(frozen=True, kw_only=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()

    @property
    def file_name(self) -> str:
        return f"{self.version:03d}_{self.name}.sql"


def discover(sql_dir: Path = SQL_DIR) -> list[Migration]:
    found = []
    for path in sorted(sql_dir.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path}: migration files are named NNN_name.sql")
        found.append(
            Migration(version=int(match[1]), name=match[2], sql=path.read_text(encoding="utf-8"))
        )
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"{sql_dir}: two migration files share a version number")
    return found


def _ensure_ledger(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS meta")
    con.execute(
        "CREATE TABLE IF NOT EXISTS meta.schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, checksum VARCHAR NOT NULL,"
        " applied_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())"
    )


def applied(con: duckdb.DuckDBPyConnection) -> dict[int, tuple[str, str]]:
    _ensure_ledger(con)
    rows = con.execute("SELECT version, name, checksum FROM meta.schema_migrations").fetchall()
    return {version: (name, checksum) for version, name, checksum in rows}


def apply(
    con: duckdb.DuckDBPyConnection,
    *,
    through: int | None = None,
    migrations: list[Migration] | None = None,
) -> list[Migration]:
    """Apply pending migrations (up to `through`), each in its own transaction. Returns those applied."""
    migrations = discover() if migrations is None else migrations
    done = applied(con)
    for m in migrations:
        if m.version in done and done[m.version][1] != m.checksum:
            raise MigrationError(
                f"migration {m.file_name} was edited after it was applied to this warehouse "
                f"(checksum differs); put the change in a new migration instead"
            )
    newly = []
    for m in migrations:
        if m.version in done or (through is not None and m.version > through):
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(m.sql)
            con.execute(
                "INSERT INTO meta.schema_migrations (version, name, checksum) VALUES (?, ?, ?)",
                [m.version, m.name, m.checksum],
            )
            con.execute("COMMIT")
        except duckdb.Error as exc:
            con.execute("ROLLBACK")
            first_line = str(exc).splitlines()[0]
            raise MigrationError(f"migration {m.file_name} failed: {first_line}") from exc
        newly.append(m)
    return newly


_CREATES = re.compile(r"CREATE\s+(?:OR\s+REPLACE\s+)?(TABLE|VIEW)\s+(\w+)\.(\w+)", re.I)
#: schemas whose objects are derived from the landing tables
DERIVED_SCHEMAS = ("core", "marts")


def derived(sql_dir: Path = SQL_DIR) -> list[Migration]:
    """The migrations after the landing tables that only create views and tables derived
    from them (core.*, marts.*), in order."""
    found = []
    for m in discover(sql_dir):
        targets = {schema for _, schema, _ in creates(m)}
        if m.version > LANDING_VERSION and targets and targets <= set(DERIVED_SCHEMAS):
            found.append(m)
    return found


def forget_changed_derived(con: duckdb.DuckDBPyConnection, sql_dir: Path = SQL_DIR) -> bool:
    """When a derived migration (views and facts computed from the landing tables) differs from
    the one this warehouse was built with, drop every derived object and its ledger row so
    `apply` builds them anew from the landing rows: unlike the landing tables, they hold nothing
    that cannot be recomputed. Returns whether it did."""
    steps = derived(sql_dir)
    done = applied(con)
    if not any(m.version in done and done[m.version][1] != m.checksum for m in steps):
        return False
    for m in reversed(steps):
        for kind, schema, name in reversed(creates(m)):
            con.execute(f"DROP {kind} IF EXISTS {schema}.{name} CASCADE")
    con.execute("DELETE FROM meta.schema_migrations WHERE version IN "
                f"({', '.join(str(m.version) for m in steps)})")
    return True


def creates(migration: Migration) -> list[tuple[str, str, str]]:
    """(TABLE|VIEW, schema, name) of each object a migration creates."""
    return [(kind.upper(), schema, name) for kind, schema, name in _CREATES.findall(migration.sql)]


def materialized(migrations: list[Migration]) -> list[str]:
    """The tables (not views) those migrations create, as schema.name, in order."""
    names: list[str] = []
    for m in migrations:
        for kind, schema, name in creates(m):
            if kind == "TABLE" and f"{schema}.{name}" not in names:
                names.append(f"{schema}.{name}")
    return names
