"""semantic.sample.generate: the CSV contract, determinism, the scale-1 profile and its dirt."""

from __future__ import annotations

import ast
import csv
import hashlib
import re
import sys
from pathlib import Path

import duckdb
import pytest

from semantic.sample import generate

HEADERS = {
    "campaigns.csv": "id,daily_budget,start_time,stop_time,user_id,project_name",
    "campaign_leads.csv": "id,campaign_id,name,email,phone,lead_status,added_date",
    "insights.csv": "ad_set_id,campaign_id,reach,spend,clicks,impressions,created_at",
    "lead_status_changes.csv": "lead_id,status,created_at",
}
STATUSES = {
    "NEW_LEAD", "NO_ANSWER", "CALL_AGAIN", "FOLLOW_UP", "WHATSAPP", "SWITCHED_OFF",
    "QUALIFIED", "HIGH_INTEREST", "MEETING_DONE", "DONE_DEAL", "NOT_QUALIFIED",
    "LOW_BUDGET", "WRONG_NUMBER", "SPAM", "ALREADY_BOUGHT", "RESALE_REQUEST", "UNKNOWN",
}
# real sizes at scale 1
SIZES = {"campaigns.csv": 7364, "campaign_leads.csv": 56965, "insights.csv": 68733,
         "lead_status_changes.csv": 38925}

INT = re.compile(r"^[0-9]+$")
SPEND = re.compile(r"^[0-9]+\.[0-9]{2}$")
TS = re.compile(r"^20[0-9]{2}-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9]$")
# a day at midnight, or at 01:00 on the day daylight-saving time started (no local midnight)
DAY = re.compile(r"^(20[0-9]{2}-[01][0-9]-[0-3][0-9]( 00:00:00)?|2025-04-25 01:00:00)$")
EMAIL = re.compile(r"^[a-z0-9._]+@example\.(com|net|org)$")
PHONE = re.compile(r"^(\+?[0-9]{10,15}|\+1-[0-9]{3}-[0-9]{3}-[0-9]{4}|[0-9]{3}-[0-9]{3}-[0-9]{4})$")
Q = r'"(?:[^"]|"")*"'  # one double-quoted field, embedded quotes doubled
LEAD_LINE = re.compile(rf'^[0-9]+,[0-9]+,{Q},{Q},(?:{Q})?,"[A-Z_]+","[0-9: -]{{19}}"$')
CAMPAIGN_LINE = re.compile(rf'^[0-9]+,[0-9]+,"[0-9: -]{{19}}","[0-9: -]{{19}}",[0-9]+,{Q}$')

TYPES = {
    "campaigns.csv": {"id": "BIGINT", "daily_budget": "BIGINT", "start_time": "TIMESTAMP",
                      "stop_time": "TIMESTAMP", "user_id": "BIGINT", "project_name": "VARCHAR"},
    "campaign_leads.csv": {"id": "BIGINT", "campaign_id": "BIGINT", "name": "VARCHAR",
                           "email": "VARCHAR", "phone": "VARCHAR", "lead_status": "VARCHAR",
                           "added_date": "TIMESTAMP"},
    "insights.csv": {"ad_set_id": "BIGINT", "campaign_id": "BIGINT", "reach": "BIGINT",
                     "spend": "DECIMAL(18,2)", "clicks": "BIGINT", "impressions": "BIGINT",
                     "created_at": "VARCHAR"},
    "lead_status_changes.csv": {"lead_id": "BIGINT", "status": "VARCHAR",
                                "created_at": "TIMESTAMP"},
}
VIEWS = {"campaigns.csv": "c", "campaign_leads.csv": "l", "insights.csv": "i",
         "lead_status_changes.csv": "s"}


