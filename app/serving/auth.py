"""Login for production mode: `panel serve app/dashboard.py --auth-module app/serving/auth.py` with the
cookie secret in PANEL_COOKIE_SECRET (`just serve-prod`). Accounts come from the scrypt-hashed credentials file
(CAMPAIGN_BI_CREDENTIALS); the signed `user` cookie is what `pn.state.user` reads.
"""

from __future__ import annotations

import html
import os

import tornado.web

from app.serving.login_throttle import LoginThrottle
from semantic.access.accounts import authenticate

login_url = "/login"
logout_url = "/logout"

#: The browser keeps the cookie this long, and the server accepts it no longer (Tornado's
#: default would accept a copied cookie for 31 days).
SESSION_DAYS = 1
#: Failed sign-ins allowed per client address and per account name in a 15-minute window.
THROTTLE = {"address": LoginThrottle(max_failures=20, window_s=900),
            "account": LoginThrottle(max_failures=8, window_s=900)}
_MESSAGES = {"wrong": "Wrong user name or password",
             "throttled": "Too many failed sign-ins: try again in 15 minutes"}

_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>campaign-bi · sign in</title>
<style>body{{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f6f8;
display:flex;align-items:center;justify-content:center;height:100vh;margin:0}}
form{{background:#fff;padding:2rem 2.5rem;border-radius:8px;box-shadow:0 2px 12px #0002;width:18rem}}
h1{{font-size:1.3rem;margin:0 0 1rem}}input{{width:100%;box-sizing:border-box;padding:.5rem;margin:.3rem 0 .8rem}}
button{{width:100%;padding:.6rem;background:#1f4e79;color:#fff;border:0;border-radius:4px}}
.error{{color:#b00020;font-size:.9rem}}</style></head><body>
<form method="post" action="/login"><h1>campaign-bi</h1>{error}
<label>User name<input name="username" autocomplete="username" autofocus></label>
<label>Password<input name="password" type="password" autocomplete="current-password"></label>
<input type="hidden" name="_xsrf" value="{xsrf}">
<button type="submit">Sign in</button></form></body></html>"""


#: where the pages may be framed (CSP frame-ancestors): this site only unless the platform that
#: embeds the dashboard is named, e.g. "https://platform.example.com"
FRAME_ANCESTORS_ENV = "CAMPAIGN_BI_FRAME_ANCESTORS"
REFUSED = "refused"


def get_user(request_handler: tornado.web.RequestHandler) -> str | None:
    """The signed-in account; or, for a signed embed link (and its page's websocket), the
    embed user it is for. Also sets who may frame the page (every page Panel serves asks)."""
    request_handler.set_header("Content-Security-Policy",
                               f"frame-ancestors {frame_ancestors()}")
    user = request_handler.get_secure_cookie("user", max_age_days=SESSION_DAYS)
    if user:
        return user.decode("utf-8")
    return embed_user(request_handler)


def frame_ancestors() -> str:
    extra = " ".join(os.environ.get(FRAME_ANCESTORS_ENV, "").split())
    return f"'self' {extra}".strip()


def embed_user(request_handler: tornado.web.RequestHandler) -> str | None:
    """`embed:ID` when the request carries a valid embed token: as a URL parameter (the page)
    or inside the Bokeh session token that the page's websocket presents (it holds the page's
    URL parameters; Bokeh checks that token's own signature when the socket opens). The page
    itself verifies the token again and locks the session to that business user
    (app/dashboard.py `embedded_tenant`), or shows why it refuses an expired or tampered one
    (`embed:refused`: such a user sees that page only, never data)."""
    from semantic.access.embed import PARAM, USER_PREFIX, EmbedError, verify

    token = request_handler.get_argument(PARAM, None)
    if token is None:
        token = _embed_in_session_token(request_handler, PARAM)
    if not token:
        return None
    try:
        return f"{USER_PREFIX}{verify(token)}"
    except EmbedError:  # past the login to the page, which refuses it and says why
        return f"{USER_PREFIX}{REFUSED}"


def _embed_in_session_token(request_handler, name: str) -> str | None:
    protocols = request_handler.request.headers.get("Sec-WebSocket-Protocol", "")
    parts = [p.strip() for p in protocols.split(",")]
    if len(parts) != 2 or parts[0] != "bokeh":
        return None
    from bokeh.util.token import get_token_payload

    try:
        values = get_token_payload(parts[1]).get("arguments", {}).get(name) or []
    except Exception:  # noqa: BLE001 - not a token we can read: no embed user
        return None
    raw = values[-1] if values else None
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw


class LoginHandler(tornado.web.RequestHandler):
    def get(self) -> None:
        # only known codes are shown: free text in the URL would let a link put words on the page
        error = _MESSAGES.get(self.get_argument("error", ""), "")
        message = f'<p class="error">{html.escape(error)}</p>' if error else ""
        self.write(_PAGE.format(error=message, xsrf=html.escape(self.xsrf_token.decode())))

    def post(self) -> None:
        name = self.get_argument("username", "")
        keys = {"address": self.request.remote_ip or "?", "account": name.strip().lower()}
        wait = max(THROTTLE[kind].retry_after(key) for kind, key in keys.items())
        if wait > 0:  # refused before the password is even checked: guessing gains nothing
            self._fail("throttled")
            return
        account = authenticate(name, self.get_argument("password", ""))
        if account is None:
            for kind, key in keys.items():
                THROTTLE[kind].failed(key)
            self._fail("wrong")
            return
        THROTTLE["account"].succeeded(keys["account"])
        self.set_secure_cookie("user", account.name, httponly=True, samesite="Lax",
                               expires_days=SESSION_DAYS)
        self.redirect("/")

    def _fail(self, code: str) -> None:
        self.redirect(f"{login_url}?error={code}")


class LogoutHandler(tornado.web.RequestHandler):
    def get(self) -> None:
        self.clear_cookie("user")
        self.redirect(login_url)
