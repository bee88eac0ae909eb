"""Printing a compiled AST for one SQL dialect: the dialect's named placeholders, the fixes
that make its answers equal DuckDB's, and (for an engine that registers tables under other
names) table names mapped.

DuckDB prints `$name` placeholders, Spark `:name` (bound with `spark.sql(text, args=...)`),
both from sqlglot's generators. Differences found by running the same requests on both
engines (tests/spark/), each fixed here rather than in the engines' callers:

- Spark's LIMIT and OFFSET take a 32-bit INT and their sum must fit one; DuckDB's are BIGINTs.
  Larger ones are clamped (an offset past 2^31 - 1 becomes LIMIT 0): the same rows for any
  result of fewer rows than that (every result a frame holds), where Spark refused the query.
- PySpark binds a Python date through `Date.valueOf(d.strftime("%Y-%m-%d"))`, and strftime does
  not zero-pad years before 1000: `date_from=0999-01-01` failed. Date values are bound as ISO
  text (`bind_values`) and the placeholders that take them cast to DATE in the SQL
  (`dates=`), which every engine reads the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping

from sqlglot import exp

#: the largest LIMIT/OFFSET Spark takes (a Java int)
SPARK_MAX_ROWS = 2**31 - 1
_DATE = exp.DataType.Type.DATE


def _renamed(node: exp.Expression, tables: Mapping[str, str]) -> exp.Expression:
    if isinstance(node, exp.Table) and node.db:
        target = tables.get(f"{node.db}.{node.name}")
        if target is not None:
            alias = node.args.get("alias")
            return exp.Table(this=exp.to_identifier(target),
                             alias=alias.copy() if alias else None)
    return node


def _count(node: exp.Expression | None) -> int | None:
    count = node.expression if node is not None else None
    return int(count.name) if isinstance(count, exp.Literal) and count.is_int else None


def _clamped_page(node: exp.Expression) -> exp.Expression:
    """LIMIT and OFFSET within what Spark takes (their sum at most 2^31 - 1), keeping the
    rows of any result with fewer rows than that: an offset past it keeps none."""
    if not isinstance(node, exp.Select):
        return node
    limit, offset = _count(node.args.get("limit")), _count(node.args.get("offset")) or 0
    if offset >= SPARK_MAX_ROWS:
        node.set("offset", None)
        node.set("limit", exp.Limit(expression=exp.Literal.number(0)))
    elif limit is not None and limit + offset > SPARK_MAX_ROWS:
        node.set("limit", exp.Limit(expression=exp.Literal.number(SPARK_MAX_ROWS - offset)))
    return node


def prepare(tree: exp.Expression, dialect: str, *,
            tables: Mapping[str, str] | None = None,
            dates: Collection[str] = ()) -> exp.Expression:
    """A copy of `tree` ready to print in `dialect`: the fixes it needs to answer as DuckDB
    does, `tables` renamed (schema-qualified name -> the name an engine knows it by), and the
    placeholders named in `dates` cast to DATE (their values bound as ISO text)."""
    def fix(node: exp.Expression) -> exp.Expression:
        if tables:
            node = _renamed(node, tables)
        if dialect == "spark":
            node = _clamped_page(node)
        if dates and isinstance(node, exp.Placeholder) and node.name in dates:
            return exp.Cast(this=node, to=exp.DataType(this=_DATE))
        return node

    return tree.transform(fix)  # a copy: the compiled shape is shared and never changed


def render(tree: exp.Expression, dialect: str, *,
           tables: Mapping[str, str] | None = None, dates: Collection[str] = ()) -> str:
    """`tree` as SQL text in `dialect`, placeholders as its named markers (see `prepare`)."""
    return prepare(tree, dialect, tables=tables, dates=dates).sql(dialect=dialect, copy=False)


def date_names(values: Mapping[str, object]) -> frozenset[str]:
    """The placeholders whose values are dates."""
    return frozenset(n for n, v in values.items() if isinstance(v, dt.date))


def bind_values(values: Mapping[str, object]) -> dict[str, object]:
    """Values to bind to a statement rendered with `dates=date_names(values)`: dates as ISO
    text (zero-padded years), the rest as they are."""
    return {n: v.isoformat() if isinstance(v, dt.date) else v for n, v in values.items()}
