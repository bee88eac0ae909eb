"""The API's URL parameters: declared once (parsing and the OpenAPI document both read these) and
parsed into the semantic layer's own request types, so every name and value is checked by the
layer exactly as for the CLI and the dashboard.

Filters are the catalog's (semantic/catalog FILTERS), by the same names as in a dashboard link
and on the command line: list filters repeat (`business_user=1411&business_user=1122`; ids may
also be comma-separated, as on the command line), dates are ISO days. A blank value
(`project=`, as an empty form field sends) means the filter is not set.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from semantic import catalog
from semantic.compiler import Filters, Query, make_filters, make_query
from semantic.errors import InvalidQueryError, suggestions

MAX_ROWS_ENV = "CAMPAIGN_BI_API_MAX_ROWS"
#: rows one JSON or CSV answer may hold (read at start): page larger results with limit and
#: offset
MAX_ROWS = int(os.environ.get(MAX_ROWS_ENV) or 100_000)
FORMATS = ("json", "csv")


class ParameterError(InvalidQueryError):
    """A URL parameter the API does not take, or one given in a form it cannot use."""


@dataclass(frozen=True)
class Param:
    name: str
    description: str
    schema: dict  # JSON Schema of one value
    repeat: bool = False
    required: bool = False
    #: with `repeat`, values may also be comma-separated (names and ids never hold commas)
    commas: bool = False
    examples: tuple = field(default=())


def _filter_param(spec: catalog.Filter) -> Param:
    notes = " ".join(n[0].upper() + n[1:].rstrip(".") + "." for n in spec.notes)
    text = f"{spec.description} {notes}".strip()
    if spec.kind == "integer_list":
        return Param(spec.name, text + " Repeatable; ids may be comma-separated.",
                     {"type": "integer"}, repeat=True, commas=True)
    if spec.kind == "text_list":
        return Param(spec.name, text + " Repeatable.", {"type": "string"}, repeat=True)
    return Param(spec.name, text, {"type": "string", "format": "date"})


FILTER_PARAMS: tuple[Param, ...] = tuple(_filter_param(f) for f in catalog.FILTERS.values())

_COLUMNS = (*catalog.METRICS, *catalog.DIMENSIONS)
QUERY_PARAMS: tuple[Param, ...] = (
    Param("metric", "Metric to compute (see /api/v1/catalog). Repeatable.",
          {"type": "string", "enum": list(catalog.METRICS)}, repeat=True, required=True,
          commas=True),
    Param("by", "Dimension to break down by, e.g. project, campaign, week. Repeatable.",
          {"type": "string", "enum": list(catalog.DIMENSIONS)}, repeat=True, commas=True),
    *FILTER_PARAMS,
    Param("order_by", "Sort by a requested metric or dimension, `name` or `name:asc` / "
          "`name:desc`. Repeatable (the first decides, the next break ties); rows are "
          "otherwise ordered by the dimensions.",
          {"type": "string", "pattern": f"^({'|'.join(_COLUMNS)})(:(asc|desc))?$"}, repeat=True),
    Param("limit", f"At most this many rows (at most {MAX_ROWS:,}; a larger result needs "
          "limit and offset).", {"type": "integer", "minimum": 0, "maximum": MAX_ROWS}),
    Param("offset", "Skip this many rows first (with order_by for stable pages).",
          {"type": "integer", "minimum": 0}),
    Param("format", "json (default) or csv.", {"type": "string", "enum": list(FORMATS),
                                                "default": "json"}),
)


@dataclass(frozen=True)
class QueryRequest:
    query: Query  # validated by the layer's own types (names, values, tenant)
    format: str
    #: whether the client asked for a limit; without one the query fetches MAX_ROWS + 1 rows,
    #: and more than MAX_ROWS is refused
    limited: bool
    #: whether the rows before limit/offset must be counted in the query (a page); otherwise
    #: they are the rows fetched (a count in the query costs ~30% of a small one's time)
    counted: bool


def _text(name: str, raw: bytes | str) -> str:
    if isinstance(raw, str):
        return raw
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ParameterError(f"parameter {name!r} is not valid UTF-8") from None


def collect(arguments: Mapping[str, Sequence[bytes | str]], params: Sequence[Param]
            ) -> dict[str, list[str] | str]:
    """Tornado's `request.arguments` checked against `params`: unknown names are refused with
    a suggestion, single parameters given twice are refused, blank values dropped."""
    known = {p.name: p for p in params}
    out: dict[str, list[str] | str] = {}
    for name, raws in arguments.items():
        param = known.get(name)
        if param is None:
            hints = suggestions(name, list(known), {})
            hint = f"; did you mean {hints[0]!r}?" if hints else ""
            raise ParameterError(f"unknown parameter {name!r}{hint} (known: "
                                 f"{', '.join(known)})")
        values = [_text(name, raw).strip() for raw in raws]
        if param.commas:
            values = [part.strip() for v in values for part in v.split(",")]
        values = [v for v in values if v]
        if not values:
            continue
        if param.repeat:
            out[name] = values
        elif len(values) > 1:
            raise ParameterError(f"parameter {name!r} is given {len(values)} times; give it "
                                 "once")
        else:
            out[name] = values[0]
    for param in params:
        if param.required and param.name not in out:
            raise ParameterError(f"parameter {param.name!r} is required, e.g. "
                                 f"?{param.name}=spend")
    return out


def _filters(values: Mapping[str, list[str] | str]) -> Filters:
    return make_filters({name: values[name] for name in catalog.FILTERS if name in values})


def _count(name: str, value: str | None) -> int | None:
    if value is None:
        return None
    if not value.isdigit() or len(value) > 12:
        raise ParameterError(f"parameter {name!r} takes a whole number of rows, got "
                             f"{value[:40]!r}")
    return int(value)


def _order(values: Sequence[str]) -> list[tuple[str, bool]]:
    out = []
    for item in values:
        name, _, direction = item.partition(":")
        if direction.lower() not in ("", "asc", "desc"):
            raise ParameterError(f"order_by {item[:60]!r}: write name, name:asc or name:desc")
        out.append((name.strip().lower(), direction.lower() == "desc"))
    return out


def query_request(arguments: Mapping[str, Sequence[bytes | str]],
                  tenant: int | None) -> QueryRequest:
    values = collect(arguments, QUERY_PARAMS)
    fmt = str(values.get("format", "json")).lower()
    if fmt not in FORMATS:
        raise ParameterError(f"format must be json or csv, got {fmt[:20]!r}")
    limit = _count("limit", values.get("limit"))  # type: ignore[arg-type]
    if limit is not None and limit > MAX_ROWS:
        raise ParameterError(f"limit must be at most {MAX_ROWS:,}; page with limit and offset")
    offset = _count("offset", values.get("offset")) or 0  # type: ignore[arg-type]
    query = make_query(values["metric"], values.get("by", ()), _filters(values), tenant,
                       _order(values.get("order_by", ())),  # type: ignore[arg-type]
                       MAX_ROWS + 1 if limit is None else limit, offset)
    return QueryRequest(query, fmt, limited=limit is not None,
                        counted=limit is not None or offset > 0)


def export_filters(arguments: Mapping[str, Sequence[bytes | str]]) -> Filters:
    return _filters(collect(arguments, FILTER_PARAMS))
