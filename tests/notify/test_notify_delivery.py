"""`campaign-bi alerts --notify` against a real SMTP server and a real HTTP receiver: what
arrives, to whom, once; retries, failures that are not recorded, and a dry run that changes
nothing."""

from __future__ import annotations

import json

import pytest
from notify_kit import HARBOUR, RULES, VILLA, A, B, digest_of, free_port, run, write_config

import semantic
from semantic.notify.messages import format_value
from semantic.runtime.alerts import evaluate

SENDER = "campaign-bi <alerts@bi.example>"


@pytest.fixture
def state(tmp_path):
    return tmp_path / "sent.json"


def notify(db, rules, state, config, *extra, env=None):
    return run(["--notify", "--db", db, "--config", rules, "--state", state,
                "--notify-config", config, *extra], env=env)


def expected_alerts(db, rules, tenant=None):
    with semantic.connect(db) as layer:
        return evaluate(layer, None, tenant, str(rules)).to_dict(orient="records")


def test_alerts_arrive_by_email_and_webhook_with_the_numbers_the_rules_compute(
        db, rules, state, smtp, webhook, tmp_path):
    config = write_config(tmp_path / "n.toml", smtp=smtp.address, sender=SENDER,
                          to=["ops@bi.example"], webhook=webhook.url)
    before = digest_of(db)
    result = notify(db, rules, state, config)
    assert result.exit_code == 0, result.output
    assert digest_of(db) == before  # the warehouse is only read

    mails = {m.message["X-Campaign-BI-Business-User"]: m for m in smtp.handler.mails}
    assert sorted(mails) == [str(A), str(B)] and len(smtp.handler.mails) == 2
    villa = mails[str(A)]
    assert villa.subject == "campaign-bi: 2 new alerts for business user 1122"
    assert villa.recipients == ["ops@bi.example"] and villa.sender == "alerts@bi.example"
    assert villa.message["To"] == "ops@bi.example" and villa.message["From"] == SENDER
    assert villa.message["Auto-Submitted"] == "auto-generated"
    text, page = villa.part("plain"), villa.part("html")
    # hand-computed: campaign 12's CPL 300 / 3 = 100 against 2 x the median CPL (10, 10, 100)
    assert "CPL above threshold (cpl_high): CPL 100.00, threshold 20.00" in text
    assert "Spend without leads (spend_without_leads): Spend 100.00, threshold 50.00" in text
    assert "over 2024-07-01 – 2024-07-08" in text
    # ... and exactly what the alert rules compute, for every alert of both business users
    for row in expected_alerts(db, rules):
        mail = mails[str(row["business_user"])]
        line = (f"{format_value(row['value'], row['unit'])}, threshold "
                f"{format_value(row['threshold'], row['unit'])}")
        assert f"Campaign {row['campaign']}, project {row['project']}" in mail.part("plain")
        assert line in mail.part("plain")
    assert "CTR 0.10%, threshold 0.50%" in mails[str(B)].part("plain")
    # project names from data are escaped in the HTML part
    assert "&lt;b&gt;Villa &amp; &quot;Sons&quot;&lt;/b&gt;" in page and VILLA not in page
    assert "<td" in page and ">100.00</td>" in page

    assert len(webhook.posts) == 2 and webhook.posts[0]["path"] == "/services/T0/B0/secret"
    assert webhook.posts[0]["type"].startswith("application/json")
    slack = {p["json"]["text"]: p["json"] for p in webhook.posts}
    villa_hook = slack["campaign-bi: 2 new alerts for business user 1122"]
    sections = " ".join(b["text"]["text"] for b in villa_hook["blocks"] if b["type"] == "section")
    assert "&lt;b&gt;Villa &amp; \"Sons\"&lt;/b&gt;" in sections and "<b>" not in sections
    assert "CPL 100.00, threshold 20.00" in sections
    assert villa_hook["blocks"][0] == {"type": "header", "text": {
        "type": "plain_text", "text": "campaign-bi: 2 new alerts for business user 1122"}}

    saved = json.loads(state.read_text())["alerts"]["all"]
    assert sorted(saved["email:ops@bi.example"]) == [
        "1122/cpl_high/12", "1122/spend_without_leads/11", "3344/ctr_low/22",
        "3344/spend_without_leads/21"]
    assert webhook.url not in state.read_text()  # a webhook URL is a secret: not stored
    assert "4 alert(s) open: 4 message(s) sent, 0 not delivered" in result.stdout


