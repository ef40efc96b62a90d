"""Every coupon the program issued, with the store's error when a push failed."""

from __future__ import annotations

from flask import flash, url_for
from flask_admin.actions import action
from flask_admin.contrib.sqla.filters import FilterEqual
from markupsafe import Markup, escape

from admin.store_picker import when_text
from admin.security import SecureModelView, actor
from loyalty_sync.wording import count_of
from loyalty_sync.actions import member_actions
from loyalty_sync.engine.coupon_kinds import coupon_kind_choices, coupon_kind_name
from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon, Member, Store


def _status(view, context, model, name):
    colour = {"used": "success", "pushed": "info", "pending": "secondary", "expired": "dark", "failed": "danger"}.get(
        model.status, "secondary"
    )
    return Markup(f'<span class="badge badge-{colour}">{escape(model.status)}</span>')


def _member(view, context, model, name):
    """Name and email, linked to the member page (the coupon's own email is
    what the store restricts it to; the member's may have changed since)."""
    member = getattr(model, "member_row", None)
    email = member.email if member is not None else model.email
    name_text = f"{member.first_name} {member.last_name}".strip() if member is not None else ""
    label = escape(name_text or email or "member")
    under = f'<br><span class="small text-muted">{escape(email)}</span>' if name_text and email else ""
    href = url_for("members.member", member_id=model.member_id)
    return Markup(f'<a href="{href}" data-testid="coupon-member">{label}</a>{under}')


def _kind(view, context, model, name):
    return coupon_kind_name(model.source)


def _gives(view, context, model, name):
    if model.discount_type == "percent":
        text = f"{model.amount.normalize():f}%"
    else:
        text = f"{model.amount:.2f}"
    if model.free_shipping:
        text += " + free shipping"
    return text


def _when(view, context, model, name):
    value = getattr(model, name)
    return when_text(value) if value is not None else ""


def _error(view, context, model, name):
    if not model.last_error:
        return ""
    return Markup(f'<span class="text-danger small">{escape(model.last_error)}</span>')


class CouponView(SecureModelView):
    column_list = (
        "code",
        "store",
        "member",
        "source",
        "gives",
        "points_cost",
        "status",
        "issued_at",
        "expires_at",
        "used_at",
        "push_attempts",
        "last_error",
    )
    column_labels = {
        "source": "Kind",
        "gives": "Gives",
        "points_cost": "Points",
        "push_attempts": "Push attempts",
        "last_error": "Store's error",
        "issued_at": "Issued",
        "expires_at": "Expires",
        "used_at": "Used",
    }
    column_formatters = {
        "status": _status,
        "member": _member,
        "source": _kind,
        "gives": _gives,
        "last_error": _error,
        "store": lambda v, c, m, n: m.store_name,
        "issued_at": _when,
        "expires_at": _when,
        "used_at": _when,
    }
    column_searchable_list = ("code", "email")
    column_filters = (
        "status",
        FilterEqual(Coupon.source, "Kind", options=coupon_kind_choices),
        "discount_type",
        "store_id",
    )
    column_sortable_list = ("code", "source", "status", "issued_at", "expires_at", "used_at", "points_cost")
    column_default_sort = ("issued_at", True)
    column_descriptions = {"last_error": "What the store answered when the coupon could not be created there."}

    def __init__(self, **kwargs):
        super().__init__(Coupon, db, **kwargs)

    def get_list(self, *args, **kwargs):
        count, rows = super().get_list(*args, **kwargs)
        names = dict(db.session.execute(db.select(Store.id, Store.name)).all())
        member_ids = {row.member_id for row in rows}
        members = {m.id: m for m in db.session.execute(db.select(Member).where(Member.id.in_(member_ids))).scalars()}
        for row in rows:
            row.store_name = names.get(row.store_id, "")
            row.member_row = members.get(row.member_id)
        return count, rows

    @action("resend", "Re-send to the store", "Put the selected failed coupons back in the outbox?")
    def action_resend(self, ids):
        done, refused = 0, []
        for coupon in db.session.execute(db.select(Coupon).where(Coupon.id.in_([int(i) for i in ids]))).scalars():
            store = db.session.get(Store, coupon.store_id)
            try:
                member_actions.resend_coupon(store, coupon, actor=actor())
                done += 1
            except member_actions.ActionRefused as refusal:
                refused.append(f"{coupon.code}: {refusal}")
        db.session.commit()
        if done:
            flash(f"{count_of(done, 'coupon')} will be sent to the store again.", "success")
        for message in refused:
            flash(message, "error")


__all__ = ["CouponView", "Member"]
