"""Endpoint handlers: parse the request, call the store, shape the reply."""

from __future__ import annotations

from operator import itemgetter
from urllib.parse import unquote

from . import orders as O
from .decimals import item_dp, listing_dp, order_with_dp, refund_with_dp
from .errors import ApiError, invalid_param
from .listing import (
    Page,
    dedup_query_pairs,
    pagination_headers,
    parse_bool,
    parse_date_param,
    parse_enum,
    parse_id_list,
    quote_value,
)
from .orderquery import count_customer_orders, parse_filters, query_orders
from . import shapes as S
from .store import EMAIL_RE
from .extras import gateways_body, system_status_body, tax_classes_body, tool_body, tools_body
from .refundquery import query_refunds
from .reply import Reply
from .webhooks import create_webhook, update_webhook

BATCH_LIMIT = 100


# ---------------------------------------------------------------- common
def validate(r, kind: str):
    """Argument validation that WordPress runs before the permission check."""
    if kind == "coll" and r.method == "GET":
        Page(r.args)
        if r.view == "orders_collection":
            parse_filters(r.state, r.args)
            listing_dp(r.args)


# item routes whose permission callbacks look the object up: WordPress sends no
# Allow header when none of the route's methods is permitted, which is the case
# once the customer, category, variation or review does not exist (real store:
# GET customers/999999, and the DELETE answers of these, carry no Allow)
_LOOKED_UP = {
    "customer_item": lambda st, p: p.get("id") in st.customers,
    "category_item": lambda st, p: p.get("id") in st.categories,
    "variation_item": lambda st, p: p.get("vid") in st.products,
    "review_item": lambda st, p: p.get("id") in st.reviews,
}


def allow_header_sent(r, params: dict) -> bool:
    exists = _LOOKED_UP.get(r.view)
    return exists is None or exists(r.state, params)


def _list_reply(r, items: list, render, extra_link: str = "", total: int | None = None, page: Page | None = None):
    page = page or Page(r.args)
    if total is None:
        total = len(items)
        items = items[page.start : page.start + page.per_page]
    headers = pagination_headers(total, page, r.ctx.base + r.path, r.query_string, extra_link)
    return Reply(200, [render(x) for x in items], headers)


def _reply(status, body, headers=None, raw: bytes | None = None):
    return Reply(status, body, headers, raw)


def _created(r, body, path):
    return _reply(201, body, {"Location": r.ctx.api(path)})


def _force(r) -> bool:
    return bool(parse_bool(r.args, "force")) or bool(r.body.get("force"))


def _sorted(items, r, default_orderby: str, allowed: dict, default_order: str = "desc"):
    orderby = parse_enum(r.args, "orderby", list(allowed), default_orderby)
    order = parse_enum(r.args, "order", ["asc", "desc"], default_order)
    keyf = allowed[orderby]
    if orderby == "include":
        inc = parse_id_list(r.args, "include")
        pos = {v: i for i, v in enumerate(inc)}
        keyf = lambda x: pos.get(x["id"], 0)  # noqa: E731
    return sorted(items, key=keyf, reverse=(order == "desc"))


def _include_exclude(items, r):
    inc = parse_id_list(r.args, "include")
    exc = set(parse_id_list(r.args, "exclude"))
    if inc:
        items = [x for x in items if x["id"] in inc]
    if exc:
        items = [x for x in items if x["id"] not in exc]
    return items


def _searched(items, r, fields: tuple):
    """`search`: WordPress' post search, every word a case-insensitive
    substring of one of the fields (title, content, excerpt)."""
    words = (r.args.get("search") or "").lower().split()
    if not words:
        return items
    return [x for x in items if all(any(w in str(x.get(f) or "").lower() for f in fields) for w in words)]


def _date_filter(items, r, field_after="after", field_before="before", key="created", gmt=None):
    tz = r.state.tz
    gmt = bool(parse_bool(r.args, "dates_are_gmt")) if gmt is None else gmt
    a = parse_date_param(r.args, field_after, tz, gmt)
    b = parse_date_param(r.args, field_before, tz, gmt)
    if a is not None:
        items = [x for x in items if x[key] is not None and x[key] > a]
    if b is not None:
        items = [x for x in items if x[key] is not None and x[key] < b]
    return items


