"""API tokens: one per integration, bound to one business user (a tenant) or to admin (all data),
holding scopes ("query": metrics; "export": the leads export, personal data).

A token reads `cbi_<id>_<secret>`: `id` is 12 public hex characters, the key under which the
token is stored (so a lookup is one dict access, not a scan of every hash); `secret` is
`secrets.token_urlsafe(32)` (256 random bits). Only a SHA-256 hash of the whole token is stored,
never the token itself: `campaign-bi tokens add` prints it once.

Why a plain SHA-256 and not scrypt as for passwords: a slow hash protects low-entropy secrets
(passwords people choose) against guessing from a stolen hash file. A 256-bit random secret
cannot be guessed whatever the hash costs, so a fast hash loses nothing, and it keeps a request's
check in microseconds instead of the ~50 ms scrypt takes (which would also make every API
request a cheap way to burn the server's CPU).

The store is JSON, written atomically (a private temporary file, fsync, `os.replace`) with mode
0600 under a lock file, so two `tokens` commands never lose each other's change:

    {"reporting": {"id": "3f9a0c1b2d4e", "hash": "sha256$<hex>", "business_user": 1411,
                   "scopes": ["query"], "created": "2026-12-07T10:00:00Z", "revoked": null}}

`TokenStore` is what the server holds: it re-reads the file when its identity (inode, mtime,
size) changes, so a revocation takes effect on the next request, without a restart.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from semantic.errors import CampaignBIError

TOKENS_ENV = "CAMPAIGN_BI_TOKENS"
DEFAULT_TOKENS = "data/tokens.json"
#: what a token may be used for: metrics (`/api/v1/query`, `catalog`) and the leads export
SCOPES = ("query", "export")
DEFAULT_SCOPES = ("query",)  # least privilege: the export carries personal data
PREFIX = "cbi"
_ID = re.compile(r"[0-9a-f]{12}")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
_MAX_TOKEN = 200  # longer Authorization values are not tokens (never hashed)


class TokenError(CampaignBIError):
    """A token cannot be created, revoked or read; or the token file is unusable."""


@dataclass(frozen=True, kw_only=True)
class Token:
    name: str
    id: str
    hash: str
    business_user: int | None  # None: admin, every business user
    scopes: tuple[str, ...]
    created: str
    revoked: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.business_user is None

    @property
    def active(self) -> bool:
        return self.revoked is None

    def allows(self, scope: str) -> bool:
        return scope in self.scopes


def tokens_path() -> Path:
    return Path(os.environ.get(TOKENS_ENV) or DEFAULT_TOKENS)


def digest(token: str) -> str:
    return "sha256$" + hashlib.sha256(token.encode("utf-8")).hexdigest()


def split(token: str) -> tuple[str, str] | None:
    """(id, secret) of a well-formed token, else None (nothing about it is looked up)."""
    if not token or len(token) > _MAX_TOKEN:
        return None
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not _ID.fullmatch(parts[1]) or not parts[2]:
        return None
    return parts[1], parts[2]


def new_token() -> tuple[str, str]:
    """(id, token): a fresh random token and its public id."""
    token_id = secrets.token_hex(6)
    return token_id, f"{PREFIX}_{token_id}_{secrets.token_urlsafe(32)}"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


# -- the file ------------------------------------------------------------------------------
def load_tokens(path: Path | None = None) -> dict[str, Token]:
    """Every token in the file by name (an absent file holds none)."""
    path = path or tokens_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise TokenError(f"{path}: cannot read the token file ({exc.strerror})") from None
    return _parse(path, text)


def _parse(path: Path, text: str) -> dict[str, Token]:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TokenError(f"{path}: line {exc.lineno}: not valid JSON ({exc.msg})") from None
    if not isinstance(raw, dict):
        raise TokenError(f"{path}: expected an object of tokens by name")
    out = {}
    for name, entry in raw.items():
        try:
            user = entry["business_user"]
            if user is not None and (isinstance(user, bool) or not isinstance(user, int)):
                raise TypeError("business_user")
            scopes = tuple(entry["scopes"])
            if not set(scopes) <= set(SCOPES) or not str(entry["hash"]).startswith("sha256$") \
                    or not _ID.fullmatch(str(entry["id"])):
                raise ValueError("scopes, hash or id")
            out[name] = Token(name=name, id=entry["id"], hash=entry["hash"], business_user=user,
                              scopes=scopes, created=str(entry.get("created", "")),
                              revoked=entry.get("revoked"))
        except (KeyError, TypeError, ValueError) as exc:
            raise TokenError(f"{path}: token {name!r} is malformed ({exc})") from None
    return out


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One writer at a time (a read-modify-write of the file), across processes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _write(path: Path, tokens: dict[str, Token]) -> None:
    raw = {t.name: {"id": t.id, "hash": t.hash, "business_user": t.business_user,
                    "scopes": list(t.scopes), "created": t.created, "revoked": t.revoked}
           for t in tokens.values()}
    data = (json.dumps(raw, indent=2, sort_keys=True) + "\n").encode("utf-8")
    tmp = path.with_name(f".{path.name}.tmp-{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def add_token(name: str, business_user: int | None, scopes: Iterable[str] = DEFAULT_SCOPES,
              path: Path | None = None) -> str:
    """Create token NAME and return it (the only time it is seen). A revoked token's name may
    be reused; an active one's may not."""
    path = path or tokens_path()
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise TokenError(f"token name {name!r} must be 1-64 letters, digits or . _ @ - "
                         "(starting with a letter or digit)")
    scopes = tuple(dict.fromkeys(scopes)) or DEFAULT_SCOPES
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        raise TokenError(f"unknown scope {unknown[0]!r}: scopes are {', '.join(SCOPES)}")
    if business_user is not None and (isinstance(business_user, bool)
                                      or not isinstance(business_user, int)):
        raise TokenError(f"business user must be an integer id, got {business_user!r}")
    with _locked(path):
        tokens = load_tokens(path)
        if name in tokens and tokens[name].active:
            raise TokenError(f"token {name!r} exists; revoke it first "
                             f"(`campaign-bi tokens revoke {name}`) or choose another name")
        token_id, token = new_token()
        tokens[name] = Token(name=name, id=token_id, hash=digest(token),
                             business_user=business_user, scopes=scopes, created=_now())
        _write(path, tokens)
    return token


