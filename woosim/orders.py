"""Order and refund behaviour (totals, taxes, coupons, stock, status dates).

The rules follow what the captured store did: prices exclusive of tax, one
19 % rate that also applies to shipping, coupons computed per line before
tax (percent, fixed_cart spread over lines, fixed_product per unit), coupon
usage counted as soon as an order exists and given back on cancel,
`date_paid` on processing/completed, `date_completed` on completed, refunds
that move the order's `date_modified` and switch it to `refunded` when
nothing is left. Seeded (lazy) orders are materialised into `state.orders`
the first time they are written.
"""

from __future__ import annotations

import copy
import re
from decimal import ROUND_FLOOR, ROUND_HALF_DOWN, Decimal

from . import money
from .errors import ApiError, enum_message, invalid_param
from .money import ZERO, dec, fmt, fmt_trim, r2
from .store import State, _int, new_order_key

TAX_RATE = Decimal("0.19")
TAX_RATE_ID = 1
STATUSES = [
    "auto-draft",
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
    "checkout-draft",
]
USAGE_STATUSES = {"pending", "processing", "on-hold", "completed"}
STOCK_REDUCE_STATUSES = {"processing", "completed", "on-hold"}
STATUS_LABEL = {
    "pending": "Pending payment",
    "processing": "Processing",
    "on-hold": "On hold",
    "completed": "Completed",
    "cancelled": "Cancelled",
    "refunded": "Refunded",
    "failed": "Failed",
    "checkout-draft": "Draft",
    "auto-draft": "Draft",
    "trash": "Trash",
}


def _status_error():
    return invalid_param("status", enum_message("status", STATUSES), "rest_not_in_enum")


def tax_line_dict(state: State, cart_tax: Decimal, ship_tax: Decimal, item_id: int | None = None) -> dict:
    return tax_line(item_id or state.item_id(), cart_tax, ship_tax)


def tax_line(item_id: int, cart_tax: Decimal, ship_tax: Decimal) -> dict:
    """The order's single tax line (seeding picks the item id itself)."""
    return {
        "id": item_id,
        "rate_code": "DE-MWST-1",
        "rate_id": TAX_RATE_ID,
        "label": "MwSt",
        "compound": False,
        "tax_total": fmt(cart_tax),
        "shipping_tax_total": fmt(ship_tax),
        "rate_percent": 19,
        "meta_data": [],
    }


