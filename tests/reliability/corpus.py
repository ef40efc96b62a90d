"""Malformed and hostile store records: a hand-written list of nasty cases
and a generated corpus (fixed seed) of valid records broken at random."""

import copy
import random

from tests.support import wc

BIG = "x" * 1_000_000
SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def good_order(order_id: int, email: str = "good@example.com", total: str = "100.00") -> dict:
    return wc.order(order_id, lines=[wc.line(order_id * 10, total)], email=email)


def _order(order_id: int, **changes) -> dict:
    record = good_order(order_id, email=f"nasty{order_id}@example.com")
    for key, value in changes.items():
        if value is _DROP:
            record.pop(key, None)
        else:
            record[key] = value
    return record


_DROP = object()


def _line(**changes) -> dict:
    line = wc.line(1, "10.00")
    line.update(changes)
    return line


#: (name, record, expected): "reject" — must be refused with a reason naming it;
#: "either" — a store could send it, applying or refusing are both fine, but
#: nothing may crash and nothing may be lost silently.
NASTY_ORDERS = [
    ("not an object: string", "order 5", "reject"),
    ("not an object: list", [1, 2, 3], "reject"),
    ("not an object: null", None, "reject"),
    ("empty object", {}, "reject"),
    ("id missing", _order(501, id=_DROP), "reject"),
    ("id null", _order(502, id=None), "reject"),
    ("id text", _order(503, id="abc"), "reject"),
    ("id negative", _order(504, id=-5), "reject"),
    ("id zero", _order(505, id=0), "reject"),
    ("id float", _order(506, id=506.5), "reject"),
    ("id a list", _order(507, id=[507]), "reject"),
    ("id an object", _order(508, id={"id": 508}), "reject"),
    ("id beyond 32 bits", _order(509, id=2**31 + 7), "either"),
    ("id beyond 64 bits", _order(510, id=2**70), "either"),
    ("status missing", _order(511, status=_DROP), "reject"),
    ("status unknown", _order(512, status="shipped-by-drone"), "reject"),
    ("status a number", _order(513, status=3), "reject"),
    ("total negative", _order(514, total="-100.00"), "either"),  # a fee below the items: accepted (issue 16)
    ("total huge", _order(515, total="1e30"), "reject"),
    ("total NaN", _order(516, total="NaN"), "reject"),
    ("total Infinity", _order(517, total="Infinity"), "reject"),
    ("total text", _order(518, total="one hundred"), "reject"),
    ("total an object", _order(519, total={"amount": 100}), "reject"),
    ("line total negative", _order(520, line_items=[_line(total="-50.00")]), "reject"),
    ("line total huge", _order(521, line_items=[_line(total="99999999999999999999.00")]), "reject"),
    ("line quantity text", _order(522, line_items=[_line(quantity="lots")]), "reject"),
    ("line quantity huge", _order(523, line_items=[_line(quantity=10**40)]), "either"),
    ("line items not a list", _order(524, line_items={"0": _line()}), "reject"),
    ("line item not an object", _order(525, line_items=["beans"]), "reject"),
    ("two lines share an id", _order(526, line_items=[_line(), _line()]), "reject"),
    ("date missing", _order(527, date_created_gmt=_DROP), "reject"),
    ("date broken", _order(528, date_created_gmt="2026-02-30T25:61:00"), "reject"),
    ("date a number", _order(529, date_created_gmt=1700000000), "reject"),
    ("date year 0", _order(530, date_created_gmt="0000-01-01T00:00:00"), "reject"),
    ("date far future", _order(531, date_created_gmt="9999-12-31T23:59:59"), "either"),
    ("modified date broken", _order(532, date_modified_gmt="yesterday"), "either"),
    ("billing not an object", _order(533, billing="Anna"), "reject"),
    ("email not an email", _order(534, billing={"email": "not an email", "first_name": "A"}), "reject"),
    ("email a list", _order(535, billing={"email": ["a@example.com"]}), "reject"),
    ("customer id text", _order(536, customer_id="abc"), "reject"),
    ("customer id negative", _order(537, customer_id=-3), "reject"),
    ("refunds not a list", _order(538, refunds="none"), "reject"),
    ("refund more than the total", _order(539, refunds=[{"id": 9, "total": "-500.00"}]), "reject"),
    ("refund not an object", _order(540, refunds=[7]), "reject"),
    ("coupon lines not objects", _order(541, coupon_lines=["SUMMER"]), "reject"),
    ("currency garbage", _order(542, currency="€€€€"), "reject"),
    (
        "unicode everywhere",
        _order(
            543,
            billing={
                "email": "zoë.ñandú@example.com",
                "first_name": "Zoë 😀 ل",
                "last_name": "\u202eevil\u202c",
                "address_1": "Straße 1",
            },
        ),
        "either",
    ),
    (
        "html and script in names",
        _order(
            544,
            billing={
                "email": "html@example.com",
                "first_name": SCRIPT,
                "last_name": "<b>bold</b>",
                "address_1": SCRIPT,
            },
        ),
        "either",
    ),
    ("NUL bytes in names", _order(545, billing={"email": "nul@example.com", "first_name": "a\x00b"}), "either"),
    (
        "NUL bytes in email and sku",
        _order(552, billing={"email": "n\x00l@example.com"}, line_items=[_line(sku="A\x00B", name="x\x00y")]),
        "either",
    ),
    ("enormous name", _order(546, billing={"email": "big@example.com", "first_name": BIG}), "either"),
    ("enormous line list", _order(547, line_items=[wc.line(547_000 + i, "1.00") for i in range(5000)]), "either"),
    ("enormous meta", _order(548, meta_data=[{"key": f"k{i}", "value": BIG[:1000]} for i in range(500)]), "either"),
    ("deeply nested junk", _order(549, meta_data=[{"key": "x", "value": [[[[[[[[[[{}]]]]]]]]]]}]), "either"),
    ("sql-ish email", _order(550, billing={"email": "a'); DROP TABLE members;--@example.com"}), "either"),
    ("boolean amounts", _order(551, total=True), "reject"),
]

