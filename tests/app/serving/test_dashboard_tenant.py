"""Production mode binds each session to its account's business user; no account, no data."""

from __future__ import annotations

import pytest
from factories import build_warehouse, campaign, insight, lead

from app import dashboard
from semantic.access.accounts import save_account


@pytest.fixture
def prod(tmp_path, monkeypatch):
    creds = tmp_path / "creds.json"
    save_account("kings", "kingsway-2024", 199, creds)
    save_account("analyst", "analyst-pass", None, creds)
    monkeypatch.setenv("CAMPAIGN_BI_CREDENTIALS", str(creds))
    db = build_warehouse(
        tmp_path / "w.duckdb",
        campaigns=[campaign(1, user=199, project="Kings Way"), campaign(2, user=200, project="Mivida")],
        insights=[insight(1, "2024-07-01", spend="10.00", impressions=100, clicks=5),
                  insight(2, "2024-07-01", spend="90.00", impressions=900, clicks=9)],
        leads=[lead(1, 1, "2024-07-01 10:00:00"), lead(2, 2, "2024-07-01 11:00:00")],
    )
    return db


def test_without_login_there_is_no_tenant(monkeypatch):
    monkeypatch.delenv("CAMPAIGN_BI_CREDENTIALS", raising=False)
    assert dashboard.tenant_for_user(None) is None
    assert dashboard.tenant_for_user("anyone") is None


def test_accounts_map_to_their_business_user_or_admin(prod):
    assert dashboard.tenant_for_user("kings") == 199
    assert dashboard.tenant_for_user("analyst") is None
    for user in (None, "", "mallory"):
        with pytest.raises(dashboard.AccessDenied):
            dashboard.tenant_for_user(user)


def test_business_user_session_sees_only_its_data(prod):
    state, _ = dashboard.build(prod, user="kings", served=False)
    data = state.refresh()
    assert state.tenant == 199
    assert data.kpis["spend"] == pytest.approx(10.0)
    assert data.kpis["leads"] == 1
    with pytest.raises(ValueError):  # the widget offers only the tenant
        state.business_users = [200]
    # Even a forged filter state cannot widen it: the layer adds the tenant predicate.
    from dataclasses import replace

    forged = replace(state.filter_state(), business_user=(200,))
    assert forged.tenant == 199
    assert not state.compute(forged, "day").kpis.get("spend")


def test_unknown_user_gets_the_access_denied_page(prod):
    state, page = dashboard.build(prod, user="mallory", served=False)
    assert state is None
    assert "Access denied" in page[0].object
