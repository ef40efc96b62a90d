"""Members: a searchable list that stays fast on big stores, and the member
page that explains a balance line by line, with the admin's actions."""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from sqlalchemy import func, or_

from admin.security import SecureBaseView, actor
from loyalty_sync.wording import count_of
from admin.store_picker import all_stores
from loyalty_sync.actions import member_actions
from loyalty_sync.books import member_links
from loyalty_sync.books.program_versions import program_in_force
from loyalty_sync.books.statements import member_statement
from loyalty_sync.engine.tier_order import in_rank_order
from loyalty_sync.extensions import db
from loyalty_sync.int_bounds import parse_db_int
from loyalty_sync.models import Coupon, LedgerEntry, Member, Order, Store, VipPeriod, record_audit

PAGE_SIZE = 50
SORTS = {
    "email": Member.email,
    "name": Member.last_name,
    "points": Member.points,
    "tier": Member.tier,
    "spend": Member.spend_12m,
    "orders": Member.orders_count,
    "last_order": Member.last_order_at,
    "joined": Member.created_at,
}


def _int_arg(name: str) -> int | None:
    return parse_db_int(request.args.get(name, ""))


def member_query(args) -> tuple:
    """The filtered query (without order and paging) for the list and the CSV export."""
    query = db.select(Member).where(Member.merged_into_id.is_(None))
    store_id = args.get("store", "")
    if parse_db_int(store_id, minimum=1) is not None:
        query = query.where(Member.store_id == int(store_id))
    q = (args.get("q") or "").strip().lower()
    if q:
        if "@" in q:
            # Emails are stored lowercased: a prefix match uses the (store, email) index.
            query = query.where(Member.email.like(_escape(q) + "%", escape="\\"))
        else:
            pattern = "%" + _escape(q) + "%"
            query = query.where(
                or_(
                    Member.email.like(pattern, escape="\\"),
                    func.lower(Member.first_name).like(pattern, escape="\\"),
                    func.lower(Member.last_name).like(pattern, escape="\\"),
                    func.lower(Member.first_name + " " + Member.last_name).like(pattern, escape="\\"),
                )
            )
    tier = args.get("tier", "")
    if tier:
        query = query.where(Member.tier == tier)
    vip = args.get("vip", "")
    if vip in ("yes", "no"):
        query = query.where(Member.vip.is_(vip == "yes"))
    for name, op in (("min_points", "__ge__"), ("max_points", "__le__")):
        raw = (args.get(name) or "").strip()
        points = parse_db_int(raw)
        if points is not None:
            query = query.where(getattr(Member.points, op)(points))
    return query


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


EXTRA_PREFIXES = ("referral:", "review:", "birthday:")
VIP_PERKS = ("vip_free_shipping", "vip_exclusive")


def _extras(store: Store, member: Member, coupons: list[Coupon]) -> dict:
    """The program extras of a member: referral code and history (with the
    0-point lines that say why a use earned nothing), review bonuses,
    birthday gifts, VIP perk coupons."""

    lines = (
        db.session.execute(
            db.select(LedgerEntry)
            .where(LedgerEntry.member_id == member.id, or_(*[LedgerEntry.key.startswith(p) for p in EXTRA_PREFIXES]))
            .order_by(LedgerEntry.at, LedgerEntry.id)
        )
        .scalars()
        .all()
    )
    referral_lines = [line for line in lines if line.key.startswith("referral:")]
    friend_orders = sorted({line.order_wc_id for line in referral_lines if line.order_wc_id is not None})
    friends = (
        dict(
            db.session.execute(
                db.select(Order.wc_id, Order.email).where(Order.store_id == store.id, Order.wc_id.in_(friend_orders))
            ).all()
        )
        if friend_orders
        else {}
    )
    _, program = program_in_force(store)
    by_source: dict[str, list[Coupon]] = {}
    for c in coupons:
        by_source.setdefault(c.source, []).append(c)
    standing = {}
    for line in referral_lines:
        base = ":".join(line.key.split(":")[:2])
        standing[base] = standing.get(base, 0) + line.points
    return {
        "referral_code": member.referral_code,
        "referral_coupons": by_source.get("referral", []),
        "referrals": referral_lines,
        "friends": friends,
        "referrals_standing": sum(1 for v in standing.values() if v > 0),
        "reviews": [line for line in lines if line.key.startswith("review:")],
        "birthday_lines": [line for line in lines if line.key.startswith("birthday:")],
        "birthday_coupons": by_source.get("birthday", []),
        "vip_perks": [c for c in coupons if c.source in VIP_PERKS],
        "program": program,
    }


