"""What each kind of coupon is called where people read it (the panel, the
CLI, the first-sync plan): "tier-up reward", not `tierup`. One mapping, next
to the stored values of `CouponSource`, so every page names a kind the same."""

from __future__ import annotations

from loyalty_sync.engine.ledger import CouponSource

COUPON_KIND_NAMES: dict[str, str] = {
    CouponSource.REWARD: "points reward",
    CouponSource.TIERUP: "tier-up reward",
    CouponSource.VIP_FREE_SHIPPING: "VIP free shipping",
    CouponSource.VIP_EXCLUSIVE: "VIP exclusive coupon",
    CouponSource.REFERRAL: "referral coupon",
    CouponSource.BIRTHDAY: "birthday coupon",
    CouponSource.CAMPAIGN: "campaign coupon",
}


def coupon_kind_name(source: str | None) -> str:
    """The kind's name; a value this version does not know is shown as
    words rather than hidden ("old_kind" -> "old kind")."""
    if not source:
        return "coupon"
    return COUPON_KIND_NAMES.get(source, source.replace("_", " "))


def coupon_kind_choices() -> list[tuple[str, str]]:
    """(stored value, name) for filters and forms, in the order of `CouponSource.ALL`."""
    return [(source, COUPON_KIND_NAMES[source]) for source in CouponSource.ALL]
