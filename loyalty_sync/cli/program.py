"""`flask --app wsgi program show [--json]`: the rules in force."""
import json

import click
from flask.cli import AppGroup

from loyalty_sync.books.program_versions import program_in_force
from loyalty_sync.cli.stores import get_store_or_fail
from loyalty_sync.engine.program import program_to_dict
from loyalty_sync.extensions import db
from loyalty_sync.models import Store

command = AppGroup("program", help="Read the loyalty program's rules.")


@command.command("show")
@click.option("--store", "store_name", default=None, help="Store name (default: the only store).")
@click.option("--json", "as_json", is_flag=True)
def show(store_name: str | None, as_json: bool) -> None:
    """Print the rules in force, with their version."""
    store = get_store_or_fail(store_name) if store_name else _only_store()
    version, program = program_in_force(store)
    rules = program_to_dict(program)
    if as_json:
        click.echo(json.dumps({"store": store.name, "version": version, **rules}, indent=2))
        return
    click.echo(f"Program of {store.name}, version {version}")
    for key, value in rules.items():
        click.echo(f"  {key}: {json.dumps(value)}")


def _only_store() -> Store:
    stores = db.session.execute(db.select(Store)).scalars().all()
    if len(stores) != 1:
        raise click.ClickException("several stores (or none): name one with --store NAME")
    return stores[0]
