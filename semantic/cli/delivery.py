"""`campaign-bi alerts` and `campaign-bi export-leads`: the dashboard's alerts and leads export
from the command line (cron, scripts). Registered on the `campaign-bi` group in semantic/cli/__init__.py.

Exit codes (semantic/cli/options.py): 0 success (alerts: none fired), 1 alerts fired, 2 an
error (one line on stderr).
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from pathlib import Path

import click

from semantic.cli.options import (
    FOUND,
    CommandError,
    db_option,
    failed,
    filter_options,
    filters_from,
    open_layer,
)
from semantic.errors import CampaignBIError


@click.command()
@db_option()
@filter_options
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Alert rules TOML (default: semantic/runtime/alerts.toml).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
def alerts(db_path: Path, config_path, fmt, **options) -> None:
    """Evaluate the alert rules per campaign; exit 1 when any alert fires (for cron)."""
    from semantic.runtime.alerts import evaluate, load_config

    filters = filters_from(options)
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


def _table(fired) -> str:
    from semantic.catalog import DECIMALS

    def show(value, unit):
        if value != value:  # NaN
            return "–"
        if unit == "percent":
            return f"{value * 100:.{DECIMALS['percent'] + 1}f}%"
        return f"{value:,.{DECIMALS.get(unit, 2)}f}"

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
