"""Filter and tenant predicates as sqlglot expressions: the one place values enter SQL.

A value enters a query as a named placeholder (`$business_user_0`, `$date_from`, `$tenant`),
never as text: the placeholder's name says which filter value it holds, so a query's SQL depends
only on its shape (which filters are set, how many values each has) and is compiled once per
shape; `parameters` gives the values to bind for a request and `inline` puts them into the AST
as sqlglot literals (escaped by each dialect's generator) for SQL shown to people or run by
another engine. Every column comes from the catalog. Used by the metric compiler and by the
listing queries (campaigns, filter options, leads export), so all of them scope data the same
way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlglot import exp

from semantic import catalog
from semantic.compiler.request import Filters

_DATE = exp.DataType.Type.DATE


def column(ref: str, default_table: str) -> exp.Column:
    """`"col"` -> default_table.col, `"alias.col"` -> alias.col (refs come from the catalog)."""
    table, _, name = ref.rpartition(".")
    return exp.Column(
        this=exp.Identifier(this=name, quoted=False),
        table=exp.Identifier(this=table or default_table, quoted=False),
    )


def param(name: str) -> exp.Placeholder:
    """The placeholder of one bound value (DuckDB: `$name`)."""
    return exp.Placeholder(this=name)


def list_params(filter_name: str, count: int) -> list[exp.Placeholder]:
    return [param(f"{filter_name}_{i}") for i in range(count)]


def parameters(filters: Filters, tenant: int | None = None, **more: object) -> dict[str, object]:
    """Every value a request may bind, by placeholder name (`more`: values of the query's own,
    e.g. split_at; None ones are left out)."""
    out: dict[str, object] = {} if tenant is None else {"tenant": tenant}
    for name, spec in catalog.FILTERS.items():
        values = getattr(filters, name)
        if spec.kind in ("integer_list", "text_list"):
            out.update((f"{name}_{i}", v) for i, v in enumerate(values))
        elif values is not None:
            out[name] = values
    out.update((name, value) for name, value in more.items() if value is not None)
    return out


def placeholders(tree: exp.Expression) -> tuple[str, ...]:
    """The names of the placeholders in `tree`, each once, in order of appearance."""
    return tuple(dict.fromkeys(p.name for p in tree.find_all(exp.Placeholder)))


def inline(tree: exp.Expression, values: Mapping[str, object]) -> exp.Expression:
    """A copy of `tree` with each placeholder replaced by its value as a sqlglot literal."""
    return tree.transform(
        lambda node: literal(values[node.name]) if isinstance(node, exp.Placeholder) else node)


def literal(value: object) -> exp.Expression:
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int):
        return exp.Literal.number(value)
    if isinstance(value, dt.date):
        return date_literal(value)
    return exp.Literal.string(str(value))


def date_literal(day: dt.date) -> exp.Cast:
    return exp.Cast(this=exp.Literal.string(day.isoformat()), to=exp.DataType(this=_DATE))


def in_list(col: exp.Expression, filter_name: str, count: int) -> exp.Expression:
    values = list_params(filter_name, count)
    if count == 1:
        return exp.EQ(this=col, expression=values[0])
    return exp.In(this=col, expressions=values)


def scope(
    filters: Filters,
    tenant: int | None,
    *,
    columns: Mapping[str, str],
    table: str,
    date_column: str | None,
    tenant_column: str = "business_user",
) -> list[exp.Expression]:
    """Predicates restricting one source to the filters and the tenant.

    `columns` maps a dimension name to the source's column; a list filter whose dimension the
    source lacks does not apply to it (the compiler reports that as a note). The tenant
    predicate is always added and ANDed, so no filter can widen it.
    """
    preds: list[exp.Expression] = []
    if tenant is not None:
        preds.append(exp.EQ(this=column(columns[tenant_column], table),
                            expression=param("tenant")))
    for name, spec in catalog.FILTERS.items():
        values = getattr(filters, name)
        if not values:
            continue
        if spec.kind in ("integer_list", "text_list"):
            ref = columns.get(spec.dimension)  # type: ignore[arg-type]
            if ref is not None:
                preds.append(in_list(column(ref, table), name, len(values)))
        elif date_column is not None:
            op = exp.GTE if spec.kind == "date_from" else exp.LTE
            preds.append(op(this=column(date_column, table), expression=param(name)))
    return preds


def conjunction(preds: list[exp.Expression]) -> exp.Expression | None:
    if not preds:
        return None
    out = preds[0]
    for p in preds[1:]:
        out = exp.And(this=out, expression=p)
    return out


def applies(filter_name: str, columns: Mapping[str, str]) -> bool:
    spec = catalog.FILTERS[filter_name]
    return spec.dimension is None or spec.dimension in columns
