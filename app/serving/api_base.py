"""What every JSON API handler shares: JSON errors with the right status (never a traceback:
unexpected errors are logged here and answered "internal error"), bearer-token authentication
independent of the dashboard's login cookie, the per-token rate limit, scopes, and a small
thread pool for database work (the server's event loop also runs the dashboard's sessions).

Order of the checks: token (401) → rate (429: refused requests count too) → scope (403) →
parameters (400) → work.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from typing import Any, ClassVar

import tornado.web

from app.serving import api_auth
from semantic.access.export import AuditLogError, ExportTooLargeError
from semantic.access.tokens import Token, TokenError
from semantic.errors import (
    CampaignBIError,
    SemanticError,
    UnknownNameError,
    WarehouseError,
)

log = logging.getLogger("campaign_bi.api")
JSON_TYPE = "application/json; charset=utf-8"
REALM = 'Bearer realm="campaign-bi"'
THREADS_ENV = "CAMPAIGN_BI_API_THREADS"
DEFAULT_THREADS = 4

_pool: tuple[int, ThreadPoolExecutor] | None = None
_pool_lock = threading.Lock()


def pool() -> ThreadPoolExecutor:
    """This process's API worker threads (made after any `--num-procs` fork)."""
    global _pool
    with _pool_lock:
        if _pool is None or _pool[0] != os.getpid():
            threads = int(os.environ.get(THREADS_ENV) or DEFAULT_THREADS)
            _pool = (os.getpid(), ThreadPoolExecutor(max_workers=max(1, threads),
                                                     thread_name_prefix="campaign-bi-api"))
        return _pool[1]


class ApiError(tornado.web.HTTPError):
    """An answer other than 200: its message goes to the client as {"error": ...}."""

    def __init__(self, status: int, message: str, *, headers: dict[str, str] | None = None,
                 extra: dict[str, Any] | None = None) -> None:
        super().__init__(status)
        self.message = message
        self.headers = headers or {}
        self.extra = extra or {}


def error_for(exc: CampaignBIError) -> ApiError:
    """The answer to an error of the semantic layer, the export or the token file."""
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    if isinstance(exc, UnknownNameError):
        return ApiError(400, text, extra={"did_you_mean": exc.suggestions})
    if isinstance(exc, SemanticError | ExportTooLargeError):
        return ApiError(400, text)
    if isinstance(exc, WarehouseError):
        log.error("API: warehouse unavailable: %s", text)
        return ApiError(503, "the warehouse is not available; try again later")
    if isinstance(exc, AuditLogError):
        log.error("API: export refused: %s", text)
        return ApiError(503, "the export audit log cannot be written, so nothing was "
                             "exported; the server log has the details")
    if isinstance(exc, TokenError):
        log.error("API: token file unusable: %s", text)
        return ApiError(503, "the token file cannot be read; every token is refused until "
                             "it is fixed (see the server log)")
    log.error("API: %s: %s", type(exc).__name__, text)
    return ApiError(500, "internal error; the server log has the details")


class ApiHandler(tornado.web.RequestHandler):
    """Base of the API's handlers. Subclasses set the class attributes (read by the OpenAPI
    document too) and implement `answer`."""

    #: the path as documented (the route's pattern may escape it)
    path: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    description: ClassVar[str] = ""
    #: None: public (no token); "": any valid token; else the scope a token must hold
    scope: ClassVar[str | None] = ""
    params: ClassVar[tuple] = ()
    #: status -> (description, media type, schema name in components or None)
    responses: ClassVar[dict[int, tuple[str, str, str | None]]] = {}

    def set_default_headers(self) -> None:
        self.set_header("Content-Type", JSON_TYPE)
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")

    def compute_etag(self) -> None:
        """No ETag: answers are not cached (`no-store`), so hashing each body is wasted."""
        return None

    def check_xsrf_cookie(self) -> None:
        """Tokens, not cookies, authenticate here, so there is no cross-site request to forge
        (and only GET is served)."""

    async def get(self) -> None:
        try:
            token = None if self.scope is None else self.authorize()
            await self.answer(token)
        except CampaignBIError as exc:
            raise error_for(exc) from None

    async def answer(self, token: Token | None) -> None:
        raise NotImplementedError

    # -- checks ----------------------------------------------------------------------------
    def authorize(self) -> Token:
        verdict = api_auth.token_store().verify(
            api_auth.bearer(self.request.headers.get("Authorization")))
        if verdict.token is None:
            if verdict.reason == "missing":
                raise ApiError(401, "missing token: send `Authorization: Bearer <token>` "
                                    "(an administrator creates one with `campaign-bi tokens "
                                    "add`)", headers={"WWW-Authenticate": REALM})
            message = "this token was revoked" if verdict.reason == "revoked" else \
                "unknown token"
            log.warning("API: %s from %s", message, self.request.remote_ip)
            raise ApiError(401, message, headers={
                "WWW-Authenticate": f'{REALM}, error="invalid_token", '
                                    f'error_description="{message}"'})
        token = verdict.token
        wait = api_auth.limiter().acquire(token.id)
        if wait > 0:
            raise ApiError(429, f"too many requests for token {token.name!r}; retry after "
                                f"{api_auth.retry_after_header(wait)} s",
                           headers={"Retry-After": api_auth.retry_after_header(wait)})
        if self.scope and not token.allows(self.scope):
            raise ApiError(403, f"token {token.name!r} does not hold the {self.scope!r} scope "
                                f"(it holds: {', '.join(token.scopes)})",
                           headers={"WWW-Authenticate": f'{REALM}, error="insufficient_scope",'
                                                        f' scope="{self.scope}"'})
        return token

    # -- work and answers ------------------------------------------------------------------
    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """`fn(*args)` on the API's worker threads, never on the event loop."""
        return await asyncio.get_running_loop().run_in_executor(pool(), fn, *args)

    def send_json(self, body: Any) -> None:
        self.finish(body if isinstance(body, bytes) else
                    json.dumps(body, ensure_ascii=False, allow_nan=False).encode())

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, ApiError):
            message, extra = exc.message, exc.extra
            for name, value in exc.headers.items():
                self.set_header(name, value)
        elif status_code == 405:
            message, extra = f"{self.request.method} is not allowed here; use GET", {}
            self.set_header("Allow", "GET")
        elif status_code >= 500:
            message, extra = "internal error; the server log has the details", {}
        else:
            message, extra = HTTPStatus(status_code).phrase, {}
        self.set_header("Content-Type", JSON_TYPE)
        self.finish(json.dumps({"error": message, **extra}, ensure_ascii=False))

    def log_exception(self, typ, value, tb) -> None:
        if isinstance(value, ApiError):  # an answer, not a fault: one line at most
            if value.status_code >= 500:
                log.warning("API %s %s: %s", value.status_code, self.request.path,
                            value.message)
            return
        super().log_exception(typ, value, tb)  # tracebacks go to the server log only


class NotFoundHandler(ApiHandler):
    """Any other path under /api/: a JSON 404 naming where the description is."""

    scope = None

    async def get(self) -> None:
        raise ApiError(404, f"no API endpoint {self.request.path!r}; the endpoints are "
                            "described at /api/v1/openapi.json")

    post = put = delete = patch = get
