"""Load one source file into its landing table: stage as text, type, check, de-duplicate.

Good rows land in raw.*; refused rows land in meta.rejected_rows with file, line, column, value
and reason; exact duplicate rows are dropped and counted. Lines count CSV records with the
header as line 1 (they equal physical lines unless a quoted field spans lines).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from semantic.ingest.checks import FOREIGN_KEYS, q, row_problems, typed_expr
from semantic.ingest.contract import SourceFile

_VALUE_PREVIEW = 200


@dataclass
class FileSummary:
    file: str
    read: int = 0
    loaded: int = 0
    duplicates: int = 0
    rejected: int = 0
    warnings: list[str] = field(default_factory=list)


def _stage(con: duckdb.DuckDBPyConnection, path: Path, source: SourceFile, header: list[str]):
    """Read the file as text into temp table `stg` (v_<column>, rn); return structural rejects.

    rn is the record's position among the parsed records: the table's rowid, which follows file
    order because inserts preserve order (a window row_number() would serialize the scan)."""
    positions = {name: i for i, name in enumerate(header)}
    synthetic = [f"c{i}" for i in range(len(header))]  # never put header text into SQL
    picks = ", ".join(f"c{positions[c.name]} AS {q('v_' + c.name)}" for c in source.columns)
    columns_literal = "{" + ", ".join(f"'{n}': 'VARCHAR'" for n in synthetic) + "}"
    con.execute("DROP TABLE IF EXISTS temp.rej_errors; DROP TABLE IF EXISTS temp.rej_scans")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE stg_scan AS "
        f"SELECT {picks} FROM read_csv($path, header = true, "
        f"columns = {columns_literal}, delim = ',', quote = '\"', "
        f"escape = '\"', store_rejects = true, rejects_table = 'rej_errors', "
        f"rejects_scan = 'rej_scans', max_line_size = 16000000, auto_detect = false)",
        {"path": str(path)},
    )
    con.execute("CREATE OR REPLACE TEMP VIEW stg AS SELECT rowid + 1 AS rn, * FROM temp.stg_scan")
    return con.execute(
        "SELECT line, column_name, csv_line, error_type, error_message FROM temp.rej_errors "
        "ORDER BY line"
    ).fetchall()


def _line_expr(con: duckdb.DuckDBPyConnection, structural: list) -> str:
    """SQL for a staged row's CSV line, skipping the lines DuckDB refused to parse."""
    if not structural:
        return "rn + 1"
    lines = sorted({row[0] for row in structural})
    con.execute("CREATE OR REPLACE TEMP TABLE rej_lines (r_adj BIGINT)")
    # A refused record at line r_j, j-th of them, sits where staged row (r_j - j) would be +1.
    con.executemany("INSERT INTO temp.rej_lines VALUES (?)", [[r - j] for j, r in enumerate(lines)])
    return "rn + 1 + (SELECT count(*) FROM temp.rej_lines WHERE r_adj <= rn + 1)"


