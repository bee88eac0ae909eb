"""Delivery settings for alerts and the digest, from three places: command-line flags win over
environment variables, which win over a TOML file (`--notify-config PATH` or
$CAMPAIGN_BI_NOTIFY_CONFIG). The SMTP password comes only from the environment or the file,
never from a flag (a command line is visible to every user of the machine in `ps`).

The file (every key optional; docs/ALERTS.md lists them all):

    smtp = "smtp.example.com:587"
    smtp_user = "alerts@example.com"
    smtp_password = "..."          # or $CAMPAIGN_BI_SMTP_PASSWORD; keep the file chmod 600
    smtp_starttls = true
    from = "campaign-bi <alerts@example.com>"
    to = ["ops@example.com"]       # admins: every business user's alerts
    webhook = "https://hooks.slack.com/services/..."
    attempts = 3                   # tries per message
    retry_delay = 2.0              # seconds before the 2nd try, doubled before each next one
    timeout = 10.0                 # seconds per SMTP or HTTP exchange

    [recipients]                   # a business user's own people: only its alerts and KPIs
    1122 = ["owner@developer.example"]

    [webhooks]
    1122 = "https://hooks.slack.com/services/..."

    [digest]
    metrics = ["spend", "leads", "cpl", "qualified_leads"]
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import formataddr, parseaddr
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from semantic.errors import CampaignBIError

CONFIG_ENV = "CAMPAIGN_BI_NOTIFY_CONFIG"
#: setting -> its environment variable (settings without one come from flags or the file)
ENV = MappingProxyType({
    "smtp": "CAMPAIGN_BI_SMTP",
    "smtp_user": "CAMPAIGN_BI_SMTP_USER",
    "smtp_password": "CAMPAIGN_BI_SMTP_PASSWORD",
    "smtp_starttls": "CAMPAIGN_BI_SMTP_STARTTLS",
    "smtp_ssl": "CAMPAIGN_BI_SMTP_SSL",
    "sender": "CAMPAIGN_BI_ALERT_FROM",
    "to": "CAMPAIGN_BI_ALERT_TO",
    "webhook": "CAMPAIGN_BI_WEBHOOK",
    "state": "CAMPAIGN_BI_ALERT_STATE",
})
#: setting -> its key in the file (where the two differ: `from` is a Python keyword)
FILE_KEYS = MappingProxyType({"sender": "from"})
SCALARS = ("smtp", "smtp_user", "smtp_password", "smtp_starttls", "smtp_ssl", "sender", "to",
           "webhook", "state", "attempts", "retry_delay", "timeout")
TABLES = ("recipients", "webhooks", "digest")
DEFAULT_SMTP = ("localhost", 25)
#: The digest's KPIs when the file names none: catalog metrics, ratios computed from sums.
DIGEST_METRICS = ("spend", "impressions", "clicks", "ctr", "leads", "cpl", "qualified_leads",
                  "cost_per_qualified_lead")
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")


class NotifyConfigError(CampaignBIError):
    """The delivery settings cannot be used."""


@dataclass(frozen=True, kw_only=True)
class Destination:
    """One place messages go: an email address or a webhook URL, for every business user
    (`scope` None: an admin's) or for the listed business users only."""

    kind: str  # "email" | "webhook"
    address: str
    scope: frozenset[int] | None = None

    @property
    def key(self) -> str:
        """Its name in the state file. A webhook URL is a secret (whoever has it can post), so
        the file keeps a digest of it, not the URL."""
        if self.kind == "webhook":
            return "webhook:" + hashlib.sha256(self.address.encode()).hexdigest()[:16]
        return f"email:{self.address.lower()}"

    @property
    def label(self) -> str:
        """How messages and errors name it: the address, or the URL without its secret path."""
        if self.kind == "webhook":
            parts = urlsplit(self.address)
            return f"webhook {parts.scheme}://{parts.netloc}/…"
        return f"email to {self.address}"


@dataclass(frozen=True, kw_only=True)
class Settings:
    smtp_host: str = DEFAULT_SMTP[0]
    smtp_port: int = DEFAULT_SMTP[1]
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    sender: str | None = None
    to: tuple[str, ...] = ()
    webhook: str | None = None
    recipients: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    webhooks: Mapping[int, str] = field(default_factory=dict)
    state: Path | None = None
    attempts: int = 3
    retry_delay: float = 2.0
    timeout: float = 10.0
    digest_metrics: tuple[str, ...] = DIGEST_METRICS
    #: things worth saying on stderr (a world-readable file holding the password)
    warnings: tuple[str, ...] = field(default=(), compare=False)

    def destinations(self) -> list[Destination]:
        """Every destination once: the global `to` list and webhook see all business users; an
        address listed for business users (and not globally) sees those only."""
        out = [Destination(kind="email", address=a) for a in self.to]
        everything = {a.lower() for a in self.to}
        scoped: dict[str, set[int]] = {}
        spelled: dict[str, str] = {}
        for user, addresses in sorted(self.recipients.items()):
            for address in addresses:
                if address.lower() not in everything:
                    scoped.setdefault(address.lower(), set()).add(user)
                    spelled.setdefault(address.lower(), address)
        out += [Destination(kind="email", address=spelled[a], scope=frozenset(users))
                for a, users in scoped.items()]
        if self.webhook:
            out.append(Destination(kind="webhook", address=self.webhook))
        hooks: dict[str, set[int]] = {}
        for user, url in sorted(self.webhooks.items()):
            if url != self.webhook:
                hooks.setdefault(url, set()).add(user)
        out += [Destination(kind="webhook", address=url, scope=frozenset(users))
                for url, users in hooks.items()]
        return out

    def check_ready(self) -> None:
        """Refuse, before anything is evaluated or sent, settings that cannot deliver."""
        found = self.destinations()
        if not found:
            raise NotifyConfigError(
                "nothing to deliver to: give --mail-to or --webhook, set CAMPAIGN_BI_ALERT_TO "
                "or CAMPAIGN_BI_WEBHOOK, or list [recipients] in the notify config")
        if any(d.kind == "email" for d in found):
            if not self.sender:
                raise NotifyConfigError("no sender for the emails: give --mail-from or set "
                                        "CAMPAIGN_BI_ALERT_FROM (or `from` in the notify config)")
            if self.smtp_user and not self.smtp_password:
                raise NotifyConfigError(
                    "an SMTP user without a password: set CAMPAIGN_BI_SMTP_PASSWORD (or "
                    "smtp_password in the notify config; never on the command line)")

    @property
    def sender_address(self) -> str:
        return parseaddr(self.sender or "")[1]


def resolve(flags: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None,
            config: str | Path | None = None) -> Settings:
    """Settings from flags (None or an empty tuple: not given), the environment (default
    os.environ) and the TOML file (`config`, else $CAMPAIGN_BI_NOTIFY_CONFIG)."""
    flags = {k: v for k, v in (flags or {}).items() if v is not None and v != ()}
    if "smtp_password" in flags:
        raise NotifyConfigError("the SMTP password is never taken from the command line: set "
                                "CAMPAIGN_BI_SMTP_PASSWORD or smtp_password in the notify config")
    env = os.environ if env is None else env
    path = config if config is not None else env.get(CONFIG_ENV) or None
    data, warnings = _read_file(Path(path)) if path else ({}, [])
    base = Path(path).parent if path else Path()
    values: dict[str, Any] = {}
    from_file: set[str] = set()
    for name in SCALARS:
        key = FILE_KEYS.get(name, name)
        if name in flags:
            raw, where = flags[name], flag_name(name)
        elif env.get(ENV.get(name, ""), "") != "":
            raw, where = env[ENV[name]], ENV[name]
        elif key in data:
            raw, where = data[key], f"{path}: {key}"
            from_file.add(name)
        else:
            continue
        values[name] = _PARSE[name](raw, where)
    out: dict[str, Any] = {}
    if "smtp" in values:
        out["smtp_host"], out["smtp_port"] = values.pop("smtp")
    if "state" in values:  # a relative path in the file is relative to the file
        state = Path(values.pop("state"))
        out["state"] = base / state if "state" in from_file else state
    out.update(values)
    out["recipients"] = _recipients(data.get("recipients", {}), f"{path}: [recipients]")
    out["webhooks"] = _webhooks(data.get("webhooks", {}), f"{path}: [webhooks]")
    digest = data.get("digest", {})
    if not isinstance(digest, Mapping):
        raise NotifyConfigError(f"{path}: [digest] must be a table")
    _unknown(digest, ("metrics",), f"{path}: [digest]")
    if "metrics" in digest:
        out["digest_metrics"] = _metrics(digest["metrics"], f"{path}: [digest] metrics")
    settings = Settings(**out, warnings=tuple(warnings))
    if settings.smtp_starttls and settings.smtp_ssl:
        raise NotifyConfigError("choose one of STARTTLS (smtp_starttls) and SMTPS (smtp_ssl)")
    return settings


def _read_file(path: Path) -> tuple[dict, list[str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotifyConfigError(f"{path}: notify config not found") from None
    except OSError as exc:
        raise NotifyConfigError(f"{path}: cannot read the notify config ({exc.strerror})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise NotifyConfigError(f"{path}: not valid TOML ({exc})") from None
    _unknown(data, tuple(FILE_KEYS.get(n, n) for n in SCALARS) + TABLES, str(path))
    warnings = []
    if "smtp_password" in data and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        warnings.append(f"{path} holds the SMTP password and others may read it: "
                        f"chmod 600 {path}")
    return data, warnings


def _unknown(data: Mapping, known: tuple[str, ...], where: str) -> None:
    for key in data:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise NotifyConfigError(f"{where}: unknown setting {key!r}{hint}")


def flag_name(name: str) -> str:
    """A setting's command-line option."""
    return {"sender": "--mail-from", "to": "--mail-to"}.get(name, "--" + name.replace("_", "-"))


# -- parsers: (raw value, where it came from) -> value, or a NotifyConfigError naming both ---

def _text(raw: Any, where: str) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise NotifyConfigError(f"{where}: expected text, got {raw!r}")
    if any(ch in raw for ch in "\r\n\0"):
        raise NotifyConfigError(f"{where}: line breaks are not allowed")
    return raw.strip()


def _hostport(raw: Any, where: str) -> tuple[str, int]:
    text = _text(raw, where)
    match = re.fullmatch(r"\[(?P<v6>[0-9A-Fa-f:.]+)\](?::(?P<p6>\d+))?|(?P<host>[^:\s]+)"
                         r"(?::(?P<port>\d+))?", text)
    if not match:
        raise NotifyConfigError(f"{where}: expected HOST:PORT (e.g. smtp.example.com:587), "
                                f"got {text!r}")
    host = match["v6"] or match["host"]
    port = int(match["p6"] or match["port"] or DEFAULT_SMTP[1])
    if not 0 < port < 65536:
        raise NotifyConfigError(f"{where}: port {port} is not between 1 and 65535")
    return host, port


def _bool(raw: Any, where: str) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise NotifyConfigError(f"{where}: expected true or false, got {raw!r}")


def address(raw: Any, where: str, *, named: bool = False) -> str:
    """An email address (`named`: a display name is allowed, "Alerts <a@x.example>")."""
    text = _text(raw, where)
    name, addr = parseaddr(text)
    if not re.fullmatch(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+", addr) or (name and not named):
        raise NotifyConfigError(f"{where}: {text!r} is not an email address")
    return formataddr((name, addr)) if named else addr


def _addresses(raw: Any, where: str) -> tuple[str, ...]:
    if isinstance(raw, str):
        raw = [part for part in re.split(r"[,\s]+", raw) if part]
    if not isinstance(raw, list | tuple):
        raise NotifyConfigError(f"{where}: expected a list of email addresses")
    return tuple(dict.fromkeys(address(a, where) for a in raw))


def _url(raw: Any, where: str) -> str:
    text = _text(raw, where)
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise NotifyConfigError(f"{where}: a webhook must be an http(s) URL, got "
                                f"{parts.scheme or 'no scheme'}://…")
    return text


def _number(kind: type, low: float):
    def parse(raw: Any, where: str):
        try:
            value = kind(raw)
        except (TypeError, ValueError):
            value = None
        if value is None or isinstance(raw, bool) or value < low:
            raise NotifyConfigError(f"{where}: expected a number ≥ {low}, got {raw!r}")
        return value
    return parse


_PARSE = {
    "smtp": _hostport, "smtp_user": _text, "smtp_password": lambda raw, where: str(raw),
    "smtp_starttls": _bool, "smtp_ssl": _bool,
    "sender": lambda raw, where: address(raw, where, named=True),
    "to": _addresses, "webhook": _url, "state": lambda raw, where: _text(str(raw), where),
    "attempts": _number(int, 1), "retry_delay": _number(float, 0), "timeout": _number(float, 0.1),
}


def _user(key: Any, where: str) -> int:
    try:
        return int(str(key).strip())
    except ValueError:
        raise NotifyConfigError(f"{where}: {key!r} is not a business user id") from None


def _recipients(table: Any, where: str) -> dict[int, tuple[str, ...]]:
    if not isinstance(table, Mapping):
        raise NotifyConfigError(f"{where} must be a table of business user = [addresses]")
    return {_user(k, where): _addresses(v, f"{where} {k}") for k, v in table.items()}


def _webhooks(table: Any, where: str) -> dict[int, str]:
    if not isinstance(table, Mapping):
        raise NotifyConfigError(f"{where} must be a table of business user = \"URL\"")
    return {_user(k, where): _url(v, f"{where} {k}") for k, v in table.items()}


def _metrics(raw: Any, where: str) -> tuple[str, ...]:
    from semantic.catalog import METRICS

    if not isinstance(raw, list) or not raw:
        raise NotifyConfigError(f"{where}: expected a list of metric names")
    for name in raw:
        if name not in METRICS:
            close = difflib.get_close_matches(str(name), list(METRICS), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise NotifyConfigError(f"{where}: unknown metric {name!r}{hint}")
    return tuple(dict.fromkeys(raw))
