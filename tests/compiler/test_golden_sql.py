"""Golden SQL snapshots of the compiler's output, one file per case in tests/compiler/golden/.

Each file holds the compiled SQL of one request in every dialect, pretty-printed, under a
`-- dialect: NAME` header. A change in the compiler's output fails here with a diff.

To accept a deliberate change, regenerate the snapshots and review the diff in git:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/compiler/test_golden_sql.py

Every dialect's SQL must also parse back in that dialect.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlglot

from semantic.compiler import DIALECTS, compile

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"

CASES = {
    "fast_path_project": dict(
        metrics=["spend", "leads", "cpl"], dimensions=["project"],
        filters={"business_user": [199], "project": ["Kings Way"], "date_from": "2024-07-01",
                 "date_to": "2024-07-31"}),
    "weekly_with_median": dict(
        metrics=["spend", "cpl", "speed_to_lead_hours"], dimensions=["week"], tenant=7),
    "lead_status_filter": dict(
        metrics=["spend", "leads", "cpl", "qualification_rate"], dimensions=["campaign"],
        filters={"lead_status": ["QUALIFIED", "DONE_DEAL"]}),
    "stage_by_month": dict(
        metrics=["leads", "status_changes", "contact_rate"], dimensions=["month", "stage"]),
    "totals_all_delivery": dict(
        metrics=["reach", "frequency", "ctr", "cpc", "cpm", "budget", "budget_utilization"]),
    "escaped_values": dict(
        metrics=["spend"], dimensions=["day"],
        filters={"project": ["O'Brien; DROP TABLE x; --", "back\\slash"]}),
}


def render(case: dict) -> str:
    parts = []
    for dialect in DIALECTS:
        sql = compile(dialect=dialect, **case)
        pretty = sqlglot.parse_one(sql, read=dialect).sql(dialect=dialect, pretty=True)
        parts.append(f"-- dialect: {dialect}\n{pretty};\n")
    return "\n".join(parts)


@pytest.mark.parametrize("name", CASES)
def test_golden(name):
    path = GOLDEN / f"{name}.sql"
    text = render(CASES[name])
    if UPDATE or not path.exists():
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"{path} was missing and has been written; review and commit it")
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("dialect", DIALECTS)
def test_compiled_sql_parses_in_its_dialect(name, dialect):
    sql = compile(dialect=dialect, **CASES[name])
    assert sqlglot.parse_one(sql, read=dialect) is not None


def test_no_stale_snapshots():
    assert {p.stem for p in GOLDEN.glob("*.sql")} == set(CASES)
