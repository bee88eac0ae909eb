"""Run in a process of its own by test_spark_engine.py: the same requests asked of DuckDB and
of a Spark Connect server must get the same answers. (PySpark marks a process that opened a
Spark Connect session as a Connect client for good: its local session stops working, so this
check does not run inside the test process.)

    python tests/spark/connect_check.py WAREHOUSE LAKE sc://127.0.0.1:PORT
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from spark_requests import Options, assert_same, random_requests  # noqa: E402

import semantic  # noqa: E402


def main(db: str, lake: str, url: str) -> None:
    duck = semantic.connect(db)
    with semantic.connect(engine="spark", lake=lake, spark=url) as layer:
        assert type(layer.spark).__module__.startswith("pyspark.sql.connect"), type(layer.spark)
        requests = random_requests(random.Random(5), Options.of(duck), 8)
        requests.append(dict(metrics=["spend", "leads"], dimensions=["month"],
                             filters={"date_from": dt.date(1, 1, 1)}))
        for request in requests:
            assert_same(duck.query(**request), layer.query(**request), request)
        assert layer.count(["leads"], ["campaign"]) == duck.count(["leads"], ["campaign"])
    print(f"same answers: {len(requests)} requests")


if __name__ == "__main__":
    main(*sys.argv[1:4])
