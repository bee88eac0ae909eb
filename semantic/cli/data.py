"""`campaign-bi sample | ingest | migrate | generate-sql`: building the warehouse."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from semantic.cli.options import FOUND, CommandError, db_option, failed, progress
from semantic.errors import ReconciliationError, UnusableInputError


@click.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write the four CSV exports into.",
)
@click.option(
    "--scale",
    type=click.FloatRange(min=0.001),
    default=1.0,
    show_default=True,
    help="1 ≈ the real platform's size (57k leads); 100 ≈ 5.7M leads.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same files.")
@click.option("--deltas", type=click.IntRange(min=0), default=0, show_default=True,
              help="Also split the export into OUT-daily/base plus one partial export per day "
                   "for the last N days, to try `ingest --append`.")
def sample(out_dir: Path, scale: float, seed: int, deltas: int) -> None:
    """Write realistic synthetic exports (with real-world dirt) to --out."""
    from semantic.sample import generate

    counts = generate(out_dir, scale=scale, seed=seed, progress=progress)
    for name, rows in counts.items():
        click.echo(f"{name:<26} {rows:>12,} rows")
    if deltas:
        from semantic.sample.deltas import split_by_day

        daily = out_dir.with_name(out_dir.name + "-daily")
        base, days = split_by_day(out_dir, daily, deltas)
        click.echo(f"base export (before {days[0].name if days else '-'}): {base}")
        for day in days:
            click.echo(f"daily export: {day}")


@click.command()
@click.argument("source_dir", type=click.Path(path_type=Path))
@db_option("Warehouse file to (re)build, or with --append to merge into.")
@click.option("--append", is_flag=True,
              help="Merge a partial export (any of the four files, e.g. one day's) into the "
                   "existing warehouse instead of rebuilding it.")
@click.option("--export-tz", envvar="CAMPAIGN_BI_EXPORT_TZ", default=None,
              help="IANA time zone the export writes timestamps in (default: the reporting "
                   "zone, i.e. no conversion).")
@click.option("--report-tz", envvar="CAMPAIGN_BI_REPORT_TZ", default=None,
              help="IANA time zone days, weeks, months and hours are reported in (default: "
                   "the export's).")
def ingest(source_dir: Path, db_path: Path, append: bool, export_tz: str | None,
           report_tz: str | None) -> None:
    """Validate the CSV exports in SOURCE_DIR and atomically replace the warehouse with them
    (with --append: with the warehouse merged with them)."""
    import duckdb

    from semantic.builder.ingest import ingest as run_ingest

    try:
        summaries = run_ingest(source_dir, db_path, append=append, export_tz=export_tz,
                               report_tz=report_tz, progress=progress)
    except (UnusableInputError, ReconciliationError) as exc:
        raise failed(exc) from None
    except (duckdb.Error, OSError) as exc:
        raise CommandError("ingest failed, the previous warehouse is unchanged: "
                           + str(failed(exc).message)) from None
    for s in summaries:
        for warning in s.warnings:
            click.echo(f"warning: {warning}", err=True)
    click.echo(f"{'file':<26} {'read':>12} {'loaded':>12} {'duplicates':>11} {'rejected':>9}")
    for s in summaries:
        click.echo(
            f"{s.file:<26} {s.read:>12,} {s.loaded:>12,} {s.duplicates:>11,} {s.rejected:>9,}"
        )
    sums = [t for s in summaries for t in s.tallies if t.measure != "rows"]
    if sums:
        click.echo("reconciled sums (in the file = loaded + duplicates + rejected):")
        for t in sums:
            shown = [f"{v:,.2f}" if t.measure == "spend" else f"{v:,}"
                     for v in (t.source, t.loaded, t.duplicates, t.rejected)]
            unreadable = f" ({t.unreadable:,} rejected rows unreadable)" if t.unreadable else ""
            click.echo(f"  {t.file} {t.measure}: {shown[0]} = {shown[1]} + {shown[2]} + "
                       f"{shown[3]}{unreadable}")
    rejected = sum(s.rejected for s in summaries)
    if rejected:
        click.echo(
            f"{rejected:,} rejected rows are listed in meta.rejected_rows of {db_path}", err=True
        )
    click.echo(f"warehouse ready: {db_path}")


@click.command()
@db_option("Warehouse file to bring up to date.")
def migrate(db_path: Path) -> None:
    """Apply pending SQL migrations to an existing warehouse (a no-op when up to date)."""
    import duckdb

    from semantic.builder import migrations

    if not db_path.exists():
        raise CommandError(f"{db_path}: no warehouse here; run `campaign-bi ingest` first")
    con = duckdb.connect(str(db_path))
    try:
        done = migrations.apply(con)
    finally:
        con.close()
    click.echo(f"applied {len(done)} migration(s)" + "".join(f"\n  {m.file_name}" for m in done))


@click.command("generate-sql")
@click.option("--check", is_flag=True,
              help="Only compare: name the files that differ from the catalog and exit 1.")
def generate_sql(check: bool) -> None:
    """Write the SQL migrations generated from the catalog (status rules, metric views)."""
    from semantic.builder import generate

    differ = generate.write(check=check)
    if check and differ:
        click.echo(f"out of date with the catalog: {', '.join(differ)} "
                   "(run `campaign-bi generate-sql`)", err=True)
        sys.exit(FOUND)
    click.echo(f"{'rewrote' if differ else 'up to date'}: "
               f"{', '.join(differ or generate.files())}")
