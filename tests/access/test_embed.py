"""Signed embed links (semantic/access/embed.py, `campaign-bi embed-url`): a token names one
business user until it expires; a changed byte, another secret, an expired or malformed token
is refused with a reason that says nothing of the secret."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

from semantic.access import embed
from semantic.cli import main

SECRET = b"k" * 48
NOW = 1_800_000_000


def test_a_token_names_its_business_user_until_it_expires():
    token = embed.sign(1122, ttl_s=3600, secret=SECRET, now=NOW)
    assert embed.verify(token, SECRET, now=NOW) == 1122
    assert embed.verify(token, SECRET, now=NOW + 3599) == 1122
    with pytest.raises(embed.EmbedError, match="expired"):
        embed.verify(token, SECRET, now=NOW + 3600)


def test_a_changed_token_or_another_secret_is_refused():
    token = embed.sign(1122, secret=SECRET, now=NOW)
    payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    forged = base64.urlsafe_b64encode(json.dumps({**claims, "bu": 7}).encode()).rstrip(b"=")
    for bad in (f"{forged.decode()}.{signature}",  # another business user, same signature
                f"{payload}.{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}"):
        with pytest.raises(embed.EmbedError, match="signature"):
            embed.verify(bad, SECRET, now=NOW)
    with pytest.raises(embed.EmbedError, match="signature"):
        embed.verify(token, b"z" * 48, now=NOW)


@pytest.mark.parametrize("bad", ["", "abc", "a.b", "x" * 5000, None, "é" * 20 + "." + "A" * 43])
def test_malformed_tokens_are_refused(bad):
    with pytest.raises(embed.EmbedError, match="malformed"):
        embed.verify(bad, SECRET, now=NOW)


def test_a_well_signed_token_without_its_claims_is_refused():
    payload = base64.urlsafe_b64encode(b'{"who": 1}').rstrip(b"=").decode()
    token = f"{payload}.{embed._signature(SECRET, payload)}"
    with pytest.raises(embed.EmbedError, match="malformed"):
        embed.verify(token, SECRET, now=NOW)


def test_lifetimes():
    assert [embed.parse_ttl(t) for t in ("90", "90s", "15m", "1h", "2d")] == \
        [90, 90, 900, 3600, 172800]
    for bad in ("", "1w", "-1h", "h"):
        with pytest.raises(embed.EmbedError):
            embed.parse_ttl(bad)
    with pytest.raises(embed.EmbedError, match="between"):
        embed.sign(1, ttl_s=31 * 86400, secret=SECRET)


def test_no_secret_no_tokens(monkeypatch):
    monkeypatch.setenv(embed.SECRET_ENV, "short")
    with pytest.raises(embed.EmbedError, match=embed.SECRET_ENV):
        embed.sign(1)


def test_the_cli_prints_a_url_that_opens_that_view(monkeypatch):
    monkeypatch.setenv(embed.SECRET_ENV, SECRET.decode())
    result = CliRunner().invoke(main, [
        "embed-url", "--business-user", "1122", "--ttl", "15m", "--base-url",
        "https://bi.example.com/", "--project", "Kings Way", "--project", "Zed",
        "--from", "2024-07-01", "--to", "2024-07-31", "--tab", "trends"])
    assert result.exit_code == 0, result.output
    url = urlsplit(result.output.strip())
    assert (url.scheme, url.netloc, url.path) == ("https", "bi.example.com", "/dashboard")
    args = parse_qs(url.query)
    assert args["project"] == ["Kings Way", "Zed"] and args["tab"] == ["trends"]
    assert (args["date_from"], args["date_to"]) == (["2024-07-01"], ["2024-07-31"])
    assert embed.verify(args["embed"][0], SECRET) == 1122
    assert "business_user" not in args, "the token alone names the business user"


def test_the_cli_without_a_secret_says_so_in_one_line(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", "from semantic.cli import run; run()",
                           "embed-url", "--business-user", "1"], capture_output=True, text=True,
                          env=env, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and embed.SECRET_ENV in done.stderr
