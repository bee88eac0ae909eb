"""Helpers of the delivery tests (their fixtures are in conftest.py): the SMTP collector, the
webhook receiver's record, building the warehouses, writing a notify config, running the
command.

The warehouse (tests/factories.py), all on 2024-07-01 .. 07-08, rules in RULES below:

    business user 1122, project '<b>Villa & "Sons"</b>' (HTML in data: must arrive escaped)
      11  spend 100 (4 days x 25), no lead          -> spend_without_leads (100 >= 50)
      12  spend 300, 3 leads -> CPL 100             -> cpl_high (median CPL 10, x2 = 20)
      13  spend  30, 3 leads -> CPL 10
      14  spend  40, 4 leads -> CPL 10
    business user 3344, project "Harbour Point"
      21  spend 200, no lead                        -> spend_without_leads
      22  10,000 impressions, 10 clicks (CTR 0.1%)  -> ctr_low (< 0.5%, >= 5,000 impressions)
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import json
import os
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller
from click.testing import CliRunner
from factories import campaign, insight, lead

VILLA, HARBOUR = '<b>Villa & "Sons"</b>', "Harbour Point"
A, B = 1122, 3344
RULES = """
[rules.cpl_high]
label = "CPL above threshold"
metric = "cpl"
direction = "above"
median_multiple = 2.0
absolute = 0.0
min_leads = 3

[rules.spend_without_leads]
label = "Spend without leads"
metric = "spend"
direction = "above"
min_spend = {min_spend}

[rules.overspend]
label = "Spend above planned budget"
metric = "budget_utilization"
direction = "above"
max_utilization = 1.0
min_spend = 100.0

[rules.ctr_low]
label = "CTR below floor"
metric = "ctr"
direction = "below"
min_ctr = 0.005
min_impressions = 5000
"""


def campaigns():
    run = {"start": "2024-07-01 00:00:00", "stop": "2024-07-08 23:00:00", "budget": 1000}
    return [campaign(c, user=A, project=VILLA, **run) for c in (11, 12, 13, 14)] + \
        [campaign(c, user=B, project=HARBOUR, **run) for c in (21, 22)]


def insights(*, quiet_11: bool = False):
    days = ["2024-07-05", "2024-07-06", "2024-07-07", "2024-07-08"]
    rows = [insight(11, d, spend="25.00", impressions=100, clicks=5) for d in days]
    rows += [insight(12, "2024-07-01", spend="100.00", impressions=500, clicks=20),
             insight(12, "2024-07-08", spend="200.00", impressions=500, clicks=20),
             insight(13, "2024-07-07", spend="30.00", impressions=300, clicks=9),
             insight(14, "2024-07-02", spend="40.00", impressions=400, clicks=8),
             insight(21, "2024-07-03", spend="200.00", impressions=1000, clicks=50),
             insight(22, "2024-07-08", spend="10.00", impressions=10000, clicks=10)]
    if quiet_11:  # campaign 11 spends less than the floor: its alert clears
        rows = [r for r in rows if r[1] != 11] + [insight(11, "2024-07-08", spend="20.00")]
    return rows


def leads():
    rows, n = [], 0
    for campaign_id, count, day in ((12, 3, "2024-07-08"), (13, 3, "2024-07-07"),
                                    (14, 4, "2024-07-02")):
        for _ in range(count):
            n += 1
            rows.append(lead(n, campaign_id, f"{day} 10:00:00",
                             status="QUALIFIED" if n % 2 else "NEW_LEAD"))
    return rows


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def digest_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# -- SMTP ------------------------------------------------------------------------------------

@dataclass
class Mail:
    sender: str
    recipients: list[str]
    message: email.message.EmailMessage

    @property
    def subject(self) -> str:
        return self.message["Subject"]

    def part(self, kind: str) -> str:
        """A body part's text, with the wire's CRLF line ends as \n."""
        return self.message.get_body(preferencelist=(kind,)).get_content().replace("\r\n", "\n")


class Collector:
    """An aiosmtpd handler keeping every message; answers 451 to the first `fail` DATA."""

    def __init__(self) -> None:
        self.mails: list[Mail] = []
        self.fail = 0
        self.tries = 0

    async def handle_DATA(self, server, session, envelope):
        self.tries += 1
        if self.fail > 0:
            self.fail -= 1
            return "451 4.3.0 try again later"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.mails.append(Mail(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address: str) -> list[Mail]:
        return [m for m in self.mails if address in m.recipients]


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: Collector
    logins: list = field(default_factory=list)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


def start_smtp(**kwargs):
    handler = Collector()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    return controller, SmtpServer("127.0.0.1", port, handler)


# -- webhook ---------------------------------------------------------------------------------

class Receiver:
    """POSTs received (path, headers, JSON body); the first `fail` answer 500, each answer
    after `delay` seconds."""

    def __init__(self) -> None:
        self.posts: list[dict] = []
        self.attempts = 0
        self.fail = 0
        self.delay = 0.0
        self.lock = threading.Lock()


# -- running the command ---------------------------------------------------------------------

def write_config(path: Path, **settings) -> Path:
    """A notify config; tiny retry delays unless given."""
    settings.setdefault("retry_delay", 0.01)
    settings.setdefault("timeout", 5.0)
    lines = []
    tables = {k: settings.pop(k) for k in ("recipients", "webhooks", "digest") if k in settings}
    for key, value in settings.items():
        lines.append(f"{'from' if key == 'sender' else key} = {json.dumps(value)}")
    for table, values in tables.items():
        lines.append(f"[{table}]")
        lines += [f"{k} = {json.dumps(v)}" for k, v in values.items()]
    path.write_text("\n".join(lines) + "\n")
    os.chmod(path, 0o600)
    return path


def run(args, env=None):
    from semantic.cli.delivery import alerts

    return CliRunner().invoke(alerts, [*map(str, args)], env=env, catch_exceptions=False)
