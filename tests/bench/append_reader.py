"""A dashboard's queries against a warehouse while it is appended to (`just bench-append`).

Run as a process: opens the layer on the warehouse and refreshes the dashboard's data for
random filter states (results cache cleared each time) until the stop file appears, writing one
JSON line per refresh (time, milliseconds, data version, error) to the output file."""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path


def main(db: str, stop: str, out: str) -> None:
    import semantic
    from app.state import store
    from tests.bench.run import random_states

    layer = semantic.connect(db)
    dash = store.DashboardState(layer)
    states = random_states(layer, 40, random.Random(11))
    with Path(out).open("w") as f:
        print("ready", flush=True)
        i = 0
        while not Path(stop).exists():
            state, grain = states[i % len(states)]
            i += 1
            store.RESULTS.clear()
            start = time.perf_counter()
            error = None
            try:
                dash.complete(dash.compute(state, grain))
            except Exception as exc:  # noqa: BLE001 - recorded: the benchmark counts them
                error = f"{type(exc).__name__}: {exc}"
            f.write(json.dumps({"t": time.time(), "ms": (time.perf_counter() - start) * 1000,
                                "version": layer.data_version, "error": error}) + "\n")
            f.flush()


if __name__ == "__main__":
    main(*sys.argv[1:4])
