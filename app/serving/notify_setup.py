"""`panel serve --setup app/serving/notify_setup.py` (`just serve-prod`): alerts and the daily
digest delivered on a schedule inside the server, when configured, instead of from cron.

CAMPAIGN_BI_NOTIFY_EVERY (e.g. "15m") sends newly firing alerts that often;
CAMPAIGN_BI_DIGEST_AT ("HH:MM", the server's local time) sends the digest daily. Unset: nothing
is scheduled. Delivery settings are the CLI's (CAMPAIGN_BI_SMTP, CAMPAIGN_BI_ALERT_TO, …, or
CAMPAIGN_BI_NOTIFY_CONFIG; docs/ALERTS.md); the warehouse is the server's (CAMPAIGN_BI_DB).
"""

from __future__ import annotations

import logging
import os

from semantic.notify.schedule import schedule
from semantic.paths import default_db

log = logging.getLogger("campaign_bi.notify")


def configure(environ=os.environ, state=None) -> dict:
    every = environ.get("CAMPAIGN_BI_NOTIFY_EVERY", "").strip() or None
    digest = environ.get("CAMPAIGN_BI_DIGEST_AT", "").strip() or None
    if not (every or digest):
        return {}
    runs = schedule(alerts_every=every, digest_at=digest, args=["--db", str(default_db())],
                    state=state)
    log.info("scheduled in the server: %s", ", ".join(runs))
    return runs


configure()
