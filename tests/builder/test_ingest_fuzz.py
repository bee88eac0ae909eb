"""Fuzzing ingest with mutated exports: every outcome is either a loaded warehouse whose
refused rows are all recorded, or a one-line refusal; never another exception, never a
half-written file."""

from __future__ import annotations

import duckdb
from csvkit import HEADERS, VALID, write_exports
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from semantic.builder.ingest import ingest
from semantic.errors import UnusableInputError

FILES = list(HEADERS)
NASTY = ["", " ", '"', '""', "'; DROP TABLE raw.leads; --", "=1+1", "\x00", "é", "١٢٣",
         "9" * 30, "-1", "1e309", "2024-13-45 25:61:61", "NULL", "\r", "\n", ",", "a" * 10_000,
         "2024-06-01", "0.001", "1,5", "\ufeff", "\\N"]


@st.composite
def mutated_exports(draw):
    files = {name: list(VALID[name]) for name in FILES}
    for _ in range(draw(st.integers(1, 6))):
        name = draw(st.sampled_from(FILES))
        rows = files[name]
        action = draw(st.sampled_from(["field", "drop_field", "extra_field", "dup", "truncate",
                                       "bytes"]))
        if not rows:
            continue
        i = draw(st.integers(0, len(rows) - 1))
        fields = rows[i].split(",")
        if action == "field":
            j = draw(st.integers(0, len(fields) - 1))
            fields[j] = draw(st.sampled_from(NASTY) | st.text(max_size=12))
            rows[i] = ",".join(fields)
        elif action == "drop_field":
            rows[i] = ",".join(fields[:-1])
        elif action == "extra_field":
            rows[i] = rows[i] + ",x"
        elif action == "dup":
            rows.append(rows[i])
        elif action == "truncate":
            rows[i] = rows[i][: draw(st.integers(0, len(rows[i])))]
        else:
            rows[i] = rows[i] + draw(st.sampled_from(["\xff\xfe", "\x00", '"unterminated']))
    return files


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(files=mutated_exports())
def test_mutated_exports_load_or_are_refused_cleanly(tmp_path_factory, files):
    tmp = tmp_path_factory.mktemp("fuzz")
    src = write_exports(tmp / "src", files)
    db = tmp / "w.duckdb"
    try:
        summaries = ingest(src, db)
    except UnusableInputError as exc:
        message = str(exc)
        assert "\n" not in message and any(name in message for name in FILES)
        assert not db.exists()
        return
    finally:
        assert not list(tmp.glob("w.duckdb.tmp-*"))
    con = duckdb.connect(str(db), read_only=True)
    try:
        for s in summaries:
            # every record read is loaded, dropped as an exact duplicate or recorded as rejected
            assert s.loaded + s.duplicates + s.rejected == s.read, s
            recorded = con.execute(
                "SELECT count(*) FROM meta.rejected_rows WHERE file = ?", [s.file]
            ).fetchall()[0][0]
            assert recorded == s.rejected
            assert con.execute(
                "SELECT count(*) FROM meta.rejected_rows WHERE file = ? AND (line IS NULL "
                "OR reason IS NULL)", [s.file]).fetchall()[0][0] == 0
        assert con.execute("SELECT count(*) FROM marts.kpis").fetchall() == [(1,)]
    finally:
        con.close()