def _batch(r, create_fn, update_fn, delete_fn, render):
    body = r.body
    n = sum(len(body.get(k) or []) for k in ("create", "update", "delete"))
    if n > BATCH_LIMIT:
        raise ApiError(
            413,
            "woocommerce_rest_request_entity_too_large",
            f"Unable to accept more than {BATCH_LIMIT} items for this request.",
        )
    out = {}
    for op, fn in (("create", create_fn), ("update", update_fn), ("delete", delete_fn)):
        if op not in body:
            continue
        res = []
        for item in body.get(op) or []:
            try:
                if op == "create":
                    res.append(render(fn(item)))
                elif op == "update":
                    res.append(render(fn(item.get("id"), item)))
                else:
                    res.append(render(fn(item, True)))
            except ApiError as e:
                ident = item if op == "delete" else (item.get("id", 0) if op == "update" else 0)
                res.append({"id": ident, "error": {"code": e.code, "message": e.message, "data": e.data}})
        out[op] = res
    return _reply(200, out)


# ---------------------------------------------------------------- customers
def _customer_out(r):
    return lambda c: S.customer_json(c, r.ctx)


def customers_collection(r):
    st = r.state
    if r.method == "POST":
        with st.lock:
            c = st.create_customer(r.body)
            return _created(r, S.customer_json(c, r.ctx), f"customers/{c['id']}")
    return _list_reply(r, _listed_customers(r), _customer_out(r))


# the roles of a WordPress + WooCommerce install, in wp_roles' order (the `role` enum)
CUSTOMER_ROLES = ["all", "administrator", "editor", "author", "contributor", "subscriber", "customer", "shop_manager"]

# sort keys read only what never changes after a customer is created (State.sorted_customers)
CUSTOMER_ORDER = {
    "id": itemgetter("id"),
    "include": None,
    "name": lambda c: (c["username"].lower(), c["id"]),
    "registered_date": itemgetter("created", "id"),
}


def _listed_customers(r) -> list[dict]:
    """The customers a listing pages through, in order.

    Sorting every customer on every page made a 100k-customer listing
    quadratic, so the sorted list comes from State.sorted_customers and the
    rarer filters (email, include, exclude) run after the sort: a stable sort
    keeps filtered items in the same order either way. Parameters are checked
    in the order the errors used to come out.
    """
    st = r.state
    role = parse_enum(r.args, "role", CUSTOMER_ROLES, "customer")
    email = r.args.get("email")
    if email and not EMAIL_RE.match(email):
        raise invalid_param("email", "Invalid email address.", "rest_invalid_email")
    inc = parse_id_list(r.args, "include")
    exc = set(parse_id_list(r.args, "exclude"))
    orderby = parse_enum(r.args, "orderby", list(CUSTOMER_ORDER), "name")
    desc = parse_enum(r.args, "order", ["asc", "desc"], "asc") == "desc"
    if orderby == "include":
        pos = {v: i for i, v in enumerate(inc)}
        items = sorted(
            (c for c in st.customers.values() if role == "all" or c["role"] == role),
            key=lambda c: pos.get(c["id"], 0),
            reverse=desc,
        )
    else:
        items = st.sorted_customers(role, orderby, CUSTOMER_ORDER[orderby], desc)
    if email:
        cid = st.email_index.get(email.strip().lower())
        items = [c for c in items if c["id"] == cid]
    search = (r.args.get("search") or "").strip("*").lower()
    if search and not email:
        items = [c for c in items if _customer_matches(c, search)]
    if inc:
        items = [c for c in items if c["id"] in inc]
    if exc:
        items = [c for c in items if c["id"] not in exc]
    return items


def _customer_matches(c: dict, term: str) -> bool:
    """WP_User_Query's `*term*` search (case-insensitive like MySQL): an `@`
    searches the email, digits the login and id, else login, email, nicename
    and display name."""
    if "@" in term:
        return term in c["email"].lower()
    if term.isdigit():
        return term in c["username"].lower() or term == str(c["id"])
    display = f"{c['first_name']} {c['last_name']}".strip() or c["username"]
    return any(term in x.lower() for x in (c["username"], c["email"], display))


