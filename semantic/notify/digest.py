"""`campaign-bi alerts --digest`: per business user, its KPIs of the last day and of the last
7 days, each against the period before it (equally long), and its open alerts.

The last day is the data's last active day (`SemanticLayer.activity_span()`: the last day with
delivery, leads or status changes), not today: exports arrive late, and "yesterday" would
often be an empty day. `--date` picks another day. With last day D:

    Last day      D                vs  D-1
    Last 7 days   D-6 ... D        vs  D-13 ... D-7

Every number comes from the semantic layer for its period: ratios (CPL, CTR, ...) are ratios
of the period's sums, never averages of daily ratios. A business user's own people get
`layer.query(metrics, filters={date_from, date_to}, tenant=business_user)`: the tenant predicate
keeps their digest to their own data. Admin destinations, which get a digest for every business
user, get the same sums from one query per period by business user (4 queries, not 4 per
business user).

Destinations are those of the alerts (deliver.py): an admin destination gets a digest for each
business user with activity in the 14 days or an open alert; a business user's own people get
its digest every day (also a quiet one). A digest already delivered to a destination for the
same last day is not sent again (the state file records the day), so a second run the same day,
or a day without new data, sends nothing new; `force` sends it anyway.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from semantic.catalog import METRICS
from semantic.errors import CampaignBIError
from semantic.notify.channels import Sleep, SmtpSender, WebhookSender
from semantic.notify.config import Destination, Settings
from semantic.notify.deliver import (
    Evaluated,
    Outcome,
    deliver_one,
    evaluate_scopes,
    scopes_of,
)
from semantic.notify.messages import Comparison, Digest, digest_message
from semantic.notify.state import DeliveryState, locked, scope_key

#: (title, days): each period ends on the digest's last day and is compared with the one before
COMPARISONS: tuple[tuple[str, int], ...] = (("Last day", 1), ("Last 7 days", 7))
#: what makes a business user active in the digest's window (admin destinations)
ACTIVITY = ("spend", "leads", "status_changes")


class DigestError(CampaignBIError):
    """There is nothing to build a digest from."""


def periods(end: dt.date) -> list[tuple[str, tuple[dt.date, dt.date], tuple[dt.date, dt.date]]]:
    """(title, current period, previous period) per comparison, both ends inclusive."""
    out = []
    for title, days in COMPARISONS:
        start = end - dt.timedelta(days=days - 1)
        before_end = start - dt.timedelta(days=1)
        out.append((title, (start, end), (before_end - dt.timedelta(days=days - 1), before_end)))
    return out


def kpis(layer, metrics: Sequence[str], filters: Mapping | None, tenant: int,
         period: tuple[dt.date, dt.date]) -> dict[str, float]:
    """The metrics over one period for one business user (one query, no dimensions)."""
    scoped = {**(filters or {}), "date_from": period[0], "date_to": period[1]}
    frame = layer.query(metrics=list(metrics), filters=scoped, tenant=tenant)
    if frame.empty:
        return {m: math.nan for m in metrics}
    return {m: math.nan if pd.isna(frame[m].iloc[0]) else float(frame[m].iloc[0])
            for m in metrics}


def kpis_by_user(layer, metrics: Sequence[str], filters: Mapping | None,
                 period: tuple[dt.date, dt.date]) -> dict[int, dict[str, float]]:
    """The metrics over one period for every business user with facts in it (one query by
    business user: for admin destinations, which get a digest per business user). The same
    numbers as `kpis` with that business user as tenant; a business user without facts in the
    period is not in the answer (`nothing` gives its values)."""
    scoped = {**(filters or {}), "date_from": period[0], "date_to": period[1]}
    frame = layer.query(metrics=list(metrics), dimensions=["business_user"], filters=scoped)
    return {int(row["business_user"]): {m: math.nan if pd.isna(row[m]) else float(row[m])
                                         for m in metrics}
            for row in frame.to_dict(orient="records")}


def nothing(metrics: Sequence[str]) -> dict[str, float]:
    """The metrics over no facts, as the layer answers them: sums 0, ratios and medians
    undefined (a zero denominator is NULL, never 0)."""
    return {m: 0.0 if METRICS[m].additivity in ("additive", "non_additive") else math.nan
            for m in metrics}


def active_users(layer, filters: Mapping | None, start: dt.date, end: dt.date) -> list[int]:
    """Business users with delivery, leads or status changes between start and end."""
    scoped = {**(filters or {}), "date_from": start, "date_to": end}
    frame = layer.query(metrics=list(ACTIVITY), dimensions=["business_user"], filters=scoped)
    busy = (frame[list(ACTIVITY)].fillna(0) > 0).any(axis=1)
    return [int(u) for u in frame.loc[busy, "business_user"]]


def build(layer, user: int, end: dt.date, metrics: Sequence[str], filters: Mapping | None,
          alerts: Sequence[Mapping], alerts_period, end_note: str,
          known: Mapping[tuple, Mapping[int, Mapping[str, float]]] | None = None) -> Digest:
    """One business user's digest; `known`: `kpis_by_user` of every period (admins)."""
    def values(period):
        if known is None:
            return kpis(layer, metrics, filters, user, period)
        return dict(known[period].get(user) or nothing(metrics))

    comparisons = tuple(
        Comparison(title=title, current=current, previous=previous,
                   values=values(current), before=values(previous))
        for title, current, previous in periods(end))
    return Digest(business_user=user, end=end, metrics=tuple(metrics), comparisons=comparisons,
                  alerts=tuple(alerts), alerts_period=alerts_period, end_note=end_note)


