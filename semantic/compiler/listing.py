"""Row-level queries beside the metrics: campaigns in scope, filter options, the leads export,
a campaign's leads and status log (the drill-down).

They scope rows with the same predicate code as the metric compiler (`predicates.scope`), so
a tenant and the filters mean the same thing everywhere; values are placeholders named as in
`predicates.parameters` (the search text of `option_matches`: `search`, `search_folded`).
"""

from __future__ import annotations

from sqlglot import exp

from semantic.catalog import CAMPAIGNS_TABLE, FACTS, MART, source_table
from semantic.compiler.predicates import column, conjunction, param, scope
from semantic.compiler.request import Filters

CAMPAIGN_COLUMNS = ("campaign_id", "business_user", "project", "start_time", "stop_time",
                    "daily_budget")
#: (core.leads column, export column), in export order
EXPORT_COLUMNS = (("lead_id", "id"), ("campaign_id", "campaign"), ("project", "project"),
                  ("business_user", "business_user"), ("name", "name"), ("email", "email"),
                  ("phone", "phone"), ("lead_status", "status"), ("stage", "stage"),
                  ("added_at", "added_date"))
_CAMPAIGNS = CAMPAIGNS_TABLE  # core.campaigns, sorted by business user: scoped reads are short
_SCOPE = {"business_user": "business_user", "project": "project", "campaign": "campaign_id"}


def _table(name: str, alias: str) -> exp.Table:
    schema, _, table = name.rpartition(".")
    return exp.Table(this=exp.to_identifier(table), db=exp.to_identifier(schema),
                     alias=exp.TableAlias(this=exp.to_identifier(alias)))


def _select(columns, table: str, alias: str, preds: list[exp.Expression]) -> exp.Select:
    select = exp.Select(expressions=list(columns))
    select.set("from_", exp.From(this=_table(table, alias)))
    where = conjunction(preds)
    if where is not None:
        select.set("where", exp.Where(this=where))
    return select


def campaigns(filters: Filters, tenant: int | None) -> exp.Select:
    """Campaigns in scope; with a date range, those whose planned run [start_day, stop_day]
    overlaps it or that have any fact (delivery, lead, status change) dated in it."""
    preds = scope(filters, tenant, columns=_SCOPE, table="c", date_column=None)
    if filters.date_from or filters.date_to:
        planned = []
        if filters.date_to:
            planned.append(exp.LTE(this=column("start_day", "c"),
                                   expression=param("date_to")))
        if filters.date_from:
            planned.append(exp.GTE(this=column("stop_day", "c"),
                                   expression=param("date_from")))
        # The mart carries the campaign's business user and project: the same scope there
        # lets zone maps skip every other business user's rows (the result is unchanged).
        mart = source_table(MART, filters.business_user, tenant, dated=True)
        facts = _select([column("campaign_id", "d")], mart, "d",
                        scope(filters, tenant, columns=MART.columns, table="d",
                              date_column=MART.date_column))
        any_fact = exp.In(this=column("campaign_id", "c"), query=facts.subquery(copy=False))
        preds.append(exp.Paren(this=exp.Or(this=exp.Paren(this=conjunction(planned)),
                                           expression=any_fact)))
    select = _select([column(c, "c") for c in CAMPAIGN_COLUMNS], _CAMPAIGNS, "c", preds)
    select.set("order", exp.Order(expressions=[exp.Ordered(this=column("campaign_id", "c"))]))
    return select


ATTRIBUTE_COLUMNS = ("start_time", "stop_time", "daily_budget")
ROWS_COLUMN = "_rows"


def counted(grouped: exp.Select) -> exp.Select:
    """`grouped` with `_rows`, the number of rows it has before its limit/offset."""
    return grouped.copy().select(
        exp.alias_(exp.Window(this=exp.Count(this=exp.Star())), ROWS_COLUMN), copy=False)


#: dimensions a campaign determines, by their column in the campaigns table
CAMPAIGN_ATTRIBUTES = {"project": "project", "business_user": "business_user"}