def customer_item(r, id):
    st = r.state
    if r.method == "GET":
        return _reply(200, S.customer_json(st.get_customer(id), r.ctx))
    if r.method == "DELETE":
        with st.lock:
            c = st.delete_customer(id, _force(r))
            return _reply(200, S.customer_json(c, r.ctx))
    with st.lock:
        return _reply(200, S.customer_json(st.update_customer(id, r.body), r.ctx))


def customers_batch(r):
    st = r.state
    with st.lock:
        return _batch(r, st.create_customer, st.update_customer, st.delete_customer, _customer_out(r))


# ---------------------------------------------------------------- coupons
def coupons_collection(r):
    st = r.state
    if r.method == "POST":
        with st.lock:
            c = st.create_coupon(r.body)
            return _created(r, S.coupon_json(c, r.ctx), f"coupons/{c['id']}")
    items = [c for c in st.coupons.values() if c["status"] != "trash"]
    code = r.args.get("code")
    if code:
        items = [c for c in items if c["code"] == code.strip().lower()]
    items = _searched(items, r, ("code", "description"))
    items = _include_exclude(items, r)
    items = _date_filter(items, r)
    items = _date_filter(items, r, "modified_after", "modified_before", "modified")
    items = _sorted(
        items,
        r,
        "date",
        {
            "date": lambda c: (c["created"], c["id"]),
            "id": lambda c: c["id"],
            "include": None,
            "title": lambda c: c["code"],
            "slug": lambda c: c["code"],
            "modified": lambda c: (c["modified"], c["id"]),
        },
    )
    return _list_reply(r, items, lambda c: S.coupon_json(c, r.ctx))


def coupon_item(r, id):
    st = r.state
    if r.method == "GET":
        return _reply(200, S.coupon_json(st.get_coupon(id), r.ctx))
    with st.lock:
        if r.method == "DELETE":
            return _reply(200, S.coupon_json(st.delete_coupon(id, _force(r)), r.ctx))
        return _reply(200, S.coupon_json(st.update_coupon(id, r.body), r.ctx))


def coupons_batch(r):
    st = r.state
    with st.lock:
        return _batch(r, st.create_coupon, st.update_coupon, st.delete_coupon, lambda c: S.coupon_json(c, r.ctx))


# ---------------------------------------------------------------- products
def _product_out(r, created=False):
    return lambda p: S.product_json(p, r.ctx, r.state, created_response=created)


def products_collection(r):
    st = r.state
    if r.method == "POST":
        with st.lock:
            p = st.create_product(r.body)
            return _created(r, _product_out(r, True)(p), f"products/{p['id']}")
    items = [p for p in st.products.values() if p["type"] != "variation" and p["status"] != "trash"]
    sku = r.args.get("sku")
    if sku:
        skus = {s.strip() for s in sku.split(",")}
        items = [p for p in items if p["sku"] in skus]
    cat = r.args.get("category")
    if cat:
        cats = {int(c) for c in cat.split(",") if c.strip().isdigit()}
        items = [p for p in items if cats & set(p["categories"])]
    if r.args.get("status") and r.args.get("status") != "any":
        items = [p for p in items if p["status"] == r.args.get("status")]
    ptype = parse_enum(r.args, "type", ["simple", "grouped", "external", "variable"], "")
    if ptype:
        items = [p for p in items if p["type"] == ptype]
    items = _searched(items, r, ("name", "description", "short_description"))
    items = _include_exclude(items, r)
    items = _date_filter(items, r)
    items = _date_filter(items, r, "modified_after", "modified_before", "modified")
    # ties on the creation second come out lowest id first on the real store (capture 024)
    desc = parse_enum(r.args, "order", ["asc", "desc"], "desc") == "desc"
    items = _sorted(
        items,
        r,
        "date",
        {
            "date": lambda p: (p["created"], -p["id"] if desc else p["id"]),
            "id": lambda p: p["id"],
            "include": None,
            "title": lambda p: p["name"].lower(),
            "slug": lambda p: p["slug"],
            "modified": lambda p: (p["modified"], p["id"]),
            "price": lambda p: float(p["price"] or 0),
            "popularity": lambda p: p.get("total_sales", 0),
            "rating": lambda p: float(p.get("average_rating_2dp", "0")),
        },
    )
    return _list_reply(r, items, _product_out(r))


