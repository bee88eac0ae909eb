"""Stage 3: the plan as a sqlglot AST (dialect-neutral until `.sql(dialect=...)`).

One source: `SELECT dims, metrics FROM source WHERE scope GROUP BY dims`.
Several sources: one CTE per source aggregating its own facts to the query grain, a `stacked`
CTE that UNION ALLs them (0 for measures a source does not have, NULL for the median), an outer
`GROUP BY dims` that sums each measure (MAX for the median, which one source supplies) and
computes ratios from those sums. Facts are never joined to each other, so none can multiply
another (no fan-out), and a ratio is always a ratio of sums at the query grain.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

from semantic import catalog
from semantic.catalog import Dimension, Measure, Metric
from semantic.compiler.plan import Plan, SourcePlan
from semantic.compiler.predicates import column, conjunction, param, scope

FACT_ALIAS = "f"
STACKED = "stacked"
_T = exp.DataType.Type


def _ident(name: str) -> exp.Identifier:
    return exp.Identifier(this=name, quoted=False)


def _alias(expression: exp.Expression, name: str) -> exp.Alias:
    return exp.Alias(this=expression, alias=_ident(name))


def _cast(expression: exp.Expression, to: exp.DataType.Type) -> exp.Cast:
    return exp.Cast(this=expression, to=exp.DataType(this=to))


def _zero() -> exp.Literal:
    return exp.Literal.number(0)


def _table(name: str, alias: str) -> exp.Table:
    schema, _, table = name.rpartition(".")
    return exp.Table(this=_ident(table), db=_ident(schema) if schema else None,
                     alias=exp.TableAlias(this=_ident(alias)))


def dimension_expr(dim: Dimension, src: SourcePlan) -> exp.Expression:
    """The dimension's value on one source row (time dimensions: the fact's own date)."""
    if dim.kind != "time":
        return column(src.column(dim.name), FACT_ALIAS)
    day = column(src.date_column, FACT_ALIAS)
    if dim.grain == "day":
        return day
    unit: exp.Expression
    if dim.grain == "week":  # ISO week: Monday start in every dialect (BigQuery: WEEK(MONDAY))
        unit = exp.WeekStart(this=exp.var("MONDAY"))
    else:
        unit = exp.var(dim.grain.upper())  # type: ignore[union-attr]
    return _cast(exp.DateTrunc(this=day, unit=unit), _T.DATE)


def _row_aggregate(measure: Measure, src: SourcePlan) -> exp.Expression:
    """Aggregate of one measure over a source's rows."""
    if src.from_mart:
        return exp.Sum(this=column(measure.mart_column, FACT_ALIAS))  # type: ignore[arg-type]
    if measure.agg == "count":
        return exp.Count(this=exp.Star())
    col = column(measure.column, FACT_ALIAS)  # type: ignore[arg-type]
    if measure.agg == "sum":
        return exp.Sum(this=col)
    if measure.agg == "count_true":
        return exp.Sum(this=exp.Case(ifs=[exp.If(this=col, true=exp.Literal.number(1))],
                                     default=_zero()))
    if measure.agg == "median":
        return exp.Median(this=col)
    raise ValueError(f"unknown aggregation {measure.agg!r} of measure {measure.name!r}")


def metric_expr(metric: Metric, ref: Callable[[str], exp.Expression],
                dtypes: dict[str, str], totals: bool) -> exp.Expression:
    """A metric from group-level measure aggregates; `ref(name)` builds a fresh aggregate.

    A group only exists when one of its sources has a row, and every source row carries a
    number for each measure (0 in stacked rows of other facts), so sums are NULL only for a
    total (`totals`: no dimensions) over no rows at all: values are then COALESCEd to 0;
    ratios need no COALESCE (their denominator is NULL too, so the ratio is NULL).
    """
    if metric.measure is not None:
        value = ref(metric.measure)
        if metric.additivity == "median" or isinstance(value, exp.Count):
            return value  # COUNT is a BIGINT and never NULL
        if totals:
            value = exp.Coalesce(this=value, expressions=[_zero()])
        return _cast(value, _T.BIGINT) if dtypes[metric.measure] == "integer" else value
    num: exp.Expression = ref(metric.numerator)
    if metric.scale != 1:
        num = exp.Mul(this=exp.Literal.number(metric.scale), expression=num)
    den = exp.Nullif(this=ref(metric.denominator), expression=_zero())  # 0 -> NULL, never ∞
    return exp.Div(this=_cast(num, _T.DOUBLE), expression=den, typed=False, safe=False)


def _placeholder(measure: Measure) -> exp.Expression:
    """A stacked row's value for a measure its source does not have: adds nothing."""
    return exp.Null() if measure.agg == "median" else _zero()


