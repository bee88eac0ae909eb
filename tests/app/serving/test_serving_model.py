"""How the dashboard is served: processes, not threads (a Bokeh document may only be changed on
its own event loop), no secret on a command line, and none of the patches that threads needed."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

from load.server import Server

ROOT = Path(__file__).resolve().parents[3]


def recipe(name: str) -> str:
    text = (ROOT / "justfile").read_text()
    match = re.search(rf"^{name}\b.*?(?=^\S|\Z)", text, re.M | re.S)
    assert match, f"no `{name}` recipe"
    return match.group(0)


def test_serve_prod_runs_processes_and_keeps_secrets_off_the_command_line():
    prod = recipe("serve-prod")
    assert "--num-procs" in prod and "--num-threads" not in prod
    assert "--cookie-secret" not in prod, "a secret on the command line is visible in `ps`"
    assert "export PANEL_COOKIE_SECRET=" in prod and "BOKEH_SECRET_KEY" in prod
    assert "--num-threads" not in recipe("serve")


def test_no_patch_of_bokeh_internals_for_threads_is_left():
    app = ROOT / "app"
    for gone in ("doc_sync.py", "page_load.py", "views/readonly_table.py"):
        assert not (app / gone).exists(), gone
    sources = "\n".join(p.read_text() for p in app.rglob("*.py"))
    assert "DocumentModelManager" not in sources and "_process_data" not in sources


def test_two_processes_each_serve_pages(warehouse, tmp_path):
    server = Server(warehouse, tmp_path, procs=2, session_lifetime_ms=1000)
    server.start(timeout=90)  # returns once both processes have run the probe's setup
    try:
        assert server.status()["processes"] == 2
        pids = server.pids()
        assert len(pids) == 3  # the parent only forks and waits
        for _ in range(4):
            with urllib.request.urlopen(server.url, timeout=30) as response:
                assert response.status == 200 and b"bokeh" in response.read().lower()
    finally:
        server.stop()
    for pid in pids:  # the workers stop with their parent (they used to be left running)
        assert not Path(f"/proc/{pid}").exists() or \
            "zombie" in Path(f"/proc/{pid}/status").read_text().lower(), pid
