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


@click.command("embed-url")
@click.option("--business-user", type=int, required=True,
              help="The one business user the embedded dashboard shows.")
@click.option("--ttl", default="1h", show_default=True,
              help="How long the URL works: seconds, or a number with s, m, h or d.")
@click.option("--base-url", default="http://127.0.0.1:5006", show_default=True,
              help="Where the dashboard is served (the platform's address for it).")
@click.option("--project", "project", multiple=True, metavar="NAME",
              help="Open with these projects chosen (repeat).")
@click.option("--campaign", "campaign", multiple=True, type=int, metavar="ID",
              help="Open with these campaigns (repeat).")
@click.option("--lead-status", "lead_status", multiple=True, metavar="STATUS",
              help="Open with these lead statuses (repeat).")
@click.option("--from", "--date-from", "date_from", type=click.DateTime(["%Y-%m-%d"]),
              help="First day shown (YYYY-MM-DD).")
@click.option("--to", "--date-to", "date_to", type=click.DateTime(["%Y-%m-%d"]),
              help="Last day shown (YYYY-MM-DD).")
@click.option("--tab", type=click.Choice(["campaigns", "trends", "outcomes", "segments",
                                          "alerts"]), help="The tab opened first.")
def embed_url(business_user: int, ttl: str, base_url: str, tab: str | None, **view) -> None:
    """Print a signed, expiring URL of the dashboard locked to one business user, without the
    page's header and login, for the platform to show in an iframe. Needs
    CAMPAIGN_BI_EMBED_SECRET (the same on the server). The filters only choose the opening
    view: the viewer can change them, never the business user."""
    from urllib.parse import urlencode

    from semantic.access.embed import PARAM, parse_ttl, sign

    token = sign(business_user, parse_ttl(ttl))
    pairs = [(PARAM, token)]
    for name in ("project", "campaign", "lead_status"):
        pairs += [(name, str(value)) for value in view[name]]
    for name in ("date_from", "date_to"):
        if view[name] is not None:
            pairs.append((name, view[name].date().isoformat()))
    if tab:
        pairs.append(("tab", tab))
    click.echo(f"{base_url.rstrip('/')}/dashboard?{urlencode(pairs)}")
