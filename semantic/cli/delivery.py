"""`campaign-bi alerts` and `campaign-bi export-leads`: the dashboard's alerts and leads export
from the command line (cron, scripts). Registered on the `campaign-bi` group in semantic/cli/__init__.py.

`alerts --notify` sends each newly firing alert once by email and/or webhook, `alerts --digest`
the daily digest (semantic/notify/, docs/ALERTS.md).

Exit codes (semantic/cli/options.py): 0 success (alerts: none fired), 1 alerts fired, 2 an
error (one line on stderr). With --notify or --digest: 0 everything due was delivered (or
nothing was due), 2 a message was not delivered (one `error:` line per message on stderr; it
goes out on the next run) or an error; with --dry-run as well: 1 when something would be sent,
0 when nothing would.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from pathlib import Path

import click

from semantic.cli.options import (
    ERROR,
    FOUND,
    CommandError,
    db_option,
    failed,
    filter_options,
    filters_from,
    open_layer,
)
from semantic.errors import CampaignBIError

#: --notify/--digest settings given on the command line (the notify config's names)
DELIVERY_FLAGS = ("smtp", "smtp_user", "smtp_starttls", "smtp_ssl", "sender", "to", "webhook",
                  "state")


def delivery_options(command):
    """--notify, --digest and where their messages go (flags win over the environment, which
    wins over the notify config file)."""
    for option in reversed([
        click.option("--notify", is_flag=True,
                     help="Send each newly firing alert once, by email and/or webhook, "
                          "grouped per business user; again only after it cleared."),
        click.option("--digest", is_flag=True,
                     help="Send the daily digest: per business user, KPIs of the data's last "
                          "day and last 7 days vs the periods before, and its open alerts."),
        click.option("--dry-run", is_flag=True,
                     help="With --notify/--digest: print what would be sent; send nothing, "
                          "change no state (exit 1 when something would be sent)."),
        click.option("--date", "digest_date", type=click.DateTime(formats=["%Y-%m-%d"]),
                     metavar="YYYY-MM-DD",
                     help="--digest: its last day (default: the data's last active day)."),
        click.option("--force", is_flag=True,
                     help="--digest: send it even if it was already sent for that day."),
        click.option("--smtp", metavar="HOST:PORT",
                     help="SMTP server [$CAMPAIGN_BI_SMTP; default localhost:25]."),
        click.option("--smtp-user", metavar="USER",
                     help="SMTP login [$CAMPAIGN_BI_SMTP_USER]; its password only from "
                          "$CAMPAIGN_BI_SMTP_PASSWORD or the notify config."),
        click.option("--smtp-starttls/--no-smtp-starttls", default=None,
                     help="Upgrade the SMTP connection with STARTTLS [$CAMPAIGN_BI_SMTP_STARTTLS]."),
        click.option("--smtp-ssl/--no-smtp-ssl", default=None,
                     help="SMTP over TLS from the start, usually port 465 [$CAMPAIGN_BI_SMTP_SSL]."),
        click.option("--mail-from", "sender", metavar="ADDR",
                     help="Sender of the emails [$CAMPAIGN_BI_ALERT_FROM]."),
        click.option("--mail-to", "to", metavar="ADDR", multiple=True,
                     help="Recipient of every business user's alerts (admins); repeatable "
                          "[$CAMPAIGN_BI_ALERT_TO, comma-separated]. A business user's own "
                          "people: [recipients] in the notify config."),
        click.option("--webhook", metavar="URL",
                     help="Slack-compatible webhook for every business user's alerts "
                          "[$CAMPAIGN_BI_WEBHOOK]."),
        click.option("--state", "state", type=click.Path(dir_okay=False, path_type=Path),
                     help="Delivery state file [$CAMPAIGN_BI_ALERT_STATE; default: beside the "
                          "warehouse, <db>.alerts-sent.json]."),
        click.option("--notify-config", type=click.Path(dir_okay=False, path_type=Path),
                     help="Delivery settings TOML [$CAMPAIGN_BI_NOTIFY_CONFIG] (docs/ALERTS.md)."),
    ]):
        command = option(command)
    return command


@click.command()
@db_option()
@filter_options
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Alert rules TOML (default: semantic/runtime/alerts.toml).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@delivery_options
def alerts(db_path: Path, config_path, fmt, notify, digest, dry_run, digest_date, force,
           notify_config, **options) -> None:
    """Evaluate the alert rules per campaign; exit 1 when any alert fires (for cron).

    With --notify, send the newly firing ones by email and/or webhook; with --digest, send the
    daily digest (docs/ALERTS.md). Exit codes then: 0 all delivered (or nothing new), 2 a
    message not delivered (it goes out on the next run) or an error; with --dry-run, 1 when
    something would be sent."""
    from semantic.runtime.alerts import evaluate, load_config

    flags = {name: options.pop(name) for name in DELIVERY_FLAGS}
    filters = filters_from(options)
    if notify or digest:
        _check_delivery_usage(notify, digest, digest_date, force, filters, fmt)
        _deliver(db_path, config_path, notify_config, flags, filters, digest=digest,
                 dry_run=dry_run, day=digest_date.date() if digest_date else None, force=force)
        return
    from semantic.notify.config import flag_name

    given = [flag_name(n) for n, v in flags.items() if v not in (None, ())]
    given += [flag for flag, value in (("--dry-run", dry_run), ("--date", digest_date),
                                       ("--force", force), ("--notify-config", notify_config))
              if value]
    if given:
        raise CommandError(f"{given[0]} is for delivery: add --notify (alerts) or --digest")
    layer = open_layer(db_path)
    try:
        fired = evaluate(layer, filters, None, load_config(config_path))
    except CampaignBIError as exc:
        raise failed(exc) from None
    finally:
        layer.close()
    if fmt == "json":
        records = [
            {**row, "campaign": int(row["campaign"]), "business_user": int(row["business_user"])}
            for row in fired.to_dict(orient="records")
        ]
        click.echo(json.dumps(records, indent=2, default=str))
    elif fired.empty:
        click.echo("no alerts")
    else:
        click.echo(_table(fired))
    raise SystemExit(FOUND if len(fired) else 0)


def _check_delivery_usage(notify: bool, digest: bool, digest_date, force: bool,
                          filters: dict, fmt: str) -> None:
    if notify and digest:
        raise CommandError("--notify and --digest are separate runs: give one of them")
    if digest_date and not digest:
        raise CommandError("--date is the digest's last day: use it with --digest")
    if force and not digest:
        raise CommandError("--force resends a digest: use it with --digest (an alert is sent "
                           "again once it cleared and fires again)")
    if digest and ({"date_from", "date_to"} & set(filters)):
        raise CommandError("the digest picks its own periods: give --date YYYY-MM-DD (its "
                           "last day) instead of --date-from/--date-to")
    if fmt != "table":
        raise CommandError("--format is for the alert list; --notify and --digest send "
                           "messages (see --dry-run)")


def _deliver(db_path: Path, config_path, notify_config, flags: dict, filters: dict, *,
             digest: bool, dry_run: bool, day, force: bool) -> None:
    """--notify / --digest: resolve the settings, open the warehouse read-only, send, report
    one line per message (failures on stderr) and exit 0, 1 (dry run: something to send)
    or 2 (a message not delivered)."""
    from semantic.notify import config, state
    from semantic.notify.deliver import notify as send_alerts
    from semantic.notify.digest import send_digests
    from semantic.runtime.alerts import load_config

    try:
        settings = config.resolve(flags, config=notify_config)
        settings.check_ready()
        rules = load_config(config_path)
    except CampaignBIError as exc:
        raise failed(exc) from None
    for warning in settings.warnings:
        click.echo(f"warning: {warning}", err=True)
    state_path = settings.state or state.default_path(db_path)
    layer = open_layer(db_path)
    try:
        if digest:
            end, outcome = send_digests(layer, settings, state_path, filters=filters,
                                        rules=rules, day=day, dry_run=dry_run, force=force)
            what = f"digest for {end.isoformat()}" + ("" if day else " (the data's last day)")
        else:
            outcome = send_alerts(layer, settings, state_path, filters=filters, rules=rules,
                                  dry_run=dry_run)
            what = f"{outcome.open_alerts} alert(s) open"
    except CampaignBIError as exc:
        raise failed(exc) from None
    finally:
        layer.close()
    if dry_run:
        for destination, message in outcome.planned:
            click.echo(f"--- would send to {destination.label}: {message.subject}")
            if destination.kind == "email":
                click.echo(message.text)
            else:
                click.echo(json.dumps(message.payload, indent=1, ensure_ascii=False))
        click.echo(f"dry run, {what}: {len(outcome.planned)} message(s) would be sent; "
                   "nothing sent, state unchanged")
        raise SystemExit(FOUND if outcome.planned else 0)
    for line in outcome.sent + outcome.skipped:
        click.echo(line)
    for line in outcome.failed:
        click.echo(f"error: {line}", err=True)
    if outcome.sent or outcome.failed:
        click.echo(f"{what}: {len(outcome.sent)} message(s) sent, {len(outcome.failed)} "
                   f"not delivered")
    else:
        click.echo(f"{what}: nothing new to send")
    raise SystemExit(ERROR if outcome.failed else 0)


def _table(fired) -> str:
    from semantic.notify.messages import format_value as show

    rows = [("campaign", "project", "user", "rule", "value", "threshold")]
    for r in fired.itertuples(index=False):
        rows.append((str(r.campaign), str(r.project), str(r.business_user), r.rule,
                     show(r.value, r.unit), show(r.threshold, r.unit)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    return "\n".join(lines) + f"\n{len(fired)} alert(s)"


def os_user() -> str:
    """Who runs the command, for the export audit (the uid when there is no user name)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no login name and no passwd entry
        return f"uid:{os.getuid()}"


