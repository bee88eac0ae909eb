"""Signed embedding in Chromium, against the production server (login required): a valid embed
URL opens the business user's dashboard without a login, also inside an iframe of the platform's
origin named in CAMPAIGN_BI_FRAME_ANCESTORS; another origin cannot frame it; an expired or
tampered URL shows access denied; without a token the login is still required."""

from __future__ import annotations

import functools
import http.server
import secrets
import threading
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from browser_support import UI_TIMEOUT_MS, PanelServer, free_port, kpi_value, pick_tenants
from test_browser import expect, expect_kpis

from semantic.access import embed
from semantic.access.accounts import save_account

pytestmark = pytest.mark.browser
SECRET = secrets.token_urlsafe(48)


class HostSite:
    """A page of "the platform" on another origin, framing `src` in an iframe."""

    def __init__(self, folder) -> None:
        self.folder = folder
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
        handler.log_message = lambda *_args: None
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def page_for(self, src: str, name: str) -> str:
        (self.folder / name).write_text(
            f'<!doctype html><title>platform</title><h1>Platform</h1>'
            f'<iframe id="bi" src="{src}" width="1200" height="900"></iframe>', encoding="utf-8")
        return f"{self.origin}/{quote(name)}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def embedding(browser, warehouse, layer, tmp_path_factory) -> Iterator[tuple]:
    folder = tmp_path_factory.mktemp("embed-server")
    creds = folder / "credentials.json"
    save_account("analyst", secrets.token_urlsafe(12), None, creds)
    allowed, other = HostSite(folder), HostSite(folder)
    server = PanelServer(
        "embed", warehouse, folder / "panel.log",
        extra_args=("--auth-module", "app/serving/auth.py", "--enable-xsrf-cookies",
                    "--session-ids", "signed"),
        env={"CAMPAIGN_BI_CREDENTIALS": str(creds), "PANEL_COOKIE_SECRET": secrets.token_hex(32),
             "BOKEH_SECRET_KEY": secrets.token_hex(32), embed.SECRET_ENV: SECRET,
             "CAMPAIGN_BI_FRAME_ANCESTORS": allowed.origin})
    try:
        server.wait_ready("/login")
        yield server.url, allowed, other
    finally:
        server.stop()
        allowed.stop()
        other.stop()


def embed_url(base: str, tenant: int, **kwargs) -> str:
    token = embed.sign(tenant, secret=SECRET.encode(), **kwargs)
    return f"{base}/dashboard?embed={token}"


def tenant_totals(layer, tenant: int) -> tuple[float, int]:
    first, last = layer.activity_span(tenant)
    row = layer.query(["spend", "leads"], filters={"date_from": first, "date_to": last},
                      tenant=tenant).iloc[0]
    return float(row["spend"]), int(row["leads"])


def test_a_valid_embed_url_opens_the_business_users_dashboard(embedding, layer, new_page):
    base, *_ = embedding
    tenant, _other = pick_tenants(layer)
    watched = new_page()
    page = watched.page
    page.goto(embed_url(base, tenant, ttl_s=600))
    expect_kpis(page, *tenant_totals(layer, tenant))
    expect(page.locator("#header")).to_be_hidden()  # chrome-less: the platform has its own
    expect(page.get_by_text(f"Business user {tenant} ·", exact=False)).to_be_visible()
    assert "/login" not in page.url and "embed=" in page.url, "the token stays in the address"
    page.reload()  # a reload keeps working while the token is valid
    expect_kpis(page, *tenant_totals(layer, tenant))
    watched.assert_no_errors()


def test_the_platform_frames_it_and_another_site_cannot(embedding, layer, new_page):
    base, allowed, other = embedding
    tenant, _ = pick_tenants(layer)
    url = embed_url(base, tenant, ttl_s=600)
    page = new_page().page
    page.goto(allowed.page_for(url, "allowed.html"))
    frame = page.frame_locator("#bi")
    expect(kpi_value(frame, "Spend")).to_have_attribute(
        "title", f"{tenant_totals(layer, tenant)[0]:,.2f}", timeout=UI_TIMEOUT_MS)

    page = new_page().page
    page.goto(other.page_for(url, "other.html"))
    # Chromium refuses the frame (CSP frame-ancestors) and shows its error page in it
    page.wait_for_function("() => { const f = document.getElementById('bi');"
                           " try { return f.contentWindow.location.href !== 'about:blank' &&"
                           " !f.contentDocument; } catch (e) { return true; } }",
                           timeout=UI_TIMEOUT_MS)
    inner = page.frames[-1]
    assert inner.url.startswith("chrome-error://"), inner.url
    assert inner.locator(".kpi").count() == 0


@pytest.mark.parametrize("kind", ["expired", "tampered"])
def test_an_expired_or_tampered_url_shows_access_denied(embedding, layer, new_page, kind):
    base, *_ = embedding
    tenant, other = pick_tenants(layer)
    url = embed_url(base, tenant, ttl_s=60, now=1_000_000) if kind == "expired" else \
        embed_url(base, tenant, ttl_s=600)[:-3] + "AAA"
    page = new_page().page
    page.goto(url)
    expect(page.get_by_text("Access denied")).to_be_visible(timeout=UI_TIMEOUT_MS)
    reason = "expired" if kind == "expired" else "signature does not match"
    expect(page.get_by_text(reason, exact=False)).to_be_visible()
    expect(kpi_value(page, "Spend")).to_have_count(0)


def test_without_a_token_the_login_is_still_required(embedding, new_page):
    base, *_ = embedding
    page = new_page().page
    page.goto(base + "/dashboard")
    expect(page.locator("input[name=username]")).to_be_visible(timeout=UI_TIMEOUT_MS)
