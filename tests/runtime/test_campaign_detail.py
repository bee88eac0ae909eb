"""One campaign's drill-down: its leads, its status log and its delivery by ad set and day.

A hand-computed warehouse (the trap rows of tests/factories.py plus an "O'Hara" campaign of
another business user) checks exact rows, filters, limits, tenants and bound values; a
generated sample checks the same answers against pandas computed here from the raw landing
tables (never through the listing code).
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from factories import (
    TRAP_CAMPAIGNS,
    TRAP_CHANGES,
    TRAP_INSIGHTS,
    TRAP_LEADS,
    build_warehouse,
    campaign,
    change,
    insight,
    lead,
    sample_warehouse,
)

import semantic
from semantic.compiler import Filters, bound, listing
from semantic.compiler.predicates import parameters
from semantic.errors import InvalidQueryError

LEAD_COLUMNS = ["lead_id", "added_at", "lead_status", "stage", "first_contact_at",
                "hours_to_first_contact", "logged_changes"]
LOG_COLUMNS = ["lead_id", "changed_at", "status", "stage", "lead_status"]
DELIVERY_COLUMNS = ["ad_set", "day", "spend", "impressions", "clicks", "ctr", "cpc"]
# written from the status rules of METRICS.md, not read from the catalog
STAGES = {"NEW_LEAD": "new", "NO_ANSWER": "working", "CALL_AGAIN": "working",
          "FOLLOW_UP": "working", "WHATSAPP": "working", "SWITCHED_OFF": "working",
          "QUALIFIED": "qualified", "HIGH_INTEREST": "qualified", "MEETING_DONE": "qualified",
          "DONE_DEAL": "won", "NOT_QUALIFIED": "lost", "LOW_BUDGET": "lost",
          "WRONG_NUMBER": "lost", "SPAM": "lost", "ALREADY_BOUGHT": "lost",
          "RESALE_REQUEST": "lost", "UNKNOWN": "unknown"}
T = pd.Timestamp


@pytest.fixture(scope="module")
def layer(tmp_path_factory):
    # campaign 5: business user 30, a project name with a quote, one lead contacted in 30 min
    path = build_warehouse(
        tmp_path_factory.mktemp("detail") / "w.duckdb",
        campaigns=[*TRAP_CAMPAIGNS, campaign(5, user=30, project="O'Hara")],
        insights=[*TRAP_INSIGHTS, insight(5, "2024-07-01", ad_set=501, spend="3.00",
                                          impressions=300, clicks=0)],
        leads=[*TRAP_LEADS, lead(8, 5, "2024-07-01 08:00:00", status="CALL_AGAIN")],
        changes=[*TRAP_CHANGES, change(8, "NEW_LEAD", "2024-07-01 08:00:00"),
                 change(8, "CALL_AGAIN", "2024-07-01 08:30:00")])
    with semantic.connect(path) as layer:
        yield layer


def ids(df):
    return df["lead_id"].tolist()


def test_campaign_leads_hand_computed(layer):
    df, total = layer.campaign_leads(1)
    assert list(df.columns) == LEAD_COLUMNS  # no name, email or phone
    assert total == 4
    assert ids(df) == [4, 3, 2, 1]  # newest first
    assert df["added_at"].tolist() == [T("2024-07-01 15:00"), T("2024-07-01 09:00"),
                                       T("2024-06-30 22:00"), T("2024-06-30 10:00")]
    assert df["lead_status"].tolist() == ["NO_ANSWER", "DONE_DEAL", "NEW_LEAD", "QUALIFIED"]
    assert df["stage"].tolist() == ["working", "won", "new", "qualified"]
    # the first logged status other than NEW_LEAD; lead 2 was never contacted
    assert df["first_contact_at"].tolist()[:2] == [T("2024-07-01 21:00"), T("2024-07-01 19:00")]
    assert pd.isna(df["first_contact_at"].iloc[2])
    assert df["first_contact_at"].iloc[3] == T("2024-06-30 12:00")
    np.testing.assert_array_equal(df["hours_to_first_contact"], [6.0, 10.0, np.nan, 2.0])
    assert df["logged_changes"].tolist() == [1, 3, 0, 2]
    assert df.dtypes.astype(str).to_dict() == {
        "lead_id": "int64", "added_at": "datetime64[us]", "lead_status": "str",
        "stage": "str", "first_contact_at": "datetime64[us]",
        "hours_to_first_contact": "float64", "logged_changes": "int64"}


def test_status_log_hand_computed(layer):
    df, total = layer.status_log(1)
    assert list(df.columns) == LOG_COLUMNS
    assert total == 6
    assert list(df.itertuples(index=False, name=None)) == [
        (3, T("2024-07-02 09:00"), "DONE_DEAL", "won", "DONE_DEAL"),
        (4, T("2024-07-01 21:00"), "NO_ANSWER", "working", "NO_ANSWER"),
        (3, T("2024-07-01 19:00"), "CALL_AGAIN", "working", "DONE_DEAL"),
        (3, T("2024-07-01 09:00"), "NEW_LEAD", "new", "DONE_DEAL"),
        (1, T("2024-06-30 12:00"), "QUALIFIED", "qualified", "QUALIFIED"),
        (1, T("2024-06-30 10:00"), "NEW_LEAD", "new", "QUALIFIED"),
    ]


def test_limit_keeps_the_total(layer):
    df, total = layer.campaign_leads(1, limit=2)
    assert (ids(df), total) == ([4, 3], 4)
    df, total = layer.status_log(1, limit=2)
    assert (df["changed_at"].tolist(), total) == (
        [T("2024-07-02 09:00"), T("2024-07-01 21:00")], 6)


@pytest.mark.parametrize("limit", [0, -1, 1.5, True, "10"])
def test_bad_limit_is_a_clear_error(layer, limit):
    with pytest.raises(InvalidQueryError, match="limit must be a positive integer"):
        layer.campaign_leads(1, limit=limit)


def test_dates_apply_to_the_day_added_and_the_day_of_the_change(layer):
    assert ids(layer.campaign_leads(1, {"date_from": "2024-07-01"})[0]) == [4, 3]
    assert layer.campaign_leads(1, {"date_to": "2024-06-30"})[1] == 2
    # lead 3 was added on 07-01; its last change is dated 07-02
    df, total = layer.status_log(1, {"date_from": "2024-07-02"})
    assert (ids(df), df["status"].tolist(), total) == ([3], ["DONE_DEAL"], 1)
    assert layer.status_log(1, {"date_to": "2024-07-01"})[1] == 5


def test_lead_status_filter_is_on_the_current_status(layer):
    df, total = layer.campaign_leads(1, {"lead_status": ["DONE_DEAL", "NEW_LEAD"]})
    assert (ids(df), total) == ([3, 2], 2)
    # every change of lead 3 (now DONE_DEAL), whatever status it logged
    df, total = layer.status_log(1, {"lead_status": ["DONE_DEAL"]})
    assert (ids(df), df["status"].tolist(), total) == (
        [3, 3, 3], ["DONE_DEAL", "CALL_AGAIN", "NEW_LEAD"], 3)


def test_campaign_is_intersected_with_the_campaign_filter(layer):
    assert layer.campaign_leads(1, {"campaign": [1, 4]})[1] == 4
    for df, total in (layer.campaign_leads(1, {"campaign": [4]}),
                      layer.status_log(1, {"campaign": [4]})):
        assert (len(df), total) == (0, 0)
    assert list(layer.campaign_leads(1, {"campaign": [4]})[0].columns) == LEAD_COLUMNS
    assert layer.ad_set_delivery(1, {"campaign": [4]}).empty


def test_tenant_sees_only_its_own_campaigns(layer):
    for asked in (3, 5):  # business users 20 and 30
        for df, total in (layer.campaign_leads(asked, tenant=10),
                          layer.status_log(asked, tenant=10)):
            assert (len(df), total) == (0, 0)
        assert layer.ad_set_delivery(asked, tenant=10).empty
    # no filter widens the tenant
    assert layer.campaign_leads(5, {"business_user": [30]}, tenant=10)[1] == 0
    assert layer.ad_set_delivery(1, tenant=20).empty
    assert layer.campaign_leads(1, tenant=10)[1] == 4
    assert layer.status_log(1, tenant=10)[1] == 6
    assert len(layer.ad_set_delivery(1, tenant=10)) == 6
    df, total = layer.campaign_leads(5, tenant=30)
    assert (ids(df), df["hours_to_first_contact"].tolist(), total) == ([8], [0.5], 1)
    assert layer.status_log(5, tenant=30)[1] == 2


def test_ad_set_delivery_hand_computed(layer):
    df = layer.ad_set_delivery(1)
    assert list(df.columns) == DELIVERY_COLUMNS
    assert list(df.itertuples(index=False, name=None)) == [
        (ad_set, T(day), spend, 1000, 10, 0.01, spend / 10)
        for ad_set, spend in ((101, 10.0), (102, 20.0), (103, 30.0))
        for day in ("2024-06-30", "2024-07-01")]
    # zero clicks: CPC is NULL, not 0 or infinity
    row = layer.ad_set_delivery(5).iloc[0]
    assert (row["spend"], row["ctr"], np.isnan(row["cpc"])) == (3.0, 0.0, True)


def test_lead_status_filter_does_not_narrow_delivery(layer):
    df = layer.ad_set_delivery(1, {"lead_status": ["SPAM"]})
    pd.testing.assert_frame_equal(df, layer.ad_set_delivery(1))
    assert any("lead_status" in note for note in df.attrs["notes"])


def test_values_are_bound_not_spliced(layer):
    df, total = layer.campaign_leads(5, {"project": ["O'Hara"]})
    assert (ids(df), total) == ([8], 1)
    assert layer.status_log(5, {"project": ["O'Hara"]})[1] == 2
    assert layer.ad_set_delivery(5, {"project": ["O'Hara"]})["spend"].tolist() == [3.0]
    assert layer.campaign_leads(1, {"project": ["x' OR '1'='1"]})[1] == 0
    for rows in (listing.campaign_leads, listing.status_log):
        filters = Filters(campaign=[5], project=["O'Hara"], lead_status=["a'b"])
        sql, values = bound(rows(filters, 30, 10), parameters(filters, 30))
        assert "Hara" not in sql and "a'b" not in sql
        assert values == {"tenant": 30, "project_0": "O'Hara", "campaign_0": 5,
                          "lead_status_0": "a'b"}


# -- the generated sample, against pandas over the raw landing tables ---------------------

@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    path = sample_warehouse(tmp_path_factory.mktemp("detail_sample"), scale=0.05, seed=7)
    with duckdb.connect(str(path), read_only=True) as con:
        raw = {name: con.sql(f"SELECT * FROM raw.{name}").df()
               for name in ("campaigns", "leads", "lead_status_changes", "ad_insights")}
    with semantic.connect(path) as layer:
        yield layer, raw


def expected_leads(raw, campaign):
    leads = raw["leads"][raw["leads"].campaign_id == campaign].copy()
    changes = raw["lead_status_changes"]
    changes = changes[changes.lead_id.isin(leads.lead_id)]
    first = changes[changes.status != "NEW_LEAD"].groupby("lead_id").changed_at.min()
    leads["stage"] = leads.lead_status.map(STAGES).fillna("other")
    leads["first_contact_at"] = leads.lead_id.map(first)
    leads["hours_to_first_contact"] = (
        (leads.first_contact_at - leads.added_at).dt.total_seconds() / 3600)
    leads["logged_changes"] = leads.lead_id.map(changes.lead_id.value_counts()).fillna(0)
    return leads.sort_values(["added_at", "lead_id"], ascending=[False, True])[LEAD_COLUMNS]


def expected_log(raw, campaign):
    leads = raw["leads"][raw["leads"].campaign_id == campaign]
    log = raw["lead_status_changes"].merge(leads[["lead_id", "lead_status"]], on="lead_id")
    log["stage"] = log.status.map(STAGES).fillna("other")
    return log.sort_values(["changed_at", "lead_id", "status"],
                           ascending=[False, True, True])[LOG_COLUMNS]


def same(got, want):
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True),
                                  check_dtype=False)


def busiest(raw, table, key="campaign_id"):
    """The two campaigns with the most rows in a raw table (changes: by their lead)."""
    rows = raw[table]
    if key == "lead_id":
        rows = rows.merge(raw["leads"][["lead_id", "campaign_id"]], on="lead_id")
    return rows.campaign_id.value_counts().index[:2].tolist()


def test_sample_leads_and_log_match_pandas(sample):
    layer, raw = sample
    owner = raw["campaigns"].set_index("campaign_id").user_id
    for campaign_id in busiest(raw, "lead_status_changes", key="lead_id"):
        tenant = int(owner[campaign_id])
        leads, log = expected_leads(raw, campaign_id), expected_log(raw, campaign_id)
        df, total = layer.campaign_leads(campaign_id, tenant=tenant)
        assert total == len(leads) > 0
        same(df, leads)
        df, total = layer.status_log(campaign_id, tenant=tenant)
        assert total == len(log) > 0
        same(df, log)
        df, total = layer.status_log(campaign_id, tenant=tenant, limit=5)
        assert total == len(log)
        same(df, log.head(5))
        # a date range and a status: each on its own fact's column
        status = leads.lead_status.mode().iloc[0]
        start = leads.added_at.median().normalize()
        filters = {"date_from": start.date(), "lead_status": [status]}
        df, total = layer.campaign_leads(campaign_id, filters, tenant=tenant)
        want = leads[(leads.added_at >= start) & (leads.lead_status == status)]
        assert total == len(want) > 0
        same(df, want)
        df, total = layer.status_log(campaign_id, filters, tenant=tenant)
        want = log[(log.changed_at >= start) & (log.lead_status == status)]
        assert total == len(want)
        same(df, want)


def test_sample_ad_set_delivery_matches_the_insights(sample):
    layer, raw = sample
    for campaign_id in busiest(raw, "ad_insights"):
        rows = raw["ad_insights"][raw["ad_insights"].campaign_id == campaign_id].assign(
            spend=lambda d: d.spend.astype(float))
        df = layer.ad_set_delivery(campaign_id)
        assert list(df.columns) == DELIVERY_COLUMNS
        assert df[["ad_set", "day"]].equals(
            df[["ad_set", "day"]].sort_values(["ad_set", "day"], ignore_index=True))
        got = df.groupby("ad_set")[["spend", "impressions", "clicks"]].sum()
        want = rows.groupby("ad_set_id")[["spend", "impressions", "clicks"]].sum()
        np.testing.assert_array_equal(got.index, want.index)
        np.testing.assert_allclose(got["spend"], want["spend"], atol=0.005)
        np.testing.assert_array_equal(got[["impressions", "clicks"]],
                                      want[["impressions", "clicks"]])
        # ratios of the sums at ad set x day (same-key rows the export repeats are summed)
        day = rows.groupby(["ad_set_id", "day"])[["spend", "impressions", "clicks"]].sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            ctr = np.where(day.impressions > 0, day.clicks / day.impressions, np.nan)
            cpc = np.where(day.clicks > 0, day.spend / day.clicks, np.nan)
        np.testing.assert_allclose(df["ctr"], ctr)
        np.testing.assert_allclose(df["cpc"], cpc)
