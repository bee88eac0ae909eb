"""Production-mode accounts: hashed passwords, tenant mapping, CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from semantic.access import accounts
from semantic.cli import main


def test_password_hash_is_salted_scrypt_and_verifies():
    first, second = accounts.hash_password("s3cret-pass"), accounts.hash_password("s3cret-pass")
    assert first.startswith("scrypt$16384$8$1$") and first != second
    assert "s3cret-pass" not in first
    assert accounts.verify_password("s3cret-pass", first)
    assert not accounts.verify_password("s3cret-pasS", first)
    assert not accounts.verify_password("s3cret-pass", "plaintext")
    assert not accounts.verify_password("s3cret-pass", "scrypt$x$y$z$!!$??")


def test_cli_add_and_authenticate(tmp_path):
    creds = tmp_path / "creds.json"
    runner = CliRunner()
    result = runner.invoke(main, ["users", "add", "kings", "--business-user", "199",
                                  "--password", "kingsway-2024", "--credentials", str(creds)])
    assert result.exit_code == 0, result.output
    assert "business user 199" in result.output
    result = runner.invoke(main, ["users", "add", "analyst", "--admin", "--password",
                                  "analyst-pass", "--credentials", str(creds)])
    assert result.exit_code == 0
    stored = json.loads(creds.read_text())
    assert stored["kings"]["business_user"] == 199 and stored["analyst"]["business_user"] is None
    assert "kingsway-2024" not in creds.read_text()
    assert (creds.stat().st_mode & 0o777) == 0o600
    assert accounts.authenticate("kings", "kingsway-2024", creds).business_user == 199
    assert accounts.authenticate("analyst", "analyst-pass", creds).is_admin
    assert accounts.authenticate("kings", "wrong-password", creds) is None
    assert accounts.authenticate("nobody", "kingsway-2024", creds) is None
    listing = runner.invoke(main, ["users", "list", "--credentials", str(creds)])
    assert listing.output.split("\n")[:2] == [
        f"{'analyst':<24} admin", f"{'kings':<24} business user 199"]


def test_cli_requires_exactly_one_scope(tmp_path):
    result = CliRunner().invoke(main, ["users", "add", "x", "--password", "long-enough",
                                       "--credentials", str(tmp_path / "c.json")])
    assert result.exit_code == 2
    assert "exactly one of --business-user ID or --admin" in result.output


@pytest.mark.parametrize(("content", "message"), [
    ('{"a": {"password": "plain", "business_user": 1}}', "has no scrypt password hash"),
    ("{not json", "line 1: not valid JSON"),
])
def test_bad_credentials_file_is_a_clear_error(tmp_path, content, message):
    creds = tmp_path / "c.json"
    creds.write_text(content)
    with pytest.raises(accounts.AccountError, match=message):
        accounts.load_accounts(creds)


def test_short_password_refused(tmp_path):
    with pytest.raises(accounts.AccountError, match="at least 8"):
        accounts.save_account("a", "short", 1, tmp_path / "c.json")
