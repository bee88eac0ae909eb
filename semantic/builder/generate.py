"""SQL migrations written from the catalog, so a rule or a formula is defined once.

`campaign-bi generate-sql` writes them into sql/ (`--check` only compares); a test fails when a
file differs from what this module writes today. They are derived migrations: a warehouse
built with other contents recomputes its derived tables on its next ingest or append
(`migrations.forget_changed_derived`).

- `003_status_stages.sql`: the status rules (catalog.STATUSES, catalog.STAGES) as rows.
- `022_marts_metric_views.sql`: the metric views for direct SQL users (marts.kpis,
  campaign_metrics, daily_trends, project_segments), each the compiler's own query for its
  grouping, so their formulas are the catalog's. After the marts they read (the compiler's
  queries use the mart's `facts` column, sql/019); CREATE OR REPLACE, as warehouses built
  before held hand-written views of the same names.
"""

from __future__ import annotations

from pathlib import Path

from sqlglot import exp

from semantic import catalog
from semantic.builder.migrations import SQL_DIR
from semantic.compiler import compile_query, make_query

HEADER = ("-- Generated from semantic/catalog/ by `campaign-bi generate-sql`: do not edit; "
          "change the catalog and run it again.\n")


def _sql_text(value: object) -> str:
    return exp.convert(value).sql(dialect="duckdb")


def _values_table(name: str, columns: tuple[str, ...], rows: list[tuple]) -> str:
    body = ",\n    ".join("(" + ", ".join(_sql_text(v) for v in row) + ")" for row in rows)
    return (f"CREATE TABLE {name} AS\nSELECT * FROM (VALUES\n    {body}\n) "
            f"AS t({', '.join(columns)});\n")


def status_stages() -> str:
    stages = catalog.STAGES
    statuses = _values_table(
        "core.status_stages",
        ("status", "stage", "stage_order", "is_qualified", "is_deal", "is_contact",
         "is_first_contact"),
        [(s.name, s.stage, stages[s.stage].order, stages[s.stage].qualified, s.deal,
          s.contact, s.first_contact) for s in catalog.STATUSES.values()])
    funnel = _values_table(
        "core.stages", ("stage", "stage_order", "label", "is_qualified"),
        [(s.name, s.order, s.label, s.qualified) for s in stages.values()])
    return (
        "-- core.status_stages: one row per known lead status with its funnel stage and the "
        "rules that read it;\n-- core.stages: the funnel stages in order. A status not listed "
        f"is in stage {catalog.OTHER_STAGE!r} and counts as a contact.\n"
        + statuses
        + "COMMENT ON TABLE core.status_stages IS 'One row per known lead status: its funnel "
          "stage and position, whether a lead now in it is qualified or a deal, and whether "
          "logging it counts as contacting the lead (is_contact) and as its first contact "
          "(is_first_contact). Statuses not listed are in stage other and count as both.';\n"
        + funnel
        + "COMMENT ON TABLE core.stages IS 'The funnel stages in funnel order, with their "
          "labels and whether a lead in them is qualified.';\n")


def _compiled(metrics, dimensions=()) -> exp.Select:
    return compile_query(make_query(metrics, dimensions)).shape.tree.copy()  # not the cached one


def _view(name: str, select: exp.Expression, comment: str) -> str:
    return (f"CREATE OR REPLACE VIEW {name} AS\n{select.sql(dialect='duckdb', pretty=True)};\n"
            f"COMMENT ON VIEW {name} IS {_sql_text(comment)};\n")


def _subquery(select: exp.Expression, alias: str) -> exp.Subquery:
    return exp.Subquery(this=select, alias=exp.TableAlias(this=exp.to_identifier(alias)))


#: the public views' metrics, in their column order (as before they were generated)
KPIS = tuple(catalog.METRICS)
CAMPAIGN_METRICS = tuple(m for m in catalog.METRICS if m != "cost_per_deal")
CAMPAIGN_ATTRIBUTES = ("campaign_id", "business_user", "project", "start_time", "stop_time",
                       "daily_budget")
DAILY_TRENDS = ("spend", "impressions", "clicks", "reach", "leads", "qualified_leads", "deals",
                "status_changes", "budget", "ctr", "cpl", "budget_utilization")
PROJECT_SEGMENTS = ("spend", "impressions", "clicks", "leads", "qualified_leads", "deals", "ctr",
                    "cpl", "cost_per_qualified_lead", "qualification_rate")


def _additive(metric: str) -> bool:
    spec = catalog.METRICS[metric]
    return spec.measure is not None and spec.additivity != "median"


