"""Optional: alerts and the digest on a schedule inside the Panel server, instead of cron.

    # in a module the server imports at start (a `panel serve --setup` script, or app code:
    # the callbacks live here, not in the served script, as Panel requires)
    from semantic.notify.schedule import schedule
    schedule(alerts_every="15m", digest_at="07:00", args=["--notify-config", "notify.toml"])

`schedule` registers two tasks with `pn.state.schedule_task(name, callback, at=, period=)`
(Panel 1.9; a task name is registered once per process, so calling it again is harmless):
`campaign-bi alerts --notify` every `alerts_every`, and `campaign-bi alerts --digest` daily at
`digest_at` (the server's local time). Each run is a child process of the server: it opens the
warehouse read-only on its own, never blocks the server's event loop (the callback only starts
it, on a thread that waits for it), and a run still going when the next is due makes that one
skip. Its output goes to the `campaign_bi.notify` logger (failures as warnings).

Served with several processes (`--num-procs`), every process schedules the runs; the delivery
state file's lock and records make the extra runs send nothing (an alert is recorded before
the lock is released, a digest per day) — at the cost of one evaluation per process.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import subprocess
import sys
import threading
from collections.abc import Sequence

log = logging.getLogger("campaign_bi.notify")
#: how long one run may take before it is stopped (retries and timeouts included)
RUN_TIMEOUT_SECONDS = 30 * 60
_COMMAND = [sys.executable, "-c", "from semantic.cli import run; run()", "alerts"]


class Run:
    """A scheduled callback: starts `campaign-bi alerts <args>` unless the last one still runs."""

    def __init__(self, args: Sequence[str], timeout: float = RUN_TIMEOUT_SECONDS) -> None:
        self.argv = [*_COMMAND, *args]
        self.timeout = timeout
        self._thread: threading.Thread | None = None
        self.last_exit: int | None = None

    def __call__(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            log.warning("campaign-bi alerts %s: the previous run is still going; skipped",
                        " ".join(self.argv[4:]))
            return
        self._thread = threading.Thread(target=self._run, name="campaign-bi-notify",
                                        daemon=True)
        self._thread.start()

    def wait(self, timeout: float | None = None) -> int | None:
        """Wait for the current run (tests); its exit code."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self.last_exit

    def _run(self) -> None:
        what = "campaign-bi alerts " + " ".join(self.argv[4:])
        try:
            done = subprocess.run(self.argv, capture_output=True, text=True,
                                  timeout=self.timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            self.last_exit = None
            log.warning("%s: did not finish (%s)", what, exc)
            return
        self.last_exit = done.returncode
        for line in done.stdout.splitlines():
            log.info("%s: %s", what, line)
        for line in done.stderr.splitlines():
            log.warning("%s: %s", what, line)
        if done.returncode not in (0, 1):
            log.warning("%s: exit code %s", what, done.returncode)


def next_time(at: str, now: dt.datetime | None = None) -> dt.datetime:
    """The next local time of day `at` ("HH:MM"), today if still ahead, else tomorrow."""
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", at.strip())
    if not match:
        raise ValueError(f"expected a time of day HH:MM, got {at!r}")
    now = now or dt.datetime.now()
    due = now.replace(hour=int(match[1]), minute=int(match[2]), second=0, microsecond=0)
    return due if due > now else due + dt.timedelta(days=1)


def schedule(*, alerts_every: str | dt.timedelta | None = "15m", digest_at: str | None = "07:00",
             args: Sequence[str] = (), name: str = "campaign-bi", state=None) -> dict[str, Run]:
    """Register the alert and digest runs with Panel's scheduler (`state`: pn.state). `args`
    are extra `campaign-bi alerts` options for both (e.g. --db, --notify-config); None for
    `alerts_every` or `digest_at` leaves that run out. The callbacks, by task name."""
    if state is None:
        import panel as pn

        state = pn.state
    runs: dict[str, Run] = {}
    if alerts_every is not None:
        runs[f"{name}-alerts"] = Run(["--notify", *args])
        state.schedule_task(f"{name}-alerts", runs[f"{name}-alerts"], period=alerts_every)
    if digest_at is not None:
        runs[f"{name}-digest"] = Run(["--digest", *args])
        state.schedule_task(f"{name}-digest", runs[f"{name}-digest"],
                            at=next_time(digest_at), period="1d")
    return runs
