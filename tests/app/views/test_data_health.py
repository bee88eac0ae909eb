"""The Data health tab: the last ingest's files, its reconciliation, what was flagged and what
was refused, read back from the warehouse; admins only (refused rows quote source values)."""

from __future__ import annotations

from csvkit import VALID, write_exports

from app.views.health import health_html
from semantic import connect
from semantic.builder.ingest import ingest


def built(tmp_path):
    src = write_exports(tmp_path / "src", {"insights.csv": [
        *VALID["insights.csv"], "13,999,90,10.00,5,100,2024-06-01",  # unknown campaign
        "14,1,90,1.00,500,100,<b>2024-06-01</b>",  # a date that does not parse, as markup
        "15,1,90,2.00,500,100,2024-06-01",  # clicks > impressions: kept, flagged
    ]})
    db = tmp_path / "w.duckdb"
    ingest(src, db)
    return db


def test_health_reads_the_last_ingest(tmp_path):
    with connect(str(built(tmp_path))) as layer:
        health = layer.data_health()
    assert layer.data_version.startswith(health.version) and health.source_dir.endswith("src")
    assert list(health.files["file"]) == ["campaigns.csv", "insights.csv",
                                          "campaign_leads.csv", "lead_status_changes.csv"]
    insights = health.files.set_index("file").loc["insights.csv"]
    assert (insights.read, insights.loaded, insights.rejected) == (6, 4, 2)
    spend = health.reconciliation.set_index(["file", "measure"]).loc[("insights.csv", "spend")]
    assert float(spend.in_file) == 100.50 + 20.25 + 0.01 + 10 + 1 + 2
    # the refused rows' spend parsed (the day of one did not): all of it is in `rejected`
    assert float(spend.rejected) == 11 and int(spend.unreadable) == 0
    assert list(health.rejects["line"]) == [5, 6] and health.reject_count == 2
    assert any(k.startswith("clicks exceed impressions") for k in health.issues["kind"])


def test_health_html_escapes_and_says_whether_it_reconciles(tmp_path):
    with connect(str(built(tmp_path))) as layer:
        text = health_html(layer.data_health())
    assert text.count("✓ reconciles") == 4 + 4  # rows of 4 files + 4 insight sums
    assert "does not add up" not in text
    assert "Rejected rows: 2" in text and "<b>2024" not in text


def test_only_admins_get_the_tab(tmp_path):
    from app.dashboard import MainArea
    from app.state.layers import get_layer
    from app.state.store import DashboardState

    layer = get_layer(str(built(tmp_path)))
    admin = MainArea(DashboardState(layer))
    tenant = MainArea(DashboardState(layer, tenant=199))
    assert [name for name, _ in admin.views][-1] == "Data health"
    assert "Data health" not in [name for name, _ in tenant.views]


def test_every_refused_row_can_be_paged_through(tmp_path):
    from app.state.layers import get_layer
    from app.state.store import DashboardState
    from app.views.health import REJECTS_PAGE, DataHealthView

    unknown = [f"{900 + i},999,1,1.00,1,2,2024-06-01" for i in range(REJECTS_PAGE + 10)]
    src = write_exports(tmp_path / "src", {"insights.csv": [*VALID["insights.csv"], *unknown]})
    db = tmp_path / "w.duckdb"
    ingest(src, db)
    view = DataHealthView(store=DashboardState(get_layer(str(db))))
    lines = [int(row[1]) for row in view._rejects.page["rows"]]
    assert lines == list(range(5, 5 + REJECTS_PAGE))  # 3 valid rows after the header
    assert view._pager.prev.disabled and not view._pager.next.disabled
    assert f"Rejected rows 1–{REJECTS_PAGE} of {REJECTS_PAGE + 10}" in view._pager.status.object
    view._pager.next.clicks += 1
    lines = [int(row[1]) for row in view._rejects.page["rows"]]
    assert lines == list(range(5 + REJECTS_PAGE, 5 + REJECTS_PAGE + 10))
    assert view._pager.next.disabled and not view._pager.prev.disabled