def _tiers_for_filter(store: Store | None, stores: list[Store]) -> list[str]:
    """The tiers members hold (of the picked store, or of all), lowest first as the ladders go."""
    query = db.select(Member.tier).where(Member.tier != "").distinct()
    if store is not None:
        query = query.where(Member.store_id == store.id)
    names = db.session.execute(query).scalars().all()
    return in_rank_order(names, [program_in_force(s)[1] for s in ([store] if store is not None else stores)])


class MembersView(SecureBaseView):
    write_endpoints = ()

    @expose("/")
    def index(self):
        stores = all_stores()
        query = member_query(request.args)
        total = db.session.execute(db.select(func.count()).select_from(query.subquery())).scalar_one()
        sort = request.args.get("sort", "points")
        column = SORTS.get(sort, Member.points)
        descending = (
            request.args.get("dir", "desc" if sort in ("points", "spend", "orders", "last_order") else "asc") == "desc"
        )
        order = [column.desc() if descending else column.asc(), Member.id.desc() if descending else Member.id.asc()]
        pages = max(1, math.ceil(total / PAGE_SIZE))
        page = min(max(1, _int_arg("page") or 1), pages)
        members = (
            db.session.execute(query.order_by(*order).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).scalars().all()
        )
        stores_by_id = {s.id: s for s in stores}
        tiers = _tiers_for_filter(stores_by_id.get(parse_db_int(request.args.get("store", ""), minimum=1)), stores)
        args = {k: v for k, v in request.args.items() if k != "page" and v}

        def page_url(p):
            return url_for(".index", **args, page=p)

        def sort_url(key):
            new_dir = "asc" if (key == sort and descending) else "desc"
            return url_for(".index", **{**args, "sort": key, "dir": new_dir})

        return self.render(
            "loyalty/members.html",
            members=members,
            total=total,
            page=page,
            pages=pages,
            page_url=page_url,
            sort_url=sort_url,
            sort=sort,
            descending=descending,
            stores=stores,
            stores_by_id=stores_by_id,
            tiers=tiers,
            args=request.args,
        )

    @expose("/<int:member_id>/")
    def member(self, member_id: int):
        member = db.get_or_404(Member, member_id)
        store = db.session.get(Store, member.store_id)
        statement = member_statement(store, member)
        running = 0
        for line in statement["ledger"]:
            running += line["points"]
            line["balance"] = running
        vip_periods = (
            db.session.execute(
                db.select(VipPeriod).where(VipPeriod.member_id == member.id).order_by(VipPeriod.start.desc())
            )
            .scalars()
            .all()
        )
        orders = (
            db.session.execute(
                db.select(Order).where(Order.member_id == member.id).order_by(Order.created.desc()).limit(100)
            )
            .scalars()
            .all()
        )
        coupons = (
            db.session.execute(
                db.select(Coupon)
                .where(Coupon.member_id == member.id)
                .order_by(Coupon.issued_at.desc(), Coupon.id.desc())
            )
            .scalars()
            .all()
        )
        order_count = db.session.execute(
            db.select(func.count()).select_from(Order).where(Order.member_id == member.id)
        ).scalar_one()
        return self.render(
            "loyalty/member.html",
            member=member,
            store=store,
            statement=statement,
            vip_periods=vip_periods,
            orders=orders,
            coupons=coupons,
            order_count=order_count,
            extras=_extras(store, member, coupons),
        )

    # --- actions (POST only: the secure base makes them admin-only, CSRFProtect checks the token)

    def _act(self, member_id: int, action):
        member = db.get_or_404(Member, member_id)
        store = db.session.get(Store, member.store_id)
        try:
            message = action(store, member)
            db.session.commit()
            flash(message, "success")
        except member_actions.ActionRefused as refusal:
            db.session.rollback()
            flash(str(refusal), "error")
        return redirect(url_for(".member", member_id=member_id))

    @expose("/<int:member_id>/adjust", methods=["POST"])
    def adjust(self, member_id: int):
        raw = request.form.get("amount", "").strip()

        def action(store, member):
            try:
                amount = int(Decimal(raw)) if raw and Decimal(raw) == int(Decimal(raw)) else None
            except (InvalidOperation, ValueError):
                amount = None
            if amount is None:
                raise member_actions.ActionRefused("The amount must be a whole number of points, e.g. 50 or -20.")
            member_actions.adjust_points(store, member, amount, request.form.get("reason", ""), actor=actor())
            return f"{'+' if amount > 0 else ''}{count_of(amount, 'point')} booked for {member.display_name}; balance now {member.points}."

        return self._act(member_id, action)

    @expose("/<int:member_id>/vip/invite", methods=["POST"])
    def vip_invite(self, member_id: int):
        def action(store, member):
            period = member_actions.invite_to_vip(store, member, request.form.get("reason", ""), actor=actor())
            return f"{member.display_name} is VIP until {period.end:%Y-%m-%d}."

        return self._act(member_id, action)

    @expose("/<int:member_id>/vip/remove", methods=["POST"])
    def vip_remove(self, member_id: int):
        def action(store, member):
            still = member_actions.remove_from_vip(store, member, request.form.get("reason", ""), actor=actor())
            if still:
                return f"VIP periods ended, but {member.display_name} qualifies again from their orders and stays VIP."
            return f"{member.display_name} is no longer VIP."

        return self._act(member_id, action)

    @expose("/<int:member_id>/anonymise", methods=["POST"])
    def anonymise(self, member_id: int):
        if request.form.get("confirm") != "yes":
            flash("Tick the confirmation box to anonymise: it cannot be undone.", "error")
            return redirect(url_for(".member", member_id=member_id))

        def action(store, member):
            member_actions.anonymise(store, member, request.form.get("reason", ""), actor=actor())
            return "Personal data removed; the points history is kept."

        return self._act(member_id, action)

    # --- "copy member page link" (admin only: a POST; audited; the links are not stored anywhere)
    @expose("/<int:member_id>/link", methods=["POST"])
    def member_link(self, member_id: int):

        member = db.get_or_404(Member, member_id)
        if member.merged_into_id is not None or member.anonymised_at is not None:
            flash("This member's page links do not work (merged into another member or anonymised).", "error")
            return redirect(url_for(".member", member_id=member_id))
        base = member_links.public_base_url() or request.url_root.rstrip("/")
        links = {
            kind: f"{base}/{prefix}/{member_links.make_token(member.store_id, member.id, kind)}"
            for kind, (_salt, prefix) in member_links.KINDS.items()
        }
        record_audit(
            actor(),
            "member.copy_link",
            f"member:{member.id}",
            store_id=member.store_id,
            after={"links": sorted(links)},
            reason=request.form.get("reason", ""),
        )
        db.session.commit()
        return (
            self.render(
                "loyalty/member_link.html",
                member=member,
                links=links,
                base_is_set=bool(member_links.public_base_url()),
                days=member_links.link_days(),
            ),
            200,
            {"Cache-Control": "no-store"},
        )

    @expose("/<int:member_id>/coupons/<int:coupon_id>/resend", methods=["POST"])
    def resend_coupon(self, member_id: int, coupon_id: int):
        coupon = db.get_or_404(Coupon, coupon_id)
        if coupon.member_id != member_id:
            abort(404)

        def action(store, member):
            member_actions.resend_coupon(store, coupon, actor=actor(), reason=request.form.get("reason", ""))
            return f"Coupon {coupon.code} will be sent to the store again."

        return self._act(member_id, action)
