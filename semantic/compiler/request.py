"""Stage 1: a request as validated, normalized, hashable values (`Query`, `Filters`).

Normalizing makes equal requests equal objects, so the compile cache hits: list filters become
sorted tuples without duplicates, dates become `datetime.date`, project names are trimmed (the
warehouse identifies a project by its trimmed name). Names are checked against the catalog
here, so every later stage only sees catalog names.
"""

from __future__ import annotations

import datetime as dt
import numbers
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from semantic import catalog
from semantic.errors import (
    InvalidFilterValueError,
    InvalidQueryError,
    UnknownDimensionError,
    UnknownFilterError,
    UnknownMetricError,
)

_INT_TEXT = re.compile(r"[+-]?[0-9]{1,19}")
_BIGINT = 2**63 - 1


def _as_int(filter_name: str, value: object) -> int:
    if isinstance(value, bool):
        raise InvalidFilterValueError(f"filter {filter_name!r} takes integer ids, got {value!r}")
    if isinstance(value, numbers.Integral):
        number = int(value)
    elif isinstance(value, str) and _INT_TEXT.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        shown = value if not isinstance(value, str) or len(value) < 60 else value[:57] + "..."
        raise InvalidFilterValueError(
            f"filter {filter_name!r} takes integer ids, got {shown!r}"
        )
    if not -_BIGINT <= number <= _BIGINT:
        raise InvalidFilterValueError(f"filter {filter_name!r}: id {number} is out of range")
    return number


#: What SQL trim() removes (Unicode space separators, Zs), which core.campaigns applies to project
#: names: str.strip() would also remove tabs and line breaks and miss such a name.
_SPACE_SEPARATORS = "".join(
    ch for ch in map(chr, range(0x3001)) if unicodedata.category(ch) == "Zs")


def _as_text(filter_name: str, value: object) -> str:
    if not isinstance(value, str):
        raise InvalidFilterValueError(f"filter {filter_name!r} takes text values, got {value!r}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # e.g. a lone surrogate: no database can hold it
        raise InvalidFilterValueError(
            f"filter {filter_name!r} takes valid Unicode text, got {value[:60]!r}"
        ) from None
    return value.strip(_SPACE_SEPARATORS) if filter_name == "project" else value


def _as_date(filter_name: str, value: object) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):  # includes pandas.Timestamp
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidFilterValueError(
        f"filter {filter_name!r} takes an ISO date like 2024-07-01, got {value!r}"
    )


def _values(value: object) -> Iterable:
    if value is None:
        return ()
    if isinstance(value, (str, bytes, numbers.Number)):
        return (value,)
    if isinstance(value, Iterable):
        return value
    return (value,)


@dataclass(frozen=True, kw_only=True)
class Filters:
    """Scope of a query. Empty lists and None mean "all"; dates are inclusive."""

    business_user: tuple[int, ...] = ()
    project: tuple[str, ...] = ()
    campaign: tuple[int, ...] = ()
    lead_status: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def __post_init__(self) -> None:
        for name in ("business_user", "campaign"):
            ints = {_as_int(name, v) for v in _values(getattr(self, name))}
            object.__setattr__(self, name, tuple(sorted(ints)))
        for name in ("project", "lead_status"):
            texts = {_as_text(name, v) for v in _values(getattr(self, name))}
            object.__setattr__(self, name, tuple(sorted(texts)))
        start = _as_date("date_from", self.date_from)
        end = _as_date("date_to", self.date_to)
        if start and end and start > end:
            raise InvalidFilterValueError(
                f"date_from {start.isoformat()} is after date_to {end.isoformat()}"
            )
        object.__setattr__(self, "date_from", start)
        object.__setattr__(self, "date_to", end)

    def values(self, name: str) -> tuple:
        return getattr(self, name)

    def active(self) -> tuple[str, ...]:
        """Names of the filters that restrict anything, in catalog order."""
        return tuple(n for n in catalog.FILTERS if getattr(self, n) not in ((), None))

    def as_dict(self) -> dict[str, object]:
        """The filters that restrict anything as plain values (lists, ISO dates): the form a
        request takes in JSON, a URL or an audit line."""
        out: dict[str, object] = {}
        for name in self.active():
            value = getattr(self, name)
            out[name] = list(value) if isinstance(value, tuple) else value.isoformat()
        return out


NO_FILTERS = Filters()


def make_filters(filters: Filters | Mapping[str, object] | None) -> Filters:
    if filters is None:
        return NO_FILTERS
    if isinstance(filters, Filters):
        return filters
    if not isinstance(filters, Mapping):
        raise InvalidQueryError(
            f"filters must be a mapping of filter name to values, got {type(filters).__name__}"
        )
    for key in filters:
        if key not in catalog.FILTERS:
            raise UnknownFilterError(str(key), tuple(catalog.FILTERS))
    return Filters(**filters) if filters else NO_FILTERS


def make_tenant(tenant: object) -> int | None:
    if tenant is None:
        return None
    return _as_int("tenant", tenant)