def with_campaign_attributes(grouped: exp.Select, filters: Filters, tenant: int | None,
                             count: bool, columns: tuple[str, ...] = ()) -> exp.Select:
    """`grouped` (a compiled query with a `campaign` dimension, maybe ordered and limited)
    with each row's planned run and daily budget joined on, in the same order; with `count`,
    also `_rows`: how many rows `grouped` has before its limit (a window count, so the
    grouping is not run a second time to count it). With `columns`, the result's columns
    (then `_rows`) in that order, CAMPAIGN_ATTRIBUTES among them read from the campaigns."""
    inner = counted(grouped) if count else grouped.copy()
    order = inner.args.get("order")
    # the same scope on the campaigns side lets its zone maps skip other business users
    on = [exp.EQ(this=column("campaign_id", "c"), expression=column("campaign", "q")),
          *scope(filters, tenant, columns=_SCOPE, table="c", date_column=None)]
    if columns:  # `grouped` lacks the CAMPAIGN_ATTRIBUTES among `columns`: read them in `c`
        first = [exp.alias_(column(CAMPAIGN_ATTRIBUTES[name], "c"), name)
                 if name in CAMPAIGN_ATTRIBUTES else column(name, "q") for name in columns]
        if count:
            first.append(column(ROWS_COLUMN, "q"))
    else:
        first = [exp.Column(this=exp.Star(), table=exp.to_identifier("q"))]
    select = exp.Select(expressions=[*first, *(column(a, "c") for a in ATTRIBUTE_COLUMNS)])
    select.set("from_", exp.From(this=exp.Subquery(
        this=inner, alias=exp.TableAlias(this=exp.to_identifier("q")))))
    select.set("joins", [exp.Join(this=_table(_CAMPAIGNS, "c"), side="LEFT",
                                  on=conjunction(on))])
    if order is not None:
        keys = []
        for key in order.expressions:
            key = key.copy()
            key.set("this", column(key.this.name, "q"))
            keys.append(key)
        select.set("order", exp.Order(expressions=keys))
    return select


def _distinct(col: str, table: str, preds: list[exp.Expression]) -> exp.Select:
    select = _select([column(col, "t")], table, "t", preds)
    select.set("distinct", exp.Distinct())
    select.set("order", exp.Order(expressions=[exp.Ordered(this=column(col, "t"))]))
    return select


def filter_options(tenant: int | None, business_users: tuple[int, ...]) -> dict[str, exp.Select]:
    """Queries for the values a filter panel offers. Projects and the date span are narrowed
    to the chosen business users; every query is narrowed to the tenant."""
    chosen = Filters(business_user=business_users)
    everyone = Filters()
    span = _select([exp.Min(this=column(MART.date_column, "t")).as_("date_min"),
                    exp.Max(this=column(MART.date_column, "t")).as_("date_max")],
                   MART.table, "t", scope(chosen, tenant, columns=MART.columns, table="t",
                                          date_column=None))
    return {
        "business_users": _distinct("business_user", _CAMPAIGNS, scope(
            everyone, tenant, columns=_SCOPE, table="t", date_column=None)),
        "projects": _distinct("project", _CAMPAIGNS, scope(
            chosen, tenant, columns=_SCOPE, table="t", date_column=None)),
        "lead_statuses": _distinct("lead_status", FACTS["leads"].table, scope(
            everyone, tenant, columns=FACTS["leads"].columns, table="t", date_column=None)),
        "dates": span,
    }


def option_matches(kind: str, text: str, tenant: int | None, business_users: tuple[int, ...],
                   limit: int) -> exp.Select:
    """The first `limit` business users whose id starts with `text`, or projects (of the
    chosen business users) whose name contains it, case-insensitively: the exact match first
    (for projects, the one in the same case before others), then those starting with `text`,
    then the rest; within each, shortest first, then in sorted order (ids: numerically).

    Shortest first also keeps the exact match first in the browser, which narrows the answer
    to an earlier, shorter text (`1`, `19`) to the labels containing the latest (`199`) until
    that one's answer arrives: no label containing `199` is shorter than `199` itself."""
    col = {"business_user": "business_user", "project": "project"}[kind]
    chosen = Filters(business_user=business_users if kind == "project" else ())
    preds = scope(chosen, tenant, columns=_SCOPE, table="t", date_column=None)
    value = column(col, "t")
    order: list[exp.Expression] = []
    if text:
        if kind == "business_user":  # an id's digits: shortest first is numeric order
            as_text = exp.cast(value.copy(), "VARCHAR")
            preds.append(exp.func("starts_with", as_text, param("search")))
            order.append(_rank([exp.EQ(this=as_text.copy(), expression=param("search"))]))
        else:
            folded, needle = exp.Lower(this=value.copy()), param("search_folded")
            preds.append(exp.func("contains", folded, needle))
            order += [_rank([exp.EQ(this=value.copy(), expression=param("search")),
                             exp.EQ(this=folded.copy(), expression=needle.copy()),
                             exp.func("starts_with", folded.copy(), needle.copy())]),
                      exp.Length(this=value.copy()), folded.copy()]
    # grouped, not DISTINCT: the order may use expressions of the value besides the value
    select = _select([value.copy()], _CAMPAIGNS, "t", preds)
    select.set("group", exp.Group(expressions=[value.copy()]))
    select.set("order", exp.Order(expressions=[exp.Ordered(this=key)
                                               for key in (*order, value.copy())]))
    select.set("limit", exp.Limit(expression=exp.Literal.number(limit)))
    return select


