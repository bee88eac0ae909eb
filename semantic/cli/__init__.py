"""`campaign-bi`: sample data, ingest, migrations, queries, alerts and exports from one command.

    data.py      sample, ingest, migrate, generate-sql   (building the warehouse)
    query.py     query, sql, catalog                      (reading it)
    delivery.py  alerts, export-leads                     (for cron and call teams)
    users.py     users add | list                         (production accounts)
    options.py   --db, the catalog's filter options, errors and exit codes

Exit codes: 0 done; 1 a check found something (alerts fired, a generated file is stale); 2 an
error, as one line on stderr.
"""

from __future__ import annotations

import sys

import click

from semantic.cli import data, delivery, lake, query, tokens, users
from semantic.cli.options import ERROR
from semantic.errors import CampaignBIError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Campaign and lead analytics over a DuckDB warehouse of lead-ad exports.

    Exit codes: 0 done, 1 a check found something (alerts fired), 2 an error."""


for _command in (data.sample, data.ingest, data.migrate, data.generate_sql, query.query,
                 query.sql, query.catalog, delivery.alerts, delivery.export_leads, users.users,
                 users.embed_url, tokens.tokens, lake.export_parquet):
    main.add_command(_command)


def run() -> None:
    """Entry point: typed errors become one line and exit code 2, never a traceback."""
    try:
        main(standalone_mode=True)
    except CampaignBIError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(ERROR)
