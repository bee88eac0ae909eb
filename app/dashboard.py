"""Entry module served by `panel serve app/dashboard.py`: sidebar filters, KPI cards and the
Campaigns / Trends / Lead outcomes / Segments / Alerts tabs over the warehouse at
$CAMPAIGN_BI_DB (default data/warehouse.duckdb). Fully offline: no CDN fonts or scripts.

Three parts: `app.state.store.DashboardState` (filters → data through the semantic layer),
`app.views` (render only) and this module (template and widgets, one store per session).
"""

from __future__ import annotations

import html
import io
import logging
import os
import tempfile
from pathlib import Path

import panel as pn
from panel.theme.fast import Fast as _Fast

from app.serving.no_mathjax import drop_mathjax
from app.state.freshness import follow_new_data
from app.state.layers import get_layer
from app.state.link import TABS, Link, read
from app.state.store import FILTERS, QUICK_RANGES, DashboardState
from app.state.warm import warm_first_page
from app.views import (
    AlertsView,
    CampaignTable,
    DataHealthView,
    KpiCards,
    OutcomesView,
    SegmentsView,
    TrendsView,
)
from app.views.ahead import prepare_hidden
from app.views.html_box import HtmlBox
from app.views.page_link import PageLink
from app.views.pickers import data_choice, picker
from app.views.search_box import SearchBox
from app.views.states import CSS, note
from semantic.access.embed import PARAM as EMBED
from semantic.paths import default_db

log = logging.getLogger(__name__)
TITLE = "campaign-bi"
#: A local font stack: the template's Google Fonts link is switched off (works offline).
FONT = ('system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, '
        '"Noto Sans", "Liberation Sans", sans-serif')
ACCENT = "#1a5fb4"
#: the page's width below which it is laid out for a phone
PHONE_PX = 760
PAGE_CSS = f"""
:root {{ --body-font: {FONT}; --font-family: {FONT}; }}
body, .bk-root, .bk {{ font-family: {FONT}; }}
@media (max-width: {PHONE_PX}px) {{
  /* The filters fold behind the menu button: closed when the page opens. The template's button
     toggles the class `hidden`, so on a phone the sidebar shows while it has that class, over
     the page, and the page keeps the whole width. */
  #sidebar:not(.hidden) {{ display: none; }}
  #sidebar.hidden {{ display: block; position: fixed; top: 56px; left: 0; bottom: 0;
    z-index: 1000; width: 100vw; min-width: 100vw; max-width: 100vw; height: auto;
    padding: 15px 10px 5px 5px; overflow-y: auto;
    background-color: var(--panel-surface-color, #f5f7fa); }}
  #main {{ padding: 0 4px; min-width: 0; }}
  .card-margin {{ margin: 0.4em 0; }}
}}
"""

#: an embedded page (app.dashboard `embedded_tenant`): the platform's frame has its own header
EMBED_CSS = "#header { display: none; } #sidebar { display: none; } #main { padding-top: 0; }"


class Fast(_Fast):
    """The Fast design without its Google Fonts stylesheet (the page uses FONT instead).
    Keeps the name `Fast`: Panel finds the design's bundled files by the class name."""

    _resources = {kind: res for kind, res in _Fast._resources.items() if kind != "font"}


def db_path() -> Path:
    return Path(default_db())


class AccessDenied(Exception):
    """A session that must not see any data (production mode without a known account)."""


def login_required() -> bool:
    """Production mode: a credentials file is configured, so every session must be an account."""
    return bool(os.environ.get("CAMPAIGN_BI_CREDENTIALS"))


def tenant_for_user(user: str | None) -> int | None:
    """The business user a logged-in account is bound to (None: an admin, sees all data).

    Without login (the local demo) there is no tenant. With login, an unknown or missing
    user sees nothing: the tenant is never guessed."""
    if not login_required():
        return None
    from semantic.access.accounts import AccountError, load_accounts

    try:
        account = load_accounts().get(user) if user else None
    except AccountError as exc:
        raise AccessDenied(str(exc)) from None
    if account is None:
        raise AccessDenied("sign in with an account to see data")
    return account.business_user