def test_each_alert_goes_once_and_again_after_it_cleared(warehouses, rules, state, smtp,
                                                         webhook, tmp_path):
    firing, cleared = warehouses
    config = write_config(tmp_path / "n.toml", smtp=smtp.address, sender=SENDER,
                          to=["ops@bi.example"], webhook=webhook.url)
    assert notify(firing, rules, state, config).exit_code == 0
    assert len(smtp.handler.mails) == 2 and len(webhook.posts) == 2

    again = notify(firing, rules, state, config)
    assert again.exit_code == 0 and "nothing new to send" in again.stdout
    assert len(smtp.handler.mails) == 2 and len(webhook.posts) == 2

    # campaign 11 stops firing (the next export): forgotten, nothing sent
    assert notify(cleared, rules, state, config).exit_code == 0
    assert len(smtp.handler.mails) == 2
    assert "1122/spend_without_leads/11" not in state.read_text()
    # ... and fires again: sent again, alone
    assert notify(firing, rules, state, config).exit_code == 0
    last = smtp.handler.mails[-1]
    assert last.subject == "campaign-bi: 1 new alert for business user 1122"
    assert "Campaign 11," in last.part("plain") and "Campaign 12," not in last.part("plain")
    assert "1 more alert of business user 1122 still open (sent before)" in last.part("plain")
    assert len(smtp.handler.mails) == 3 and len(webhook.posts) == 3


def test_a_threshold_change_that_clears_an_alert_lets_it_fire_again(db, rules, state, smtp,
                                                                   tmp_path):
    config = write_config(tmp_path / "n.toml", smtp=smtp.address, sender=SENDER,
                          to=["ops@bi.example"])
    assert notify(db, rules, state, config).exit_code == 0
    strict = tmp_path / "strict.toml"
    strict.write_text(RULES.format(min_spend=150.0))  # campaign 11 (spend 100) no longer fires
    assert notify(db, strict, state, config).exit_code == 0
    assert len(smtp.handler.mails) == 2
    assert notify(db, rules, state, config).exit_code == 0
    assert [m.subject for m in smtp.handler.mails[2:]] == [
        "campaign-bi: 1 new alert for business user 1122"]


def test_each_business_users_people_get_only_its_own_alerts(db, rules, state, smtp, webhook,
                                                            tmp_path):
    config = write_config(
        tmp_path / "n.toml", smtp=smtp.address, sender=SENDER, to=["ops@bi.example"],
        recipients={str(A): ["owner@villa.example", "Ops@bi.example"],
                    str(B): ["boss@harbour.example"]},
        webhooks={str(B): webhook.url})
    result = notify(db, rules, state, config)
    assert result.exit_code == 0, result.output

    villa = smtp.handler.to("owner@villa.example")
    assert [m.subject for m in villa] == ["campaign-bi: 2 new alerts for business user 1122"]
    assert HARBOUR not in villa[0].part("plain") and "Campaign 2" not in villa[0].part("plain")
    # the business user's numbers, from its own tenant-scoped evaluation
    for row in expected_alerts(db, rules, tenant=A):
        assert f"Campaign {row['campaign']}," in villa[0].part("plain")
    harbour = smtp.handler.to("boss@harbour.example")
    assert [m.subject for m in harbour] == ["campaign-bi: 2 new alerts for business user 3344"]
    assert "Villa" not in harbour[0].part("plain") + harbour[0].part("html")
    # an admin also listed for a business user gets each group once
    assert len(smtp.handler.to("ops@bi.example")) == 2
    assert [p["json"]["text"] for p in webhook.posts] == [
        "campaign-bi: 2 new alerts for business user 3344"]
    assert "Villa" not in json.dumps(webhook.posts)


