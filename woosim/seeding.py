"""Deterministic demo shop ("seed=demo"): catalog, customers, 2 years of orders.

Catalog, coupons, customers and reviews are created eagerly through the
store (so they behave like API-created ones). Orders are *lazy*: order i is
rebuilt from (seed, i) whenever it is read, so 1M orders cost almost no
memory. Seeded order i has id `base + 2*i` (the odd id after it is its
refund, if any: refunds share the post-id counter) and creation and
modification times that never decrease with i; orderquery.py relies on that
to answer date filters by bisection. A listing page builds 100 of them, so
line items are priced once per product and quantity and carry their JSON
text (`_text`, for shapes.order_text); seeded orders share those items'
nested parts, and writing to one deep-copies it into `state.orders` (see
orders.materialize).
"""

from __future__ import annotations

import hashlib
import random
from array import array
from bisect import bisect_right
from functools import lru_cache

from . import money
from .money import ZERO
from .orders import (
    _finalize_lines,
    _line_from_request,
    _needs_processing,
    compute_totals,
    price_line,
    price_shipping_line,
    set_totals,
    tax_line,
)
from .shapes import json_value
from .store import State

DAY = 86400
SPAN = 730 * DAY

CATEGORIES = [
    ("Coffee", "Whole beans and ground coffee"),
    ("Equipment", "Grinders, brewers, frothers"),
    ("Tea", "Loose leaf tea"),
    ("Accessories", "Cups, filters and more"),
    ("Memberships", ""),
]
PRODUCTS = [
    ("Espresso Beans 1kg", "ESP-1KG", "24.90", "", 0),
    ("Espresso Beans 250g", "ESP-250", "7.90", "", 0),
    ("House Blend 1kg", "HOUSE-1KG", "19.90", "17.90", 0),
    ("Decaf Colombia 500g", "DECAF-500", "12.50", "", 0),
    ("Ethiopia Yirgacheffe 250g", "ETH-250", "9.80", "", 0),
    ("Kenya AA 250g", "KEN-250", "10.50", "", 0),
    ("Brazil Santos 1kg", "BRA-1KG", "18.40", "", 0),
    ("Guatemala Antigua 500g", "GUA-500", "13.20", "", 0),
    ("Cold Brew Blend 500g", "COLD-500", "11.90", "", 0),
    ("Sumatra Mandheling 250g", "SUM-250", "9.20", "", 0),
    ("Milk Frother", "FROTH-01", "49.00", "44.00", 1),
    ("Burr Grinder", "GRIND-01", "129.00", "", 1),
    ("Pour-Over Dripper", "DRIP-01", "24.00", "", 1),
    ("French Press 1l", "PRESS-1L", "34.90", "", 1),
    ("Moka Pot 6 cups", "MOKA-6", "39.90", "", 1),
    ("Gooseneck Kettle", "KETTLE-01", "59.00", "54.00", 1),
    ("Digital Scale", "SCALE-01", "29.90", "", 1),
    ("Espresso Tamper", "TAMP-58", "19.90", "", 1),
    ("Earl Grey 100g", "TEA-EG", "6.90", "", 2),
    ("Sencha 100g", "TEA-SEN", "8.40", "", 2),
    ("Rooibos Vanilla 100g", "TEA-ROO", "5.90", "", 2),
    ("Chai Spice 100g", "TEA-CHAI", "7.20", "", 2),
    ("Paper Filters (100)", "FILT-100", "4.50", "", 3),
    ("Ceramic Cup", "CUP-01", "12.00", "", 3),
    ("Travel Mug", "MUG-TRAVEL", "19.50", "", 3),
    ("Cleaning Tablets", "CLEAN-01", "9.90", "", 3),
    ("Coffee Canister", "CAN-01", "16.00", "", 3),
    ("Gift Card 25", "GIFT-25", "25.00", "", 3),
    ("Barista Course", "COURSE-01", "89.00", "", 3),
    ("VIP Membership (1 year)", "VIP-MEMBERSHIP", "49.00", "", 4),
]
FIRST = [
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Emma",
    "Felix",
    "Greta",
    "Hannah",
    "Jonas",
    "Karl",
    "Lena",
    "Max",
    "Mia",
    "Noah",
    "Olivia",
    "Paul",
    "Lina",
    "Leon",
    "Sofia",
    "Tim",
    "Lara",
    "Elias",
    "Marie",
    "Finn",
    "Julia",
    "Lukas",
    "Sarah",
    "Moritz",
    "Nina",
    "Jan",
    "Eva",
    "Tom",
    "Ida",
    "Ole",
    "Maja",
    "Emil",
]
LAST = [
    "Schmidt",
    "Müller",
    "Jansen",
    "Weber",
    "Koch",
    "Wagner",
    "Becker",
    "Hoffmann",
    "Schulz",
    "Fischer",
    "Meyer",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hartmann",
    "Lange",
    "Werner",
    "Krause",
    "Lehmann",
    "Köhler",
    "Walter",
    "Peters",
    "Kaiser",
    "Fuchs",
    "Vogel",
    "Berger",
]
CITIES = [
    ("Berlin", "10115"),
    ("Hamburg", "20095"),
    ("München", "80331"),
    ("Köln", "50667"),
    ("Frankfurt am Main", "60311"),
    ("Leipzig", "04109"),
    ("Dresden", "01067"),
    ("Bremen", "28195"),
]
STREETS = ["Hauptstrasse", "Bahnhofstrasse", "Gartenweg", "Lindenallee", "Schulstrasse", "Bergstrasse"]
STATUS_WEIGHTS = [
    ("completed", 80),
    ("processing", 3),
    ("cancelled", 6),
    ("refunded", 4),
    ("failed", 3),
    ("pending", 2),
    ("on-hold", 2),
]
_STATUS_TABLE = [s for s, w in STATUS_WEIGHTS for _ in range(w)]
LINE_COUNTS = (1, 1, 1, 2, 2, 3, 4)
QUANTITIES = (1, 1, 1, 2, 3)
PRICED_LINES_MAX = 1024  # priced (product, quantity, product fields) lines kept, ~2 KB each; the demo shop has 90


