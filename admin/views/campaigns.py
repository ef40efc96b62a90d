"""Segments and coupon campaigns (PRODUCT.md "Personal offers").

- the index shows the RFM segment sizes of a store (`loyalty_sync.analysis.segments`)
  with the thresholds in words, and the store's campaigns with their progress;
- "New campaign" (admins): target (a segment and/or a member filter), coupon
  template, name -> a confirmation page with how many members get a coupon
  (computed by the service itself, nothing saved) -> Send: the campaign is
  created, its coupons issued in batches and pushed to the store in batches
  (`loyalty_sync.actions.campaigns`), synchronously, then the campaign page shows
  the final numbers and any push errors;
- a member never gets a campaign twice: the service keys each coupon
  `campaign:<id>:<member>`; the panel never offers to send a campaign again,
  only to push the coupons not yet in the store, or to finish issuing a
  campaign whose sending was interrupted (members already served are skipped);
- a confirmation can be sent once: its random token is written on the
  campaign (`note`), a second submit of the same page (double click, back
  button) finds it and shows the existing campaign instead.
"""

from __future__ import annotations

import logging
import secrets
import time
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

from flask import abort, current_app, flash, jsonify, redirect, request, url_for
from flask_admin import expose

from admin.formatting import format_money
from admin.security import SecureBaseView, actor
from loyalty_sync.wording import count_of
from admin.store_picker import all_stores, selected_store
from loyalty_sync.actions import campaigns as service
from loyalty_sync.analysis.dashboard import program_in_force
from loyalty_sync.analysis.segments import SEGMENTS, RfmThresholds, store_segments
from loyalty_sync.engine.tier_order import in_rank_order
from loyalty_sync.extensions import db
from loyalty_sync.int_bounds import parse_db_int
from loyalty_sync.models import AuditEntry, Campaign, Coupon, Member, Store, record_audit
from loyalty_sync.store_sync import connection as store_connection
from loyalty_sync.woocommerce import StoreError

log = logging.getLogger(__name__)

SEGMENT_TEXT = {
    "champions": "bought often and recently",
    "loyal": "came back at least once",
    "at_risk": "used to buy but have not ordered for a while",
    "hibernating": "have not ordered for a long time",
    "new": "one order, recently",
}
DISCOUNT_TEXT = {"percent": "Percentage off", "fixed_cart": "Amount off the cart"}
# Sending runs inside the web request: issuing and pushing stop after this
# many seconds (well below gunicorn's 60 s timeout); the rest is finished by
# "Finish issuing" (issuing) or by the next sync pass / "Push now" (pushing).
DEFAULT_BUDGET_SECONDS = 25


class _OutOfTime(Exception):
    pass


def _deadline_progress():
    """A `progress` callback for the campaigns service that stops the work
    (between two committed batches) when the request's time is up."""
    budget = float(current_app.config.get("ADMIN_CAMPAIGN_SECONDS", DEFAULT_BUDGET_SECONDS))
    until = time.monotonic() + budget

    def progress(what, done, total):
        if done < total and time.monotonic() >= until:
            raise _OutOfTime(what)

    return progress


def thresholds() -> RfmThresholds:
    return RfmThresholds.from_dict(current_app.config.get("RFM_THRESHOLDS"))


def threshold_rules(t: RfmThresholds) -> list[tuple[str, str]]:
    """The segment rules in words, in the order they are checked."""
    spend = f" and spent at least {t.champion_spend} in total" if t.champion_spend else ""
    return [
        ("hibernating", f"last paid order more than {t.hibernating_days} days ago"),
        ("at_risk", f"last paid order more than {t.at_risk_days} days ago (and at most {t.hibernating_days})"),
        (
            "champions",
            f"at least {t.champion_orders} paid orders, the last one at most {t.champion_days} days ago{spend}",
        ),
        ("loyal", f"at least {t.loyal_orders} paid orders, the last one in the last {t.at_risk_days} days"),
        ("new", f"one paid order, in the last {t.at_risk_days} days"),
    ]


