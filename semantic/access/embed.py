"""Signed, expiring embed tokens: a URL the platform puts in an iframe opens the dashboard locked
to one business user, without a login.

A token is `payload.signature`, both base64url: the payload is JSON {"bu": business user,
"exp": expiry (Unix seconds), "iat": issued}; the signature is HMAC-SHA256 of the encoded
payload with the secret in CAMPAIGN_BI_EMBED_SECRET. Whoever holds the URL sees that business
user's dashboard until it expires, so keep the lifetime short (default one hour).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import time

from semantic.errors import CampaignBIError

SECRET_ENV = "CAMPAIGN_BI_EMBED_SECRET"
#: the URL parameter that carries the token
PARAM = "embed"
DEFAULT_TTL_S = 3600
MAX_TTL_S = 30 * 24 * 3600
MIN_SECRET = 32
#: the user name an embedded session runs as (audit lines, exports)
USER_PREFIX = "embed:"


class EmbedError(CampaignBIError):
    """A token that cannot be used: its reason is safe to show (it says nothing of the secret)."""


def secret_from_env() -> bytes:
    secret = os.environ.get(SECRET_ENV, "")
    if len(secret) < MIN_SECRET:
        raise EmbedError(f"set {SECRET_ENV} to a random string of at least {MIN_SECRET} "
                         f"characters (e.g. python -c 'import secrets; "
                         f"print(secrets.token_urlsafe(48))') to sign embed URLs")
    return secret.encode("utf-8")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: bytes, payload: str) -> str:
    return _b64(hmac.new(secret, payload.encode("ascii"), hashlib.sha256).digest())


def sign(business_user: int, ttl_s: int = DEFAULT_TTL_S, secret: bytes | None = None,
         now: float | None = None) -> str:
    if not 0 < ttl_s <= MAX_TTL_S:
        raise EmbedError(f"the lifetime must be between 1 s and {MAX_TTL_S // 86400} days")
    issued = int(now if now is not None else time.time())
    body = json.dumps({"bu": int(business_user), "exp": issued + int(ttl_s), "iat": issued},
                      separators=(",", ":"), sort_keys=True)
    payload = _b64(body.encode("utf-8"))
    return f"{payload}.{_signature(secret or secret_from_env(), payload)}"


_SHAPE = re.compile(r"^[A-Za-z0-9_-]{8,400}\.[A-Za-z0-9_-]{43}$")


def verify(token: str, secret: bytes | None = None, now: float | None = None) -> int:
    """The business user `token` is for; EmbedError when it is malformed, tampered with (or
    signed with another secret) or expired."""
    if not isinstance(token, str) or not _SHAPE.match(token):
        raise EmbedError("this embed link is malformed")
    payload, signature = token.split(".")
    if not hmac.compare_digest(signature, _signature(secret or secret_from_env(), payload)):
        raise EmbedError("this embed link is not valid (its signature does not match)")
    try:
        claims = json.loads(_unb64(payload))
        user, expires = int(claims["bu"]), int(claims["exp"])
    except (ValueError, KeyError, TypeError):
        raise EmbedError("this embed link is malformed") from None
    if (now if now is not None else time.time()) >= expires:
        raise EmbedError("this embed link has expired: ask for a new one")
    return user


def parse_ttl(text: str) -> int:
    """"90s", "15m", "1h", "2d" or plain seconds → seconds."""
    match = re.fullmatch(r"\s*(\d+)\s*([smhd]?)\s*", text or "")
    if not match:
        raise EmbedError(f"--ttl {text!r}: use seconds or a number with s, m, h or d (e.g. 1h)")
    value, unit = int(match.group(1)), match.group(2) or "s"
    return value * {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit]
