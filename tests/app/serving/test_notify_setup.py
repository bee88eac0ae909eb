"""The server's setup script schedules alert delivery and the digest only when configured."""

from __future__ import annotations

import datetime as dt

from app.serving import notify_setup


class Scheduler:
    def __init__(self) -> None:
        self.tasks: dict = {}

    def schedule_task(self, name, callback, at=None, period=None):
        self.tasks[name] = (callback, at, period)


def test_nothing_is_scheduled_unless_asked():
    scheduler = Scheduler()
    assert notify_setup.configure({}, scheduler) == {} and scheduler.tasks == {}


def test_alerts_every_and_digest_at(monkeypatch, tmp_path):
    monkeypatch.setenv("CAMPAIGN_BI_DB", str(tmp_path / "w.duckdb"))
    scheduler = Scheduler()
    runs = notify_setup.configure({"CAMPAIGN_BI_NOTIFY_EVERY": "15m",
                                   "CAMPAIGN_BI_DIGEST_AT": "07:30"}, scheduler)
    assert set(runs) == set(scheduler.tasks) == {"campaign-bi-alerts", "campaign-bi-digest"}
    alerts, _, every = scheduler.tasks["campaign-bi-alerts"]
    assert every == "15m" and alerts.argv[-3:] == ["--notify", "--db", str(tmp_path / "w.duckdb")]
    digest, at, daily = scheduler.tasks["campaign-bi-digest"]
    assert daily == "1d" and (at.hour, at.minute) == (7, 30) and at > dt.datetime.now()
    assert digest.argv[-3] == "--digest"
