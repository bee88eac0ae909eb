"""Leads export: DuckDB `COPY (<select>) TO file (HEADER)` over the semantic layer's filtered,
tenant-scoped leads query — never a DataFrame in between, so a large export costs no memory.

Spreadsheet formula injection is neutralised in the SELECT wrapper: a text cell starting with
`=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so Excel/Sheets show it as
text instead of running it. A phone that looks like a phone number (`+1-615-909-5723`) is left
as is; any other phone is treated like every other text cell.

Every export is bounded and audited. The rows in scope are counted first; more than the limit
(env CAMPAIGN_BI_EXPORT_MAX_ROWS, default 2,000,000) is refused with one line before anything
is written. The file is written beside its target with mode 0600 and moved into place only
after one JSON line (UTC time, actor, tenant, filters, rows, file name, outcome — never lead
data) has been appended to the audit log (env CAMPAIGN_BI_AUDIT_LOG, default
data/exports_audit.jsonl; created 0600, opened O_APPEND, one write per line). No audit line, no
file: an audit log that cannot be written refuses the export.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import uuid
from collections.abc import Mapping
from pathlib import Path

import duckdb
import sqlglot
from sqlglot import exp

from semantic.compiler import make_filters, make_tenant
from semantic.errors import CampaignBIError

#: A text cell starting with one of these is read as a formula by spreadsheets.
FORMULA_START = r"^[=+\-@\t\r]"
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
    tmp = out_path.with_name(f".{out_path.name[:150]}.tmp-{uuid.uuid4().hex[:12]}")
    con = _export_connection(Path(layer.warehouse.path), out_path.parent)
    try:
        # Counted on the same attached snapshot the COPY reads: an ingest swapping the file
        # in between cannot make the count and the file disagree.
        count = int(con.sql(_count_statement(inner)).fetchall()[0][0])
        if count > limit:
            append_audit({**audit, "rows": count, "outcome": "refused", "limit": limit})
            raise ExportTooLargeError(
                f"{count:,} leads match these filters, more than the export limit of "
                f"{limit:,} ({MAX_ROWS_ENV}); narrow the dates, projects or business users")
        relation = con.sql(inner)  # lazy: names and types without running the query
        columns = list(zip(relation.columns, map(str, relation.types), strict=True))
        rows = int(con.execute(copy_statement(inner, columns, tmp)).fetchall()[0][0])
        os.chmod(tmp, 0o600)  # personal data: readable by its owner only
        append_audit({**audit, "rows": rows, "outcome": "written"})
        os.replace(tmp, out_path)
        return rows
    finally:
        con.close()
        tmp.unlink(missing_ok=True)


def _count_statement(inner_sql: str) -> str:
    inner = sqlglot.parse_one(inner_sql, read="duckdb")
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


def _export_connection(db_path: Path, out_dir: Path) -> duckdb.DuckDBPyConnection:
    """A private DuckDB instance that sees the warehouse read-only and may write files only in
    `out_dir`. The layer's own instance is sandboxed without any file access, so COPY cannot
    run there; this one is locked down the same way, except for the one export folder."""
    con = duckdb.connect()
    try:
        attach = exp.Attach(
            this=exp.alias_(exp.Literal.string(str(db_path)), _DATABASE),
            expressions=[exp.AttachOption(this=exp.Var(this="READ_ONLY"))],
        )
        allowed = exp.Set(expressions=[exp.SetItem(this=exp.EQ(
            this=exp.column("allowed_directories"),
            expression=exp.Array(expressions=[exp.Literal.string(str(out_dir))]),
        ))])
        for statement in (attach.sql(dialect="duckdb"), f"USE {_DATABASE}",
                          allowed.sql(dialect="duckdb"), "SET enable_external_access = false",
                          "SET lock_configuration = true"):
            con.execute(statement)
    except BaseException:
        con.close()
        raise
    return con


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
    ELSE cell END (NULL stays NULL)."""
    risky: exp.Expression = exp.RegexpLike(this=col.copy(),
                                           expression=exp.Literal.string(FORMULA_START))
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
    filters = dict(filters or {})
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
