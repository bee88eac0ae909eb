"""The engine seam: `SemanticLayer` compiles for its executor's `dialect` and hands the compiled
query to its `run` (DuckDB's `Warehouse`, or Spark's executor): a layer over an executor that
records what it runs answers exactly as the plain layer — the same frames, counts, notes, SQL
and typed errors — so the Spark engine (tests/spark/) differs from DuckDB in its executor
only."""

from __future__ import annotations

import pandas as pd
import pytest
from factories import trap_warehouse

import semantic
from semantic import catalog
from semantic.errors import UnknownMetricError
from semantic.runtime.layer import SemanticLayer
from semantic.runtime.warehouse import Warehouse


class Recorded(Warehouse):
    """DuckDB's executor, counting the compiled queries it is handed."""

    ran: list

    def run(self, compiled):
        self.ran = [*getattr(self, "ran", []), compiled]
        return super().run(compiled)

REQUESTS = [
    dict(metrics=list(catalog.METRICS)),
    dict(metrics=["spend", "leads", "cpl", "speed_to_lead_hours"], dimensions=["week"]),
    dict(metrics=["spend", "clicks", "ctr"], dimensions=["campaign", "project"],
         order_by=["-spend"], limit=2, offset=1, count=True),
    dict(metrics=["leads", "status_changes"], dimensions=["stage"],
         filters={"lead_status": ["QUALIFIED", "NEW_LEAD"], "date_from": "2024-06-30"},
         tenant=10),
    dict(metrics=["budget", "budget_utilization"], dimensions=["month"],
         filters={"project": ["No such project"]}),
]


@pytest.fixture(scope="module")
def layers(tmp_path_factory):
    db = trap_warehouse(tmp_path_factory.mktemp("seam") / "w.duckdb")
    with semantic.connect(db) as plain, SemanticLayer(Recorded(db)) as seam:
        yield plain, seam


@pytest.mark.parametrize("request_", REQUESTS, ids=range(len(REQUESTS)))
def test_the_seam_answers_as_the_layer(layers, request_):
    plain, seam = layers
    want, got = plain.query(**request_), seam.query(**request_)
    pd.testing.assert_frame_equal(got, want)
    assert got.attrs == want.attrs
    assert seam.warehouse.ran[-1].dialect == "duckdb", "the executor ran the compiled query"


def test_count_compile_and_errors(layers):
    plain, seam = layers
    assert seam.count(["spend"], ["campaign"]) == plain.count(["spend"], ["campaign"]) == 3
    assert seam.compile(["spend", "cpl"], ["week"]) == plain.compile(["spend", "cpl"], ["week"])
    assert seam.warehouse.dialect == "duckdb"
    with pytest.raises(UnknownMetricError, match="did you mean 'cpl'"):
        seam.query(["cpll"])
