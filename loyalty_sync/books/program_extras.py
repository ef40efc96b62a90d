"""The program beyond an order's own award, hooked into the apply service's
planning of a batch of members (`apply._plan_members`):

- the referrer's bonus (or the 0-point line saying why not) for a friend's
  order (referrals.py; the referral coupon itself is issued when the member
  first needs it, `referrals.referral_coupon_for`, not here);
- review bonuses and their take-backs (reviews.py);
- birthday coupon / points in the birthday week (birthdays.py,
  engine.bonuses.birthday_gifts);
- badges after the plan is written (badges.py).

The bonus lines are decided *before* `engine.plan.plan_member` runs and are
added to the books it plans from, so auto-redeem, expiry and the pushed
balance see them in the same transaction; then they are prepended to the
plan's ledger lines, which `books.write_plan` books as usual.

Use:
    extras = ProgramExtras(store, program, program_version, now)
    members = extras.expand(members)          # + the referrers to plan too
    for each chunk: loaded = load_books(chunk); extras.prepare(chunk, loaded)
        for each member: planned = extras.books_for(member, books)
                         plan = extras.merge(member, plan_member(planned, ...))
                         write_plan(member, books, plan, ...)
                         extras.after_write(member, books, plan)
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from loyalty_sync.books import badges as badge_rules
from loyalty_sync.books import referrals, reviews
from loyalty_sync.books.member_books import store_status
from loyalty_sync.engine.bonuses import birthday_gifts
from loyalty_sync.engine.ledger import CouponLine, LedgerLine, MemberBooks
from loyalty_sync.engine.plan import Plan, apply_plan
from loyalty_sync.engine.program import Program
from loyalty_sync.models import Member, Store


class ProgramExtras:
    def __init__(self, store: Store, program: Program, program_version: int, now: datetime):
        self.store, self.program, self.version, self.now = store, program, program_version, now
        self.referral = referrals.ReferralFacts(referrers={}, uses={}, addresses={})
        self._reviews: dict[str, list] = {}
        self._lines: dict[int, list[LedgerLine]] = {}
        self._coupons: dict[int, list[CouponLine]] = {}

    def expand(self, members: list[Member]) -> list[Member]:
        """The members to plan: these plus the owners of referral codes their
        orders used (the referrer's books change with the friend's order)."""
        self.referral = referrals.gather(self.store.id, members)
        ids = {m.id for m in members}
        extra = [m for mid, m in self.referral.referrers.items() if mid not in ids and m.merged_into_id is None]
        return list(members) + extra

    def prepare(self, chunk: list[Member], loaded) -> None:
        self._reviews = reviews.reviews_by_email(self.store.id, [m.email for m in chunk])
        badge_rules.preload_badges(chunk)

    def books_for(self, member: Member, books: MemberBooks) -> MemberBooks:
        """Decide this member's bonus lines and coupons; the books to plan from."""
        mk, program, now = books.member_key, self.program, self.now
        lines: list[LedgerLine] = []
        coupons: list[CouponLine] = []
        if member.id in self.referral.uses:
            referrer = referrals.referrer_of(member, mk, self.referral.addresses.get(member.id, frozenset()))
            lines += referrals.referral_lines(referrer, self.referral.uses[member.id], books.ledger, program, now)
        if member.anonymised_at is None and member.email in self._reviews:
            lines += reviews.review_lines(mk, self._reviews[member.email], books.ledger, program, now)
        if member.birthday is not None and member.anonymised_at is None:
            line, coupon = birthday_gifts(mk, member.birthday.isoformat(), books.ledger, books.coupons, program, now)
            if line is not None:
                lines.append(line)
            if coupon is not None:
                coupons.append(coupon)
        self._lines[member.id], self._coupons[member.id] = lines, coupons
        if not lines:
            return books
        return replace(books, ledger=tuple(books.ledger) + tuple(lines))

    def merge(self, member: Member, plan: Plan) -> Plan:
        lines, coupons = self._lines.pop(member.id, []), self._coupons.pop(member.id, [])
        if not lines and not coupons:
            return plan
        return replace(plan, ledger=lines + list(plan.ledger), coupons=coupons + list(plan.coupons))

    def after_write(self, member: Member, books: MemberBooks, plan: Plan) -> None:
        """Badges, once the plan is booked."""
        after = apply_plan(books, plan)
        names = badge_rules.badges_earned(
            (r.facts for r in after.orders), after.ledger, plan.tier, bool(member.vip), self.program
        )
        if badge_rules.award_badges(member, names, self.now):
            if store_status(member) != (member.pushed_status or {}):
                member.status_changed = True