def coupon_text(c, currency: str) -> str:

    amount = f"{Decimal(c.amount).normalize():f}%" if c.discount_type == "percent" else format_money(c.amount, currency)
    parts = [f"{amount} off"]
    if c.minimum_amount:
        parts.append(f"min. spend {format_money(c.minimum_amount, currency)}")
    parts.append(f"valid {c.expires_days} days" if c.expires_days else "no expiry")
    return ", ".join(parts)


# --- the form ----------------------------------------------------------------------------------

FIELDS = (
    "name",
    "segment",
    "tier",
    "vip",
    "min_points",
    "max_points",
    "discount_type",
    "amount",
    "minimum_amount",
    "expires_days",
)


def parse_form(form) -> tuple[dict, dict, dict]:
    """(values as typed, errors per field, arguments for create_campaign)."""
    values = {name: (form.get(name) or "").strip() for name in FIELDS}
    values["push"] = "1" if form.get("push") in ("1", "on", "y") else ""
    errors: dict[str, str] = {}
    member_filter: dict = {}
    if values["segment"] and values["segment"] not in SEGMENTS:
        errors["segment"] = "Pick one of the segments."
    if values["tier"]:
        member_filter["tier"] = values["tier"]
    if values["vip"] in ("yes", "no"):
        member_filter["vip"] = values["vip"] == "yes"
    elif values["vip"]:
        errors["vip"] = "Pick yes, no or either."
    for name in ("min_points", "max_points"):
        raw = values[name]
        if raw:
            points = parse_db_int(raw)
            if points is not None:
                member_filter[name] = points
            else:
                errors[name] = "Enter a whole number of points (at most 2147483647)."
    if (
        "min_points" in member_filter
        and "max_points" in member_filter
        and member_filter["max_points"] < member_filter["min_points"]
    ):
        errors["max_points"] = "The highest balance must not be below the lowest."
    if not values["segment"] and not member_filter and "segment" not in errors:
        errors["segment"] = "Pick a segment or set at least one member filter."
    if values["discount_type"] not in DISCOUNT_TEXT:
        errors["discount_type"] = "Pick percentage or amount off."

    def number(name: str, default: str | None = None) -> Decimal | None:
        raw = (
            values[name].replace(",", ".") if values[name].count(",") == 1 and "." not in values[name] else values[name]
        )
        if not raw and default is not None:
            raw = default
        try:
            value = Decimal(raw)
        except InvalidOperation:
            errors[name] = "Enter a number." if not raw else f"'{values[name]}' is not a number."
            return None
        if not value.is_finite():
            errors[name] = f"'{values[name]}' is not a number."
            return None
        if abs(value) >= MAX_AMOUNT:
            errors[name] = "That amount is too large."
            return None
        return value

    amount = number("amount")
    if amount is not None and (amount <= 0 or (values["discount_type"] == "percent" and amount > 100)):
        errors["amount"] = "More than 0" + (
            " and at most 100 for a percentage." if values["discount_type"] == "percent" else "."
        )
    minimum = number("minimum_amount", "0")
    if minimum is not None and minimum < 0:
        errors["minimum_amount"] = "Cannot be negative."
    expires_days = None
    if values["expires_days"]:
        expires_days = parse_db_int(values["expires_days"], minimum=1, maximum=MAX_EXPIRES_DAYS)
        if expires_days is None:
            errors["expires_days"] = (
                f"A whole number of days from 1 to {MAX_EXPIRES_DAYS} (empty: the coupon never expires)."
            )
    if len(values["name"]) > 200:
        errors["name"] = "200 characters at most."
    args = {
        "discount_type": values["discount_type"],
        "amount": amount,
        "segment": values["segment"],
        "member_filter": member_filter,
        "expires_days": expires_days,
        "name": values["name"],
        "minimum_amount": minimum if minimum is not None else Decimal(0),
    }
    return values, errors, args


MAX_EXPIRES_DAYS = 3650
MAX_AMOUNT = Decimal(10) ** 9  # coupon amounts are Numeric(14, 2); far above any coupon
DEFAULT_VALUES = {
    "name": "",
    "segment": "at_risk",
    "tier": "",
    "vip": "",
    "min_points": "",
    "max_points": "",
    "discount_type": "percent",
    "amount": "10",
    "minimum_amount": "0",
    "expires_days": "30",
    "push": "1",
}


