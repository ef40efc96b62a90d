"""Members at risk (`loyalty_sync.analysis.at_risk`): about to drop a tier, points
expiring soon, or in the RFM "at risk" segment. Each list has a CSV export
(the same rows and columns as `members at-risk --csv`) and, for admins, a
one-step "send a campaign to this list" (`campaigns.campaign_for_list`: one
personal coupon per listed member, issued inside the request, pushed by the
next sync pass or "Push now" on the campaign page)."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

from flask import Response, flash, redirect, request, url_for
from flask_admin import expose

from admin.security import SecureBaseView, actor
from loyalty_sync.wording import count_of
from admin.store_picker import all_stores, selected_store
from loyalty_sync.actions import campaigns
from loyalty_sync.actions.campaigns import CampaignError
from loyalty_sync.analysis import at_risk
from loyalty_sync.engine.program import DISCOUNT_TYPES
from loyalty_sync.extensions import db
from loyalty_sync.int_bounds import parse_db_int
from loyalty_sync.models import record_audit

DEFAULT_DAYS = 30
MAX_DAYS = 365
SHOWN = 1000
MAX_EXPIRES_DAYS = 3650
MAX_AMOUNT = Decimal(10) ** 9  # coupon amounts are Numeric(14, 2); far above any coupon
TITLES = {"tier": "About to drop a tier", "expiry": "Points expiring soon", "churn": "Churn risk (RFM at risk)"}


def list_args(values) -> tuple[str, int, str]:
    """(kind, days, problem) from the query string or form."""
    kind = values.get("kind") or "tier"
    problem = ""
    if kind not in at_risk.KINDS:
        kind, problem = "tier", f"Unknown list; showing '{TITLES['tier']}'."
    raw = (values.get("days") or "").strip()
    days = DEFAULT_DAYS
    if raw:
        if raw.isdigit() and 1 <= int(raw) <= MAX_DAYS:
            days = int(raw)
        else:
            problem = f"Days must be a whole number from 1 to {MAX_DAYS}; showing {DEFAULT_DAYS}."
    return kind, days, problem


class AtRiskView(SecureBaseView):
    @expose("/")
    def index(self):
        stores = all_stores()
        store = selected_store(stores)
        kind, days, problem = list_args(request.args)
        rows = at_risk.at_risk(store, kind, now=datetime.now(timezone.utc), days=days) if store else []
        extra = [k for k in (rows[0] if rows else {}) if k not in at_risk.CSV_FIELDS]
        return self.render(
            "loyalty/at_risk.html",
            stores=stores,
            store=store,
            kind=kind,
            days=days,
            problem=problem,
            rows=rows[:SHOWN],
            count=len(rows),
            extra=extra,
            titles=TITLES,
            discount_types=DISCOUNT_TYPES,
        )

    @expose("/at-risk.csv")
    def csv(self):
        store = selected_store()
        kind, days, _ = list_args(request.args)
        rows = at_risk.at_risk(store, kind, now=datetime.now(timezone.utc), days=days) if store else []
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M")
        name = f"at-risk-{kind}-{store.name if store else 'none'}-{stamp}.csv"
        return Response(
            at_risk.write_csv(rows),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
        )

    @expose("/campaign", methods=["POST"])
    def campaign(self):
        store = selected_store()
        kind, days, _ = list_args(request.form)
        back = url_for(".index", store=store.id if store else None, kind=kind, days=days)
        if store is None:
            flash("Pick a store.", "error")
            return redirect(back)
        discount_type = request.form.get("discount_type", "fixed_cart")
        try:
            amount = Decimal((request.form.get("amount") or "").strip())
            expires = parse_db_int(request.form.get("expires_days") or 30, minimum=1, maximum=MAX_EXPIRES_DAYS)
            if expires is None or not amount.is_finite() or abs(amount) >= MAX_AMOUNT:
                raise ValueError("out of range")
        except (InvalidOperation, ValueError):
            flash("Enter the coupon amount as a number and the validity in whole days.", "error")
            return redirect(back)
        now = datetime.now(timezone.utc)
        rows = at_risk.at_risk(store, kind, now=now, days=days)
        try:
            campaign = campaigns.campaign_for_list(
                store,
                kind,
                rows,
                discount_type=discount_type,
                amount=amount,
                expires_days=expires,
                actor=actor(),
                now=now,
                name=(request.form.get("name") or "").strip()[:120],
            )
        except CampaignError as exc:
            db.session.rollback()
            flash(f"No campaign sent: {exc}.", "error")
            return redirect(back)
        record_audit(
            actor(),
            "at_risk.campaign",
            f"campaign:{campaign.id}",
            store_id=store.id,
            after={
                "kind": kind,
                "days": days,
                "members": len({r["member_id"] for r in rows}),
                "discount_type": discount_type,
                "amount": str(amount),
            },
        )
        db.session.commit()
        flash(
            f"Campaign '{campaign.name}' created for {count_of(campaign.total, 'member')}; "
            f"{count_of(campaign.issued, 'coupon')} issued, on their way to the store.",
            "success",
        )
        return redirect(url_for("campaigns.campaign", campaign_id=campaign.id))
