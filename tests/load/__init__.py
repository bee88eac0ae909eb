"""Load test of the served dashboard (not part of `just test`): `python -m tests.load.run`.

`run` serves `app/dashboard.py` with `panel serve` on a free 127.0.0.1 port, drives N concurrent
browser sessions (headless Chromium through Playwright: real pages, real websockets, so the
server does exactly its per-session work), and writes the figures into docs/LOAD.md.
Modules: `server` (the server process, its memory and probes), `instrument` (the `--setup`
script that times store refreshes inside the server), `sessions` (the browser sessions),
`report` (statistics and the docs/LOAD.md section).
"""
