# campaign-bi task runner. `just serve` and `just test` work from a fresh clone.
set shell := ["bash", "-euo", "pipefail", "-c"]

venv := ".venv"
py := venv / "bin/python"
db := env_var_or_default("CAMPAIGN_BI_DB", "data/warehouse.duckdb")
sample_dir := "data/sample"

# list recipes
default:
    @just --list

# create .venv and install the project with dev extras (fast no-op when up to date)
setup:
    #!/usr/bin/env bash
    set -euo pipefail
    stamp="{{venv}}/.installed"
    if [ -x "{{py}}" ] && [ -f "$stamp" ] && [ "$stamp" -nt pyproject.toml ]; then exit 0; fi
    # Prefer a newer interpreter only if it really runs (pyenv shims exit non-zero otherwise).
    interpreter=python3
    for candidate in python3.13 python3.12; do
        if "$candidate" -c 'import sys; assert sys.version_info >= (3, 11)' >/dev/null 2>&1; then
            interpreter=$candidate; break
        fi
    done
    echo "campaign-bi: setting up {{venv}} with $("$interpreter" --version) (installing packages: about a minute the first time)…"
    [ -x "{{py}}" ] || "$interpreter" -m venv {{venv}}
    log="{{venv}}/install.log"
    # the installer's own output goes to a log, shown only when it fails
    if ! { {{py}} -m pip install --upgrade pip && {{py}} -m pip install -e '.[dev]'; } >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        echo "campaign-bi: installing the packages failed (whole log: $log)" >&2
        exit 2
    fi
    touch "$stamp"
    echo "campaign-bi: {{venv}} ready"

# generate the sample exports (scale 1) into data/sample
sample scale="1" seed="42": setup
    {{venv}}/bin/campaign-bi sample --out {{sample_dir}} --scale {{scale}} --seed {{seed}}

# ingest data/sample into the warehouse (atomic swap)
ingest: setup
    {{venv}}/bin/campaign-bi ingest {{sample_dir}} --db {{db}}

# merge a partial export (any of the four files, e.g. one day's) into the warehouse (README: daily exports)
append dir: setup
    {{venv}}/bin/campaign-bi ingest {{dir}} --db {{db}} --append

# ingest a full export from another folder into the warehouse (atomic swap)
ingest-dir dir: setup
    {{venv}}/bin/campaign-bi ingest {{dir}} --db {{db}}

# build the sample warehouse if missing, then serve the dashboard on 127.0.0.1:5006
serve port="5006": setup
    #!/usr/bin/env bash
    set -euo pipefail
    if [ ! -f "{{db}}" ]; then
        if [ ! -f "{{sample_dir}}/campaigns.csv" ]; then
            echo "campaign-bi: generating the sample exports (scale 1, seed 42) into {{sample_dir}}…"
            just sample
        fi
        echo "campaign-bi: ingesting {{sample_dir}} into {{db}}…"
        just ingest
    fi
    export CAMPAIGN_BI_DB="{{db}}"
    echo "campaign-bi: serving the dashboard at http://127.0.0.1:{{port}}/dashboard and its API at /api/v1 (Ctrl-C stops it)"
    exec {{venv}}/bin/panel serve app/dashboard.py --plugins app.serving.api --address 127.0.0.1 --port {{port}} \
        --allow-websocket-origin 127.0.0.1:{{port}} --allow-websocket-origin localhost:{{port}}

# production mode: login required (accounts from `campaign-bi users add`), each business user
# sees only its own data; one process per core; needs CAMPAIGN_BI_COOKIE_SECRET (read from the
# environment, never put on a command line where `ps` shows it) and a credentials file
# (the JSON API at /api/v1 authenticates with its own tokens: `campaign-bi tokens add`,
# file CAMPAIGN_BI_TOKENS or data/tokens.json)
serve-prod address="127.0.0.1" port="5006" procs="2": setup
    #!/usr/bin/env bash
    set -euo pipefail
    : "${CAMPAIGN_BI_COOKIE_SECRET:?set CAMPAIGN_BI_COOKIE_SECRET to a long random string}"
    export CAMPAIGN_BI_CREDENTIALS="${CAMPAIGN_BI_CREDENTIALS:-data/credentials.json}"
    [ -f "$CAMPAIGN_BI_CREDENTIALS" ] || { echo "no $CAMPAIGN_BI_CREDENTIALS: create accounts with .venv/bin/campaign-bi users add" >&2; exit 2; }
    export CAMPAIGN_BI_DB="{{db}}"
    # Panel signs its login cookie with PANEL_COOKIE_SECRET; signed session ids use
    # BOKEH_SECRET_KEY: a client cannot attach to a session id it guessed or saw elsewhere
    export PANEL_COOKIE_SECRET="$CAMPAIGN_BI_COOKIE_SECRET"
    export BOKEH_SECRET_KEY="${BOKEH_SECRET_KEY:-$CAMPAIGN_BI_COOKIE_SECRET}"
    # alerts and the digest on a schedule inside the server when CAMPAIGN_BI_NOTIFY_EVERY /
    # CAMPAIGN_BI_DIGEST_AT are set (docs/ALERTS.md; cron works as well)
    exec {{venv}}/bin/panel serve app/dashboard.py --plugins app.serving.api --address {{address}} --port {{port}} \
        --setup app/serving/notify_setup.py \
        --auth-module app/serving/auth.py --enable-xsrf-cookies --session-ids signed \
        --allow-websocket-origin {{address}}:{{port}} --num-procs {{procs}}

# run the test suite (browser tests need Debian's chromium at /usr/bin/chromium)
test *args: setup
    {{py}} -m pytest {{args}}

# benchmarks; writes docs/BENCHMARKS.md and docs/benchmarks.json
bench *args: setup
    {{py}} -m tests.bench.run {{args}}

# browser latency: headless Chromium clicks → settled, 1 and 4 pages; writes docs/browser_latency.json, docs/BENCHMARKS.md
bench-browser *args: setup
    {{py}} -m tests.bench.browser {{args}}

# the same requests on DuckDB and on local Spark (needs Java 17), scales 1 and 10 by default; writes docs/spark_benchmark.json, docs/SPARK.md
bench-spark *args: setup
    {{py}} -m tests.bench.spark {{args}}

# daily append at scale 100: one day's export merged into the warehouse vs a full ingest; writes docs/append_benchmark.json, docs/BENCHMARKS.md
bench-append *args: setup
    {{py}} -m tests.bench.append {{args}}

# send new alerts by email/webhook, each once (settings: flags, CAMPAIGN_BI_* or CAMPAIGN_BI_NOTIFY_CONFIG; docs/ALERTS.md); `just notify --dry-run` previews
notify *args: setup
    {{venv}}/bin/campaign-bi alerts --notify --db {{db}} {{args}}

# send the daily digest per business user (the data's last day and last 7 days vs the periods before, open alerts; docs/ALERTS.md)
digest *args: setup
    {{venv}}/bin/campaign-bi alerts --digest --db {{db}} {{args}}

# JSON API over HTTP at scale 1: /api/v1/query latency (sequential) and 50 concurrent clients; writes docs/api_benchmark.json
bench-api *args: setup
    {{py}} -m tests.bench.api {{args}}

# load test: 20 dashboard sessions (4 in Chromium) × 60 s × 2 rounds on a local server; writes docs/LOAD.md, docs/load.json, docs/BENCHMARKS.md
load *args: setup
    {{py}} -m tests.load.run {{args}}

# ruff lint
lint: setup
    {{venv}}/bin/ruff check semantic app tests
