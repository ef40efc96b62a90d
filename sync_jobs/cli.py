"""`flask --app wsgi sync ...` (run, worker, backfill) and `flask --app wsgi webhooks ...`
(install, status): the job runner's one command-line module."""

import json
import sys
from datetime import datetime, timezone

import click
from flask.cli import AppGroup
from sqlalchemy import func

from loyalty_sync.books.history import ModeRefused, in_review
from loyalty_sync.cli.stores import get_store_or_fail
from loyalty_sync.extensions import db
from loyalty_sync.models import Store, WebhookEvent, record_audit
from loyalty_sync.store_sync.locks import StoreLocked
from loyalty_sync.store_sync.run_summary import run_summary
from loyalty_sync.store_sync.sync_pass import run_pass
from loyalty_sync.store_sync.webhook_install import delivery_url, install_webhooks
from loyalty_sync.woocommerce.errors import StoreError
from loyalty_sync.wording import and_list, count_of
from sync_jobs.backfill import backfill
from sync_jobs.worker import run_worker

sync_cli = AppGroup("sync", help="Pull, apply and push: keep the books in sync with the store.")
webhooks_cli = AppGroup("webhooks", help="Near-real-time updates from WooCommerce webhooks.")


class _ProgressLine:
    """Pages done per resource (or members, for a re-plan), on one stderr
    line (long full syncs show life)."""

    def __init__(self):
        self.stream = sys.stderr

    def __call__(self, resource: str, page: int, total: int | None) -> None:
        shown = f"{page}/{total}" if total else str(page)
        unit = "" if resource.startswith("members") else "page "
        self.stream.write(f"\r  {resource}: {unit}{shown}   ")
        if total and page >= total:
            self.stream.write("\n")
        self.stream.flush()


@sync_cli.command("run")
@click.option("--store", "store_name", default=None, help="Only this store (default: every active store).")
@click.option("--full", is_flag=True, help="Re-read everything, not only what changed since the last pass.")
@click.option("--wait", is_flag=True, help="Wait for a running pass of the store instead of skipping it.")
def run_command(store_name: str | None, full: bool, wait: bool) -> None:
    """Run one pass now; exits non-zero if a pass failed."""
    stores = (
        [get_store_or_fail(store_name)]
        if store_name
        else db.session.execute(db.select(Store).where(Store.active.is_(True)).order_by(Store.name)).scalars().all()
    )
    if not stores:
        raise click.ClickException("no store to sync; add one with: flask --app wsgi stores add NAME --url URL")
    failed = False
    for store in stores:
        click.echo(f"Syncing {store.name} ({'full' if full else 'changes only'})...")
        try:
            run = run_pass(store.id, full=full, kind="manual", progress=_ProgressLine(), wait_for_lock=wait)
        except StoreLocked:
            click.echo(f"{store.name}: another pass is running; skipped (use --wait to wait for it)")
            continue
        click.echo(f"{store.name}: {run.status} in {run.duration_seconds or 0:.1f}s, {run.requests} requests.")
        for line in run_summary(run.counts):
            click.echo(f"  {line}")
        if in_review(store):
            click.echo(
                f"{store.name}: in review: nothing booked or pushed. See what the first sync would do "
                f"with `flask --app wsgi stores plan {store.name}`, then choose with "
                f"`flask --app wsgi stores history {store.name} --mode MODE`."
            )
        if run.error:
            click.echo(f"{store.name}: {run.error}", err=True)
        failed = failed or run.status == "failed"
    if failed:
        sys.exit(1)


@sync_cli.command("worker")
@click.option("--concurrency", default=1, show_default=True, help="Jobs run at once (PostgreSQL mode).")
def worker_command(concurrency: int) -> None:
    """Run the scheduled passes, webhook jobs and daily upkeep until SIGTERM."""

    run_worker(concurrency=concurrency)


