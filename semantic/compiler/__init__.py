"""The query compiler: request -> plan -> sqlglot AST -> SQL text for a dialect.

    from semantic.compiler import compile
    sql = compile(["spend", "cpl"], ["project"], {"date_from": "2024-07-01"}, dialect="spark")

`compile_query` returns a `Compiled` (SQL text plus notes, e.g. which facts a lead_status
filter does not restrict); results are cached (LRU) by the normalized request and dialect.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from semantic.compiler.build import build, note_comments
from semantic.compiler.plan import Plan, plan
from semantic.compiler.request import Filters, Query, make_filters, make_query, make_tenant
from semantic.errors import InvalidQueryError

DIALECTS = ("duckdb", "postgres", "spark", "bigquery", "snowflake", "trino")

__all__ = [
    "DIALECTS", "Compiled", "Filters", "Plan", "Query", "compile", "compile_query",
    "make_filters", "make_query", "make_tenant", "plan",
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
def _compile(query: Query, dialect: str) -> Compiled:
    p = plan(query)
    sql = note_comments(p.notes) + build(p).sql(dialect=dialect, copy=False)
    return Compiled(
        sql=sql, dialect=dialect, notes=p.notes,
        columns=query.dimensions + query.metrics,
        sources=tuple(s.table for s in p.sources),
    )


def compile_query(query: Query, dialect: str = "duckdb") -> Compiled:
    return _compile(query, check_dialect(dialect))


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


cache_info = _compile.cache_info
cache_clear = _compile.cache_clear