def access_denied_page(reason: str, sign_in: bool = True):
    links = "\n\n[Sign in](/login) · [Sign out](/logout)" if sign_in else ""
    return pn.pane.Markdown(f"## Access denied\n\n{html.escape(reason.rstrip('.'))}.{links}",
                            sizing_mode="stretch_width", max_width=900)


def embedded_tenant(values: list) -> tuple[int, str]:
    """(business user, actor name) of a signed embed link's token; AccessDenied when it is
    malformed, tampered with or expired."""
    from semantic.access.embed import USER_PREFIX, EmbedError, verify

    raw = values[-1] if values else ""
    token = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    try:
        tenant = verify(token)
    except EmbedError as exc:
        raise AccessDenied(str(exc)) from None
    return tenant, f"{USER_PREFIX}{tenant}"


def missing_warehouse_page(path: Path):
    text = f"""
## No warehouse at `{html.escape(str(path))}`

The dashboard reads a DuckDB warehouse built from the platform's CSV exports. Build it, then
reload this page:

```bash
just ingest                      # sample data → data/warehouse.duckdb (just sample first)
# or your own exports (campaigns.csv, campaign_leads.csv, insights.csv,
# lead_status_changes.csv in one folder):
.venv/bin/campaign-bi ingest /path/to/exports --db data/warehouse.duckdb
```

To serve another file: `CAMPAIGN_BI_DB=/path/to/warehouse.duckdb panel serve app/dashboard.py`.
"""
    return pn.pane.Markdown(text, sizing_mode="stretch_width", max_width=900)


def sidebar(state: DashboardState) -> list:
    # Thousands of users or projects: the drop-down lists the first matches of what is typed
    # (the browser would choke on drawing them all); tens of thousands are searched in the
    # database (app/views/pickers.py).
    limits = {"option_limit": 100, "search_option_limit": 100}
    users = picker(state, "business_users",
                   lambda text, limit: state.option_matches("business_user", text, limit),
                   placeholder="All business users (type to search)",
                   disabled=state.tenant is not None, sizing_mode="stretch_width", **limits)
    projects = picker(state, "projects",
                      lambda text, limit: state.option_matches("project", text, limit),
                      placeholder="All projects (type to search)",
                      sizing_mode="stretch_width", **limits)
    dates = date_picker(state)
    quick = []
    for name in QUICK_RANGES:
        button = pn.widgets.Button(label=name, button_type="light", width=136, height=30,
                                   margin=(2, 3))
        button.on_click(lambda _, name=name: state.apply_quick_range(name))
        quick.append(button)

    def mark_quick(*_):
        chosen = _quick_name(state)
        for button in quick:
            button.button_type = "primary" if button.label == chosen else "light"
    state.param.watch(mark_quick, "date_range")
    mark_quick()
    compare = pn.widgets.RadioButtonGroup.from_param(
        state.param.compare, name="", options=COMPARE_LABELS, button_type="primary",
        button_style="outline", sizing_mode="stretch_width", margin=(4, 10))
    search = SearchBox(state, name="Campaign search",
                       placeholder="Campaign id(s) or project text (applies as you type)",
                       sizing_mode="stretch_width").widget
    statuses = data_choice(state, "lead_statuses", placeholder="All statuses",
                           sizing_mode="stretch_width")
    reset = pn.widgets.Button(label="Reset filters", button_type="default",
                              sizing_mode="stretch_width")
    reset.on_click(lambda _: state.reset())
    download = pn.widgets.FileDownload(
        callback=lambda: export_bytes(state), filename=state.export_name(),
        label="Download leads (CSV)", button_type="primary", sizing_mode="stretch_width")
    state.param.watch(lambda *_: setattr(download, "filename", state.export_name()),
                      list(FILTERS))
    status_note = note("The lead status filter narrows leads and their outcomes; spend and "
                       "delivery are not narrowed by it.")
    # One column: the template adds each sidebar item as a root of the page, and every root
    # re-runs Bokeh's bookkeeping over all models while the page is built (~0.1 s a session)
    return [pn.Column(
        users, projects, dates, HtmlBox("<small>Quick picks (ending on the data's last day)</small>",
                margin=(0, 10)),
        pn.FlexBox(*quick, margin=(0, 7)),
        HtmlBox("<small>KPI changes compared with</small>", margin=(4, 10, 0, 10)), compare,
        search, statuses, status_note, reset,
        pn.layout.Divider(), download,
        note("The export holds personal data (names, emails, phones) of the filtered leads; "
             "handle it accordingly."), sizing_mode="stretch_width", margin=0)]


