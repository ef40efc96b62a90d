"""`flask --app wsgi members show EMAIL --store NAME [--json]`: a balance,
explained line by line."""

import json

import click
from flask.cli import AppGroup

from loyalty_sync.books.statements import find_member, member_statement
from loyalty_sync.cli.stores import get_store_or_fail

command = AppGroup("members", help="Look at members and their books.")


@command.command("show")
@click.argument("ref")
@click.option("--store", "store_name", required=True)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def show(ref: str, store_name: str, as_json: bool) -> None:
    """Show a member (by email or customer id): status, ledger, coupons, badges."""
    store = get_store_or_fail(store_name)
    member = find_member(store, ref)
    if member is None:
        raise click.ClickException(f"no member {ref!r} in store {store_name!r}")
    statement = member_statement(store, member)
    if as_json:
        click.echo(json.dumps(statement, indent=2))
        return
    vip = f"VIP until {statement['vip_until']}" if statement["vip"] else "not VIP"
    click.echo(f"{statement['email']} ({store_name}): {statement['points']} points, tier {statement['tier']}, {vip}")
    click.echo(f"{'when':<26} {'kind':<8} {'points':>7}  {'order':>7}  reason")
    for line in statement["ledger"]:
        order = str(line["order_id"] or "")
        click.echo(f"{line['at']:<26} {line['kind']:<8} {line['points']:>7}  {order:>7}  {line['reason']}")
    click.echo(f"{'':<26} {'balance':<8} {sum(l['points'] for l in statement['ledger']):>7}")
    for coupon in statement["coupons"]:
        click.echo(
            f"coupon {coupon['code']}: {coupon['amount']} {coupon['discount_type']}, {coupon['status']}, "
            f"expires {coupon['expires'] or 'never'}"
        )
    if statement["badges"]:
        click.echo("badges: " + ", ".join(statement["badges"]))
