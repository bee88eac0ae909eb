"""Reconciliation: what a file held against what the warehouse loaded, dropped and refused.

Business users compare spend with what Meta bills them, so every ingest proves, per file, that
rows read = loaded + exact duplicates + rejected, and that each summed measure of the file
(insights: spend, clicks, impressions, reach) equals the same sum over the loaded, duplicate and
rejected rows. The file side and the rejected side are summed from the staged rows and
meta.rejected_rows' lines, the loaded side from the landing table: a row lost between them (a
bug, not bad data) fails the ingest loudly instead of shipping a short total.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import duckdb

from semantic.builder.ingest.checks import q
from semantic.builder.ingest.contract import SourceFile
from semantic.errors import ReconciliationError

#: files whose numbers users reconcile with the source, and the measures summed
SUMMED = {"insights.csv": ("spend", "clicks", "impressions", "reach")}


@dataclass(frozen=True)
class Tally:
    file: str
    measure: str  # "rows" or a summed column
    source: Decimal | int  # in the file (rows: read; a sum: over every value that parses)
    loaded: Decimal | int
    duplicates: Decimal | int
    rejected: Decimal | int
    unreadable: int = 0  # rejected rows whose value of this measure does not parse

    @property
    def balanced(self) -> bool:
        return self.source == self.loaded + self.duplicates + self.rejected


def tally_file(con: duckdb.DuckDBPyConnection, source: SourceFile, with_line: str,
               params: dict, rows: tuple[int, int, int, int], structural: int) -> list[Tally]:
    """Tallies of one loaded file, while its staged rows (temp.numbered, temp.distinct_rows)
    still exist; `rows` is (read, loaded, duplicates, rejected), `structural` the records the
    CSV parser refused (their values never parsed)."""
    tallies = [Tally(source.name, "rows", *rows)]
    measures = SUMMED.get(source.name, ())
    if not measures:
        return tallies
    sums = ", ".join(f"coalesce(sum({q(m)}), 0)" for m in measures)
    unread = ", ".join(f"count(*) FILTER (WHERE {q(m)} IS NULL)" for m in measures)
    dup_sums = ", ".join(f"coalesce(sum({q(m)} * (copies - 1)), 0)" for m in measures)
    staged = with_line.format(rel="SELECT * FROM temp.numbered")
    in_file, loaded, duplicates = (con.execute(sql).fetchall()[0] for sql in (
        f"SELECT {sums} FROM ({staged})",
        f"SELECT {sums} FROM {source.table}",
        f"SELECT {dup_sums} FROM temp.distinct_rows",
    ))
    rejected = con.execute(
        f"SELECT {sums}, {unread} FROM ({staged}) WHERE line IN (SELECT line FROM "
        f"meta.rejected_rows WHERE run_id = $run AND file = $file AND line IS NOT NULL)",
        params).fetchall()[0]
    for i, measure in enumerate(measures):
        tallies.append(Tally(source.name, measure, in_file[i], loaded[i], duplicates[i],
                             rejected[i], rejected[len(measures) + i] + structural))
    return tallies


def check(tallies: list[Tally]) -> None:
    for t in tallies:
        if not t.balanced:
            raise ReconciliationError(
                f"{t.file}: {t.measure} does not reconcile: {t.source} in the file but "
                f"{t.loaded} loaded + {t.duplicates} duplicates + {t.rejected} rejected "
                f"(an ingest bug; the previous warehouse is unchanged)")


def record(con: duckdb.DuckDBPyConnection, run_id: str, tallies: list[Tally]) -> None:
    con.executemany(
        "INSERT INTO meta.reconciliation VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [[run_id, t.file, t.measure, t.source, t.loaded, t.duplicates, t.rejected,
          t.unreadable] for t in tallies])
