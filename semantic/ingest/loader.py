"""Load one source file into its landing table: stage as text, type, check, de-duplicate.

Good rows land in raw.*; refused rows land in meta.rejected_rows with file, line, column, value
and reason; exact duplicate rows are dropped and counted. Lines count CSV records with the
header as line 1 (they equal physical lines unless a quoted field spans lines).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from semantic.ingest.checks import q, row_problems, typed_expr
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
    """Read the file as text into temp table `stg` (v_<column>, rn); return structural rejects."""
    positions = {name: i for i, name in enumerate(header)}
    synthetic = [f"c{i}" for i in range(len(header))]  # never put header text into SQL
    picks = ", ".join(f"c{positions[c.name]} AS {q('v_' + c.name)}" for c in source.columns)
    columns_literal = "{" + ", ".join(f"'{n}': 'VARCHAR'" for n in synthetic) + "}"
    con.execute("DROP TABLE IF EXISTS temp.rej_errors; DROP TABLE IF EXISTS temp.rej_scans")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE stg AS "
        f"SELECT row_number() OVER () AS rn, {picks} FROM read_csv($path, header = true, "
        f"columns = {columns_literal}, delim = ',', quote = '\"', "
        f"escape = '\"', store_rejects = true, rejects_table = 'rej_errors', "
        f"rejects_scan = 'rej_scans', max_line_size = 16000000, auto_detect = false)",
        {"path": str(path)},
    )
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
    line = _line_expr(con, structural)
    typed_cols = ", ".join(f"{typed_expr(c)} AS {q(c.target)}" for c in source.columns)
    raw_cols = ", ".join(q("v_" + c.name) for c in source.columns)
    problems = row_problems(source)
    bad_column = " ".join(f"WHEN {cond} THEN '{col}'" for cond, col, _ in problems)
    bad_value = " ".join(f"WHEN {cond} THEN {q('v_' + col)}" for cond, col, _ in problems)
    bad_reason = " ".join(f"WHEN {cond} THEN {reason}" for cond, _, reason in problems)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE typed AS "
        f"SELECT rn, {line} AS line, {raw_cols}, {typed_cols} FROM temp.stg"
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE checked AS SELECT *, "
        f"CASE {bad_column} END AS bad_column, CASE {bad_value} END AS bad_value, "
        f"CASE {bad_reason} END AS bad_reason FROM temp.typed"
    )
    targets = [c.target for c in source.columns]
    all_cols = ", ".join(q(t) for t in targets)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE distinct_rows AS "
        f"SELECT * FROM (SELECT *, "
        f"row_number() OVER (PARTITION BY {all_cols} ORDER BY rn) AS copy_n FROM temp.checked WHERE bad_reason IS NULL) WHERE copy_n = 1"
    )
    conflict_filter = "true"
    if source.key and source.on_conflict == "reject":
        key = ", ".join(q(k) for k in source.key)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE keyed AS SELECT *, "
            f"first_value(line) OVER (PARTITION BY {key} ORDER BY rn) AS key_line "
            f"FROM temp.distinct_rows"
        )
        key_label = " || ', ' || ".join(f"CAST({q(k)} AS VARCHAR)" for k in source.key)
        con.execute(
            f"INSERT INTO meta.rejected_rows SELECT $run, $file, line, $col, "
            f"{q('v_' + source.columns[0].name)}, "
            f"'{source.key[0]} ' || {key_label} || ' already appears on line ' || key_line "
            f"|| ' with different values' FROM temp.keyed WHERE line <> key_line",
            {"run": run_id, "file": source.name, "col": source.columns[0].name},
        )
        kept = "temp.keyed"
        conflict_filter = "line = key_line"
    else:
        kept = "temp.distinct_rows"
    con.execute(
        f"INSERT INTO {source.table} ({all_cols}, source_line) "
        f"SELECT {all_cols}, line FROM {kept} WHERE {conflict_filter} ORDER BY rn"
    )
    con.execute(
        f"INSERT INTO meta.rejected_rows SELECT $run, $file, line, bad_column, "
        f"left(bad_value, {_VALUE_PREVIEW}), bad_reason FROM temp.checked "
        f"WHERE bad_reason IS NOT NULL",
        {"run": run_id, "file": source.name},
    )
    structural_rows = [
        [
            run_id,
            source.name,
            ln,
            colname,
            (csv_line or "")[:_VALUE_PREVIEW],
            f"{etype.lower()}: {message.splitlines()[0] if message else ''}".strip(),
        ]
        for ln, colname, csv_line, etype, message in structural
    ]
    if structural_rows:
        con.executemany("INSERT INTO meta.rejected_rows VALUES (?, ?, ?, ?, ?, ?)", structural_rows)
    if source.key and source.on_conflict == "keep":
        _record_key_conflicts(con, source, run_id)
    summary.read = con.execute("SELECT count(*) FROM temp.stg").fetchall()[0][0] + len(structural)
    summary.loaded = con.execute(f"SELECT count(*) FROM {source.table}").fetchall()[0][0]
    summary.duplicates = con.execute(
        "SELECT (SELECT count(*) FROM temp.checked WHERE bad_reason IS NULL) "
        "- (SELECT count(*) FROM temp.distinct_rows)"
    ).fetchall()[0][0]
    summary.rejected = con.execute(
        "SELECT count(*) FROM meta.rejected_rows WHERE run_id = $run AND file = $file",
        {"run": run_id, "file": source.name},
    ).fetchall()[0][0]
    for table in ("stg", "typed", "checked", "distinct_rows", "keyed", "rej_lines"):
        con.execute(f"DROP TABLE IF EXISTS temp.{table}")
    return summary


def _record_key_conflicts(con: duckdb.DuckDBPyConnection, source: SourceFile, run_id: str) -> None:
    """Rows that share a key but differ are kept and listed as a data-quality issue."""
    key = ", ".join(q(k) for k in source.key)
    label = " || ' ' || ".join(f"'{k}=' || CAST({q(k)} AS VARCHAR)" for k in source.key)
    con.execute(
        f"INSERT INTO meta.data_quality_issues "
        f"SELECT $run, $file, 'same key, different values', "
        f"{label} || ': ' || count(*) || ' differing rows kept (lines ' "
        f"|| array_to_string(list(line ORDER BY line), ', ') || ')', count(*) "
        f"FROM temp.distinct_rows GROUP BY {key} HAVING count(*) > 1",
        {"run": run_id, "file": source.name},
    )
