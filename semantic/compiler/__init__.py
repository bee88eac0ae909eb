"""The query compiler: request -> plan -> sqlglot AST -> SQL with bound values.

    from semantic.compiler import compile
    sql = compile(["spend", "cpl"], ["project"], {"date_from": "2024-07-01"}, dialect="spark")

A request's values never enter its SQL text: the AST holds named placeholders
(`predicates.param`), so every request of one *shape* (the same metrics, dimensions, order,
page, and the same filters set with as many values each) has the same SQL. A shape is planned,
built and printed once and kept in one cache (`cache_info()` shows its statistics);
`compile_query` returns a `Compiled`: that shape's `statement` with this request's `params` to
bind, the notes (e.g. which facts a lead_status filter does not restrict) and the result
columns. `Compiled.sql` is the same query with the values inlined as escaped literals, in the
requested dialect: for people and other engines, not for running here.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from sqlglot import exp

from semantic.compiler import listing
from semantic.compiler.build import CURRENT_COLUMN, SET_COLUMN, build, note_comments
from semantic.compiler.plan import Plan, plan
from semantic.compiler.predicates import inline, parameters, placeholders
from semantic.compiler.render import prepare
from semantic.compiler.request import Filters, Query, make_filters, make_query, make_tenant
from semantic.dialects import DIALECTS
from semantic.errors import InvalidQueryError

__all__ = [
    "CURRENT_COLUMN", "DIALECTS", "SET_COLUMN", "Compiled", "Filters", "Plan", "Query",
    "Shape", "bound", "cache_clear", "cache_info", "compile", "compile_campaign_rows",
    "compile_query", "compile_set_counts", "make_filters", "make_query", "make_tenant", "plan",
]


@dataclass(frozen=True, kw_only=True)
class Shape:
    """What every request of one shape shares: its AST with placeholders, printed once."""

    tree: exp.Expression = field(compare=False, repr=False)
    statement: str  # DuckDB SQL with `$name` placeholders (notes as leading comments)
    names: tuple[str, ...]  # the placeholders it binds
    notes: tuple[str, ...]
    columns: tuple[str, ...]  # result columns: dimensions then metrics, in the order asked
    sources: tuple[str, ...]  # tables read
    #: (values, dialect) -> the SQL with those values inlined: the last few asked of this shape
    inlined: dict = field(default_factory=dict, compare=False, repr=False)


#: inlined texts kept per shape (`Compiled.sql`: the CLI and the leads export ask for them)
INLINED_PER_SHAPE = 32


@dataclass(frozen=True, kw_only=True)
class Compiled:
    shape: Shape
    params: tuple[tuple[str, object], ...]  # (placeholder, value) for each of shape.names
    dialect: str = "duckdb"

    @property
    def statement(self) -> str:
        return self.shape.statement

    @property
    def values(self) -> dict[str, object]:
        """The values to bind to `statement`."""
        return dict(self.params)

    @property
    def notes(self) -> tuple[str, ...]:
        return self.shape.notes

    @property
    def columns(self) -> tuple[str, ...]:
        return self.shape.columns

    @property
    def sources(self) -> tuple[str, ...]:
        return self.shape.sources

    @property
    def sql(self) -> str:
        """The query with its values inlined as literals, in `dialect` (kept with the shape:
        asking again costs a lookup)."""
        texts, key = self.shape.inlined, (self.params, self.dialect)
        text = texts.get(key)
        if text is None:
            tree = prepare(inline(self.shape.tree, self.values), self.dialect)
            text = note_comments(self.notes) + tree.sql(dialect=self.dialect, copy=False)
            try:
                while len(texts) >= INLINED_PER_SHAPE:
                    texts.pop(next(iter(texts)))
            except (StopIteration, KeyError, RuntimeError):  # another thread trimmed it
                pass
            texts[key] = text
        return text


class CacheInfo(NamedTuple):
    hits: int
    misses: int
    size: int
    maxsize: int


class _ShapeCache:
    """The compiler's one cache: compiled shapes by (kind, shape key), least recently used
    dropped first. Thread-safe: a shape built twice at once is the same shape."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._shapes: OrderedDict[tuple, Shape] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple, make: Callable[[], Shape]) -> Shape:
        with self._lock:
            found = self._shapes.get(key)
            if found is not None:
                self._shapes.move_to_end(key)
                self.hits += 1
                return found
            self.misses += 1
        made = make()
        with self._lock:
            self._shapes[key] = made
            while len(self._shapes) > self.maxsize:
                self._shapes.popitem(last=False)
        return made

    def info(self) -> CacheInfo:
        with self._lock:
            return CacheInfo(self.hits, self.misses, len(self._shapes), self.maxsize)

    def clear(self) -> None:
        with self._lock:
            self._shapes.clear()
            self.hits = self.misses = 0