def product_item(r, id):
    st = r.state
    if r.method == "GET":
        p = st.get_product(id, variation_ok=True)
        if p["type"] == "variation":  # a variation's id answers in the product shape (real store)
            return _reply(200, S.variation_as_product_json(p, r.ctx, st))
        return _reply(200, _product_out(r)(p))
    with st.lock:
        if r.method == "DELETE":
            p = st.get_product(id)
            answer = _product_out(r, True)(p)  # the product as it was, in the edit context
            if _force(r):
                _delete_products_for_good(st, p)
            else:
                p["status"] = "trash"
                answer["status"] = "trash"
            st.emit("product", "deleted", p["id"])
            return _reply(200, answer)
        # the update answers in the edit context, as the create does (real store, 10.0.2)
        return _reply(200, _product_out(r, True)(st.update_product(id, r.body)))


def _delete_products_for_good(st, p: dict) -> None:
    """A product deleted for good takes its variations with it (they answer
    404 afterwards), and old order lines forget both (orders.forget_deleted_products)."""
    gone = {p["id"]} | {
        v["id"] for v in st.products.values() if v.get("parent_id") == p["id"] and v["type"] == "variation"
    }
    for pid in gone:
        del st.products[pid]
    O.forget_deleted_products(st, gone)


def products_batch(r):
    st = r.state

    def delete(pid, force):
        p = st.get_product(pid)
        _delete_products_for_good(st, p)
        return p

    with st.lock:
        return _batch(r, st.create_product, st.update_product, delete, _product_out(r))


def variations_collection(r, id):
    st = r.state
    parent = st.get_product(id)
    if r.method == "POST":
        with st.lock:
            v = st.create_variation(id, r.body)
            # WooCommerce leaves the route pattern in this Location (capture 020)
            return _reply(
                201,
                S.variation_json(v, r.ctx, parent, edit=True),
                {"Location": r.ctx.api(f"products/(?P<product_id>[\\d]+)/variations/{v['id']}")},
            )
    items = [st.products[v] for v in parent["variations"] if v in st.products]
    items = _sorted(
        items,
        r,
        "date",
        {
            "date": lambda v: (v["created"], v["id"]),
            "id": lambda v: v["id"],
            "include": None,
            "title": lambda v: v["id"],
            "slug": lambda v: v["id"],
            "modified": lambda v: (v["modified"], v["id"]),
        },
    )
    return _list_reply(r, items, lambda v: S.variation_json(v, r.ctx, parent))


def variation_item(r, id, vid):
    st = r.state
    parent = st.get_product(id)
    v = st.products.get(vid)
    if v is None or v.get("parent_id") != parent["id"]:
        raise ApiError(404, "woocommerce_rest_product_variation_invalid_id", "Invalid ID.")
    if r.method == "GET":
        return _reply(200, S.variation_json(v, r.ctx, parent))
    with st.lock:
        if r.method == "DELETE":
            del st.products[v["id"]]
            parent["variations"].remove(v["id"])
            return _reply(200, S.variation_json(v, r.ctx, parent, edit=True))
        st._price_fields(v, r.body)
        for k in ("sku", "description"):
            if k in r.body:
                v[k] = str(r.body[k])
        if "stock_quantity" in r.body:
            v["stock_quantity"] = r.body["stock_quantity"]
        v["modified"] = st.now()
        return _reply(200, S.variation_json(v, r.ctx, parent))


# products/categories `orderby` (WP_REST_Terms_Controller's enum), ties by id
CATEGORY_ORDER = {
    "id": lambda counts: itemgetter("id"),
    "include": None,
    "name": lambda counts: lambda c: (c["name"].lower(), c["id"]),
    "slug": lambda counts: lambda c: (c["slug"], c["id"]),
    "term_group": lambda counts: itemgetter("id"),
    "description": lambda counts: lambda c: (c["description"].lower(), c["id"]),
    "count": lambda counts: lambda c: (counts.get(c["id"], 0), c["id"]),
}


