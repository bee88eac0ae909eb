"""Real-browser test support: a small sample warehouse, `panel serve` subprocesses (demo and
production mode), Debian's headless Chromium through Playwright, and page helpers.

Registered as a pytest plugin by tests/conftest.py. Everything is session-scoped: one warehouse,
one server per mode and one browser for the whole run. Chromium is /usr/bin/chromium (never
`playwright install`); without it the browser tests skip, unless CAMPAIGN_BI_REQUIRE_BROWSER=1
(CI), where they fail.
"""

from __future__ import annotations

import csv
import io
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from load.server import free_port, stop_process

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-quic", "--no-first-run", "--disable-component-update",
               "--disable-sync"]
VIEWPORT = {"width": 1500, "height": 1000}
SERVER_START_TIMEOUT = 60.0
#: Generous for a loaded 2-core machine; a healthy page answers in a few seconds.
UI_TIMEOUT_MS = 30_000


def grid(kind: str) -> str:
    """The selector of one kind of table (app/views/grid.py: campaigns, alerts, detail,
    rejects); several are on the page at once, the hidden tabs' ones too."""
    return f"table.cbi-grid[data-grid={kind}]"

LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
SAMPLE_SCALE, SAMPLE_SEED = 0.2, 3

#: Production-mode accounts written into a temporary credentials file.
TENANT_ACCOUNT = "tenant-user"
ADMIN_ACCOUNT = "analyst"


# -- chromium ------------------------------------------------------------------------------
def require_chromium() -> None:
    """Skip (locally) or fail (CI: CAMPAIGN_BI_REQUIRE_BROWSER=1) without Debian's chromium
    or the playwright package."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        reason = "the playwright package is missing (`pip install -e '.[dev]'`)"
    else:
        if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
            return
        reason = (f"{CHROMIUM} not found: browser tests need Debian's chromium "
                  f"(`apt-get install -y chromium`; never `playwright install`)")
    if os.environ.get("CAMPAIGN_BI_REQUIRE_BROWSER") == "1":
        pytest.fail(reason + " — required here (CAMPAIGN_BI_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


# -- servers -------------------------------------------------------------------------------
#: Running servers by mode; a failing browser test's report shows the end of their logs.
_SERVERS: dict[str, PanelServer] = {}


class PanelServer:
    """`panel serve app/dashboard.py` on a free local port, as a subprocess (log in a file)."""

    def __init__(self, name: str, db: Path, log: Path, extra_args: tuple[str, ...] = (),
                 env: dict[str, str] | None = None) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        environment = {**os.environ, "CAMPAIGN_BI_DB": str(db), **(env or {})}
        if "CAMPAIGN_BI_CREDENTIALS" not in (env or {}):
            environment.pop("CAMPAIGN_BI_CREDENTIALS", None)  # demo mode: no login
        command = [sys.executable, "-m", "panel", "serve", "app/dashboard.py",
                   "--plugins", "app.serving.api",  # the JSON API, as `just serve`
                   "--address", "127.0.0.1", "--port", str(self.port),
                   "--allow-websocket-origin", f"127.0.0.1:{self.port}", *extra_args]
        self._log_file = log.open("wb")
        self.process = subprocess.Popen(command, cwd=ROOT, env=environment,
                                        stdout=self._log_file, stderr=subprocess.STDOUT,
                                        start_new_session=True)  # stopped as a group
        _SERVERS[name] = self

    def wait_ready(self, path: str, timeout: float = SERVER_START_TIMEOUT) -> None:
        """Poll until `path` answers HTTP 200 (redirects followed), or fail with the log."""
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"panel serve exited with {self.process.returncode}:\n"
                            f"{self.log_tail()}", pytrace=False)
            try:
                with urllib.request.urlopen(self.url + path, timeout=10) as response:
                    if response.status == 200:
                        return
                    last = f"HTTP {response.status}"
            except (urllib.error.URLError, OSError) as exc:
                last = str(exc)
            time.sleep(0.25)
        self.stop()
        pytest.fail(f"panel serve not ready after {timeout:.0f} s ({last}):\n{self.log_tail()}",
                    pytrace=False)

    def log_tail(self, lines: int = 40) -> str:
        if not self._log_file.closed:
            self._log_file.flush()
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        _SERVERS.pop(self.name, None)
        stop_process(self.process, timeout=10)
        self._log_file.close()


@dataclass(frozen=True)
class ProdSetup:
    url: str
    tenant: int  # the business user TENANT_ACCOUNT is bound to
    other: int  # another business user with data, which the tenant must never see
    tenant_password: str
    admin_password: str


# -- pages ---------------------------------------------------------------------------------
@dataclass
class Watched:
    """A page with everything it logged and requested."""

    page: object
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def assert_no_errors(self, where: str = "") -> None:
        assert not self.errors, f"browser console errors{' ' + where if where else ''}: " \
                                f"{self.errors}"

    def foreign_requests(self) -> list[str]:
        """Requests to anything but this machine (the dashboard must work offline)."""
        out = []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme in ("data", "blob", "about"):
                continue
            if parts.hostname not in LOCAL_HOSTS:
                out.append(url)
        return out


def watch(page) -> Watched:
    watched = Watched(page)
    page.on("console", lambda msg: watched.errors.append(f"console.{msg.type}: {msg.text}")
            if msg.type == "error" else None)
    page.on("pageerror", lambda exc: watched.errors.append(f"pageerror: {exc}"))
    page.on("request", lambda request: watched.requests.append(request.url))
    page.set_default_timeout(UI_TIMEOUT_MS)
    return watched


def kpi_value(page, title: str):
    """The value element of the KPI card titled exactly `title`."""
    card = page.locator(".kpi").filter(
        has=page.locator(".kpi-title", has_text=re.compile(rf"^{re.escape(title)}$")))
    return card.locator(".kpi-value")


def parse_number(text: str) -> float:
    """ "5,712,827.63" → 5712827.63 (the exact value a KPI card shows on hover)."""
    return float(text.replace(",", "").strip())


def download_csv(page, label: str = "Download leads (CSV)"
                 ) -> tuple[str, list[str], list[dict[str, str]]]:
    """Click the export button and capture the browser's download: (file name, header, rows)."""
    with page.expect_download(timeout=UI_TIMEOUT_MS) as info:
        page.get_by_role("button", name=label).click()
    download = info.value
    path = download.path()
    text = Path(path).read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    return download.suggested_filename, list(reader.fieldnames or []), rows


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing browser test reports the end of each running server's log (tracebacks of the
    app show there, not in the browser)."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and item.get_closest_marker("browser"):
        for name, server in list(_SERVERS.items()):
            report.sections.append((f"panel serve log ({name}, last lines)", server.log_tail()))


