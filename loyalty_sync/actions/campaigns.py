"""Coupon campaigns: one personal coupon per member of an RFM segment
(segments.py) or of a member filter, sent through the coupon outbox.

- `create_campaign` records the campaign (a `models.Campaign` row) with its
  coupon template and how many members it targets (`total`);
- `issue_coupons` writes the coupons in batches (one transaction each): source
  `campaign`, key `campaign:<campaign id>:<member id>` (unique in the store,
  so a member never gets the same campaign twice, even when issuing is
  re-run after a crash), restricted to the member's email, usage limit 1,
  expiry `expires_days` after issue; `issued` counts them;
- the coupons are pushed like every other coupon (loyalty_sync/store_sync/push.py, in
  batches of 100), by the next sync pass or at once by `push_campaign`;
  `refresh_progress` counts the pushed ones into `pushed` and marks the
  campaign done when every coupon is in the store.

Member filters (all optional, combined with AND): `member_ids` (list),
`tier` (name), `vip` (true/false), `min_points` (int), `max_points` (int).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from loyalty_sync.actions.in_review import refusal_in_review
from loyalty_sync.analysis.segments import SEGMENTS, store_segments
from loyalty_sync.books.coupon_codes import new_coupon_code
from loyalty_sync.books.outbox import Outbox
from loyalty_sync.engine.program import DISCOUNT_TYPES
from loyalty_sync.extensions import db
from loyalty_sync.models import Campaign, Coupon, Member, Store, record_audit
from loyalty_sync.store_sync.push import PushResult, push_coupons

Progress = Callable[[str, int, int], None]


class CampaignError(ValueError):
    pass


def _refuse_in_review(store: Store) -> None:
    refusal = refusal_in_review(store, "send a campaign")
    if refusal:
        raise CampaignError(refusal)


def target_member_ids(store: Store, campaign: Campaign, now: datetime) -> list[int]:
    if campaign.segment:
        ids = store_segments(store, now)[campaign.segment]
    else:
        ids = list(
            db.session.execute(
                db.select(Member.id).where(
                    Member.store_id == store.id,
                    Member.merged_into_id.is_(None),
                    Member.anonymised_at.is_(None),
                    Member.email != "",
                )
            ).scalars()
        )
    f = campaign.member_filter or {}
    if not f:
        return sorted(ids)
    query = db.select(Member.id).where(Member.store_id == store.id, Member.id.in_(ids or [-1]))
    if "member_ids" in f:
        query = query.where(Member.id.in_([int(i) for i in f["member_ids"]] or [-1]))
    if "tier" in f:
        query = query.where(Member.tier == f["tier"])
    if "vip" in f:
        query = query.where(Member.vip.is_(bool(f["vip"])))
    if "min_points" in f:
        query = query.where(Member.points >= int(f["min_points"]))
    if "max_points" in f:
        query = query.where(Member.points <= int(f["max_points"]))
    return sorted(db.session.execute(query).scalars())


def create_campaign(
    store: Store,
    *,
    discount_type: str,
    amount: Decimal,
    segment: str = "",
    member_filter: dict | None = None,
    expires_days: int | None = 30,
    name: str = "",
    minimum_amount: Decimal = Decimal(0),
    free_shipping: bool = False,
    actor: str = "system",
    now: datetime | None = None,
) -> Campaign:
    """Record a campaign; the caller commits. Raises CampaignError on a bad
    template, or for a store in review (actions/in_review.py)."""
    now = now or datetime.now(timezone.utc)
    _refuse_in_review(store)
    if segment and segment not in SEGMENTS:
        raise CampaignError(f"unknown segment {segment!r}; one of {', '.join(SEGMENTS)}")
    if not segment and not member_filter:
        raise CampaignError("a campaign needs a segment or a member filter")
    if discount_type not in DISCOUNT_TYPES:
        raise CampaignError(f"discount type must be one of {', '.join(DISCOUNT_TYPES)}")
    amount = Decimal(str(amount))
    if amount <= 0 or (discount_type == "percent" and amount > 100):
        raise CampaignError("amount must be more than 0 (and at most 100 for a percentage)")
    if expires_days is not None and expires_days <= 0:
        raise CampaignError("expires-days must be at least 1")
    campaign = Campaign(
        store_id=store.id,
        name=name or f"{segment or 'filter'} {now:%Y-%m-%d}",
        segment=segment,
        member_filter=member_filter or {},
        discount_type=discount_type,
        amount=amount,
        minimum_amount=Decimal(minimum_amount),
        free_shipping=free_shipping,
        expires_days=expires_days,
        status="issuing",
        total=0,
        issued=0,
        pushed=0,
        created_by=actor,
        created_at=now,
    )
    db.session.add(campaign)
    db.session.flush()
    campaign.total = len(target_member_ids(store, campaign, now))
    record_audit(
        actor,
        "campaign.create",
        f"campaign:{campaign.id}",
        store_id=store.id,
        after={
            "segment": segment,
            "filter": member_filter or {},
            "discount_type": discount_type,
            "amount": str(amount),
            "total": campaign.total,
        },
        reason=campaign.name,
    )
    return campaign


def coupon_key(campaign: Campaign, member_id: int) -> str:
    return f"campaign:{campaign.id}:{member_id}"


def issue_coupons(
    store: Store,
    campaign: Campaign,
    *,
    now: datetime | None = None,
    batch_size: int = 500,
    progress: Progress | None = None,
) -> int:
    """Write the campaign's coupons, committing per batch; returns how many
    were new. Safe to re-run: members who have theirs are skipped. Refused
    (CampaignError) for a store in review."""
    _refuse_in_review(store)
    now = now or datetime.now(timezone.utc)
    ids = target_member_ids(store, campaign, now)
    prefix = f"campaign:{campaign.id}:"
    have = set(
        db.session.execute(
            db.select(Coupon.key).where(Coupon.store_id == store.id, Coupon.key.startswith(prefix))
        ).scalars()
    )
    todo = [i for i in ids if f"{prefix}{i}" not in have]
    campaign.total = max(campaign.total or 0, len(ids))
    expires = now + timedelta(days=campaign.expires_days) if campaign.expires_days else None
    outbox = Outbox(store, now)  # the "a coupon for you" email, in the coupon's transaction (books/outbox.py)
    created = 0
    for start in range(0, len(todo), batch_size):
        chunk = todo[start : start + batch_size]
        for member in db.session.execute(db.select(Member).where(Member.id.in_(chunk))).scalars():
            key = coupon_key(campaign, member.id)
            db.session.add(
                Coupon(
                    store_id=store.id,
                    member_id=member.id,
                    key=key,
                    code=new_coupon_code("campaign"),
                    source="campaign",
                    discount_type=campaign.discount_type,
                    amount=campaign.amount,
                    minimum_amount=campaign.minimum_amount,
                    free_shipping=bool(campaign.free_shipping),
                    email=member.email,
                    points_cost=0,
                    reason=f"campaign {campaign.name}",
                    issued_at=now,
                    expires_at=expires,
                    status="pending",
                )
            )
            if outbox.active:
                outbox.add(member, "campaign_coupon", key, {"coupon_key": key, "campaign": campaign.name})
            created += 1
        campaign.issued = len(have) + created
        db.session.commit()
        if progress:
            progress("issued", campaign.issued, campaign.total)
    campaign.issued = len(have) + created
    campaign.status = "pushing"
    db.session.commit()
    return created


def refresh_progress(campaign: Campaign, now: datetime | None = None) -> Campaign:
    counts = dict(
        db.session.execute(
            db.select(Coupon.status, db.func.count())
            .where(Coupon.store_id == campaign.store_id, Coupon.key.startswith(f"campaign:{campaign.id}:"))
            .group_by(Coupon.status)
        ).all()
    )
    campaign.issued = sum(counts.values())
    campaign.pushed = sum(n for status, n in counts.items() if status in ("pushed", "used", "expired"))
    if campaign.status != "issuing" and campaign.pushed >= campaign.issued:
        if campaign.status != "done":
            campaign.finished_at = now or datetime.now(timezone.utc)
        campaign.status = "done"
    return campaign


def push_campaign(store: Store, campaign: Campaign, client, progress: Progress | None = None):
    """Push the outbox now (campaign coupons and anything else pending), in
    batches of 100, updating the campaign's progress after each batch."""

    result = PushResult()
    while True:
        before = result.coupons_pushed + result.coupons_linked + result.coupons_failed
        push_coupons(store, client, result, limit=100)
        refresh_progress(campaign)
        db.session.commit()
        if progress:
            progress("pushed", campaign.pushed, campaign.issued)
        if result.coupons_pushed + result.coupons_linked + result.coupons_failed == before:
            return result


def campaign_for_list(
    store: Store,
    kind: str,
    rows: list[dict],
    *,
    discount_type: str,
    amount: Decimal,
    expires_days: int | None = 30,
    actor: str = "system",
    now: datetime | None = None,
    name: str = "",
):
    """Turn an at-risk list (analysis/at_risk.py) into a coupon campaign (one personal coupon per
    listed member, through the outbox); returns the Campaign, coupons issued."""
    now = now or datetime.now(timezone.utc)
    ids = sorted({r["member_id"] for r in rows})
    if not ids:
        raise CampaignError("nobody is on the list; no campaign")
    campaign = create_campaign(
        store,
        discount_type=discount_type,
        amount=Decimal(str(amount)),
        member_filter={"member_ids": ids},
        expires_days=expires_days,
        name=name or f"at risk ({kind}) {now:%Y-%m-%d}",
        actor=actor,
        now=now,
    )
    db.session.commit()
    issue_coupons(store, campaign, now=now)
    return campaign