def _where(src: SourcePlan, plan: Plan) -> exp.Expression | None:
    q = plan.query
    preds = scope(q.filters, q.tenant, columns=src.columns, table=FACT_ALIAS,
                  date_column=src.date_column)
    if src.presence_mask:  # see plan.py: the groups a mart read may return
        flags = exp.BitwiseAnd(this=column(catalog.MART.presence_column, FACT_ALIAS),
                               expression=exp.Literal.number(src.presence_mask))
        preds.append(exp.NEQ(this=exp.Paren(this=flags), expression=_zero()))
    elif src.presence:
        present = [exp.NEQ(this=column(c, FACT_ALIAS), expression=_zero()) for c in src.presence]
        preds.append(exp.Paren(this=conjunction_or(present)))
    return conjunction(preds)


def conjunction_or(preds: list[exp.Expression]) -> exp.Expression:
    out = preds[0]
    for p in preds[1:]:
        out = exp.Or(this=out, expression=p)
    return out


def _from_source(select: exp.Select, src: SourcePlan, plan: Plan) -> exp.Select:
    select.set("from_", exp.From(this=_table(src.table, FACT_ALIAS)))
    used = {src.column(d.name) for d in plan.dimensions if d.kind != "time"}
    used |= {src.column(n) for n in plan.query.filters.active() if n in src.columns}
    joins = []
    for lk in src.lookups:
        if any(ref.startswith(lk.alias + ".") for ref in used):
            on = exp.EQ(this=column(lk.fact_key, FACT_ALIAS), expression=column(lk.key, lk.alias))
            joins.append(exp.Join(this=_table(lk.table, lk.alias), side="LEFT", on=on))
    if joins:
        select.set("joins", joins)
    where = _where(src, plan)
    if where is not None:
        select.set("where", exp.Where(this=where))
    query = plan.query
    if query.grouping_sets:
        by_name = {d.name: d for d in plan.dimensions}
        select.set("group", exp.Group(expressions=[exp.GroupingSets(expressions=[
            exp.Tuple(expressions=[dimension_expr(by_name[n], src) for n in dims])
            for dims in query.grouping_sets])]))
    elif plan.dimensions or query.split_at:  # by position: the keys are the first items
        lead = 1 if query.split_at else 0
        determined = _determined(plan)
        keys = [*range(1, lead + 1), *(lead + i for i, d in enumerate(plan.dimensions, 1)
                                        if d.name not in determined)]
        select.set("group", exp.Group(expressions=[exp.Literal.number(i) for i in keys]))
    return select


def _determined(plan: Plan) -> frozenset[str]:
    """Dimensions another dimension of the query determines (a campaign's project and
    business user): grouping by the determining one alone gives the same groups, and one
    integer key hashes far faster than three with a text among them; they are read with
    ANY_VALUE. Not with grouping sets, where a row of another set has no campaign."""
    if plan.query.grouping_sets:
        return frozenset()
    names = {d.name for d in plan.dimensions}
    return frozenset(n for d in plan.dimensions for n in d.determines if n in names)


def _dim_item(expression: exp.Expression, name: str, determined: frozenset) -> exp.Alias:
    return _alias(exp.AnyValue(this=expression) if name in determined else expression, name)


#: result columns that say which grouping set a row belongs to, or which side of `split_at`
SET_COLUMN, CURRENT_COLUMN = "_set", "_current"


def _set_key(src: SourcePlan, plan: Plan) -> list[exp.Expression]:
    """The leading key of a source's rows: GROUPING(dims) with grouping sets (bit i set when
    the i-th dimension is not grouped), date >= split_at with a split, else nothing."""
    query = plan.query
    if query.grouping_sets:
        return [_alias(exp.Grouping(expressions=[dimension_expr(d, src)
                                                 for d in plan.dimensions]), SET_COLUMN)]
    if query.split_at:
        return [_alias(exp.GTE(this=column(src.date_column, FACT_ALIAS),
                               expression=param("split_at")), CURRENT_COLUMN)]
    return []


def _key_names(plan: Plan) -> list[str]:
    query = plan.query
    return [SET_COLUMN] if query.grouping_sets else [CURRENT_COLUMN] if query.split_at else []


def _order(select: exp.Select, plan: Plan) -> exp.Select:
    query = plan.query
    keys = [exp.Ordered(this=exp.column(name), desc=desc, nulls_first=False)
            for name, desc in query.order_by]
    named = {name for name, _ in query.order_by}
    for d in plan.dimensions:  # a dimension an earlier key determines never breaks a tie
        if d.name not in named:
            keys.append(exp.Ordered(this=exp.column(d.name), nulls_first=False))
            named.add(d.name)
        if not query.grouping_sets:  # (there, a row of another set has no campaign)
            named.update(d.determines)
    lead = [exp.Ordered(this=exp.column(name), nulls_first=False) for name in _key_names(plan)]
    if query.grouping_sets and query.limit is not None:
        return _top_of_each_set(select, keys, query.limit)
    if lead or keys:
        select.set("order", exp.Order(expressions=[*lead, *keys]))
    if query.limit is not None:
        select.set("limit", exp.Limit(expression=exp.Literal.number(query.limit)))
    if query.offset:
        select.set("offset", exp.Offset(expression=exp.Literal.number(query.offset)))
    return select


