"""`flask --app wsgi import products|customers|orders FILE --store NAME`:
apply a JSON export exactly as the sync would (backfills, scripted tests).
Records older than the copies the books hold (an old export after a sync)
change nothing and are counted as stale."""

import json
import sys

import click
from flask.cli import AppGroup

from loyalty_sync.books.apply import apply_customers, apply_orders, apply_products, apply_with_retry
from loyalty_sync.cli.stores import get_store_or_fail
from loyalty_sync.extensions import db

command = AppGroup("import", help="Apply a JSON array as GET /wp-json/wc/v3/<resource> returns it.")

_APPLIERS = {"products": apply_products, "customers": apply_customers, "orders": apply_orders}
_BATCH = 500


def _load_array(path: str) -> list:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(data, list):
        raise click.ClickException(f"{path} must hold a JSON array of records, not a {type(data).__name__}")
    return data


def _make(resource: str):
    @command.command(resource, help=f"Apply {resource} from FILE.")
    @click.argument("file", type=click.Path(dir_okay=False))
    @click.option("--store", "store_name", required=True)
    def _run(file: str, store_name: str) -> None:
        store = get_store_or_fail(store_name)
        records = _load_array(file)
        applier = _APPLIERS[resource]
        applied = unchanged = stale = 0
        rejected = []
        with click.progressbar(
            length=len(records), label=f"Applying {resource}", file=sys.stderr, show_eta=True
        ) as bar:
            for start in range(0, len(records), _BATCH):
                batch = records[start : start + _BATCH]
                result = apply_with_retry(lambda batch=batch: applier(store, batch))
                applied += result.applied
                unchanged += result.unchanged
                stale += result.stale
                rejected.extend(result.rejected)
                bar.update(len(batch))
        db.session.commit()
        click.echo(
            f"{resource}: {applied} applied, {unchanged} unchanged, {stale} stale (older than the books), "
            f"{len(rejected)} rejected"
        )
        for ref, reason in rejected:
            click.echo(f"rejected {ref}: {reason}", err=True)
        if rejected:
            raise SystemExit(1)

    return _run


for _resource in _APPLIERS:
    _make(_resource)