def categories_collection(r):
    st = r.state
    if r.method == "POST":
        with st.lock:
            c = st.create_category(r.body)
            return _created(r, S.category_json(c, r.ctx, st.category_counts()), f"products/categories/{c['id']}")
    counts = st.category_counts()
    orderby = parse_enum(r.args, "orderby", list(CATEGORY_ORDER), "name")
    desc = parse_enum(r.args, "order", ["asc", "desc"], "asc") == "desc"
    items = list(st.categories.values())
    if r.args.get("slug"):
        slugs = {x.strip() for x in r.args["slug"].split(",")}
        items = [c for c in items if c["slug"] in slugs]
    if r.args.get("parent") not in (None, ""):
        parent = parse_id_list(r.args, "parent")[:1] or [0]
        items = [c for c in items if c["parent"] == parent[0]]
    if parse_bool(r.args, "hide_empty"):
        items = [c for c in items if counts.get(c["id"], 0) > 0]
    search = (r.args.get("search") or "").lower()
    if search:  # WP_Term_Query: name LIKE %s% OR slug LIKE %s%
        items = [c for c in items if search in c["name"].lower() or search in c["slug"].lower()]
    items = _include_exclude(items, r)
    if orderby == "include":
        pos = {v: i for i, v in enumerate(parse_id_list(r.args, "include"))}
        key = lambda c: pos.get(c["id"], 0)  # noqa: E731
    else:
        key = CATEGORY_ORDER[orderby](counts)
    items.sort(key=key, reverse=desc)
    return _list_reply(r, items, lambda c: S.category_json(c, r.ctx, counts))


def category_item(r, id):
    st = r.state
    c = st.categories.get(id)
    if c is None:
        raise ApiError(404, "woocommerce_rest_term_invalid", "Resource does not exist.")
    with st.lock:
        if r.method == "DELETE":
            del st.categories[id]
        elif r.method != "GET":
            for k in ("name", "description", "slug"):
                if k in r.body:
                    c[k] = str(r.body[k])
    return _reply(200, S.category_json(c, r.ctx, st.category_counts()))


# ---------------------------------------------------------------- reviews
def _review_out(r, created=False):
    return lambda x: S.review_json(x, r.ctx, r.state.products.get(x["product_id"]), created_response=created)


def reviews_collection(r):
    st = r.state
    if r.method == "POST":
        with st.lock:
            rv = st.create_review(r.body, lambda e, p: O.customer_bought(st, e, p))
            return _created(r, _review_out(r, True)(rv), f"products/reviews/{rv['id']}")
    status = parse_enum(r.args, "status", ["all", "hold", "approved", "spam", "trash"], "approved")
    items = list(st.reviews.values())
    if status != "all":
        items = [x for x in items if x["status"] == status]
    prod = parse_id_list(r.args, "product")
    if prod:
        items = [x for x in items if x["product_id"] in prod]
    em = r.args.get("reviewer_email")
    if em:
        items = [x for x in items if x["reviewer_email"].lower() == em.strip().lower()]
    items = _include_exclude(items, r)
    items = _date_filter(items, r)
    items = _sorted(
        items,
        r,
        "date_gmt",
        {
            "date": lambda x: (x["created"], x["id"]),
            "date_gmt": lambda x: (x["created"], x["id"]),
            "id": lambda x: x["id"],
            "include": None,
            "product": lambda x: x["product_id"],
        },
    )
    return _list_reply(r, items, _review_out(r))


def review_item(r, id):
    st = r.state
    if r.method == "GET":
        return _reply(200, _review_out(r)(st.get_review(id)))
    with st.lock:
        if r.method == "DELETE":
            rv = st.get_review(id)
            if _force(r):
                previous = _review_out(r, True)(rv)  # the edit context: the raw text, no _links
                previous.pop("_links", None)
                del st.reviews[rv["id"]]
                st._rerate(rv["product_id"])
                return _reply(200, {"deleted": True, "previous": previous})
            rv["status"] = "trash"
            st._rerate(rv["product_id"])
            return _reply(200, _review_out(r)(rv))
        return _reply(200, _review_out(r)(st.update_review(id, r.body)))


# ---------------------------------------------------------------- orders
def _order_out(r):
    return lambda o: S.order_json(o, r.ctx)


def _order_answer(r, o: dict, dp: int | None) -> dict:
    return order_with_dp(S.order_json(o, r.ctx), o, dp)


