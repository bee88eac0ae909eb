"""API tokens (semantic/access/tokens.py, `campaign-bi tokens`): only a hash is stored, in a
private file written atomically; a token is looked up by its public id; the server's view
re-reads the file when it changes, so a revocation counts at once."""

from __future__ import annotations

import hashlib
import json
import os
import threading

import pytest
from click.testing import CliRunner

from semantic.access import tokens
from semantic.cli import main


def add(path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["tokens", "add", *args, "--tokens", str(path)])
    return result.exit_code, result.stdout.strip(), result.stderr


def test_add_prints_the_token_once_and_stores_only_its_hash(tmp_path):
    path = tmp_path / "tokens.json"
    code, token, note = add(path, "reporting", "--business-user", "1411")
    assert code == 0, note
    assert "business user 1411" in note and "shown only now" in note
    token_id, secret = tokens.split(token)
    assert token.startswith(f"cbi_{token_id}_") and len(secret) >= 43  # 256 random bits
    text = path.read_text()
    assert token not in text and secret not in text
    stored = json.loads(text)["reporting"]
    assert stored == {"id": token_id, "hash": "sha256$" + hashlib.sha256(token.encode()).hexdigest(),
                      "business_user": 1411, "scopes": ["query"], "created": stored["created"],
                      "revoked": None}
    assert (path.stat().st_mode & 0o777) == 0o600
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]  # written via a temp file


def test_scopes_admin_and_list_never_show_a_token(tmp_path):
    path = tmp_path / "tokens.json"
    _, crm, _ = add(path, "crm-sync", "--admin", "--scope", "query", "--scope", "export")
    _, only_export, _ = add(path, "exporter", "--business-user", "7", "--scope", "export")
    listed = CliRunner().invoke(main, ["tokens", "list", "--tokens", str(path)])
    assert listed.exit_code == 0
    lines = listed.output.splitlines()
    assert lines[0].split() == ["name", "sees", "scopes", "created", "revoked"]
    assert any(line.startswith("crm-sync") and "admin" in line and "query,export" in line
               for line in lines)
    assert any(line.startswith("exporter") and "business user 7" in line for line in lines)
    assert crm not in listed.output and only_export not in listed.output
    store = tokens.TokenStore(path)
    assert store.verify(crm).token.is_admin and store.verify(crm).token.allows("export")
    found = store.verify(only_export).token
    assert found.business_user == 7 and found.scopes == ("export",)
    assert not found.allows("query")


@pytest.mark.parametrize(("args", "message"), [
    (["x", "--admin", "--business-user", "3"], "exactly one of --business-user ID or --admin"),
    (["x"], "exactly one of --business-user ID or --admin"),
    (["has space", "--admin"], "must be 1-64 letters"),
    (["x", "--admin", "--scope", "write"], "Invalid value for '--scope'"),
], ids=["both", "neither", "bad-name", "bad-scope"])
def test_add_refuses_bad_requests_in_one_line(tmp_path, args, message):
    code, _, err = add(tmp_path / "tokens.json", *args)
    assert code == 2 and message in err
    assert not (tmp_path / "tokens.json").exists()


def test_an_active_name_is_not_replaced_but_a_revoked_one_may_be_reused(tmp_path):
    path = tmp_path / "tokens.json"
    _, first, _ = add(path, "reporting", "--admin")
    code, _, err = add(path, "reporting", "--business-user", "5")
    assert code == 2 and err.startswith("error: token 'reporting' exists; revoke it first")
    revoked = CliRunner().invoke(main, ["tokens", "revoke", "reporting", "--tokens", str(path)])
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    assert tokens.TokenStore(path).verify(first).reason == "revoked"
    code, second, _ = add(path, "reporting", "--business-user", "5")
    assert code == 0 and second != first
    store = tokens.TokenStore(path)
    assert store.verify(second).token.business_user == 5
    assert store.verify(first).reason == "unknown"  # the name's old token is gone for good
    missing = CliRunner().invoke(main, ["tokens", "revoke", "nobody", "--tokens", str(path)])
    assert missing.exit_code == 2 and "no token named 'nobody'" in missing.stderr


@pytest.mark.parametrize("presented", [
    None, "", "not-a-token", "cbi_zz_secret", "cbi_0123456789ab_", "Bearer x" * 50,
], ids=["none", "empty", "garbage", "bad-id", "no-secret", "long"])
def test_malformed_tokens_are_refused_without_a_lookup(tmp_path, presented):
    verdict = tokens.TokenStore(tmp_path / "absent.json").verify(presented)
    assert verdict.token is None and verdict.reason in ("missing", "unknown")


def test_a_known_id_with_the_wrong_secret_is_unknown(tmp_path):
    path = tmp_path / "tokens.json"
    token = tokens.add_token("a", None, path=path)
    token_id, _ = tokens.split(token)
    store = tokens.TokenStore(path)
    assert store.verify(token).token.name == "a"
    assert store.verify(f"cbi_{token_id}_{'x' * 43}").reason == "unknown"


def test_the_store_rereads_the_file_when_it_changes(tmp_path):
    path = tmp_path / "tokens.json"
    store = tokens.TokenStore(path)
    assert store.verify("cbi_0123456789ab_x").reason == "unknown"  # no file: no tokens
    token = tokens.add_token("a", 3, ("query", "export"), path)
    assert store.verify(token).token.business_user == 3  # added after the store was made
    reloads = store.reloads
    for _ in range(5):
        store.verify(token)
    assert store.reloads == reloads  # unchanged file: not read again
    tokens.revoke_token("a", path)
    assert store.verify(token).reason == "revoked"


def test_an_unreadable_file_refuses_every_token(tmp_path):
    path = tmp_path / "tokens.json"
    token = tokens.add_token("a", None, path=path)
    store = tokens.TokenStore(path)
    assert store.verify(token).token
    path.write_text("{not json")
    with pytest.raises(tokens.TokenError, match="not valid JSON"):
        store.verify(token)
    listed = CliRunner().invoke(main, ["tokens", "list", "--tokens", str(path)])
    assert listed.exit_code == 2 and listed.stderr.startswith("error: ") and "line 1" in listed.stderr


def test_concurrent_adds_lose_nothing(tmp_path):
    path = tmp_path / "tokens.json"
    made: dict[str, str] = {}

    def one(i: int) -> None:
        made[f"t{i}"] = tokens.add_token(f"t{i}", i, path=path)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    store = tokens.TokenStore(path)
    assert len(tokens.load_tokens(path)) == 12
    assert all(store.verify(token).token.name == name for name, token in made.items())


def test_the_default_path_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CAMPAIGN_BI_TOKENS", str(tmp_path / "elsewhere.json"))
    tokens.add_token("a", None)
    assert (tmp_path / "elsewhere.json").exists()
    monkeypatch.delenv("CAMPAIGN_BI_TOKENS")
    assert tokens.tokens_path() == tokens.Path("data/tokens.json")
    assert os.environ.get("CAMPAIGN_BI_TOKENS") is None