def test_a_webhook_that_fails_twice_is_retried_and_recorded(db, rules, state, webhook,
                                                            tmp_path):
    config = write_config(tmp_path / "n.toml", webhook=webhook.url, attempts=3)
    webhook.fail = 2
    result = notify(db, rules, state, config)
    assert result.exit_code == 0, result.output
    assert webhook.attempts == 4 and len(webhook.posts) == 2  # 3 tries for the first message
    assert "(on try 3)" in result.stdout and result.stderr == ""
    assert len(json.loads(state.read_text())["alerts"]["all"]) == 1


def test_a_webhook_that_keeps_failing_is_not_recorded_and_email_still_goes(
        db, rules, state, smtp, webhook, tmp_path):
    config = write_config(tmp_path / "n.toml", smtp=smtp.address, sender=SENDER,
                          to=["ops@bi.example"], webhook=webhook.url, attempts=2)
    webhook.fail = 100
    result = notify(db, rules, state, config)
    assert result.exit_code == 2
    errors = result.stderr.splitlines()
    assert len(errors) == 2 and all(e.startswith("error: webhook http://127.0.0.1:") for e in errors)
    assert "2 new alerts of business user 1122 not delivered after 2 tries: HTTP 500 " \
           "internal_error (sent on the next run)" in errors[0]
    # the second message is not tried against a server that just failed twice
    assert "not tried, the same server failed earlier in this run (HTTP 500" in errors[1]
    assert webhook.attempts == 2 and "secret" not in result.output
    assert len(smtp.handler.mails) == 2
    saved = json.loads(state.read_text())["alerts"]["all"]
    assert list(saved) == ["email:ops@bi.example"]

    webhook.fail = 0  # the receiver is back: the webhook gets what it missed, email nothing
    again = notify(db, rules, state, config)
    assert again.exit_code == 0, again.output
    assert len(webhook.posts) == 2 and len(smtp.handler.mails) == 2


def test_a_webhook_that_times_out_fails_after_its_tries(db, rules, state, webhook, tmp_path):
    config = write_config(tmp_path / "n.toml", webhook=webhook.url, attempts=2, timeout=0.2)
    webhook.delay = 0.6
    result = notify(db, rules, state, config, "--user", str(A))
    assert result.exit_code == 2
    assert "not delivered after 2 tries: timed out" in result.stderr
    assert not state.exists() or "1122/" not in state.read_text()


def test_an_smtp_server_that_says_try_later_is_retried(db, rules, state, smtp, tmp_path):
    config = write_config(tmp_path / "n.toml", smtp=smtp.address, sender=SENDER,
                          to=["ops@bi.example"])
    smtp.handler.fail = 1
    result = notify(db, rules, state, config)
    assert result.exit_code == 0, result.output
    assert smtp.handler.tries == 3 and len(smtp.handler.mails) == 2


def test_an_unreachable_smtp_server_fails_each_message_and_the_webhook_still_goes(
        db, rules, state, webhook, tmp_path):
    port = free_port()  # nothing listens there
    config = write_config(tmp_path / "n.toml", smtp=f"127.0.0.1:{port}", sender=SENDER,
                          to=["ops@bi.example"], webhook=webhook.url)
    result = notify(db, rules, state, config)
    assert result.exit_code == 2
    errors = result.stderr.splitlines()
    assert len(errors) == 2 and "after 3 tries: Connection refused (sent on the next run)" in \
        errors[0]
    assert errors[1].startswith("error: email to ops@bi.example: 2 new alerts of business user "
                                "3344 not delivered: not tried")
    assert len(webhook.posts) == 2
    assert list(json.loads(state.read_text())["alerts"]["all"]) == [
        next(k for k in json.loads(state.read_text())["alerts"]["all"] if k.startswith("webhook"))]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_smtp_login_takes_the_password_from_the_environment_only(db, rules, state,
                                                                 smtp_with_login, tmp_path):
    server = smtp_with_login
    args = ["--notify", "--db", db, "--config", rules, "--state", state, "--smtp", server.address,
            "--smtp-user", "alerts", "--mail-from", SENDER, "--mail-to", "ops@bi.example"]
    refused = run([*args, "--smtp-password", "s3cret"])
    assert refused.exit_code == 2 and "No such option '--smtp-password'" in refused.output
    missing = run(args)
    assert missing.exit_code == 2
    assert missing.stderr.startswith("error: an SMTP user without a password: set "
                                     "CAMPAIGN_BI_SMTP_PASSWORD")
    wrong = run(args, env={"CAMPAIGN_BI_SMTP_PASSWORD": "nope"})
    assert wrong.exit_code == 2 and "SMTP 535" in wrong.stderr
    first, second = wrong.stderr.splitlines()
    assert "not delivered after 1 try: SMTP 535 5.7.8 Authentication credentials invalid" in first
    assert "not tried" in second  # a refused login is not retried, nor for the next message
    ok = run(args, env={"CAMPAIGN_BI_SMTP_PASSWORD": "s3cret"})
    assert ok.exit_code == 0, ok.output
    assert len(server.handler.mails) == 2 and (b"alerts", True) in server.logins


