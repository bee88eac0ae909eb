"""The two ways out: email over SMTP and a JSON POST to a webhook, each retried.

A message is tried `attempts` times (default 3); before the 2nd try the sender waits
`retry_delay` seconds, doubled before each later one (2 s, 4 s by default). Failures that a
retry may cure are retried: no connection, a timeout, a dropped connection, an SMTP 4xx reply,
an HTTP 408, 429 or 5xx. Permanent ones are not: an SMTP 5xx reply (recipient refused,
authentication failed), an HTTP 4xx, a redirect (a webhook URL must be the final one; a
redirected POST would be resent as a GET, or elsewhere). A message that still fails raises
`DeliveryFailed` with a one-line reason; the caller does not record it as sent.

When a server is unreachable (or refuses the login) on every try, the sender gives up on it for
the rest of the run: later messages to it fail at once with the same reason, instead of waiting
through the retries and timeouts again for each one.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from semantic.notify.config import Settings
from semantic.notify.messages import PRODUCT, Message

Sleep = Callable[[float], None]


class DeliveryFailed(Exception):
    """A message was not delivered (after its retries)."""

    def __init__(self, reason: str, attempts: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.attempts = attempts


class _Failure(Exception):
    """One try failed: why, whether a retry may cure it, whether the server is unusable."""

    def __init__(self, reason: str, *, transient: bool, server: bool) -> None:
        super().__init__(reason)
        self.reason, self.transient, self.server = reason, transient, server


def _one_line(text: object) -> str:
    return " ".join(str(text).split())[:300] or "no reason given"


def delays(attempts: int, retry_delay: float) -> list[float]:
    """The waits before the 2nd, 3rd, ... try."""
    return [retry_delay * 2 ** i for i in range(max(attempts - 1, 0))]


class _Sender:
    def __init__(self, settings: Settings, sleep: Sleep = time.sleep) -> None:
        self.settings = settings
        self.sleep = sleep
        self._down: dict[str, str] = {}  # server -> why it is given up for this run

    def _retried(self, server: str, attempt: Callable[[], None]) -> int:
        """Run `attempt` until it succeeds; the number of tries it took."""
        if server in self._down:
            raise DeliveryFailed(f"not tried, the same server failed earlier in this run "
                                 f"({self._down[server]})", 0)
        waits = delays(self.settings.attempts, self.settings.retry_delay)
        tries = 0
        while True:
            tries += 1
            try:
                attempt()
                return tries
            except _Failure as failure:
                if not failure.transient or tries > len(waits):
                    if failure.server:
                        self._down[server] = failure.reason
                    raise DeliveryFailed(failure.reason, tries) from None
                self.sleep(waits[tries - 1])


class SmtpSender(_Sender):
    """Emails through one SMTP server; the connection is opened on first use and reused."""

    def __init__(self, settings: Settings, sleep: Sleep = time.sleep) -> None:
        super().__init__(settings, sleep)
        self._conn: smtplib.SMTP | None = None

    @property
    def server(self) -> str:
        return f"SMTP server {self.settings.smtp_host}:{self.settings.smtp_port}"

    def build(self, to: str, message: Message, business_user: int | None = None) -> EmailMessage:
        s = self.settings
        mail = EmailMessage()
        mail["Subject"] = message.subject
        mail["From"] = s.sender
        mail["To"] = to
        mail["Date"] = formatdate(localtime=True)
        domain = s.sender_address.rpartition("@")[2] or None
        mail["Message-ID"] = make_msgid(domain=domain)
        mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
        if business_user is not None:
            mail["X-Campaign-BI-Business-User"] = str(business_user)
        mail.set_content(message.text)
        mail.add_alternative(message.html, subtype="html")
        return mail

    def send(self, to: str, message: Message, business_user: int | None = None) -> int:
        mail = self.build(to, message, business_user)
        return self._retried(self.server, lambda: self._send_once(to, mail))

    def _send_once(self, to: str, mail: EmailMessage) -> None:
        try:
            conn = self._connection()
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise _classify(exc, server=True) from None
        try:
            refused = conn.send_message(mail, from_addr=self.settings.sender_address,
                                        to_addrs=[to])
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise _classify(exc, server=isinstance(exc, OSError | smtplib.SMTPServerDisconnected)
                            ) from None
        if refused:  # only with several recipients; kept for completeness
            code, text = refused.get(to, (0, b""))
            raise _Failure(_reply(code, text), transient=400 <= code < 500, server=False)

    def _connection(self) -> smtplib.SMTP:
        if self._conn is not None:
            return self._conn
        s = self.settings
        if s.smtp_ssl:
            conn = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=s.timeout,
                                    context=ssl.create_default_context())
        else:
            conn = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.timeout)
        try:
            conn.ehlo()
            if s.smtp_starttls:
                conn.starttls(context=ssl.create_default_context())
                conn.ehlo()
            if s.smtp_user:
                conn.login(s.smtp_user, s.smtp_password or "")
        except BaseException:
            _quietly_close(conn)
            raise
        self._conn = conn
        return conn

    def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                _quietly_close(conn)


def _quietly_close(conn: smtplib.SMTP) -> None:
    try:
        conn.close()
    except OSError:
        pass


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return _one_line(f"SMTP {code} {text}")


def _classify(exc: BaseException, *, server: bool) -> _Failure:
    """An SMTP-side exception as a failure: 4xx and connection trouble are worth a retry."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()] or [550]
        code, text = next(iter(exc.recipients.values()), (550, b"refused"))
        return _Failure(_reply(code, text), transient=all(400 <= c < 500 for c in codes),
                        server=False)
    if isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
        auth = isinstance(exc, smtplib.SMTPAuthenticationError)
        return _Failure(_reply(code, exc.smtp_error), transient=400 <= code < 500,
                        server=server or auth)
    if isinstance(exc, TimeoutError):
        return _Failure("timed out", transient=True, server=True)
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return _Failure(_one_line(f"TLS: {exc}"), transient=False, server=True)
    if isinstance(exc, OSError | smtplib.SMTPServerDisconnected):
        return _Failure(_one_line(exc.strerror if getattr(exc, "strerror", None) else exc),
                        transient=True, server=True)
    return _Failure(_one_line(exc), transient=False, server=server)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 3xx reaches the caller as an HTTPError