def _top_of_each_set(select: exp.Select, keys: list[exp.Ordered], limit: int) -> exp.Select:
    """The first `limit` rows of each grouping set in `keys` order (a set's rows have NULL in
    the other sets' dimensions, so the same keys order every set by its own dimensions)."""
    def qualified(key: exp.Ordered) -> exp.Ordered:
        key = key.copy()
        key.set("this", exp.column(key.this.name, "t"))
        return key

    outer = exp.Select(expressions=[exp.Star()]).from_(exp.Subquery(
        this=select, alias=exp.TableAlias(this=_ident("t"))), copy=False)
    rank = exp.Window(this=exp.RowNumber(), partition_by=[exp.column(SET_COLUMN, "t")],
                      order=exp.Order(expressions=[qualified(k) for k in keys]))
    outer.set("qualify", exp.Qualify(this=exp.LTE(this=rank,
                                                  expression=exp.Literal.number(limit))))
    outer.set("order", exp.Order(expressions=[
        exp.Ordered(this=exp.column(SET_COLUMN, "t"), nulls_first=False),
        *(qualified(k) for k in keys)]))
    return outer


def _single(plan: Plan) -> exp.Select:
    src = plan.sources[0]
    by_name = {m.name: m for m in src.measures}
    dtypes = {m.name: m.dtype for m in src.measures}
    totals = not plan.dimensions
    determined = _determined(plan)
    select = exp.Select(expressions=[
        *_set_key(src, plan),
        *(_dim_item(dimension_expr(d, src), d.name, determined) for d in plan.dimensions),
        *(_alias(metric_expr(m, lambda n: _row_aggregate(by_name[n], src), dtypes, totals),
                 m.name) for m in plan.metrics),
    ])
    return _order(_from_source(select, src, plan), plan)


def _stacked(plan: Plan) -> exp.Select:
    determined = _determined(plan)
    measures: dict[str, Measure] = {}
    for src in plan.sources:
        for m in src.measures:
            measures.setdefault(m.name, m)
    ctes = []
    branches = []
    for src in plan.sources:
        inner = exp.Select(expressions=[
            *_set_key(src, plan),
            *(_dim_item(dimension_expr(d, src), d.name, determined) for d in plan.dimensions),
            *(_alias(_row_aggregate(m, src), m.name) for m in src.measures),
        ])
        ctes.append(exp.CTE(this=_from_source(inner, src, plan), alias=exp.TableAlias(
            this=_ident(src.name))))
        own = {m.name for m in src.measures}
        branches.append(exp.Select(expressions=[
            *(exp.column(name) for name in _key_names(plan)),
            *(exp.column(d.name) for d in plan.dimensions),
            *(exp.column(n) if n in own else _alias(_placeholder(measures[n]), n)
              for n in measures),
        ]).from_(src.name, copy=False))
    union: exp.Expression = branches[0]
    for branch in branches[1:]:
        union = exp.Union(this=union, expression=branch, distinct=False)
    ctes.append(exp.CTE(this=union, alias=exp.TableAlias(this=_ident(STACKED))))

    def ref(name: str) -> exp.Expression:
        col = exp.column(name, STACKED)
        return exp.Max(this=col) if measures[name].agg == "median" else exp.Sum(this=col)

    dtypes = {n: m.dtype for n, m in measures.items()}
    keys = [*_key_names(plan), *(d.name for d in plan.dimensions)]
    select = exp.Select(expressions=[
        *(_dim_item(exp.column(name, STACKED), name, determined) for name in keys),
        *(_alias(metric_expr(m, ref, dtypes, not plan.dimensions), m.name)
          for m in plan.metrics),
    ])
    select.set("with_", exp.With(expressions=ctes))
    select.set("from_", exp.From(this=exp.Table(this=_ident(STACKED))))
    if keys:
        select.set("group", exp.Group(expressions=[exp.column(name, STACKED)
                                                   for name in keys if name not in determined]))
    return _order(select, plan)


def build(plan: Plan) -> exp.Select:
    return _single(plan) if len(plan.sources) == 1 else _stacked(plan)


def note_comments(notes: tuple[str, ...]) -> str:
    """Notes as leading block comments (catalog text, never user input)."""
    return "".join(f"/* note: {n.replace('*/', '* /')} */\n" for n in notes)