def load_file(
    con: duckdb.DuckDBPyConnection, path: Path, source: SourceFile, header: list[str], run_id: str
) -> FileSummary:
    summary = FileSummary(file=source.name)
    structural = _stage(con, path, source, header)
    params = {"run": run_id, "file": source.name}
    problems = row_problems(source)
    which = " ".join(f"WHEN {p.condition} THEN {i}" for i, p in enumerate(problems))
    typed_cols = ", ".join(f"{typed_expr(c)} AS {q(c.target)}" for c in source.columns)
    fk = FOREIGN_KEYS.get(source.name)
    fk_join = (
        f"LEFT JOIN (SELECT DISTINCT {q(fk.target)} AS fk_value, true AS fk_known FROM {fk.table}) "
        f"ON fk_value = {q(fk.column)}"
        if fk
        else ""
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE checked AS SELECT *, CASE {which} END AS problem "
        f"FROM (SELECT *, {_line_expr(con, structural)} AS line, {typed_cols} FROM temp.stg) "
        f"{fk_join}"
    )
    # Details are computed for bad rows only.
    column_of = " ".join(f"WHEN {i} THEN '{p.column}'" for i, p in enumerate(problems))
    value_of = " ".join(f"WHEN {i} THEN {q('v_' + p.column)}" for i, p in enumerate(problems))
    reason_of = " ".join(f"WHEN {i} THEN {p.reason}" for i, p in enumerate(problems))
    con.execute(
        f"INSERT INTO meta.rejected_rows SELECT $run, $file, line, CASE problem {column_of} END, "
        f"left(CASE problem {value_of} END, {_VALUE_PREVIEW}), CASE problem {reason_of} END "
        f"FROM temp.checked WHERE problem IS NOT NULL",
        params,
    )
    _insert_structural(con, structural, run_id, source.name)
    all_cols = ", ".join(q(c.target) for c in source.columns)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE distinct_rows AS SELECT {all_cols}, min(rn) AS rn, "
        f"min(line) AS line, count(*) AS copies FROM temp.checked WHERE problem IS NULL "
        f"GROUP BY {all_cols}"
    )
    keep = "true"
    if source.key and source.on_conflict == "reject":
        keep = _reject_key_conflicts(con, source, params)
    con.execute(
        f"INSERT INTO {source.table} ({all_cols}, source_line) "
        f"SELECT {all_cols}, line FROM temp.distinct_rows WHERE {keep}"
    )
    if source.key and source.on_conflict == "keep":
        _record_key_conflicts(con, source, run_id)
    counts = con.execute(
        "SELECT (SELECT count(*) FROM temp.stg), (SELECT count(*) FROM " + source.table + "), "
        "(SELECT coalesce(sum(copies - 1), 0) FROM temp.distinct_rows), "
        "(SELECT count(*) FROM meta.rejected_rows WHERE run_id = $run AND file = $file)",
        params,
    ).fetchall()[0]
    summary.read = counts[0] + len({row[0] for row in structural})
    summary.loaded, summary.duplicates, summary.rejected = counts[1], int(counts[2]), counts[3]
    con.execute("DROP VIEW IF EXISTS temp.stg")
    for table in ("stg_scan", "checked", "distinct_rows", "conflicts", "rej_lines"):
        con.execute(f"DROP TABLE IF EXISTS temp.{table}")
    return summary


def _insert_structural(con, structural: list, run_id: str, file: str) -> None:
    """Records DuckDB could not parse (wrong column count, bad quoting, invalid UTF-8)."""
    seen, rows = set(), []
    for line, column, csv_line, etype, message in structural:
        if line in seen:  # one row per refused record, its first error
            continue
        seen.add(line)
        detail = message.splitlines()[0] if message else ""
        rows.append(
            [
                run_id,
                file,
                line,
                column,
                (csv_line or "")[:_VALUE_PREVIEW],
                f"{etype.lower()}: {detail}".strip(),
            ]
        )
    if rows:
        con.executemany("INSERT INTO meta.rejected_rows VALUES (?, ?, ?, ?, ?, ?)", rows)


def _reject_key_conflicts(con, source: SourceFile, params: dict) -> str:
    """A key seen again with other values: the first row stays, later ones are rejected.
    Returns the filter that keeps the first rows."""
    key = ", ".join(q(k) for k in source.key)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE conflicts AS SELECT rn, line, {key}, "
        f"first_value(line) OVER (PARTITION BY {key} ORDER BY rn) AS key_line "
        f"FROM temp.distinct_rows WHERE ({key}) IN "
        f"(SELECT ({key}) FROM temp.distinct_rows GROUP BY {key} HAVING count(*) > 1)"
    )
    key_label = " || ', ' || ".join(f"CAST({q(k)} AS VARCHAR)" for k in source.key)
    first = source.columns[0]
    con.execute(
        f"INSERT INTO meta.rejected_rows SELECT $run, $file, c.line, '{first.name}', "
        f"CAST(c.{q(first.target)} AS VARCHAR), '{source.key[0]} ' || {key_label} "
        f"|| ' already appears on line ' || key_line || ' with different values' "
        f"FROM temp.conflicts c WHERE c.line <> c.key_line",
        params,
    )
    return "rn NOT IN (SELECT rn FROM temp.conflicts WHERE line <> key_line)"


def _record_key_conflicts(con: duckdb.DuckDBPyConnection, source: SourceFile, run_id: str) -> None:
    """Rows that share a key but differ are kept and listed as a data-quality issue."""
    key = ", ".join(q(k) for k in source.key)
    label = " || ' ' || ".join(f"'{k}=' || CAST({q(k)} AS VARCHAR)" for k in source.key)
    con.execute(
        f"INSERT INTO meta.data_quality_issues "
        f"SELECT $run, $file, 'same key, different values', "
        f"{label} || ': ' || count(*) || ' differing rows kept (lines ' "
        f"|| array_to_string(list(line ORDER BY line), ', ') || ')', count(*) "
        f"FROM temp.distinct_rows WHERE ({key}) IN "
        f"(SELECT ({key}) FROM temp.distinct_rows GROUP BY {key} HAVING count(*) > 1) "
        f"GROUP BY {key} ORDER BY min(line)",
        {"run": run_id, "file": source.name},
    )
