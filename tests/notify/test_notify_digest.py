"""`campaign-bi alerts --digest`: per business user, KPIs of the data's last day and last 7 days
against the periods before (numbers equal `layer.query` for those periods), open alerts; once
per day and destination; and the optional in-server schedule."""

from __future__ import annotations

import datetime as dt
import inspect
import json
import logging
import re

import pytest
from notify_kit import HARBOUR, A, B, run, write_config

import semantic
from semantic.catalog import METRICS
from semantic.notify import digest as digest_module
from semantic.notify.config import DIGEST_METRICS
from semantic.notify.messages import format_change, format_value
from semantic.notify.schedule import Run, next_time, schedule

SENDER = "alerts@bi.example"


@pytest.fixture
def state(tmp_path):
    return tmp_path / "sent.json"


def digest(db, rules, state, config, *extra):
    return run(["--digest", "--db", db, "--config", rules, "--state", state,
                "--notify-config", config, *extra])


def grid(text: str, title: str) -> dict[str, list[str]]:
    """The plain-text table under a period's title: metric label -> [current, previous,
    change]."""
    lines = text.split(title, 1)[1].split("\n\n", 1)[0].splitlines()[2:]
    return {cells[0]: cells[1:] for cells in (re.split(r" {2,}", ln.strip()) for ln in lines)}


def expected(db, user, period, before):
    with semantic.connect(db) as layer:
        now = layer.query(list(DIGEST_METRICS), filters={"date_from": period[0],
                                                         "date_to": period[1]}, tenant=user)
        then = layer.query(list(DIGEST_METRICS), filters={"date_from": before[0],
                                                          "date_to": before[1]}, tenant=user)
    return {METRICS[m].short: [format_value(now[m].iloc[0], METRICS[m].unit),
                               format_value(then[m].iloc[0], METRICS[m].unit),
                               format_change(now[m].iloc[0], then[m].iloc[0], METRICS[m].unit)]
            for m in DIGEST_METRICS}


def test_the_digest_numbers_are_the_layers_for_the_same_periods(db, rules, state, smtp,
                                                                webhook, tmp_path):
    config = write_config(tmp_path / "n.toml", smtp=smtp.address, sender=SENDER,
                          to=["ops@bi.example"], recipients={str(A): ["owner@villa.example"]},
                          webhook=webhook.url)
    result = digest(db, rules, state, config)
    assert result.exit_code == 0, result.output
    # the data's last active day, not today
    assert "digest for 2024-07-08 (the data's last day): 5 message(s) sent" in result.stdout

    ops = {m.message["X-Campaign-BI-Business-User"]: m for m in smtp.handler.to("ops@bi.example")}
    assert sorted(ops) == [str(A), str(B)]
    villa = smtp.handler.to("owner@villa.example")
    assert [m.subject for m in villa] == [
        "campaign-bi: digest for business user 1122, 2024-07-08, 2 open alerts"]
    text = villa[0].part("plain")
    assert "Business user 1122: data up to 2024-07-08 (the data's last active day)." in text
    day = grid(text, "Last day: 2024-07-08 vs 2024-07-07")
    week = grid(text, "Last 7 days: 2024-07-02 – 2024-07-08 vs 2024-06-25 – 2024-07-01")
    # hand-computed: 07-08 spend 25 (c11) + 200 (c12), 07-07 25 (c11) + 30 (c13); 3 leads each
    assert day["Spend"] == ["225.00", "55.00", "+309.1%"]
    assert day["Leads"] == ["3", "3", "+0.0%"] and day["CPL"] == ["75.00", "18.33", "+309.1%"]
    assert week["Spend"] == ["370.00", "100.00", "+270.0%"] and week["Leads"] == ["10", "0", "–"]
    # ... and for every metric and both periods, exactly what the layer answers
    assert day == expected(db, A, ("2024-07-08",) * 2, ("2024-07-07",) * 2)
    assert week == expected(db, A, ("2024-07-02", "2024-07-08"), ("2024-06-25", "2024-07-01"))
    # admins' digests come from one query per period by business user: the same numbers,
    # also for a business user without facts in a period (3344 on 07-07)
    assert ops[str(A)].part("plain") == text
    harbour = ops[str(B)].part("plain")
    assert grid(harbour, "Last day: 2024-07-08 vs 2024-07-07") == \
        expected(db, B, ("2024-07-08",) * 2, ("2024-07-07",) * 2)
    assert grid(harbour, "Last 7 days: 2024-07-02 – 2024-07-08 vs 2024-06-25 – 2024-07-01") == \
        expected(db, B, ("2024-07-02", "2024-07-08"), ("2024-06-25", "2024-07-01"))
    # its open alerts, tenant-scoped; none of the other business user's data
    assert "Open alerts (2), over 2024-07-01 – 2024-07-08:" in text
    assert "CPL above threshold (cpl_high): CPL 100.00, threshold 20.00" in text
    assert HARBOUR not in text + villa[0].part("html")
    assert "&lt;b&gt;Villa &amp; &quot;Sons&quot;&lt;/b&gt;" in villa[0].part("html")
    assert "<b>Villa" not in villa[0].part("html")
    assert [p["json"]["text"] for p in webhook.posts] == [
        "campaign-bi: digest for business user 1122, 2024-07-08, 2 open alerts",
        "campaign-bi: digest for business user 3344, 2024-07-08, 2 open alerts"]


