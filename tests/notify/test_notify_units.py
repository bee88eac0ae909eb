"""The pure parts of delivery: settings resolution (flags over environment over file), who
gets which business user, message texts, and the state file."""

from __future__ import annotations

import json
import math
import os
import threading

import pytest
from notify_kit import write_config

from semantic.notify.config import NotifyConfigError, resolve
from semantic.notify.messages import (
    AlertGroup,
    alert_message,
    format_change,
    format_value,
    slack_escape,
)
from semantic.notify.state import DeliveryState, StateError, default_path, locked, scope_key

# -- settings --------------------------------------------------------------------------------


def test_flags_win_over_the_environment_which_wins_over_the_file(tmp_path):
    config = write_config(tmp_path / "n.toml", smtp="file.example:2525", sender="f@x.example",
                          to=["file@x.example"], webhook="https://file.example/h",
                          state="sent.json")
    env = {"CAMPAIGN_BI_SMTP": "env.example:587", "CAMPAIGN_BI_ALERT_TO": "e1@x.example,e2@x.example"}
    flags = {"smtp": "flag.example:465", "to": (), "sender": None, "webhook": None}
    s = resolve(flags, env, config)
    assert (s.smtp_host, s.smtp_port) == ("flag.example", 465)
    assert s.to == ("e1@x.example", "e2@x.example")  # no --mail-to given: the environment's
    assert s.sender == "f@x.example" and s.webhook == "https://file.example/h"
    assert s.state == tmp_path / "sent.json"  # relative to the file
    assert (resolve({}, env, config).smtp_host, resolve({}, {}, config).smtp_host) == \
        ("env.example", "file.example")
    assert resolve({"to": ("flag@x.example",)}, env, config).to == ("flag@x.example",)
    assert resolve({}, {"CAMPAIGN_BI_NOTIFY_CONFIG": str(config)}).smtp_port == 2525
    assert resolve({}, {}).smtp_host == "localhost" and resolve({}, {}).smtp_port == 25
    assert resolve({"smtp": "[::1]:2526"}, {}).smtp_host == "::1"


def test_the_password_comes_from_the_environment_or_the_file_never_a_flag(tmp_path):
    with pytest.raises(NotifyConfigError, match="never taken from the command line"):
        resolve({"smtp_password": "x"}, {})
    assert resolve({}, {"CAMPAIGN_BI_SMTP_PASSWORD": "pw"}).smtp_password == "pw"
    config = write_config(tmp_path / "n.toml", smtp_password="in-file")
    assert resolve({}, {}, config).smtp_password == "in-file"
    assert resolve({}, {}, config).warnings == ()
    os.chmod(config, 0o644)
    assert "others may read it: chmod 600" in resolve({}, {}, config).warnings[0]
    assert "in-file" not in repr(resolve({}, {}, config))


@pytest.mark.parametrize(("settings", "message"), [
    ({"smtp_user_name": "x"}, "unknown setting 'smtp_user_name' (did you mean 'smtp_user'?)"),
    ({"to": ["not an address"]}, "to: 'not an address' is not an email address"),
    ({"webhook": "ftp://x.example/h"}, "a webhook must be an http(s) URL"),
    ({"attempts": 0}, "attempts: expected a number ≥ 1"),
    ({"recipients": {"acme": ["a@x.example"]}}, "'acme' is not a business user id"),
    ({"digest": {"metrics": ["spend", "cpll"]}}, "unknown metric 'cpll' (did you mean 'cpl'?)"),
    ({"smtp_starttls": True, "smtp_ssl": True}, "choose one of STARTTLS"),
], ids=["typo", "address", "scheme", "attempts", "user-id", "metric", "tls"])
def test_unusable_files_are_refused_by_name(tmp_path, settings, message):
    config = write_config(tmp_path / "n.toml", **settings)
    with pytest.raises(NotifyConfigError) as error:
        resolve({}, {}, config)
    assert message in str(error.value)


def test_each_destination_sees_all_business_users_or_its_own(tmp_path):
    config = write_config(
        tmp_path / "n.toml", to=["ops@x.example"], webhook="https://hooks.example/all",
        recipients={"1122": ["a@x.example", "OPS@x.example"], "3344": ["a@x.example"]},
        webhooks={"1122": "https://hooks.example/all", "3344": "https://hooks.example/b"})
    found = [(d.kind, d.address, d.scope) for d in resolve({}, {}, config).destinations()]
    assert found == [
        ("email", "ops@x.example", None),  # an admin listed for a business user: once, all
        ("email", "a@x.example", frozenset({1122, 3344})),
        ("webhook", "https://hooks.example/all", None),
        ("webhook", "https://hooks.example/b", frozenset({3344})),
    ]
    hook = resolve({}, {}, config).destinations()[-1]
    assert hook.key.startswith("webhook:") and "hooks.example" not in hook.key
    assert hook.label == "webhook https://hooks.example/…"


