"""What we know of the store's data, read once from WooCommerce JSON.

The engine never looks at raw wc/v3 JSON: `order_from_wc` and
`customer_from_wc` turn it into small frozen records with Decimals and UTC
datetimes, and refuse a record that cannot be trusted (`BadRecord`) instead
of guessing, because a guessed amount becomes wrong points in the books.

WooCommerce quirks handled here (see ../shared/woocommerce/FACTS.md and
captures/OBSERVED.md):
- money is a string ("42.50"); `line_items[].price` is a float and is ignored;
- `date_x_gmt` is UTC *without* an offset; `date_x` is shop-local and ignored;
- the order's `refunds[]` has `total` negative and no date or lines, while
  `GET /orders/<id>/refunds` has `amount` positive and refund line items with
  negative quantities/totals pointing at the order line through the
  `_refunded_item_id` meta (the refund line's own `id` is a new id, 089);
- coupon codes are stored lowercased; emails are compared lowercased.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, overload

from loyalty_sync.engine.program import ORDER_STATUSES

# Above this an amount is a broken record, not a real order (no shop sells a
# hundred million in one order; a float overflow or a unit bug does).
ABSURD_AMOUNT = Decimal("100000000")


class BadRecord(Exception):
    """A store record the engine refuses to read, with where and why."""

    def __init__(self, record_ref: str, field: str, message: str):
        super().__init__(f"{record_ref}: {field}: {message}")
        self.record_ref = record_ref
        self.field = field
        self.message = message


@dataclass(frozen=True)
class OrderLine:
    line_id: int
    product_id: int
    variation_id: int
    sku: str
    quantity: int
    # After discounts, without tax (WooCommerce's line `total`).
    total: Decimal
    total_tax: Decimal
    # Product categories; WooCommerce lines carry none, the product list does.
    categories: frozenset[int] = frozenset()


@dataclass(frozen=True)
class RefundLine:
    """What one refund took back of one order line (positive, without tax)."""

    line_id: int
    quantity: int
    total: Decimal


@dataclass(frozen=True)
class Refund:
    refund_id: int
    created: datetime
    # Positive; includes tax and shipping like the order total does.
    amount: Decimal
    # Empty: an amount-only refund, a share of the whole order.
    lines: tuple[RefundLine, ...] = ()


@dataclass(frozen=True)
class OrderFacts:
    order_id: int
    status: str
    created: datetime
    modified: datetime
    paid: datetime | None
    completed: datetime | None
    currency: str
    customer_id: int
    email: str
    total: Decimal
    total_tax: Decimal
    shipping_total: Decimal
    shipping_tax: Decimal
    discount_total: Decimal
    lines: tuple[OrderLine, ...]
    refunds: tuple[Refund, ...]
    coupon_codes: tuple[str, ...]
    billing_address: str = ""
    # Negative fee lines (a discount given as a fee), positive, without tax:
    # they lower the eligible amount, never below 0 (PRODUCT.md, "Reversals").
    fee_discount: Decimal = Decimal(0)

    @property
    def refunded_amount(self) -> Decimal:
        return sum((r.amount for r in self.refunds), Decimal(0))


# Above every order id: (at, LAST_ID) bounds every order created up to `at`.
LAST_ID = float("inf")


def order_key(order: OrderFacts) -> tuple[datetime, int]:
    """The order of orders everywhere in the engine: created, then id.
    WooCommerce dates have one-second resolution (batch creates, imports, a
    busy checkout), so "before this order" never counts an order of the same
    second with a higher id (FACTS.md, "Field shapes")."""
    return order.created, order.order_id


def counts_up_to(order: OrderFacts, at: datetime, upto: int | None) -> bool:
    """Created up to `at` and, with `upto` (an order id), not after that
    order of the same second."""
    return order.created < at or (order.created == at and (upto is None or order.order_id <= upto))


@dataclass(frozen=True)
class CustomerFacts:
    customer_id: int
    email: str
    first_name: str
    last_name: str
    created: datetime
    modified: datetime
    meta: Mapping[str, str] = field(default_factory=dict)
    billing_address: str = ""


# ---------------------------------------------------------------------------
# field readers: each raises BadRecord naming the field


def _get(d: Mapping, key: str, ref: str, where: str = "") -> Any:
    if not isinstance(d, Mapping):
        raise BadRecord(ref, where or key, "expected an object")
    if key not in d:
        raise BadRecord(ref, f"{where}{key}", "missing")
    return d[key]


# Ids and quantities are stored in 32-bit integer columns; anything beyond is
# a broken record, and refusing it here keeps one record from failing a batch.
MAX_INT = 2**31 - 1


def _int(value: Any, ref: str, name: str, minimum: int | None = 0) -> int:
    if isinstance(value, bool):
        raise BadRecord(ref, name, f"expected a whole number, got {value!r}")
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if not isinstance(value, int):
        raise BadRecord(ref, name, f"expected a whole number, got {value!r}")
    if minimum is not None and value < minimum:
        raise BadRecord(ref, name, f"{value} is below {minimum}")
    if abs(value) > MAX_INT:
        raise BadRecord(ref, name, f"{value} is out of range")
    return value


def _text(value: Any, ref: str, name: str, allow_none: bool = False) -> str:
    if value is None and allow_none:
        return ""
    if not isinstance(value, str):
        raise BadRecord(ref, name, f"expected text, got {value!r}")
    # PostgreSQL text cannot hold NUL; it never belongs in a name or a code.
    return value.replace("\x00", "")


def _money(value: Any, ref: str, name: str, sign: int = 1) -> Decimal:
    """Read a money string; `sign=-1` for fields WooCommerce sends negative,
    `sign=0` for fields of either sign (an order total below a fee line)."""
    if isinstance(value, bool) or value is None:
        raise BadRecord(ref, name, f"expected an amount, got {value!r}")
    if isinstance(value, float):
        # Only `price` is a float in wc/v3; a float elsewhere is read through
        # its shortest decimal text so no binary noise enters the books.
        value = repr(value)
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        raise BadRecord(ref, name, f"expected an amount, got {value!r}")
    try:
        amount = Decimal(value.strip())
    except InvalidOperation:
        raise BadRecord(ref, name, f"{value!r} is not an amount") from None
    if not amount.is_finite():
        raise BadRecord(ref, name, f"{value!r} is not an amount")
    amount = amount * (sign or 1)
    if amount < 0 and sign:
        raise BadRecord(ref, name, f"{value!r} has the wrong sign")
    if abs(amount) > ABSURD_AMOUNT:
        raise BadRecord(ref, name, f"{value!r} is not a believable amount")
    return amount + Decimal(0)  # normalises -0 to 0


@overload
def parse_wc_datetime(
    value: Any, ref: str, name: str, required: Literal[True] = True, not_after: datetime | None = None
) -> datetime: ...
@overload
def parse_wc_datetime(
    value: Any, ref: str, name: str, required: bool, not_after: datetime | None = None
) -> datetime | None: ...
def parse_wc_datetime(
    value: Any, ref: str, name: str, required: bool = True, not_after: datetime | None = None
) -> datetime | None:
    """A `*_gmt` value: UTC written without an offset ("2026-11-23T17:13:30").
    With `not_after`, a later date is refused: an order dated 9999-12-31
    would earn today and block every newer copy as "older"."""
    if value is None or value == "":
        if required:
            raise BadRecord(ref, name, "missing")
        return None
    if not isinstance(value, str):
        raise BadRecord(ref, name, f"expected a date, got {value!r}")
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadRecord(ref, name, f"{value!r} is not a date") from None
    try:
        dt = dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)
    except OverflowError:
        raise BadRecord(ref, name, f"{value!r} is not a date") from None
    if not_after is not None and dt > not_after:
        raise BadRecord(ref, name, f"{value!r} is in the future (later than {not_after:%Y-%m-%d %H:%M} UTC)")
    return dt


def _email(value: Any, ref: str, name: str) -> str:
    email = _text(value, ref, name, allow_none=True).strip().lower()
    if email and ("@" not in email or " " in email):
        raise BadRecord(ref, name, f"{value!r} is not an email address")
    return email


#: The stored address line's length (orders.billing_address, members.billing_address): a longer
#: address (a hostile or broken record; WooCommerce itself does not cap the fields) is cut the same
#: way on every side of the self-referral comparison, and fits the column on PostgreSQL too.
ADDRESS_MAX = 1000


def address_text(billing: Mapping) -> str:
    """One comparable line for an address (self-referral check): lowercased,
    blank parts left out, whitespace collapsed, at most ADDRESS_MAX long."""
    parts = []
    for key in ("address_1", "address_2", "postcode", "city", "state", "country"):
        value = billing.get(key) if isinstance(billing, Mapping) else None
        if isinstance(value, str) and value.strip():
            parts.append(" ".join(value.replace("\x00", "").lower().split()))
    return ", ".join(parts)[:ADDRESS_MAX]


def _meta_value(meta_row: Mapping, key: str) -> Any:
    for row in meta_row.get("meta_data") or []:
        if isinstance(row, Mapping) and row.get("key") == key:
            return row.get("value")
    return None


# ---------------------------------------------------------------------------
# orders


def _order_line(item: Any, ref: str, i: int, categories_by_product: Mapping[int, frozenset[int]]) -> OrderLine:
    where = f"line_items.{i}."
    if not isinstance(item, Mapping):
        raise BadRecord(ref, f"line_items.{i}", "expected an object")
    product_id = _int(_get(item, "product_id", ref, where), ref, where + "product_id")
    return OrderLine(
        line_id=_int(_get(item, "id", ref, where), ref, where + "id", minimum=1),
        product_id=product_id,
        variation_id=_int(item.get("variation_id", 0) or 0, ref, where + "variation_id"),
        sku=_text(item.get("sku"), ref, where + "sku", allow_none=True),
        quantity=_int(_get(item, "quantity", ref, where), ref, where + "quantity"),
        total=_money(_get(item, "total", ref, where), ref, where + "total"),
        total_tax=_money(_get(item, "total_tax", ref, where), ref, where + "total_tax"),
        categories=frozenset(categories_by_product.get(product_id, frozenset())),
    )


def _fee_discount(order_json: Mapping, ref: str) -> Decimal:
    """The negative fee lines' totals (without tax), as a positive discount."""
    fees = order_json.get("fee_lines") or []
    if not isinstance(fees, list):
        raise BadRecord(ref, "fee_lines", "expected a list")
    discount = Decimal(0)
    for i, fee in enumerate(fees):
        if not isinstance(fee, Mapping):
            raise BadRecord(ref, f"fee_lines.{i}", "expected an object")
        total = _money(fee.get("total", "0") or "0", ref, f"fee_lines.{i}.total", sign=0)
        discount -= min(total, Decimal(0))
    return discount + Decimal(0)