_SHAPES = _ShapeCache(maxsize=4096)


def cache_info() -> CacheInfo:
    """Hits, misses and size of the compiled-shape cache."""
    return _SHAPES.info()


def cache_clear() -> None:
    _SHAPES.clear()


def shape_key(query: Query) -> tuple:
    """What the SQL of `query` depends on: everything but the filter and tenant values."""
    f = query.filters
    return (query.metrics, query.dimensions, query.order_by, query.limit, query.offset,
            query.grouping_sets, len(f.business_user), len(f.project), len(f.campaign),
            len(f.lead_status), f.date_from is None, f.date_to is None, query.tenant is None,
            query.split_at is None)


def _shape(tree: exp.Expression, p: Plan, columns: tuple[str, ...],
           sources: tuple[str, ...]) -> Shape:
    return Shape(tree=tree, statement=note_comments(p.notes) + tree.sql(dialect="duckdb"),
                 names=placeholders(tree), notes=p.notes, columns=columns, sources=sources)


def _compiled(kind: tuple, query: Query, make: Callable[[Query], Shape],
              dialect: str = "duckdb") -> Compiled:
    shape = _SHAPES.get((*kind, shape_key(query)), lambda: make(query))
    values = parameters(query.filters, query.tenant, split_at=query.split_at)
    return Compiled(shape=shape, params=tuple((n, values[n]) for n in shape.names),
                    dialect=dialect)


def check_dialect(dialect: str) -> str:
    if dialect not in DIALECTS:
        raise InvalidQueryError(
            f"unknown SQL dialect {dialect!r}; choose one of {', '.join(DIALECTS)}"
        )
    return dialect


def _query_shape(query: Query, count: bool) -> Shape:
    p = plan(query)
    select = build(p)
    if count:
        select = listing.counted(select)
    return _shape(select, p, query.dimensions + query.metrics
                  + ((listing.ROWS_COLUMN,) if count else ()),
                  tuple(s.table for s in p.sources))


def compile_query(query: Query, dialect: str = "duckdb", *, count: bool = False) -> Compiled:
    """The compiled `query`; with `count`, each row also carries `_rows`: how many rows the
    query has before its limit/offset (a window count over the grouped rows, not a second
    query)."""
    return _compiled(("query", count), query, lambda q: _query_shape(q, count),
                     check_dialect(dialect))


def _set_counts_shape(query: Query) -> Shape:
    if not query.grouping_sets:
        raise InvalidQueryError("set counts need grouping sets")
    p = plan(query)
    grouped = build(p)
    grouped.set("order", None)
    counted = exp.select(exp.column(SET_COLUMN, "t"), exp.alias_(
        exp.Count(this=exp.Star()), listing.ROWS_COLUMN)).from_(
        exp.Subquery(this=grouped, alias=exp.TableAlias(this=exp.to_identifier("t"))),
        copy=False).group_by(exp.column(SET_COLUMN, "t"), copy=False)
    return _shape(counted, p, (SET_COLUMN, listing.ROWS_COLUMN),
                  tuple(s.table for s in p.sources))


def compile_set_counts(query: Query) -> Compiled:
    """Counting the rows of each grouping set of `query` (columns _set, _rows)."""
    return _compiled(("set_counts",), query, _set_counts_shape)


def _campaign_rows_shape(query: Query, count: bool) -> Shape:
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
    return _shape(select, p, (*query.dimensions, *query.metrics,
                              *((listing.ROWS_COLUMN,) if count else ()),
                              *listing.ATTRIBUTE_COLUMNS),
                  (*(s.table for s in p.sources), listing.CAMPAIGNS_TABLE))


def compile_campaign_rows(query: Query, count: bool = False) -> Compiled:
    """`query` (dimensions include `campaign`) with each campaign's planned run and daily
    budget joined on (see `listing.with_campaign_attributes`)."""
    return _compiled(("campaign_rows", count), query,
                     lambda q: _campaign_rows_shape(q, count))


def bound(tree: exp.Expression, values: Mapping[str, object]) -> tuple[str, dict]:
    """DuckDB SQL of a listing query (`listing`) and the values its placeholders bind."""
    return tree.sql(dialect="duckdb"), {name: values[name] for name in placeholders(tree)}


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