def orders_collection(r):
    st = r.state
    if r.method == "POST":
        with st.lock:
            o = O.create_order(st, r.body)
            return _created(r, _order_answer(r, o, item_dp(r.args)), f"orders/{o['id']}")
    page = Page(r.args)
    dp = listing_dp(r.args)
    with st.lock:
        total, items = query_orders(st, r.args, page)
        body, raw = None, None  # `_fields` is applied to every reply by app.py
        if dp in (None, 2):
            raw = S.orders_body(items, r.ctx)
        else:
            body = [_order_answer(r, o, dp) for o in items]
    if not items:  # HPOS counts only when the page has orders: past the end, 0 and 0 (real store, 10.0.2)
        total = 0
    query, extra = _orders_link_query(r.query_string, bool(items))
    headers = pagination_headers(total, page, r.ctx.base + r.path, query, extra)
    current = page.page if page.offset is None else page.offset // page.per_page + 1
    if not items and current > 1:  # prev is min(page - 1, 0 pages): page=0
        pairs = [p for p in f"{query}&{extra}".split("&") if p]
        at = next((i for i, p in enumerate(pairs) if p.split("=")[0] == "page"), None)
        pairs = pairs[:at] + ["page=0"] + pairs[at + 1 :] if at is not None else pairs + ["page=0"]
        headers["Link"] = f'<{r.ctx.base + r.path}?{"&".join(pairs)}>; rel="prev"'
    return _reply(200, body, headers, raw)


def _orders_link_query(query_string: str, has_items: bool) -> tuple[str, str]:
    """The query the orders Link URLs repeat, as WooCommerce rebuilds it from
    the sanitised request (capture 083, real store 10.0.2): `status` is taken
    out and put back at the end as an array (`status[0]=any` by default),
    `dates_are_gmt=true` reads `1`; `dp=2&context=view` follow once an order
    was rendered (an empty page has neither)."""
    kept, statuses = [], []
    for k, v in dedup_query_pairs(query_string):
        name = unquote(k)
        if name == "status" or name.startswith("status["):
            statuses += [x for x in unquote(v).split(",") if x]
        elif name == "dates_are_gmt":
            kept.append(f"{k}={'1' if parse_bool({name: unquote(v)}, name) else ''}")
        elif name == "dp":  # sanitised in place (absint)
            kept.append(f"{k}={listing_dp({name: unquote(v)})}")
        else:
            kept.append(f"{k}={v}")
    extra = [f"status%5B{i}%5D={quote_value(x)}" for i, x in enumerate(statuses or ["any"])]
    if has_items:
        extra.append("context=view" if any(p.startswith("dp=") for p in kept) else "dp=2&context=view")
    return "&".join(kept), "&".join(extra)


def order_item(r, id):
    st = r.state
    dp = item_dp(r.args)
    if r.method == "GET":
        return _reply(200, _order_answer(r, O.get_order(st, id), dp))
    with st.lock:
        if r.method == "DELETE":
            return _reply(200, _order_answer(r, _delete_order(st, id, _force(r)), dp))
        return _reply(200, _order_answer(r, O.update_order(st, id, r.body), dp))


def orders_batch(r):
    st = r.state
    with st.lock:
        return _batch(
            r,
            lambda b: O.create_order(st, b),
            lambda i, b: O.update_order(st, i, b),
            lambda i, f: _delete_order(st, i, f),
            _order_out(r),
        )


def _delete_order(st, oid, force: bool) -> dict:
    """O.delete_order plus WC_Post_Data::before_delete_order: deleting for good
    an order when the customer's order count (count_customer_orders, which
    leaves out the trash) is 1 makes them a non-paying customer again. So a
    trashed order deleted later changes nothing, and neither does deleting
    one of two orders (real store, 10.0.2)."""
    last_of = None
    if force:
        try:
            cid = O.get_order(st, oid)["customer_id"]
        except ApiError:
            cid = 0
        if cid in st.customers and count_customer_orders(st, cid) == 1:
            last_of = st.customers[cid]
    deleted = O.delete_order(st, oid, force)
    if last_of is not None:
        last_of["is_paying_customer"] = False
    return deleted