#: the comparison choices as the sidebar shows them (app.state.viewdata.COMPARISONS)
COMPARE_LABELS = {"Previous period": "previous", "A year earlier": "year"}


def date_picker(state: DashboardState) -> pn.widgets.DateRangePicker:
    """The date range, linked to the store both ways. The calendar sends no range when a single
    day was clicked and it closed: the filter keeps its range and the field shows it again
    (it used to drop the date filter silently and show all data)."""
    dates = pn.widgets.DateRangePicker(
        name=state.param.date_range.label, value=state.date_range, start=state.date_min,
        end=state.date_max, sizing_mode="stretch_width")

    def to_state(event) -> None:
        if event.new is None:
            pn.state.execute(lambda: setattr(dates, "value", state.date_range), schedule=True)
        elif state.date_range is None or tuple(event.new) != tuple(state.date_range):
            state.date_range = tuple(event.new)

    def to_widget(event) -> None:
        if event.new is not None and (dates.value is None or
                                      tuple(dates.value) != tuple(event.new)):
            dates.value = tuple(event.new)
    dates.param.watch(to_state, "value")
    state.param.watch(to_widget, "date_range")
    state.param.watch(  # a new warehouse may move the span (app/state/freshness.py)
        lambda *_: dates.param.update(start=state.date_min, end=state.date_max), "data")
    return dates


def _quick_name(state: DashboardState) -> str | None:
    for name in QUICK_RANGES:
        if state.date_range and tuple(state.date_range) == state.quick_range(name):
            return name
    return None


def export_bytes(state: DashboardState) -> io.BytesIO:
    """The filtered leads as CSV, written by the export (DuckDB) into a temporary file, read back
    (FileDownload sends the bytes; the file is removed at once)."""
    from semantic.access.export import export_leads

    with tempfile.TemporaryDirectory(prefix="campaign-bi-export-") as folder:
        path = Path(folder) / "leads.csv"
        export_leads(state.layer, path, state.export_filters(), state.tenant,
                     actor=getattr(state, "actor", None))
        return io.BytesIO(path.read_bytes())


def header_note(state: DashboardState):
    def text(*_):
        span = f"{state.date_min} – {state.date_max}" if state.date_min else "no dates"
        scope = f"Business user {state.tenant} · " if state.tenant is not None else ""
        return f'<div class="cbi-note">{scope}Data available: {span}</div>'
    pane = HtmlBox(text(), css=CSS)

    def follow(*_):  # a new warehouse may move the span (app/state/freshness.py)
        if (new := text()) != pane.object:
            pane.object = new
    state.param.watch(follow, "data")
    return pane


class MainArea(pn.viewable.Viewer):
    """The KPI cards above the tabs of views; a view draws only while its tab is shown."""

    def __init__(self, state: DashboardState, served: bool = False, link: Link | None = None,
                 notes: tuple[str, ...] = (), carry: dict | None = None, **params):
        """`link`: the view the page's URL asked for; `notes`: what of it was left out;
        `carry`: parameters the URL keeps whatever the view (an embed token)."""
        super().__init__(**params)
        self.kpis = KpiCards(store=state)
        self.table = CampaignTable(store=state)
        self.segments = SegmentsView(store=state, active=False)
        self.views = [("Campaigns", self.table),
                      ("Trends", TrendsView(store=state, active=False)),
                      ("Lead outcomes", OutcomesView(store=state, active=False)),
                      ("Segments", self.segments),
                      ("Alerts", AlertsView(store=state, active=False))]
        if state.tenant is None:  # admins: refused rows quote source values (personal data)
            self.views.append(("Data health", DataHealthView(store=state, active=False)))
        self.names = TABS[:len(self.views)]  # each tab's name in a link
        # The tabs are only the tab strip; each view is its own Bokeh root on the page, shown
        # while its tab is active. BokehJS lays out a whole root again after any change inside
        # it (a new table page, a chart's new data, the detail opening), so one root holding
        # every tab's charts made each click pay for the hidden tabs too.
        self.tabs = pn.Tabs(*((title, pn.Spacer(height=0, margin=0)) for title, _ in self.views),
                            sizing_mode="stretch_width", margin=(5, 5, 0, 5))
        self.panes = [pn.Column(view, visible=index == 0, sizing_mode="stretch_width")
                      for index, (_, view) in enumerate(self.views)]
        # after the other watchers of the tab (the address bar): the view's drawing comes last
        self.tabs.param.watch(self._show, "active", precedence=1)
        self.link = PageLink(state, self, link or Link(), list(notes), carry)
        self.roots = [pn.Column(header_note(state), self.link.layout, self.kpis, self.tabs,
                                sizing_mode="stretch_width"), *self.panes]
        self._layout = pn.Column(*self.roots, sizing_mode="stretch_width")
        if served:  # hidden tabs are put on the page, drawn, right after it has loaded
            prepare_hidden(state, [view for _, view in self.views[1:]])

    def _show(self, event) -> None:
        with pn.io.hold():
            for index, ((_, view), pane) in enumerate(zip(self.views, self.panes, strict=True)):
                view.active = index == event.new
                pane.visible = index == event.new

    def __panel__(self):
        return self._layout


