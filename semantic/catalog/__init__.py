"""The metric and dimension catalog, as data (the public names of /work/shared/METRICS.md).

The compiler reads only these declarations: a *fact* says where its rows live, which date they
are counted on and which dimensions it carries; a *measure* is one aggregation on one fact;
a *metric* is a measure shown as-is or a ratio of two measures. Adding a metric means adding a
`Metric` (and, for a new aggregation, a `Measure`) below; no compiler code changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

# the status rules live beside the catalog and are part of it (semantic.catalog.STAGES, ...)
from semantic.catalog.status import (  # noqa: F401
    OTHER_STAGE,
    STAGES,
    STATUSES,
    Stage,
    Status,
    statuses_where,
)

Unit = Literal["money", "count", "percent", "ratio", "hours"]
Additivity = Literal["additive", "ratio", "non_additive", "median"]
Aggregation = Literal["sum", "count", "count_true", "median"]
DimensionKind = Literal["time", "attribute", "lead_attribute"]
FilterKind = Literal["integer_list", "text_list", "date_from", "date_to"]

#: Display decimals per unit (ratios and percents are fractions; percent shows ×100).
DECIMALS: Mapping[str, int] = MappingProxyType(
    {"money": 2, "count": 0, "percent": 1, "ratio": 2, "hours": 1}
)


@dataclass(frozen=True, kw_only=True)
class Lookup:
    """A many-to-one join from a fact to a table that carries more attributes of its rows."""

    alias: str
    table: str
    fact_key: str
    key: str


@dataclass(frozen=True, kw_only=True)
class Fact:
    name: str
    label: str
    description: str
    table: str  # the core source, one row per fact row
    date_column: str  # the fact's own date: time dimensions and the date range use it
    #: non-time dimension (and filter) name -> column of `table` ("alias.column" via a lookup)
    columns: Mapping[str, str]
    lookups: tuple[Lookup, ...] = ()
    #: columns of the campaign x day mart whose non-zero value says a row carries this fact
    presence: tuple[str, ...] = ()
    #: its bit in the mart's `presence_column` (set when one of `presence` is non-zero)
    presence_bit: int = 0
    #: the same rows sorted by the date column (see `source_table`), or None
    by_day_table: str | None = None


@dataclass(frozen=True, kw_only=True)
class Mart:
    """A pre-aggregated table holding several facts' additive measures at one grain."""

    name: str
    table: str
    date_column: str
    columns: Mapping[str, str]
    #: the same rows sorted by the date column (see `source_table`), or None
    by_day_table: str | None = None
    #: an integer column holding each row's facts as bits (`Fact.presence_bit`), or None
    presence_column: str | None = None


@dataclass(frozen=True, kw_only=True)
class Measure:
    name: str
    fact: str
    agg: Aggregation
    column: str | None = None  # None with agg="count": count rows
    mart_column: str | None = None  # the same sum, pre-aggregated in the mart (None: not there)
    dtype: Literal["integer", "decimal", "double"] = "integer"


@dataclass(frozen=True, kw_only=True)
class Metric:
    name: str
    label: str
    description: str
    formula: str
    unit: Unit
    additivity: Additivity
    measure: str | None = None  # a metric that is one measure ...
    numerator: str | None = None  # ... or scale × numerator / denominator (NULL when it is 0)
    denominator: str | None = None
    scale: int = 1
    note: str | None = None  # shown with every query that returns the metric
    #: for cards, table headers and chart axes, where the unit is shown beside it; the label
    #: when None
    short_label: str | None = None
    #: which way is good news: "up", "down", or None (neither, e.g. spend)
    direction: Literal["up", "down"] | None = "up"
    #: one line for a card's tooltip, in words a business user reads; the description if None
    hint: str | None = None

    @property
    def short(self) -> str:
        return self.short_label or self.label

    @property
    def tip(self) -> str:
        return self.hint or self.description

    @property
    def measures(self) -> tuple[str, ...]:
        if self.measure is not None:
            return (self.measure,)
        return (self.numerator, self.denominator)  # type: ignore[return-value]

    @property
    def facts(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(MEASURES[m].fact for m in self.measures))

    @property
    def decimals(self) -> int:
        return DECIMALS[self.unit]


@dataclass(frozen=True, kw_only=True)
class Dimension:
    name: str
    label: str
    description: str
    kind: DimensionKind
    dtype: Literal["date", "integer", "text"]
    grain: Literal["day", "week", "month"] | None = None  # time dimensions only
    #: dimensions with one value per value of this one (a campaign has one project and one
    #: business user): ordering by this one, they never break a tie
    determines: tuple[str, ...] = ()
    #: why a fact without this dimension lacks it (said when a metric cannot be broken down)
    missing_because: str | None = None


