"""A page's view as a URL query string and back: the catalog's filter names (repeated for several
values) plus the page's own (`search`, `tab`, `grain`, `compare`, `by`, `sort`, `page`,
`detail`).

`read` never fails: a parameter it does not know, or a value it cannot use, is left out and
named in a note the page shows. Pure: whether a value exists in the data, or belongs to the
session's tenant, is checked by the store (`DashboardState.link_values`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from urllib.parse import parse_qsl, urlencode

from semantic import catalog

#: the tabs by their name in a link, in page order
TABS = ("campaigns", "trends", "outcomes", "segments", "alerts", "health")
GRAINS = ("day", "week", "month")
COMPARES = ("previous", "year")
#: what the Segments tab breaks down by
SEGMENT_KEYS = ("project", "business_user")
#: the table's sortable columns (app.views.campaigns.FIELDS; checked there by a test)
SORTABLE = ("campaign", "project", "business_user", "start_time", "stop_time", "spend", "leads",
            "cpl", "budget_utilization", "ctr", "cpc", "qualified_leads", "daily_budget",
            "budget", "impressions", "clicks", "reach")
DEFAULT_SORT = ("spend", False)
#: more values than this for one parameter are cut (a link is not a bulk interface)
MAX_VALUES = 200
MAX_TEXT = 200
PAGE_PARAMS = ("search", "tab", "grain", "compare", "by", "sort", "page", "detail")
#: parameters of the page that are not part of its view (a signed embed token): not noted
CARRIED = ("embed",)


@dataclass(frozen=True)
class Link:
    """Everything a link can say; None / empty means "not said" (the page's default)."""

    business_user: tuple[int, ...] = ()
    project: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    lead_status: tuple[str, ...] = ()
    campaign: tuple[int, ...] = ()
    search: str = ""
    tab: str = "campaigns"
    grain: str | None = None
    compare: str = "previous"
    by: str = "project"  # the Segments tab's breakdown
    sort: tuple[str, bool] = DEFAULT_SORT  # (column, ascending)
    page: int = 1
    detail: int | None = None

    def query(self) -> str:
        """The query string (no "?"): only what differs from the defaults, filters in the
        catalog's order first."""
        pairs: list[tuple[str, str]] = []
        for name in catalog.FILTERS:
            value = getattr(self, name)
            if isinstance(value, tuple):
                pairs += [(name, str(v)) for v in value]
            elif value is not None:
                pairs.append((name, value.isoformat()))
        defaults = Link()
        for name in PAGE_PARAMS:
            value = getattr(self, name)
            if value == getattr(defaults, name):
                continue
            if name == "sort":
                value = f"{value[0]}:{'asc' if value[1] else 'desc'}"
            pairs.append((name, str(value)))
        return urlencode(pairs, safe=":")


def _ids(values: list[str]) -> tuple[tuple[int, ...], list[str]]:
    good, bad = [], []
    for value in values:
        text = value.strip()
        (good if text.isdigit() and len(text) < 19 else bad).append(text)
    return tuple(dict.fromkeys(int(v) for v in good)), bad


def _texts(values: list[str]) -> tuple[tuple[str, ...], list[str]]:
    good = [v.strip() for v in values if v.strip() and len(v) <= MAX_TEXT]
    bad = [v for v in values if not v.strip() or len(v) > MAX_TEXT]
    return tuple(dict.fromkeys(good)), bad


def _day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


def _sort(value: str) -> tuple[str, bool] | None:
    column, _, direction = value.strip().partition(":")
    if column not in SORTABLE or direction not in ("asc", "desc", ""):
        return None
    return column, direction == "asc" if direction else column not in catalog.METRICS


def _shown(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:39] + "…")


def parse(query: str) -> tuple[Link, list[str]]:
    """`read` of a raw query string ("a=1&b=2", with or without "?")."""
    pairs = parse_qsl(query.lstrip("?"), keep_blank_values=True)
    args: dict[str, list[str]] = {}
    for name, value in pairs:
        args.setdefault(name, []).append(value)
    return read(args)


def read(args: Mapping[str, list]) -> tuple[Link, list[str]]:
    """The link in `args` (name -> values, as bytes or text: Panel's `session_args`), and a
    note for each parameter or value left out."""
    link, notes = Link(), []
    for name, raw in args.items():
        if name in CARRIED:
            continue
        values = [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in raw]
        if len(values) > MAX_VALUES:
            notes.append(f"{name}: only the first {MAX_VALUES} values are used")
            values = values[:MAX_VALUES]
        link, note = _read_one(link, name, values)
        if note:
            notes.append(note)
    if link.date_from and link.date_to and link.date_from > link.date_to:
        notes.append("date_from is after date_to: the dates were ignored")
        link = replace(link, date_from=None, date_to=None)
    return link, notes


def _read_one(link: Link, name: str, values: list[str]) -> tuple[Link, str]:
    """`link` with parameter `name` read from `values`, and a note when something was left."""
    spec = catalog.FILTERS.get(name)
    if spec is not None and spec.kind in ("integer_list", "text_list"):
        good, bad = (_ids if spec.kind == "integer_list" else _texts)(values)
        link = replace(link, **{name: tuple(dict.fromkeys((*getattr(link, name), *good)))})
        what = "not an id" if spec.kind == "integer_list" else "empty or too long"
        return link, (f"{name}: ignored {', '.join(map(_shown, bad))} ({what})" if bad else "")
    if name not in (*PAGE_PARAMS, "date_from", "date_to"):
        return link, f"unknown parameter {_shown(name)} ignored"
    value = values[-1]  # a single-valued parameter given twice: the last one counts
    if name in ("date_from", "date_to"):
        day = _day(value)
        return (replace(link, **{name: day}), "") if day else \
            (link, f"{name}: {_shown(value)} is not a date (YYYY-MM-DD): ignored")
    if name == "search":
        return replace(link, search=value.strip()[:MAX_TEXT]), ""
    if name in ("page", "detail"):
        text = value.strip()
        ok = text.isdigit() and len(text) < 19 and int(text) >= (1 if name == "page" else 0)
        return (replace(link, **{name: int(text)}), "") if ok else \
            (link, f"{name}: {_shown(value)} is not a {'page number' if name == 'page' else 'campaign id'}: ignored")
    if name == "sort":
        sort = _sort(value)
        return (replace(link, sort=sort), "") if sort else \
            (link, f"sort: {_shown(value)} is not a column:asc|desc of the table: ignored")
    choices = {"tab": TABS, "grain": GRAINS, "compare": COMPARES, "by": SEGMENT_KEYS}[name]
    value = value.strip().lower()
    if value not in choices:
        return link, f"{name}: {_shown(value)} is not one of {', '.join(choices)}: ignored"
    return replace(link, **{name: value}), ""


def field_names() -> tuple[str, ...]:
    return tuple(f.name for f in fields(Link))
