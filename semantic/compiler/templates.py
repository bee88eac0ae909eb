"""Compiling a request by its shape: the SQL of every request that differs only in its filter
values has the same text but for the literals, so it is built once per shape and dialect.

A request's *shape* is the request with each filter value (ids, project and status texts,
dates, the tenant, a split day) replaced by a sentinel of the same kind; the shape is compiled
the usual way (sqlglot AST -> SQL) and cached, then each sentinel literal in its text is
replaced by the real value rendered as a sqlglot literal of that dialect. Values are sorted and
deduplicated before the shape is taken (`Filters` does that), so the i-th sentinel stands for
the i-th value. A cold compile thus costs a dictionary lookup and one regular-expression pass
instead of building and printing an AST (~1 ms, and Python work that holds the GIL while the
dashboard's other queries are being compiled on other threads).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache

from sqlglot import exp

from semantic.compiler.request import Filters, Query

_INT_BASE = 7_000_000_000_000_000_000  # 19 digits: no limit, offset or real id looks like it
_DATE_BASE = dt.date(1001, 1, 1)


def _text_sentinel(i: int) -> str:
    return f"\ue000cbi{i:05d}\ue000"  # private-use characters: never escaped, sort by index


def shape(query: Query) -> tuple[Query, list[tuple[str, object]]]:
    """The request with sentinel values, and (kind, value) pairs in sentinel order."""
    ints: list[int] = []
    texts: list[str] = []

    def int_slots(values: tuple) -> tuple:
        out = tuple(_INT_BASE + len(ints) + i for i in range(len(values)))
        ints.extend(values)
        return out

    def text_slots(values: tuple) -> tuple:
        out = tuple(_text_sentinel(len(texts) + i) for i in range(len(values)))
        texts.extend(values)
        return out

    days: list[dt.date] = []

    def day_slot(day: dt.date | None) -> dt.date | None:
        if day is None:
            return None
        days.append(day)  # from, split, to: increasing sentinels keep from < split <= to
        return _DATE_BASE + dt.timedelta(days=len(days) - 1)

    f = query.filters
    date_from, split, date_to = (day_slot(d) for d in (f.date_from, query.split_at, f.date_to))
    filters = Filters(
        business_user=int_slots(f.business_user), project=text_slots(f.project),
        campaign=int_slots(f.campaign), lead_status=text_slots(f.lead_status),
        date_from=date_from, date_to=date_to)
    tenant = int_slots((query.tenant,))[0] if query.tenant is not None else None
    shaped = replace(query, filters=filters, tenant=tenant, split_at=split)
    values = [("int", v) for v in ints] + [("text", v) for v in texts] + \
        [("date", d) for d in days]
    return shaped, values


def _sentinels(values: list[tuple[str, object]]) -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    ints = texts = days = 0
    for kind, value in values:
        if kind == "int":
            out.append((str(_INT_BASE + ints), value))
            ints += 1
        elif kind == "text":
            out.append((_text_sentinel(texts), value))
            texts += 1
        else:
            out.append(((_DATE_BASE + dt.timedelta(days=days)).isoformat(), value))
            days += 1
    return out


@lru_cache(maxsize=8192)
def _literal(kind: str, value: object, dialect: str) -> str:
    if kind == "int":
        return exp.Literal.number(value).sql(dialect=dialect)
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return exp.Literal.string(text).sql(dialect=dialect)


def _shape_key(query: Query) -> tuple:
    f = query.filters
    return (query.metrics, query.dimensions, query.order_by, query.limit, query.offset,
            query.grouping_sets, len(f.business_user), len(f.project), len(f.campaign),
            len(f.lead_status), f.date_from is None, f.date_to is None, query.tenant is None,
            query.split_at is None)


def _values(query: Query) -> list[tuple[str, object]]:
    """(kind, value) pairs in the order `shape` gives them sentinels."""
    f = query.filters
    ints = [*f.business_user, *f.campaign, *(() if query.tenant is None else (query.tenant,))]
    days = [d for d in (f.date_from, query.split_at, f.date_to) if d is not None]
    return [("int", v) for v in ints] + [("text", v) for v in (*f.project, *f.lead_status)] + \
        [("date", d) for d in days]


_TEMPLATES: dict[tuple, tuple] = {}
_LOCK = threading.Lock()


def compiled_by_shape(build: Callable, query: Query, *args):
    """`build(query, *args)` (a cached compile returning an object with `.sql` and
    `.dialect`) for `query`, made from the compile of its shape (kept per shape)."""
    key = (build, _shape_key(query), args)
    found = _TEMPLATES.get(key)
    if found is None:
        shaped, values = shape(query)
        template = build(shaped, *args)
        tokens = [sentinel if kind == "int" else _literal("text", sentinel, template.dialect)
                  for (sentinel, _), (kind, _) in zip(_sentinels(values), values, strict=True)]
        pattern = re.compile("|".join(
            rf"(?<![0-9]){re.escape(t)}(?![0-9])" if t.isdigit() else re.escape(t)
            for t in sorted(tokens, key=len, reverse=True))) if tokens else None
        with _LOCK:  # threads compile concurrently
            found = _TEMPLATES[key] = (template, tokens, pattern)
            while len(_TEMPLATES) > 2048:  # a bounded cache: drop the oldest shape
                _TEMPLATES.pop(next(iter(_TEMPLATES)))
    template, tokens, pattern = found
    if pattern is None:
        return template
    literals = {token: _literal(kind, value, template.dialect)
                for token, (kind, value) in zip(tokens, _values(query), strict=True)}
    return replace(template, sql=pattern.sub(lambda m: literals[m.group(0)], template.sql))


def clear() -> None:
    with _LOCK:
        _TEMPLATES.clear()
