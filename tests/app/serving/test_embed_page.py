"""An embedded page (app/dashboard.py with an `embed` token; app/serving/auth.py in production):
a valid token opens that business user's dashboard without a login and keeps the token in the
page's address; an expired or tampered one shows access denied; who may frame the pages is a
setting."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from factories import build_warehouse, campaign, insight

from app import dashboard
from app.serving import auth
from semantic.access import embed

SECRET = "e" * 48


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv(embed.SECRET_ENV, SECRET)
    return build_warehouse(
        tmp_path / "w.duckdb",
        campaigns=[campaign(1, user=199, project="Kings Way"), campaign(2, user=200, project="Mivida")],
        insights=[insight(1, "2024-07-01", spend="10.00", impressions=100, clicks=5),
                  insight(2, "2024-07-01", spend="90.00", impressions=900, clicks=9)])


@pytest.mark.parametrize("production", [False, True])
def test_a_valid_token_opens_its_business_users_page(db, tmp_path, monkeypatch, production):
    if production:  # no account needed: the token is the credential
        monkeypatch.setenv("CAMPAIGN_BI_CREDENTIALS", str(tmp_path / "none.json"))
    token = embed.sign(199, 600)
    state, _ = dashboard.build(db, served=False, args={
        "embed": [token.encode()], "business_user": [b"200"], "project": [b"Mivida"]})
    assert state.tenant == 199 and state.business_users == [199]
    assert state.data.kpis["spend"] == 10.0, "only its own data, whatever the link says"
    assert state.actor == "embed:199"


def test_the_token_stays_in_the_address(db):
    token = embed.sign(199, 600)
    link, notes = dashboard.read({"embed": [token], "tab": ["trends"]})
    assert notes == [], "the token is not an unknown parameter"
    state = dashboard.DashboardState(dashboard.get_layer(db), tenant=199, link=link)
    area = dashboard.MainArea(state, link=link, carry={"embed": token})
    assert area.link.bar.query.endswith(f"embed={token}")
    state.projects = ["Kings Way"]
    assert "project=Kings+Way" in area.link.bar.query and f"embed={token}" in area.link.bar.query


@pytest.mark.parametrize("make", [
    lambda: embed.sign(199, 1, now=1_000_000),  # long expired
    lambda: embed.sign(199, 600)[:-2] + "AA",  # tampered
    lambda: embed.sign(199, 600, secret=b"o" * 48),  # another secret
    lambda: "not-a-token"])
def test_an_unusable_token_shows_access_denied(db, make):
    state, page = dashboard.build(db, served=False, args={"embed": [make()]})
    assert state is None
    text = page.objects[0].object
    assert text.startswith("## Access denied") and "Sign in" not in text
    assert "embed link" in text


class Handler:
    """What auth.get_user reads of a Tornado request handler."""

    def __init__(self, args=None, headers=None):
        self.args, self.sent = args or {}, {}
        self.request = SimpleNamespace(headers=headers or {})

    def set_header(self, name, value):
        self.sent[name] = value

    def get_secure_cookie(self, *_args, **_kwargs):
        return None

    def get_argument(self, name, default=None):
        return self.args.get(name, default)


def bokeh_token(arguments: dict) -> str:
    from bokeh.util.token import generate_jwt_token

    return generate_jwt_token("session-id", extra_payload={"arguments": arguments})


def test_production_lets_a_valid_embed_through_page_and_websocket(monkeypatch):
    monkeypatch.setenv(embed.SECRET_ENV, SECRET)
    token = embed.sign(199, 600)
    assert auth.get_user(Handler({"embed": token})) == "embed:199"
    socket = Handler(headers={"Sec-WebSocket-Protocol":
                              f"bokeh, {bokeh_token({'embed': [token.encode()]})}"})
    assert auth.get_user(socket) == "embed:199"
    refused = "embed:refused"  # the page then says why, and shows no data
    assert auth.get_user(Handler({"embed": token[:-1] + "x"})) == refused
    assert auth.get_user(Handler({"embed": embed.sign(199, 1, now=1_000_000)})) == refused
    assert auth.get_user(Handler()) is None
    assert auth.get_user(Handler(headers={"Sec-WebSocket-Protocol": "bokeh, garbage"})) is None


def test_who_may_frame_the_pages_is_a_setting(monkeypatch):
    handler = Handler()
    monkeypatch.delenv(auth.FRAME_ANCESTORS_ENV, raising=False)
    auth.get_user(handler)
    assert handler.sent["Content-Security-Policy"] == "frame-ancestors 'self'"
    monkeypatch.setenv(auth.FRAME_ANCESTORS_ENV, " https://platform.example.com  https://b.io ")
    auth.get_user(handler)
    assert handler.sent["Content-Security-Policy"] == \
        "frame-ancestors 'self' https://platform.example.com https://b.io"
