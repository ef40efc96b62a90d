"""Owner-facing analysis commands attached to existing groups (imported by
loyalty_sync/cli/__init__.py, which registers the CLI):

- `program whatif --store NAME (--set KEY=VALUE ... | --rules FILE) [--json]`
- `program save --store NAME (--rules FILE | --set KEY=VALUE ...) [--note TEXT] [--allow-unknown-sku]`
- `members at-risk --store NAME [--kind tier|expiry|churn] [--json|--csv] [--campaign-amount N ...]`
- `kpi liability --store NAME [--json]`
"""

import json
import sys
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

import click

from loyalty_sync.actions import campaigns
from loyalty_sync.actions.campaigns import CampaignError
from loyalty_sync.analysis import at_risk
from loyalty_sync.analysis.liability import liability_forecast
from loyalty_sync.analysis.membership_sku import FIX, unknown_membership_sku
from loyalty_sync.analysis.rule_warnings import warnings_for
from loyalty_sync.analysis.whatif import (
    SettingError,
    preview_change,
    program_from_rules,
    program_with_settings,
    whatif_report,
)
from loyalty_sync.analysis.whatif_money import money_lines
from loyalty_sync.books.program_versions import program_in_force, save_program
from loyalty_sync.cli.kpi import command as kpi_command
from loyalty_sync.cli.members import command as members_command
from loyalty_sync.cli.program import command as program_command
from loyalty_sync.cli.program import queue_replan
from loyalty_sync.cli.stores import get_store_or_fail
from loyalty_sync.engine.money import money_display
from loyalty_sync.engine.program import validate_program
from loyalty_sync.extensions import db
from loyalty_sync.shop_time import shop_time_text
from loyalty_sync.wording import count_of


def _proposed(store, settings, rules_file):

    if not settings and not rules_file:
        raise click.UsageError("give --set KEY=VALUE (repeatable) or --rules FILE")
    _, current = program_in_force(store)
    try:
        program = program_from_rules(rules_file.read()) if rules_file else current
        program = program_with_settings(program, settings)
    except SettingError as exc:
        raise click.ClickException(str(exc)) from None
    errors = validate_program(program)
    if errors:
        raise click.ClickException("the proposed program cannot run:\n" + "\n".join(f"  {e}" for e in errors))
    return current, program


@program_command.command("whatif")
@click.option("--store", "store_name", required=True)
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override one setting (dotted keys: earn.rate, tiers.Silver.threshold, vip.min_spend, ...).",
)
@click.option(
    "--rules", "rules_file", type=click.File("r"), help="A whole program, as `program show --json` prints it."
)
@click.option("--json", "as_json", is_flag=True)
def whatif_command(store_name, settings, rules_file, as_json):
    """Replay the store's order history under proposed rules; nothing is written."""

    store = get_store_or_fail(store_name)
    current, proposed = _proposed(store, settings, rules_file)
    db.session.commit()
    impact = preview_change(store, proposed, current=current, keep_moves=True)
    report = whatif_report(store, proposed, impact=impact)
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    click.echo(f"Replayed {count_of(report['orders_replayed'], 'order')} of {store.name} under both programs.")
    click.echo(impact.money.sampling.sentence(shop_time_text(impact.money.sampling.at, store.timezone)))
    for line in money_lines(impact.money):
        click.echo(line)
    moves = ", ".join(f"{k}: {v}" for k, v in report["tier_moves"].items()) or "none"
    click.echo(
        f"tier moves: {moves}; VIP in {report['vip_in']}, out {report['vip_out']}; points {report['points_delta']:+d}"
    )
    for m in report["members"]:
        vip = f"VIP {'yes' if m['vip_before'] else 'no'}->{'yes' if m['vip_after'] else 'no'}"
        click.echo(
            f"  {m['email']:<40} {m['points_before']:>7} -> {m['points_after']:<7} "
            f"{m['tier_before']}->{m['tier_after']}  {vip}"
        )