def _refund_from_api(r: Any, ref: str, i: int, not_after: datetime | None = None) -> Refund:
    where = f"refunds.{i}."
    if not isinstance(r, Mapping):
        raise BadRecord(ref, f"refunds.{i}", "expected an object")
    refund_id = _int(_get(r, "id", ref, where), ref, where + "id", minimum=1)
    lines = []
    for j, item in enumerate(r.get("line_items") or []):
        lwhere = f"{where}line_items.{j}."
        if not isinstance(item, Mapping):
            raise BadRecord(ref, f"{where}line_items.{j}", "expected an object")
        # The refund line has its own id; the order line it refunds is in the
        # `_refunded_item_id` meta (captures/089).
        refunded_item = _meta_value(item, "_refunded_item_id")
        if refunded_item is None:
            raise BadRecord(ref, lwhere + "meta_data", "no _refunded_item_id: cannot tell which line was refunded")
        quantity = _int(item.get("quantity", 0) or 0, ref, lwhere + "quantity", minimum=None)
        lines.append(
            RefundLine(
                line_id=_int(refunded_item, ref, lwhere + "_refunded_item_id", minimum=1),
                quantity=abs(quantity),
                total=_money(_get(item, "total", ref, lwhere), ref, lwhere + "total", sign=-1),
            )
        )
    return Refund(
        refund_id=refund_id,
        created=parse_wc_datetime(r.get("date_created_gmt"), ref, where + "date_created_gmt", not_after=not_after),
        amount=_money(_get(r, "amount", ref, where), ref, where + "amount"),
        lines=tuple(lines),
    )