def test_a_digest_goes_once_per_day_and_destination(db, rules, state, smtp, tmp_path):
    config = write_config(tmp_path / "n.toml", smtp=smtp.address, sender=SENDER,
                          recipients={str(B): ["boss@harbour.example"]})
    assert digest(db, rules, state, config).exit_code == 0
    again = digest(db, rules, state, config)
    assert again.exit_code == 0, again.output
    assert "digest of business user 3344 for 2024-07-08 already sent: email to " \
           "boss@harbour.example" in again.stdout and "nothing new to send" in again.stdout
    assert len(smtp.handler.mails) == 1
    forced = digest(db, rules, state, config, "--force")
    assert forced.exit_code == 0 and len(smtp.handler.mails) == 2
    other_day = digest(db, rules, state, config, "--date", "2024-07-07")
    assert other_day.exit_code == 0 and "digest for 2024-07-07: 1 message(s) sent" in \
        other_day.stdout
    assert "data up to 2024-07-07 (the day asked for)" in smtp.handler.mails[-1].part("plain")
    assert json.loads(state.read_text())["digests"]["all"] == {
        "email:boss@harbour.example": {"3344": "2024-07-07"}}


def test_a_failed_digest_is_sent_by_the_next_run_and_dry_run_changes_nothing(
        db, rules, state, webhook, tmp_path):
    config = write_config(tmp_path / "n.toml", webhook=webhook.url, attempts=1)
    dry = digest(db, rules, state, config, "--dry-run")
    assert dry.exit_code == 1 and "2 message(s) would be sent" in dry.stdout
    assert not state.exists() and not webhook.posts
    webhook.fail = 1
    failed = digest(db, rules, state, config)
    assert failed.exit_code == 2
    assert failed.stderr.startswith("error: webhook http://127.0.0.1:")
    first, second = failed.stderr.splitlines()
    assert "digest of business user 1122 for 2024-07-08 not delivered after 1 try: HTTP 500" \
        in first
    assert "digest of business user 3344 for 2024-07-08 not delivered: not tried" in second
    assert not webhook.posts and json.loads(state.read_text())["digests"] == {}
    retried = digest(db, rules, state, config)
    assert retried.exit_code == 0 and "2 message(s) sent" in retried.stdout
    assert len(webhook.posts) == 2


def test_digest_periods_and_kpis_are_ratios_of_the_periods_sums(db):
    end = dt.date(2024, 7, 8)
    assert digest_module.periods(end) == [
        ("Last day", (end, end), (dt.date(2024, 7, 7), dt.date(2024, 7, 7))),
        ("Last 7 days", (dt.date(2024, 7, 2), end), (dt.date(2024, 6, 25), dt.date(2024, 7, 1)))]
    with semantic.connect(db) as layer:
        values = digest_module.kpis(layer, ["spend", "leads", "cpl", "ctr"], None, A,
                                    (dt.date(2024, 7, 2), end))
        assert digest_module.last_day(layer) == end
        assert digest_module.active_users(layer, None, dt.date(2024, 7, 3),
                                          dt.date(2024, 7, 4)) == [B]
    # spend 370 / 10 leads; clicks (20 + 20 + 9 + 8 + 4 x 5) / impressions (500 + 500 + 300 +
    # 400 + 4 x 100) within the week: c12's 07-01 delivery falls outside it
    assert values["spend"] == 370.0 and values["leads"] == 10 and values["cpl"] == 37.0
    assert values["ctr"] == pytest.approx((20 + 9 + 8 + 20) / (500 + 300 + 400 + 400))


# -- the optional schedule inside the server ---------------------------------------------------

class FakeState:
    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def schedule_task(self, name, callback, at=None, period=None, cron=None, threaded=False):
        self.calls.append((name, callback, at, period))


def test_schedule_registers_both_runs_with_panels_scheduler():
    import panel as pn

    fake = FakeState()
    runs = schedule(alerts_every="15m", digest_at="07:00", args=["--db", "w.duckdb"], state=fake)
    (alerts_name, alerts_cb, alerts_at, every), (digest_name, digest_cb, at, daily) = fake.calls
    assert (alerts_name, alerts_at, every) == ("campaign-bi-alerts", None, "15m")
    assert (digest_name, daily) == ("campaign-bi-digest", "1d")
    assert (at.hour, at.minute) == (7, 0) and dt.timedelta(0) < at - dt.datetime.now() <= \
        dt.timedelta(days=1)
    assert alerts_cb.argv[-3:] == ["--notify", "--db", "w.duckdb"]
    assert runs == {"campaign-bi-alerts": alerts_cb, "campaign-bi-digest": digest_cb}
    # the calls fit the installed Panel's signature
    signature = inspect.signature(pn.state.schedule_task)
    for name, callback, at, period in fake.calls:
        signature.bind(name, callback, at=at, period=period)


def test_next_time_is_today_if_ahead_else_tomorrow():
    now = dt.datetime(2024, 7, 8, 6, 30)
    assert next_time("07:00", now) == dt.datetime(2024, 7, 8, 7, 0)
    assert next_time("6:30", now) == dt.datetime(2024, 7, 9, 6, 30)
    with pytest.raises(ValueError, match="HH:MM"):
        next_time("25:00", now)


def test_a_scheduled_run_is_the_command_in_a_child_process(db, rules, state, webhook,
                                                           caplog):
    callback = Run(["--notify", "--dry-run", "--db", str(db), "--config", str(rules),
                    "--webhook", webhook.url, "--state", str(state)])
    with caplog.at_level(logging.INFO, logger="campaign_bi.notify"):
        callback()
        callback()  # while the first still runs: skipped
        assert callback.wait(60) == 1  # dry run: something would be sent
    messages = [r.getMessage() for r in caplog.records]
    assert any("the previous run is still going; skipped" in m for m in messages)
    assert any("2 message(s) would be sent" in m for m in messages)
    assert not webhook.posts and not state.exists()