@dataclass(frozen=True, kw_only=True)
class Filter:
    name: str
    label: str
    description: str
    kind: FilterKind
    dimension: str | None = None  # list filters restrict this dimension's column
    notes: tuple[str, ...] = field(default=())
    #: what one value looks like (command-line help)
    metavar: str = "VALUE"
    #: shorter command-line spellings beside --<name with dashes> (kept for scripts)
    aliases: tuple[str, ...] = ()

    @property
    def option(self) -> str:
        """Its command-line option: the filter's name with dashes (--business-user)."""
        return "--" + self.name.replace("_", "-")

    @property
    def is_list(self) -> bool:
        return self.kind in ("integer_list", "text_list")


def _by_name(items) -> Mapping:
    return MappingProxyType({item.name: item for item in items})


_SCOPE = {"business_user": "business_user", "project": "project", "campaign": "campaign_id"}

FACTS: Mapping[str, Fact] = _by_name([
    Fact(name="delivery", label="Delivery (insights)", table="core.ad_insights",
         description="Facebook delivery per ad set per day, counted on the insight day.",
         date_column="day", columns={**_SCOPE, "ad_set": "ad_set_id"},
         presence=("spend", "impressions", "clicks", "reach"), presence_bit=1),
    Fact(name="leads", label="Leads", table="core.leads",
         description="One row per lead, counted on the day it was added.",
         date_column="added_day",
         columns={**_SCOPE, "lead_status": "lead_status", "stage": "stage",
                  "lead_hour": "lead_hour", "lead_weekday": "lead_weekday"},
         presence=("leads",), presence_bit=2, by_day_table="marts.leads_by_day"),
    Fact(name="status_changes", label="Status changes", table="core.lead_status_changes",
         description="One row per logged status change, counted on the day of the change; "
                     "lead attributes are those of the lead (its current status and stage).",
         date_column="changed_day",
         columns={**_SCOPE, "lead_status": "lead_status", "stage": "lead.stage",
                  "lead_hour": "lead.lead_hour", "lead_weekday": "lead.lead_weekday"},
         lookups=(Lookup(alias="lead", table="core.leads", fact_key="lead_id", key="lead_id"),),
         presence=("status_changes",), presence_bit=4),
    Fact(name="budget", label="Planned budget", table="core.campaign_days",
         description="One row per campaign per day it is scheduled to run, carrying its daily "
                     "budget.",
         date_column="day", columns=_SCOPE, presence=("budget",), presence_bit=8),
])

#: Every additive measure at campaign x day, one scan for the dashboard's usual questions.
MART = Mart(name="campaign_daily", table="marts.campaign_daily", date_column="day",
            columns=MappingProxyType(dict(_SCOPE)), by_day_table="marts.campaign_daily_by_day",
            presence_column="facts")  # the bits: sql/019_marts_fact_presence.sql

#: core.campaigns materialized and sorted by business user and campaign (same rows, columns).
CAMPAIGNS_TABLE = "marts.campaigns"


def source_table(source: Fact | Mart, business_user: tuple, tenant: int | None,
                 dated: bool) -> str:
    """Which copy of a source to read. Sources are stored sorted by business user, so zone maps
    skip the other users' row groups; with a date range and no business-user scope (no filter,
    no tenant) the copy sorted by day, where they skip the other days', reads far less. Both
    copies hold the same rows: the answer never depends on the choice."""
    if source.by_day_table and dated and tenant is None and not business_user:
        return source.by_day_table
    return source.table

MEASURES: Mapping[str, Measure] = _by_name([
    Measure(name="spend", fact="delivery", agg="sum", column="spend", mart_column="spend",
            dtype="decimal"),
    Measure(name="impressions", fact="delivery", agg="sum", column="impressions",
            mart_column="impressions"),
    Measure(name="clicks", fact="delivery", agg="sum", column="clicks", mart_column="clicks"),
    Measure(name="reach", fact="delivery", agg="sum", column="reach", mart_column="reach"),
    Measure(name="leads", fact="leads", agg="count", mart_column="leads"),
    Measure(name="qualified_leads", fact="leads", agg="count_true", column="is_qualified",
            mart_column="qualified_leads"),
    Measure(name="deals", fact="leads", agg="count_true", column="is_deal", mart_column="deals"),
    Measure(name="contacted_leads", fact="leads", agg="count_true", column="is_contacted",
            mart_column="contacted_leads"),
    Measure(name="speed_to_lead_hours", fact="leads", agg="median",
            column="hours_to_first_contact", dtype="double"),
    Measure(name="status_changes", fact="status_changes", agg="count",
            mart_column="status_changes"),
    Measure(name="budget", fact="budget", agg="sum", column="budget", mart_column="budget",
            dtype="decimal"),
])