def _refund_from_order(r: Any, ref: str, i: int, when: datetime) -> Refund:
    where = f"refunds.{i}."
    if not isinstance(r, Mapping):
        raise BadRecord(ref, f"refunds.{i}", "expected an object")
    return Refund(
        refund_id=_int(_get(r, "id", ref, where), ref, where + "id", minimum=1),
        # The order's refunds[] carries no date; the order's last modification
        # is the latest the refund can have happened.
        created=when,
        amount=_money(_get(r, "total", ref, where), ref, where + "total", sign=-1),
        lines=(),
    )


def order_from_wc(
    order_json: dict,
    refunds_json: list[dict] | None = None,
    categories_by_product: Mapping[int, frozenset[int]] = {},  # noqa: B006 (read only)
    not_after: datetime | None = None,
) -> OrderFacts:
    """Read a wc/v3 order (GET /orders/<id> or a webhook body).

    `refunds_json` is GET /orders/<id>/refunds; without it the order's own
    `refunds[]` is used, which knows amounts only (each then counts as a share
    of the whole order). `categories_by_product` maps product ids to their
    category ids (order lines carry none). `not_after`: later dates are refused.
    """
    if not isinstance(order_json, Mapping):
        raise BadRecord("order ?", "order", "expected an object")
    raw_id = order_json.get("id")
    ref = f"order {str(raw_id)[:40]}".replace("\x00", "") if raw_id is not None else "order ?"
    order_id = _int(_get(order_json, "id", ref), ref, "id", minimum=1)
    ref = f"order {order_id}"

    status = _text(_get(order_json, "status", ref), ref, "status")
    if status not in ORDER_STATUSES:
        raise BadRecord(ref, "status", f"unknown order status {status!r}")
    created = parse_wc_datetime(order_json.get("date_created_gmt"), ref, "date_created_gmt", not_after=not_after)
    modified = parse_wc_datetime(
        order_json.get("date_modified_gmt"), ref, "date_modified_gmt", required=False, not_after=not_after
    )
    modified = modified or created
    paid = parse_wc_datetime(order_json.get("date_paid_gmt"), ref, "date_paid_gmt", required=False, not_after=not_after)
    completed = parse_wc_datetime(
        order_json.get("date_completed_gmt"), ref, "date_completed_gmt", required=False, not_after=not_after
    )

    currency = _text(_get(order_json, "currency", ref), ref, "currency").strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise BadRecord(ref, "currency", f"{currency!r} is not a currency code")
    billing = order_json.get("billing") or {}
    if not isinstance(billing, Mapping):
        raise BadRecord(ref, "billing", "expected an object")

    items = _get(order_json, "line_items", ref)
    if not isinstance(items, list):
        raise BadRecord(ref, "line_items", "expected a list")
    lines = tuple(_order_line(item, ref, i, categories_by_product) for i, item in enumerate(items))
    if len({line.line_id for line in lines}) != len(lines):
        raise BadRecord(ref, "line_items", "two lines share an id")

    # Below 0 when a negative fee is larger than the items (accepted by WooCommerce, FACTS.md).
    total = _money(_get(order_json, "total", ref), ref, "total", sign=0)
    if refunds_json is not None:
        if not isinstance(refunds_json, list):
            raise BadRecord(ref, "refunds", "expected a list")
        refunds = tuple(_refund_from_api(r, ref, i, not_after) for i, r in enumerate(refunds_json))
    else:
        raw = order_json.get("refunds") or []
        if not isinstance(raw, list):
            raise BadRecord(ref, "refunds", "expected a list")
        refunds = tuple(_refund_from_order(r, ref, i, modified) for i, r in enumerate(raw))
    refunds = tuple(sorted(refunds, key=lambda r: (r.created, r.refund_id)))
    line_ids = {line.line_id for line in lines}
    for i, refund in enumerate(refunds):
        for rl in refund.lines:
            if rl.line_id not in line_ids:
                raise BadRecord(ref, f"refunds.{i}.line_items", f"refunds line {rl.line_id}, which the order lacks")
    refunded = sum((r.amount for r in refunds), Decimal(0))
    if refunded > max(total, Decimal(0)):
        # WooCommerce itself refuses a refund above what is left (091).
        raise BadRecord(ref, "refunds", f"refunds total {refunded}, more than the order total {total}")

    coupons = []
    coupon_lines = order_json.get("coupon_lines") or []
    if not isinstance(coupon_lines, list):
        raise BadRecord(ref, "coupon_lines", "expected a list")
    for i, c in enumerate(coupon_lines):
        if not isinstance(c, Mapping):
            raise BadRecord(ref, f"coupon_lines.{i}", "expected an object")
        coupons.append(_text(_get(c, "code", ref, f"coupon_lines.{i}."), ref, f"coupon_lines.{i}.code").strip().lower())

    return OrderFacts(
        order_id=order_id,
        status=status,
        created=created,
        modified=modified,
        paid=paid,
        completed=completed,
        currency=currency,
        customer_id=_int(order_json.get("customer_id", 0) or 0, ref, "customer_id"),
        email=_email(billing.get("email"), ref, "billing.email"),
        total=total,
        total_tax=_money(_get(order_json, "total_tax", ref), ref, "total_tax"),
        shipping_total=_money(order_json.get("shipping_total", "0"), ref, "shipping_total"),
        shipping_tax=_money(order_json.get("shipping_tax", "0"), ref, "shipping_tax"),
        discount_total=_money(order_json.get("discount_total", "0"), ref, "discount_total"),
        lines=lines,
        refunds=refunds,
        coupon_codes=tuple(coupons),
        billing_address=address_text(billing),
        fee_discount=_fee_discount(order_json, ref),
    )