def _names(kind: str, names: object, known, error) -> tuple[str, ...]:
    if names is None:
        return ()
    if isinstance(names, str):
        names = (names,)
    out = []
    for name in names:  # type: ignore[union-attr]
        if not isinstance(name, str):
            raise InvalidQueryError(f"{kind} names are text, got {name!r}")
        canonical = name.strip().lower()  # `SPEND`, `Cpl ` mean spend, cpl
        if canonical not in known:
            labels = {key: f'{getattr(item, "label", "")} {getattr(item, "description", "")}'
                      for key, item in known.items()}
            raise error(name, tuple(known), labels)
        out.append(canonical)
    return tuple(dict.fromkeys(out))  # duplicates asked twice are answered once


@dataclass(frozen=True, kw_only=True)
class Query:
    """A validated request: metrics and dimensions in the order asked (duplicates removed)."""

    metrics: tuple[str, ...]
    dimensions: tuple[str, ...] = ()
    filters: Filters = field(default=NO_FILTERS)
    tenant: int | None = None
    #: (column, descending) pairs, each a requested metric or dimension; ties and the rest
    #: follow the dimensions' order
    order_by: tuple[tuple[str, bool], ...] = ()
    limit: int | None = None
    offset: int = 0
    #: several groupings answered by one scan (GROUP BY GROUPING SETS): each a tuple of
    #: dimension names; `dimensions` is then their union in order of appearance, and
    #: order_by/limit give the first rows of each set
    grouping_sets: tuple[tuple[str, ...], ...] = ()
    #: a day inside the date range: rows dated before it and from it on are grouped apart
    #: (e.g. a previous period and the current one, read in one scan)
    split_at: dt.date | None = None

    def __post_init__(self) -> None:
        metrics = _names("metric", self.metrics, catalog.METRICS, UnknownMetricError)
        if not metrics:
            raise InvalidQueryError("ask for at least one metric (see `campaign-bi catalog`)")
        object.__setattr__(self, "metrics", metrics)
        sets = tuple(_names("dimension", dims, catalog.DIMENSIONS, UnknownDimensionError)
                     for dims in self.grouping_sets or ())
        if sets:
            if any(not dims for dims in sets) or len(set(sets)) != len(sets):
                raise InvalidQueryError("grouping sets must be distinct and non-empty")
            union = tuple(dict.fromkeys(d for dims in sets for d in dims))
            if (self.dimensions and tuple(self.dimensions) != union) or self.offset:
                raise InvalidQueryError(
                    "grouping sets take no dimensions or offset of their own (order_by and "
                    "limit apply within each set)")
            object.__setattr__(self, "dimensions", union)
        else:
            object.__setattr__(
                self, "dimensions",
                _names("dimension", self.dimensions, catalog.DIMENSIONS, UnknownDimensionError),
            )
        object.__setattr__(self, "grouping_sets", sets)
        object.__setattr__(self, "filters", make_filters(self.filters))
        object.__setattr__(self, "tenant", make_tenant(self.tenant))
        object.__setattr__(self, "order_by", _order_by(self.order_by, metrics + self.dimensions))
        for name in ("limit", "offset"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                      or value < 0):
                raise InvalidQueryError(f"{name} must be a non-negative integer, got {value!r}")
        if self.split_at is not None:
            split = _as_date("split_at", self.split_at)
            f = self.filters
            if sets or not (f.date_from and f.date_to and f.date_from < split <= f.date_to):
                raise InvalidQueryError(
                    "split_at needs a date range that starts before it and ends on or after "
                    "it, and no grouping sets")
            object.__setattr__(self, "split_at", split)


def _order_by(order_by: object, columns: tuple[str, ...]) -> tuple[tuple[str, bool], ...]:
    """Accepts ["spend"], ["-spend"] (descending) or [("spend", True)]."""
    if isinstance(order_by, str):
        order_by = (order_by,)
    out = []
    for item in order_by or ():
        if isinstance(item, str):
            name, descending = item.lstrip("-"), item.startswith("-")
        else:
            name, descending = item[0], bool(item[1])
        if name not in columns:
            raise InvalidQueryError(
                f"cannot order by {name!r}: order by one of the requested columns "
                f"({', '.join(columns)})"
            )
        out.append((name, descending))
    return tuple(out)


def make_query(
    metrics: object,
    dimensions: object = (),
    filters: Filters | Mapping[str, object] | None = None,
    tenant: object = None,
    order_by: object = (),
    limit: int | None = None,
    offset: int = 0,
    *,
    grouping_sets: object = (),
    split_at: object = None,
) -> Query:
    return Query(metrics=metrics, dimensions=dimensions, filters=filters, tenant=tenant,
                 order_by=order_by, limit=limit, offset=offset,
                 grouping_sets=tuple(tuple(_values_of(s)) for s in grouping_sets or ()),
                 split_at=split_at)


def _values_of(names: object) -> tuple:
    return (names,) if isinstance(names, str) else tuple(names)  # type: ignore[arg-type]
