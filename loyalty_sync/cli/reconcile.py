"""`flask --app wsgi reconcile --store NAME [--fix] [--json]`: the drift
between the store and the books (loyalty_sync/store_sync/reconcile.py), healed with
--fix."""

import json
import sys

import click
from flask.cli import with_appcontext

from loyalty_sync.cli.stores import get_store_or_fail
from loyalty_sync.store_sync.reconcile import reconcile
from loyalty_sync.wording import count_of


@click.command("reconcile")
@click.option("--store", "store_name", required=True)
@click.option("--fix", is_flag=True, help="Heal each drift the safe way (never deletes anything in the store).")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def command(store_name, fix, as_json):
    """Compare the store with the books: coupons, member meta, missed orders."""

    def progress(what, done, total):
        if not as_json:
            sys.stderr.write(f"\r  {what}: {done}/{total or '?'}   ")
            sys.stderr.flush()

    result = reconcile(get_store_or_fail(store_name), fix=fix, progress=progress)
    if as_json:
        click.echo(json.dumps(result, indent=2, default=str))
        return
    sys.stderr.write("\n")
    checked = result["checked"]
    click.echo(
        f"checked {checked['coupons']} coupons, {checked['members']} members, {checked['orders']} orders: "
        + count_of(len(result["drift"]), "difference")
        + (f", {result['fixed']} fixed" if fix else "")
    )
    for d in result["drift"]:
        click.echo(
            f"  {d['kind']:<15} {d['ref']}: store {json.dumps(d['store_value'], default=str)} / "
            f"books {json.dumps(d['books_value'], default=str)} -> {d['fix']}"
        )
