"""View components: each renders what the data store (`app.state.store.DashboardState`) gives."""

from app.views.alerts import AlertsView
from app.views.campaigns import CampaignTable
from app.views.health import DataHealthView
from app.views.kpis import KpiCards
from app.views.outcomes import OutcomesView
from app.views.segments import SegmentsView
from app.views.trends import TrendsView

__all__ = ["AlertsView", "CampaignTable", "DataHealthView", "KpiCards", "OutcomesView", "SegmentsView",
           "TrendsView"]
