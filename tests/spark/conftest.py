"""The Spark parity suite's fixtures: ONE local Spark session for the whole run (`local[2]`,
started by the first test that needs it, stopped at the end), and lakes exported from small
warehouses, each answered by both engines.

Without Java or pyspark the Spark tests skip, unless CAMPAIGN_BI_REQUIRE_SPARK=1 (CI, set by
.ci/run), where they fail.
"""

from __future__ import annotations

import importlib.util
import os

import pytest
from factories import sample_warehouse, trap_warehouse

import semantic
from semantic.builder.lake import export_parquet

#: realistic data small enough for Spark on two cores (semantic.sample at 5% of the platform)
SAMPLE_SCALE, SAMPLE_SEED = 0.05, 11


def require_spark() -> None:
    """Skip (locally) or fail (CI: CAMPAIGN_BI_REQUIRE_SPARK=1) without pyspark or Java."""
    from semantic.runtime.spark import java_missing

    if importlib.util.find_spec("pyspark") is None:
        reason = "pyspark is missing (`pip install -e '.[dev]'` installs it)"
    else:
        reason = java_missing()
        if reason is None:
            return
    if os.environ.get("CAMPAIGN_BI_REQUIRE_SPARK") == "1":
        pytest.fail(reason + " — required here (CAMPAIGN_BI_REQUIRE_SPARK=1)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def spark():
    require_spark()
    from semantic.runtime.spark import local_session, stop_local

    session = local_session()
    yield session
    stop_local()


class Engines:
    """One warehouse, its lake, and the layer of each engine over them."""

    def __init__(self, db, lake, spark) -> None:
        self.db, self.lake = db, lake
        self.duckdb = semantic.connect(db)
        self.spark = semantic.connect(engine="spark", lake=lake, spark=spark)

    def close(self) -> None:
        self.spark.close()
        self.duckdb.close()


@pytest.fixture(scope="session")
def sample_engines(spark, tmp_path_factory):
    root = tmp_path_factory.mktemp("spark-sample")
    db = sample_warehouse(root, scale=SAMPLE_SCALE, seed=SAMPLE_SEED)
    export_parquet(db, root / "lake")
    engines = Engines(db, root / "lake", spark)
    yield engines
    engines.close()


@pytest.fixture(scope="session")
def trap_engines(spark, tmp_path_factory):
    root = tmp_path_factory.mktemp("spark-traps")
    db = trap_warehouse(root / "w.duckdb")
    export_parquet(db, root / "lake")
    engines = Engines(db, root / "lake", spark)
    yield engines
    engines.close()
