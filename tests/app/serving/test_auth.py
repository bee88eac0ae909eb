"""Production-mode sign-in (app/serving/auth.py): throttled guessing, bounded cookie age, no free text
on the login page. Served by Tornado in-process (no browser needed)."""

from __future__ import annotations

import tempfile
import time
import urllib.parse

import pytest
import tornado.web
from tornado.testing import AsyncHTTPTestCase

from app.serving import auth
from app.serving.login_throttle import LoginThrottle
from semantic.access.accounts import save_account

SECRET = "x" * 64


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_throttle_blocks_after_the_limit_and_forgets_after_the_window():
    clock = FakeClock()
    throttle = LoginThrottle(max_failures=3, window_s=60, clock=clock)
    for _ in range(2):
        throttle.failed("a")
    assert throttle.retry_after("a") == 0
    clock.now += 10
    throttle.failed("a")
    assert throttle.retry_after("a") == pytest.approx(50)  # the first failure ages out at 60 s
    assert throttle.retry_after("b") == 0  # keys are independent
    clock.now += 50
    assert throttle.retry_after("a") == 0
    throttle.failed("a")
    assert throttle.retry_after("a") == 0  # the one at 10 s is still in the window, + this one
    throttle.succeeded("a")
    for _ in range(2):
        throttle.failed("a")
    assert throttle.retry_after("a") == 0


def test_throttle_memory_is_bounded():
    throttle = LoginThrottle(max_failures=1, window_s=60, max_keys=10)
    for i in range(1000):
        throttle.failed(f"name-{i}")
    assert len(throttle._failures) == 10
    assert throttle.retry_after("name-999") > 0


class WhoAmI(tornado.web.RequestHandler):
    def get(self) -> None:
        self.write(auth.get_user(self) or "-")


class LoginTest(AsyncHTTPTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.monkeypatch = pytest.MonkeyPatch()
        self._tmp = tempfile.TemporaryDirectory()
        creds = f"{self._tmp.name}/credentials.json"
        self.monkeypatch.setenv("CAMPAIGN_BI_CREDENTIALS", creds)
        save_account("alice", "right-password-1", 7)
        save_account("bob", "right-password-2", 8)
        self.monkeypatch.setattr(auth, "THROTTLE", {
            "address": LoginThrottle(max_failures=20, window_s=900),
            "account": LoginThrottle(max_failures=8, window_s=900)})

    def tearDown(self) -> None:
        self.monkeypatch.undo()
        self._tmp.cleanup()
        super().tearDown()

    def get_app(self) -> tornado.web.Application:
        return tornado.web.Application(
            [(r"/login", auth.LoginHandler), (r"/whoami", WhoAmI)], cookie_secret=SECRET)

    def sign_in(self, name: str, password: str):
        body = urllib.parse.urlencode({"username": name, "password": password})
        return self.fetch("/login", method="POST", body=body, follow_redirects=False)

    def test_right_password_sets_the_cookie(self):
        response = self.sign_in("alice", "right-password-1")
        assert response.code == 302 and response.headers["Location"] == "/"
        cookie = response.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        who = self.fetch("/whoami", headers={"Cookie": cookie.split(";")[0]})
        assert who.body == b"alice"

    def test_guessing_one_account_is_throttled_even_with_the_right_password(self):
        for _ in range(8):
            response = self.sign_in("alice", "guess")
            assert response.headers["Location"] == "/login?error=wrong"
        response = self.sign_in("ALICE ", "right-password-1")  # same account, other spelling
        assert response.headers["Location"] == "/login?error=throttled"
        assert "Set-Cookie" not in response.headers
        assert self.sign_in("bob", "right-password-2").headers["Location"] == "/"

    def test_guessing_from_one_address_is_throttled_across_accounts(self):
        for i in range(20):
            self.sign_in(f"nobody-{i}", "guess")
        assert self.sign_in("bob", "right-password-2").headers["Location"] == \
            "/login?error=throttled"

    def test_a_cookie_older_than_the_session_is_refused(self):
        stale = tornado.web.create_signed_value(
            SECRET, "user", "alice", clock=lambda: time.time() - (auth.SESSION_DAYS + 1) * 86400)
        fresh = tornado.web.create_signed_value(SECRET, "user", "alice")
        assert self.fetch("/whoami", headers={"Cookie": f"user={stale.decode()}"}).body == b"-"
        assert self.fetch("/whoami", headers={"Cookie": f"user={fresh.decode()}"}).body == \
            b"alice"

    def test_the_login_page_shows_only_known_messages(self):
        page = self.fetch("/login?error=wrong").body.decode()
        assert "Wrong user name or password" in page
        page = self.fetch("/login?error=" + urllib.parse.quote("Call +1 555 to unlock")).body
        assert b"Call" not in page and b'class="error"' not in page


@pytest.mark.browser
def test_production_server_refuses_a_sign_in_without_the_xsrf_token(prod_setup):
    """`just serve-prod` flags (as the prod_setup server): a cross-site form post is refused."""
    import urllib.error
    import urllib.request

    body = urllib.parse.urlencode({"username": "a", "password": "b"}).encode()
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(prod_setup.url + "/login", data=body, timeout=30)
    assert refused.value.code == 403
