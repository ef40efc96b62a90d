"""Writing member emails into the outbox, in the transaction of the event
that causes them (the plan being booked, the daily upkeep's expiry check).

What is written here is only *that* a message is due and which event it is
about (a coupon's key, the points of a day, an expiry date, a tier); the
text is made when it is sent (`loyalty_sync.notifications`), from the books
as they are then: a coupon email carries the code the store has.

Rules:
- nothing for a store whose emails are off, for a kind switched off, for a
  member without an email address, merged into another, or unsubscribed;
- only for recent events (`RECENT`): the first sync of a shop books years of
  history, and nobody wants an email about an order of 2023 (nor about the
  coupons and tiers those old orders add up to today);
- the key is "<kind>:m<member id>:<event ref>", unique in the store
  (`OutboxMessage`), so re-planning, a replayed webhook or a second writer
  never queues a message twice;
- points earned are a digest: one message per member and (shop) day. Points
  booked while the day's message still waits are added to it; once it is
  being sent or sent, they wait for the next day's;
- a birthday (bonus and coupon: one email a year) and a referral bonus (one
  per friend's order) have their own message when the store sends it, and
  are then not in the digest; a VIP welcome per VIP period begun recently.
Written elsewhere through `Outbox.add`: the campaign coupon (with the coupon,
`actions.campaigns`), the daily upkeep's expiry, tier-at-risk and NPS
reminders (`notifications.expiry_reminders`, `.tier_risk_reminders`,
`actions.nps_invites`).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, tzinfo
from urllib.parse import urlsplit

from loyalty_sync.books.member_books import member_key
from loyalty_sync.engine.ledger import CouponLine, CouponSource, LedgerKind, MemberBooks, VipPeriod
from loyalty_sync.engine.plan import Plan
from loyalty_sync.engine.program import Program
from loyalty_sync.engine.tiers import tier_rank
from loyalty_sync.extensions import db
from loyalty_sync.models import EmailOptOut, EmailSettings, Member, OutboxMessage, Store
from loyalty_sync.shop_time import zone

RECENT = timedelta(days=2)
# Coupons a member is told about; a referral code is theirs to share, a campaign coupon has its own message.
COUPONS_TO_ANNOUNCE = (
    CouponSource.REWARD,
    CouponSource.TIERUP,
    CouponSource.BIRTHDAY,
    CouponSource.VIP_EXCLUSIVE,
    CouponSource.VIP_FREE_SHIPPING,
)
CALENDAR_COUPONS = (CouponSource.BIRTHDAY, CouponSource.VIP_FREE_SHIPPING)
EARNING_KINDS = (LedgerKind.EARN, LedgerKind.BONUS)


def email_settings(store_id: int) -> EmailSettings | None:
    return db.session.execute(db.select(EmailSettings).filter_by(store_id=store_id)).scalar_one_or_none()


def shop_zone(store: Store) -> tzinfo:
    """Emails date things in the shop's zone, as WordPress states it (Store.timezone)."""
    return zone(store.timezone)


def is_unsubscribed(member_id: int) -> bool:
    return db.session.get(EmailOptOut, member_id) is not None


def _order_of(referral_key: str) -> int | None:
    """The friend's order of a "referral:<order id>[:<n>]" bonus line."""
    part = referral_key.split(":")[1] if referral_key.count(":") >= 1 else ""
    return int(part) if part.isdigit() else None


def message_key(kind: str, member: Member, ref: str) -> str:
    return f"{kind}:{member_key(member)}:{ref}"[:200]


def endpoint_label(url: str) -> str:
    """Where a webhook row goes, as the outbox list shows it: the host only (a Zapier or Klaviyo
    hook's path is as good as a password)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"[:254]


def channel_key(channel: str, key: str) -> str:
    """The email keeps the plain key (the Message-ID is made of it); the webhook's is prefixed."""
    return key if channel == "email" else f"{channel}:{key}"[:200]


