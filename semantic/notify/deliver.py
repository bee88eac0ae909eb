"""`campaign-bi alerts --notify`: send each newly firing alert once, by email and webhook.

Who sees what (tenant scope): a destination for every business user (the global `to` list and
webhook: admins) gets the alerts as `campaign-bi alerts` and an admin's dashboard compute them,
over all campaigns; a destination listed for a business user gets that business user's alerts
as its own dashboard computes them (`evaluate(..., tenant=business_user)`: every query carries
the tenant predicate, so another business user's campaigns cannot reach it). A rule whose
threshold depends on the campaigns in scope (cpl_high: 2x their median CPL) may therefore
fire for a business user's own people and not for the admins, or the other way round.

Each destination gets one message per business user with new alerts. An alert is new for a
destination when its key (business user / rule / campaign) is not in the state file for that
destination; it is recorded there once its message was delivered, and dropped from it when it
stops firing (so it is sent again if it fires again). A message that fails is not recorded:
its alerts go out on the next run. Other messages and destinations go out regardless.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from semantic.notify.channels import DeliveryFailed, Sleep, SmtpSender, WebhookSender
from semantic.notify.config import Destination, Settings
from semantic.notify.messages import AlertGroup, Message, alert_message, plural
from semantic.notify.state import DeliveryState, alert_key, locked, scope_key

Period = tuple[dt.date | None, dt.date | None]


@dataclass(frozen=True, kw_only=True)
class Evaluated:
    """The alerts firing in one scope (None: all business users; else one business user)."""

    period: Period
    by_user: Mapping[int, tuple[dict, ...]]


@dataclass(kw_only=True)
class Outcome:
    """What a run did: one line per message sent, failed, skipped or (dry run) planned."""

    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    planned: list[tuple[Destination, Message]] = field(default_factory=list)
    open_alerts: int = 0


def evaluate_scopes(layer, filters: Mapping | None, rules: Any,
                    scopes: set[int | None]) -> dict[int | None, Evaluated]:
    """Firing alerts per scope, each over the data's span in that scope unless the filters
    give dates (as the dashboard and `campaign-bi alerts` compute them)."""
    from semantic.runtime.alerts import evaluate, within_activity

    out = {}
    for scope in sorted(scopes, key=lambda s: -1 if s is None else s):
        scoped = within_activity(layer, filters, scope)
        fired = evaluate(layer, scoped, scope, rules)
        by_user: dict[int, list[dict]] = {}
        for row in fired.to_dict(orient="records"):
            row = {**row, "campaign": int(row["campaign"]),
                   "business_user": int(row["business_user"])}
            if scope is None or row["business_user"] == scope:
                by_user.setdefault(row["business_user"], []).append(row)
        out[scope] = Evaluated(period=(_day(scoped.get("date_from")), _day(scoped.get("date_to"))),
                               by_user={u: tuple(rows) for u, rows in sorted(by_user.items())})
    return out


def scopes_of(destinations: list[Destination]) -> set[int | None]:
    out: set[int | None] = set()
    for d in destinations:
        out |= {None} if d.scope is None else set(d.scope)
    return out


def groups_for(destination: Destination, evaluated: Mapping[int | None, Evaluated]
               ) -> list[tuple[int, tuple[dict, ...], Period]]:
    """(business user, its firing alerts, period) for each business user the destination
    sees: every one with alerts for an admin destination, its own for a scoped one."""
    if destination.scope is None:
        every = evaluated[None]
        return [(user, rows, every.period) for user, rows in every.by_user.items()]
    return [(user, evaluated[user].by_user.get(user, ()), evaluated[user].period)
            for user in sorted(destination.scope)]


def notify(layer, settings: Settings, state_path: str | Path, *, filters: Mapping | None = None,
           rules: Any = None, dry_run: bool = False, sleep: Sleep = time.sleep) -> Outcome:
    """Send the alerts that are new for each destination; record what was delivered."""
    settings.check_ready()
    destinations = settings.destinations()
    evaluated = evaluate_scopes(layer, filters, rules, scopes_of(destinations))
    scope = scope_key(filters)
    outcome = Outcome(open_alerts=sum(len(rows) for e in evaluated.values()
                                      for rows in e.by_user.values()))
    if dry_run:  # reads the state as it is: no lock, no write
        _deliver(DeliveryState.load(state_path), scope, destinations, evaluated, None, None,
                 outcome)
        return outcome
    with locked(state_path):
        state = DeliveryState.load(state_path)  # after the lock: what the last run wrote
        mail, hooks = SmtpSender(settings, sleep), WebhookSender(settings, sleep)
        try:
            _deliver(state, scope, destinations, evaluated, mail, hooks, outcome)
        finally:
            mail.close()
            state.save()
    return outcome


def _deliver(state: DeliveryState, scope: str, destinations: list[Destination],
             evaluated: Mapping[int | None, Evaluated], mail: SmtpSender | None,
             hooks: WebhookSender | None, outcome: Outcome) -> None:
    for destination in destinations:
        sent = state.sent(scope, destination.key)
        firing: set[str] = set()
        delivered: dict[str, dict] = {}
        for user, rows, period in groups_for(destination, evaluated):
            keys = [alert_key(r["business_user"], r["rule"], r["campaign"]) for r in rows]
            firing.update(keys)
            new = [(k, r) for k, r in zip(keys, rows, strict=True) if k not in sent]
            if not new:
                continue
            group = AlertGroup(business_user=user, alerts=tuple(r for _, r in new),
                               period=period, still_open=len(rows) - len(new))
            message = alert_message(group)
            what = f"{plural(len(new), 'new alert')} of business user {user}"
            if mail is None or hooks is None:
                outcome.planned.append((destination, message))
                continue
            if not deliver_one(outcome, destination, message, user, what, mail, hooks):
                continue
            now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            delivered.update({k: {"sent_at": now, "value": _number(r["value"])} for k, r in new})
        if mail is not None:
            state.settle(scope, destination.key, firing, delivered)


def send(destination: Destination, message: Message, business_user: int,
         mail: SmtpSender, hooks: WebhookSender) -> int:
    if destination.kind == "email":
        return mail.send(destination.address, message, business_user)
    return hooks.send(destination.address, message.payload)


def deliver_one(outcome: Outcome, destination: Destination, message: Message,
                business_user: int, what: str, mail: SmtpSender, hooks: WebhookSender) -> bool:
    """Send one message and note it in `outcome` (sent, or failed with its reason); whether it
    was delivered (only then may the caller record it as sent)."""
    try:
        tries = send(destination, message, business_user, mail, hooks)
    except DeliveryFailed as failure:
        outcome.failed.append(failure_line(destination, what, failure))
        return False
    outcome.sent.append(f"sent {what}: {destination.label}{tries_note(tries)}")
    return True


def failure_line(destination: Destination, what: str, failure: DeliveryFailed) -> str:
    count = failure.attempts
    tried = f" after {count} {'try' if count == 1 else 'tries'}" if count else ""
    return (f"{destination.label}: {what} not delivered{tried}: {failure.reason} "
            "(sent on the next run)")


def tries_note(tries: int) -> str:
    return f" (on try {tries})" if tries > 1 else ""


def _number(value: Any) -> float | None:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def _day(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))