def last_day(layer) -> dt.date:
    """The data's last active day (all business users): the digest's default end."""
    end = layer.activity_span()[1]
    if end is None:
        raise DigestError("the warehouse has no delivery, leads or status changes to report")
    return end


def send_digests(layer, settings: Settings, state_path: str | Path, *,
                 filters: Mapping | None = None, rules: Any = None, day: dt.date | None = None,
                 dry_run: bool = False, force: bool = False,
                 sleep: Sleep = time.sleep) -> tuple[dt.date, Outcome]:
    """Build and send each destination's digests; the digest's last day and what was done."""
    settings.check_ready()
    end = day or last_day(layer)
    note = "the day asked for" if day else "the data's last active day"
    destinations = settings.destinations()
    evaluated = evaluate_scopes(layer, filters, rules, scopes_of(destinations))
    window = periods(end)[-1]
    admins = any(d.scope is None for d in destinations)
    active = set(active_users(layer, filters, window[2][0], end)) if admins else set()
    cache: dict[tuple[int | None, int], Digest] = {}
    known: dict[tuple, dict] = {}  # admin destinations: every business user at once

    def digest(scope: int | None, user: int) -> Digest:
        source = evaluated[scope]
        if scope is None and not known:
            for _, current, previous in periods(end):
                for period in (current, previous):
                    known[period] = kpis_by_user(layer, settings.digest_metrics, filters,
                                                 period)
        if (scope, user) not in cache:
            cache[(scope, user)] = build(layer, user, end, settings.digest_metrics, filters,
                                         source.by_user.get(user, ()), source.period, note,
                                         known if scope is None else None)
        return cache[(scope, user)]

    scope = scope_key(filters)
    outcome = Outcome(open_alerts=sum(len(r) for e in evaluated.values()
                                      for r in e.by_user.values()))
    plan = [(d, [(None if d.scope is None else u, u) for u in _users(d, evaluated, active)])
            for d in destinations]
    if dry_run:
        state = DeliveryState.load(state_path)
        for destination, users in plan:
            for source, user in users:
                if force or state.digest_sent(scope, destination.key, user) != end.isoformat():
                    outcome.planned.append((destination, digest_message(digest(source, user))))
        return end, outcome
    with locked(state_path):
        state = DeliveryState.load(state_path)
        mail, hooks = SmtpSender(settings, sleep), WebhookSender(settings, sleep)
        try:
            for destination, users in plan:
                for source, user in users:
                    what = f"digest of business user {user} for {end.isoformat()}"
                    if not force and state.digest_sent(scope, destination.key, user) == \
                            end.isoformat():
                        outcome.skipped.append(f"{what} already sent: {destination.label}")
                        continue
                    message = digest_message(digest(source, user))
                    if deliver_one(outcome, destination, message, user, what, mail, hooks):
                        state.mark_digest(scope, destination.key, user, end)
        finally:
            mail.close()
            state.save()
    return end, outcome


def _users(destination: Destination, evaluated: Mapping[int | None, Evaluated],
           active: set[int]) -> list[int]:
    if destination.scope is None:
        return sorted(active | set(evaluated[None].by_user))
    return sorted(destination.scope)
