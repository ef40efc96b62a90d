"""`flask --app wsgi api-tokens create --store NAME --scope read|redeem [--name ...]`,
`api-tokens list --store NAME`, `api-tokens revoke ID|PREFIX --store NAME`:
tokens of the storefront REST API (storefront/README.md)."""

import click
from flask.cli import AppGroup

from loyalty_sync.actions.api_tokens import create_token, find_token, list_tokens, revoke_token
from loyalty_sync.cli.stores import get_store_or_fail
from loyalty_sync.extensions import db
from loyalty_sync.models import API_SCOPES

command = AppGroup("api-tokens", help="Tokens for the storefront REST API (/api/v1).")


@command.command("create")
@click.option("--store", "store_name", required=True)
@click.option(
    "--scope",
    type=click.Choice(API_SCOPES),
    required=True,
    help="read: look up members, rewards, points preview; redeem: also redeem and answer the survey.",
)
@click.option("--name", default="", help="A label, e.g. 'theme cart widget'.")
def create(store_name: str, scope: str, name: str) -> None:
    """Create a token; it is printed once and never again."""
    store = get_store_or_fail(store_name)
    token, text = create_token(store, scope, name=name, actor="cli")
    db.session.commit()
    click.echo(f"Created token {token.id} ({scope}) for store {store.name}. Keep it now, it is not shown again:")
    click.echo(text)


@command.command("list")
@click.option("--store", "store_name", required=True)
def list_(store_name: str) -> None:
    """List the store's tokens (never the tokens themselves)."""
    store = get_store_or_fail(store_name)
    tokens = list_tokens(store)
    if not tokens:
        click.echo(f"No API tokens for store {store.name}.")
        return
    click.echo(f"{'id':>4}  {'prefix':<14} {'scope':<7} {'status':<8} {'created':<17} {'last used':<17} name")
    for t in tokens:
        status = "active" if t.revoked_at is None else "revoked"
        used = t.last_used_at.strftime("%Y-%m-%d %H:%M") if t.last_used_at else "never"
        click.echo(
            f"{t.id:>4}  {t.prefix + '…':<14} {t.scope:<7} {status:<8} "
            f"{t.created_at.strftime('%Y-%m-%d %H:%M'):<17} {used:<17} {t.name}"
        )


@command.command("revoke")
@click.argument("ref")
@click.option("--store", "store_name", required=True)
def revoke(ref: str, store_name: str) -> None:
    """Revoke a token by its id or prefix; it stops working at once."""
    store = get_store_or_fail(store_name)
    token = find_token(store, ref.rstrip("…"))
    if token is None:
        raise click.ClickException(f"no API token {ref!r} in store {store_name!r}")
    if revoke_token(token, actor="cli"):
        db.session.commit()
        click.echo(f"Revoked token {token.id} ({token.prefix}…).")
    else:
        click.echo(f"Token {token.id} was already revoked.")
