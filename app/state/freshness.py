"""Open dashboards follow the warehouse: when an ingest swaps in a new file, every session sees
it within CHECK_EVERY_MS (the check compares the file's identity, it runs no query), reloads
its filter choices and date span and recomputes its views. No restart, no page reload."""

from __future__ import annotations

import asyncio

import panel as pn

from app.settings import env_int
from app.state.warm import warm_first_page

#: How often a session checks for a new warehouse file.
CHECK_EVERY_MS = env_int("CAMPAIGN_BI_DATA_CHECK_MS", 5000, minimum=1)


def follow_new_data(state) -> None:
    """Check `state.layer.data_version` periodically in this session; on a change, reload."""
    seen = state.layer.data_version

    async def check() -> None:
        nonlocal seen
        try:
            version = state.layer.data_version
        except Exception:  # noqa: BLE001 - e.g. the file briefly missing: try again next time
            return
        if version != seen:
            seen = version
            await reload_data(state)

    # Bound to this session's document: Panel stops it when the session is destroyed.
    pn.state.add_periodic_callback(check, period=CHECK_EVERY_MS)


async def reload_data(state) -> None:
    """A new warehouse is in place: new filter choices and activity span. The chosen filters
    stay (choices that no longer exist drop out; a range that was the whole span follows the
    new span), then every view is recomputed."""
    loop = asyncio.get_running_loop()
    if state.tenant is None:
        warm_first_page(state.layer)
    users = list(state.business_users) or None
    everything = await loop.run_in_executor(None, lambda: state.layer.filter_options(
        tenant=state.tenant))
    narrowed = everything if users is None else await loop.run_in_executor(
        None, lambda: state.layer.filter_options(tenant=state.tenant, business_user=users))
    span = await loop.run_in_executor(None, state.activity_span)
    followed_span = state.date_range is None or tuple(state.date_range) == state.default_range()
    state.date_min, state.date_max = span
    state.set_choices(everything, projects=narrowed["projects"])
    changes = {
        "business_users": [u for u in state.business_users
                           if u in state.param.business_users.objects],
        "projects": [p for p in state.projects if p in narrowed["projects"]],
        "lead_statuses": [s for s in state.lead_statuses if s in everything["lead_statuses"]],
    }
    if followed_span:
        changes["date_range"] = state.default_range()
    changes = {k: v for k, v in changes.items() if v != getattr(state, k)}
    if changes:
        state.param.update(**changes)  # recomputes through the filters' watcher
    else:
        state.recompute()