# -- fixtures ------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def warehouse(tmp_path_factory) -> Path:
    """A small sample warehouse, built once per run."""
    from semantic.builder.ingest import ingest
    from semantic.sample import generate

    folder = tmp_path_factory.mktemp("browser-warehouse")
    generate(folder / "sample", scale=SAMPLE_SCALE, seed=SAMPLE_SEED)
    db = folder / "warehouse.duckdb"
    ingest(folder / "sample", db)
    return db


@pytest.fixture(scope="session")
def layer(warehouse):
    import semantic

    with semantic.connect(str(warehouse)) as opened:
        yield opened


@pytest.fixture(scope="session")
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def probed_server(warehouse, tmp_path):
    """The dashboard served with the load test's probe (tests/load/instrument.py: refresh times,
    live stores, sessions made and destroyed); sessions expire 3 s after their page closed."""
    from load.server import Server

    server = Server(warehouse, tmp_path, procs=1, session_lifetime_ms=3000)
    server.start(timeout=SERVER_START_TIMEOUT)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def demo_url(browser, warehouse, tmp_path_factory) -> Iterator[str]:
    """The dashboard in demo mode (no login)."""
    server = PanelServer("demo", warehouse,
                         tmp_path_factory.mktemp("demo-server") / "panel.log")
    try:
        server.wait_ready("/dashboard")
        yield server.url
    finally:
        server.stop()


def pick_tenants(layer) -> tuple[int, int]:
    """A tenant with leads whose campaigns fit on one table page (25 rows), and another
    business user with data and projects the tenant does not have."""
    per_user = layer.query(["spend", "leads"], ["business_user", "campaign"])
    sizes = per_user.groupby("business_user").agg(
        leads=("leads", "sum"), campaigns=("campaign", "nunique")).reset_index()
    fits = sizes[(sizes["leads"] >= 50) & (sizes["campaigns"] <= 25)].sort_values(
        ["leads", "business_user"])
    assert len(fits), "no business user in the sample with leads and at most 25 campaigns"
    tenant = int(fits.iloc[len(fits) // 2]["business_user"])
    own = set(layer.filter_options(business_user=[tenant])["projects"])
    for user in sizes.sort_values(["leads", "business_user"], ascending=False)["business_user"]:
        user = int(user)
        theirs = set(layer.filter_options(business_user=[user])["projects"])
        if user != tenant and theirs - own:
            return tenant, user
    raise AssertionError("no other business user with projects of its own")


@pytest.fixture(scope="session")
def prod_setup(browser, warehouse, layer, tmp_path_factory) -> Iterator[ProdSetup]:
    """The dashboard in production mode: login through app/serving/auth.py, accounts created with the
    CLI (`campaign-bi users add`) in a temporary credentials file."""
    folder = tmp_path_factory.mktemp("prod-server")
    creds = folder / "credentials.json"
    tenant, other = pick_tenants(layer)
    tenant_password, admin_password = secrets.token_urlsafe(12), secrets.token_urlsafe(12)
    script = Path(sys.executable).with_name("campaign-bi")
    cli = [str(script)] if script.is_file() else \
        [sys.executable, "-c", "from semantic.cli import run; run()"]
    for args in ([TENANT_ACCOUNT, "--business-user", str(tenant), "--password", tenant_password],
                 [ADMIN_ACCOUNT, "--admin", "--password", admin_password]):
        subprocess.run([*cli, "users", "add", *args, "--credentials", str(creds)], cwd=ROOT,
                       check=True, capture_output=True, timeout=60)
    server = PanelServer(
        "production", warehouse, folder / "panel.log",
        # as `just serve-prod` (one process: the login throttle counts per process), secrets
        # from the environment
        extra_args=("--auth-module", "app/serving/auth.py", "--enable-xsrf-cookies",
                    "--session-ids", "signed"),
        env={"CAMPAIGN_BI_CREDENTIALS": str(creds), "PANEL_COOKIE_SECRET": secrets.token_hex(32),
             "BOKEH_SECRET_KEY": secrets.token_hex(32)})
    try:
        server.wait_ready("/login")
        yield ProdSetup(server.url, tenant, other, tenant_password, admin_password)
    finally:
        server.stop()


@pytest.fixture
def new_page(browser, tmp_path):
    """A fresh browser context (own cookies, downloads accepted) → a watched page."""
    contexts = []

    def make() -> Watched:
        context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
        contexts.append(context)
        return watch(context.new_page())

    yield make
    for context in contexts:
        context.close()