# ---------------------------------------------------------------- lookup
def get_order(state: State, oid, status_for_missing: int = 404) -> dict:
    oid = _int(oid)
    o = state.orders.get(oid)
    if o is None and state.lazy is not None and oid not in state.lazy_overridden:
        o = state.lazy.get(oid)
    if o is None:
        raise ApiError(status_for_missing, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
    return o


def materialize(state: State, oid, status_for_missing: int = 404) -> dict:
    """Return the stored (mutable) record of an order, copying a seeded one in.

    The copy is deep: seeded orders share their items' nested lists and dicts,
    and their pre-rendered JSON (`_text`, see shapes.order_text) would go stale.
    """
    oid = _int(oid)
    o = state.orders.get(oid)
    if o is not None:
        return o
    o = copy.deepcopy(get_order(state, oid, status_for_missing))
    o.pop("_text", None)
    state.orders[oid] = o
    state.lazy_overridden.add(oid)
    return o


# ---------------------------------------------------------------- lines and totals
def _line_from_request(state: State, li: dict) -> dict:
    """Build the stored line item (amounts filled in by compute_totals)."""
    qty = int(li.get("quantity") or 1)
    pid = _int(li.get("product_id"))
    vid = _int(li.get("variation_id")) if li.get("variation_id") else 0
    product = state.products.get(pid)
    if product is not None and product["type"] == "variation":
        vid, product = pid, state.products.get(product["parent_id"])
        pid = product["id"] if product else 0
    line = {
        "id": 0,
        "name": "",
        "product_id": 0,
        "variation_id": 0,
        "quantity": qty,
        "tax_class": "",
        "subtotal": "0.00",
        "subtotal_tax": "0.00",
        "total": "0.00",
        "total_tax": "0.00",
        "taxes": [],
        "meta_data": [],
        "sku": None,
        "price": 0,
        "image": {"id": 0, "src": ""},
        "parent_name": None,
    }
    unit = None
    if product is None:
        unit = ZERO
    else:
        line["product_id"] = pid
        line["name"] = li.get("name") or product["name"]
        line["sku"] = product["sku"]
        unit = dec(product["price"])
        line["image"] = {"id": "", "src": ""}
        variation = state.products.get(vid) if vid else None
        if variation is not None and variation.get("parent_id") == pid:
            line["variation_id"] = vid
            opts = [a["option"] for a in variation["attributes"]]
            line["name"] = f"{product['name']} - {', '.join(opts)}" if opts else product["name"]
            line["parent_name"] = product["name"]
            line["sku"] = variation["sku"]
            line["image"] = {"id": 0, "src": ""}
            unit = dec(variation["price"])
            for a in variation["attributes"]:
                line["meta_data"].append(
                    {
                        "id": state.meta_id(),
                        "key": a["name"].lower(),
                        "value": a["option"],
                        "display_key": a["name"],
                        "display_value": a["option"],
                    }
                )
    # prepare_line_items: subtotal and total are the price times the quantity,
    # unless sent (a subtotal alone leaves the total at the price)
    line["_sub"] = dec(li["subtotal"]) if li.get("subtotal") not in (None, "") else unit * qty
    line["_tot"] = dec(li["total"]) if li.get("total") not in (None, "") else unit * qty
    return line


def compute_totals(state: State, o: dict, coupons: list[dict] | None):
    """Fill line, fee, shipping and coupon amounts and the order totals as
    WooCommerce 10.0.2's `calculate_totals` does (abstract-wc-order.php), with
    its default `woocommerce_tax_round_at_subtotal = no`:

    - `coupons` (a list, maybe empty) re-applies them from the lines'
      subtotals, as `recalculate_coupons` does: a line's total is its subtotal
      minus its discounts. None keeps each line's total (`_tot`): an edit
      without `coupon_lines` recalculates but does not re-discount.
    - tax is rounded per line (line items, fees, shipping) and the rounded
      line taxes are summed; `discount_total` is the rounded subtotals minus
      the rounded totals, `discount_tax` the unrounded subtotal taxes minus the
      unrounded total taxes.
    - fees are taxable unless sent with `tax_status: none`; a negative fee is
      capped at what the lines, earlier fees and shipping add up to, and its
      (negative) tax is the rate on the part of it that falls on taxable costs.
    - shipping is taxed only when a taxable line item gives it a tax class
      (`woocommerce_shipping_tax_class = inherit`).
    """
    lines = o["line_items"]
    subs = [ZERO if ln["product_id"] == 0 else ln["_sub"] for ln in lines]
    per_coupon_line: list[list[Decimal]] = []
    if coupons is None:
        tots = [
            ZERO if ln["product_id"] == 0 else (ln["_tot"] if ln["_tot"] is not None else ln["_sub"]) for ln in lines
        ]
    else:
        tots = _apply_coupons(lines, subs, coupons, per_coupon_line)
    taxable = [_line_taxable(state, ln) for ln in lines]
    cart_subtotal = sum((r2(x) for x in subs), ZERO)
    cart_total = sum((r2(x) for x in tots), ZERO)
    sub_tax_raw = tot_tax_raw = cart_tax = ZERO
    raw_taxes = o["_raw_taxes"] = {}  # item id -> (total, subtotal) tax before rounding, for `dp` (decimals.py)
    for i, ln in enumerate(lines):
        st_raw, tt_raw = price_line(ln, subs[i], tots[i], taxable[i])
        if taxable[i]:
            raw_taxes[ln["id"]] = (tt_raw, st_raw)
        sub_tax_raw += st_raw
        tot_tax_raw += tt_raw
        cart_tax += dec(ln["total_tax"])
    ship_taxed = any(taxable)
    ship_total = ship_tax = ZERO
    for sl in o["shipping_lines"]:
        t, tax = price_shipping_line(sl, ship_taxed)
        if ship_taxed:
            raw_taxes[sl["id"]] = (t * TAX_RATE, None)
        ship_total += r2(t)
        ship_tax += tax
    fee_total = ZERO
    for fl in o["fee_lines"]:
        t = dec(fl["total"])
        if t < 0:
            cap = -r2(cart_total + fee_total + ship_total)
            if t < cap < 0:
                t = cap
        fl["total"] = fmt(t)
        fee_total += t
    fee_tax = ZERO
    for fl in o["fee_lines"]:
        base = _fee_tax_base(o, fl, tots, taxable)
        fee_tax += price_fee_line(fl, base)
        if base is not None:
            raw_taxes[fl["id"]] = (base * TAX_RATE, None)
    for _coupon, cl, d in zip(coupons or [], o["coupon_lines"], per_coupon_line, strict=False):
        cl["discount"] = fmt_trim(sum(d, ZERO))
        cl["discount_tax"] = fmt(sum((r2(x * TAX_RATE) for x, t in zip(d, taxable, strict=True) if t), ZERO))
    cart_tax = set_totals(
        o,
        cart_subtotal,
        cart_total,
        sub_tax_raw,
        tot_tax_raw,
        cart_total,
        ship_total,
        ship_tax,
        fee_total,
        cart_tax=cart_tax + fee_tax,
    )
    has_tax = any(taxable) or any(fl.get("tax_status") == "taxable" for fl in o["fee_lines"])
    kept = o["tax_lines"][0]["id"] if o["tax_lines"] else None  # update_taxes keeps the tax item
    o["tax_lines"] = [tax_line_dict(state, cart_tax, ship_tax, kept)] if has_tax else []
    o["needs_processing"] = any(_needs_processing(state, ln) for ln in lines)


def _apply_coupons(lines: list, subs: list[Decimal], coupons: list[dict], per_coupon_line: list) -> list[Decimal]:
    """Each coupon's discount per line, from what earlier coupons left (capture 063)."""
    remaining = list(subs)
    for c in coupons:
        amount = dec(c["amount"])
        d = [ZERO] * len(lines)
        if c["discount_type"] == "percent":
            d = _percent_discounts(lines, subs, remaining, amount)
        elif c["discount_type"] == "fixed_product":
            for i, ln in enumerate(lines):
                d[i] = min(r2(amount * ln["quantity"]), remaining[i])
        else:
            base = sum(remaining) or ZERO
            left = min(amount, base)
            if base > 0:
                for i in range(len(lines)):
                    share = r2(left * remaining[i] / base) if i < len(lines) - 1 else left - sum(d)
                    d[i] = min(max(share, ZERO), remaining[i])
        for i in range(len(lines)):
            remaining[i] -= d[i]
        per_coupon_line.append(d)
    return remaining


def _percent_discounts(lines: list, subs: list[Decimal], remaining: list[Decimal], percent: Decimal) -> list[Decimal]:
    """WC_Discounts::apply_coupon_percent, in cents: each line's discount is
    rounded down, then the cents the whole cart's discount (rounded half
    down) still wants go one by one to the dearest lines first."""
    cents = [r2(x) * 100 for x in subs]
    left = [r2(x) * 100 for x in remaining]
    order = sorted(
        (i for i in range(len(lines)) if left[i] > 0 and lines[i]["quantity"] > 0),
        key=lambda i: -(cents[i] / lines[i]["quantity"] if lines[i]["quantity"] > 1 else cents[i]),
    )
    d = [ZERO] * len(lines)
    for i in order:
        d[i] = min(left[i], (cents[i] * percent / 100).to_integral_value(rounding=ROUND_FLOOR))
    want = (sum((cents[i] for i in order), ZERO) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_DOWN)
    given = sum(d, ZERO)
    for i in order:
        for _unit in range(lines[i]["quantity"]):
            if given >= want:
                break
            if left[i] - d[i] > 0:
                d[i] += 1
                given += 1
    return [x / 100 for x in d]


def _line_taxable(state: State, ln: dict) -> bool:
    """A line is taxed unless its product says `tax_status: none` (a line
    whose product is gone keeps the default, taxable)."""
    product = state.products.get(ln["product_id"]) if ln["product_id"] else None
    return (product or {}).get("tax_status", "taxable") == "taxable"


def _needs_processing(state: State, ln: dict) -> bool:
    """WC_Order::needs_processing: every line but a virtual *and* downloadable
    product needs processing (a virtual-only one does; real store 10.0.2)."""
    product = state.products.get(ln["product_id"]) if ln["product_id"] else None
    if product is None:
        return False
    return not (product.get("virtual") and product.get("downloadable"))


def _fee_tax_base(o: dict, fee: dict, tots: list[Decimal], taxable: list[bool]) -> Decimal | None:
    """The amount a fee is taxed on: its total, or for a negative fee the
    share of it that falls on the taxable costs (WC_Order_Item_Fee::
    calculate_taxes apportions it over the non-negative lines, fees and
    shipping by tax class, whatever the fee's own `tax_status`: a negative
    `tax_status: none` fee is taxed too, real store 10.0.2). None: the fee
    is not taxed."""
    t = dec(fee["total"])
    if t >= 0:
        return t if fee.get("tax_status") == "taxable" else None
    taxed = untaxed = ZERO
    for tot, tx in zip(tots, taxable, strict=True):
        if tot >= 0:
            taxed, untaxed = (taxed + tot, untaxed) if tx else (taxed, untaxed + tot)
    for other in o["fee_lines"]:
        ot = dec(other["total"])
        if ot >= 0:
            taxed, untaxed = (taxed + ot, untaxed) if other.get("tax_status") == "taxable" else (taxed, untaxed + ot)
    for sl in o["shipping_lines"]:
        if dec(sl["total"]) >= 0:
            taxed += dec(sl["total"])
    if taxed + untaxed == 0:  # nothing to apportion over: no taxes (a fee-only order, real store)
        return None
    return t * taxed / (taxed + untaxed)


def price_line(ln: dict, sub: Decimal, tot: Decimal, taxable: bool = True) -> tuple[Decimal, Decimal]:
    """Write one line's amounts and taxes (each tax rounded on its own line);
    return its unrounded subtotal and total tax (`discount_tax` takes their
    difference). A subtotal tax below the total tax is raised to it, as
    WC_Order_Item_Product::set_taxes does."""
    ln["subtotal"], ln["total"] = fmt(sub), fmt(tot)
    # get_item_total unrounded: PHP's float quotient (145 / 3 -> 48.333333333333336)
    ln["price"] = money.php_float(float(tot) / ln["quantity"]) if ln["quantity"] else 0
    if not taxable:
        ln["subtotal_tax"] = ln["total_tax"] = "0.00"
        ln["taxes"] = []
        return ZERO, ZERO
    st_raw, tt_raw = sub * TAX_RATE, tot * TAX_RATE
    if st_raw < tt_raw:
        st_raw = tt_raw
    ln["subtotal_tax"], ln["total_tax"] = fmt(st_raw), fmt(tt_raw)
    ln["taxes"] = [{"id": TAX_RATE_ID, "total": ln["total_tax"], "subtotal": ln["subtotal_tax"]}]
    return st_raw, tt_raw


def price_shipping_line(sl: dict, taxed: bool = True) -> tuple[Decimal, Decimal]:
    """Write a shipping line's tax (shipping is taxed at the one rate); return (total, tax)."""
    t = dec(sl["total"])
    tax = r2(t * TAX_RATE) if taxed else ZERO
    sl["total"], sl["total_tax"] = fmt(t), fmt(tax)
    sl["taxes"] = [{"id": TAX_RATE_ID, "total": fmt(tax), "subtotal": ""}] if taxed else []
    return t, tax


def price_fee_line(fl: dict, base: Decimal | None) -> Decimal:
    """Write a fee line's tax on `base` (None: untaxed); return the rounded tax."""
    if base is None:
        fl["total_tax"], fl["taxes"] = "0.00", []
        return ZERO
    tax = r2(base * TAX_RATE)
    fl["total_tax"] = fmt(tax)
    fl["taxes"] = [{"id": TAX_RATE_ID, "total": fmt(tax), "subtotal": ""}]
    return tax


def set_totals(
    o: dict,
    subs_total: Decimal,
    remaining_total: Decimal,
    sub_tax_raw: Decimal,
    tot_tax_raw: Decimal,
    items_total: Decimal,
    ship_total: Decimal,
    ship_tax: Decimal,
    fee_total: Decimal,
    cart_tax: Decimal | None = None,
) -> Decimal:
    """Write the order-level amounts from the summed lines; return the cart
    tax: `cart_tax` (the sum of the rounded line and fee taxes) or, when not
    given, `tot_tax_raw` rounded (seeding sums lines whose taxes price_line
    already rounded)."""
    cart_tax = r2(tot_tax_raw) if cart_tax is None else cart_tax
    o["discount_total"] = fmt(subs_total - remaining_total)
    o["discount_tax"] = fmt(sub_tax_raw - tot_tax_raw)
    o["shipping_total"], o["shipping_tax"] = fmt(ship_total), fmt(ship_tax)
    o["cart_tax"] = fmt(cart_tax)
    o["total_tax"] = fmt(cart_tax + ship_tax)
    o["total"] = fmt(items_total + ship_total + fee_total + cart_tax + ship_tax)
    return cart_tax


def _finalize_lines(o: dict):
    for ln in o["line_items"]:
        ln.pop("_sub", None)
        ln.pop("_tot", None)


def _coupon_line(state: State, c: dict) -> dict:
    info = f'[{c["id"]},"{c["code"]}",{"null" if c["discount_type"] == "fixed_cart" else chr(34) + c["discount_type"] + chr(34)},{money.num(dec(c["amount"]))}]'
    return {
        "id": 0,
        "code": c["code"],
        "discount": "0",
        "discount_tax": "0.00",
        "meta_data": [
            {
                "id": state.meta_id(),
                "key": "coupon_info",
                "value": info,
                "display_key": "coupon_info",
                "display_value": info,
            }
        ],
        "discount_type": c["discount_type"],
        "nominal_amount": money.num(dec(c["amount"])),
        "free_shipping": c["free_shipping"],
    }


# ---------------------------------------------------------------- side effects
def _usage_key(o: dict) -> str:
    return str(o["customer_id"]) if o["customer_id"] else (o["billing"].get("email") or "")


def _apply_coupon_usage(state: State, o: dict):
    want = o["status"] in USAGE_STATUSES
    if want == o.get("_usage_recorded", False):
        return
    who = _usage_key(o)
    for cl in o["coupon_lines"]:
        c = state.find_coupon(cl["code"])
        if c is None:
            continue
        if want:
            c["used_by"].append(who)
        elif who in c["used_by"]:
            c["used_by"].remove(who)
    o["_usage_recorded"] = want


def _release_coupon_usage(state: State, o: dict):
    if o.get("_usage_recorded"):
        who = _usage_key(o)
        for cl in o["coupon_lines"]:
            c = state.find_coupon(cl["code"])
            if c is not None and who in c["used_by"]:
                c["used_by"].remove(who)
        o["_usage_recorded"] = False


def _apply_stock(state: State, o: dict):
    status = o["status"]
    if status in STOCK_REDUCE_STATUSES and not o.get("_stock_reduced"):
        changes = []
        for ln in o["line_items"]:
            p = state.products.get(ln["variation_id"] or ln["product_id"])
            if p and p["manage_stock"] and p["stock_quantity"] is not None:
                old = p["stock_quantity"]
                p["stock_quantity"] = old - ln["quantity"]
                ln["meta_data"].append(
                    {
                        "id": state.meta_id(),
                        "key": "_reduced_stock",
                        "value": str(ln["quantity"]),
                        "display_key": "_reduced_stock",
                        "display_value": str(ln["quantity"]),
                    }
                )
                changes.append(f"{p['name']} ({p['sku']}) {old}&rarr;{p['stock_quantity']}")
        if changes:
            state.add_note(o["id"], "Stock levels reduced: " + ", ".join(changes))
        o["_stock_reduced"] = True
    elif status in ("cancelled", "pending") and o.get("_stock_reduced"):
        changes = []
        for ln in o["line_items"]:
            red = [m for m in ln["meta_data"] if m["key"] == "_reduced_stock"]
            p = state.products.get(ln["variation_id"] or ln["product_id"])
            if red and p and p["stock_quantity"] is not None:
                old = p["stock_quantity"]
                p["stock_quantity"] = old + int(red[0]["value"])
                ln["meta_data"].remove(red[0])
                changes.append(f"{p['name']} ({p['sku']}) {old}&rarr;{p['stock_quantity']}")
        if changes:
            state.add_note(o["id"], "Stock levels increased: " + ", ".join(changes))
        o["_stock_reduced"] = False


def _set_status(state: State, o: dict, new: str, now: int, note: bool = True):
    old = o["status"]
    if new == old:
        return
    o["status"] = new
    if note:
        state.add_note(
            o["id"], f"Order status changed from {STATUS_LABEL.get(old, old)} to {STATUS_LABEL.get(new, new)}."
        )
    if new in ("processing", "completed") and o["paid"] is None:
        o["paid"] = now
    if new == "completed":
        o["completed"] = now
    if new == "completed":  # wc_paying_customer on woocommerce_order_status_completed
        _mark_paying(state, o)
    _apply_coupon_usage(state, o)
    _apply_stock(state, o)
    if new == "refunded":
        _refund_the_rest(state, o, now)


def _refund_the_rest(state: State, o: dict, now: int) -> None:
    """wc_order_fully_refunded (on every change to `refunded`): what is not
    refunded yet becomes one refund, "Order fully refunded.", without lines
    or restock, plus a note."""
    rest = dec(o["total"]) - sum((dec(r["amount"]) for r in o["refunds"]), ZERO)
    if r2(rest) == 0:
        return
    rid = state.post_id()
    r = {
        "id": rid,
        "order_id": o["id"],
        "created": now,
        "amount": fmt(rest),
        "reason": "Order fully refunded.",
        "refunded_by": 1,
        "refunded_payment": False,
        "line_items": [],
        "tax_lines": [],
    }
    state.refunds[rid] = r
    o["refunds"].append(r)
    state.add_note(
        o["id"],
        "Order status set to refunded. To return funds to the customer you will need to "
        "issue a refund through your payment gateway.",
    )


# ---------------------------------------------------------------- create / update / delete
ADDRESS_FIELDS = ("billing", "shipping")


def create_order(state: State, body: dict) -> dict:
    """POST /orders as WC_REST_Orders_Controller::save_object runs it: the
    order is saved and totalled first, then its coupons are checked like a
    checkout's and applied, then the status is set, then `set_paid` completes
    the payment. A refused coupon leaves the saved order behind as a
    `checkout-draft` (its id in the error's `data.new_draft_order_id`)."""
    with state.lock:
        status = body.get("status") or "pending"
        if status not in STATUSES:
            raise _status_error()
        cid = _int(body.get("customer_id") or 0)
        if cid and cid not in state.customers:
            raise ApiError(400, "woocommerce_rest_invalid_customer_id", "Customer ID is invalid.")
        now = state.now()
        oid = state.post_id()
        o = {
            "id": oid,
            "status": "pending",
            "created": now,
            "modified": now,
            "completed": None,
            "paid": None,
            "customer_id": cid,
            "order_key": new_order_key(),
            "billing": dict(body.get("billing") or {}),
            "shipping": dict(body.get("shipping") or {}),
            "payment_method": str(body.get("payment_method") or ""),
            "payment_method_title": str(body.get("payment_method_title") or ""),
            "transaction_id": str(body.get("transaction_id") or ""),
            "created_via": "rest-api",
            "customer_note": str(body.get("customer_note") or ""),
            "meta": [],
            "line_items": [],
            "tax_lines": [],
            "shipping_lines": [],
            "fee_lines": [],
            "coupon_lines": [],
            "refunds": [],
        }
        _fill_billing_email(state, o)
        for li in body.get("line_items") or []:
            ln = _line_from_request(state, li)
            ln["id"] = state.item_id()
            o["line_items"].append(ln)
        for sl in body.get("shipping_lines") or []:
            o["shipping_lines"].append(
                {
                    "id": state.item_id(),
                    "method_title": str(sl.get("method_title") or ""),
                    "method_id": str(sl.get("method_id") or ""),
                    "instance_id": str(sl.get("instance_id") or ""),
                    "total": sl.get("total") or "0",
                    "total_tax": "0.00",
                    "taxes": [],
                    "tax_status": "taxable",
                    "meta_data": [],
                }
            )
        for fl in body.get("fee_lines") or []:
            o["fee_lines"].append(_fee_line(state, fl))
        # item ids: lines, shipping, fees, then the tax line, then coupons (capture 063)
        compute_totals(state, o, None)
        state.apply_meta(o["meta"], body.get("meta_data"))
        state.orders[oid] = o
        state.emit("order", "created", oid)
        try:
            coupons = _checked_coupons(state, o, body.get("coupon_lines"))
        except ApiError as refused:
            _finalize_lines(o)
            _set_status(state, o, "checkout-draft", now)
            refused.data["new_draft_order_id"] = oid
            raise
        if coupons:
            _set_coupons(state, o, coupons)
        _finalize_lines(o)
        _apply_coupon_usage(state, o)
        if status != o["status"]:
            _set_status(state, o, status, now)
        if body.get("set_paid") is True:
            _payment_complete(state, o, now)
        return o


def _fee_line(state: State, fl: dict) -> dict:
    """A fee as prepare_fee_lines stores it: taxable unless told otherwise,
    `amount` left empty (the REST API never sets it)."""
    return {
        "id": state.item_id(),
        "name": str(fl.get("name") or ""),
        "tax_class": str(fl.get("tax_class") or ""),
        "tax_status": str(fl.get("tax_status") or "taxable"),
        "amount": "",
        "total": fmt(fl.get("total") or 0),
        "total_tax": "0.00",
        "taxes": [],
        "meta_data": [],
    }


def _fill_billing_email(state: State, o: dict) -> None:
    """WC_Order::save: an order of a customer with no billing email gets the
    customer's account email (only the email; on every save)."""
    customer = state.customers.get(o["customer_id"]) if o["customer_id"] else None
    if customer and not o["billing"].get("email"):
        o["billing"]["email"] = customer["email"]


def _payment_complete(state: State, o: dict, now: int) -> None:
    """WC_Order::payment_complete: from pending, on-hold, failed or cancelled
    the order is paid and goes to processing, or completed when no line needs
    processing."""
    if o["status"] in ("on-hold", "pending", "failed", "cancelled"):
        if o["paid"] is None:
            o["paid"] = now
        _set_status(state, o, "processing" if o.get("needs_processing") else "completed", now)
        _mark_paying(state, o)  # wc_paying_customer on woocommerce_payment_complete


def _mark_paying(state: State, o: dict) -> None:
    """A customer becomes paying when an order of theirs is completed or its
    payment completes (`set_paid`); a `processing` status set through the API
    is neither (real store, 10.0.2: is_paying_customer stays false)."""
    if o["customer_id"] in state.customers:
        state.customers[o["customer_id"]]["is_paying_customer"] = True


def _refused(message: str) -> ApiError:
    return ApiError(400, "woocommerce_rest_invalid_coupon", message)


def _price_html(amount) -> str:
    return (
        f'<span class="woocommerce-Price-amount amount"><bdi>{fmt(amount)}&nbsp;<span '
        f'class="woocommerce-Price-currencySymbol">&euro;</span></bdi></span>'
    )


def _email_allowed(emails: list[str], restrictions: list[str]) -> bool:
    """DiscountsUtil::is_coupon_emails_allowed: exact addresses, or `*` wildcards."""
    for r in restrictions:
        pattern = "^" + re.escape(r.lower()).replace(r"\*", ".*") + "$"
        if any(re.match(pattern, e) for e in emails):
            return True
    return False


def _usage_by(c: dict, who: str) -> int:
    return sum(1 for u in c["used_by"] if u.lower() == who.lower())


def _checked_coupons(state: State, o: dict, lines, already: tuple = ()) -> list[dict]:
    """The coupons of `coupon_lines`, each checked as WC_Discounts::
    is_coupon_valid and WC_Abstract_Order::apply_coupon check it for an order
    (real store 10.0.2: the messages are WooCommerce's, HTML-escaped). A code
    the order already carries is not checked again."""
    out = []
    for cl in lines or []:
        code = str((cl or {}).get("code") or "").strip().lower()
        if not code:
            raise _refused("Coupon code is required.")
        c = state.find_coupon(code)
        if code in already and c is not None:
            out.append(c)
            continue
        q = f"&quot;{c['code'] if c else code}&quot;"
        if c is None:
            raise _refused(f"Coupon {q} cannot be applied because it does not exist.")
        limit_reached = f"Usage limit for coupon {q} has been reached."
        if c.get("usage_limit") and len(c["used_by"]) >= c["usage_limit"]:
            raise _refused(limit_reached)
        if (
            c.get("usage_limit_per_user")
            and o["customer_id"]
            and _usage_by(c, str(o["customer_id"])) >= c["usage_limit_per_user"]
        ):
            raise _refused(limit_reached)
        if c.get("expires") is not None and state.now() > c["expires"]:
            raise _refused(f"Coupon {q} has expired.")
        subtotal = sum((dec(ln["_sub"]) if "_sub" in ln else dec(ln["subtotal"]) for ln in o["line_items"]), ZERO)
        minimum, maximum = dec(c.get("minimum_amount")), dec(c.get("maximum_amount"))
        if minimum > 0 and minimum > subtotal:
            raise _refused(f"The minimum spend for coupon {q} is {_price_html(minimum)}.")
        if maximum > 0 and maximum < subtotal:
            raise _refused(f"The maximum spend for coupon {q} is {_price_html(maximum)}.")
        emails = [e for e in [str(o["billing"].get("email") or "").lower()] if e]
        if c.get("email_restrictions") and not _email_allowed(emails, c["email_restrictions"]):
            raise _refused(f"Please enter a valid email at checkout to use coupon code {q}.")
        out.append(c)
    for c in out:  # apply_coupon: a guest's own uses, by billing email
        if c["code"] in already or o["customer_id"] or not c.get("usage_limit_per_user"):
            continue
        if _usage_by(c, str(o["billing"].get("email") or "")) >= c["usage_limit_per_user"]:
            raise _refused(f"Usage limit for coupon &quot;{c['code']}&quot; has been reached.")
    return out


def _set_coupons(state: State, o: dict, coupons: list[dict]) -> None:
    """Replace the order's coupon lines and re-apply them from the lines'
    subtotals (calculate_coupons: remove all, apply each)."""
    o["coupon_lines"] = [_coupon_line(state, c) for c in coupons]
    for ln in o["line_items"]:
        ln.setdefault("_sub", dec(ln["subtotal"]))
        ln.setdefault("_tot", dec(ln["total"]))
    compute_totals(state, o, coupons)
    for cl in o["coupon_lines"]:
        cl["id"] = state.item_id()


def update_order(state: State, oid, body: dict) -> dict:
    """PUT /orders/<id>: fields, then items (a quantity alone keeps the
    line's totals), a recalculation when items or addresses were sent,
    `coupon_lines` checked and applied, the status, then `set_paid` when the
    order still needs payment."""
    with state.lock:
        o = materialize(state, oid, status_for_missing=400)
        if "status" in body and body["status"] not in STATUSES:
            raise _status_error()
        now = state.now()
        coupons = None
        if "coupon_lines" in body and body["coupon_lines"] is not None:
            coupons = _checked_coupons(
                state, o, body["coupon_lines"], already=tuple(cl["code"] for cl in o["coupon_lines"])
            )
        for k in ADDRESS_FIELDS:
            if isinstance(body.get(k), dict):
                o[k].update(body[k])
        for k in ("customer_note", "payment_method", "payment_method_title", "transaction_id"):
            if k in body and body[k] is not None:
                o[k] = str(body[k])
        if "customer_id" in body:
            o["customer_id"] = _int(body["customer_id"])
        _fill_billing_email(state, o)
        if "meta_data" in body:
            state.apply_meta(o["meta"], body["meta_data"])
        if isinstance(body.get("line_items"), list) and body["line_items"]:
            _update_lines(state, o, body["line_items"])
        if coupons is not None:
            _release_coupon_usage(state, o)  # remove_coupon gives each use back, apply_coupon records anew
            _set_coupons(state, o, coupons)
            _finalize_lines(o)
            _apply_coupon_usage(state, o)
        if body.get("status"):
            _set_status(state, o, body["status"], now)
        if body.get("set_paid") is True and _needs_payment(o):
            _payment_complete(state, o, now)
        o["modified"] = now
        state.emit("order", "updated", o["id"])
        return o


def _needs_payment(o: dict) -> bool:
    return o["status"] in ("pending", "failed", "checkout-draft") and dec(o["total"]) > 0


def _update_lines(state: State, o: dict, items: list):
    """Edit, add or remove line items, then recalculate without re-applying
    coupons: an edited quantity keeps the line's subtotal and total
    (prepare_line_items sets only what was sent; real store 10.0.2)."""
    for li in items:
        if li.get("id"):
            for ln in list(o["line_items"]):
                if ln["id"] == _int(li["id"]):
                    if "quantity" in li and int(li["quantity"]) == 0:
                        o["line_items"].remove(ln)
                        continue
                    if "quantity" in li:
                        ln["quantity"] = int(li["quantity"])
                    if li.get("subtotal") not in (None, ""):
                        ln["_sub"] = dec(li["subtotal"])
                    if li.get("total") not in (None, ""):
                        ln["_tot"] = dec(li["total"])
        else:
            ln = _line_from_request(state, li)
            ln["id"] = state.item_id()
            o["line_items"].append(ln)
    for ln in o["line_items"]:
        ln.setdefault("_sub", dec(ln["subtotal"]))
        ln.setdefault("_tot", dec(ln["total"]))
    compute_totals(state, o, None)
    _finalize_lines(o)


def delete_order(state: State, oid, force: bool) -> dict:
    with state.lock:
        o = materialize(state, oid)
        if force:
            del state.orders[o["id"]]
        else:
            if o["status"] == "trash":
                raise ApiError(410, "woocommerce_rest_already_trashed", "The order has already been deleted.")
            # The answer shows the order as it was; a later GET shows `trash`
            # and a new date_modified (real store, 10.0.2). Trashing also
            # saves the order, so `order.updated` fires besides `order.deleted`.
            before = copy.deepcopy(o)
            o["_pre_trash_status"] = o["status"]
            o["status"] = "trash"
            o["modified"] = state.now()
            state.emit("order", "updated", o["id"])
            state.emit("order", "deleted", o["id"])
            return before
        state.emit("order", "deleted", o["id"])
        return o


def untrash_order(state: State, oid) -> dict:
    """What wp-admin's "Restore" does (the REST API has no untrash): the status
    before the trash comes back, the order is saved, `order.restored` fires
    (with the full order, unlike `order.deleted`)."""
    with state.lock:
        o = materialize(state, oid)
        if o["status"] != "trash":
            raise ApiError(400, "woosim_not_trashed", "The order is not in the trash.")
        o["status"] = o.pop("_pre_trash_status", None) or "pending"
        o["modified"] = state.now()
        state.emit("order", "restored", o["id"])
        state.emit("order", "updated", o["id"])
        return o


# ---------------------------------------------------------------- refunds
def create_refund(state: State, oid, body: dict) -> dict:
    if body.get("amount") is not None and not isinstance(body["amount"], str):
        raise invalid_param("amount", "amount is not of type string.", "rest_invalid_type")
    with state.lock:
        o = materialize(state, oid)
        already = sum((dec(r["amount"]) for r in o["refunds"]), ZERO)
        remaining = dec(o["total"]) - already
        lines_out, tax_sum = [], ZERO
        line_amount = ZERO
        restock = body.get("restock_items", True)
        for li in body.get("line_items") or []:
            src = next((ln for ln in o["line_items"] if ln["id"] == _int(li.get("id"))), None)
            if src is None:
                continue
            qty = int(li.get("quantity") or 0)
            rt = dec(li.get("refund_total"))
            rtax = sum((dec(t.get("refund_total")) for t in li.get("refund_tax") or []), ZERO)
            line_amount += rt + rtax
            tax_sum += rtax
            lines_out.append(
                {
                    "id": 0,
                    "name": src["name"],
                    "product_id": src["product_id"],
                    "variation_id": src["variation_id"],
                    "quantity": -qty,
                    "tax_class": "",
                    "subtotal": fmt(-rt),
                    "subtotal_tax": fmt(-rtax),
                    "total": fmt(-rt),
                    "total_tax": fmt(-rtax),
                    "taxes": [{"id": TAX_RATE_ID, "total": fmt(-rtax), "subtotal": fmt(-rtax)}],
                    "meta_data": [
                        {
                            "id": 0,
                            "key": "_refunded_item_id",
                            "value": str(src["id"]),
                            "display_key": "_refunded_item_id",
                            "display_value": str(src["id"]),
                        }
                    ],
                    "sku": src["sku"],
                    "price": money.num(r2(rt / qty)) if qty else 0,
                    "image": dict(src["image"]),
                    "parent_name": src["parent_name"],
                    "_src": src,
                    "_qty": qty,
                }
            )
        amount = dec(body["amount"]) if body.get("amount") not in (None, "") else line_amount
        if amount < 0:  # the controller's own check: HTTP 500 with `"data": 400` (real store 10.0.2)
            raise ApiError(
                500, "woocommerce_rest_invalid_order_refund", "Refund amount must be greater than zero.", data=400
            )
        if amount > remaining + Decimal("0.001"):  # a zero refund is accepted
            raise ApiError(500, "woocommerce_rest_cannot_create_order_refund", "Invalid refund amount.", data=500)
        if body.get("api_refund", True) is not False and str(body.get("api_refund")).lower() not in ("false", "0"):
            raise ApiError(
                500,
                "woocommerce_rest_cannot_create_order_refund",
                "The payment gateway for this order does not support automatic refunds.",
            )
        now = state.now()
        rid = state.post_id()
        for ln in lines_out:
            ln["id"] = state.item_id()
            ln["meta_data"][0]["id"] = state.meta_id()
            src, qty = ln.pop("_src"), ln.pop("_qty")
            red = [m for m in src["meta_data"] if m["key"] == "_reduced_stock"]
            p = state.products.get(src["variation_id"] or src["product_id"])
            if restock and red and p and p["stock_quantity"] is not None and qty:
                p["stock_quantity"] += qty
                red[0]["value"] = red[0]["display_value"] = str(max(int(red[0]["value"]) - qty, 0))
                src["meta_data"].append(
                    {
                        "id": state.meta_id(),
                        "key": "_restock_refunded_items",
                        "value": str(qty),
                        "display_key": "_restock_refunded_items",
                        "display_value": str(qty),
                    }
                )
        tax_lines = [tax_line_dict(state, -tax_sum, ZERO)] if tax_sum else []
        r = {
            "id": rid,
            "order_id": o["id"],
            "created": now,
            "amount": fmt(amount),
            "reason": str(body.get("reason") or ""),
            "refunded_by": 1,
            "refunded_payment": False,
            "line_items": lines_out,
            "tax_lines": tax_lines,
        }
        state.refunds[rid] = r
        o["refunds"].append(r)
        state.add_note(
            o["id"], f"Refunded {fmt(amount)}&nbsp;&euro;" + (f" &ndash; {r['reason']}" if r["reason"] else "")
        )
        if remaining - amount <= Decimal("0.001") and amount > 0:
            _set_status(state, o, "refunded", now)
        o["modified"] = now
        state.emit("order", "updated", o["id"])
        return r


def customer_bought(state: State, email: str, product_id: int) -> bool:
    """`verified` on reviews: a completed/processing order with the product by that email."""
    email = (email or "").lower()
    cid = state.email_index.get(email)
    for o in state.orders.values():
        if o["status"] not in ("completed", "processing"):
            continue
        if (cid and o["customer_id"] == cid) or (o["billing"].get("email") or "").lower() == email:
            if any(ln["product_id"] == product_id for ln in o["line_items"]):
                return True
    return False


def forget_deleted_products(state: State, product_ids: set[int]) -> None:
    """What a force-delete of products does to old orders in WooCommerce
    10.0.2 (measured on a real store): the lines stay, with their name and
    totals, but answer `product_id: 0`, `sku: null`, image id 0 (a deleted
    variation: `variation_id: 0`, `parent_name: null`); the orders'
    `date_modified` does not move, since the catalogue changed, not the order.
    Products leave the store first; the caller holds the state lock."""

    def uses(o: dict) -> bool:
        return any(
            li.get("product_id") in product_ids or li.get("variation_id") in product_ids for li in o["line_items"]
        )

    affected = [oid for oid, o in state.orders.items() if uses(o)]
    if state.lazy is not None:
        affected += [
            oid
            for oid in map(state.lazy.id_of, range(state.lazy.n))
            if oid not in state.lazy_overridden and uses(state.lazy.get(oid))
        ]
    for oid in affected:
        o = materialize(state, oid)
        o.pop("_text", None)
        for li in o["line_items"]:
            if li.get("product_id") in product_ids:
                li.update(product_id=0, sku=None, image={"id": 0, "src": ""})
            if li.get("variation_id") in product_ids:
                li.update(variation_id=0, parent_name=None)