# -- messages --------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "unit", "shown"), [
    (1234.5, "money", "1,234.50"), (1234, "count", "1,234"), (0.004234, "percent", "0.42%"),
    (math.nan, "money", "–"), (None, "percent", "–"), (2.5, "hours", "2.5"),
])
def test_values_are_formatted_by_unit(value, unit, shown):
    assert format_value(value, unit) == shown


@pytest.mark.parametrize(("now", "before", "unit", "shown"), [
    (225, 55, "money", "+309.1%"), (50, 100, "count", "-50.0%"), (0.012, 0.01, "percent",
                                                                  "+0.20 pp"),
    (5, 0, "count", "–"), (math.nan, 3, "money", "–"),
])
def test_changes(now, before, unit, shown):
    assert format_change(now, before, unit) == shown


def test_an_alert_message_escapes_data_in_html_and_slack():
    row = {"campaign": 7, "project": "<script>x</script> & co", "business_user": 9,
           "rule": "cpl_high", "label": "CPL above threshold", "metric": "cpl", "unit": "money",
           "value": 123.456, "threshold": 40.0}
    message = alert_message(AlertGroup(business_user=9, alerts=(row,), period=(None, None)))
    assert message.subject == "campaign-bi: 1 new alert for business user 9"
    assert "project <script>x</script> & co" in message.text  # plain text stays as written
    assert "CPL 123.46, threshold 40.00" in message.text and "over all data" in message.text
    assert "<script>" not in message.html and "&lt;script&gt;x&lt;/script&gt; &amp; co" in \
        message.html
    assert "<script>" not in json.dumps(message.payload)
    assert slack_escape("<!channel> & <http://x|y>") == "&lt;!channel&gt; &amp; &lt;http://x|y&gt;"


def test_a_large_group_stays_within_slacks_block_limit():
    rows = tuple({"campaign": i, "project": "P", "business_user": 1, "rule": "ctr_low",
                  "label": "CTR below floor", "metric": "ctr", "unit": "percent",
                  "value": 0.001, "threshold": 0.005} for i in range(120))
    payload = alert_message(AlertGroup(business_user=1, alerts=rows, period=(None, None))).payload
    assert len(payload["blocks"]) <= 50
    assert "… and 80 more alerts" in payload["blocks"][-2]["elements"][0]["text"]


# -- state -----------------------------------------------------------------------------------

def test_state_keeps_what_still_fires_and_forgets_what_cleared(tmp_path):
    path = tmp_path / "s.json"
    state = DeliveryState.load(path)
    state.settle("all", "email:a", {"1/r/1", "1/r/2"}, {"1/r/1": {"v": 1}, "1/r/2": {"v": 2}})
    state.save()
    state = DeliveryState.load(path)
    state.settle("all", "email:a", {"1/r/2", "1/r/3"}, {})  # 1 cleared; 3 new, not delivered
    assert state.sent("all", "email:a") == {"1/r/2": {"v": 2}}
    state.settle("all", "email:a", set(), {})
    assert state.data["alerts"] == {}
    state.save()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]  # no temporary file left
    assert default_path("data/w.duckdb").as_posix() == "data/w.duckdb.alerts-sent.json"
    assert scope_key(None) == "all"
    assert scope_key({"business_user": ["20", "3"]}) == '{"business_user":[3,20]}'


def test_a_damaged_state_file_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "s.json"
    path.write_text("{not json")
    with pytest.raises(StateError, match="not a delivery state file; move it away"):
        DeliveryState.load(path)


def test_one_run_at_a_time(tmp_path):
    path = tmp_path / "s.json"
    inside, release = threading.Event(), threading.Event()

    def hold():
        with locked(path):
            inside.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    assert inside.wait(10)
    try:
        with pytest.raises(StateError, match="another delivery run still holds it"), \
                locked(path, wait=0.3):
            pass
    finally:
        release.set()
        holder.join()
    with locked(path, wait=0.3):
        pass