class WebhookSender(_Sender):
    """A JSON POST per message (Slack incoming webhooks and anything that takes JSON)."""

    def __init__(self, settings: Settings, sleep: Sleep = time.sleep) -> None:
        super().__init__(settings, sleep)
        self._opener = urllib.request.build_opener(_NoRedirect)

    def send(self, url: str, payload: Mapping) -> int:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return self._retried(url, lambda: self._post(url, body))

    def _post(self, url: str, body: bytes) -> None:
        request = urllib.request.Request(
            url, data=body, method="POST",
            headers={"Content-Type": "application/json; charset=utf-8",
                     "User-Agent": PRODUCT})
        try:
            with self._opener.open(request, timeout=self.settings.timeout) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
            try:
                detail = _one_line(exc.read(200).decode("utf-8", errors="replace") or exc.reason)
            except (OSError, ValueError, AttributeError):
                detail = _one_line(exc.reason)
            finally:
                exc.close()
            if 300 <= status < 400:
                raise _Failure(f"HTTP {status} redirect to {exc.headers.get('Location', '?')}: "
                               "give the final URL", transient=False, server=True) from None
            raise _Failure(f"HTTP {status} {detail}",
                           transient=status in (408, 429) or status >= 500,
                           server=status in (429,) or status >= 500) from None
        except TimeoutError:
            raise _Failure("timed out", transient=True, server=True) from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            text = getattr(reason, "strerror", None) or reason
            transient = not isinstance(reason, ssl.SSLError | ssl.CertificateError)
            raise _Failure(_one_line(text), transient=transient, server=True) from None
        except (OSError, ValueError) as exc:  # a dropped connection, a malformed response
            raise _Failure(_one_line(exc), transient=True, server=True) from None
        if not 200 <= status < 300:
            raise _Failure(f"HTTP {status}", transient=status >= 500, server=status >= 500)
