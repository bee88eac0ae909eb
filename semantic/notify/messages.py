"""What is sent, built from rows (pure: no database, no network): for each business-user group
of new alerts, and for each business user's digest, a `Message` with a subject, a plain-text
body, an HTML body and a Slack-compatible webhook payload ({"text", "blocks"}).

Values are formatted by the catalog's unit (money 1,234.56; percent 0.42% from a fraction;
counts 1,234; "–" when undefined, e.g. CPL without leads). Everything that comes from data
(project names) is escaped: html.escape for HTML, Slack's &amp; &lt; &gt; for mrkdwn.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from semantic.catalog import DECIMALS, METRICS

PRODUCT = "campaign-bi"
#: Slack allows 50 blocks per message; alerts beyond this many are summarized in one line.
SLACK_ALERT_BLOCKS = 40
DASH = "–"


@dataclass(frozen=True, kw_only=True)
class Message:
    subject: str
    text: str
    html: str
    payload: dict  # the webhook's JSON body


@dataclass(frozen=True, kw_only=True)
class AlertGroup:
    """New alerts of one business user, as one destination sees them."""

    business_user: int
    #: alert rows (semantic.runtime.alerts.COLUMNS as a dict each), most severe first per rule
    alerts: tuple[Mapping, ...]
    period: tuple[dt.date | None, dt.date | None]
    #: alerts of this business user that still fire and were sent before
    still_open: int = 0


@dataclass(frozen=True, kw_only=True)
class Comparison:
    """One period's KPIs against the period before it, equally long."""

    title: str
    current: tuple[dt.date, dt.date]
    previous: tuple[dt.date, dt.date]
    values: Mapping[str, float]
    before: Mapping[str, float]


@dataclass(frozen=True, kw_only=True)
class Digest:
    business_user: int
    end: dt.date
    metrics: tuple[str, ...]
    comparisons: tuple[Comparison, ...]
    alerts: tuple[Mapping, ...]  # every open alert of the business user
    alerts_period: tuple[dt.date | None, dt.date | None]
    end_note: str = "the data's last active day"


# -- formatting -----------------------------------------------------------------------------

def format_value(value, unit: str) -> str:
    """A number as the dashboard shows it: by unit, thousands separated, "–" when undefined."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    value = float(value)
    if unit == "percent":
        return f"{value * 100:,.{DECIMALS['percent'] + 1}f}%"
    return f"{value:,.{DECIMALS.get(unit, 2)}f}"


def format_change(current, previous, unit: str) -> str:
    """Percent-unit metrics change in percentage points (CTR 1.00% → 1.20%: +0.20 pp), the
    rest relative to the previous value (+8.3%); "–" when the previous value is 0 or
    undefined."""
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in (current, previous)):
        return DASH
    if unit == "percent":
        return f"{(float(current) - float(previous)) * 100:+.2f} pp"
    if float(previous) == 0:
        return DASH
    return f"{(float(current) - float(previous)) / abs(float(previous)) * 100:+.1f}%"


def change_tone(metric: str, current, previous) -> str | None:
    """"good", "bad" or None (no change, undefined, or a metric with no good direction)."""
    direction = METRICS[metric].direction
    try:
        delta = float(current) - float(previous)
    except (TypeError, ValueError):
        return None
    if direction is None or math.isnan(delta) or delta == 0:
        return None
    return "good" if (delta > 0) == (direction == "up") else "bad"


def format_period(period: Sequence[dt.date | None]) -> str:
    start, end = period
    if start is None and end is None:
        return "all data"
    if start == end:
        return str(start)
    return f"{start or '…'} {DASH} {end or '…'}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def slack_escape(text: object) -> str:
    """Slack mrkdwn's three control characters (so a project name cannot make a link or a
    mention)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _metric_name(row: Mapping) -> str:
    metric = METRICS.get(row.get("metric", ""))
    return metric.short if metric else str(row.get("metric", ""))