def revoke_token(name: str, path: Path | None = None) -> Token:
    """Mark token NAME revoked (kept in the file, with the time, for the record)."""
    path = path or tokens_path()
    with _locked(path):
        tokens = load_tokens(path)
        token = tokens.get(name)
        if token is None:
            raise TokenError(f"no token named {name!r} in {path}")
        if token.active:
            tokens[name] = token = replace(token, revoked=_now())
            _write(path, tokens)
    return token


# -- the server's view ---------------------------------------------------------------------
@dataclass(frozen=True)
class Verdict:
    """A lookup's outcome: the token, or why there is none ("missing", "unknown", "revoked")."""

    token: Token | None
    reason: str = ""


class TokenStore:
    """The token file as a server reads it: indexed by id, re-read whenever the file changes
    (checked on every lookup: one `stat`). Thread-safe."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path or tokens_path())
        self._lock = threading.Lock()
        self._identity: tuple | None = ("unread",)
        self._by_id: dict[str, Token] = {}
        self.reloads = 0

    def _current(self) -> dict[str, Token]:
        try:
            st = os.stat(self.path)
            identity = (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            identity = None
        with self._lock:
            if identity != self._identity:
                # a file that cannot be read raises (the caller refuses every token): failing
                # open could let a revoked token through
                tokens = load_tokens(self.path) if identity is not None else {}
                self._by_id = {t.id: t for t in tokens.values()}
                self._identity = identity
                self.reloads += 1
            return self._by_id

    def verify(self, token: str | None) -> Verdict:
        if not token:
            return Verdict(None, "missing")
        parts = split(token)
        if parts is None:
            return Verdict(None, "unknown")
        found = self._current().get(parts[0])
        if found is None or not hmac.compare_digest(found.hash, digest(token)):
            return Verdict(None, "unknown")
        if not found.active:
            return Verdict(None, "revoked")
        return Verdict(found)