@program_command.command("save")
@click.option("--store", "store_name", required=True)
@click.option(
    "--rules", "rules_file", type=click.File("r"), help="A whole program, as `program show --json` prints it."
)
@click.option("--set", "settings", multiple=True, metavar="KEY=VALUE", help="Override one setting (as for whatif).")
@click.option("--note", default="", help="Why (kept with the version and the audit row).")
@click.option("--actor", default="cli", show_default=True)
@click.option(
    "--allow-unknown-sku",
    is_flag=True,
    help="Save a membership SKU no product has yet (the product will be created later).",
)
def save_command(store_name, rules_file, settings, note, actor, allow_unknown_sku):
    """Validate, print rule warnings (they never block) and save a new version.
    An unknown membership SKU is refused unless --allow-unknown-sku (membership_sku.py)."""

    store = get_store_or_fail(store_name)
    _current, program = _proposed(store, settings, rules_file)
    problem = None if allow_unknown_sku else unknown_membership_sku(program, store)
    if problem:
        raise click.ClickException(
            f"vip_membership_sku: {problem}; {FIX}, or pass --allow-unknown-sku if the product will be created later"
        )
    for warning in warnings_for(program, store):
        click.echo(f"warning: {warning.field}: {warning.message}", err=True)
    version = save_program(store, program, actor=actor, note=note)
    db.session.commit()
    click.echo(f"saved version {version.number} of the program of {store.name}; it is in force now")
    click.echo(queue_replan(store))


@kpi_command.command("liability")
@click.option("--store", "store_name", required=True)
@click.option("--json", "as_json", is_flag=True)
def liability_command(store_name, as_json):
    """Outstanding points in money: spendable/pending, expiry by month, expected breakage."""

    report = liability_forecast(get_store_or_fail(store_name))
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    currency = report["currency"]
    click.echo(
        f"{report['store']}: {report['points']} points outstanding = "
        f"{money_display(report['money'], currency)} (spendable "
        f"{money_display(report['spendable_money'], currency)}, pending "
        f"{money_display(report['pending_money'], currency)})"
    )
    click.echo(
        f"expected breakage {report['breakage_rate']} -> expected cost "
        f"{money_display(report['expected_cost'], currency)}"
    )
    for month in report["expiry_schedule"]:
        click.echo(
            f"  {month['month']}: {month['points']:>8} points expire ({money_display(month['money'], currency)})"
        )


@members_command.command("at-risk")
@click.option("--store", "store_name", required=True)
@click.option("--kind", type=click.Choice(["tier", "expiry", "churn"]), default="tier", show_default=True)
@click.option("--days", type=int, default=30, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.option("--csv", "as_csv", is_flag=True)
@click.option("--campaign-amount", default=None, help="Send every listed member a coupon of this amount.")
@click.option("--campaign-type", type=click.Choice(["fixed_cart", "percent"]), default="fixed_cart", show_default=True)
@click.option("--campaign-expires-days", type=int, default=30, show_default=True)
def at_risk_command(store_name, kind, days, as_json, as_csv, campaign_amount, campaign_type, campaign_expires_days):
    """Members about to drop a tier, lose points to expiry, or churn (RFM at risk)."""

    store = get_store_or_fail(store_name)
    rows = at_risk.at_risk(store, kind, now=datetime.now(timezone.utc), days=days)
    if campaign_amount is not None:
        try:
            amount = Decimal(campaign_amount)
        except InvalidOperation:
            raise click.BadParameter(f"{campaign_amount!r} is not an amount") from None

        try:
            campaign = campaigns.campaign_for_list(
                store,
                kind,
                rows,
                discount_type=campaign_type,
                amount=amount,
                expires_days=campaign_expires_days,
                actor="cli",
            )
        except CampaignError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(
            f"campaign {campaign.id} ({campaign.name}): {campaign.issued} coupons issued; "
            "the next sync pass pushes them",
            err=True,
        )
    if as_csv:
        at_risk.write_csv(rows, sys.stdout)
        return
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo(f"no member at risk ({kind})")
    for r in rows:
        click.echo(f"{r['email']:<40} {r['detail']}")