def test_settings_from_the_environment(db, rules, state, smtp, tmp_path):
    env = {"CAMPAIGN_BI_SMTP": smtp.address, "CAMPAIGN_BI_ALERT_FROM": SENDER,
           "CAMPAIGN_BI_ALERT_TO": "a@bi.example, b@bi.example",
           "CAMPAIGN_BI_ALERT_STATE": str(state)}
    result = run(["--notify", "--db", db, "--config", rules, "--user", str(B)], env=env)
    assert result.exit_code == 0, result.output
    assert sorted(r for m in smtp.handler.mails for r in m.recipients) == [
        "a@bi.example", "b@bi.example"]
    # the run's filters keep their own records
    assert list(json.loads(state.read_text())["alerts"]) == ['{"business_user":[3344]}']


def test_a_dry_run_prints_and_changes_nothing(db, rules, state, smtp, webhook, tmp_path):
    config = write_config(tmp_path / "n.toml", smtp=smtp.address, sender=SENDER,
                          to=["ops@bi.example"], webhook=webhook.url)
    result = notify(db, rules, state, config, "--dry-run")
    assert result.exit_code == 1, result.output  # something would be sent
    assert "--- would send to email to ops@bi.example: campaign-bi: 2 new alerts for business " \
           "user 1122" in result.stdout
    assert "CPL above threshold (cpl_high): CPL 100.00, threshold 20.00" in result.stdout
    assert '"text": "campaign-bi: 2 new alerts for business user 3344"' in result.stdout
    assert "dry run, 4 alert(s) open: 4 message(s) would be sent; nothing sent, state " \
           "unchanged" in result.stdout
    assert not smtp.handler.mails and not webhook.posts
    assert sorted(p.name for p in tmp_path.iterdir()) == ["n.toml", "rules.toml"]  # no state

    assert notify(db, rules, state, config).exit_code == 0
    saved = state.read_text()
    nothing = notify(db, rules, state, config, "--dry-run")
    assert nothing.exit_code == 0 and "0 message(s) would be sent" in nothing.stdout
    assert state.read_text() == saved


@pytest.mark.parametrize(("args", "message"), [
    (["--notify", "--mail-to", "ops@bi.example"], "error: no sender for the emails"),
    (["--notify"], "error: nothing to deliver to"),
    (["--mail-to", "ops@bi.example"], "error: --mail-to is for delivery: add --notify"),
    (["--notify", "--digest", "--webhook", "http://x.example/h"],
     "error: --notify and --digest are separate runs"),
    (["--notify", "--webhook", "file:///etc/passwd"], "error: --webhook: a webhook must be an "
                                                      "http(s) URL"),
    (["--notify", "--mail-from", "x", "--mail-to", "ops@bi.example"],
     "error: --mail-from: 'x' is not an email address"),
    (["--notify", "--smtp", "host:99999", "--webhook", "http://x.example/h"],
     "error: --smtp: port 99999 is not between 1 and 65535"),
    (["--digest", "--from", "2024-07-01", "--webhook", "http://x.example/h"],
     "error: the digest picks its own periods"),
], ids=["no-sender", "nowhere", "flag-without-notify", "both", "file-url", "bad-address",
        "bad-port", "digest-dates"])
def test_unusable_settings_are_one_line_and_exit_2(db, state, args, message):
    result = run([*args, "--db", db, "--state", state])
    assert result.exit_code == 2
    assert result.stderr.startswith(message) and len(result.stderr.splitlines()) == 1
    assert not state.exists()