def build(path: Path | None = None, user: str | None = None, served: bool = True,
          args: dict | None = None):
    """The page for one session: the template (served) or a plain layout (tests); `args`:
    the URL's query parameters (name -> values), the view to open."""
    path = path or db_path()
    args = dict(args or {})
    embedded = args.pop(EMBED, None)  # a signed embed link: locked to its business user
    if not path.is_file():
        body = [missing_warehouse_page(path)]
        state = None
    else:
        try:
            if embedded is not None:
                tenant, user = embedded_tenant(embedded)
            else:
                tenant = tenant_for_user(user)
        except AccessDenied as exc:
            state, body = None, [access_denied_page(str(exc), embedded is None)]
        else:
            link, notes = read(args)
            state = DashboardState(get_layer(path), tenant=tenant, background=served, link=link)
            state.actor = user
            carry = {EMBED: embedded[-1]} if embedded is not None else {}
            body = MainArea(state, served, link, (*notes, *state.link_notes), carry).roots
            if served:
                follow_new_data(state)
                if tenant is None:  # the next admin sessions open the first page at once
                    warm_first_page(state.layer)
    if not served:
        return state, pn.Column(*body)
    side, css = (sidebar(state) if state else []), [PAGE_CSS]
    if embedded is not None:  # chrome-less for an iframe: no header, the filters folded on top
        body = [pn.Card(*side, title="Filters", collapsed=True, sizing_mode="stretch_width",
                        margin=(4, 5)), *body] if side else body
        side, css = [], [PAGE_CSS, EMBED_CSS]
    template = pn.template.FastListTemplate(
        title=TITLE, sidebar=side, main=body, font=FONT,
        font_url="", accent_base_color=ACCENT, header_background=ACCENT,
        raw_css=css, sidebar_width=320, main_layout=None, theme_toggle=False,
        design=Fast, header=account_menu(user),
        # No page-wide busy spinner: views being recomputed show their own loading state, and
        # Panel sets every session's indicator in the process on each session's busy toggle
        # (under load, 14% of the event loop's time)
        busy_indicator=None,
        meta_viewport="width=device-width, initial-scale=1")  # phones lay out at their width
    drop_mathjax(template)
    return state, template


def account_menu(user: str | None) -> list:
    """Who is signed in and a way out, in production mode."""
    if not (login_required() and user):
        return []
    return [pn.pane.HTML(
        f'<span style="color:#fff">{html.escape(user)} · '
        f'<a href="/logout" style="color:#fff">Sign out</a></span>', margin=(12, 20))]


if pn.state.served:
    from app.serving import held_changes, offline

    held_changes.install()  # a change made while the browser draws the page reaches it
    offline.before_build()  # no stylesheet from a CDN, even in a session rebuilt late
    pn.extension(design=Fast, notifications=False)
    # Bokeh's model bookkeeping once for the whole page, not once per root added
    with pn.io.hold(freeze=True):
        _state, _page = build(user=pn.state.user, args=pn.state.session_args)
        _page.servable(title=TITLE)
    offline.after_build()