def _by_key(metrics: tuple[str, ...], dimension: str, column: str, rows: exp.Select,
            present: exp.Expression | None = None) -> exp.Select:
    """`rows` (reading the mart's keys as `k`) with the compiled query by `dimension` joined on
    `k.column`: a key whose mart rows carry no fact (the compiler leaves it out) gets 0 for
    sums and counts (where `present`, if given) and NULL for ratios, as a hand-written SUM
    over the mart gives."""
    def shown(metric: str) -> exp.Expression:
        value = exp.column(metric, "m")
        if not _additive(metric):
            return value
        zero = exp.func("coalesce", value, exp.Literal.number(0))
        return exp.If(this=present, true=zero) if present is not None else zero

    return rows.select(*(exp.alias_(shown(m), m) for m in metrics)).join(
        _subquery(_compiled(metrics, (dimension,)), "m"), join_type="LEFT",
        on=exp.column(dimension, "m").eq(exp.column(column, "k")))


def _mart_keys(column: str, alias: str = "k", *more: exp.Expression) -> exp.Subquery:
    keys = exp.select(exp.column(column, "d"), *more).from_(
        exp.to_table(catalog.MART.table).as_("d")).group_by(exp.column(column, "d"))
    return _subquery(keys, alias)


def metric_views() -> str:
    kpis = _view("marts.kpis", _compiled(KPIS),
                 "One row, all time: every metric of METRICS.md (reach is the sum of daily "
                 "reach). Ratios are ratios of sums, NULL on a zero denominator. Generated from "
                 "the catalog.")
    every_campaign = exp.select(*(exp.column(c, "c") for c in CAMPAIGN_ATTRIBUTES)).from_(
        exp.to_table("core.campaigns").as_("c")).join(
        _mart_keys("campaign_id"), join_type="LEFT",
        on=exp.column("campaign_id", "k").eq(exp.column("campaign_id", "c")))
    per_campaign = _by_key(CAMPAIGN_METRICS, "campaign", "campaign_id", every_campaign,
                           exp.Not(this=exp.column("campaign_id", "k").is_(exp.null())))
    campaigns = _view("marts.campaign_metrics", per_campaign,
                      "One row per campaign (NULL metrics where it has no campaign x day row): "
                      "attributes, delivery (reach is the sum of daily), leads, qualified, deals, "
                      "contacted, median hours to first contact, planned budget and ratios of "
                      "sums. Generated from the catalog.")
    per_day = _by_key(DAILY_TRENDS, "day", "day", exp.select(exp.column("day", "k")).from_(
        _mart_keys("day"))).order_by(exp.column("day", "k"))
    trends = _view("marts.daily_trends", per_day,
                   "One row per day: spend, delivery, leads (by arrival day), status changes "
                   "(by change day), planned budget and CTR/CPL/utilization as ratios of that "
                   "day's sums. Generated from the catalog.")
    counted = _mart_keys(
        "project", "k",
        exp.Count(this=exp.Distinct(expressions=[exp.column("campaign_id", "d")])).as_(
            "campaigns"),
        exp.Count(this=exp.Distinct(expressions=[exp.column("business_user", "d")])).as_(
            "business_users"))
    projects_counted = exp.select(*(exp.column(c, "k") for c in (
        "project", "campaigns", "business_users"))).from_(counted)
    per_project = _by_key(PROJECT_SEGMENTS, "project", "project", projects_counted).order_by(
        exp.Ordered(this=exp.column("spend"), desc=True, nulls_first=False),
        exp.column("project", "k"))
    projects = _view("marts.project_segments", per_project,
                     "One row per project (trimmed name): campaigns, business users, spend, "
                     "delivery, leads, qualified, deals and CTR/CPL/cost per qualified lead as "
                     "ratios of the project's sums. Generated from the catalog.")
    return ("-- The metric views for direct SQL users: the compiler's queries, so every formula "
            "is the catalog's.\n" + kpis + campaigns + trends + projects)


def files() -> dict[str, str]:
    """File name -> contents of every generated migration."""
    return {"003_status_stages.sql": HEADER + status_stages(),
            "022_marts_metric_views.sql": HEADER + metric_views()}


def write(sql_dir: Path = SQL_DIR, *, check: bool = False) -> list[str]:
    """Write the generated migrations (with `check`, only compare); returns the names of the
    files that differed."""
    differ = []
    for name, text in files().items():
        path = sql_dir / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            differ.append(name)
            if not check:
                path.write_text(text, encoding="utf-8")
    return differ
