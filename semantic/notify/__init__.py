"""Alerts and the daily digest delivered by email and webhook (`campaign-bi alerts --notify`,
`campaign-bi alerts --digest`; docs/ALERTS.md).

    config.py    settings: flags over environment over a TOML file; who gets which business user
    messages.py  subjects, plain text, HTML and Slack payloads from alert and KPI rows (pure)
    channels.py  SMTP and webhook senders, with retries and backoff
    state.py     the delivery state file: what was sent to whom (atomic writes, one run at a time)
    deliver.py   alerts: evaluate per audience, send what is new, remember it until it clears
    digest.py    the digest: KPIs of the data's last day and last 7 days vs the periods before
    schedule.py  optional: the same runs on a schedule inside the Panel server
"""
