"""What every `campaign-bi` command shares: the one --db option, the filter options (declared
by the catalog: one option per filter, its help the filter's description), the error type and
the exit codes.

Exit codes: 0 done; 1 a check found something to act on (`alerts`: alerts fired;
`generate-sql --check`: a generated file is out of date); 2 an error (bad usage or input, no
warehouse, a refused ingest or export), as one line on stderr, never a traceback.
`alerts --notify` / `--digest` deliver instead of checking: 0 everything due was delivered (or
nothing was due), 2 a message was not delivered (one `error:` line per message; it goes out on
the next run) or an error; with `--dry-run`, 1 means something would be sent.
"""

from __future__ import annotations

from pathlib import Path

import click

from semantic import catalog
from semantic.errors import CampaignBIError
from semantic.paths import DEFAULT_DB, default_db

FOUND = 1  # a check found something: alerts fired, a generated file is stale
ERROR = 2


class CommandError(click.ClickException):
    """One line on stderr (`error: ...`, as the ingest has always written it) and exit code 2
    (1 means "a check found something")."""

    exit_code = ERROR

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", err=True, file=file)


def failed(exc: BaseException) -> CommandError:
    text = str(exc).strip()
    return CommandError(text.splitlines()[0] if text else type(exc).__name__)


def db_option(help_text: str = "Warehouse file (opened read-only).") -> click.decorators.FC:
    return click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
                        default=default_db, show_default=f"$CAMPAIGN_BI_DB or {DEFAULT_DB}",
                        help=help_text)


def open_layer(db_path: Path):
    """The semantic layer on an existing warehouse, or a one-line error."""
    import semantic

    if not db_path.exists():
        raise CommandError(f"{db_path}: no warehouse here; build it with `just ingest` or "
                           "`campaign-bi ingest EXPORTS_DIR --db PATH`")
    try:
        return semantic.connect(db_path)
    except CampaignBIError as exc:
        raise failed(exc) from None


def open_spark_layer(lake: str | None, spark: str | None):
    """The semantic layer on Spark over a lake (`export-parquet`), or a one-line error."""
    import semantic

    try:
        return semantic.connect(engine="spark", lake=lake, spark=spark)
    except CampaignBIError as exc:
        raise failed(exc) from None


def filter_options(command):
    """One option per catalog filter (`--business-user ID`, `--date-from YYYY-MM-DD`, with the
    filter's shorter aliases), each passed to the command under the filter's name. List
    filters repeat (ids may also be comma-separated)."""
    for spec in reversed(catalog.FILTERS.values()):
        notes = (n[0].upper() + n[1:].rstrip(".") + "." for n in spec.notes)
        help_text = " ".join((spec.description, *notes))
        if spec.is_list:
            help_text += " Repeatable."
        command = click.option(spec.option, *spec.aliases, spec.name, multiple=spec.is_list,
                               metavar=spec.metavar, help=help_text)(command)
    return command


def filters_from(options: dict) -> dict:
    """The filters among a command's options (removed from `options`), as the layer takes
    them: only those given."""
    out: dict = {}
    for name, spec in catalog.FILTERS.items():
        value = options.pop(name, None)
        if spec.kind == "integer_list":
            value = [part.strip() for v in value or () for part in v.split(",") if part.strip()]
        if value:
            out[name] = list(value) if spec.is_list else value
    return out


def progress(message: str) -> None:
    click.echo(message, err=True)