@click.command("export-leads")
@click.option("--out", "out_path", type=click.Path(path_type=Path), required=True,
              help="CSV file to write; given a folder, a file named after the filters.")
@db_option()
@filter_options
def export_leads(out_path: Path, db_path: Path, **options) -> None:
    """Write the filtered leads (with PII) to a CSV file and print the row count.

    The file is created readable by its owner only; the export is refused above
    CAMPAIGN_BI_EXPORT_MAX_ROWS leads (default 2,000,000) and recorded (who, when, filters,
    rows, file name; no lead data) in CAMPAIGN_BI_AUDIT_LOG (default data/exports_audit.jsonl).
    The date range applies to the day a lead was added.
    """
    import duckdb

    from semantic.access.export import export_file_name
    from semantic.access.export import export_leads as run_export

    filters = filters_from(options)
    if out_path.is_dir():
        out_path = out_path / export_file_name(filters, dt.date.today())
    layer = open_layer(db_path)
    try:
        rows = run_export(layer, out_path, filters, None, actor=os_user())
    except CampaignBIError as exc:
        raise failed(exc) from None
    except (OSError, duckdb.Error) as exc:
        reason = getattr(exc, "strerror", None) or str(exc).strip().splitlines()[0]
        raise CommandError(f"{out_path}: cannot write ({reason})") from None
    finally:
        layer.close()
    click.echo(f"{rows} leads written to {out_path}")
