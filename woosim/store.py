"""In-memory store state: every resource, id counters, API keys.

Id counters mimic WordPress so that replaying the captures gives the same
ids: products, variations, coupons, orders and refunds share the post-id
counter (a fresh WordPress + WooCommerce install has used 1..10, so the first
product is 11); customers are users (admin is 1, first customer 2); product
categories are terms ('Uncategorized' is 15); reviews and order notes share
the comment counter (comment 1 is WordPress' sample comment).

All mutations happen under `State.lock` (one RLock; good enough for a test
double). Handlers in app.py call into this module and into orders.py.
"""

from __future__ import annotations

import random
import re
import secrets
import threading
import unicodedata

from . import money
from .errors import ApiError
from .timeutil import Clock, StoreTZ, parse_input_local
from .errors import enum_message, invalid_param
from .timeutil import parse_rest_date

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def sanitize_user(name: str, strict: bool = False) -> str:
    """WordPress sanitize_user: tags, accents, %XX octets and entities go;
    strict keeps only ASCII letters, digits, space, `_ . - @`."""
    name = re.sub(r"<[^>]*>", "", name)
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode() if not name.isascii() else name
    name = re.sub(r"%[a-fA-F0-9]{2}", "", name)
    name = re.sub(r"&.+?;", "", name)
    if strict:
        name = re.sub(r"[^a-z0-9 _.\-@]", "", name, flags=re.I)
    return re.sub(r"\s+", " ", name.strip())


# local parts wc_create_new_customer_username skips for the domain
COMMON_LOCAL_PARTS = ("sales", "hello", "mail", "contact", "info")


def wc_format_decimal(value) -> str:
    """wc_format_decimal($value) with no decimals given: a string keeps its
    digits (`,` read as the decimal point, other characters dropped), a float
    is written out and trimmed ("49.50" stays, 49.5 -> "49.5")."""
    if isinstance(value, float):
        return (f"{value:.6f}".rstrip("0").rstrip(".")) or "0"
    text = str(value).strip().replace(",", ".")
    return re.sub(r"\.(?![^.]+$)|[^0-9.\-]", "", text)


