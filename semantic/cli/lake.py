"""`campaign-bi export-parquet OUT`: the lake Spark reads (semantic/builder/lake.py).

    campaign-bi export-parquet data/lake --db data/warehouse.duckdb
    campaign-bi query -m spend,cpl --by week --engine spark --lake data/lake

OUT is replaced atomically: readers see the previous lake or the new one, never a part.
"""

from __future__ import annotations

from pathlib import Path

import click

from semantic.cli.options import CommandError, db_option, failed, progress
from semantic.errors import CampaignBIError


@click.command("export-parquet")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@db_option("Warehouse file to export (opened read-only).")
def export_parquet(out: Path, db_path: Path) -> None:
    """Write the tables the semantic layer reads as Parquet into OUT (a lake for
    `query --engine spark`), with a manifest.json; OUT is replaced atomically."""
    from semantic.builder.lake import export_parquet as export

    if not db_path.exists():
        raise CommandError(f"{db_path}: no warehouse here; build it with `just ingest` or "
                           "`campaign-bi ingest EXPORTS_DIR --db PATH`")
    try:
        manifest = export(db_path, out, progress=progress)
    except (CampaignBIError, OSError) as exc:
        raise failed(exc) from None
    tables = manifest["tables"]
    click.echo(f"{'table':<30} {'rows':>12} {'files':>6}  partitioned by")
    for name, table in tables.items():
        parts = table["partitioned_by"]
        by = f"month of {parts['month_of']}" if parts else "-"
        click.echo(f"{name:<30} {table['rows']:>12,} {len(table['files']):>6}  {by}")
    click.echo(f"lake ready: {out} (data version {manifest['data_version'] or 'unversioned'})")