def search_values(text: str) -> dict[str, str]:
    """The values `option_matches` binds for the typed `text`."""
    typed = text.strip()
    return {"search": typed, "search_folded": typed.casefold()} if typed else {}


def _rank(conditions: list[exp.Expression]) -> exp.Case:
    """0 for rows meeting the first condition, 1 for the second, ...; len(conditions) else."""
    case = exp.Case()
    for position, condition in enumerate(conditions):
        case = case.when(condition, exp.Literal.number(position), copy=False)
    return case.else_(exp.Literal.number(len(conditions)), copy=False)


def leads_export(filters: Filters, tenant: int | None) -> exp.Select:
    """One row per lead in scope (PII included), ordered by lead id; dates apply to the day
    the lead was added; the lead_status filter keeps leads whose current status is listed."""
    leads = FACTS["leads"]
    preds = scope(filters, tenant, columns=leads.columns, table="l",
                  date_column=leads.date_column)
    select = _select([column(src, "l").as_(out) for src, out in EXPORT_COLUMNS], leads.table,
                     "l", preds)
    select.set("order", exp.Order(expressions=[exp.Ordered(this=column("lead_id", "l"))]))
    return select


#: columns of the campaign drill-down: no personal data (name, email, phone stay in the export)
LEAD_DETAIL_COLUMNS = ("lead_id", "added_at", "lead_status", "stage", "first_contact_at",
                       "hours_to_first_contact", "logged_changes")
#: `stage` is the logged status's; `lead_status` the lead's current one
STATUS_LOG_COLUMNS = ("lead_id", "changed_at", "status", "stage", "lead_status")


def _fact_rows(fact: str, columns: tuple[str, ...], order: tuple[tuple[str, bool], ...],
               filters: Filters, tenant: int | None, limit: int) -> exp.Select:
    """The first `limit` rows of a fact in scope, dates on the fact's own date column. Reads
    the fact's main table (sorted by business user and campaign), never its by-day copy: a
    drill-down always names a campaign."""
    spec = FACTS[fact]
    preds = scope(filters, tenant, columns=spec.columns, table="t",
                  date_column=spec.date_column)
    select = _select([column(c, "t") for c in columns], spec.table, "t", preds)
    select.set("order", exp.Order(expressions=[exp.Ordered(this=column(c, "t"), desc=desc)
                                               for c, desc in order]))
    select.set("limit", exp.Limit(expression=exp.Literal.number(limit)))
    return select


def campaign_leads(filters: Filters, tenant: int | None, limit: int) -> exp.Select:
    """The latest `limit` leads in scope (LEAD_DETAIL_COLUMNS), newest first, then by id;
    filters as in `leads_export` (dates on the day added, lead_status on the current one)."""
    return _fact_rows("leads", LEAD_DETAIL_COLUMNS, (("added_at", True), ("lead_id", False)),
                      filters, tenant, limit)


def status_log(filters: Filters, tenant: int | None, limit: int) -> exp.Select:
    """The latest `limit` logged status changes in scope (STATUS_LOG_COLUMNS), newest first,
    then by lead (then status: one lead may log two statuses at the same instant); dates on
    the day of the change, the lead_status filter on the lead's current status."""
    return _fact_rows("status_changes", STATUS_LOG_COLUMNS,
                      (("changed_at", True), ("lead_id", False), ("status", False)),
                      filters, tenant, limit)


__all__ = ["ATTRIBUTE_COLUMNS", "CAMPAIGN_ATTRIBUTES", "CAMPAIGN_COLUMNS", "EXPORT_COLUMNS",
           "LEAD_DETAIL_COLUMNS", "ROWS_COLUMN", "STATUS_LOG_COLUMNS", "campaign_leads",
           "campaigns", "counted", "filter_options", "leads_export", "option_matches",
           "search_values", "status_log", "with_campaign_attributes"]
