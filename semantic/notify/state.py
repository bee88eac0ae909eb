"""The delivery state file: which alerts each destination has been sent (and which digest), so
that an alert goes out once while it keeps firing, and again if it clears and fires later.

    {"version": 1,
     "alerts":  {"<filters>": {"<destination>": {"<business user>/<rule>/<campaign>":
                                                 {"sent_at": "...", "value": 123.4}}}},
     "digests": {"<filters>": {"<destination>": {"<business user>": "YYYY-MM-DD"}}}}

`<filters>` is the run's filters ("all" without any), so runs over different filters keep
apart; `<destination>` is `email:<address>` or `webhook:<digest of the URL>` (a webhook URL
is a secret and is not stored). An alert is recorded only once its message was delivered, and
dropped when it no longer fires. The file is replaced atomically (a temporary file beside it,
fsync, os.replace): a crash leaves the previous state, never half a file. One run at a time
holds `<state>.lock` (flock), so two runs started together (cron, several server processes)
cannot both send the same alert.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from semantic.errors import CampaignBIError

VERSION = 1
SUFFIX = ".alerts-sent.json"
LOCK_WAIT_SECONDS = 120.0


class StateError(CampaignBIError):
    """The delivery state file cannot be read, written or locked."""


def default_path(db_path: str | os.PathLike) -> Path:
    """The state file beside the warehouse: data/warehouse.duckdb.alerts-sent.json."""
    return Path(str(db_path) + SUFFIX)


def scope_key(filters: Mapping[str, Any] | None) -> str:
    """The run's filters as a stable name: "all" without any."""
    from semantic.compiler.request import make_filters

    normal = make_filters(filters or None).as_dict()
    return json.dumps(normal, sort_keys=True, default=str, separators=(",", ":")) \
        if normal else "all"


def alert_key(business_user: int, rule: str, campaign: int) -> str:
    return f"{int(business_user)}/{rule}/{int(campaign)}"


class DeliveryState:
    def __init__(self, path: Path, data: dict | None = None) -> None:
        self.path = path
        self.data = data or {"version": VERSION, "alerts": {}, "digests": {}}

    @classmethod
    def load(cls, path: str | os.PathLike) -> DeliveryState:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path)
        except OSError as exc:
            raise StateError(f"{path}: cannot read the delivery state ({exc.strerror})") from None
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("version") != VERSION:
                raise ValueError
            for part in ("alerts", "digests"):
                if not isinstance(data.setdefault(part, {}), dict):
                    raise ValueError
        except ValueError:
            raise StateError(f"{path}: not a delivery state file; move it away to start afresh "
                             "(every open alert is then sent again)") from None
        return cls(path, data)

    # -- alerts ----------------------------------------------------------------------------
    def sent(self, scope: str, destination: str) -> dict[str, dict]:
        """Alert key -> what was recorded when it was delivered."""
        return dict(self.data["alerts"].get(scope, {}).get(destination, {}))

    def settle(self, scope: str, destination: str, firing: set[str],
               delivered: Mapping[str, dict]) -> None:
        """After a run: keep what still fires and was sent before, add what was delivered
        now. An alert no longer firing is forgotten, so it is sent again if it comes back."""
        before = self.sent(scope, destination)
        kept = {k: v for k, v in before.items() if k in firing}
        kept.update(delivered)
        table = self.data["alerts"].setdefault(scope, {})
        if kept:
            table[destination] = dict(sorted(kept.items()))
        else:
            table.pop(destination, None)
        if not table:
            self.data["alerts"].pop(scope, None)

    # -- digests ---------------------------------------------------------------------------
    def digest_sent(self, scope: str, destination: str, group: int) -> str | None:
        """The last day of the last digest delivered for this business user, if any."""
        return self.data["digests"].get(scope, {}).get(destination, {}).get(str(group))

    def mark_digest(self, scope: str, destination: str, group: int, day: dt.date) -> None:
        table = self.data["digests"].setdefault(scope, {}).setdefault(destination, {})
        table[str(group)] = day.isoformat()

    # -- the file --------------------------------------------------------------------------
    def save(self) -> None:
        """Replace the file atomically (never a half-written state)."""
        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=self.path.name + ".", suffix=".tmp", dir=folder)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    json.dump(self.data, out, indent=1, sort_keys=True)
                    out.write("\n")
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError as exc:
            raise StateError(f"{self.path}: cannot write the delivery state "
                             f"({exc.strerror or exc})") from None


@contextlib.contextmanager
def locked(path: str | os.PathLike, wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold `<state>.lock` for a run; wait up to `wait` seconds for another run to finish."""
    lock = Path(str(path) + ".lock")
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise StateError(f"{lock}: cannot create the lock file ({exc.strerror})") from None
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StateError(f"{lock}: another delivery run still holds it after "
                                     f"{wait:.0f} s; try again later") from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
