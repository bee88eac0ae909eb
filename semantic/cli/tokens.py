"""`campaign-bi tokens add | list | revoke`: API tokens for integrations (docs/API.md).

    campaign-bi tokens add reporting --business-user 1411               # scope query
    campaign-bi tokens add crm-sync --admin --scope query --scope export
    campaign-bi tokens list
    campaign-bi tokens revoke reporting

`add` prints the new token alone on stdout (so `TOKEN=$(campaign-bi tokens add ...)` works) and
what it may see on stderr; it is never shown again (only its hash is stored). The server
notices a change of the token file on the next request: no restart after `revoke`.
"""

from __future__ import annotations

from pathlib import Path

import click

from semantic.cli.options import CommandError, failed
from semantic.errors import CampaignBIError


def _tokens_option(command):
    return click.option("--tokens", "tokens_file", type=click.Path(dir_okay=False, path_type=Path),
                        help="Token file [env CAMPAIGN_BI_TOKENS or data/tokens.json].")(command)


@click.group()
def tokens() -> None:
    """API tokens (hashed in a token file): add, list, revoke."""


@tokens.command("add")
@click.argument("name")
@click.option("--business-user", type=int, metavar="ID",
              help="The one business user this token may see.")
@click.option("--admin", is_flag=True, help="A token that sees every business user.")
@click.option("--scope", "scopes", multiple=True, type=click.Choice(["query", "export"]),
              help="What the token may do: query (metrics; the default) and/or export (the "
                   "leads, personal data). Repeatable.")
@_tokens_option
def tokens_add(name: str, business_user: int | None, admin: bool, scopes: tuple[str, ...],
               tokens_file: Path | None) -> None:
    """Create token NAME and print it (once: only its hash is kept)."""
    from semantic.access.tokens import DEFAULT_SCOPES, add_token

    if admin == (business_user is not None):
        raise CommandError("give exactly one of --business-user ID or --admin")
    try:
        token = add_token(name, business_user, scopes or DEFAULT_SCOPES, tokens_file)
    except CampaignBIError as exc:
        raise failed(exc) from None
    sees = "every business user" if admin else f"business user {business_user}"
    click.echo(f"token {name!r} created: {sees}, scopes {', '.join(scopes or DEFAULT_SCOPES)}. "
               "It is shown only now; store it in your secrets manager.", err=True)
    click.echo(token)


@tokens.command("list")
@_tokens_option
def tokens_list(tokens_file: Path | None) -> None:
    """List tokens: name, tenant, scopes, created, revoked (never the token)."""
    from semantic.access.tokens import load_tokens

    try:
        found = load_tokens(tokens_file)
    except CampaignBIError as exc:
        raise failed(exc) from None
    if not found:
        click.echo("(no tokens)")
        return
    rows = [("name", "sees", "scopes", "created", "revoked")]
    for token in found.values():
        sees = "admin" if token.is_admin else f"business user {token.business_user}"
        rows.append((token.name, sees, ",".join(token.scopes), token.created,
                     token.revoked or "-"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


@tokens.command("revoke")
@click.argument("name")
@_tokens_option
def tokens_revoke(name: str, tokens_file: Path | None) -> None:
    """Revoke token NAME: refused from the next request on (kept in the file as revoked)."""
    from semantic.access.tokens import revoke_token

    try:
        token = revoke_token(name, tokens_file)
    except CampaignBIError as exc:
        raise failed(exc) from None
    click.echo(f"token {name!r} revoked ({token.revoked})")
