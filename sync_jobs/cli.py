"""`flask --app wsgi sync ...` and `flask --app wsgi webhooks ...`."""
import sys

import click
from flask.cli import AppGroup

from loyalty_sync.cli.stores import get_store_or_fail
from loyalty_sync.extensions import db
from loyalty_sync.models import Store
from loyalty_sync.store_sync.locks import StoreBusy
from loyalty_sync.store_sync.sync_pass import run_pass

sync_cli = AppGroup("sync", help="Pull, apply and push: keep the books in sync with the store.")
webhooks_cli = AppGroup("webhooks", help="Near-real-time updates from WooCommerce webhooks.")


class _ProgressLine:
    """Pages done per resource, on one stderr line (long full syncs show life)."""

    def __init__(self):
        self.stream = sys.stderr

    def __call__(self, resource: str, page: int, total: int | None) -> None:
        shown = f"{page}/{total}" if total else str(page)
        self.stream.write(f"\r  {resource}: page {shown}   ")
        if total and page >= total:
            self.stream.write("\n")
        self.stream.flush()


@sync_cli.command("run")
@click.option("--store", "store_name", default=None, help="Only this store (default: every active store).")
@click.option("--full", is_flag=True, help="Re-read everything, not only what changed since the last pass.")
@click.option("--wait", is_flag=True, help="Wait for a running pass of the store instead of skipping it.")
def run_command(store_name: str | None, full: bool, wait: bool) -> None:
    """Run one pass now; exits non-zero if a pass failed."""
    stores = [get_store_or_fail(store_name)] if store_name else db.session.execute(
        db.select(Store).where(Store.active.is_(True)).order_by(Store.name)).scalars().all()
    if not stores:
        raise click.ClickException("no store to sync; add one with: flask --app wsgi stores add NAME --url URL")
    failed = False
    for store in stores:
        click.echo(f"Syncing {store.name} ({'full' if full else 'changes only'})...")
        try:
            run = run_pass(store.id, full=full, kind="manual", progress=_ProgressLine(), wait_for_lock=wait)
        except StoreBusy:
            click.echo(f"{store.name}: another pass is running; skipped (use --wait to wait for it)")
            continue
        counts = run.counts or {}
        click.echo(f"{store.name}: {run.status} in {run.duration_seconds or 0:.1f}s, {run.requests} requests; "
                   f"pulled {counts.get('pulled', {})}, applied {counts.get('applied', 0)}, "
                   f"unchanged {counts.get('unchanged', 0)}, stale {counts.get('stale', 0)}, rejected {counts.get('rejected', 0)}, "
                   f"pushed {counts.get('pushed_coupons', 0)} coupons / {counts.get('pushed_members', 0)} members")
        if run.error:
            click.echo(f"{store.name}: {run.error}", err=True)
        failed = failed or run.status == "failed"
    if failed:
        sys.exit(1)


@sync_cli.command("worker")
@click.option("--concurrency", default=1, show_default=True, help="Jobs run at once (PostgreSQL mode).")
def worker_command(concurrency: int) -> None:
    """Run the scheduled passes, webhook jobs and daily upkeep until SIGTERM."""
    from sync_jobs.worker import run_worker

    run_worker(concurrency=concurrency)

from sync_jobs import webhook_cli  # noqa: E402,F401  (registers the webhooks commands)
from sync_jobs import backfill_cli  # noqa: E402,F401  (analysis: registers `sync backfill`)