# texts of the metrics below, derived from the status rules
_QUALIFIED_STAGES = " or ".join(s.name for s in STAGES.values() if s.qualified)
_NOT_CONTACT = "/".join(statuses_where(contact=False))
_NOT_FIRST_CONTACT = "/".join(statuses_where(first_contact=False))
_DEALS = "/".join(statuses_where(deal=True))


def _sum(name, label, unit, formula, description, additivity="additive", **shown):
    return Metric(name=name, label=label, unit=unit, formula=formula, measure=name,
                  description=description, additivity=additivity, **shown)


def _ratio(name, label, unit, num, den, formula, description, scale=1, **shown):
    # a cost goes down when things go well, a rate up
    shown.setdefault("direction", "down" if unit == "money" else "up")
    return Metric(name=name, label=label, unit=unit, formula=formula, numerator=num,
                  denominator=den, scale=scale, additivity="ratio", description=description,
                  **shown)


_REACH_NOTE = ("reach is the sum of daily reach per ad set: over several days or ad sets it "
               "over-counts people, and frequency is then an average of daily frequencies")


METRICS: Mapping[str, Metric] = _by_name([
    _sum("spend", "Spend", "money", "Σ spend", "Amount spent on delivery.", direction=None),
    _sum("impressions", "Impressions", "count", "Σ impressions", "Times ads were shown."),
    _sum("clicks", "Clicks", "count", "Σ clicks", "Clicks on ads."),
    _sum("reach", "Reach (sum of daily)", "count", "Σ reach",
         "Daily unique people per ad set, summed: over several days or ad sets it over-counts "
         "people, so it is not a count of unique people.", additivity="non_additive",
         note=_REACH_NOTE,
         hint="Daily reach per ad set, summed: over several days it over-counts people."),
    _ratio("frequency", "Avg. daily frequency", "ratio", "impressions", "reach",
           "Σ impressions / Σ reach", "Impressions per reached person; exact only at ad set x "
           "day, an average of daily frequencies above that.", note=_REACH_NOTE, direction=None),
    _ratio("ctr", "CTR", "percent", "clicks", "impressions", "Σ clicks / Σ impressions",
           "Click-through rate.", hint="Clicks / impressions."),
    _ratio("cpc", "CPC", "money", "spend", "clicks", "Σ spend / Σ clicks", "Cost per click.",
           hint="Spend / clicks."),
    _ratio("cpm", "CPM", "money", "spend", "impressions", "1000 × Σ spend / Σ impressions",
           "Cost per thousand impressions.", scale=1000, hint="1000 × spend / impressions."),
    _sum("leads", "Leads", "count", "count of leads", "Leads added (by day added)."),
    _ratio("click_to_lead_rate", "Click→lead", "percent", "leads", "clicks", "leads / Σ clicks",
           "Leads per click (cross-fact: each side aggregated to the query grain first)."),
    _ratio("cpl", "CPL", "money", "spend", "leads", "Σ spend / leads",
           "Cost per lead (cross-fact: spend and leads each aggregated to the query grain "
           "first).", hint="Spend / leads."),
    _sum("qualified_leads", "Qualified leads", "count",
         f"leads whose current status is in stage {_QUALIFIED_STAGES}",
         f"Leads whose current status is in stage {_QUALIFIED_STAGES}."),
    _ratio("qualification_rate", "Qualification rate", "percent", "qualified_leads", "leads",
           "qualified_leads / leads", "Share of leads that are qualified.",
           hint=f"Leads now in stage {_QUALIFIED_STAGES} / leads."),
    _ratio("cost_per_qualified_lead", "Cost per qualified lead", "money", "spend",
           "qualified_leads", "Σ spend / qualified_leads", "Spend per qualified lead."),
    _sum("deals", "Deals", "count", f"leads whose current status is {_DEALS}",
         f"Leads whose current status is {_DEALS}."),
    _ratio("cost_per_deal", "Cost per deal", "money", "spend", "deals", "Σ spend / deals",
           "Spend per deal."),
    _sum("contacted_leads", "Contacted leads", "count",
         f"leads with at least one logged status other than {_NOT_CONTACT}",
         f"Leads the sales team reached: a logged status other than {_NOT_CONTACT}."),
    _ratio("contact_rate", "Contact rate", "percent", "contacted_leads", "leads",
           "contacted_leads / leads", "Share of leads contacted.",
           hint=f"Leads with a logged status other than {_NOT_CONTACT} / leads."),
    Metric(name="speed_to_lead_hours", label="Median time to first contact (h)", unit="hours",
           short_label="Median time to first contact", direction="down",
           hint=f"Median hours from arrival to the first logged status other than "
                f"{_NOT_FIRST_CONTACT}; leads never contacted are excluded.",
           formula="median over leads of hours from added_date to the first logged status "
                   f"other than {_NOT_FIRST_CONTACT}",
           description="Median hours to first contact over the leads in the group; leads never "
                       "contacted are excluded. Computed per group, never summed or averaged.",
           measure="speed_to_lead_hours", additivity="median"),
    _sum("status_changes", "Status changes", "count", "count of logged changes",
         "Logged status changes (by day of the change)."),
    _sum("budget", "Planned budget", "money",
         "Σ daily_budget over scheduled campaign-days in range",
         "Daily budget summed over the days each campaign is scheduled to run.",
         short_label="Budget"),
    _ratio("budget_utilization", "Budget utilization", "percent", "spend", "budget",
           "Σ spend / budget", "Spend as a share of planned budget.", direction=None),
])

