"""`campaign-bi query | sql | catalog`: the semantic layer from the command line.

    campaign-bi query --metric spend --metric cpl --by project --from 2024-07-01 --to 2024-07-31
    campaign-bi query -m spend,leads,cpl --by week --business-user 1411 --format csv
    campaign-bi query -m cpl --by project --sql --dialect spark      # print SQL, no database
    campaign-bi query -m spend,cpl --by week --engine spark --lake data/lake   # run on Spark
    campaign-bi sql "SELECT project, sum(spend) FROM marts.campaign_daily GROUP BY 1"
    campaign-bi catalog

The filter options are the catalog's filters (semantic/cli/options.py). Errors (missing
database, unknown metric, sandbox refusal, ...) are one line and exit 2.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

import click

from semantic import catalog as cat
from semantic.cli.options import (
    db_option,
    failed,
    filter_options,
    filters_from,
    open_layer,
    open_spark_layer,
)
from semantic.dialects import DIALECTS
from semantic.errors import CampaignBIError
from semantic.paths import DEFAULT_LAKE, LAKE_ENV

ENGINES = ("duckdb", "spark")

if TYPE_CHECKING:
    import pandas as pd



def _split(values: Iterable[str]) -> list[str]:
    """Repeated options and comma lists both work: `-m spend -m cpl` or `-m spend,cpl`."""
    return [part.strip() for v in values for part in v.split(",") if part.strip()]


def _format_value(value, unit: str | None) -> str:
    import pandas as pd  # here, not at import: `campaign-bi ingest` never needs it

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if unit == "money":
        return f"{value:,.2f}"
    if unit == "percent":
        return f"{value:.2%}"
    if unit in ("ratio", "hours"):
        return f"{value:,.2f}"
    if unit == "count":
        return f"{int(value):,}"
    return str(value)


def render(df: pd.DataFrame, fmt: str) -> str:
    """A result frame as an aligned table (for people), CSV or JSON records (raw values)."""
    import pandas as pd
    if fmt == "csv":
        return df.to_csv(index=False, date_format="%Y-%m-%d").rstrip("\n")
    if fmt == "json":
        out = df.copy()
        for col in out.columns:
            if pd.api.types.is_datetime64_any_dtype(out[col]):
                out[col] = out[col].dt.strftime("%Y-%m-%d")
        return json.dumps(json.loads(out.to_json(orient="records", double_precision=15)),
                          ensure_ascii=False, indent=1)
    if df.empty:
        return "(no rows)"
    units = {n: m.unit for n, m in cat.METRICS.items()}
    cells = [[_format_value(v, units.get(c)) for v in df[c].tolist()] for c in df.columns]
    labels = [cat.METRICS[c].label if c in cat.METRICS else c for c in df.columns]
    widths = [max(len(h), *(len(x) for x in col)) for h, col in zip(labels, cells, strict=True)]
    numeric = [c in cat.METRICS for c in df.columns]
    lines = ["  ".join(h.rjust(w) if n else h.ljust(w)
                       for h, w, n in zip(labels, widths, numeric, strict=True)).rstrip()]
    for row in zip(*cells, strict=True):
        lines.append("  ".join(x.rjust(w) if n else x.ljust(w)
                               for x, w, n in zip(row, widths, numeric, strict=True)).rstrip())
    return "\n".join(lines)


@click.command()
@click.option("--metric", "-m", "metrics", multiple=True, required=True,
              help="Metric to compute (repeat or comma-separate); see `campaign-bi catalog`.")
@click.option("--by", "dimensions", multiple=True,
              help="Dimension to break down by (repeat or comma-separate), e.g. project, week.")
@filter_options
@db_option()
@click.option("--tenant", metavar="ID", help="Business user id every result is confined to.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
@click.option("--sql", "show_sql", is_flag=True, help="Print the SQL instead of running it.")
@click.option("--dialect", type=click.Choice(DIALECTS), default=None,
              show_default="the engine's",
              help="SQL dialect for --sql (any dialect but the engine's implies --sql).")
@click.option("--engine", type=click.Choice(ENGINES), default="duckdb", show_default=True,
              help="What computes the answer: the DuckDB warehouse (--db) or Apache Spark "
                   "over a Parquet lake (--lake, written by `campaign-bi export-parquet`).")
@click.option("--lake", "lake", metavar="DIR_OR_URI", default=None,
              show_default=f"${LAKE_ENV} or {DEFAULT_LAKE}",
              help="The lake Spark reads (a folder, or a URI the cluster can read).")
@click.option("--spark", "spark_url", envvar="CAMPAIGN_BI_SPARK", metavar="URL", default=None,
              help="Spark Connect URL (sc://host:15002) or master URL; default: a local "
                   "Spark session ($CAMPAIGN_BI_SPARK).")
def query(metrics, dimensions, db_path, tenant, fmt, show_sql, dialect, engine, lake,
          spark_url, **options) -> None:
    """Compute metrics by dimensions from the warehouse (or on Spark, from its lake)."""
    filters = filters_from(options)
    dialect = dialect or engine
    try:
        from semantic.compiler import compile_query, make_query  # not for other commands

        request = make_query(_split(metrics), _split(dimensions), filters, tenant)
        if show_sql or dialect != engine:
            click.echo(compile_query(request, dialect).sql)
            return
        layer = open_layer(db_path) if engine == "duckdb" else open_spark_layer(lake, spark_url)
        try:
            df = layer.query(request.metrics, request.dimensions, request.filters,
                             request.tenant)
        finally:
            layer.close()
    except CampaignBIError as exc:
        raise failed(exc) from None
    for note in df.attrs.get("notes", []):
        click.echo(f"note: {note}", err=True)
    click.echo(render(df, fmt))


@click.command()
@click.argument("text", metavar="QUERY")
@db_option()
@click.option("--format", "fmt", type=click.Choice(["table", "csv"]), default="table",
              show_default=True)
def sql(text, db_path, fmt) -> None:
    """Run one read-only SQL query in a sandbox (no writes, files, extensions or SET)."""
    try:
        layer = open_layer(db_path)
        try:
            df = layer.sql(text)
        finally:
            layer.close()
    except CampaignBIError as exc:
        raise failed(exc) from None
    if fmt == "csv":
        click.echo(df.to_csv(index=False).rstrip("\n"))
    else:
        click.echo(df.to_string(index=False) if not df.empty else "(no rows)")


def _table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                     for r in rows)


@click.command()
@click.option("--format", "fmt", type=click.Choice(["table", "markdown"]), default="table",
              show_default=True)
def catalog(fmt: str) -> None:
    """List every metric, dimension and filter of the semantic layer."""
    if fmt == "markdown":
        from semantic.catalog.doc import render_markdown

        click.echo(render_markdown(), nl=False)
        return
    metric_rows = [("metric", "label", "unit", "additivity", "formula")]
    metric_rows += [(m.name, m.label, m.unit, m.additivity, m.formula)
                    for m in cat.METRICS.values()]
    dim_rows = [("dimension", "label", "kind", "description")]
    dim_rows += [(d.name, d.label, d.kind, d.description) for d in cat.DIMENSIONS.values()]
    filter_rows = [("filter", "label", "kind", "description")]
    filter_rows += [(f.name, f.label, f.kind, f.description) for f in cat.FILTERS.values()]
    click.echo("\n\n".join(_table(rows) for rows in (metric_rows, dim_rows, filter_rows)))
    click.echo("\nRatios are ratios of sums at the query grain, returned as fractions; a zero "
               "denominator gives NULL.")
