"""The API's OpenAPI 3.1 document, generated from the handlers (path, scope, parameters,
responses) and, through their parameters, from the catalog (metric and dimension names, the
filters): it cannot list an endpoint or a filter the server does not have."""

from __future__ import annotations

import json
from collections.abc import Iterable

VERSION = "1"
_ERROR = {"type": "object", "required": ["error"], "properties": {
    "error": {"type": "string", "description": "What went wrong, in one sentence."},
    "did_you_mean": {"type": "array", "items": {"type": "string"},
                     "description": "Close names, for an unknown metric, dimension or filter."}}}
_NULLABLE_NUMBER = {"type": ["number", "string", "null"]}

SCHEMAS = {
    "Error": _ERROR,
    "Health": {"type": "object", "required": ["status", "data_version", "last_ingest"],
               "properties": {"status": {"type": "string", "const": "ok"},
                              "data_version": {"type": "string"},
                              "last_ingest": {"type": ["string", "null"],
                                              "format": "date-time"}}},
    "Catalog": {"type": "object", "required": ["metrics", "dimensions", "filters"],
                "properties": {
                    "metrics": {"type": "array", "items": {"type": "object", "properties": {
                        "name": {"type": "string"}, "label": {"type": "string"},
                        "unit": {"type": "string",
                                 "enum": ["money", "count", "percent", "ratio", "hours"]},
                        "description": {"type": "string"}, "formula": {"type": "string"},
                        "additivity": {"type": "string"}}}},
                    "dimensions": {"type": "array", "items": {"type": "object", "properties": {
                        "name": {"type": "string"}, "label": {"type": "string"},
                        "kind": {"type": "string"}, "description": {"type": "string"}}}},
                    "filters": {"type": "array", "items": {"type": "object", "properties": {
                        "name": {"type": "string"}, "label": {"type": "string"},
                        "kind": {"type": "string"}, "description": {"type": "string"}}}}}},
    "QueryResult": {
        "type": "object",
        "required": ["columns", "rows", "metrics", "data_version", "total_rows"],
        "properties": {
            "columns": {"type": "array", "items": {"type": "string"},
                        "description": "Dimensions, then metrics, in the order asked."},
            "rows": {"type": "array", "items": {"type": "array", "items": _NULLABLE_NUMBER},
                     "description": "One array per row, in the columns' order: numbers, text, "
                                    "ISO dates (day, week = its Monday, month = its first "
                                    "day), null where a ratio's denominator is zero."},
            "metrics": {"type": "object", "additionalProperties": {
                "type": "object", "properties": {"label": {"type": "string"},
                                                 "unit": {"type": "string"}}}},
            "data_version": {"type": "string"},
            "total_rows": {"type": "integer", "description": "Rows before limit and offset."},
            "offset": {"type": "integer"},
            "limit": {"type": ["integer", "null"]},
            "notes": {"type": "array", "items": {"type": "string"},
                      "description": "What to know about these numbers (e.g. reach)."}}},
}

_STANDARD = {
    400: ("Bad request: unknown metric, dimension or parameter (with did_you_mean), a value "
          "that is not valid, or more rows than one answer may hold", {}),
    401: ("No token, or an unknown or revoked one", {"WWW-Authenticate": "Bearer"}),
    403: ("The token does not hold the scope this endpoint needs",
          {"WWW-Authenticate": "Bearer error=\"insufficient_scope\""}),
    429: ("Too many requests for this token: wait Retry-After seconds",
          {"Retry-After": "Seconds to wait"}),
    503: ("The warehouse, token file or audit log is not available", {}),
}


def _parameter(param) -> dict:
    schema = {"type": "array", "items": param.schema} if param.repeat else param.schema
    out = {"name": param.name, "in": "query", "required": param.required,
           "description": param.description, "schema": schema}
    if param.repeat:
        out.update(style="form", explode=True)
    return out


def _response(description: str, media: str, schema: str | None) -> dict:
    content = {"schema": {"$ref": f"#/components/schemas/{schema}"}} if schema else \
        {"schema": {"type": "string"}}
    return {"description": description, "content": {media: content}}


def _error(status: int) -> dict:
    description, headers = _STANDARD[status]
    out = _response(description, "application/json", "Error")
    if headers:
        out["headers"] = {name: {"description": text, "schema": {"type": "string"}}
                          for name, text in headers.items()}
    return out


def operation(handler) -> dict:
    responses = {str(status): _response(*spec) for status, spec in handler.responses.items()}
    errors = []
    if handler.params:
        errors.append(400)
    if handler.scope is not None:
        errors += [401, 429]
    if handler.scope:
        errors.append(403)
    if handler.scope is not None or handler.params:
        errors.append(503)
    for status in errors:
        responses.setdefault(str(status), _error(status))
    op = {"operationId": handler.path.rsplit("/", 1)[-1].replace(".", "_"),
          "summary": handler.summary, "description": handler.description,
          "parameters": [_parameter(p) for p in handler.params], "responses": responses}
    if handler.scope is None:
        op["security"] = []  # public
    else:
        op["x-scope"] = handler.scope or None
    return op


def document(handlers: Iterable) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "campaign-bi API", "version": VERSION,
                 "description": "Metrics and leads of the campaign-bi warehouse, confined to "
                                "the business user a token is bound to (admin tokens: all). "
                                "See docs/API.md."},
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "paths": {h.path: {"get": operation(h)} for h in handlers},
        "components": {
            "securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer",
                "description": "A token from `campaign-bi tokens add NAME (--business-user ID "
                               "| --admin) [--scope query] [--scope export]`; scopes: "
                               "query (metrics), export (the leads)."}},
            "schemas": SCHEMAS,
        },
    }


def dumps(body: dict) -> bytes:
    return json.dumps(body, ensure_ascii=False, allow_nan=False, indent=1).encode()
