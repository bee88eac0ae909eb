"""The dashboard server under test: `panel serve app/dashboard.py` on a free loopback port, its
resident memory, the probes `instrument.py` writes, and a clean stop."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INSTRUMENT = Path(__file__).with_name("instrument.py")
_STAMP = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) ")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_process(process: subprocess.Popen, timeout: float = 15) -> None:
    """Terminate a server this harness started, with its whole process group (each is started
    with `start_new_session=True`), killing it if it hangs: with `--num-procs` the first
    process only forks the workers, and a worker outlives its terminated parent (they were
    left running after every test run)."""
    _signal_group(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
        _wait_group(process.pid, timeout)
    except (subprocess.TimeoutExpired, TimeoutError):
        _signal_group(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout)


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:  # nothing of it is left
        pass


def _wait_group(pgid: int, timeout: float) -> None:
    """Until no process of the group is left (signal 0 to the group fails)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise TimeoutError(f"process group {pgid} still running")


def rss_mb(pid: int) -> float:
    """Resident set size of a process in MB (VmRSS from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


class Server:
    """One `panel serve` process on 127.0.0.1 (never another interface)."""

    def __init__(self, db: Path, workdir: Path, *, procs: int = 2,
                 session_lifetime_ms: int = 15000):
        # Bokeh's default lifetime of a session without a websocket, as in production. Shorter
        # (it was 3 s) expires the sessions of pages still loading under load, and Bokeh builds
        # each such page's session a second time when its websocket connects: double the work.
        self.db, self.workdir = db, workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/dashboard"
        self.events = workdir / "events.jsonl"
        self.log_path = workdir / "server.log"
        self.procs = procs  # as `just serve-prod`: one process per core
        self.session_lifetime_ms = session_lifetime_ms
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 90.0) -> None:
        panel = Path(sys.executable).with_name("panel")
        cmd = [str(panel), "serve", "app/dashboard.py", "--plugins", "app.serving.api",
               "--address", "127.0.0.1",
               "--port", str(self.port), "--allow-websocket-origin", f"127.0.0.1:{self.port}",
               *(["--num-procs", str(self.procs)] if self.procs > 1 else []),
               "--setup", str(INSTRUMENT),
               "--liveness", "--check-unused-sessions", "1000",
               "--unused-session-lifetime", str(self.session_lifetime_ms)]
        env = {**os.environ, "CAMPAIGN_BI_DB": str(self.db),
               "CAMPAIGN_BI_LOAD_EVENTS": str(self.events),
               "CAMPAIGN_BI_AUDIT_LOG": str(self.workdir / "exports_audit.jsonl")}
        env.pop("CAMPAIGN_BI_CREDENTIALS", None)  # demo mode: every session sees all data
        self.log = self.log_path.open("w")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"panel serve exited: {self.log_path.read_text()[-2000:]}")
            try:  # /liveness: no session is created (a GET of the app page would make one)
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/liveness",
                                            timeout=2) as response:
                    if response.status == 200 and len(self._statuses()) >= self.procs:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"panel serve did not come up in {timeout:.0f} s")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def pids(self) -> list[int]:
        """The serving processes: with `--num-procs` the first one only forks and waits."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        try:
            kids = [int(p) for p in children.read_text().split()]
        except OSError:
            kids = []
        return [self.pid, *kids]

    def rss_mb(self) -> float:
        total = 0.0
        for pid in self.pids():
            try:
                total += rss_mb(pid)
            except (OSError, RuntimeError):
                pass
        return total

    def _statuses(self) -> list[dict]:
        """The newest status of each serving process (files older than 5 s are gone ones)."""
        found = []
        for path in self.events.parent.glob(self.events.name + ".status.*"):
            if path.name.endswith(".tmp"):
                continue
            try:
                status = json.loads(path.read_text())
            except (OSError, ValueError):
                continue
            if time.time() - status.get("t", 0) < 5:
                found.append(status)
        return found

    def status(self) -> dict:
        """Live stores summed over the serving processes; collected: the oldest collection."""
        statuses = self._statuses()
        if not statuses:
            return {}
        return {"t": min(s["t"] for s in statuses), "processes": len(statuses),
                "live_stores": sum(s["live_stores"] for s in statuses),
                "collected": min(s["collected"] for s in statuses)}

    def collect(self, timeout: float = 10.0) -> dict:
        """Ask every serving process for a full garbage collection; the status after it."""
        asked = time.time()
        self.events.with_name(self.events.name + ".gc").touch()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.status()
            if status.get("collected", 0) >= asked:
                return status
            time.sleep(0.2)
        return self.status()

    def wait_sessions_freed(self, timeout: float = 90.0) -> tuple[int, float]:
        """Wait until the server has dropped every dashboard store (sessions expire after
        their websocket closed); returns (stores still alive, seconds waited)."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            status = self.collect()
            if status.get("live_stores") == 0:
                break
            time.sleep(1.0)
        return self.status().get("live_stores", -1), time.monotonic() - started

    def read_events(self) -> list[dict]:
        if not self.events.exists():
            return []
        return [json.loads(line) for line in self.events.read_text().splitlines() if line]

    def log_problems(self) -> list[tuple[float | None, str]]:
        """(when, what) for each error line and traceback of the server log (a traceback as its
        last line, timed by the last timestamped line before it)."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        problems: list[tuple[float | None, str]] = []
        lines, when, i = text.splitlines(), None, 0
        while i < len(lines):
            line = lines[i]
            stamp = _STAMP.match(line)
            if stamp:
                when = time.mktime(time.strptime(stamp[1], "%Y-%m-%d %H:%M:%S")) + \
                    int(stamp[2]) / 1000
            if line.startswith("Traceback"):
                last, i = _traceback_end(lines, i)
                problems.append((when, f"traceback: {last}"))
                continue
            if " ERROR " in line or line.startswith("ERROR"):
                problems.append((when, line))
            i += 1
        return problems

    def cpu_seconds(self) -> float:
        """User + system CPU time the serving processes have used so far."""
        total = 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.proc is None:
            return
        stop_process(self.proc)  # the workers too, even once the first has exited
        self.proc = None
        self.log.close()


def _traceback_end(lines: list[str], start: int) -> tuple[str, int]:
    """The final exception line of the (possibly chained) traceback starting at `start`, and
    the index after it."""
    i = start
    while True:
        i += 1
        while i < len(lines) and (lines[i].startswith((" ", "\t")) or not lines[i].strip()):
            i += 1
        last = lines[i] if i < len(lines) else ""
        k = i + 1
        while k < len(lines) and not lines[k].strip():
            k += 1
        if k < len(lines) and lines[k].startswith(("During handling", "The above exception")):
            i = k + 1
            while i < len(lines) and not lines[i].startswith("Traceback"):
                i += 1
            continue
        return last, i + 1
