"""Ad-hoc SQL runs read-only in a sandbox: `layer.sql(...)` and `campaign-bi sql`.

Writes, COPY TO, reading files, ATTACH, INSTALL, LOAD and SET are refused with one clear
line; a SELECT works; nothing changes in the warehouse.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from factories import trap_warehouse

import semantic
from semantic.cli.query import sql as sql_command
from semantic.errors import AdHocQueryError, SandboxRefusedError

REFUSED = {
    "create": "CREATE TABLE core.x AS SELECT 1",
    "insert": "INSERT INTO raw.campaigns SELECT * FROM raw.campaigns",
    "delete": "DELETE FROM core.leads",
    "drop": "DROP TABLE core.leads",
    "update": "UPDATE core.leads SET name = 'x'",
    "temp-table": "CREATE TEMP TABLE t AS SELECT 1",
    "copy-to": "COPY (SELECT 1) TO '/tmp/campaign_bi_sandbox_escape.csv'",
    "read-csv": "SELECT * FROM read_csv('/etc/passwd')",
    "read-text": "SELECT * FROM read_text('/etc/hostname')",
    "glob": "SELECT * FROM glob('/etc/*')",
    "attach": "ATTACH '/tmp/campaign_bi_other.duckdb' AS other",
    "install": "INSTALL httpfs",
    "load": "LOAD httpfs",
    "set": "SET threads = 1",
    "pragma-set": "PRAGMA threads = 1",
    "reset": "RESET threads",
    "export": "EXPORT DATABASE '/tmp/campaign_bi_export'",
    "two-statements": "SELECT 1; DROP TABLE core.leads",
    "detach": "DETACH wh",
    "use": "USE memory",
}


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return trap_warehouse(tmp_path_factory.mktemp("sandbox") / "w.duckdb")


@pytest.fixture(scope="module")
def layer(db):
    with semantic.connect(db) as lay:
        yield lay


@pytest.mark.parametrize("statement", REFUSED.values(), ids=REFUSED.keys())
def test_layer_sql_refuses(layer, statement):
    with pytest.raises(SandboxRefusedError) as info:
        layer.sql(statement)
    message = str(info.value)
    assert "\n" not in message and message.startswith("refused by the")
    assert layer.sql("SELECT count(*) AS n FROM core.leads")["n"].tolist() == [7]


@pytest.mark.parametrize("statement", REFUSED.values(), ids=REFUSED.keys())
def test_cli_sql_refuses_in_one_line(db, statement):
    result = CliRunner().invoke(sql_command, [statement, "--db", str(db)])
    assert result.exit_code == 2  # an error (1: a check found something)
    assert result.output.startswith("error: refused by the")
    assert result.output.count("\n") == 1 and "Traceback" not in result.output


def test_select_works(layer, db):
    df = layer.sql("SELECT project, sum(spend) AS spend FROM marts.campaign_daily "
                   "GROUP BY project ORDER BY project")
    assert df.to_dict("list") == {"project": ["Alpha", "Beta"], "spend": [130.0, 5.0]}
    result = CliRunner().invoke(sql_command, [
        "SELECT campaign_id, project FROM core.campaigns ORDER BY 1", "--db", str(db),
        "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["campaign_id,project", "1,Alpha", "2,Beta", "3,Alpha",
                                          "4,Alpha"]


def test_ordinary_failures_are_one_line(layer, db):
    with pytest.raises(AdHocQueryError, match="^query failed: .*no_such_table"):
        layer.sql("SELECT * FROM no_such_table")
    result = CliRunner().invoke(sql_command, ["SELEC 1", "--db", str(db)])
    assert result.exit_code == 2  # an error (1: a check found something) and result.output.startswith("error: query failed:")
    assert result.output.count("\n") == 1


def test_missing_database(tmp_path):
    result = CliRunner().invoke(sql_command, ["SELECT 1", "--db", str(tmp_path / "x.duckdb")])
    assert result.exit_code == 2  # an error (1: a check found something)
    assert "no warehouse here" in result.output and "Traceback" not in result.output


def test_the_layer_still_answers_after_refusals(layer):
    for statement in REFUSED.values():
        with pytest.raises(SandboxRefusedError):
            layer.sql(statement)
    assert layer.query(["spend", "leads"]).values.tolist() == [[135.0, 7]]