def refunds_collection(r, id):
    st = r.state
    if r.method == "POST":
        with st.lock:
            rf = O.create_refund(st, id, r.body)
            # like capture 089: the route pattern stays in the Location
            return _reply(
                201,
                refund_with_dp(S.refund_json(rf, r.ctx), item_dp(r.args)),
                {"Location": r.ctx.api(f"orders/(?P<order_id>[\\d]+)/refunds/{rf['id']}")},
            )
    try:
        o = O.get_order(st, id)
    except ApiError:  # an unknown order has no refunds: 200 [] (real store, 10.0.2)
        return _list_reply(r, [], lambda x: x)

    # the order-refunds collection takes orderby/order like /refunds (real store 10.0.2)
    items = query_refunds(st, r.args, o["refunds"])
    dp = item_dp(r.args)
    return _list_reply(r, items, lambda x: refund_with_dp(S.refund_json(x, r.ctx), dp))


def refunds_all(r):
    """GET /refunds: the store's refunds regardless of order (WooCommerce 9.0+)."""

    items = query_refunds(r.state, r.args)
    return _list_reply(r, items, lambda x: {**S.refund_json(x, r.ctx), "parent_id": x["order_id"]})


def refund_item(r, id, rid):
    st = r.state
    try:
        o = O.get_order(st, id)
    except ApiError:
        o = {"refunds": []}
    rf = next((x for x in o["refunds"] if x["id"] == rid), None)
    if rf is None:
        raise ApiError(404, "woocommerce_rest_shop_order_refund_invalid_id", "Invalid ID.")
    if r.method == "DELETE":
        with st.lock:
            o = O.materialize(st, id)
            o["refunds"] = [x for x in o["refunds"] if x["id"] != rid]
            st.refunds.pop(rid, None)
    return _reply(200, refund_with_dp(S.refund_json(rf, r.ctx), item_dp(r.args)))


def _note_json(r, x: dict) -> dict:
    """An order note as WC_REST_Order_Notes_Controller renders it: notes the
    store adds and notes sent through the API both read author `WooCommerce`
    (real store 10.0.2)."""
    oid, st = x["order_id"], r.state
    return {
        "id": x["id"],
        "author": "WooCommerce",
        "date_created": st.tz.fmt_local(x["created"]),
        "date_created_gmt": S.fmt_gmt(x["created"]),
        "note": x["note"],
        "customer_note": bool(x.get("customer_note", False)),
        "_links": {
            "self": [{"href": r.ctx.api(f"orders/{oid}/notes/{x['id']}"), "targetHints": {"allow": ["GET", "DELETE"]}}],
            "collection": [{"href": r.ctx.api(f"orders/{oid}/notes")}],
            "up": [{"href": r.ctx.api(f"orders/{oid}")}],
        },
    }


def notes_collection(r, id):
    st = r.state
    O.get_order(st, id)
    if r.method == "POST":
        with st.lock:
            st.add_note(id, str(r.body.get("note") or ""))
            n = st.notes[-1]
            n["customer_note"] = bool(r.body.get("customer_note"))
        return _created(r, _note_json(r, n), f"orders/{id}/notes/{n['id']}")
    notes = [x for x in st.notes if x["order_id"] == id]
    return _reply(200, [_note_json(r, x) for x in reversed(notes)])


def note_item(r, id, nid):
    st = r.state
    O.get_order(st, id)
    n = next((x for x in st.notes if x["order_id"] == id and x["id"] == nid), None)
    if n is None:
        raise ApiError(404, "woocommerce_rest_invalid_id", "Invalid resource ID.")
    if r.method == "DELETE":
        if not _force(r):
            raise ApiError(501, "woocommerce_rest_trash_not_supported", "Resource does not support trashing.")
        with st.lock:
            st.notes.remove(n)
    return _reply(200, _note_json(r, n))


# ---------------------------------------------------------------- webhooks
def webhooks_collection(r):
    st = r.state
    if r.method == "POST":
        w = create_webhook(st, r.body)
        return _created(r, S.webhook_json(w, r.ctx), f"webhooks/{w['id']}")
    items = list(st.webhooks.values())
    status = r.args.get("status")
    if status and status != "all":
        items = [w for w in items if w["status"] == status]
    items = _sorted(
        items,
        r,
        "date",
        {
            "date": lambda w: (w["created"], w["id"]),
            "id": lambda w: w["id"],
            "include": None,
            "title": lambda w: w["name"],
        },
    )
    return _list_reply(r, items, lambda w: S.webhook_json(w, r.ctx))


