"""The query compiler: request -> plan -> sqlglot AST -> SQL text for a dialect.

    from semantic.compiler import compile
    sql = compile(["spend", "cpl"], ["project"], {"date_from": "2024-07-01"}, dialect="spark")

`compile_query` returns a `Compiled` (SQL text plus notes, e.g. which facts a lead_status
filter does not restrict); results are cached (LRU) by the normalized request and dialect.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

from sqlglot import exp

from semantic.compiler import listing, templates
from semantic.compiler.build import CURRENT_COLUMN, SET_COLUMN, build, note_comments
from semantic.compiler.plan import Plan, plan
from semantic.compiler.request import Filters, Query, make_filters, make_query, make_tenant
from semantic.dialects import DIALECTS
from semantic.errors import InvalidQueryError

__all__ = [
    "CURRENT_COLUMN", "DIALECTS", "SET_COLUMN", "Compiled", "Filters", "Plan", "Query",
    "compile", "compile_campaign_rows", "compile_query", "compile_set_counts", "make_filters",
    "make_query", "make_tenant", "plan",
]


@dataclass(frozen=True, kw_only=True)
class Compiled:
    sql: str
    dialect: str
    notes: tuple[str, ...]
    columns: tuple[str, ...]  # result columns: dimensions then metrics, in the order asked
    sources: tuple[str, ...]  # tables read


def check_dialect(dialect: str) -> str:
    if dialect not in DIALECTS:
        raise InvalidQueryError(
            f"unknown SQL dialect {dialect!r}; choose one of {', '.join(DIALECTS)}"
        )
    return dialect


@lru_cache(maxsize=4096)
def _compile(query: Query, dialect: str, count: bool = False) -> Compiled:
    p = plan(query)
    select = build(p)
    if count:
        select = listing.counted(select)
    sql = note_comments(p.notes) + select.sql(dialect=dialect, copy=False)
    return Compiled(
        sql=sql, dialect=dialect, notes=p.notes,
        columns=query.dimensions + query.metrics + ((listing.ROWS_COLUMN,) if count else ()),
        sources=tuple(s.table for s in p.sources),
    )


@lru_cache(maxsize=4096)
def _compile_by_shape(query: Query, dialect: str, count: bool) -> Compiled:
    return templates.compiled_by_shape(_compile, query, dialect, count)


def compile_query(query: Query, dialect: str = "duckdb", *, count: bool = False) -> Compiled:
    """SQL for `query`; with `count`, each row also carries `_rows`: how many rows the query
    has before its limit/offset (a window count over the grouped rows, not a second query).
    Built from the cached SQL of the request's shape (see `templates`)."""
    return _compile_by_shape(query, check_dialect(dialect), count)


@lru_cache(maxsize=1024)
def compile_set_counts(query: Query) -> Compiled:
    """DuckDB SQL counting the rows of each grouping set of `query` (columns _set, _rows)."""
    return templates.compiled_by_shape(_set_counts, query)


@lru_cache(maxsize=256)
def _set_counts(query: Query) -> Compiled:
    if not query.grouping_sets:
        raise InvalidQueryError("set counts need grouping sets")
    p = plan(query)
    grouped = build(p)
    grouped.set("order", None)
    counted = exp.select(exp.column(SET_COLUMN, "t"), exp.alias_(
        exp.Count(this=exp.Star()), listing.ROWS_COLUMN)).from_(
        exp.Subquery(this=grouped, alias=exp.TableAlias(this=exp.to_identifier("t"))),
        copy=False).group_by(exp.column(SET_COLUMN, "t"), copy=False)
    return Compiled(sql=note_comments(p.notes) + counted.sql(dialect="duckdb", copy=False),
                    dialect="duckdb", notes=p.notes, columns=(SET_COLUMN, listing.ROWS_COLUMN),
                    sources=tuple(s.table for s in p.sources))


@lru_cache(maxsize=1024)
def compile_campaign_rows(query: Query, count: bool = False) -> Compiled:
    """DuckDB SQL of `query` (dimensions include `campaign`) with each campaign's planned run
    and daily budget joined on (see `listing.with_campaign_attributes`)."""
    return templates.compiled_by_shape(_campaign_rows, query, count)


@lru_cache(maxsize=256)
def _campaign_rows(query: Query, count: bool = False) -> Compiled:
    if "campaign" not in query.dimensions:
        raise InvalidQueryError("campaign rows need the campaign dimension")
    p = plan(query)
    # A campaign's project and business user are its attributes in marts.campaigns, joined on
    # anyway: unless the rows are ordered by them, group by the campaign alone and read them
    # there (the same values: the mart took them from the campaigns), for the limited rows
    # only, instead of carrying a text through the aggregation of every campaign.
    from_campaigns = tuple(d for d in query.dimensions if d in listing.CAMPAIGN_ATTRIBUTES)
    ordered = {name for name, _ in query.order_by}
    if from_campaigns and not ordered & set(from_campaigns) and set(query.dimensions) == {
            "campaign", *from_campaigns}:
        grouped = build(plan(replace(query, dimensions=("campaign",))))
        select = listing.with_campaign_attributes(
            grouped, query.filters, query.tenant, count,
            columns=(*query.dimensions, *query.metrics))
    else:
        select = listing.with_campaign_attributes(build(p), query.filters, query.tenant, count)
    return Compiled(
        sql=note_comments(p.notes) + select.sql(dialect="duckdb", copy=False),
        dialect="duckdb", notes=p.notes,
        columns=(*query.dimensions, *query.metrics, *((listing.ROWS_COLUMN,) if count else ()),
                 *listing.ATTRIBUTE_COLUMNS),
        sources=(*(s.table for s in p.sources), listing.CAMPAIGNS_TABLE),
    )


def compile(  # noqa: A001 - the stage's natural name; shadowing the builtin is deliberate
    metrics: object,
    dimensions: object = (),
    filters: Filters | Mapping[str, object] | None = None,
    *,
    tenant: object = None,
    dialect: str = "duckdb",
) -> str:
    """SQL text answering the request in `dialect` (values inlined as escaped literals)."""
    return compile_query(make_query(metrics, dimensions, filters, tenant), dialect).sql


cache_info = _compile_by_shape.cache_info


def cache_clear() -> None:
    for cached in (_compile, _compile_by_shape, compile_campaign_rows, _campaign_rows,
                   compile_set_counts, _set_counts):
        cached.cache_clear()
    templates.clear()
