"""Order listing over stored orders plus the lazily seeded ones.

Seeded orders are never all in memory: index i has id `base + 2*i` and
creation/modification times that never decrease with i, so every date filter
is an index range found by bisection, and ordering by date, id or modified is
index order. Stored orders (created or edited through the API) are merged in
by rank, so a page in the middle of a million orders costs a few bisections
plus building the page's records.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from werkzeug.datastructures import MultiDict

from .listing import Page, parse_bool, parse_date_param, parse_enum, parse_id_list
from .errors import invalid_param
from .orders import STATUSES

ORDERBY = ["date", "id", "include", "title", "slug", "modified"]
LIST_STATUSES = ["any", "trash"] + STATUSES
#: `status=any` is every registered order status: a `checkout-draft` (left by
#: a refused coupon order) is listed, the trash is not (real store, 10.0.2).
ANY_EXCLUDES = {"trash", "auto-draft"}


class VList:
    """base[lo:hi] minus the positions in `removed` (sorted), as a sequence."""

    def __init__(self, base, lo: int, hi: int, removed: list[int]):
        self.base, self.lo, self.hi = base, lo, max(lo, hi)
        self.removed = [p for p in removed if lo <= p < self.hi]
        self.n = self.hi - self.lo - len(self.removed)

    def __len__(self):
        return self.n

    def __getitem__(self, k: int):
        if k < 0:
            k += self.n
        if not 0 <= k < self.n:
            raise IndexError(k)
        if not self.removed:
            return self.base[self.lo + k]
        p = self.lo + k
        while True:
            q = self.lo + k + bisect_right(self.removed, p)
            if q == p:
                break
            p = q
        return self.base[p]


def parse_filters(state, args) -> dict:
    gmt = bool(parse_bool(args, "dates_are_gmt"))
    f = {
        "orderby": parse_enum(args, "orderby", ORDERBY, "date"),
        "order": parse_enum(args, "order", ["asc", "desc"], "desc"),
        "after": parse_date_param(args, "after", state.tz, gmt),
        "before": parse_date_param(args, "before", state.tz, gmt),
        "modified_after": parse_date_param(args, "modified_after", state.tz, gmt),
        "modified_before": parse_date_param(args, "modified_before", state.tz, gmt),
        "include": parse_id_list(args, "include"),
        "exclude": set(parse_id_list(args, "exclude")),
        "customer": None,
        "product": None,
        "statuses": None,
    }
    for name in ("customer", "product"):
        if args.get(name) not in (None, ""):
            try:
                f[name] = int(args.get(name))
            except ValueError:
                raise invalid_param(name, f"{name} is not of type integer.", "rest_invalid_type")
    raw_status = (
        [s for v in args.getlist("status") for s in str(v).split(",") if s.strip()] if args.get("status") else ["any"]
    )
    statuses = set()
    for s in raw_status:
        s = s.strip()
        if s not in LIST_STATUSES:
            raise invalid_param(
                "status",
                f"status[0] is not one of {', '.join(LIST_STATUSES[:-1])}, and {LIST_STATUSES[-1]}.",
                "rest_not_in_enum",
            )
        statuses.add(s)
    if "any" in statuses:  # `any` wins over the others: `any,trash` lists no trash (real store)
        statuses = set(STATUSES) - ANY_EXCLUDES
    f["statuses"] = statuses
    return f


def _explicit_match(o: dict, f: dict) -> bool:
    if o["status"] not in f["statuses"]:
        return False
    if f["customer"] is not None and o["customer_id"] != f["customer"]:
        return False
    if f["product"] and not _has_product(o, f["product"]):
        return False
    if f["include"] and o["id"] not in f["include"]:
        return False
    if o["id"] in f["exclude"]:
        return False
    c, m = o["created"], o["modified"]
    if f["after"] is not None and not c > f["after"]:
        return False
    if f["before"] is not None and not c < f["before"]:
        return False
    if f["modified_after"] is not None and not m > f["modified_after"]:
        return False
    if f["modified_before"] is not None and not m < f["modified_before"]:
        return False
    return True


def _has_product(o: dict, product_id: int) -> bool:
    """`product`: orders with a line item of that product (a variation's line
    counts for its parent: the filter reads the lines' `_product_id`)."""
    return any(ln["product_id"] == product_id for ln in o["line_items"])


def _sort_key(f: dict):
    ob = f["orderby"]
    if ob == "id" or ob == "slug":
        return lambda o: (o["id"],)
    if ob == "modified":
        return lambda o: (o["modified"], o["id"])
    return lambda o: (o["created"], o["id"])


def query_orders(state, args, page: Page) -> tuple[int, list[dict]]:
    f = parse_filters(state, args)
    key = _sort_key(f)
    desc = f["order"] == "desc"
    explicit = [o for o in state.orders.values() if _explicit_match(o, f)]
    lazy = state.lazy
    if f["orderby"] == "include" and f["include"]:
        if lazy is not None:
            for oid in f["include"]:
                if oid not in state.orders and oid not in state.lazy_overridden:
                    o = lazy.get(oid)
                    if o is not None and _explicit_match(o, f):
                        explicit.append(o)
        pos = {oid: i for i, oid in enumerate(f["include"])}
        explicit.sort(key=lambda o: pos.get(o["id"], 0), reverse=desc)
        return len(explicit), explicit[page.start : page.start + page.per_page]
    explicit.sort(key=key)
    if lazy is None:
        if desc:
            explicit.reverse()
        return len(explicit), explicit[page.start : page.start + page.per_page]

    vl = _lazy_candidates(state, lazy, f)
    if f["product"]:  # seeded orders have no product index: build the candidates
        vl = [i for i in vl if _has_product(lazy.make(i), f["product"])]
    lazy_key = _lazy_key(lazy, f["orderby"])
    ekeys = [key(o) for o in explicit]
    epos = [bisect_left(vl, k, key=lazy_key) + j for j, k in enumerate(ekeys)]
    total = len(vl) + len(explicit)
    start, count = page.start, page.per_page
    if start >= total:
        return total, []
    if desc:
        positions = range(total - 1 - start, max(total - 1 - start - count, -1), -1)
    else:
        positions = range(start, min(start + count, total))
    out = []
    for p in positions:
        j = bisect_left(epos, p)
        if j < len(epos) and epos[j] == p:
            out.append(explicit[j])
        else:
            out.append(lazy.make(vl[p - j]))
    return total, out


def _lazy_key(lazy, orderby: str):
    if orderby in ("id", "slug"):
        return lambda i: (lazy.id_of(i),)
    if orderby == "modified":
        return lambda i: (lazy.modified(i), lazy.id_of(i))
    return lambda i: (lazy.created(i), lazy.id_of(i))


def _lazy_candidates(state, lazy, f) -> VList:
    statuses = f["statuses"]
    all_statuses = set(STATUSES) - ANY_EXCLUDES
    if f["include"]:
        idx = sorted({lazy.index_of(i) for i in f["include"]} - {None})
        base = [
            i
            for i in idx
            if lazy.status(i) in statuses and (f["customer"] is None or lazy.customer(i) == f["customer"])
        ]
    elif f["customer"] is not None:
        base = lazy.customer_index(f["customer"])
        if not statuses >= all_statuses:
            base = [i for i in base if lazy.status(i) in statuses]
    elif statuses >= all_statuses:
        base = range(lazy.n)
    else:
        base = lazy.status_index(frozenset(statuses))
    lo, hi = 0, len(base)
    if f["after"] is not None:
        lo = max(lo, bisect_right(base, f["after"], key=lazy.created))
    if f["before"] is not None:
        hi = min(hi, bisect_left(base, f["before"], key=lazy.created))
    if f["modified_after"] is not None:
        lo = max(lo, bisect_right(base, f["modified_after"], key=lazy.modified))
    if f["modified_before"] is not None:
        hi = min(hi, bisect_left(base, f["modified_before"], key=lazy.modified))
    removed_ids = set(state.lazy_overridden) | f["exclude"]
    removed_idx = sorted(i for i in (lazy.index_of(x) for x in removed_ids) if i is not None)
    # positions (within base) of the removed indices
    if isinstance(base, range):
        removed_pos = removed_idx
    else:
        removed_pos = []
        for i in removed_idx:
            p = bisect_left(base, i)
            if p < len(base) and base[p] == i:
                removed_pos.append(p)
    return VList(base, lo, hi, removed_pos)


def count_customer_orders(state, customer_id: int) -> int:
    """WC_Customer_Data_Store::get_order_count: the customer's orders in the
    registered statuses (every status but the trash, a `checkout-draft`
    included), seeded ones too."""
    args = MultiDict([("customer", str(customer_id)), ("status", "any")])
    total, _ = query_orders(state, args, Page(MultiDict([("per_page", "1")])))
    return total