def webhook_item(r, id):
    st = r.state
    w = st.get_webhook(id)
    if r.method == "GET":
        return _reply(200, S.webhook_json(w, r.ctx))
    with st.lock:
        if r.method == "DELETE":
            if not _force(r):
                raise ApiError(501, "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing.")
            del st.webhooks[w["id"]]
            return _reply(200, S.webhook_json(w, r.ctx))
        return _reply(200, S.webhook_json(update_webhook(st, w, r.body), r.ctx))


def webhooks_batch(r):
    """POST webhooks/batch as WooCommerce answers it: creates ping like POST
    webhooks (so this runs outside the store lock, app.py), an unknown id is
    `400 woocommerce_rest_shop_webhook_invalid_id` "ID is invalid." in its place."""
    st = r.state

    def update(wid, body):
        w = st.webhooks.get(_int_id(wid))
        if w is None:
            raise ApiError(400, "woocommerce_rest_shop_webhook_invalid_id", "ID is invalid.")
        with st.lock:
            return update_webhook(st, w, body)

    def delete(wid, force):
        w = st.webhooks.get(_int_id(wid))
        if w is None:
            raise ApiError(400, "woocommerce_rest_shop_webhook_invalid_id", "ID is invalid.")
        with st.lock:
            return st.webhooks.pop(w["id"])

    return _batch(r, lambda body: create_webhook(st, body), update, delete, lambda w: S.webhook_json(w, r.ctx))


def _int_id(v) -> int:
    try:
        return int(v)
    except (TypeError, ValueError):
        return -1


def system_status_tools(r):
    return _reply(200, tools_body(r.ctx))


def system_status_tool(r, tool_id):
    return _reply(200, tool_body(r.ctx, tool_id))


def payment_gateways(r):
    body = gateways_body(r.ctx)
    return _reply(200, body, {"X-WP-Total": str(len(body)), "X-WP-TotalPages": "1"})


def tax_classes(r):
    body = tax_classes_body(r.ctx)
    return _reply(200, body, {"X-WP-Total": str(len(body)), "X-WP-TotalPages": "1"})


# ---------------------------------------------------------------- misc
def system_status(r):
    return _reply(200, system_status_body(r.ctx))


def currency_current(r):
    return _reply(
        200,
        {
            "code": "EUR",
            "name": "Euro",
            "symbol": "&euro;",
            "_links": {
                "self": [{"href": r.ctx.api("data/currencies/EUR"), "targetHints": {"allow": ["GET"]}}],
                "collection": [{"href": r.ctx.api("data/currencies")}],
            },
        },
    )


def setting_currency(r):
    return _reply(
        200,
        {
            "id": "woocommerce_currency",
            "label": "Currency",
            "description": "",
            "type": "select",
            "default": "USD",
            "options": {"EUR": "Euro (&euro;) \u2014 EUR", "USD": "United States (US) dollar (&#36;) \u2014 USD"},
            "tip": "",
            "value": "EUR",
            "group_id": "general",
            "_links": {
                "self": [
                    {
                        "href": r.ctx.api("settings/general/woocommerce_currency"),
                        "targetHints": {"allow": ["GET", "POST", "PUT", "PATCH"]},
                    }
                ],
                "collection": [{"href": r.ctx.api("settings/general")}],
            },
        },
    )


def taxes_collection(r):
    if r.method == "POST":
        raise ApiError(400, "woocommerce_rest_cannot_create", "woosim has one fixed tax rate.")
    rate = {
        "id": 1,
        "country": "DE",
        "state": "",
        "postcode": "",
        "city": "",
        "rate": "19.0000",
        "name": "MwSt",
        "priority": 1,
        "compound": False,
        "shipping": True,
        "order": 0,
        "class": "standard",
        "postcodes": [],
        "cities": [],
        "_links": {
            "self": [{"href": r.ctx.api("taxes/1"), "targetHints": {"allow": S.ITEM_ALLOW}}],
            "collection": [{"href": r.ctx.api("taxes")}],
        },
    }
    return _list_reply(r, [rate], lambda x: x)