def _ascii(s: str) -> str:
    return s.lower().replace("ü", "ue").replace("ö", "oe").replace("ä", "ae").replace("ß", "ss")


def _h(seed: str, i: int, salt: str = "") -> int:
    return int.from_bytes(hashlib.blake2b(f"{seed}:{salt}:{i}".encode(), digest_size=8).digest(), "big")


class LazyOrders:
    def __init__(
        self,
        state: State,
        seed: str,
        n: int,
        base_id: int,
        end_ts: int,
        customer_ids: list[int],
        customer_created: list[int],
        product_ids: list[int],
        item_base: int,
        meta_base: int,
    ):
        self.state, self.seed, self.n, self.base_id = state, seed, n, base_id
        self.end = end_ts
        self.start = end_ts - SPAN
        self.customer_ids = customer_ids
        self.customer_created = customer_created  # non-decreasing
        self.product_ids = product_ids
        self.item_base, self.meta_base = item_base, meta_base
        self._status_cache: dict = {}
        self._customer_cache: dict | None = None
        self._priced: dict[tuple, _PricedLine] = {}
        self._shipping = _PricedShipping()
        self.make = lru_cache(maxsize=4096)(self._make)

    # ---- cheap per-index facts (no order built)
    def id_of(self, i: int) -> int:
        return self.base_id + 2 * i

    def index_of(self, oid: int):
        d = oid - self.base_id
        if d < 0 or d % 2 or d // 2 >= self.n:
            return None
        return d // 2

    def created(self, i: int) -> int:
        return self.start + (i * SPAN) // max(self.n, 1) + 30

    def modified(self, i: int) -> int:
        c = self.created(i)
        age = self.end - c
        lag = 2 * DAY
        return c + (lag * age) // (age + lag) if age > 0 else c

    def status(self, i: int) -> str:
        age = self.end - self.created(i)
        h = _h(self.seed, i, "s")
        if age < 2 * DAY:  # recent orders are still moving
            return ("processing", "pending", "on-hold", "completed")[h % 4]
        return _STATUS_TABLE[h % len(_STATUS_TABLE)]

    def customer_and_email(self, i: int) -> tuple[int, int | None]:
        """(customer id or 0, index of the customer whose email a guest used or None)."""
        h = _h(self.seed, i, "c")
        ncust = len(self.customer_ids)
        if not ncust:
            return 0, None
        t = self.created(i)
        # customers registered before this order
        registered = bisect_right(self.customer_created, t)
        if h % 100 < 15 or registered == 0:
            if h % 3 == 0 and registered < ncust:
                return 0, registered + (h // 7) % (ncust - registered)  # registers later
            return 0, None
        return self.customer_ids[(h // 100) % registered], None

    def customer(self, i: int) -> int:
        return self.customer_and_email(i)[0]

    def status_index(self, statuses: frozenset) -> array:
        arr = self._status_cache.get(statuses)
        if arr is None:
            arr = array("l", (i for i in range(self.n) if self.status(i) in statuses))
            self._status_cache[statuses] = arr
        return arr

    def customer_index(self, cid: int) -> array:
        if self._customer_cache is None:
            cache: dict[int, array] = {}
            for i in range(self.n):
                c = self.customer(i)
                if c:
                    cache.setdefault(c, array("l")).append(i)
            self._customer_cache = cache
        return self._customer_cache.get(cid, array("l"))

    def get(self, oid: int):
        i = self.index_of(oid)
        return None if i is None else self.make(i)

    # ---- full order
    def _make(self, i: int) -> dict:
        rnd = random.Random(_h(self.seed, i, "o"))
        oid = self.id_of(i)
        created, modified, status = self.created(i), self.modified(i), self.status(i)
        cid, later_idx = self.customer_and_email(i)
        billing = self._billing(rnd, i, cid, later_idx)
        o = {
            "id": oid,
            "status": status,
            "created": created,
            "modified": modified,
            "completed": None,
            "paid": None,
            "customer_id": cid,
            "order_key": "wc_order_" + hashlib.md5(f"{self.seed}{i}".encode()).hexdigest()[:13],
            "billing": billing,
            "shipping": {k: v for k, v in billing.items() if k != "email"},
            "payment_method": "stripe",
            "payment_method_title": "Credit Card (Stripe)",
            "transaction_id": f"ch_{_h(self.seed, i, 't'):016x}" if status not in ("pending", "failed") else "",
            "created_via": "checkout",
            "customer_note": "",
            "meta": [],
            "line_items": [],
            "tax_lines": [],
            "shipping_lines": [],
            "fee_lines": [],
            "coupon_lines": [],
            "refunds": [],
        }
        picks = [(rnd.choice(self.product_ids), rnd.choice(QUANTITIES)) for _ in range(rnd.choice(LINE_COUNTS))]
        if not self._add_priced_lines(o, i, picks):
            self._add_lines(o, i, picks)
        if status in ("processing", "completed", "refunded", "on-hold") or (
            status == "cancelled" and rnd.random() < 0.3
        ):
            o["paid"] = created + rnd.randint(5, 600) if status != "on-hold" else None
        if status in ("completed", "refunded"):
            o["completed"] = min(created + DAY, modified)
        if o["paid"] is not None:
            o["paid"] = min(o["paid"], modified)
        total = money.dec(o["total"])
        if status == "refunded":
            o["refunds"].append(self._refund(oid, o["total"], "Order cancelled by customer", modified))
        elif status == "completed" and _h(self.seed, i, "r") % 100 < 5 and total > 10:
            amt = money.fmt(money.r2(total * money.dec("0.3")))
            o["refunds"].append(self._refund(oid, amt, "Partial refund: damaged item", modified))
        o["_usage_recorded"] = status in ("pending", "processing", "on-hold", "completed")
        o["_stock_reduced"] = False
        return o

    def _billing(self, rnd: random.Random, i: int, cid: int, later_idx: int | None) -> dict:
        """The order's billing address: the customer's, or a guest's (drawn from `rnd`)."""
        st = self.state
        if cid:
            c = st.customers.get(cid)
            return dict(c["billing"]) if c else {}
        if later_idx is not None:
            c = st.customers.get(self.customer_ids[later_idx])
            billing = dict(c["billing"]) if c else {}
            billing["email"] = c["email"] if c else "guest@example.com"
            return billing
        f, l = rnd.choice(FIRST), rnd.choice(LAST)
        city, pc = rnd.choice(CITIES)
        return {
            "first_name": f,
            "last_name": l,
            "address_1": f"{rnd.choice(STREETS)} {rnd.randint(1, 99)}",
            "city": city,
            "postcode": pc,
            "country": "DE",
            "email": f"{_ascii(f)}.{_ascii(l)}.{i}@guest.example.com",
        }

    def _add_lines(self, o: dict, i: int, picks: list[tuple[int, int]]):
        """Lines, shipping, tax line and totals the way an API-created order gets them.

        The reference for _add_priced_lines, and the path for products it does not price.
        """
        gen = _Gen(self.state.products, self.item_base + i * 8, self.meta_base + i * 8)
        for pid, qty in picks:
            ln = _line_from_request(gen, {"product_id": pid, "quantity": qty})
            ln["id"] = gen.item_id()
            o["line_items"].append(ln)
        o["shipping_lines"].append(_shipping_line(gen.item_id()))
        compute_totals(gen, o, [])
        # a seeded order's taxes are the rate on its (whole-cent) line totals:
        # decimals.py derives the unrounded ones, as for _add_priced_lines' orders
        del o["_raw_taxes"]
        _finalize_lines(o)

    def _add_priced_lines(self, o: dict, i: int, picks: list[tuple[int, int]]) -> bool:
        """What _add_lines gives, from lines priced once per product and quantity.

        Pricing through _line_from_request and compute_totals cost most of an
        order's build, yet all seeded orders together hold only ~90 distinct
        (product, quantity) lines, and no coupons. Item ids follow _add_lines:
        lines, shipping, then the tax line. The items' JSON text goes into
        o["_text"] for shapes.order_text. False (nothing written) when a
        product is gone or a variation; _add_lines handles those.
        """
        priced = [self._priced_line(pid, qty) for pid, qty in picks]
        if None in priced:
            return False
        item = self.item_base + i * 8
        subs_total = sub_tax_raw = tot_tax_raw = items_total = ZERO
        lines, texts = o["line_items"], []
        for k, p in enumerate(priced, 1):
            ln, text = p.template.at(item + k)
            lines.append(ln)
            texts.append(text)
            subs_total += p.sub
            sub_tax_raw += p.sub_tax_raw
            tot_tax_raw += p.tot_tax_raw
            items_total += p.tot
        ship = self._shipping
        ship_line, ship_text = ship.template.at(item + len(priced) + 1)
        o["shipping_lines"].append(ship_line)
        o["_text"] = {"line_items": "[" + ",".join(texts) + "]", "shipping_lines": "[" + ship_text + "]"}
        ship_total, ship_tax = ZERO + ship.total, ZERO + ship.tax
        cart_tax = set_totals(
            o, subs_total, subs_total, sub_tax_raw, tot_tax_raw, items_total, ship_total, ship_tax, ZERO
        )
        o["tax_lines"] = [tax_line(item + len(priced) + 2, cart_tax, ship_tax)]
        o["needs_processing"] = any(p.physical for p in priced)
        return True

    def _priced_line(self, pid: int, qty: int) -> _PricedLine | None:
        """The priced line for `qty` of product `pid`, keyed by every product field
        the line reads, so an edited product is priced afresh."""
        p = self.state.products.get(pid)
        if p is None or p["type"] == "variation":
            return None
        key = (pid, qty, p["name"], p["sku"], p["price"], p.get("virtual"), p.get("downloadable"), p.get("tax_status"))
        try:
            hit = self._priced.get(key)
        except TypeError:  # an unhashable field: do not cache
            return None
        if hit is None:
            if len(self._priced) >= PRICED_LINES_MAX:
                self._priced.clear()
            hit = self._priced[key] = _PricedLine(self.state, pid, qty)
        return hit

    def _refund(self, oid: int, amount: str, reason: str, when: int) -> dict:
        return {
            "id": oid + 1,
            "order_id": oid,
            "created": when,
            "amount": amount,
            "reason": reason,
            "refunded_by": 1,
            "refunded_payment": False,
            "line_items": [],
            "tax_lines": [],
        }


def _shipping_line(item_id: int) -> dict:
    """A seeded order's flat-rate shipping, before compute_totals taxes it."""
    return {
        "id": item_id,
        "method_title": "Flat rate",
        "method_id": "flat_rate",
        "instance_id": "1",
        "total": "4.90",
        "total_tax": "0.00",
        "taxes": [],
        "tax_status": "taxable",
        "meta_data": [],
    }


class _ItemTemplate:
    """An order item whose fields are fixed but for its id, with its JSON text
    after the id rendered once. Seeded orders share its nested lists and dicts
    (orders.materialize copies an order before anything edits it)."""

    __slots__ = ("item", "_tail")

    def __init__(self, item: dict):
        self.item = dict(item, id=0)  # "id" stays the first key
        text = json_value(self.item)
        assert text.startswith('{"id":0,'), text
        self._tail = text[len('{"id":0') :]

    def at(self, item_id: int) -> tuple[dict, str]:
        """The item with this id, and its JSON text."""
        item = dict(self.item)
        item["id"] = item_id
        return item, '{"id":' + int.__repr__(item_id) + self._tail


class _PricedLine:
    """One line item of `qty` x product `pid` priced by the API code path,
    with the sums compute_totals takes from it."""

    __slots__ = ("template", "sub", "tot", "sub_tax_raw", "tot_tax_raw", "physical")

    def __init__(self, state: State, pid: int, qty: int):
        ln = _line_from_request(_Gen(state.products, 0, 0), {"product_id": pid, "quantity": qty})
        self.sub = ln["_sub"]
        self.tot = ZERO if ln["product_id"] == 0 else ln["_sub"]
        price_line(ln, self.tot, self.tot)
        # the order's cart tax sums each line's rounded tax (compute_totals)
        self.sub_tax_raw, self.tot_tax_raw = money.dec(ln["subtotal_tax"]), money.dec(ln["total_tax"])
        self.physical = _needs_processing(state, ln)
        del ln["_sub"], ln["_tot"]
        self.template = _ItemTemplate(ln)


class _PricedShipping:
    """The flat-rate shipping line priced once (it never changes)."""

    __slots__ = ("template", "total", "tax")

    def __init__(self):
        line = _shipping_line(0)
        self.total, self.tax = price_shipping_line(line)
        self.template = _ItemTemplate(line)


class _Gen:
    """Just enough of State for _line_from_request/compute_totals, with
    deterministic item/meta ids per seeded order."""

    def __init__(self, products, item0: int, meta0: int):
        self.products = products
        self._item, self._meta = item0, meta0

    def item_id(self) -> int:
        self._item += 1
        return self._item

    def meta_id(self, bump: int = 1) -> int:
        self._meta += 1
        return self._meta


def seed_demo(state: State, customers: int = 50, orders: int = 500, seed: str = "demo"):
    """Fill `state` (after reset) with a believable coffee shop."""
    rnd = random.Random(f"woosim:{seed}")
    with state.lock:
        on_event, state.on_event = state.on_event, None
        try:
            _seed(state, rnd, customers, orders, seed)
        finally:
            state.on_event = on_event


def _seed(state: State, rnd: random.Random, ncust: int, norders: int, seed: str):
    now = state.now()
    start = now - SPAN
    clock_backup = state.clock.offset
    cats = [state.create_category({"name": n, "description": d})["id"] for n, d in CATEGORIES]

    def at(ts):
        state.clock.offset = clock_backup + (ts - now)

    try:
        at(start - 30 * DAY)
        pids = []
        for name, sku, reg, sale, ci in PRODUCTS:
            body = {
                "name": name,
                "type": "simple",
                "sku": sku,
                "regular_price": reg,
                "sale_price": sale,
                "categories": [{"id": cats[ci]}],
                "description": f"{name} from the woosim demo shop.",
                "virtual": sku in ("VIP-MEMBERSHIP", "COURSE-01", "GIFT-25"),
                "manage_stock": False,
            }
            pids.append(state.create_product(body)["id"])
        state.create_coupon(
            {
                "code": "WELCOME10",
                "discount_type": "percent",
                "amount": "10",
                "description": "Welcome discount",
                "usage_limit_per_user": 1,
            }
        )
        state.create_coupon({"code": "SUMMER5", "discount_type": "fixed_cart", "amount": "5", "minimum_amount": "30"})
        cust_ids, cust_created = [], []
        for k in range(ncust):
            t = start + (k * SPAN) // max(ncust, 1) + rnd.randint(0, 3600)
            t = max(t, cust_created[-1] if cust_created else t)
            at(t)
            f, l = rnd.choice(FIRST), rnd.choice(LAST)
            city, pc = rnd.choice(CITIES)
            email = f"{_ascii(f)}.{_ascii(l)}{k}@example.com"
            addr = {
                "first_name": f,
                "last_name": l,
                "company": "",
                "address_1": f"{rnd.choice(STREETS)} {rnd.randint(1, 120)}",
                "address_2": "",
                "city": city,
                "state": "",
                "postcode": pc,
                "country": "DE",
                "phone": f"+49 30 {rnd.randint(1000000, 9999999)}",
            }
            bday = f"{rnd.randint(1950, 2005)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
            c = state.create_customer(
                {
                    "email": email,
                    "first_name": f,
                    "last_name": l,
                    "billing": {**addr, "email": email},
                    "shipping": addr,
                    "meta_data": [{"key": "birthday", "value": bday}],
                }
            )
            cust_ids.append(c["id"])
            cust_created.append(c["created"])
    finally:
        state.clock.offset = clock_backup
    base_id = state.next_post_id
    state.next_post_id = base_id + 2 * norders
    item_base = state.next_item_id
    state.next_item_id = item_base + 8 * norders + 8
    meta_base = state.next_meta_id
    state.next_meta_id = meta_base + 8 * norders + 8
    if norders:
        state.lazy = LazyOrders(
            state, seed, norders, base_id, now - 60, cust_ids, cust_created, pids, item_base, meta_base
        )
    # a few reviews, some by buyers
    for k in range(min(40, max(norders // 20, 3))):
        pid = rnd.choice(pids)
        cid = rnd.choice(cust_ids) if cust_ids else None
        c = state.customers.get(cid) if cid else None
        email = c["email"] if c else f"visitor{k}@example.com"
        name = f"{c['first_name']} {c['last_name']}" if c else f"Visitor {k}"
        r = state.create_review(
            {
                "product_id": pid,
                "review": rnd.choice(
                    [
                        "Great taste.",
                        "Arrived quickly, well packed.",
                        "Not my favourite.",
                        "Excellent value!",
                        "Would buy again.",
                        "A bit too bitter for me.",
                    ]
                ),
                "reviewer": name,
                "reviewer_email": email,
                "rating": rnd.choice((3, 4, 4, 5, 5, 2)),
                "status": "approved" if k % 7 else "hold",
            },
            lambda e, p: False,
        )
        r["created"] = start + rnd.randint(0, SPAN)