class Outbox:
    """The messages a batch of plans causes, for one store and one `now`."""

    def __init__(self, store: Store, now: datetime):
        self.store = store
        self.now = now
        self.settings = email_settings(store.id)

    @property
    def active(self) -> bool:
        return self.settings is not None and (self.settings.enabled or self.settings.hooks)

    def wants(self, kind: str) -> bool:
        """An email of this kind, or the webhook, is sent for this store."""
        return self.settings is not None and bool(self.settings.channels(kind))

    def after_plan(self, member: Member, books: MemberBooks, plan: Plan, program: Program) -> None:
        """The messages of one member's plan, just booked (same transaction)."""
        vip_started = self._vip_started(books, plan)
        if not self.active or not (plan.ledger or plan.coupons or vip_started):
            return
        recent = self.now - RECENT
        earned = [
            (line.key, line.points)
            for line in plan.ledger
            if line.kind in EARNING_KINDS and line.points > 0 and line.at >= recent
        ]
        # A reward or tier coupon is booked "now" even for years of history: news only when a recent
        # earning caused it. Birthday and monthly VIP coupons are the calendar's: news when issued.
        coupons = [
            coupon
            for coupon in plan.coupons
            if coupon.source in COUPONS_TO_ANNOUNCE
            and (earned or coupon.source in CALENDAR_COUPONS)
            and coupon.issued >= recent
            and (coupon.expires is None or coupon.expires > self.now)
        ]
        # Up from the lowest tier or above (a new member's first tier is no news), by a recent earning.
        tier_up = bool(earned) and tier_rank(plan.tier, program) > max(tier_rank(books.tier, program), 0)
        if not (earned or coupons or tier_up or vip_started) or not self._reachable(member):
            return  # (the reachability queries only for members with news: a first sync plans thousands)
        # A birthday or a referral bonus has its own message (when the store sends it), not a line in the digest.
        own = {key for key, _ in earned if self._has_own_message(key)}
        birthday = [coupon for coupon in coupons if coupon.source == CouponSource.BIRTHDAY]
        if birthday and self.wants("birthday"):
            coupons = [coupon for coupon in coupons if coupon.source != CouponSource.BIRTHDAY]
        for coupon in coupons:
            self.add(member, "coupon_ready", coupon.key, {"coupon_key": coupon.key})
        self._birthday(member, [(k, p) for k, p in earned if k.startswith("birthday:")], birthday)
        for key, points in earned:
            if key.startswith("referral:"):
                self.add(member, "referral_reward", key, {"points": points, "order_id": _order_of(key)})
        digest = [(k, p) for k, p in earned if k not in own]
        if digest:
            self.add_points(member, digest)
        if tier_up:
            self.add(
                member,
                "tier_up",
                f"{plan.tier}:{self._local_day(self.now).isoformat()}",
                {"tier": plan.tier, "from": books.tier},
            )
        for period in vip_started:
            self.add(
                member,
                "vip_welcome",
                f"{period.source}:{period.start.date().isoformat()}",
                {"source": period.source, "until": period.end.isoformat() if period.end else None},
            )

    def _has_own_message(self, line_key: str) -> bool:
        kind = {"birthday": "birthday", "referral": "referral_reward"}.get(line_key.split(":", 1)[0])
        return kind is not None and self.wants(kind)

    def _vip_started(self, books: MemberBooks, plan: Plan) -> list[VipPeriod]:
        """VIP periods new in this plan that have begun, recently (not a first sync's old ones)."""
        known = {(p.source, p.start) for p in books.vip_periods}
        recent = self.now - RECENT
        return [
            p
            for p in plan.vip_periods
            if (p.source, p.start) not in known
            and recent <= p.start <= self.now
            and (p.end is None or p.end > self.now)
        ]

    def _birthday(self, member: Member, bonus: list[tuple[str, int]], coupons: list[CouponLine]) -> None:
        """One birthday email a year: the bonus points and the birthday coupon, if the program gives them."""
        if not (bonus or coupons):
            return
        key = bonus[0][0] if bonus else coupons[0].key  # "birthday:<member>:<year>" for both
        self.add(
            member,
            "birthday",
            key.rsplit(":", 1)[-1],
            {"points": sum(p for _, p in bonus), "coupon_key": coupons[0].key if coupons else None},
        )

    def _reachable(self, member: Member) -> bool:
        return (
            bool(member.email)
            and member.merged_into_id is None
            and member.id is not None
            and not is_unsubscribed(member.id)
        )

    def add(self, member: Member, kind: str, ref: str, payload: dict, *, not_before: datetime | None = None) -> bool:
        """Queue one message per channel (email, webhook) unless its key is queued already; True if queued now."""
        if self.settings is None or not self._reachable(member):
            return False
        queued = False
        for channel in self.settings.channels(kind):
            key = channel_key(channel, message_key(kind, member, ref))
            if self._find(key) is not None:
                continue
            self._write(member, kind, channel, key, payload, not_before)
            queued = True
        return queued

    def add_points(self, member: Member, earned: list[tuple[str, int]]) -> None:
        """Into the day's digest while it waits, else into the next day's
        (a day's digest being sent or sent is never changed); per channel."""
        if self.settings is None:
            return
        for channel in self.settings.channels("points_earned"):
            self._add_points(member, earned, channel)

    def _add_points(self, member: Member, earned: list[tuple[str, int]], channel: str) -> None:
        day = self._local_day(self.now)
        for offset in range(0, 31):
            ref = (day + timedelta(days=offset)).isoformat()
            key = channel_key(channel, message_key("points_earned", member, ref))
            row = self._find(key)
            if row is None:
                not_before = None if offset == 0 else self._day_start(day + timedelta(days=offset))
                if self._reachable(member):
                    payload = {"points": sum(p for _, p in earned), "lines": [k for k, _ in earned]}
                    self._write(member, "points_earned", channel, key, payload, not_before)
                return
            if row.status == "queued":
                known = set(row.payload.get("lines", []))
                fresh = [(k, p) for k, p in earned if k not in known]
                row.payload = {
                    "points": int(row.payload.get("points", 0)) + sum(p for _, p in fresh),
                    "lines": [*row.payload.get("lines", []), *(k for k, _ in fresh)],
                }
                return

    def _write(self, member: Member, kind: str, channel: str, key: str, payload: dict, not_before) -> None:
        db.session.add(
            OutboxMessage(
                store_id=self.store.id,
                member_id=member.id,
                kind=kind,
                channel=channel,
                key=key,
                payload=payload,
                to_address=member.email if channel == "email" else endpoint_label(self._webhook_url()),
                created_at=self.now,
                next_attempt_at=not_before or self.now,
            )
        )

    def _webhook_url(self) -> str:
        """A webhook row is only written when the store has an endpoint (settings exist then)."""
        return self.settings.webhook_url if self.settings is not None else ""

    def _find(self, key: str) -> OutboxMessage | None:
        with db.session.no_autoflush:
            pending = next(
                (
                    o
                    for o in db.session.new
                    if isinstance(o, OutboxMessage) and o.store_id == self.store.id and o.key == key
                ),
                None,
            )
        if pending is not None:
            return pending
        return db.session.execute(
            db.select(OutboxMessage).filter_by(store_id=self.store.id, key=key)
        ).scalar_one_or_none()

    @property
    def zone(self) -> tzinfo:
        return shop_zone(self.store)

    def _local_day(self, moment: datetime):
        return moment.astimezone(self.zone).date()

    def _day_start(self, day) -> datetime:
        return datetime.combine(day, time(0), tzinfo=self.zone)
