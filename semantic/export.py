"""Leads export: DuckDB `COPY (<select>) TO file (HEADER)` over the semantic layer's filtered,
tenant-scoped leads query — never a DataFrame in between, so a large export costs no memory.

Spreadsheet formula injection is neutralised in the SELECT wrapper: a text cell starting with
`=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so Excel/Sheets show it as
text instead of running it. A phone that looks like a phone number (`+1-615-909-5723`) is left
as is; any other phone is treated like every other text cell.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path

import duckdb
import sqlglot
from sqlglot import exp

#: A text cell starting with one of these is read as a formula by spreadsheets.
FORMULA_START = r"^[=+\-@\t\r]"
#: A phone made of digits, spaces, brackets and dashes, optionally after one leading `+`.
PHONE = r"^\+?[0-9][0-9 ()-]*$"
PHONE_COLUMN = "phone"
_ALIAS = "leads"
_DATABASE = "warehouse"


def export_leads(layer, out_path: str | Path, filters: Mapping | None = None,
                 tenant: int | None = None) -> int:
    """Write the filtered leads to `out_path` as CSV with a header; returns the row count."""
    out_path = Path(out_path).absolute()
    out_path.parent.mkdir(parents=True, exist_ok=True)
    inner = layer.leads_export_sql(dict(filters or {}), tenant)
    con = _export_connection(Path(layer.warehouse.path), out_path.parent)
    try:
        relation = con.sql(inner)  # lazy: names and types without running the query
        columns = list(zip(relation.columns, map(str, relation.types), strict=True))
        return int(con.execute(copy_statement(inner, columns, out_path)).fetchall()[0][0])
    finally:
        con.close()


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
