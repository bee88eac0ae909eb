"""The status rules: which lead statuses are in which funnel stage, and what they count as.

Data, like the rest of the catalog: generated into core.status_stages (sql/003, `campaign-bi
generate-sql`), which core.leads reads for its qualified, deal and contact flags; the dashboard
and the metric formulas read them here. Re-exported by `semantic.catalog`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True, kw_only=True)
class Stage:
    name: str
    label: str
    order: int  # position in the funnel
    qualified: bool = False  # a lead whose current status is in it is a qualified lead


@dataclass(frozen=True, kw_only=True)
class Status:
    name: str
    stage: str
    deal: bool = False  # a lead whose current status it is is a deal
    #: logging it shows the sales team reached the lead (contacted_leads, contact_rate)
    contact: bool = True
    #: the first logged status that is one ends the wait for a first contact
    #: (speed_to_lead_hours)
    first_contact: bool = True


#: the stage of a status the catalog does not list (it counts as a contact)
OTHER_STAGE = "other"

def _by_name(items) -> Mapping:
    return MappingProxyType({item.name: item for item in items})


STAGES: Mapping[str, Stage] = _by_name([
    Stage(name="new", label="New", order=1),
    Stage(name="working", label="Working", order=2),
    Stage(name="qualified", label="Qualified", order=3, qualified=True),
    Stage(name="won", label="Won", order=4, qualified=True),
    Stage(name="lost", label="Lost", order=5),
    Stage(name="unknown", label="Unknown", order=6),
    Stage(name=OTHER_STAGE, label="Other", order=7),
])


def _statuses(stage: str, *names: str, **rules: bool) -> list[Status]:
    return [Status(name=name, stage=stage, **rules) for name in names]


STATUSES: Mapping[str, Status] = _by_name([
    *_statuses("new", "NEW_LEAD", contact=False, first_contact=False),
    *_statuses("working", "NO_ANSWER", "CALL_AGAIN", "FOLLOW_UP", "WHATSAPP", "SWITCHED_OFF"),
    *_statuses("qualified", "QUALIFIED", "HIGH_INTEREST", "MEETING_DONE"),
    *_statuses("won", "DONE_DEAL", deal=True),
    *_statuses("lost", "NOT_QUALIFIED", "LOW_BUDGET", "WRONG_NUMBER", "SPAM", "ALREADY_BOUGHT",
               "RESALE_REQUEST"),
    *_statuses("unknown", "UNKNOWN", contact=False),
])


def statuses_where(**rule: bool) -> list[str]:
    """The catalog's statuses whose rule has that value (e.g. contact=False)."""
    (name, value), = rule.items()
    return [s.name for s in STATUSES.values() if getattr(s, name) == value]
