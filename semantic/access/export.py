"""Leads export: DuckDB `COPY (<select>) TO file (HEADER)` over the semantic layer's filtered,
tenant-scoped leads query — never a DataFrame in between, so a large export costs little memory.

Spreadsheet formula injection is neutralised in the SELECT wrapper: a text cell starting with
`=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so Excel/Sheets show it as
text instead of running it. A phone that looks like a phone number (`+1-615-909-5723`) is left
as is; any other phone is treated like every other text cell.

Every export is bounded and audited. The rows in scope are counted first (without the sort:
one pass over the filter columns); more than the limit (env CAMPAIGN_BI_EXPORT_MAX_ROWS,
default 2,000,000) is refused with one line before anything is written, so no personal data
reaches the disk for a refused export. The file is written beside its target with mode 0600
and moved into place only after one JSON line (UTC time, actor, tenant, filters, rows, file
name, outcome — never lead data) has been appended to the audit log (env
CAMPAIGN_BI_AUDIT_LOG, default data/exports_audit.jsonl; created 0600, opened O_APPEND, one
write per line). No audit line, no file: an audit log that cannot be written refuses the export.

Memory stays small however many leads are exported: the COPY runs in a private DuckDB instance
with one thread and a capped buffer pool (`memory_limit`, 64 MB per started 2M rows), so cached
table blocks are evicted instead of piling up and the sort by lead id spills to a private
(0700) folder beside the output, removed afterwards. Uncapped, a 1M-lead export at scale 100
grew the process by ~650 MB (blocks of the whole table, which is stored sorted by business user,
plus the in-memory sort); capped, by ~75 MB.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import duckdb
import sqlglot
from sqlglot import exp

from semantic.compiler import make_filters, make_tenant
from semantic.errors import CampaignBIError

#: A text cell starting with one of these characters is read as a formula by spreadsheets.
FORMULA_CHARS = "=+-@\t\r"
#: A phone made of digits, spaces, brackets and dashes, optionally after one leading `+`.
PHONE = r"^\+?[0-9][0-9 ()-]*$"
PHONE_COLUMN = "phone"
_ALIAS = "leads"
_DATABASE = "warehouse"

AUDIT_LOG_ENV = "CAMPAIGN_BI_AUDIT_LOG"
DEFAULT_AUDIT_LOG = "data/exports_audit.jsonl"
MAX_ROWS_ENV = "CAMPAIGN_BI_EXPORT_MAX_ROWS"
DEFAULT_MAX_ROWS = 2_000_000
_AUDIT_TEXT_LIMIT = 200  # longer filter values are shortened in the audit line
#: The export instance's DuckDB buffer pool, per started ROWS_PER_MEMORY_STEP rows. Sorting
#: with one thread, 64 MB sufficed for 2M leads but not for 5.7M (out of memory while merging
#: spilled runs; 128 MB did); two threads needed ~96 MB already at 1M.
EXPORT_MEMORY_MB = 64
ROWS_PER_MEMORY_STEP = 2_000_000
EXPORT_THREADS = 1


class ExportError(CampaignBIError):
    """An export was not written (too large, misconfigured, or not auditable)."""


class ExportTooLargeError(ExportError):
    """More leads match than one export may hold."""


class AuditLogError(ExportError):
    """The audit line could not be written, so the export was not either."""


def max_rows() -> int:
    """The export row limit: env CAMPAIGN_BI_EXPORT_MAX_ROWS or DEFAULT_MAX_ROWS."""
    raw = os.environ.get(MAX_ROWS_ENV, "").strip().replace("_", "").replace(",", "")
    if not raw:
        return DEFAULT_MAX_ROWS
    if not raw.isdigit() or int(raw) < 1:
        raise ExportError(f"{MAX_ROWS_ENV} must be a positive whole number of rows, got "
                          f"{os.environ[MAX_ROWS_ENV][:40]!r}")
    return int(raw)


def audit_log_path() -> Path:
    return Path(os.environ.get(AUDIT_LOG_ENV) or DEFAULT_AUDIT_LOG)


def export_leads(layer, out_path: str | Path, filters: Mapping | None = None,
                 tenant: int | None = None, actor: str | None = None, *,
                 limit: int | None = None) -> int:
    """Write the filtered leads to `out_path` as CSV with a header; returns the row count.

    `actor` is who asked (the OS user for the CLI, the login name for the dashboard); it goes
    to the audit line with the tenant and the filters. `limit` overrides the row limit."""
    out_path = Path(out_path).absolute()
    applied, tenant = make_filters(filters), make_tenant(tenant)
    limit = max_rows() if limit is None else limit
    audit = {"actor": actor, "tenant": tenant, "filters": _audit_filters(applied),
             "file": out_path.name}
    inner = layer.leads_export_sql(applied, tenant)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with _export_instance(Path(layer.warehouse.path), out_path) as con:
        # Counted on the same attached snapshot the COPY reads: an ingest swapping the file
        # in between cannot make the count and the file disagree.
        count = int(con.sql(count_statement(inner)).fetchall()[0][0])
        if count > limit:
            append_audit({**audit, "rows": count, "outcome": "refused", "limit": limit})
            raise ExportTooLargeError(
                f"{count:,} leads match these filters, more than the export limit of "
                f"{limit:,} ({MAX_ROWS_ENV}); narrow the dates, projects or business users")
        _lock_down(con, out_path.parent, memory_limit_mb(count))
        return _write(con, inner, out_path, audit)


def memory_limit_mb(rows: int) -> int:
    """The export instance's memory limit for `rows` leads: EXPORT_MEMORY_MB per started
    ROWS_PER_MEMORY_STEP rows (at least one step)."""
    return EXPORT_MEMORY_MB * max(1, -(-rows // ROWS_PER_MEMORY_STEP))


def _write(con: duckdb.DuckDBPyConnection, inner: str, out_path: Path, audit: dict) -> int:
    """COPY into a private temporary file beside `out_path`, audit, then move it into place."""
    tmp = out_path.with_name(f".{out_path.name[:150]}.tmp-{uuid.uuid4().hex[:12]}")
    try:
        relation = con.sql(inner)  # lazy: names and types without running the query
        columns = list(zip(relation.columns, map(str, relation.types), strict=True))
        rows = int(con.execute(copy_statement(inner, columns, tmp)).fetchall()[0][0])
        os.chmod(tmp, 0o600)  # personal data: readable by its owner only
        append_audit({**audit, "rows": rows, "outcome": "written"})
        os.replace(tmp, out_path)
        return rows
    finally:
        tmp.unlink(missing_ok=True)


def count_statement(inner_sql: str) -> str:
    """`SELECT count(*) FROM (<inner_sql> without its ORDER BY)`: DuckDB keeps a subquery's
    ORDER BY, and sorting the ids only to count them cost 5x the time and 4x the memory."""
    inner = sqlglot.parse_one(inner_sql, read="duckdb")
    inner.set("order", None)
    return exp.select(exp.Count(this=exp.Star())).from_(
        exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier(_ALIAS)))
    ).sql(dialect="duckdb")


def _audit_filters(filters) -> dict:
    """The filters that restrict anything, JSON-ready; long text values are shortened."""
    out: dict = {}
    for name in filters.active():
        value = filters.values(name)
        if isinstance(value, dt.date):
            out[name] = value.isoformat()
        else:
            out[name] = [_short(v) if isinstance(v, str) else v for v in value]
    return out


def _short(text: str) -> str:
    if len(text) <= _AUDIT_TEXT_LIMIT:
        return text
    return f"{text[:_AUDIT_TEXT_LIMIT]}…(+{len(text) - _AUDIT_TEXT_LIMIT} chars)"


def append_audit(entry: Mapping, path: str | Path | None = None) -> None:
    """Append one JSON line (with the UTC time first) to the audit log, atomically: the file
    is created 0600, opened O_APPEND (never through a symlink) and written with one write."""
    path = Path(path) if path is not None else audit_log_path()
    now = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    record = {"time": now, **entry}
    if isinstance(record.get("actor"), str):
        record["actor"] = _short(record["actor"])
    # ASCII only: no raw newline, U+2028 or other line break can split the record
    line = (json.dumps(record, ensure_ascii=True, sort_keys=False, default=str) + "\n").encode()
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | \
        getattr(os, "O_CLOEXEC", 0)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, flags, 0o600)
        try:
            if os.fstat(fd).st_mode & 0o077:  # an older, wider file: tighten it
                os.fchmod(fd, 0o600)
            if os.write(fd, line) != len(line):
                raise OSError("short write")
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise AuditLogError(f"{path}: cannot append to the export audit log ({reason}); "
                            f"nothing was exported (set {AUDIT_LOG_ENV} to a writable file)"
                            ) from None


@contextmanager
def _export_instance(db_path: Path, out_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """`_export_connection` with a private spill folder beside `out_path` (0700, random
    name), closed and removed afterwards whatever happens."""
    spill = Path(tempfile.mkdtemp(prefix=f".{out_path.name[:40]}.spill-", dir=out_path.parent))
    try:
        con = _export_connection(db_path, spill)
        try:
            yield con
        finally:
            con.close()  # closes DuckDB's spill files before their folder goes
    finally:
        shutil.rmtree(spill, ignore_errors=True)


def _export_connection(db_path: Path, spill_dir: Path) -> duckdb.DuckDBPyConnection:
    """A private DuckDB instance (one thread, capped memory spilling to `spill_dir`) that sees
    the warehouse read-only. Only compiled SQL may run on it until `_lock_down`."""
    con = duckdb.connect(config={"memory_limit": f"{EXPORT_MEMORY_MB}MB",
                                 "threads": EXPORT_THREADS,
                                 "temp_directory": str(spill_dir)})
    try:
        attach = exp.Attach(
            this=exp.alias_(exp.Literal.string(str(db_path)), _DATABASE),
            expressions=[exp.AttachOption(this=exp.Var(this="READ_ONLY"))],
        )
        for statement in (attach.sql(dialect="duckdb"), f"USE {_DATABASE}",
                          "SET enable_progress_bar = false"):  # no bar in CLI or server logs
            con.execute(statement)
    except BaseException:
        con.close()
        raise
    return con


def _lock_down(con: duckdb.DuckDBPyConnection, out_dir: Path, memory_mb: int) -> None:
    """Size the memory for the export, then allow file writes only in `out_dir` and lock the
    configuration. The layer's own instance is sandboxed without any file access, so COPY
    cannot run there; this one is locked down the same way, except for the export folder."""
    allowed = exp.Set(expressions=[exp.SetItem(this=exp.EQ(
        this=exp.column("allowed_directories"),
        expression=exp.Array(expressions=[exp.Literal.string(str(out_dir))]),
    ))])
    memory = exp.Set(expressions=[exp.SetItem(this=exp.EQ(
        this=exp.column("memory_limit"), expression=exp.Literal.string(f"{int(memory_mb)}MB"),
    ))])
    for statement in (memory.sql(dialect="duckdb"), allowed.sql(dialect="duckdb"),
                      "SET enable_external_access = false", "SET lock_configuration = true"):
        con.execute(statement)


def copy_statement(inner_sql: str, columns: list[tuple[str, str]], out_path: str | Path) -> str:
    """`COPY (SELECT <neutralised columns> FROM (<inner_sql>) AS leads) TO '<path>' (HEADER)`."""
    select = neutralised_select(inner_sql, columns)
    copy = exp.Copy(
        this=exp.Subquery(this=select),
        kind=False,  # TO
        files=[exp.Literal.string(str(out_path))],
        params=[exp.CopyParameter(this=exp.Var(this="HEADER"))],
    )
    return copy.sql(dialect="duckdb")


def neutralised_select(inner_sql: str, columns: list[tuple[str, str]]) -> exp.Select:
    """Every column of `inner_sql` in order; text columns pass through `neutralise`."""
    inner = sqlglot.parse_one(inner_sql, read="duckdb")
    projections = []
    for name, type_name in columns:
        col = exp.column(name, table=_ALIAS, quoted=True)
        if _is_text(type_name):
            projections.append(exp.alias_(neutralise(col, phone=name == PHONE_COLUMN), name,
                                          quoted=True))
        else:
            projections.append(col)
    source = exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier(_ALIAS)))
    return exp.select(*projections).from_(source)


def neutralise(col: exp.Expression, *, phone: bool = False) -> exp.Expression:
    """CASE WHEN <cell starts like a formula> [AND NOT <looks like a phone>] THEN '''' || cell
    ELSE cell END (NULL stays NULL). The first character is tested with ASCII() (its code
    point; 0 for '') against FORMULA_CHARS: ~3x cheaper than a regex over millions of cells."""
    risky: exp.Expression = exp.In(
        this=exp.func("ASCII", col.copy()),
        expressions=[exp.Literal.number(ord(c)) for c in FORMULA_CHARS])
    if phone:
        looks_like_phone = exp.RegexpLike(this=col.copy(), expression=exp.Literal.string(PHONE))
        risky = exp.and_(risky, exp.not_(looks_like_phone))
    quoted = exp.DPipe(this=exp.Literal.string("'"), expression=col.copy())
    return exp.Case(ifs=[exp.If(this=risky, true=quoted)], default=col.copy())


def _is_text(type_name: str) -> bool:
    return str(type_name).upper().startswith(("VARCHAR", "TEXT", "STRING"))


def export_file_name(filters: Mapping | None = None, today: dt.date | None = None) -> str:
    """A file name carrying the filters and the export date, safe on every file system, e.g.
    `leads_user-199_kings-way_2024-07-01_2024-07-31_20261124.csv`."""
    filters = make_filters(filters).as_dict()
    today = today or dt.date.today()
    parts = ["leads"]
    parts += _listed(filters.get("business_user"), "user", "users")
    parts += _listed(filters.get("project"), None, "projects")
    parts += _listed(filters.get("campaign"), "campaign", "campaigns")
    parts += _listed(filters.get("lead_status"), None, "statuses")
    start, end = _day(filters.get("date_from")), _day(filters.get("date_to"))
    if start and end:
        parts += [start, end]
    elif start:
        parts.append(f"from-{start}")
    elif end:
        parts.append(f"to-{end}")
    parts.append(today.strftime("%Y%m%d"))
    return "_".join(p for p in parts if p)[:180] + ".csv"


def _listed(values, singular: str | None, plural: str) -> list[str]:
    if values is None or values == "":
        return []
    if isinstance(values, str | int):
        values = [values]
    values = sorted({str(v).strip() for v in values if str(v).strip()})
    if not values:
        return []
    if len(values) > 2:
        return [f"{len(values)}-{plural}"]
    slugs = [_slug(v) for v in values]
    if singular is None:
        return [s for s in slugs if s]
    return [f"{singular}-{'-'.join(slugs)}"]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40]


def _day(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return _slug(str(value)[:10]) or None
