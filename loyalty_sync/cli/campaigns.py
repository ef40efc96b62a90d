"""`flask --app wsgi campaigns send --store NAME --segment at_risk --type percent
--amount 10 [--expires-days 30] [--name ...] [--no-push]` and `campaigns list
--store NAME` (loyalty_sync/actions/campaigns.py, segments in loyalty_sync/analysis/segments.py)."""

from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

import click
from flask.cli import AppGroup

from loyalty_sync.actions.campaigns import (
    CampaignError,
    create_campaign,
    issue_coupons,
    push_campaign,
    refresh_progress,
)
from loyalty_sync.analysis.segments import SEGMENTS
from loyalty_sync.cli.stores import get_store_or_fail
from loyalty_sync.engine.money import money_display
from loyalty_sync.extensions import db
from loyalty_sync.models import Campaign
from loyalty_sync.store_sync.connection import client_for

command = AppGroup("campaigns", help="Coupon campaigns to customer segments.")


@command.command("send")
@click.option("--store", "store_name", required=True)
@click.option("--segment", type=click.Choice(SEGMENTS), required=True)
@click.option("--type", "discount_type", type=click.Choice(("percent", "fixed_cart")), required=True)
@click.option("--amount", required=True)
@click.option("--expires-days", type=int, default=30, show_default=True)
@click.option("--min-spend", default="0", help="Minimum order amount for the coupon.")
@click.option("--name", default="")
@click.option(
    "--push/--no-push",
    default=True,
    show_default=True,
    help="Push the coupons to the store now (otherwise the next sync pass does).",
)
def send(store_name, segment, discount_type, amount, expires_days, min_spend, name, push):
    """Send one personal coupon to every member of a segment."""

    store = get_store_or_fail(store_name)
    try:
        value, minimum = Decimal(amount), Decimal(min_spend)
    except InvalidOperation:
        raise click.BadParameter("--amount and --min-spend must be numbers") from None
    now = datetime.now(timezone.utc)
    try:
        campaign = create_campaign(
            store,
            discount_type=discount_type,
            amount=value,
            segment=segment,
            expires_days=expires_days,
            name=name,
            minimum_amount=minimum,
            actor="cli",
            now=now,
        )
    except CampaignError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"campaign {campaign.id} {campaign.name!r}: {campaign.total} members in {segment}")

    def progress(what, done, total):
        click.echo(f"  {what} {done}/{total}")

    issue_coupons(store, campaign, now=now, progress=progress)
    if push and campaign.issued:
        client = client_for(store)
        try:
            push_campaign(store, campaign, client, progress=progress)
        finally:
            client.close()
    click.echo(f"campaign {campaign.id}: {campaign.issued} issued, {campaign.pushed} pushed, {campaign.status}")


@command.command("list")
@click.option("--store", "store_name", required=True)
def list_campaigns(store_name):
    """Campaigns of a store with their progress."""

    store = get_store_or_fail(store_name)
    rows = (
        db.session.execute(db.select(Campaign).where(Campaign.store_id == store.id).order_by(Campaign.id))
        .scalars()
        .all()
    )
    for c in rows:
        refresh_progress(c)
    db.session.commit()
    click.echo(
        f"{'id':>4}  {'name':<30} {'segment':<12} {'coupon':<14} {'total':>6} {'issued':>6} {'pushed':>6}  status"
    )
    for c in rows:
        coupon = (
            f"{c.amount:.2f} %" if c.discount_type == "percent" else f"{money_display(c.amount, store.currency)} off"
        )
        click.echo(
            f"{c.id:>4}  {c.name[:30]:<30} {c.segment or 'filter':<12} {coupon:<14} {c.total:>6} "
            f"{c.issued:>6} {c.pushed:>6}  {c.status}"
        )