def _project(row: Mapping) -> str:
    project = row.get("project")
    return DASH if project is None or project != project or project == "" else str(project)


def _alert_parts(row: Mapping) -> tuple[str, str, str]:
    """(campaign headline, rule, measurement) of one alert row, unescaped."""
    head = f"Campaign {int(row['campaign'])}, project {_project(row)}"
    rule = f"{row['label']} ({row['rule']})"
    unit = row.get("unit") or ""
    measured = (f"{_metric_name(row)} {format_value(row['value'], unit)}, threshold "
                f"{format_value(row['threshold'], unit)}")
    return head, rule, measured


# -- alerts ---------------------------------------------------------------------------------

def alert_subject(group: AlertGroup) -> str:
    return (f"{PRODUCT}: {plural(len(group.alerts), 'new alert')} for business user "
            f"{group.business_user}")


def alert_message(group: AlertGroup) -> Message:
    subject = alert_subject(group)
    period = format_period(group.period)
    intro = (f"{plural(len(group.alerts), 'new alert')} for business user "
             f"{group.business_user}, over {period}.")
    footer = []
    if group.still_open:
        footer.append(f"{plural(group.still_open, 'more alert')} of business user "
                      f"{group.business_user} still open (sent before).")
    footer.append("Each alert is sent once while it fires, and again if it clears and comes "
                  "back.")
    lines = [intro, ""]
    for row in group.alerts:
        head, rule, measured = _alert_parts(row)
        lines += [f"- {head}", f"  {rule}: {measured}"]
    text = "\n".join([*lines, "", *footer]) + "\n"

    cells = []
    for row in group.alerts:
        unit = row.get("unit") or ""
        cells.append(_tr([str(int(row["campaign"])), _project(row), row["label"],
                          _metric_name(row), format_value(row["value"], unit),
                          format_value(row["threshold"], unit)], right=(4, 5)))
    body = (f"<p>{_e(intro)}</p>"
            + _table(["Campaign", "Project", "Rule", "Metric", "Value", "Threshold"], cells)
            + "".join(f"<p style=\"color:#666\">{_e(f)}</p>" for f in footer))
    return Message(subject=subject, text=text, html=_page(subject, body),
                   payload=_alert_payload(group, subject, period, footer))


def _alert_payload(group: AlertGroup, subject: str, period: str, footer: list[str]) -> dict:
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": subject[:150]}},
        {"type": "context", "elements": [{"type": "mrkdwn",
                                          "text": slack_escape(f"Period: {period}")}]},
    ]
    blocks += _slack_alerts(group.alerts)
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn",
                                                    "text": slack_escape(" ".join(footer))}]})
    return {"text": subject, "blocks": blocks}


def _slack_alerts(rows: Sequence[Mapping]) -> list[dict]:
    blocks = []
    for row in rows[:SLACK_ALERT_BLOCKS]:
        head, rule, measured = _alert_parts(row)
        blocks.append({"type": "section", "text": {
            "type": "mrkdwn",
            "text": f"*{slack_escape(head)}*\n{slack_escape(rule)}: {slack_escape(measured)}"}})
    if len(rows) > SLACK_ALERT_BLOCKS:
        more = plural(len(rows) - SLACK_ALERT_BLOCKS, "more alert")
        blocks.append({"type": "context", "elements": [
            {"type": "mrkdwn", "text": f"… and {more} (see the email or the dashboard)"}]})
    return blocks


# -- digest ---------------------------------------------------------------------------------

def digest_subject(digest: Digest) -> str:
    tail = f", {plural(len(digest.alerts), 'open alert')}" if digest.alerts else ""
    return (f"{PRODUCT}: digest for business user {digest.business_user}, "
            f"{digest.end.isoformat()}{tail}")