class CampaignView(SecureBaseView):
    write_endpoints = ("create_view",)

    # --- reading ---------------------------------------------------------------------------

    @expose("/")
    def index(self):
        stores = all_stores()
        store = selected_store(stores)
        sizes, chart, rows = {}, None, []
        t = thresholds()
        if store is not None:
            segments = store_segments(store, datetime.now(timezone.utc), t)
            sizes = {name: len(ids) for name, ids in segments.items()}
            chart = {"labels": [name.replace("_", " ") for name in SEGMENTS], "sizes": [sizes[n] for n in SEGMENTS]}
            rows = (
                db.session.execute(
                    db.select(Campaign).where(Campaign.store_id == store.id).order_by(Campaign.id.desc()).limit(200)
                )
                .scalars()
                .all()
            )
            for c in rows:
                if c.status != "done":
                    service.refresh_progress(c)
            db.session.commit()
        return self.render(
            "loyalty/campaigns.html",
            stores=stores,
            store=store,
            sizes=sizes,
            chart=chart,
            rules=threshold_rules(t),
            segment_text=SEGMENT_TEXT,
            segments=SEGMENTS,
            campaigns=rows,
            coupon_text=coupon_text,
        )

    def _campaign(self, campaign_id: int) -> tuple[Campaign, Store]:
        campaign = db.get_or_404(Campaign, campaign_id)
        return campaign, db.session.get(Store, campaign.store_id)

    def _progress(self, campaign: Campaign) -> dict:
        service.refresh_progress(campaign)
        db.session.commit()
        counts = dict(
            db.session.execute(
                db.select(Coupon.status, db.func.count())
                .where(Coupon.store_id == campaign.store_id, Coupon.key.startswith(f"campaign:{campaign.id}:"))
                .group_by(Coupon.status)
            ).all()
        )
        return {
            "status": campaign.status,
            "total": campaign.total,
            "issued": campaign.issued,
            "pushed": campaign.pushed,
            "failed": counts.get("failed", 0),
            "pending": counts.get("pending", 0),
            "used": counts.get("used", 0),
        }

    @expose("/<int:campaign_id>/")
    def campaign(self, campaign_id: int):
        campaign, store = self._campaign(campaign_id)
        progress = self._progress(campaign)
        failed = db.session.execute(
            db.select(Coupon, Member.email)
            .join(Member, Member.id == Coupon.member_id)
            .where(
                Coupon.store_id == campaign.store_id,
                Coupon.key.startswith(f"campaign:{campaign.id}:"),
                Coupon.status == "failed",
            )
            .order_by(Coupon.id)
            .limit(100)
        ).all()
        history = (
            db.session.execute(
                db.select(AuditEntry)
                .where(AuditEntry.target == f"campaign:{campaign.id}")
                .order_by(AuditEntry.id.desc())
                .limit(50)
            )
            .scalars()
            .all()
        )
        return self.render(
            "loyalty/campaign.html",
            campaign=campaign,
            store=store,
            progress=progress,
            failed=failed,
            history=history,
            coupon_text=coupon_text,
            segment_text=SEGMENT_TEXT,
        )

    @expose("/<int:campaign_id>/progress.json")
    def progress(self, campaign_id: int):
        campaign, _ = self._campaign(campaign_id)
        response = jsonify(self._progress(campaign))
        response.headers["Cache-Control"] = "no-store"
        return response

    # --- the new-campaign flow (admins) ---------------------------------------------------------

    def _form_context(self, store: Store) -> dict:
        names = (
            db.session.execute(db.select(Member.tier).where(Member.store_id == store.id, Member.tier != "").distinct())
            .scalars()
            .all()
        )
        tiers = in_rank_order(names, [program_in_force(store)[1]])
        return {
            "tiers": tiers,
            "segments": SEGMENTS,
            "segment_text": SEGMENT_TEXT,
            "discounts": DISCOUNT_TEXT,
            "rules": threshold_rules(thresholds()),
        }

    def _render_form(self, stores, store, values, errors, status=200):
        return self.render(
            "loyalty/campaign_new.html",
            stores=stores,
            store=store,
            v=values,
            errors=errors,
            **self._form_context(store),
        ), status

    @expose("/new/")
    def create_view(self):
        stores = all_stores()
        store = selected_store(stores)
        if store is None:
            flash("Connect a store first.", "error")
            return redirect(url_for(".index"))
        values = dict(DEFAULT_VALUES)
        if request.args.get("segment") in SEGMENTS:
            values["segment"] = request.args["segment"]
        return self._render_form(stores, store, values, {})[0]

    def _dry_run(self, store: Store, args: dict) -> tuple[int | None, str]:
        """How many members the campaign would reach, and the service's
        objection if any, by letting the service create it and rolling back."""
        try:
            campaign = service.create_campaign(store, actor=actor(), **args)
            return campaign.total, ""
        except service.CampaignError as exc:
            return None, str(exc)
        finally:
            db.session.rollback()

    def _posted_form(self):
        """The store and the campaign form of a POST; `refused` is the form
        page again (422) when a field is wrong."""
        stores = all_stores()
        store = selected_store(stores)
        if store is None:
            abort(404)
        values, errors, args = parse_form(request.form)
        refused = self._render_form(stores, store, values, errors, 422) if errors else None
        return stores, store, values, args, refused

    @expose("/new/confirm", methods=["POST"])
    def confirm(self):
        stores, store, values, args, refused = self._posted_form()
        if refused is not None:
            return refused
        total, problem = self._dry_run(store, args)
        if problem:
            return self._render_form(stores, store, values, {"_form": problem[:1].upper() + problem[1:] + "."}, 422)
        preview = Campaign(
            discount_type=args["discount_type"],
            amount=args["amount"],
            minimum_amount=args["minimum_amount"],
            expires_days=args["expires_days"],
        )
        return self.render(
            "loyalty/campaign_confirm.html",
            store=store,
            v=values,
            total=total,
            args=args,
            token=secrets.token_urlsafe(16),
            coupon=coupon_text(preview, store.currency),
            segment_text=SEGMENT_TEXT,
        )

    @expose("/new/send", methods=["POST"])
    def send(self):
        stores, store, values, args, refused = self._posted_form()
        if refused is not None:
            return refused
        token = (request.form.get("confirmation") or "").strip()
        if not token or len(token) > 64:
            flash("Confirm the campaign first: the number of members is shown before anything is sent.", "error")
            return self._render_form(stores, store, values, {}, 400)
        note = f"sent from the panel, confirmation {token}"
        existing = (
            db.session.execute(db.select(Campaign).where(Campaign.store_id == store.id, Campaign.note == note))
            .scalars()
            .first()
        )
        if existing is not None:
            flash("This confirmation was already sent; here is its campaign (nobody got a second coupon).", "info")
            return redirect(url_for(".campaign", campaign_id=existing.id))
        now = datetime.now(timezone.utc)
        try:
            campaign = service.create_campaign(store, actor=actor(), now=now, **args)
        except service.CampaignError as exc:
            db.session.rollback()
            return self._render_form(stores, store, values, {"_form": str(exc)}, 422)
        campaign.note = note
        db.session.commit()
        created, finished = self._issue(store, campaign, now)
        message = f"Campaign “{campaign.name}”: {count_of(created, 'coupon')} issued for {count_of(campaign.total, 'member')}."
        if not finished:
            flash(
                message + " Sending takes longer than one page load allows: press “Finish issuing” to go on "
                "(members already served are skipped).",
                "warning",
            )
            return redirect(url_for(".campaign", campaign_id=campaign.id))
        category = "success"
        if values["push"] and campaign.issued:
            pushed = self._push(store, campaign)
            message += " " + pushed
            category = "warning" if "could not be reached" in pushed or "refused" in pushed else category
        elif campaign.issued:
            message += " They go to the store with the next sync pass."
        flash(message, category)
        return redirect(url_for(".campaign", campaign_id=campaign.id))

    # --- actions on a campaign (admins) -------------------------------------------------------

    def _issue(self, store: Store, campaign: Campaign, now: datetime) -> tuple[int, bool]:
        """Issue the campaign's coupons (campaigns.issue_coupons), audited;
        (new coupons, whether issuing finished within the time budget)."""
        before = campaign.issued or 0
        finished = True
        try:
            created = service.issue_coupons(store, campaign, now=now, progress=_deadline_progress())
        except _OutOfTime:
            db.session.rollback()
            finished = False
            service.refresh_progress(campaign)  # counts the coupons committed so far; status stays "issuing"
            created = campaign.issued - before
        record_audit(
            actor(),
            "campaign.issue",
            f"campaign:{campaign.id}",
            store_id=store.id,
            after={"total": campaign.total, "issued": campaign.issued, "new": created, "finished": finished},
            reason=campaign.name,
        )
        db.session.commit()
        return created, finished

    def _push(self, store: Store, campaign: Campaign) -> str:
        """Push the store's coupon outbox now (campaigns.push_campaign), audited."""

        error = ""
        result = None
        out_of_time = False
        try:
            client = store_connection.client_for(store, max_attempts=2, timeout=20)
            try:
                result = service.push_campaign(store, campaign, client, progress=_deadline_progress())
            finally:
                client.close()
        except _OutOfTime:
            out_of_time = True
        except StoreError as exc:
            db.session.rollback()
            error = str(exc)
            log.warning("campaign %s: push to %s failed: %s", campaign.id, store.name, error)
        service.refresh_progress(campaign)
        after = {"pushed": campaign.pushed, "issued": campaign.issued, "error": error}
        if result is not None:
            after.update(failed=result.coupons_failed, errors=result.errors[:20])
        record_audit(
            actor(), "campaign.push", f"campaign:{campaign.id}", store_id=store.id, after=after, reason=campaign.name
        )
        db.session.commit()
        if error:
            return (
                f"The store could not be reached: {error.rstrip('.')}. The coupons wait in the outbox and go "
                "with the next sync pass, or push them again from this page."
            )
        if out_of_time:
            return (
                f"{campaign.pushed} of {campaign.issued} are in the store so far; the rest go with the next sync "
                "pass (or press “Push now” again)."
            )
        failed = result.coupons_failed if result else 0
        return f"{campaign.pushed} of {campaign.issued} are in the store" + (
            f"; {failed} refused, see below." if failed else "."
        )

    @expose("/<int:campaign_id>/push", methods=["POST"])
    def push(self, campaign_id: int):
        campaign, store = self._campaign(campaign_id)
        if campaign.status == "issuing":
            flash("This campaign's coupons are not all issued yet; finish issuing first.", "error")
        elif campaign.status == "done":
            flash("Every coupon of this campaign is in the store already.", "info")
        else:
            pushed = self._push(store, campaign)
            flash(pushed, "warning" if "could not be reached" in pushed or "refused" in pushed else "success")
        return redirect(url_for(".campaign", campaign_id=campaign.id))

    @expose("/<int:campaign_id>/resume", methods=["POST"])
    def resume(self, campaign_id: int):
        """Finish issuing a campaign whose sending was interrupted. Members
        who have their coupon are skipped by the service; a campaign that was
        fully issued is never sent again."""
        campaign, store = self._campaign(campaign_id)
        if campaign.status != "issuing":
            flash(
                f"Campaign “{campaign.name}” was sent already ({count_of(campaign.issued, 'coupon')}); "
                "it is never sent twice.",
                "info",
            )
            return redirect(url_for(".campaign", campaign_id=campaign.id))
        created, finished = self._issue(store, campaign, datetime.now(timezone.utc))
        message = f"{count_of(created, 'more coupon', 'more coupons')} issued ({campaign.issued} in all)."
        if not finished:
            flash(message + " Not finished yet: press “Finish issuing” again.", "warning")
            return redirect(url_for(".campaign", campaign_id=campaign.id))
        if request.form.get("push") in ("1", "on", "y") and campaign.issued:
            message += " " + self._push(store, campaign)
        flash(message, "success")
        return redirect(url_for(".campaign", campaign_id=campaign.id))
