"""RFM segments (hand-computed) and campaigns: one personal coupon per
member, never twice, progress tracked; the CLI."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from loyalty_sync.actions.campaigns import CampaignError, create_campaign, issue_coupons, refresh_progress
from loyalty_sync.analysis.kpi import OrderRow
from loyalty_sync.analysis.segments import RfmThresholds, rfm, segment_of, store_segments
from loyalty_sync.extensions import db
from loyalty_sync.models import Campaign, Coupon
from tests.loyalty_sync.program.helpers import member, orders
from tests.support.wc import line, order

NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)


def ago(days):
    return NOW - timedelta(days=days)


def test_rfm_segments_hand_computed():
    t = RfmThresholds()
    assert segment_of(200, 9, Decimal(900), t) == "hibernating"
    assert segment_of(61, 9, Decimal(900), t) == "at_risk"
    assert segment_of(10, 5, Decimal(500), t) == "champions"
    assert segment_of(40, 5, Decimal(500), t) == "loyal"  # 5 orders but not recent enough for champions
    assert segment_of(10, 2, Decimal(50), t) == "loyal"
    assert segment_of(10, 1, Decimal(50), t) == "new"
    assert segment_of(10, 5, Decimal(50), RfmThresholds(champion_spend=Decimal(100))) == "loyal"
    assert RfmThresholds.from_dict({"at_risk_days": "90"}).at_risk_days == 90
    with pytest.raises(ValueError):
        RfmThresholds.from_dict({"recency": 3})
    rows = [OrderRow("champ", ago(d), "completed", Decimal(100)) for d in (3, 20, 50, 80, 100)]
    rows += [OrderRow("risky", ago(d), "completed", Decimal(100)) for d in (70, 300)]
    rows += [OrderRow("fresh", ago(2), "processing", Decimal(40)), OrderRow("fresh", ago(1), "cancelled", Decimal(9))]
    rows += [OrderRow("refunded", ago(2), "completed", Decimal(40), Decimal(40))]  # no paid order: no segment
    got = rfm(rows, NOW)
    assert {c: r.segment for c, r in got.items()} == {"champ": "champions", "risky": "at_risk", "fresh": "new"}
    assert (got["champ"].recency_days, got["champ"].frequency, got["champ"].monetary) == (3, 5, Decimal(500))


def _shop(store, now=NOW):
    history = []
    for n, (email, days) in enumerate(
        [
            ("ann@example.com", [100]),
            ("ben@example.com", [90, 70]),
            ("cid@example.com", [5]),
            ("dan@example.com", [400]),
        ],
        start=1,
    ):
        for k, d in enumerate(days):
            history.append(
                order(
                    n * 10 + k,
                    customer_id=n + 1,
                    email=email,
                    created=now - timedelta(days=d),
                    lines=[line((n * 10 + k) * 10, "20.00")],
                )
            )
    orders(store, history, now)


def test_campaign_to_a_segment_one_coupon_each_never_twice(store):
    _shop(store)
    segments = store_segments(store, NOW)
    at_risk = sorted(member(store, e).id for e in ("ann@example.com", "ben@example.com"))
    assert segments["at_risk"] == at_risk and segments["new"] == [member(store, "cid@example.com").id]
    assert segments["hibernating"] == [member(store, "dan@example.com").id]
    campaign = create_campaign(
        store,
        discount_type="percent",
        amount=Decimal(10),
        segment="at_risk",
        expires_days=30,
        name="come back",
        now=NOW,
    )
    db.session.commit()
    assert campaign.total == 2
    assert issue_coupons(store, campaign, now=NOW, batch_size=1) == 2
    assert issue_coupons(store, campaign, now=NOW) == 0  # re-run: nothing new
    coupons = (
        db.session.execute(db.select(Coupon).where(Coupon.source == "campaign").order_by(Coupon.member_id))
        .scalars()
        .all()
    )
    assert [c.key for c in coupons] == [f"campaign:{campaign.id}:{i}" for i in at_risk]
    assert [c.email for c in coupons] == ["ann@example.com", "ben@example.com"]
    assert all(c.expires_at == NOW + timedelta(days=30) and c.amount == 10 and c.status == "pending" for c in coupons)
    refresh_progress(campaign)
    assert (campaign.total, campaign.issued, campaign.pushed, campaign.status) == (2, 2, 0, "pushing")
    for c in coupons:
        c.status = "pushed"
    refresh_progress(campaign)
    assert (campaign.pushed, campaign.status) == (2, "done")


def test_campaign_with_a_member_filter_and_bad_templates(store):
    _shop(store)
    cid = member(store, "cid@example.com").id
    campaign = create_campaign(
        store, discount_type="fixed_cart", amount=Decimal(5), member_filter={"member_ids": [cid]}, now=NOW
    )
    assert campaign.total == 1
    for kw in (
        {"discount_type": "percent", "amount": Decimal(120), "segment": "loyal"},
        {"discount_type": "bogus", "amount": Decimal(5), "segment": "loyal"},
        {"discount_type": "percent", "amount": Decimal(5), "segment": "sleepy"},
        {"discount_type": "percent", "amount": Decimal(5)},
    ):
        with pytest.raises(CampaignError):
            create_campaign(store, now=NOW, **kw)


def test_campaigns_cli_send_without_push_and_list(runner, store):
    _shop(store, datetime.now(timezone.utc))  # the command segments as of the real clock
    result = runner.invoke(
        args=[
            "campaigns",
            "send",
            "--store",
            "shop",
            "--segment",
            "hibernating",
            "--type",
            "fixed_cart",
            "--amount",
            "7.5",
            "--name",
            "wake up",
            "--no-push",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "1 issued" in result.output
    campaign = db.session.execute(db.select(Campaign)).scalar_one()
    [coupon] = db.session.execute(db.select(Coupon).where(Coupon.source == "campaign")).scalars().all()
    assert coupon.amount == Decimal("7.50") and coupon.key == f"campaign:{campaign.id}:{coupon.member_id}"
    listing = runner.invoke(args=["campaigns", "list", "--store", "shop"])
    assert listing.exit_code == 0 and "wake up" in listing.output and "pushing" in listing.output
