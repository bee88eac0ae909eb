"""Dashboard accounts for production mode: scrypt-hashed passwords, each account mapped to one
business user (a tenant) or to admin (all data).

The credentials file is JSON: {"name": {"password": "scrypt$…", "business_user": 199}} with
"business_user": null for an admin. Plaintext passwords are never stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from semantic.errors import CampaignBIError

DEFAULT_CREDENTIALS = "data/credentials.json"
_N, _R, _P = 2**14, 8, 1


class AccountError(CampaignBIError):
    """An account cannot be created, read or used."""


@dataclass(frozen=True, kw_only=True)
class Account:
    name: str
    password_hash: str
    business_user: int | None  # None: admin, sees every business user

    @property
    def is_admin(self) -> bool:
        return self.business_user is None


def credentials_path() -> Path:
    return Path(os.environ.get("CAMPAIGN_BI_CREDENTIALS", DEFAULT_CREDENTIALS))


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(
            password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def load_accounts(path: Path | None = None) -> dict[str, Account]:
    path = path or credentials_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AccountError(f"{path}: no credentials file; create one with `campaign-bi users add`") from None
    except json.JSONDecodeError as exc:
        raise AccountError(f"{path}: line {exc.lineno}: not valid JSON ({exc.msg})") from None
    accounts = {}
    for name, entry in raw.items():
        stored = entry.get("password", "") if isinstance(entry, dict) else ""
        if not stored.startswith("scrypt$"):
            raise AccountError(f"{path}: account {name!r} has no scrypt password hash")
        user = entry.get("business_user")
        if user is not None and not isinstance(user, int):
            raise AccountError(f"{path}: account {name!r}: business_user must be an integer or null")
        accounts[name] = Account(name=name, password_hash=stored, business_user=user)
    return accounts


def authenticate(name: str, password: str, path: Path | None = None) -> Account | None:
    account = load_accounts(path).get(name)
    if account is None:
        # Spend the same time as a real check so a wrong name is not told apart by timing.
        verify_password(password, _DUMMY_HASH)
        return None
    return account if verify_password(password, account.password_hash) else None


def save_account(name: str, password: str, business_user: int | None, path: Path | None = None) -> None:
    path = path or credentials_path()
    if not name or any(c.isspace() for c in name):
        raise AccountError(f"account name {name!r} must be non-empty and without spaces")
    if len(password) < 8:
        raise AccountError("password must have at least 8 characters")
    raw = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    raw[name] = {"password": hash_password(password), "business_user": business_user}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(raw, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


_DUMMY_HASH = hash_password(secrets.token_hex(8))