@sync_cli.command("backfill")
@click.option("--store", "store_name", required=True)
@click.option("--since", default=None, help="Only orders created after this date (YYYY-MM-DD).")
@click.option("--award-points", "mode", flag_value="award", help="Past orders earn points (as if synced then).")
@click.option(
    "--history-only",
    "mode",
    flag_value="history",
    help="Past orders set tiers, VIP and KPIs but earn nothing, now or later.",
)
@click.option("--dry-run", is_flag=True, hidden=True)  # gone: `stores plan` says what a mode would do
@click.option("--json", "as_json", is_flag=True)
def backfill_command(store_name, since, mode, dry_run, as_json):
    """Bring a newly connected store's past orders in; interrupt and run again to resume.
    --award-points sets the store's history mode to award, --history-only to tiers-only
    (as `stores history NAME --mode ...`). To see first what a mode would book, run
    `stores plan NAME` (after a pass in review pulled the shop's data)."""

    if dry_run:
        raise click.UsageError(
            "there is no dry run: see what each history mode would book and send with "
            f"`flask --app wsgi stores plan {store_name}` (it works from what a pass in review pulled: "
            f"`flask --app wsgi sync run --store {store_name}` books nothing while the store is in review)"
        )
    if mode is None:
        raise click.UsageError("choose --award-points or --history-only")
    start = None
    if since:
        try:
            start = datetime.strptime(since, "%Y-%m-%d").replace(tzinfo=timezone.utc)
        except ValueError:
            raise click.BadParameter(f"{since!r} is not a date (YYYY-MM-DD)") from None

    def progress(state):
        if as_json:
            return
        eta = f", ETA {state.eta_seconds:.0f}s" if state.eta_seconds is not None else ""
        sys.stderr.write(f"\r  orders {state.done}/{state.total or '?'} ({state.rate:.0f} records/s{eta})   ")
        sys.stderr.flush()

    store = get_store_or_fail(store_name)
    try:
        result = backfill(store, mode=mode, since=start, progress=progress)
    except ModeRefused as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(result, indent=2, default=str))
        return
    sys.stderr.write("\n")
    tiers = and_list(f"{name} {count}" for name, count in result["tiers"].items()) or "none"
    click.echo(
        f"{store_name}: brought {count_of(result['orders'], 'order')} in ({mode}): "
        f"{count_of(result['members'], 'member')}, {count_of(result['points'], 'point')}, tiers {tiers}, "
        f"{result['vip']:,} VIP, {count_of(result['coupons'], 'coupon')}, liability {result['liability']} {store.currency}"
    )
    if not result["finished"]:
        click.echo("interrupted: run the same command again to resume")


@webhooks_cli.command("install")
@click.option("--store", "store_name", required=True, help="The store (as in `stores list`).")
@click.option(
    "--url",
    "public_url",
    required=True,
    help="This app's public base URL, as the store reaches it, e.g. https://loyalty.example.com",
)
def install_command(store_name: str, public_url: str) -> None:
    """Register order.created/updated/deleted/restored and
    customer.created/updated in the store, delivering to PUBLIC_URL/webhooks/woocommerce/STORE. Safe to run
    again: webhooks with the same topic and URL are kept, not duplicated."""
    store = get_store_or_fail(store_name)
    if not store.has_keys:
        raise click.ClickException(
            f"store {store_name!r} has no API keys; set them with: stores add {store_name} "
            "--url ... --key ck_... --secret cs_..."
        )
    if not public_url.startswith(("http://", "https://")):
        raise click.ClickException("--url must start with http:// or https://")
    try:
        created, kept, problems = install_webhooks(store, public_url, echo=click.echo)
    except StoreError as exc:
        raise click.ClickException(f"{store.name}: {exc}") from None
    target = delivery_url(public_url, store.name)
    record_audit(
        "cli",
        "webhooks.install",
        f"store:{store.name}",
        store_id=store.id,
        after={"delivery_url": target, "created": created, "kept": kept},
    )
    db.session.commit()
    click.echo(f"{store.name}: {len(created)} created, {len(kept)} kept.")
    if problems:
        raise click.ClickException(
            "; ".join(problems) + f". WooCommerce activates a webhook only when {target} answers its ping "
            "with 200: check that this URL is reachable from the store, then run this command again."
        )


@webhooks_cli.command("status")
@click.option("--store", "store_name", default=None, help="Only this store.")
def status_command(store_name: str | None) -> None:
    """Webhook events received, pending and failed, per store."""
    query = (
        db.select(
            Store.name,
            func.count(WebhookEvent.id),
            func.count(WebhookEvent.id).filter(WebhookEvent.processed_at.is_(None)),
            func.count(WebhookEvent.id).filter(WebhookEvent.processed_at.is_(None), WebhookEvent.error != ""),
        )
        .join(WebhookEvent, WebhookEvent.store_id == Store.id, isouter=True)
        .group_by(Store.name)
        .order_by(Store.name)
    )
    if store_name:
        query = query.where(Store.id == get_store_or_fail(store_name).id)
    for name, total, pending, failing in db.session.execute(query):
        click.echo(f"{name}\t{total} received\t{pending} pending\t{failing} failing")