# ---------------------------------------------------------------------------
# customers


def customer_from_wc(customer_json: dict, not_after: datetime | None = None) -> CustomerFacts:
    """Read a wc/v3 customer. Meta values are kept as text (the store turns
    numbers into strings anyway); the first row of a duplicated key wins, as
    it does when WooCommerce updates meta by key. `not_after`: later dates
    are refused (a date_modified far ahead would make every real copy "older")."""
    if not isinstance(customer_json, Mapping):
        raise BadRecord("customer ?", "customer", "expected an object")
    raw_id = customer_json.get("id")
    ref = f"customer {str(raw_id)[:40]}".replace("\x00", "") if raw_id is not None else "customer ?"
    customer_id = _int(_get(customer_json, "id", ref), ref, "id", minimum=1)
    ref = f"customer {customer_id}"
    created = parse_wc_datetime(customer_json.get("date_created_gmt"), ref, "date_created_gmt", not_after=not_after)
    modified = parse_wc_datetime(
        customer_json.get("date_modified_gmt"), ref, "date_modified_gmt", required=False, not_after=not_after
    )
    meta: dict[str, str] = {}
    raw_meta = customer_json.get("meta_data") or []
    if not isinstance(raw_meta, list):
        raise BadRecord(ref, "meta_data", "expected a list")
    for i, row in enumerate(raw_meta):
        if not isinstance(row, Mapping) or not isinstance(row.get("key"), str):
            raise BadRecord(ref, f"meta_data.{i}", "expected {key, value}")
        value = row.get("value")
        if value is None:
            continue
        text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
        meta.setdefault(row["key"].replace("\x00", ""), text.replace("\x00", "").replace("\\u0000", ""))
    billing = customer_json.get("billing") or {}
    if not isinstance(billing, Mapping):
        raise BadRecord(ref, "billing", "expected an object")
    return CustomerFacts(
        customer_id=customer_id,
        email=_email(_get(customer_json, "email", ref), ref, "email"),
        first_name=_text(customer_json.get("first_name", ""), ref, "first_name", allow_none=True),
        last_name=_text(customer_json.get("last_name", ""), ref, "last_name", allow_none=True),
        created=created,
        modified=modified or created,
        meta=meta,
        billing_address=address_text(billing),
    )


# ---------------------------------------------------------------------------
# product reviews


@dataclass(frozen=True)
class ReviewFacts:
    review_id: int
    product_id: int
    reviewer_email: str
    status: str  # approved / hold / spam / trash
    verified: bool  # the reviewer bought the product (WooCommerce's own check)
    created: datetime


def review_from_wc(review_json: dict) -> ReviewFacts:
    """Read a wc/v3 product review (GET /products/reviews, captures/088)."""
    if not isinstance(review_json, Mapping):
        raise BadRecord("review ?", "review", "expected an object")
    ref = f"review {review_json.get('id', '?')}"
    verified = review_json.get("verified", False)
    if not isinstance(verified, bool):
        raise BadRecord(ref, "verified", f"expected true/false, got {verified!r}")
    return ReviewFacts(
        review_id=_int(_get(review_json, "id", ref), ref, "id", minimum=1),
        product_id=_int(_get(review_json, "product_id", ref), ref, "product_id", minimum=1),
        reviewer_email=_email(review_json.get("reviewer_email"), ref, "reviewer_email"),
        status=_text(_get(review_json, "status", ref), ref, "status"),
        verified=verified,
        created=parse_wc_datetime(review_json.get("date_created_gmt"), ref, "date_created_gmt"),
    )
