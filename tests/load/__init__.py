"""Load test of the served dashboard (not part of `just test`): `python -m tests.load.run`.

`run` serves `app/dashboard.py` with `panel serve` on a free 127.0.0.1 port, drives N concurrent
dashboard sessions (a few real pages in headless Chromium through Playwright, the rest over
Bokeh's websocket protocol: either way the server does all of its per-session work), and writes
the figures into docs/LOAD.md. Modules: `server` (the server process, its memory and probes),
`instrument` (the `--setup` script that times store refreshes inside the server), `sessions`
(what a user does, and the browser sessions), `protocol` (the browserless sessions), `report`
(statistics and the docs/LOAD.md section).
"""
