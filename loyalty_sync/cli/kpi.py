"""`flask --app wsgi kpi --store NAME --start YYYY-MM-DD --end YYYY-MM-DD [--json]`:
the shop's KPIs for [start, end) (definitions in loyalty_sync/analysis/kpi.py).

`kpi` is a group invoked without a sub-command, so later reports
(`kpi liability ...`) can be added as sub-commands. This module also adds
`members expiring --store NAME [--days 30] [--csv]` (loyalty_sync/analysis/expiring.py).
"""

import json
import sys
from datetime import datetime, timezone

import click
from flask.cli import AppGroup, with_appcontext

from loyalty_sync.analysis.expiring import expiring_points, write_csv
from loyalty_sync.analysis.kpi import store_kpis
from loyalty_sync.cli.members import command as members_command
from loyalty_sync.cli.stores import get_store_or_fail


def _day(value: str) -> datetime:
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=timezone.utc)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@click.group(
    "kpi", cls=AppGroup, invoke_without_command=True, help="Loyalty KPIs of a store for a period [start, end)."
)
@click.option("--store", "store_name")
@click.option("--start")
@click.option("--end")
@click.option(
    "--lifespan",
    type=float,
    default=None,
    help="Expected customer lifespan in periods for the predictive CLTV (default 1 / churn).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@with_appcontext
@click.pass_context
def command(ctx, store_name, start, end, lifespan, as_json):
    if ctx.invoked_subcommand is not None:
        return
    if not (store_name and start and end):
        raise click.UsageError("--store, --start and --end are required")
    begin, finish = _day(start), _day(end)
    if finish <= begin:
        raise click.BadParameter("--end must be after --start")

    result = store_kpis(get_store_or_fail(store_name), begin, finish, lifespan_periods=lifespan)
    if as_json:
        click.echo(json.dumps(result, sort_keys=True))
        return
    for key, value in result.items():
        click.echo(f"{key:<24} {value if value is not None else '-'}")


@members_command.command("expiring")
@click.option("--store", "store_name", required=True)
@click.option("--days", type=int, default=30, show_default=True)
@click.option("--csv", "as_csv", is_flag=True, help="CSV on stdout.")
def expiring(store_name: str, days: int, as_csv: bool) -> None:
    """Members whose points expire in the next DAYS days."""

    rows = expiring_points(get_store_or_fail(store_name), datetime.now(timezone.utc), days)
    if as_csv:
        write_csv(rows, sys.stdout)
        return
    if not rows:
        click.echo(f"no points expire in the next {days} days")
    for r in rows:
        click.echo(f"{r.email:<40} {r.expiring_points:>7} of {r.points:>7} points, from {r.first_expiry}")