def slugify(name: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return s or "item"


class Key:
    def __init__(self, key: str, secret: str, permissions: str = "read_write", user_id: int = 1):
        self.key, self.secret, self.permissions, self.user_id = key, secret, permissions, user_id


class State:
    def __init__(self, tz: str = "Europe/Berlin", clock: Clock | None = None, site_name: str = "WooSim Coffee"):
        self.lock = threading.RLock()
        self.clock = clock or Clock()
        self.tz = StoreTZ(tz)
        self.site_name = site_name  # WordPress' blogname: the index's `name`
        self.keys: dict[str, Key] = {}
        self.nonces: dict[str, dict[str, int]] = {}
        self.webhook_secret_default = ""
        self.on_event = None  # set by the webhook dispatcher: fn(resource, event, id)
        self.public_base = None  # scheme://host:port the server answers on (webhook Source)
        self.deliveries: list[dict] = []
        self.reset()

    # ------------------------------------------------------------ basics
    def reset(self):
        with self.lock:
            now = self.clock.now_s()
            self.next_post_id = 11
            self.next_user_id = 2
            self.next_term_id = 16
            self.next_comment_id = 2
            self.next_item_id = 1
            self.next_meta_id = 29
            self.next_webhook_id = 1
            self.customers: dict[int, dict] = {}
            self._sorted_customers: dict[tuple, tuple] = {}  # see sorted_customers
            self.email_index: dict[str, int] = {}
            self.usernames: set[str] = {"admin"}  # taken usernames, lower-cased (a set: seeding 100k customers)
            self.username_rng = random.Random(0)  # the suffix of a taken username (wp_rand on a real store)
            self.products: dict[int, dict] = {}
            self.categories: dict[int, dict] = {
                15: {
                    "id": 15,
                    "name": "Uncategorized",
                    "slug": "uncategorized",
                    "parent": 0,
                    "description": "",
                    "count": 0,
                }
            }
            self.coupons: dict[int, dict] = {}
            self.coupon_ids_by_code: dict[str, set[int]] = {}  # lower-case code -> ids (trashed too)
            self.orders: dict[int, dict] = {}
            self.refunds: dict[int, dict] = {}
            self.reviews: dict[int, dict] = {}
            self.webhooks: dict[int, dict] = {}
            self.notes: list[dict] = []
            self.deliveries = []
            self.lazy = None  # seeding.LazyOrders when seeded
            self.lazy_overridden = set()  # seeded order ids now stored in self.orders (or deleted)
            self.created_at = now
            self.customers[1] = {
                "id": 1,
                "created": now,
                "modified": None,
                "email": "admin@example.com",
                "first_name": "",
                "last_name": "",
                "role": "administrator",
                "username": "admin",
                "billing": {},
                "shipping": {},
                "is_paying_customer": False,
                "meta": [],
            }
            self.email_index["admin@example.com"] = 1

    def now(self) -> int:
        return self.clock.now_s()

    def post_id(self) -> int:
        i = self.next_post_id
        self.next_post_id += 1
        return i

    def meta_id(self, bump: int = 1) -> int:
        i = self.next_meta_id
        self.next_meta_id += bump
        return i

    def item_id(self) -> int:
        i = self.next_item_id
        self.next_item_id += 1
        return i

    def comment_id(self) -> int:
        i = self.next_comment_id
        self.next_comment_id += 1
        return i

    def add_note(self, order_id: int, text: str):
        self.notes.append({"id": self.comment_id(), "order_id": order_id, "note": text, "created": self.now()})

    def emit(self, resource: str, event: str, obj_id: int):
        if self.on_event:
            self.on_event(resource, event, obj_id)

    def add_key(self, key: str, secret: str, permissions: str = "read_write"):
        with self.lock:
            self.keys[key] = Key(key, secret, permissions)

    # ------------------------------------------------------------ meta
    @staticmethod
    def meta_value(v):
        """Scalars are stored as strings (PHP update_meta_data + read back, capture 038)."""
        if isinstance(v, bool):
            return "1" if v else ""
        if isinstance(v, (int, float)):
            return str(money.num(v)) if isinstance(v, float) else str(v)
        return v

    def apply_meta(self, meta: list, updates) -> None:
        """WooCommerce meta semantics: by id targets that row; by key updates the
        first row with the key and drops duplicates; value null deletes."""
        if not isinstance(updates, list):
            return
        for u in updates:
            if not isinstance(u, dict) or "key" not in u and "id" not in u:
                continue
            value = u.get("value")
            if u.get("id"):
                for i, m in enumerate(meta):
                    if m[0] == u["id"]:
                        if value is None:
                            meta.pop(i)
                        else:
                            meta[i] = [m[0], u.get("key", m[1]), self.meta_value(value)]
                        break
                continue
            key = str(u["key"])
            rows = [m for m in meta if m[1] == key]
            if value is None:
                meta[:] = [m for m in meta if m[1] != key]
            elif rows:
                rows[0][2] = self.meta_value(value)
                for extra in rows[1:]:
                    meta.remove(extra)
            else:
                meta.append([self.meta_id(), key, self.meta_value(value)])

    # ------------------------------------------------------------ customers
    def get_customer(self, cid) -> dict:
        c = self.customers.get(_int(cid))
        if c is None:
            raise ApiError(404, "woocommerce_rest_invalid_id" if False else "wc_user_invalid_id", "Invalid user ID.")
        return c

    def sorted_customers(self, role: str, orderby: str, key, desc: bool) -> list[dict]:
        """Customers of `role` ("all": any) sorted by `key`; callers must not change the list.

        A listing sorted every customer on every page (100k customers: 1,000
        pages). The sorted list (pointers only) is remembered until a customer
        is created (next_user_id moves), deleted (the dict shrinks) or the
        store reset (a new dict), so `key` may only read fields that never
        change after creation: id, username, created (and role never changes).
        """
        stamp = (len(self.customers), self.next_user_id)
        hit = self._sorted_customers.get((role, orderby, desc))
        if hit is not None and hit[0] is self.customers and hit[1] == stamp:
            return hit[2]
        items = sorted(
            (c for c in self.customers.values() if role == "all" or c["role"] == role), key=key, reverse=desc
        )
        if len(self._sorted_customers) >= 8:  # role comes from the query string: keep a few
            self._sorted_customers.clear()
        self._sorted_customers[(role, orderby, desc)] = (self.customers, stamp, items)
        return items

    def create_customer(self, body: dict) -> dict:
        with self.lock:
            email = str(body.get("email") or "").strip()
            if not email or not EMAIL_RE.match(email):
                raise ApiError(400, "customer_invalid_email", "Invalid email address")
            if email.lower() in self.email_index:
                raise ApiError(
                    400,
                    "registration-error-email-exists",
                    f"An account is already registered with {email}. Please log in or use a different email address.",
                )
            username = self._new_username(email, sanitize_user(str(body.get("username") or "")))
            now = self.now()
            cid = self.next_user_id
            self.next_user_id += 1
            c = {
                "id": cid,
                "created": now,
                "modified": now,
                "email": email,
                "first_name": str(body.get("first_name") or ""),
                "last_name": str(body.get("last_name") or ""),
                "role": "customer",
                "username": username,
                "billing": dict(body.get("billing") or {}),
                "shipping": dict(body.get("shipping") or {}),
                "is_paying_customer": False,
                "meta": [[self.meta_id(bump=25), "default_password_nag", "1"]],
            }
            self.apply_meta(c["meta"], body.get("meta_data"))
            self.customers[cid] = c
            self.email_index[email.lower()] = cid
            self.usernames.add(username.lower())
            self.emit("customer", "created", cid)
            return c

    def _new_username(self, email: str, given: str) -> str:
        """wc_create_new_customer: a given username must survive strict
        sanitizing unchanged and be free (case-insensitively, as MySQL
        compares); without one it is the email's local part (the domain for
        sales@, info@, ...), strictly sanitized and lower-cased (`+` dropped),
        with `-` and four random digits while taken."""
        if given:
            if sanitize_user(given, strict=True) != given:
                raise ApiError(400, "registration-error-invalid-username", "Please provide a valid account username.")
            if given.lower() in self.usernames:
                raise ApiError(
                    400,
                    "registration-error-username-exists",
                    "An account is already registered with that username. Please choose another.",
                )
            return given
        local, _, domain = email.partition("@")
        base = sanitize_user(domain if local in COMMON_LOCAL_PARTS else local, strict=True).lower()
        username = base
        while username in self.usernames:
            username = f"{base}-{self.username_rng.randint(0, 9999):04d}"
        if not username:
            raise ApiError(400, "registration-error-invalid-username", "Please provide a valid account username.")
        return username

    def update_customer(self, cid, body: dict) -> dict:
        with self.lock:
            c = self.get_customer(cid)
            email = body.get("email")
            # update_item's order: email_exists() (case-insensitive, like MySQL) against
            # the customer's own address compared case-sensitively, so a change of case
            # is refused too; then the username; then WC_Customer::set_email's format check
            if email and str(email).lower() in self.email_index and email != c["email"]:
                raise ApiError(400, "woocommerce_rest_customer_invalid_email", "Email address is invalid.")
            if body.get("username") and body["username"] != c["username"]:
                raise ApiError(400, "woocommerce_rest_customer_invalid_argument", "Username isn't editable.")
            if email is not None:
                email = str(email).strip()
                if not EMAIL_RE.match(email):
                    raise ApiError(400, "customer_invalid_email", "Invalid email address")
                self.email_index.pop(c["email"].lower(), None)
                c["email"] = email
                self.email_index[email.lower()] = c["id"]
            for k in ("first_name", "last_name"):
                if k in body and body[k] is not None:
                    c[k] = str(body[k])
            for k in ("billing", "shipping"):
                if isinstance(body.get(k), dict):
                    c[k].update(body[k])
            if "meta_data" in body:
                self.apply_meta(c["meta"], body["meta_data"])
            c["modified"] = self.now()
            self.emit("customer", "updated", c["id"])
            return c

    def delete_customer(self, cid, force: bool) -> dict:
        with self.lock:
            c = self.get_customer(cid)
            if not force:
                raise ApiError(501, "woocommerce_rest_trash_not_supported", "Customers do not support trashing.")
            del self.customers[c["id"]]
            self.email_index.pop(c["email"].lower(), None)
            self.usernames.discard(c["username"].lower())
            self.emit("customer", "deleted", c["id"])
            return c

    # ------------------------------------------------------------ categories / products
    def create_category(self, body: dict) -> dict:
        with self.lock:
            name = str(body.get("name") or "").strip()
            if not name:
                raise ApiError(
                    400, "rest_missing_callback_param", "Missing parameter(s): name", extra={"params": ["name"]}
                )
            slug = body.get("slug") or slugify(name)
            if any(c["slug"] == slug for c in self.categories.values()):
                raise ApiError(400, "term_exists", "A term with the name provided already exists with this parent.")
            cid = self.next_term_id
            self.next_term_id += 1
            cat = {
                "id": cid,
                "name": name,
                "slug": slug,
                "parent": int(body.get("parent") or 0),
                "description": str(body.get("description") or ""),
                "count": 0,
            }
            self.categories[cid] = cat
            return cat

    def category_counts(self) -> dict[int, int]:
        """A category's `count`: the published products in it, counted when read."""
        counts: dict[int, int] = {}
        for p in self.products.values():
            if p["type"] != "variation" and p["status"] == "publish":
                for cid in p["categories"]:
                    counts[cid] = counts.get(cid, 0) + 1
        return counts

    def get_product(self, pid, variation_ok: bool = False) -> dict:
        p = self.products.get(_int(pid))
        if p is None or (p["type"] == "variation" and not variation_ok):
            raise ApiError(404, "woocommerce_rest_product_invalid_id", "Invalid ID.")
        return p

    def _price_fields(self, p: dict, body: dict):
        """Prices are kept as sent, only cleaned (wc_format_decimal without
        decimals): "49" stays "49", "24.90" stays "24.90" (real store, 10.0.2)."""
        for k in ("regular_price", "sale_price"):
            if k in body and body[k] is not None:
                p[k] = wc_format_decimal(body[k])
        p["price"] = p["sale_price"] or p["regular_price"]

    def related_ids(self, p: dict) -> list[int]:
        """wc_get_related_products(id): up to 5 other published products sharing
        a category, picked at random (WooCommerce shuffles; here a shuffle
        seeded by the product id, so a read is repeatable)."""
        cats = set(p["categories"])
        if not cats or p["type"] == "variation":
            return []
        candidates = [
            x["id"]
            for x in self.products.values()
            if x["id"] != p["id"]
            and x["type"] != "variation"
            and x["status"] == "publish"
            and cats & set(x["categories"])
        ][:15]  # get_related_products(limit + 10)
        random.Random(p["id"]).shuffle(candidates)
        return candidates[:5]

    def create_product(self, body: dict) -> dict:
        with self.lock:
            now = self.now()
            pid = self.post_id()
            name = str(body.get("name") or "Product")
            ptype = body.get("type") or "simple"
            sku = str(body.get("sku") or "")
            if sku and any(x["sku"] == sku for x in self.products.values()):
                raise ApiError(400, "product_invalid_sku", "Invalid or duplicated SKU.")
            slug = slugify(name)
            n = 1
            while any(x.get("slug") == slug for x in self.products.values()):
                n += 1
                slug = f"{slugify(name)}-{n}"
            cats = [
                int(c["id"])
                for c in body.get("categories") or []
                if isinstance(c, dict) and int(c.get("id", 0)) in self.categories
            ]
            attrs = []
            for pos, a in enumerate(body.get("attributes") or []):
                attrs.append(
                    {
                        "id": 0,
                        "name": a.get("name", ""),
                        "slug": a.get("name", ""),
                        "position": pos,
                        "visible": bool(a.get("visible", False)),
                        "variation": bool(a.get("variation", False)),
                        "options": list(a.get("options") or []),
                    }
                )
            p = {
                "id": pid,
                "name": name,
                "slug": slug,
                "created": now,
                "modified": now,
                "type": ptype,
                "status": body.get("status") or "publish",
                "description": str(body.get("description") or ""),
                "short_description": str(body.get("short_description") or ""),
                "sku": sku,
                "regular_price": "",
                "sale_price": "",
                "price": "",
                "manage_stock": bool(body.get("manage_stock", False)),
                "stock_quantity": (
                    int(body["stock_quantity"])
                    if body.get("manage_stock") and body.get("stock_quantity") is not None
                    else None
                ),
                "virtual": bool(body.get("virtual", False)),
                "downloadable": bool(body.get("downloadable", False)),
                "categories": cats or [15],
                "attributes": attrs,
                "variations": [],
                "meta": [],
                "total_sales": 0,
            }
            self._price_fields(p, body)
            self.apply_meta(p["meta"], body.get("meta_data"))
            self.products[pid] = p
            self.emit("product", "created", pid)
            return p

    def update_product(self, pid, body: dict) -> dict:
        with self.lock:
            p = self.get_product(pid)
            for k in ("name", "description", "short_description", "status", "sku"):
                if k in body and body[k] is not None:
                    p[k] = str(body[k])
            if "manage_stock" in body:
                p["manage_stock"] = bool(body["manage_stock"])
            if "stock_quantity" in body:
                p["stock_quantity"] = None if body["stock_quantity"] is None else int(body["stock_quantity"])
            if "categories" in body:
                p["categories"] = [int(c["id"]) for c in body["categories"] if int(c.get("id", 0)) in self.categories]
            self._price_fields(p, body)
            if "meta_data" in body:
                self.apply_meta(p["meta"], body["meta_data"])
            p["modified"] = self.now()
            self.emit("product", "updated", p["id"])
            return p

    def create_variation(self, parent_id, body: dict) -> dict:
        with self.lock:
            parent = self.get_product(parent_id)
            now = self.now()
            vid = self.post_id()
            v = {
                "id": vid,
                "parent_id": parent["id"],
                "type": "variation",
                "created": now,
                "modified": now,
                "name": parent["name"],
                "slug": parent["slug"],
                "description": str(body.get("description") or ""),
                "sku": str(body.get("sku") or ""),
                "regular_price": "",
                "sale_price": "",
                "price": "",
                "manage_stock": bool(body.get("manage_stock", False)),
                "stock_quantity": int(body["stock_quantity"]) if body.get("stock_quantity") is not None else None,
                "attributes": [
                    {"name": a.get("name", ""), "option": a.get("option", "")} for a in body.get("attributes") or []
                ],
                "meta": [],
                "tax_class": "parent",
                "categories": [],
                "variations": [],
                "status": "publish",
            }
            self._price_fields(v, body)
            self.products[vid] = v
            parent["variations"].append(vid)
            self.emit("product", "updated", parent["id"])
            return v

    # ------------------------------------------------------------ coupons
    def get_coupon(self, cid) -> dict:
        c = self.coupons.get(_int(cid))
        if c is None:
            raise ApiError(404, "woocommerce_rest_shop_coupon_invalid_id", "Invalid ID.")
        return c

    def find_coupon(self, code: str) -> dict | None:
        code = str(code).strip().lower()
        for cid in sorted(self.coupon_ids_by_code.get(code, ())):
            c = self.coupons[cid]
            if c["status"] != "trash":
                return c
        return None

    def _coupon_fields(self, c: dict, body: dict, creating: bool = False):
        if "discount_type" in body and body["discount_type"] is not None:
            if body["discount_type"] not in ("percent", "fixed_cart", "fixed_product"):
                raise invalid_param(
                    "discount_type",
                    enum_message("discount_type", ["percent", "fixed_cart", "fixed_product"]),
                    "rest_not_in_enum",
                )
            c["discount_type"] = body["discount_type"]
        if "amount" in body and body["amount"] is not None:
            amount = money.dec(wc_format_decimal(body["amount"]))
            if amount < 0 or (c["discount_type"] == "percent" and amount > 100 and not creating):
                raise ApiError(400, "coupon_invalid_amount", "Invalid discount amount.")
            # a new percent coupon over 100 is saved, with amount 0.00 (real store, 10.0.2)
            c["amount"] = money.fmt(0 if c["discount_type"] == "percent" and amount > 100 else amount)
        for k in ("description",):
            if k in body and body[k] is not None:
                c[k] = str(body[k])
        for k in ("individual_use", "free_shipping", "exclude_sale_items"):
            if k in body and body[k] is not None:
                c[k] = bool(body[k])
        for k in ("usage_limit", "usage_limit_per_user", "limit_usage_to_x_items"):
            if k in body:
                c[k] = int(body[k]) if body[k] not in (None, "", 0) else None
        for k in ("product_ids", "excluded_product_ids", "product_categories", "excluded_product_categories"):
            if isinstance(body.get(k), list):
                c[k] = [int(x) for x in body[k]]
        for k in ("minimum_amount", "maximum_amount"):
            if k in body and body[k] is not None:
                c[k] = money.fmt(body[k] or 0)
        if "email_restrictions" in body and isinstance(body["email_restrictions"], list):
            # WC_Coupon::set_email_restrictions: lower-cased, sanitize_email drops what is
            # not an address and array_filter keeps the others' positions, so the answer
            # is a JSON object ({"1": "ok@example.com"}) once one before them was dropped
            kept = [(i, str(e).strip().lower()) for i, e in enumerate(body["email_restrictions"])]
            kept = [(i, e) for i, e in kept if EMAIL_RE.match(e)]
            c["email_restrictions"] = [e for _, e in kept]
            c["email_restriction_positions"] = [i for i, _ in kept]
        if "date_expires" in body:
            c["expires"] = parse_input_local(body["date_expires"], self.tz)
        # `date_expires_gmt` is read-only in WooCommerce (no setter): sent on a
        # create, update or batch it is silently ignored (real store, 10.0.2).
        if "meta_data" in body:
            self.apply_meta(c["meta"], body["meta_data"])

    def create_coupon(self, body: dict) -> dict:
        with self.lock:
            code = str(body.get("code") or "").strip()
            if not code:
                raise ApiError(400, "woocommerce_rest_empty_coupon_code", "The coupon code cannot be empty.")
            if self.find_coupon(code):
                raise ApiError(400, "woocommerce_rest_coupon_code_already_exists", "The coupon code already exists")
            now = self.now()
            c = {
                "id": 0,
                "code": code.lower(),
                "amount": "0.00",
                "status": body.get("status") or "publish",
                "created": now,
                "modified": now,
                "discount_type": "fixed_cart",
                "description": "",
                "expires": None,
                "individual_use": False,
                "product_ids": [],
                "excluded_product_ids": [],
                "usage_limit": None,
                "usage_limit_per_user": None,
                "limit_usage_to_x_items": None,
                "free_shipping": False,
                "product_categories": [],
                "excluded_product_categories": [],
                "exclude_sale_items": False,
                "minimum_amount": "0.00",
                "maximum_amount": "0.00",
                "email_restrictions": [],
                "used_by": [],
                "meta": [],
            }
            self._coupon_fields(c, body, creating=True)
            c["id"] = self.post_id()
            self.coupons[c["id"]] = c
            self.coupon_ids_by_code.setdefault(c["code"], set()).add(c["id"])
            self.emit("coupon", "created", c["id"])
            return c

    def update_coupon(self, cid, body: dict) -> dict:
        with self.lock:
            c = self.get_coupon(cid)
            if "code" in body and body["code"] is not None:
                code = str(body["code"]).strip().lower()
                other = self.find_coupon(code)
                if other and other["id"] != c["id"]:
                    raise ApiError(400, "woocommerce_rest_coupon_code_already_exists", "The coupon code already exists")
                self.coupon_ids_by_code.get(c["code"], set()).discard(c["id"])
                c["code"] = code
                self.coupon_ids_by_code.setdefault(code, set()).add(c["id"])
            self._coupon_fields(c, body)
            c["modified"] = self.now()
            self.emit("coupon", "updated", c["id"])
            return c

    def delete_coupon(self, cid, force: bool, emit: bool = True) -> dict:
        with self.lock:
            c = self.get_coupon(cid)
            if force:
                del self.coupons[c["id"]]
                self.coupon_ids_by_code.get(c["code"], set()).discard(c["id"])
            else:
                if c["status"] == "trash":
                    raise ApiError(410, "woocommerce_rest_already_trashed", "The coupon has already been deleted.")
                c["status"] = "trash"
                c["modified"] = self.now()
            if emit:
                self.emit("coupon", "deleted", c["id"])
            return c

    # ------------------------------------------------------------ reviews
    def get_review(self, rid) -> dict:
        r = self.reviews.get(_int(rid))
        if r is None:
            raise ApiError(404, "woocommerce_rest_review_invalid_id", "Invalid review ID.")
        return r

    def create_review(self, body: dict, verified_fn) -> dict:
        with self.lock:
            pid = _int(body.get("product_id"))
            product = self.products.get(pid)
            if product is None or product["type"] == "variation":
                raise ApiError(404, "woocommerce_rest_product_invalid_id", "Invalid product ID.")
            if not body.get("review"):
                raise ApiError(400, "woocommerce_rest_review_content_invalid", "Invalid review content.")
            email = str(body.get("reviewer_email") or "")
            status = body.get("status") or "approved"
            if status not in ("approved", "hold", "spam", "unspam", "trash", "untrash"):
                raise invalid_param(
                    "status",
                    enum_message("status", ["approved", "hold", "spam", "unspam", "trash", "untrash"]),
                    "rest_not_in_enum",
                )
            now = self.now()
            created = now
            if body.get("date_created_gmt"):
                created = parse_rest_date(body["date_created_gmt"], self.tz, True)
            r = {
                "id": self.comment_id(),
                "created": created,
                "product_id": pid,
                "status": status,
                "reviewer": str(body.get("reviewer") or ""),
                "reviewer_email": email,
                "review": str(body["review"]),
                "rating": int(body.get("rating") or 0),
                "verified": bool(verified_fn(email, pid)),
            }
            self.reviews[r["id"]] = r
            self._rerate(pid)
            return r

    def update_review(self, rid, body: dict) -> dict:
        with self.lock:
            r = self.get_review(rid)
            for k in ("review", "reviewer", "reviewer_email", "status"):
                if k in body and body[k] is not None:
                    r[k] = str(body[k])
            if "rating" in body:
                r["rating"] = int(body["rating"])
            self._rerate(r["product_id"])
            return r

    def _rerate(self, pid):
        p = self.products.get(pid)
        if not p:
            return
        ratings = [
            r["rating"]
            for r in self.reviews.values()
            if r["product_id"] == pid and r["status"] == "approved" and r["rating"]
        ]
        p["rating_count"] = len(ratings)
        avg = sum(ratings) / len(ratings) if ratings else 0
        p["average_rating"] = money.fmt_trim(avg) if ratings else "0"
        p["average_rating_2dp"] = money.fmt(avg)

    # ------------------------------------------------------------ webhooks
    def get_webhook(self, wid) -> dict:
        w = self.webhooks.get(_int(wid))
        if w is None:
            raise ApiError(404, "woocommerce_rest_webhook_invalid_id", "Invalid ID.")
        return w


def _int(v) -> int:
    try:
        return int(v)
    except (TypeError, ValueError):
        return -1


def new_order_key() -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return "wc_order_" + "".join(secrets.choice(alphabet) for _ in range(13))
