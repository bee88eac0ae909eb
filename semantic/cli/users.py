"""`campaign-bi users add | list`: dashboard accounts for production mode."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def users() -> None:
    """Dashboard accounts for production mode (scrypt-hashed credentials file)."""


@users.command("add")
@click.argument("name")
@click.option("--business-user", type=int, help="The one business user this account may see.")
@click.option("--admin", is_flag=True, help="An analyst account that sees every business user.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Prompted for when omitted (never stored in plaintext).")
@click.option("--credentials", type=click.Path(dir_okay=False, path_type=Path),
              help="Credentials file [env CAMPAIGN_BI_CREDENTIALS or data/credentials.json].")
def users_add(name: str, business_user: int | None, admin: bool, password: str,
              credentials: Path | None) -> None:
    """Create or update account NAME."""
    from semantic.access.accounts import save_account

    if admin == (business_user is not None):
        raise click.UsageError("give exactly one of --business-user ID or --admin")
    save_account(name, password, business_user, credentials)
    scope = "admin (all business users)" if admin else f"business user {business_user}"
    click.echo(f"account {name!r} saved: {scope}")


@users.command("list")
@click.option("--credentials", type=click.Path(dir_okay=False, path_type=Path))
def users_list(credentials: Path | None) -> None:
    """List accounts and what each may see."""
    from semantic.access.accounts import load_accounts

    for account in load_accounts(credentials).values():
        scope = "admin" if account.is_admin else f"business user {account.business_user}"
        click.echo(f"{account.name:<24} {scope}")
