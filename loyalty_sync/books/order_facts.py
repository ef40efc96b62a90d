"""Order facts <-> order rows. The row keeps lines and refunds as JSON
documents; this module is the one place that knows their shape."""

import hashlib
import json
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Row

from loyalty_sync.engine.facts import OrderFacts, OrderLine, Refund, RefundLine
from loyalty_sync.models import Order


def lines_doc(facts: OrderFacts) -> list[dict]:
    return [
        {
            "line_id": l.line_id,
            "product_id": l.product_id,
            "variation_id": l.variation_id,
            "sku": l.sku,
            "quantity": l.quantity,
            "total": str(l.total),
            "total_tax": str(l.total_tax),
            "categories": sorted(l.categories),
        }
        for l in facts.lines
    ]


def refunds_doc(facts: OrderFacts) -> list[dict]:
    return [
        {
            "refund_id": r.refund_id,
            "created": r.created.isoformat(),
            "amount": str(r.amount),
            "lines": [{"line_id": rl.line_id, "quantity": rl.quantity, "total": str(rl.total)} for rl in r.lines],
        }
        for r in facts.refunds
    ]


def facts_digest(facts: OrderFacts) -> str:
    """A fingerprint of everything the rules read, so a re-pulled order that did
    not change costs nothing (refunds on old stores do not move date_modified,
    so the date alone is not enough)."""
    return _digest(facts, lines_doc(facts), refunds_doc(facts))


def _digest(facts: OrderFacts, lines: list[dict], refunds: list[dict]) -> str:
    doc = [
        facts.status,
        str(facts.total),
        str(facts.total_tax),
        str(facts.shipping_total),
        str(facts.shipping_tax),
        facts.email,
        facts.customer_id,
        lines,
        refunds,
        list(facts.coupon_codes),
        facts.paid.isoformat() if facts.paid else None,
    ]
    if facts.fee_discount:  # (only then: the digests of orders without one stay as they were)
        doc.append(str(facts.fee_discount))
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def order_values(facts: OrderFacts) -> dict:
    """The order row's columns that come from the store's facts."""
    lines, refunds = lines_doc(facts), refunds_doc(facts)
    return {
        "wc_id": facts.order_id,
        "status": facts.status,
        "created": facts.created,
        "modified": facts.modified,
        "paid": facts.paid,
        "completed": facts.completed,
        "currency": facts.currency,
        "customer_id": facts.customer_id,
        "email": facts.email,
        "total": facts.total,
        "total_tax": facts.total_tax,
        "shipping_total": facts.shipping_total,
        "shipping_tax": facts.shipping_tax,
        "discount_total": facts.discount_total,
        "refunded_total": facts.refunded_amount,
        "lines": lines,
        "refunds": refunds,
        "coupon_codes": list(facts.coupon_codes),
        "billing_address": facts.billing_address,
        "fee_discount": facts.fee_discount,
        "digest": _digest(facts, lines, refunds),
    }


def kept_lines(facts: OrderFacts, row: Order | None) -> OrderFacts:
    """The order with each line (by line id) keeping the product, variation,
    SKU and categories the books first stored for it (PRODUCT.md,
    "Reversals": deleting or re-categorising a product later is not a change
    of the order). After `DELETE products/ID` the store answers old lines
    with `product_id: 0`, `sku: null` and leaves the order's `date_modified`
    alone (FACTS.md); read as is, the order would lose its category
    multiplier, or a membership its SKU. A line moved to another product
    (an edit of the order) takes the new one."""
    if row is None or not row.lines:
        return facts
    stored = {doc["line_id"]: doc for doc in row.lines}
    lines, changed = [], False
    for line in facts.lines:
        doc = stored.get(line.line_id)
        if doc is not None and line.product_id in (0, doc["product_id"]):
            kept = (doc["product_id"], doc["variation_id"], doc.get("sku", ""), frozenset(doc.get("categories", ())))
            if kept != (line.product_id, line.variation_id, line.sku, line.categories):
                line = replace(line, product_id=kept[0], variation_id=kept[1], sku=kept[2], categories=kept[3])
                changed = True
        lines.append(line)
    return replace(facts, lines=tuple(lines)) if changed else facts


def fill_order_row(row: Order, facts: OrderFacts) -> None:
    for name, value in order_values(facts).items():
        setattr(row, name, value)


# The order columns `facts_from_row` reads (a replay selects only these).
FACT_COLUMNS = (
    "wc_id",
    "status",
    "created",
    "modified",
    "paid",
    "completed",
    "currency",
    "customer_id",
    "email",
    "total",
    "total_tax",
    "shipping_total",
    "shipping_tax",
    "discount_total",
    "lines",
    "refunds",
    "coupon_codes",
    "billing_address",
    "fee_discount",
)


def facts_from_row(row: Order | Row) -> OrderFacts:
    """An order's facts from its stored row: the ORM object or a plain row of its table."""
    return OrderFacts(
        order_id=row.wc_id,
        status=row.status,
        created=row.created,
        modified=row.modified,
        paid=row.paid,
        completed=row.completed,
        currency=row.currency,
        customer_id=row.customer_id,
        email=row.email,
        total=row.total,
        total_tax=row.total_tax,
        shipping_total=row.shipping_total,
        shipping_tax=row.shipping_tax,
        discount_total=row.discount_total,
        lines=tuple(
            OrderLine(
                line_id=l["line_id"],
                product_id=l["product_id"],
                variation_id=l["variation_id"],
                sku=l.get("sku", ""),
                quantity=l["quantity"],
                total=Decimal(l["total"]),
                total_tax=Decimal(l["total_tax"]),
                categories=frozenset(l.get("categories", ())),
            )
            for l in row.lines
        ),
        refunds=tuple(
            Refund(
                refund_id=r["refund_id"],
                created=datetime.fromisoformat(r["created"]),
                amount=Decimal(r["amount"]),
                lines=tuple(
                    RefundLine(line_id=rl["line_id"], quantity=rl["quantity"], total=Decimal(rl["total"]))
                    for rl in r["lines"]
                ),
            )
            for r in row.refunds
        ),
        coupon_codes=tuple(row.coupon_codes),
        billing_address=row.billing_address,
        fee_discount=row.fee_discount or Decimal(0),
    )


def stored_refunds_as_wc(row: Order, refund_ids: list[int]) -> list[dict] | None:
    """The refunds we already know in detail, in the shape of
    GET /orders/<id>/refunds, when they cover every refund the store lists.

    An order re-read later (a webhook body, an incremental pull) only carries
    refund ids and totals; re-using the stored line detail keeps its points
    stable instead of flipping between line-level and share-of-order maths.
    """
    known = {r["refund_id"]: r for r in (row.refunds or [])}
    if not refund_ids or not set(refund_ids) <= set(known):
        return None
    return [
        {
            "id": rid,
            "date_created_gmt": known[rid]["created"][:19],
            "amount": known[rid]["amount"],
            "line_items": [
                {
                    "quantity": -line["quantity"],
                    "total": f"-{line['total']}",
                    "meta_data": [{"key": "_refunded_item_id", "value": str(line["line_id"])}],
                }
                for line in known[rid]["lines"]
            ],
        }
        for rid in refund_ids
    ]
