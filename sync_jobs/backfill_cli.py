"""`flask --app wsgi sync backfill --store NAME [--since DATE] [--award-points|--history-only] [--dry-run]`
(sync_jobs/backfill.py)."""
import json
import sys
from datetime import datetime, timezone

import click

from loyalty_sync.cli.stores import get_store_or_fail
from sync_jobs.cli import sync_cli


@sync_cli.command("backfill")
@click.option("--store", "store_name", required=True)
@click.option("--since", default=None, help="Only orders created after this date (YYYY-MM-DD).")
@click.option("--award-points", "mode", flag_value="award", help="Past orders earn points (as if synced then).")
@click.option("--history-only", "mode", flag_value="history",
              help="Past orders set tiers, VIP and KPIs but earn nothing, now or later.")
@click.option("--dry-run", is_flag=True, help="Say what would happen; write nothing.")
@click.option("--json", "as_json", is_flag=True)
def backfill_command(store_name, since, mode, dry_run, as_json):
    """Bring a newly connected store's past orders in; interrupt and run again to resume."""
    from sync_jobs.backfill import backfill

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

    result = backfill(get_store_or_fail(store_name), mode=mode, since=start, dry_run=dry_run, progress=progress)
    if as_json:
        click.echo(json.dumps(result, indent=2, default=str))
        return
    sys.stderr.write("\n")
    what = "would bring" if dry_run else "brought"
    click.echo(f"{store_name}: {what} {result['orders']} orders in ({mode}): {result['members']} members, "
               f"{result['points']} points, tiers {result['tiers']}, {result['vip']} VIP, "
               f"{result['coupons']} coupons, liability {result['liability']}")
    if not dry_run and not result["finished"]:
        click.echo("interrupted: run the same command again to resume")
