"""The storefront API's request and answer schemas (marshmallow). The same
classes validate requests and generate the OpenAPI document
(/api/v1/openapi.json), so the document cannot drift from the code."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from loyalty_sync.int_bounds import DB_INT_MAX


class ErrorDetail(ma.Schema):
    code = fields.String(required=True, metadata={"description": "machine-readable, e.g. not_enough_points"})
    message = fields.String(required=True)
    field = fields.String(allow_none=True, metadata={"description": "the request field at fault, if any"})


class Error(ma.Schema):
    error = fields.Nested(ErrorDetail, required=True)


class Points(ma.Schema):
    balance = fields.Integer(required=True)
    spendable = fields.Integer(required=True, metadata={"description": "can be redeemed now"})
    pending = fields.Integer(required=True, metadata={"description": "still inside the return window"})


class NextTier(ma.Schema):
    name = fields.String(required=True)
    multiplier = fields.String(required=True)
    threshold = fields.Raw(required=True, metadata={"description": "money (string) for spend, else a number"})
    to_go = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(),
        required=True,
        metadata={"description": "{spend|orders|points: what is missing}"},
    )
    before = fields.String(
        allow_none=True,
        metadata={
            "description": "ISO date: the oldest counted order leaves the rolling window then; null for lifetime"
        },
    )
    progress_percent = fields.Integer(required=True)


class TierInfo(ma.Schema):
    name = fields.String(required=True)
    multiplier = fields.String(required=True)
    metric = fields.String(required=True, validate=validate.OneOf(("spend", "orders", "points")))
    window = fields.String(required=True)
    current = fields.Raw(required=True)
    next = fields.Nested(NextTier, allow_none=True)


class Vip(ma.Schema):
    active = fields.Boolean(required=True)
    until = fields.String(allow_none=True)
    multiplier = fields.String(required=True)


class AvailableCoupon(ma.Schema):
    code = fields.String(required=True)
    discount_type = fields.String(required=True)
    amount = fields.String(
        required=True,
        metadata={"description": 'money ("5.00") for fixed_cart, a percentage for percent (WooCommerce\'s name)'},
    )
    minimum_spend = fields.String(allow_none=True)
    free_shipping = fields.Boolean(required=True)
    expires = fields.String(allow_none=True)
    usable_now = fields.Boolean(required=True, metadata={"description": "false while it waits in the outbox"})
    source = fields.String(required=True)


class ExpiringLine(ma.Schema):
    date = fields.String(required=True)
    points = fields.Integer(required=True)


class Expiring(ma.Schema):
    days = fields.Integer(required=True)
    points = fields.Integer(required=True)
    first_date = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(ExpiringLine), required=True)


class MemberStatus(ma.Schema):
    customer_id = fields.Integer(allow_none=True)
    email = fields.String(required=True)
    first_name = fields.String(required=True)
    currency = fields.String(required=True)
    points = fields.Nested(Points, required=True)
    tier = fields.Nested(TierInfo, required=True)
    vip = fields.Nested(Vip, required=True)
    coupons = fields.List(fields.Nested(AvailableCoupon), required=True)
    badges = fields.List(fields.String(), required=True)
    referral_code = fields.String(allow_none=True)
    expiring = fields.Nested(Expiring, required=True)


class LedgerArgs(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class LedgerItem(ma.Schema):
    at = fields.String(required=True)
    kind = fields.String(required=True)
    points = fields.Integer(required=True)
    order_id = fields.Integer(allow_none=True)
    reason = fields.String(required=True)
    multiplier = fields.String(allow_none=True)
    rule_version = fields.Integer(allow_none=True)


class LedgerPage(ma.Schema):
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    items = fields.List(fields.Nested(LedgerItem), required=True)


class RewardCoupon(ma.Schema):
    discount_type = fields.String(required=True)
    amount = fields.String(required=True)
    minimum_spend = fields.String(allow_none=True)
    free_shipping = fields.Boolean(required=True)
    expires_after_days = fields.Integer(required=True)


class Reward(ma.Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    points = fields.Integer(required=True)
    coupon = fields.Nested(RewardCoupon, required=True)


class Rewards(ma.Schema):
    program_version = fields.Integer(required=True)
    currency = fields.String(required=True)
    rewards = fields.List(fields.Nested(Reward), required=True)


class RedeemRequest(ma.Schema):
    reward = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "a reward id from GET /rewards"},
    )


class IdempotencyHeaders(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    idempotency_key = fields.String(
        data_key="Idempotency-Key",
        load_default=None,
        validate=validate.Regexp(r"^[\x21-\x7e]{1,200}$", error="1-200 visible ASCII characters"),
        metadata={"description": "a retried request with the same key gets the first answer and never redeems twice"},
    )


class RedeemCoupon(ma.Schema):
    code = fields.String(required=True)
    discount_type = fields.String(required=True)
    amount = fields.String(required=True)
    minimum_spend = fields.String(allow_none=True)
    free_shipping = fields.Boolean(required=True)
    expires = fields.String(allow_none=True)
    status = fields.String(required=True, metadata={"description": "pushed: usable now; pending: in the outbox"})


class RedeemedReward(ma.Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    points = fields.Integer(required=True)


class Redeemed(ma.Schema):
    reward = fields.Nested(RedeemedReward, required=True)
    coupon = fields.Nested(RedeemCoupon, required=True)
    pushed = fields.Boolean(required=True)
    points = fields.Nested(Points, required=True)
    ledger_key = fields.String(required=True)


# JSON numbers in the document (apispec would print the Decimal bounds as strings)
_MONEY = {"minimum": 0, "maximum": 10_000_000}


class CartLine(ma.Schema):
    product_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=DB_INT_MAX))
    variation_id = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0, max=DB_INT_MAX))
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=100000))
    total = fields.Decimal(
        required=True,
        places=2,
        validate=validate.Range(min=0, max=10_000_000),
        metadata={"description": "the line total after discounts, without tax", **_MONEY},
    )
    total_tax = fields.Decimal(
        load_default=0, places=2, validate=validate.Range(min=0, max=10_000_000), metadata={**_MONEY, "default": 0}
    )


def _customer_as_text(data):
    if isinstance(data, dict) and isinstance(data.get("customer"), int) and not isinstance(data["customer"], bool):
        data = {**data, "customer": str(data["customer"])}
    return data


def _date_only_as_midnight(data):
    if isinstance(data, dict) and isinstance(data.get("date"), str) and len(data["date"]) == 10:
        data = {**data, "date": data["date"] + "T00:00:00+00:00"}
    return data


class PreviewRequest(ma.Schema):
    customer = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=254),
        metadata={"description": "customer id or email; null for a guest"},
    )
    lines = fields.List(fields.Nested(CartLine), required=True, validate=validate.Length(min=1, max=500))
    date = fields.AwareDateTime(
        load_default=None,
        allow_none=True,
        default_timezone=None,
        metadata={"description": "when the order is placed (ISO 8601; default now, UTC)"},
    )
    shipping_total = fields.Decimal(
        load_default=0, places=2, validate=validate.Range(min=0, max=10_000_000), metadata={**_MONEY, "default": 0}
    )
    shipping_tax = fields.Decimal(
        load_default=0, places=2, validate=validate.Range(min=0, max=10_000_000), metadata={**_MONEY, "default": 0}
    )

    @ma.pre_load
    def _normalise(self, data, **_kwargs):
        return _date_only_as_midnight(_customer_as_text(data))


class PreviewLine(ma.Schema):
    line = fields.Integer(required=True)
    product_id = fields.Integer(required=True)
    quantity = fields.Integer(required=True)
    eligible = fields.String(required=True)
    multiplier = fields.String(required=True, metadata={"description": "the product/category multiplier applied"})
    rules = fields.List(fields.String(), required=True)
    weighted = fields.String(required=True)


class Preview(ma.Schema):
    points = fields.Integer(required=True)
    earns = fields.Boolean(required=True)
    eligible = fields.String(required=True)
    currency = fields.String(required=True)
    member_known = fields.Boolean(required=True)
    tier = fields.String(required=True)
    tier_multiplier = fields.String(required=True)
    vip = fields.Boolean(required=True)
    vip_multiplier = fields.String(required=True)
    rate = fields.String(required=True)
    program_version = fields.Integer(required=True)
    date = fields.String(required=True)
    reason = fields.String(required=True)
    lines = fields.List(fields.Nested(PreviewLine), required=True)


class NpsRequest(ma.Schema):
    score = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=10))
    comment = fields.String(load_default="", validate=validate.Length(max=2000))


class NpsAnswered(ma.Schema):
    score = fields.Integer(required=True)
    category = fields.String(required=True, metadata={"description": "promoter, passive or detractor"})
    bonus_points = fields.Integer(required=True)
    period_start = fields.String(required=True)
    next_survey = fields.String(required=True)
