"""The documentation's examples run: every `campaign-bi` line of the README's and the docs'
command blocks, and their Python blocks, against the sample warehouse `just serve` builds
(scale 1, seed 42), each answering with rows (the README once used a business user the sample
does not have: every example printed an empty result and exited 0)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from semantic.cli import main

ROOT = Path(__file__).resolve().parents[2]
DOCS = ("README.md", "docs/DASHBOARD.md", "docs/SEMANTIC_LAYER.md")
#: commands that change state or serve (accounts, ingest) are shown, not run here
NOT_RUN = ("users", "ingest", "sample", "tokens")
#: exit code 1 means "alerts fired" for `alerts` (documented), an error for the rest
EXIT_OK = {"alerts": (0, 1)}


def blocks(doc: str, language: str) -> list[str]:
    text = (ROOT / doc).read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def commands() -> list[tuple[str, str]]:
    found = []
    for doc in DOCS:
        for block in blocks(doc, "bash"):
            joined = block.replace("\\\n", " ")
            for line in joined.splitlines():
                line = line.split("  #")[0].strip()
                match = re.match(r"^(?:\.venv/bin/)?campaign-bi (.*)$", line)
                if match and match.group(1).split()[0] not in NOT_RUN:
                    found.append((doc, match.group(1)))
    return found


@pytest.fixture(scope="module")
def sample_warehouse(tmp_path_factory) -> Path:
    from semantic.builder.ingest import ingest
    from semantic.sample import generate

    folder = tmp_path_factory.mktemp("docs-sample")
    generate(folder / "sample", scale=1, seed=42)  # what `just sample` writes
    ingest(folder / "sample", folder / "warehouse.duckdb")
    return folder / "warehouse.duckdb"


def test_the_docs_have_examples_to_run():
    assert len(commands()) >= 10
    assert blocks("README.md", "python") and blocks("docs/SEMANTIC_LAYER.md", "python")


@pytest.mark.parametrize(("doc", "command"), commands(), ids=lambda v: v[:60])
def test_a_documented_command_answers_with_rows(doc, command, sample_warehouse, tmp_path,
                                                monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CAMPAIGN_BI_DB", str(sample_warehouse))
    monkeypatch.setenv("CAMPAIGN_BI_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    monkeypatch.setenv("CAMPAIGN_BI_EMBED_SECRET", "d" * 48)  # as the README exports one
    args = [a.replace("data/warehouse.duckdb", str(sample_warehouse))
            for a in shlex.split(command)]
    (tmp_path / "exports").mkdir()
    result = CliRunner().invoke(main, args)
    assert result.exit_code in EXIT_OK.get(args[0], (0,)), (doc, command, result.output)
    if args[0] == "export-leads":
        written = [p for p in tmp_path.rglob("*.csv")]
        assert written and all(len(p.read_text().splitlines()) > 1 for p in written), command
    elif "--sql" in args:
        assert result.output.startswith("SELECT "), (doc, command, result.output)
    elif args[0] == "embed-url":  # one URL whose token the server accepts
        from semantic.access.embed import verify

        token = result.output.split("embed=")[1].split("&")[0].strip()
        assert verify(token) == int(args[args.index("--business-user") + 1]), result.output
    else:
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) >= 2, (doc, command, result.output)  # a header and a row at least
        assert "no alerts" not in result.output


@pytest.mark.parametrize("doc", ["README.md", "docs/SEMANTIC_LAYER.md"])
def test_the_documented_python_runs_and_answers_with_rows(doc, sample_warehouse):
    code = blocks(doc, "python")[0].replace("data/warehouse.duckdb", str(sample_warehouse))
    namespace: dict = {}
    exec(compile(code, doc, "exec"), namespace)  # noqa: S102 - our own documentation
    df = namespace["df"]
    assert len(df) >= 1 and float(df["spend"].sum()) > 0 and int(df["leads"].sum()) > 0
