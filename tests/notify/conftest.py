"""Fixtures of the delivery tests: real components (an SMTP server, aiosmtpd on 127.0.0.1; an
HTTP receiver for webhooks on a thread, which can be told to fail or be slow) and two small
warehouses whose alerts are known (notify_kit.py describes them)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from factories import build_warehouse
from notify_kit import RULES, Receiver, campaigns, insights, leads, start_smtp

from semantic.notify.config import CONFIG_ENV, ENV


@pytest.fixture(scope="session")
def warehouses(tmp_path_factory):
    """(firing, cleared): the same data, except that campaign 11's alert clears in the second."""
    root = tmp_path_factory.mktemp("notify")
    firing = build_warehouse(root / "firing.duckdb", campaigns=campaigns(),
                             insights=insights(), leads=leads())
    cleared = build_warehouse(root / "cleared.duckdb", campaigns=campaigns(),
                              insights=insights(quiet_11=True), leads=leads())
    return firing, cleared


@pytest.fixture(scope="session")
def db(warehouses):
    return warehouses[0]


@pytest.fixture
def rules(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text(RULES.format(min_spend=50.0))
    return path


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """No delivery setting of the machine running the tests leaks in."""
    for name in (*ENV.values(), CONFIG_ENV):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def smtp():
    controller, server = start_smtp()
    yield server
    controller.stop()


@pytest.fixture
def smtp_with_login():
    """An SMTP server that requires a login (user alerts, password s3cret)."""
    logins: list = []

    def check(server, session, envelope, mechanism, data):
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == \
            (b"alerts", b"s3cret")
        logins.append((data.login, ok))
        return AuthResult(success=ok, handled=False)  # handled=False: answer 535

    # plain-text AUTH on 127.0.0.1 (aiosmtpd warns about it on each connection: the test
    # using this fixture filters that warning)
    controller, server = start_smtp(authenticator=check, auth_required=True, auth_require_tls=False)
    server.logins = logins
    yield server
    controller.stop()


# -- webhook ---------------------------------------------------------------------------------

@pytest.fixture
def webhook():
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with receiver.lock:
                receiver.attempts += 1
                failing = receiver.fail > 0
                if failing:
                    receiver.fail -= 1
            time.sleep(receiver.delay)
            if failing:
                self.send_response(500)
                self.end_headers()
                self.wfile.write(b"internal_error")
                return
            with receiver.lock:
                receiver.posts.append({"path": self.path, "type": self.headers["Content-Type"],
                                       "json": json.loads(body)})
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            pass  # a client that timed out and left: not the test's output

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/services/T0/B0/secret"
    yield receiver
    server.shutdown()
    server.server_close()