NASTY_CUSTOMERS = [
    ("not an object", "customer", "reject"),
    ("id missing", {"email": "c@example.com"}, "reject"),
    ("id text", {**wc.customer(1, "c1@example.com"), "id": "one"}, "reject"),
    ("id a list", {**wc.customer(1, "c2@example.com"), "id": [2]}, "reject"),
    ("id beyond 32 bits", wc.customer(2**31 + 9, "c3@example.com"), "either"),
    ("email broken", wc.customer(4, "no at sign"), "reject"),
    ("meta not a list", {**wc.customer(5, "c5@example.com"), "meta_data": {"birthday": "x"}}, "reject"),
    ("meta rows broken", {**wc.customer(6, "c6@example.com"), "meta_data": [1, 2]}, "reject"),
    ("birthday garbage", wc.customer(7, "c7@example.com", birthday="the 35th of Smarch"), "either"),
    ("birthday far future", wc.customer(8, "c8@example.com", birthday="31/12/99999"), "either"),
    ("html names", wc.customer(9, "c9@example.com", first_name=SCRIPT, last_name="<i>x</i>"), "either"),
    ("enormous name", wc.customer(10, "c10@example.com", first_name=BIG), "either"),
    ("dates broken", {**wc.customer(11, "c11@example.com"), "date_created_gmt": "never"}, "reject"),
    ("first name a number", {**wc.customer(12, "c12@example.com"), "first_name": 12}, "either"),
    ("billing a string", {**wc.customer(13, "c13@example.com"), "billing": "Berlin"}, "reject"),
]

NASTY_PRODUCTS = [
    ("not an object", "beans", "reject"),
    ("id missing", {"name": "Beans"}, "reject"),
    ("id text", {**wc.product(1), "id": "x"}, "reject"),
    ("price text", wc.product(2, price="cheap"), "reject"),
    ("categories not a list", {**wc.product(3), "categories": "Coffee"}, "reject"),
    ("category without id", {**wc.product(4), "categories": [{"name": "Coffee"}]}, "reject"),
    ("parent id text", {**wc.product(5), "parent_id": "abc"}, "either"),
    ("parent id a list", {**wc.product(6), "parent_id": [1]}, "either"),
    ("html name", {**wc.product(7), "name": SCRIPT}, "either"),
    ("enormous name", {**wc.product(8), "name": BIG}, "either"),
    ("id beyond 32 bits", wc.product(2**31 + 11), "either"),
    ("price NaN", wc.product(9, price="NaN"), "either"),
]


# --- the generated corpus -----------------------------------------------------

_JUNK = [
    None,
    "",
    "abc",
    -1,
    0,
    10**30,
    -(10**30),
    1.5,
    True,
    False,
    [],
    {},
    [None],
    {"a": 1},
    "NaN",
    "-0",
    "1e400",
    "２０２６",
    "\x00",
    SCRIPT,
    "😀" * 50,
    "2026-13-45T99:99:99",
    "x" * 5000,
]


def _paths(value, prefix=()):
    """Every (path) inside a JSON document."""
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, prefix + (i,))


def _mutate(record, rng: random.Random):
    record = copy.deepcopy(record)
    for _ in range(rng.randint(1, 3)):
        paths = [p for p in _paths(record) if p]
        if not paths:
            break
        path = rng.choice(paths)
        parent = record
        for step in path[:-1]:
            parent = parent[step]
        action = rng.random()
        if action < 0.3 and isinstance(parent, dict):
            parent.pop(path[-1], None)
        else:
            parent[path[-1]] = copy.deepcopy(rng.choice(_JUNK))
    return record


def generated_orders(n: int, seed: int = 20261127, first_id: int = 10_000) -> list:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        base = wc.order(
            first_id + i,
            lines=[wc.line((first_id + i) * 10 + j, f"{rng.randint(1, 300)}.00") for j in range(rng.randint(1, 3))],
            email=f"gen{i % 40}@example.com",
            customer_id=rng.choice([0, 0, 2 + i % 20]),
            status=rng.choice(["completed", "processing", "refunded", "cancelled"]),
        )
        out.append(_mutate(base, rng))
    return out


def generated_customers(n: int, seed: int = 7, first_id: int = 5_000) -> list:
    rng = random.Random(seed)
    return [_mutate(wc.customer(first_id + i, f"genc{i}@example.com", birthday="1990-05-04"), rng) for i in range(n)]


def generated_products(n: int, seed: int = 11, first_id: int = 8_000) -> list:
    rng = random.Random(seed)
    return [_mutate(wc.product(first_id + i, price="12.50", categories=[16, 17]), rng) for i in range(n)]
