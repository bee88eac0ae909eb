"""The cheap clean-row test that lets ingest skip the ordered checks must never call a row with
a problem clean: every field of the valid rows is replaced by awkward values and both are
evaluated on the same typed row."""

from __future__ import annotations

import csv
import io

import duckdb
import pytest
from csvkit import VALID

from semantic.builder.ingest.checks import clean_condition, q, row_problems, typed_expr
from semantic.builder.ingest.contract import SOURCES

AWKWARD = [
    None,
    "",
    " ",
    "  1 ",
    "0",
    "-0",
    "-1",
    "+5",
    "3.5",
    "1e3",
    "1E3",
    "0x1F",
    "1_000",
    "9" * 30,
    "1,5",
    "12.345",
    "0.001",
    "0.01",
    "abc",
    "2024-06-01",
    "2024-06-01 00:00:00",
    "2024-06-01 13:00:00",
    "2024-02-30 10:00:00",
    "2024-13-45 25:61:61",
    "NULL",
    "é",
    "١٢٣",
    "\t",
    "1e309",
    "inf",
    "infinity",
    "-infinity",
    "nan",
]


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
def test_clean_rows_have_no_problem(source):
    con = duckdb.connect()
    names = [c.name for c in source.columns]
    con.execute("CREATE TABLE t (" + ", ".join(f"{q('v_' + n)} VARCHAR" for n in names) + ")")
    rows = []
    for line in VALID[source.name]:
        fields = next(csv.reader(io.StringIO(line)))
        rows.append(fields)
        for i in range(len(fields)):
            rows.extend([*fields[:i], value, *fields[i + 1 :]] for value in AWKWARD)
    con.executemany(f"INSERT INTO t VALUES ({', '.join('?' for _ in names)})", rows)
    problems = [p for p in row_problems(source) if not p.foreign_key]
    typed = ", ".join(f"{typed_expr(c)} AS {q(c.target)}" for c in source.columns)
    which = " ".join(f"WHEN {p.condition} THEN {i}" for i, p in enumerate(problems))
    wrong, clean, total = con.execute(
        f"SELECT count(*) FILTER (WHERE is_clean AND problem IS NOT NULL), "
        f"count(*) FILTER (WHERE is_clean), count(*) FROM (SELECT "
        f"coalesce({clean_condition(source)}, false) AS is_clean, CASE {which} END AS problem "
        f"FROM (SELECT *, {typed} FROM t))"
    ).fetchall()[0]
    assert wrong == 0
    assert clean >= len(VALID[source.name])  # valid rows take the fast path
    assert clean < total
