"""`flask --app wsgi program show [--json]`: the rules in force, and how far
the re-plan of the members under them got (`program save` queues it)."""

import json

import click
from flask import current_app
from flask.cli import AppGroup

from loyalty_sync.books.program_versions import program_in_force
from loyalty_sync.books.replan_status import replan_status
from loyalty_sync.cli.stores import get_store_or_fail
from loyalty_sync.engine.program import program_to_dict
from loyalty_sync.extensions import db
from loyalty_sync.models import Store

command = AppGroup("program", help="Read the loyalty program's rules.")

#: `app.extensions` key of the job runner's "a pass of this store soon" (store id -> message);
#: registered by `sync_jobs.init_app`, as the core does not import its wings.
PASS_REQUESTER = "loyalty_sync.request_pass"  # noqa: S105 - an extension name, not a secret


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
    click.echo(replan_status(store).sentence())
    for key, value in rules.items():
        click.echo(f"  {key}: {json.dumps(value)}")


def queue_replan(store: Store) -> str:
    """After a save: queue the pass that re-plans the members under the new
    version, and say so (without the job runner, say how to run it)."""
    status = replan_status(store)
    if status.state == "done":
        return status.sentence()
    request_pass = current_app.extensions.get(PASS_REQUESTER)
    if request_pass is None:
        return f"{status.sentence()} To do it now: flask --app wsgi sync run --store {store.name}"
    return (
        f"{status.behind} of {status.members} members are re-planned under it by a sync pass: {request_pass(store.id)}"
    )


def _only_store() -> Store:
    stores = db.session.execute(db.select(Store)).scalars().all()
    if len(stores) != 1:
        raise click.ClickException("several stores (or none): name one with --store NAME")
    return stores[0]