def digest_message(digest: Digest) -> Message:
    subject = digest_subject(digest)
    intro = (f"Business user {digest.business_user}: data up to {digest.end.isoformat()} "
             f"({digest.end_note}).")
    text = [intro]
    body = [f"<p>{_e(intro)}</p>"]
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": subject[:150]}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": slack_escape(intro)}]},
    ]
    for comparison in digest.comparisons:
        title = (f"{comparison.title}: {format_period(comparison.current)} vs "
                 f"{format_period(comparison.previous)}")
        rows = [(METRICS[m].short, format_value(comparison.values.get(m), METRICS[m].unit),
                 format_value(comparison.before.get(m), METRICS[m].unit),
                 format_change(comparison.values.get(m), comparison.before.get(m),
                               METRICS[m].unit), m)
                for m in digest.metrics]
        grid = _grid([("", "current", "previous", "change"), *(r[:4] for r in rows)])
        text += ["", title, *("  " + line for line in grid)]
        cells = [_tr(list(r[:4]), right=(1, 2, 3), tone=(3, change_tone(
            r[4], comparison.values.get(r[4]), comparison.before.get(r[4])))) for r in rows]
        body.append(f"<h3>{_e(title)}</h3>"
                    + _table(["", "Current", "Previous", "Change"], cells))
        blocks.append({"type": "section", "text": {
            "type": "mrkdwn",
            "text": f"*{slack_escape(title)}*\n```{slack_escape(chr(10).join(grid))}```"}})
    alerts_title = (f"Open alerts ({len(digest.alerts)}), over "
                    f"{format_period(digest.alerts_period)}")
    if digest.alerts:
        text += ["", alerts_title + ":"]
        for row in digest.alerts:
            head, rule, measured = _alert_parts(row)
            text += [f"- {head}", f"  {rule}: {measured}"]
        cells = [_tr([str(int(r["campaign"])), _project(r), r["label"], _metric_name(r),
                      format_value(r["value"], r.get("unit") or ""),
                      format_value(r["threshold"], r.get("unit") or "")], right=(4, 5))
                 for r in digest.alerts]
        body.append(f"<h3>{_e(alerts_title)}</h3>"
                    + _table(["Campaign", "Project", "Rule", "Metric", "Value", "Threshold"],
                             cells))
        blocks.append({"type": "section", "text": {"type": "mrkdwn",
                                                   "text": f"*{slack_escape(alerts_title)}*"}})
        blocks += _slack_alerts(digest.alerts)
    else:
        text += ["", "No open alerts."]
        body.append("<p>No open alerts.</p>")
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn",
                                                        "text": "No open alerts."}]})
    return Message(subject=subject, text="\n".join(text) + "\n",
                   html=_page(subject, "".join(body)),
                   payload={"text": subject, "blocks": blocks})


# -- small HTML and text helpers -------------------------------------------------------------

def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


_TONES = {"good": "#1a7f37", "bad": "#cf222e"}
_CELL = "padding:3px 10px;border-bottom:1px solid #ddd;"


def _tr(cells: Sequence[object], right: Sequence[int] = (),
        tone: tuple[int, str | None] | None = None) -> str:
    out = []
    for i, cell in enumerate(cells):
        style = _CELL + ("text-align:right;" if i in right else "text-align:left;")
        if tone and tone[0] == i and tone[1]:
            style += f"color:{_TONES[tone[1]]};"
        out.append(f"<td style=\"{style}\">{_e(cell)}</td>")
    return "<tr>" + "".join(out) + "</tr>"


def _table(header: Sequence[str], rows: Sequence[str]) -> str:
    head = "".join(f"<th style=\"{_CELL}text-align:left;\">{_e(h)}</th>" for h in header)
    return ("<table style=\"border-collapse:collapse;font-family:sans-serif;font-size:14px\">"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _page(title: str, body: str) -> str:
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{_e(title)}</title>"
            f"</head><body style=\"font-family:sans-serif\">{body}</body></html>")


def _grid(rows: Sequence[Sequence[str]]) -> list[str]:
    """Rows as aligned text: the first column left, the others right."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                      for i, (c, w) in enumerate(zip(r, widths, strict=True))).rstrip()
            for r in rows]
