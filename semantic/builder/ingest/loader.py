"""Load one source file into its landing table: stage, type, check, de-duplicate.

Good rows land in raw.*; refused rows land in meta.rejected_rows with file, line, column, value
and reason; exact duplicate rows are dropped and counted. Lines count CSV records with the
header as line 1 (they equal physical lines unless a quoted field spans lines).

The file is read once: one scan parses the text, types it and finds each row's first problem,
keeping only typed columns. Later steps read that staged table; only rows whose key appears
more than once (a few) go through the full-row de-duplication and conflict rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from semantic.builder.ingest.checks import (
    FOREIGN_KEYS,
    clean_condition,
    off_midnight_expr,
    q,
    row_problems,
    typed_expr,
)
from semantic.builder.ingest.contract import SourceFile
from semantic.builder.ingest.quality import OFF_MIDNIGHT, record_lines
from semantic.builder.ingest.reconcile import Tally, tally_file
from semantic.builder.ingest.zones import Zones
from semantic.errors import UnusableInputError

_VALUE_PREVIEW = 200
_TEMP_TABLES = ("stg", "rej_lines", "dup_keys", "distinct_rows", "conflicts")


@dataclass
class FileSummary:
    file: str
    read: int = 0
    loaded: int = 0
    duplicates: int = 0
    rejected: int = 0
    warnings: list[str] = field(default_factory=list)
    tallies: list[Tally] = field(default_factory=list)


def _stage(con: duckdb.DuckDBPyConnection, path: Path, source: SourceFile, header: list[str],
           zones: Zones | None = None):
    """Read, type and check the file into temp table `stg`; return structural rejects.

    A row's position among the parsed records is stg's rowid, which follows file order because
    the connection preserves insertion order (run.py; a window row_number() would serialize
    the scan)."""
    con.execute("DROP TABLE IF EXISTS temp.rej_errors; DROP TABLE IF EXISTS temp.rej_scans")
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE stg AS {_stage_select(source, header, zones)}",
            {"path": str(path)},
        )
    except duckdb.InvalidInputException as exc:
        # The parser gave up on the file as a whole (not one record): refuse it in one line.
        detail = str(exc).splitlines()[0].removeprefix("Invalid Input Error: ")
        raise UnusableInputError(
            f"{path}: not readable as CSV ({detail}); re-export it as UTF-8 CSV"
        ) from None
    return con.execute(
        "SELECT line, column_name, csv_line, error_type, error_message FROM temp.rej_errors "
        "ORDER BY line"
    ).fetchall()


def _stage_select(source: SourceFile, header: list[str], zones: Zones | None = None) -> str:
    """One scan of the CSV (all text) giving the typed columns, `problem` (index of the row's
    first problem except the foreign key, which needs a join), `bad_value` (the text of the
    column at fault) and `fk_text` (the foreign key's text where it differs from its typed
    value's text, so a refused key is reported as written). The text columns are not kept."""
    positions = {name: i for i, name in enumerate(header)}
    synthetic = [f"c{i}" for i in range(len(header))]  # never put header text into SQL
    picks = ", ".join(f"c{positions[c.name]} AS {q('v_' + c.name)}" for c in source.columns)
    columns_literal = "{" + ", ".join(f"'{n}': 'VARCHAR'" for n in synthetic) + "}"
    typed = ", ".join(f"{typed_expr(c, zones)} AS {q(c.target)}" for c in source.columns)
    problems = [(i, p) for i, p in enumerate(row_problems(source)) if not p.foreign_key]
    which = " ".join(f"WHEN {p.condition} THEN {i}" for i, p in problems)
    value_of = " ".join(f"WHEN {i} THEN {q('v_' + p.column)}" for i, p in problems)
    fk = FOREIGN_KEYS.get(source.name)
    fk_text = (
        f"nullif({q('v_' + _csv_name(source, fk.column))}, CAST({q(fk.column)} AS VARCHAR))"
        if fk
        else "NULL"
    )
    kept = ", ".join(q(c.target) for c in source.columns)
    day = _day_column(source)
    off_midnight = off_midnight_expr(day) if day else "false"
    scan = (
        f"read_csv($path, header = true, columns = {columns_literal}, delim = ',', "
        f"quote = '\"', escape = '\"', store_rejects = true, rejects_table = 'rej_errors', "
        f"rejects_scan = 'rej_scans', max_line_size = 16000000, auto_detect = false)"
    )
    return (
        f"SELECT {kept}, problem, {off_midnight} AS off_midnight, "
        f"left(CASE problem {value_of} END, {_VALUE_PREVIEW}) AS bad_value, "
        f"CASE WHEN problem IS NULL THEN {fk_text} END AS fk_text "
        f"FROM (SELECT *, CASE WHEN {clean_condition(source)} THEN NULL ELSE CASE {which} END "
        f"END AS problem "
        f"FROM (SELECT *, {typed} FROM (SELECT {picks} FROM {scan})))"
    )


def _day_column(source: SourceFile):
    return next((c for c in source.columns if c.kind == "day"), None)


def _csv_name(source: SourceFile, target: str) -> str:
    return next(c.name for c in source.columns if c.target == target)


def _line_numbers(con: duckdb.DuckDBPyConnection, structural: list) -> str:
    """Return a SQL template adding `line` (the CSV line) to a relation `{rel}` that has rn
    (position among parsed records), skipping the lines DuckDB refused to parse. Applied only
    where lines are needed, so a file with refused lines pays for the join once per step."""
    if not structural:
        return "SELECT *, rn + 1 AS line FROM ({rel})"
    # The j-th refused record (0-based) at line r sits where staged row r - j would be +1; a
    # staged row is shifted by the number of refused records at or before its position.
    shift = {}
    for j, line in enumerate(sorted({row[0] for row in structural})):
        shift[line - j] = j + 1
    con.execute("CREATE OR REPLACE TEMP TABLE rej_lines (r_adj BIGINT, shift BIGINT)")
    con.executemany("INSERT INTO temp.rej_lines VALUES (?, ?)", [list(x) for x in shift.items()])
    return (
        "SELECT s.*, s.rn + 1 + coalesce(r.shift, 0) AS line FROM ({rel}) s "
        "ASOF LEFT JOIN temp.rej_lines r ON s.rn + 1 >= r.r_adj"
    )


def load_file(
    con: duckdb.DuckDBPyConnection, path: Path, source: SourceFile, header: list[str], run_id: str,
    *, known_keys: dict[str, str] | None = None, zones: Zones | None = None,
) -> FileSummary:
    """Load `path` into `source.table`. `known_keys` maps a foreign key's table to the relation
    holding the keys it may point at (an append: the warehouse's and the export's)."""
    summary = FileSummary(file=source.name)
    structural = _stage(con, path, source, header, zones)
    with_line = _line_numbers(con, structural)
    con.execute("CREATE OR REPLACE TEMP VIEW numbered AS SELECT *, rowid + 1 AS rn FROM temp.stg")
    params = {"run": run_id, "file": source.name}
    _mark_unknown_keys(con, source, known_keys or {})
    problems = row_problems(source)
    column_of = " ".join(f"WHEN {i} THEN '{p.column}'" for i, p in enumerate(problems))
    reason_of = " ".join(f"WHEN {i} THEN {p.reason}" for i, p in enumerate(problems))
    bad = with_line.format(rel="SELECT * FROM temp.numbered WHERE problem IS NOT NULL")
    con.execute(
        f"INSERT INTO meta.rejected_rows SELECT $run, $file, line, "
        f"CASE problem {column_of} END, bad_value, CASE problem {reason_of} END FROM ({bad})",
        params,
    )
    _insert_structural(con, structural, run_id, source.name)
    summary.duplicates = _load_good_rows(con, source, with_line, params)
    if _day_column(source):
        flagged = with_line.format(
            rel="SELECT * FROM temp.numbered WHERE problem IS NULL AND off_midnight")
        record_lines(con, run_id, source.name, OFF_MIDNIGHT, f"SELECT line FROM ({flagged})")
    counts = con.execute(
        f"SELECT (SELECT count(*) FROM temp.stg), (SELECT count(*) FROM {source.table}), "
        "(SELECT count(*) FROM meta.rejected_rows WHERE run_id = $run AND file = $file)",
        params,
    ).fetchall()[0]
    refused_records = len({row[0] for row in structural})
    summary.read = counts[0] + refused_records
    summary.loaded, summary.rejected = counts[1], counts[2]
    summary.tallies = tally_file(
        con, source, with_line, params,
        (summary.read, summary.loaded, summary.duplicates, summary.rejected), refused_records)
    con.execute("DROP VIEW IF EXISTS temp.numbered")
    for table in _TEMP_TABLES:
        con.execute(f"DROP TABLE IF EXISTS temp.{table}")
    return summary


def _mark_unknown_keys(con: duckdb.DuckDBPyConnection, source: SourceFile,
                       known_keys: dict[str, str]) -> None:
    """Give rows whose foreign key is not loaded their problem, the last one checked.

    One anti join finds the few such rows; every later step then reads stg without a join."""
    fk = FOREIGN_KEYS.get(source.name)
    if not fk:
        return
    index = next(i for i, p in enumerate(row_problems(source)) if p.foreign_key)
    con.execute(
        f"UPDATE temp.stg SET problem = $index, bad_value = "
        f"left(coalesce(fk_text, CAST({q(fk.column)} AS VARCHAR)), {_VALUE_PREVIEW}) "
        f"WHERE rowid IN (SELECT s.rowid FROM temp.stg s "
        f"ANTI JOIN {known_keys.get(fk.table, fk.table)} k "
        f"ON k.{q(fk.target)} = s.{q(fk.column)} WHERE s.problem IS NULL)",
        {"index": index},
    )


def _load_good_rows(con, source: SourceFile, with_line: str, params: dict) -> int:
    """Insert good rows, dropping exact duplicates; return how many were dropped.

    Exact duplicates share every column, so they share the key (all required columns for a
    file without one): rows of a key seen once go straight in, the rest are grouped whole."""
    dedup_key = source.key or tuple(c.target for c in source.columns if c.required)
    key = ", ".join(q(k) for k in dedup_key)
    all_cols = ", ".join(q(c.target) for c in source.columns)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE dup_keys AS SELECT {key} FROM temp.stg "
        f"WHERE problem IS NULL GROUP BY {key} HAVING count(*) > 1"
    )

    def good(join: str) -> str:  # good rows whose key is (SEMI) or is not (ANTI) repeated
        return with_line.format(
            rel=f"SELECT * FROM temp.numbered {join} JOIN temp.dup_keys USING ({key}) "
            f"WHERE problem IS NULL"
        )

    dup_rows = good("SEMI")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE distinct_rows AS SELECT {all_cols}, min(rn) AS rn, "
        f"min(line) AS line, count(*) AS copies FROM ({dup_rows}) GROUP BY {all_cols}"
    )
    keep = "true"
    if source.key and source.on_conflict == "reject":
        keep = _reject_key_conflicts(con, source, params)
    single = good("ANTI")
    con.execute(
        f"INSERT INTO {source.table} ({all_cols}, source_line) "
        f"SELECT {all_cols}, line FROM ({single}) "
        f"UNION ALL SELECT {all_cols}, line FROM temp.distinct_rows WHERE {keep}"
    )
    if source.key and source.on_conflict == "keep":
        _record_key_conflicts(con, source, params["run"])
    return int(
        con.execute("SELECT coalesce(sum(copies - 1), 0) FROM temp.distinct_rows").fetchall()[0][0]
    )


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