def connect(folder: Path) -> duckdb.DuckDBPyConnection:
    """Strictly typed views c, l, i (with a parsed `day`), s over the four files."""
    con = duckdb.connect()
    for name, view in VIEWS.items():
        cols = ", ".join(f"'{k}': '{v}'" for k, v in TYPES[name].items())
        con.execute(f"""CREATE VIEW raw_{view} AS SELECT * FROM read_csv('{folder / name}',
            header = true, delim = ',', quote = '"', escape = '"', strict_mode = true,
            columns = {{{cols}}})""")
    con.execute("CREATE VIEW c AS SELECT * FROM raw_c")
    con.execute("CREATE VIEW l AS SELECT * FROM raw_l")
    con.execute("CREATE VIEW s AS SELECT * FROM raw_s")
    con.execute("CREATE VIEW i AS SELECT *, CAST(CAST(created_at AS TIMESTAMP) AS DATE) AS day "
                "FROM raw_i")
    return con


def one(con, sql):
    return con.execute(sql).fetchone()


def digest(folder: Path) -> dict[str, str]:
    return {n: hashlib.sha256((folder / n).read_bytes()).hexdigest() for n in HEADERS}


@pytest.fixture(scope="module")
def s1(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample1")
    counts = generate(out, scale=1, seed=0)
    con = connect(out)
    yield out, counts, con
    con.close()


# ------------------------------------------------------------------------ contract
def test_files_headers_and_line_endings(s1):
    out, counts, _ = s1
    assert sorted(p.name for p in out.iterdir()) == sorted(HEADERS)
    assert list(counts) == list(HEADERS)
    for name, header in HEADERS.items():
        data = (out / name).read_bytes()
        assert b"\r" not in data
        assert data.endswith(b"\n")
        text = data.decode("utf-8")
        assert text.split("\n", 1)[0] == header
        assert text.count("\n") - 1 == counts[name]


def test_every_row_parses_with_the_contract_types(s1):
    out, counts, _ = s1
    for name in HEADERS:
        with open(out / name, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        assert rows[0] == HEADERS[name].split(",")
        assert len(rows) - 1 == counts[name]
        width = len(rows[0])
        for r in rows[1:]:
            assert len(r) == width, r
            if name == "campaigns.csv":
                assert all(INT.match(r[k]) for k in (0, 1, 4)), r
                assert TS.match(r[2]) and TS.match(r[3]) and r[5].strip(), r
            elif name == "campaign_leads.csv":
                assert INT.match(r[0]) and INT.match(r[1]) and r[2].strip(), r
                assert EMAIL.match(r[3]) and (r[4] == "" or PHONE.match(r[4])), r
                assert r[5] in STATUSES and TS.match(r[6]), r
            elif name == "insights.csv":
                assert all(INT.match(r[k]) for k in (0, 1, 2, 4, 5)), r
                assert SPEND.match(r[3]) and DAY.match(r[6]), r
            else:
                assert INT.match(r[0]) and r[1] in STATUSES and TS.match(r[2]), r


def test_the_daylight_saving_day_is_stamped_at_one(s1):
    out, _, _ = s1
    text = (out / "insights.csv").read_text(encoding="utf-8")
    assert text.count("2025-04-25 01:00:00") > 0 and "2025-04-25 00:00:00" not in text


def test_duckdb_reads_every_row_strictly_typed(s1):
    _, counts, con = s1
    for name, view in VIEWS.items():
        assert one(con, f"SELECT count(*) FROM {view}")[0] == counts[name]
    assert one(con, "SELECT count(*) FROM i WHERE day IS NULL")[0] == 0
    assert one(con, "SELECT min(spend) FROM i")[0] > 0


def test_quoting_of_text_and_timestamps(s1):
    out, _, _ = s1
    leads = (out / "campaign_leads.csv").read_text("utf-8").splitlines()[1:]
    assert all(LEAD_LINE.match(x) for x in leads)
    assert any('""' in x for x in leads)  # an embedded quote, doubled
    assert any(re.search("[\u0600-\u06ff]", x) for x in leads)  # Arabic-script names
    campaigns = (out / "campaigns.csv").read_text("utf-8").splitlines()[1:]
    assert all(CAMPAIGN_LINE.match(x) for x in campaigns)
    for name in ("insights.csv", "lead_status_changes.csv"):
        assert '"' not in (out / name).read_text("utf-8")


# --------------------------------------------------------------------- determinism
def test_same_seed_same_bytes_other_seed_other_bytes(s1, tmp_path):
    out, counts, _ = s1
    assert generate(tmp_path / "again", scale=1, seed=0) == counts
    assert digest(tmp_path / "again") == digest(out)
    generate(tmp_path / "other", scale=1, seed=1)
    other = digest(tmp_path / "other")
    assert all(other[n] != h for n, h in digest(out).items())


# ------------------------------------------------------------------------- profile
def test_sizes_match_the_real_exports(s1):
    _, counts, con = s1
    for name, size in SIZES.items():
        assert abs(counts[name] - size) <= 0.05 * size, (name, counts[name])
    users, projects = one(con, "SELECT count(DISTINCT user_id), count(DISTINCT trim(project_name)) FROM c")
    assert users == 388 and projects == 305
    assert one(con, "SELECT count(DISTINCT campaign_id) FROM i")[0] == pytest.approx(6821, rel=0.02)
    assert one(con, "SELECT count(DISTINCT campaign_id) FROM l")[0] == pytest.approx(4022, rel=0.05)


def test_dates_span_the_real_period(s1):
    _, _, con = s1
    lo, hi = "TIMESTAMP '2024-06-01'", "TIMESTAMP '2025-10-29'"
    assert one(con, f"SELECT min(start_time) >= {lo} AND max(start_time) < {hi} FROM c")[0]
    assert one(con, f"SELECT min(added_date) >= {lo} AND max(added_date) < {hi} FROM l")[0]
    assert one(con, f"SELECT min(day) >= {lo} AND max(day) < {hi} FROM i")[0]
    assert one(con, f"SELECT min(created_at) >= {lo} AND max(created_at) < {hi} + INTERVAL 7 DAY FROM s")[0]
    assert one(con, "SELECT bool_and(stop_time > start_time) FROM c")[0]


def test_campaign_profile(s1):
    _, _, con = s1
    med, share, p90, p99, lo, hi = one(con, """SELECT median(daily_budget), avg((daily_budget = 1200)::INT),
        quantile_cont(daily_budget, 0.9), quantile_cont(daily_budget, 0.99), min(daily_budget),
        max(daily_budget) FROM c""")
    assert med == 1200 and lo == 1200 and hi == 100000
    assert 0.72 <= share <= 0.80
    assert 2000 <= p90 <= 3500 and 5000 <= p99 <= 12000
    top = [b for b, in con.execute("SELECT daily_budget FROM c GROUP BY 1 ORDER BY count(*) DESC LIMIT 5").fetchall()]
    assert top[0] == 1200 and set(top[1:4]) <= {2000, 3000, 1500, 5000}
    mean_days, max_days = one(con, "SELECT avg(epoch(stop_time - start_time)) / 86400, "
                                   "max(epoch(stop_time - start_time)) / 86400 FROM c")
    assert 4.0 <= mean_days <= 6.0 and 300 <= max_days <= 377
    per_user = [n for n, in con.execute("SELECT count(*) n FROM c GROUP BY user_id ORDER BY n DESC").fetchall()]
    assert per_user[0] >= 300 and per_user[len(per_user) // 2] <= 10  # heavy-tailed
    top_project = one(con, "SELECT count(*) n FROM c GROUP BY trim(project_name) ORDER BY n DESC LIMIT 1")[0]
    assert 250 <= top_project <= 1000
    projects_per_user = one(con, "SELECT max(n), median(n) FROM (SELECT count(DISTINCT trim(project_name)) n "
                                 "FROM c GROUP BY user_id)")
    assert projects_per_user[0] <= 10 and projects_per_user[1] <= 3


def test_insight_profile(s1):
    _, _, con = s1
    # every delivering campaign has exactly three ad sets, each ad set belongs to one campaign
    assert one(con, "SELECT min(n), max(n) FROM (SELECT count(DISTINCT ad_set_id) n FROM i GROUP BY campaign_id)") == (3, 3)
    assert one(con, "SELECT max(n) FROM (SELECT count(DISTINCT campaign_id) n FROM i GROUP BY ad_set_id)")[0] == 1
    q = one(con, """SELECT quantile_cont(spend, 0.1), median(spend), quantile_cont(spend, 0.9),
        quantile_cont(spend, 0.99), sum(spend), median(impressions), quantile_cont(impressions, 0.99),
        median(clicks), median(clicks / impressions), median(reach / impressions) FROM i""")
    p10, p50, p90, p99, total, imp50, imp99, clk50, ctr50, rr50 = (float(x) for x in q)
    assert 8 <= p10 <= 20 and 110 <= p50 <= 180 and 550 <= p90 <= 900 and 2500 <= p99 <= 4500
    assert 20e6 <= total <= 30e6
    assert 450 <= imp50 <= 850 and 25000 <= imp99 <= 60000
    assert 12 <= clk50 <= 26 and 0.025 <= ctr50 <= 0.035 and 0.9 <= rr50 <= 0.97
    assert one(con, "SELECT count(*) FROM i WHERE reach > impressions OR reach < 1 OR impressions < 1")[0] == 0
    after = one(con, "SELECT avg((i.day > c.stop_time::DATE)::INT) FROM i JOIN c ON c.id = i.campaign_id")[0]
    assert 0.025 <= after <= 0.06
    assert one(con, "SELECT count(*) FROM i JOIN c ON c.id = i.campaign_id WHERE i.day < c.start_time::DATE")[0] == 0


def test_lead_profile(s1):
    _, _, con = s1
    p25, p50, p75, top = one(con, """SELECT quantile_disc(n, 0.25), quantile_disc(n, 0.5),
        quantile_disc(n, 0.75), max(n) FROM (SELECT count(*) n FROM l GROUP BY campaign_id)""")
    assert p25 == 1 and 2 <= p50 <= 4 and 6 <= p75 <= 16 and top >= 300
    # leads come (almost only) from campaigns that delivered
    no_delivery = one(con, "SELECT count(DISTINCT campaign_id) FROM l WHERE campaign_id NOT IN (SELECT campaign_id FROM i)")[0]
    assert no_delivery <= 0.05 * 4022
    assert one(con, "SELECT count(*) FROM l JOIN c ON c.id = l.campaign_id WHERE l.added_date < c.start_time")[0] == 0
    mix = con.execute("SELECT lead_status, count(*) FROM l GROUP BY 1 ORDER BY 2 DESC").fetchall()
    assert {s for s, _ in mix} == STATUSES
    assert [s for s, _ in mix[:5]] == ["UNKNOWN", "NEW_LEAD", "QUALIFIED", "NO_ANSWER", "NOT_QUALIFIED"]
    expected = {"UNKNOWN": 27582, "NEW_LEAD": 14724, "QUALIFIED": 4063, "NO_ANSWER": 3124,
                "NOT_QUALIFIED": 2821, "CALL_AGAIN": 923, "FOLLOW_UP": 921, "WHATSAPP": 844}
    got = dict(mix)
    for status, n in expected.items():
        assert abs(got[status] - n) <= 0.12 * n, (status, got[status])
    by_hour = [h for h, in con.execute("SELECT hour(added_date) FROM l GROUP BY 1 ORDER BY count(*)").fetchall()]
    assert by_hour[0] in (3, 4, 5) and by_hour[-1] in (19, 20, 21, 22, 23)
    # lead ids grow with time
    assert one(con, "SELECT count(*) FROM (SELECT added_date < lag(added_date) OVER (ORDER BY id) AS back FROM l) WHERE back")[0] == 0
    assert one(con, "SELECT count(*) = count(DISTINCT id) FROM l")[0]
    assert one(con, "SELECT avg((phone IS NULL)::INT) FROM l")[0] == pytest.approx(0.03, abs=0.01)


def test_status_change_profile(s1):
    _, counts, con = s1
    share = one(con, "SELECT count(DISTINCT lead_id) / (SELECT count(*) FROM l) FROM s")[0]
    assert 0.42 <= share <= 0.50
    assert one(con, "SELECT min(n), max(n) FROM (SELECT count(DISTINCT (status, created_at)) n FROM s GROUP BY lead_id)") == (1, 3)
    paths = con.execute("""SELECT path FROM (SELECT string_agg(status, '>' ORDER BY created_at) path
        FROM (SELECT DISTINCT * FROM s) GROUP BY lead_id) GROUP BY path ORDER BY count(*) DESC LIMIT 4""").fetchall()
    assert paths[0][0] == "NEW_LEAD"
    assert {p for p, in paths[1:]} == {"NEW_LEAD>NO_ANSWER", "NEW_LEAD>QUALIFIED", "NEW_LEAD>NOT_QUALIFIED"}
    starts_new, at_arrival = one(con, """SELECT avg((first = 'NEW_LEAD')::INT), avg((first_at = added_date)::INT)
        FROM (SELECT lead_id, arg_min(status, created_at) first, min(created_at) first_at FROM s GROUP BY 1) f
        JOIN l ON l.id = f.lead_id""")
    assert starts_new >= 0.8 and at_arrival >= 0.4
    disagree = one(con, """SELECT avg((last <> lead_status)::INT) FROM (SELECT lead_id, arg_max(status, created_at) last
        FROM s GROUP BY 1) x JOIN l ON l.id = x.lead_id""")[0]
    assert 0.01 <= disagree <= 0.08
    q10, q25, q50, q75, q90 = one(con, """SELECT quantile_cont(h, [0.1, 0.25, 0.5, 0.75, 0.9]) FROM (
        SELECT epoch(min(created_at) FILTER (WHERE status <> 'NEW_LEAD')
                     - min(created_at) FILTER (WHERE status = 'NEW_LEAD')) / 3600 h FROM s GROUP BY lead_id)
        WHERE h IS NOT NULL""")[0]
    assert 4 <= q10 <= 14 and 14 <= q25 <= 30 and 30 <= q50 <= 65 and 150 <= q75 <= 600 and 1500 <= q90 <= 6000
    assert one(con, "SELECT count(*) FROM s JOIN l ON l.id = s.lead_id WHERE s.created_at < l.added_date")[0] == 0


def test_referential_integrity(s1):
    _, _, con = s1
    assert one(con, "SELECT count(*) = count(DISTINCT id) FROM c")[0]
    assert one(con, "SELECT count(*) FROM l WHERE campaign_id NOT IN (SELECT id FROM c)")[0] == 0
    assert one(con, "SELECT count(*) FROM s WHERE lead_id NOT IN (SELECT id FROM l)")[0] == 0
    assert one(con, "SELECT count(*) FROM i WHERE campaign_id NOT IN (SELECT id FROM c)")[0] == 0


# ---------------------------------------------------------------------------- dirt
def test_dirt_is_there_in_realistic_amounts(s1):
    _, _, con = s1
    exact = one(con, "SELECT count(*) - count(DISTINCT (ad_set_id, campaign_id, reach, spend, clicks, impressions, created_at)) FROM i")[0]
    assert exact == 16
    conflicting = one(con, """SELECT count(*), sum(n) FROM (SELECT ad_set_id, day, count(*) n FROM (SELECT DISTINCT * FROM i)
        GROUP BY ALL HAVING count(DISTINCT (reach, spend, clicks, impressions)) > 1)""")
    assert conflicting == (10, 20)  # 10 keys, each with two different rows
    assert one(con, "SELECT count(*) FROM i WHERE clicks > impressions")[0] == 6
    assert one(con, "SELECT count(*) FROM i WHERE spend = 0.01")[0] >= 5
    tail = one(con, "SELECT avg((created_at LIKE '% 00:00:00')::INT) FROM i")[0]
    assert 0.2 <= tail <= 0.4
    assert one(con, "SELECT count(*) FROM c WHERE project_name <> trim(project_name)")[0] == 265
    # trimmed names are the same project, case variants are different ones
    assert one(con, "SELECT count(*) FROM c WHERE project_name <> trim(project_name) AND trim(project_name) NOT IN "
                    "(SELECT project_name FROM c)")[0] < 265
    assert one(con, "SELECT count(DISTINCT trim(project_name)) - count(DISTINCT lower(trim(project_name))) FROM c")[0] >= 1
    assert one(con, "SELECT count(*) - count(DISTINCT (lead_id, status, created_at)) FROM s")[0] == 1


# -------------------------------------------------------------------------- scales
def test_small_scale(tmp_path):
    counts = generate(tmp_path, scale=0.1, seed=3)
    assert counts["campaigns.csv"] == 736 and counts["campaign_leads.csv"] == 5696
    assert 0.9 * 6873 <= counts["insights.csv"] <= 1.1 * 6873
    con = connect(tmp_path)
    assert one(con, "SELECT count(*) FROM l WHERE campaign_id NOT IN (SELECT id FROM c)")[0] == 0
    assert one(con, "SELECT count(*) FROM s WHERE lead_id NOT IN (SELECT id FROM l)")[0] == 0
    assert one(con, "SELECT count(*) FROM i WHERE clicks > impressions")[0] >= 1
    tiny = generate(tmp_path / "tiny", scale=0.001, seed=3)
    assert tiny["campaigns.csv"] >= 1 and tiny["campaign_leads.csv"] >= 1


def test_scale_two_doubles(s1, tmp_path):
    _, base, _ = s1
    counts = generate(tmp_path, scale=2, seed=0)
    for name in HEADERS:
        assert 1.85 <= counts[name] / base[name] <= 2.15, name
    con = connect(tmp_path)
    assert one(con, "SELECT count(DISTINCT user_id), count(DISTINCT trim(project_name)) FROM c") == (776, 610)
    assert one(con, "SELECT count(*) = count(DISTINCT id) FROM l")[0]
    assert one(con, "SELECT count(*) FROM c WHERE project_name <> trim(project_name)")[0] == 530


# ---------------------------------------------------------------------------- misc
@pytest.mark.parametrize("scale", [0, -1, float("nan"), float("inf")])
def test_bad_scale_is_refused(tmp_path, scale):
    with pytest.raises(ValueError):
        generate(tmp_path, scale=scale)


@pytest.mark.parametrize("seed", [-1, 1.5, "7"])
def test_bad_seed_is_refused(tmp_path, seed):
    with pytest.raises(ValueError):
        generate(tmp_path, seed=seed)


def test_creates_folder_reports_progress_and_leaves_no_part_files(tmp_path):
    lines: list[str] = []
    out = tmp_path / "a" / "b"
    counts = generate(out, scale=0.02, seed=9, progress=lines.append)
    assert sorted(p.name for p in out.iterdir()) == sorted(HEADERS)
    assert lines and all(isinstance(x, str) for x in lines)
    assert sum(counts.values()) > 0


def test_module_only_depends_on_allowed_packages():
    import semantic.sample as mod

    modules = sorted(Path(mod.__file__).parent.glob("*.py"))
    assert len(modules) > 1
    top = set()
    for node in (n for f in modules for n in ast.walk(ast.parse(f.read_text("utf-8")))):
        if isinstance(node, ast.Import):
            top |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            top.add(node.module.split(".")[0])
    allowed = set(sys.stdlib_module_names) | {"numpy", "pandas", "pyarrow", "duckdb", "__future__"}
    assert top <= allowed, top - allowed