DIMENSIONS: Mapping[str, Dimension] = _by_name([
    Dimension(name="day", label="Day", kind="time", dtype="date", grain="day",
              description="The fact's own date (insight day, lead added, change, scheduled)."),
    Dimension(name="week", label="Week", kind="time", dtype="date", grain="week",
              description="ISO week of the fact's date, as its Monday."),
    Dimension(name="month", label="Month", kind="time", dtype="date", grain="month",
              description="Month of the fact's date, as its first day."),
    Dimension(name="business_user", label="Business user", kind="attribute", dtype="integer",
              description="The campaign's user_id (a developer company)."),
    Dimension(name="project", label="Project", kind="attribute", dtype="text",
              description="The campaign's project name, trimmed."),
    Dimension(name="campaign", label="Campaign", kind="attribute", dtype="integer",
              description="The campaign id.", determines=("project", "business_user")),
    Dimension(name="ad_set", label="Ad set", kind="attribute", dtype="integer",
              description="The Facebook ad set id: delivery (spend, impressions, clicks, "
                          "reach and their ratios) only.",
              missing_because="the exports record leads, their status changes and the "
                              "planned budget per campaign, not per ad set"),
    Dimension(name="lead_status", label="Lead status", kind="lead_attribute", dtype="text",
              description="The lead's current status."),
    Dimension(name="stage", label="Stage", kind="lead_attribute", dtype="text",
              description="Funnel stage of the lead's current status (core.status_stages)."),
    Dimension(name="lead_hour", label="Lead hour", kind="lead_attribute", dtype="integer",
              description="Hour of day (0-23) the lead arrived."),
    Dimension(name="lead_weekday", label="Lead weekday", kind="lead_attribute", dtype="integer",
              description="ISO weekday the lead arrived (1 = Monday ... 7 = Sunday)."),
])

FILTERS: Mapping[str, Filter] = _by_name([
    Filter(name="business_user", label="Business users", kind="integer_list",
           dimension="business_user", description="Keep these business users (ids).",
           metavar="ID", aliases=("--user",)),
    Filter(name="project", label="Projects", kind="text_list", dimension="project",
           description="Keep these projects (compared trimmed, case as written).",
           metavar="NAME"),
    Filter(name="campaign", label="Campaigns", kind="integer_list", dimension="campaign",
           description="Keep these campaigns (ids).", metavar="ID"),
    Filter(name="lead_status", label="Lead statuses", kind="text_list", dimension="lead_status",
           description="Keep leads whose current status is one of these.", metavar="STATUS",
           aliases=("--status",),
           notes=("restricts lead-based facts (leads, their outcomes, speed to lead, status "
                  "changes) to leads whose current status is listed; delivery (spend, "
                  "impressions, clicks, reach) and planned budget are not restricted by it",)),
    Filter(name="date_from", label="From", kind="date_from",
           description="First day, inclusive, applied to each fact's own date.",
           metavar="YYYY-MM-DD", aliases=("--from",)),
    Filter(name="date_to", label="To", kind="date_to",
           description="Last day, inclusive, applied to each fact's own date.",
           metavar="YYYY-MM-DD", aliases=("--to",)),
])

def metrics_for_dimension(dimension: str) -> list[str]:
    """Metrics whose every fact carries `dimension` (time dimensions: all metrics)."""
    if DIMENSIONS[dimension].kind == "time":
        return list(METRICS)
    return [name for name, m in METRICS.items()
            if all(dimension in FACTS[f].columns for f in m.facts)]
